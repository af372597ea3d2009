/* Unit tests of lib/cmdline.c: the word tokenizer, quoting, path detection
 * and the number, size and duration parsers. */
#include <string.h>
#include <lib/cmdline.h>
#include "harness.h"

/* The slice [s, s+len) equals want. */
static bool slice_eq(const char *s, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(s, want, len) == 0;
}

static void cmdline_splits_words(void)
{
	const char *cur = "  a=1\tflag   b=two  ";
	struct cmd_word w;

	CHECK(cmdline_next(&cur, &w));
	CHECK(slice_eq(w.key, w.key_len, "a") && w.has_val);
	CHECK(slice_eq(w.val, w.val_len, "1"));
	CHECK(slice_eq(w.text, w.text_len, "a=1"));
	CHECK(cmdline_next(&cur, &w));
	CHECK(slice_eq(w.key, w.key_len, "flag"));
	CHECK(!w.has_val && w.val == NULL && w.val_len == 0);
	CHECK(cmdline_next(&cur, &w));
	CHECK(cmdline_key_is(&w, "b") && cmdline_val_is(&w, "two"));
	CHECK(!w.malformed);
	CHECK(!cmdline_next(&cur, &w));
	CHECK(!cmdline_next(&cur, &w));	/* stays at the end */
}

static void cmdline_empty_lines(void)
{
	const char *cur = "";
	struct cmd_word w;

	CHECK(!cmdline_next(&cur, &w));
	cur = " \t  ";
	CHECK(!cmdline_next(&cur, &w));
	cur = NULL;
	CHECK(!cmdline_next(&cur, &w));
}

static void cmdline_quoted_values(void)
{
	const char *cur = "name=\"a b\tc\" x=\"\" y=plain";
	struct cmd_word w;

	CHECK(cmdline_next(&cur, &w));
	CHECK(cmdline_key_is(&w, "name") && cmdline_val_is(&w, "a b\tc"));
	CHECK(slice_eq(w.text, w.text_len, "name=\"a b\tc\""));
	CHECK(!w.malformed);
	CHECK(cmdline_next(&cur, &w));
	CHECK(cmdline_key_is(&w, "x") && w.has_val && w.val_len == 0);
	CHECK(!w.malformed);
	CHECK(cmdline_next(&cur, &w));
	CHECK(cmdline_val_is(&w, "plain"));
}

static void cmdline_bad_quotes(void)
{
	const char *cur = "a=\"x\"y b=2";
	struct cmd_word w;

	CHECK(cmdline_next(&cur, &w));
	CHECK(cmdline_key_is(&w, "a") && w.malformed);
	CHECK(cmdline_next(&cur, &w));	/* the next word is intact */
	CHECK(cmdline_val_is(&w, "2") && !w.malformed);

	cur = "a=\"never closed";
	CHECK(cmdline_next(&cur, &w));
	CHECK(w.malformed && slice_eq(w.val, w.val_len, "never closed"));
	CHECK(!cmdline_next(&cur, &w));
}

static void cmdline_empty_value_and_key(void)
{
	const char *cur = "k= =v";
	struct cmd_word w;

	CHECK(cmdline_next(&cur, &w));
	CHECK(cmdline_key_is(&w, "k") && w.has_val && w.val_len == 0);
	CHECK(cmdline_next(&cur, &w));
	CHECK(w.key_len == 0 && cmdline_val_is(&w, "v"));
	/* Only the first '=' splits. */
	cur = "a=b=c";
	CHECK(cmdline_next(&cur, &w));
	CHECK(cmdline_key_is(&w, "a") && cmdline_val_is(&w, "b=c"));
}

static void cmdline_rest_after_dashes(void)
{
	const char *cur = "x.elf mem=1M --   guest  args=\"q\" -v ";
	struct cmd_word w;

	CHECK(cmdline_next(&cur, &w));
	CHECK(cmdline_next(&cur, &w));
	CHECK(cmdline_next(&cur, &w));
	CHECK(cmdline_key_is(&w, "--"));
	CHECK_STR(cmdline_rest(cur), "guest  args=\"q\" -v ");
	CHECK_STR(cmdline_rest(NULL), "");
}

static void cmdline_paths(void)
{
	static const struct { const char *word; bool path; } t[] = {
		{ "/boot/ringvisor.elf", true }, { "hello.elf", true },
		{ "build/guests/x", true }, { "quiet", false },
		{ "mem=1M", false }, { "name=a.b", false }, { "a=/x", false },
		{ "--", false },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *cur = t[i].word;
		struct cmd_word w;

		CHECK(cmdline_next(&cur, &w));
		if (cmdline_word_is_path(&w) != t[i].path)
			unit_fail(__FILE__, __LINE__, "is_path(%s) != %d",
				  t[i].word, t[i].path);
	}
}

