/* The Switcher's layout and the structures it shares with the run loop:
 * the guest's register frame (tail of the regs page) and the per-guest state
 * page (the guest's real GDT, IDT and TSS plus the host's saved state).
 * Assembly gets every offset from build/asm-offsets.h, generated from these
 * structs. */
#ifndef RV_SWITCHER_H
#define RV_SWITCHER_H

#include <abi.h>
#include <param.h>

/* The top 4 MiB of every address space: Switcher text, then the regs page
 * (writable by the guest: the CPU pushes its trap frame there), the state
 * page (read-only to the guest), the ROM page (the guest's system-call
 * stubs, read-only to it: switcher/rom.c) and the lguest_data alias (the
 * guest's own frame holding irq_enabled, writable by it; not present
 * before LGUEST_INIT). These four are the running guest's own: their PTEs
 * are switched when another guest runs. Then two pages of the #PF walker
 * (switcher/walk.c), the same in every address space: the Switcher's own
 * page table, mapped read-only (the walker writes it only with CR0.WP
 * off), and the window, where the walker maps one guest frame read-only
 * at a time; not present whenever a guest runs. */
#define SWITCHER_TEXT        SWITCHER_ADDR
#define SWITCHER_TEXT_PAGES  2
#define SWITCHER_REGS        (SWITCHER_ADDR + SWITCHER_TEXT_PAGES * 0x1000)
#define SWITCHER_STATE       (SWITCHER_REGS + 0x1000)
#define SWITCHER_ROM         (SWITCHER_STATE + 0x1000)
#define SWITCHER_LDATA       (SWITCHER_ROM + 0x1000)
#define SWITCHER_PTMAP       (SWITCHER_LDATA + 0x1000)
#define SWITCHER_WINDOW      (SWITCHER_PTMAP + 0x1000)
/* The window's PTE, as the walker reaches it through SWITCHER_PTMAP. */
#define SWITCHER_WINDOW_PTE  (SWITCHER_PTMAP + ((SWITCHER_WINDOW >> 12) & 1023) * 4)

/* The ROM page: one stub slot per exception vector 0..31, then one for the
 * system-call vector, ROM_SLOT_SIZE bytes apart. */
#define ROM_SLOT_SIZE        64
#define ROM_SLOT_SYSCALL     32
#define ROM_SLOTS            33

/* Trap stubs in the Switcher: one per vector, this many bytes apart. */
#define SWITCHER_STUB_SIZE   16

/* What switch_to_guest returns in %eax when the Switcher itself faulted
 * while loading guest state: this bit, or'd with the vector. */
#define SWITCHER_FAULTED     0x80000000u

#ifndef __ASSEMBLER__
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <types.h>

/* The guest's registers, lowest address first, as the Switcher leaves them
 * on a trap: it pushed eax..es, the stub pushed trapnum and (for vectors
 * without one) errcode, the CPU pushed errcode (for some vectors) and
 * eip..ss. The CPU always pushes ss and esp: a trap from the guest (ring 1
 * or 3) into the Switcher (ring 0) always changes privilege. */
struct guest_regs {
	uint32_t eax, ebx, ecx, edx, esi, edi, ebp;
	uint32_t gs, fs, ds, es;
	uint32_t trapnum, errcode;
	uint32_t eip, cs, eflags, esp, ss;
};
_Static_assert(sizeof(struct guest_regs) == 72, "guest_regs layout");

/* The regs page: the frame sits at the very end, so that TSS.esp0 = the end
 * of the page makes the CPU's pushes land in its last five fields. */
struct regs_page {
	uint8_t spare[PAGE_SIZE - sizeof(struct guest_regs)];
	struct guest_regs regs;
};
_Static_assert(sizeof(struct regs_page) == PAGE_SIZE, "regs page size");

/* What the #PF walker (switcher/walk.c) reads of the running guest, kept
 * in its state page by the host (traps/walk.c) and never in the regs page
 * the guest can write. enabled is 0 unless every other field is valid. */
