/* fpmix: what its SSE file (fpmix_sse.c) gives its x87 file (fpmix.c). */
#ifndef FPMIX_H
#define FPMIX_H

#include <stdint.h>

/* The state the register loop starts from and ends in. */
struct regs_state {
	int32_t x87[8];         /* st0 .. st7, as integers */
	float ps[2][4];         /* xmm0 (sums), xmm1 (steps) */
	double pd[4][2];        /* xmm2 (sums), xmm3 (steps), xmm4, xmm5 */
	int32_t dq[2][4];       /* xmm6 (sums), xmm7 (steps) */
} __attribute__((aligned(16)));

/* n iterations of: st0 += st1 + ... + st7 (x87), xmm0 += xmm1 (addps),
 * xmm2 += xmm3 (addpd), xmm4 *= xmm5 (mulpd), xmm6 += xmm7 (paddd), from
 * and back to *s. */
void register_loop(struct regs_state *s, uint32_t n);
double sse_basel(uint32_t n);
double sse_triangle(uint32_t n, uint32_t seed);

#endif
