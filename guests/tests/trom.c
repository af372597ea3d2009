/* Test guest: the ROM stubs (switcher/rom.c). An interrupt gate for the
 * system-call vector or an exception becomes a ring-1 trap gate to a stub
 * that moves the virtual IF into the frame: no world switch, the frame and
 * registers as the host path gives them, TF as natively, the real gate
 * following every change of the guest's gate, NMI and #MC kept by the
 * host, and no virtual interrupt while eip is in a stub. */
#include "tlib.h"

/* The layout the host gives every guest (switcher/switcher.h): the ROM
 * page follows the two text pages and the regs and state pages. */
#define ROM_PAGE     (SWITCHER_ADDR + 0x4000)
#define HOST_CS      0x50       /* the Switcher's stubs' selector */
#define GATE_TRAP    0xF

/* The real gate the CPU uses for vector v, read through sidt: the state
 * page is readable from ring 1. */
struct real_gate {
	uint32_t offset, sel, type, dpl, present;
};

static struct real_gate real_gate(unsigned v)
{
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr;
	struct real_gate g;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	const volatile uint32_t *e = (const volatile uint32_t *)(idtr.base + v * 8);
	uint32_t lo = e[0], hi = e[1];
	g.offset = (lo & 0xFFFF) | (hi & 0xFFFF0000);
	g.sel = lo >> 16;
	g.type = (hi >> 8) & 0xF;
	g.dpl = (hi >> 13) & 3;
	g.present = (hi >> 15) & 1;
	return g;
}

static int in_rom(uint32_t eip)
{
	return eip - ROM_PAGE < 4096;
}

static volatile uint32_t sc_count, sc_eip, sc_cs, sc_eflags, sc_irq_enabled,
	sc_live_eflags;
static volatile struct rv_regs sc_regs;

static void sys_handler(struct rv_regs *r)
{
	sc_live_eflags = t_eflags();
	sc_count++;
	sc_regs = *r;
	sc_eip = r->eip;
	sc_cs = r->cs;
	sc_eflags = r->eflags;
	sc_irq_enabled = rv_lguest_data.irq_enabled;
	r->eax = 0x5C;
}

static volatile uint32_t other_count;

static void other_handler(struct rv_regs *r)
{
	other_count++;
	r->eax = 0x77;
}

/* The real gate of an interrupt gate is a ring-1 trap gate to the ROM,
 * with the guest's DPL. */
TEST(real_gate_is_rom_trap_gate)
{
	rv_set_handler(0x80, sys_handler, RV_GATE_INTR | RV_GATE_USER);
	struct real_gate g = real_gate(0x80);

	CHECK(g.present && g.type == GATE_TRAP && g.sel == GUEST_CS && g.dpl == 3,
	      "gate 0x80: type 0x%x sel 0x%x dpl %u", g.type, g.sel, g.dpl);
	CHECK(in_rom(g.offset), "gate 0x80 offset 0x%x, not in the ROM", g.offset);
	g = real_gate(6);               /* #UD: the catcher's DPL-1 interrupt gate */
	CHECK(g.type == GATE_TRAP && g.sel == GUEST_CS && g.dpl == 1 && in_rom(g.offset),
	      "gate 6: type 0x%x sel 0x%x dpl %u offset 0x%x", g.type, g.sel, g.dpl,
	      g.offset);
}

/* Ring 1 (a 3-word frame), virtual IF on: the handler runs with it off,
 * the pushed EFLAGS has IF set, and no world switch. */
TEST(syscall_ring1_if_on)
{
	uint32_t ret_eip, before = sc_count;
	uint64_t r0 = t_counter_reflected();
	uint32_t eax = t_int80(&ret_eip);
	uint64_t r1 = t_counter_reflected();

	CHECK(sc_count == before + 1 && eax == 0x5C, "handler not reached");
	CHECK(sc_eip == ret_eip && sc_cs == GUEST_CS, "frame eip 0x%x cs 0x%x",
	      sc_eip, sc_cs);
	CHECK(r1 == r0, "reflected_traps grew by %llu: not direct", r1 - r0);
	CHECK(sc_irq_enabled == 0, "irq_enabled 0x%x in the handler", sc_irq_enabled);
	CHECK(sc_eflags & EFLAGS_IF, "pushed eflags 0x%x without IF", sc_eflags);
	CHECK(rv_lguest_data.irq_enabled == LGUEST_IF, "irq_enabled 0x%x after",
	      rv_lguest_data.irq_enabled);
}