struct walk_state {
	uint32_t enabled;
	uint32_t mem_base;	/* host-physical base of guest memory */
	uint32_t mem_size;	/* bytes, a page multiple */
	uint32_t dir_pa;	/* host-physical page directory it runs on */
	uint32_t handler;	/* its #PF gate: offset (below the Switcher) */
	uint32_t intr_gate;	/* nonzero: an interrupt gate (clears the virtual IF) */
	uint32_t stack_pages;	/* SET_STACK's; the stack itself is the TSS's
				 * ss1:esp1, where the CPU pushes too */
	uint32_t irq_va;	/* irq_enabled and cr2, through SWITCHER_LDATA */
	uint32_t cr2_va;
	uint64_t faults;	/* faults it delivered: written by the walker only */
};

/* The state page: loaded by the Switcher on every entry. The guest can read
 * it but never write it (CR0.WP makes read-only bind ring 1 too). */
struct state_page {
	uint64_t gdt[GDT_ENTRIES];
	uint64_t idt[256];
	struct tss tss;
	uint16_t _pad0;
	struct desc_ptr guest_gdt_desc;
	uint16_t _pad1;
	struct desc_ptr guest_idt_desc;
	uint16_t _pad2;
	struct desc_ptr host_gdt_desc;
	uint16_t _pad3;
	struct desc_ptr host_idt_desc;
	uint32_t host_cr3;
	uint32_t host_sp;
	struct walk_state walk;
};
_Static_assert(sizeof(struct state_page) <= PAGE_SIZE, "state page overflows");

/* switcher.S: the code runs at its link address in the Switcher's 4 MiB. */
extern const uint8_t switcher_text_start[], switcher_text_end[];
extern const uint8_t switcher_stubs[];
extern void switch_to_guest(void);

/* walk.c: runs in the Switcher, on the guest's address space */
bool switcher_walk(void);

/* setup.c */
void switcher_init(void);
void switcher_state_init(struct state_page *st);
void switcher_map_guest(uint32_t regs_pa, uint32_t state_pa, uint32_t rom_pa,
			uint32_t ldata_pa);
uint32_t switcher_guest_pde(void);
uint32_t switcher_checksum(void);
uint32_t switcher_writable_extra(void);
uint32_t switcher_stub(unsigned vector);
uint64_t switcher_stub_gate(unsigned vector, unsigned dpl);

/* rom.c */
void rom_init(uint8_t *rom);
uint32_t rom_set_slot(uint8_t *rom, unsigned slot, bool error_code, uint32_t irq_va,
		      uint32_t handler);
uint32_t rom_irq_alias(uint32_t lguest_data_gpa);

/* Is eip inside the ROM page: the stubs' no-interrupt region? */
static inline bool rom_contains(uint32_t eip)
{
	return eip - SWITCHER_ROM < PAGE_SIZE;
}

/* Enter the guest whose regs and state pages are mapped, on the shadow page
 * directory cr3. Returns 0 after a trap or an interrupt (regs.trapnum says
 * which), or SWITCHER_FAULTED | vector if the Switcher faulted while loading
 * the guest's state, with the fault's error code in *fault_error. Called with interrupts disabled; returns with them
 * disabled. */
static inline uint32_t switcher_run(uint32_t cr3, uint32_t *fault_error)
{
	uint32_t ret, clobber_b, clobber_c;

	/* pushf + lcall leave an interrupt-style frame (eflags, cs, eip) on the
	 * host stack: the Switcher returns with iret, and a hardware interrupt
	 * taken in the guest is handed to the host's own handler, whose iret
	 * lands here too. */
	__asm__ volatile("pushfl\n\t"
			 "lcall %[cs], $switch_to_guest"
			 : "=a"(ret), "=b"(clobber_b), "=c"(clobber_c), "=d"(*fault_error)
			 : "b"(cr3), [cs] "i"(SEL_HOST_CS)
			 : "esi", "edi", "memory", "cc");
	return ret;
}
#endif /* __ASSEMBLER__ */
#endif
