/* The monitor's channels: the `ringvisor>` prompt on the console, opened
 * by Ctrl-], with its line editing, and COM2 for scripts (monitor=com2);
 * each entered line goes to monitor_cmd.c, whose work runs a step at a
 * time from the run loop's poll hook. docs/console.md, "The monitor".
 *
 * Layering: the monitor sits with the boot sequence at the top; it calls
 * down into the scheduler, the guests and the console. Those reach it only
 * through two hooks it registers: the console's input hook (each typed
 * byte, first) and the run loop's poll hook (once per pass). */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <core/config.h>
#include <core/console.h>
#include <core/monitor.h>
#include <core/run.h>
#include <core/timer.h>
#include <lib/lib.h>
#include <lib/log.h>

extern struct hv_config hv_config;

#define PROMPT        "ringvisor> "
#define PROMPT_LEN    (sizeof(PROMPT) - 1)
#define MAX_WORDS     8
#define COM2_PER_POLL SERIAL_RX_RING	/* COM2 bytes taken per pass: all there are */

#define CTRL_C 0x03
#define CTRL_D 0x04
#define CTRL_H 0x08
#define CTRL_U 0x15
#define CTRL_W 0x17
#define DEL    0x7F

_Static_assert(PROMPT_LEN + MONITOR_LINE_MAX < CONSOLE_PROMPT_MAX,
	       "the console's prompt line must hold the prompt and a command");

static struct monitor_channel console_ch = { .bad_byte = -1 };
static struct monitor_channel com2_ch = { .script = true, .bad_byte = -1 };
static bool com2_on;
static bool stopped;		/* the run is over: no more prompt */

/* A job waiting (STEP_WAIT) is woken by this event: it asks the run loop
 * for a pass of the poll hook (and ends its idle wait). */
static struct timer_event wake_event;

static void woken(struct timer_event *ev)
{
	(void)ev;
	sched_poll_soon();
}

void monitor_wake_at(uint64_t ns)
{
	if (!timer_armed(&wake_event) || wake_event.deadline > ns)
		timer_arm(&wake_event, ns);
}

/* --- replies --------------------------------------------------------------- */

/* One line of reply: on the console as a hypervisor message (the console
 * puts the prompt back below it); on COM2 as it is. */
void monitor_say(struct monitor_channel *c, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	n = MIN(n, (int)sizeof(buf) - 2);
	if (!c->script) {
		kprintf("ringvisor: %s\n", buf);
		return;
	}
	buf[n++] = '\n';
	serial_com2_write(buf, (size_t)n);
}

/* A command's last line: on COM2 "ok cmd=NAME" and kv; on the console the
 * human text, if any. */
void monitor_ok(struct monitor_channel *c, const char *cmd, const char *kv,
		const char *human)
{
	if (c->script)
		monitor_say(c, "ok cmd=%s%s%s", cmd, kv && kv[0] ? " " : "", kv ? kv : "");
	else if (human && human[0])
		monitor_say(c, "monitor: %s", human);
}

/* A command that changed nothing: one line. On COM2 "error msg=...",
 * the message running to the end of the line. */
