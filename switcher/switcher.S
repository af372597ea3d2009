/* The Switcher: the only code mapped into guests. It changes the CPU from
 * the hypervisor to a guest (switch_to_guest) and back again on every trap
 * and interrupt, through 256 stubs that the guest's real IDT points at.
 *
 * It is linked at its run address in the top 4 MiB (linker.ld: VMA
 * SWITCHER_TEXT, loaded inside the image) and mapped read-only into the host
 * and every guest at that same address, so it needs no relocation. Its data
 * are the running guest's regs page (SWITCHER_REGS) and state page
 * (SWITCHER_STATE), also mapped at fixed addresses (switcher/setup.c).
 *
 * Exports (C view, switcher/switcher.h):
 *   void switch_to_guest(void);      entered only through switcher_run():
 *     pushfl; lcall $SEL_HOST_CS, $switch_to_guest
 *     in:  %ebx = the guest's shadow page directory (physical), IF = 0
 *     out: %eax = 0, or SWITCHER_FAULTED | vector when loading guest state
 *          faulted (with %edx = the error code); %ebx %ecx %edx %esi %edi
 *          clobbered; %ebp and the segment registers preserved; returns by
 *          iret through the pushfl/lcall frame, IF = 0.
 *   extern const uint8_t switcher_stubs[];   vector v at + v*SWITCHER_STUB_SIZE
 * Calls: the host's own interrupt stub (arch/i386/vectors.S) for a hardware
 * interrupt that arrives while the guest runs. */
#include <arch/i386/arch.h>
#include <asm-offsets.h>
#include <switcher/switcher.h>

#define REGS_FRAME   (SWITCHER_REGS + RP_regs)
#define TSS_BUSY     0xFD		/* and-mask clearing the busy bit, byte 5 */

	.section .switcher, "ax"
	.global switcher_text_start
switcher_text_start:

	.global switch_to_guest
switch_to_guest:
	/* The host's callee-saved state goes on the host stack; its address
	 * goes to the state page, which the host's mapping can still write. */
	pushl	%es
	pushl	%ds
	pushl	%gs
	pushl	%fs
	pushl	%ebp
	movl	%esp, SWITCHER_STATE + ST_host_sp

	/* From here the stack is the guest's frame in the regs page, mapped
	 * in both address spaces, so it stays valid across the CR3 load. */
	movl	$REGS_FRAME, %esp
	lgdt	SWITCHER_STATE + ST_guest_gdt_desc
	lidt	SWITCHER_STATE + ST_guest_idt_desc
	/* ltr marks the guest's TSS busy; the host's stayed busy from its own
	 * ltr, and must be free again for the ltr on the way back. */
	movl	$SEL_TSS, %edx
	ltr	%dx
	movl	SWITCHER_STATE + ST_host_gdt_desc + 2, %edx
	andb	$TSS_BUSY, (GDT_TSS * 8 + 5)(%edx)

	/* The guest's address space. The state page is read-only from here. */
	movl	%ebx, %cr3

/* Into the guest on the frame at %esp (REGS_FRAME). The #PF walker
 * comes here too, with the frame it rewrote. */
resume_guest:
	popl	%eax
	popl	%ebx
	popl	%ecx
	popl	%edx
	popl	%esi
	popl	%edi
	popl	%ebp
	/* A stale or hostile selector faults right here, in ring 0: the stub
	 * sees CS = host and takes switcher_fault, never the guest's IDT. */
	popl	%gs
	popl	%fs
	popl	%ds
	popl	%es
	addl	$8, %esp		/* trapnum and errcode */
	iretl				/* to ring 1 or 3, IF = 1 (sanitised) */

/* Save the guest's registers into its frame and restore the host: CR3,
 * GDT, IDT, stack and TSS, then the host's callee-saved registers. Used by
 * both ways back. Leaves the vector in %ebx. */
.macro SWITCH_TO_HOST
	SAVE_GUEST
	movl	REGS_FRAME + GR_trapnum, %ebx
	RESTORE_HOST
.endm

/* The guest's registers into the rest of its frame, and the host's data
 * segment in %ds and %es (the guest's may be anything). */
.macro SAVE_GUEST
	pushl	%es
	pushl	%ds
	pushl	%fs
	pushl	%gs
	pushl	%ebp
	pushl	%edi
	pushl	%esi
	pushl	%edx
	pushl	%ecx
	pushl	%ebx
	pushl	%eax
	movl	$SEL_HOST_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
