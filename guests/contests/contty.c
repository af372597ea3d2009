/* Cooked and raw console input through the runtime's line discipline
 * (guests/rt/tty.c), for test/test_console.py. Prompts "cooked> " with no
 * newline and reports each line read as "got N: TEXT", control characters
 * shown as ^X (so the '\n' ending a line shows as ^J). The line "raw"
 * switches to raw mode: each read is then reported in hex, "raw: 68 0d",
 * until a 'q' arrives, and cooked mode comes back. The end of input
 * (Ctrl-D on an empty line) ends the guest with status 0.
 * With the argument "halt" it reads nothing: it writes "halting> ", sleeps
 * HALT_NS halted, then ends that line with "woke". */
#include "rv.h"

#define READ_MAX 64
#define HALT_NS  2000000000u

/* buf[0..n) with control characters made visible, as "got N: ...". */
static void report_cooked(const char *buf, uint32_t n)
{
	char out[2 * READ_MAX + 1];
	uint32_t k = 0;

	for (uint32_t i = 0; i < n; i++) {
		char c = buf[i];

		if ((unsigned char)c < 0x20 || c == 0x7F) {
			out[k++] = '^';
			out[k++] = c == 0x7F ? '?' : (char)(c + '@');
		} else {
			out[k++] = c;
		}
	}
	out[k] = '\0';
	rv_printf("got %u: %s\n", n, out);
}

static void report_raw(const char *buf, uint32_t n)
{
	rv_printf("raw:");
	for (uint32_t i = 0; i < n; i++)
		rv_printf(" %02x", (unsigned char)buf[i]);
	rv_printf("\n");
}

int main(int argc, char **argv)
{
	char buf[READ_MAX];

	if (argc > 1 && strlen(argv[1]) == 4 && memcmp(argv[1], "halt", 4) == 0) {
		rv_puts("halting> ");
		rv_sleep_ns(HALT_NS);
		rv_puts("woke\n");
		return 0;
	}
	for (;;) {
		rv_puts("cooked> ");
		uint32_t n = rv_tty_read(buf, sizeof(buf));

		if (n == 0) {
			rv_puts("\nend of input\n");
			return 0;
		}
		report_cooked(buf, n);
		if (n != 4 || memcmp(buf, "raw\n", 4) != 0)
			continue;

		int was_raw = rv_console_raw(1);
		int quit = 0;

		if (was_raw)
			rv_fatal("the console was raw already");
		while (!quit) {
			n = rv_tty_read(buf, sizeof(buf));
			report_raw(buf, n);
			for (uint32_t i = 0; i < n; i++)
				quit |= buf[i] == 'q';
		}
		if (!rv_console_raw(0))
			rv_fatal("the console was not raw");
	}
}
