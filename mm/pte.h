/* The rules one guest page-table entry pair must pass before the shadow
 * copies it (lguest 4.9's, shared/lguest-abi.md), and the shadow entry made
 * from a pair that passed. Pure functions: unit-tested on the host
 * (test/unit/test_pte.c). */
#ifndef RV_PTE_H
#define RV_PTE_H

#include <mm/mm.h>
#include <types.h>

/* The only flags a guest PDE may carry (lguest's _PAGE_TABLE). */
#define PDE_ALLOWED (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)

static inline bool pde_flags_valid(uint32_t pde)
{
	return !(pde & ~PAGE_MASK & ~PDE_ALLOWED);
}

/* The page a PDE's table or a PTE's frame names lies inside the guest's
 * memory of mem_size bytes (a page multiple). */
static inline bool entry_frame_inside(uint32_t entry, uint32_t mem_size)
{
	return (entry & PAGE_MASK) < mem_size;
}

/* A present PTE with PSE set (the PAT bit, in a 4 KiB PTE) is refused. */
static inline bool pte_flags_valid(uint32_t pte)
{
	return !(pte & PTE_PSE);
}

/* Would the CPU allow this access through both levels? Ring 1 counts as
 * supervisor, and with CR0.WP a read-only entry binds it too. */
static inline bool entry_allows(uint32_t pde, uint32_t pte, bool write, bool user)
{
	if (write && !(pde & pte & PTE_RW))
		return false;
	return !user || (pde & pte & PTE_US);
}

/* The shadow PTE for a checked pair: the guest's frame at its host
 * address, user only if both levels say user, writable only if both say
 * writable and the page is already dirty (or this is the write that makes
 * it so), so that the dirty bit stays true. Caching and global bits are
 * never passed through. */
static inline uint32_t shadow_pte(uint32_t mem_base, uint32_t pde, uint32_t pte, bool write)
{
	uint32_t flags = PTE_P | (pde & pte & PTE_US);

	if ((pde & pte & PTE_RW) && (write || (pte & PTE_D)))
		flags |= PTE_RW;
	return (mem_base + (pte & PAGE_MASK)) | flags;
}

#endif
