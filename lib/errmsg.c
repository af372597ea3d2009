/* The one way pure checkers (options, ELF images) report why they said no:
 * a formatted message into the caller's buffer, and -1. */
#include <lib/lib.h>

/* buf (size bytes) holds a formatted text that wanted `wanted` characters:
 * if they did not all fit, its end says so. */
void errmsg_mark_cut(char *buf, size_t size, int wanted)
{
	size_t mark = sizeof(ERRMSG_CUT);	/* with its NUL */

	if (wanted < 0 || (size_t)wanted < size || size < mark)
		return;
	memcpy(buf + size - mark, ERRMSG_CUT, mark);
}

int errmsg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		int n = vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		errmsg_mark_cut(err, errlen, n);
	}
	return -1;
}
