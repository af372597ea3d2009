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
#include <core/modules.h>
#include <core/oracle.h>
#include <core/run.h>
#include <core/timer.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <mm/frame.h>


static struct sched_slot slots[MAX_MODULES];
static unsigned nr_slots;

/* A ring of guests: the round-robin queue, the wake queue. */
struct ring {
	struct guest *g[MAX_MODULES];
	unsigned head, len;
};
static struct ring run_q, wake_q;

static struct guest *current;
/* The running guest must give up the CPU: its slice ended, a woken guest
 * preempts it. run_once reads it after every hypercall it handles. */
volatile bool sched_need_resched;
static bool (*poll_hook)(void);
static volatile bool poll_wanted;	/* the hook asked to run (sched_poll_soon) */
static void (*end_hook)(void);
static bool shutting_down;
static struct timer_event slice_end, cap_window, preempt_due;
static uint64_t window_start;
static uint64_t started_ns;	/* when the guests started */
static unsigned alive;		/* slots whose guest has not ended for good */

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
	if (g->throttled || g->paused)
		return;			/* the cap window's end, or unpause, queues it */
	if (g->credit_ns > 0) {
		/* It preempts at once, unless it did less than
		 * WAKE_PREEMPT_GAP_NS ago: then when that much has passed. */
		uint64_t due = g->woke_ns + WAKE_PREEMPT_GAP_NS;
		push_back(&wake_q, g);
		if (!g->woke_ns || time_ns() >= due)
			sched_need_resched = true;
		else if (!timer_armed(&preempt_due) || preempt_due.deadline > due)
			timer_arm(&preempt_due, due);
	} else {
		push_back(&run_q, g);
	}
}

void sched_add(struct guest *g)
{
	g->credit_ns = quantum(g);
	push_back(&run_q, g);
}





/* The guest object's hooks (core/guest.c): a guest runnable again is
 * queued; one killed off the CPU is queued so that the loop reaps it. */
static void reap_soon(struct guest *g)
{
	if (guest_alive(g) || g->queued || g == current)
		return;
	push_back(&wake_q, g);
}

static const struct guest_sched_ops hooks = { .ready = make_ready, .ended = reap_soon };

static void slice_expired(struct timer_event *ev)
{
	(void)ev;
	sched_need_resched = true;
}

static void preempt_now(struct timer_event *ev)
{
	(void)ev;
	if (wake_q.len)
		sched_need_resched = true;
}

/* A new cap window: every capped guest gets its allowance again, less
 * what it overran the last one by (an overrun is a debt, never forgiven). */
static void cap_window_opened(struct timer_event *ev)
{
	(void)ev;
	window_start = time_ns();
	for (unsigned i = 0; i < nr_slots; i++) {
		struct guest *g = slots[i].g;
		if (!g || !g->spec->config.cap)
			continue;
		uint64_t allowance = cap_allowance(g);
		g->cap_used_ns = g->cap_used_ns > allowance ? g->cap_used_ns - allowance : 0;
		if (g->throttled && g->cap_used_ns < allowance) {
			g->throttled = false;
			if (g->run_state == GUEST_RUNNABLE)
				make_ready(g);
		}
	}
	timer_arm(&cap_window, window_start + CAP_WINDOW_NS);
}

/* Between two bounded pieces of host work: interrupts that arrived in
 * the meantime are taken (and, with benchirqoff, the stretch is timed). */
static void host_window(void)
{
	if (unlikely(bench_irqoff))
		bench_irq_on();
	irq_window();
	if (unlikely(bench_irqoff))
		bench_irq_off();
}

/* Host time spent on g's behalf (its slice, with the hypercalls, faults
 * and console copying in it; the teardown and reload of its restart)
 * counts against its share, its cap= and its cpu_limit=. What it overruns
 * is carried as debt: negative credit, cap use beyond the window. */
