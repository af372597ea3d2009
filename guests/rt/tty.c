/* The console's line discipline: echo and line editing in cooked mode, or
 * bytes as typed in raw mode. The guest's job, never the host's, as a
 * Linux guest's tty does it for itself (docs/console.md, "Cooked input").
 *
 * Input is taken from the host one byte at a time, so what is typed after
 * a finished line stays in the host's ring until it is wanted: a program
 * that switches to raw mode gets it as typed. The echo goes out with the
 * console's ordinary writes; the host shows it, unfinished line and all,
 * each time this file asks for the next byte. */
#include "rv.h"

#define CH_EOF    0x04		/* Ctrl-D */
#define CH_BS     0x08		/* Backspace as ^H */
#define CH_KILL   0x15		/* Ctrl-U */
#define CH_DEL    0x7F		/* Backspace as a serial terminal sends it */

static int raw_mode;

/* The line being typed, line[0..len); once finished (by Enter or Ctrl-D)
 * it is read out from line[off] until empty. */
static char line[RV_TTY_LINE_MAX];
static uint32_t len, off;
static int finished;

int rv_console_raw(int raw)
{
	int old = raw_mode;

	raw_mode = raw != 0;
	return old;
}

/* Waits until at least one byte of input is there and takes up to max.
 * The check and the halt run with interrupts off: the host enables them as
 * it puts the guest to sleep, so input arriving in between still wakes it. */
static uint32_t wait_input(char *buf, uint32_t max)
{
	uint32_t vector = LGUEST_IRQ_VECTOR_BASE + RV_IRQ_CONSOLE;
	uint32_t n, flags;

	if (!rv_handler_installed(vector))
		rv_set_irq_handler(RV_IRQ_CONSOLE, NULL);
	flags = rv_irq_save();
	while ((n = rv_console_read(buf, max)) == 0) {
		rv_halt();
		rv_irq_disable();
	}
	rv_irq_restore(flags);
	return n;
}

/* A control character echoes as ^X, two columns; Tab as itself. */
static int shown_as_caret(char c)
{
	return ((unsigned char)c < 0x20 && c != '\t') || c == CH_DEL;
}

static void echo_char(char c)
{
	char caret[2] = { '^', c == CH_DEL ? '?' : (char)(c + '@') };

	if (shown_as_caret(c))
		rv_console_write(caret, 2);
	else
		rv_console_write(&c, 1);
}

/* Erases the last character typed from the line and from the screen: one
 * UTF-8 character (its continuation bytes too), two columns for a ^X. */
static void erase_char(void)
{
	uint32_t columns;

	if (len == 0)
		return;
	while (len > 1 && ((unsigned char)line[len - 1] & 0xC0) == 0x80)
		len--;
	columns = shown_as_caret(line[--len]) ? 2 : 1;
	while (columns--)
		rv_console_write("\b \b", 3);
}

/* One typed byte in cooked mode. */
static void cook(char c)
{
	switch (c) {
	case '\r':
	case '\n':
		line[len++] = '\n';	/* room is always kept for it */
		rv_console_write("\n", 1);
		finished = 1;
		return;
	case CH_EOF:
		finished = 1;		/* len 0: the end of input */
		return;
	case CH_DEL:
	case CH_BS:
		erase_char();
		return;
	case CH_KILL:
		while (len > 0)
			erase_char();
		return;
	default:
		if (len >= RV_TTY_LINE_MAX - 1)
			return;		/* full: only the line's end is taken */
		line[len++] = c;
		echo_char(c);
	}
}

uint32_t rv_tty_read(void *buf, uint32_t max)
{
	uint32_t n;

	if (max == 0)
		return 0;
	if (raw_mode && !finished)
		return wait_input(buf, max);
	while (!finished) {
		char c;

		wait_input(&c, 1);
		cook(c);
	}
	n = len - off < max ? len - off : max;
	memcpy(buf, line + off, n);
	off += n;
	if (off == len)
		len = off = finished = 0;
	return n;
}
