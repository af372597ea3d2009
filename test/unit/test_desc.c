/* Unit tests of hcall/desc.c: what becomes of each descriptor a guest
 * loads into its GDT, and which selectors the Switcher may iret to. */
#include <string.h>
#include <abi.h>
#include <hcall/hcall.h>
#include "harness.h"

/* Flat 4 GiB descriptors (G, D/B set), present, with this type and DPL. */
#define HI(type, dpl) (0x00CF8000u | ((dpl) << 13) | ((type) << 8))
#define LO_FLAT 0x0000FFFFu
#define CODE_RX  0x1A	/* S + code, readable */
#define DATA_RW  0x12	/* S + data, writable */
#define DATA_RO  0x10
#define CONFORM  0x1E	/* S + code, conforming, readable */
#define TSS32    0x09	/* system: available 32-bit TSS */
#define CALLGATE 0x0C	/* system: call gate */

static void desc_code_and_data_accepted(void)
{
	uint32_t lo = LO_FLAT, hi = HI(CODE_RX, 3);

	CHECK_EQ(seg_check_descriptor(14, &lo, &hi), SEG_ACCEPT);
	CHECK_EQ(hi, HI(CODE_RX, 3) | 0x100);		/* accessed preset */
	CHECK_EQ(lo, LO_FLAT);
	hi = HI(DATA_RW, 1);
	CHECK_EQ(seg_check_descriptor(15, &lo, &hi), SEG_ACCEPT);
	CHECK_EQ(hi, HI(DATA_RW, 1) | 0x100);
}

static void desc_dpl0_raised_to_1(void)
{
	uint32_t lo = LO_FLAT, hi = HI(CODE_RX, 0);

	CHECK_EQ(seg_check_descriptor(12, &lo, &hi), SEG_ACCEPT);
	CHECK_EQ((hi >> 13) & 3, 1);
}

static void desc_not_present_stored_as_zero(void)
{
	uint32_t lo = 0x12345678, hi = HI(TSS32, 0) & ~0x8000u;

	CHECK_EQ(seg_check_descriptor(GDT_ENTRY_TLS_MIN, &lo, &hi), SEG_ACCEPT);
	CHECK_EQ(lo, 0);
	CHECK_EQ(hi, 0);
}

static void desc_system_descriptors_kill(void)
{
	uint32_t types[] = { TSS32, CALLGATE, 0x02 /* LDT */, 0x05 /* task gate */ };

	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		uint32_t lo = LO_FLAT, hi = (HI(0, 1) & ~0x1000u) | (types[i] << 8);
		CHECK_EQ(seg_check_descriptor(14, &lo, &hi), SEG_KILL);
	}
}

static void desc_ring2_refused(void)
{
	uint32_t lo = LO_FLAT, hi = HI(CODE_RX, 2);

	CHECK_EQ(seg_check_descriptor(14, &lo, &hi), SEG_KILL_RING2);
	lo = LO_FLAT, hi = HI(CODE_RX, 2) & ~0x8000u;		/* not present: fine */
	CHECK_EQ(seg_check_descriptor(14, &lo, &hi), SEG_ACCEPT);
}

static void desc_host_slots_ignored(void)
{
	unsigned slots[] = { GDT_ENTRY_HOST_SWITCHER_CS, GDT_ENTRY_HOST_SWITCHER_DS,
			     GDT_ENTRY_HOST_TSS, GDT_ENTRY_HOST_DF_TSS };

	for (unsigned i = 0; i < 4; i++) {
		uint32_t lo = LO_FLAT, hi = HI(CODE_RX, 1);
		CHECK_EQ(seg_check_descriptor(slots[i], &lo, &hi), SEG_IGNORE);
		CHECK(desc_host_slot(slots[i]));
	}
	CHECK(!desc_host_slot(GDT_ENTRY_GUEST_CS));
}

