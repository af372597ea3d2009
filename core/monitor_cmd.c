/* The monitor's commands: help, list and top (their table is
 * monitor_table.c's), console, pause, unpause, kill, restart, set, trace,
 * mem and shutdown. Each replies in one line, or leaves a job that prints a
 * line per step. docs/console.md, "The monitor", says what each does. */
#include <abi.h>
#include <arch/i386/arch.h>
#include <core/bench.h>
#include <core/console.h>
#include <core/guest.h>
#include <core/modules.h>
#include <core/monitor.h>
#include <core/run.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <mm/frame.h>
#include <mm/heap.h>
#include <traps/traps.h>

#define NS_PER_MS 1000000ull
#define GATE_PRESENT 0x8000u	/* an IDT gate's P bit, in its high word */

/* --- finding a guest by name ----------------------------------------------- */

/* The slot named name: the exact name, else the one name is a prefix of.
 * NULL, with one line said, if none or several. */
static const struct sched_slot *find_slot(struct monitor_channel *c, const char *name)
{
	const struct sched_slot *found = NULL;
	unsigned prefixed = 0;
	size_t len = strlen(name);

	for (unsigned i = 0; i < sched_nr_slots(); i++) {
		const struct sched_slot *s = sched_slot(i);
		if (!strcmp(s->spec->config.name, name))
			return s;
		if (!strncmp(s->spec->config.name, name, len)) {
			found = s;
			prefixed++;
		}
	}
	if (prefixed == 1)
		return found;
	if (prefixed)
		monitor_error(c, "\"%s\" names %u guests; give more of the name", name, prefixed);
	else
		monitor_error(c, "no guest is named \"%s\"; list shows them", name);
	return NULL;
}

/* The running guest named name, or NULL with one line said. */
static struct guest *find_live(struct monitor_channel *c, const char *name)
{
	const struct sched_slot *s = find_slot(c, name);

	if (!s)
		return NULL;
	if (!s->g || !guest_alive(s->g)) {
		monitor_error(c, "guest %s has ended", s->spec->config.name);
		return NULL;
	}
	return s->g;
}

static void ok_guest(struct monitor_channel *c, const char *cmd, const struct guest *g,
		     const char *human_fmt)
{
	char kv[48], human[192];

	snprintf(kv, sizeof(kv), "guest=%s", g->name);
	snprintf(human, sizeof(human), human_fmt, g->name);
	monitor_ok(c, cmd, kv, human);
}

/* --- the commands ---------------------------------------------------------- */

static bool shutting_down;	/* shutdown was asked */

struct command {
	const char *name;
	const char *args;	/* as help shows them */
	unsigned min_args, max_args;
	const char *what;
	void (*run)(struct monitor_channel *c, char **args, unsigned n);
};

static enum monitor_step help_step(struct monitor_channel *c);

static void cmd_help(struct monitor_channel *c, char **a, unsigned n)
{
	(void)a, (void)n;
	c->job.step = help_step;
}

static void cmd_list(struct monitor_channel *c, char **a, unsigned n)
{
	(void)a, (void)n;
	c->job.step = monitor_list_step;
}

static void cmd_top(struct monitor_channel *c, char **a, unsigned n)
{
	(void)a, (void)n;
	c->job.step = monitor_top_step;
	c->job.stops_on_key = true;
}

static void cmd_console(struct monitor_channel *c, char **a, unsigned n)
{
	(void)n;
	struct guest *g = find_live(c, a[0]);

	if (!g)
		return;
	console_focus(g);
	ok_guest(c, "console", g, "");
	monitor_prompt_close(c);
}

static void cmd_pause(struct monitor_channel *c, char **a, unsigned n)
{
	(void)n;
	struct guest *g = find_live(c, a[0]);

	if (!g)
		return;
	if (g->paused) {
		monitor_error(c, "guest %s is already paused", g->name);
		return;
	}
	sched_pause(g);
	ok_guest(c, "pause", g, "guest %s paused: it is not scheduled and its timer is held; "
		 "its clock (the TSC, which is not trapped) keeps running");
}

static void cmd_unpause(struct monitor_channel *c, char **a, unsigned n)
{
	(void)n;
	struct guest *g = find_live(c, a[0]);

	if (!g)
		return;
	if (!g->paused) {
		monitor_error(c, "guest %s is not paused", g->name);
		return;
	}
	sched_unpause(g);
	ok_guest(c, "unpause", g, "guest %s runs again; its held timer fires as late as it "
		 "was paused");
}

