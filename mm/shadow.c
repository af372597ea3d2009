/* Shadow page tables. The guest keeps its own page tables in its memory;
 * the CPU runs on shadows the hypervisor builds from them, one entry at a
 * time, when the guest faults on it (or reports a change, or pins its
 * stack). Each entry is checked as it is copied: it may only map the
 * guest's own memory, never the Switcher's 4 MiB, and it stays read-only
 * until the guest's dirty bit is set, so that bit stays true.
 *
 * Entering a guest always loads CR3, and no shadow entry is global, so the
 * TLB never holds a stale shadow entry: dropping one needs no invlpg. */
#include <core/guest.h>
#include <dev/dev.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <mm/frame.h>
#include <mm/mm.h>
#include <mm/pte.h>
#include <mm/shadow.h>
#include <mutation.h>
#include <switcher/switcher.h>
#include <traps/traps.h>
#include <traps/walk.h>

#define PD_SWITCHER   (SWITCHER_ADDR >> 22)
#define PD_INDEX(va)  ((va) >> 22)
#define PT_INDEX(va)  (((va) >> 12) & 1023)
#define LINEAR_GPA    0xFFFFFFFFu	/* the pseudo directory of the linear map */

static struct shadow_dir *cur_dir(struct guest *g)
{
	return &g->shadow.dirs[g->shadow.cur];
}

/* The first PDE whose shadow page table is shared by every directory: the
 * first whole 4 MiB at or above kernel_address (none before LGUEST_INIT
 * says where the kernel is, and none in the linear map). */
static unsigned kernel_pde(const struct guest *g)
{
	if (!g->kernel_address || g->shadow.linear)
		return PD_SWITCHER;
	return (unsigned)(ALIGN_UP((uint64_t)g->kernel_address, 4 * MiB) >> 22);
}

static void mark(struct shadow_dir *d, unsigned i, bool on)
{
	if (on)
		d->tables[i / 32] |= 1u << (i % 32);
	else
		d->tables[i / 32] &= ~(1u << (i % 32));
}

/* Shadow entries under PDEs [from, to) go: a stack pinned there is
 * pinned no more. */
static void forget_pin(struct shadow_pin *p, unsigned from, unsigned to)
{
	if (p->esp1 && PD_INDEX(p->esp1 - p->pages * PAGE_SIZE) < to &&
	    PD_INDEX(p->esp1 - 1) >= from)
		p->esp1 = 0;
}

/* The entry for va goes: the same, for a stack page. */
static void forget_pin_at(struct shadow_pin *p, uint32_t va)
{
	if (p->esp1 - 1 - va < p->pages * PAGE_SIZE)
		p->esp1 = 0;
}

/* The same for every kernel stack remembered. */
static void forget_kpins(struct guest *g, unsigned from, unsigned to)
{
	for (unsigned i = 0; i < SHADOW_KPINS; i++)
		forget_pin(&g->shadow.kpin[i], from, to);
}

/* Is the current stack wholly in the shared kernel tables, so that pinning
 * it once pins it in every directory? */
static bool stack_shared(const struct guest *g)
{
	return PD_INDEX(g->esp1 - g->stack_pages * PAGE_SIZE) >= kernel_pde(g);
}

static bool pin_matches(const struct shadow_pin *p, const struct guest *g)
{
	return p->esp1 == g->esp1 && p->pages == g->stack_pages && g->esp1;
}

/* Is the current stack pinned, and nothing that may map it gone since? */
static bool stack_pinned(struct guest *g)
{
	if (!stack_shared(g))
		return pin_matches(&cur_dir(g)->pin, g);
	for (unsigned i = 0; i < SHADOW_KPINS; i++)
		if (pin_matches(&g->shadow.kpin[i], g))
			return true;
	return false;
}

/* Remember that the current stack is pinned. */
static void stack_record_pin(struct guest *g)
{
	struct shadow_pin *p = &cur_dir(g)->pin;

	if (stack_shared(g))
		p = &g->shadow.kpin[g->shadow.kpin_next++ % SHADOW_KPINS];
	p->esp1 = g->esp1;
	p->pages = g->stack_pages;
}

/* A table the guest no longer uses: onto its spare list, still charged
 * to it. */
static void free_table(struct guest *g, uint32_t *t)
{
	t[0] = g->shadow.spare;
	g->shadow.spare = (uint32_t)t;
	g->shadow.nr_spare++;
}

