/* The scheduler and the outer run loop. Weighted deficit round robin: a
 * guest picked from the round-robin queue with no credit left gets a fresh
 * quantum (timeslice * weight / 100) and runs until its credit is spent,
 * so over a round every CPU-bound guest gets CPU in proportion to its
 * weight. A guest woken from HC_HALT with credit left goes to a wake queue
 * served first, and preempts the running guest: timer interrupts arrive
 * on time without letting a sleeper take more than its share. cap= limits
 * a guest to a percentage of every CAP_WINDOW_NS. Every operation on the
 * queues is O(1), so picking costs the same for 1 guest or 64. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <core/bench.h>
#include <core/config.h>
#include <core/console.h>
#include <core/guest.h>
#include <core/log.h>
#include <core/oracle.h>
#include <core/run.h>
#include <core/timer.h>
#include <lib/lib.h>
#include <mm/frame.h>

extern struct hv_config hv_config;

/* One slot per started module: its guest changes when it is restarted. */
struct slot {
	const struct guest_spec *spec;
	struct guest *g;
	unsigned restarts;
};
static struct slot slots[MAX_MODULES];
static unsigned nr_slots;

/* A ring of guests: the round-robin queue, the wake queue. */
struct ring {
	struct guest *g[MAX_MODULES];
	unsigned head, len;
};
static struct ring run_q, wake_q;

static struct guest *current;
static volatile bool need_resched;
static struct timer_event slice_end, cap_window;
static uint64_t window_start;

static void push_back(struct ring *r, struct guest *g)
{
	ASSERT(r->len < MAX_MODULES && !g->queued);
	g->queued = true;
	r->g[(r->head + r->len++) % MAX_MODULES] = g;
}

static void push_front(struct ring *r, struct guest *g)
{
	ASSERT(r->len < MAX_MODULES && !g->queued);
	g->queued = true;
	r->head = (r->head + MAX_MODULES - 1) % MAX_MODULES;
	r->g[r->head] = g;
	r->len++;
}

static struct guest *pop_front(struct ring *r)
{
	if (!r->len)
		return NULL;
	struct guest *g = r->g[r->head];
	r->head = (r->head + 1) % MAX_MODULES;
	r->len--;
	g->queued = false;
	return g;
}

static int64_t quantum(const struct guest *g)
{
	return (int64_t)(hv_config.timeslice_ns * g->spec->config.weight / GUEST_WEIGHT_DEFAULT);
}

static uint64_t cap_allowance(const struct guest *g)
{
	return CAP_WINDOW_NS * g->spec->config.cap / 100;
}

/* Where a runnable guest that is not running waits. */
static void make_ready(struct guest *g)
{
	if (g->queued || g == current)
		return;
	if (g->throttled)
		return;			/* the cap window's end queues it */
	if (g->credit_ns > 0) {
		push_back(&wake_q, g);
		need_resched = true;
	} else {
		push_back(&run_q, g);
	}
}

void sched_add(struct guest *g)
{
	g->credit_ns = quantum(g);
	push_back(&run_q, g);
}

/* A halted guest got an interrupt it does not block: it runs again, with
 * its interrupts enabled, as HC_HALT promises. Called with interrupts off
 * (from timer events and the run loop). */
void sched_wake(struct guest *g)
{
	if (g->run_state != GUEST_HALTED)
		return;
	g->run_state = GUEST_RUNNABLE;
	if (g->lguest_data)
		g->lguest_data->irq_enabled = LGUEST_IF;
	make_ready(g);
}

/* The console's back-pressure: the guest waits until its output fits. */
void sched_block(struct guest *g)
{
	if (guest_alive(g))
		g->run_state = GUEST_BLOCKED;
}

void sched_unblock(struct guest *g)
{
	if (g->run_state != GUEST_BLOCKED)
		return;
	g->run_state = GUEST_RUNNABLE;
	make_ready(g);
}

