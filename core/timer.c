/* The timer event queue: a binary min-heap of caller-owned events ordered
 * by deadline, run from the PIT's one-shot interrupt (IRQ 0). */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <core/timer.h>
#include <lib/log.h>
#include <param.h>

/* --- the heap: pure logic, no hardware --------------------------------
 * heap[0] has the earliest deadline; the children of i are 2i+1 and 2i+2,
 * and no child is earlier than its parent. Each event's slot is its index,
 * so an armed event can be moved or removed in O(log n) without a search.
 */
static struct timer_event *heap[TIMER_EVENTS_MAX];
static uint32_t heap_len;

static void heap_place(struct timer_event *ev, uint32_t i)
{
	heap[i] = ev;
	ev->slot = (int32_t)i;
}

/* Moves the event at i towards the root until its parent is not later. */
static void heap_sift_up(uint32_t i)
{
	struct timer_event *ev = heap[i];

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (heap[parent]->deadline <= ev->deadline)
			break;
		heap_place(heap[parent], i);
		i = parent;
	}
	heap_place(ev, i);
}

/* Moves the event at i towards the leaves until no child is earlier. */
static void heap_sift_down(uint32_t i)
{
	struct timer_event *ev = heap[i];

	for (;;) {
		uint32_t child = 2 * i + 1;

		if (child >= heap_len)
			break;
		if (child + 1 < heap_len &&
		    heap[child + 1]->deadline < heap[child]->deadline)
			child++;
		if (ev->deadline <= heap[child]->deadline)
			break;
		heap_place(heap[child], i);
		i = child;
	}
	heap_place(ev, i);
}

static bool heap_contains(const struct timer_event *ev)
{
	return ev->slot >= 0 && (uint32_t)ev->slot < heap_len &&
	       heap[ev->slot] == ev;
}

static void heap_insert(struct timer_event *ev)
{
	ASSERT(heap_len < TIMER_EVENTS_MAX);	/* more pending than designed */
	heap_place(ev, heap_len++);
	heap_sift_up(heap_len - 1);
}

/* Takes an armed event out: the last leaf fills its hole and is sifted
 * whichever way its deadline demands. */
static void heap_remove(struct timer_event *ev)
{
	uint32_t i = (uint32_t)ev->slot;
	struct timer_event *last = heap[--heap_len];

	ev->slot = TIMER_SLOT_NONE;
	if (last == ev)
		return;
	heap_place(last, i);
	if (i > 0 && heap[(i - 1) / 2]->deadline > last->deadline)
		heap_sift_up(i);
	else
		heap_sift_down(i);
}

/* Changes the deadline of an armed event and restores the order. */
static void heap_update(struct timer_event *ev, uint64_t deadline)
{
	uint64_t old = ev->deadline;

	ev->deadline = deadline;
	if (deadline < old)
		heap_sift_up((uint32_t)ev->slot);
	else
		heap_sift_down((uint32_t)ev->slot);
}

/* --- the hardware side ------------------------------------------------ */

/* Points the PIT's one-shot at the earliest deadline, or at its longest
 * interval when nothing is pending, so IRQ 0 keeps coming at least every
 * 55 ms. An overdue deadline gets the shortest count and fires at once.
 * Interrupts disabled. */
static void timer_reprogram(void)
{
	uint64_t now = time_ns();
	uint64_t delta = UINT64_MAX;

	if (heap_len > 0)
		delta = heap[0]->deadline > now ? heap[0]->deadline - now : 0;
	pit_oneshot_ns(delta);
}

static void timer_irq(unsigned irq)
{
	tsc_refine_if_due();
	timer_run_expired();
}

/* --- the interface ---------------------------------------------------- */

void timer_event_init(struct timer_event *ev,
		      void (*fn)(struct timer_event *), void *arg)
{
	ev->deadline = 0;
	ev->fn = fn;
	ev->arg = arg;
	ev->slot = TIMER_SLOT_NONE;
}

/* Empties the queue, takes over IRQ 0 and starts the PIT's one-shot. Call
 * once at boot, interrupts disabled, after pic_init(), pit_init() and
 * tsc_calibrate(). Events fire once the caller enables interrupts. */
void timer_init(void)
{
	heap_len = 0;
	irq_register(IRQ_PIT, timer_irq);
	timer_reprogram();
	pic_unmask(IRQ_PIT);
}

/* Arms ev to run ev->fn(ev) once time_ns() >= deadline_ns, or moves it
 * there if it is armed already. ev->fn must be set. A deadline in the
 * past runs at the next interrupt. Any context; the queue is guarded by
 * disabling interrupts. If ev becomes the earliest event the PIT is
 * reprogrammed at once. A full queue is a hypervisor bug: ASSERT. */
void timer_arm(struct timer_event *ev, uint64_t deadline_ns)
{
	uint32_t flags = irq_save();

	ASSERT(ev->fn != NULL);
	if (heap_contains(ev)) {
		heap_update(ev, deadline_ns);
	} else {
		ev->deadline = deadline_ns;
		heap_insert(ev);
	}
	if (heap[0] == ev)
		timer_reprogram();
	irq_restore(flags);
}

/* Disarms ev if it is armed; a no-op otherwise. Any context. On return
 * ev->fn will not be called for the cancelled deadline. The PIT is left
 * as it is: an early interrupt just finds nothing due. */
void timer_cancel(struct timer_event *ev)
{
	uint32_t flags = irq_save();

	if (heap_contains(ev))
		heap_remove(ev);
	irq_restore(flags);
}

/* True while ev waits in the queue. Any context. */
bool timer_armed(const struct timer_event *ev)
{
	uint32_t flags = irq_save();
	bool armed = heap_contains(ev);

	irq_restore(flags);
	return armed;
}

/* Runs every event whose deadline has passed, earliest first, then
 * re-arms the PIT for the next one. Called from the IRQ 0 handler with
 * interrupts off. Each event is disarmed before its callback runs, so the
 * callback may re-arm it (a periodic timer adds its period to
 * ev->deadline) or arm and cancel others. "Passed" is judged against the
 * time read once at entry, so a callback that re-arms for "now" runs at
 * the next interrupt, not again in this loop. */
void timer_run_expired(void)
{
	uint64_t now = time_ns();

	while (heap_len > 0 && heap[0]->deadline <= now) {
		struct timer_event *ev = heap[0];

		heap_remove(ev);
		ev->fn(ev);
	}
	timer_reprogram();
}

/* Waits for the next interrupt, whichever it is, and returns after its
 * handler has run. Call with interrupts disabled; returns with them
 * disabled. "sti; hlt" is atomic against interrupts: sti only opens the
 * window after the following instruction, so an IRQ that became pending
 * just before cannot slip in between the caller's last check and the hlt
 * (it wakes the hlt instead). Never sleeps past 55 ms: the PIT is always
 * armed. The caller re-checks whatever it waits for. */
void idle_wait(void)
{
	ASSERT(!(read_eflags() & EFLAGS_IF));
	sti_hlt();
	cli();
}
