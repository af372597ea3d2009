/* Printing bytes a guest controls: anything that could end a line, move
 * the cursor or start a terminal escape becomes a visible escape, so that
 * no guest text can pose as a line of the hypervisor's (docs/console.md,
 * "Output integrity"). */
#include <lib/lib.h>

/* Appends s[0..n) at dst + *at if it fits with room for the NUL; false if
 * not. */
static bool put(char *dst, size_t size, size_t *at, const char *s, size_t n)
{
	if (*at + n >= size)
		return false;
	memcpy(dst + *at, s, n);
	*at += n;
	return true;
}

/* Escapes n bytes of src into dst (size bytes, always NUL-terminated when
 * size > 0): printable ASCII is kept; '\n', '\r' and '\t' become "\n",
 * "\r", "\t" (a tab is kept as it is in ESC_LINE); every other byte below
 * 0x20, DEL and every byte from 0x80 become "\xNN" (so no UTF-8 line
 * separator or C1 control survives either). With ESC_QUOTED, '\\' and '"'
 * are backslash-escaped so the text cannot close its quotes. With col
 * (ESC_LINE only), a backspace is kept as it is while it moves the cursor
 * back over the guest's own text: *col counts the columns the guest's
 * output has advanced on its line, and a backspace with *col = 0 (it would
 * reach into the "[name]" prefix) is escaped. Output that does not fit is
 * cut at an escape's boundary. Returns the length written. */
static size_t escape(char *dst, size_t size, const char *src, size_t n, enum esc_mode mode,
		     uint32_t *col)
{
	static const char hex[] = "0123456789abcdef";
	size_t at = 0;

	if (!size)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		char e[4] = { '\\', 0, 0, 0 };
		size_t len = 2;

		if (c == '\b' && col && *col) {
			e[0] = '\b';
			len = 1;
		} else if (c == '\t' && mode == ESC_LINE) {
			e[0] = '\t';
			len = 1;
		} else if (c == '\n') {
			e[1] = 'n';
		} else if (c == '\r') {
			e[1] = 'r';
		} else if (c == '\t') {
			e[1] = 't';
		} else if (mode == ESC_QUOTED && (c == '\\' || c == '"')) {
			e[1] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			e[1] = 'x';
			e[2] = hex[c >> 4];
			e[3] = hex[c & 15];
			len = 4;
		} else {
			e[0] = (char)c;
			len = 1;
		}
		if (!put(dst, size, &at, e, len))
			break;
		if (col && e[0] == '\b')
			(*col)--;
		else if (col)
			*col += (uint32_t)len;
	}
	dst[at] = '\0';
	return at;
}

void str_escape(char *dst, size_t size, const char *src)
{
	escape(dst, size, src, strlen(src), ESC_QUOTED, NULL);
}

size_t str_escape_n(char *dst, size_t size, const char *src, size_t n, enum esc_mode mode)
{
	return escape(dst, size, src, n, mode, NULL);
}

size_t str_escape_line(char *dst, size_t size, const char *src, size_t n, uint32_t *col)
{
	return escape(dst, size, src, n, ESC_LINE, col);
}