/* g ended while off the CPU: a device killed it from the input pump, say,
 * while it was halted or blocked, on no queue. Queue it, so the loop reaps
 * it as it reaps a guest that ends while running; otherwise it would
 * never be counted as ended and the loop would wait for it for ever. */
void sched_ended(struct guest *g)
{
	if (guest_alive(g) || g->queued || g == current)
		return;
	push_back(&wake_q, g);
}

static void slice_expired(struct timer_event *ev)
{
	(void)ev;
	need_resched = true;
}

/* A new cap window: every capped guest's use starts again from zero. */
static void cap_window_opened(struct timer_event *ev)
{
	(void)ev;
	window_start = time_ns();
	for (unsigned i = 0; i < nr_slots; i++) {
		struct guest *g = slots[i].g;
		if (!g)
			continue;
		g->cap_used_ns = 0;
		if (g->throttled) {
			g->throttled = false;
			if (g->run_state == GUEST_RUNNABLE)
				make_ready(g);
		}
	}
	timer_arm(&cap_window, window_start + CAP_WINDOW_NS);
}

/* Run g until its slice ends, it stops being runnable, or a woken guest
 * preempts it. */
static void run_slice(struct guest *g)
{
	int64_t slice = g->credit_ns;
	uint32_t cap = g->spec->config.cap;

	if (cap) {
		uint64_t left = cap_allowance(g) - MIN(g->cap_used_ns, cap_allowance(g));
		slice = MIN(slice, (int64_t)left);
	}
	if (g->spec->config.cpu_limit_ns)
		slice = MIN(slice, (int64_t)(g->spec->config.cpu_limit_ns - MIN(g->stats.cpu_ns,
							g->spec->config.cpu_limit_ns)));
	slice = MAX(slice, (int64_t)SLICE_NS_MIN);

	uint64_t start = time_ns();
	if (bench_on)
		bench_timeline(g);
	current = g;
	need_resched = false;
	timer_arm(&slice_end, start + slice);
	while (g->run_state == GUEST_RUNNABLE && !need_resched) {
		run_once(g);
		/* A window for interrupts that arrived while the host worked. */
		sti();
		__asm__ volatile("nop");
		cli();
	}
	timer_cancel(&slice_end);
	current = NULL;

	uint64_t used = time_ns() - start;
	g->stats.cpu_ns += used;
	g->stats.context_switches++;
	g->credit_ns -= (int64_t)used;
	if (cap) {
		g->cap_used_ns += used;
		if (g->cap_used_ns >= cap_allowance(g))
			g->throttled = true;
	}
	if (g->spec->config.cpu_limit_ns && g->stats.cpu_ns >= g->spec->config.cpu_limit_ns)
		kill_guest(g, "used up its cpu_limit= of %llu ms",
			   (unsigned long long)(g->spec->config.cpu_limit_ns / 1000000));
	if (g->run_state != GUEST_RUNNABLE || g->throttled)
		return;
	if (g->credit_ns > 0)
		push_front(&run_q, g);	/* preempted by a wake: resume next */
	else
		push_back(&run_q, g);
}

/* The next guest to run: a woken one first, else the head of the round,
 * refilled if it has spent its credit. A guest that ended while it waited
 * in a queue is returned too: run_slice does nothing with it and the loop
 * reaps it. Amortised O(1). */
static struct guest *pick(void)
{
	struct guest *g = pop_front(&wake_q);

