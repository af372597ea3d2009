/* Test guest: the cases that must kill the guest, one per module. The case
 * is the module's argument (after --); the pytest side boots many modules
 * of this guest at once, each with expect=killed, and checks each exact
 * kill reason. A case that survives prints "SURVIVED case" and exits 1. */
#include "tlib.h"

/* ---- before the runtime's start-up (tk_entry) ---------------------------- */

void tk_early(uint32_t bp_gpa);
void tk_early(uint32_t bp_gpa)
{
	const char *c = t_boot_case(bp_gpa);
	static const char msg[] = "too early\n";

	if (t_streq(c, "pre_write"))
		rv_hcall2(HC_RV_CONSOLE_WRITE, rv_gpa(msg), sizeof(msg) - 1);
	else if (t_streq(c, "pre_flush"))
		rv_hcall0(HC_FLUSH_ASYNC);
	else if (t_streq(c, "pre_unknown"))
		rv_hcall0(3);
	else if (t_streq(c, "init_outside"))
		rv_hcall1(HC_LGUEST_INIT, 0x7FFFF000);
	else if (t_streq(c, "init_straddle"))    /* guests run with mem=2M */
		rv_hcall1(HC_LGUEST_INIT, 0x200000 - 1000);
	else if (t_streq(c, "init_sysvec")) {
		rv_lguest_data.syscall_vec = 0x81;
		rv_hcall1(HC_LGUEST_INIT, rv_gpa(&rv_lguest_data));
	} else if (t_streq(c, "init_kaddr")) {
		rv_lguest_data.kernel_address = SWITCHER_ADDR;
		rv_hcall1(HC_LGUEST_INIT, rv_gpa(&rv_lguest_data));
	}
}

/* ---- after it: main ------------------------------------------------------ */

static void gdt(uint32_t index, uint32_t type, uint32_t dpl)
{
	uint32_t lo, hi;

	t_flat_desc(type, dpl, &lo, &hi);
	rv_hcall3(HC_LOAD_GDT_ENTRY, index, lo, hi);
}

static void stale_segment(const char *reg)
{
	gdt(14, 0x2, 1);
	if (t_streq(reg, "fs"))
		__asm__ volatile("movl $0x71, %%eax\n\tmovl %%eax, %%fs" ::: "eax");
	else if (t_streq(reg, "gs"))
		__asm__ volatile("movl $0x71, %%eax\n\tmovl %%eax, %%gs" ::: "eax");
	else
		__asm__ volatile("movl $0x71, %%eax\n\tmovl %%eax, %%es" ::: "eax");
	/* Not present: stored as zero. The return from this very call makes
	 * the Switcher load the selector. */
	rv_hcall3(HC_LOAD_GDT_ENTRY, 14, 0, 0);
}

static uint8_t stack2[8192] __attribute__((aligned(4096)));
#define STACK2_TOP rv_gpa(stack2 + sizeof(stack2))

