/* Probes for the security catalogue (sec_priv.c): each is a routine that
 * runs one attacking instruction, in ring 1 (called) or ring 3 (entered by
 * iret with u_done as its return address), and returns. For each NAME:
 *   p_NAME       the routine's start (setup, then the instruction)
 *   p_NAME_at    the attacking instruction: where a fault must point
 *   p_NAME_fix   where the catcher resumes: undoes the setup, then ret
 * and p_int_table: 256 routines "xorl %eax,%eax; int $n; ret", 8 bytes
 * apart (int at +2, ret at +4), for the int-n sweeps.
 *
 *   uint32_t sp_user_enter(uint32_t eip, uint32_t esp);
 *     irets to eip in ring 3 (cs 0x73, ss = ds = es = 0x7b); returns the
 *     value a ring-1 handler passes to sp_user_leave.
 *   void sp_user_leave(uint32_t value);   (from a handler; no return) */
#include "rv.h"

#define USER_CS    0x73
#define USER_DS    0x7b
#define USER_MAGIC 0x600DF00D

#define P(n)    .globl p_##n, p_##n##_at, p_##n##_fix; .balign 4; p_##n:
#define AT(n)   p_##n##_at:
#define FIX(n)  p_##n##_fix:

	.text
	.globl sp_user_enter
sp_user_enter:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, sp_saved_esp
	movl 20(%esp), %eax
	movl 24(%esp), %ecx
	pushl $USER_DS
	pushl %ecx
	pushl $0x202
	pushl $USER_CS
	pushl %eax
	movl $USER_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	iret

	.globl sp_user_leave
sp_user_leave:
	movl 4(%esp), %eax
	movl $GUEST_DS, %ecx
	movl %ecx, %ds
	movl %ecx, %es
	movl sp_saved_esp, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.balign 16
	.globl u_done
u_done:
	movl $USER_MAGIC, %eax
	int $0x80
	ud2			/* never resumed */

/* ---- one instruction each, no setup ---- */
#define SIMPLE(n, insn...) P(n) AT(n) insn; FIX(n) ret

SIMPLE(sti, sti)
SIMPLE(cli, cli)
SIMPLE(hlt, hlt)
SIMPLE(lgdt, lgdt sp_dtr)
SIMPLE(lidt, lidt sp_dtr)
SIMPLE(sgdt_ok, sgdt sp_dtr_out)
SIMPLE(mov_from_cr0, movl %cr0, %eax)
SIMPLE(mov_to_cr0, movl %eax, %cr0)
SIMPLE(mov_from_cr2, movl %cr2, %eax)
SIMPLE(mov_to_cr2, movl %eax, %cr2)
SIMPLE(mov_from_cr3, movl %cr3, %eax)
SIMPLE(mov_to_cr3, movl %eax, %cr3)
SIMPLE(mov_from_cr4, movl %cr4, %eax)
SIMPLE(mov_to_cr4, movl %eax, %cr4)
SIMPLE(mov_from_dr0, movl %db0, %eax)
SIMPLE(mov_from_dr1, movl %db1, %eax)
SIMPLE(mov_from_dr2, movl %db2, %eax)
SIMPLE(mov_from_dr3, movl %db3, %eax)
SIMPLE(mov_from_dr6, movl %db6, %eax)
SIMPLE(mov_from_dr7, movl %db7, %eax)
SIMPLE(mov_to_dr0, movl %eax, %db0)
SIMPLE(mov_to_dr1, movl %eax, %db1)
SIMPLE(mov_to_dr2, movl %eax, %db2)
SIMPLE(mov_to_dr3, movl %eax, %db3)
SIMPLE(mov_to_dr6, movl %eax, %db6)
SIMPLE(mov_to_dr7, movl %eax, %db7)
SIMPLE(wbinvd, wbinvd)
SIMPLE(invd, invd)
SIMPLE(invlpg, invlpg 0x100000)
SIMPLE(clts, clts)
SIMPLE(sysexit, sysexit)
SIMPLE(ljmp_host_cs, ljmp $0x50, $0)
SIMPLE(ljmp_host_ds, ljmp $0x58, $0)
SIMPLE(ljmp_host_tss, ljmp $0x80, $0)
SIMPLE(ljmp_df_tss, ljmp $0xF8, $0)
SIMPLE(ljmp_ldt_sel, ljmp $0x54, $0)
SIMPLE(lcall_host_cs, lcall $0x50, $0)
SIMPLE(lcall_host_tss, lcall $0x80, $0)
SIMPLE(lcall_df_tss, lcall $0xF8, $0)
SIMPLE(lcall_ring0_guest_cs, lcall $0x60, $0)

