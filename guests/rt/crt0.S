/* Guest entry: the first instructions of every Ringvisor guest. Sets up the
 * boot stack, clears the BSS and hands over to C (start.c).
 *
 * Exports
 *   void _start(void);     (never called: the host enters it)
 *     On entry (docs/abi.md "Boot state"): ring 1, cs = GUEST_CS,
 *     ds = es = ss = GUEST_DS, eflags = 0x202, esi = gpa of boot_params,
 *     the host's linear map in place. Other registers, esp included,
 *     are undefined.
 *     Calls c_rv_start(esi) on a clear 16 KiB stack inside the BSS, with
 *     the BSS zeroed and ebp = 0 (the end of any backtrace). Does not
 *     return.
 */
#include "rv.h"

	.section .text.start, "ax"
	.globl _start
	.type _start, @function
_start:
	cld
	/* rep stosl below writes through es: it is GUEST_DS at boot. Only
	 * eax, ecx and edi are used, so esi survives for c_rv_start. */
	movl $rv_boot_stack + RV_BOOT_STACK_SIZE, %esp
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl		/* the stack is in the BSS: nothing is on it yet */

	xorl %ebp, %ebp
	pushl %esi		/* c_rv_start(boot_params_gpa) */
	call c_rv_start
	ud2			/* c_rv_start never returns */
	.size _start, . - _start

	.section .bss
	.balign 16
	.globl rv_boot_stack
rv_boot_stack:
	.skip RV_BOOT_STACK_SIZE
	.size rv_boot_stack, RV_BOOT_STACK_SIZE

	.section .note.GNU-stack, "", @progbits
