/* Test guest: virtual interrupts under the virtual interrupt flag, the
 * blocked_interrupts mask, the noirq_iret rule, and EFLAGS smuggled
 * through an iret frame (which must never reach the real flags). */
#include "tlib.h"

#define MS 1000000u

static volatile uint32_t hook_count, hook_eip, hook_cs, hook_eflags,
	hook_irq_enabled;

static void hook(struct rv_regs *r)
{
	hook_count++;
	hook_eip = r->eip;
	hook_cs = r->cs;
	hook_eflags = r->eflags;
	hook_irq_enabled = rv_lguest_data.irq_enabled;
}

/* Wait (at most 500 ms) for the tick count to reach n. */
static void t_spin_until_ticks(uint32_t n)
{
	uint64_t end = rv_time_ns() + 500 * MS;

	while (rv_timer_ticks() < n && rv_time_ns() < end)
		__asm__ volatile("pause");
}

/* Arm the timer with virtual interrupts off and wait until the host has
 * seen it pending (irq_pending set). Returns false on a timeout. */
static int pend_timer(void)
{
	rv_irq_disable();
	rv_timer_oneshot(MS);
	return t_spin_until(&rv_lguest_data.irq_pending, 500 * MS) != 0;
}

TEST(irq_off_stays_pending)
{
	uint32_t before = rv_timer_ticks();
	uint64_t t0 = rv_time_ns();

	CHECK(pend_timer(), "irq_pending never set");
	t_spin_ns(3 * MS);      /* more entries: still not delivered */
	CHECK(rv_timer_ticks() == before, "delivered with IF off");
	CHECK(rv_lguest_data.irq_pending == LGUEST_IF, "irq_pending 0x%x",
	      rv_lguest_data.irq_pending);
	CHECK(rv_time_ns() - t0 >= MS, "pending before the timer was due");
	rv_irq_enable();        /* sees irq_pending: SEND_INTERRUPTS */
	CHECK(rv_timer_ticks() == before + 1, "not delivered on enable");
	CHECK(rv_lguest_data.irq_pending == 0, "irq_pending still set");
}

TEST(irq_on_delivered)
{
	uint32_t before = rv_timer_ticks();
	struct rv_counters c1, c2;

	t_get_counters(&c1);
	hook_count = 0;
	rv_timer_oneshot(MS);
	t_spin_until(&hook_count, 500 * MS);
	t_get_counters(&c2);
	CHECK(rv_timer_ticks() == before + 1, "%u ticks",
	      rv_timer_ticks() - before);
	CHECK(hook_cs == GUEST_CS && (hook_eflags & EFLAGS_IF),
	      "frame cs 0x%x eflags 0x%x", hook_cs, hook_eflags);
	CHECK(hook_irq_enabled == 0, "interrupt gate left irq_enabled 0x%x",
	      hook_irq_enabled);
	CHECK(c2.timer_irqs == c1.timer_irqs + 1, "timer_irqs grew by %llu",
	      c2.timer_irqs - c1.timer_irqs);
}

TEST(irq_blocked_masked)
{
	uint32_t before = rv_timer_ticks();

	rv_lguest_data.blocked_interrupts = 1u << RV_IRQ_TIMER;
	rv_timer_oneshot(MS);
	t_spin_ns(20 * MS);     /* long past due, even on a loaded host */
	uint32_t during = rv_timer_ticks(), pend = rv_lguest_data.irq_pending;
	rv_lguest_data.blocked_interrupts = 0;
	CHECK(during == before, "a blocked IRQ was delivered");
	CHECK(pend == 0, "irq_pending 0x%x for a blocked IRQ", pend);
	rv_hcall0(HC_SEND_INTERRUPTS);
	t_spin_until_ticks(before + 1);
	CHECK(rv_timer_ticks() == before + 1, "not delivered once unblocked");
}

/* Blocking another IRQ does not hold the timer back. */
TEST(irq_block_other_line)
{
	uint32_t before = rv_timer_ticks();

	rv_lguest_data.blocked_interrupts = ~1u;
	rv_sleep_ns(MS);
	rv_lguest_data.blocked_interrupts = 0;
	CHECK(rv_timer_ticks() == before + 1, "%u ticks",
	      rv_timer_ticks() - before);
}

