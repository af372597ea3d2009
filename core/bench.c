/* Native baselines for the benchmarks, measured in the same boot as the
 * guests: the same operation done by the hypervisor on the bare machine,
 * in ring 0. Each figure is the least of many rdtsc-bracketed runs, less
 * the bracket; under QEMU's -icount shift=0 that is an exact instruction
 * count. Also the hypervisor's own figures: the bare world switch, boot to
 * the first guest instruction, memory per guest, and a timeline of which
 * guest ran when. Lines are "ringvisor: bench: ...", read by tools/bench.py. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <benchwork.h>
#include <core/bench.h>
#include <core/guest.h>
#include <core/timer.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <mm/frame.h>
#include <mm/mm.h>

#define RUNS 200
#define VEC_BENCH 0xF0			/* a free vector: its gate is a bare iret */
#define WINDOW    0xFF800000u		/* 4 MiB below the Switcher: never RAM */
#define WINDOW_PAGES 64
#define TIMELINE_MAX BENCH_TRACE_MAX

bool bench_on;
bool bench_tracing;
bool bench_switches;
bool bench_irqoff;

static uint64_t bracket;
static uint64_t boot_tsc;

static struct {
	uint64_t tsc;
	uint32_t id;
} timeline[TIMELINE_MAX];
static unsigned timeline_len;

