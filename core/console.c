/* The console: the guests' output a whole line at a time, "[name] text",
 * and the hypervisor's messages, in one ordered stream to the UART (and the
 * VGA mirror), at the rate drain= allows; and console input, from the
 * serial line and the PS/2 keyboard, to the one guest with the focus.
 * A guest that waits for input has its unfinished line (a prompt) shown.
 * The monitor (core/monitor.c, above this layer) takes input through a hook
 * and has its own prompt line kept below the output, redrawn after it.
 * docs/console.md describes it from the user's side. */
#include <arch/i386/arch.h>
#include <core/config.h>
#include <core/console.h>
#include <core/guest.h>
#include <core/timer.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <param.h>


_Static_assert((CONSOLE_IN_RING & (CONSOLE_IN_RING - 1)) == 0,
	       "CONSOLE_IN_RING must be a power of two");

/* The longest line as printed: colour, "[name]+ ", the text with every
 * byte escaped ("\xNN", four for one), '\n'. */
#define LINE_OUT_MAX (4 * CONSOLE_LINE_MAX + GUEST_NAME_MAX + 32)
_Static_assert(CONSOLE_OUT_BUF >= 2 * LINE_OUT_MAX,
	       "the output buffer must hold at least two whole lines");

#define NS_PER_S      1000000000ull
#define CTRL_A        0x01
#define SWITCH_PRESSES 3	/* Ctrl-A this many times in a row: next guest */

/* What the console keeps for each guest, by its id (its module's slot, kept
 * across restarts). */
struct client {
	struct guest *g;	/* NULL: no guest in this slot now */
	bool waiting;		/* g->line is finished and waits for room */
	bool next_continued;	/* the line after the waiting one continues it */
	bool fresh;		/* input arrived since the last IRQ raised */
	uint32_t shown;		/* bytes of its line on the console already */
	uint32_t col;		/* columns its text has advanced on that line */
	uint32_t blocked;	/* times it was blocked for room */
	uint32_t in_head, in_tail;
	char in[CONSOLE_IN_RING];
};

static struct client clients[MAX_MODULES];
static unsigned nr_attached;

/* The output buffer: a ring of bytes not yet written to the UART, oldest
 * at out_head. Used only while buffering: drain= is set, a guest is
 * attached, and no panic has begun. Otherwise output is written at once. */
static char out_buf[CONSOLE_OUT_BUF];
static uint32_t out_head, out_len;
static bool buffering, emergency;

/* The drain: a timer event writes what the rate allows since drain_spent,
 * the time up to which the rate's budget has been used. */
static struct timer_event drain_event;
static uint64_t drain_spent, drain_period;

/* The open line: the guest whose unfinished line is on the console, the
 * cursor at its end (shown when it waited, see console_guest_waits).
 * Its next bytes continue that line; anything else ends it with '\n'
 * first, and its guest's next bytes then start a "[name]+ " line. */
static struct client *open_line;

/* Guests whose finished line waits for room, in the order they came. */
static struct client *waiters[MAX_MODULES];
static unsigned wait_head, wait_len;

/* Input: the slot with the focus, Ctrl-A presses held back, and the last
 * guest told it has the focus (the user hears when that changes). */
static unsigned focus_slot;
static unsigned ctrl_a_held;
static struct client *announced;
static bool any_fresh;		/* some client's fresh is set */

/* The monitor: a hook that sees each input byte first and keeps those it
 * takes; and its prompt line, kept at the bottom: erased before any other
 * output and drawn again after it (prompt_len 0: no prompt). */
static bool (*monitor_take)(char ch);
static char prompt[CONSOLE_PROMPT_MAX];
static uint32_t prompt_len;
static bool prompt_shown;		/* it is on the screen now */

/* Colours of the guests' "[name]" prefixes, by id: ANSI SGR foregrounds,
 * red last since it reads as an error. */
static const char *const palette[] = {
	"32", "33", "34", "35", "36", "92", "93", "94", "95", "96", "31", "91",
};

