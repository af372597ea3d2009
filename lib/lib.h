/* The freestanding C library of the hypervisor: memory and string
 * functions, and printf-style formatting. */
#ifndef RV_LIB_H
#define RV_LIB_H

#include <types.h>

/* string.c */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);

/* format.c: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' '+' ' ' '#',
 * width and precision (also '*'), length modifiers hh h l ll z. Always
 * NUL-terminates when size > 0; returns the length it wanted. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
/* The same conversions streamed: sink(ctx, piece, n) gets the output in
 * pieces of at most 128 bytes, in order, so no length cuts it. Returns the
 * length written. */
typedef void (*format_sink_t)(void *ctx, const char *s, size_t n);
int vformat(format_sink_t sink, void *ctx, const char *fmt, va_list ap);
int format_to(format_sink_t sink, void *ctx, const char *fmt, ...) __printf(3, 4);

/* errmsg.c: format the reason into err (when errlen > 0); returns -1. A
 * reason too long for err ends in ERRMSG_CUT, so a cut is never silent. */
#define ERRMSG_CUT "... [cut]"
int errmsg(char *err, size_t errlen, const char *fmt, ...) __printf(3, 4);
void errmsg_mark_cut(char *buf, size_t size, int wanted);

/* escape.c: guest-controlled bytes made safe to print (docs/console.md,
 * "Output integrity"). str_escape copies the NUL-terminated src into
 * dst[0..size), NUL-terminated, with '"' and '\\' backslash-escaped,
 * newline, tab and CR as \n \t \r, and every other byte outside printable
 * ASCII as \xNN; cut short only between whole escapes. For a guest's string
 * printed inside quotes. str_escape_n does n bytes in either mode (ESC_LINE
 * keeps tabs, '"' and '\\' as they are: text behind a "[name]" prefix);
 * str_escape_line is ESC_LINE keeping a backspace that stays within the
 * guest's own text, *col being the columns its output has advanced on its
 * line. Both return the length written. */
enum esc_mode { ESC_LINE, ESC_QUOTED };
void str_escape(char *dst, size_t size, const char *src);
size_t str_escape_n(char *dst, size_t size, const char *src, size_t n, enum esc_mode mode);
size_t str_escape_line(char *dst, size_t size, const char *src, size_t n, uint32_t *col);

#endif