/* A pending IRQ whose gate is not present is not delivered (and does not
 * kill); it arrives once the gate is back. */
TEST(irq_no_gate_waits)
{
	uint32_t before = rv_timer_ticks();

	rv_hcall3(HC_LOAD_IDT_ENTRY, LGUEST_IRQ_VECTOR_BASE, 0, 0);
	rv_timer_oneshot(MS);
	t_spin_ns(20 * MS);
	uint32_t during = rv_timer_ticks();
	rv_set_irq_handler(RV_IRQ_TIMER, NULL);
	rv_hcall0(HC_SEND_INTERRUPTS);
	t_spin_until_ticks(before + 1);
	CHECK(during == before, "delivered without a gate");
	CHECK(rv_timer_ticks() == before + 1, "not delivered after");
}

TEST(irq_updates_time)
{
	struct lguest_timespec a, b;

	rv_wallclock(&a);
	rv_sleep_ns(2 * MS);
	rv_wallclock(&b);
	uint64_t na = (uint64_t)a.tv_sec * 1000000000u + a.tv_nsec;
	uint64_t nb = (uint64_t)b.tv_sec * 1000000000u + b.tv_nsec;
	CHECK(nb >= na + MS, "time moved %llu ns", nb - na);
}

/* ---- the noirq_iret rule ------------------------------------------------
 * Deterministic construction: with virtual interrupts off and the timer
 * pending, build an iret frame by hand, drop every shadow mapping
 * (FLUSH_TLB 1) and jump to the runtime's published iret. Fetching it
 * page-faults, so the host regains control with eip exactly at
 * noirq_iret, and must then take the frame's EFLAGS: IF set -> deliver the
 * interrupt in place of the iret (the handler sees the frame's eip, the
 * stack does not grow); IF clear -> leave it pending. */

struct noirq_result {
	uint32_t esp_before, esp_after, flags_after, eip_label;
};

/* Outputs go to statics: the asm moves esp, so no esp-relative operand. */
static volatile uint32_t nj_sb, nj_sa, nj_fa;

__attribute__((noinline)) static void noirq_jump(uint32_t frame_eflags, struct noirq_result *res)
{
	__asm__ volatile("movl %%esp, nj_sb\n\t"
			 "pushl %[fl]\n\t"
			 "pushl %%cs\n\t"
			 "pushl $noirq_label\n\t"
			 "movl %[flush], %%eax\n\t"
			 "movl $1, %%ebx\n\t"
			 "int $0x1F\n\t"
			 "jmp rv_noirq_iret\n"
			 ".globl noirq_label\n"
			 "noirq_label:\n\t"
			 "movl %%esp, nj_sa\n\t"
			 "pushfl\n\t"
			 "popl nj_fa"
			 :
			 : [fl] "r"(frame_eflags), [flush] "i"(HC_FLUSH_TLB)
			 : "eax", "ebx", "memory", "cc");
	res->esp_before = nj_sb;
	res->esp_after = nj_sa;
	res->flags_after = nj_fa;
	__asm__ volatile("movl $noirq_label, %0" : "=r"(res->eip_label));
}

extern const char noirq_label[];

/* The construction needs the iret's page untouched between the flush and
 * the jump: the code that runs meanwhile must lie on other pages. */
static int same_page_as_iret(void)
{
	uint32_t page = (uint32_t)rv_noirq_iret >> 12;

	return ((uint32_t)noirq_jump >> 12) == page ||
	       ((uint32_t)noirq_label >> 12) == page;
}

