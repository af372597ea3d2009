/* Unit tests of traps/insn.c: the decoder of the `mov` forms a guest uses
 * on device memory. Each case feeds the bytes gcc (or a hand) would emit
 * and checks the length, width, direction and register it reads, or that
 * the bytes are refused. */
#include <traps/insn.h>
#include <string.h>
#include "harness.h"

/* Decode the bytes of an initializer list; -1 or 0 as the decoder says. */
#define DECODE(m, ...)							\
	({								\
		const uint8_t b_[] = { __VA_ARGS__ };			\
		memset(&(m), 0xA5, sizeof(m));				\
		insn_decode_mov(b_, sizeof(b_), &(m));			\
	})

/* The bytes decode to exactly this: all of them, nothing after. */
#define CHECK_MOV(len_, width_, store_, reg_, ...)			\
	do {								\
		struct insn_mov m_;					\
		CHECK_EQ(DECODE(m_, __VA_ARGS__), 0);			\
		CHECK_EQ(m_.len, len_);					\
		CHECK_EQ(m_.width, width_);				\
		CHECK_EQ(m_.store, store_);				\
		CHECK_EQ(m_.reg, reg_);					\
	} while (0)

#define CHECK_REFUSED(...)						\
	do {								\
		struct insn_mov m_;					\
		CHECK_EQ(DECODE(m_, __VA_ARGS__), -1);			\
	} while (0)

/* ModRM byte from its three fields. */
#define MODRM(mod, reg, rm) (uint8_t)((mod) << 6 | (reg) << 3 | (rm))
#define SIB(ss, idx, base)  (uint8_t)((ss) << 6 | (idx) << 3 | (base))

/* The four opcodes, 32-bit operand size: movl %reg,(mem) and back. */
static void insn_opcodes_and_widths(void)
{
	CHECK_MOV(2, 1, true, 0, 0x88, MODRM(0, 0, 3));	/* movb %al,(%ebx) */
	CHECK_MOV(2, 4, true, 1, 0x89, MODRM(0, 1, 3));	/* movl %ecx,(%ebx) */
	CHECK_MOV(2, 1, false, 2, 0x8A, MODRM(0, 2, 3));	/* movb (%ebx),%dl */
	CHECK_MOV(2, 4, false, 3, 0x8B, MODRM(0, 3, 3));	/* movl (%ebx),%ebx */
	/* 0x66: the 16-bit forms, the prefix counted in the length. */
	CHECK_MOV(3, 2, true, 0, 0x66, 0x89, MODRM(0, 0, 6));	/* movw %ax,(%esi) */
	CHECK_MOV(3, 2, false, 7, 0x66, 0x8B, MODRM(0, 7, 6));	/* movw (%esi),%di */
	/* 0x66 means nothing on a byte move: refused, not guessed. */
	CHECK_REFUSED(0x66, 0x88, MODRM(0, 0, 3));
	CHECK_REFUSED(0x66, 0x8A, MODRM(0, 0, 3));
}

/* The byte forms name ah, ch, dh, bh as registers 4-7: the decoder gives
 * the ModRM number, the emulator maps it. */
static void insn_every_reg(void)
{
	for (unsigned r = 0; r < 8; r++) {
		CHECK_MOV(2, 1, true, r, 0x88, MODRM(0, r, 0));
		CHECK_MOV(2, 4, false, r, 0x8B, MODRM(0, r, 1));
		CHECK_MOV(3, 2, true, r, 0x66, 0x89, MODRM(0, r, 7));
	}
}

/* mod 00: no displacement, except rm 101 (disp32 alone) and rm 100 (SIB). */
static void insn_mod0(void)
{
	for (unsigned rm = 0; rm < 8; rm++) {
		if (rm == 4 || rm == 5)
			continue;
		CHECK_MOV(2, 4, false, 0, 0x8B, MODRM(0, 0, rm));
	}
	/* movl 0x12345678,%eax as 8b 05 disp32: six bytes, the case lguest's
	 * Launcher took as a 2-byte displacement. */
	CHECK_MOV(6, 4, false, 0, 0x8B, MODRM(0, 0, 5), 0x78, 0x56, 0x34, 0x12);
	CHECK_MOV(7, 2, true, 2, 0x66, 0x89, MODRM(0, 2, 5), 0x00, 0x10, 0x40, 0x00);
	CHECK_MOV(6, 1, true, 7, 0x88, MODRM(0, 7, 5), 0x00, 0x00, 0x40, 0x00);	/* bh */
}

