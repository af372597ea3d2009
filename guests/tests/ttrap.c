/* Test guest: every exception a ring-1 guest can cause, reflected with the
 * CPU's frame and error code; direct traps (no world switch); and the
 * ring-1 instruction emulation (in/out, cli) versus what is reflected. */
#include "tlib.h"

#define EXPECT_TRAP(vec, err, eip)					\
	do {								\
		const char *why_ = t_trap_mismatch(before, vec, err, eip); \
		CHECK(!why_, "%s", why_);				\
	} while (0)

TEST(de_divide)
{
	uint32_t before = trec.count;

	__asm__ volatile(PROBE_ARM "xorl %%ecx, %%ecx\n\txorl %%edx, %%edx\n\t"
			 "movl $1, %%eax\n1: divl %%ecx\n2:"
			 ::: "eax", "ecx", "edx", "memory", "cc");
	EXPECT_TRAP(0, 0, probe_at);
}

/* TF set by popf: #DB after the next instruction, eip past it. */
TEST(db_single_step)
{
	uint32_t before = trec.count;
	uint32_t after_nop;

	__asm__ volatile("movl $2f, probe_fix\n\t"
			 "movl $2f, %0\n\t"
			 "pushfl\n\torl $0x100, (%%esp)\n\tpopfl\n\t"
			 "nop\n2:"
			 : "=m"(after_nop) :: "memory", "cc");
	EXPECT_TRAP(1, 0, after_nop);
	CHECK(trec.regs.eflags & EFLAGS_TF, "pushed eflags without TF");
	CHECK(!(t_eflags() & EFLAGS_TF), "TF still set");
}

/* int3 through the guest's DPL-1 interrupt gate: a trap, eip after it. */
TEST(bp_int3)
{
	uint32_t before = trec.count;

	__asm__ volatile(PROBE_ARM "1: int3\n2:" ::: "memory");
	EXPECT_TRAP(3, 0, probe_fix ? probe_fix : trec.regs.eip);
	CHECK(trec.regs.eip == probe_at + 1, "eip 0x%x, not after int3",
	      trec.regs.eip);
}

TEST(of_into)
{
	uint32_t before = trec.count;

	__asm__ volatile(PROBE_ARM "movb $0x7f, %%al\n\taddb $1, %%al\n"
			 "1: into\n2:" ::: "eax", "memory", "cc");
	CHECK(trec.count == before + 1, "no trap");
	CHECK(trec.regs.vector == 4, "vector %u error 0x%x", trec.regs.vector,
	      trec.regs.error);
	CHECK(trec.regs.eip == probe_at + 1, "eip 0x%x, not after into",
	      trec.regs.eip);
	CHECK(trec.regs.eflags & EFLAGS_OF, "pushed eflags without OF");
}

TEST(br_bound)
{
	static int32_t bounds[2] = { 0, 10 };
	uint32_t before = trec.count;

	__asm__ volatile(PROBE_ARM "movl $11, %%eax\n1: boundl %%eax, %0\n2:"
			 :: "m"(bounds) : "eax", "memory");
	EXPECT_TRAP(5, 0, probe_at);
}

TEST(ud_ud2)
{
	uint32_t before = trec.count;
	uint64_t r0 = t_counter_reflected();

	__asm__ volatile(PROBE_ARM "1: ud2\n2:" ::: "memory");
	uint64_t r1 = t_counter_reflected();
	EXPECT_TRAP(6, 0, probe_at);
	/* an interrupt gate: through its ROM stub, no world switch */
	CHECK(r1 == r0, "reflected_traps grew by %llu", r1 - r0);
	CHECK(trec.irq_enabled == 0, "interrupt gate left irq_enabled 0x%x",
	      trec.irq_enabled);
}

/* #NM is the guest's only while it set TS itself (thcall tests the TS
 * call); the host's lazy FPU switching never shows. */
TEST(nm_guest_ts)
{
	uint32_t before = trec.count;

	rv_hcall1(HC_TS, 1);
	__asm__ volatile(PROBE_RETRY "1: fninit\n2:" ::: "memory");
	EXPECT_TRAP(7, 0, probe_at);
}

TEST(gp_bad_selector)
{
	uint32_t before = trec.count;

	__asm__ volatile(PROBE_ARM "movl $0x100, %%eax\n1: movl %%eax, %%fs\n2:"
			 ::: "eax", "memory");
	EXPECT_TRAP(13, 0x100, probe_at);
}

TEST(gp_mov_cr0)
{
	uint32_t before = trec.count;

	__asm__ volatile(PROBE_ARM "1: movl %%cr0, %%eax\n2:" ::: "eax", "memory");
	EXPECT_TRAP(13, 0, probe_at);
}