	if (g)
		return g;
	while ((g = pop_front(&run_q))) {
		if (!guest_alive(g))
			return g;
		if (g->run_state != GUEST_RUNNABLE || g->throttled)
			continue;
		if (g->credit_ns <= 0)
			g->credit_ns = MIN(g->credit_ns + quantum(g), quantum(g));
		return g;
	}
	return NULL;
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

/* A guest ended: restart it if its policy says so and it has restarts
 * left (a restart reloads it from its module; its memory goes back first),
 * else leave it ended. Returns true if it lives on. */
static bool lifecycle(struct slot *s)
{
	struct guest *g = s->g;
	const struct guest_config *c = &s->spec->config;
	bool crashed = g->run_state == GUEST_KILLED;
	bool restart = (crashed ? c->on_crash : c->on_exit) == GUEST_RESTART ||
		       (!crashed && g->exit_status == GUEST_EXIT_RESTART);

	run_forget(g);
	if (!restart || s->restarts >= c->restarts)
		return false;
	s->restarts++;
	pr_info("guest %s: restarting (%u of %u)", g->name, s->restarts, c->restarts);
	unsigned id = g->id;
	guest_destroy(g);
	s->g = guest_create(s->spec, id);
	if (!s->g)
		return false;
	s->g->restarts = s->restarts;
	sched_add(s->g);
	return true;
}

static void summary(void)
{
	kprintf("ringvisor: %-15s %-6s %6s %10s %9s %10s %9s %8s %9s  %s\n", "guest", "state",
		"status", "cpu(us)", "switches", "hypercalls", "faults", "restarts", "emulated",
		"reason");
	for (unsigned i = 0; i < nr_slots; i++) {
		const struct slot *s = &slots[i];
		const struct guest *g = s->g;
		if (!g) {
			kprintf("ringvisor: %-15s %-6s %6s %10s %9s %10s %9s %8u %9s  %s\n",
				s->spec->config.name, "gone", "-", "-", "-", "-", "-", s->restarts,
				"-", "could not be restarted");
			continue;
		}
		kprintf("ringvisor: %-15s %-6s %6d %10llu %9llu %10llu %9llu %8u %9llu  %s%s\n",
			g->name, g->run_state == GUEST_KILLED ? "killed" : "exited",
			g->exit_status, (unsigned long long)(g->stats.cpu_ns / 1000),
			(unsigned long long)g->stats.context_switches,
			(unsigned long long)g->stats.hypercalls,
			(unsigned long long)(g->stats.shadow_faults + g->stats.reflected_traps),
			s->restarts, (unsigned long long)g->stats.emulated, g->end_reason,
			ended_as_expected(g) ? "" : "  (not as expected)");
	}
}

/* Run every guest until none is left; guests is the started ones. Returns
 * true if each ended as its expect= option said. */
bool sched_loop(struct guest **guests, unsigned n)
{
	unsigned alive = 0;

	timer_event_init(&slice_end, slice_expired, NULL);
	timer_event_init(&cap_window, cap_window_opened, NULL);
	cli();
	for (unsigned i = 0; i < n; i++) {
		slots[nr_slots++] = (struct slot){ guests[i]->spec, guests[i], 0 };
		sched_add(guests[i]);
		alive++;
	}
	cap_window_opened(&cap_window);

	while (alive) {
		console_input_poll();
		struct guest *g = pick();
		if (!g) {
			if (bench_on)
				bench_idled();
			idle_wait();		/* an interrupt will make someone ready */
			continue;
		}
		run_slice(g);
		if (guest_alive(g))
			continue;
		if (bench_on)
			bench_idled();		/* an end is not a switch */
		oracle_check_guest(g->name);
		for (unsigned i = 0; i < nr_slots; i++)
			if (slots[i].g == g && !lifecycle(&slots[i]))
				alive--;
	}
	timer_cancel(&cap_window);
	sti();

	bool ok = true;
	for (unsigned i = 0; i < nr_slots; i++)
		ok &= slots[i].g && ended_as_expected(slots[i].g);
	summary();
	if (bench_on) {
		bench_dump_timeline();
		bench_report_switches();
	}
	for (unsigned i = 0; i < nr_slots; i++) {
		if (!slots[i].g)
			continue;
		if (bench_on)
			bench_report_guest(slots[i].g);
		guest_destroy(slots[i].g);
	}
	return ok;
}
