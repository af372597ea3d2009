/* Inline wrappers for the i386 instructions C cannot express: port I/O,
 * control registers, the TSC, interrupt flag and descriptor-table loads. */
#ifndef RV_X86_H
#define RV_X86_H

#include <types.h>

#define EFLAGS_CF    0x00000001u
#define EFLAGS_TF    0x00000100u
#define EFLAGS_IF    0x00000200u
#define EFLAGS_IOPL  0x00003000u
#define EFLAGS_NT    0x00004000u
#define EFLAGS_RF    0x00010000u
#define EFLAGS_VM    0x00020000u
#define EFLAGS_AC    0x00040000u
#define EFLAGS_ID    0x00200000u

#define CR0_PE  0x00000001u
#define CR0_MP  0x00000002u
#define CR0_EM  0x00000004u
#define CR0_TS  0x00000008u
#define CR0_NE  0x00000020u
#define CR0_WP  0x00010000u
#define CR0_PG  0x80000000u

#define CR4_PSE     0x00000010u
#define CR4_PGE     0x00000080u
#define CR4_OSFXSR  0x00000200u
#define CR4_OSXMMEXCPT 0x00000400u

static inline void outb(uint16_t port, uint8_t v)
{ __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v)
{ __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v)
{ __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{ uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port)
{ uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port)
{ uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
/* A write to an unused port: about a microsecond on ISA-era hardware. */
static inline void io_delay(void) { outb(0x80, 0); }

static inline uint32_t read_cr0(void)
{ uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr2(void)
{ uint32_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr3(void)
{ uint32_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr4(void)
{ uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint32_t v)
{ __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr3(uint32_t v)
{ __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(uint32_t v)
{ __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
static inline void invlpg(uint32_t va)
{ __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

/* A compiler barrier too, so that what is timed stays between two reads. */
static inline uint64_t rdtsc(void)
{ uint64_t v; __asm__ volatile("rdtsc" : "=A"(v) : : "memory"); return v; }

static inline uint32_t read_eflags(void)
{ uint32_t v; __asm__ volatile("pushfl; popl %0" : "=r"(v)); return v; }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
/* sti takes effect after the next instruction, so an interrupt that is
 * already pending wakes the hlt instead of being taken before it. */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

/* Lets interrupts that are pending in, then disables them again: the
 * host's window between two bounded pieces of work. sti takes effect after
 * the next instruction; the jump then ends QEMU's translation block, where
 * TCG checks for interrupts (with sti; nop; cli in one block it never
 * would). Called with interrupts disabled. */
static inline void irq_window(void)
{
	__asm__ volatile("sti; nop; jmp 1f; 1: cli" ::: "memory");
}

static inline uint32_t irq_save(void)
{ uint32_t f = read_eflags(); cli(); return f; }
static inline void irq_restore(uint32_t f)
{ if (f & EFLAGS_IF) sti(); }

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(0));
}

/* The 104-byte i386 hardware TSS (SDM Vol. 3A, 7.2.1). */
struct tss {
	uint16_t link, _r0;
	uint32_t esp0;
	uint16_t ss0, _r1;
	uint32_t esp1;
	uint16_t ss1, _r2;
	uint32_t esp2;
	uint16_t ss2, _r3;
	uint32_t cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint16_t es, _r4, cs, _r5, ss, _r6, ds, _r7, fs, _r8, gs, _r9;
	uint16_t ldt, _r10;
	uint16_t trap, iomap_base;
} __packed;
_Static_assert(sizeof(struct tss) == 104, "hardware TSS layout");

struct desc_ptr {
	uint16_t limit;
	uint32_t base;
} __packed;

static inline void lgdt(const struct desc_ptr *p)
{ __asm__ volatile("lgdt %0" : : "m"(*p)); }
static inline void lidt(const struct desc_ptr *p)
{ __asm__ volatile("lidt %0" : : "m"(*p)); }
static inline void ltr(uint16_t sel)
{ __asm__ volatile("ltr %0" : : "r"(sel)); }

#endif
