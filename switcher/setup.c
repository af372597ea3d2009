/* Maps the Switcher into the top 4 MiB and builds each guest's state page:
 * the GDT, IDT and TSS the CPU uses while that guest runs. Two page tables
 * cover the Switcher's 4 MiB: the host's, where the state page is writable,
 * and the one every guest page directory shares, where it is read-only. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <mm/frame.h>
#include <mm/mm.h>
#include <switcher/switcher.h>

extern const uint8_t __switcher_phys[];

static uint32_t *host_pt;	/* PDE 1023 of the host's page directory */
static uint32_t *guest_pt;	/* PDE 1023 of every shadow page directory */

#define PT_INDEX(va) (((va) >> 12) & 1023)

/* Segment descriptor bits (SDM Vol. 3A, 3.4.5). */
#define SEG_P        0x80
#define SEG_DPL(n)   ((n) << 5)
#define SEG_S        0x10
#define SEG_CODE_RX  0x0A
#define SEG_DATA_RW  0x02
#define SEG_ACCESSED 0x01	/* preset: the CPU cannot set it in a read-only GDT */
#define SEG_TSS32    0x09
#define FLAG_G       0x8
#define FLAG_D       0x4

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (uint64_t)(limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) |
	       ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xF) << 48) |
	       ((uint64_t)(flags & 0xF) << 52) | ((uint64_t)(base >> 24) << 56);
}

/* The interrupt gate to a Switcher stub, callable by `int n` from ring dpl. */
static uint64_t stub_gate(unsigned vector, unsigned dpl)
{
	uint32_t handler = switcher_stub(vector);

	return (uint64_t)(handler & 0xFFFF) | ((uint64_t)SEL_HOST_CS << 16) |
	       ((uint64_t)(0x80 | (dpl << 5) | 0x0E) << 40) |
	       ((uint64_t)(handler >> 16) << 48);
}

uint32_t switcher_stub(unsigned vector)
{
	return (uint32_t)switcher_stubs + vector * SWITCHER_STUB_SIZE;
}

void switcher_init(void)
{
	uint32_t text_bytes = switcher_text_end - switcher_text_start;

	ASSERT((uint32_t)switcher_text_start == SWITCHER_TEXT);
	ASSERT(text_bytes <= SWITCHER_TEXT_PAGES * PAGE_SIZE);

	host_pt = (uint32_t *)(((uint32_t *)paging_host_cr3())[SWITCHER_ADDR >> 22] & PAGE_MASK);
	guest_pt = (uint32_t *)frame_alloc();
	if (!guest_pt)
		panic("switcher: no frame for the guests' Switcher page table");
	memset(guest_pt, 0, PAGE_SIZE);

	/* The text: read-only (and supervisor) in both. */
	for (uint32_t off = 0; off < text_bytes; off += PAGE_SIZE) {
		uint32_t pte = ((uint32_t)__switcher_phys + off) | PTE_P;
		host_pt[PT_INDEX(SWITCHER_TEXT + off)] = pte;
		guest_pt[PT_INDEX(SWITCHER_TEXT + off)] = pte;
		invlpg(SWITCHER_TEXT + off);
	}
	/* The walker's view of the guests' table: read-only, in both (a fault
	 * in the walker is cleaned up on whichever CR3 it left). */
	host_pt[PT_INDEX(SWITCHER_PTMAP)] = (uint32_t)guest_pt | PTE_P;
	guest_pt[PT_INDEX(SWITCHER_PTMAP)] = (uint32_t)guest_pt | PTE_P;
	invlpg(SWITCHER_PTMAP);
	pr_info("switcher: %u bytes of text at 0x%08x, stubs at 0x%08x",
		text_bytes, SWITCHER_TEXT, (uint32_t)switcher_stubs);
}

/* The PDE every shadow page directory holds for the top 4 MiB: the Switcher
 * is present in every guest address space, always. */
uint32_t switcher_guest_pde(void)
{
	return (uint32_t)guest_pt | PTE_P | PTE_RW;
}

/* The PTEs switched per guest: not part of the shared layout. */
static bool per_guest_pte(unsigned i)
{
	return i == PT_INDEX(SWITCHER_REGS) || i == PT_INDEX(SWITCHER_STATE) ||
	       i == PT_INDEX(SWITCHER_ROM) || i == PT_INDEX(SWITCHER_LDATA);
}

/* A sum over both Switcher page tables but the per-guest PTEs, and the
 * PDE every shadow directory shares: the isolation oracle's. The
 * accessed and dirty bits, which the CPU sets, do not count. */
uint32_t switcher_checksum(void)
{
	const uint32_t cpu_bits = PTE_A | PTE_D;
	uint32_t s = switcher_guest_pde();

	for (unsigned i = 0; i < 1024; i++) {
		if (per_guest_pte(i))
			continue;
		s = s * 31 + (host_pt[i] & ~cpu_bits) * 7 + (guest_pt[i] & ~cpu_bits);
	}
	return s;
}

