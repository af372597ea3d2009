/* The decoder for device-memory moves (traps/insn.h). Only the length,
 * width, direction and register matter: the address is the one the CPU
 * faulted on, so the ModRM and SIB bytes are read for their size alone.
 * Pure logic, host-tested. */
#include <traps/insn.h>

#define PREFIX_OPSIZE 0x66

/* Bytes of ModRM, SIB and displacement that follow the opcode, from the
 * ModRM byte (and the SIB byte when there is one); 0 for a register
 * operand, which is not a memory access. SDM Vol. 2A, tables 2-2, 2-3. */
static unsigned modrm_bytes(const uint8_t *p, unsigned avail)
{
	unsigned mod = p[0] >> 6, rm = p[0] & 7, n = 1;

	if (mod == 3)
		return 0;
	if (rm == 4) {				/* a SIB byte follows */
		if (avail < 2)
			return 0;
		n++;
		if (mod == 0 && (p[1] & 7) == 5)	/* no base: disp32 */
			return n + 4;
	} else if (mod == 0 && rm == 5) {	/* disp32 alone */
		return n + 4;
	}
	return n + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

int insn_decode_mov(const uint8_t *code, unsigned avail, struct insn_mov *out)
{
	unsigned i = 0, width = 4;

	if (avail > 0 && code[0] == PREFIX_OPSIZE) {
		width = 2;
		i++;
	}
	if (i + 2 > avail)
		return -1;
	uint8_t op = code[i++];
	switch (op) {
	case 0xA0: case 0xA2:			/* mov al <-> moffs8 */
	case 0xA1: case 0xA3:			/* mov (e)ax <-> moffs16/32 */
		/* The accumulator and an absolute address: what gas emits
		 * for a fixed address when the compiler chose (e)ax. */
		if (!(op & 1) && width == 2)
			return -1;
		if (i + 4 > avail)
			return -1;
		out->reg = 0;
		out->len = i + 4;
		out->width = (op & 1) ? width : 1;
		out->store = op >= 0xA2;
		return 0;
	case 0x88: case 0x8A:			/* mov r8 <-> m8 */
		if (width == 2)
			return -1;		/* 0x66 means nothing here */
		width = 1;
		break;
	case 0x89: case 0x8B:			/* mov r16/32 <-> m16/32 */
		break;
	default:
		return -1;
	}
	unsigned n = modrm_bytes(code + i, avail - i);
	if (n == 0 || i + n > avail)
		return -1;
	out->reg = (code[i] >> 3) & 7;
	out->len = i + n;
	out->width = width;
	out->store = op == 0x88 || op == 0x89;
	return 0;
}
