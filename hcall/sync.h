/* The synchronous hypercall's entry from the run loop: its common case
 * inline (core/run.c's hot path), the rest in hcall/dispatch.c. Apart
 * from hcall.h, so that the host unit tests' use of hcall.h needs no
 * struct guest. */
#ifndef RV_HCALL_SYNC_H
#define RV_HCALL_SYNC_H

#include <abi.h>
#include <core/guest.h>
#include <param.h>
#include <types.h>

/* A call's five words as the handlers read them: in place, the guest's
 * eax, ebx, ecx, edx and esi, which lead struct guest_regs in that order;
 * or a copy of a ring slot (struct hcall_args). may_alias, since in place
 * they are a struct guest_regs' words. */
typedef struct {
	uint32_t arg0, arg1, arg2, arg3, arg4;
} __attribute__((may_alias)) hcall_args_t;
typedef uint32_t (*hcall_fn)(struct guest *g, const hcall_args_t *a);
#define HC_TABLE_SIZE (HC_RV_LAST + 1)
/* The handlers by number; NULL for a number never assigned. Only for
 * hcall_sync below: everything else goes through hcall_sync_slow. */
extern const hcall_fn hcall_table[HC_TABLE_SIZE];
void hcall_sync_slow(struct guest *g);

/* The guest executed `int $0x1F`: run the call in its registers. This is
 * the common case, inline because it is the run loop's hot path
 * (core/run.c): a known call, after LGUEST_INIT, with nothing queued in
 * the async ring. Anything else, hcall_sync_slow (which also drains the
 * ring first, and kills for an unknown call or one before LGUEST_INIT). */
static inline void hcall_sync(struct guest *g)
{
	struct guest_regs *r = g->regs;
	const struct lguest_data *ld = g->lguest_data;
	uint32_t nr = r->eax;
	hcall_fn fn;

	if (unlikely(!ld || nr >= HC_TABLE_SIZE || !(fn = hcall_table[nr]) ||
		     ld->hcall_status[g->async_next] == HCALL_STATUS_PENDING)) {
		hcall_sync_slow(g);
		return;
	}
	g->console_budget = HCALL_CONSOLE_PIECE;
	g->stats.hypercalls++;
	r->eax = fn(g, (const hcall_args_t *)r);
}

#endif