static void cmd_kill(struct monitor_channel *c, char **a, unsigned n)
{
	(void)n;
	struct guest *g = find_live(c, a[0]);

	if (!g)
		return;
	ok_guest(c, "kill", g, "guest %s ends; neither on_exit= nor on_crash= applies");
	sched_kill(g);
}

/* restart NAME: a running guest ends and is built again; one that has
 * ended for good is built again now, if it fits. */
static void cmd_restart(struct monitor_channel *c, char **a, unsigned n)
{
	(void)n;
	const struct sched_slot *s = find_slot(c, a[0]);
	char kv[48];

	if (!s)
		return;
	if (s->g && guest_alive(s->g)) {
		ok_guest(c, "restart", s->g, "guest %s restarts from its module (if it still fits)");
		sched_restart(s->g);
		return;
	}
	if (s->g) {
		monitor_error(c, "guest %s is ending; try again", s->spec->config.name);
		return;
	}
	if (shutting_down) {
		monitor_error(c, "shutdown is under way; nothing restarts");
		return;
	}
	if (!sched_revive((unsigned)(s - sched_slot(0)))) {
		monitor_error(c, "guest %s does not fit now (the line above says why); nothing changed",
			      s->spec->config.name);
		return;
	}
	snprintf(kv, sizeof(kv), "guest=%s", s->spec->config.name);
	monitor_ok(c, "restart", kv, "the guest starts again from its module");
}

/* A number in lo..hi; false if s is not one. */
static bool number_in(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint32_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return false;
		v = v * 10 + (uint32_t)(*s - '0');
	}
	*out = v;
	return v >= lo && v <= hi;
}

/* set NAME weight=N cap=N: both checked first, as at boot (weight
 * 1..GUEST_WEIGHT_MAX, cap 0..100, 0 or none for no cap); nothing changes
 * unless all are good. */
static void cmd_set(struct monitor_channel *c, char **a, unsigned n)
{
	struct guest *g = find_live(c, a[0]);
	char kv[64], human[128];

	if (!g)
		return;
	uint32_t weight = g->spec->config.weight, cap = g->spec->config.cap;
	for (unsigned k = 1; k < n; k++) {
		if (!strncmp(a[k], "weight=", 7)) {
			if (!number_in(a[k] + 7, 1, GUEST_WEIGHT_MAX, &weight)) {
				monitor_error(c, "weight= wants 1..%u; nothing changed",
					      GUEST_WEIGHT_MAX);
				return;
			}
		} else if (!strncmp(a[k], "cap=", 4)) {
			if (!strcmp(a[k] + 4, "none"))
				cap = 0;
			else if (!number_in(a[k] + 4, 0, 100, &cap)) {
				monitor_error(c, "cap= wants 0..100 (percent; 0 or none: no cap); "
					      "nothing changed");
				return;
			}
		} else {
			monitor_error(c, "set takes weight=N and cap=N, not \"%s\"; nothing changed",
				      a[k]);
			return;
		}
	}
	sched_set(g, weight, cap);
	snprintf(kv, sizeof(kv), "guest=%s weight=%u cap=%u", g->name, weight, cap);
	snprintf(human, sizeof(human), "guest %s: weight %u, cap %u%%%s", g->name, weight,
		 cap, cap ? "" : " (none)");
	monitor_ok(c, "set", kv, human);
}

static enum monitor_step trace_step(struct monitor_channel *c)
{
	char kv[32];
	uint64_t ns;
	unsigned id;

	if (c->job.i < bench_trace_len() && !c->key) {
		bench_trace_entry(c->job.i++, &ns, &id);
		const struct sched_slot *s = sched_slot(id);
		const char *name = s ? s->spec->config.name : "?";
		if (c->script)
			monitor_say(c, "trace t_us=%llu guest=%s", (unsigned long long)(ns / 1000),
				    name);
		else
			monitor_say(c, "trace: %10llu us  %s", (unsigned long long)(ns / 1000), name);
		return STEP_MORE;
	}
	snprintf(kv, sizeof(kv), "entries=%u", c->job.i);
	monitor_ok(c, "trace", kv, NULL);
	return STEP_DONE;
}

