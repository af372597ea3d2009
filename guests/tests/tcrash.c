/* Test guest: ways of ending that the pytest side pins, next to guests
 * that must go on: an exception the runtime does not handle (exit
 * 128 + vector), and HC_SHUTDOWN with a message. The argument picks. */
#include "tlib.h"

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	rv_printf("about to end: %s\n", c);
	if (c[0] == 'd') {                      /* "de": divide by zero */
		__asm__ volatile("xorl %%ecx, %%ecx\n\txorl %%edx, %%edx\n\t"
				 "movl $1, %%eax\n\tdivl %%ecx"
				 ::: "eax", "ecx", "edx", "cc");
	} else if (c[0] == 'u') {               /* "ud": ud2 */
		__asm__ volatile("ud2");
	} else if (c[0] == 's') {               /* "shutdown" */
		rv_shutdown("tcrash says goodbye");
	}
	rv_printf("still here\n");
	return 1;
}