.endm

.macro RESTORE_HOST
	movl	SWITCHER_STATE + ST_host_cr3, %edx
	movl	%edx, %cr3
	/* The guest's TSS is free again for the next entry (the state page is
	 * writable now that the host's page tables are back). */
	andb	$TSS_BUSY, SWITCHER_STATE + ST_gdt + GDT_TSS * 8 + 5
	lgdt	SWITCHER_STATE + ST_host_gdt_desc
	lidt	SWITCHER_STATE + ST_host_idt_desc
	movl	SWITCHER_STATE + ST_host_sp, %esp
	movl	$SEL_TSS, %edx
	ltr	%dx
	popl	%ebp
	popl	%fs
	popl	%gs
	popl	%ds
	popl	%es
.endm

/* A trap or exception from the guest: back to the run loop, which reads
 * the vector from the frame. */
trap_to_host:
	/* The stub pushed the vector and an error code over the CPU's eip and
	 * cs. RPL 0 there means the fault hit the Switcher itself, half-way
	 * through loading guest state: nothing in the frame can be trusted. */
	testl	$3, 12(%esp)
	jz	switcher_fault
	SWITCH_TO_HOST
	xorl	%eax, %eax
	iretl

/* A #PF from the guest: the walker (switcher/walk.c) may deliver it to
 * the guest's own handler without the host; whatever it does not accept
 * goes the host's way, as any trap does. */
pf_entry:
	testl	$2, 12(%esp)		/* CS RPL 3: from user mode */
	jz	trap_to_host		/* ring 1, or the Switcher itself */
	SAVE_GUEST
	cld				/* the C it calls assumes DF = 0 */
	call	switcher_walk
	testl	%eax, %eax
	jnz	resume_guest
	movl	$14, %ebx
	RESTORE_HOST
	xorl	%eax, %eax
	iretl

switcher_fault:
	movl	$SEL_HOST_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	/* A fault (or machine check) inside the walker may have left CR0.WP
	 * off and the window mapped: close both, on whichever CR3 this is
	 * (both map the page table at SWITCHER_PTMAP). */
	movl	%cr0, %eax
	andl	$~X86_CR0_WP, %eax
	movl	%eax, %cr0
	movl	$0, SWITCHER_WINDOW_PTE
	orl	$X86_CR0_WP, %eax
	movl	%eax, %cr0
	invlpg	SWITCHER_WINDOW
	movl	(%esp), %ebx		/* vector */
	movl	4(%esp), %ecx		/* error code */
	RESTORE_HOST
	movl	%ebx, %eax
	orl	$SWITCHER_FAULTED, %eax
	movl	%ecx, %edx
	iretl

/* A hardware interrupt while the guest ran: it belongs to the host. Switch
 * back, then enter the host's own stub for the vector as if the interrupt
 * had arrived there: the pushfl/lcall frame on the host stack is the
 * interrupt frame, so the handler's iret returns to switcher_run(). */
irq_to_host:
	SWITCH_TO_HOST
	shll	$4, %ebx		/* host stubs are 16 bytes apart */
	addl	$vector_stubs, %ebx
	xorl	%eax, %eax
	jmp	*%ebx

/* An NMI: nothing in this hypervisor raises one, and none can be taken
 * safely half-way through a switch, so it is dropped where it lands. */
nmi_stub:
	addl	$8, %esp
	iretl

/* The guest IDT's stubs. Vectors the CPU gives an error code push none of
 * their own (SDM Vol. 3A, 6.13). */
.macro GUEST_STUB n
	.balign SWITCHER_STUB_SIZE
	.if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17)
	.else
	pushl	$0
	.endif
	pushl	$\n
	.if \n == 2
	jmp	nmi_stub
	.elseif \n == 14
	jmp	pf_entry
	.elseif (\n >= VEC_IRQ0) && (\n < VEC_IRQ0 + NR_IRQS)
	jmp	irq_to_host
	.else
	jmp	trap_to_host
	.endif
	.org	switcher_stubs + (\n + 1) * SWITCHER_STUB_SIZE	/* never backwards */
.endm

	.altmacro
	.balign SWITCHER_STUB_SIZE
	.global switcher_stubs
switcher_stubs:
	vec = 0
	.rept 256
	GUEST_STUB %vec
	vec = vec + 1
	.endr

	.global switcher_text_end
switcher_text_end:

	.section .note.GNU-stack, "", @progbits