/* Drop the shadow page tables under PDEs [from, to) of one directory,
 * visiting only the PDEs its bitmap says have one. A shared kernel table
 * is only unhooked here; kernel_drop() frees it. */
static void dir_drop(struct guest *g, struct shadow_dir *d, unsigned from, unsigned to)
{
	unsigned shared = kernel_pde(g);

	to = MIN(to, PD_SWITCHER);
	forget_pin(&d->pin, from, to);
	if (to > shared)	/* shared tables unhooked from d */
		forget_kpins(g, MAX(from, shared), to);
	for (unsigned w = from / 32; w * 32 < to; w++) {
		uint32_t bits = d->tables[w];
		while (bits) {
			unsigned i = w * 32 + __builtin_ctz(bits);
			bits &= bits - 1;
			if (i < from || i >= to)
				continue;
			if (i < shared)
				free_table(g, (uint32_t *)(d->pd[i] & PAGE_MASK));
			d->pd[i] = 0;
			mark(d, i, false);
		}
	}
}

/* Free the shared kernel tables under PDEs [from, to), unhooking them from
 * every directory. */
static void kernel_drop(struct guest *g, unsigned from, unsigned to)
{
	from = MAX(from, kernel_pde(g));
	forget_kpins(g, from, to);
	for (unsigned i = from; i < MIN(to, PD_SWITCHER); i++) {
		if (!g->shadow.kernel_pts[i])
			continue;
		for (unsigned k = 0; k < SHADOW_DIRS_MAX; k++) {
			struct shadow_dir *d = &g->shadow.dirs[k];
			if (d->pd) {
				d->pd[i] = 0;
				mark(d, i, false);
			}
		}
		free_table(g, (uint32_t *)g->shadow.kernel_pts[i]);
		g->shadow.kernel_pts[i] = 0;
	}
}

/* The directory and its own tables onto the spare list. Its entries and
 * bitmap are left as they are: the slot is free, and dir_alloc and
 * alloc_table clear them before any use. */
static void dir_free(struct guest *g, struct shadow_dir *d)
{
	unsigned shared = kernel_pde(g);

	if (!d->pd)
		return;
	for (unsigned w = 0; w * 32 < shared; w++) {
		uint32_t bits = d->tables[w];
		while (bits) {
			unsigned i = w * 32 + __builtin_ctz(bits);
			bits &= bits - 1;
			if (i < shared)
				free_table(g, (uint32_t *)(d->pd[i] & PAGE_MASK));
		}
	}
	free_table(g, d->pd);
	d->pd = NULL;
}

/* At its budget: the least recently used directory not in use goes; if
 * there is none, the current one is emptied (it refills on demand), and
 * last the shared kernel tables. One directory at a time, so that one
 * eviction unhooks at most about a thousand tables. */
static void reclaim(struct guest *g)
{
	struct shadow_dir *lru = NULL;

	for (unsigned i = 0; i < SHADOW_DIRS_MAX; i++) {
		struct shadow_dir *d = &g->shadow.dirs[i];
		if (i != g->shadow.cur && d->pd && (!lru || d->last_used < lru->last_used))
			lru = d;
	}
	if (lru)
		dir_free(g, lru);
	if (!g->shadow.nr_spare)
		dir_drop(g, cur_dir(g), 0, PD_SWITCHER);
	if (!g->shadow.nr_spare)
		kernel_drop(g, 0, PD_SWITCHER);
	g->shadow.needs_pin = true;
	pr_debug("guest %s: shadow frames at its budget (%u); reclaimed %u",
		 g->name, g->shadow.budget, g->shadow.nr_spare);
}

/* The first table on the spare list, taken off it; 0 if it is empty. */
static uint32_t take_spare(struct guest *g)
{
	uint32_t pa = g->shadow.spare;

	if (pa) {
		g->shadow.spare = *(uint32_t *)pa;
		g->shadow.nr_spare--;
	}
	return pa;
}

/* A zeroed frame charged to the guest: a spare one of its own, else one
 * of the frames reserved for it at admission. At its budget it evicts its
 * own tables first, never taking a frame another guest was promised. NULL
 * (the guest is then killed) only if eviction freed nothing, which a
 * budget of SHADOW_BUDGET_MIN rules out. */
static uint32_t *alloc_table(struct guest *g)
{
	uint32_t pa = take_spare(g);

	if (!pa && g->shadow.frames < g->shadow.budget) {
		pa = frame_alloc_reserved();
		if (pa)
			g->shadow.frames++;
	}
	if (!pa) {
		reclaim(g);
		pa = take_spare(g);
	}
	if (!pa) {
		kill_guest(g, "out of memory for shadow page tables");
		return NULL;
	}
	memset((void *)pa, 0, PAGE_SIZE);
	g->shadow.peak_frames = MAX(g->shadow.peak_frames, g->shadow.frames);
	return (uint32_t *)pa;
}

