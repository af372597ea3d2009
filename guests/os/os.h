/* The guest OS kernel's internal interfaces, grouped by the file defining
 * them, bottom layer first: each file calls only those above it here. The kernel runs in ring 1 on the runtime (guests/rt), its image
 * mapped 1:1 and all of guest memory mapped again at KERNEL_BASE in page
 * tables every process's directory shares; processes run in ring 3. */
#ifndef OS_H
#define OS_H

#include "rv.h"
#include "syscall.h"

#define PAGE       4096u
#define PAGE_MASK  0xFFFFF000u
#define PTE_P      0x001u
#define PTE_RW     0x002u
#define PTE_US     0x004u
#define PTE_A      0x020u
#define PTE_D      0x040u
#define PTE_COW    0x200u   /* available bit: shared until written */
#define PTE_IMG    0x400u   /* available bit: a page of the kernel image */
#define PDX(va)    ((uint32_t)(va) >> 22)
#define PTX(va)    (((uint32_t)(va) >> 12) & 1023)
#define P2V(pa)    ((void *)(uintptr_t)((uint32_t)(pa) + KERNEL_BASE))
#define KMAP_VA    0xD0000000u  /* the kernel's one temporary mapping */

#define NPROC      6
#define NR_PROGRAMS 3       /* user programs: alpha, beta, gamma */

/* check.c: logged results, one line per check */
RV_PRINTF(3, 4) int os_check(const char *name, int ok, const char *fmt, ...);
void os_fail(void);
int os_failures(void);

/* mm.c: frames, page tables, faults */
void mm_init(void);
uint32_t mm_free_frames(void);
uint32_t mm_new_dir(void);                   /* kernel part only */
void mm_switch(uint32_t dir);                /* HC_NEW_PGTABLE */
uint32_t mm_kernel_dir(void);
uint32_t *mm_pte(uint32_t dir, uint32_t va, int create);
void mm_set_pte(uint32_t dir, uint32_t va, uint32_t pte); /* write and report */
void mm_flush(void);                         /* run the queued reports */
void mm_map_text(uint32_t dir);
int mm_fork(uint32_t parent, uint32_t child);
void mm_free_dir(uint32_t dir);
uint32_t mm_refs(uint32_t pa);
int mm_user_ok(uint32_t dir, uint32_t va, uint32_t len);
void *mm_kmap(uint32_t pa);
int mm_kmap_selftest(uint32_t dir_a, uint32_t dir_b);
enum { MM_FAULT_NONE, MM_FAULT_DEMAND, MM_FAULT_COW_REUSE, MM_FAULT_COW_COPY };
int mm_user_fault(uint32_t dir, uint32_t va, uint32_t err, int owns);

/* report.c: the verdict */
void os_report_begin(void);
void os_note_exit(int pid, int status);
RV_NORETURN void os_finish_report(uint32_t switches);

/* proc.c: processes, the scheduler, system calls */
struct proc;
struct proc *proc_current(void);
int proc_pid(const struct proc *p);
uint32_t proc_dir(const struct proc *p);
void proc_count(struct proc *p, int what);
int proc_owns(const struct proc *p, uint32_t va);  /* demand-zero region? */
int proc_bad_fault(struct rv_regs *r, uint32_t va);
void proc_init(void);
struct proc *proc_spawn(const char *name, int arg);
RV_NORETURN void proc_start(void);
void os_finish(void);

#endif
