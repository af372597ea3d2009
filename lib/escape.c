/* Guest strings made safe to print: a message a guest hands over may hold
 * any byte, and the console must show it without being driven by it. */
#include <lib/lib.h>

void str_escape(char *dst, size_t size, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t out = 0;

	if (size == 0)
		return;
	for (; *src; src++) {
		unsigned char c = (unsigned char)*src;
		char e[5];
		size_t n = 0;

		if (c == '"' || c == '\\') {
			e[n++] = '\\';
			e[n++] = (char)c;
		} else if (c == '\n' || c == '\t' || c == '\r') {
			e[n++] = '\\';
			e[n++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
		} else if (c < 0x20 || c > 0x7E) {
			e[n++] = '\\';
			e[n++] = 'x';
			e[n++] = hex[c >> 4];
			e[n++] = hex[c & 0xF];
		} else {
			e[n++] = (char)c;
		}
		if (out + n >= size)
			break;		/* never half an escape */
		memcpy(dst + out, e, n);
		out += n;
	}
	dst[out] = '\0';
}
