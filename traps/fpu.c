/* Lazy FPU switching. The FPU (and SSE) registers hold one guest's state at
 * a time; every other guest runs with CR0.TS set, so its first FPU
 * instruction raises #NM and the state is swapped then. The guest's own
 * CR0.TS (HC_TS) is honoured too: with it set, #NM is the guest's. The
 * hypervisor itself never touches the FPU (-mgeneral-regs-only), but for
 * arch_zero(), which borrows xmm0 and puts it and CR0.TS back. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <core/guest.h>
#include <lib/lib.h>
#include <traps/traps.h>

static struct guest *fpu_owner;	/* whose state is in the registers */

static void save(struct guest *g)
{
	if (cpu_has(CPU_FEAT_FXSR))
		__asm__ volatile("fxsave %0" : "=m"(g->fpu_state));
	else
		__asm__ volatile("fnsave %0; fwait" : "=m"(g->fpu_state));
}

/* A new guest's FPU state is the one after `fninit` (control word 0x37F,
 * every register empty) with SSE exceptions masked (MXCSR 0x1F80) and every
 * register zero: it starts from a clean state, not from another guest's. */
void fpu_init_guest(struct guest *g)
{
	memset(g->fpu_state, 0, sizeof(g->fpu_state));
	if (cpu_has(CPU_FEAT_FXSR)) {
		*(uint16_t *)&g->fpu_state[0] = 0x37F;		/* FCW */
		*(uint32_t *)&g->fpu_state[24] = 0x1F80;	/* MXCSR */
	} else {
		*(uint32_t *)&g->fpu_state[0] = 0x37F;		/* FCW */
		*(uint32_t *)&g->fpu_state[8] = 0xFFFF;		/* FTW: all empty */
	}
}

static void restore(struct guest *g)
{
	if (cpu_has(CPU_FEAT_FXSR))
		__asm__ volatile("fxrstor %0" : : "m"(g->fpu_state));
	else
		__asm__ volatile("frstor %0" : : "m"(g->fpu_state));
}

static void set_ts(bool on)
{
	uint32_t cr0 = read_cr0();

	if (on && !(cr0 & CR0_TS))
		write_cr0(cr0 | CR0_TS);
	else if (!on && (cr0 & CR0_TS))
		__asm__ volatile("clts");
}

/* TS is clear only while the registers are this guest's and it has not set
 * its own TS. */
void fpu_before_entry(struct guest *g)
{
	set_ts(fpu_owner != g || g->guest_ts);
}

/* HC_TS: the guest's own CR0.TS, in force at once. g is the guest that
 * made the call and is entered next; applying it here, and not only
 * before an entry, lets the run loop re-enter g after a hypercall without
 * looking at the FPU again (core/run.c: reenter_at_once). */
void fpu_set_guest_ts(struct guest *g, bool on)
{
	g->guest_ts = on;
	set_ts(fpu_owner != g || on);
}

/* #NM from the guest. True if the host handled it (the guest's state is
 * now loaded); false if it is the guest's own, because it set TS. */
bool fpu_handle_nm(struct guest *g)
{
	if (g->guest_ts)
		return false;
	set_ts(false);
	if (fpu_owner != g) {
		if (fpu_owner)
			save(fpu_owner);
		restore(g);
		fpu_owner = g;
	}
	return true;
}

/* The guest is going away: its state in the registers is worthless. */
void fpu_forget(struct guest *g)
{
	if (fpu_owner == g)
		fpu_owner = NULL;
}
