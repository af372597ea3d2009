/* The bottom of the runtime: the shared page (lguest_data), the
 * asynchronous hypercall ring (calls queued in lguest_data.hcalls that the
 * host runs, in order, at the guest's next synchronous hypercall), and the
 * plain hypercalls that set the ring-1 stack, read the counters and end
 * the guest. Nothing here calls any other file of the runtime. */
#include "rv.h"

/* The shared page. Every ring slot starts "done" (nothing queued), and
 * virtual interrupts disabled; c_rv_start fills in our iret and the kernel
 * address before HC_LGUEST_INIT and enables interrupts just before main.
 * Page-aligned so the host finds it inside one page. */
struct lguest_data rv_lguest_data __attribute__((aligned(4096))) = {
	.irq_enabled = 0,
	.hcall_status = { [0 ... LHCALL_RING_SIZE - 1] = HCALL_STATUS_DONE },
	.syscall_vec = LGUEST_SYSCALL_VECTOR,
};

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
			rv_shutdown("rv: an async ring slot was still pending after "
				    "HC_FLUSH_ASYNC");
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

void rv_set_kernel_stack(uint32_t top, uint32_t pages)
{
	rv_hcall3(HC_SET_STACK, GUEST_DS, top, pages);
}

void rv_counters(struct rv_counters *c)
{
	rv_hcall1(HC_RV_COUNTERS, rv_gpa(c));
}

void rv_exit(uint32_t status)
{
	rv_hcall1(HC_RV_EXIT, status);
	for (;;)        /* the host never returns from HC_RV_EXIT */
		rv_hcall0(HC_HALT);
}

void rv_shutdown(const char *msg)
{
	rv_hcall2(HC_SHUTDOWN, rv_gpa(msg), LGUEST_SHUTDOWN_POWEROFF);
	for (;;)        /* nor from HC_SHUTDOWN */
		rv_hcall0(HC_HALT);
}
