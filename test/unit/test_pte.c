/* Unit tests of mm/pte.h: the checks a guest entry pair passes before the
 * shadow copies it, and the shadow entry made from it. */
#include <mm/pte.h>
#include "harness.h"

#define MEM (4u << 20)			/* a 4 MiB guest */
#define BASE 0x01000000u		/* its host-physical base */

static void pte_pde_flags(void)
{
	CHECK(pde_flags_valid(0x00123000 | PDE_ALLOWED));
	CHECK(pde_flags_valid(0x00123000 | PTE_P));
	CHECK(!pde_flags_valid(0x00123000 | PTE_P | PTE_PSE));	/* 4 MiB pages */
	CHECK(!pde_flags_valid(0x00123000 | PTE_P | PTE_PCD));
	CHECK(!pde_flags_valid(0x00123000 | PTE_P | PTE_PWT));
	CHECK(!pde_flags_valid(0x00123000 | PTE_P | PTE_G));
	CHECK(!pde_flags_valid(0x00123000 | PTE_P | 0x200));	/* an AVL bit */
}

static void pte_pse_refused(void)
{
	CHECK(pte_flags_valid(0x00123000 | PTE_P | PTE_RW | PTE_A | PTE_D));
	CHECK(!pte_flags_valid(0x00123000 | PTE_P | PTE_PSE));
}

static void pte_frame_bound(void)
{
	CHECK(entry_frame_inside(0x00000000 | PTE_P, MEM));
	CHECK(entry_frame_inside((MEM - 4096) | PTE_P, MEM));
	CHECK(!entry_frame_inside(MEM | PTE_P, MEM));
	CHECK(!entry_frame_inside(0xFFFFF000 | PTE_P, MEM));
}

static void pte_rights_over_both_levels(void)
{
	uint32_t all = PTE_P | PTE_RW | PTE_US;

	CHECK(entry_allows(all, all, true, true));
	CHECK(!entry_allows(all, PTE_P | PTE_US, true, false));	/* WP: ring 1 too */
	CHECK(!entry_allows(PTE_P | PTE_US, all, true, false));	/* the PDE counts */
	CHECK(!entry_allows(all, PTE_P | PTE_RW, false, true));	/* supervisor page */
	CHECK(!entry_allows(PTE_P | PTE_RW, all, false, true));
	CHECK(entry_allows(PTE_P, PTE_P, false, false));
}

static void pte_shadow_entry(void)
{
	uint32_t pde = PTE_P | PTE_RW | PTE_US | PTE_A;

	/* Clean page, read: mapped read-only, so the first write faults. */
	CHECK_EQ(shadow_pte(BASE, pde, 0x5000 | PTE_P | PTE_RW | PTE_US | PTE_A, false),
		 (BASE + 0x5000) | PTE_P | PTE_US);
	/* The write itself, or a page already dirty: writable. */
	CHECK_EQ(shadow_pte(BASE, pde, 0x5000 | PTE_P | PTE_RW | PTE_US, true),
		 (BASE + 0x5000) | PTE_P | PTE_US | PTE_RW);
	CHECK_EQ(shadow_pte(BASE, pde, 0x5000 | PTE_P | PTE_RW | PTE_D, false),
		 (BASE + 0x5000) | PTE_P | PTE_RW);
	/* Caching and global bits never pass through; read-only stays so. */
	CHECK_EQ(shadow_pte(BASE, pde, 0x5000 | PTE_P | PTE_PCD | PTE_PWT | PTE_G | PTE_D, true),
		 (BASE + 0x5000) | PTE_P);
}

const struct unit_case pte_cases[] = {
	UNIT_CASE(pte_pde_flags),
	UNIT_CASE(pte_pse_refused),
	UNIT_CASE(pte_frame_bound),
	UNIT_CASE(pte_rights_over_both_levels),
	UNIT_CASE(pte_shadow_entry),
	UNIT_END
};
