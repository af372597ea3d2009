/* Accessed and dirty bits: after each kind of access the guest's own PTE
 * must say what the CPU would have said (a read sets A, a write A and D, a
 * faulting write neither D), and SET_PTE with A (and D) already set must
 * fill the shadow at once, so the next access costs no shadow fault. */
#include "ptlib.h"

#define TVA 0x40000000u         /* the test pages, one 4 MiB table */

static uint32_t *dir;
static uint8_t ustack[4096] __attribute__((aligned(4096)));

static uint32_t *map(uint32_t va, uint32_t flags)
{
	uint32_t *pte = pt_pte(dir, va, 1);

	*pte = rv_gpa(pt_alloc_page()) | flags;
	rv_hcall3(HC_SET_PTE, rv_gpa(dir), va, *pte);
	return pte;
}

static uint32_t rd(uint32_t va)
{
	return *(volatile uint32_t *)(uintptr_t)va;
}

static void wr(uint32_t va, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)va = v;
}

static uint32_t ad(uint32_t pte)
{
	return pte & (PT_A | PT_D);
}

/* Ring 3: a probe of a supervisor page. */
static uint32_t user_probe_supervisor(void)
{
	return pt_probe_read(TVA + 0x9000);
}

/* Ring 3: one read, one write. */
static uint32_t user_read(void)
{
	return rd(TVA + 0x3000);
}

