/* A small printf for guests: formats into a buffer or onto the console.
 * Conversions: %d %i %u %x %X %s %c %p %%; flags '0' and '-'; a width; the
 * sizes l (32 bits, as int here) and ll (64 bits). */
#include "rv.h"

/* Where formatted characters go: a bounded buffer, flushed to the console
 * when full if to_console is set. len counts every character produced. */
struct sink {
	char *buf;
	size_t size;
	size_t used;
	size_t len;
	int to_console;
};

static void put(struct sink *s, char c)
{
	if (s->used < s->size) {
		s->buf[s->used++] = c;
	} else if (s->to_console) {
		rv_console_write(s->buf, s->used);
		s->buf[0] = c;
		s->used = 1;
	}
	s->len++;
}

static void put_padding(struct sink *s, char c, int n)
{
	while (n-- > 0)
		put(s, c);
}

/* One field: text of length n, padded to width on the left (with spaces,
 * or zeros after any sign) or on the right when left-justified. */
static void put_field(struct sink *s, const char *text, int n, int width,
		      int zero, int left, int negative)
{
	int pad = width - n - negative;

	if (negative && zero)
		put(s, '-');
	if (!left)
		put_padding(s, zero ? '0' : ' ', pad);
	if (negative && !zero)
		put(s, '-');
	for (int i = 0; i < n; i++)
		put(s, text[i]);
	if (left)
		put_padding(s, ' ', pad);
}

/* Digits of v in base (10 or 16), most significant first, into buf[24]. */
static int format_number(char *buf, uint64_t v, unsigned int base, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v != 0);
	while (n > 0)
		buf[len++] = tmp[--n];
	return len;
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%') {
			put(s, *fmt);
			continue;
		}

		int zero = 0, left = 0, width = 0, size = 0;

		for (fmt++; *fmt == '0' || *fmt == '-'; fmt++) {
			if (*fmt == '0')
				zero = 1;
			else
				left = 1;
		}
		if (left)
			zero = 0;
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l'; fmt++)
			size++;

		char buf[24];
		uint64_t u;
		int64_t d;
		const char *str;

		switch (*fmt) {
		case 'd':
		case 'i':
			d = size >= 2 ? va_arg(ap, int64_t) : va_arg(ap, int32_t);
			u = d < 0 ? -(uint64_t)d : (uint64_t)d;
			put_field(s, buf, format_number(buf, u, 10, 0), width,
				  zero, left, d < 0);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = size >= 2 ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t);
			put_field(s, buf,
				  format_number(buf, u, *fmt == 'u' ? 10 : 16,
						*fmt == 'X'),
				  width, zero, left, 0);
			break;
		case 'p':
			put(s, '0');
			put(s, 'x');
			u = (uintptr_t)va_arg(ap, void *);
			put_field(s, buf, format_number(buf, u, 16, 0), 8, 1,
				  0, 0);
			break;
		case 's':
			str = va_arg(ap, const char *);
			if (str == NULL)
				str = "(null)";
			put_field(s, str, (int)strlen(str), width, 0, left, 0);
			break;
		case 'c':
			buf[0] = (char)va_arg(ap, int);
			put_field(s, buf, 1, width, 0, left, 0);
			break;
		case '%':
			put(s, '%');
			break;
		case '\0':
			return;         /* a lone '%' at the end */
		default:                /* unknown: show it as written */
			put(s, '%');
			put(s, *fmt);
			break;
		}
	}
}

int rv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { .buf = buf, .size = size ? size - 1 : 0 };

	format(&s, fmt, ap);
	if (size > 0)
		buf[s.used] = '\0';
	return (int)s.len;
}

int rv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Output goes out in chunks of the buffer's size: one hypercall for a
 * typical line. */
int rv_vprintf(const char *fmt, va_list ap)
{
	char buf[128];
	struct sink s = { .buf = buf, .size = sizeof(buf), .to_console = 1 };

	format(&s, fmt, ap);
	rv_console_write(buf, s.used);
	return (int)s.len;
}

int rv_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rv_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int rv_vcheck(const char *name, int ok, const char *fmt, va_list ap)
{
	rv_printf("%s %s", ok ? "PASS" : "FAIL", name);
	if (fmt && fmt[0]) {
		rv_puts(ok ? " (" : ": ");
		rv_vprintf(fmt, ap);
		if (ok)
			rv_puts(")");
	}
	rv_puts("\n");
	return ok;
}

/* A runtime error: the message on the console, then the exit with
 * RV_STATUS_RUNTIME_ERROR. */
void rv_fatal(const char *fmt, ...)
{
	va_list ap;

	rv_puts("rv: ");
	va_start(ap, fmt);
	rv_vprintf(fmt, ap);
	va_end(ap);
	rv_puts("\n");
	rv_exit(RV_STATUS_RUNTIME_ERROR);
}