static struct client *client_of(const struct guest *g)
{
	ASSERT(g->id < MAX_MODULES);
	return &clients[g->id];
}

/* The open line ends where it stands: its guest's next text starts a line
 * of its own, marked as continued. Interrupts disabled. */
static void forget_open_line(void)
{
	if (!open_line)
		return;
	open_line->shown = 0;
	open_line->col = 0;
	if (open_line->g)
		open_line->g->line_continued = true;
	open_line = NULL;
}

/* --- the output buffer --------------------------------------------------- */

/* The UART, when console= includes serial (console=vga: the screen only;
 * input is still read from both). */
static void uart_write(const char *s, size_t n)
{
	if (hv_config.console_serial)
		serial_write(s, n);
}

/* Writes the n oldest buffered bytes to the UART. Interrupts disabled. */
static void out_write_oldest(uint32_t n)
{
	ASSERT(n <= out_len);
	while (n) {
		uint32_t chunk = MIN(n, CONSOLE_OUT_BUF - out_head);

		uart_write(out_buf + out_head, chunk);
		out_head = (out_head + chunk) % CONSOLE_OUT_BUF;
		out_len -= chunk;
		n -= chunk;
	}
}

/* Appends n bytes the buffer has room for and makes sure the drain will
 * run. Interrupts disabled. */
static void out_append(const char *s, uint32_t n)
{
	ASSERT(n <= CONSOLE_OUT_BUF - out_len);
	for (uint32_t i = 0; i < n; i++)
		out_buf[(out_head + out_len + i) % CONSOLE_OUT_BUF] = s[i];
	out_len += n;
	if (n && !timer_armed(&drain_event))
		timer_arm(&drain_event, time_ns());
}

/* Output that never waits (the hypervisor's, a dead guest's last line):
 * buffered behind what came before when buffering, making room by writing
 * the oldest bytes at once, beyond the rate; otherwise written at once.
 * serial is what the UART gets, plain what the VGA mirror gets (no
 * colour). Interrupts disabled. */
static void out_force(const char *serial, size_t n, const char *plain, size_t pn)
{
	vga_write(plain, pn);
	if (!buffering || n > CONSOLE_OUT_BUF) {
		out_write_oldest(out_len);
		uart_write(serial, n);
		return;
	}
	if (n > CONSOLE_OUT_BUF - out_len)
		out_write_oldest(n - (CONSOLE_OUT_BUF - out_len));
	out_append(serial, n);
}

/* The monitor's prompt line leaves the screen: back to its start, and
 * clear it (EL, "\033[K"; on the VGA copy, blanks over it). */
static void prompt_erase(void)
{
	char blank[CONSOLE_PROMPT_MAX + 2];

	if (!prompt_shown)
		return;
	prompt_shown = false;
	blank[0] = '\r';
	memset(blank + 1, ' ', prompt_len);
	blank[prompt_len + 1] = '\r';
	out_force("\r\033[K", 4, blank, prompt_len + 2);
}

/* The monitor's prompt line comes back, at the start of a line, unless a
 * guest's line is open (it is ended first). */
static void prompt_draw(void)
{
	if (!prompt_len || prompt_shown)
		return;
	if (open_line) {
		out_force("\n", 1, "\n", 1);
		forget_open_line();
	}
	prompt_shown = true;
	out_force(prompt, prompt_len, prompt, prompt_len);
}

/* Writes everything buffered at once. Any context. */
void console_flush(void)
{
	uint32_t flags = irq_save();

	out_write_oldest(out_len);
	irq_restore(flags);
}

/* The way down (panic, a fatal exception): flush, then write every later
 * message at once, with no buffer and no timer to depend on. */
void console_emergency(void)
{
	uint32_t flags = irq_save();

	emergency = true;
	buffering = false;
	prompt_len = 0;		/* the monitor's prompt is not drawn again */
	out_write_oldest(out_len);
	irq_restore(flags);
}

/* A hypervisor message, from log.c; any context. It never blocks and is
 * never dropped; its place in the stream is where it was written. */
