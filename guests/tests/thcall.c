/* Test guest: every hypercall's working cases, one function each. The
 * cases that must kill live in tkill.c, one module per case. */
#include "tlib.h"

/* LGUEST_INIT published the host's part of the shared page. */
TEST(init_fields)
{
	struct lguest_data *ld = &rv_lguest_data;

	CHECK(ld->reserve_mem == 0u - SWITCHER_ADDR, "reserve_mem 0x%x",
	      ld->reserve_mem);
	CHECK(ld->tsc_khz > 100000, "tsc_khz %u", ld->tsc_khz);
	CHECK(ld->time.tv_sec > 1600000000, "time %d", ld->time.tv_sec);
	for (unsigned i = 0; i < LHCALL_RING_SIZE; i++)
		CHECK(ld->hcall_status[i] == HCALL_STATUS_DONE,
		      "ring slot %u is 0x%x", i, ld->hcall_status[i]);
}

/* Every call but the last returns into the guest with the registers other
 * than eax as they were. */
TEST(registers_preserved)
{
	uint32_t b = 0x11111111, c = 0x22222222, d = 0x33333333,
		 s = 0x44444444, di = 0x55555555, bp = 0x66666666;
	uint32_t ob, oc, od, os, odi, obp;

	__asm__ volatile("pushl %%ebp\n\t"
			 "movl %[bp], %%ebp\n\t"
			 "movl %[call], %%eax\n\t"
			 "int $0x1F\n\t"
			 "movl %%ebp, %[bp]\n\t"
			 "popl %%ebp"
			 : "=b"(ob), "=c"(oc), "=d"(od), "=S"(os), "=D"(odi),
			   [bp] "+m"(bp)
			 : "b"(b), "c"(c), "d"(d), "S"(s), "D"(di),
			   [call] "i"(HC_SEND_INTERRUPTS)
			 : "eax", "memory", "cc");
	obp = bp;
	CHECK(ob == b && oc == c && od == d && os == s && odi == di &&
	      obp == 0x66666666, "changed: %x %x %x %x %x %x", ob, oc, od, os,
	      odi, obp);
}

/* FLUSH_ASYNC runs every queued call, in order, and each one counts. */
TEST(flush_async_batched)
{
	struct rv_counters c1, c2;
	uint32_t lo, hi;

	t_get_counters(&c1);
	t_flat_desc(0x2, 1, &lo, &hi);
	rv_hcall_async(HC_LOAD_GDT_ENTRY, 14, 0, 0, 0);   /* not present */
	for (int i = 0; i < 3; i++)
		rv_hcall_async(HC_SEND_INTERRUPTS, 0, 0, 0, 0);
	rv_hcall_async(HC_LOAD_GDT_ENTRY, 14, lo, hi, 0); /* then data */
	CHECK(t_lar(14 * 8 + 1) == ~0u, "ran before the flush");
	rv_flush_async();
	t_get_counters(&c2);
	/* the 5 queued, the flush and the second COUNTERS */
	CHECK(c2.hypercalls - c1.hypercalls == 7, "hypercalls grew by %llu",
	      c2.hypercalls - c1.hypercalls);
	for (unsigned i = 0; i < LHCALL_RING_SIZE; i++)
		CHECK(rv_lguest_data.hcall_status[i] == HCALL_STATUS_DONE,
		      "slot %u not done", i);
	CHECK(t_lar(14 * 8 + 1) != ~0u, "the last GDT load did not win");
}

/* 150 queued calls wrap the 64-slot ring twice; every one runs. */
TEST(flush_async_wraps)
{
	struct rv_counters c1, c2;

	t_get_counters(&c1);
	for (int i = 0; i < 150; i++)
		rv_hcall_async(HC_SEND_INTERRUPTS, 0, 0, 0, 0);
	rv_flush_async();
	t_get_counters(&c2);
	/* 150 queued, two flushes when the ring was full, one here, COUNTERS */
	CHECK(c2.hypercalls - c1.hypercalls == 154, "hypercalls grew by %llu",
	      c2.hypercalls - c1.hypercalls);
}

