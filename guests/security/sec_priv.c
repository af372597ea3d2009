/* Security catalogue, positive guest: attacks that must each end in one
 * exact, survivable outcome (a reflected fault with its vector and error
 * code, an emulated instruction, or no effect). Privileged instructions
 * from ring 1 and ring 3, far transfers and segment loads naming the
 * host's selectors, `int n` for every vector from both rings, EFLAGS that
 * must not reach the Switcher's iret, IDT gates aimed at the Switcher,
 * GDT descriptors and page-table aliasing. One "PASS name"/"FAIL name: why"
 * line per case (tlib.c); tools/security.py reads the PCASE and SCASE
 * lines below for the catalogue (docs/security.md). */
#include "tlib.h"

#define USER_CS    0x73
#define USER_DS    0x7b
#define USER_MAGIC 0x600DF00D
#define PTE_UW     0x7
#define PTE_W      0x3
#define PTE_R      0x1

/* outcomes: a vector, or */
#define EMU   0x100     /* emulated by the host: no trap, execution goes on */
#define NONE  0x101     /* not privileged: no trap at all */
#define GP    13
#define TS    10

uint32_t sp_user_enter(uint32_t eip, uint32_t esp);
void sp_user_leave(uint32_t value) RV_NORETURN;
extern const char u_done[], p_int_table[];

struct pcase {
	const char *name;
	const char *p, *at, *fix;
	unsigned r1v;
	uint32_t r1e;
	unsigned r3v;
	uint32_t r3e;
};

