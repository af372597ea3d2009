/* The user programs' entry, the first byte of their image (USER_TEXT).
 *
 * Exports
 *   void _ustart(void);  entered by the kernel in ring 3 with eax = the
 *     program's index and esp = USER_STACK_TOP; calls umain(index) and
 *     ends the process with its return value (SYS_EXIT).
 *   probe_read, probe_write: see user.c.
 */
#include "syscall.h"

	.section .text.start, "ax"
	.globl _ustart
_ustart:
	pushl %eax
	call umain
	movl %eax, %ebx
	movl $SYS_EXIT, %eax
	int $0x80
	ud2

/* int probe_read(uint32_t va): 0 if the read worked, 1 if the kernel
 * refused it (it resumes at probe_fault, the stack as at entry). */
	.text
	.globl probe_read, probe_read_at, probe_write, probe_write_at, probe_fault
probe_read:
	movl 4(%esp), %ecx
probe_read_at:
	movl (%ecx), %eax
	xorl %eax, %eax
	ret
/* int probe_write(uint32_t va, uint32_t value): the same for a write. */
probe_write:
	movl 4(%esp), %ecx
	movl 8(%esp), %edx
probe_write_at:
	movl %edx, (%ecx)
	xorl %eax, %eax
	ret
probe_fault:
	movl $1, %eax
	ret

	.section .note.GNU-stack, "", @progbits