/* mod 01: disp8; mod 10: disp32; for every rm but the SIB one. */
static void insn_mod1_mod2(void)
{
	for (unsigned rm = 0; rm < 8; rm++) {
		if (rm == 4)
			continue;
		/* rm 101 with mod 01/10 is (%ebp) plus a displacement. */
		CHECK_MOV(3, 4, true, 1, 0x89, MODRM(1, 1, rm), 0x14);
		CHECK_MOV(6, 4, true, 1, 0x89, MODRM(2, 1, rm), 0x14, 0x00, 0x00, 0x00);
		CHECK_MOV(4, 2, false, 6, 0x66, 0x8B, MODRM(1, 6, rm), 0xFC);
		CHECK_MOV(6, 1, false, 4, 0x8A, MODRM(2, 4, rm), 0x00, 0x01, 0x00, 0x80);
	}
}

/* rm 100: a SIB byte; with mod 00 and base 101 there is no base register
 * but a disp32 (SDM Vol. 2A, table 2-3, note 1). */
static void insn_sib(void)
{
	for (unsigned base = 0; base < 8; base++) {
		unsigned disp0 = base == 5 ? 4 : 0;
		for (unsigned ss = 0; ss < 4; ss++) {
			/* movl %eax,(%base,%ecx,1<<ss) */
			CHECK_MOV(3 + disp0, 4, true, 0, 0x89, MODRM(0, 0, 4),
				  SIB(ss, 1, base), 0x00, 0x00, 0x00, 0x00);
			/* index 100: no index, as gcc emits for (%esp) */
			CHECK_MOV(4, 4, false, 3, 0x8B, MODRM(1, 3, 4), SIB(ss, 4, base), 0x08);
			CHECK_MOV(7, 4, false, 3, 0x8B, MODRM(2, 3, 4), SIB(ss, 4, base),
				  0x08, 0x00, 0x00, 0x00);
		}
	}
	/* movw %dx,0x1000(,%ecx,4): 66 89 14 8d disp32 */
	CHECK_MOV(8, 2, true, 2, 0x66, 0x89, 0x14, 0x8D, 0x00, 0x10, 0x00, 0x00);
	/* movb 0x3(%eax,%ebx,2),%ah: 8a 64 58 03 */
	CHECK_MOV(4, 1, false, 4, 0x8A, 0x64, 0x58, 0x03);
}

/* The accumulator's forms with an absolute address (moffs32), which gas
 * picks whenever the register is al, ax or eax: movl 0x40000012,%eax is
 * a1 12 00 00 40, not 8b 05. */
static void insn_moffs(void)
{
	CHECK_MOV(5, 1, false, 0, 0xA0, 0x14, 0x00, 0x00, 0x40);	/* movb moffs,%al */
	CHECK_MOV(5, 4, false, 0, 0xA1, 0x20, 0x00, 0x00, 0x40);	/* movl moffs,%eax */
	CHECK_MOV(5, 1, true, 0, 0xA2, 0x14, 0x00, 0x00, 0x40);	/* movb %al,moffs */
	CHECK_MOV(5, 4, true, 0, 0xA3, 0x20, 0x00, 0x00, 0x40);	/* movl %eax,moffs */
	CHECK_MOV(6, 2, false, 0, 0x66, 0xA1, 0x12, 0x00, 0x00, 0x40);	/* movw moffs,%ax */
	CHECK_MOV(6, 2, true, 0, 0x66, 0xA3, 0x18, 0x00, 0x00, 0x40, 0x90);
	CHECK_REFUSED(0x66, 0xA0, 0x14, 0x00, 0x00, 0x40);
	CHECK_REFUSED(0x66, 0xA2, 0x14, 0x00, 0x00, 0x40);
	CHECK_REFUSED(0xA1, 0x20, 0x00, 0x00);			/* truncated */
	CHECK_REFUSED(0x66, 0xA3, 0x20, 0x00, 0x00);		/* truncated */
}

/* The decoder takes only what it needs: trailing bytes (the next
 * instructions) do not count. */
static void insn_trailing_bytes_ignored(void)
{
	CHECK_MOV(2, 4, false, 0, 0x8B, 0x03, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90);
	CHECK_MOV(3, 4, true, 0, 0x89, 0x43, 0x04, 0xC3, 0x00, 0x00, 0x00, 0x00);
}

