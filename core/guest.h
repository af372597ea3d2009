/* A guest: its memory, registers, paravirtual state, shadow page tables,
 * virtual interrupts and accounting, and the ways a guest ends. */
#ifndef RV_GUEST_H
#define RV_GUEST_H

#include <abi.h>
#include <core/modules.h>
#include <core/console.h>
#include <core/timer.h>
#include <dev/dev.h>
#include <mm/shadow.h>
#include <switcher/switcher.h>
#include <types.h>

enum guest_state {
	GUEST_RUNNABLE,		/* may be picked by the scheduler */
	GUEST_HALTED,		/* HC_HALT: waits for a virtual interrupt */
	GUEST_BLOCKED,		/* waits for the console to drain */
	GUEST_EXITED,		/* ended by HC_RV_EXIT or HC_SHUTDOWN */
	GUEST_KILLED,		/* ended by kill_guest() */
};

/* A guest's traffic on the switch (docs/network.md): frames and bytes
 * (Ethernet, without the virtio header) sent and received, and the frames
 * dropped: going out (runt, oversize, spoofed source) and coming in (no
 * driver, no buffer posted, buffer too small). */
struct net_counters {
	uint64_t frames_out, bytes_out, frames_in, bytes_in;
	uint64_t drops_out, drops_in;
	uint64_t runts, oversize, spoofed;	/* drops_out, by cause */
};

/* Per-guest counters: the summary table and HC_RV_COUNTERS. */
struct guest_stats {
	uint64_t world_switches;
	uint64_t hypercalls;
	uint64_t cr3_writes;
	uint64_t tlb_flushes_full;
	uint64_t shadow_faults;
	uint64_t reflected_traps;
	uint64_t timer_irqs;
	uint64_t emulated;
	uint64_t cpu_ns;
	uint64_t context_switches;
	uint64_t min_switch;		/* bench: least Switcher round trip */
	struct net_counters net;
};

struct guest {
	char name[GUEST_NAME_MAX];
	unsigned id;
	const struct guest_spec *spec;
	enum guest_state run_state;
	/* The scheduler's bookkeeping (core/sched.c). */
	bool queued;			/* in a run queue */
	bool throttled;			/* used up its cap in this window */
	int64_t credit_ns;		/* CPU left in this round */
	uint64_t cap_used_ns;		/* CPU used in this cap window */
	uint64_t woke_ns;		/* when it last left the wake queue */
	unsigned restarts;		/* how many times this guest was restarted */
	/* The monitor's (core/monitor.c): paused, with its clock event's time
	 * left held; ended by its kill or its restart. */
	bool paused;
	uint64_t clock_held_ns;
	bool ended_by_monitor;
	bool restart_asked;

	/* Guest-physical 0 .. mem_size is host-physical mem_base .. + size. */
	uint32_t mem_base;
	uint32_t mem_size;
	uint32_t frames_fixed;		/* frames its creation took, shadows aside */
	uint32_t mem_freed;		/* frames of its memory (guards included)
					 * already back, at its end */
	uint32_t shadow_reserved;	/* its shadow budget, reserved at admission */
	bool loading;			/* its image is still being loaded */
	uint32_t load_off;		/* bytes of its memory loaded so far */

	/* The Switcher's pages for this guest (host-physical = pointer). */
	struct regs_page *regs_page;
	struct state_page *state;
	struct guest_regs *regs;
	uint8_t *rom;			/* its ROM page (switcher/rom.c) */

	/* lguest_data: 0 until HC_LGUEST_INIT. */
	uint32_t lguest_data_gpa;
	struct lguest_data *lguest_data;	/* host pointer into guest memory */
	uint32_t noirq_iret;
	uint32_t kernel_address;
	uint32_t syscall_vec;
	/* The alias of lguest_data's irq_enabled at SWITCHER_LDATA: the host
	 * frame mapped there and the word's address, 0 until LGUEST_INIT (or
	 * if irq_enabled crosses a page: then no ROM stubs). */
	uint32_t ldata_alias_pa;
	uint32_t rom_irq_va;
	unsigned async_next;			/* next ring slot to look at */
	uint32_t async_done;			/* bytes of that slot's console write done */
	uint32_t console_budget;		/* console bytes left in this entry */