void console_write_hv(const char *s, size_t n)
{
	uint32_t flags = irq_save();

	prompt_erase();
	if (open_line) {
		out_force("\n", 1, "\n", 1);
		forget_open_line();
	}
	out_force(s, n, s, n);
	if (n && s[n - 1] == '\n')
		prompt_draw();
	irq_restore(flags);
}

/* --- guests' lines ------------------------------------------------------- */

/* g's pending text as printed, coloured or plain; its length. It is a
 * line of its own, "[name] text" (or "[name]+ text"), unless g's line is
 * the open one, which the text continues; another guest's open line is
 * ended first. finished adds the '\n'. Output integrity: every byte of the
 * text that could end the line or drive a terminal (control characters,
 * DEL, anything from 0x80) is escaped, but for a backspace over the guest's
 * own text (a tty's echo), so no guest text can pose as the hypervisor's
 * line or another guest's. *col: the columns its text reaches after it. */
static size_t format_line(const struct guest *g, bool finished, bool color,
			  char *buf, uint32_t *col)
{
	const struct client *c = client_of(g);
	size_t n = 0;

	*col = open_line == c ? c->col : 0;

	if (open_line && open_line != c)
		buf[n++] = '\n';
	if (open_line != c && color)
		n += (size_t)snprintf(buf + n, LINE_OUT_MAX - n, "\033[%sm[%s]%s\033[0m ",
				      palette[g->id % ARRAY_SIZE(palette)], g->name,
				      g->line_continued ? "+" : "");
	else if (open_line != c)
		n += (size_t)snprintf(buf + n, LINE_OUT_MAX - n, "[%s]%s ", g->name,
				      g->line_continued ? "+" : "");
	n += str_escape_line(buf + n, LINE_OUT_MAX - n - 1, g->line, g->line_len, col);
	if (finished)
		buf[n++] = '\n';
	return n;
}

/* After g's text went out: it is the open line, or the line is done. */
static void line_went_out(struct guest *g, bool finished, uint32_t col)
{
	struct client *c = client_of(g);

	if (open_line != c)
		forget_open_line();
	if (finished) {
		open_line = NULL;
		c->shown = 0;
		c->col = 0;
	} else {
		open_line = c;
		c->shown += g->line_len;
		c->col = col;
	}
	g->line_len = 0;
}

/* Puts n bytes (plain: pn, for the VGA copy) into the output if they
 * fit, or at any cost when forced; false if they did not fit. */
static bool put_text(bool forced, const char *buf, size_t n, const char *plain, size_t pn)
{
	if (forced)
		out_force(buf, n, plain, pn);
	else if (!buffering) {
		uart_write(buf, n);
		vga_write(plain, pn);
	} else if (n <= CONSOLE_OUT_BUF - out_len) {
		out_append(buf, n);
		vga_write(plain, pn);
	} else {
		return false;
	}
	return true;
}

/* Puts g's pending text into the output if it fits, or at any cost when
 * forced; false if it did not fit (the caller decides what waits).
 * finished: the line ends here ('\n'); otherwise it is shown unfinished
 * and becomes the open line. The monitor's prompt steps aside for it.
 * Interrupts disabled. */
static bool emit_line(struct guest *g, bool finished, bool forced)
{
	char buf[LINE_OUT_MAX], plain[LINE_OUT_MAX];
	uint32_t col;

	prompt_erase();
	size_t n = format_line(g, finished, hv_config.color, buf, &col);
	size_t pn = format_line(g, finished, false, plain, &col);
	bool fits = put_text(forced, buf, n, plain, pn);

	if (fits)
		line_went_out(g, finished, col);
	prompt_draw();
	return fits;
}

/* g's current line is finished (by '\n', or full when next_continued):
 * print it, or block g with it until there is room. False if g blocked.
 * Lines wait in order: while one waits, every later one waits too. */
