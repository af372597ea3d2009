/* Hypercalls: `int $0x1F` with the call in eax and arguments in ebx, ecx,
 * edx and esi, or the same five words queued in lguest_data's async ring.
 * Every call goes through one table; a number outside it, or a call before
 * LGUEST_INIT, kills the guest. Addresses the guest passes are checked
 * against its memory before use. */
#include <abi.h>
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <core/console.h>
#include <core/guest.h>
#include <hcall/hcall.h>
#include <hcall/sync.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <mm/mm.h>
#include <mm/shadow.h>
#include <mutation.h>
#include <traps/traps.h>
#include <traps/walk.h>

/* The words of a call in place (hcall/sync.h: hcall_args_t) are the registers
 * that lead struct guest_regs; a ring slot is a struct hcall_args. */
#define SAME_WORD(reg, arg) (offsetof(struct guest_regs, reg) == offsetof(hcall_args_t, arg) && \
			    offsetof(struct hcall_args, arg) == offsetof(hcall_args_t, arg))
_Static_assert(SAME_WORD(eax, arg0) && SAME_WORD(ebx, arg1) && SAME_WORD(ecx, arg2) &&
	       SAME_WORD(edx, arg3) && SAME_WORD(esi, arg4) &&
	       sizeof(hcall_args_t) == sizeof(struct hcall_args),
	       "a call's words: the first five of guest_regs, the five of hcall_args");
#undef SAME_WORD

static uint32_t hc_flush_async(struct guest *g, const hcall_args_t *a)
{
	(void)g, (void)a;		/* the drain before every call did the work */
	return 0;
}

/* Read what the guest published (noirq_iret, kernel_address, syscall_vec)
 * once, check it, and publish the host's part. */
static uint32_t hc_lguest_init(struct guest *g, const hcall_args_t *a)
{
	struct lguest_data *ld = guest_range(g, a->arg1, sizeof(*ld));

	if (g->lguest_data) {
		kill_guest(g, "LGUEST_INIT called twice");
		return 0;
	}
	if (!ld) {
		kill_guest(g, "LGUEST_INIT: lguest_data at %08x is outside its memory", a->arg1);
		return 0;
	}
	if (ld->syscall_vec != LGUEST_SYSCALL_VECTOR) {
		kill_guest(g, "LGUEST_INIT: system-call vector %#x is not %#x",
			   ld->syscall_vec, LGUEST_SYSCALL_VECTOR);
		return 0;
	}
	if (ld->kernel_address >= SWITCHER_ADDR) {
		kill_guest(g, "LGUEST_INIT: kernel_address %08x reaches the Switcher",
			   ld->kernel_address);
		return 0;
	}
	g->lguest_data_gpa = a->arg1;
	g->lguest_data = ld;
	g->noirq_iret = ld->noirq_iret;
	g->kernel_address = ld->kernel_address;
	g->syscall_vec = ld->syscall_vec;
	ld->reserve_mem = 0u - SWITCHER_ADDR;
	ld->tsc_khz = tsc_khz;
	pr_debug("guest %s: LGUEST_INIT: lguest_data at gpa 0x%08x, kernel_address 0x%08x, "
		 "noirq_iret 0x%08x", g->name, a->arg1, g->kernel_address, g->noirq_iret);
	uint64_t now = wallclock_ns();
	ld->time.tv_sec = (int32_t)(now / 1000000000u);
	ld->time.tv_nsec = (int32_t)(now % 1000000000u);
	/* irq_enabled's alias for the ROM stubs, mapped at once (this guest
	 * is the one at the Switcher); then the gates that may use them. */
	g->rom_irq_va = rom_irq_alias(a->arg1);
	if (g->rom_irq_va)
		g->ldata_alias_pa = g->mem_base + (a->arg1 & PAGE_MASK);
	guest_map_switcher(g);
	for (unsigned v = 0; v < 32; v++)
		idt_refresh(g, v);
	idt_refresh(g, g->syscall_vec);
	walk_refresh(g);
	return 0;
}

/* A Linux guest's SHUTDOWN. 4.9 sends the power-off reason for poweroff
 * and for a panic alike (arch/x86/lguest/boot.c): only its "Power down" is
 * a clean end, and any other message is a crash, under on_crash=. A
 * restart is an exit under on_exit=; its message is reboot's command, most
 * often NULL, whose __pa() lies outside guest memory: then there is none. */