/* Virtual IF off: the pushed EFLAGS says so (the CPU pushed IF = 1), and
 * it stays off after the return. */
TEST(syscall_ring1_if_off)
{
	uint32_t ret_eip, before = sc_count;

	rv_irq_disable();
	uint32_t eax = t_int80(&ret_eip);
	uint32_t after = rv_lguest_data.irq_enabled;
	rv_irq_enable();
	CHECK(sc_count == before + 1 && eax == 0x5C, "handler not reached");
	CHECK(!(sc_eflags & EFLAGS_IF) && (sc_eflags & 2), "pushed eflags 0x%x",
	      sc_eflags);
	CHECK(sc_irq_enabled == 0 && after == 0, "irq_enabled 0x%x in, 0x%x after",
	      sc_irq_enabled, after);
}

/* Every general-purpose register reaches the handler as it was (they are
 * a system call's arguments), and so do null data segments: the stub
 * names memory through %ss only, so a null %ds/%es/%fs/%gs cannot fault
 * it. */
TEST(registers_and_null_segments_kept)
{
	uint32_t before = sc_count;

	__asm__ volatile("pushl %%ebp\n\t"
			 "pushl %%ds\n\tpushl %%es\n\tpushl %%fs\n\tpushl %%gs\n\t"
			 "movl $0x11111111, %%eax\n\tmovl $0x22222222, %%ebx\n\t"
			 "movl $0x33333333, %%ecx\n\tmovl $0x44444444, %%edx\n\t"
			 "movl $0x55555555, %%esi\n\tmovl $0x66666666, %%edi\n\t"
			 "movl $0x77777777, %%ebp\n\t"
			 "pushl $0\n\tpopl %%ds\n\tpushl $0\n\tpopl %%es\n\t"
			 "pushl $0\n\tpopl %%fs\n\tpushl $0\n\tpopl %%gs\n\t"
			 "int $0x80\n\t"
			 "popl %%gs\n\tpopl %%fs\n\tpopl %%es\n\tpopl %%ds\n\t"
			 "popl %%ebp"
			 ::: "eax", "ebx", "ecx", "edx", "esi", "edi", "memory", "cc");
	CHECK(sc_count == before + 1, "handler not reached");
	CHECK(sc_regs.eax == 0x11111111 && sc_regs.ebx == 0x22222222 &&
	      sc_regs.ecx == 0x33333333 && sc_regs.edx == 0x44444444 &&
	      sc_regs.esi == 0x55555555 && sc_regs.edi == 0x66666666 &&
	      sc_regs.ebp == 0x77777777, "registers %x %x %x %x %x %x %x",
	      sc_regs.eax, sc_regs.ebx, sc_regs.ecx, sc_regs.edx, sc_regs.esi,
	      sc_regs.edi, sc_regs.ebp);
	CHECK((sc_regs.ds | sc_regs.es | sc_regs.fs | sc_regs.gs) == 0,
	      "segments %x %x %x %x", sc_regs.ds, sc_regs.es, sc_regs.fs, sc_regs.gs);
}

/* TF set by popf just before int $0x80: what the handler saw, and the
 * #DB traps that followed (count, eip of the last, where expected). */
struct tf_seen {
	uint32_t handler_runs, pushed_tf, live_tf, db_count, db_eip, expect_eip;
};

static struct tf_seen tf_run(void)
{
	struct tf_seen s;
	uint32_t before = sc_count, traps = trec.count;

	__asm__ volatile("movl $3f, probe_fix\n\tmovl $3f, %0\n\t"
			 "movl $0, %%eax\n\t"
			 "pushfl\n\torl $0x100, (%%esp)\n\tpopfl\n\t"
			 "int $0x80\n\t"
			 "nop\n3:"
			 : "=m"(s.expect_eip) :: "eax", "memory", "cc");
	probe_fix = 0;
	s.handler_runs = sc_count - before;
	s.pushed_tf = sc_eflags & EFLAGS_TF;
	s.live_tf = sc_live_eflags & EFLAGS_TF;
	s.db_count = trec.count - traps;
	s.db_eip = trec.regs.vector == 1 ? trec.regs.eip : 0;
	return s;
}

/* TF around int $0x80 as natively: the same as through a trap gate the CPU
 * delivers itself. The gate clears TF, so neither stub nor handler is
 * single-stepped; the pushed EFLAGS keeps TF; after the return one #DB
 * comes after the next instruction. */
