/* Multiboot command-line tokenizer and the number parsers behind every
 * option. Pure logic: compiled into the hypervisor and into the host tests. */
#include <lib/cmdline.h>
#include <lib/lib.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

bool cmdline_next(const char **cursor, struct cmd_word *w)
{
	const char *p = *cursor;

	if (!p)
		return false;
	while (is_blank(*p))
		p++;
	if (*p == '\0') {
		*cursor = p;
		return false;
	}

	struct cmd_word out = { .text = p, .key = p };

	while (*p && !is_blank(*p) && *p != '=')
		p++;
	out.key_len = (size_t)(p - out.key);

	if (*p == '=') {
		p++;
		out.has_val = true;
		if (*p == '"') {
			/* A quoted value runs to the next quote, blanks and all. */
			out.val = ++p;
			while (*p && *p != '"')
				p++;
			out.val_len = (size_t)(p - out.val);
			if (*p == '"')
				p++;
			else
				out.malformed = true;
			/* `key="a"b` is not a word we can make sense of. */
			if (*p && !is_blank(*p)) {
				out.malformed = true;
				while (*p && !is_blank(*p))
					p++;
				out.val_len = (size_t)(p - out.val);
			}
		} else {
			out.val = p;
			while (*p && !is_blank(*p))
				p++;
			out.val_len = (size_t)(p - out.val);
		}
	}
	out.text_len = (size_t)(p - out.text);
	*cursor = p;
	*w = out;
	return true;
}

const char *cmdline_rest(const char *cursor)
{
	if (!cursor)
		return "";
	while (is_blank(*cursor))
		cursor++;
	return cursor;
}

static bool slice_is(const char *s, size_t len, const char *want)
{
	return strlen(want) == len && strncmp(s, want, len) == 0;
}

bool cmdline_key_is(const struct cmd_word *w, const char *key)
{
	return slice_is(w->key, w->key_len, key);
}

bool cmdline_val_is(const struct cmd_word *w, const char *s)
{
	return w->has_val && slice_is(w->val, w->val_len, s);
}

bool cmdline_word_is_path(const struct cmd_word *w)
{
	if (w->has_val)
		return false;
	for (size_t i = 0; i < w->key_len; i++)
		if (w->key[i] == '/' || w->key[i] == '.')
			return true;
	return false;
}

static char to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive: is s[0..len) exactly `want` (lower case)? */
static bool slice_is_nocase(const char *s, size_t len, const char *want)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (want[i] == '\0' || to_lower(s[i]) != want[i])
			return false;
	return want[i] == '\0';
}

static int digit_value(char c, unsigned base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return v < (int)base ? v : -1;
}

/*
 * Reads the longest number at the start of s[0..len): decimal, or hex after
 * "0x". Sets *used to the characters consumed. Fails on no digits at all and
 * on overflow; what follows the number is the caller's business.
 */
static bool scan_number(const char *s, size_t len, uint64_t *out, size_t *used)
{
	unsigned base = 10;
	size_t i = 0, first;
	uint64_t v = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    digit_value(s[2], 16) >= 0) {
		base = 16;
		i = 2;
	}
	first = i;
	for (; i < len; i++) {
		int d = digit_value(s[i], base);

		if (d < 0)
			break;
		/* v * base + d must stay within 64 bits. */
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	if (i == first)
		return false;
	*out = v;
	*used = i;
	return true;
}

bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v;
	size_t used;

	if (!scan_number(s, len, &v, &used) || used != len)
		return false;
	*out = v;
	return true;
}

/* Multiplies with an overflow check; false if v * mul exceeds 64 bits. */
static bool scale(uint64_t v, uint64_t mul, uint64_t *out)
{
	if (mul != 0 && v > UINT64_MAX / mul)
		return false;
	*out = v * mul;
	return true;
}

bool parse_size(const char *s, size_t len, uint64_t *out)
{
	static const struct { const char *name; unsigned shift; } suffix[] = {
		{ "",  0 },
		{ "k", 10 }, { "kib", 10 },
		{ "m", 20 }, { "mib", 20 },
		{ "g", 30 }, { "gib", 30 },
	};
	uint64_t v;
	size_t used;

	if (!scan_number(s, len, &v, &used))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(suffix); i++)
		if (slice_is_nocase(s + used, len - used, suffix[i].name))
			return scale(v, (uint64_t)1 << suffix[i].shift, out);
	return false;
}

bool parse_duration_ns(const char *s, size_t len, uint64_t *out)
{
	static const struct { const char *name; uint64_t ns; } unit[] = {
		{ "ns", 1 },
		{ "us", 1000 },
		{ "ms", 1000000 },
		{ "s",  1000000000 },
	};
	uint64_t v;
	size_t used;

	if (!scan_number(s, len, &v, &used))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(unit); i++)
		if (slice_is_nocase(s + used, len - used, unit[i].name))
			return scale(v, unit[i].ns, out);
	return false;
}
