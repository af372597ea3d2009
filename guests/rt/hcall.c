/* The asynchronous hypercall ring: calls queued in lguest_data.hcalls that
 * the host runs, in order, at the guest's next synchronous hypercall. */
#include "rv.h"

/* The slot the next queued call goes into. The ring is filled in order, so
 * the host drains it in the order the calls were made. */
static unsigned int next_slot;

void rv_hcall_async(uint32_t call, uint32_t a1, uint32_t a2, uint32_t a3,
		    uint32_t a4)
{
	/* An interrupt handler may queue calls too: keep it out while this
	 * slot is claimed and filled. */
	uint32_t flags = rv_irq_save();
	volatile uint8_t *status = &rv_lguest_data.hcall_status[next_slot];
	struct hcall_args *slot = &rv_lguest_data.hcalls[next_slot];

	/* The ring is full when the next slot still waits to be run. Any
	 * synchronous call makes the host drain it. */
	if (*status != HCALL_STATUS_DONE) {
		rv_hcall0(HC_FLUSH_ASYNC);
		if (*status != HCALL_STATUS_DONE)
			rv_fatal("async ring slot %u still pending after "
				 "HC_FLUSH_ASYNC", next_slot);
	}

	slot->arg0 = call;
	slot->arg1 = a1;
	slot->arg2 = a2;
	slot->arg3 = a3;
	slot->arg4 = a4;
	/* The host reads the ring only while the guest is stopped, so a
	 * compiler barrier is enough to publish the arguments before the
	 * status that makes the slot live. */
	rv_barrier();
	*status = HCALL_STATUS_PENDING;

	next_slot = (next_slot + 1) % LHCALL_RING_SIZE;
	rv_irq_restore(flags);
}

void rv_flush_async(void)
{
	rv_hcall0(HC_FLUSH_ASYNC);
}
