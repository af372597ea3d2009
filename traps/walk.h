/* What the Switcher's #PF walker is told when its inputs change: the whole
 * check (walk.c), and the two changes every process switch makes, inline
 * because they are on that path. */
#ifndef RV_TRAPS_WALK_H
#define RV_TRAPS_WALK_H

#include <core/guest.h>

/* walk.c */
void walk_refresh(struct guest *g);

/* HC_NEW_PGTABLE: the directory the walker reads is the new one. */
static inline void walk_dir_changed(struct guest *g)
{
	g->state->walk.dir_pa = g->mem_base + g->shadow.dirs[g->shadow.cur].gpa;
}

/* HC_SET_STACK: the walker reads the stack from the TSS; only a change
 * in its size needs a word. */
static inline void walk_stack_changed(struct guest *g)
{
	if (g->state->walk.stack_pages != g->stack_pages)
		walk_refresh(g);
}

#endif