/* PCASE(name, kind, ring-1 vector, error, ring-3 vector, error) */
#define PCASE(n, kind, v1, e1, v3, e3)					\
	{ #n, p_##n, p_##n##_at, p_##n##_fix, v1, e1, v3, e3 },
#define PDECL(n, kind, v1, e1, v3, e3)					\
	extern const char p_##n[], p_##n##_at[], p_##n##_fix[];

#define PCASES(X)							\
X(sti, "privileged: interrupt flag", GP, 0, GP, 0)			\
X(cli, "privileged: interrupt flag", EMU, 0, GP, 0)			\
X(hlt, "privileged: interrupt flag", GP, 0, GP, 0)			\
X(lgdt, "privileged: descriptor-table registers", GP, 0, GP, 0)		\
X(lidt, "privileged: descriptor-table registers", GP, 0, GP, 0)		\
X(ltr, "privileged: descriptor-table registers", GP, 0, GP, 0)		\
X(lldt, "privileged: descriptor-table registers", GP, 0, GP, 0)		\
X(sgdt_ok, "descriptor-table reads", NONE, 0, NONE, 0)			\
X(mov_from_cr0, "privileged: control registers", GP, 0, GP, 0)		\
X(mov_to_cr0, "privileged: control registers", GP, 0, GP, 0)		\
X(mov_from_cr2, "privileged: control registers", GP, 0, GP, 0)		\
X(mov_to_cr2, "privileged: control registers", GP, 0, GP, 0)		\
X(mov_from_cr3, "privileged: control registers", GP, 0, GP, 0)		\
X(mov_to_cr3, "privileged: control registers", GP, 0, GP, 0)		\
X(mov_from_cr4, "privileged: control registers", GP, 0, GP, 0)		\
X(mov_to_cr4, "privileged: control registers", GP, 0, GP, 0)		\
X(lmsw, "privileged: control registers", GP, 0, GP, 0)			\
X(clts, "privileged: control registers", GP, 0, GP, 0)			\
X(mov_from_dr0, "privileged: debug registers", GP, 0, GP, 0)		\
X(mov_from_dr1, "privileged: debug registers", GP, 0, GP, 0)		\
X(mov_from_dr2, "privileged: debug registers", GP, 0, GP, 0)		\
X(mov_from_dr3, "privileged: debug registers", GP, 0, GP, 0)		\
X(mov_from_dr6, "privileged: debug registers", GP, 0, GP, 0)		\
X(mov_from_dr7, "privileged: debug registers", GP, 0, GP, 0)		\
X(mov_to_dr0, "privileged: debug registers", GP, 0, GP, 0)		\
X(mov_to_dr1, "privileged: debug registers", GP, 0, GP, 0)		\
X(mov_to_dr2, "privileged: debug registers", GP, 0, GP, 0)		\
X(mov_to_dr3, "privileged: debug registers", GP, 0, GP, 0)		\
X(mov_to_dr6, "privileged: debug registers", GP, 0, GP, 0)		\
X(mov_to_dr7, "privileged: debug registers", GP, 0, GP, 0)		\
X(rdmsr, "privileged: model-specific registers", GP, 0, GP, 0)		\
X(wrmsr, "privileged: model-specific registers", GP, 0, GP, 0)		\
X(rdpmc, "privileged: model-specific registers", GP, 0, GP, 0)		\
X(wbinvd, "privileged: caches and TLB", GP, 0, GP, 0)			\
X(invd, "privileged: caches and TLB", GP, 0, GP, 0)			\
X(invlpg, "privileged: caches and TLB", GP, 0, GP, 0)			\
X(sysenter, "fast system calls", GP, 0, GP, 0)				\
X(sysexit, "fast system calls", GP, 0, GP, 0)				\
X(inb_port, "port I/O", EMU, 0, GP, 0)					\
X(outb_port, "port I/O", EMU, 0, GP, 0)					\
X(insb, "string port I/O", GP, 0, GP, 0)				\
X(insl, "string port I/O", GP, 0, GP, 0)				\
X(outsb, "string port I/O", GP, 0, GP, 0)				\
X(outsl, "string port I/O", GP, 0, GP, 0)				\
X(rep_inb, "string port I/O", GP, 0, GP, 0)				\
X(iret_ring0, "iret to an inner ring", GP, 0x60, GP, 0x60)		\
X(iret_host_cs, "iret to an inner ring", GP, 0x50, GP, 0x50)		\
X(lret_host_cs, "iret to an inner ring", GP, 0x50, GP, 0x50)		\
X(ljmp_host_cs, "far transfer to host selectors", GP, 0x50, GP, 0x50)	\
X(ljmp_host_ds, "far transfer to host selectors", GP, 0x58, GP, 0x58)	\
X(ljmp_host_tss, "far transfer to host selectors", GP, 0x80, GP, 0x80)	\
X(ljmp_df_tss, "far transfer to host selectors", GP, 0xF8, GP, 0xF8)	\
X(lcall_host_cs, "far transfer to host selectors", GP, 0x50, GP, 0x50)	\
X(lcall_host_tss, "far transfer to host selectors", GP, 0x80, GP, 0x80)	\
X(lcall_df_tss, "far transfer to host selectors", GP, 0xF8, GP, 0xF8)	\
X(ljmp_ldt_sel, "LDT selectors (TI=1)", GP, 0x54, GP, 0x54)		\
X(mov_gs_ldt, "LDT selectors (TI=1)", GP, 0x04, GP, 0x04)		\
X(mov_gs_ldt_host, "LDT selectors (TI=1)", GP, 0x54, GP, 0x54)		\
X(mov_ds_host, "segment loads of host selectors", GP, 0x58, GP, 0x58)	\
X(mov_es_host_cs, "segment loads of host selectors", GP, 0x50, GP, 0x50) \
X(mov_fs_tss, "segment loads of host selectors", GP, 0x80, GP, 0x80)	\
X(mov_ss_host, "segment loads of host selectors", GP, 0x58, GP, 0x58)	\
X(mov_ss_ring0, "segment loads of host selectors", GP, 0x68, GP, 0x68)	\
X(iret_nt, "guest EFLAGS reaching an iret", TS, 0, TS, 0)

PCASES(PDECL)
static const struct pcase pcases[] = { PCASES(PCASE) };
#define NPCASES (sizeof(pcases) / sizeof(pcases[0]))

/* SCASE(name, kind): a case of its own, below, registered with TEST. */
#define SCASE(name, kind) TEST(name)

/* ---- ring 3 ------------------------------------------------------------ */

static uint32_t pgdir[1024] __attribute__((aligned(4096)));
static uint32_t pgdir2[1024] __attribute__((aligned(4096)));
static uint32_t pgtab[1024] __attribute__((aligned(4096)));
static uint32_t pgtab2[1024] __attribute__((aligned(4096)));
static uint32_t page_f[1024] __attribute__((aligned(4096)));
static uint32_t page_g[1024] __attribute__((aligned(4096)));
static uint8_t user_stack[4096] __attribute__((aligned(4096)));
#define USER_SP rv_gpa(user_stack + sizeof(user_stack) - 16)
#define ALIAS_RW 0x00400000u
#define ALIAS_RO 0x00401000u
#define ALIAS_PT 0x00402000u

static volatile uint32_t sys_seen, sys_vec_seen;

static void sys_handler(struct rv_regs *r)
{
	if (r->eax == USER_MAGIC)
		sp_user_leave(r->ebx);
	sys_seen++;
	sys_vec_seen = r->vector;
}

static uint32_t run_user(const char *eip)
{
	*(volatile uint32_t *)USER_SP = rv_gpa(u_done);
	uint32_t v = sp_user_enter(rv_gpa(eip), USER_SP);
	rv_irq_enable();
	return v;
}

static void setup_paging(void)
{
	uint32_t lo, hi;

	for (uint32_t i = 0; i < 1024; i++)
		pgtab[i] = (i << 12) | PTE_UW;
	pgdir[0] = rv_gpa(pgtab) | PTE_UW;
	pgtab2[0] = rv_gpa(page_f) | PTE_W;
	pgtab2[1] = rv_gpa(page_f) | PTE_R;
	pgtab2[2] = rv_gpa(pgtab2) | PTE_W;
	pgdir[1] = rv_gpa(pgtab2) | PTE_W;
	pgdir2[0] = rv_gpa(pgtab) | PTE_UW;
	pgdir2[1] = rv_gpa(pgtab2) | PTE_W;
	rv_hcall1(HC_NEW_PGTABLE, rv_gpa(pgdir));
	t_flat_desc(0xA, 3, &lo, &hi);
	rv_hcall3(HC_LOAD_GDT_ENTRY, USER_CS >> 3, lo, hi);
	t_flat_desc(0x2, 3, &lo, &hi);
	rv_hcall3(HC_LOAD_GDT_ENTRY, USER_DS >> 3, lo, hi);
	rv_set_handler(0x80, sys_handler, RV_GATE_TRAP | RV_GATE_USER);
}

/* ---- the table-driven cases ----------------------------------------------- */

static void call_probe(const char *p)
{
	__asm__ volatile("pushal\n\tcall *%0\n\tpopal" :: "r"(p) : "memory", "cc");
}

static const char *outcome(uint32_t before, unsigned v, uint32_t e,
			   const char *at, unsigned ring)
{
	static char why[160];
	const volatile struct rv_regs *r = &trec.regs;

	if (v >= EMU) {
		if (trec.count == before)
			return NULL;
		rv_snprintf(why, sizeof(why), "trap %u error 0x%x at 0x%x, "
			    "expected none", r->vector, r->error, r->eip);
		return why;
	}
	if (trec.count != before + 1)
		rv_snprintf(why, sizeof(why), "%u traps seen, 1 expected",
			    trec.count - before);
	else if (r->vector != v || r->error != e)
		rv_snprintf(why, sizeof(why), "got vector %u error 0x%x, "
			    "expected vector %u error 0x%x", r->vector, r->error,
			    v, e);
	else if (r->eip != rv_gpa(at))
		rv_snprintf(why, sizeof(why), "pushed eip 0x%x, expected 0x%x",
			    r->eip, rv_gpa(at));
	else if (r->cs != (ring == 1 ? GUEST_CS : USER_CS))
		rv_snprintf(why, sizeof(why), "pushed cs 0x%x", r->cs);
	else if ((r->eflags & (EFLAGS_IOPL | EFLAGS_IF)) != EFLAGS_IF)
		rv_snprintf(why, sizeof(why), "pushed eflags 0x%x", r->eflags);
	else
		return NULL;
	return why;
}

static int run_pcases(void)
{
	int failures = 0;

	for (unsigned ring = 1; ring <= 3; ring += 2)
		for (unsigned i = 0; i < NPCASES; i++) {
			const struct pcase *c = &pcases[i];
			uint32_t before = trec.count;

			probe_at = rv_gpa(c->at);
			probe_fix = rv_gpa(c->fix);
			if (ring == 1)
				call_probe(c->p);
			else
				run_user(c->p);
			probe_fix = 0;
			rv_irq_enable();
			const char *why = ring == 1 ?
				outcome(before, c->r1v, c->r1e, c->at, 1) :
				outcome(before, c->r3v, c->r3e, c->at, 3);
			if (why) {
				rv_printf("FAIL r%u_%s: %s\n", ring, c->name, why);
				failures++;
			} else {
				rv_printf("PASS r%u_%s\n", ring, c->name);
			}
		}
	return failures;
}

/* ---- int n for every vector ------------------------------------------------ */

static int host_vector(unsigned v)
{
	return v == 2 || v == 8 || v == 15 || (v >= 32 && v < 48);
}

/* The error-code vectors: `int n` cannot push the code the host's stub
 * expects, so the host must refuse them like its own (DPL 0: #GP). */
static int errcode_vector(unsigned v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17;
}

static void install_all(unsigned kind)
{
	for (unsigned v = 0; v < 256; v++)
		if (!host_vector(v) && v != 31 && v != 0x80)
			t_catch(v, kind);
}

/* The outcome of int $v from ring (1 or 3) with every gate DPL gate_dpl:
 * vector 0x100 = no trap. */
static void expected_int(unsigned v, unsigned ring, unsigned gate_dpl,
			 unsigned *ev, uint32_t *ee)
{
	*ev = v;
	*ee = 0;
	if (v == 0x80) {                        /* the system call: DPL 3 */
		*ev = 0x80;
		return;
	}
	if (v == 31) {                          /* the hypercall: ring 1 */
		if (ring == 1)
			*ev = EMU;
		else
			*ev = GP, *ee = v * 8 + 2;
		return;
	}
	if (host_vector(v) || errcode_vector(v) || v == 7 || gate_dpl < ring)
		*ev = GP, *ee = v * 8 + 2;
}

static char sweep_why[256];

static int int_sweep(unsigned ring, unsigned gate_dpl)
{
	int bad = 0;
	uint32_t ticks = rv_timer_ticks();
	char *w = sweep_why;

	sweep_why[0] = '\0';
	for (unsigned v = 0; v < 256; v++) {
		const char *p = p_int_table + v * 8;
		uint32_t before = trec.count, sys_before = sys_seen;
		unsigned ev;
		uint32_t ee;

		if ((errcode_vector(v) && !host_vector(v)) || v == 7)
			continue;       /* one module each: errvec_main() */
		expected_int(v, ring, gate_dpl, &ev, &ee);
		probe_at = rv_gpa(p + 2);
		probe_fix = rv_gpa(p + 4);
		if (ring == 1)
			call_probe(p);
		else
			run_user(p);
		probe_fix = 0;
		rv_irq_enable();

		unsigned gv = 0x100;
		uint32_t ge = 0, geip = 0;
		if (sys_seen != sys_before)
			gv = 0x80;
		else if (trec.count != before)
			gv = trec.regs.vector, ge = trec.regs.error,
			geip = trec.regs.eip;
		int ok = gv == ev && (ev >= 0x80 || ge == ee);
		if (ok && ev < 0x80)            /* fault: at the int; trap: after */
			ok = geip == (ev == v && ee == 0 ? probe_at + 2 : probe_at);
		if (!ok) {
			bad++;
			if (w < sweep_why + sizeof(sweep_why) - 40)
				w += rv_snprintf(w, 40, " %u:got %u/0x%x", v, gv, ge);
		}
	}
	(void)ticks;
	return bad;
}

/* sys_handler is DPL 3 trap gate for 0x80; route it the same for sweeps. */
SCASE(int_sweep_ring1, "int n for every vector")
{
	install_all(RV_GATE_INTR);
	int bad = int_sweep(1, 1);
	CHECK(!bad, "%d vectors wrong:%s", bad, sweep_why);
}

SCASE(int_sweep_ring3_dpl1, "int n for every vector")
{
	install_all(RV_GATE_INTR);
	int bad = int_sweep(3, 1);
	CHECK(!bad, "%d vectors wrong:%s", bad, sweep_why);
}

SCASE(int_sweep_ring3_dpl3, "int n for every vector")
{
	install_all(RV_GATE_INTR | RV_GATE_USER);
	int bad = int_sweep(3, 3);
	install_all(RV_GATE_INTR);
	CHECK(!bad, "%d vectors wrong:%s", bad, sweep_why);
}

/* int $7 through the guest's own present gate: the host cannot tell it
 * from a lazy-FPU #NM, so the gate is closed to `int`: #GP(0x3A) is
 * reflected at the int instruction, never swallowed. */
static const char *int7(unsigned ring)
{
	static char why[80];
	const char *p = p_int_table + 7 * 8;
	uint32_t before = trec.count;

	install_all(RV_GATE_INTR | RV_GATE_USER);
	probe_at = rv_gpa(p + 2);
	probe_fix = rv_gpa(p + 4);
	if (ring == 1)
		call_probe(p);
	else
		run_user(p);
	probe_fix = 0;
	install_all(RV_GATE_INTR);
	if (trec.count == before + 1 && trec.regs.vector == GP &&
	    trec.regs.error == 7 * 8 + 2 && trec.regs.eip == probe_at)
		return NULL;
	rv_snprintf(why, sizeof(why), "%u traps, last %u at 0x%x",
		    trec.count - before, trec.regs.vector, trec.regs.eip);
	return why;
}

SCASE(int7_ring1_reflected, "int n for every vector")
{
	const char *why = int7(1);
	CHECK(!why, "%s", why);
}

SCASE(int7_ring3_reflected, "int n for every vector")
{
	const char *why = int7(3);
	CHECK(!why, "%s", why);
}

/* int $0x20..0x2F, 200 times each from ring 1: #GP every time, and the
 * guest's timer (the host's PIT deadline) neither fires early nor stops. */
SCASE(irq_vectors_no_host_effect, "int n for every vector")
{
	struct rv_counters c0, c1;
	uint32_t ticks = rv_timer_ticks(), before = trec.count;

	t_get_counters(&c0);
	for (unsigned k = 0; k < 200; k++)
		for (unsigned v = 32; v < 48; v++) {
			const char *p = p_int_table + v * 8;
			probe_at = rv_gpa(p + 2);
			probe_fix = rv_gpa(p + 4);
			call_probe(p);
		}
	probe_fix = 0;
	t_get_counters(&c1);
	CHECK(trec.count == before + 3200, "%u traps", trec.count - before);
	CHECK(trec.regs.vector == 13 && trec.regs.error == 47 * 8 + 2,
	      "last trap %u/0x%x", trec.regs.vector, trec.regs.error);
	CHECK(rv_timer_ticks() == ticks && c1.timer_irqs == c0.timer_irqs,
	      "timer ticks %u -> %u", ticks, rv_timer_ticks());
	rv_sleep_ns(1000000);
	CHECK(rv_timer_ticks() == ticks + 1, "timer no longer works");
}

/* ---- EFLAGS ---------------------------------------------------------------- */

SCASE(popf_cannot_clear_if, "popf in ring 1")
{
	uint32_t f;

	__asm__ volatile("pushfl\n\tandl $~0x200, (%%esp)\n\torl $0x3000, (%%esp)\n\t"
			 "popfl\n\tpushfl\n\tpopl %0" : "=r"(f) :: "cc");
	CHECK((f & (EFLAGS_IF | EFLAGS_IOPL)) == EFLAGS_IF, "eflags 0x%x", f);
	/* and a timer interrupt still arrives */
	uint32_t ticks = rv_timer_ticks();
	rv_timer_oneshot(500000);
	t_spin_until((volatile uint32_t *)&rv_lguest_data.irq_enabled, 0);
	uint64_t end = rv_time_ns() + 50000000;
	while (rv_timer_ticks() == ticks && rv_time_ns() < end)
		__asm__ volatile("popfl; pushfl" ::: "cc");     /* keep popping */
	CHECK(rv_timer_ticks() == ticks + 1, "no timer interrupt");
}

SCASE(nt_cleared_by_switch, "guest EFLAGS reaching an iret")
{
	uint32_t f;

	/* NT set by popf (any ring may), then a hypercall: the Switcher's
	 * iret must not become a task return, and NT comes back clear. */
	__asm__ volatile("pushfl\n\torl $0x4000, (%%esp)\n\tpopfl\n\t"
			 "xorl %%eax, %%eax\n\tint $0x1F\n\t"
			 "pushfl\n\tpopl %0\n\t"
			 "pushfl\n\tandl $~0x4000, (%%esp)\n\tpopfl"
			 : "=r"(f) :: "eax", "cc", "memory");
	CHECK(!(f & 0x4000), "eflags 0x%x after the hypercall", f);
}

SCASE(ac_tf_flags_kept_harmless, "guest EFLAGS reaching an iret")
{
	uint32_t f;

	__asm__ volatile("pushfl\n\torl $0x40000, (%%esp)\n\tpopfl\n\t"
			 "xorl %%eax, %%eax\n\tint $0x1F\n\t"
			 "pushfl\n\tpopl %0\n\t"
			 "pushfl\n\tandl $~0x40000, (%%esp)\n\tpopfl"
			 : "=r"(f) :: "eax", "cc", "memory");
	CHECK((f & (EFLAGS_IF | EFLAGS_IOPL | 0x20000)) == EFLAGS_IF,
	      "eflags 0x%x", f);
}

/* ---- segments ---------------------------------------------------------------- */

SCASE(null_selectors_at_switch, "null selectors at a world switch")
{
	uint32_t ds, es, fs, gs;

	__asm__ volatile("xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%ds\n\tmovl %%eax, %%es\n\t"
			 "movl %%eax, %%fs\n\tmovl %%eax, %%gs\n\t"
			 "int $0x1F\n\t"
			 "movl %%ds, %0\n\tmovl %%es, %1\n\tmovl %%fs, %2\n\t"
			 "movl %%gs, %3\n\t"
			 "movl $0x69, %%eax\n\tmovl %%eax, %%ds\n\tmovl %%eax, %%es"
			 : "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs) :: "eax", "memory");
	CHECK(!ds && !es && !fs && !gs, "ds %x es %x fs %x gs %x", ds, es, fs, gs);
}

SCASE(rpl0_data_selector_at_switch, "null selectors at a world switch")
{
	uint32_t ds;

	__asm__ volatile("movl $0x68, %%eax\n\tmovl %%eax, %%ds\n\t"
			 "xorl %%eax, %%eax\n\tint $0x1F\n\tmovl %%ds, %0\n\t"
			 "movl $0x69, %%eax\n\tmovl %%eax, %%ds"
			 : "=r"(ds) :: "eax", "memory");
	CHECK(ds == 0x68, "ds 0x%x", ds);
}

static volatile uint32_t far_cs;
void sec_far_target(void);
__asm__(".text\nsec_far_target:\n\tmovl %cs, %eax\n\tmovl %eax, far_cs\n\tlret\n");

SCASE(lcall_rpl0_own_code_stays_ring1, "far transfer to host selectors")
{
	far_cs = 0;
	__asm__ volatile("lcall $0x60, $sec_far_target" ::: "eax", "memory");
	CHECK(far_cs == GUEST_CS, "ran with cs 0x%x", far_cs);
}

SCASE(gdt_conforming_dpl0_raised, "GDT: conforming code")
{
	uint32_t lo, hi, ar;

	t_flat_desc(0xE, 0, &lo, &hi);          /* conforming, readable, DPL 0 */
	rv_hcall3(HC_LOAD_GDT_ENTRY, 20, lo, hi);
	ar = t_lar(20 * 8 + 1);
	CHECK(ar != ~0u, "lar refuses it");
	CHECK(((ar >> 13) & 3) == 1, "DPL %u", (ar >> 13) & 3);
	far_cs = 0;
	__asm__ volatile("lcall $0xA1, $sec_far_target" ::: "eax", "memory");
	CHECK((far_cs & 3) == 1 && far_cs == 0xA1, "ran with cs 0x%x", far_cs);
	rv_hcall3(HC_LOAD_GDT_ENTRY, 20, 0, 0);
}

SCASE(gdt_host_slot_cs_unchanged, "GDT: host slots")
{
	uint32_t lo, hi, before = t_lar(0x50), before_tss = t_lar(0x80);

	t_flat_desc(0xA, 1, &lo, &hi);
	rv_hcall3(HC_LOAD_GDT_ENTRY, 10, lo, hi);
	rv_hcall3(HC_LOAD_GDT_ENTRY, 16, lo, hi);
	CHECK(t_lar(0x50) == before && t_lar(0x80) == before_tss,
	      "lar 0x50 0x%x -> 0x%x", before, t_lar(0x50));
	__asm__ volatile(PROBE_ARM "1: ljmp $0x51, $0\n2:" ::: "memory");
	CHECK(trec.regs.vector == 13 && trec.regs.error == 0x50, "ljmp 0x51: %u/0x%x",
	      trec.regs.vector, trec.regs.error);
}

/* ---- IDT gates aimed at the host ------------------------------------------------ */

static volatile uint32_t saved_esp;

/* int3 through a gate whose offset is `target`: returns the trap seen. */
static void gate_to(uint32_t target, uint32_t type, uint32_t dpl)
{
	uint32_t lo = (GUEST_CS << 16) | (target & 0xFFFF);
	uint32_t hi = (target & 0xFFFF0000) | 0x8000 | (dpl << 13) | (type << 8);

	rv_hcall3(HC_LOAD_IDT_ENTRY, 3, lo, hi);
	__asm__ volatile("movl %%esp, saved_esp\n\t"
			 "movl $1f, probe_at\n\tmovl $2f, probe_fix\n\t"
			 "1: int3\n2:\tmovl saved_esp, %%esp"
			 ::: "eax", "ecx", "edx", "memory");
	t_catch(3, RV_GATE_INTR);
}

SCASE(idt_gate_into_switcher_text, "IDT: gates aimed at the Switcher or host")
{
	uint32_t before = trec.count;

	gate_to(SWITCHER_ADDR, 0xF, 1);         /* direct: runs in ring 1 */
	CHECK(trec.count == before + 1, "%u traps", trec.count - before);
	CHECK(trec.regs.vector == 14 && trec.regs.error == 3 &&
	      (trec.cr2 & 0xFFFFF000) == SWITCHER_ADDR + 0x3000,
	      "got %u/0x%x cr2 0x%x eip 0x%x", trec.regs.vector, trec.regs.error,
	      trec.cr2, trec.regs.eip);
	CHECK(trec.regs.cs == GUEST_CS && (trec.regs.eip >> 12) == SWITCHER_ADDR >> 12,
	      "cs 0x%x eip 0x%x", trec.regs.cs, trec.regs.eip);
}

SCASE(idt_gate_into_switcher_stubs, "IDT: gates aimed at the Switcher or host")
{
	uint32_t before = trec.count;

	/* interrupt gate: reflected by the host, which jumps to the offset */
	gate_to(SWITCHER_ADDR + 0x200, 0xE, 1);
	CHECK(trec.count == before + 1, "%u traps", trec.count - before);
	CHECK(trec.regs.cs == GUEST_CS, "cs 0x%x", trec.regs.cs);
	/* the stub runs in ring 1 until SWITCH_TO_HOST loads the host's %ds */
	CHECK(trec.regs.vector == 13 && trec.regs.error == 0x58 &&
	      (trec.regs.eip >> 12) == SWITCHER_ADDR >> 12,
	      "got %u/0x%x at 0x%x", trec.regs.vector, trec.regs.error, trec.regs.eip);
}

SCASE(idt_gate_beyond_memory, "IDT: gates aimed at the Switcher or host")
{
	uint32_t before = trec.count;

	gate_to(0xC0100000, 0xF, 1);
	CHECK(trec.count == before + 1, "%u traps", trec.count - before);
	CHECK(trec.regs.vector == 14 && trec.regs.eip == 0xC0100000 &&
	      trec.cr2 == 0xC0100000, "got %u/0x%x eip 0x%x cr2 0x%x",
	      trec.regs.vector, trec.regs.error, trec.regs.eip, trec.cr2);
}

static volatile uint32_t odd_hits;
static void odd_handler(struct rv_regs *r) { (void)r; odd_hits++; }

/* A gate of a type other than 0xE/0xF (task gate 5, 16-bit 6, call gate C) */
static const char *odd_gate(uint32_t type)
{
	extern const char rv_trap_stubs[];
	uint32_t target = rv_gpa(rv_trap_stubs + 3 * RV_TRAP_STUB_SIZE);
	uint32_t before = trec.count, hits = odd_hits;
	static char why[80];

	rv_set_handler(3, odd_handler, RV_GATE_INTR);
	rv_hcall3(HC_LOAD_IDT_ENTRY, 3, (GUEST_CS << 16) | (target & 0xFFFF),
		  (target & 0xFFFF0000) | 0x8000 | (1 << 13) | (type << 8));
	__asm__ volatile(PROBE_ARM "1: int3\n2:" ::: "memory");
	probe_fix = 0;
	t_catch(3, RV_GATE_INTR);
	if (odd_hits == hits + 1 && trec.count == before)
		return NULL;
	rv_snprintf(why, sizeof(why), "type %x: %u handler hits, %u traps", type,
		    odd_hits - hits, trec.count - before);
	return why;
}

SCASE(idt_odd_gate_types, "IDT: wrong gate type or DPL")
{
	/* delivered to the handler as a trap gate would be: no task switch,
	 * no 16-bit frame, no call through a gate */
	const char *why = odd_gate(0x5);
	CHECK(!why, "%s", why);
	why = odd_gate(0x6);
	CHECK(!why, "%s", why);
	why = odd_gate(0xC);
	CHECK(!why, "%s", why);
}

SCASE(idt_gate_dpl0_int3_gp, "IDT: wrong gate type or DPL")
{
	uint32_t before = trec.count;
	extern const char rv_trap_stubs[];
	uint32_t target = rv_gpa(rv_trap_stubs + 3 * RV_TRAP_STUB_SIZE);

	rv_hcall3(HC_LOAD_IDT_ENTRY, 3, (GUEST_CS << 16) | (target & 0xFFFF),
		  (target & 0xFFFF0000) | 0x8000 | (0xF << 8));
	__asm__ volatile(PROBE_ARM "1: int3\n2:" ::: "memory");
	t_catch(3, RV_GATE_INTR);
	const char *why = t_trap_mismatch(before, 13, 3 * 8 + 2, probe_at);
	CHECK(!why, "%s", why);
}

/* ---- ROM stubs ---------------------------------------------------------------- */

/* The guest-visible layout (switcher/switcher.h): the ROM page, then the
 * alias of the guest's own lguest_data frame. */
#define ROM_PAGE    (SWITCHER_ADDR + 0x4000)
#define LDATA_PAGE  (SWITCHER_ADDR + 0x5000)

/* The real IDT entry for v (sidt works in ring 1; the state page is
 * readable): its selector in the high half of *lo. */
static void real_gate(unsigned v, uint32_t *lo, uint32_t *hi)
{
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	*lo = ((const volatile uint32_t *)idtr.base)[v * 2];
	*hi = ((const volatile uint32_t *)idtr.base)[v * 2 + 1];
}

SCASE(rom_page_read_only, "ROM stubs: the page and its alias")
{
	uint32_t before = trec.count, lo, hi;

	rv_set_handler(0x80, sys_handler, RV_GATE_INTR | RV_GATE_USER);
	real_gate(0x80, &lo, &hi);
	rv_set_handler(0x80, sys_handler, RV_GATE_TRAP | RV_GATE_USER);
	uint32_t slot = (lo & 0xFFFF) | (hi & 0xFFFF0000);
	CHECK(slot - ROM_PAGE < 4096, "gate 0x80 at 0x%x, not in the ROM", slot);
	uint32_t was = *(volatile uint32_t *)slot;
	__asm__ volatile(PROBE_ARM "1: movl %%eax, (%0)\n2:"
			 :: "r"(slot), "a"(0xCCCCCCCC) : "memory");
	const char *why = t_trap_mismatch(before, 14, 3, probe_at);
	CHECK(!why, "%s", why);
	CHECK(trec.cr2 == slot, "cr2 0x%x", trec.cr2);
	CHECK(*(volatile uint32_t *)slot == was, "the ROM changed");
}

SCASE(rom_alias_is_own_frame, "ROM stubs: the page and its alias")
{
	volatile uint32_t *own = &rv_lguest_data.cr2;
	volatile uint32_t *alias = (volatile uint32_t *)(LDATA_PAGE + (rv_gpa(own) & 0xFFF));
	uint32_t was = *own;

	*alias = 0x5A5A1234;
	uint32_t seen_own = *own;
	*own = 0x1234A5A5;
	uint32_t seen_alias = *alias;
	*own = was;
	CHECK(seen_own == 0x5A5A1234 && seen_alias == 0x1234A5A5,
	      "through the alias 0x%x, through its own mapping 0x%x", seen_own, seen_alias);
}

SCASE(rom_error_vector_int_gp, "ROM stubs: gates")
{
	uint32_t before = trec.count, lo, hi;

	t_catch(11, RV_GATE_INTR | RV_GATE_USER);
	real_gate(11, &lo, &hi);
	__asm__ volatile(PROBE_ARM "1: int $11\n2:" ::: "memory");
	t_catch(11, RV_GATE_INTR);
	CHECK((lo >> 16) == GUEST_CS && ((hi >> 13) & 3) == 0,
	      "gate 11: sel 0x%x dpl %u", lo >> 16, (hi >> 13) & 3);
	const char *why = t_trap_mismatch(before, 13, 11 * 8 + 2, probe_at);
	CHECK(!why, "%s", why);
}

SCASE(rom_nmi_mc_kept_by_host, "ROM stubs: gates")
{
	extern const char rv_trap_stubs[];
	uint32_t entry = rv_gpa(rv_trap_stubs + 18 * RV_TRAP_STUB_SIZE), lo2, hi2, lo18, hi18;

	rv_hcall3(HC_LOAD_IDT_ENTRY, 2, (GUEST_CS << 16) | (entry & 0xFFFF),
		  (entry & 0xFFFF0000) | 0xEE00);
	rv_hcall3(HC_LOAD_IDT_ENTRY, 18, (GUEST_CS << 16) | (entry & 0xFFFF),
		  (entry & 0xFFFF0000) | 0xEE00);
	real_gate(2, &lo2, &hi2);
	real_gate(18, &lo18, &hi18);
	CHECK((lo2 >> 16) == 0x50 && (lo18 >> 16) == 0x50,
	      "real gates 2 and 18 name selectors 0x%x and 0x%x", lo2 >> 16, lo18 >> 16);
}

/* ---- page tables -------------------------------------------------------------- */

SCASE(pt_alias_rw_ro_same_frame, "page tables: aliasing")
{
	*(volatile uint32_t *)ALIAS_RW = 0x1234ABCD;
	CHECK(*(volatile uint32_t *)ALIAS_RO == 0x1234ABCD, "RO alias reads 0x%x",
	      *(volatile uint32_t *)ALIAS_RO);
	uint32_t before = trec.count;
	__asm__ volatile(PROBE_ARM "1: movl $0x55, " "0x00401000" "\n2:" ::: "memory");
	const char *why = t_trap_mismatch(before, 14, 3, probe_at);
	CHECK(!why, "write to the RO alias: %s", why);
	CHECK(trec.cr2 == ALIAS_RO, "cr2 0x%x", trec.cr2);
	CHECK(page_f[0] == 0x1234ABCD, "frame changed to 0x%x", page_f[0]);
}

SCASE(pt_page_edited_unreported, "page tables: unreported edits")
{
	volatile uint32_t *pt = (volatile uint32_t *)ALIAS_PT;

	page_g[0] = 0x6666;
	(void)*(volatile uint32_t *)ALIAS_RW;           /* shadow filled */
	pt[0] = rv_gpa(page_g) | PTE_W | 0x60;          /* A and D preset */
	uint32_t stale = *(volatile uint32_t *)ALIAS_RW;
	CHECK(stale == 0x1234ABCD || stale == 0x6666, "read 0x%x", stale);
	rv_hcall3(HC_SET_PTE, rv_gpa(pgdir), ALIAS_RW, pt[0]);
	CHECK(*(volatile uint32_t *)ALIAS_RW == 0x6666, "after SET_PTE 0x%x",
	      *(volatile uint32_t *)ALIAS_RW);
	pt[0] = rv_gpa(page_f) | PTE_W | 0x60;
	rv_hcall3(HC_SET_PTE, rv_gpa(pgdir), ALIAS_RW, pt[0]);
}

SCASE(pt_cached_dir_edited_unreported, "page tables: cached directory")
{
	volatile uint32_t *pt = (volatile uint32_t *)ALIAS_PT;

	(void)*(volatile uint32_t *)ALIAS_RW;
	rv_hcall1(HC_NEW_PGTABLE, rv_gpa(pgdir2));
	(void)*(volatile uint32_t *)ALIAS_RW;
	/* while the first directory is cached and out of use, its table
	 * (shared here) is pointed at a frame it owns, unreported */
	pt[0] = rv_gpa(page_g) | PTE_W | 0x60;
	rv_hcall1(HC_NEW_PGTABLE, rv_gpa(pgdir));
	uint32_t v = *(volatile uint32_t *)ALIAS_RW;
	/* the cached shadow still maps the old frame (its own): no refill */
	CHECK(v == 0x1234ABCD, "read 0x%x", v);
	pt[0] = rv_gpa(page_f) | PTE_W | 0x60;
	rv_hcall1(HC_FLUSH_TLB, 1);
	CHECK(*(volatile uint32_t *)ALIAS_RW == 0x1234ABCD, "after flush");
}

/* `-- errvec RING VECTOR`: int $VECTOR for an error-code vector through a
 * DPL-3 gate, from ring 1 or 3, alone in its module: the stub is closed to
 * `int`, so #GP(v*8+2) is reflected (had it been open, the frame would be
 * one word off and the guest would die). */
static int errvec_main(unsigned ring, unsigned v)
{
	unsigned ev;
	uint32_t ee;
	const char *p = p_int_table + v * 8;
	uint32_t before = trec.count;

	install_all(RV_GATE_INTR | RV_GATE_USER);
	expected_int(v, ring, 3, &ev, &ee);
	probe_at = rv_gpa(p + 2);
	probe_fix = rv_gpa(p + 4);
	if (ring == 1)
		call_probe(p);
	else
		run_user(p);
	probe_fix = 0;
	if (trec.count == before + 1 && trec.regs.vector == ev &&
	    trec.regs.error == ee && trec.regs.eip == probe_at) {
		rv_printf("PASS errvec_r%u_%u\n", ring, v);
		return 0;
	}
	rv_printf("FAIL errvec_r%u_%u: %u traps, last %u/0x%x at 0x%x\n", ring, v,
		  trec.count - before, trec.regs.vector, trec.regs.error,
		  trec.regs.eip);
	return 1;
}

static unsigned num(const char *s)
{
	unsigned v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned)(*s++ - '0');
	return v;
}

int main(int argc, char **argv)
{
	int failures;

	t_catch_all();
	setup_paging();
	if (argc == 4 && !memcmp(argv[1], "errvec", 7))
		return errvec_main(num(argv[2]), num(argv[3]));
	failures = run_pcases();
	return t_run_all(argc, argv) | (failures ? 1 : 0);
}