static bool u64(const char *s, uint64_t *v)
{
	return parse_u64(s, strlen(s), v);
}

static void parse_u64_accepts(void)
{
	uint64_t v;

	CHECK(u64("0", &v) && v == 0);
	CHECK(u64("42", &v) && v == 42);
	CHECK(u64("0x1F", &v) && v == 31);
	CHECK(u64("0XfF", &v) && v == 255);
	CHECK(u64("007", &v) && v == 7);
	CHECK(u64("18446744073709551615", &v) && v == UINT64_MAX);
	CHECK(u64("0xffffffffffffffff", &v) && v == UINT64_MAX);
	/* Only len characters are read. */
	CHECK(parse_u64("123xyz", 3, &v) && v == 123);
}

static void parse_u64_rejects(void)
{
	static const char *const bad[] = {
		"", "x", "12a", "0x", "0xg", "-1", "+1", " 1", "1 ", "1.0",
		"18446744073709551616", "99999999999999999999",
		"0x10000000000000000",
	};
	uint64_t v = 12345;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (u64(bad[i], &v))
			unit_fail(__FILE__, __LINE__, "parse_u64 accepted '%s'", bad[i]);
	CHECK(v == 12345);	/* untouched on failure */
	CHECK(!parse_u64("5", 0, &v));
}

static bool size(const char *s, uint64_t *v)
{
	return parse_size(s, strlen(s), v);
}

static void parse_size_suffixes(void)
{
	uint64_t v;

	CHECK(size("4096", &v) && v == 4096);
	CHECK(size("4K", &v) && v == 4096);
	CHECK(size("4k", &v) && v == 4096);
	CHECK(size("4KiB", &v) && v == 4096);
	CHECK(size("4kib", &v) && v == 4096);
	CHECK(size("16M", &v) && v == 16ull << 20);
	CHECK(size("16MiB", &v) && v == 16ull << 20);
	CHECK(size("16mIb", &v) && v == 16ull << 20);
	CHECK(size("1G", &v) && v == 1ull << 30);
	CHECK(size("3GiB", &v) && v == 3ull << 30);
	CHECK(size("0x10M", &v) && v == 16ull << 20);
	CHECK(size("0K", &v) && v == 0);
	CHECK(size("17179869183G", &v) && v == 17179869183ull << 30);
}

static void parse_size_rejects(void)
{
	static const char *const bad[] = {
		"", "K", "M", "KiB", "4KB", "4Ki", "4 K", "4T", "1.5M", "4KiBx",
		"-4K", "4g4", "17179869184G", "18014398509481984K",
		"18446744073709551616",
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (size(bad[i], &v))
			unit_fail(__FILE__, __LINE__, "parse_size accepted '%s'", bad[i]);
}

static bool dur(const char *s, uint64_t *v)
{
	return parse_duration_ns(s, strlen(s), v);
}

static void parse_duration_units(void)
{
	uint64_t v;

	CHECK(dur("250ns", &v) && v == 250);
	CHECK(dur("100us", &v) && v == 100000);
	CHECK(dur("10ms", &v) && v == 10000000);
	CHECK(dur("1s", &v) && v == 1000000000);
	CHECK(dur("2S", &v) && v == 2000000000);
	CHECK(dur("5MS", &v) && v == 5000000);
	CHECK(dur("18446744073s", &v) && v == 18446744073000000000ull);
}

static void parse_duration_rejects(void)
{
	static const char *const bad[] = {
		"", "10", "ms", "10m", "10 ms", "10sec", "1.5s", "10msx", "-1s",
		"18446744074s", "18446744073709552ms",
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (dur(bad[i], &v))
			unit_fail(__FILE__, __LINE__, "parse_duration_ns accepted '%s'",
				  bad[i]);
}

const struct unit_case cmdline_cases[] = {
	UNIT_CASE(cmdline_splits_words),
	UNIT_CASE(cmdline_empty_lines),
	UNIT_CASE(cmdline_quoted_values),
	UNIT_CASE(cmdline_bad_quotes),
	UNIT_CASE(cmdline_empty_value_and_key),
	UNIT_CASE(cmdline_rest_after_dashes),
	UNIT_CASE(cmdline_paths),
	UNIT_CASE(parse_u64_accepts),
	UNIT_CASE(parse_u64_rejects),
	UNIT_CASE(parse_size_suffixes),
	UNIT_CASE(parse_size_rejects),
	UNIT_CASE(parse_duration_units),
	UNIT_CASE(parse_duration_rejects),
	UNIT_END
};
