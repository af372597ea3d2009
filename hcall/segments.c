/* The guest's GDT: the checks every descriptor passes before it reaches the
 * real GDT (the guest's state page), and the selector checks the run loop
 * and SET_STACK use. Rules: lguest 4.9's, in shared/lguest-abi.md. */
#include <abi.h>
#include <core/guest.h>
#include <core/log.h>
#include <hcall/hcall.h>
#include <mm/mm.h>
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

static bool host_slot(uint32_t index)
{
	return index == GDT_ENTRY_HOST_SWITCHER_CS || index == GDT_ENTRY_HOST_SWITCHER_DS ||
	       index == GDT_ENTRY_HOST_TSS || index == GDT_ENTRY_HOST_DF_TSS;
}

/* Decide what becomes of a descriptor the guest wants at index: a host slot
 * is ignored; a not-present entry is stored as zero (Linux loads empty TLS
 * entries); a present system descriptor (TSS, LDT, gates) kills; DPL 0 is
 * raised to 1; the accessed bit is set, because the CPU could not set it in
 * a GDT the guest can only read. Pure: no guest state involved. */
enum seg_verdict seg_check_descriptor(uint32_t index, uint32_t *lo, uint32_t *hi)
{
	if (index >= GDT_ENTRIES)
		return SEG_KILL;
	if (host_slot(index))
		return SEG_IGNORE;
	if (!(*hi & DESC_P)) {
		*lo = *hi = 0;
		return SEG_ACCEPT;
	}
	if (!(*hi & DESC_S) && !MUTATED(MUT_GDT_SYSTEM_CHECK))
		return SEG_KILL;
	if ((*hi & DESC_DPL_MASK) == 0)
		*hi |= GUEST_PL << DESC_DPL_SHIFT;
	*hi |= DESC_TYPE_ACCESSED;
	return SEG_ACCEPT;
}

void seg_load_gdt_entry(struct guest *g, uint32_t index, uint32_t lo, uint32_t hi)
{
	switch (seg_check_descriptor(index, &lo, &hi)) {
	case SEG_KILL:
		if (index >= GDT_ENTRIES)
			kill_guest(g, "LOAD_GDT_ENTRY: index %u is beyond the GDT", index);
		else
			kill_guest(g, "LOAD_GDT_ENTRY: entry %u is a system descriptor "
				   "(%08x %08x)", index, hi, lo);
		return;
	case SEG_IGNORE:
		return;
	case SEG_ACCEPT:
		g->state->gdt[index] = (uint64_t)hi << 32 | lo;
		g->gdt_changes++;
		return;
	}
}

/* HC_LOAD_TLS: the three thread-local descriptors, by the same rules. */
void seg_load_tls(struct guest *g, uint32_t gpa)
{
	uint32_t d[GDT_ENTRY_TLS_ENTRIES * 2];

	if (!copy_from_guest(g, d, gpa, sizeof(d))) {
		kill_guest(g, "LOAD_TLS: descriptors at %08x are outside its memory", gpa);
		return;
	}
	for (unsigned i = 0; i < GDT_ENTRY_TLS_ENTRIES && guest_alive(g); i++)
		seg_load_gdt_entry(g, GDT_ENTRY_TLS_MIN + i, d[2 * i], d[2 * i + 1]);
}

static bool guest_desc(const struct guest *g, uint32_t sel, uint32_t *hi, uint32_t *lo)
{
	uint32_t index = sel >> 3;

	if ((sel & 4) || index == 0 || index >= GDT_ENTRIES || host_slot(index))
		return false;	/* the LDT, the null selector, the host's slots */
	uint64_t d = g->state->gdt[index];
	*lo = (uint32_t)d;
	*hi = (uint32_t)(d >> 32);
	return *hi & DESC_P;
}

/* A selector the Switcher may iret to as CS: RPL 1 or 3, naming a present
 * non-conforming code segment of the guest whose DPL equals the RPL. */
bool seg_is_guest_code(const struct guest *g, uint32_t sel)
{
	uint32_t hi, lo, rpl = sel & 3;

	if ((rpl != 1 && rpl != 3) || !guest_desc(g, sel, &hi, &lo))
		return false;
	return (hi & (DESC_S | DESC_TYPE_CODE | DESC_TYPE_CONFORM)) == (DESC_S | DESC_TYPE_CODE) &&
	       ((hi & DESC_DPL_MASK) >> DESC_DPL_SHIFT) == rpl;
}

/* A selector that can be SS at privilege dpl: RPL = DPL = dpl, a present
 * writable data segment of the guest. */
bool seg_is_guest_stack(const struct guest *g, uint32_t sel, unsigned dpl)
{
	uint32_t hi, lo;

	if ((sel & 3) != dpl || !guest_desc(g, sel, &hi, &lo))
		return false;
	return (hi & (DESC_S | DESC_TYPE_CODE | DESC_TYPE_WRITABLE)) == (DESC_S | DESC_TYPE_WRITABLE) &&
	       ((hi & DESC_DPL_MASK) >> DESC_DPL_SHIFT) == dpl;
}

/* SET_STACK's rule: a ring-1 stack segment that is also flat (base 0,
 * 4 GiB limit, 32-bit), so the esp it names is a plain virtual address. */
bool seg_is_flat_ring1_data(const struct guest *g, uint32_t sel)
{
	uint32_t hi, lo;

	if (!seg_is_guest_stack(g, sel, GUEST_PL) || !guest_desc(g, sel, &hi, &lo))
		return false;
	uint32_t base = (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000);
	uint32_t limit = (lo & 0xFFFF) | (hi & 0xF0000);
	return base == 0 && limit == 0xFFFFF && (hi & DESC_G) && (hi & DESC_DB) &&
	       !(hi & DESC_TYPE_CONFORM);	/* bit 10 of data: expand-down */
}
