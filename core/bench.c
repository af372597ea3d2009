/* Native baselines for the benchmarks, measured in the same boot as the
 * guests: the same operation done by the hypervisor on the bare machine.
 * Each figure is the least of many rdtsc-bracketed runs, less the bracket;
 * under QEMU's -icount shift=0 that is an exact instruction count. Lines
 * are "ringvisor: bench: NAME VALUE", read by tools/bench.py. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <core/bench.h>
#include <core/guest.h>
#include <core/log.h>

#define RUNS 200
#define VEC_BENCH 0xF0		/* a free vector: its gate is a bare iret */

bool bench_on;

extern void bench_native_iret(void);	/* vectors.S */

static uint64_t bracket;

static uint64_t least(void (*op)(void))
{
	uint64_t best = ~0ull;

	for (unsigned i = 0; i < RUNS; i++) {
		uint64_t t0 = rdtsc();
		op();
		uint64_t t1 = rdtsc();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best > bracket ? best - bracket : 0;
}

static void op_nothing(void) {}

static void op_int(void)
{
	__asm__ volatile("int %0" : : "i"(VEC_BENCH) : "memory");
}

/* The native counterpart of a trap round trip: `int` to a handler that
 * returns at once, on the bare machine. */
void bench_native(void)
{
	bench_on = true;
	bracket = 0;
	bracket = least(op_nothing);
	idt_set_gate(VEC_BENCH, (uint32_t)bench_native_iret, 0, false);
	pr_info("bench: native_int %llu", (unsigned long long)least(op_int));
}

/* The floor of a hypercall: the least time from entering the Switcher to
 * its return to the run loop, with only the guest's `int $0x1F` between. */
void bench_report_guest(const struct guest *g)
{
	pr_info("bench: %s switch_floor %llu", g->name,
		(unsigned long long)g->stats.min_switch);
}