/* mod 11 is register to register: not a memory access at all. */
static void insn_register_direct_refused(void)
{
	for (unsigned rm = 0; rm < 8; rm++) {
		CHECK_REFUSED(0x89, MODRM(3, 0, rm));
		CHECK_REFUSED(0x8B, MODRM(3, 5, rm));
		CHECK_REFUSED(0x88, MODRM(3, 2, rm));
		CHECK_REFUSED(0x66, 0x89, MODRM(3, 2, rm));
	}
}

/* Fewer bytes than the form needs: the code ran out (the next page was
 * not readable), so nothing may be guessed. */
static void insn_truncated_refused(void)
{
	struct insn_mov m;
	static const uint8_t full[][8] = {
		{ 0x8B, 0x05, 0x78, 0x56, 0x34, 0x12 },		/* 6: disp32 */
		{ 0x66, 0x89, 0x14, 0x8D, 0x00, 0x10, 0x00, 0x00 },	/* 8: SIB + disp32 */
		{ 0x89, 0x43, 0x04 },				/* 3: disp8 */
		{ 0x8B, 0x83, 0x00, 0x01, 0x00, 0x00 },		/* 6: disp32 */
		{ 0x8B, 0x04, 0x24 },				/* 3: SIB */
		{ 0x8B, 0x03 },					/* 2 */
	};
	static const unsigned need[] = { 6, 8, 3, 6, 3, 2 };

	for (unsigned k = 0; k < sizeof(need) / sizeof(need[0]); k++) {
		CHECK_EQ(insn_decode_mov(full[k], need[k], &m), 0);
		CHECK_EQ(m.len, need[k]);
		for (unsigned n = 0; n < need[k]; n++)
			CHECK_EQ(insn_decode_mov(full[k], n, &m), -1);
	}
	CHECK_EQ(insn_decode_mov(NULL, 0, &m), -1);
}

/* Everything else, however close to a move: refused. */
static void insn_other_opcodes_refused(void)
{
	CHECK_REFUSED(0xA5, 0x90);				/* movsl */
	CHECK_REFUSED(0xF3, 0xA5);				/* rep movsl */
	CHECK_REFUSED(0x01, 0x03);				/* addl %eax,(%ebx) */
	CHECK_REFUSED(0x03, 0x03);				/* addl (%ebx),%eax */
	CHECK_REFUSED(0xC7, 0x03, 1, 0, 0, 0);			/* movl $1,(%ebx) */
	CHECK_REFUSED(0xC6, 0x03, 1);				/* movb $1,(%ebx) */
	CHECK_REFUSED(0x0F, 0xB7, 0x03);			/* movzwl (%ebx),%eax */
	CHECK_REFUSED(0x87, 0x03);				/* xchg %eax,(%ebx) */
	CHECK_REFUSED(0x8C, 0x03);				/* mov %es,(%ebx) */
	CHECK_REFUSED(0x8E, 0x03);				/* mov (%ebx),%es */
	CHECK_REFUSED(0xFF, 0x03);				/* incl (%ebx) */
	/* Other prefixes: segment override, lock, rep, address size, a
	 * doubled operand size. */
	CHECK_REFUSED(0x64, 0x8B, 0x03);
	CHECK_REFUSED(0x26, 0x89, 0x03);
	CHECK_REFUSED(0xF0, 0x89, 0x03);
	CHECK_REFUSED(0xF3, 0x89, 0x03);
	CHECK_REFUSED(0x67, 0x8B, 0x07);
	CHECK_REFUSED(0x66, 0x66, 0x89, 0x03);
	CHECK_REFUSED(0x66);
}

const struct unit_case insn_cases[] = {
	UNIT_CASE(insn_opcodes_and_widths),
	UNIT_CASE(insn_every_reg),
	UNIT_CASE(insn_mod0),
	UNIT_CASE(insn_mod1_mod2),
	UNIT_CASE(insn_sib),
	UNIT_CASE(insn_moffs),
	UNIT_CASE(insn_trailing_bytes_ignored),
	UNIT_CASE(insn_register_direct_refused),
	UNIT_CASE(insn_truncated_refused),
	UNIT_CASE(insn_other_opcodes_refused),
	UNIT_END
};
