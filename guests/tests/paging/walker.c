/* Test guest: the Switcher's #PF walker (switcher/walk.c). Faults from
 * ring 3 that this guest's own page tables explain must reach its handler
 * exactly as the host's path delivers them (frame, error code, cr2, the
 * virtual IF) and without a world switch; a fault the shadow must fill, and
 * any fault from ring 1, still go through the host. */
#include "ptlib.h"

#define VA_NP    0x40000000u	/* a page table, no entry for this page */
#define VA_RO    0x40001000u	/* present, user, read-only */
#define VA_SUP   0x40002000u	/* present, supervisor only */
#define VA_FILL  0x40003000u	/* present, user, writable */
#define VA_NOPDE 0x40400000u	/* no page table at all */
#define TAG      0x5A5A1234u

static uint32_t *dir;
static uint8_t user_stack[4096] __attribute__((aligned(4096)));
static uint8_t kernel_stack[3 * 4096] __attribute__((aligned(4096)));
#define USER_TOP ((uint32_t)(user_stack + sizeof(user_stack) - 16))

/* What the #PF handler saw, and whether it maps VA_NP on demand. */
static volatile struct {
	uint32_t count, cr2, err, eip, cs, eflags, esp, ss, irq_enabled;
} seen;
static volatile int map_on_demand;
static uint32_t demand_frame;

static void handler(struct rv_regs *r)
{
	seen.count++;
	seen.cr2 = rv_lguest_data.cr2;
	seen.irq_enabled = rv_lguest_data.irq_enabled;
	seen.err = r->error;
	seen.eip = r->eip;
	seen.cs = r->cs;
	seen.eflags = r->eflags;
	seen.esp = r->esp;
	seen.ss = r->ss;
	if (map_on_demand && seen.cr2 == VA_NP) {
		uint32_t pte = demand_frame | PT_P | PT_RW | PT_US | PT_A | PT_D;
		*pt_pte(dir, VA_NP, 0) = pte;
		rv_hcall3(HC_SET_PTE, rv_gpa(dir), VA_NP, pte);
		return;		/* the access runs again */
	}
	if (r->eip == (uint32_t)pt_probe_read_at || r->eip == (uint32_t)pt_probe_write_at) {
		r->eip = (uint32_t)pt_probe_fault;
		return;
	}
	rv_printf("FAIL unexpected-fault: #PF at eip %08x, cr2 %08x, error %x\n",
		  r->eip, seen.cr2, r->error);
	rv_exit(RV_STATUS_EXCEPTION(14));
}

static uint64_t switches(void)
{
	static struct rv_counters c;

	rv_counters(&c);
	return c.world_switches;
}

/* The ring-3 bodies: one access each, through ptlib's probes. */
static uint32_t u_read_np(void) { return pt_probe_read(VA_NP); }
static uint32_t u_write_nopde(void) { return pt_probe_write(VA_NOPDE, 1); }
static uint32_t u_write_ro(void) { return pt_probe_write(VA_RO, 1); }
static uint32_t u_read_sup(void) { return pt_probe_read(VA_SUP); }
static uint32_t u_read_fill(void) { return pt_probe_read(VA_FILL); }

/* Run fn in ring 3; the world switches it took, less the counters call:
 * the least of a few runs, so a host timer tick in one does not count. */
static uint64_t user_run(uint32_t (*fn)(void), uint32_t *ret)
{
	uint64_t least = ~0ull;

	for (int i = 0; i < 4; i++) {
		seen.count = 0;
		uint64_t s0 = switches();
		*ret = pt_run_user(fn, USER_TOP);
		uint64_t n = switches() - s0 - 1;
		if (n < least)
			least = n;
	}
	return least;
}

/* One delivered fault: the handler's view must be the CPU's. Returns the
 * world switches it took. */
static uint64_t expect_fault(const char *name, uint32_t (*fn)(void), uint32_t va,
			     uint32_t err, uint32_t irq_enabled)
{
	uint32_t ret;
	uint64_t sw = user_run(fn, &ret);
	int ok = ret == 1 && seen.count == 1 && seen.cr2 == va && seen.err == err &&
		 seen.cs == PT_USER_CS && seen.ss == PT_USER_DS &&
		 seen.esp > (uint32_t)user_stack && seen.esp <= USER_TOP &&
		 (seen.eip == (uint32_t)pt_probe_read_at ||
		  seen.eip == (uint32_t)pt_probe_write_at) &&
		 (seen.eflags & 0x200) && seen.irq_enabled == irq_enabled;

	pt_check(name, ok, "ret %u, %u faults, cr2 %08x, error %x, cs %x ss %x esp %08x eip %08x "
		 "eflags %x, irq_enabled %x", ret, seen.count, seen.cr2, seen.err, seen.cs,
		 seen.ss, seen.esp, seen.eip, seen.eflags, seen.irq_enabled);
	return sw;
}

