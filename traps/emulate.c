/* Emulation of the instructions a ring-1 guest may use that fault with #GP:
 * port I/O (which has no bitmap to pass, so every port faults) and `cli`
 * (the virtual IF lives in lguest_data). No port reaches the hardware: an
 * absent device reads as all-ones, writes go nowhere. Everything else, and
 * everything from ring 3, is left for the guest's own #GP handler. */
#include <core/guest.h>
#include <core/log.h>
#include <mm/mm.h>
#include <traps/traps.h>

#define OP_SIZE_PREFIX 0x66

/* The byte of the guest's code at eip + off, read as the guest kernel
 * would (its code segment is flat). */
static bool code_byte(struct guest *g, uint32_t off, uint8_t *b)
{
	uint32_t gpa;

	if (shadow_walk(g, g->regs->eip + off, false, false, &gpa) != SHADOW_OK)
		return false;
	*b = *(uint8_t *)guest_range(g, gpa, 1);
	return true;
}

/* What an `in` from port returns. The keyboard controller's status port
 * reads 1, as in lguest (Linux probes it); nothing else is present. */
static uint32_t port_read(uint16_t port)
{
	return port == 0x64 ? 1 : 0xFFFFFFFF;
}

/* A #GP with error code 0 from ring 1. True if it was emulated (eip moves
 * past the instruction); false if it belongs to the guest. */
bool emulate_gp(struct guest *g)
{
	struct guest_regs *r = g->regs;
	uint8_t op, imm;
	unsigned len = 0, size = 4;

	if ((r->cs & 3) != GUEST_PL || r->errcode != 0)
		return false;
	if (!code_byte(g, len++, &op))
		return false;
	if (op == OP_SIZE_PREFIX) {
		size = 2;
		if (!code_byte(g, len++, &op))
			return false;
	}
	bool in;
	uint16_t port;
	switch (op) {
	case 0xE4: case 0xE5: case 0xE6: case 0xE7:	/* in/out with imm8 port */
		if (!code_byte(g, len++, &imm))
			return false;
		port = imm;
		in = op <= 0xE5;
		if (!(op & 1))
			size = 1;
		break;
	case 0xEC: case 0xED: case 0xEE: case 0xEF:	/* in/out with the port in dx */
		port = r->edx & 0xFFFF;
		in = op <= 0xED;
		if (!(op & 1))
			size = 1;
		break;
	case 0xFA:					/* cli */
		if (len != 1)
			return false;
		r->eip += len;
		g->stats.emulated++;
		return true;
	default:
		return false;
	}
	if (in) {
		uint32_t mask = size == 4 ? 0xFFFFFFFF : (1u << (size * 8)) - 1;
		r->eax = (r->eax & ~mask) | (port_read(port) & mask);
	}
	r->eip += len;
	g->stats.emulated++;
	return true;
}