/* Any synchronous call drains the ring first. */
TEST(sync_call_drains)
{
	uint32_t lo, hi;

	t_flat_desc(0x2, 1, &lo, &hi);
	rv_hcall_async(HC_LOAD_GDT_ENTRY, 17, lo, hi, 0);
	rv_hcall0(HC_SEND_INTERRUPTS);
	CHECK(t_lar(17 * 8 + 1) != ~0u, "queued GDT load did not run");
}

TEST(flush_tlb_counts)
{
	struct rv_counters c1, c2, c3;

	t_get_counters(&c1);
	rv_hcall1(HC_FLUSH_TLB, 1);
	t_get_counters(&c2);
	rv_hcall1(HC_FLUSH_TLB, 0);
	t_get_counters(&c3);
	CHECK(c2.tlb_flushes_full == c1.tlb_flushes_full + 1, "full flush "
	      "not counted");
	CHECK(c3.tlb_flushes_full == c2.tlb_flushes_full, "user flush "
	      "counted as full");
}

/* LOAD_IDT_ENTRY for 2, 8, 15 and 31 is ignored: a junk gate at 31 would
 * otherwise take the next hypercall away from the host. */
TEST(idt_host_vectors_ignored)
{
	static const unsigned v[] = { 2, 8, 15, 31 };
	uint32_t entry = rv_gpa(rv_trap_stubs + 3 * RV_TRAP_STUB_SIZE);

	for (unsigned i = 0; i < 4; i++)
		rv_hcall3(HC_LOAD_IDT_ENTRY, v[i],
			  (GUEST_CS << 16) | (entry & 0xFFFF),
			  (entry & 0xFFFF0000) | 0xEF00);
	struct rv_counters c;
	t_get_counters(&c);
	CHECK(c.hypercalls > 0, "no counters");
}

/* A not-present gate removes the handler; installing it again works. */
TEST(idt_not_present_removes)
{
	uint32_t before = trec.count;

	t_catch(6, RV_GATE_INTR);
	rv_hcall3(HC_LOAD_IDT_ENTRY, 6, 0, 0);
	t_catch(6, RV_GATE_INTR);
	__asm__ volatile(PROBE_ARM "1: ud2\n2:" ::: "memory");
	CHECK(trec.count == before + 1, "handler not reached");
}

TEST(set_stack_one_and_two_pages)
{
	static uint8_t stk[8192] __attribute__((aligned(4096)));

	rv_set_kernel_stack(rv_gpa(stk + 4096), 1);
	rv_set_kernel_stack(rv_gpa(stk + 8192), 2);
	struct rv_counters c;
	t_get_counters(&c);     /* still alive */
	CHECK(c.hypercalls > 0, "no counters");
}

/* HC_TS(1): the next FPU instruction raises #NM in the guest; HC_TS(0):
 * none. */
/* With TS set, the next fld1 must raise #NM (caught by t_catch) and work
 * once retried. */
static void fld1_traps_nm(uint32_t before)
{
	const char *why;
	uint16_t one;

	__asm__ volatile(PROBE_RETRY "1: fld1\n2:\n\t"
			 "fistps %0" : "=m"(one) :: "memory");
	why = t_trap_mismatch(before, 7, 0, probe_at);
	CHECK(!why, "%s", why);
	CHECK(one == 1, "fld1 retried gave %u", one);
}

TEST(ts_set_gives_nm)
{
	uint32_t before = trec.count;
	uint16_t one;

	t_catch(7, RV_GATE_INTR);
	rv_hcall1(HC_TS, 1);
	fld1_traps_nm(before);
	before = trec.count;
	__asm__ volatile(PROBE_ARM "1: fld1\n2:\n\t"
			 "fistps %0" : "=m"(one) :: "memory");
	CHECK(trec.count == before, "#NM with TS clear");
	t_catch(7, RV_GATE_INTR);
	rv_set_handler(7, NULL, RV_GATE_INTR);
}

/* HC_TS(1) while the FPU already holds this guest's state (CR0.TS clear):
 * it must take effect before the guest runs again. The run loop enters
 * the guest again straight after a hypercall without looking at the FPU
 * (core/run.c), so this fails if HC_TS only recorded the wish. */