static bool dir_alloc(struct guest *g, struct shadow_dir *d, uint32_t gpa)
{
	d->pd = alloc_table(g);
	if (!d->pd)
		return false;
	d->pd[PD_SWITCHER] = switcher_guest_pde();
	memset(d->tables, 0, sizeof(d->tables));
	/* The kernel's part comes ready-made: the shared tables. */
	for (unsigned i = kernel_pde(g); i < PD_SWITCHER; i++) {
		if (g->shadow.kernel_pts[i]) {
			d->pd[i] = g->shadow.kernel_pts[i] | PTE_P | PTE_RW | PTE_US;
			mark(d, i, true);
		}
	}
	d->gpa = gpa;
	d->last_used = ++g->shadow.tick;
	d->pin.esp1 = 0;
	return true;
}

/* The shadow-frame budget of a guest of mem bytes (include/param.h):
 * shadow_frames if its shadow= option gave one, else the formula. */
uint32_t shadow_budget(uint32_t mem, uint32_t shadow_frames)
{
	if (shadow_frames)
		return shadow_frames;
	return SHADOW_BUDGET_FLOOR + mem / SHADOW_BUDGET_RAM_PER;
}

/* Start g on the linear map, with budget frames already reserved for it. */
void shadow_init(struct guest *g, uint32_t budget)
{
	memset(&g->shadow, 0, sizeof(g->shadow));
	g->shadow.budget = budget;
	g->shadow.linear = true;
	dir_alloc(g, &g->shadow.dirs[0], LINEAR_GPA);
}

/* A bounded piece of giving g's shadow frames back to the pool, at its
 * end: one directory's tables onto the spare list per call (a few
 * instructions each), then the shared kernel tables, then at most
 * SHADOW_RELEASE_PIECE frames back to the pool per call. True when all
 * have gone back. */
bool shadow_release(struct guest *g)
{
	for (unsigned i = 0; i < SHADOW_DIRS_MAX; i++) {
		if (g->shadow.dirs[i].pd) {
			dir_free(g, &g->shadow.dirs[i]);
			return false;
		}
	}
	kernel_drop(g, 0, PD_SWITCHER);
	for (unsigned n = 0; n < SHADOW_RELEASE_PIECE && g->shadow.nr_spare; n++) {
		frame_free_reserved(take_spare(g));
		g->shadow.frames--;
	}
	if (g->shadow.nr_spare)
		return false;
	ASSERT(g->shadow.frames == 0);
	return true;
}

/* The guest's entries for va in the directory at dir_gpa, checked by the
 * 4.9 rules. SHADOW_OK fills *pde and *ptep (a host pointer to the guest
 * PTE); SHADOW_MMIO fills them too, for a PTE whose frame lies in the
 * MMIO window above guest RAM (device memory, never mapped: every access
 * faults and is emulated); SHADOW_GUEST_FAULT means not present;
 * SHADOW_KILLED, a broken rule. */
static enum shadow_result guest_lookup(struct guest *g, uint32_t dir_gpa, uint32_t va,
				       uint32_t **pdep, uint32_t **ptep)
{
	uint32_t *pde = guest_range(g, dir_gpa + PD_INDEX(va) * 4, 4);

	ASSERT(pde);			/* dir_gpa was checked by NEW_PGTABLE */
	if (!(*pde & PTE_P))
		return SHADOW_GUEST_FAULT;
	if (!pde_flags_valid(*pde)) {
		kill_guest(g, "page directory entry %08x (for %08x) has flags outside "
			   "P, RW, US, A and D", *pde, va);
		return SHADOW_KILLED;
	}
	uint32_t *pte = guest_range(g, (*pde & PAGE_MASK) + PT_INDEX(va) * 4, 4);
	if (!pte) {
		kill_guest(g, "page directory entry %08x (for %08x) points outside its memory",
			   *pde, va);
		return SHADOW_KILLED;
	}
	if (!(*pte & PTE_P))
		return SHADOW_GUEST_FAULT;
	if (!pte_flags_valid(*pte)) {
		kill_guest(g, "page table entry %08x (for %08x) sets PSE", *pte, va);
		return SHADOW_KILLED;
	}
	*pdep = pde;
	*ptep = pte;
	if (entry_frame_inside(*pte, g->mem_size) || MUTATED(MUT_PTE_FRAME_BOUND))
		return SHADOW_OK;
	if (dev_mmio_window(g, *pte & PAGE_MASK))
		return SHADOW_MMIO;
	kill_guest(g, "page table entry %08x (for %08x) maps a frame beyond its "
		   "%u KiB and its device window", *pte, va, g->mem_size / 1024);
	return SHADOW_KILLED;
}

