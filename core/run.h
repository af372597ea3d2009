/* The run loop: entering guests and the scheduler that chooses them. */
#ifndef RV_RUN_H
#define RV_RUN_H

#include <types.h>

struct guest;

/* run.c */
void run_once(struct guest *g);
void run_forget(struct guest *g);

/* sched.c */
void sched_add(struct guest *g);
bool sched_loop(struct guest **guests, unsigned n);

#endif
