/* The guest OS's memory: a frame allocator with share counts, the kernel's
 * page tables (its image 1:1, all memory again at KERNEL_BASE, one
 * temporary mapping at KMAP_VA; the tables shared by every directory),
 * process address spaces, and what a user page fault does to them:
 * demand-zero and copy-on-write pages (proc.c's #PF handler decides).
 *
 * Every change to an entry the host may have shadowed is reported:
 * SET_PTE and SET_PGD go through the async ring and mm_flush() drains it
 * before the kernel returns to a process; fork's mass downgrade of the
 * parent is one FLUSH_TLB instead. */
#include "os.h"

#define MAX_FRAMES 16384                /* 64 MiB of guest memory */

extern const char __image_end[];
extern const char user_blob[], user_blob_end[];

static uint32_t free_stack[MAX_FRAMES];
static uint32_t nr_free;
static uint8_t refs[MAX_FRAMES];        /* mappings per user frame */
static uint32_t mem, nr_ident;          /* bytes; 4 MiB tables of the 1:1 map */
static uint32_t kdir, kmap_pt;          /* the kernel's directory and kmap table */
static unsigned queued;                 /* reports waiting in the async ring */

static uint32_t frame_alloc(void)
{
	if (!nr_free)
		return 0;
	uint32_t pa = free_stack[--nr_free];
	memset(P2V(pa), 0, PAGE);
	return pa;
}

static void frame_free(uint32_t pa)
{
	free_stack[nr_free++] = pa;
}

uint32_t mm_free_frames(void)
{
	return nr_free;
}

uint32_t mm_refs(uint32_t pa)
{
	return refs[pa / PAGE];
}

static uint32_t *table(uint32_t pa)
{
	return (uint32_t *)P2V(pa & PAGE_MASK);
}

/* Before the first NEW_PGTABLE the host's linear map is va == pa, so the
 * tables are built through the 1:1 addresses; P2V works from then on. */
static uint32_t boot_alloc(uint32_t *next)
{
	uint32_t pa = *next;

	*next += PAGE;
	memset((void *)(uintptr_t)pa, 0, PAGE);
	return pa;
}

void mm_init(void)
{
	const volatile struct boot_e820_entry *e;
	uintptr_t bp = BOOT_PARAMS_GPA + BP_E820_TABLE;

	__asm__("" : "+r"(bp));         /* a real address, though small */
	e = (const volatile struct boot_e820_entry *)bp;
	mem = (uint32_t)e->size;
	if (mem > MAX_FRAMES * PAGE)
		mem = MAX_FRAMES * PAGE;
	nr_ident = (mem + (4u << 20) - 1) >> 22;

	uint32_t next = ((uint32_t)__image_end + PAGE - 1) & PAGE_MASK;
	kdir = boot_alloc(&next);
	uint32_t *d = (uint32_t *)(uintptr_t)kdir;
	for (uint32_t t = 0; t < nr_ident; t++) {
		uint32_t pt = boot_alloc(&next);
		for (uint32_t i = 0; i < 1024; i++) {
			uint32_t pa = (t << 22) | (i << 12);
			if (pa < mem)
				((uint32_t *)(uintptr_t)pt)[i] = pa | PTE_P | PTE_RW;
		}
		d[t] = pt | PTE_P | PTE_RW;                     /* the image, 1:1 */
		d[PDX(KERNEL_BASE) + t] = pt | PTE_P | PTE_RW;  /* all of memory */
	}
	kmap_pt = boot_alloc(&next);
	d[PDX(KMAP_VA)] = kmap_pt | PTE_P | PTE_RW;
	mm_switch(kdir);

	for (uint32_t pa = mem - PAGE; pa >= next; pa -= PAGE)
		frame_free(pa);
}

uint32_t mm_kernel_dir(void)
{
	return kdir;
}

void mm_switch(uint32_t dir)
{
	rv_hcall1(HC_NEW_PGTABLE, dir);
}

/* A directory with the kernel's part: the 1:1 tables, the direct map and
 * the kmap table, all shared (the same table pages as kdir's). */
