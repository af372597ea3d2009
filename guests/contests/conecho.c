/* Console input, echoed: says it is ready, then sleeps until RV_IRQ_CONSOLE
 * and reads; every line typed (ended by CR or LF) comes back as
 * "got: LINE", control characters shown as ^X. The line "quit" ends it. */
#include "rv.h"

#define ECHO_LINE_MAX 120

static volatile uint32_t console_irqs;

static void on_console(struct rv_regs *regs)
{
	(void)regs;
	console_irqs++;
}

/* The line with control characters made visible. */
static void report(const char *line, uint32_t len)
{
	char out[2 * ECHO_LINE_MAX + 1];
	uint32_t n = 0;

	for (uint32_t i = 0; i < len; i++) {
		char c = line[i];
		if ((unsigned char)c < 0x20 || c == 0x7F) {
			out[n++] = '^';
			out[n++] = c == 0x7F ? '?' : (char)(c + '@');
		} else {
			out[n++] = c;
		}
	}
	out[n] = '\0';
	rv_printf("got: %s\n", out);
}

int main(int argc, char **argv)
{
	char line[ECHO_LINE_MAX];
	uint32_t len = 0;

	(void)argc, (void)argv;
	if (rv_set_irq_handler(RV_IRQ_CONSOLE, on_console) < 0)
		rv_fatal("no handler for the console IRQ");
	rv_puts("conecho ready\n");
	for (;;) {
		char buf[16];

		/* Read with interrupts off, halt if nothing came: input that
		 * arrives in between makes the halt return at once. */
		rv_irq_disable();
		uint32_t n = rv_console_read(buf, sizeof(buf));
		if (n == 0) {
			rv_halt();
			continue;
		}
		rv_irq_enable();
		for (uint32_t i = 0; i < n; i++) {
			char c = buf[i];
			if (c != '\r' && c != '\n') {
				if (len < ECHO_LINE_MAX)
					line[len++] = c;
				continue;
			}
			if (len == 0)
				continue;	/* the LF of a CR LF */
			report(line, len);
			if (len == 4 && !memcmp(line, "quit", 4))
				return 0;
			len = 0;
		}
	}
}
