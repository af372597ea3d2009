/* Ring-3 pieces for tuser.c: entering ring 3 by iret, leaving it from a
 * ring-1 handler, and the user routines the cases run.
 *
 *   uint32_t user_enter(uint32_t eip, uint32_t esp, uint32_t eflags);
 *     irets to eip in ring 3 (cs 0x73, ss = ds = es = 0x7b) and returns
 *     the value a ring-1 handler later passes to user_leave.
 *   void user_leave(uint32_t value);   (from a handler; does not return)
 *
 * Every user routine ends at u_done: eax = USER_MAGIC, int $0x80, which
 * the case's 0x80 handler turns into user_leave(ebx). */
#include "rv.h"

#define USER_CS    0x73
#define USER_DS    0x7b
#define USER_MAGIC 0x600DF00D

	.text
	.globl user_enter
user_enter:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, user_saved_esp
	movl 20(%esp), %eax
	movl 24(%esp), %ecx
	movl 28(%esp), %edx
	pushl $USER_DS
	pushl %ecx
	pushl %edx
	pushl $USER_CS
	pushl %eax
	movl $USER_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	iret

	.globl user_leave
user_leave:
	movl 4(%esp), %eax
	movl $GUEST_DS, %ecx
	movl %ecx, %ds
	movl %ecx, %es
	movl user_saved_esp, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

/* ---- user routines (ring 3) ---- */
.macro UFAULT name, insn:vararg
	.globl u_\name, u_\name\()_fix
u_\name:
	\insn
u_\name\()_fix:
	jmp u_done
.endm

	.balign 16
	.globl u_done
u_done:
	movl $USER_MAGIC, %eax
	int $0x80
	ud2			/* never resumed */

	.globl u_pushf
u_pushf:
	pushfl
	popl %ebx
	jmp u_done

	.globl u_syscall
u_syscall:
	movl $0x1234, %eax
	int $0x80
	movl %eax, %ebx
	jmp u_done

	.globl u_spin
u_spin:
	cmpl $0, user_flag
	je u_spin
	jmp u_done

	UFAULT in, inb $0x64, %al
	UFAULT out, outb %al, $0xF4
	UFAULT cli, cli
	UFAULT sti, sti
	UFAULT hcall, int $0x1F
	UFAULT int81, int $0x81
	UFAULT ud2, ud2
	UFAULT int3, int3
	UFAULT super, movl user_super_page, %eax
	UFAULT unmapped, movl 0x00600000, %eax

	.bss
	.balign 4
	.globl user_saved_esp
user_saved_esp:
	.skip 4

	.section .note.GNU-stack, "", @progbits
