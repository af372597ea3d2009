/* Emulation of the instructions a guest uses that fault: from ring 1, port
 * I/O (which has no bitmap to pass, so every port faults) and `cli` (the
 * virtual IF lives in lguest_data), with #GP; from either ring, a `mov`
 * on device memory, with #PF. No port reaches the hardware: the virtual
 * PCI bus answers its own ports, an absent device reads as all-ones,
 * writes go nowhere. Every other #GP, and every #GP from ring 3, is left
 * for the guest's own handler. */
#include <core/guest.h>
#include <dev/dev.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <mm/mm.h>
#include <traps/insn.h>
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

#define PORT_PIT_COUNTER2 0x42	/* the PIT's channel 2 count (the speaker's) */
#define PORT_SYSTEM_CONTROL 0x61	/* port B: speaker gate, channel 2's output */
#define PORT_KBD_STATUS 0x64	/* the keyboard controller's status */
#define SYSTEM_CONTROL_OUT2 0x20	/* port B bit 5: channel 2's output is high */

/* What an `in` from port returns; nothing is present and writes go
 * nowhere, but three ports read as a guest's probes need:
 * - 0x64, the keyboard controller's status, reads 1, as in lguest (Linux
 *   probes it).
 * - 0x42, PIT channel 2, reads 0, a count that has already run out, and
 *   0x61 reads 0x20, bit 5 (channel 2's output) set, the state of a
 *   count that ended (and no parity or I/O check error, bits 7 and 6).
 *   Linux's quick PIT calibration (pit_expect_msb) waits while the MSB it
 *   reads is the one it loaded, 0xFF: an absent port's 0xFF kept it
 *   reading 50000 times, each read a trap. It now gives up on the first
 *   read, the slower calibration's wait for bit 5 ends at once, and
 *   tsc_init takes the tsc_khz the hypervisor publishes. Deliberately no
 *   counting PIT: that would make the calibration run for real. */
static uint32_t port_read(uint16_t port)
{
	switch (port) {
	case PORT_KBD_STATUS:
		return 1;
	case PORT_PIT_COUNTER2:
		return 0;
	case PORT_SYSTEM_CONTROL:
		return SYSTEM_CONTROL_OUT2;
	default:
		return 0xFFFFFFFF;
	}
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
	uint32_t mask = size == 4 ? 0xFFFFFFFF : (1u << (size * 8)) - 1;
	uint32_t val = in ? 0 : r->eax & mask;
	if (!dev_port(g, port, size, !in, &val))
		val = port_read(port);
	if (!guest_alive(g))
		return true;
	if (in)
		r->eax = (r->eax & ~mask) | (val & mask);
	r->eip += len;
	g->stats.emulated++;
	return true;
}

/* The general register numbered reg in a ModRM byte, for a move of width
 * bytes: for width 1, numbers 4-7 are ah, ch, dh and bh. Returns the
 * register and sets *shift to where the operand's low bit sits in it. */
static uint32_t *modrm_reg(struct guest_regs *r, unsigned reg, unsigned width,
			   unsigned *shift)
{
	uint32_t *const by_number[8] = {
		&r->eax, &r->ecx, &r->edx, &r->ebx, &r->esp, &r->ebp, &r->esi, &r->edi,
	};

	*shift = 0;
	if (width == 1 && reg >= 4) {
		*shift = 8;
		reg -= 4;
	}
	return by_number[reg];
}

/* A #PF on device memory at guest-physical pa: decode the `mov` at eip,
 * let the device do the access, write a load's result into the register
 * and step past the instruction. What cannot be decoded kills the guest,
 * with the instruction's bytes in the reason. */
void emulate_mmio(struct guest *g, uint32_t pa)
{
	struct guest_regs *r = g->regs;
	uint8_t code[INSN_MOV_MAX];
	unsigned avail = 0;
	struct insn_mov m;

	while (avail < sizeof(code) && code_byte(g, avail, &code[avail]))
		avail++;
	if (insn_decode_mov(code, avail, &m)) {
		char hex[3 * INSN_MOV_MAX + 1] = "";
		for (unsigned i = 0; i < avail; i++)
			snprintf(hex + 3 * i, 4, " %02x", code[i]);
		/* At most 124 characters with all 8 bytes: the whole reason
		 * fits the guest's end_reason. */
		kill_guest(g, "cannot emulate the instruction at %08x on device memory at "
			   "%08x (bytes:%s): not a register mov", r->eip, pa,
			   avail ? hex : " unreadable");
		return;
	}
	unsigned shift;
	uint32_t *reg = modrm_reg(r, m.reg, m.width, &shift);
	uint32_t mask = m.width == 4 ? 0xFFFFFFFF : (1u << (m.width * 8)) - 1;
	uint32_t val = m.store ? (*reg >> shift) & mask : 0;

	if (dev_mmio(g, pa, m.width, m.store, &val) != DEV_DONE)
		return;
	if (!m.store)
		*reg = (*reg & ~(mask << shift)) | ((val & mask) << shift);
	r->eip += m.len;
	g->stats.emulated++;
}
