/* The Switcher's #PF walker: a page fault from ring 3 that the guest's own
 * page tables explain (the page is not present there, or they forbid the
 * access) goes straight to the guest's #PF handler, as the CPU would have
 * delivered it, without the round trip through the host. Everything else
 * (a fault the shadow must fill, any entry the host would refuse, any
 * state it cannot vouch for) goes the host's way, which re-checks it all.
 *
 * It runs in the Switcher (ring 0, interrupts off) on the guest's shadow
 * page directory, on the stack below the guest's frame in the regs page.
 * It is compiled into the Switcher's text (the Makefile moves its code
 * there and refuses any data or outside reference), so it touches only
 * the Switcher's pages and the guest's own memory:
 *   - its bounds and the guest's gate, stack and directory come from the
 *     state page (struct walk_state), which the guest cannot write;
 *   - a guest page-table page is read through SWITCHER_WINDOW, mapped
 *     read-only for the read: that PTE is written through the read-only
 *     SWITCHER_PTMAP with CR0.WP off, and cleared (with WP back on and an
 *     invlpg) before anything else happens. So no host frame is ever
 *     writable from ring 1, and the window is empty whenever a guest runs;
 *   - the trap frame goes onto the SET_STACK stack, the TSS's ss1:esp1,
 *     through the guest's own address space, where the host keeps it
 *     pinned writable; cr2 and the virtual IF through the lguest_data
 *     alias, the guest's own frame.
 * It never allocates, never kills and sets no accessed or dirty bit (the
 * host sets none for a fault it reflects either). The entry rules are
 * mm/pte.h's, compiled in, not a second copy. */
#include <abi.h>
#include <arch/i386/x86.h>
#include <mm/pte.h>
#include <mutation.h>
#include <switcher/switcher.h>

#define REGS   ((struct guest_regs *)(SWITCHER_REGS + offsetof(struct regs_page, regs)))
#define WALK   (&((struct state_page *)SWITCHER_STATE)->walk)
#define PF_FRAME_WORDS 6	/* error code, eip, cs, eflags, esp, ss */

enum verdict {
	TO_HOST,		/* not the walker's to decide */
	NOT_PRESENT,		/* the guest's entry is not present */
	FORBIDDEN,		/* present, but forbids this access */
};

static inline void window_set(uint32_t pte)
{
	*(volatile uint32_t *)SWITCHER_WINDOW_PTE = pte;
	invlpg(SWITCHER_WINDOW);
}

/* Word index of host-physical page pa, read through the window. */
static inline uint32_t window_read(uint32_t pa, unsigned index)
{
	window_set(pa | PTE_P);
	return ((const volatile uint32_t *)SWITCHER_WINDOW)[index];
}

/* What the guest's tables say of an access at va (CR0.WP off). */
static enum verdict judge(const struct walk_state *w, uint32_t va, bool write)
{
	uint32_t pde = window_read(w->dir_pa, va >> 22);

	if (!(pde & PTE_P))
		return NOT_PRESENT;
	if (!pde_flags_valid(pde) ||
	    (!entry_frame_inside(pde, w->mem_size) && !MUTATED(MUT_WALK_FRAME_BOUND)))
		return TO_HOST;
	uint32_t pte = window_read(w->mem_base + (pde & PAGE_MASK), (va >> 12) & 1023);
	if (!(pte & PTE_P))
		return NOT_PRESENT;
	if (!pte_flags_valid(pte) || !entry_frame_inside(pte, w->mem_size))
		return TO_HOST;
	return entry_allows(pde, pte, write, true) ? TO_HOST : FORBIDDEN;
}

/* Called by pf_entry (switcher.S) with the guest's registers saved in its
 * frame. True if the fault was delivered: the frame now enters the
 * guest's handler. False: nothing changed, and the host takes the fault. */
bool switcher_walk(void)
{
	struct guest_regs *r = REGS;
	struct walk_state *w = WALK;
	const struct tss *tss = &((struct state_page *)SWITCHER_STATE)->tss;
	uint32_t va = read_cr2(), cr0 = read_cr0(), esp1 = tss->esp1;

	if ((r->cs & 3) != 3 || !w->enabled || va >= SWITCHER_ADDR)
		return false;
	/* The frame must lie in the pages the host keeps pinned writable
	 * below esp1 (mm/shadow.c: shadow_pin_stack). */
	if (w->stack_pages < 2 && ((esp1 - PF_FRAME_WORDS * 4) ^ (esp1 - 1)) & PAGE_MASK)
		return false;
	write_cr0(cr0 & ~CR0_WP);
	enum verdict v = judge(w, va, r->errcode & 2);
	window_set(0);
	if (v != TO_HOST)
		w->faults++;		/* the state page: writable only now */
	write_cr0(cr0);
	if (v == TO_HOST)
		return false;

	/* As the CPU delivers through a gate from ring 3: the user's ss:esp,
	 * eflags (its IF the virtual one), cs, eip and the error code, whose
	 * P bit is the guest's own, onto the ring-1 stack. */
	volatile uint32_t *irq = (volatile uint32_t *)w->irq_va;
	volatile uint32_t *sp = (volatile uint32_t *)esp1 - PF_FRAME_WORDS;
	uint32_t eflags = r->eflags;

	if (!(*irq & LGUEST_IF))
		eflags &= ~EFLAGS_IF;
	sp[0] = (r->errcode & ~1u) | (v == FORBIDDEN);
	sp[1] = r->eip;
	sp[2] = r->cs;
	sp[3] = eflags;
	sp[4] = r->esp;
	sp[5] = r->ss;
	*(volatile uint32_t *)w->cr2_va = va;
	if (w->intr_gate)
		*irq = 0;
	r->eip = w->handler;
	r->cs = GUEST_CS;
	r->eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM);
	r->esp = (uint32_t)sp;
	r->ss = tss->ss1;
	return true;
}