uint32_t mm_new_dir(void)
{
	uint32_t dir = frame_alloc();

	if (!dir)
		return 0;
	uint32_t *d = table(dir), *k = table(kdir);
	for (uint32_t i = 0; i < nr_ident; i++)
		d[i] = k[i];
	for (uint32_t i = PDX(KERNEL_BASE); i < 1024; i++)
		d[i] = k[i];
	return dir;
}

uint32_t *mm_pte(uint32_t dir, uint32_t va, int create)
{
	uint32_t *pde = &table(dir)[PDX(va)];

	if (!(*pde & PTE_P)) {
		uint32_t pt;
		if (!create || !(pt = frame_alloc()))
			return NULL;
		*pde = pt | PTE_P | PTE_RW | PTE_US;
		rv_hcall_async(HC_SET_PGD, dir, PDX(va), 0, 0);
		queued++;
	}
	return table(*pde) + PTX(va);
}

void mm_set_pte(uint32_t dir, uint32_t va, uint32_t pte)
{
	*mm_pte(dir, va, 1) = pte;
	rv_hcall_async(HC_SET_PTE, dir, va, pte, 0);
	queued++;
}

void mm_flush(void)
{
	if (queued)
		rv_flush_async();
	queued = 0;
}

/* The program: the blob's pages in the image, read-only and shared. */
void mm_map_text(uint32_t dir)
{
	uint32_t start = (uint32_t)user_blob, end = (uint32_t)user_blob_end;

	for (uint32_t pa = start; pa < end; pa += PAGE)
		mm_set_pte(dir, USER_TEXT + (pa - start), pa | PTE_P | PTE_US | PTE_IMG);
}

static int user_pde(uint32_t i)
{
	return i >= nr_ident && i < PDX(KERNEL_BASE);
}

/* fork: the child gets the parent's tables, every writable page now
 * read-only copy-on-write in both. The parent's downgrades are reported
 * by one FLUSH_TLB of its (current) user mappings. -1 if out of memory. */
int mm_fork(uint32_t parent, uint32_t child)
{
	uint32_t *pd = table(parent), *cd = table(child);

	for (uint32_t i = 0; i < 1024; i++) {
		if (!user_pde(i) || !(pd[i] & PTE_P))
			continue;
		uint32_t cpt = frame_alloc();
		if (!cpt)
			return -1;
		uint32_t *ppte = table(pd[i]), *cpte = table(cpt);
		for (uint32_t j = 0; j < 1024; j++) {
			uint32_t pte = ppte[j];
			if (!(pte & PTE_P))
				continue;
			if (!(pte & PTE_IMG)) {
				if (pte & PTE_RW)
					pte = (pte & ~PTE_RW) | PTE_COW;
				refs[pte / PAGE]++;
			}
			ppte[j] = cpte[j] = pte;
		}
		cd[i] = cpt | PTE_P | PTE_RW | PTE_US;
		rv_hcall_async(HC_SET_PGD, child, i, 0, 0);
		queued++;
	}
	rv_hcall1(HC_FLUSH_TLB, 0);
	return 0;
}

/* Return a directory's user part and the directory itself. It must not be
 * the one in use; its cached shadow learns of every emptied entry. */
void mm_free_dir(uint32_t dir)
{
	uint32_t *d = table(dir);

	for (uint32_t i = 0; i < 1024; i++) {
		if (!user_pde(i) || !(d[i] & PTE_P))
			continue;
		uint32_t *pt = table(d[i]);
		for (uint32_t j = 0; j < 1024; j++)
			if ((pt[j] & PTE_P) && !(pt[j] & PTE_IMG) && --refs[pt[j] / PAGE] == 0)
				frame_free(pt[j] & PAGE_MASK);
		frame_free(d[i] & PAGE_MASK);
		d[i] = 0;
		rv_hcall_async(HC_SET_PGD, dir, i, 0, 0);
		queued++;
	}
	mm_flush();
	frame_free(dir);
}