static bool finish_line(struct guest *g, bool next_continued)
{
	struct client *c = client_of(g);

	if (!wait_len && emit_line(g, true, false)) {
		g->line_continued = next_continued;
		return true;
	}
	c->waiting = true;
	c->next_continued = next_continued;
	c->blocked++;
	waiters[(wait_head + wait_len++) % MAX_MODULES] = c;
	guest_block(g);
	return false;
}

/* Lets waiting guests in, oldest first, while their lines fit. Interrupts
 * disabled (the drain event, a guest's end). */
static void admit_waiters(void)
{
	while (wait_len) {
		struct client *c = waiters[wait_head];
		struct guest *g = c->g;

		if (!emit_line(g, true, false))
			return;
		wait_head = (wait_head + 1) % MAX_MODULES;
		wait_len--;
		g->line_continued = c->next_continued;
		c->waiting = false;
		guest_unblock(g);
	}
}

static void forget_waiter(struct client *c)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < wait_len; i++) {
		struct client *w = waiters[(wait_head + i) % MAX_MODULES];
		if (w != c)
			waiters[(wait_head + kept++) % MAX_MODULES] = w;
	}
	wait_len = kept;
	c->waiting = false;
}

/* The drain event: write what the rate allowed since the budget was last
 * spent (at most two periods' worth, so an idle console saves no burst),
 * let waiting guests in, and come back while anything is left. */
static void drain_tick(struct timer_event *ev)
{
	uint64_t now = time_ns();
	uint64_t bps = hv_config.drain_bps;

	if (now - drain_spent > 2 * drain_period)
		drain_spent = now - 2 * drain_period;
	uint64_t n = (now - drain_spent) * bps / NS_PER_S;
	n = MIN(n, (uint64_t)out_len);
	out_write_oldest((uint32_t)n);
	drain_spent += n * NS_PER_S / bps;
	admit_waiters();
	if (out_len)
		timer_arm(ev, now + drain_period);
}

/* Takes len bytes of the guest's output, from a hypercall. Returns how
 * many were taken: all of them, unless a finished line found the buffer
 * full; then the guest is blocked with that line, and the count includes
 * the byte that finished it, so it is never 0 for len > 0. A line is
 * finished by '\n' or by reaching CONSOLE_LINE_MAX bytes, those already
 * shown of an open line included (what follows prints as "[name]+ ...");
 * '\r' is dropped. */
uint32_t console_guest_write(struct guest *g, const char *buf, uint32_t len)
{
	struct client *cl = client_of(g);

	if (cl->waiting)
		return 0;	/* only from the async ring, which ignores it */
	for (uint32_t i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\r')
			continue;
		if (c == '\n') {
			/* A line of exactly CONSOLE_LINE_MAX went out whole, or
			 * another's output already ended the open line. */
			if (!g->line_len && g->line_continued && open_line != cl)
				g->line_continued = false;
			else if (!finish_line(g, false))
				return i + 1;
			continue;
		}
		g->line[g->line_len++] = c;
		if (g->line_len + cl->shown == CONSOLE_LINE_MAX &&
		    !finish_line(g, true))
			return i + 1;
	}
	return len;
}

/* g waits: it asks for input (HC_RV_CONSOLE_READ) or halts until an
 * interrupt (HC_HALT, how a Linux guest idles while its shell waits for a
 * key). Its unfinished line, a prompt or the echo of what is being typed,
 * goes out now and stays open, so the user sees it while g waits. Never
 * waits for room (as the hypervisor's messages): a guest about to sleep
 * until input comes would leave its prompt unseen. Interrupts disabled. */
void console_guest_waits(struct guest *g)
{
	if (prompt_len)
		return;		/* the monitor's prompt has the line; shown later */
	if (g->line_len && !client_of(g)->waiting)
		emit_line(g, false, true);
}

/* The guest has ended: print its waiting line and what is left of its last
 * one, now (they cannot wait for a guest that will not run again). */
void console_flush_guest(struct guest *g)
{
	struct client *c = client_of(g);
	uint32_t flags = irq_save();

	if (c->waiting) {
		forget_waiter(c);
		emit_line(g, true, true);
		g->line_continued = c->next_continued;
	}
	if (g->line_len || open_line == c)
		emit_line(g, true, true);
	g->line_continued = false;
	admit_waiters();
	irq_restore(flags);
	if (c->blocked)
		pr_info("console: guest %s waited for room in the output buffer %u times",
			g->name, c->blocked);
}

