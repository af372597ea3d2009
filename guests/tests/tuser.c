/* Test guest: ring 3. The guest builds its own page tables (the host's
 * linear map is supervisor-only), user segments 0x73/0x7b and enters ring
 * 3 by iret; traps from ring 3 arrive on the SET_STACK stack with the user
 * ss:esp; in/out/cli/hypercalls from ring 3 are the guest's #GP; a DPL-3
 * trap gate for 0x80 is a direct trap from ring 3 too. */
#include "tlib.h"

#define USER_CS    0x73
#define USER_DS    0x7b
#define USER_MAGIC 0x600DF00D
#define PTE_UW     0x7          /* present, writable, user */
#define PTE_W      0x3          /* present, writable, supervisor */

uint32_t user_enter(uint32_t eip, uint32_t esp, uint32_t eflags);
void user_leave(uint32_t value) RV_NORETURN;
extern const char u_done[], u_pushf[], u_syscall[], u_spin[];
extern const char u_in[], u_in_fix[], u_out[], u_out_fix[], u_cli[],
	u_cli_fix[], u_sti[], u_sti_fix[], u_hcall[], u_hcall_fix[], u_int81[],
	u_int81_fix[], u_ud2[], u_ud2_fix[], u_super[], u_super_fix[],
	u_unmapped[], u_unmapped_fix[], u_int3[], u_int3_fix[];

volatile uint32_t user_flag;
uint32_t user_super_page[1024] __attribute__((aligned(4096)));
static uint32_t pgdir[1024] __attribute__((aligned(4096)));
static uint32_t pgtab[1024] __attribute__((aligned(4096)));
static uint8_t user_stack[4096] __attribute__((aligned(4096)));
#define USER_SP rv_gpa(user_stack + sizeof(user_stack) - 16)

static volatile uint32_t sys_count, sys_cs, sys_ss, sys_esp, sys_eip,
	sys_irq_enabled, sys_eflags;
static volatile uint32_t hook_cs, hook_count, user_rearm;
static struct rv_counters cr3_before, cr3_after;

static void sys_handler(struct rv_regs *r)
{
	sys_irq_enabled = rv_lguest_data.irq_enabled;
	if (r->eax == USER_MAGIC)
		user_leave(r->ebx);
	sys_count++;
	sys_cs = r->cs;
	sys_ss = r->ss;
	sys_esp = r->esp;
	sys_eip = r->eip;
	sys_eflags = r->eflags;
	r->eax = 0x4321;
}

static void hook(struct rv_regs *r)
{
	hook_cs = r->cs;
	hook_count++;
	if ((r->cs & 3) == 3)
		user_flag = 1;
	else if (user_rearm)            /* fired before ring 3 was entered */
		rv_timer_oneshot(1000000);
}

/* Run a user routine at eip; returns what it left in ebx. */
static uint32_t run_user(const char *eip, uint32_t eflags)
{
	uint32_t v = user_enter(rv_gpa(eip), USER_SP, eflags);

	rv_irq_enable();
	return v;
}

/* Map the first 4 MiB 1:1 for ring 3 too, except user_super_page
 * (supervisor only); 4..8 MiB stay unmapped. */
static void setup_paging(void)
{
	uint32_t lo, hi;

	for (uint32_t i = 0; i < 1024; i++)
		pgtab[i] = (i << 12) | PTE_UW;
	pgtab[rv_gpa(user_super_page) >> 12] = rv_gpa(user_super_page) | PTE_W;
	pgdir[0] = rv_gpa(pgtab) | PTE_UW;
	t_get_counters(&cr3_before);
	rv_hcall1(HC_NEW_PGTABLE, rv_gpa(pgdir));
	t_get_counters(&cr3_after);
	t_flat_desc(0xA, 3, &lo, &hi);
	rv_hcall3(HC_LOAD_GDT_ENTRY, USER_CS >> 3, lo, hi);
	t_flat_desc(0x2, 3, &lo, &hi);
	rv_hcall3(HC_LOAD_GDT_ENTRY, USER_DS >> 3, lo, hi);
}

TEST(new_pgtable_counted)
{
	CHECK(cr3_after.cr3_writes == cr3_before.cr3_writes + 1,
	      "cr3_writes %llu -> %llu", cr3_before.cr3_writes,
	      cr3_after.cr3_writes);
}

