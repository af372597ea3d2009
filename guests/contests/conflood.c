/* A console writer as fast as the guest can go: COUNT lines, each
 * "TAG NNNNN <WIDTH checkable letters>", one hypercall per line, then a
 * summary line. Arguments after `--`: TAG COUNT WIDTH. The test checks
 * that every line arrives intact, whole and in order. */
#include "rv.h"

#define WIDTH_MAX 1000

static uint32_t number(const char *s)
{
	uint32_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint32_t)(*s++ - '0');
	return v;
}

/* The payload of line n: letters that shift with n and position, so a
 * lost, doubled or misplaced byte shows. */
static char payload(uint32_t n, uint32_t i)
{
	return (char)('a' + (n + i) % 26);
}

int main(int argc, char **argv)
{
	static char line[WIDTH_MAX + 64];

	if (argc != 4)
		rv_fatal("usage: TAG COUNT WIDTH");
	const char *tag = argv[1];
	uint32_t count = number(argv[2]), width = number(argv[3]);
	uint64_t bytes = 0;

	if (width > WIDTH_MAX)
		rv_fatal("WIDTH above %u", WIDTH_MAX);
	for (uint32_t n = 0; n < count; n++) {
		int len = rv_snprintf(line, sizeof(line), "%s %05u ", tag, n);
		for (uint32_t i = 0; i < width; i++)
			line[len++] = payload(n, i);
		line[len++] = '\n';
		rv_console_write(line, (uint32_t)len);
		bytes += (uint32_t)len;
	}
	rv_printf("%s done: %u lines, %llu bytes\n", tag, count, bytes);
	return 0;
}