TEST(tf_around_int80)
{
	rv_set_handler(0x80, sys_handler, RV_GATE_TRAP | RV_GATE_USER);
	struct tf_seen native = tf_run();
	rv_set_handler(0x80, sys_handler, RV_GATE_INTR | RV_GATE_USER);
	struct tf_seen rom = tf_run();

	CHECK(!(t_eflags() & EFLAGS_TF), "TF still set");
	CHECK(native.handler_runs == 1 && native.pushed_tf && !native.live_tf &&
	      native.db_count == 1 && native.db_eip == native.expect_eip,
	      "trap gate: %u runs, pushed TF %x, live TF %x, %u #DB at 0x%x (0x%x)",
	      native.handler_runs, native.pushed_tf, native.live_tf, native.db_count,
	      native.db_eip, native.expect_eip);
	CHECK(rom.handler_runs == 1 && rom.pushed_tf && !rom.live_tf &&
	      rom.db_count == 1 && rom.db_eip == rom.expect_eip,
	      "ROM: %u runs, pushed TF %x, live TF %x, %u #DB at 0x%x (0x%x)",
	      rom.handler_runs, rom.pushed_tf, rom.live_tf, rom.db_count,
	      rom.db_eip, rom.expect_eip);
}

/* Exceptions through the catcher's interrupt gates: #DE, #UD, int3, into,
 * each delivered with the CPU's frame and no world switch. */
TEST(exceptions_direct_through_rom)
{
	uint32_t before = trec.count;
	uint64_t r0 = t_counter_reflected();
	const char *why;

	__asm__ volatile(PROBE_ARM "xorl %%ecx, %%ecx\n\txorl %%edx, %%edx\n\t"
			 "movl $1, %%eax\n1: divl %%ecx\n2:"
			 ::: "eax", "ecx", "edx", "memory", "cc");
	why = t_trap_mismatch(before, 0, 0, probe_at);
	CHECK(!why, "#DE: %s", why);
	CHECK(trec.irq_enabled == 0, "#DE: irq_enabled 0x%x", trec.irq_enabled);
	before = trec.count;
	__asm__ volatile(PROBE_ARM "1: ud2\n2:" ::: "memory");
	why = t_trap_mismatch(before, 6, 0, probe_at);
	CHECK(!why, "#UD: %s", why);
	before = trec.count;
	t_catch(3, RV_GATE_INTR | RV_GATE_USER);
	__asm__ volatile(PROBE_ARM "1: int3\n2:" ::: "memory");
	t_catch(3, RV_GATE_INTR);
	CHECK(trec.count == before + 1 && trec.regs.vector == 3 &&
	      trec.regs.eip == probe_at + 1, "int3: vector %u eip 0x%x",
	      trec.regs.vector, trec.regs.eip);
	before = trec.count;
	t_catch(4, RV_GATE_INTR | RV_GATE_USER);
	__asm__ volatile(PROBE_ARM "movb $0x7f, %%al\n\taddb $1, %%al\n"
			 "1: into\n2:" ::: "eax", "memory", "cc");
	t_catch(4, RV_GATE_INTR);
	CHECK(trec.count == before + 1 && trec.regs.vector == 4 &&
	      trec.regs.eip == probe_at + 1, "into: vector %u eip 0x%x",
	      trec.regs.vector, trec.regs.eip);
	uint64_t r1 = t_counter_reflected();
	CHECK(r1 == r0, "reflected_traps grew by %llu", r1 - r0);
}

/* The real gate follows the guest's: a new handler is reached at once; a
 * trap gate is direct to the handler itself; a not-present gate is the
 * Switcher's stub again (the host path). */
TEST(gate_changes_followed)
{
	uint32_t ret_eip;

	rv_set_handler(0x80, other_handler, RV_GATE_INTR | RV_GATE_USER);
	uint32_t eax = t_int80(&ret_eip);
	CHECK(eax == 0x77, "the new handler was not reached (eax 0x%x)", eax);
	rv_set_handler(0x80, sys_handler, RV_GATE_TRAP | RV_GATE_USER);
	struct real_gate g = real_gate(0x80);
	CHECK(g.type == GATE_TRAP && g.sel == GUEST_CS && g.offset < SWITCHER_ADDR,
	      "trap gate: type 0x%x sel 0x%x offset 0x%x", g.type, g.sel, g.offset);
	rv_hcall3(HC_LOAD_IDT_ENTRY, 0x80, 0, 0);
	g = real_gate(0x80);
	CHECK(g.sel == HOST_CS && !in_rom(g.offset), "removed gate: sel 0x%x offset 0x%x",
	      g.sel, g.offset);
	rv_set_handler(0x80, sys_handler, RV_GATE_INTR | RV_GATE_USER);
	g = real_gate(0x80);
	CHECK(g.sel == GUEST_CS && in_rom(g.offset), "restored: sel 0x%x offset 0x%x",
	      g.sel, g.offset);
	eax = t_int80(&ret_eip);
	CHECK(eax == 0x5C, "handler not reached after the restore (eax 0x%x)", eax);
}

