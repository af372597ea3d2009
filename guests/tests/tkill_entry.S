/* tkill's entry point (linked with -e tk_entry): runs the cases that must
 * happen before the runtime's start-up (a hypercall before LGUEST_INIT, a
 * bad LGUEST_INIT), then the runtime's own _start.
 *
 *   void tk_entry(void);    entered by the host as _start would be;
 *     calls void tk_early(uint32_t boot_params_gpa) on the boot stack,
 *     and, if it returns, jumps to _start with esi as the host gave it. */
#include "rv.h"

	.text
	.globl tk_entry
tk_entry:
	movl $rv_boot_stack + RV_BOOT_STACK_SIZE, %esp
	pushl %esi
	call tk_early
	popl %esi
	jmp _start

	.section .note.GNU-stack, "", @progbits