/* --- guests coming and going --------------------------------------------- */

/* The console's machinery starts with the first guest: the keyboard, and
 * the drain when drain= limits the rate. Before that only the hypervisor
 * writes, at once. */
void console_attach(struct guest *g)
{
	static bool started;
	struct client *c = client_of(g);
	uint32_t flags = irq_save();

	if (!started) {
		started = true;
		keyboard_init();
		timer_event_init(&drain_event, drain_tick, NULL);
	}
	memset(c, 0, sizeof(*c));
	c->g = g;
	if (nr_attached++ == 0 && hv_config.drain_bps && !emergency) {
		buffering = true;
		drain_period = MAX(CONSOLE_DRAIN_TICK_NS,
				   NS_PER_S / hv_config.drain_bps + 1);
		drain_spent = time_ns();
	}
	irq_restore(flags);
}

/* When the last guest goes, everything buffered is written and output is
 * immediate again: the hypervisor's last words must not wait for a timer
 * on a machine about to power off. */
void console_detach(struct guest *g)
{
	struct client *c = client_of(g);
	uint32_t flags = irq_save();

	if (c->g == g) {
		if (c->waiting)
			forget_waiter(c);
		if (open_line == c) {	/* a guest torn down before its end */
			out_force("\n", 1, "\n", 1);
			forget_open_line();
		}
		c->g = NULL;
		if (--nr_attached == 0) {
			buffering = false;
			timer_cancel(&drain_event);
			out_write_oldest(out_len);
		}
	}
	irq_restore(flags);
}

/* --- input --------------------------------------------------------------- */

/* The guest input goes to: the focused slot's, or the next live one after
 * it when that slot's guest is gone. NULL when no guest lives. */
static struct client *focused(void)
{
	for (unsigned k = 0; k < MAX_MODULES; k++) {
		struct client *c = &clients[(focus_slot + k) % MAX_MODULES];
		if (c->g && guest_alive(c->g))
			return c;
	}
	return NULL;
}

static void announce(struct client *c)
{
	announced = c;
	kprintf("ringvisor: console: input now goes to %s\n", c->g->name);
}

/* Triple Ctrl-A: the focus moves to the next live guest, by slot. */
static void focus_next(void)
{
	struct client *cur = focused();

	if (!cur)
		return;
	focus_slot = (unsigned)(cur - clients) + 1;
	announce(focused());
}

/* One byte for the focused guest, kept until it reads it (dropped if its
 * ring is full). The user hears of a focus that moved on its own. */
static void deliver(char ch)
{
	struct client *c = focused();

	if (!c)
		return;
	if (announced && c != announced)
		announce(c);
	announced = c;
	if (c->in_head - c->in_tail < CONSOLE_IN_RING) {
		c->in[c->in_head++ & (CONSOLE_IN_RING - 1)] = ch;
		c->fresh = any_fresh = true;
	}
}

/* One typed byte: Ctrl-A is held back until it is known not to be part of
 * a switch, Xen's way; then the held ones go to the guest before it. */
static void input_byte(char ch)
{
	if (monitor_take && monitor_take(ch))
		return;
	if (ch == CTRL_A) {
		if (++ctrl_a_held == SWITCH_PRESSES) {
			ctrl_a_held = 0;
			focus_next();
		}
		return;
	}
	for (; ctrl_a_held; ctrl_a_held--)
		deliver(CTRL_A);
	deliver(ch);
}

/* Moves what the serial line and the keyboard received to the guests, and
 * raises RV_IRQ_CONSOLE in each guest that got something. Interrupts
 * disabled. */