void monitor_error(struct monitor_channel *c, const char *fmt, ...)
{
	char buf[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (c->script)
		monitor_say(c, "error msg=%s", buf);
	else
		monitor_say(c, "monitor: error: %s", buf);
}

/* --- the line editor ------------------------------------------------------- */

/* The console's prompt line shows what is typed. */
static void redraw(struct monitor_channel *c)
{
	char buf[CONSOLE_PROMPT_MAX];

	if (c->script || !c->open || c->entered || c->job.step)
		return;
	memcpy(buf, PROMPT, PROMPT_LEN);
	memcpy(buf + PROMPT_LEN, c->line, c->len);
	console_prompt_set(buf, PROMPT_LEN + c->len);
}

static void clear_line(struct monitor_channel *c)
{
	c->len = 0;
	c->too_long = false;
	c->bad_byte = -1;
}

static void open_prompt(void)
{
	console_ch.open = true;
	clear_line(&console_ch);
	redraw(&console_ch);
}

static void close_prompt(void)
{
	console_ch.open = false;
	clear_line(&console_ch);
	console_prompt_close();
}

/* The console's prompt closes (console NAME, exit); COM2 has none. */
void monitor_prompt_close(struct monitor_channel *c)
{
	if (!c->script)
		close_prompt();
}

/* Enter: the line waits for the poll hook, which runs it. */
static void enter(struct monitor_channel *c)
{
	memcpy(c->cmd, c->line, c->len);
	c->cmd[c->len] = '\0';
	c->cmd_too_long = c->too_long;
	c->cmd_bad_byte = c->bad_byte;
	c->entered = true;
	if (!c->script)
		console_prompt_keep();	/* the command stays on the screen */
	clear_line(c);
}

/* One byte of a command line. Printable ASCII is kept, up to
 * MONITOR_LINE_MAX; anything else that is no editing key marks the line
 * bad (it is refused, whole, at Enter). While a command runs, a byte ends
 * it if it stops on a key (top, trace dump) and is used up doing so;
 * otherwise it edits the next line, shown when the command is done, and
 * Enter waits for that (the console; COM2 is not read meanwhile). */
static void edit(struct monitor_channel *c, uint8_t ch)
{
	bool busy = c->entered || c->job.step;

	if (c->job.step && c->job.stops_on_key) {
		c->key = true;
		return;
	}
	switch (ch) {
	case '\r':
	case '\n':
		if (busy)
			return;
		if (!c->len && !c->too_long && c->bad_byte < 0) {
			if (!c->script)
				close_prompt();	/* an empty line: back to the guests */
			return;
		}
		enter(c);
		return;
	case DEL:
	case CTRL_H:
		if (c->len)
			c->len--;
		if (!c->len)
			c->too_long = false, c->bad_byte = -1;
		break;
	case CTRL_U:
	case CTRL_C:
		clear_line(c);
		break;
	case CTRL_W:
		while (c->len && c->line[c->len - 1] == ' ')
			c->len--;
		while (c->len && c->line[c->len - 1] != ' ')
			c->len--;
		break;
	case CTRL_D:
		if (!c->script && !c->len && !busy) {
			close_prompt();
			return;
		}
		break;
	default:
		if (ch >= 0x20 && ch < 0x7F) {
			if (c->len < MONITOR_LINE_MAX)
				c->line[c->len++] = (char)ch;
			else
				c->too_long = true;
		} else if (c->bad_byte < 0) {
			c->bad_byte = ch;
		}
	}
	redraw(c);
}

/* COM2's waiting bytes, one line at a time: reading stops after an Enter
 * and while a command runs, so what a script sends next stays in the
 * UART's receive ring (SERIAL_RX_RING bytes) until its turn; one byte is
 * taken to stop a command that stops on a key. */
static void com2_read(void)
{
	struct monitor_channel *c = &com2_ch;
	int ch;

	for (unsigned k = 0; k < COM2_PER_POLL; k++) {
		if (c->entered || c->key || (c->job.step && !c->job.stops_on_key))
			return;
		if ((ch = serial_com2_getc()) < 0)
			return;
		edit(c, (uint8_t)ch);
	}
}

/* The console's input hook: every typed byte comes here first. Closed,
 * only the escape is taken (it opens the prompt); open, every byte is, so
 * no guest gets a byte while the prompt is open. The escape at an empty
 * prompt closes it and sends one escape to the guest; with a line typed,
 * it drops the line and closes the prompt. */
static bool console_take(char ch)
{
	struct monitor_channel *c = &console_ch;

	if (stopped)
		return false;
	if (!c->open) {
		if ((uint8_t)ch != MONITOR_ESCAPE)
			return false;
		open_prompt();
		sched_poll_soon();	/* the first use starts the CPU sampling */
		return true;
	}
	bool busy = c->entered || c->job.step;
	if ((uint8_t)ch == MONITOR_ESCAPE && busy && !c->job.stops_on_key)
		return true;		/* the prompt closes once the command is done */
	if ((uint8_t)ch == MONITOR_ESCAPE && !busy) {
		/* The escape again: close, and at an empty prompt send it. */
		bool empty = !c->len && !c->too_long && c->bad_byte < 0;
		close_prompt();
		if (empty)
			console_deliver((char)MONITOR_ESCAPE);
		return true;
	}
	edit(c, (uint8_t)ch);
	if (c->entered || c->key)
		sched_poll_soon();
	return true;
}

/* --- running commands ------------------------------------------------------ */

/* Splits the line at spaces; false if it has more than max words. */
static bool split(char *s, char **words, unsigned max, unsigned *n)
{
	*n = 0;
	for (;;) {
		while (*s == ' ')
			*s++ = '\0';
		if (!*s)
			return true;
		if (*n == max)
			return false;
		words[(*n)++] = s;
		while (*s && *s != ' ')
			s++;
	}
}

static void run_entered(struct monitor_channel *c)
{
	char *words[MAX_WORDS];
	unsigned n;

	c->entered = false;
	if (c->cmd_too_long)
		monitor_error(c, "line too long (more than %u bytes); nothing done",
			      MONITOR_LINE_MAX);
	else if (c->cmd_bad_byte >= 0)
		monitor_error(c, "byte 0x%02x is not text; nothing done", c->cmd_bad_byte);
	else if (!split(c->cmd, words, MAX_WORDS, &n))
		monitor_error(c, "more than %u words; nothing done", MAX_WORDS);
	else if (n)
		monitor_command(c, words, n);
}

/* One pass for a channel: run what was entered, or one step of the job. */
static bool channel_poll(struct monitor_channel *c)
{
	bool busy = false, finished = false;
	bool had_work = c->entered || c->job.step;

	if (c->entered && !c->job.step) {
		run_entered(c);
		finished = !c->job.step;
	}
	if (c->job.step) {
		enum monitor_step st = c->job.step(c);
		if (st == STEP_DONE) {
			memset(&c->job, 0, sizeof(c->job));
			c->key = false;
			finished = true;
		} else if (st == STEP_WAIT) {
			monitor_wake_at(c->job.due_ns);
		}
		busy = st == STEP_MORE;
	}
	if (finished)
		redraw(c);		/* a fresh prompt under the reply */
	/* One more pass after a command: COM2 may hold the next line. */
	return busy || (had_work && c->script && !c->job.step);
}

/* The run loop's poll hook (interrupts off, between slices), run once
 * the monitor asked (sched_poll_soon: a typed line, COM2 bytes, a timer):
 * COM2's new bytes, then a step for each channel. True while there is
 * more to do at once. */
static bool monitor_poll(void)
{
	monitor_sample();
	if (com2_on)
		com2_read();
	bool busy = channel_poll(&console_ch);
	if (com2_on)
		busy |= channel_poll(&com2_ch);
	return busy;
}

static void monitor_stop(void);

/* Boot time, before the guests start: the hooks, and COM2 when asked. */
void monitor_init(void)
{
	timer_event_init(&wake_event, woken, NULL);
	console_set_monitor(console_take);
	sched_set_poll(monitor_poll, monitor_stop);
	if (hv_config.monitor_com2) {
		com2_on = serial_com2_init(sched_poll_soon);
		if (com2_on)
			pr_info("monitor: commands on COM2 too (monitor=com2; no authentication)");
		else
			pr_warn("monitor=com2: no UART at COM2; the monitor is on the console only");
	}
}

/* The guests have all ended (the run loop's end hook): the prompt goes,
 * and the console is the end-of-run report's alone. */
static void monitor_stop(void)
{
	uint32_t flags = irq_save();

	stopped = true;
	if (console_ch.open)
		close_prompt();
	timer_cancel(&wake_event);
	irq_restore(flags);
}