/* Present, writable entries of the guests' Switcher page table other than
 * the two the guest may write by design, its regs page and its own
 * lguest_data frame: the oracle's (0 unless a host frame became writable
 * from ring 1). The walker's window, empty between entries, counts too. */
uint32_t switcher_writable_extra(void)
{
	uint32_t n = guest_pt[PT_INDEX(SWITCHER_WINDOW)] != 0;

	for (unsigned i = 0; i < 1024; i++)
		if ((guest_pt[i] & (PTE_P | PTE_RW)) == (PTE_P | PTE_RW) &&
		    i != PT_INDEX(SWITCHER_REGS) && i != PT_INDEX(SWITCHER_LDATA))
			n++;
	return n;
}

/* Make the given pages the ones at SWITCHER_REGS, SWITCHER_STATE,
 * SWITCHER_ROM and SWITCHER_LDATA: called when a different guest is about
 * to run, and when its lguest_data alias appears (LGUEST_INIT). The
 * guest's view of the state and ROM pages is read-only (CR0.WP makes that
 * hold for ring 1 too); ldata_pa is a frame of the guest's own memory, or
 * 0 for none (not present). The host never names the alias: it is left
 * out of the host's table. */
void switcher_map_guest(uint32_t regs_pa, uint32_t state_pa, uint32_t rom_pa,
			uint32_t ldata_pa)
{
	host_pt[PT_INDEX(SWITCHER_REGS)] = regs_pa | PTE_P | PTE_RW;
	host_pt[PT_INDEX(SWITCHER_STATE)] = state_pa | PTE_P | PTE_RW;
	guest_pt[PT_INDEX(SWITCHER_REGS)] = regs_pa | PTE_P | PTE_RW;
	guest_pt[PT_INDEX(SWITCHER_STATE)] = state_pa | PTE_P;
	guest_pt[PT_INDEX(SWITCHER_ROM)] = rom_pa | PTE_P;
	guest_pt[PT_INDEX(SWITCHER_LDATA)] = ldata_pa ? ldata_pa | PTE_P | PTE_RW : 0;
	invlpg(SWITCHER_REGS);
	invlpg(SWITCHER_STATE);
	invlpg(SWITCHER_ROM);
	invlpg(SWITCHER_LDATA);
}

/* A new guest's state page: the host's segments and TSS slots, the guest's
 * ring-1 flat code and data segments, every vector on its Switcher stub,
 * and a TSS whose ring-0 stack is the regs frame and which has no I/O
 * bitmap (iomap_base past the limit: every port faults). */
void switcher_state_init(struct state_page *st)
{
	struct desc_ptr gdtr, idtr;

	memset(st, 0, sizeof(*st));
	__asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	const uint64_t *host_gdt = (const uint64_t *)gdtr.base;

	st->gdt[GDT_HOST_CS] = host_gdt[GDT_HOST_CS];
	st->gdt[GDT_HOST_DS] = host_gdt[GDT_HOST_DS];
	st->gdt[GDT_TSS] = seg_desc(SWITCHER_STATE + offsetof(struct state_page, tss),
				    sizeof(struct tss) - 1, SEG_P | SEG_TSS32, 0);
	st->gdt[GDT_ENTRY_GUEST_CS] = seg_desc(0, 0xFFFFF, SEG_P | SEG_DPL(1) | SEG_S |
					       SEG_CODE_RX | SEG_ACCESSED, FLAG_G | FLAG_D);
	st->gdt[GDT_ENTRY_GUEST_DS] = seg_desc(0, 0xFFFFF, SEG_P | SEG_DPL(1) | SEG_S |
					       SEG_DATA_RW | SEG_ACCESSED, FLAG_G | FLAG_D);

	for (unsigned v = 0; v < 256; v++)
		st->idt[v] = stub_gate(v, v == LGUEST_TRAP_ENTRY ? 1 : 0);

	st->tss.ss0 = SEL_HOST_DS;
	st->tss.esp0 = SWITCHER_REGS + PAGE_SIZE;
	st->tss.iomap_base = sizeof(struct tss);

	st->guest_gdt_desc = (struct desc_ptr){ sizeof(st->gdt) - 1,
		SWITCHER_STATE + offsetof(struct state_page, gdt) };
	st->guest_idt_desc = (struct desc_ptr){ sizeof(st->idt) - 1,
		SWITCHER_STATE + offsetof(struct state_page, idt) };
	st->host_gdt_desc = gdtr;
	st->host_idt_desc = idtr;
	st->host_cr3 = paging_host_cr3();
}

/* The gate for a vector when the guest's own handler is not used
 * directly: the Switcher stub, reachable by `int n` only from dpl. */
uint64_t switcher_stub_gate(unsigned vector, unsigned dpl)
{
	return stub_gate(vector, dpl);
}
