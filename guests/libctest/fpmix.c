/* Two or more copies of this guest, run together on short time slices,
 * prove the hypervisor keeps each guest's x87 and SSE state apart (lazy
 * switching with CR0.TS): each computes long results it knows in advance,
 * in the x87 (this file, compiled for the x87), in SSE (fpmix_sse.c) and
 * in loops that hold all eight x87 registers and eight XMM registers live
 * at once while they are preempted, and checks them.
 *
 * Arguments (after `--`): a seed (1..1000, different for each copy) and
 * the rounds of the register loop (default 40). One line per case,
 * "PASS name" or "FAIL name: why"; exits 0 only if all passed. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fpmix.h"

#define LOOP_ITERATIONS 20000   /* per round of the register loop */
#define BASEL_TERMS     400000
#define TRIANGLE_TERMS  400000

static int failures;

static void verdict(const char *name, int ok, const char *why)
{
	if (ok) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: %s\n", name, why);
		failures++;
	}
}

/* rounds of the register loop, each checked against what it must give. */
static void case_registers(uint32_t seed, uint32_t rounds)
{
	struct regs_state s;
	char why[160] = "";
	int32_t step = 0;

	memset(&s, 0, sizeof(s));
	for (int k = 1; k < 8; k++) {
		s.x87[k] = (int32_t)(seed * 8 + k);
		step += s.x87[k];
	}
	for (int k = 0; k < 4; k++) {
		s.ps[1][k] = (float)(k + 1);
		s.dq[1][k] = (int32_t)(seed * 1000 + k);
	}
	for (int k = 0; k < 2; k++) {
		s.pd[1][k] = (double)seed + k * 0.5;
		s.pd[2][k] = (double)seed * (k ? -1 : 1);
		s.pd[3][k] = -1.0;
	}
	for (uint32_t r = 0; r < rounds && why[0] == '\0'; r++) {
		/* Sums start from 0 each round so floats stay exact (< 2^24). */
		memset(s.ps[0], 0, sizeof(s.ps[0]));
		memset(s.pd[0], 0, sizeof(s.pd[0]));
		memset(s.dq[0], 0, sizeof(s.dq[0]));
		s.x87[0] = (int32_t)r;
		register_loop(&s, LOOP_ITERATIONS);

		int32_t want0 = (int32_t)r + LOOP_ITERATIONS * step;
		if (s.x87[0] != want0)
			snprintf(why, sizeof(why), "round %u: st0 %ld, not %ld", r,
				 (long)s.x87[0], (long)want0);
		for (int k = 1; k < 8; k++)
			if (s.x87[k] != (int32_t)(seed * 8 + k))
				snprintf(why, sizeof(why), "round %u: st%d %ld", r, k,
					 (long)s.x87[k]);
		for (int k = 0; k < 4; k++) {
			if (s.ps[0][k] != (float)LOOP_ITERATIONS * (k + 1))
				snprintf(why, sizeof(why), "round %u: addps lane %d %g",
					 r, k, s.ps[0][k]);
			if (s.dq[0][k] != LOOP_ITERATIONS * (int32_t)(seed * 1000 + k))
				snprintf(why, sizeof(why), "round %u: paddd lane %d %ld",
					 r, k, (long)s.dq[0][k]);
		}
		for (int k = 0; k < 2; k++) {
			double sum = (double)LOOP_ITERATIONS * ((double)seed + k * 0.5);
			/* An even number of sign flips leaves the value. */
			double prod = (double)seed * (k ? -1 : 1);
			if (s.pd[0][k] != sum)
				snprintf(why, sizeof(why), "round %u: addpd lane %d %.17g",
					 r, k, s.pd[0][k]);
			if (s.pd[2][k] != prod)
				snprintf(why, sizeof(why), "round %u: mulpd lane %d %.17g",
					 r, k, s.pd[2][k]);
		}
	}
	verdict("registers", why[0] == '\0', why);
}

/* Sum of 1/k^2 for k = 1..n, in the x87. */
static double x87_basel(uint32_t n)
{
	double sum = 0;

	for (uint32_t k = 1; k <= n; k++)
		sum += 1.0 / ((double)k * k);
	return sum;
}

/* The sum of 1/k^2 up to n is pi^2/6 - 1/n + 1/(2n^2) - ..., in both units. */
static void case_basel(void)
{
	double want = M_PI * M_PI / 6 - 1.0 / BASEL_TERMS +
		      1.0 / (2.0 * BASEL_TERMS * BASEL_TERMS);
	double x = x87_basel(BASEL_TERMS), s = sse_basel(BASEL_TERMS);
	char why[160] = "";

	if (fabs(x - want) > 1e-13 || fabs(s - want) > 1e-13 || fabs(x - s) > 1e-13)
		snprintf(why, sizeof(why), "x87 %.17g, SSE %.17g, not %.17g",
			 x, s, want);
	verdict("basel", why[0] == '\0', why);
}

/* seed * n(n+1)/2 exactly, in the x87 and in SSE. */
static void case_triangle(uint32_t seed)
{
	double want = (double)seed * ((double)TRIANGLE_TERMS *
				      (TRIANGLE_TERMS + 1) / 2);
	double x = 0, s;
	char why[160] = "";

	for (uint32_t k = 1; k <= TRIANGLE_TERMS; k++)
		x += (double)seed * k;
	s = sse_triangle(TRIANGLE_TERMS, seed);
	if (x != want || s != want)
		snprintf(why, sizeof(why), "x87 %.17g, SSE %.17g, not %.17g",
			 x, s, want);
	verdict("triangle", why[0] == '\0', why);
}

int main(int argc, char **argv)
{
	uint32_t seed = argc > 1 ? (uint32_t)atoi(argv[1]) : 1;
	uint32_t rounds = argc > 2 ? (uint32_t)atoi(argv[2]) : 40;

	if (seed < 1 || seed > 1000) {
		printf("usage: fpmix SEED(1..1000) [ROUNDS]\n");
		return 2;
	}
	printf("fpmix: seed %u, %u rounds\n", seed, rounds);
	case_registers(seed, rounds);
	case_basel();
	case_triangle(seed);
	printf("fpmix: %d failed\n", failures);
	return failures != 0;
}
