/* Measurements for `make bench` (the `bench` command-line option): the
 * native baselines, taken by the hypervisor itself in ring 0, and the
 * cost of the bare world switch. */
#ifndef RV_BENCH_H
#define RV_BENCH_H

#include <types.h>

struct guest;

/* bench: the run loop times entries until a guest made this many
 * hypercalls. */
#define BENCH_TIMED_HCALLS 64

/* bench.c */
extern bool bench_on;
extern bool bench_tracing;		/* the monitor's trace on */
extern bool bench_switches;
extern bool bench_irqoff;
void bench_mark_boot(uint64_t tsc);
void bench_native(void);
void bench_report_guest(const struct guest *g);
void bench_first_entry(void);
void bench_timeline(const struct guest *g);
void bench_dump_timeline(void);
#define BENCH_TRACE_MAX 4096		/* entries kept; later ones are dropped */
void bench_trace_start(void);
unsigned bench_trace_len(void);
void bench_trace_entry(unsigned i, uint64_t *ns, unsigned *id);
void bench_entering(const struct guest *g);
void bench_exited(void);
void bench_idled(void);
void bench_report_switches(void);

/* benchirqoff: the host's stretches with interrupts off, from where they
 * are disabled (a guest's exit, the end of an interrupt window or of an
 * idle wait) to where they are enabled again (entering a guest, the next
 * window or idle wait); the longest is reported as host_irq_off_max. */
void bench_irq_off(void);
void bench_irq_on(void);
void bench_report_irq_off(void);

#endif
