/* The hypervisor's own page tables: an identity map of the low 1 MiB and of
 * all managed RAM, supervisor-only, never global, with page 0 left unmapped
 * so a NULL dereference faults. The top 4 MiB (one PDE) is the Switcher's. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <mm/frame.h>
#include <mm/mm.h>
#include <param.h>

static uint32_t *host_pgdir;

static uint32_t *alloc_table(void)
{
	uint32_t pa = frame_alloc();

	if (!pa)
		panic("paging: out of memory for the host page tables");
	memset((void *)pa, 0, PAGE_SIZE);
	return (uint32_t *)pa;
}

/* Map one 4 KiB page, before or after paging is on (the tables themselves
 * are identity-mapped, so their physical address is their pointer). */
void paging_map(uint32_t va, uint32_t pa, uint32_t flags)
{
	uint32_t *pde = &host_pgdir[va >> 22];

	if (!(*pde & PTE_P))
		*pde = (uint32_t)alloc_table() | PTE_P | PTE_RW;
	uint32_t *pt = (uint32_t *)(*pde & PAGE_MASK);
	pt[(va >> 12) & 1023] = (pa & PAGE_MASK) | (flags & 0xFFF) | PTE_P;
	if (read_cr0() & CR0_PG)
		invlpg(va);
}

/* Maps [va, end) to the same physical addresses, read-write, a page
 * table at a time (paging is still off): a few instructions a page, where
 * paging_map() would take tens. */
static void map_identity(uint32_t va, uint32_t end)
{
	while (va < end) {
		uint32_t *pde = &host_pgdir[va >> 22];
		if (!(*pde & PTE_P))
			*pde = (uint32_t)alloc_table() | PTE_P | PTE_RW;
		uint32_t *pt = (uint32_t *)(*pde & PAGE_MASK);
		uint32_t stop = (uint32_t)MIN((uint64_t)end, ((uint64_t)va + 4 * MiB) & ~(uint64_t)(4 * MiB - 1));
		for (; va < stop; va += PAGE_SIZE)
			pt[(va >> 12) & 1023] = va | PTE_P | PTE_RW;
	}
}

/* The host page table that maps va (it must exist). */
uint32_t *paging_table_of(uint32_t va)
{
	ASSERT(host_pgdir[va >> 22] & PTE_P);
	return (uint32_t *)(host_pgdir[va >> 22] & PAGE_MASK);
}

uint32_t paging_host_cr3(void)
{
	return (uint32_t)host_pgdir;
}

/* Build the identity map up to map_end (exclusive, page aligned), turn
 * paging on with CR0.WP, so that supervisor code (ring 0, and ring 1 guests)
 * cannot write through a read-only PTE either. No mapping sets PTE_G: a
 * global entry would survive the CR3 switch into a guest. */
void paging_init(uint32_t map_end)
{
	ASSERT(map_end <= PHYS_LIMIT && IS_ALIGNED(map_end, PAGE_SIZE));
	host_pgdir = alloc_table();
	map_identity(PAGE_SIZE, map_end);
	/* The Switcher's page table exists from the start, so that every
	 * address space can share it by one PDE (switcher/ fills it). */
	host_pgdir[SWITCHER_ADDR >> 22] = (uint32_t)alloc_table() | PTE_P | PTE_RW;

	write_cr3((uint32_t)host_pgdir);
	desc_set_df_cr3((uint32_t)host_pgdir);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
	pr_info("paging: on, identity map to 0x%08x, page 0 unmapped, CR0.WP set", map_end);
}
