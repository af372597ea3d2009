/* The smallest useful guest: greets with its arguments and the wall clock,
 * then sleeps on a 1 ms one-shot timer and reports that it woke. */
#include "rv.h"

#define SLEEP_NS 1000000u       /* 1 ms */

int main(int argc, char **argv)
{
	struct lguest_timespec now;

	rv_wallclock(&now);
	rv_printf("hello from a Ringvisor guest, argc = %d\n", argc);
	for (int i = 0; i < argc; i++)
		rv_printf("  argv[%d] = \"%s\"\n", i, argv[i]);
	rv_printf("wall clock: %u.%09u s since 1970\n", (uint32_t)now.tv_sec,
		  (uint32_t)now.tv_nsec);

	uint64_t start = rv_time_ns();

	rv_sleep_ns(SLEEP_NS);

	rv_printf("woke from the timer after %llu ns\n", rv_time_ns() - start);
	return 0;
}