TEST(ts_set_while_fpu_is_ours)
{
	uint32_t before;
	uint16_t one;

	__asm__ volatile("fld1\n\tfistps %0" : "=m"(one) :: "memory");	/* ours now */
	CHECK(one == 1, "fld1 gave %u", one);
	t_catch(7, RV_GATE_INTR);
	before = trec.count;
	rv_hcall1(HC_TS, 1);
	fld1_traps_nm(before);
	rv_set_handler(7, NULL, RV_GATE_INTR);
}

TEST(clockevent_fires)
{
	uint32_t before = rv_timer_ticks();
	uint64_t t0 = rv_time_ns();

	rv_sleep_ns(1000000);
	uint64_t dt = rv_time_ns() - t0;
	CHECK(rv_timer_ticks() == before + 1, "%u ticks",
	      rv_timer_ticks() - before);
	CHECK(dt >= 1000000, "woke after %llu ns", dt);
}

TEST(clockevent_zero_cancels)
{
	uint32_t before = rv_timer_ticks();

	/* Both calls in one drain, so no time passes between them even if
	 * the guest is preempted (a timer that already fired stays pending:
	 * cancelling does not take the interrupt back). */
	rv_hcall_async(HC_SET_CLOCKEVENT, 1000000, 0, 0, 0);
	rv_hcall_async(HC_SET_CLOCKEVENT, 0, 0, 0, 0);
	rv_flush_async();
	t_spin_ns(5000000);
	CHECK(rv_timer_ticks() == before, "a cancelled timer fired");
	rv_timer_oneshot(50000000);
	rv_timer_oneshot(0);
	t_spin_ns(60000000);
	CHECK(rv_timer_ticks() == before, "a cancelled 50 ms timer fired");
}

TEST(clockevent_rearm_replaces)
{
	uint32_t before = rv_timer_ticks();

	rv_timer_oneshot(500000000);    /* replaced by the next one */
	rv_sleep_ns(1000000);
	t_spin_ns(3000000);
	CHECK(rv_timer_ticks() == before + 1, "%u ticks",
	      rv_timer_ticks() - before);
}

/* HALT with an interrupt already pending returns at once, interrupts on. */
TEST(halt_with_pending_returns)
{
	uint32_t before = rv_timer_ticks();

	rv_irq_disable();
	rv_timer_oneshot(1000000);
	CHECK(t_spin_until(&rv_lguest_data.irq_pending, 200000000),
	      "irq_pending never set");
	CHECK(rv_timer_ticks() == before, "delivered with IF off");
	rv_hcall0(HC_HALT);
	CHECK(rv_timer_ticks() == before + 1, "not delivered by HALT");
	CHECK(rv_lguest_data.irq_enabled == LGUEST_IF, "irq_enabled 0x%x",
	      rv_lguest_data.irq_enabled);
}

/* LOAD_GDT_ENTRY: DPL 0 becomes 1 (loadable from ring 1), the accessed
 * bit is set, a not-present entry is stored as zero. */
TEST(gdt_dpl0_raised_accessed_set)
{
	uint32_t lo, hi, ar, sel = 14 * 8 + 1;

	t_flat_desc(0x2, 0, &lo, &hi);
	rv_hcall3(HC_LOAD_GDT_ENTRY, 14, lo, hi);
	ar = t_lar(sel);
	CHECK(ar != ~0u, "lar refused the entry");
	CHECK(((ar >> 13) & 3) == 1, "DPL %u", (ar >> 13) & 3);
	CHECK(ar & 0x100, "accessed bit clear (0x%x)", ar);
	__asm__ volatile("movl %0, %%fs\n\tmovl $0, %%eax\n\tmovl %%eax, %%fs"
			 :: "r"(sel) : "eax");
	rv_hcall3(HC_LOAD_GDT_ENTRY, 14, lo, hi & ~0x8000u);
	CHECK(t_lar(sel) == ~0u, "not-present entry still visible");
}

