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
		uint32_t ticks = rv_timer_ticks();
		rv_timer_oneshot(1000000);
		for (;;) {
			rv_irq_disable();
			if (rv_timer_ticks() != ticks)
				break;
			rv_halt();
		}
		rv_irq_enable();
	}
	return 0;
}
