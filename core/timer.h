/* The hypervisor's timer event queue: one-shot deadlines on the time_ns()
 * clock, shared by the scheduler and the guests' virtual clocks. */
#ifndef RV_TIMER_H
#define RV_TIMER_H

#include <types.h>

/* One pending deadline, owned by the caller (embed it in the structure
 * the callback needs; container_of() gets back to it). An event is armed
 * at most once: arming it again moves it. Only timer.c writes deadline
 * and slot while the event is armed. */
struct timer_event {
	uint64_t deadline;			/* absolute, time_ns() clock */
	void (*fn)(struct timer_event *ev);	/* runs with interrupts off */
	void *arg;				/* the callback's, untouched */
	int32_t slot;				/* heap index; TIMER_SLOT_NONE */
};

#define TIMER_SLOT_NONE (-1)

/* Prepares an event for its first timer_arm(). A zero-filled event is also
 * safe: timer_armed() checks the heap, not slot alone. */
void timer_event_init(struct timer_event *ev,
		      void (*fn)(struct timer_event *), void *arg);

void timer_init(void);
void timer_arm(struct timer_event *ev, uint64_t deadline_ns);
void timer_cancel(struct timer_event *ev);
bool timer_armed(const struct timer_event *ev);
void timer_run_expired(void);
void idle_wait(void);

#endif