static void charge(struct guest *g, uint64_t ns)
{
	const struct guest_config *c = &g->spec->config;

	g->stats.cpu_ns += ns;
	g->credit_ns -= (int64_t)ns;
	if (c->cap) {
		g->cap_used_ns += ns;
		if (g->cap_used_ns >= cap_allowance(g))
			g->throttled = true;
	}
	if (c->cpu_limit_ns && g->stats.cpu_ns >= c->cpu_limit_ns)
		kill_guest(g, "used up its cpu_limit= of %llu ms",
			   (unsigned long long)(c->cpu_limit_ns / 1000000));
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
	if (bench_on || bench_tracing)
		bench_timeline(g);
	current = g;
	sched_need_resched = false;
	timer_arm(&slice_end, start + slice);
	while (g->run_state == GUEST_RUNNABLE && !sched_need_resched) {
		run_once(g);
		host_window();
	}
	timer_cancel(&slice_end);
	current = NULL;

	g->stats.context_switches++;
	charge(g, time_ns() - start);
	if (g->run_state != GUEST_RUNNABLE || g->throttled)
		return;
	if (g->credit_ns > 0)
		push_front(&run_q, g);	/* preempted by a wake: resume next */
	else
		push_back(&run_q, g);
}

/* The next guest to run: a woken one first, else the head of the round,
 * given a quantum if it has spent its credit. A guest still in debt after
 * that (host work done for it overran its slice) waits another round, so
 * the debt is paid in CPU its neighbours get; alone, it pays it off here
 * at once. A guest that ended while it waited in a queue is returned too:
 * run_slice does nothing with it and the loop reaps it. Amortised O(1) in
 * the number of guests. */
static struct guest *pick(void)
{
	struct guest *g;

	while ((g = pop_front(&wake_q))) {
		if (guest_alive(g) && g->paused)
			continue;		/* unpause queues it again */
		g->woke_ns = time_ns();
		return g;
	}
	while ((g = pop_front(&run_q))) {
		if (!guest_alive(g))
			return g;
		if (g->run_state != GUEST_RUNNABLE || g->throttled || g->paused)
			continue;
		if (g->credit_ns <= 0) {
			g->credit_ns += quantum(g);
			if (g->credit_ns <= 0 && run_q.len) {
				push_back(&run_q, g);
				continue;
			}
			if (g->credit_ns <= 0)
				g->credit_ns = quantum(g);	/* alone: nobody is owed */
		}
		return g;
	}
	return NULL;
}