/* ---- with setup (registers are the caller's: it saves them all) ---- */
P(ltr) movw $0x80, %ax; AT(ltr) ltr %ax; FIX(ltr) ret
P(lldt) xorl %eax, %eax; AT(lldt) lldt %ax; FIX(lldt) ret
P(lmsw) movl $1, %eax; AT(lmsw) lmsw %ax; FIX(lmsw) ret
P(rdmsr) movl $0x10, %ecx; AT(rdmsr) rdmsr; FIX(rdmsr) ret
P(wrmsr) movl $0x174, %ecx; xorl %eax, %eax; xorl %edx, %edx; AT(wrmsr) wrmsr; FIX(wrmsr) ret
P(rdpmc) xorl %ecx, %ecx; AT(rdpmc) rdpmc; FIX(rdpmc) ret
P(sysenter) movl %esp, %ebp; AT(sysenter) sysenter; FIX(sysenter) movl %ebp, %esp; ret
P(insb) movl $0x80, %edx; movl $sp_buf, %edi; AT(insb) insb; FIX(insb) ret
P(insl) movl $0x80, %edx; movl $sp_buf, %edi; AT(insl) insl; FIX(insl) ret
P(outsb) movl $0x80, %edx; movl $sp_buf, %esi; AT(outsb) outsb; FIX(outsb) ret
P(outsl) movl $0x80, %edx; movl $sp_buf, %esi; AT(outsl) outsl; FIX(outsl) ret
P(rep_inb) movl $0x80, %edx; AT(rep_inb) rep; inb %dx, %al; FIX(rep_inb) ret
P(inb_port) AT(inb_port) inb $0x80, %al; FIX(inb_port) ret
P(outb_port) AT(outb_port) outb %al, $0x80; FIX(outb_port) ret
P(iret_ring0) pushfl; pushl $0x60; pushl $p_iret_ring0_fix; AT(iret_ring0) iret; FIX(iret_ring0) addl $12, %esp; ret
P(iret_host_cs) pushfl; pushl $0x51; pushl $p_iret_host_cs_fix; AT(iret_host_cs) iret; FIX(iret_host_cs) addl $12, %esp; ret
P(lret_host_cs) pushl $0x50; pushl $0; AT(lret_host_cs) lret; FIX(lret_host_cs) addl $8, %esp; ret
/* A host interrupt between the popfl and the iret comes back with NT
 * cleared (the sanitiser's rule): the iret then returns to the probe's
 * start, which sets NT again, until the iret itself meets NT. */
P(iret_nt) pushfl; orl $0x4000, (%esp); popfl; pushfl; pushl %cs; pushl $p_iret_nt; AT(iret_nt) iret
FIX(iret_nt) addl $12, %esp; pushfl; andl $~0x4000, (%esp); popfl; ret
P(mov_ds_host) movl $0x58, %eax; AT(mov_ds_host) movl %eax, %ds; FIX(mov_ds_host) ret
P(mov_es_host_cs) movl $0x50, %eax; AT(mov_es_host_cs) movl %eax, %es; FIX(mov_es_host_cs) ret
P(mov_fs_tss) movl $0x80, %eax; AT(mov_fs_tss) movl %eax, %fs; FIX(mov_fs_tss) ret
P(mov_gs_ldt) movl $0x04, %eax; AT(mov_gs_ldt) movl %eax, %gs; FIX(mov_gs_ldt) ret
P(mov_gs_ldt_host) movl $0x54, %eax; AT(mov_gs_ldt_host) movl %eax, %gs; FIX(mov_gs_ldt_host) ret
P(mov_ss_host) movl $0x58, %eax; AT(mov_ss_host) movl %eax, %ss; FIX(mov_ss_host) ret
P(mov_ss_ring0) movl $0x68, %eax; AT(mov_ss_ring0) movl %eax, %ss; FIX(mov_ss_ring0) ret

/* ---- int $n for every vector ---- */
	.balign 8
	.globl p_int_table
p_int_table:
	vec = 0
	.rept 256
	.balign 8
	xorl %eax, %eax
	.byte 0xCD, vec
	ret
	vec = vec + 1
	.endr

	.data
	.balign 4
	.globl sp_buf
sp_buf:	.fill 64, 1, 0
sp_dtr:	.word 0xFF
	.long 0
sp_dtr_out: .fill 8, 1, 0
	.globl sp_saved_esp
sp_saved_esp: .long 0

	.section .note.GNU-stack, "", @progbits