TEST(gp_rdmsr)
{
	uint32_t before = trec.count;

	__asm__ volatile(PROBE_ARM "movl $0x10, %%ecx\n1: rdmsr\n2:"
			 ::: "eax", "ecx", "edx", "memory");
	EXPECT_TRAP(13, 0, probe_at);
}

TEST(gp_hlt)
{
	uint32_t before = trec.count;

	__asm__ volatile(PROBE_ARM "1: hlt\n2:" ::: "memory");
	EXPECT_TRAP(13, 0, probe_at);
}

TEST(gp_sti)
{
	uint32_t before = trec.count;

	__asm__ volatile(PROBE_ARM "1: sti\n2:" ::: "memory");
	EXPECT_TRAP(13, 0, probe_at);
}

/* String I/O is not emulated: the guest's #GP. */
TEST(gp_insb)
{
	static uint8_t buf[4];
	uint32_t before = trec.count;

	__asm__ volatile(PROBE_ARM "movl $0x80, %%edx\n1: insb\n2:"
			 :: "D"(buf) : "edx", "memory");
	EXPECT_TRAP(13, 0, probe_at);
}

/* #SS is not tested: QEMU's TCG does not check segment limits, so an
 * expand-down or short stack segment never faults, and LOAD_GDT_ENTRY
 * stores a not-present descriptor as zero (a load of it is #GP, not #SS).
 * #AC (needs CR0.AM, the host's choice) and #MF/#XM (need CR0.NE and
 * unmasked FPU exceptions) are left out for the same kind of reason. */

TEST(pf_read_unmapped)
{
	uint32_t before = trec.count;

	__asm__ volatile(PROBE_ARM "1: movl 0x00F00000, %%eax\n2:"
			 ::: "eax", "memory");
	EXPECT_TRAP(14, 0, probe_at);
	CHECK(trec.cr2 == 0x00F00000, "cr2 0x%x", trec.cr2);
}

TEST(pf_write_unmapped)
{
	uint32_t before = trec.count;

	__asm__ volatile(PROBE_ARM "1: movl %%eax, 0x00F00004\n2:"
			 ::: "memory");
	EXPECT_TRAP(14, 2, probe_at);
	CHECK(trec.cr2 == 0x00F00004, "cr2 0x%x", trec.cr2);
}

/* The frame is pushed where the guest's esp was, and the handler returns
 * to the same esp. */
TEST(frame_on_guest_stack)
{
	uint32_t esp_before, esp_after, before = trec.count;

	__asm__ volatile("movl %%esp, %0\n\t" PROBE_ARM "1: ud2\n2:\n\t"
			 "movl %%esp, %1"
			 : "=m"(esp_before), "=m"(esp_after) :: "memory");
	EXPECT_TRAP(6, 0, probe_at);
	CHECK(esp_before == esp_after, "esp 0x%x -> 0x%x", esp_before, esp_after);
}

/* With virtual interrupts off, the pushed eflags has IF clear. */
TEST(frame_if_follows_virtual_if)
{
	uint32_t before = trec.count;

	rv_irq_disable();
	__asm__ volatile(PROBE_ARM "1: ud2\n2:" ::: "memory");
	rv_irq_enable();
	CHECK(trec.count == before + 1, "no trap");
	CHECK(!(trec.regs.eflags & EFLAGS_IF), "pushed eflags 0x%x",
	      trec.regs.eflags);
}

/* ---- direct traps ------------------------------------------------------ */

static volatile uint32_t sc_count, sc_eip, sc_cs, sc_irq_enabled, sc_eflags;

static void syscall_handler(struct rv_regs *r)
{
	sc_count++;
	sc_eip = r->eip;
	sc_cs = r->cs;
	sc_eflags = r->eflags;
	sc_irq_enabled = rv_lguest_data.irq_enabled;
	r->eax = 0x5C;
}

TEST(syscall_trap_gate_direct)
{
	uint32_t ret_eip, before = sc_count;

	rv_set_handler(0x80, syscall_handler, RV_GATE_TRAP | RV_GATE_USER);
	uint64_t r0 = t_counter_reflected();
	uint32_t eax = t_int80(&ret_eip);
	uint64_t r1 = t_counter_reflected();
	CHECK(sc_count == before + 1 && eax == 0x5C, "handler not reached");
	CHECK(sc_eip == ret_eip && sc_cs == GUEST_CS, "frame eip 0x%x cs 0x%x",
	      sc_eip, sc_cs);
	CHECK(r1 == r0, "reflected_traps grew by %llu: not direct", r1 - r0);
	CHECK(sc_irq_enabled == LGUEST_IF, "irq_enabled 0x%x", sc_irq_enabled);
	CHECK(sc_eflags & EFLAGS_IF, "pushed eflags 0x%x", sc_eflags);
}