static uint64_t least(void (*op)(unsigned), unsigned arg)
{
	uint64_t best = ~0ull;

	for (unsigned i = 0; i < RUNS; i++) {
		uint64_t t0 = rdtsc();
		op(arg);
		uint64_t t1 = rdtsc();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best > bracket ? best - bracket : 0;
}

static void report(const char *name, uint64_t v)
{
	pr_info("bench: %s %llu", name, (unsigned long long)v);
}

static void op_nothing(unsigned n) { (void)n; }

static void op_int(unsigned n)
{
	(void)n;
	__asm__ volatile("int %0" : : "i"(VEC_BENCH) : "memory");
}

/* The first write to a page of the window: a native page fault. */
static void op_touch_window(unsigned page)
{
	*(volatile uint32_t *)(WINDOW + (page % WINDOW_PAGES) * PAGE_SIZE) = page;
}

static void unmap_window(void)
{
	for (unsigned i = 0; i < WINDOW_PAGES; i++) {
		bench_native_pt[i] = 0;
		invlpg(WINDOW + i * PAGE_SIZE);
	}
}

/* A process switch on the bare machine: reload CR3, then touch four
 * pages (code, stack and data of the next process). */
static volatile uint32_t touch_pages[4 * PAGE_SIZE / 4] __aligned(PAGE_SIZE);
static void op_cr3_and_touch(unsigned n)
{
	(void)n;
	write_cr3(read_cr3());
	for (unsigned p = 0; p < 4; p++)
		touch_pages[p * PAGE_SIZE / 4]++;
}

static volatile uint64_t fired_tsc;
static void timer_fired(struct timer_event *ev)
{
	(void)ev;
	fired_tsc = rdtsc();
}

/* How late a host one-shot 100 us ahead fires: the least of 20. */
static uint64_t native_timer_lateness(void)
{
	struct timer_event ev;
	uint64_t best = ~0ull;

	timer_event_init(&ev, timer_fired, NULL);
	cli();
	for (unsigned i = 0; i < 20; i++) {
		fired_tsc = 0;
		uint64_t deadline = time_ns() + 100000;
		uint64_t tsc0 = rdtsc(), ns0 = time_ns();
		timer_arm(&ev, deadline);
		while (!fired_tsc)
			idle_wait();
		uint64_t fired_ns = ns0 + tsc_to_ns(fired_tsc - tsc0);
		uint64_t late = fired_ns > deadline ? fired_ns - deadline : 0;
		best = MIN(best, late);
	}
	sti();
	return best;
}

/* The TSC when the hypervisor's C code started. */
void bench_mark_boot(uint64_t tsc)
{
	boot_tsc = tsc;
}

/* The TSC cycles bench_native took: not part of the boot it measures. */
static uint64_t native_span;

void bench_native(void)
{
	uint64_t start = rdtsc();

	bench_on = true;
	bracket = 0;
	bracket = least(op_nothing, 0);

	idt_set_gate(VEC_BENCH, (uint32_t)bench_native_iret, 0, false);
	report("native_int", least(op_int, 0));

	/* Page faults: a window with its own page table, every page of it
	 * faulted in by bench_native_pf. */
	bench_native_frame = frame_alloc();
	paging_map(WINDOW, bench_native_frame, PTE_RW);
	bench_native_pt = paging_table_of(WINDOW);
	idt_set_gate(14, (uint32_t)bench_native_pf, 0, false);
	uint64_t best = ~0ull;
	for (unsigned round = 0; round < RUNS / WINDOW_PAGES + 1; round++) {
		unmap_window();
		for (unsigned p = 0; p < WINDOW_PAGES; p++) {
			uint64_t t0 = rdtsc();
			op_touch_window(p);
			best = MIN(best, rdtsc() - t0);
		}
	}
	unmap_window();
	idt_init();			/* #PF is fatal again */
	report("native_pagefault", best - bracket);

	report("native_process_switch", least(op_cr3_and_touch, 0));
	report("native_timer_lateness", native_timer_lateness());

	uint64_t t0 = rdtsc();
	uint32_t sum = bench_work(BENCH_WORK_ITERATIONS);
	report("native_cpu_work", rdtsc() - t0);
	pr_info("bench: native_cpu_work_checksum %u", sum);
	native_span = rdtsc() - start;
}

/* The floor of a hypercall: the least time from entering the Switcher to
 * its return to the run loop, with only the guest's `int $0x1F` between. */
void bench_report_guest(const struct guest *g)
{
	pr_info("bench: %s switch_floor %llu", g->name,
		(unsigned long long)g->stats.min_switch);
	/* Beyond its RAM, what admission reserves for it (docs/design.md):
	 * its structure, the regs and state pages, the two guard frames, and
	 * its shadow-frame budget. */
	uint32_t bytes = (guest_fixed_frames() + g->shadow.budget) * PAGE_SIZE;
	pr_info("bench: %s memory_per_guest %u", g->name, bytes);
}

/* Switches between time slices: from the last exit of one slice's guest
 * to the first entry of the next slice's (the same guest when it runs
 * alone), with no idle and no guest's end in between: the host's part of
 * a guest switch. */
static uint64_t last_exit_tsc, switch_sum, switch_count;
static bool slice_starting;

void bench_entering(const struct guest *g)
{
	(void)g;
	bench_first_entry();
	if (slice_starting && last_exit_tsc) {
		switch_sum += rdtsc() - last_exit_tsc;
		switch_count++;
	}
	slice_starting = false;
}

void bench_exited(void)
{
	last_exit_tsc = rdtsc();
}

/* After the guest's first hypercalls, only these two reads remain on the
 * bench build's entry path; the guest's own figures include them. */

void bench_idled(void)
{
	last_exit_tsc = 0;
}

void bench_report_switches(void)
{
	if (switch_count)
		pr_info("bench: guest_switch_host %llu over %llu switches",
			(unsigned long long)(switch_sum / switch_count),
			(unsigned long long)switch_count);
}

void bench_first_entry(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	report("boot_to_first_guest", rdtsc() - boot_tsc - native_span);
}

void bench_timeline(const struct guest *g)
{
	slice_starting = true;
	if (timeline_len < TIMELINE_MAX)
		timeline[timeline_len++] = (typeof(timeline[0])){ rdtsc(), g->id };
}

/* The monitor's `trace on|off|dump`: the same timeline, from now (under
 * bench, the bench's own timeline is not reset). */
static uint64_t trace_start_tsc;

void bench_trace_start(void)
{
	if (!bench_on)
		timeline_len = 0;
	trace_start_tsc = rdtsc();
	bench_tracing = true;
}

unsigned bench_trace_len(void)
{
	return timeline_len;
}

/* Entry i: ns since `trace on` (0 for entries before it) and the guest id. */
void bench_trace_entry(unsigned i, uint64_t *ns, unsigned *id)
{
	ASSERT(i < timeline_len);
	*ns = timeline[i].tsc > trace_start_tsc ? tsc_to_ns(timeline[i].tsc - trace_start_tsc) : 0;
	*id = timeline[i].id;
}

void bench_dump_timeline(void)
{
	for (unsigned i = 0; i < timeline_len; i++)
		kprintf("ringvisor: bench: timeline %llu %u\n",
			(unsigned long long)(timeline[i].tsc - boot_tsc), timeline[i].id);
}

static uint64_t irq_off_since, irq_off_max;

void bench_irq_off(void)
{
	irq_off_since = rdtsc();
}

void bench_irq_on(void)
{
	if (irq_off_since)
		irq_off_max = MAX(irq_off_max, rdtsc() - irq_off_since);
	irq_off_since = 0;
}

void bench_report_irq_off(void)
{
	pr_info("bench: host_irq_off_max %llu", (unsigned long long)irq_off_max);
}
