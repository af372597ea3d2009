/* Helpers shared by the paging test guests (ptlib.h): a page pool, page
 * tables, fault probes, ring 3 and the PASS/FAIL lines. */
#include "ptlib.h"

#define POOL_PAGES 160

static uint8_t pool[POOL_PAGES * PT_PAGE] __attribute__((aligned(4096)));
static unsigned pool_used;
static int failures;

volatile uint32_t pt_probe_value;
volatile uint32_t pt_fault_cr2, pt_fault_err, pt_fault_count;

uint32_t pt_mem_size(void)
{
	uintptr_t a = BOOT_PARAMS_GPA + BP_E820_TABLE;

	__asm__("" : "+r"(a));	/* a real address, though small: keep GCC's bounds checks off it */
	const volatile struct boot_e820_entry *e = (const volatile struct boot_e820_entry *)a;

	return (uint32_t)e->size;
}

uint32_t *pt_alloc_page(void)
{
	if (pool_used == POOL_PAGES)
		rv_fatal("ptlib: page pool exhausted");
	uint32_t *p = (uint32_t *)(pool + pool_used++ * PT_PAGE);
	memset(p, 0, PT_PAGE);
	return p;
}

/* Identity tables per leaf-flag set: at most two kinds are used. */
static struct { uint32_t flags; uint32_t *tables[16]; } ident[2];

uint32_t *pt_new_dir(uint32_t flags)
{
	uint32_t mem = pt_mem_size(), n = (mem + (4u << 20) - 1) >> 22;
	unsigned k = 0;

	if (n > 16)
		rv_fatal("ptlib: at most 64 MiB of guest memory");
	while (k < 2 && ident[k].tables[0] && ident[k].flags != flags)
		k++;
	if (k == 2)
		rv_fatal("ptlib: too many identity-map kinds");
	if (!ident[k].tables[0]) {
		ident[k].flags = flags;
		for (uint32_t t = 0; t < n; t++) {
			uint32_t *pt = pt_alloc_page();
			for (uint32_t i = 0; i < 1024; i++) {
				uint32_t pa = (t << 22) + (i << 12);
				if (pa < mem)
					pt[i] = pa | flags;
			}
			ident[k].tables[t] = pt;
		}
	}
	uint32_t *dir = pt_alloc_page();
	for (uint32_t t = 0; t < n; t++)
		dir[t] = rv_gpa(ident[k].tables[t]) | PT_P | PT_RW | PT_US;
	return dir;
}

uint32_t *pt_pte(uint32_t *dir, uint32_t va, int create)
{
	uint32_t *pde = &dir[PD_INDEX(va)];

	if (!(*pde & PT_P)) {
		if (!create)
			return NULL;
		*pde = rv_gpa(pt_alloc_page()) | PT_P | PT_RW | PT_US;
		rv_hcall2(HC_SET_PGD, rv_gpa(dir), PD_INDEX(va));
	}
	return (uint32_t *)(uintptr_t)(*pde & PT_MASK) + PT_INDEX(va);
}

void pt_switch(uint32_t *dir)
{
	rv_hcall1(HC_NEW_PGTABLE, rv_gpa(dir));
}

/* The probes: the #PF handler moves eip from the access to the fault exit,
 * which returns 1. Each access is one instruction at a known label, and
 * the stack is untouched between entry and it, so `ret` works from both. */
__asm__(".text\n"
	".globl pt_probe_read\n"
	"pt_probe_read:\n"
	"	movl 4(%esp), %ecx\n"
	".globl pt_probe_read_at\n"
	"pt_probe_read_at:\n"
	"	movl (%ecx), %eax\n"
	"	movl %eax, pt_probe_value\n"
	"	xorl %eax, %eax\n"
	"	ret\n"
	".globl pt_probe_write\n"
	"pt_probe_write:\n"
	"	movl 4(%esp), %ecx\n"
	"	movl 8(%esp), %edx\n"
	".globl pt_probe_write_at\n"
	"pt_probe_write_at:\n"
	"	movl %edx, (%ecx)\n"
	"	xorl %eax, %eax\n"
	"	ret\n"
	".globl pt_probe_fault\n"
	"pt_probe_fault:\n"
	"	movl $1, %eax\n"
	"	ret\n");