static void cmd_trace(struct monitor_channel *c, char **a, unsigned n)
{
	(void)n;
	if (!strcmp(a[0], "on")) {
		bench_trace_start();
		monitor_ok(c, "trace", "tracing=on", "trace on: each slice's start is recorded, "
			   "up to 4096");
	} else if (!strcmp(a[0], "off")) {
		bench_tracing = false;
		monitor_ok(c, "trace", "tracing=off", "trace off; trace dump shows it");
	} else if (!strcmp(a[0], "dump")) {
		c->job.step = trace_step;
		c->job.stops_on_key = true;
	} else {
		monitor_error(c, "trace takes on, off or dump");
	}
}

static enum monitor_step mem_step(struct monitor_channel *c)
{
	if (c->job.i == 0) {
		struct heap_stats h;
		heap_stats(&h);
		uint32_t free = frame_free_count(), scan = frame_scan_free();
		if (c->script)
			monitor_say(c, "mem frames_free=%u frames_scan=%u frames_unreserved=%u "
				    "heap_bytes=%u heap_objects=%u heap_pages=%u", free, scan,
				    frame_unreserved(), h.bytes, h.objects,
				    h.small_pages + h.large_frames);
		else
			monitor_say(c, "mem: %u frames free (%u by a scan), %u not promised to a "
				    "guest's shadow budget; heap %u objects, %u bytes, in %u pages",
				    free, scan, frame_unreserved(), h.objects, h.bytes,
				    h.small_pages + h.large_frames);
	}
	while (c->job.i < sched_nr_slots()) {
		const struct guest *g = sched_slot(c->job.i++)->g;
		if (!g)
			continue;
		if (c->script)
			monitor_say(c, "mem guest=%s mem_kib=%u frames=%u shadow=%u shadow_budget=%u",
				    g->name, g->mem_size / 1024, guest_frames_held(g),
				    g->shadow.frames, g->shadow_reserved);
		else
			monitor_say(c, "mem: guest %-15s %8u KiB memory, %6u frames held, %u of "
				    "them shadow tables (budget %u)", g->name, g->mem_size / 1024,
				    guest_frames_held(g), g->shadow.frames, g->shadow_reserved);
		return STEP_MORE;
	}
	monitor_ok(c, "mem", NULL, NULL);
	return STEP_DONE;
}

static void cmd_mem(struct monitor_channel *c, char **a, unsigned n)
{
	(void)a, (void)n;
	c->job.step = mem_step;
}

/* --- shutdown --------------------------------------------------------------- */

static bool has_power_button(const struct guest *g)
{
	return !guest_is_linux(g->spec) && g->lguest_data &&
	       (g->idt_hi[LGUEST_IRQ_VECTOR_BASE + RV_IRQ_POWER] & GATE_PRESENT);
}

/* The bound has passed: every guest still running is killed, with the
 * reason why. One with no power button to press (a Linux guest, or a
 * program that did not load its gate) counts as ended as expected: it had
 * no way to comply. */
static enum monitor_step shutdown_step(struct monitor_channel *c)
{
	if (time_ns() < c->job.due_ns)
		return STEP_WAIT;
	for (unsigned i = 0; i < sched_nr_slots(); i++) {
		struct guest *g = sched_slot(i)->g;
		if (!g || !guest_alive(g))
			continue;
		if (has_power_button(g)) {
			kill_guest(g, "did not stop within %llu ms of the power button (shutdown)",
				   (unsigned long long)(MONITOR_SHUTDOWN_NS / NS_PER_MS));
		} else {
			g->ended_by_monitor = true;
			kill_guest(g, "shutdown: no power button to press (%s); ended after %llu ms",
				   guest_is_linux(g->spec) ? "the lguest ABI has none" :
				   "no gate for RV_IRQ_POWER",
				   (unsigned long long)(MONITOR_SHUTDOWN_NS / NS_PER_MS));
		}
		guest_reap(g);
	}
	return STEP_DONE;
}

/* shutdown: the power button in every guest that has one, MONITOR_SHUTDOWN_NS
 * for them all to end, then the rest are killed; no guest is restarted.
 * When the last has ended the run ends as always (the summary, the
 * verdict), but the machine is powered off through ACPI even under
 * exit=qemu: QEMU then exits 0. */
