/* Measurements for `make bench` (the `bench` command-line option): the
 * native baselines, taken by the hypervisor itself in ring 0, and the
 * cost of the bare world switch. */
#ifndef RV_BENCH_H
#define RV_BENCH_H

#include <types.h>

struct guest;

/* bench: how many of a guest's first entries the run loop times. */
#define BENCH_TIMED_ENTRIES 64

/* bench.c */
extern bool bench_on;
void bench_native(void);
void bench_report_guest(const struct guest *g);

#endif