static void pump_input(void)
{
	int ch;

	while ((ch = serial_getc()) >= 0)
		input_byte((char)ch);
	while ((ch = keyboard_getc()) >= 0)
		input_byte((char)ch);
	if (!any_fresh)
		return;
	any_fresh = false;
	for (unsigned i = 0; i < MAX_MODULES; i++) {
		struct client *c = &clients[i];

		if (!c->fresh)
			continue;
		c->fresh = false;
		if (!c->g || !guest_alive(c->g))
			continue;
		if (c->g->input_hook && c->g->input_hook(c->g))
			continue;	/* a device took it */
		if (irq_raise(c->g, RV_IRQ_CONSOLE))
			guest_wake(c->g);
	}
}

/* Is input waiting for g? */
bool console_input_waiting(const struct guest *g)
{
	const struct client *c = client_of(g);

	return c->in_tail != c->in_head;
}

/* Up to len bytes of the input waiting for g, oldest first, without
 * looking for new input: for a device model, which is called from the
 * input pump itself. */
uint32_t console_input_take(struct guest *g, char *buf, uint32_t len)
{
	struct client *c = client_of(g);
	uint32_t n = 0;

	while (n < len && c->in_tail != c->in_head)
		buf[n++] = c->in[c->in_tail++ & (CONSOLE_IN_RING - 1)];
	return n;
}

/* Console input for the guest, from a hypercall: up to len bytes typed
 * while it had the focus, 0 when none waits. Its unfinished line shows
 * first: a guest reads when it waits for input. */
uint32_t console_guest_read(struct guest *g, char *buf, uint32_t len)
{
	console_guest_waits(g);
	pump_input();
	return console_input_take(g, buf, len);
}

/* From the run loop, interrupts disabled: hand new input to the guests. */
void console_input_poll(void)
{
	pump_input();
}

/* --- the monitor's side (core/monitor.c) ---------------------------------- */

/* take sees every input byte before the guests do and returns true for
 * those it keeps (the escape, and everything while its prompt is open).
 * Boot time, before the guests start. */
void console_set_monitor(bool (*take)(char ch))
{
	monitor_take = take;
}

/* The monitor's prompt line is now s[0..n): drawn at once, below
 * everything else, and drawn again after every later line of output until
 * console_prompt_close. Longer than CONSOLE_PROMPT_MAX - 1: cut. A key
 * typed costs the bytes it changes, not the whole line (a paste of a long
 * line must not hold interrupts off for a redraw per byte). Interrupts
 * disabled. */
void console_prompt_set(const char *s, size_t n)
{
	n = MIN(n, sizeof(prompt) - 1);
	/* What typing does, written as a terminal would echo it: the new
	 * characters, or one erased ("\b \b"); anything else is redrawn. */
	if (prompt_shown && n >= prompt_len && !memcmp(prompt, s, prompt_len)) {
		out_force(s + prompt_len, n - prompt_len, s + prompt_len, n - prompt_len);
		memcpy(prompt + prompt_len, s + prompt_len, n - prompt_len);
		prompt_len = (uint32_t)n;
		return;
	}
	if (prompt_shown && n + 1 == prompt_len && !memcmp(prompt, s, n)) {
		out_force("\b \b", 3, "\b \b", 3);
		prompt_len = (uint32_t)n;
		return;
	}
	prompt_erase();
	memcpy(prompt, s, n);
	prompt_len = (uint32_t)n;
	prompt_draw();
}

/* The prompt line as it is shown stays on the screen, ended by a newline
 * (a command was entered); the next console_prompt_set draws a new one. */
void console_prompt_keep(void)
{
	if (prompt_shown)
		out_force("\n", 1, "\n", 1);
	prompt_shown = false;
	prompt_len = 0;
}

/* No prompt any more: it leaves the screen. */
void console_prompt_close(void)
{
	prompt_erase();
	prompt_len = 0;
}

/* Input goes to g from now on (the monitor's `console NAME`). */
void console_focus(struct guest *g)
{
	focus_slot = g->id;
	announce(client_of(g));
}

/* The byte goes to the guest with the focus as if typed (the monitor's
 * escape typed twice sends the escape itself). */
void console_deliver(char ch)
{
	deliver(ch);
}