/* Is [va, va + len) mapped for ring 3 in dir? */
int mm_user_ok(uint32_t dir, uint32_t va, uint32_t len)
{
	if (va + len < va || va + len > KERNEL_BASE)
		return 0;
	for (uint32_t p = va & PAGE_MASK; p < va + len; p += PAGE) {
		uint32_t *pte = mm_pte(dir, p, 0);
		if (!pte || (*pte & (PTE_P | PTE_US)) != (PTE_P | PTE_US))
			return 0;
	}
	return 1;
}

/* Map pa at KMAP_VA. The entry is above kernel_address, so one SET_PTE,
 * made with the kernel directory's address, updates every directory. */
void *mm_kmap(uint32_t pa)
{
	uint32_t pte = pa | PTE_P | PTE_RW;

	table(kmap_pt)[PTX(KMAP_VA)] = pte;
	rv_hcall3(HC_SET_PTE, kdir, KMAP_VA, pte);
	return (void *)KMAP_VA;
}

/* The kernel part really is shared: map a frame at KMAP_VA and read it in
 * two directories (so both shadows hold it), remap it while in the first,
 * and the second, cached, must see the new frame. */
int mm_kmap_selftest(uint32_t a, uint32_t b)
{
	uint32_t f1 = frame_alloc(), f2 = frame_alloc();
	volatile uint32_t *k = (volatile uint32_t *)KMAP_VA;

	*(uint32_t *)P2V(f1) = 0x1111;
	*(uint32_t *)P2V(f2) = 0x2222;
	mm_switch(a);
	mm_kmap(f1);
	uint32_t in_a = *k;
	mm_switch(b);
	uint32_t in_b = *k;
	mm_switch(a);
	mm_kmap(f2);
	mm_switch(b);
	uint32_t after = *k;
	mm_switch(kdir);
	frame_free(f2);
	frame_free(f1);
	return os_check("kernel.kmap-shared", in_a == 0x1111 && in_b == 0x1111 && after == 0x2222,
			"KMAP_VA read %x, %x, then %x in a cached directory", in_a, in_b, after);
}

/* ---- page faults -------------------------------------------------------- */

static int demand_zero(uint32_t dir, uint32_t va)
{
	uint32_t f = frame_alloc();

	if (!f)
		return MM_FAULT_NONE;
	refs[f / PAGE] = 1;
	mm_set_pte(dir, va & PAGE_MASK, f | PTE_P | PTE_RW | PTE_US);
	return MM_FAULT_DEMAND;
}

static int copy_on_write(uint32_t dir, uint32_t va, uint32_t pte)
{
	uint32_t old = pte & PAGE_MASK;
	int what = MM_FAULT_COW_REUSE;

	if (refs[old / PAGE] == 1) {
		pte = (pte | PTE_RW) & ~PTE_COW;
	} else {
		uint32_t f = frame_alloc();
		if (!f)
			return MM_FAULT_NONE;
		memcpy(P2V(f), mm_kmap(old), PAGE);
		refs[old / PAGE]--;
		refs[f / PAGE] = 1;
		pte = f | PTE_P | PTE_RW | PTE_US;
		what = MM_FAULT_COW_COPY;
	}
	mm_set_pte(dir, va & PAGE_MASK, pte);
	return what;
}

/* A fault at user address va (below KERNEL_BASE) in dir, error code err:
 * a page the process owns (owns: va is in its demand-zero region) is made
 * present, a write to a copy-on-write page private. The decision rests on
 * the page tables, not on the error code's present bit, as Linux's does:
 * a host may report P = 0 for a page its shadow did not hold yet even
 * though the guest's entry is there. Returns what was done (MM_FAULT_*),
 * MM_FAULT_NONE if nothing was. The reports wait for mm_flush(). */
int mm_user_fault(uint32_t dir, uint32_t va, uint32_t err, int owns)
{
	uint32_t *pte = mm_pte(dir, va, 0);

	if ((!pte || !(*pte & PTE_P)) && owns)
		return demand_zero(dir, va);
	if ((err & 2) && pte && (*pte & (PTE_P | PTE_COW)) == (PTE_P | PTE_COW))
		return copy_on_write(dir, va, *pte);
	return MM_FAULT_NONE;
}
