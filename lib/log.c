/* Hypervisor messages and the first two error tiers, at the bottom of the
 * tree: the formatting is here; where the bytes go, how a message is kept
 * whole, and the way down belong to the layers that own the hardware and
 * the console, which register them once at boot (log_set_ops). */
#include <lib/lib.h>
#include <lib/log.h>

int log_level = LOG_INFO;

static const struct log_ops *ops;

void log_set_ops(const struct log_ops *o)
{
	ops = o;
}

static void out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	if (ops)
		ops->write(s, n);
}

/* A message is streamed in pieces while held (interrupts off, from its
 * first byte to its last), so no length cuts it and nothing lands in its
 * middle. */
static uint32_t hold(void)
{
	return ops ? ops->hold() : 0;
}

static void release(uint32_t flags)
{
	if (ops)
		ops->release(flags);
}

void kvprintf(const char *fmt, va_list ap)
{
	uint32_t flags = hold();

	vformat(out, NULL, fmt, ap);
	release(flags);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

void log_printf(int level, const char *fmt, ...)
{
	static const char *const tag[] = { "error: ", "warning: ", "", "debug: " };
	va_list ap;

	if (level > log_level)
		return;
	uint32_t flags = hold();
	out(NULL, "ringvisor: ", 11);
	out(NULL, tag[level], strlen(tag[level]));
	va_start(ap, fmt);
	vformat(out, NULL, fmt, ap);
	va_end(ap);
	out(NULL, "\n", 1);
	release(flags);
}

void log_emergency(void)
{
	if (ops)
		ops->emergency();
}

/* The way down: interrupts off for good, the console unbuffered, the
 * message, then the registered end (registers, backtrace, power-off). */
static __noreturn void die(void)
{
	if (ops)
		ops->die();
	for (;;)
		;			/* nothing registered: nothing can be done */
}

void panic(const char *fmt, ...)
{
	va_list ap;

	hold();
	log_emergency();
	kprintf("ringvisor: PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	die();
}

void assert_fail(const char *expr, const char *file, int line, const char *func)
{
	hold();
	log_emergency();
	kprintf("ringvisor: PANIC: assertion failed: %s at %s:%d in %s()\n",
		expr, file, line, func);
	die();
}
