/* The rules a guest's segment descriptors and selectors pass (lguest 4.9's,
 * shared/lguest-abi.md, plus the ones the Switcher's iret needs). Pure: no
 * guest state, unit-tested on the host (test/unit/test_desc.c). */
#include <abi.h>
#include <hcall/hcall.h>
#include <mutation.h>

/* Descriptor high word (SDM Vol. 3A, 3.4.5). */
#define DESC_TYPE_ACCESSED  (1u << 8)
#define DESC_TYPE_WRITABLE  (1u << 9)	/* data: writable; code: readable */
#define DESC_TYPE_CONFORM   (1u << 10)	/* code: conforming */
#define DESC_TYPE_CODE      (1u << 11)
#define DESC_S              (1u << 12)	/* 1: code or data; 0: system */
#define DESC_DPL_SHIFT      13
#define DESC_DPL_MASK       (3u << DESC_DPL_SHIFT)
#define DESC_P              (1u << 15)
#define DESC_G              (1u << 23)
#define DESC_DB             (1u << 22)

/* GDT slots the host keeps: a guest's writes to them are ignored. */
bool desc_host_slot(uint32_t index)
{
	return index == GDT_ENTRY_HOST_SWITCHER_CS || index == GDT_ENTRY_HOST_SWITCHER_DS ||
	       index == GDT_ENTRY_HOST_TSS || index == GDT_ENTRY_HOST_DF_TSS;
}

static unsigned dpl_of(uint32_t hi)
{
	return (hi & DESC_DPL_MASK) >> DESC_DPL_SHIFT;
}

/* Decide what becomes of a descriptor the guest wants at index: a host slot
 * is ignored; a not-present entry is stored as zero (Linux loads empty TLS
 * entries); a present system descriptor (TSS, LDT, gates) kills, and so
 * does DPL 2 (SEG_KILL_RING2); DPL 0 is raised to 1; the accessed bit is set, because the CPU could not set it in
 * a GDT the guest can only read. */
enum seg_verdict seg_check_descriptor(uint32_t index, uint32_t *lo, uint32_t *hi)
{
	if (index >= GDT_ENTRIES)
		return SEG_KILL;
	if (desc_host_slot(index))
		return SEG_IGNORE;
	if (!(*hi & DESC_P)) {
		*lo = *hi = 0;
		return SEG_ACCEPT;
	}
	if (!(*hi & DESC_S) && !MUTATED(MUT_GDT_SYSTEM_CHECK))
		return SEG_KILL;
	if (dpl_of(*hi) == 2)
		return SEG_KILL_RING2;
	if ((*hi & DESC_DPL_MASK) == 0)
		*hi |= GUEST_PL << DESC_DPL_SHIFT;
	*hi |= DESC_TYPE_ACCESSED;
	return SEG_ACCEPT;
}

/* Would loading (lo, hi) leave the GDT entry `stored` as it is? Only an
 * entry seg_check_descriptor accepted as it was (but for the accessed bit
 * it sets) can match: a not-present one is stored as zero, and a DPL-0,
 * DPL-2 or system descriptor never is stored. */
bool desc_unchanged(uint32_t lo, uint32_t hi, uint64_t stored)
{
	if (!(hi & DESC_P))
		return stored == 0;
	return stored == ((uint64_t)(hi | DESC_TYPE_ACCESSED) << 32 | lo);
}

bool desc_present(uint32_t hi)
{
	return hi & DESC_P;
}


/* A present non-conforming code segment whose DPL is rpl: what an iret to
 * privilege rpl may load into CS. */
bool desc_is_code_at(uint32_t hi, unsigned rpl)
{
	return desc_present(hi) &&
	       (hi & (DESC_S | DESC_TYPE_CODE | DESC_TYPE_CONFORM)) == (DESC_S | DESC_TYPE_CODE) &&
	       dpl_of(hi) == rpl;
}

/* A present writable data segment whose DPL is dpl: what SS may hold at
 * privilege dpl. */
bool desc_is_stack_at(uint32_t hi, unsigned dpl)
{
	return desc_present(hi) &&
	       (hi & (DESC_S | DESC_TYPE_CODE | DESC_TYPE_WRITABLE)) == (DESC_S | DESC_TYPE_WRITABLE) &&
	       dpl_of(hi) == dpl;
}

/* Base 0, a 4 GiB limit (20-bit limit 0xFFFFF in pages), 32-bit, and for
 * data not expand-down: an esp in it is a plain virtual address. */
bool desc_is_flat(uint32_t lo, uint32_t hi)
{
	uint32_t base = (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000);
	uint32_t limit = (lo & 0xFFFF) | (hi & 0xF0000);

	return base == 0 && limit == 0xFFFFF && (hi & DESC_G) && (hi & DESC_DB) &&
	       !(hi & DESC_TYPE_CONFORM);	/* bit 10 of data: expand-down */
}