/* Inside guest memory but not in the guest's tables: its own #PF. */
TEST(pf_own_tables_unmapped)
{
	uint32_t before = trec.count;
	const char *why;

	__asm__ volatile(PROBE_ARM "1: movl 0x00600000, %%eax\n2:"
			 ::: "eax", "memory");
	why = t_trap_mismatch(before, 14, 0, probe_at);
	CHECK(!why, "%s", why);
	CHECK(trec.cr2 == 0x00600000, "cr2 0x%x", trec.cr2);
}

TEST(ring3_enter_and_leave)
{
	uint32_t v = run_user(u_pushf, EFLAGS_IF | 2);

	CHECK((v & (EFLAGS_IOPL | EFLAGS_IF)) == EFLAGS_IF,
	      "ring-3 eflags 0x%x", v);
}

/* IOPL 3 in the iret frame from ring 1: ignored (only ring 0 sets IOPL),
 * so ring 3 still has no port access. */
TEST(ring3_iret_iopl3_ignored)
{
	uint32_t v = run_user(u_pushf, EFLAGS_IOPL | EFLAGS_IF | 2);

	CHECK((v & EFLAGS_IOPL) == 0, "ring-3 eflags 0x%x", v);
}

TEST(ring3_syscall_trap_gate_direct)
{
	uint32_t before = sys_count;
	uint64_t r0 = t_counter_reflected();
	uint32_t v = run_user(u_syscall, EFLAGS_IF | 2);
	uint64_t r1 = t_counter_reflected();

	CHECK(sys_count == before + 1 && v == 0x4321, "handler not reached "
	      "(0x%x)", v);
	CHECK(sys_cs == USER_CS && sys_ss == USER_DS, "frame cs 0x%x ss 0x%x",
	      sys_cs, sys_ss);
	CHECK(sys_esp == USER_SP, "frame esp 0x%x, user esp 0x%x", sys_esp,
	      USER_SP);
	CHECK(sys_eip == rv_gpa(u_syscall) + 7, "frame eip 0x%x", sys_eip);
	CHECK(r1 == r0, "reflected_traps grew by %llu: not direct", r1 - r0);
}

/* An interrupt gate from ring 3 (a 5-word frame): through the ROM stub,
 * no world switch; the virtual IF goes into the pushed EFLAGS whether it
 * was on or off in user mode, and is off in the handler. */
TEST(ring3_syscall_interrupt_gate_rom)
{
	uint32_t before = sys_count;

	rv_set_handler(0x80, sys_handler, RV_GATE_INTR | RV_GATE_USER);
	uint64_t r0 = t_counter_reflected();
	uint32_t v = run_user(u_syscall, EFLAGS_IF | 2);
	uint64_t r1 = t_counter_reflected();
	uint32_t eflags_on = sys_eflags, irq_on = sys_irq_enabled;
	rv_irq_disable();		/* ring 3 runs with the virtual IF off */
	uint32_t v_off = run_user(u_syscall, 2);
	uint32_t eflags_off = sys_eflags, irq_off = sys_irq_enabled;
	rv_set_handler(0x80, sys_handler, RV_GATE_TRAP | RV_GATE_USER);

	CHECK(sys_count == before + 2 && v == 0x4321 && v_off == 0x4321,
	      "handler not reached");
	CHECK(sys_cs == USER_CS && sys_ss == USER_DS && sys_esp == USER_SP,
	      "frame cs 0x%x ss 0x%x esp 0x%x", sys_cs, sys_ss, sys_esp);
	/* the call and the int $0x80 that leaves ring 3: neither reflected */
	CHECK(r1 == r0, "reflected_traps grew by %llu", r1 - r0);
	CHECK((eflags_on & EFLAGS_IF) && !(eflags_off & EFLAGS_IF),
	      "pushed eflags 0x%x (IF on), 0x%x (IF off)", eflags_on, eflags_off);
	CHECK(irq_on == 0 && irq_off == 0, "irq_enabled 0x%x, 0x%x in the handler",
	      irq_on, irq_off);
}

/* For a trap-class exception (int3), the pushed eip is past the insn. */
static uint32_t trap_len;

