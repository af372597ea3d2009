/* The guest's GDT: loading checked descriptors into the real GDT (the
 * guest's state page), and the selector checks the run loop and SET_STACK
 * use. The rules themselves are pure, in desc.c. */
#include <abi.h>
#include <core/guest.h>
#include <hcall/hcall.h>
#include <lib/log.h>
#include <mm/mm.h>
#include <traps/traps.h>
#include <traps/walk.h>

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
	case SEG_KILL_RING2:
		kill_guest(g, "LOAD_GDT_ENTRY: entry %u has DPL 2 (%08x %08x); ring 2 is "
			   "not used", index, hi, lo);
		return;
	case SEG_IGNORE:
		return;
	case SEG_ACCEPT:
		g->state->gdt[index] = (uint64_t)hi << 32 | lo;
		/* Only a change to an entry the run loop's last checked pair
		 * names makes it check again (core/run.c: sanitise): 4.9
		 * rewrites the TLS entries on every process switch. */
		for (unsigned k = 0; k < 2; k++)
			if (index == (g->checked_cs[k] >> 3) || index == (g->checked_ss[k] >> 3))
				g->gdt_changes++;
		/* The #PF walker irets to the guest's code segment unchecked. */
		if (index == GDT_ENTRY_GUEST_CS)
			walk_refresh(g);
		/* The TSS's ring-1 stack segment (SET_STACK) is loaded by the
		 * CPU itself on a trap from ring 3: the entry it names must stay
		 * what SET_STACK checked. */
		if (g->ss1 && index == (g->ss1 >> 3) && !seg_is_flat_ring1_data(g, g->ss1))
			kill_guest(g, "LOAD_GDT_ENTRY: entry %u holds the ring-1 stack segment "
				   "%#x and is no longer a flat, writable ring-1 data segment",
				   index, g->ss1);
		return;
	}
}

/* HC_LOAD_TLS: the three thread-local descriptors, by the same rules.
 * 4.9 loads them on every process switch, most often unchanged (a forked
 * child shares its parent's): an entry that would stay as it is is left
 * alone. They are read in place; the guest is not running. */
void seg_load_tls(struct guest *g, uint32_t gpa)
{
	const uint32_t *d = guest_range(g, gpa, GDT_ENTRY_TLS_ENTRIES * 8);

	if (!d) {
		kill_guest(g, "LOAD_TLS: descriptors at %08x are outside its memory", gpa);
		return;
	}
	for (unsigned i = 0; i < GDT_ENTRY_TLS_ENTRIES && guest_alive(g); i++) {
		uint32_t lo = d[2 * i], hi = d[2 * i + 1];
		if (!desc_unchanged(lo, hi, g->state->gdt[GDT_ENTRY_TLS_MIN + i]))
			seg_load_gdt_entry(g, GDT_ENTRY_TLS_MIN + i, lo, hi);
	}
}

static bool guest_desc(const struct guest *g, uint32_t sel, uint32_t *hi, uint32_t *lo)
{
	uint32_t index = sel >> 3;

	if ((sel & 4) || index == 0 || index >= GDT_ENTRIES || desc_host_slot(index))
		return false;	/* the LDT, the null selector, the host's slots */
	uint64_t d = g->state->gdt[index];
	*lo = (uint32_t)d;
	*hi = (uint32_t)(d >> 32);
	return desc_present(*hi);
}

/* A selector the Switcher may iret to as CS: RPL 1 or 3, naming a present
 * non-conforming code segment of the guest whose DPL equals the RPL. */
bool seg_is_guest_code(const struct guest *g, uint32_t sel)
{
	uint32_t hi, lo, rpl = sel & 3;

	if ((rpl != 1 && rpl != 3) || !guest_desc(g, sel, &hi, &lo))
		return false;
	return desc_is_code_at(hi, rpl);
}

/* A selector that can be SS at privilege dpl: RPL = DPL = dpl, a present
 * writable data segment of the guest. */
bool seg_is_guest_stack(const struct guest *g, uint32_t sel, unsigned dpl)
{
	uint32_t hi, lo;

	if ((sel & 3) != dpl || !guest_desc(g, sel, &hi, &lo))
		return false;
	return desc_is_stack_at(hi, dpl);
}

/* SET_STACK's rule: a ring-1 stack segment that is also flat (base 0,
 * 4 GiB limit, 32-bit), so the esp it names is a plain virtual address. */
bool seg_is_flat_ring1_data(const struct guest *g, uint32_t sel)
{
	uint32_t hi, lo;

	if (!seg_is_guest_stack(g, sel, GUEST_PL) || !guest_desc(g, sel, &hi, &lo))
		return false;
	return desc_is_flat(lo, hi);
}
