/* The ROM stub templates: the code that switcher/rom.c copies into each
 * guest's ROM page, one slot per interrupt-gate vector the CPU delivers
 * straight to the guest. Host data only: the guest runs the copies.
 *
 * A slot is entered through a ring-1 trap gate (real IF still 1, TF
 * already cleared by the CPU) on the guest's ring-1 stack, with the CPU's
 * frame at (%esp): [error code,] eip, cs, eflags[, esp, ss]. It does what
 * the guest's interrupt gate asked for and a trap gate does not:
 *   1. the virtual IF (LGUEST_IF, bit 9 of irq_enabled) goes into the
 *      pushed EFLAGS, whose real IF the CPU pushed as 1 (a guest always
 *      runs with IF = 1): bit 9 is cleared there when the virtual IF is off;
 *   2. the virtual IF is cleared (irq_enabled = 0, as reflect.c does);
 *   3. jmp to the guest's handler.
 * Register contract: every general-purpose and segment register is the
 * interrupted code's (they carry a system call's arguments); only the
 * arithmetic flags change. Memory is named only through %ss: (the ring-1
 * stack segment the gate loaded) and absolute addresses in the Switcher
 * area: never %ds/%es/%fs/%gs, which user mode controls.
 *
 * The patch fields (rom.c): the two 32-bit absolute addresses of
 * irq_enabled's alias (in the test, + 1 for its second byte) and the jmp's
 * rel32. Each template exports its start, the end of its test and of its
 * clear instruction (the displacement is the last 5 or 8 bytes before
 * them), and its end (the rel32 is the last 4 bytes). */
#include <abi.h>
#include <switcher/switcher.h>

#define IF_IN_BYTE1   (LGUEST_IF >> 8)		/* bit 9 = bit 1 of byte 1 */

.macro ROM_TEMPLATE name, eflags_at
	.global \name, \name\()_test_end, \name\()_clear_end, \name\()_end
\name:
	testb	$IF_IN_BYTE1, %ss:1		/* patched: alias + 1 */
\name\()_test_end:
	jnz	1f
	andb	$(~IF_IN_BYTE1 & 0xFF), %ss:(\eflags_at + 1)(%esp)
1:	movl	$0, %ss:0			/* patched: alias */
\name\()_clear_end:
	.byte	0xE9				/* jmp rel32, patched */
	.long	0
\name\()_end:
.endm

	.section .rodata
	/* eflags at 8(%esp); with an error code at 12(%esp) */
	ROM_TEMPLATE rom_template, 8
	ROM_TEMPLATE rom_template_err, 12

	.section .note.GNU-stack, "", @progbits
