/* The ROM stub templates: the code that switcher/rom.c copies into each
 * guest's ROM page, one slot per interrupt-gate vector the CPU delivers
 * straight to the guest. Host data only: the guest runs the copies.
 *
 * A slot is entered through a ring-1 trap gate (real IF still 1, TF
 * already cleared by the CPU) on the guest's ring-1 stack, with the CPU's
 * frame at (%esp): [error code,] eip, cs, eflags[, esp, ss]. It does what
 * the guest's interrupt gate asked for and a trap gate does not:
 *   btrl  $9, irq_enabled's alias   clears the virtual IF (LGUEST_IF, bit 9
 *                                   of irq_enabled), its old value to CF;
 *   jc    handler                   it was on: the pushed EFLAGS already
 *                                   says IF = 1 (a guest always runs with
 *                                   the real IF on, and the CPU pushed it);
 *   andb  bit 9 off in the pushed EFLAGS, jmp handler   it was off.
 * Two instructions when the virtual IF is on (a system call from user
 * mode), four when it is off.
 * Register contract: every general-purpose and segment register is the
 * interrupted code's (they carry a system call's arguments); only the
 * arithmetic flags change. Memory is named only through %ss: (the ring-1
 * stack segment the gate loaded): the alias by absolute address, the frame
 * through %esp. Never %ds/%es/%fs/%gs, which user mode controls.
 *
 * The patch fields (rom.c): the btrl's 32-bit absolute address of
 * irq_enabled's alias, and the rel32 of the jc and of the jmp. Each
 * template exports its start, the end of its btrl (the address is the 5
 * bytes before the bit number) and of its jc, and its end (each rel32 is
 * the last 4 bytes before these). */
#include <abi.h>
#include <switcher/switcher.h>

#define IF_BIT        9				/* LGUEST_IF */
#define IF_IN_BYTE1   (LGUEST_IF >> 8)		/* bit 9 = bit 1 of byte 1 */

.macro ROM_TEMPLATE name, eflags_at
	.global \name, \name\()_btr_end, \name\()_jc_end, \name\()_end
\name:
	btrl	$IF_BIT, %ss:0			/* patched: the alias */
\name\()_btr_end:
	.byte	0x0F, 0x82			/* jc rel32, patched */
	.long	0
\name\()_jc_end:
	andb	$(~IF_IN_BYTE1 & 0xFF), %ss:(\eflags_at + 1)(%esp)
	.byte	0xE9				/* jmp rel32, patched */
	.long	0
\name\()_end:
.endm

	.section .rodata
	/* eflags at 8(%esp); with an error code at 12(%esp) */
	ROM_TEMPLATE rom_template, 8
	ROM_TEMPLATE rom_template_err, 12

	.section .note.GNU-stack, "", @progbits
