/* fpmix's SSE half: this file alone is compiled with -msse2 -mfpmath=sse
 * (libctest.mk), so its double arithmetic runs in the XMM registers,
 * scalar (addsd, mulsd, divsd) and, through the intrinsics, packed. */
#include <emmintrin.h>

#include "fpmix.h"

/* The register loop: every x87 and XMM register holds a value from before
 * the loop to after it, so a preemption in the loop finds both files in
 * use. (Here because only an SSE file may name the XMM registers.) */
void register_loop(struct regs_state *s, uint32_t n)
{
	__asm__ volatile(
		"fildl 28(%0)\n\tfildl 24(%0)\n\tfildl 20(%0)\n\tfildl 16(%0)\n\t"
		"fildl 12(%0)\n\tfildl 8(%0)\n\tfildl 4(%0)\n\tfildl 0(%0)\n\t"
		"movaps 32(%0), %%xmm0\n\tmovaps 48(%0), %%xmm1\n\t"
		"movapd 64(%0), %%xmm2\n\tmovapd 80(%0), %%xmm3\n\t"
		"movapd 96(%0), %%xmm4\n\tmovapd 112(%0), %%xmm5\n\t"
		"movdqa 128(%0), %%xmm6\n\tmovdqa 144(%0), %%xmm7\n"
		"1:\n\t"
		"fadd %%st(1), %%st\n\tfadd %%st(2), %%st\n\t"
		"fadd %%st(3), %%st\n\tfadd %%st(4), %%st\n\t"
		"fadd %%st(5), %%st\n\tfadd %%st(6), %%st\n\t"
		"fadd %%st(7), %%st\n\t"
		"addps %%xmm1, %%xmm0\n\taddpd %%xmm3, %%xmm2\n\t"
		"mulpd %%xmm5, %%xmm4\n\tpaddd %%xmm7, %%xmm6\n\t"
		"dec %1\n\tjnz 1b\n\t"
		"fistpl 0(%0)\n\tfistpl 4(%0)\n\tfistpl 8(%0)\n\tfistpl 12(%0)\n\t"
		"fistpl 16(%0)\n\tfistpl 20(%0)\n\tfistpl 24(%0)\n\tfistpl 28(%0)\n\t"
		"movaps %%xmm0, 32(%0)\n\tmovaps %%xmm1, 48(%0)\n\t"
		"movapd %%xmm2, 64(%0)\n\tmovapd %%xmm3, 80(%0)\n\t"
		"movapd %%xmm4, 96(%0)\n\tmovapd %%xmm5, 112(%0)\n\t"
		"movdqa %%xmm6, 128(%0)\n\tmovdqa %%xmm7, 144(%0)"
		: "+r"(s), "+r"(n)
		:
		: "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
		  "xmm6", "xmm7", "st", "st(1)", "st(2)", "st(3)", "st(4)",
		  "st(5)", "st(6)", "st(7)");
}

_Static_assert(__builtin_offsetof(struct regs_state, dq) == 128,
	       "register_loop's offsets");

/* Sum of 1/k^2 for k = 1..n, in SSE doubles, two terms at a time. */
double sse_basel(uint32_t n)
{
	__m128d sum = _mm_setzero_pd();
	__m128d one = _mm_set1_pd(1.0), two = _mm_set1_pd(2.0);
	__m128d k = _mm_set_pd(2.0, 1.0);               /* {1, 2} */
	uint32_t i;

	for (i = 1; i + 1 <= n; i += 2) {
		sum = _mm_add_pd(sum, _mm_div_pd(one, _mm_mul_pd(k, k)));
		k = _mm_add_pd(k, two);
	}
	double lanes[2];

	_mm_storeu_pd(lanes, sum);
	double total = lanes[0] + lanes[1];
	if (i == n)                                     /* n odd: the last */
		total += 1.0 / ((double)n * n);
	return total;
}

/* seed * (1 + 2 + ... + n) in scalar SSE doubles: exact below 2^53. */
double sse_triangle(uint32_t n, uint32_t seed)
{
	double sum = 0, s = seed;

	for (uint32_t k = 1; k <= n; k++)
		sum += s * k;
	return sum;
}
