/* Multiboot command-line tokenizer and the number parsers behind every
 * option: words, key=value pairs, quoted values, sizes and durations. */
#ifndef RV_LIB_CMDLINE_H
#define RV_LIB_CMDLINE_H

#include <types.h>

/*
 * One word of a command line, as slices of the original string (nothing is
 * copied, nothing is NUL-terminated). Words are separated by spaces and tabs.
 * A word is `key=value` (has_val set) or a bare `flag` (has_val clear, val
 * NULL). A value may be double-quoted, `key="a b"`: val then excludes the
 * quotes and may hold spaces. `malformed` is set for an unterminated quote or
 * for characters glued after the closing quote; the slices are then still
 * well defined (the value runs to the end of the word) so the caller can name
 * the word in its message.
 */
struct cmd_word {
	const char *text;	/* the whole word as written */
	size_t text_len;
	const char *key;	/* up to the first '=' (the whole word if none) */
	size_t key_len;
	const char *val;	/* after the '=', without quotes; NULL if none */
	size_t val_len;
	bool has_val;
	bool malformed;
};

/* cmdline.c */

/* Steps *cursor over the next word of a NUL-terminated line and describes it
 * in *w. Returns false, leaving *w untouched, when only blanks remain. Start
 * with *cursor at the line; a NULL *cursor reads as an empty line. */
bool cmdline_next(const char **cursor, struct cmd_word *w);

/* The rest of the line after *cursor with leading blanks skipped: what
 * follows a `--` word, handed on verbatim. Never NULL. */
const char *cmdline_rest(const char *cursor);

/* True if the word's key is exactly `key` (a NUL-terminated string). */
bool cmdline_key_is(const struct cmd_word *w, const char *key);

/* True if the value is present and exactly `s` (a NUL-terminated string). */
bool cmdline_val_is(const struct cmd_word *w, const char *s);

/* True if the word looks like a file name rather than an option: no '=' and
 * a '/' or '.' in it. QEMU starts the hypervisor's line with its image name
 * (GRUB does not), and every module string starts with its file name. */
bool cmdline_word_is_path(const struct cmd_word *w);

/* Parses s[0..len) as an unsigned number: decimal, or hex after "0x"/"0X".
 * Rejects an empty string, any other character, and overflow. Returns true
 * and sets *out only on success. */
bool parse_u64(const char *s, size_t len, uint64_t *out);

/* Parses a byte count: a decimal number with an optional suffix K, M, G or
 * KiB, MiB, GiB (case-insensitive, all powers of 1024). Rejects junk, an empty
 * number and overflow of 64 bits. */
bool parse_size(const char *s, size_t len, uint64_t *out);

/* Parses a duration into nanoseconds: a decimal number followed by a
 * required unit ns, us, ms or s (case-insensitive). Rejects a missing unit,
 * junk and overflow of 64 bits. */
bool parse_duration_ns(const char *s, size_t len, uint64_t *out);

#endif