static void linux_shutdown(struct guest *g, const hcall_args_t *a)
{
	char msg[LGUEST_SHUTDOWN_MSG_MAX], shown[sizeof(g->end_reason)];
	char why[sizeof(g->end_reason)];
	bool have = copy_string_from_guest(g, msg, a->arg1, sizeof(msg));

	if (a->arg2 == LGUEST_SHUTDOWN_RESTART) {
		str_escape(shown, sizeof(shown), have ? msg : "");
		snprintf(why, sizeof(why), shown[0] ? "reboot: \"%s\"" : "reboot", shown);
		guest_exit(g, 0, why);
	} else if (!have) {
		kill_guest(g, "SHUTDOWN: message at %08x is outside its memory", a->arg1);
	} else if (!strcmp(msg, "Power down")) {
		guest_exit(g, 0, msg);
	} else {
		str_escape(shown, sizeof(shown), msg);
		kill_guest(g, "crashed: \"%s\"", shown);
	}
}

static uint32_t hc_shutdown(struct guest *g, const hcall_args_t *a)
{
	char msg[LGUEST_SHUTDOWN_MSG_MAX], shown[sizeof(g->end_reason) - 2];
	char why[sizeof(g->end_reason)];

	if (guest_is_linux(g->spec)) {
		linux_shutdown(g, a);
		return 0;
	}
	if (!copy_string_from_guest(g, msg, a->arg1, sizeof(msg))) {
		kill_guest(g, "SHUTDOWN: message at %08x is outside its memory", a->arg1);
		return 0;
	}
	/* The message is the guest's: quoted and escaped (output integrity). */
	str_escape(shown, sizeof(shown), msg);
	snprintf(why, sizeof(why), msg[0] ? "\"%s\"" : "", shown);
	guest_exit(g, a->arg2 == LGUEST_SHUTDOWN_RESTART ? GUEST_EXIT_RESTART : 0, why);
	return 0;
}

static uint32_t hc_new_pgtable(struct guest *g, const hcall_args_t *a)
{
	g->stats.cr3_writes++;
	shadow_new_pgtable(g, a->arg1);
	return 0;
}

static uint32_t hc_flush_tlb(struct guest *g, const hcall_args_t *a)
{
	if (a->arg1)
		g->stats.tlb_flushes_full++;
	shadow_flush(g, a->arg1 != 0);
	return 0;
}

static uint32_t hc_load_idt_entry(struct guest *g, const hcall_args_t *a)
{
	idt_load_entry(g, a->arg1, a->arg2, a->arg3);
	return 0;
}

/* The ring-1 stack for traps from ring 3: a flat, writable DPL-1 data
 * segment (so the CPU cannot be sent to a host or odd segment), at most two
 * pages, pinned in the shadow so a direct trap never faults on it. */
static uint32_t hc_set_stack(struct guest *g, const hcall_args_t *a)
{
	uint32_t ss = a->arg1, esp = a->arg2, pages = a->arg3;

	/* The segment already in use passed this check, and any later change
	 * to its entry that breaks it kills (hcall/segments.c). */
	if ((ss != g->ss1 || !g->ss1) && !seg_is_flat_ring1_data(g, ss)) {
		kill_guest(g, "SET_STACK: segment %#x is not a flat, writable ring-1 data segment", ss);
		return 0;
	}
	if (pages == 0 || pages > 2) {
		kill_guest(g, "SET_STACK: %u pages; 1 or 2 allowed", pages);
		return 0;
	}
	if (esp < pages * PAGE_SIZE || esp > SWITCHER_ADDR) {
		kill_guest(g, "SET_STACK: stack top %08x is out of range", esp);
		return 0;
	}
	g->ss1 = ss;
	g->esp1 = esp;
	g->stack_pages = pages;
	g->state->tss.ss1 = ss;
	g->state->tss.esp1 = esp;
	shadow_pin_stack(g);
	walk_stack_changed(g);
	return 0;
}

static uint32_t hc_ts(struct guest *g, const hcall_args_t *a)
{
	fpu_set_guest_ts(g, a->arg1 != 0);
	return 0;
}

static uint32_t hc_set_clockevent(struct guest *g, const hcall_args_t *a)
{
	if (a->arg1 == 0)
		timer_cancel(&g->clock);
	else
		timer_arm(&g->clock, time_ns() + a->arg1);
	return 0;
}

