/* The guests' console. Output is collected per guest into its current line
 * and printed whole, as "[name] text", so lines from different guests never
 * mix; a line longer than CONSOLE_LINE_MAX is printed in pieces, each after
 * the first marked "[name]+". Input from the serial line goes to the guest
 * with the focus: for now the first guest started that is still alive. */
#include <arch/i386/arch.h>
#include <core/console.h>
#include <core/guest.h>
#include <core/log.h>
#include <core/run.h>
#include <lib/lib.h>
#include <traps/traps.h>

#define MAX_ATTACHED 64

static struct guest *attached[MAX_ATTACHED];

void console_attach(struct guest *g)
{
	for (unsigned i = 0; i < MAX_ATTACHED; i++)
		if (!attached[i]) {
			attached[i] = g;
			return;
		}
}

void console_detach(struct guest *g)
{
	for (unsigned i = 0; i < MAX_ATTACHED; i++)
		if (attached[i] == g)
			attached[i] = NULL;
}

static struct guest *focus(void)
{
	for (unsigned i = 0; i < MAX_ATTACHED; i++)
		if (attached[i] && guest_alive(attached[i]))
			return attached[i];
	return NULL;
}

static void emit_line(struct guest *g, bool continued)
{
	kprintf("[%s]%s %.*s\n", g->name, continued ? "+" : "", (int)g->line_len, g->line);
	g->line_len = 0;
}

/* Take len bytes of the guest's output. Returns how many were taken: all
 * of them, since a full line is printed at once. */
uint32_t console_guest_write(struct guest *g, const char *buf, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		char c = buf[i];
		if (c == '\n') {
			emit_line(g, g->line_continued);
			g->line_continued = false;
		} else if (c != '\r') {
			if (g->line_len == CONSOLE_LINE_MAX) {
				emit_line(g, g->line_continued);
				g->line_continued = true;
			}
			g->line[g->line_len++] = c;
		}
	}
	return len;
}

/* Print what is left of the guest's last line, when it ends. */
void console_flush_guest(struct guest *g)
{
	if (g->line_len)
		emit_line(g, g->line_continued);
	g->line_continued = false;
}

/* Console input for the guest: bytes from the serial line if it has the
 * focus, none otherwise. */
uint32_t console_guest_read(struct guest *g, char *buf, uint32_t len)
{
	uint32_t n = 0;
	int c;

	if (g != focus())
		return 0;
	while (n < len && (c = serial_getc()) >= 0)
		buf[n++] = (char)c;
	return n;
}

/* Raise the console interrupt in the focused guest while input waits. */
void console_input_poll(void)
{
	struct guest *g;

	if (serial_rx_pending() && (g = focus()) && irq_raise(g, RV_IRQ_CONSOLE))
		sched_wake(g);
}
