/* The monitor's table of guests, for list and top: one row per guest, its
 * columns in one array (a new per-guest figure is one more entry), each
 * guest's CPU share sampled every MONITOR_SAMPLE_NS. */
#include <arch/i386/arch.h>
#include <core/guest.h>
#include <core/modules.h>
#include <core/monitor.h>
#include <core/run.h>
#include <lib/lib.h>

#define NS_PER_MS 1000000ull

/* --- each guest's CPU share over the last MONITOR_SAMPLE_NS ---------------- */

/* Sampling starts with the monitor's first use, so a monitor never used
 * costs the scheduler nothing; an event every MONITOR_SAMPLE_NS asks for
 * a poll, which takes the sample (there, not in the event: between slices
 * no slot is half-way through a restart). */
static uint64_t sample_ns;			/* when the last sample was taken */
static uint64_t sample_cpu[MAX_MODULES];	/* each slot's CPU time then */
static uint32_t recent_permille[MAX_MODULES];	/* its share since the one before */
static bool recent_known;			/* a whole period has been sampled */
static struct timer_event sample_event;

static void sample_due(struct timer_event *ev)
{
	timer_arm(ev, ev->deadline + MONITOR_SAMPLE_NS);
	sched_poll_soon();
}

static uint64_t slot_cpu(const struct sched_slot *s)
{
	return s->g ? s->g->stats.cpu_ns : s->gone ? 0 : s->end.cpu_ns;
}

/* From the poll hook: the first call starts the sampling; later ones take
 * a new sample once a period has gone. */
void monitor_sample(void)
{
	uint64_t now = time_ns();

	if (!sample_ns) {
		timer_event_init(&sample_event, sample_due, NULL);
		timer_arm(&sample_event, now + MONITOR_SAMPLE_NS);
	} else if (now - sample_ns < MONITOR_SAMPLE_NS) {
		return;
	} else {
		recent_known = true;
	}
	for (unsigned i = 0; i < sched_nr_slots(); i++) {
		uint64_t cpu = slot_cpu(sched_slot(i));
		if (sample_ns)
			recent_permille[i] = (uint32_t)((cpu - sample_cpu[i]) * 1000 /
							(now - sample_ns));
		sample_cpu[i] = cpu;
	}
	sample_ns = now;
}

/* --- the table of guests: list and top ------------------------------------- */

struct row {
	unsigned i;
	const struct sched_slot *s;
	const struct guest *g;		/* NULL once it has ended for good */
};

typedef void (*column_fn)(const struct row *r, char *out, size_t n);

/* One column of `list`: its key on COM2, its heading and width on the
 * console (negative: left-aligned; 0: the last, as long as it is). A new
 * per-guest figure is one more entry in `columns`. */
struct column {
	const char *key;
	const char *head;
	int width;
	column_fn get;
};

static void col_name(const struct row *r, char *out, size_t n)
{
	strlcpy(out, r->s->spec->config.name, n);
}

static void col_state(const struct row *r, char *out, size_t n)
{
	static const char *const names[] = {
		[GUEST_RUNNABLE] = "running", [GUEST_HALTED] = "halted",
		[GUEST_BLOCKED] = "blocked", [GUEST_EXITED] = "exited",
		[GUEST_KILLED] = "killed",
	};
	const char *s = r->s->gone ? "gone" :
			!r->g ? names[r->s->end.state] :
			!guest_alive(r->g) ? "ending" :	/* its memory not back yet */
			r->g->paused ? "paused" :
			r->g->loading ? "loading" : names[r->g->run_state];

	strlcpy(out, s, n);
}

static void tenths(char *out, size_t n, uint64_t permille)
{
	snprintf(out, n, "%llu.%llu", (unsigned long long)(permille / 10),
		 (unsigned long long)(permille % 10));
}

static void col_weight(const struct row *r, char *out, size_t n)
{
	snprintf(out, n, "%u", r->s->spec->config.weight);
}

static void col_cap(const struct row *r, char *out, size_t n)
{
	snprintf(out, n, "%u", r->s->spec->config.cap);
}

static void col_cpu_recent(const struct row *r, char *out, size_t n)
{
	if (recent_known)
		tenths(out, n, recent_permille[r->i]);
	else
		strlcpy(out, "-", n);		/* the first second since the monitor was first used */
}

static void col_cpu_total(const struct row *r, char *out, size_t n)
{
	uint64_t span = time_ns() - sched_started_ns();

	tenths(out, n, span ? slot_cpu(r->s) * 1000 / span : 0);
}

static void number_or_dash(char *out, size_t n, bool have, uint64_t v)
{
	if (have)
		snprintf(out, n, "%llu", (unsigned long long)v);
	else
		strlcpy(out, "-", n);
}

static void col_mem(const struct row *r, char *out, size_t n)
{
	number_or_dash(out, n, r->g, r->g ? r->g->mem_size / 1024 : 0);
}

static void col_shadow(const struct row *r, char *out, size_t n)
{
	number_or_dash(out, n, r->g, r->g ? r->g->shadow.frames : 0);
}