/* Sleep until a virtual interrupt: the run loop will not enter the guest
 * again until one is pending, and then enables its interrupts. */
static uint32_t hc_halt(struct guest *g, const hcall_args_t *a)
{
	(void)a;
	if (g->run_state != GUEST_RUNNABLE)
		return 0;		/* blocked on the console: it stays so */
	if (irq_wakeable(g)) {		/* it came before the guest slept */
		g->lguest_data->irq_enabled = LGUEST_IF;
	} else {
		g->run_state = GUEST_HALTED;
		console_guest_waits(g);	/* a prompt shows while it sleeps */
	}
	return 0;
}

static uint32_t hc_set_pmd(struct guest *g, const hcall_args_t *a)
{
	(void)a;
	kill_guest(g, "SET_PMD is for PAE guests, and Ringvisor guests are not PAE");
	return 0;
}

static uint32_t hc_set_pte(struct guest *g, const hcall_args_t *a)
{
	shadow_set_pte(g, a->arg1, a->arg2, a->arg3);
	return 0;
}

static uint32_t hc_set_pgd(struct guest *g, const hcall_args_t *a)
{
	shadow_set_pgd(g, a->arg1, a->arg2);
	return 0;
}

static uint32_t hc_load_tls(struct guest *g, const hcall_args_t *a)
{
	seg_load_tls(g, a->arg1);
	return 0;
}

static uint32_t hc_load_gdt_entry(struct guest *g, const hcall_args_t *a)
{
	seg_load_gdt_entry(g, a->arg1, a->arg2, a->arg3);
	return 0;
}

static uint32_t hc_send_interrupts(struct guest *g, const hcall_args_t *a)
{
	(void)g, (void)a;		/* delivery happens before every entry */
	return 0;
}

/* At most g->console_budget bytes per entry: the count taken may be less
 * than asked (the runtime offers the rest), never 0 for a non-empty write
 * unless the budget was spent by the ring this entry. */
static uint32_t hc_rv_console_write(struct guest *g, const hcall_args_t *a)
{
	const char *buf = guest_range(g, a->arg1, a->arg2);

	if (MUTATED(MUT_HCALL_POINTER))
		buf = (const char *)(g->mem_base + a->arg1);

	if (!buf) {
		kill_guest(g, "CONSOLE_WRITE: %u bytes at %08x are outside its memory",
			   a->arg2, a->arg1);
		return 0;
	}
	uint32_t n = console_guest_write(g, buf, MIN(a->arg2, g->console_budget));
	g->console_budget -= MIN(n, g->console_budget);
	return n;
}

static uint32_t hc_rv_exit(struct guest *g, const hcall_args_t *a)
{
	guest_exit(g, (int)a->arg1, "");
	return 0;
}

static uint32_t hc_rv_console_read(struct guest *g, const hcall_args_t *a)
{
	char *buf = guest_range(g, a->arg1, a->arg2);

	if (!buf) {
		kill_guest(g, "CONSOLE_READ: %u bytes at %08x are outside its memory",
			   a->arg2, a->arg1);
		return 0;
	}
	return console_guest_read(g, buf, a->arg2);
}

static uint32_t hc_rv_counters(struct guest *g, const hcall_args_t *a)
{
	const struct guest_stats *s = &g->stats;
	struct rv_counters c = {
		.world_switches = s->world_switches,
		.hypercalls = s->hypercalls,
		.cr3_writes = s->cr3_writes,
		.tlb_flushes_full = s->tlb_flushes_full,
		.shadow_faults = s->shadow_faults,
		.reflected_traps = guest_reflected(g),
		.timer_irqs = s->timer_irqs,
	};

	if (!copy_to_guest(g, a->arg1, &c, sizeof(c)))
		kill_guest(g, "COUNTERS: buffer at %08x is outside its memory", a->arg1);
	return 0;
}