/* Write a shadow entry: the one place entries the CPU will use are made,
 * so the oracle sits here. A present entry maps only the guest's own
 * memory (the rules above ensure it; this is the hypervisor's own check
 * that no host frame ever becomes reachable from the guest). */
static void shadow_set(const struct guest *g, uint32_t *pt, uint32_t va, uint32_t spte)
{
	ASSERT(!(spte & PTE_P) || (spte & PAGE_MASK) - g->mem_base < g->mem_size);
	pt[PT_INDEX(va)] = spte;
}

/* The shadow page table for va in directory d, allocated if missing: for
 * a kernel address, the shared one, hooked into every cached directory. */
static uint32_t *shadow_table(struct guest *g, struct shadow_dir *d, uint32_t va)
{
	unsigned i = PD_INDEX(va);

	if (d->pd[i] & PTE_P)
		return (uint32_t *)(d->pd[i] & PAGE_MASK);
	if (i >= kernel_pde(g) && g->shadow.kernel_pts[i]) {
		/* A shared table a reclaim unhooked from d only: hook it back,
		 * or a second one would replace it in kernel_pts. */
		d->pd[i] = g->shadow.kernel_pts[i] | PTE_P | PTE_RW | PTE_US;
		mark(d, i, true);
		return (uint32_t *)g->shadow.kernel_pts[i];
	}
	uint32_t *t = alloc_table(g);
	if (!t)
		return NULL;
	if (i < kernel_pde(g)) {
		d->pd[i] = (uint32_t)t | PTE_P | PTE_RW | PTE_US;
		mark(d, i, true);
		return t;
	}
	g->shadow.kernel_pts[i] = (uint32_t)t;
	for (unsigned k = 0; k < SHADOW_DIRS_MAX; k++) {
		struct shadow_dir *dk = &g->shadow.dirs[k];
		if (dk->pd) {
			dk->pd[i] = (uint32_t)t | PTE_P | PTE_RW | PTE_US;
			mark(dk, i, true);
		}
	}
	return t;
}

/* Translate va as the CPU would for an access of this kind, setting the
 * guest's accessed (and, for a write, dirty) bits. Checks present, write
 * and user rights against both levels; ring 1 is supervisor, and CR0.WP
 * makes read-only bind it too. On SHADOW_GUEST_FAULT, *present says
 * whether the guest's own entries were present (a protection fault): the
 * P bit of the error code the guest must see. */
static enum shadow_result translate(struct guest *g, uint32_t va, bool write, bool user,
				    uint32_t *gpa, uint32_t *spte, bool *present)
{
	*present = false;
	if (va >= SWITCHER_ADDR)
		return SHADOW_GUEST_FAULT;
	if (g->shadow.linear) {
		*present = va < g->mem_size;
		if (user || va >= g->mem_size)
			return SHADOW_GUEST_FAULT;
		*gpa = va;
		*spte = (g->mem_base + (va & PAGE_MASK)) | PTE_P | PTE_RW;
		return SHADOW_OK;
	}

	uint32_t *pde, *pte;
	enum shadow_result r = guest_lookup(g, cur_dir(g)->gpa, va, &pde, &pte);
	if (r != SHADOW_OK && r != SHADOW_MMIO)
		return r;
	*present = true;
	if (!entry_allows(*pde, *pte, write, user))
		return SHADOW_GUEST_FAULT;
	*pde |= PTE_A;
	*pte |= PTE_A | (write ? PTE_D : 0);
	*gpa = (*pte & PAGE_MASK) | (va & ~PAGE_MASK);
	if (r == SHADOW_OK)
		*spte = shadow_pte(g->mem_base, *pde, *pte, write);
	return r;
}

/* A #PF from the guest at va with the CPU's error code *err: fill the
 * shadow entry if the guest's tables allow the access; if they allow it
 * but map device memory, return SHADOW_MMIO with its address in *mmio_pa
 * and fill nothing. If they do not allow it, the
 * fault is the guest's, and *err becomes the code the CPU would have given
 * on the guest's own tables: the CPU's P bit describes the shadow, which
 * may not hold the page yet. Above the Switcher the CPU's code stands. */