static const char *noirq_deliver_case(uint32_t frame_eflags)
{
	static char why[120];
	struct noirq_result res;
	uint32_t before = rv_timer_ticks();

	if (same_page_as_iret())
		return "layout: the test code shares a page with rv_noirq_iret";
	if (!pend_timer())
		return "irq_pending never set";
	hook_count = 0;
	noirq_jump(frame_eflags, &res);
	uint32_t ticks = rv_timer_ticks() - before;
	rv_irq_enable();
	if (ticks != 1)
		rv_snprintf(why, sizeof(why), "%u ticks in place of the iret",
			    ticks);
	else if (hook_eip != res.eip_label)
		rv_snprintf(why, sizeof(why), "interrupt frame eip 0x%x, not the "
			    "iret frame's 0x%x", hook_eip, res.eip_label);
	else if (res.esp_after != res.esp_before)
		rv_snprintf(why, sizeof(why), "esp 0x%x after, 0x%x before",
			    res.esp_after, res.esp_before);
	else if ((res.flags_after & (EFLAGS_IOPL | EFLAGS_IF)) != EFLAGS_IF)
		rv_snprintf(why, sizeof(why), "eflags 0x%x after the iret",
			    res.flags_after);
	else
		return NULL;
	return why;
}

TEST(noirq_iret_delivers_in_place)
{
	const char *why = noirq_deliver_case(EFLAGS_IF | 2);

	CHECK(!why, "%s", why);
}

/* The same with IOPL 3 smuggled in the frame: after the return, IOPL is 0
 * and `in` from port 0x64 is still emulated (reads 1, not the real 8042). */
TEST(noirq_iret_iopl3_ignored)
{
	uint32_t v = 0;
	const char *why = noirq_deliver_case(EFLAGS_IF | EFLAGS_IOPL | 2);

	CHECK(!why, "%s", why);
	__asm__ volatile("inb $0x64, %%al" : "+a"(v));
	CHECK(v == 1, "port 0x64 read 0x%x: real I/O", v);
}

/* IF clear in the frame: the interrupt stays pending, the iret runs, the
 * real IF stays on (so the host's own timer still preempts), and the
 * interrupt arrives once the guest enables. */
TEST(noirq_iret_if0_stays_pending)
{
	struct noirq_result res;
	uint32_t before = rv_timer_ticks();

	CHECK(!same_page_as_iret(), "layout: shares a page with rv_noirq_iret");
	CHECK(pend_timer(), "irq_pending never set");
	noirq_jump(2, &res);
	uint32_t ticks = rv_timer_ticks() - before;
	CHECK(ticks == 0, "delivered though the frame's IF was clear");
	CHECK(res.esp_after == res.esp_before, "esp moved");
	CHECK((res.flags_after & (EFLAGS_IOPL | EFLAGS_IF)) == EFLAGS_IF,
	      "eflags 0x%x after the iret", res.flags_after);
	CHECK(rv_lguest_data.irq_enabled == 0, "irq_enabled 0x%x",
	      rv_lguest_data.irq_enabled);
	rv_irq_enable();
	CHECK(rv_timer_ticks() == before + 1, "not delivered on enable");
}

/* A plain iret (no interrupt pending) with IOPL 3 and IF 0 in its frame:
 * ring 1 cannot change either; the timer still arrives. */
TEST(iret_frame_iopl3_if0_ignored)
{
	uint32_t fa, v = 0, before = rv_timer_ticks();

	__asm__ volatile("pushl %1\n\tpushl %%cs\n\tpushl $3f\n\tiret\n3:\n\t"
			 "pushfl\n\tpopl %0"
			 : "=r"(fa) : "r"(EFLAGS_IOPL | 2) : "memory", "cc");
	CHECK((fa & (EFLAGS_IOPL | EFLAGS_IF)) == EFLAGS_IF, "eflags 0x%x", fa);
	__asm__ volatile("inb $0x64, %%al" : "+a"(v));
	CHECK(v == 1, "port 0x64 read 0x%x: real I/O", v);
	rv_sleep_ns(MS);
	CHECK(rv_timer_ticks() == before + 1, "timer lost");
}

/* popf cannot change IOPL or IF from ring 1 either. */
TEST(popf_iopl3_if0_ignored)
{
	uint32_t fa;

	__asm__ volatile("pushl %1\n\tpopfl\n\tpushfl\n\tpopl %0"
			 : "=r"(fa) : "r"(EFLAGS_IOPL | 2) : "cc");
	CHECK((fa & (EFLAGS_IOPL | EFLAGS_IF)) == EFLAGS_IF, "eflags 0x%x", fa);
}

int main(int argc, char **argv)
{
	t_catch_all();
	rv_set_timer_hook(hook);
	return t_run_all(argc, argv);
}