int main(int argc, char **argv)
{
	(void)argc, (void)argv;
	uint32_t ret;
	uint64_t sw;

	pt_load_user_segments();
	pt_install_syscall(RV_GATE_TRAP, NULL);
	rv_set_handler(14, handler, RV_GATE_INTR);
	dir = pt_new_dir(PT_P | PT_RW | PT_US);
	uint32_t *ro = pt_alloc_page(), *sup = pt_alloc_page(), *fill = pt_alloc_page();
	demand_frame = rv_gpa(pt_alloc_page());
	ro[0] = sup[0] = fill[0] = TAG;
	*(uint32_t *)demand_frame = TAG;
	(void)pt_pte(dir, VA_NP, 1);
	*pt_pte(dir, VA_RO, 1) = rv_gpa(ro) | PT_P | PT_US | PT_A;
	*pt_pte(dir, VA_SUP, 1) = rv_gpa(sup) | PT_P | PT_RW | PT_A | PT_D;
	*pt_pte(dir, VA_FILL, 1) = rv_gpa(fill) | PT_P | PT_RW | PT_US | PT_A | PT_D;
	pt_switch(dir);

	/* Not present, read: error 4 (user). */
	sw = expect_fault("walker.not-present", u_read_np, VA_NP, 4, 0);
	pt_check("walker.not-present-no-switch", sw == 0, "%llu world switches", sw);
	/* No page table, write: error 6. */
	expect_fault("walker.no-pde", u_write_nopde, VA_NOPDE, 6, 0);
	/* A write to a read-only page: error 7 (present, write, user). */
	sw = expect_fault("walker.read-only", u_write_ro, VA_RO, 7, 0);
	pt_check("walker.read-only-no-switch", sw == 0, "%llu world switches", sw);
	/* A read of a supervisor page: error 5. */
	expect_fault("walker.supervisor", u_read_sup, VA_SUP, 5, 0);

	/* A trap gate keeps the virtual IF on in the handler. */
	rv_set_handler(14, handler, RV_GATE_TRAP);
	expect_fault("walker.trap-gate", u_read_np, VA_NP, 4, LGUEST_IF);
	rv_set_handler(14, handler, RV_GATE_INTR);

	/* Demand mapping: the fault without the host, then SET_PTE (one switch),
	 * and the access runs again and reads the frame. */
	map_on_demand = 1;
	uint64_t least = ~0ull;
	int ok = 1;
	for (int i = 0; i < 4; i++) {
		*pt_pte(dir, VA_NP, 0) = 0;
		rv_hcall3(HC_SET_PTE, rv_gpa(dir), VA_NP, 0);
		seen.count = 0;
		uint64_t s0 = switches();
		ret = pt_run_user(u_read_np, USER_TOP);
		sw = switches() - s0 - 1;
		least = sw < least ? sw : least;
		ok &= ret == 0 && pt_probe_value == TAG && seen.count == 1;
	}
	pt_check("walker.demand-map", ok && least == 1, "ret %u, value %08x, %u faults, "
		 "%llu switches", ret, pt_probe_value, seen.count, least);
	map_on_demand = 0;
	*pt_pte(dir, VA_NP, 0) = 0;
	rv_hcall3(HC_SET_PTE, rv_gpa(dir), VA_NP, 0);

	/* Allowed by the guest's tables but not in the shadow yet: the host
	 * fills it, and the guest sees no fault. */
	rv_hcall1(HC_FLUSH_TLB, 0);
	uint64_t fills = pt_shadow_faults();
	seen.count = 0;
	ret = pt_run_user(u_read_fill, USER_TOP);
	pt_check("walker.fill-by-host", ret == 0 && pt_probe_value == TAG && seen.count == 0 &&
		 pt_shadow_faults() > fills, "ret %u, value %08x, %u faults, %llu fills", ret,
		 pt_probe_value, seen.count, pt_shadow_faults() - fills);

	/* From ring 1 the host delivers it, as before. */
	seen.count = 0;
	uint64_t s0 = switches();
	ret = pt_probe_write(VA_RO, 1);
	sw = switches() - s0 - 1;
	pt_check("walker.ring1-by-host", ret == 1 && seen.count == 1 && seen.err == 3 && sw >= 1,
		 "ret %u, %u faults, error %x, %llu switches", ret, seen.count, seen.err, sw);

	/* A one-page ring-1 stack whose top is 16 bytes into its page: the
	 * frame crosses into the page below, which the host does not keep
	 * pinned, so the walker must leave the fault to the host (which
	 * pushes it a word at a time); a walker that pushed it itself would
	 * fault in the Switcher on the page below, and the guest would die. */
	rv_set_kernel_stack((uint32_t)kernel_stack + 2 * 4096 + 16, 1);
	sw = expect_fault("walker.frame-crossing", u_read_np, VA_NP, 4, 0);
	pt_check("walker.frame-crossing-by-host", sw >= 1, "%llu world switches", sw);
	rv_set_kernel_stack((uint32_t)kernel_stack + sizeof(kernel_stack), 2);
	sw = expect_fault("walker.own-stack", u_read_np, VA_NP, 4, 0);
	pt_check("walker.own-stack-no-switch", sw == 0, "%llu world switches", sw);
	return pt_result();
}