	/* The guest's IDT as it asked for it (LOAD_IDT_ENTRY), before the
	 * host chose what the real one holds. */
	uint32_t idt_lo[256], idt_hi[256];

	/* The CS and SS the run loop last found valid, one pair for ring 1
	 * and one for ring 3 (CHECKED_SLOT), and the count of changes to the
	 * GDT entries they name then: the sanitiser's fast path
	 * (hcall/segments.c counts only those entries' changes). */
	uint32_t gdt_changes;
	uint32_t checked_cs[2], checked_ss[2], checked_gdt[2];

	/* The ring-1 stack for traps from ring 3 (SET_STACK). */
	uint32_t ss1, esp1;
	unsigned stack_pages;

	/* Virtual interrupts and the clock. */
	uint32_t irqs_pending;
	struct timer_event clock;
	uint32_t last_pagefault;

	/* Lazy FPU: the guest's CR0.TS, and its saved state. */
	bool guest_ts;
	uint8_t fpu_state[512] __aligned(16);

	struct shadow shadow;
	struct guest_stats stats;

	/* Its virtual PCI bus and devices (dev/), any device work the guest
	 * must not run past, and where console input goes once a device has
	 * taken charge of it (true if it did). */
	struct dev_bus bus;
	bool dev_busy;
	bool (*input_hook)(struct guest *g);

	/* Console output not yet printed: the current line. */
	char line[CONSOLE_LINE_MAX];
	unsigned line_len;
	bool line_continued;

	/* How it ended. */
	int exit_status;
	char end_reason[128];
};

/* The slot of checked_cs for a CS: by its RPL's high bit (1 -> 0, 3 -> 1;
 * a cached pair only ever holds RPL 1 or 3, so 0 and 2 never match). */
#define CHECKED_SLOT(cs) (((cs) >> 1) & 1)

/* An exit status that asks for the restart policy (SHUTDOWN with reason 2). */
#define GUEST_EXIT_RESTART (-2)

/* What the scheduler does when a guest's state changes under it: it
 * registers these once (core/sched.c), so the guest object never calls
 * up into the run loop. */
struct guest_sched_ops {
	void (*ready)(struct guest *g);	/* runnable again: queue it */
	void (*ended)(struct guest *g);	/* killed off the CPU: reap it */
};

/* guest.c: the guest object */
void guest_set_sched_ops(const struct guest_sched_ops *ops);
void guest_wake(struct guest *g);
void guest_block(struct guest *g);
void guest_unblock(struct guest *g);
void guest_reap(struct guest *g);
bool irq_raise(struct guest *g, unsigned irq);
bool irq_wakeable(const struct guest *g);
void kill_guest(struct guest *g, const char *fmt, ...) __printf(2, 3);
void guest_exit(struct guest *g, int status, const char *why);
void guest_map_switcher(const struct guest *g);

/* lifecycle.c: creation and destruction, from the run loop */
struct guest *guest_create(const struct guest_spec *spec, unsigned id);
void guest_load_piece(struct guest *g);
bool guest_release_piece(struct guest *g);
void guest_destroy(struct guest *g);
uint32_t guest_frames_held(const struct guest *g);
uint32_t guest_fixed_frames(void);

/* Traps handed to its own handlers: by the host, and #PFs by the
 * Switcher's walker, which counts them in the state page. */
static inline uint64_t guest_reflected(const struct guest *g)
{
	return g->stats.reflected_traps + g->state->walk.faults;
}

static inline bool guest_alive(const struct guest *g)
{
	return g->run_state != GUEST_EXITED && g->run_state != GUEST_KILLED;
}

#endif
