/* ABI conformance: the steps a Linux 4.9 lguest guest takes, replayed one
 * by one, each of which must simply work. The runtime's crt0 already did
 * the first two the Linux way: a statically initialised lguest_data (every
 * ring slot done, noirq_iret, syscall_vec) and LGUEST_INIT; kernel_address
 * is Linux's PAGE_OFFSET. */
#include "ptlib.h"

const uint32_t rv_kernel_address = 0xC0000000u;

#define PAGE_OFFSET 0xC0000000u
#define BATCH_VA    0x60000000u     /* the batched mappings */
#define BATCH       100             /* more than the 64 ring slots */

/* Linux's GDT_ENTRY_INIT(flags, base, limit). */
#define GDT_A(base, limit) (((limit) & 0xFFFFu) | (((base) & 0xFFFFu) << 16))
#define GDT_B(flags, base, limit) ((((base) & 0xFF0000u) >> 16) | (((flags) & 0xF0FFu) << 8) | \
				   ((limit) & 0xF0000u) | ((base) & 0xFF000000u))
#define GDT(flags, base, limit) { GDT_A(base, limit), GDT_B(flags, base, limit) }

/* Linux 4.9's per-cpu GDT (arch/x86/kernel/cpu/common.c), with the TSS
 * (16) and double-fault TSS (31) descriptors that set_tss_desc writes:
 * system descriptors in the host's slots, which the host ignores. */
static const uint32_t linux_gdt[GDT_ENTRIES][2] = {
	[12] = GDT(0xc09a, 0, 0xfffff),         /* KERNEL_CS */
	[13] = GDT(0xc092, 0, 0xfffff),         /* KERNEL_DS */
	[14] = GDT(0xc0fa, 0, 0xfffff),         /* DEFAULT_USER_CS */
	[15] = GDT(0xc0f2, 0, 0xfffff),         /* DEFAULT_USER_DS */
	[16] = GDT(0x0089, 0x00123000, 0x206b), /* TSS */
	[18] = GDT(0x409a, 0, 0xffff),          /* PNPBIOS_CS32 */
	[19] = GDT(0x009a, 0, 0xffff),          /* PNPBIOS_CS16 */
	[20] = GDT(0x0092, 0, 0xffff),          /* PNPBIOS_DS */
	[21] = GDT(0x0092, 0, 0),               /* PNPBIOS_TS1 */
	[22] = GDT(0x0092, 0, 0),               /* PNPBIOS_TS2 */
	[23] = GDT(0x409a, 0, 0xffff),          /* APMBIOS_BASE */
	[24] = GDT(0x009a, 0, 0xffff),
	[25] = GDT(0x4092, 0, 0xffff),
	[26] = GDT(0xc092, 0, 0xfffff),         /* ESPFIX_SS */
	[27] = GDT(0xc092, 0x00123000, 0xfffff),/* PERCPU */
	[28] = GDT(0x4090, 0, 0x18),            /* STACK_CANARY */
	[31] = GDT(0x0089, 0x00124000, 0x206b), /* DOUBLEFAULT_TSS */
};

static uint32_t *swapper, *other;   /* two directories sharing the kernel part */
static uint32_t mem;

static uint32_t rd(uint32_t va)
{
	return *(volatile uint32_t *)(uintptr_t)va;
}

/* The kernel's direct map at PAGE_OFFSET, in page tables every directory
 * shares (supervisor only, as Linux's are). */
static uint32_t *kernel_tables[16];

static uint32_t *linux_dir(void)
{
	uint32_t *d = pt_new_dir(PT_P | PT_RW | PT_US);
	uint32_t n = (mem + (4u << 20) - 1) >> 22;

	for (uint32_t t = 0; t < n; t++) {
		if (!kernel_tables[t]) {
			kernel_tables[t] = pt_alloc_page();
			for (uint32_t i = 0; i < 1024; i++) {
				uint32_t pa = (t << 22) + (i << 12);
				if (pa < mem)
					kernel_tables[t][i] = pa | PT_P | PT_RW;
			}
		}
		d[PD_INDEX(PAGE_OFFSET) + t] = rv_gpa(kernel_tables[t]) | PT_P | PT_RW;
	}
	return d;
}

