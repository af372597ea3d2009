/* The host IDT: every vector goes to its stub in vectors.S, except the
 * double fault, which is a task gate to a TSS with a stack of its own. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>

#define STUB_SIZE 16
#define GATE_P          0x80
#define GATE_DPL(n)     ((n) << 5)
#define GATE_TASK       0x05
#define GATE_INTR32     0x0E
#define GATE_TRAP32     0x0F

extern const uint8_t vector_stubs[];

static uint64_t idt[256] __aligned(8);

void idt_set_gate(unsigned vec, uint32_t handler, unsigned dpl, bool trap_gate)
{
	uint8_t type = GATE_P | GATE_DPL(dpl) | (trap_gate ? GATE_TRAP32 : GATE_INTR32);

	idt[vec] = (uint64_t)(handler & 0xFFFF) | ((uint64_t)SEL_HOST_CS << 16) |
		   ((uint64_t)type << 40) | ((uint64_t)(handler >> 16) << 48);
}

/* All gates are interrupt gates: the hypervisor always runs with the real
 * IF clear while it handles a trap, and enables it only where it chooses. */
void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		idt_set_gate(v, (uint32_t)(vector_stubs + v * STUB_SIZE), 0, false);
	idt[8] = ((uint64_t)SEL_DF_TSS << 16) | ((uint64_t)(GATE_P | GATE_TASK) << 40);

	struct desc_ptr ip = { sizeof(idt) - 1, (uint32_t)idt };
	lidt(&ip);
}

uint32_t idt_checksum(void)
{
	uint32_t sum = 0;
	const uint32_t *w = (const uint32_t *)idt;

	for (unsigned i = 0; i < sizeof(idt) / 4; i++)
		sum = sum * 31 + w[i];
	return sum;
}
