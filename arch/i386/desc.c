/* The host GDT and the two TSSs: the one every ring change loads its ring-0
 * stack from, and the one a double fault switches to through a task gate,
 * so that even a blown kernel stack ends in a readable report. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <lib/lib.h>
#include <param.h>


/* Access byte and flags of a segment descriptor. */
#define SEG_P        0x80
#define SEG_DPL(n)   ((n) << 5)
#define SEG_S        0x10	/* code or data, not system */
#define SEG_CODE_RX  0x0A
#define SEG_DATA_RW  0x02
#define SEG_TSS32    0x09	/* available 32-bit TSS */
#define FLAG_G       0x8	/* limit counts 4 KiB pages */
#define FLAG_D       0x4	/* 32-bit */

static uint64_t gdt[GDT_ENTRIES] __aligned(8);
static struct tss host_tss __aligned(128);
static struct tss df_tss __aligned(128);
static uint8_t df_stack[DF_STACK_SIZE] __aligned(16);

static uint64_t make_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (uint64_t)(limit & 0xFFFF) |
	       ((uint64_t)(base & 0xFFFFFF) << 16) |
	       ((uint64_t)access << 40) |
	       ((uint64_t)((limit >> 16) & 0xF) << 48) |
	       ((uint64_t)(flags & 0xF) << 52) |
	       ((uint64_t)(base >> 24) << 56);
}

extern void double_fault_task(void);	/* vectors.S */

/* Load the GDT, reload every segment register from it, and load the TSS.
 * Both TSSs set iomap_base beyond their limit: there is no I/O bitmap, so
 * any ring above 0 faults on every port. */
void desc_init(void)
{
	gdt[GDT_HOST_CS] = make_desc(0, 0xFFFFF, SEG_P | SEG_DPL(0) | SEG_S | SEG_CODE_RX,
				     FLAG_G | FLAG_D);
	gdt[GDT_HOST_DS] = make_desc(0, 0xFFFFF, SEG_P | SEG_DPL(0) | SEG_S | SEG_DATA_RW,
				     FLAG_G | FLAG_D);

	host_tss.ss0 = SEL_HOST_DS;
	host_tss.iomap_base = sizeof(struct tss);
	gdt[GDT_TSS] = make_desc((uint32_t)&host_tss, sizeof(struct tss) - 1,
				 SEG_P | SEG_TSS32, 0);

	df_tss.esp = df_tss.esp0 = (uint32_t)(df_stack + sizeof(df_stack));
	df_tss.ss = df_tss.ss0 = SEL_HOST_DS;
	df_tss.ds = df_tss.es = df_tss.fs = df_tss.gs = SEL_HOST_DS;
	df_tss.cs = SEL_HOST_CS;
	df_tss.eip = (uint32_t)double_fault_task;
	df_tss.eflags = 0x2;		/* interrupts off */
	df_tss.iomap_base = sizeof(struct tss);
	gdt[GDT_DF_TSS] = make_desc((uint32_t)&df_tss, sizeof(struct tss) - 1,
				    SEG_P | SEG_TSS32, 0);

	struct desc_ptr gp = { sizeof(gdt) - 1, (uint32_t)gdt };
	lgdt(&gp);
	__asm__ volatile(
		"ljmp %0, $1f\n"
		"1: movw %w1, %%ds; movw %w1, %%es; movw %w1, %%ss\n"
		"   xorl %%eax, %%eax; movw %%ax, %%fs; movw %%ax, %%gs"
		: : "i"(SEL_HOST_CS), "r"(SEL_HOST_DS) : "eax", "memory");
	ltr(SEL_TSS);
}

/* Called by the double-fault task once paging is on: it needs the page
 * directory the hypervisor runs on. */
void desc_set_df_cr3(uint32_t cr3)
{
	df_tss.cr3 = cr3;
}

/* The ring-0 stack a ring change lands on. */
void desc_set_kernel_stack(uint32_t esp0)
{
	host_tss.esp0 = esp0;
}

/* A sum over the host TSS's fields that never change after boot. */
uint32_t desc_tss_checksum(void)
{
	return host_tss.ss0 * 31u + host_tss.esp0 * 7u + host_tss.iomap_base +
	       df_tss.eip * 3u + df_tss.esp * 5u + df_tss.cr3 + df_tss.iomap_base * 11u;
}

/* A sum over the GDT and both TSSs: the security oracle compares it before
 * and after a guest runs. The busy bit of the live TSS is masked. */
uint32_t desc_gdt_checksum(void)
{
	uint32_t sum = 0;
	const uint32_t *w = (const uint32_t *)gdt;

	for (unsigned i = 0; i < sizeof(gdt) / 4; i++)
		sum = sum * 31 + (i == GDT_TSS * 2 + 1 ? w[i] & ~0x200u : w[i]);
	return sum;
}

/* What the task switch into the double-fault TSS saved of the faulting
 * context. */
void desc_faulted_task(uint32_t *eip, uint32_t *esp, uint32_t *ebp)
{
	*eip = host_tss.eip;
	*esp = host_tss.esp;
	*ebp = host_tss.ebp;
}
