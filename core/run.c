/* The run loop's inner step: enter the guest through the Switcher and
 * dispatch whatever brought it back to hcall/, traps/ or mm/ (a shadow
 * fault); after a synchronous hypercall, enter it again at once while
 * nothing else is due. Nothing it calls calls back into it; they change
 * the guest's state and the loop looks at that state. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <core/bench.h>
#include <core/guest.h>
#include <core/run.h>
#include <dev/dev.h>
#include <hcall/hcall.h>
#include <hcall/sync.h>
#include <lib/log.h>
#include <mm/shadow.h>
#include <mutation.h>
#include <switcher/switcher.h>
#include <traps/traps.h>

static struct guest *mapped;	/* whose pages sit at SWITCHER_REGS..LDATA */

/* sanitise's look at CS and SS in full: each must be the guest's own
 * ring-1 or ring-3 code, and its writable data at the same ring; the pair
 * is remembered, one per ring, with the GDT's change count. */
static __attribute__((noinline)) bool check_selectors(struct guest *g)
{
	struct guest_regs *r = g->regs;

	if (!seg_is_guest_code(g, r->cs)) {
		kill_guest(g, "entry with code segment %#x, which is not its own ring-1 "
			   "or ring-3 code", r->cs);
		return false;
	}
	if (!seg_is_guest_stack(g, r->ss, r->cs & 3)) {
		kill_guest(g, "entry with stack segment %#x, which is not its own writable "
			   "data at ring %u", r->ss, r->cs & 3);
		return false;
	}
	unsigned k = CHECKED_SLOT(r->cs);
	g->checked_cs[k] = r->cs;
	g->checked_ss[k] = r->ss;
	g->checked_gdt[k] = g->gdt_changes;
	return true;
}

/* The security rules applied to the registers the Switcher will iret to,
 * before every entry: whatever wrote them (the guest through its regs page,
 * a noirq_iret frame, a reflected trap), the real IF stays on, IOPL 0, no
 * virtual-8086 mode, no nested task; CS and SS must be the guest's own
 * ring-1 or ring-3 segments. Inline: every entry passes here, and the pair
 * checked last time at that ring, while the GDT has not changed since,
 * needs no second look. False if it killed the guest. */
static inline bool sanitise(struct guest *g)
{
	struct guest_regs *r = g->regs;

	if (!MUTATED(MUT_EFLAGS_SANITISER))
		r->eflags = (r->eflags | EFLAGS_IF | 0x2) & ~(EFLAGS_IOPL | EFLAGS_VM | EFLAGS_NT);
	unsigned k = CHECKED_SLOT(r->cs);
	if (likely(r->cs == g->checked_cs[k] && r->ss == g->checked_ss[k] &&
		   g->gdt_changes == g->checked_gdt[k]))
		return true;
	return check_selectors(g);
}

static void page_fault(struct guest *g)
{
	uint32_t mmio_pa;

	switch (shadow_fault(g, g->last_pagefault, &g->regs->errcode, &mmio_pa)) {
	case SHADOW_OK:
		g->stats.shadow_faults++;
		break;
	case SHADOW_MMIO:
		emulate_mmio(g, mmio_pa);
		break;
	case SHADOW_GUEST_FAULT:
		if (g->lguest_data)
			g->lguest_data->cr2 = g->last_pagefault;
		reflect_trap(g, 14);
		break;
	case SHADOW_KILLED:
		break;
	}
}

static void dispatch(struct guest *g, unsigned trap)
{
	switch (trap) {
	case LGUEST_TRAP_ENTRY:
		hcall_sync(g);
		return;
	case 14:
		page_fault(g);
		return;
	case 13:
		if (!emulate_gp(g))
			reflect_trap(g, 13);
		return;
	case 7:
		if (!fpu_handle_nm(g))
			reflect_trap(g, 7);
		return;
	default:
		if (trap >= VEC_IRQ0 && trap < VEC_IRQ0 + NR_IRQS)
			return;		/* the host's own interrupt, handled already */
		reflect_trap(g, trap);
	}
}

/* Whether this entry's Switcher round trip is timed for `make bench`:
 * the guest's first hypercalls, or every entry with benchswitches. */
static bool timed_entry(const struct guest *g)
{
	return unlikely(bench_on) && (bench_switches || g->stats.hypercalls <= BENCH_TIMED_HCALLS);
}

/* One entry through the Switcher with the benchmark's instruments on:
 * timed (timed_entry), or with the interrupts-off stretches measured
 * around it (benchirqoff). */