/* User segments (DPL 3) are the guest's to define. */
TEST(gdt_user_segments)
{
	uint32_t lo, hi;

	t_flat_desc(0xA, 3, &lo, &hi);
	rv_hcall3(HC_LOAD_GDT_ENTRY, 14, lo, hi);
	t_flat_desc(0x2, 3, &lo, &hi);
	rv_hcall3(HC_LOAD_GDT_ENTRY, 15, lo, hi);
	CHECK(((t_lar(0x73) >> 8) & 0xFF) == 0xFB, "code 0x%x", t_lar(0x73));
	CHECK(((t_lar(0x7b) >> 8) & 0xFF) == 0xF3, "data 0x%x", t_lar(0x7b));
}

/* Writes to the host's slots 10, 11, 16 and 31 are ignored: they stay
 * DPL 0 (lar from ring 1 refuses them; loading 11 still faults). */
TEST(gdt_host_slots_ignored)
{
	static const unsigned slot[] = { 10, 11, 16, 31 };
	uint32_t lo, hi, before;
	const char *why;

	t_flat_desc(0x2, 1, &lo, &hi);
	for (unsigned i = 0; i < 4; i++) {
		rv_hcall3(HC_LOAD_GDT_ENTRY, slot[i], lo, hi);
		CHECK(t_lar(slot[i] * 8 + 1) == ~0u, "slot %u now visible",
		      slot[i]);
	}
	before = trec.count;
	__asm__ volatile(PROBE_ARM "1: movl %0, %%fs\n2:\n\t"
			 "movl $0, %%eax\n\tmovl %%eax, %%fs"
			 :: "r"(11 * 8 + 1) : "eax", "memory");
	why = t_trap_mismatch(before, 13, 11 * 8, probe_at);
	CHECK(!why, "loading slot 11: %s", why);
}

/* LOAD_TLS fills entries 6..8; a TLS segment's base works through %gs. */
TEST(load_tls)
{
	static uint32_t tls_var[4] = { 0xC0FFEE00, 0xC0FFEE01 };
	static uint32_t d[6];
	uint32_t v;

	for (int i = 0; i < 3; i++)
		t_desc(rv_gpa(&tls_var[0]) + 4 * i, 0xFFF, 0x2, 1,
		       DESC_FLAGS_BYTE32, &d[2 * i], &d[2 * i + 1]);
	rv_hcall2(HC_LOAD_TLS, rv_gpa(d), 0);
	__asm__ volatile("movl %1, %%gs\n\t"
			 "movl %%gs:0, %0\n\t"
			 "movl $0, %%ecx\n\tmovl %%ecx, %%gs"
			 : "=r"(v) : "r"(7 * 8 + 1) : "ecx");
	CHECK(v == 0xC0FFEE01, "read 0x%x through entry 7", v);
}

TEST(console_write_returns_count)
{
	static const char msg[] = "console write\n";
	uint32_t n = rv_hcall2(HC_RV_CONSOLE_WRITE, rv_gpa(msg), sizeof(msg) - 1);

	CHECK(n >= 1 && n <= sizeof(msg) - 1, "took %u", n);
	if (n < sizeof(msg) - 1)
		rv_console_write(msg + n, sizeof(msg) - 1 - n);
	CHECK(rv_hcall2(HC_RV_CONSOLE_WRITE, rv_gpa(msg), 0) == 0,
	      "0 bytes not 0");
}

TEST(console_read_empty)
{
	static char buf[16];

	CHECK(rv_hcall2(HC_RV_CONSOLE_READ, rv_gpa(buf), sizeof(buf)) == 0,
	      "read something with no input");
}

TEST(counters_fields)
{
	struct rv_counters c1, c2;

	t_get_counters(&c1);
	t_get_counters(&c2);
	CHECK(c1.reserved == 0, "reserved %llu", c1.reserved);
	CHECK(c2.hypercalls == c1.hypercalls + 1, "hypercalls %llu -> %llu",
	      c1.hypercalls, c2.hypercalls);
	CHECK(c2.world_switches > c1.world_switches, "world_switches still");
	CHECK(c1.cr3_writes == 0, "cr3_writes %llu", c1.cr3_writes);
}

int main(int argc, char **argv)
{
	t_catch_all();
	return t_run_all(argc, argv);
}
