/* A bystander for the isolation and scheduling tests: prints a fixed,
 * numbered sequence of lines with a timer sleep between them, so its output
 * is the same byte for byte whatever else runs. Arguments: [lines]. */
#include "rv.h"

int main(int argc, char **argv)
{
	uint32_t lines = 20;

	if (argc > 1) {
		lines = 0;
		for (const char *s = argv[1]; *s >= '0' && *s <= '9'; s++)
			lines = lines * 10 + (uint32_t)(*s - '0');
	}
	for (uint32_t i = 1; i <= lines; i++) {
		rv_printf("bystander line %u of %u: the quick brown fox\n", i, lines);
		rv_sleep_ns(1000000);
	}
	return 0;
}
