/* The one way pure checkers (options, ELF images) report why they said no:
 * a formatted message into the caller's buffer, and -1. */
#include <lib/lib.h>

int errmsg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}
