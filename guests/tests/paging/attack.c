/* Isolation attacks on the shadow page tables, one per boot module: the
 * case is the module's `case=NAME` argument. The cases that break a rule
 * expect the host to kill the guest with a reason naming what broke it
 * (the last line printed says what the guest was about to do); the others
 * exit 0 after their PASS lines. A killing case named user-NAME makes its
 * last access from ring 3. */
#include "ptlib.h"

#define TVA   0x40000000u       /* the attack's own test mapping */
#define TAG_A 0xA11CE000u

static uint32_t *dir;
static uint32_t mem;
static int from_user;		/* case=user-NAME: the touch comes from ring 3 */
static uint8_t user_stack[4096] __attribute__((aligned(4096)));

static uint32_t rd(uint32_t va)
{
	return *(volatile uint32_t *)(uintptr_t)va;
}

static uint32_t user_touch(void)
{
	return rd(TVA);
}

/* The access a killing case ends with: from ring 1, or with user-, from
 * ring 3, where the Switcher's walker sees the fault first and must leave
 * it to the host. */
static void touch(void)
{
	if (from_user)
		(void)pt_run_user(user_touch, (uint32_t)(user_stack + sizeof(user_stack)));
	else
		(void)rd(TVA);
}

/* A pool page holding tag in every word. */
static uint32_t tagged_page(uint32_t tag)
{
	uint32_t *p = pt_alloc_page();

	for (unsigned i = 0; i < 1024; i++)
		p[i] = tag;
	return rv_gpa(p);
}

static void set_pte(uint32_t *d, uint32_t va, uint32_t pte, int report)
{
	*pt_pte(d, va, 1) = pte;
	if (report)
		rv_hcall3(HC_SET_PTE, rv_gpa(d), va, pte);
}

/* ---- the killing cases -------------------------------------------------- */

/* The first frame beyond RAM and the MMIO window (RAM's end itself is
 * the first device's BAR now). */
static void frame_beyond(void)
{
	uint32_t beyond = mem + RV_MMIO_WINDOW;

	set_pte(dir, TVA, beyond | PT_P | PT_RW, 1);
	rv_printf("about to read %08x, mapped to frame %08x beyond %u KiB and the device window\n",
		  TVA, beyond, mem / 1024);
	touch();
}

static void pse_pte(void)
{
	set_pte(dir, TVA, tagged_page(TAG_A) | PT_P | PT_RW | PT_PSE, 1);
	rv_printf("about to read %08x through a PTE with PSE\n", TVA);
	touch();
}

static void pde_flag(uint32_t flag, const char *name)
{
	(void)pt_pte(dir, TVA, 1);
	set_pte(dir, TVA, tagged_page(TAG_A) | PT_P | PT_RW, 1);
	dir[PD_INDEX(TVA)] |= flag;
	rv_hcall2(HC_SET_PGD, rv_gpa(dir), PD_INDEX(TVA));
	rv_printf("about to read %08x through a PDE with %s\n", TVA, name);
	touch();
}

static void pde_outside(void)
{
	dir[PD_INDEX(TVA)] = mem | PT_P | PT_RW | PT_US;
	rv_hcall2(HC_SET_PGD, rv_gpa(dir), PD_INDEX(TVA));
	rv_printf("about to read %08x through a PDE whose table %08x is beyond memory\n", TVA, mem);
	touch();
}

static void set_pmd(void)
{
	rv_printf("about to call SET_PMD\n");
	rv_hcall3(HC_SET_PMD, rv_gpa(dir), TVA, 0);
}

static void pgd_index(void)
{
	rv_printf("about to call SET_PGD with index 1024\n");
	rv_hcall2(HC_SET_PGD, rv_gpa(dir), 1024);
}

static void newpgtable_outside(void)
{
	rv_printf("about to call NEW_PGTABLE with %08x\n", mem);
	rv_hcall1(HC_NEW_PGTABLE, mem);
}

/* Stale, then outside: a mapping the shadow holds is moved, unreported, to
 * a frame beyond memory. Reading may show the old frame (the guest's own
 * problem) but never the outside one; reporting it kills. */
static void stale_outside(void)
{
	set_pte(dir, TVA, tagged_page(TAG_A) | PT_P | PT_RW, 1);
	uint32_t before = rd(TVA);
	uint32_t beyond = mem + RV_MMIO_WINDOW;
	set_pte(dir, TVA, beyond | PT_P | PT_RW | PT_A, 0);
	uint32_t stale = rd(TVA);
	pt_check("stale-outside.read-own-frame", before == TAG_A && stale == TAG_A,
		 "read %08x then %08x", before, stale);
	rv_printf("about to report the PTE for %08x, now frame %08x beyond memory\n", TVA, beyond);
	rv_hcall3(HC_SET_PTE, rv_gpa(dir), TVA, beyond | PT_P | PT_RW | PT_A);
	(void)rd(TVA);
}