static uint32_t user_write(void)
{
	wr(TVA + 0x5000, 7);
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t *pte;
	uint64_t c0;

	(void)argc, (void)argv;
	pt_catch_faults();
	pt_load_user_segments();
	pt_install_syscall(RV_GATE_TRAP, NULL);
	dir = pt_new_dir(PT_P | PT_RW | PT_US);
	pt_switch(dir);

	/* A fresh page: read, then write. */
	pte = map(TVA, PT_P | PT_RW);
	pt_check("ad.fresh-clear", ad(*pte) == 0, "pte %08x", *pte);
	(void)rd(TVA);
	pt_check("ad.read-sets-A-only", ad(*pte) == PT_A, "pte %08x", *pte);
	pt_check("ad.pde-accessed", dir[PD_INDEX(TVA)] & PT_A, "pde %08x", dir[PD_INDEX(TVA)]);
	c0 = pt_shadow_faults();
	c0 = pt_shadow_faults();
	wr(TVA, 1);
	uint64_t c1 = pt_shadow_faults();
	pt_check("ad.write-sets-A-and-D", ad(*pte) == (PT_A | PT_D), "pte %08x", *pte);
	pt_check("ad.write-after-read-faults-once", c1 - c0 == 1,
		 "%u shadow faults for the first write to a clean page", (uint32_t)(c1 - c0));

	/* A write first sets both at once. */
	pte = map(TVA + 0x1000, PT_P | PT_RW);
	wr(TVA + 0x1000, 2);
	pt_check("ad.write-first-sets-A-and-D", ad(*pte) == (PT_A | PT_D), "pte %08x", *pte);

	/* Read-only: the write faults (present, write: error 3) and D stays
	 * clear, as CR0.WP makes the CPU do for ring 1. */
	pte = map(TVA + 0x2000, PT_P);
	(void)rd(TVA + 0x2000);
	int f = pt_probe_write(TVA + 0x2000, 3);
	pt_check("ad.readonly-write-faults", f && pt_fault_cr2 == TVA + 0x2000 &&
		 (pt_fault_err & 3) == 3, "faulted %d, cr2 %08x, error %x", f, pt_fault_cr2,
		 pt_fault_err);
	pt_check("ad.readonly-write-no-D", ad(*pte) == PT_A, "pte %08x", *pte);

	/* Cleared and reported: the next read must set A again, not D. */
	pte = (uint32_t *)pt_pte(dir, TVA, 0);
	*pte &= ~(PT_A | PT_D);
	rv_hcall3(HC_SET_PTE, rv_gpa(dir), TVA, *pte);
	(void)rd(TVA);
	pt_check("ad.cleared-then-read-sets-A", ad(*pte) == PT_A, "pte %08x", *pte);
	wr(TVA, 5);
	pt_check("ad.cleared-then-write-sets-D", ad(*pte) == (PT_A | PT_D), "pte %08x", *pte);

	/* Ring 3 accesses, through a user page. */
	pte = map(TVA + 0x3000, PT_P | PT_RW | PT_US);
	uint32_t *pte5 = map(TVA + 0x5000, PT_P | PT_RW | PT_US);
	pt_run_user(user_read, rv_gpa(ustack + sizeof(ustack)));
	pt_check("ad.user-read-sets-A-only", ad(*pte) == PT_A, "pte %08x", *pte);
	pt_run_user(user_write, rv_gpa(ustack + sizeof(ustack)));
	pt_check("ad.user-write-sets-A-and-D", ad(*pte5) == (PT_A | PT_D), "pte %08x", *pte5);

	/* Prefilled by SET_PTE: A and D given, no fault on read or write. */
	(void)pt_shadow_faults();
	map(TVA + 0x6000, PT_P | PT_RW | PT_A | PT_D);
	c0 = pt_shadow_faults();
	(void)rd(TVA + 0x6000);
	wr(TVA + 0x6000, 6);
	c1 = pt_shadow_faults();
	pt_check("ad.prefill-A-D-no-fault", c1 == c0, "%u shadow faults after SET_PTE with A|D",
		 (uint32_t)(c1 - c0));

	/* A only: the read is free, the write faults once (it sets D). */
	pte = map(TVA + 0x7000, PT_P | PT_RW | PT_A);
	c0 = pt_shadow_faults();
	(void)rd(TVA + 0x7000);
	c1 = pt_shadow_faults();
	pt_check("ad.prefill-A-read-no-fault", c1 == c0, "%u shadow faults", (uint32_t)(c1 - c0));
	wr(TVA + 0x7000, 7);
	uint64_t c2 = pt_shadow_faults();
	pt_check("ad.prefill-A-write-faults-once", c2 - c1 == 1, "%u shadow faults",
		 (uint32_t)(c2 - c1));
	pt_check("ad.prefill-A-write-sets-D", ad(*pte) == (PT_A | PT_D), "pte %08x", *pte);

	/* Without A the host does not fill: the first read faults. */
	map(TVA + 0x8000, PT_P | PT_RW);
	c0 = pt_shadow_faults();
	(void)rd(TVA + 0x8000);
	c1 = pt_shadow_faults();
	pt_check("ad.no-A-read-faults-once", c1 - c0 == 1, "%u shadow faults",
		 (uint32_t)(c1 - c0));

	/* A #PF's error code is the CPU's for the guest's own tables: P = 1
	 * whenever the guest's entries are present (a protection fault),
	 * whether or not the host's shadow held the page yet. */
	map(TVA + 0xA000, PT_P);                /* read-only, never touched */
	int wf = pt_probe_write(TVA + 0xA000, 1);
	pt_check("ad.pf-error-write-readonly-cold", wf && (pt_fault_err & 7) == 3,
		 "error %x for a first write to a present read-only page; the CPU says 3",
		 pt_fault_err);
	map(TVA + 0x9000, PT_P | PT_RW);        /* supervisor, never touched */
	uint32_t uf = pt_run_user(user_probe_supervisor, rv_gpa(ustack + sizeof(ustack)));
	pt_check("ad.pf-error-user-supervisor-cold", uf && (pt_fault_err & 7) == 5,
		 "error %x for a ring-3 read of a present supervisor page; the CPU says 5",
		 pt_fault_err);
	int nf = pt_probe_read(TVA + 0xB000);   /* not mapped at all */
	pt_check("ad.pf-error-not-present", nf && (pt_fault_err & 7) == 0, "error %x",
		 pt_fault_err);

	return pt_result();
}
