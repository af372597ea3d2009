/* The Multiboot v1 header and the 32-bit entry point: clear the BSS, check
 * that a Multiboot loader started us and that the CPU can run i686 code,
 * then call C on the boot stack.
 *
 * Exports (C view):
 *   void _start(void);             entered by the loader, never returns
 *   extern uint8_t boot_stack_top[];
 * Register contract at _start (Multiboot v1, section 3.2):
 *   %eax = 0x2BADB002, %ebx = physical address of the Multiboot info,
 *   protected mode, paging off, interrupts off, flat segments.
 * Calls: c_boot_main(uint32_t magic, uint32_t info_phys), which never returns.
 *
 * Everything up to the CPU check uses only i386 instructions, so a CPU that
 * cannot run the i686 code gcc emits sees a message instead of a #UD. */
#include <param.h>

#define MB_MAGIC        0x1BADB002
#define MB_LOADER_MAGIC 0x2BADB002
#define MB_FLAGS        0x00000003	/* bit 0: page-align modules; bit 1: memory map */

#define COM1            0x3F8
#define VGA_TEXT        0xB8000

/* CPUID.1:EDX bits the hypervisor cannot run without. */
#define FEAT_FPU   (1 << 0)
#define FEAT_TSC   (1 << 4)
#define FEAT_CMOV  (1 << 15)

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .text.boot, "ax"
	.global _start
_start:
	cli
	cld
	movl	%eax, %esi		/* keep the loader's magic and info */
	movl	%ebx, %ebp

	movl	$__bss_start, %edi	/* the boot stack lives in the BSS */
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb
	movl	$boot_stack_top, %esp

	cmpl	$MB_LOADER_MAGIC, %esi
	je	1f
	movl	$msg_not_multiboot, %eax
	jmp	early_die
1:
	/* CPUID exists iff EFLAGS.ID (bit 21) can be toggled. */
	pushfl
	popl	%eax
	movl	%eax, %ecx
	xorl	$0x00200000, %eax
	pushl	%eax
	popfl
	pushfl
	popl	%eax
	pushl	%ecx
	popfl
	cmpl	%eax, %ecx
	jne	2f
	movl	$msg_no_cpuid, %eax
	jmp	early_die
2:
	xorl	%eax, %eax
	cpuid
	cmpl	$1, %eax
	jae	3f
	movl	$msg_no_cpuid, %eax
	jmp	early_die
3:
	movl	$1, %eax
	cpuid
	andl	$(FEAT_FPU | FEAT_TSC | FEAT_CMOV), %edx
	cmpl	$(FEAT_FPU | FEAT_TSC | FEAT_CMOV), %edx
	je	4f
	movl	$msg_old_cpu, %eax
	jmp	early_die
4:
	pushl	%ebp			/* info_phys */
	pushl	%esi			/* magic */
	call	c_boot_main
5:	cli
	hlt
	jmp	5b

/* Print the NUL-terminated string at %eax on COM1 (polled, with a bounded
 * wait per byte) and on the first VGA text line, then halt forever. */
early_die:
	movl	%eax, %esi
	movl	$VGA_TEXT, %edi
6:	movb	(%esi), %bl
	testb	%bl, %bl
	jz	9f
	movl	$100000, %ecx
	movw	$(COM1 + 5), %dx	/* line status: bit 5 = transmitter empty */
7:	inb	%dx, %al
	testb	$0x20, %al
	jnz	8f
	loop	7b
8:	movw	$COM1, %dx
	movb	%bl, %al
	outb	%al, %dx
	movb	%bl, (%edi)
	movb	$0x4F, 1(%edi)		/* white on red */
	addl	$2, %edi
	incl	%esi
	jmp	6b
9:	cli
	hlt
	jmp	9b

	.section .rodata
msg_not_multiboot:
	.asciz "ringvisor: error: not started by a Multiboot v1 loader (bad magic in eax); halting\r\n"
msg_no_cpuid:
	.asciz "ringvisor: error: this CPU has no CPUID; Ringvisor needs an i686-class CPU (FPU, TSC, CMOV); halting\r\n"
msg_old_cpu:
	.asciz "ringvisor: error: this CPU lacks the FPU, TSC or CMOV; Ringvisor needs an i686-class CPU (Pentium Pro or later); halting\r\n"

	.section .bss
	.balign 16
	.global boot_stack_top
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
