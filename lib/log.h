/* Hypervisor messages and the first two error tiers: ASSERT() for the
 * hypervisor's own invariants and panic() for states it cannot go on from.
 * Anything a guest controls goes to kill_guest() instead, never here. */
#ifndef RV_LOG_H
#define RV_LOG_H

#include <types.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* What the layers above provide, registered once at boot (core/main.c):
 * the bottom layer never calls up by name. */
struct log_ops {
	void (*write)(const char *s, size_t n);	/* bytes of a message */
	uint32_t (*hold)(void);		/* keep a message whole: interrupts off */
	void (*release)(uint32_t flags);	/* undo one hold() */
	void (*emergency)(void);	/* the way down: write at once from now */
	__noreturn void (*die)(void);	/* registers, backtrace, power-off */
};

/* log.c */
void log_set_ops(const struct log_ops *ops);
void log_emergency(void);
extern int log_level;
void kprintf(const char *fmt, ...) __printf(1, 2);
void kvprintf(const char *fmt, va_list ap);
void log_printf(int level, const char *fmt, ...) __printf(2, 3);
__noreturn void panic(const char *fmt, ...) __printf(1, 2);
__noreturn void assert_fail(const char *expr, const char *file, int line,
			    const char *func);

/* Every hypervisor line starts "ringvisor: ", so it stands apart from guest
 * output; errors and warnings say so after the prefix. */
#define pr_err(...)   log_printf(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...)  log_printf(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  log_printf(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

#define ASSERT(e) \
	do { if (unlikely(!(e))) assert_fail(#e, __FILE__, __LINE__, __func__); } while (0)

#endif
