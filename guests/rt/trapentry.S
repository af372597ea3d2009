/* The guest's IDT entry stubs and its single return path, which ends in the
 * lguest iret sequence (the only `iret` the guest executes).
 *
 * Exports
 *   const char rv_trap_stubs[RV_TRAP_VECTORS * RV_TRAP_STUB_SIZE];
 *     Stub v (at rv_trap_stubs + v * RV_TRAP_STUB_SIZE) is the handler
 *     address for IDT vector v. Entered by the CPU or the host with the
 *     frame the CPU pushes (eip, cs, eflags; plus esp, ss from ring 3; plus
 *     an error code for vectors 8, 10-14 and 17). It pushes a 0 error code
 *     where the CPU pushes none and the vector, saves every register into a
 *     struct rv_regs on the stack, loads ds = es = GUEST_DS, and calls
 *       void c_rv_trap(struct rv_regs *regs);
 *     which may change *regs. Then the registers come back from *regs and
 *     the guest returns through the iret sequence below.
 *
 *   const char rv_noirq_iret[];
 *     The address of that iret, published in lguest_data.noirq_iret: when
 *     the guest's eip equals it, the host delivers a pending interrupt on
 *     top of the frame about to be popped instead of pushing another.
 */
#include "rv.h"

/* Which vectors the CPU pushes an error code for. */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17)

	.text

/* One stub of exactly RV_TRAP_STUB_SIZE bytes, so the table can be indexed;
 * .org fails the build if a stub outgrows it. The gap is filled with int3. */
.macro trap_stub vec
1:
	.if HAS_ERROR_CODE(\vec) == 0
	pushl $0
	.endif
	pushl $\vec
	jmp rv_trap_common
	.org 1b + RV_TRAP_STUB_SIZE, 0xCC
.endm

	.balign RV_TRAP_STUB_SIZE
	.globl rv_trap_stubs
	.type rv_trap_stubs, @function
rv_trap_stubs:
	.set vec, 0
	.rept RV_TRAP_VECTORS
	trap_stub vec
	.set vec, vec + 1
	.endr
	.balign RV_TRAP_STUB_SIZE
	.size rv_trap_stubs, . - rv_trap_stubs

/* Vector and error code are on the stack; make room for the rest of the
 * saved part of struct rv_regs below them and fill it. */
	.type rv_trap_common, @function
rv_trap_common:
	subl $RV_REGS_VECTOR, %esp
	movl %eax, RV_REGS_EAX(%esp)
	movl %ebx, RV_REGS_EBX(%esp)
	movl %ecx, RV_REGS_ECX(%esp)
	movl %edx, RV_REGS_EDX(%esp)
	movl %esi, RV_REGS_ESI(%esp)
	movl %edi, RV_REGS_EDI(%esp)
	movl %ebp, RV_REGS_EBP(%esp)
	/* mov from a segment register to a 32-bit register zero-extends on
	 * every CPU since the Pentium Pro. */
	movl %ds, %eax
	movl %eax, RV_REGS_DS(%esp)
	movl %es, %eax
	movl %eax, RV_REGS_ES(%esp)
	movl %fs, %eax
	movl %eax, RV_REGS_FS(%esp)
	movl %gs, %eax
	movl %eax, RV_REGS_GS(%esp)

	/* From ring 3, ds and es still hold the user's selectors. */
	movl $GUEST_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	cld

	pushl %esp			/* c_rv_trap(regs) */
	call c_rv_trap
	addl $4, %esp

	movl RV_REGS_GS(%esp), %eax
	movl %eax, %gs
	movl RV_REGS_FS(%esp), %eax
	movl %eax, %fs
	movl RV_REGS_ES(%esp), %eax
	movl %eax, %es
	movl RV_REGS_DS(%esp), %eax
	movl %eax, %ds
	movl RV_REGS_EBP(%esp), %ebp
	movl RV_REGS_EDI(%esp), %edi
	movl RV_REGS_ESI(%esp), %esi
	movl RV_REGS_EDX(%esp), %edx
	movl RV_REGS_ECX(%esp), %ecx
	movl RV_REGS_EBX(%esp), %ebx
	movl RV_REGS_EAX(%esp), %eax
	addl $RV_REGS_EIP, %esp		/* drop all but the CPU's iret frame */

/* The lguest iret sequence. In ring 1 `iret` cannot change the real IF, so
 * the virtual one is restored by hand from the EFLAGS being returned to.
 * From the store on, an interrupt may arrive: at the popl it is delivered
 * normally; at the iret itself the host sees eip == noirq_iret and reuses
 * this frame, so the stack cannot grow by one frame per interrupt.
 * ds may already hold a ring-3 selector, so the store goes through ss. */
	pushl %eax
	movl 4 + (RV_REGS_EFLAGS - RV_REGS_EIP)(%esp), %eax
	andl $LGUEST_IF, %eax
	movl %eax, %ss:rv_lguest_data + LGUEST_DATA_IRQ_ENABLED
	popl %eax
	.globl rv_noirq_iret
rv_noirq_iret:
	iret
	.size rv_trap_common, . - rv_trap_common

	.section .note.GNU-stack, "", @progbits