static void col_switches(const struct row *r, char *out, size_t n)
{
	number_or_dash(out, n, r->g, r->g ? r->g->stats.world_switches : 0);
}

static void col_hypercalls(const struct row *r, char *out, size_t n)
{
	number_or_dash(out, n, !r->s->gone,
		       r->g ? r->g->stats.hypercalls : r->s->end.hypercalls);
}

static void col_faults(const struct row *r, char *out, size_t n)
{
	number_or_dash(out, n, !r->s->gone,
		       r->g ? r->g->stats.shadow_faults + guest_reflected(r->g) :
		       r->s->end.faults);
}

/* The switch's frames (docs/network.md), over all its lives; "-" for a
 * guest with no net= port. */
static const struct net_counters *net_of(const struct row *r)
{
	if (!r->s->spec->config.nr_net || r->s->gone)
		return NULL;
	return r->g ? &r->g->stats.net : &r->s->end.net;
}

static void col_net_out(const struct row *r, char *out, size_t n)
{
	const struct net_counters *c = net_of(r);

	number_or_dash(out, n, c, c ? c->frames_out : 0);
}

static void col_net_in(const struct row *r, char *out, size_t n)
{
	const struct net_counters *c = net_of(r);

	number_or_dash(out, n, c, c ? c->frames_in : 0);
}

static void col_restarts(const struct row *r, char *out, size_t n)
{
	snprintf(out, n, "%u", r->s->restarts + r->s->monitor_restarts);
}

/* The reason of its last end (before a restart, or for good). */
static void col_reason(const struct row *r, char *out, size_t n)
{
	strlcpy(out, r->s->last_reason[0] ? r->s->last_reason : "-", n);
}

static const struct column columns[] = {
	{ "name",       "guest",      -15, col_name },
	{ "state",      "state",       -8, col_state },
	{ "weight",     "weight",       6, col_weight },
	{ "cap",        "cap%",         4, col_cap },
	{ "cpu_recent", "cpu%1s",       6, col_cpu_recent },
	{ "cpu_total",  "cpu%",         6, col_cpu_total },
	{ "mem_kib",    "mem(KiB)",     8, col_mem },
	{ "shadow",     "shadow",       6, col_shadow },
	{ "switches",   "switches",     9, col_switches },
	{ "hypercalls", "hypercalls",  10, col_hypercalls },
	{ "faults",     "faults",       8, col_faults },
	{ "net_out",    "net_out",      7, col_net_out },
	{ "net_in",     "net_in",       7, col_net_in },
	{ "restarts",   "restarts",     8, col_restarts },
	{ "reason",     "last reason",  0, col_reason },	/* last: may hold spaces */
};

/* Row i of the table: 0 is the heading (the console's only), then one per
 * guest. False past the last. */
static bool table_row(struct monitor_channel *c, unsigned i)
{
	char line[512], val[160];
	size_t n = 0;

	if (i > sched_nr_slots())
		return false;
	if (i == 0 && c->script)
		return true;
	struct row r = { .i = i - 1 };
	if (i) {
		r.s = sched_slot(i - 1);
		r.g = r.s->g;
	}
	if (c->script)
		n += (size_t)snprintf(line, sizeof(line), "guest");
	for (size_t k = 0; k < ARRAY_SIZE(columns) && n < sizeof(line); k++) {
		const struct column *col = &columns[k];
		if (i)
			col->get(&r, val, sizeof(val));
		else
			strlcpy(val, col->head, sizeof(val));
		if (c->script)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%s", col->key, val);
		else if (col->width < 0)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%-*s ", -col->width, val);
		else
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%*s ", col->width, val);
	}
	while (n && line[n - 1] == ' ')
		line[--n] = '\0';
	monitor_say(c, "%s", line);
	return true;
}

enum monitor_step monitor_list_step(struct monitor_channel *c)
{
	char kv[32];

	if (table_row(c, c->job.i++))
		return STEP_MORE;
	snprintf(kv, sizeof(kv), "guests=%u", sched_nr_slots());
	monitor_ok(c, "list", kv, NULL);
	return STEP_DONE;
}

/* top: the table every MONITOR_TOP_NS, until a key comes on the channel. */
enum monitor_step monitor_top_step(struct monitor_channel *c)
{
	char kv[32];

	if (c->key) {
		snprintf(kv, sizeof(kv), "refreshes=%u", c->job.n);
		monitor_ok(c, "top", kv, "top stopped");
		return STEP_DONE;
	}
	if (c->job.due_ns && time_ns() < c->job.due_ns)
		return STEP_WAIT;
	c->job.due_ns = 0;
	if (table_row(c, c->job.i++))
		return STEP_MORE;
	c->job.n++;
	if (c->script)
		monitor_say(c, "top refresh=%u", c->job.n);
	else
		monitor_say(c, "top: refresh %u, every %llu ms; press any key to stop", c->job.n,
			    (unsigned long long)(MONITOR_TOP_NS / NS_PER_MS));
	c->job.i = 0;
	c->job.due_ns = time_ns() + MONITOR_TOP_NS;
	return STEP_WAIT;
}