enum shadow_result shadow_fault(struct guest *g, uint32_t va, uint32_t *err,
				uint32_t *mmio_pa)
{
	uint32_t gpa, spte;
	bool present;
	enum shadow_result r = translate(g, va, *err & 2, *err & 4, &gpa, &spte, &present);

	if (r == SHADOW_GUEST_FAULT && va < SWITCHER_ADDR)
		*err = (*err & ~1u) | (present ? 1u : 0u);
	if (r == SHADOW_MMIO)
		*mmio_pa = gpa;
	if (r != SHADOW_OK)
		return r;
	uint32_t *pt = shadow_table(g, cur_dir(g), va);
	if (!pt)
		return SHADOW_KILLED;
	shadow_set(g, pt, va, spte);
	return SHADOW_OK;
}

/* Translate a guest-virtual address for the hypervisor's own access on the
 * guest's behalf (pushing a trap frame, reading an instruction), as the
 * guest itself would. Device memory is not memory the hypervisor reads or
 * writes for the guest: to this caller it is a fault. */
enum shadow_result shadow_walk(struct guest *g, uint32_t va, bool write, bool user,
			       uint32_t *gpa)
{
	uint32_t spte;
	bool present;
	enum shadow_result r = translate(g, va, write, user, gpa, &spte, &present);

	return r == SHADOW_MMIO ? SHADOW_GUEST_FAULT : r;
}

/* HC_NEW_PGTABLE: run on the shadow of the directory at gpa, cached if it
 * was seen before, else in a free slot or the least recently used one. */
void shadow_new_pgtable(struct guest *g, uint32_t gpa)
{
	struct shadow *s = &g->shadow;

	/* A page-aligned gpa below mem_size names a whole page of it. */
	if (!IS_ALIGNED(gpa, PAGE_SIZE) || gpa >= g->mem_size) {
		kill_guest(g, "NEW_PGTABLE: page directory %08x is not a page of its memory", gpa);
		return;
	}
	bool first = s->linear;
	if (first) {
		dir_free(g, &s->dirs[0]);
		s->linear = false;
	}
	unsigned slot = 0;
	while (slot < SHADOW_DIRS_MAX && !(s->dirs[slot].pd && s->dirs[slot].gpa == gpa))
		slot++;
	if (slot == SHADOW_DIRS_MAX) {
		/* Not cached: a free slot, else the least recently used. */
		slot = 0;
		for (unsigned i = 1; i < SHADOW_DIRS_MAX; i++) {
			const struct shadow_dir *d = &s->dirs[i], *v = &s->dirs[slot];
			if (!d->pd || (v->pd && d->last_used < v->last_used))
				slot = i;
		}
		dir_free(g, &s->dirs[slot]);
		s->cur = slot;		/* a reclaim in dir_alloc must spare it */
		if (!dir_alloc(g, &s->dirs[slot], gpa))
			return;
	}
	s->cur = slot;
	s->dirs[slot].last_used = ++s->tick;
	s->needs_pin = true;
	if (first)
		walk_refresh(g);	/* the walker needs the guest's own tables */
	else
		walk_dir_changed(g);
}

/* HC_FLUSH_TLB: all = 1 drops every shadow entry of every cached
 * directory; all = 0 drops the user part (below kernel_address) of the
 * current one. */
void shadow_flush(struct guest *g, bool all)
{
	if (all) {
		for (unsigned i = 0; i < SHADOW_DIRS_MAX; i++)
			if (g->shadow.dirs[i].pd)
				dir_drop(g, &g->shadow.dirs[i], 0, PD_SWITCHER);
		kernel_drop(g, 0, PD_SWITCHER);
	} else {
		dir_drop(g, cur_dir(g), 0, kernel_pde(g));
	}
	g->shadow.needs_pin = true;
}

/* Does a change at va in the directory at pgdir_gpa concern d? Kernel
 * addresses (at or above kernel_address) are the same in every directory. */
static bool concerns(const struct guest *g, const struct shadow_dir *d,
		     uint32_t pgdir_gpa, uint32_t va)
{
	if (!d->pd || d->gpa == LINEAR_GPA)
		return false;
	return d->gpa == pgdir_gpa || (g->kernel_address && va >= g->kernel_address);
}

/* HC_SET_PTE: the guest changed the PTE for va. Every shadow of it is
 * dropped, or refilled at once when the guest already set accessed (and,
 * for a writable page, dirty): the fault that would follow is saved. */
