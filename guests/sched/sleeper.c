/* A guest that sleeps on its timer: N one-shots of `period` microseconds,
 * each waited for with HC_HALT, and reports how late the latest one came
 * (from the deadline to the handler's first look at the clock) and how
 * much CPU it took. Arguments: [count] [period_us]. */
#include "rv.h"

static uint32_t parse(const char *s)
{
	uint32_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint32_t)(*s++ - '0');
	return v;
}

static volatile uint64_t woke_at;

static void on_tick(struct rv_regs *r)
{
	(void)r;
	woke_at = rv_time_ns();
}

int main(int argc, char **argv)
{
	uint32_t count = argc > 1 ? parse(argv[1]) : 20;
	uint32_t period_us = argc > 2 ? parse(argv[2]) : 1000;
	uint64_t worst = 0, total = 0;

	rv_set_timer_hook(on_tick);
	for (uint32_t i = 0; i < count; i++) {
		uint64_t deadline = rv_time_ns() + period_us * 1000ull;
		rv_sleep_ns(period_us * 1000u);
		uint64_t late = woke_at > deadline ? woke_at - deadline : 0;
		total += late;
		if (late > worst)
			worst = late;
	}
	rv_printf("timer: %u one-shots of %u us, latest %llu us late, mean %llu us\n",
		  count, period_us, worst / 1000, total / count / 1000);
	return 0;
}
