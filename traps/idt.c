/* The guest's IDT. The guest says what it wants (LOAD_IDT_ENTRY); the real
 * IDT in its state page holds either that gate itself, as a direct trap the
 * CPU delivers without the hypervisor; or, for an interrupt gate, a trap
 * gate to the vector's ROM stub (switcher/rom.c), also without the
 * hypervisor; or the Switcher's stub for the vector, and the run loop
 * reflects the trap. */
#include <abi.h>
#include <arch/i386/arch.h>
#include <core/guest.h>
#include <lib/log.h>
#include <switcher/switcher.h>
#include <traps/traps.h>
#include <traps/walk.h>

/* May the CPU deliver this vector straight to the guest's handler? Never:
 * NMI (2), #NM (7, lazy FPU), #DF (8), #GP (13, emulation), #PF (14,
 * shadow fill), 15, #MC (18: a machine check is the host's to see first),
 * the hypercall vector (31), or a hardware IRQ vector (32 and up) other
 * than the system-call vector. */
static bool bypass_vector(const struct guest *g, unsigned v)
{
	if (v == 2 || v == 7 || v == 8 || v == 13 || v == 14 || v == 15 || v == 18 ||
	    v == LGUEST_TRAP_ENTRY)
		return false;
	return v < 32 || (g->lguest_data && v == g->syscall_vec);
}

/* A present trap gate: the CPU delivers it as it is (a direct trap). */
static bool direct_trap(const struct guest *g, unsigned v, uint32_t hi)
{
	return (hi & GATE_P) && GATE_TYPE(hi) == IDT_GATE_TRAP && bypass_vector(g, v);
}

/* A present interrupt gate: the CPU delivers it to the vector's ROM stub,
 * which does the interrupt gate's part (the virtual IF) and jumps to the
 * handler. Only once LGUEST_INIT gave the alias that stub needs, and only
 * to a handler below the Switcher (one in it is left to the host path,
 * whose checks the security catalogue holds). */
static bool rom_gate(const struct guest *g, unsigned v, uint32_t lo, uint32_t hi)
{
	return (hi & GATE_P) && GATE_TYPE(hi) == IDT_GATE_INTERRUPT && g->rom_irq_va &&
	       GATE_OFFSET(lo, hi) < SWITCHER_ADDR && bypass_vector(g, v);
}

/* A ring-1 trap gate to offset, callable by `int n` from ring dpl: always
 * the guest's own code segment, so no gate can lead into ring 0. */
static uint64_t ring1_trap_gate(uint32_t off, unsigned dpl)
{
	return (uint64_t)(off & 0xFFFF) | ((uint64_t)GUEST_CS << 16) |
	       ((uint64_t)(GATE_P | (dpl << 13) | (IDT_GATE_TRAP << 8)) << 32) |
	       ((uint64_t)(off >> 16) << 48);
}

/* Rebuild the real IDT entry for one vector. A direct gate keeps the
 * guest's handler and DPL. A ROM gate keeps the guest's DPL too, except
 * for a vector with an error code: the stub for those expects the CPU's
 * error code, which `int n` does not push, so `int n` gets #GP there (DPL
 * 0), as it does on the host path. Otherwise the Switcher's stub,
 * reachable by `int n` (int3, into) from the rings the guest's own gate
 * allows, so that the host reflects it as the CPU would have delivered it:
 * the hypercall vector from ring 1 only; the system-call vector from ring 3
 * as well. Never by `int n` (so it is #GP, reflected): the host's own
 * vectors (NMI, #DF, 15); the hardware-interrupt vectors, or `int $0x21`
 * could pass for a keyboard interrupt; the exceptions with an error code,
 * whose stubs expect the CPU's error code that `int n` does not push; and
 * #NM, which the host takes for its lazy FPU switch. */
void idt_refresh(struct guest *g, unsigned v)
{
	uint32_t lo = g->idt_lo[v], hi = g->idt_hi[v];

	if (direct_trap(g, v, hi)) {
		g->state->idt[v] = ring1_trap_gate(GATE_OFFSET(lo, hi), GATE_DPL(hi));
		return;
	}
	if (rom_gate(g, v, lo, hi)) {
		bool err = vector_has_error_code(v);
		uint32_t entry = rom_set_slot(g->rom, v < 32 ? v : ROM_SLOT_SYSCALL, err,
					      g->rom_irq_va, GATE_OFFSET(lo, hi));
		g->state->idt[v] = ring1_trap_gate(entry, err ? 0 : GATE_DPL(hi));
		return;
	}
	unsigned dpl = (hi & GATE_P) ? GATE_DPL(hi) : 0;
	if (v == LGUEST_TRAP_ENTRY)
		dpl = GUEST_PL;
	else if (g->lguest_data && v == g->syscall_vec)
		dpl = 3;
	else if (v == 2 || v == 7 || v == 15 || vector_has_error_code(v) ||
		 (v >= VEC_IRQ0 && v < VEC_IRQ0 + NR_IRQS))
		dpl = 0;
	g->state->idt[v] = switcher_stub_gate(v, dpl);
}

void traps_init_guest(struct guest *g)
{
	for (unsigned v = 0; v < 256; v++) {
		g->idt_lo[v] = g->idt_hi[v] = 0;
		idt_refresh(g, v);
	}
}

/* HC_LOAD_IDT_ENTRY. Vectors 2, 8, 15 and 31 belong to the host and are
 * ignored, as lguest does; a vector beyond the table kills. */
void idt_load_entry(struct guest *g, uint32_t vector, uint32_t lo, uint32_t hi)
{
	if (vector >= 256) {
		kill_guest(g, "LOAD_IDT_ENTRY: vector %u is beyond the IDT", vector);
		return;
	}
	if (vector == 2 || vector == 8 || vector == 15 || vector == LGUEST_TRAP_ENTRY)
		return;
	g->idt_lo[vector] = lo;
	g->idt_hi[vector] = hi;
	idt_refresh(g, vector);
	if (vector == 14)
		walk_refresh(g);
}
