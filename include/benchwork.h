/* The CPU-bound work the benchmarks run both natively (core/bench.c) and
 * in a guest (guests/bench), so that cpu_bound_ratio compares the same
 * instructions. Shared verbatim, like abi.h: no other includes. */
#ifndef RV_BENCHWORK_H
#define RV_BENCHWORK_H

#include <stdint.h>

/* A linear congruential walk over a small table: integer work with loads
 * and stores, no floating point. Returns a checksum so nothing is elided. */
static inline uint32_t bench_work(uint32_t iterations)
{
	uint32_t table[64] = { 0 };
	uint32_t x = 12345;

	for (uint32_t i = 0; i < iterations; i++) {
		x = x * 1103515245u + 12345u;
		table[(x >> 16) & 63] += x;
	}
	for (unsigned i = 0; i < 64; i++)
		x ^= table[i];
	return x;
}

#define BENCH_WORK_ITERATIONS 2000000u

#endif