void shadow_set_pte(struct guest *g, uint32_t pgdir_gpa, uint32_t va, uint32_t pte)
{
	bool refill = (pte & (PTE_P | PTE_A)) == (PTE_P | PTE_A);

	if (va >= SWITCHER_ADDR)
		return;
	if (PD_INDEX(va) >= kernel_pde(g))
		for (unsigned k = 0; k < SHADOW_KPINS; k++)
			forget_pin_at(&g->shadow.kpin[k], va);
	for (unsigned i = 0; i < SHADOW_DIRS_MAX && guest_alive(g); i++) {
		struct shadow_dir *d = &g->shadow.dirs[i];
		if (!concerns(g, d, pgdir_gpa, va))
			continue;
		uint32_t *pt = NULL;
		if (d->pd[PD_INDEX(va)] & PTE_P) {
			pt = (uint32_t *)(d->pd[PD_INDEX(va)] & PAGE_MASK);
			forget_pin_at(&d->pin, va);
			pt[PT_INDEX(va)] = 0;
		}
		/* The current directory gets a table if it has none, so the
		 * first page the guest maps in a fresh 4 MiB costs no fault. */
		if (!refill || (!pt && i != g->shadow.cur))
			continue;
		uint32_t *gpde, *gpte;
		if (guest_lookup(g, d->gpa, va, &gpde, &gpte) != SHADOW_OK || *gpte != pte)
			continue;	/* what the guest reported is not what it holds */
		if (!pt && !(pt = shadow_table(g, d, va)))
			return;		/* killed: no frame for it */
		shadow_set(g, pt, va, shadow_pte(g->mem_base, *gpde, pte, false));
	}
	/* Only the entry for va went: the stack needs pinning again only if
	 * va is one of its pages. */
	if (g->esp1 - 1 - va < g->stack_pages * PAGE_SIZE)
		g->shadow.needs_pin = true;
}

/* HC_SET_PGD: the guest changed PDE index of the directory at pgdir_gpa. */
void shadow_set_pgd(struct guest *g, uint32_t pgdir_gpa, uint32_t index)
{
	if (index >= PD_SWITCHER) {
		if (index > PD_SWITCHER)
			kill_guest(g, "SET_PGD: index %u is beyond the directory", index);
		return;
	}
	if (index >= kernel_pde(g)) {
		kernel_drop(g, index, index + 1);
	} else {
		for (unsigned i = 0; i < SHADOW_DIRS_MAX; i++) {
			struct shadow_dir *d = &g->shadow.dirs[i];
			if (concerns(g, d, pgdir_gpa, index << 22))
				dir_drop(g, d, index, index + 1);
		}
	}
	g->shadow.needs_pin = true;
}

/* Is va mapped present and writable in the current shadow? */
static bool shadow_writable(struct guest *g, uint32_t va)
{
	uint32_t pde = cur_dir(g)->pd[PD_INDEX(va)];

	if (!(pde & PTE_P))
		return false;
	uint32_t spte = ((const uint32_t *)(pde & PAGE_MASK))[PT_INDEX(va)];
	return (spte & (PTE_P | PTE_RW)) == (PTE_P | PTE_RW);
}

/* Keep the ring-1 stack of SET_STACK present and writable in the shadow,
 * so that a trap from ring 3 delivered directly by the CPU never faults on
 * it. Called before entry whenever shadow entries may have gone. False if
 * the guest was killed: its stack is not mapped writable. */
bool shadow_pin_stack(struct guest *g)
{
	g->shadow.needs_pin = false;
	if (stack_pinned(g))
		return true;
	for (unsigned p = 0; p < g->stack_pages; p++) {
		uint32_t va = g->esp1 - 1 - p * PAGE_SIZE, err = 2, pa;
		/* A cached directory usually holds it still: SET_PTE keeps
		 * every shadow entry true to the guest's, so no walk. */
		if (shadow_writable(g, va))
			continue;
		enum shadow_result r = shadow_fault(g, va, &err, &pa);
		if (r == SHADOW_GUEST_FAULT || r == SHADOW_MMIO)
			kill_guest(g, "SET_STACK: the stack page at %08x is not mapped writable",
				   va & PAGE_MASK);
		if (r != SHADOW_OK)
			return false;
	}
	if (!g->shadow.needs_pin)	/* no reclaim undid part of it meanwhile */
		stack_record_pin(g);
	return true;
}
