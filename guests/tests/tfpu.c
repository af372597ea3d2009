/* Test guest: FPU (x87) and SSE state kept across world and guest
 * switches. Run two or more copies in one boot with different seeds
 * (argument 1): each fills the registers with its own values, then halts
 * or computes long enough to be preempted, so the others run and use the
 * FPU meanwhile, and checks its values are still there. */
#include "tlib.h"

static uint32_t seed;
static int has_sse;

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c,
		  uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(0));
}

TEST(fpu_initial_state)
{
	uint16_t fcw = 0, fsw = 0xFFFF;
	uint32_t mxcsr = 0;

	__asm__ volatile("fnstcw %0\n\tfnstsw %1" : "=m"(fcw), "=m"(fsw));
	CHECK(fcw == 0x37F, "FCW 0x%x", fcw);
	CHECK((fsw & 0x3800) == 0, "FSW top 0x%x", fsw);
	if (has_sse) {
		__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
		CHECK(mxcsr == 0x1F80, "MXCSR 0x%x", mxcsr);
	}
}

/* All eight x87 registers and the control word, across 20 halts. */
TEST(fpu_x87_across_halts)
{
	for (uint32_t it = 0; it < 20; it++) {
		static int32_t in[8], out[8];
		uint16_t fcw = seed & 1 ? 0x0F7F : 0x037F, fcw_out = 0;

		for (int k = 0; k < 8; k++)
			in[k] = (int32_t)(seed * 100000 + it * 10 + k);
		__asm__ volatile("fninit\n\tfldcw %1\n\t"
				 "fildl 0(%0)\n\tfildl 4(%0)\n\tfildl 8(%0)\n\t"
				 "fildl 12(%0)\n\tfildl 16(%0)\n\tfildl 20(%0)\n\t"
				 "fildl 24(%0)\n\tfildl 28(%0)"
				 :: "r"(in), "m"(fcw) : "memory");
		rv_sleep_ns(200000);
		__asm__ volatile("fnstcw %1\n\t"
				 "fistpl 28(%0)\n\tfistpl 24(%0)\n\tfistpl 20(%0)\n\t"
				 "fistpl 16(%0)\n\tfistpl 12(%0)\n\tfistpl 8(%0)\n\t"
				 "fistpl 4(%0)\n\tfistpl 0(%0)"
				 :: "r"(out), "m"(fcw_out) : "memory");
		CHECK(fcw_out == fcw, "iteration %u: FCW 0x%x", it, fcw_out);
		for (int k = 0; k < 8; k++)
			CHECK(out[k] == in[k], "iteration %u: st%d %d, not %d",
			      it, 7 - k, out[k], in[k]);
	}
}

/* A 40 ms x87 computation (several time slices): sum of seed * k. */
TEST(fpu_x87_preempted)
{
	volatile uint32_t s = seed;
	double sum = 0;
	uint32_t n = 0;
	uint64_t end = rv_time_ns() + 40000000;

	do {
		for (int i = 0; i < 1000; i++) {
			n++;
			sum += (double)n * s;
		}
	} while (rv_time_ns() < end);
	uint64_t want = (uint64_t)seed * ((uint64_t)n * (n + 1) / 2);
	CHECK(sum == (double)want, "sum %llu, not %llu after %u terms",
	      (uint64_t)sum, want, n);
}

static void sse_fill(uint32_t *buf, uint32_t it)
{
	for (int k = 0; k < 32; k++)
		buf[k] = seed << 24 | it << 8 | k;
}

TEST(sse_across_halts)
{
	static uint32_t in[32] __attribute__((aligned(16)));
	static uint32_t out[32] __attribute__((aligned(16)));

	if (!has_sse) {
		t_skip("no SSE");
		return;
	}
	for (uint32_t it = 0; it < 20; it++) {
		sse_fill(in, it);
		__asm__ volatile("movdqa 0(%0), %%xmm0\n\tmovdqa 16(%0), %%xmm1\n\t"
				 "movdqa 32(%0), %%xmm2\n\tmovdqa 48(%0), %%xmm3\n\t"
				 "movdqa 64(%0), %%xmm4\n\tmovdqa 80(%0), %%xmm5\n\t"
				 "movdqa 96(%0), %%xmm6\n\tmovdqa 112(%0), %%xmm7"
				 :: "r"(in) : "memory");
		rv_sleep_ns(200000);
		__asm__ volatile("movdqa %%xmm0, 0(%0)\n\tmovdqa %%xmm1, 16(%0)\n\t"
				 "movdqa %%xmm2, 32(%0)\n\tmovdqa %%xmm3, 48(%0)\n\t"
				 "movdqa %%xmm4, 64(%0)\n\tmovdqa %%xmm5, 80(%0)\n\t"
				 "movdqa %%xmm6, 96(%0)\n\tmovdqa %%xmm7, 112(%0)"
				 :: "r"(out) : "memory");
		for (int k = 0; k < 32; k++)
			CHECK(out[k] == in[k], "iteration %u: xmm%d word %d "
			      "0x%x, not 0x%x", it, k / 4, k % 4, out[k], in[k]);
	}
}

/* A long paddd loop (preempted): xmm0 accumulates seed per lane. */
TEST(sse_preempted)
{
	static uint32_t v[8] __attribute__((aligned(16)));
	const uint32_t iters = 4000000;

	if (!has_sse) {
		t_skip("no SSE");
		return;
	}
	for (int k = 0; k < 4; k++)
		v[k] = seed + k;
	__asm__ volatile("pxor %%xmm0, %%xmm0\n\tmovdqa (%0), %%xmm1\n"
			 "1:\n\tpaddd %%xmm1, %%xmm0\n\tdecl %1\n\tjnz 1b\n\t"
			 "movdqa %%xmm0, 16(%0)"
			 : : "r"(v), "r"(iters) : "memory", "cc");
	for (int k = 0; k < 4; k++)
		CHECK(v[4 + k] == (seed + k) * iters, "lane %d 0x%x, not 0x%x",
		      k, v[4 + k], (seed + k) * iters);
}

int main(int argc, char **argv)
{
	uint32_t a, b, c, d;

	seed = 1;
	if (argc > 1)
		for (const char *p = argv[1]; *p >= '0' && *p <= '9'; p++)
			seed = (p == argv[1] ? 0 : seed * 10) + (uint32_t)(*p - '0');
	cpuid(1, &a, &b, &c, &d);
	has_sse = (d >> 25) & 1 && (d >> 26) & 1;
	rv_printf("seed %u, sse %s\n", seed, has_sse ? "yes" : "no");
	t_catch_all();
	t_catch(7, RV_GATE_INTR);
	rv_set_handler(7, NULL, RV_GATE_INTR);  /* #NM: the runtime's */
	return t_run_all(1, argv);
}