static void run_case(const char *c)
{
	static char buf[8];
	uint32_t lo, hi;

	if (t_streq(c, "init_twice"))
		rv_hcall1(HC_LGUEST_INIT, rv_gpa(&rv_lguest_data));
	else if (t_streq(c, "init_async")) {
		rv_hcall_async(HC_LGUEST_INIT, rv_gpa(&rv_lguest_data), 0, 0, 0);
		rv_flush_async();
	} else if (t_streq(c, "shutdown_out"))
		rv_hcall2(HC_SHUTDOWN, 0x7FFFF000, LGUEST_SHUTDOWN_POWEROFF);
	else if (t_streq(c, "pgtable_unalig"))
		rv_hcall1(HC_NEW_PGTABLE, 0x1800);
	else if (t_streq(c, "pgtable_out"))
		rv_hcall1(HC_NEW_PGTABLE, 0x00400000);
	else if (t_streq(c, "idt_256"))
		rv_hcall3(HC_LOAD_IDT_ENTRY, 256, 0, 0);
	else if (t_streq(c, "idt_huge"))
		rv_hcall3(HC_LOAD_IDT_ENTRY, 0xFFFFFFFF, 0, 0);
	else if (t_streq(c, "stack_rpl0"))
		rv_hcall3(HC_SET_STACK, GUEST_DS & ~3u, STACK2_TOP, 1);
	else if (t_streq(c, "stack_dpl0"))     /* the host's data slot */
		rv_hcall3(HC_SET_STACK, 11 * 8 + 1, STACK2_TOP, 1);
	else if (t_streq(c, "stack_dpl3")) {
		gdt(15, 0x2, 3);
		rv_hcall3(HC_SET_STACK, 15 * 8 + 1, STACK2_TOP, 1);
	} else if (t_streq(c, "stack_nonflat")) {
		t_desc(0x1000, 0xFFFFF, 0x2, 1, DESC_FLAGS_4K32, &lo, &hi);
		rv_hcall3(HC_LOAD_GDT_ENTRY, 14, lo, hi);
		rv_hcall3(HC_SET_STACK, 14 * 8 + 1, STACK2_TOP, 1);
	} else if (t_streq(c, "stack_code"))
		rv_hcall3(HC_SET_STACK, GUEST_CS, STACK2_TOP, 1);
	else if (t_streq(c, "stack_pages0"))
		rv_hcall3(HC_SET_STACK, GUEST_DS, STACK2_TOP, 0);
	else if (t_streq(c, "stack_pages3"))
		rv_hcall3(HC_SET_STACK, GUEST_DS, STACK2_TOP, 3);
	else if (t_streq(c, "stack_unmapped"))
		rv_hcall3(HC_SET_STACK, GUEST_DS, 0x00F00000, 1);
	else if (t_streq(c, "set_pmd"))
		rv_hcall3(HC_SET_PMD, 0, 0, 0);
	else if (t_streq(c, "tls_out"))
		rv_hcall2(HC_LOAD_TLS, 0x7FFFF000, 0);
	else if (t_streq(c, "gdt_32"))
		gdt(32, 0x2, 1);
	else if (t_streq(c, "gdt_system")) {
		t_desc(0x1000, 0x67, 0x9, 1, 0, &lo, &hi);
		hi &= ~0x1000u;                 /* S = 0: a 32-bit TSS */
		rv_hcall3(HC_LOAD_GDT_ENTRY, 14, lo, hi);
	} else if (t_streq(c, "hc_3"))
		rv_hcall0(3);
	else if (t_streq(c, "hc_11"))
		rv_hcall0(11);
	else if (t_streq(c, "hc_12"))
		rv_hcall0(12);
	else if (t_streq(c, "hc_17"))
		rv_hcall0(17);
	else if (t_streq(c, "hc_20"))
		rv_hcall0(20);
	else if (t_streq(c, "hc_68"))
		rv_hcall0(68);
	else if (t_streq(c, "hc_200"))
		rv_hcall0(200);
	else if (t_streq(c, "async_unknown")) {
		rv_hcall_async(17, 0, 0, 0, 0);
		rv_flush_async();
	} else if (t_streq(c, "write_out"))
		rv_hcall2(HC_RV_CONSOLE_WRITE, 0x001FFFF0, 0x20);
	else if (t_streq(c, "read_out"))
		rv_hcall2(HC_RV_CONSOLE_READ, 0x7FFFF000, sizeof(buf));
	else if (t_streq(c, "counters_out"))
		rv_hcall1(HC_RV_COUNTERS, 0x001FFFF0);
	else if (t_streq(c, "stale_fs"))
		stale_segment("fs");
	else if (t_streq(c, "stale_gs"))
		stale_segment("gs");
	else if (t_streq(c, "stale_es"))
		stale_segment("es");
	else if (t_streq(c, "gdt_clobber_cs"))  /* entry 12 made data */
		gdt(GDT_ENTRY_GUEST_CS, 0x2, 1);
	else if (t_streq(c, "gdt_clobber_ss"))  /* entry 13 made absent */
		rv_hcall3(HC_LOAD_GDT_ENTRY, GDT_ENTRY_GUEST_DS, 0, 0);
	/* (A code segment 12 with a short limit would make the Switcher's
	 * iret fault on real hardware; QEMU's TCG does not check code limits,
	 * so that case is not here.) */
	else if (t_streq(c, "no_pf_handler")) {
		rv_hcall3(HC_LOAD_IDT_ENTRY, 14, 0, 0);
		__asm__ volatile("movl 0x00F00000, %%eax" ::: "eax", "memory");
	} else if (t_streq(c, "no_gp_handler")) {
		rv_hcall3(HC_LOAD_IDT_ENTRY, 13, 0, 0);
		__asm__ volatile("hlt" ::: "memory");
	} else if (t_streq(c, "push_unmapped")) {
		/* a trap with esp outside memory: no frame can be pushed */
		__asm__ volatile("movl %%esp, %%ebx\n\tmovl $0x00F00000, %%esp\n\t"
				 "ud2\n\tmovl %%ebx, %%esp" ::: "ebx", "memory");
	} else {
		rv_printf("unknown case '%s'\n", c);
		return;
	}
	rv_printf("SURVIVED %s\n", c);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		rv_printf("usage: tkill -- CASE\n");
		return 2;
	}
	run_case(argv[1]);
	return 1;
}