/* ---- the surviving cases ------------------------------------------------ */

static uint32_t user_probe_switcher(void)
{
	uint32_t n = 0;

	for (uint32_t va = SWITCHER_ADDR; va; va += 0x1000)
		n += pt_probe_read(va);
	return n;
}

/* An entry over the Switcher in the guest's own directory: it must never
 * take effect. Accesses fault (reflected #PF with cr2 set), the frame it
 * names is never written, and the guest goes on running afterwards. */
static void switcher(void)
{
	uint32_t frame = tagged_page(TAG_A);
	uint32_t *pt = pt_alloc_page();

	for (unsigned i = 0; i < 1024; i++)
		pt[i] = frame | PT_P | PT_RW | PT_US;
	dir[1023] = rv_gpa(pt) | PT_P | PT_RW | PT_US;
	rv_hcall2(HC_SET_PGD, rv_gpa(dir), 1023);
	rv_hcall3(HC_SET_PTE, rv_gpa(dir), SWITCHER_ADDR, frame | PT_P | PT_RW | PT_US | PT_A | PT_D);
	rv_hcall3(HC_SET_PTE, rv_gpa(dir), 0xFFFFF000u, frame | PT_P | PT_RW | PT_US | PT_A | PT_D);

	/* The host's own pages there (text, regs, state) are supervisor
	 * mappings, so ring 1 may read them, as in lguest; what it must
	 * never see is our page, and no write may land (the regs page, the
	 * guest's own registers, is left alone). */
	static const uint32_t probes[] = { SWITCHER_ADDR, SWITCHER_ADDR + 0x1000,
					   SWITCHER_ADDR + 0x3000, SWITCHER_ADDR + 0x200000,
					   0xFFFFF000u, 0xFFFFFFFCu };
	int all = 1;
	for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		uint32_t n = pt_fault_count;
		int r = pt_probe_read(probes[i]);
		int ours = !r && pt_probe_value == TAG_A;
		uint32_t seen = r ? 0 : pt_probe_value;
		int w = pt_probe_write(probes[i], 0xBAD);
		rv_printf("  %08x: read %s (%08x), write %s, cr2 %08x\n", probes[i],
			  r ? "faulted" : "worked", seen, w ? "faulted" : "worked", pt_fault_cr2);
		if (ours || !w || pt_fault_count != n + 1 + r || pt_fault_cr2 != probes[i])
			all = 0;
	}
	if (!pt_probe_read(SWITCHER_ADDR + 0x2000) && pt_probe_value == TAG_A)
		all = 0;
	pt_check("switcher.ring1-entry-ignored", all, "6 addresses: writes fault, reads never "
		 "show the guest's page");

	/* One below the Switcher is an ordinary page. */
	set_pte(dir, SWITCHER_ADDR - 0x1000, frame | PT_P | PT_RW, 1);
	int ok = !pt_probe_read(SWITCHER_ADDR - 0x1000) && pt_probe_value == TAG_A;
	pt_check("switcher.just-below-works", ok, "%08x reads %08x", SWITCHER_ADDR - 0x1000,
		 pt_probe_value);

	static uint8_t ustack[4096] __attribute__((aligned(4096)));
	uint32_t r3 = pt_run_user(user_probe_switcher, rv_gpa(ustack + sizeof(ustack)));
	pt_check("switcher.ring3-access-faults", r3 == 1024, "%u of 1024 pages faulted", r3);

	rv_hcall1(HC_FLUSH_TLB, 1);
	int untouched = 1;
	for (unsigned i = 0; i < 1024; i++)
		untouched &= ((uint32_t *)frame)[i] == TAG_A;
	pt_check("switcher.frame-unwritten", untouched, "the page the entry names kept its tag");

	/* Still alive and well: a timer tick and more hypercalls. */
	rv_sleep_ns(1000000);
	pt_check("switcher.still-runs", 1, "a timer interrupt arrived afterwards");
}

/* A mapping changed without SET_PTE may stay stale: that is the guest's
 * business. SET_PTE, FLUSH_TLB(0), FLUSH_TLB(1) and SET_PGD must each make
 * the new one show. Stale or not, every value read is one of our tags. */