/* NMI and #MC stay with the host whatever the guest's gate says; an
 * exception with an error code gets a DPL-0 ROM gate (`int n` would push
 * none, so it is #GP, as on the host path). */
TEST(nmi_mc_stay_with_host)
{
	rv_hcall3(HC_LOAD_IDT_ENTRY, 2, (GUEST_CS << 16) | 0x1000, 0xEE00);
	rv_set_handler(18, other_handler, RV_GATE_INTR);
	struct real_gate n = real_gate(2), m = real_gate(18);
	CHECK(n.sel == HOST_CS && !in_rom(n.offset), "NMI: sel 0x%x offset 0x%x",
	      n.sel, n.offset);
	CHECK(m.sel == HOST_CS && !in_rom(m.offset), "#MC: sel 0x%x offset 0x%x",
	      m.sel, m.offset);
	rv_set_handler(11, other_handler, RV_GATE_INTR | RV_GATE_USER);
	struct real_gate np = real_gate(11);
	CHECK(np.sel == GUEST_CS && in_rom(np.offset) && np.dpl == 0,
	      "#NP: sel 0x%x offset 0x%x dpl %u", np.sel, np.offset, np.dpl);
}

/* ---- no virtual interrupt inside a stub -------------------------------- */

/* Vector 9's handler: a bare ret, so a stub can be called like a function
 * (with the virtual IF on, a stub touches no frame). */
extern const char rom_ret[];
__asm__(".text\n\t.globl rom_ret\nrom_ret:\n\tret\n");

static volatile uint32_t ticks, ticks_in_rom, rearm;

static void tick_hook(struct rv_regs *r)
{
	ticks++;
	if (in_rom(r->eip))
		ticks_in_rom++;
	if (rearm)
		rv_timer_oneshot(50000);
}

/* Timer interrupts while the guest runs stubs over and over, entered by a
 * call and by an iret through noirq_iret (whose frame's eip is the stub):
 * the interrupt is held back until the handler enables interrupts again,
 * never delivered with eip in the ROM. */
TEST(no_interrupt_in_stub)
{
	uint32_t entry = rv_gpa(rom_ret);

	rv_hcall3(HC_LOAD_IDT_ENTRY, 9, (GUEST_CS << 16) | (entry & 0xFFFF),
		  (entry & 0xFFFF0000) | 0x8E00);
	uint32_t slot = real_gate(9).offset;
	CHECK(in_rom(slot), "gate 9 offset 0x%x", slot);
	ticks = ticks_in_rom = 0;
	rearm = 1;
	rv_set_timer_hook(tick_hook);
	rv_timer_oneshot(50000);
	uint64_t end = rv_time_ns() + 2000000000ull;
	while (ticks < 200 && rv_time_ns() < end) {
		for (unsigned i = 0; i < 100; i++) {
			rv_irq_enable();
			__asm__ volatile("call *%0" :: "r"(slot) : "memory", "cc");
			rv_irq_enable();
			__asm__ volatile("pushl $1f\n\t"
					 "pushfl\n\tpushl %%cs\n\tpushl %0\n\t"
					 "jmp rv_noirq_iret\n1:"
					 :: "r"(slot) : "memory", "cc");
		}
	}
	rearm = 0;
	rv_timer_oneshot(0);
	rv_set_timer_hook(0);
	rv_irq_enable();
	CHECK(ticks >= 200, "only %u timer interrupts", ticks);
	CHECK(ticks_in_rom == 0, "%u of %u timer interrupts arrived inside a stub",
	      ticks_in_rom, ticks);
}

int main(int argc, char **argv)
{
	t_catch_all();
	rv_set_handler(0x80, sys_handler, RV_GATE_INTR | RV_GATE_USER);
	return t_run_all(argc, argv);
}
