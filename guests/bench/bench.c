/* The benchmark guest: the cost of the paravirtual operations, each the
 * minimum over many runs of an rdtsc-bracketed operation less the cost of
 * the bracket itself. Under QEMU's -icount shift=0 the TSC counts
 * instructions, so every figure is an exact, repeatable instruction count.
 * Prints "BENCH name value" lines for tools/bench.py. */
#include "rv.h"

#define RUNS 200

void bench_trap_iret(void);
void bench_intr_iret(void);

static inline uint64_t rdtsc(void)
{
	uint64_t v;

	__asm__ volatile("rdtsc" : "=A"(v));
	return v;
}

static uint64_t bracket;	/* the cost of the measurement itself */

/* The least of RUNS measurements of op(), less the bracket. */
static uint64_t measure(void (*op)(unsigned), unsigned arg)
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

static void op_nothing(unsigned n) { (void)n; }

static void op_null_hypercall(unsigned n)
{
	(void)n;
	rv_hcall0(HC_SEND_INTERRUPTS);
}

/* n calls queued in the ring, then the one synchronous call that drains. */
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

/* Point vector 0x80 straight at a bare iret, as a trap or interrupt gate. */
static void set_gate_0x80(void (*handler)(void), unsigned type)
{
	uint32_t off = (uint32_t)handler;
	uint32_t lo = (GUEST_CS << 16) | (off & 0xFFFF);
	uint32_t hi = (off & 0xFFFF0000) | 0x8000 | (3 << 13) | (type << 8);

	rv_hcall3(HC_LOAD_IDT_ENTRY, 0x80, lo, hi);
}

static void report(const char *name, uint64_t value)
{
	rv_printf("BENCH %s %llu\n", name, value);
}

static void report_per_call(const char *name, unsigned batch)
{
	report(name, measure(op_async_batch, batch) / batch);
}

int main(int argc, char **argv)
{
	(void)argc, (void)argv;
	bracket = 0;
	bracket = measure(op_nothing, 0);
	report("bracket", bracket);
	report("hypercall_null", measure(op_null_hypercall, 0));
	report_per_call("hypercall_async_1", 1);
	report_per_call("hypercall_async_8", 8);
	report_per_call("hypercall_async_64", LHCALL_RING_SIZE);

	set_gate_0x80(bench_intr_iret, IDT_GATE_INTERRUPT);
	report("trap_reflected", measure(op_int80, 0));
	set_gate_0x80(bench_trap_iret, IDT_GATE_TRAP);
	report("trap_direct", measure(op_int80, 0));
	return 0;
}
