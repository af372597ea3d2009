/* Decoding the few instructions a guest uses on device memory: a `mov`
 * between a general register and memory, the forms readb/readw/readl and
 * writeb/writew/writel compile to, the accumulator's short forms with an
 * absolute address among them. Pure logic, host-tested. */
#ifndef RV_INSN_H
#define RV_INSN_H

#include <types.h>

/* Longest instruction the decoder reads: prefix, opcode, ModRM, SIB and a
 * 32-bit displacement. */
#define INSN_MOV_MAX 8

struct insn_mov {
	unsigned len;		/* bytes, prefix included */
	unsigned width;		/* 1, 2 or 4 bytes moved */
	bool store;		/* register to memory (0x88/0x89) */
	unsigned reg;		/* ModRM.reg: the register operand's number */
};

/* insn.c */

/* Decodes code[0..avail) as [0x66] 0x88|0x89|0x8A|0x8B ModRM [SIB]
 * [disp8|disp32] with a memory operand, in 32-bit addressing, or as
 * [0x66] 0xA0-0xA3 moffs32 (the accumulator and an absolute address;
 * reg 0). Returns 0 and
 * fills *out, or -1: not one of these forms, a register-to-register move,
 * another prefix, or the bytes ran out. */
int insn_decode_mov(const uint8_t *code, unsigned avail, struct insn_mov *out);

#endif
