/* Minimal handlers and the ring-3 entry for the benchmark guest, so that
 * each round trip is measured without the runtime's register save and C
 * dispatch.
 *
 * Exports (C view):
 *   void bench_trap_iret(void);   trap-gate handler: returns at once
 *   void bench_intr_iret(void);   interrupt-gate handler: the virtual IF back
 *                                 on (the host cleared it), then returns
 *   void bench_syscall(void);     trap-gate handler for int $0x80 from ring 3:
 *                                 returns at once, but eax == BENCH_LEAVE_USER
 *                                 goes back to the caller of bench_enter_user
 *   void bench_syscall_intr(void); the same for an interrupt gate
 *   void bench_pf(void);          #PF handler: maps the faulting page of the
 *                                 guest-fault window and reports it (SET_PTE)
 *   void bench_tick(void);        IRQ 0 handler: stores the TSC in bench_tick_tsc
 *   void bench_enter_user(void (*fn)(void), uint32_t user_esp);
 *                                 runs fn in ring 3 (cs 0x73, ss/ds/es 0x7b) on
 *                                 user_esp; returns when fn leaves with
 *                                 int $0x80, eax = BENCH_LEAVE_USER
 * Data it reads: rv_lguest_data, bench_pd (gpa of the page directory),
 * bench_pf_pt (the window's page table), bench_pf_frames (gpa of the
 * frames the window maps). */
#include "abi.h"
#include "bench.h"

	.text
	.globl bench_trap_iret
bench_trap_iret:
	iret

/* The lguest iret rule, shortened: IF from the frame into irq_enabled. */
.macro VIRTUAL_IRET
	pushl	%eax
	movl	12(%esp), %eax
	andl	$LGUEST_IF, %eax
	movl	%eax, %ss:rv_lguest_data + LGUEST_DATA_IRQ_ENABLED
	popl	%eax
	iret
.endm

	.globl bench_intr_iret
bench_intr_iret:
	VIRTUAL_IRET

	.globl bench_syscall
bench_syscall:
	cmpl	$BENCH_LEAVE_USER, %eax
	je	bench_leave_user
	iret

	.globl bench_syscall_intr
bench_syscall_intr:
	cmpl	$BENCH_LEAVE_USER, %eax
	je	bench_leave_user
	VIRTUAL_IRET

bench_leave_user:
	movl	$LGUEST_IF, %ss:rv_lguest_data + LGUEST_DATA_IRQ_ENABLED
	movl	bench_kernel_esp, %esp	/* back on the kernel stack */
	movl	$GUEST_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	popl	%ebp
	popl	%edi
	popl	%esi
	popl	%ebx
	ret

	.globl bench_enter_user
bench_enter_user:
	movl	4(%esp), %ecx		/* fn */
	movl	8(%esp), %edx		/* user esp */
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	pushl	%ebp
	movl	%esp, bench_kernel_esp
	movl	$BENCH_USER_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	pushl	$BENCH_USER_DS		/* ss */
	pushl	%edx			/* esp */
	pushl	$0x202			/* eflags */
	pushl	$BENCH_USER_CS		/* cs */
	pushl	%ecx			/* eip */
	iret

	.globl bench_pf
bench_pf:
	pushl	%eax
	pushl	%ebx
	pushl	%ecx
	pushl	%edx
	movl	%ss:rv_lguest_data + LGUEST_DATA_CR2, %ecx	/* the address */
	movl	%ecx, %eax
	shrl	$12, %eax
	andl	$1023, %eax
	movl	%eax, %edx
	shll	$12, %edx
	addl	bench_pf_frames, %edx
	orl	$(BENCH_PTE_FLAGS), %edx
	movl	bench_pf_pt, %ebx
	movl	%edx, (%ebx,%eax,4)	/* the guest's own PTE */
	movl	$HC_SET_PTE, %eax	/* and tell the host: it fills at once */
	movl	bench_pd, %ebx
	int	$LGUEST_TRAP_ENTRY
	popl	%edx
	popl	%ecx
	popl	%ebx
	popl	%eax
	addl	$4, %esp		/* the error code */
	VIRTUAL_IRET

	.globl bench_tick
bench_tick:
	pushl	%eax
	pushl	%edx
	rdtsc
	movl	%eax, bench_tick_tsc
	movl	%edx, bench_tick_tsc + 4
	popl	%edx
	popl	%eax
	VIRTUAL_IRET

	.bss
	.balign 4
bench_kernel_esp:
	.long 0

	.section .note.GNU-stack, "", @progbits
