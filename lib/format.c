/* printf-style formatting into a bounded buffer, or streamed in pieces to
 * a sink: the one formatter behind every console line the hypervisor
 * prints. */
#include <lib/lib.h>

/* Where the characters go: buf[0..size) keeps what fits (vsnprintf), or,
 * with a sink, buf is a staging area handed to the sink whenever it is
 * full and at the end, so nothing is ever cut. */
struct out {
	char *buf;
	size_t size;
	size_t len;		/* characters produced so far */
	size_t fill;		/* with a sink: characters staged in buf */
	format_sink_t sink;
	void *ctx;
};

static void put(struct out *o, char c)
{
	if (o->sink) {
		o->buf[o->fill++] = c;
		if (o->fill == o->size) {
			o->sink(o->ctx, o->buf, o->fill);
			o->fill = 0;
		}
	} else if (o->len + 1 < o->size) {
		o->buf[o->len] = c;
	}
	o->len++;
}

static void put_padding(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

enum { F_LEFT = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8, F_ALT = 16 };

/* One integer conversion, with sign, base prefix, precision and width. */
static void put_number(struct out *o, uint64_t v, bool negative, unsigned base,
		       bool upper, int flags, int width, int prec)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	char sign = 0;
	const char *prefix = "";

	if (negative)
		sign = '-';
	else if (flags & F_PLUS)
		sign = '+';
	else if (flags & F_SPACE)
		sign = ' ';
	if ((flags & F_ALT) && base == 16 && v)
		prefix = upper ? "0X" : "0x";
	if ((flags & F_ALT) && base == 8)
		prefix = "0";

	while (v) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	if (prec < 0)
		prec = 1;
	else
		flags &= ~F_ZERO;	/* C: a precision turns off '0' */
	int ndigits = n > prec ? n : prec;
	int total = ndigits + (sign != 0) + (int)strlen(prefix);

	if (!(flags & (F_LEFT | F_ZERO)))
		put_padding(o, ' ', width - total);
	if (sign)
		put(o, sign);
	for (const char *p = prefix; *p; p++)
		put(o, *p);
	if (flags & F_ZERO)
		put_padding(o, '0', width - total);
	put_padding(o, '0', ndigits - n);
	while (n)
		put(o, tmp[--n]);
	if (flags & F_LEFT)
		put_padding(o, ' ', width - total);
}

static void format(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(o, *fmt);
			continue;
		}
		int flags = 0, width = 0, prec = -1, lng = 0;

		for (;; fmt++) {
			char c = fmt[1];
			if (c == '-') flags |= F_LEFT;
			else if (c == '0') flags |= F_ZERO;
			else if (c == '+') flags |= F_PLUS;
			else if (c == ' ') flags |= F_SPACE;
			else if (c == '#') flags |= F_ALT;
			else break;
		}
		fmt++;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		while (*fmt == 'l' || *fmt == 'h' || *fmt == 'z') {
			if (*fmt == 'l')
				lng++;
			fmt++;
		}
		if (!*fmt)
			break;

		uint64_t u;
		int64_t s;
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng >= 2 ? va_arg(ap, long long) : va_arg(ap, int);
			u = s < 0 ? -(uint64_t)s : (uint64_t)s;
			put_number(o, u, s < 0, 10, false, flags, width, prec);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			u = lng >= 2 ? va_arg(ap, unsigned long long)
				     : va_arg(ap, unsigned int);
			put_number(o, u, false,
				   *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
				   *fmt == 'X', flags, width, prec);
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			put(o, '0');
			put(o, 'x');
			put_number(o, u, false, 16, false, F_ZERO, 8, -1);
			break;
		case 'c':
			put_padding(o, ' ', (flags & F_LEFT) ? 0 : width - 1);
			put(o, (char)va_arg(ap, int));
			if (flags & F_LEFT)
				put_padding(o, ' ', width - 1);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			int len = (int)strnlen(str, prec < 0 ? (size_t)-1 : (size_t)prec);
			if (!(flags & F_LEFT))
				put_padding(o, ' ', width - len);
			for (int i = 0; i < len; i++)
				put(o, str[i]);
			if (flags & F_LEFT)
				put_padding(o, ' ', width - len);
			break;
		}
		case '%':
			put(o, '%');
			break;
		default:
			put(o, '%');
			put(o, *fmt);
			break;
		}
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };

	format(&o, fmt, ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int vformat(format_sink_t sink, void *ctx, const char *fmt, va_list ap)
{
	char stage[128];
	struct out o = { .buf = stage, .size = sizeof(stage), .sink = sink, .ctx = ctx };

	format(&o, fmt, ap);
	if (o.fill)
		sink(ctx, stage, o.fill);
	return (int)o.len;
}

int format_to(format_sink_t sink, void *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vformat(sink, ctx, fmt, ap);
	va_end(ap);
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