/* An interrupt gate goes through the vector's ROM stub (trom.c has the
 * details): direct too, with the virtual IF cleared. */
TEST(syscall_interrupt_gate_rom)
{
	uint32_t ret_eip, before = sc_count;

	rv_set_handler(0x80, syscall_handler, RV_GATE_INTR | RV_GATE_USER);
	uint64_t r0 = t_counter_reflected();
	uint32_t eax = t_int80(&ret_eip);
	uint64_t r1 = t_counter_reflected();
	CHECK(sc_count == before + 1 && eax == 0x5C, "handler not reached");
	CHECK(sc_eip == ret_eip && sc_cs == GUEST_CS, "frame eip 0x%x cs 0x%x",
	      sc_eip, sc_cs);
	CHECK(r1 == r0, "reflected_traps grew by %llu", r1 - r0);
	CHECK(sc_irq_enabled == 0, "irq_enabled 0x%x in an interrupt gate",
	      sc_irq_enabled);
	CHECK(sc_eflags & EFLAGS_IF, "pushed eflags 0x%x", sc_eflags);
}

/* #UD is direct in 4.9 as a trap gate; #GP and #PF never are. */
TEST(ud_trap_gate_direct)
{
	uint32_t before = trec.count;

	t_catch(6, RV_GATE_TRAP);
	uint64_t r0 = t_counter_reflected();
	__asm__ volatile(PROBE_ARM "1: ud2\n2:" ::: "memory");
	uint64_t r1 = t_counter_reflected();
	t_catch(6, RV_GATE_INTR);
	EXPECT_TRAP(6, 0, probe_at);
	CHECK(r1 == r0, "reflected_traps grew by %llu", r1 - r0);
	CHECK(trec.irq_enabled == LGUEST_IF, "trap gate cleared irq_enabled");
}

TEST(bp_trap_gate_direct)
{
	uint32_t before = trec.count;

	t_catch(3, RV_GATE_TRAP);
	uint64_t r0 = t_counter_reflected();
	__asm__ volatile(PROBE_ARM "1: int3\n2:" ::: "memory");
	uint64_t r1 = t_counter_reflected();
	t_catch(3, RV_GATE_INTR);
	EXPECT_TRAP(3, 0, probe_at + 1);
	CHECK(r1 == r0, "reflected_traps grew by %llu", r1 - r0);
}

TEST(gp_trap_gate_not_direct)
{
	uint32_t before = trec.count;

	t_catch(13, RV_GATE_TRAP);
	uint64_t r0 = t_counter_reflected();
	__asm__ volatile(PROBE_ARM "1: hlt\n2:" ::: "memory");
	uint64_t r1 = t_counter_reflected();
	t_catch(13, RV_GATE_INTR);
	EXPECT_TRAP(13, 0, probe_at);
	CHECK(r1 == r0 + 1, "reflected_traps grew by %llu", r1 - r0);
}

TEST(pf_trap_gate_not_direct)
{
	uint32_t before = trec.count;

	t_catch(14, RV_GATE_TRAP);
	uint64_t r0 = t_counter_reflected();
	__asm__ volatile(PROBE_ARM "1: movl 0x00F00000, %%eax\n2:"
			 ::: "eax", "memory");
	uint64_t r1 = t_counter_reflected();
	t_catch(14, RV_GATE_INTR);
	EXPECT_TRAP(14, 0, probe_at);
	CHECK(r1 == r0 + 1, "reflected_traps grew by %llu", r1 - r0);
}

/* A gate's selector is always GUEST_CS: a trap gate naming the host's code
 * segment still runs the handler in ring 1. */
TEST(gate_selector_forced)
{
	uint32_t before = trec.count;
	uint32_t entry = rv_gpa(rv_trap_stubs + 0 * RV_TRAP_STUB_SIZE);

	t_catch(0, RV_GATE_TRAP);       /* sets the runtime's handler */
	rv_hcall3(HC_LOAD_IDT_ENTRY, 0, (0x50u << 16) | (entry & 0xFFFF),
		  (entry & 0xFFFF0000) | 0x8F00 | (1 << 13));
	__asm__ volatile(PROBE_ARM "xorl %%ecx, %%ecx\n\txorl %%edx, %%edx\n\t"
			 "movl $1, %%eax\n1: divl %%ecx\n2:"
			 ::: "eax", "ecx", "edx", "memory", "cc");
	t_catch(0, RV_GATE_INTR);
	EXPECT_TRAP(0, 0, probe_at);
	CHECK(trec.handler_cs == GUEST_CS, "handler ran with cs 0x%x",
	      trec.handler_cs);
}

/* ---- emulated in/out and cli in ring 1 --------------------------------- */