static bool ended_as_expected(const struct guest *g)
{
	const struct guest_config *c = &g->spec->config;

	if (g->ended_by_monitor)
		return true;		/* the operator's choice, not the guest's doing */
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

/* Destroy g and check, at once, that every frame it held came back; with
 * interrupt windows between the pieces (the slot no longer names g, so no
 * timer event can reach it). */
static void destroy_checked(struct guest *g)
{
	char name[GUEST_NAME_MAX];
	uint32_t expect = frame_free_count() + guest_frames_held(g);
	struct oracle_frames check;

	strlcpy(name, g->name, sizeof(name));
	while (!guest_release_piece(g))
		host_window();
	guest_destroy(g);
	host_window();
	oracle_frames_begin(&check, name, expect);
	while (!oracle_frames_step(&check))
		host_window();
	host_window();
}

/* The guest in s has ended for good: what the summary needs is kept, and
 * everything it holds goes back now, not when the last guest ends; the
 * oracle checks the frames at that moment. */
static void retire(struct sched_slot *s)
{
	struct guest *g = s->g;
	struct sched_ending *e = &s->end;

	e->state = g->run_state;
	e->exit_status = g->exit_status;
	e->as_expected = ended_as_expected(g);
	e->cpu_ns = g->stats.cpu_ns;
	e->context_switches = g->stats.context_switches;
	e->hypercalls = g->stats.hypercalls;
	e->faults = g->stats.shadow_faults + guest_reflected(g);
	e->emulated = g->stats.emulated;
	e->net = g->stats.net;
	strlcpy(e->reason, g->end_reason, sizeof(e->reason));
	strlcpy(s->last_reason, g->end_reason, sizeof(s->last_reason));
	if (bench_on)
		bench_report_guest(g);
	s->g = NULL;
	s->ended = true;
	destroy_checked(g);
}

/* A guest ended: restart it if its policy says so (on_exit= for an exit,
 * also one the guest asked to be a restart; on_crash= for a kill) and it
 * has restarts left, else retire it. A restart reloads it from its module
 * (its memory goes back first) and keeps its accounting: its CPU time,
 * credit and cap use carry over, so cpu_limit= and cap= span restarts, and
 * the time the teardown and rebuild take is charged to it. Returns true
 * if it lives on. */
static bool lifecycle(struct sched_slot *s)
{
	struct guest *g = s->g;
	const struct guest_config *c = &s->spec->config;
	bool crashed = g->run_state == GUEST_KILLED;
	bool restart = (crashed ? c->on_crash : c->on_exit) == GUEST_RESTART &&
		       s->restarts < c->restarts;

	run_forget(g);
	if (g->restart_asked) {
		restart = true;		/* the monitor's restart: no policy, no limit */
	} else if (g->ended_by_monitor || shutting_down) {
		restart = false;	/* the monitor's kill, or shutdown */
	}
	if (!restart) {
		retire(s);
		return false;
	}
	uint64_t t0 = time_ns();
	if (g->restart_asked) {
		s->monitor_restarts++;
		pr_info("guest %s: restarting, as the monitor asked", g->name);
	} else {
		s->restarts++;
		pr_info("guest %s: restarting (%u of %u)", g->name, s->restarts, c->restarts);
	}
	strlcpy(s->last_reason, g->end_reason, sizeof(s->last_reason));
	unsigned id = g->id;
	uint64_t cpu_ns = g->stats.cpu_ns, cap_used = g->cap_used_ns;
	struct net_counters net = g->stats.net;
	int64_t credit = g->credit_ns;
	bool throttled = g->throttled;
	s->g = NULL;			/* no timer event may see it half-built */
	destroy_checked(g);
	g = guest_create(s->spec, id);
	if (!g) {
		s->ended = s->gone = true;
		return false;
	}
	g->restarts = s->restarts + s->monitor_restarts;
	g->stats.cpu_ns = cpu_ns;
	g->stats.net = net;
	g->cap_used_ns = cap_used;
	g->throttled = throttled;
	sched_add(g);
	g->credit_ns = credit;
	s->g = g;
	charge(g, time_ns() - t0);
	return true;
}

static void summary(void)
{
	kprintf("ringvisor: %-15s %-6s %6s %10s %9s %10s %9s %8s %9s  %s\n", "guest", "state",
		"status", "cpu(us)", "switches", "hypercalls", "faults", "restarts", "emulated",
		"reason");
	for (unsigned i = 0; i < nr_slots; i++) {
		const struct sched_slot *s = &slots[i];
		const struct sched_ending *e = &s->end;
		if (s->gone) {
			kprintf("ringvisor: %-15s %-6s %6s %10s %9s %10s %9s %8u %9s  %s\n",
				s->spec->config.name, "gone", "-", "-", "-", "-", "-",
				s->restarts + s->monitor_restarts,
				"-", "could not be restarted");
			continue;
		}
		/* The reason is the hypervisor's text, or the guest's SHUTDOWN
		 * message quoted and escaped (hcall/dispatch.c: hc_shutdown). */
		kprintf("ringvisor: %-15s %-6s %6d %10llu %9llu %10llu %9llu %8u %9llu  %s%s\n",
			s->spec->config.name, e->state == GUEST_KILLED ? "killed" : "exited",
			e->exit_status, (unsigned long long)(e->cpu_ns / 1000),
			(unsigned long long)e->context_switches,
			(unsigned long long)e->hypercalls, (unsigned long long)e->faults,
			s->restarts + s->monitor_restarts, (unsigned long long)e->emulated, e->reason,
			e->as_expected ? "" : "  (not as expected)");
	}
}

/* The switch's counters of every guest with a net= port, over all its
 * restarts: frames and bytes out and in, and drops out and in. */
static void net_summary(void)
{
	bool any = false;

	for (unsigned i = 0; i < nr_slots; i++) {
		const struct sched_slot *s = &slots[i];
		const struct net_counters *n = &s->end.net;
		if (!s->spec->config.nr_net || s->gone)
			continue;
		if (!any)
			kprintf("ringvisor: net %-15s %10s %12s %10s %12s %9s %9s\n", "guest",
				"frames_out", "bytes_out", "frames_in", "bytes_in", "drops_out",
				"drops_in");
		any = true;
		kprintf("ringvisor: net %-15s %10llu %12llu %10llu %12llu %9llu %9llu\n",
			s->spec->config.name, (unsigned long long)n->frames_out,
			(unsigned long long)n->bytes_out, (unsigned long long)n->frames_in,
			(unsigned long long)n->bytes_in, (unsigned long long)n->drops_out,
			(unsigned long long)n->drops_in);
		if (n->drops_out)
			kprintf("ringvisor: net %-15s dropped out: %llu runt, %llu oversize, "
				"%llu spoofed\n", s->spec->config.name,
				(unsigned long long)n->runts, (unsigned long long)n->oversize,
				(unsigned long long)n->spoofed);
	}
}

static struct sched_slot *slot_of(const struct guest *g)
{
	for (unsigned i = 0; i < nr_slots; i++)
		if (slots[i].g == g)
			return &slots[i];
	panic("sched: guest %s has no slot", g->name);
}

/* Run every guest until none is left; guests is the started ones. Returns
 * true if each ended as its expect= option said. */
bool sched_loop(struct guest **guests, unsigned n)
{

	timer_event_init(&slice_end, slice_expired, NULL);
	timer_event_init(&cap_window, cap_window_opened, NULL);
	timer_event_init(&preempt_due, preempt_now, NULL);
	guest_set_sched_ops(&hooks);
	cli();
	started_ns = time_ns();
	for (unsigned i = 0; i < n; i++) {
		slots[nr_slots++] = (struct sched_slot){ .spec = guests[i]->spec, .g = guests[i] };
		sched_add(guests[i]);
		alive++;
	}
	cap_window_opened(&cap_window);
	if (bench_irqoff)
		bench_irq_off();

	while (alive) {
		console_input_poll();
		bool busy = false;
		if (poll_wanted && poll_hook) {
			poll_wanted = false;
			busy = poll_hook();
			poll_wanted |= busy;
		}
		struct guest *g = pick();
		if (!g && busy)
			continue;		/* the monitor has more to print */
		if (!g) {
			if (bench_on)
				bench_idled();
			if (unlikely(bench_irqoff))
				bench_irq_on();
			idle_wait();		/* an interrupt will make someone ready */
			if (unlikely(bench_irqoff))
				bench_irq_off();
			continue;
		}
		run_slice(g);
		if (guest_alive(g))
			continue;
		if (bench_on)
			bench_idled();		/* an end is not a switch */
		oracle_check_guest(g->name);
		host_window();
		struct sched_slot *s = slot_of(g);
		/* A restart charged past cpu_limit= ends the new guest at once. */
		while (s->g && !guest_alive(s->g))
			if (!lifecycle(s))
				alive--;
	}
	if (end_hook)
		end_hook();
	timer_cancel(&cap_window);
	timer_cancel(&preempt_due);
	if (bench_irqoff) {
		bench_irq_on();
		bench_report_irq_off();
	}
	sti();

	bool ok = true;
	for (unsigned i = 0; i < nr_slots; i++)
		ok &= slots[i].ended && !slots[i].gone && slots[i].end.as_expected;
	summary();
	net_summary();
	if (bench_on) {
		bench_dump_timeline();
		bench_report_switches();
	}
	return ok;
}

/* --- what the monitor asks of the scheduler (core/monitor.c) ------------- */
/* All of these run in the run loop between slices, interrupts off, from
 * the monitor's poll hook: no guest is running then. */

/* poll is called by the run loop, between slices, on the next pass after
 * sched_poll_soon(), and again on every pass while it returns true (it has
 * more to do at once; the loop then does not idle). Otherwise the loop
 * does not call it at all, so an idle monitor costs the scheduler one
 * test of a flag. end is called once the last guest has ended, before the
 * summary. */
void sched_set_poll(bool (*poll)(void), void (*end)(void))
{
	poll_hook = poll;
	end_hook = end;
}

/* The poll hook runs on the loop's next pass. Any context (the monitor's
 * input hook, its timer events, COM2's receive interrupt). */
void sched_poll_soon(void)
{
	poll_wanted = true;
}

unsigned sched_nr_slots(void)
{
	return nr_slots;
}

const struct sched_slot *sched_slot(unsigned i)
{
	return i < nr_slots ? &slots[i] : NULL;
}

uint64_t sched_started_ns(void)
{
	return started_ns;
}

/* A paused guest is never picked and its clock event is held: the time
 * left is kept and the event armed again by sched_unpause. Virtual
 * interrupts still become pending (they are delivered once it runs). */
void sched_pause(struct guest *g)
{
	if (g->paused || !guest_alive(g))
		return;
	g->paused = true;
	g->clock_held_ns = 0;
	if (timer_armed(&g->clock)) {
		uint64_t now = time_ns();
		g->clock_held_ns = g->clock.deadline > now ? g->clock.deadline - now : 1;
		timer_cancel(&g->clock);
	}
}

void sched_unpause(struct guest *g)
{
	if (!g->paused)
		return;
	g->paused = false;
	if (g->clock_held_ns)
		timer_arm(&g->clock, time_ns() + g->clock_held_ns);
	g->clock_held_ns = 0;
	if (g->run_state == GUEST_RUNNABLE)
		make_ready(g);
}

/* The monitor's kill: g ends now, and neither on_exit= nor on_crash=
 * applies; it counts as ended as expected (the operator chose it). */
void sched_kill(struct guest *g)
{
	g->ended_by_monitor = true;
	g->paused = false;
	kill_guest(g, "killed from the monitor");
	reap_soon(g);
}

/* The monitor's restart: g ends and is built again from its module, as a
 * restart by policy is (guest_create's admission; its accounting carried
 * over), whatever on_exit=, on_crash= and restarts= say. */
void sched_restart(struct guest *g)
{
	g->restart_asked = true;
	g->paused = false;
	guest_exit(g, 0, "restarted from the monitor");
	reap_soon(g);
}

/* New weight= and cap= for g's module, from now on and across restarts.
 * The credit and the cap use so far are kept: the new quantum applies from
 * the next round, the new cap at once (a guest over it is throttled until
 * the window's end; one let off a cap may run at once). */
void sched_set(struct guest *g, uint32_t weight, uint32_t cap)
{
	struct guest_config *c = &guest_specs[g->spec - guest_specs].config;

	c->weight = weight;
	c->cap = cap;
	bool throttled = cap && g->cap_used_ns >= cap_allowance(g);
	if (g->throttled && !throttled) {
		g->throttled = false;
		if (g->run_state == GUEST_RUNNABLE)
			make_ready(g);
	}
	g->throttled = throttled;
}

/* The monitor's restart of the guest in slot i after it ended for good:
 * built again from its module, with the admission of any guest (false if
 * it does not fit; guest_create said why) and its CPU time carried over,
 * the rebuild charged to it, as a restart by policy is. */
bool sched_revive(unsigned i)
{
	struct sched_slot *s = &slots[i];

	if (i >= nr_slots || s->g || !s->ended || shutting_down)
		return false;
	uint64_t t0 = time_ns();
	struct guest *g = guest_create(s->spec, i);
	if (!g)
		return false;
	s->monitor_restarts++;
	g->restarts = s->restarts + s->monitor_restarts;
	g->stats.cpu_ns = s->gone ? 0 : s->end.cpu_ns;
	s->ended = s->gone = false;
	s->g = g;
	sched_add(g);
	alive++;
	pr_info("guest %s: restarting, as the monitor asked", g->name);
	charge(g, time_ns() - t0);
	return true;
}

/* From now on no guest is restarted, by policy or otherwise: shutdown. */
void sched_shutting_down(void)
{
	shutting_down = true;
}
