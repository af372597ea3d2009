/* Hypervisor console messages: formatting, the serial and VGA sinks, and
 * the way down for panic() and failed assertions. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <core/console.h>
#include <core/log.h>
#include <exitcode.h>
#include <lib/lib.h>

int log_level = LOG_INFO;

/* Every message goes through the console's output buffer, behind the
 * guests' lines written before it (core/console.c). A message is streamed
 * in pieces, with interrupts off from its first byte to its last, so no
 * length cuts it and nothing lands in its middle. panic() and
 * assert_fail() switch the console to immediate writes first. */
static void console_out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	console_write_hv(s, n);
}

void kvprintf(const char *fmt, va_list ap)
{
	uint32_t flags = irq_save();

	vformat(console_out, NULL, fmt, ap);
	irq_restore(flags);
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
	uint32_t flags = irq_save();
	console_out(NULL, "ringvisor: ", 11);
	console_out(NULL, tag[level], strlen(tag[level]));
	va_start(ap, fmt);
	vformat(console_out, NULL, fmt, ap);
	va_end(ap);
	console_out(NULL, "\n", 1);
	irq_restore(flags);
}

static __noreturn void die(void)
{
	uint32_t ebp;

	__asm__ volatile("movl %%ebp, %0" : "=r"(ebp));
	kprintf("ringvisor: cr0=%08x cr2=%08x cr3=%08x cr4=%08x eflags=%08x\n",
		read_cr0(), read_cr2(), read_cr3(), read_cr4(), read_eflags());
	backtrace_from(ebp, 0);
	arch_poweroff(RV_EXIT_PANIC);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	cli();
	console_emergency();
	kprintf("ringvisor: PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	die();
}

void assert_fail(const char *expr, const char *file, int line, const char *func)
{
	cli();
	console_emergency();
	kprintf("ringvisor: PANIC: assertion failed: %s at %s:%d in %s()\n",
		expr, file, line, func);
	die();
}