/* ---- #GP: rdmsr_safe's fixup ------------------------------------------- */

extern const char rdmsr_at[], rdmsr_done[];
static volatile uint32_t gp_count, gp_error, gp_eip;

static void general_protection(struct rv_regs *r)
{
	gp_count++;
	gp_error = r->error;
	gp_eip = r->eip;
	if (r->eip == (uint32_t)rdmsr_at) {
		r->eip = (uint32_t)rdmsr_done;
		r->eax = r->edx = 0;
		return;
	}
	rv_printf("FAIL unexpected-gp: at %08x, error %x\n", r->eip, r->error);
	rv_exit(RV_STATUS_EXCEPTION(13));
}

static int rdmsr_safe(uint32_t msr, uint32_t *lo, uint32_t *hi)
{
	uint32_t before = gp_count;

	__asm__ volatile(".globl rdmsr_at, rdmsr_done\n"
			 "rdmsr_at: rdmsr\n"
			 "rdmsr_done:"
			 : "=a"(*lo), "=d"(*hi) : "c"(msr) : "memory");
	return gp_count != before ? -1 : 0;
}

/* ---- int $0x80 from ring 3 --------------------------------------------- */

static volatile uint32_t sys_calls, sys_if_on, sys_frame;

static void syscall_hook(struct rv_regs *r)
{
	sys_calls++;
	if (rv_lguest_data.irq_enabled & LGUEST_IF)
		sys_if_on++;
	sys_frame = (uint32_t)r;
	r->eax = r->ebx * 2;
}

#define SYSCALLS 10
static uint32_t user_syscalls(void)
{
	uint32_t ok = 0;

	for (uint32_t i = 0; i < SYSCALLS; i++) {
		uint32_t ret;
		__asm__ volatile("int $0x80" : "=a"(ret) : "a"(1), "b"(i) : "memory");
		ok += ret == 2 * i;
	}
	return ok;
}

static uint8_t ustack[4096] __attribute__((aligned(4096)));
static uint8_t kstack2[8192] __attribute__((aligned(4096)));

