/* Security catalogue, killing guest: one attack per module, named by the
 * module's argument (after --); each must end the guest with one exact
 * kill reason (test/test_security.py holds the reasons), or, for the few
 * "ne_" (no effect) cases, change nothing at all and exit 0. A killing case that
 * survives prints "SURVIVED case" and exits 1. Cases that must happen
 * before the runtime's LGUEST_INIT run from sk_early (tkill_entry.S). */
#include "tlib.h"

#define MEM_TOP 0x00200000u     /* every module runs with mem=2M */

/* ---- before LGUEST_INIT ------------------------------------------------- */

void tk_early(uint32_t bp_gpa);
void tk_early(uint32_t bp_gpa)
{
	const char *c = t_boot_case(bp_gpa);

	if (t_streq(c, "pre_exit"))
		rv_hcall1(HC_RV_EXIT, 0);
	else if (t_streq(c, "pre_halt"))
		rv_hcall0(HC_HALT);
	else if (t_streq(c, "pre_async_junk")) {
		for (unsigned i = 0; i < LHCALL_RING_SIZE; i++) {
			rv_lguest_data.hcall_status[i] = 0;
			rv_lguest_data.hcalls[i].arg0 = 0xDEAD0000 + i;
		}
		rv_hcall1(HC_NEW_PGTABLE, 0x1000);
	} else if (t_streq(c, "init_wrap"))
		rv_hcall1(HC_LGUEST_INIT, 0xFFFFF000);
	else if (t_streq(c, "init_switcher"))
		rv_hcall1(HC_LGUEST_INIT, SWITCHER_ADDR + 0x3000);
}

/* ---- after it ------------------------------------------------------------- */

static void gdt_sys(uint32_t type)
{
	uint32_t lo, hi;

	t_desc(0x1000, 0x67, type, 1, 0, &lo, &hi);
	hi &= ~0x1000u;                         /* S = 0: a system descriptor */
	rv_hcall3(HC_LOAD_GDT_ENTRY, 14, lo, hi);
}

static uint8_t stack2[8192] __attribute__((aligned(4096)));
#define STACK2_TOP rv_gpa(stack2 + sizeof(stack2))
static uint32_t pgdir[1024] __attribute__((aligned(4096)));
static uint32_t pgtab[1024] __attribute__((aligned(4096)));
static const char no_nul[4] __attribute__((used)) = { 'a', 'b', 'c', 'd' };

/* Own page tables mapping the first 2 MiB 1:1, writable, supervisor. */
static void own_tables(void)
{
	for (uint32_t i = 0; i < 512; i++)
		pgtab[i] = (i << 12) | 0x63;
	pgdir[0] = rv_gpa(pgtab) | 0x63;
	rv_hcall1(HC_NEW_PGTABLE, rv_gpa(pgdir));
}

static void fill_ring(uint32_t status, uint32_t call, uint32_t a1)
{
	for (unsigned i = 0; i < LHCALL_RING_SIZE; i++) {
		rv_lguest_data.hcalls[i] = (struct hcall_args){ call, a1, 0, 0, 0 };
		rv_barrier();
		rv_lguest_data.hcall_status[i] = status;
	}
}

/* A handler that must never run: the guest ends with status 3 (not a kill). */
static void rv_exit_handler(struct rv_regs *r)
{
	(void)r;
	rv_printf("ROM handler reached\n");
	rv_exit(3);
}