static void stale(void)
{
	uint32_t a = tagged_page(0xA0A0A0A0), b = tagged_page(0xB0B0B0B0), c = tagged_page(0xC0C0C0C0);
	uint32_t d = tagged_page(0xD0D0D0D0), e = tagged_page(0xE0E0E0E0);
	uint32_t v;

	set_pte(dir, TVA, a | PT_P | PT_RW, 1);
	v = rd(TVA);
	pt_check("stale.initial", v == 0xA0A0A0A0, "%08x", v);

	set_pte(dir, TVA, b | PT_P | PT_RW, 0);
	v = rd(TVA);
	pt_check("stale.unreported-reads-own", v == 0xA0A0A0A0 || v == 0xB0B0B0B0, "%08x (%s)",
		 v, v == 0xA0A0A0A0 ? "stale" : "new");
	rv_hcall3(HC_SET_PTE, rv_gpa(dir), TVA, b | PT_P | PT_RW);
	v = rd(TVA);
	pt_check("stale.after-set-pte", v == 0xB0B0B0B0, "%08x", v);

	set_pte(dir, TVA, c | PT_P | PT_RW, 0);
	v = rd(TVA);
	pt_check("stale.unreported-reads-own-2", v == 0xB0B0B0B0 || v == 0xC0C0C0C0, "%08x", v);
	rv_hcall1(HC_FLUSH_TLB, 0);
	v = rd(TVA);
	pt_check("stale.after-flush-user", v == 0xC0C0C0C0, "%08x", v);

	set_pte(dir, TVA, d | PT_P | PT_RW, 0);
	(void)rd(TVA);
	rv_hcall1(HC_FLUSH_TLB, 1);
	v = rd(TVA);
	pt_check("stale.after-flush-all", v == 0xD0D0D0D0, "%08x", v);

	/* The directory entry moved to another table, unreported, then with
	 * SET_PGD. */
	uint32_t *pt2 = pt_alloc_page();
	pt2[PT_INDEX(TVA)] = e | PT_P | PT_RW;
	dir[PD_INDEX(TVA)] = rv_gpa(pt2) | PT_P | PT_RW | PT_US;
	v = rd(TVA);
	pt_check("stale.pde-unreported-reads-own", v == 0xD0D0D0D0 || v == 0xE0E0E0E0, "%08x", v);
	rv_hcall2(HC_SET_PGD, rv_gpa(dir), PD_INDEX(TVA));
	v = rd(TVA);
	pt_check("stale.after-set-pgd", v == 0xE0E0E0E0, "%08x", v);

	/* A cached directory: changed and reported while another runs. */
	uint32_t *dir2 = pt_new_dir(PT_P | PT_RW | PT_US);
	set_pte(dir2, TVA, a | PT_P | PT_RW, 1);
	pt_switch(dir2);
	(void)rd(TVA);
	pt_switch(dir);
	rv_hcall3(HC_SET_PTE, rv_gpa(dir2), TVA, (*pt_pte(dir2, TVA, 0) = b | PT_P | PT_RW));
	pt_switch(dir2);
	v = rd(TVA);
	pt_check("stale.cached-dir-updated", v == 0xB0B0B0B0, "%08x", v);
	pt_switch(dir);
	v = rd(TVA);
	pt_check("stale.other-dir-untouched", v == 0xE0E0E0E0, "%08x", v);
}

int main(int argc, char **argv)
{
	const char *c = "";

	for (int i = 1; i < argc; i++)
		if (!memcmp(argv[i], "case=", 5))
			c = argv[i] + 5;
	if (!memcmp(c, "user-", 5)) {
		from_user = 1;
		c += 5;
	}
	mem = pt_mem_size();
	pt_catch_faults();
	pt_load_user_segments();
	pt_install_syscall(RV_GATE_TRAP, NULL);
	dir = pt_new_dir(PT_P | PT_RW | PT_US);
	pt_switch(dir);
	rv_printf("case %s\n", c);

#define IS(s) (strlen(c) == sizeof(s) - 1 && !memcmp(c, s, sizeof(s) - 1))
	if (IS("frame-beyond"))
		frame_beyond();
	else if (IS("pse-pte"))
		pse_pte();
	else if (IS("pde-pcd"))
		pde_flag(PT_PCD, "PCD");
	else if (IS("pde-pwt"))
		pde_flag(PT_PWT, "PWT");
	else if (IS("pde-g"))
		pde_flag(PT_G, "G");
	else if (IS("pde-pse"))
		pde_flag(PT_PSE, "PSE");
	else if (IS("pde-outside"))
		pde_outside();
	else if (IS("set-pmd"))
		set_pmd();
	else if (IS("pgd-index"))
		pgd_index();
	else if (IS("newpgtable-outside"))
		newpgtable_outside();
	else if (IS("stale-outside"))
		stale_outside();
	else if (IS("switcher"))
		switcher();
	else if (IS("stale"))
		stale();
	else {
		rv_printf("unknown case '%s'\n", c);
		return 2;
	}
	rv_printf("still running after case %s\n", c);
	return pt_result();
}
