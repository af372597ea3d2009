/* Time for a guest: the one-shot clock event (virtual IRQ 0), halting until
 * an interrupt, the TSC clock and the host's wall clock. */
#include "rv.h"

static volatile uint32_t ticks;
static void (*timer_hook)(struct rv_regs *regs);

void rv_timer_oneshot(uint32_t ns)
{
	rv_hcall1(HC_SET_CLOCKEVENT, ns);
}

void rv_set_timer_hook(void (*fn)(struct rv_regs *regs))
{
	timer_hook = fn;
}

uint32_t rv_timer_ticks(void)
{
	return ticks;
}

void rv_timer_irq(struct rv_regs *regs)
{
	ticks++;
	if (timer_hook != NULL)
		timer_hook(regs);
}

/* The host re-enables virtual interrupts when it wakes a halted guest (that
 * is HC_HALT's contract: it is the guest's "sti; hlt"). rv_irq_enable then
 * only matters if the host found the interrupt blocked: it asks for the
 * delivery, so the caller's loop sees the handler's effect either way. */
void rv_halt(void)
{
	rv_hcall0(HC_HALT);
	rv_irq_enable();
}

/* Sleep for ns on the one-shot timer. The tick count is checked with
 * interrupts off and the guest then halts: the host enables them as it puts
 * the guest to sleep, so the tick cannot slip in between the check and the
 * halt and leave the guest asleep forever. */
void rv_sleep_ns(uint32_t ns)
{
	uint32_t before = ticks;

	rv_timer_oneshot(ns);
	for (;;) {
		rv_irq_disable();
		if (ticks != before)
			break;
		rv_halt();
	}
	rv_irq_enable();
}

static inline uint64_t rdtsc(void)
{
	uint64_t t;

	__asm__ volatile("rdtsc" : "=A"(t));
	return t;
}

/* ns = tsc * 10^6 / khz, split so the product cannot overflow 64 bits. */
uint64_t rv_time_ns(void)
{
	uint32_t khz = *(volatile uint32_t *)&rv_lguest_data.tsc_khz;
	uint64_t tsc = rdtsc();

	if (khz == 0)
		return 0;
	return (tsc / khz) * 1000000u + (tsc % khz) * 1000000u / khz;
}

/* The host rewrites time between two guest instructions whenever it
 * delivers an interrupt; read until both halves come from one update. */
void rv_wallclock(struct lguest_timespec *ts)
{
	volatile struct lguest_timespec *t = &rv_lguest_data.time;
	int32_t sec;

	do {
		sec = t->tv_sec;
		ts->tv_nsec = t->tv_nsec;
		ts->tv_sec = t->tv_sec;
	} while (ts->tv_sec != sec);
}
