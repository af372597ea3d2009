/* The run loop: entering guests and the scheduler that chooses them. */
#ifndef RV_RUN_H
#define RV_RUN_H

#include <core/guest.h>
#include <types.h>

/* How a guest ended, kept for the summary after its memory went back. */
struct sched_ending {
	enum guest_state state;
	int exit_status;
	bool as_expected;
	uint64_t cpu_ns, context_switches, hypercalls, faults, emulated;
	struct net_counters net;
	char reason[sizeof(((struct guest *)0)->end_reason)];
};

/* One slot per started module: its guest changes when it is restarted,
 * and is NULL once it has ended for good (then `end` says how). */
struct sched_slot {
	const struct guest_spec *spec;
	struct guest *g;
	unsigned restarts;		/* by on_exit=/on_crash= */
	unsigned monitor_restarts;	/* by the monitor's restart */
	bool ended;
	bool gone;		/* its restart did not fit: no ending recorded */
	struct sched_ending end;
	char last_reason[sizeof(((struct guest *)0)->end_reason)];
};

/* run.c */
void run_once(struct guest *g);
void run_forget(struct guest *g);

/* sched.c */
extern volatile bool sched_need_resched;
void sched_add(struct guest *g);
bool sched_loop(struct guest **guests, unsigned n);
/* For the monitor (core/monitor.c), from its poll hook only. */
void sched_set_poll(bool (*poll)(void), void (*end)(void));
void sched_poll_soon(void);
unsigned sched_nr_slots(void);
const struct sched_slot *sched_slot(unsigned i);
uint64_t sched_started_ns(void);
void sched_pause(struct guest *g);
void sched_unpause(struct guest *g);
void sched_kill(struct guest *g);
void sched_restart(struct guest *g);
bool sched_revive(unsigned i);
void sched_set(struct guest *g, uint32_t weight, uint32_t cap);
void sched_shutting_down(void);

#endif
