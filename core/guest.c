/* The guest object: the state changes every layer above may make to a
 * guest, and nothing else. Its virtual interrupts are raised here; it is
 * woken, blocked and unblocked here, and the scheduler hears of it
 * through the hooks it registers (guest_set_sched_ops), so nothing here
 * calls up into the run loop. The ways a guest ends: exit (its own
 * choice) and kill_guest() (the hypervisor's, for anything the guest
 * controls that breaks a rule). A guest that ends never runs again; its
 * memory is returned when the run loop destroys it (core/lifecycle.c). */
#include <core/console.h>
#include <core/guest.h>
#include <core/timer.h>
#include <lib/lib.h>
#include <lib/log.h>

static const struct guest_sched_ops *sched_ops;

void guest_set_sched_ops(const struct guest_sched_ops *ops)
{
	sched_ops = ops;
}

/* Tell the scheduler; before its loop starts there is none, and the loop
 * queues every guest when it does. */
static void ready(struct guest *g)
{
	if (sched_ops)
		sched_ops->ready(g);
}

/* A halted guest got an interrupt it does not block: it runs again, with
 * its interrupts enabled, as HC_HALT promises. Called with interrupts off
 * (from timer events and the run loop). */
void guest_wake(struct guest *g)
{
	if (g->run_state != GUEST_HALTED)
		return;
	g->run_state = GUEST_RUNNABLE;
	if (g->lguest_data)
		g->lguest_data->irq_enabled = LGUEST_IF;
	ready(g);
}

/* The console's back-pressure: the guest waits until its output fits;
 * guest_unblock() ends the wait. */
void guest_block(struct guest *g)
{
	if (guest_alive(g))
		g->run_state = GUEST_BLOCKED;
}

void guest_unblock(struct guest *g)
{
	if (g->run_state != GUEST_BLOCKED)
		return;
	g->run_state = GUEST_RUNNABLE;
	ready(g);
}

/* g ended while off the CPU: a device killed it from the input pump, say,
 * while it was halted or blocked, on no queue. The scheduler queues it, so
 * the loop reaps it as it reaps a guest that ends while running;
 * otherwise it would never be counted as ended and the loop would wait
 * for it for ever. */
void guest_reap(struct guest *g)
{
	if (sched_ops)
		sched_ops->ended(g);
}

/* Mark virtual IRQ irq pending. True if that should wake the guest from
 * HC_HALT: the IRQ is not blocked. */
bool irq_raise(struct guest *g, unsigned irq)
{
	g->irqs_pending |= 1u << irq;
	return g->lguest_data && !(g->lguest_data->blocked_interrupts & (1u << irq));
}

/* Would a pending interrupt wake the guest from HC_HALT now? */
bool irq_wakeable(const struct guest *g)
{
	return g->lguest_data && (g->irqs_pending & ~g->lguest_data->blocked_interrupts);
}

static void guest_end(struct guest *g, enum guest_state how)
{
	g->run_state = how;
	timer_cancel(&g->clock);
	console_flush_guest(g);
}

/* The third error tier: the guest broke a rule. The first reason is kept
 * and printed with the guest's name; the guest never runs again. */
void kill_guest(struct guest *g, const char *fmt, ...)
{
	va_list ap;

	if (!guest_alive(g))
		return;
	va_start(ap, fmt);
	int n = vsnprintf(g->end_reason, sizeof(g->end_reason), fmt, ap);
	va_end(ap);
	/* The table at the end shows the kept copy, marked if cut; the line
	 * now gives the reason whole. */
	errmsg_mark_cut(g->end_reason, sizeof(g->end_reason), n);
	guest_end(g, GUEST_KILLED);
	uint32_t flags = irq_save();
	kprintf("ringvisor: error: guest %s killed: ", g->name);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	irq_restore(flags);
}

/* The guest asked to end (HC_RV_EXIT, HC_SHUTDOWN or main's return). why
 * is the hypervisor's text: whatever of it the guest wrote was escaped and
 * quoted by the caller (hcall/dispatch.c: hc_shutdown), so it cannot break
 * out of the line. */
void guest_exit(struct guest *g, int status, const char *why)
{
	if (!guest_alive(g))
		return;
	g->exit_status = status;
	strlcpy(g->end_reason, why, sizeof(g->end_reason));
	guest_end(g, GUEST_EXITED);
	pr_info("guest %s exited with status %d%s%s", g->name, status,
		why[0] ? ": " : "", why);
}

/* Map g's own pages at the Switcher (regs, state, ROM, lguest_data
 * alias): by the run loop before entering it when another guest ran last,
 * and by LGUEST_INIT when its alias appears (g is the guest mapped then). */
void guest_map_switcher(const struct guest *g)
{
	switcher_map_guest((uint32_t)g->regs_page, (uint32_t)g->state, (uint32_t)g->rom,
			   g->ldata_alias_pa);
}
