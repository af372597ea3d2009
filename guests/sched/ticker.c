/* A CPU-bound guest that shows its progress, for the monitor's tests
 * (test/test_monitor.py): it spins, counting loops, and every `period_ms`
 * of wall-clock time (the TSC) prints "tick N loops L", L the loops done
 * since the last tick. Paused, it prints nothing; its clock runs on, so
 * the first tick after a pause is due at once. Arguments: [period_ms]
 * [count] (0: for ever). */
#include "rv.h"

static uint32_t parse(const char *s)
{
	uint32_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint32_t)(*s++ - '0');
	return v;
}

int main(int argc, char **argv)
{
	uint64_t period = (argc > 1 ? parse(argv[1]) : 100) * 1000000ull;
	uint32_t count = argc > 2 ? parse(argv[2]) : 0;
	uint64_t next = rv_time_ns() + period;
	uint64_t loops = 0;

	for (uint32_t tick = 1; !count || tick <= count; ) {
		loops++;
		if (rv_time_ns() < next)
			continue;
		rv_printf("tick %u loops %llu\n", tick++, loops);
		loops = 0;
		next = rv_time_ns() + period;
	}
	return 0;
}
