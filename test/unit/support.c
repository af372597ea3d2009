/* Host stand-ins for what the hypervisor's own files provide to the pure
 * code under test: logging, ASSERT and panic (which fail the case), strlcpy. */
#include <lib/lib.h>
#include <lib/log.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include "harness.h"

int log_level = LOG_DEBUG;
char unit_last_log[256];
unsigned unit_log_count;

void log_printf(int level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(unit_last_log, sizeof(unit_last_log), fmt, ap);
	va_end(ap);
	unit_log_count++;
}

/* An ASSERT a case expects (CHECK_ASSERTS) returns there; any other fails
 * the running case, naming the assertion. */
void assert_fail(const char *expr, const char *file, int line, const char *func)
{
	jmp_buf *expected = unit_assert_jmp;

	if (expected) {
		unit_assert_jmp = NULL;
		longjmp(*expected, 1);
	}
	unit_fail(file, line, "ASSERT(%s) failed in %s", expr, func);
}

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	unit_fail("panic", 0, "%s", msg);
}

/* glibc before 2.38 has no strlcpy. Same contract as lib/string.c's. */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