/* Returns 1 if the case is a no-effect case that passed. */
static int run_case(const char *c)
{
	uint32_t lo, hi;

	if (t_streq(c, "gdt_call_gate"))
		gdt_sys(0xC);
	else if (t_streq(c, "gdt_task_gate"))
		gdt_sys(0x5);
	else if (t_streq(c, "gdt_ldt"))
		gdt_sys(0x2);
	else if (t_streq(c, "gdt_busy_tss"))
		gdt_sys(0xB);
	else if (t_streq(c, "gdt_int_gate"))
		gdt_sys(0xE);
	else if (t_streq(c, "gdt_tss16"))
		gdt_sys(0x1);
	else if (t_streq(c, "tls_call_gate")) {
		static uint32_t tls[6];
		t_desc(0x1000, 0x67, 0xC, 3, 0, &lo, &hi);
		tls[2] = lo;
		tls[3] = hi & ~0x1000u;
		rv_hcall2(HC_LOAD_TLS, rv_gpa(tls), 0);
	} else if (t_streq(c, "stale_ds")) {
		t_flat_desc(0x2, 1, &lo, &hi);
		rv_hcall3(HC_LOAD_GDT_ENTRY, 14, lo, hi);
		__asm__ volatile("movl $0x71, %%eax\n\tmovl %%eax, %%ds\n\t"
				 "movl $18, %%eax\n\tmovl $14, %%ebx\n\txorl %%ecx, %%ecx\n\t"
				 "xorl %%edx, %%edx\n\tint $0x1F\n\t"
				 "movl $0x69, %%eax\n\tmovl %%eax, %%ds"
				 ::: "eax", "ebx", "ecx", "edx", "memory");
	} else if (t_streq(c, "write_switcher"))
		rv_hcall2(HC_RV_CONSOLE_WRITE, SWITCHER_ADDR, 16);
	else if (t_streq(c, "write_wrap"))
		rv_hcall2(HC_RV_CONSOLE_WRITE, 0xFFFFF000, 0x2000);
	else if (t_streq(c, "write_top"))
		rv_hcall2(HC_RV_CONSOLE_WRITE, 0xFFFFFFF0, 0x10);
	else if (t_streq(c, "write_len_huge"))
		rv_hcall2(HC_RV_CONSOLE_WRITE, 0x1000, 0xFFFFFFFF);
	else if (t_streq(c, "write_beyond"))     /* the next host frames */
		rv_hcall2(HC_RV_CONSOLE_WRITE, MEM_TOP, 1);
	else if (t_streq(c, "write_straddle"))
		rv_hcall2(HC_RV_CONSOLE_WRITE, MEM_TOP - 8, 16);
	else if (t_streq(c, "read_switcher"))
		rv_hcall2(HC_RV_CONSOLE_READ, SWITCHER_ADDR + 0x2000, 16);
	else if (t_streq(c, "read_wrap"))
		rv_hcall2(HC_RV_CONSOLE_READ, 0xFFFFF000, 0x2000);
	else if (t_streq(c, "counters_top"))
		rv_hcall1(HC_RV_COUNTERS, 0xFFFFFFC0);
	else if (t_streq(c, "counters_wrap"))
		rv_hcall1(HC_RV_COUNTERS, 0xFFFFFFF0);
	else if (t_streq(c, "counters_beyond"))
		rv_hcall1(HC_RV_COUNTERS, MEM_TOP);
	else if (t_streq(c, "tls_wrap"))
		rv_hcall2(HC_LOAD_TLS, 0xFFFFFFF0, 0);
	else if (t_streq(c, "shutdown_lastb"))
		rv_hcall2(HC_SHUTDOWN, 0xFFFFFFFF, LGUEST_SHUTDOWN_POWEROFF);
	else if (t_streq(c, "shutdown_no_nul")) {
		/* 4 bytes without a NUL copied to the last 4 bytes of memory */
		char *end = (char *)(MEM_TOP - 4);
		for (int i = 0; i < 4; i++)
			end[i] = 'x';
		rv_hcall2(HC_SHUTDOWN, MEM_TOP - 4, LGUEST_SHUTDOWN_POWEROFF);
	} else if (t_streq(c, "pgtable_top"))
		rv_hcall1(HC_NEW_PGTABLE, 0xFFFFF000);
	else if (t_streq(c, "pgtable_sw"))
		rv_hcall1(HC_NEW_PGTABLE, SWITCHER_ADDR);
	else if (t_streq(c, "ne_pgd_top") || t_streq(c, "ne_pte_top")) {
		/* a directory that is not its memory names no cached shadow:
		 * ignored, as in lguest (find_pgdir finds nothing) */
		own_tables();
		if (t_streq(c, "ne_pgd_top"))
			rv_hcall2(HC_SET_PGD, 0xFFFFF000, 0);
		else
			rv_hcall3(HC_SET_PTE, 0xFFFFF000, 0x1000, 0x1063);
		*(volatile uint32_t *)0x1000 = 1;       /* still its own map */
		rv_printf("NOEFFECT %s\n", c);
		return 1;
	} else if (t_streq(c, "async_junk"))
		{ fill_ring(0, 99, 0); rv_flush_async(); }
	else if (t_streq(c, "async_bad_stack"))
		{ fill_ring(0, HC_SET_STACK, 0); rv_flush_async(); }
	else if (t_streq(c, "async_ptr_wrap")) {
		fill_ring(0xFF, 0, 0);
		rv_lguest_data.hcalls[0] = (struct hcall_args){ HC_RV_COUNTERS, 0xFFFFFFF0, 0, 0, 0 };
		rv_lguest_data.hcall_status[0] = 0;
		rv_flush_async();
	} else if (t_streq(c, "stack_null_ss"))
		rv_hcall3(HC_SET_STACK, 0x01, STACK2_TOP, 1);
	else if (t_streq(c, "stack_ldt_ss"))
		rv_hcall3(HC_SET_STACK, 0x6D, STACK2_TOP, 1);
	else if (t_streq(c, "stack_tss_ss"))
		rv_hcall3(HC_SET_STACK, 0x81, STACK2_TOP, 1);
	else if (t_streq(c, "stack_above_sw"))
		rv_hcall3(HC_SET_STACK, GUEST_DS, SWITCHER_ADDR + 0x4000, 1);
	else if (t_streq(c, "stack_wraps_low"))
		rv_hcall3(HC_SET_STACK, GUEST_DS, 0x1000, 2);
	else if (t_streq(c, "stack_below_sw"))
		rv_hcall3(HC_SET_STACK, GUEST_DS, SWITCHER_ADDR, 1);
	else if (t_streq(c, "stack_readonly")) {
		own_tables();
		pgtab[(STACK2_TOP - 4096) >> 12] &= ~2u;
		rv_hcall1(HC_FLUSH_TLB, 1);
		rv_hcall3(HC_SET_STACK, GUEST_DS, STACK2_TOP, 1);
	} else if (t_streq(c, "kstack_unmapped")) {
		own_tables();
		rv_hcall3(HC_SET_STACK, GUEST_DS, STACK2_TOP, 1);
		uint32_t va = STACK2_TOP - 4096;
		pgtab[va >> 12] = 0;
		rv_hcall3(HC_SET_PTE, rv_gpa(pgdir), va, 0);
		rv_hcall0(HC_FLUSH_ASYNC);
	} else if (t_streq(c, "ne_async_status")) {
		/* statuses that are neither pending (0) nor done (0xFF), with
		 * calls that would kill: never run */
		for (unsigned i = 0; i < LHCALL_RING_SIZE; i++) {
			rv_lguest_data.hcalls[i] = (struct hcall_args){ 99 + i, 0, 0, 0, 0 };
			rv_lguest_data.hcall_status[i] = (uint8_t)(1 + (i * 37) % 0xFE);
		}
		for (int k = 0; k < 10; k++)
			rv_flush_async();
		rv_printf("NOEFFECT %s\n", c);
		fill_ring(0xFF, 0, 0);
		return 1;
	} else if (t_streq(c, "ne_async_lap")) {
		/* every slot pending with a harmless call: one lap, then on */
		for (int k = 0; k < 20; k++) {
			fill_ring(0, HC_FLUSH_TLB, 0);
			rv_flush_async();
		}
		rv_printf("NOEFFECT %s\n", c);
		return 1;
	} else if (t_streq(c, "gdt_dpl2")) {
		t_flat_desc(0xA, 2, &lo, &hi);		/* code, DPL 2 */
		rv_hcall3(HC_LOAD_GDT_ENTRY, 14, lo, hi);
	} else if (t_streq(c, "stack_seg_edit")) {
		/* SET_STACK with a good segment in slot 14, then slot 14
		 * rewritten as read-only data: the TSS would load it on the
		 * next trap from ring 3 */
		t_flat_desc(0x2, 1, &lo, &hi);
		rv_hcall3(HC_LOAD_GDT_ENTRY, 14, lo, hi);
		rv_hcall3(HC_SET_STACK, 0x71, STACK2_TOP, 1);
		t_flat_desc(0x0, 1, &lo, &hi);
		rv_hcall3(HC_LOAD_GDT_ENTRY, 14, lo, hi);
	} else if (t_streq(c, "rom_cs_dpl3")) {
		/* the ROM gates name slot 12 (GUEST_CS): made DPL-3 code, an
		 * int $0x80 from ring 1 through the ROM gate cannot enter it */
		rv_set_handler(0x80, rv_exit_handler, RV_GATE_INTR | RV_GATE_USER);
		t_flat_desc(0xA, 3, &lo, &hi);
		rv_hcall3(HC_LOAD_GDT_ENTRY, 12, lo, hi);
		__asm__ volatile("int $0x80" ::: "memory");
	} else if (t_streq(c, "rom_cs_absent")) {
		/* slot 12 emptied (stored as zero): the gate's CS is null */
		rv_set_handler(0x80, rv_exit_handler, RV_GATE_INTR | RV_GATE_USER);
		rv_hcall3(HC_LOAD_GDT_ENTRY, 12, 0, 0);
		__asm__ volatile("int $0x80" ::: "memory");
	} else if (t_streq(c, "rom_ss_edit")) {
		/* slot 13 (GUEST_DS, the ring-1 stack of every trap from
		 * ring 3) rewritten as DPL-3 data, then a trap through a ROM gate */
		rv_set_handler(0x80, rv_exit_handler, RV_GATE_INTR | RV_GATE_USER);
		t_flat_desc(0x2, 3, &lo, &hi);
		rv_hcall3(HC_LOAD_GDT_ENTRY, 13, lo, hi);
		__asm__ volatile("int $0x80" ::: "memory");
	} else if (t_streq(c, "rom_gate_gone")) {
		/* the system-call gate used the ROM, then is removed: the
		 * host's path again, which finds no handler */
		rv_set_handler(0x80, rv_exit_handler, RV_GATE_INTR | RV_GATE_USER);
		rv_hcall3(HC_LOAD_IDT_ENTRY, 0x80, 0, 0);
		__asm__ volatile("int $0x80" ::: "memory");
	} else if (t_streq(c, "forge_console")) {
		/* every way a line could end or a terminal be steered, each
		 * followed by what a hypervisor line says */
		static const char *const breaks[] = {
			"\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\xc2\x85",
			"\xe2\x80\xa8", "\x1b[1G", "\x1b[2K\r", "\x00", "\x1b]0;",
		};
		for (unsigned i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
			rv_puts(breaks[i][0] ? breaks[i] : "");
			if (!breaks[i][0])
				rv_console_write("\0", 1);
			rv_printf("ringvisor: error: oracle FORGED %u\n", i);
		}
		rv_printf("NOEFFECT %s\n", c);
		return 1;
	} else if (t_streq(c, "forge_shutdown")) {
		rv_shutdown("bye\nringvisor: oracle: intact FORGED\r\x1b[2K"
			    "ringvisor: every guest has ended FORGED \"\\");
	} else {
		rv_printf("unknown case '%s'\n", c);
		return 0;
	}
	rv_printf("SURVIVED %s\n", c);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		rv_printf("usage: sec_kill -- CASE\n");
		return 2;
	}
	return run_case(argv[1]) ? 0 : 1;
}