static void page_fault(struct rv_regs *r)
{
	pt_fault_cr2 = rv_lguest_data.cr2;
	pt_fault_err = r->error;
	pt_fault_count++;
	if (r->eip == (uint32_t)pt_probe_read_at || r->eip == (uint32_t)pt_probe_write_at) {
		r->eip = (uint32_t)pt_probe_fault;
		return;
	}
	rv_printf("FAIL unexpected-fault: #PF at eip %08x, cr2 %08x, error %x\n",
		  r->eip, pt_fault_cr2, r->error);
	rv_exit(RV_STATUS_EXCEPTION(14));
}

void pt_catch_faults(void)
{
	rv_set_handler(14, page_fault, RV_GATE_INTR);
}

/* Flat 4 GiB, 32-bit, page granular: code type 0xA (execute/read), data
 * type 0x2 (read/write), DPL 3, present. */
void pt_load_user_segments(void)
{
	rv_hcall3(HC_LOAD_GDT_ENTRY, PT_USER_CS >> 3, 0x0000FFFF, 0x00CFFA00);
	rv_hcall3(HC_LOAD_GDT_ENTRY, PT_USER_DS >> 3, 0x0000FFFF, 0x00CFF200);
}

/* pt_run_user: save the callee-saved registers and esp, then iret to ring
 * 3 at fn with the return address pt_user_exit (ring-3 code: it hands
 * fn's result to the kernel with int $0x80). pt_user_resume(value) comes
 * back to pt_run_user's caller from the syscall handler. The iret goes
 * with the virtual IF on, as the frame's EFLAGS say. */
static uint32_t user_ctx_esp __attribute__((used));
extern const char pt_user_exit[];
uint32_t pt_run_user_asm(uint32_t (*fn)(void), uint32_t stack_top);
RV_NORETURN void pt_user_resume(uint32_t value);
__asm__(".text\n"
	"pt_run_user_asm:\n"
	"	pushl %ebp\n"
	"	pushl %ebx\n"
	"	pushl %esi\n"
	"	pushl %edi\n"
	"	movl %esp, user_ctx_esp\n"
	"	movl 20(%esp), %ecx\n"
	"	movl 24(%esp), %edx\n"
	"	subl $4, %edx\n"
	"	movl $pt_user_exit, (%edx)\n"
	"	pushl $0x7b\n"
	"	pushl %edx\n"
	"	pushl $0x202\n"
	"	pushl $0x73\n"
	"	pushl %ecx\n"
	"	movl $0x7b, %eax\n"
	"	movl %eax, %ds\n"
	"	movl %eax, %es\n"
	"	movl $0x200, %ss:rv_lguest_data\n"
	"	iret\n"
	"pt_user_exit:\n"
	"	movl %eax, %ebx\n"
	"	movl $0x7E57, %eax\n"
	"	int $0x80\n"
	"	ud2\n"
	"pt_user_resume:\n"
	"	movl 4(%esp), %eax\n"
	"	movl user_ctx_esp, %esp\n"
	"	popl %edi\n"
	"	popl %esi\n"
	"	popl %ebx\n"
	"	popl %ebp\n"
	"	ret\n");

static void (*syscall_hook)(struct rv_regs *r);

static void syscall(struct rv_regs *r)
{
	if (r->eax == PT_SYS_RETURN && (r->cs & 3) == 3)
		pt_user_resume(r->ebx);
	if (syscall_hook)
		syscall_hook(r);
}

void pt_install_syscall(unsigned int kind, void (*hook)(struct rv_regs *r))
{
	syscall_hook = hook;
	rv_set_handler(LGUEST_SYSCALL_VECTOR, syscall, kind | RV_GATE_USER);
}

uint32_t pt_run_user(uint32_t (*fn)(void), uint32_t stack_top)
{
	uint32_t v = pt_run_user_asm(fn, stack_top);

	rv_irq_enable();	/* the syscall's interrupt gate may have cleared it */
	return v;
}

int pt_check(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rv_vcheck(name, ok, fmt, ap);
	va_end(ap);
	if (!ok)
		failures++;
	return ok;
}

int pt_result(void)
{
	return failures ? 1 : 0;
}

uint64_t pt_shadow_faults(void)
{
	static struct rv_counters c;

	rv_counters(&c);
	return c.shadow_faults;
}

uint64_t pt_reflected(void)
{
	static struct rv_counters c;

	rv_counters(&c);
	return c.reflected_traps;
}