TEST(in_absent_byte_imm)
{
	uint32_t v = 0x12345678;

	__asm__ volatile("inb $0xE0, %%al" : "+a"(v));
	CHECK(v == 0x123456FF, "read 0x%x", v);
}

TEST(in_absent_word_dx_prefix)
{
	uint32_t v = 0x12345678;

	__asm__ volatile("inw %%dx, %%ax" : "+a"(v) : "d"(0x2F8 + 0x100));
	CHECK(v == 0x1234FFFF, "read 0x%x", v);
}

TEST(in_absent_long)
{
	uint32_t v = 0x12345678, w = 0;

	__asm__ volatile("inl %%dx, %%eax" : "+a"(v) : "d"(0xCFC));
	__asm__ volatile("inl $0xE8, %%eax" : "+a"(w));
	CHECK(v == 0xFFFFFFFF && w == 0xFFFFFFFF, "read 0x%x 0x%x", v, w);
}

TEST(in_word_imm_prefix)
{
	uint32_t v = 0xAAAA5555;

	__asm__ volatile("inw $0xE0, %%ax" : "+a"(v));
	CHECK(v == 0xAAAAFFFF, "read 0x%x", v);
}

TEST(in_port_64_reads_1)
{
	uint32_t v = 0xABCDEF00, w = 0xFFFFFF55;

	__asm__ volatile("inb $0x64, %%al" : "+a"(v));
	__asm__ volatile("inb %%dx, %%al" : "+a"(w) : "d"(0x64));
	CHECK(v == 0xABCDEF01 && w == 0xFFFFFF01, "read 0x%x 0x%x", v, w);
}

/* Linux 4.9's PIT calibration, as a guest does it at boot: channel 2
 * loaded with 0xFFFF, then its count read back a byte at a time, and port
 * B's bit 5 (channel 2's output). The count reads 0, one that has run out
 * (an absent port's 0xFF kept pit_expect_msb reading 50000 times), and
 * bit 5 reads set, whatever the guest wrote to port B. */
TEST(in_pit_channel2_has_run_out)
{
	uint32_t lsb = 0xABCDEF55, msb = 0xFFFFFFFF, b0 = 0, b1 = 0, w = 0x12340000;

	__asm__ volatile("inb $0x61, %%al" : "+a"(b0));
	__asm__ volatile("outb %%al, $0x61" :: "a"((b0 & ~2u) | 1));
	__asm__ volatile("outb %%al, $0x43" :: "a"(0xB0));
	__asm__ volatile("outb %%al, $0x42\n\toutb %%al, $0x42" :: "a"(0xFF));
	__asm__ volatile("inb $0x42, %%al" : "+a"(lsb));
	__asm__ volatile("inb %%dx, %%al" : "+a"(msb) : "d"(0x42));
	__asm__ volatile("inb %%dx, %%al" : "+a"(b1) : "d"(0x61));
	__asm__ volatile("inw $0x42, %%ax" : "+a"(w));
	CHECK(lsb == 0xABCDEF00 && msb == 0xFFFFFF00, "channel 2 read 0x%x 0x%x", lsb, msb);
	CHECK(b0 == 0x20 && b1 == 0x20, "port 0x61 read 0x%x, then 0x%x", b0, b1);
	CHECK(w == 0x12340000, "a word from port 0x42 read 0x%x", w);
}

/* Writes go nowhere: not even the isa-debug-exit port (QEMU would end
 * with status 0x23 if this reached it), nor the serial port. */
TEST(out_ignored)
{
	uint64_t r0 = t_counter_reflected();

	__asm__ volatile("movb $0x11, %%al\n\toutb %%al, $0xF4\n\t"
			 "outw %%ax, $0xF4\n\t"
			 "movl $0xF4, %%edx\n\toutl %%eax, %%dx\n\t"
			 "movw $0x3F8, %%dx\n\tmovb $0x5A, %%al\n\toutb %%al, %%dx"
			 ::: "eax", "edx", "memory");
	CHECK(t_counter_reflected() == r0, "an out was reflected");
}

TEST(cli_skipped)
{
	uint64_t r0 = t_counter_reflected();
	uint32_t after;

	__asm__ volatile("cli\n\tmovl $1, %0" : "=r"(after));
	CHECK(after == 1, "did not continue");
	CHECK(t_counter_reflected() == r0, "cli was reflected");
	CHECK(rv_lguest_data.irq_enabled == LGUEST_IF, "cli changed "
	      "irq_enabled to 0x%x", rv_lguest_data.irq_enabled);
	CHECK(t_eflags() & EFLAGS_IF, "real IF off");
}

int main(int argc, char **argv)
{
	t_catch_all();
	return t_run_all(argc, argv);
}