static unsigned enter_instrumented(struct guest *g, bool timed, uint32_t *fault,
				   uint32_t *fault_error)
{
	unsigned trap;

	g->stats.world_switches++;
	if (unlikely(bench_irqoff))
		bench_irq_on();		/* the guest runs with interrupts on */
	if (timed) {
		/* Timed only until the guest's first hypercalls (unless guest
		 * switches are being timed), so the rdtsc pair stays out of
		 * what the guest measures later; the least is kept. */
		bool first = g->stats.hypercalls <= BENCH_TIMED_HCALLS;
		bench_entering(g);
		uint64_t t0 = rdtsc();
		*fault = switcher_run(shadow_cr3(&g->shadow), fault_error);
		uint64_t t = rdtsc() - t0;
		bench_exited();
		trap = g->regs->trapnum;
		if (first && trap == LGUEST_TRAP_ENTRY &&
		    (t < g->stats.min_switch || !g->stats.min_switch))
			g->stats.min_switch = t;
	} else {
		*fault = switcher_run(shadow_cr3(&g->shadow), fault_error);
		trap = g->regs->trapnum;
	}
	if (unlikely(bench_irqoff))
		bench_irq_off();
	return trap;
}

/* After a synchronous hypercall: true if g may be entered again straight
 * away, because none of run_once's work before an entry is due. Each
 * test is one of those steps, and the state it looks at is the only
 * input of that step: a virtual interrupt to deliver, a state other than
 * runnable, device work, the stack to re-pin, the registers' rules
 * (sanitise's own fast path; its slow one may kill). The Switcher's
 * mapping and CR0.TS need no second look: only another guest's entry or
 * #NM changes the first and the FPU's owner, and HC_TS applies the
 * guest's own TS at once (traps/fpu.c). */
static bool reenter_at_once(struct guest *g)
{
	/* Runnable with no interrupt pending, in one test. */
	_Static_assert(GUEST_RUNNABLE == 0, "runnable is state 0");
	return !(g->run_state | g->irqs_pending) && !g->dev_busy && !g->shadow.needs_pin &&
	       sanitise(g);
}

/* Enter g, if it can run, and handle the exit; run_slice calls it again
 * and again while sched_need_resched is false. Called with interrupts
 * disabled; hardware interrupts that arrive while the guest runs are taken
 * by their host handlers before the Switcher returns.
 *
 * The fast path: a synchronous hypercall is handled here and g entered
 * again at once, without going back to the scheduler, for as long as
 * sched_need_resched (the slice's end, a woken guest) stays false and
 * reenter_at_once() finds nothing else due. Each time round, the host's
 * interrupt window opens after the call, so a timer interrupt's effect
 * (sched_need_resched, a virtual interrupt) is seen before the next entry,
 * exactly as between two calls of run_once. Host time spent here is
 * inside the slice that run_slice measures and charges. */
void run_once(struct guest *g)
{
	uint32_t fault, fault_error;
	unsigned trap;

	if (unlikely(g->loading)) {
		guest_load_piece(g);
		return;
	}
	if (g->irqs_pending)
		irq_deliver(g);
	if (g->run_state != GUEST_RUNNABLE)
		return;
	/* A device's unfinished work (a transmit queue the guest waits on)
	 * comes first, a bounded piece per pass. */
	if (g->dev_busy && !dev_work(g))
		return;
	if (!sanitise(g))
		return;
	if (g->shadow.needs_pin && !shadow_pin_stack(g))
		return;
	if (mapped != g) {
		guest_map_switcher(g);
		mapped = g;
	}
	fpu_before_entry(g);
	bool timed = timed_entry(g);
	if (unlikely(timed || bench_irqoff)) {
		trap = enter_instrumented(g, timed, &fault, &fault_error);
	} else {
		for (;;) {
			g->stats.world_switches++;
			fault = switcher_run(shadow_cr3(&g->shadow), &fault_error);
			trap = g->regs->trapnum;
			if (unlikely(fault) || trap != LGUEST_TRAP_ENTRY)
				break;
			hcall_sync(g);
			irq_window();
			if (sched_need_resched || !reenter_at_once(g))
				return;
		}
	}

	if (fault && !MUTATED(MUT_SWITCHER_FAULT)) {
		kill_guest(g, "the Switcher faulted loading its state: %s, error code %#x "
			   "(a bad segment register or iret frame)",
			   exception_name(fault & 0xFF), fault_error);
		return;
	}
	if (trap == 14)
		g->last_pagefault = read_cr2();
	dispatch(g, trap);
}

/* The guest is gone: its pages must not stay mapped at the Switcher. */
void run_forget(struct guest *g)
{
	if (mapped == g)
		mapped = NULL;
}