static const char *user_fault(const char *at, const char *fix,
			      unsigned vector, uint32_t error)
{
	static char why[140];
	uint32_t before = trec.count;
	const volatile struct rv_regs *r = &trec.regs;

	probe_at = rv_gpa(at);
	probe_fix = rv_gpa(fix);
	run_user(at, EFLAGS_IF | 2);
	if (trec.count != before + 1)
		rv_snprintf(why, sizeof(why), "%u traps", trec.count - before);
	else if (r->vector != vector || (error != ~0u && r->error != error))
		rv_snprintf(why, sizeof(why), "vector %u error 0x%x, expected "
			    "%u error 0x%x", r->vector, r->error, vector, error);
	else if (r->eip != rv_gpa(at) + trap_len || r->cs != USER_CS)
		rv_snprintf(why, sizeof(why), "frame eip 0x%x cs 0x%x", r->eip,
			    r->cs);
	else if (r->ss != USER_DS || r->esp != USER_SP)
		rv_snprintf(why, sizeof(why), "frame ss 0x%x esp 0x%x", r->ss,
			    r->esp);
	else if ((r->eflags & (EFLAGS_IF | EFLAGS_IOPL)) != EFLAGS_IF)
		rv_snprintf(why, sizeof(why), "frame eflags 0x%x", r->eflags);
	else
		return NULL;
	return why;
}

#define USER_FAULT(name, vector, error)					\
	do {								\
		const char *why_ = user_fault(u_##name, u_##name##_fix,	\
					      vector, error);		\
		CHECK(!why_, "%s", why_);				\
	} while (0)

TEST(ring3_in_gp)
{
	USER_FAULT(in, 13, 0);
}

TEST(ring3_out_gp)
{
	USER_FAULT(out, 13, 0);
}

/* Not skipped as in ring 1: ring 3's cli is its kernel's #GP. */
TEST(ring3_cli_gp)
{
	USER_FAULT(cli, 13, 0);
}

TEST(ring3_sti_gp)
{
	USER_FAULT(sti, 13, 0);
}

/* The hypercall gate has DPL 1: from ring 3, #GP(vector 31 << 3 | 2). */
TEST(ring3_hypercall_gp)
{
	USER_FAULT(hcall, 13, 31 * 8 + 2);
}

/* int $0x81 with no DPL-3 gate: #GP(0x81 << 3 | 2). */
TEST(ring3_int_no_dpl3_gp)
{
	USER_FAULT(int81, 13, 0x81 * 8 + 2);
}

TEST(ring3_ud2)
{
	USER_FAULT(ud2, 6, 0);
}

/* A supervisor page from ring 3: #PF with U set (present or not in the
 * shadow yet, so bit 0 may be either), cr2 the address. */
TEST(ring3_pf_supervisor_page)
{
	const char *why = user_fault(u_super, u_super_fix, 14, ~0u);

	CHECK(trec.regs.vector == 14, "vector %u", trec.regs.vector);
	CHECK((trec.regs.error & 6) == 4, "error 0x%x", trec.regs.error);
	CHECK(!why, "%s", why);
	CHECK(trec.cr2 == rv_gpa(user_super_page), "cr2 0x%x", trec.cr2);
}

/* int3 from ring 3 through the guest's DPL-3 interrupt gate for #BP (what
 * a debugger in the guest uses): the guest's #BP, eip past the int3. */
TEST(ring3_int3_dpl3_gate)
{
	const char *why;

	t_catch(3, RV_GATE_INTR | RV_GATE_USER);
	trap_len = 1;
	why = user_fault(u_int3, u_int3_fix, 3, 0);
	trap_len = 0;
	t_catch(3, RV_GATE_INTR);
	CHECK(!why, "%s", why);
}

TEST(ring3_pf_unmapped)
{
	USER_FAULT(unmapped, 14, 4);
	CHECK(trec.cr2 == 0x00600000, "cr2 0x%x", trec.cr2);
}

/* The timer interrupts ring 3: delivered through the SET_STACK stack with
 * the user frame; the interrupted user code then goes on. */
TEST(ring3_timer_interrupt)
{
	user_flag = 0;
	hook_count = 0;
	user_rearm = 1;
	rv_timer_oneshot(1000000);
	run_user(u_spin, EFLAGS_IF | 2);
	user_rearm = 0;
	CHECK(user_flag == 1 && hook_cs == USER_CS, "interrupt cs 0x%x",
	      hook_cs);
}

int main(int argc, char **argv)
{
	t_catch_all();
	rv_set_timer_hook(hook);
	setup_paging();
	rv_set_handler(0x80, sys_handler, RV_GATE_TRAP | RV_GATE_USER);
	return t_run_all(argc, argv);
}