int main(int argc, char **argv)
{
	(void)argc, (void)argv;
	mem = pt_mem_size();

	/* LGUEST_INIT took what crt0 published and wrote its part. */
	pt_check("abi.lguest-init", rv_lguest_data.reserve_mem == 0u - SWITCHER_ADDR &&
		 rv_lguest_data.kernel_address == PAGE_OFFSET,
		 "reserve_mem %08x, tsc_khz %u, time %d", rv_lguest_data.reserve_mem,
		 rv_lguest_data.tsc_khz, rv_lguest_data.time.tv_sec);

	/* The whole IDT, as lguest_load_idt does: all 256 entries, the host
	 * ignoring 2, 8, 15 and 31. */
	for (unsigned v = 0; v < 256; v++)
		if (rv_set_handler(v, NULL, RV_GATE_INTR) < 0) {
			uint32_t e = rv_gpa(rv_trap_stubs + v * RV_TRAP_STUB_SIZE);
			rv_hcall3(HC_LOAD_IDT_ENTRY, v, (GUEST_CS << 16) | (e & 0xFFFF),
				  (e & 0xFFFF0000) | 0x8E00);
		}
	pt_catch_faults();
	rv_set_handler(13, general_protection, RV_GATE_INTR);
	pt_check("abi.load-idt-256", 1, "every vector, 2/8/15/31 included");

	/* The whole GDT, entry by entry. */
	for (unsigned i = 0; i < GDT_ENTRIES; i++)
		rv_hcall3(HC_LOAD_GDT_ENTRY, i, linux_gdt[i][0], linux_gdt[i][1]);
	uint32_t sel = 0;
	__asm__ volatile("movl $0xA1, %%eax; movl %%eax, %%fs; movl %%fs, %0" : "=r"(sel) :: "eax");
	uint32_t sel2 = 0;
	__asm__ volatile("movl $0xD9, %%eax; movl %%eax, %%fs; movl %%fs, %0; xorl %%eax, %%eax;"
			 "movl %%eax, %%fs" : "=r"(sel2) :: "eax");
	pt_check("abi.load-gdt-32", sel == 0xA1 && sel2 == 0xD9,
		 "fs loaded with PNPBIOS_DS 0x%x and PERCPU 0x%x", sel, sel2);

	/* Its own tables: identity for the image, the direct map at
	 * PAGE_OFFSET, and the page-table pages themselves writable. */
	swapper = linux_dir();
	other = linux_dir();
	pt_switch(swapper);
	uint32_t probe = rv_gpa(&rv_lguest_data);
	pt_check("abi.new-pgtable", rd(PAGE_OFFSET + probe) == rd(probe),
		 "the direct map agrees with the identity map");

	/* The boot-time cli: emulated (skipped), the real IF stays on. */
	uint32_t ie = rv_lguest_data.irq_enabled, fl;
	__asm__ volatile("cli; pushfl; popl %0" : "=r"(fl) :: "memory");
	pt_check("abi.cli", (fl & 0x200) && rv_lguest_data.irq_enabled == ie,
		 "eflags %08x, irq_enabled 0x%x", fl, rv_lguest_data.irq_enabled);

	/* rdmsr: the #GP is reflected with error 0 and the fixup resumes. */
	uint64_t r0 = pt_reflected();
	uint32_t lo, hi;
	int rc = rdmsr_safe(0x1B, &lo, &hi);
	uint64_t r1 = pt_reflected();
	pt_check("abi.rdmsr-safe", rc == -1 && gp_error == 0 && r1 - r0 == 1,
		 "rdmsr_safe %d, error %x, %u reflected", rc, gp_error, (uint32_t)(r1 - r0));

	/* Batched page-table updates: a new table (SET_PGD) and BATCH pages
	 * (SET_PTE) through the ring, then all of them moved to other frames
	 * while the shadow holds them, the batch closed by FLUSH_ASYNC. */
	uint32_t *pt = pt_alloc_page();
	uint32_t frames[2][BATCH];
	for (unsigned i = 0; i < BATCH; i++) {
		frames[0][i] = rv_gpa(pt_alloc_page());
		frames[1][i] = 0;
	}
	swapper[PD_INDEX(BATCH_VA)] = rv_gpa(pt) | PT_P | PT_RW | PT_US;
	rv_hcall_async(HC_SET_PGD, rv_gpa(swapper), PD_INDEX(BATCH_VA), 0, 0);
	for (unsigned i = 0; i < BATCH; i++) {
		*(uint32_t *)frames[0][i] = 0x1000 + i;
		pt[i] = frames[0][i] | PT_P | PT_RW;
		rv_hcall_async(HC_SET_PTE, rv_gpa(swapper), BATCH_VA + i * PT_PAGE, pt[i], 0);
	}
	rv_hcall0(HC_FLUSH_ASYNC);
	unsigned good = 0;
	for (unsigned i = 0; i < BATCH; i++)
		good += rd(BATCH_VA + i * PT_PAGE) == 0x1000 + i;
	pt_check("abi.async-map", good == BATCH, "%u of %u batched mappings", good, BATCH);

	/* Move them pairwise (page i shows frame i ^ 1), reported in a batch. */
	for (unsigned i = 0; i < BATCH; i++) {
		pt[i] = frames[0][i ^ 1] | PT_P | PT_RW;
		rv_hcall_async(HC_SET_PTE, rv_gpa(swapper), BATCH_VA + i * PT_PAGE, pt[i], 0);
	}
	rv_hcall0(HC_FLUSH_ASYNC);
	good = 0;
	for (unsigned i = 0; i < BATCH; i++)
		good += rd(BATCH_VA + i * PT_PAGE) == 0x1000 + (i ^ 1);
	unsigned done = 0;
	for (unsigned i = 0; i < LHCALL_RING_SIZE; i++)
		done += rv_lguest_data.hcall_status[i] == HCALL_STATUS_DONE;
	pt_check("abi.async-remap", good == BATCH && done == LHCALL_RING_SIZE,
		 "%u of %u moved, %u ring slots done", good, BATCH, done);

	/* Its page tables mapped writable: change a PTE through the direct
	 * map's view of the table page, report it, and see it. */
	uint32_t *pt_alias = (uint32_t *)(PAGE_OFFSET + rv_gpa(pt));
	pt_alias[0] = frames[0][7] | PT_P | PT_RW;
	rv_hcall3(HC_SET_PTE, rv_gpa(swapper), BATCH_VA, pt_alias[0]);
	pt_check("abi.pagetable-writable", rd(BATCH_VA) == 0x1007 && pt[0] == pt_alias[0],
		 "wrote the PTE through %08x", (uint32_t)pt_alias);

	/* A kernel mapping (above kernel_address) changed and reported with
	 * the other directory's address while this one runs: every directory
	 * must follow. */
	uint32_t kva = PAGE_OFFSET + frames[0][20];
	pt_switch(other);
	(void)rd(kva);
	pt_switch(swapper);
	(void)rd(kva);
	uint32_t *kpte = &kernel_tables[PD_INDEX(kva) - PD_INDEX(PAGE_OFFSET)][PT_INDEX(kva)];
	*kpte = frames[0][21] | PT_P | PT_RW;
	rv_hcall_async(HC_SET_PTE, rv_gpa(other), kva, *kpte, 0);
	rv_hcall0(HC_FLUSH_ASYNC);
	uint32_t here = rd(kva);
	pt_switch(other);
	uint32_t there = rd(kva);
	pt_switch(swapper);
	pt_check("abi.kernel-pte-everywhere", here == 0x1000 + 21 && there == 0x1000 + 21,
		 "%08x here, %08x in the other directory", here, there);
	*kpte = frames[0][20] | PT_P | PT_RW;
	rv_hcall3(HC_SET_PTE, rv_gpa(swapper), kva, *kpte);

	/* int $0x80 as Linux installs it: an interrupt gate, DPL 3, so every
	 * call starts with interrupts off; the CPU delivers it through the
	 * vector's ROM stub, so none is reflected by the host. */
	pt_load_user_segments();
	pt_install_syscall(RV_GATE_INTR, syscall_hook);
	r0 = pt_reflected();
	uint32_t ok = pt_run_user(user_syscalls, rv_gpa(ustack + sizeof(ustack)));
	r1 = pt_reflected();
	pt_check("abi.int80-interrupt-gate", ok == SYSCALLS && sys_calls == SYSCALLS &&
		 sys_if_on == 0 && r1 == r0,
		 "%u calls answered, %u with IF on, %u reflected", ok, sys_if_on,
		 (uint32_t)(r1 - r0));

	/* The same as a trap gate: a direct trap, IF kept, nothing reflected. */
	sys_calls = sys_if_on = 0;
	pt_install_syscall(RV_GATE_TRAP, syscall_hook);
	r0 = pt_reflected();
	ok = pt_run_user(user_syscalls, rv_gpa(ustack + sizeof(ustack)));
	r1 = pt_reflected();
	pt_check("abi.int80-trap-gate-direct", ok == SYSCALLS && sys_if_on == SYSCALLS &&
		 r1 == r0, "%u calls, %u with IF on, %u reflected", ok, sys_if_on,
		 (uint32_t)(r1 - r0));

	/* load_sp0: SET_STACK to a new two-page stack; the next trap from
	 * ring 3 lands on it. */
	rv_set_kernel_stack(rv_gpa(kstack2 + sizeof(kstack2)), 2);
	ok = pt_run_user(user_syscalls, rv_gpa(ustack + sizeof(ustack)));
	pt_check("abi.set-stack", ok == SYSCALLS && sys_frame >= rv_gpa(kstack2) &&
		 sys_frame < rv_gpa(kstack2 + sizeof(kstack2)), "trap frame at %08x", sys_frame);

	/* flush_tlb_user and flush_tlb_kernel, then everything still works. */
	rv_hcall1(HC_FLUSH_TLB, 0);
	int after_user = rd(BATCH_VA + 8 * PT_PAGE) == 0x1000 + 9;
	rv_hcall1(HC_FLUSH_TLB, 1);
	int after_all = rd(BATCH_VA + 9 * PT_PAGE) == 0x1000 + 8 && rd(PAGE_OFFSET + probe) == rd(probe);
	pt_check("abi.flush-tlb", after_user && after_all, "user %d, all %d", after_user, after_all);

	if (pt_result())
		return 1;
	rv_shutdown("Power down");
}
