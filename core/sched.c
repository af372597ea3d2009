/* The scheduler and the outer run loop: pick a runnable guest, run it for a
 * time slice (preempted by a timer event on the PIT), idle the CPU when no
 * guest can run, and end the machine when none is left. Runnable guests
 * wait in a FIFO ring, so picking costs the same for 1 guest or 64. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <core/bench.h>
#include <core/config.h>
#include <core/console.h>
#include <core/guest.h>
#include <core/log.h>
#include <core/run.h>
#include <core/timer.h>
#include <lib/lib.h>
#include <mm/frame.h>

extern struct hv_config hv_config;

static struct guest *all[MAX_MODULES];
static unsigned nr_all;

/* The run queue: a ring of runnable guests, each at most once. */
static struct guest *queue[MAX_MODULES];
static unsigned q_head, q_len;

static volatile bool need_resched;
static struct timer_event slice_end;

static void slice_expired(struct timer_event *ev)
{
	(void)ev;
	need_resched = true;
}

static void enqueue(struct guest *g)
{
	if (g->queued)
		return;
	ASSERT(q_len < MAX_MODULES);
	g->queued = true;
	queue[(q_head + q_len++) % MAX_MODULES] = g;
}

static struct guest *dequeue(void)
{
	if (!q_len)
		return NULL;
	struct guest *g = queue[q_head];
	q_head = (q_head + 1) % MAX_MODULES;
	q_len--;
	g->queued = false;
	return g;
}

void sched_add(struct guest *g)
{
	ASSERT(nr_all < MAX_MODULES);
	all[nr_all++] = g;
	enqueue(g);
}

/* A halted guest got an interrupt it does not block: it runs again, with
 * its interrupts enabled, as HC_HALT promises. Called from timer events
 * (interrupts off). */
void sched_wake(struct guest *g)
{
	if (g->run_state != GUEST_HALTED)
		return;
	g->run_state = GUEST_RUNNABLE;
	if (g->lguest_data)
		g->lguest_data->irq_enabled = LGUEST_IF;
	enqueue(g);
}

/* Run g until its slice ends or it stops being runnable. */
static void run_slice(struct guest *g)
{
	uint64_t start = time_ns();

	need_resched = false;
	timer_arm(&slice_end, start + hv_config.timeslice_ns);
	while (g->run_state == GUEST_RUNNABLE && !need_resched) {
		run_once(g);
		/* A window for interrupts that arrived while the host worked. */
		sti();
		__asm__ volatile("nop");
		cli();
	}
	timer_cancel(&slice_end);
	g->stats.cpu_ns += time_ns() - start;
	g->stats.context_switches++;
}

static bool ended_as_expected(const struct guest *g)
{
	const struct guest_config *c = &g->spec->config;

	switch (c->expect) {
	case GUEST_EXPECT_ANY:
		return true;
	case GUEST_EXPECT_KILLED:
		return g->run_state == GUEST_KILLED;
	case GUEST_EXPECT_EXIT:
		return g->run_state == GUEST_EXITED && g->exit_status == c->expect_status;
	}
	return false;
}

static void summary(void)
{
	kprintf("ringvisor: %-15s %-7s %-6s %10s %8s %10s %8s  %s\n", "guest", "state",
		"status", "cpu(us)", "switches", "hypercalls", "faults", "reason");
	for (unsigned i = 0; i < nr_all; i++) {
		struct guest *g = all[i];
		kprintf("ringvisor: %-15s %-7s %6d %10llu %8llu %10llu %8llu  %s%s\n",
			g->name, g->run_state == GUEST_KILLED ? "killed" : "exited",
			g->exit_status, (unsigned long long)(g->stats.cpu_ns / 1000),
			(unsigned long long)g->stats.world_switches,
			(unsigned long long)g->stats.hypercalls,
			(unsigned long long)(g->stats.shadow_faults + g->stats.reflected_traps),
			g->end_reason, ended_as_expected(g) ? "" : "  (not as expected)");
	}
}

/* Run every guest until none is left. Returns true if each ended as its
 * expect= option said. */
bool sched_loop(void)
{
	unsigned alive = nr_all;

	timer_event_init(&slice_end, slice_expired, NULL);
	cli();
	while (alive) {
		console_input_poll();
		struct guest *g = dequeue();
		if (!g) {
			idle_wait();		/* a timer will wake someone */
			continue;
		}
		if (g->run_state != GUEST_RUNNABLE)
			continue;
		run_slice(g);
		if (g->run_state == GUEST_RUNNABLE)
			enqueue(g);
		else if (!guest_alive(g)) {
			run_forget(g);
			alive--;
		}
	}
	sti();

	bool ok = true;
	for (unsigned i = 0; i < nr_all; i++)
		ok &= ended_as_expected(all[i]);
	summary();
	for (unsigned i = 0; i < nr_all; i++) {
		if (bench_on)
			bench_report_guest(all[i]);
		guest_destroy(all[i]);
	}
	return ok;
}