static void cmd_shutdown(struct monitor_channel *c, char **a, unsigned n)
{
	char kv[64], human[256];
	unsigned asked = 0, other = 0;

	(void)a, (void)n;
	if (shutting_down) {
		monitor_error(c, "shutdown is already under way");
		return;
	}
	shutting_down = true;
	sched_shutting_down();
	power_set_debug_exit(false);
	for (unsigned i = 0; i < sched_nr_slots(); i++) {
		struct guest *g = sched_slot(i)->g;
		if (!g || !guest_alive(g))
			continue;
		sched_unpause(g);
		if (has_power_button(g)) {
			asked++;
			if (irq_raise(g, RV_IRQ_POWER))
				guest_wake(g);
		} else {
			other++;
		}
	}
	unsigned ms = (unsigned)(MONITOR_SHUTDOWN_NS / NS_PER_MS);
	snprintf(kv, sizeof(kv), "asked=%u other=%u bound_ms=%u", asked, other, ms);
	snprintf(human, sizeof(human), "shutdown: power button pressed in %u guest%s; %u ha%s "
		 "none (Linux guests: the lguest ABI has none); any guest still running in %u ms "
		 "is killed, then the summary and ACPI power-off", asked, asked == 1 ? "" : "s",
		 other, other == 1 ? "s" : "ve", ms);
	monitor_ok(c, "shutdown", kv, human);
	c->job.step = shutdown_step;
	c->job.due_ns = time_ns() + MONITOR_SHUTDOWN_NS;
}

static void cmd_exit(struct monitor_channel *c, char **a, unsigned n)
{
	(void)a, (void)n;
	monitor_ok(c, "exit", NULL, NULL);
	monitor_prompt_close(c);
}

static const struct command commands[] = {
	{ "help",     "",                      0, 0, "this list", cmd_help },
	{ "list",     "",                      0, 0, "one row per guest", cmd_list },
	{ "top",      "",                      0, 0, "list, every second, until a key", cmd_top },
	{ "console",  "NAME",                  1, 1, "input goes to guest NAME", cmd_console },
	{ "pause",    "NAME",                  1, 1, "NAME is not scheduled, its timer held",
	  cmd_pause },
	{ "unpause",  "NAME",                  1, 1, "NAME runs again", cmd_unpause },
	{ "kill",     "NAME",                  1, 1, "NAME ends; no on_exit=/on_crash=", cmd_kill },
	{ "restart",  "NAME",                  1, 1, "NAME starts again from its module",
	  cmd_restart },
	{ "set",      "NAME weight=N cap=N",   2, 3, "the scheduler's knobs, live", cmd_set },
	{ "trace",    "on|off|dump",           1, 1, "the scheduling trace, as text", cmd_trace },
	{ "mem",      "",                      0, 0, "frames, heap, each guest's", cmd_mem },
	{ "shutdown", "",                      0, 0, "stop every guest, power off", cmd_shutdown },
	{ "exit",     "",                      0, 0, "close the prompt", cmd_exit },
};
static const unsigned nr_commands = ARRAY_SIZE(commands);

static enum monitor_step help_step(struct monitor_channel *c)
{
	if (c->job.i < nr_commands) {
		const struct command *k = &commands[c->job.i++];
		if (c->script)
			monitor_say(c, "help command=%s args=%s", k->name, k->args);
		else
			monitor_say(c, "  %-8s %-26s %s", k->name, k->args, k->what);
		return STEP_MORE;
	}
	monitor_ok(c, "help", NULL, "Ctrl-] at an empty prompt sends Ctrl-] to the guest; "
		   "an empty line closes the prompt");
	return STEP_DONE;
}

/* The command words[0] with its arguments; one line said if it is unknown
 * or has the wrong number of arguments. Names are given whole (no
 * abbreviations: `kill` and `restart` must not be typed by accident). */
void monitor_command(struct monitor_channel *c, char **words, unsigned n)
{
	for (unsigned i = 0; i < nr_commands; i++) {
		const struct command *k = &commands[i];
		if (strcmp(words[0], k->name))
			continue;
		if (n - 1 < k->min_args || n - 1 > k->max_args) {
			monitor_error(c, "usage: %s %s", k->name, k->args);
			return;
		}
		k->run(c, words + 1, n - 1);
		return;
	}
	monitor_error(c, "unknown command \"%s\"; help lists them", words[0]);
}