const hcall_fn hcall_table[HC_TABLE_SIZE] = {
	[HC_FLUSH_ASYNC] = hc_flush_async,
	[HC_LGUEST_INIT] = hc_lguest_init,
	[HC_SHUTDOWN] = hc_shutdown,
	[HC_NEW_PGTABLE] = hc_new_pgtable,
	[HC_FLUSH_TLB] = hc_flush_tlb,
	[HC_LOAD_IDT_ENTRY] = hc_load_idt_entry,
	[HC_SET_STACK] = hc_set_stack,
	[HC_TS] = hc_ts,
	[HC_SET_CLOCKEVENT] = hc_set_clockevent,
	[HC_HALT] = hc_halt,
	[HC_SET_PMD] = hc_set_pmd,
	[HC_SET_PTE] = hc_set_pte,
	[HC_SET_PGD] = hc_set_pgd,
	[HC_LOAD_TLS] = hc_load_tls,
	[HC_LOAD_GDT_ENTRY] = hc_load_gdt_entry,
	[HC_SEND_INTERRUPTS] = hc_send_interrupts,
	[HC_RV_CONSOLE_WRITE] = hc_rv_console_write,
	[HC_RV_EXIT] = hc_rv_exit,
	[HC_RV_CONSOLE_READ] = hc_rv_console_read,
	[HC_RV_COUNTERS] = hc_rv_counters,
};

static inline uint32_t run_hcall(struct guest *g, const hcall_args_t *a)
{
	if (a->arg0 >= HC_TABLE_SIZE || !hcall_table[a->arg0]) {
		kill_guest(g, "unknown hypercall %u", a->arg0);
		return 0;
	}
	if (!g->lguest_data && a->arg0 != HC_LGUEST_INIT) {
		kill_guest(g, "hypercall %u before LGUEST_INIT", a->arg0);
		return 0;
	}
	g->stats.hypercalls++;
	return hcall_table[a->arg0](g, a);
}

/* Run the queued calls in ring order, from where the last drain stopped to
 * the first slot not marked pending; each slot is marked done as it runs.
 * At most one lap, and console writes within this entry's budget: a
 * write the budget or a full console cuts short keeps its slot (the bytes
 * done are remembered) and the drain stops there. Returns true if the
 * ring was drained as far as it goes, false if work is left for the next
 * entry (then no later call may run before it). */
bool hcall_drain_async(struct guest *g)
{
	struct lguest_data *ld = g->lguest_data;

	for (unsigned n = 0; n < LHCALL_RING_SIZE && guest_alive(g); n++) {
		unsigned slot = g->async_next;
		if (ld->hcall_status[slot] != HCALL_STATUS_PENDING)
			break;
		struct hcall_args a = ld->hcalls[slot];	/* a copy: the guest owns the ring */
		if (a.arg0 == HC_LGUEST_INIT) {
			kill_guest(g, "LGUEST_INIT queued in the async ring");
			break;
		}
		if (a.arg0 == HC_RV_CONSOLE_WRITE) {
			uint32_t done = MIN(g->async_done, a.arg2);
			a.arg1 += done;
			a.arg2 -= done;
			if (!g->console_budget && a.arg2)
				return false;
			uint32_t taken = run_hcall(g, (const hcall_args_t *)&a);
			if (taken < a.arg2 && guest_alive(g)) {
				g->async_done = done + taken;
				return false;	/* budget spent or console full */
			}
			g->async_done = 0;
		} else {
			run_hcall(g, (const hcall_args_t *)&a);
		}
		ld->hcall_status[slot] = HCALL_STATUS_DONE;
		g->async_next = (slot + 1) % LHCALL_RING_SIZE;
	}
	return true;
}

/* The guest executed `int $0x1F` and hcall_sync's fast path did not
 * apply: drain the ring (not for LGUEST_INIT, which has no ring yet), then
 * run the call itself, its arguments read in place from the registers (the
 * guest, which could write them through its regs page, is not running).
 * If the ring is not drained within this entry's bounds, the call waits:
 * eip is rewound over the two-byte `int $0x1F`, so the guest makes it
 * again on its next entry, after the rest of the ring, with the same
 * registers. */
void hcall_sync_slow(struct guest *g)
{
	struct guest_regs *r = g->regs;
	const hcall_args_t *a = (const hcall_args_t *)r;
	const struct lguest_data *ld = g->lguest_data;

	g->console_budget = HCALL_CONSOLE_PIECE;
	if (ld && ld->hcall_status[g->async_next] == HCALL_STATUS_PENDING &&
	    a->arg0 != HC_LGUEST_INIT) {
		bool drained = hcall_drain_async(g);
		if (!guest_alive(g))
			return;		/* a queued call ended it */
		if (!drained) {
			r->eip -= 2;
			return;
		}
	}
	r->eax = run_hcall(g, a);
}
