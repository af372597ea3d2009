/* The benchmark guest: the cost of the paravirtual operations, each the
 * least of many rdtsc-bracketed runs less the bracket itself. Under QEMU's
 * -icount shift=0 the TSC counts instructions, so every figure is an exact,
 * repeatable instruction count. It runs on page tables of its own (its
 * memory mapped 1:1, user-accessible, so ring-3 code can run from the
 * image), with two windows for page-fault measurements. Prints
 * "BENCH name value" lines for tools/bench.py. */
#include "rv.h"
#include "bench.h"
#include "benchwork.h"

#define RUNS      200
#define MEM_PTS   2			/* page tables for the 1:1 map: 8 MiB */
#define WINDOW_PAGES 64
#define DEMAND_WINDOW 0x40000000u	/* mapped by the guest, shadow empty */
#define FAULT_WINDOW  0x80000000u	/* not mapped: the guest's #PF maps it */
#define DIRS      (SHADOW_DIRS_CACHED + 1)
#define SHADOW_DIRS_CACHED 8		/* the host's SHADOW_DIRS_MAX */

void bench_trap_iret(void);
void bench_intr_iret(void);
void bench_syscall(void);
void bench_syscall_intr(void);
void bench_pf(void);
void bench_tick(void);
void bench_enter_user(void (*fn)(void), uint32_t user_esp);

#define PAGE_ALIGNED __attribute__((aligned(4096)))
static uint32_t dirs[DIRS][1024] PAGE_ALIGNED;
static uint32_t mem_pts[MEM_PTS][1024] PAGE_ALIGNED;
static uint32_t demand_pt[1024] PAGE_ALIGNED;
static uint32_t fault_pt_table[1024] PAGE_ALIGNED;
static uint8_t demand_frames[WINDOW_PAGES][4096] PAGE_ALIGNED;
static uint8_t fault_frames[WINDOW_PAGES][4096] PAGE_ALIGNED;
static uint8_t user_stack[4096] PAGE_ALIGNED;

/* Read by bench_entry.S. */
uint32_t bench_pd;
uint32_t *bench_pf_pt = fault_pt_table;
uint32_t bench_pf_frames;
volatile uint64_t bench_tick_tsc;

static uint64_t bracket;

/* The memory clobber keeps the compiler from moving the measured
 * accesses out of the bracket. */
static inline uint64_t rdtsc(void)
{
	uint64_t v;

	__asm__ volatile("rdtsc" : "=A"(v) : : "memory");
	return v;
}

static void report(const char *name, uint64_t value)
{
	rv_printf("BENCH %s %llu\n", name, value);
}

