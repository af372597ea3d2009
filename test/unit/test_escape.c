/* Unit tests of lib/escape.c: no guest byte that could end a line or start
 * a terminal escape comes out raw, and quoted text cannot close its quotes. */
#include <string.h>
#include <lib/lib.h>
#include "harness.h"

static bool esc_is(const char *src, size_t n, enum esc_mode m, const char *want)
{
	char out[256];
	size_t len = str_escape_n(out, sizeof(out), src, n, m);

	return len == strlen(want) && strcmp(out, want) == 0;
}

static void escape_line_breaks_and_terminal_codes(void)
{
	CHECK(esc_is("a\nringvisor: x", 14, ESC_LINE, "a\\nringvisor: x"));
	CHECK(esc_is("\r\x1b[2K\x0b\x0c", 7, ESC_LINE, "\\r\\x1b[2K\\x0b\\x0c"));
	CHECK(esc_is("\xc2\x85\xe2\x80\xa8", 5, ESC_LINE, "\\xc2\\x85\\xe2\\x80\\xa8"));
	CHECK(esc_is("nul\0del\x7f", 8, ESC_LINE, "nul\\x00del\\x7f"));
	CHECK(esc_is("tab\there \\ \"q\"", 14, ESC_LINE, "tab\there \\ \"q\""));
}

static void escape_quoted(void)
{
	CHECK(esc_is("say \"hi\" \\ \t", 12, ESC_QUOTED, "say \\\"hi\\\" \\\\ \\t"));
	CHECK(esc_is("", 0, ESC_QUOTED, ""));
}

static void escape_never_cuts_an_escape(void)
{
	char out[6];

	/* "ab" fits, "\x1b" (4) would need 7 with the NUL */
	CHECK(str_escape_n(out, sizeof(out), "ab\x1b", 3, ESC_LINE) == 2);
	CHECK(strcmp(out, "ab") == 0);
	CHECK(str_escape_n(out, 1, "abc", 3, ESC_LINE) == 0 && out[0] == '\0');
	for (unsigned c = 0; c < 256; c++) {
		char in = (char)c, big[8];
		size_t n = str_escape_n(big, sizeof(big), &in, 1, ESC_LINE);
		for (size_t i = 0; i < n; i++)
			CHECK(big[i] == '\t' || (big[i] >= 0x20 && big[i] < 0x7f));
	}
}

/* A backspace may erase the guest's own text, never its prefix. */
static void escape_backspace_within_own_text(void)
{
	char out[64];
	uint32_t col = 0;

	str_escape_line(out, sizeof(out), "ab\b\b\b", 5, &col);
	CHECK(strcmp(out, "ab\b\b\\x08") == 0);
	CHECK(col == 4);
	col = 1;				/* an open line: one column shown */
	str_escape_line(out, sizeof(out), "\b\b", 2, &col);
	CHECK(strcmp(out, "\b\\x08") == 0);
	CHECK(str_escape_n(out, sizeof(out), "a\b", 2, ESC_LINE) == 5);	/* no col: escaped */
}

const struct unit_case escape_cases[] = {
	UNIT_CASE(escape_backspace_within_own_text),
	UNIT_CASE(escape_line_breaks_and_terminal_codes),
	UNIT_CASE(escape_quoted),
	UNIT_CASE(escape_never_cuts_an_escape),
	UNIT_END
};
