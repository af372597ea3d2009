/* A CPU-bound guest for the scheduler's tests: it spins, counting loops,
 * until the wall clock (the TSC) passes `until` ns after boot-relative
 * start, then reports the count. Arguments: [until_ms] [irqoff|nohalt].
 *   irqoff: spin with the virtual IF off, never re-enabling it;
 *   forever: never stop (cpu_limit= or the scheduler must end it). */
#include "rv.h"

static uint32_t parse(const char *s)
{
	uint32_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint32_t)(*s++ - '0');
	return v;
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int main(int argc, char **argv)
{
	uint64_t until = (argc > 1 ? parse(argv[1]) : 100) * 1000000ull;
	int forever = 0;

	for (int i = 2; i < argc; i++) {
		if (streq(argv[i], "irqoff"))
			rv_irq_disable();
		if (streq(argv[i], "forever"))
			forever = 1;
	}
	uint64_t start = rv_time_ns();
	uint64_t loops = 0;
	while (forever || rv_time_ns() - start < until)
		loops++;
	rv_printf("spun %llu loops in %llu ms\n", loops, until / 1000000);
	return 0;
}