static void desc_index_beyond_gdt_kills(void)
{
	uint32_t lo = LO_FLAT, hi = HI(CODE_RX, 1);

	CHECK_EQ(seg_check_descriptor(GDT_ENTRIES, &lo, &hi), SEG_KILL);
	CHECK_EQ(seg_check_descriptor(0xFFFFFFFFu, &lo, &hi), SEG_KILL);
}

static void desc_code_selector_rules(void)
{
	CHECK(desc_is_code_at(HI(CODE_RX, 1), 1));
	CHECK(desc_is_code_at(HI(CODE_RX, 3), 3));
	CHECK(!desc_is_code_at(HI(CODE_RX, 3), 1));		/* DPL must equal RPL */
	CHECK(!desc_is_code_at(HI(CONFORM, 1), 1));		/* never conforming */
	CHECK(!desc_is_code_at(HI(DATA_RW, 1), 1));
	CHECK(!desc_is_code_at(HI(CODE_RX, 1) & ~0x8000u, 1));	/* present */
}

static void desc_stack_selector_rules(void)
{
	CHECK(desc_is_stack_at(HI(DATA_RW, 1), 1));
	CHECK(desc_is_stack_at(HI(DATA_RW, 3), 3));
	CHECK(!desc_is_stack_at(HI(DATA_RO, 1), 1));		/* writable */
	CHECK(!desc_is_stack_at(HI(CODE_RX, 1), 1));
	CHECK(!desc_is_stack_at(HI(DATA_RW, 0), 1));
}

static void desc_flat_rules(void)
{
	CHECK(desc_is_flat(LO_FLAT, HI(DATA_RW, 1)));
	CHECK(!desc_is_flat(LO_FLAT | 0x10000, HI(DATA_RW, 1)));	/* base 1 */
	CHECK(!desc_is_flat(0x0000FFFE, HI(DATA_RW, 1)));		/* short */
	CHECK(!desc_is_flat(LO_FLAT, HI(DATA_RW, 1) & ~0x00800000u));	/* bytes */
	CHECK(!desc_is_flat(LO_FLAT, HI(DATA_RW, 1) & ~0x00400000u));	/* 16-bit */
	CHECK(!desc_is_flat(LO_FLAT, HI(DATA_RW | 0x4, 1)));		/* expand-down */
}

/* LOAD_TLS's shortcut: only what seg_check_descriptor would store as it
 * stands matches; anything it would change, refuse or zero does not. */
static void desc_unchanged_only_as_stored(void)
{
	uint32_t lo = 0x1234FFFFu, hi = HI(DATA_RW, 3);
	uint32_t slo = lo, shi = hi;

	CHECK_EQ(seg_check_descriptor(6, &slo, &shi), SEG_ACCEPT);
	uint64_t stored = (uint64_t)shi << 32 | slo;
	CHECK(desc_unchanged(lo, hi, stored));
	CHECK(!desc_unchanged(lo + 0x10000, hi, stored));		/* another base */
	CHECK(!desc_unchanged(lo, HI(DATA_RW, 0), stored));		/* raised to 1 */
	CHECK(!desc_unchanged(lo, HI(TSS32, 3), stored));		/* system */
	CHECK(desc_unchanged(lo, hi & ~0x8000u, 0));			/* not present */
	CHECK(!desc_unchanged(lo, hi & ~0x8000u, stored));
	CHECK(!desc_unchanged(lo, hi, 0));
}

const struct unit_case desc_cases[] = {
	UNIT_CASE(desc_code_and_data_accepted),
	UNIT_CASE(desc_dpl0_raised_to_1),
	UNIT_CASE(desc_not_present_stored_as_zero),
	UNIT_CASE(desc_system_descriptors_kill),
	UNIT_CASE(desc_ring2_refused),
	UNIT_CASE(desc_host_slots_ignored),
	UNIT_CASE(desc_index_beyond_gdt_kills),
	UNIT_CASE(desc_code_selector_rules),
	UNIT_CASE(desc_stack_selector_rules),
	UNIT_CASE(desc_flat_rules),
	UNIT_CASE(desc_unchanged_only_as_stored),
	UNIT_END
};
