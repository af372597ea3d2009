/* Helpers shared by the paging test guests: a page pool, page tables built
 * and reported by hand, fault probes, a trip to ring 3, and PASS/FAIL lines.
 * Everything here runs in ring 1 unless its comment says ring 3. */
#ifndef PT_LIB_H
#define PT_LIB_H

#include "rv.h"

/* x86 page-table entry bits (non-PAE). */
#define PT_P    0x001u
#define PT_RW   0x002u
#define PT_US   0x004u
#define PT_PWT  0x008u
#define PT_PCD  0x010u
#define PT_A    0x020u
#define PT_D    0x040u
#define PT_PSE  0x080u
#define PT_G    0x100u
#define PT_PAGE 4096u
#define PT_MASK 0xFFFFF000u

#define PD_INDEX(va) ((uint32_t)(va) >> 22)
#define PT_INDEX(va) (((uint32_t)(va) >> 12) & 1023)

/* User segments, Linux's layout: GDT 14 and 15, DPL 3. */
#define PT_USER_CS 0x73
#define PT_USER_DS 0x7b

/* Guest memory in bytes, from boot_params' e820 entry (read it before the
 * first NEW_PGTABLE, while page 0 is surely mapped). */
uint32_t pt_mem_size(void);

/* A zeroed page from the guest's own pool (inside its image, so mapped
 * 1:1 by pt_new_dir). Pointer == guest-physical address. */
uint32_t *pt_alloc_page(void);

/* A page directory mapping guest memory 1:1 (va == pa) with leaf flags
 * `flags` (PT_P | PT_RW, plus PT_US to let ring 3 in). The identity page
 * tables are shared by every directory made with the same flags. */
uint32_t *pt_new_dir(uint32_t flags);

/* The PTE for va in dir, or NULL; with create, a missing page table is
 * allocated (PDE flags P | RW | US) and the new PDE reported by SET_PGD. */
uint32_t *pt_pte(uint32_t *dir, uint32_t va, int create);

/* HC_NEW_PGTABLE. */
void pt_switch(uint32_t *dir);

/* Read or write one word at va, catching a page fault. 0 if the access
 * worked (read: the word in pt_probe_value), 1 if it faulted (pt_fault_cr2
 * and pt_fault_err say where and why). Needs pt_catch_faults(). */
int pt_probe_read(uint32_t va);
int pt_probe_write(uint32_t va, uint32_t val);
extern volatile uint32_t pt_probe_value;
extern volatile uint32_t pt_fault_cr2, pt_fault_err, pt_fault_count;
/* The probes' access instructions, and where a #PF handler of a test's own
 * sends a faulting probe so that it returns 1. */
extern const char pt_probe_read_at[], pt_probe_write_at[], pt_probe_fault[];

/* Install the #PF handler behind the probes (an interrupt gate). A fault
 * anywhere else prints and exits 128 + 14. */
void pt_catch_faults(void);

/* GDT 14 and 15: flat DPL-3 code and data. */
void pt_load_user_segments(void);

/* Run fn in ring 3 on the stack below stack_top (which must be mapped
 * user-writable, like fn's code). fn's return value comes back here, via
 * int $0x80 (PT_SYS_RETURN), which needs pt_install_syscall(). Other
 * int $0x80 calls go to hook (may be NULL). */
#define PT_SYS_RETURN 0x7E57
uint32_t pt_run_user(uint32_t (*fn)(void), uint32_t stack_top);
void pt_install_syscall(unsigned int kind, void (*hook)(struct rv_regs *r));

/* One line per check: "PASS name" or "FAIL name: why". Returns ok. */
RV_PRINTF(3, 4) int pt_check(const char *name, int ok, const char *fmt, ...);

/* 0 if every check passed, else 1. */
int pt_result(void);

/* This guest's counter, read now. */
uint64_t pt_shadow_faults(void);
uint64_t pt_reflected(void);

#endif
