/* The guest OS's checks: one PASS or FAIL line each, and the count of
 * failures its verdict rests on. The bottom of the kernel: every other
 * file reports through it. */
#include "os.h"

static int failures;

int os_check(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rv_vcheck(name, ok, fmt, ap);
	va_end(ap);
	if (!ok)
		failures++;
	return ok;
}

/* A failure with no line of its own (an unexpected exit status). */
void os_fail(void)
{
	failures++;
}

int os_failures(void)
{
	return failures;
}
