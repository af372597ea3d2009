/* The report for a fault inside the hypervisor itself: every register,
 * the control registers, the error code decoded, and a backtrace through
 * the frame-pointer chain with function names from the image's own symbol
 * table (.ksyms, filled in by the second link pass). Then the machine stops,
 * with a failure code for QEMU when the command line asked for exit=qemu. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <exitcode.h>
#include <lib/log.h>
#include <param.h>

struct ksym {
	uint32_t addr;
	const char *name;
};

/* tools/mksyms.sh: the text symbols, sorted by address. */
extern const uint32_t ksyms_count;
extern const struct ksym ksyms_table[];
extern const char __image_start[], __image_end[];

static const char *const exception_names[32] = {
	"divide error (#DE)", "debug (#DB)", "NMI", "breakpoint (#BP)",
	"overflow (#OF)", "BOUND range (#BR)", "invalid opcode (#UD)",
	"device not available (#NM)", "double fault (#DF)",
	"coprocessor segment overrun", "invalid TSS (#TS)",
	"segment not present (#NP)", "stack fault (#SS)",
	"general protection (#GP)", "page fault (#PF)", "reserved 15",
	"x87 FPU error (#MF)", "alignment check (#AC)", "machine check (#MC)",
	"SIMD FP exception (#XM)", "virtualization (#VE)", "control protection (#CP)",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26",
	"reserved 27", "reserved 28", "reserved 29", "reserved 30", "reserved 31",
};

const char *exception_name(unsigned vector)
{
	return vector < 32 ? exception_names[vector] : "interrupt";
}

const char *symbol_lookup(uint32_t addr, uint32_t *offset)
{
	uint32_t lo = 0, hi = ksyms_count;

	if (hi == 0 || addr < ksyms_table[0].addr)
		return NULL;
	while (hi - lo > 1) {		/* last symbol at or below addr */
		uint32_t mid = lo + (hi - lo) / 2;
		if (ksyms_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksyms_table[lo].addr;
	return ksyms_table[lo].name;
}

static void print_addr(const char *label, uint32_t addr)
{
	uint32_t off;
	const char *name = symbol_lookup(addr, &off);

	if (name)
		kprintf("ringvisor:   %s %08x <%s+0x%x>\n", label, addr, name, off);
	else
		kprintf("ringvisor:   %s %08x\n", label, addr);
}

static bool in_image(uint32_t a)
{
	return a >= (uint32_t)__image_start && a + 8 <= (uint32_t)__image_end;
}

/* Walk the saved-%ebp chain. Every frame must lie inside the image (the
 * stacks are in its BSS) and above the previous one, so a corrupt chain
 * ends the walk instead of faulting again. */
void backtrace_from(uint32_t ebp, uint32_t eip)
{
	kprintf("ringvisor: backtrace:\n");
	if (eip)
		print_addr("  at", eip);
	for (unsigned depth = 0; depth < BACKTRACE_DEPTH && in_image(ebp); depth++) {
		const uint32_t *frame = (const uint32_t *)ebp;
		uint32_t ret = frame[1];
		if (!ret)
			break;
		print_addr("from", ret - 1);	/* the call, not the next line */
		if (frame[0] <= ebp)
			break;
		ebp = frame[0];
	}
}

static void decode_pf(uint32_t err)
{
	kprintf("ringvisor: page fault: %s on a %s page, %s mode%s\n",
		err & 2 ? "write" : "read",
		err & 1 ? "protected" : "not-present",
		err & 4 ? "user" : "supervisor",
		err & 8 ? ", reserved bit set" : "");
}

void exception_fatal(const struct trap_frame *tf)
{
	cli();
	log_emergency();		/* what was buffered first, then this */
	kprintf("ringvisor: PANIC: %s in the hypervisor, error code %08x\n",
		exception_names[tf->vector & 31], tf->error);
	kprintf("ringvisor:   eip=%08x cs=%04x eflags=%08x\n", tf->eip, tf->cs & 0xFFFF,
		tf->eflags);
	kprintf("ringvisor:   eax=%08x ebx=%08x ecx=%08x edx=%08x\n",
		tf->eax, tf->ebx, tf->ecx, tf->edx);
	kprintf("ringvisor:   esi=%08x edi=%08x ebp=%08x esp=%08x\n",
		tf->esi, tf->edi, tf->ebp, (uint32_t)&tf->eflags + 4);
	kprintf("ringvisor:   ds=%04x es=%04x fs=%04x gs=%04x\n",
		tf->ds & 0xFFFF, tf->es & 0xFFFF, tf->fs & 0xFFFF, tf->gs & 0xFFFF);
	kprintf("ringvisor:   cr0=%08x cr2=%08x cr3=%08x cr4=%08x\n",
		read_cr0(), read_cr2(), read_cr3(), read_cr4());
	if (tf->vector == 14)
		decode_pf(tf->error);
	backtrace_from(tf->ebp, tf->eip);
	arch_poweroff(RV_EXIT_PANIC);
}

/* The end of panic() and of a failed assertion (lib/log.c: log_ops.die):
 * the control registers, a backtrace from the caller, power-off. */
void arch_die(void)
{
	uint32_t ebp;

	__asm__ volatile("movl %%ebp, %0" : "=r"(ebp));
	kprintf("ringvisor: cr0=%08x cr2=%08x cr3=%08x cr4=%08x eflags=%08x\n",
		read_cr0(), read_cr2(), read_cr3(), read_cr4(), read_eflags());
	backtrace_from(ebp, 0);
	arch_poweroff(RV_EXIT_PANIC);
}

/* Runs as its own task: the faulting context was saved in the host TSS. */
void c_double_fault(void)
{
	uint32_t eip, esp, ebp;

	log_emergency();
	desc_faulted_task(&eip, &esp, &ebp);
	kprintf("ringvisor: PANIC: double fault (#DF) in the hypervisor\n");
	kprintf("ringvisor:   eip=%08x esp=%08x ebp=%08x cr2=%08x cr3=%08x\n",
		eip, esp, ebp, read_cr2(), read_cr3());
	backtrace_from(ebp, eip);
	arch_poweroff(RV_EXIT_PANIC);
}