/* The least of runs measurements of op(arg), less the bracket. */
static uint64_t least_of(unsigned runs, void (*op)(unsigned), unsigned arg)
{
	uint64_t best = ~0ull;

	for (unsigned i = 0; i < runs; i++) {
		uint64_t t0 = rdtsc();
		op(arg);
		uint64_t t1 = rdtsc();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best > bracket ? best - bracket : 0;
}

static uint64_t measure(void (*op)(unsigned), unsigned arg)
{
	return least_of(RUNS, op, arg);
}

static uint64_t switches(void)
{
	struct rv_counters c;

	rv_counters(&c);
	return c.world_switches;
}

static void set_gate(unsigned vector, void (*handler)(void), unsigned type, unsigned dpl)
{
	uint32_t off = (uint32_t)handler;
	uint32_t lo = (GUEST_CS << 16) | (off & 0xFFFF);
	uint32_t hi = (off & 0xFFFF0000) | 0x8000 | (dpl << 13) | (type << 8);

	rv_hcall3(HC_LOAD_IDT_ENTRY, vector, lo, hi);
}

/* ---- hypercalls and traps from ring 1 -------------------------------- */

static void op_nothing(unsigned n) { (void)n; }

static void op_null_hypercall(unsigned n)
{
	(void)n;
	rv_hcall0(HC_SEND_INTERRUPTS);
}

static void op_async_batch(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		rv_hcall_async(HC_SEND_INTERRUPTS, 0, 0, 0, 0);
	rv_flush_async();
}

static void op_int80(unsigned n)
{
	(void)n;
	__asm__ volatile("int $0x80" ::: "memory");
}

static void op_int81(unsigned n)
{
	(void)n;
	__asm__ volatile("int $0x81" ::: "memory");
}

static void bench_hypercalls_and_traps(void)
{
	report("hypercall_null", measure(op_null_hypercall, 0));
	report("hypercall_async_1", measure(op_async_batch, 1) / 1);
	report("hypercall_async_8", measure(op_async_batch, 8) / 8);
	report("hypercall_async_64", measure(op_async_batch, LHCALL_RING_SIZE) / LHCALL_RING_SIZE);
	/* 0x81 is no vector the CPU may deliver to a guest: the host path */
	set_gate(0x81, bench_intr_iret, IDT_GATE_INTERRUPT, 1);
	report("trap_reflected", measure(op_int81, 0));
	set_gate(0x80, bench_intr_iret, IDT_GATE_INTERRUPT, 3);
	report("trap_rom", measure(op_int80, 0));
	set_gate(0x80, bench_trap_iret, IDT_GATE_TRAP, 3);
	report("trap_direct", measure(op_int80, 0));
}

/* ---- page tables of its own ----------------------------------------- */

static void build_dir(uint32_t *pd)
{
	for (unsigned i = 0; i < MEM_PTS; i++)
		pd[i] = rv_gpa(mem_pts[i]) | BENCH_PTE_FLAGS;
	pd[DEMAND_WINDOW >> 22] = rv_gpa(demand_pt) | BENCH_PTE_FLAGS;
	pd[FAULT_WINDOW >> 22] = rv_gpa(fault_pt_table) | BENCH_PTE_FLAGS;
}

static void setup_paging(void)
{
	for (unsigned t = 0; t < MEM_PTS; t++)
		for (unsigned i = 0; i < 1024; i++)
			mem_pts[t][i] = ((t * 1024 + i) << 12) | BENCH_PTE_FLAGS;
	for (unsigned i = 0; i < WINDOW_PAGES; i++)
		demand_pt[i] = rv_gpa(demand_frames[i]) | BENCH_PTE_FLAGS;
	for (unsigned d = 0; d < DIRS; d++)
		build_dir(dirs[d]);
	bench_pd = rv_gpa(dirs[0]);
	bench_pf_frames = rv_gpa(fault_frames);
	rv_hcall1(HC_NEW_PGTABLE, bench_pd);
}

static void op_touch(unsigned addr)
{
	*(volatile uint32_t *)addr = addr;
}

/* A page the guest maps but the shadow lacks: one hidden fault, filled by
 * the host. */
static void bench_demand_faults(void)
{
	uint64_t best = ~0ull;

	for (unsigned round = 0; round < RUNS / WINDOW_PAGES + 1; round++) {
		rv_hcall2(HC_SET_PGD, bench_pd, DEMAND_WINDOW >> 22);	/* drop the shadow */
		for (unsigned p = 0; p < WINDOW_PAGES; p++) {
			uint64_t t = least_of(1, op_touch, DEMAND_WINDOW + p * 4096);
			if (t < best)
				best = t;
		}
	}
	report("pagefault_demand", best);
}

static volatile uint64_t user_result;

/* Runs in ring 3: the least first touch of the fault window's pages. */
static void user_touch_window(void)
{
	uint64_t best = ~0ull;

	for (unsigned p = 0; p < WINDOW_PAGES; p++) {
		uint64_t t0 = rdtsc();
		*(volatile uint32_t *)(FAULT_WINDOW + p * 4096) = p;
		uint64_t t1 = rdtsc();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	user_result = best;
	__asm__ volatile("int $0x80" : : "a"(BENCH_LEAVE_USER) : "memory");
}

/* A page the guest has not mapped, touched from ring 3 as a process
 * would: the Switcher's walker delivers the fault to the guest, whose
 * handler maps it and reports it with SET_PTE. */
static void bench_guest_faults(void)
{
	uint64_t best = ~0ull, least_sw = ~0ull;

	set_gate(14, bench_pf, IDT_GATE_INTERRUPT, 0);
	set_gate(0x80, bench_syscall, IDT_GATE_TRAP, 3);
	/* Round 0 only warms up: the shadow's entries for the user code and
	 * stack are filled in it, by faults that are not the guest's. */
	for (unsigned round = 0; round <= RUNS / WINDOW_PAGES + 1; round++) {
		for (unsigned i = 0; i < WINDOW_PAGES; i++)
			fault_pt_table[i] = 0;
		rv_hcall2(HC_SET_PGD, bench_pd, FAULT_WINDOW >> 22);
		uint64_t s0 = switches();
		bench_enter_user(user_touch_window, rv_gpa(user_stack + sizeof(user_stack)));
		if (!round)
			continue;
		/* Less the counters call; the least round, so that a host timer
		 * interrupt in one does not count as the faults' doing. */
		uint64_t sw = switches() - s0 - 1;
		if (sw < least_sw)
			least_sw = sw;
		if (user_result < best)
			best = user_result;
	}
	rv_set_handler(14, 0, RV_GATE_INTR);
	report("pagefault_guest", best > bracket ? best - bracket : 0);
	report("pagefault_switches_x100", least_sw * 100 / WINDOW_PAGES);
}

/* A process switch: a new page directory, then code, stack and two data
 * pages touched. */
static volatile uint32_t touched[2][1024] PAGE_ALIGNED;
static void op_process_switch(unsigned d)
{
	rv_hcall1(HC_NEW_PGTABLE, rv_gpa(dirs[d]));
	touched[0][0]++;
	touched[1][0]++;
}

static void bench_process_switch(void)
{
	uint64_t best = ~0ull, s0;

	/* Two directories in turn: both stay cached. */
	for (unsigned i = 0; i < 8; i++)
		op_process_switch(i & 1);
	s0 = switches();
	for (unsigned i = 0; i < RUNS; i++) {
		uint64_t t = least_of(1, op_process_switch, i & 1);
		if (t < best)
			best = t;
	}
	report("process_switch_cached", best);
	report("process_switch_cached_switches_x100", (switches() - s0 - 1) * 100 / RUNS);

	/* More directories than the host caches, in turn: each switch finds
	 * its shadow evicted and refills it. */
	best = ~0ull;
	for (unsigned i = 0; i < DIRS; i++)	/* from here on, every switch misses */
		op_process_switch(i);
	s0 = switches();
	for (unsigned i = 0; i < RUNS; i++) {
		uint64_t t = least_of(1, op_process_switch, i % DIRS);
		if (t < best)
			best = t;
	}
	report("process_switch_uncached", best);
	report("process_switch_uncached_switches_x100", (switches() - s0 - 1) * 100 / RUNS);
	rv_hcall1(HC_NEW_PGTABLE, bench_pd);
}

/* ---- ring 3 ---------------------------------------------------------- */

/* Linux's user segments: flat code and data at DPL 3. */
static void load_user_segments(void)
{
	rv_hcall3(HC_LOAD_GDT_ENTRY, BENCH_USER_CS >> 3, 0x0000FFFF, 0x00CFFA00);
	rv_hcall3(HC_LOAD_GDT_ENTRY, BENCH_USER_DS >> 3, 0x0000FFFF, 0x00CFF200);
}

/* Runs in ring 3: the least int $0x80 round trip. */
static void user_syscalls(void)
{
	uint64_t best = ~0ull;

	for (unsigned i = 0; i < RUNS; i++) {
		uint64_t t0 = rdtsc();
		__asm__ volatile("int $0x80" : : "a"(0) : "memory");
		uint64_t t1 = rdtsc();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	user_result = best;
	__asm__ volatile("int $0x80" : : "a"(BENCH_LEAVE_USER) : "memory");
}

static uint64_t syscall_from_user(void (*handler)(void), unsigned type)
{
	set_gate(0x80, handler, type, 3);
	bench_enter_user(user_syscalls, rv_gpa(user_stack + sizeof(user_stack)));
	return user_result > bracket ? user_result - bracket : 0;
}

static void bench_user(void)
{
	report("syscall_user", syscall_from_user(bench_syscall, IDT_GATE_TRAP));
	report("syscall_user_rom", syscall_from_user(bench_syscall_intr, IDT_GATE_INTERRUPT));
}

/* ---- interrupts and time --------------------------------------------- */

static uint64_t ns_of(uint64_t cycles)
{
	return cycles * 1000000ull / rv_lguest_data.tsc_khz;
}

/* From enabling the virtual IF with a timer interrupt pending to the
 * first instruction of its handler. */
static void bench_virq(void)
{
	uint64_t best = ~0ull;

	set_gate(32, bench_tick, IDT_GATE_INTERRUPT, 0);
	for (unsigned i = 0; i < 50; i++) {
		rv_irq_disable();
		bench_tick_tsc = 0;
		rv_timer_oneshot(10000);
		while (!rv_lguest_data.irq_pending)
			__asm__ volatile("pause");
		uint64_t t0 = rdtsc();
		rv_lguest_data.irq_enabled = LGUEST_IF;
		rv_hcall0(HC_SEND_INTERRUPTS);
		if (bench_tick_tsc && bench_tick_tsc - t0 < best)
			best = bench_tick_tsc - t0;
	}
	report("virq_latency", best > bracket ? best - bracket : 0);

	/* Timer lateness: from the deadline to the handler, halted between. */
	uint64_t late_best = ~0ull;
	for (unsigned i = 0; i < 20; i++) {
		bench_tick_tsc = 0;
		rv_irq_disable();
		uint64_t t0 = rdtsc();
		rv_timer_oneshot(100000);
		while (!bench_tick_tsc) {
			rv_hcall0(HC_HALT);	/* wakes with the virtual IF on */
			rv_irq_disable();
		}
		rv_irq_enable();
		uint64_t late = ns_of(bench_tick_tsc - t0);
		late = late > 100000 ? late - 100000 : 0;
		if (late < late_best)
			late_best = late;
	}
	report("timer_lateness", late_best);
	rv_set_irq_handler(0, 0);
}

static void bench_cpu(void)
{
	uint64_t t0 = rdtsc();
	uint32_t sum = bench_work(BENCH_WORK_ITERATIONS);
	report("cpu_work", rdtsc() - t0);
	rv_printf("BENCH cpu_work_checksum %u\n", sum);
}

int main(int argc, char **argv)
{
	(void)argc, (void)argv;
	bracket = 0;
	bracket = measure(op_nothing, 0);
	report("bracket", bracket);
	bench_hypercalls_and_traps();
	setup_paging();
	load_user_segments();
	bench_demand_faults();
	bench_guest_faults();
	bench_process_switch();
	bench_user();
	bench_virq();
	bench_cpu();
	return 0;
}
