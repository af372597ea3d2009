/* The host's half of the Switcher's #PF walker (switcher/walk.c): what it
 * may rely on, published in the guest's state page whenever one of its
 * inputs changes, and the switch that turns it off when any of them is not
 * what the walker can vouch for. Off means every #PF goes the host's way. */
#include <abi.h>
#include <core/guest.h>
#include <hcall/hcall.h>
#include <mm/mm.h>
#include <switcher/switcher.h>
#include <traps/traps.h>
#include <traps/walk.h>

/* Called after LGUEST_INIT, a new #PF gate, a new stack size, a change to the
 * guest's code segment entry and the first NEW_PGTABLE. The walker needs
 * all of: lguest_data's irq_enabled and cr2 on the alias page; page tables
 * of the guest's own (not the linear map); a present interrupt or trap
 * gate for #PF below the Switcher; a ring-1 stack; and GUEST_CS a
 * ring-1 code segment, so the iret into the handler cannot fault. */
void walk_refresh(struct guest *g)
{
	struct walk_state *w = &g->state->walk;
	uint32_t lo = g->idt_lo[14], hi = g->idt_hi[14];
	uint32_t cr2_off = offsetof(struct lguest_data, cr2) -
			   offsetof(struct lguest_data, irq_enabled);
	bool gate = (hi & GATE_P) && GATE_OFFSET(lo, hi) < SWITCHER_ADDR &&
		    (GATE_TYPE(hi) == IDT_GATE_INTERRUPT || GATE_TYPE(hi) == IDT_GATE_TRAP);

	w->enabled = 0;
	w->stack_pages = g->stack_pages;
	if (!g->lguest_data || !g->rom_irq_va || g->shadow.linear || !gate ||
	    !g->stack_pages || !seg_is_guest_code(g, GUEST_CS) ||
	    ((g->rom_irq_va + cr2_off) & PAGE_MASK) != (g->rom_irq_va & PAGE_MASK))
		return;
	w->mem_base = g->mem_base;
	w->mem_size = g->mem_size;
	w->handler = GATE_OFFSET(lo, hi);
	w->intr_gate = GATE_TYPE(hi) == IDT_GATE_INTERRUPT;
	w->irq_va = g->rom_irq_va;
	w->cr2_va = g->rom_irq_va + cr2_off;
	walk_dir_changed(g);
	w->enabled = 1;
}
