/* The two cascaded 8259A interrupt controllers: remapped to VEC_IRQ0..+15,
 * line masking, end-of-interrupt, and recognising spurious IRQs 7 and 15. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <lib/log.h>

/* Each 8259A has two ports. The command port (A0=0) takes ICW1, OCW2 and
 * OCW3 and reads back IRR or ISR; the data port (A0=1) takes ICW2-4 during
 * initialisation and afterwards reads and writes the mask (OCW1). */
#define PIC_MASTER_CMD   0x20
#define PIC_MASTER_DATA  0x21
#define PIC_SLAVE_CMD    0xa0
#define PIC_SLAVE_DATA   0xa1

/* On the PC/AT the slave's INT output drives the master's IR2. */
#define PIC_CASCADE_IRQ  2

#define ICW1_ICW4        0x01	/* an ICW4 follows */
#define ICW1_INIT        0x10	/* bit 4 marks the byte as ICW1 */
#define ICW4_8086        0x01	/* 8086/88 mode, not MCS-80/85 */
#define OCW2_EOI         0x20	/* non-specific end of interrupt */
#define OCW3_READ_ISR    0x0b	/* OCW3 (bit 3), RR=1 RIS=1: next read is ISR */

/* The 16 lines' masks, bit n for IRQ n; a set bit masks the line. The
 * master's bit 2 (the cascade) is derived: open iff some slave line is. */
static uint16_t pic_masks = 0xffff;

static void pic_write_masks(void)
{
	uint8_t master = (uint8_t)pic_masks;

	if ((pic_masks >> 8) != 0xff)
		master &= (uint8_t)~(1u << PIC_CASCADE_IRQ);
	else
		master |= 1u << PIC_CASCADE_IRQ;
	outb(PIC_MASTER_DATA, master);
	outb(PIC_SLAVE_DATA, (uint8_t)(pic_masks >> 8));
}

/* Reprograms both PICs from scratch and masks every line. Call once, with
 * interrupts disabled, before any IRQ is unmasked.
 *
 * The BIOS leaves the master at vectors 8-15, on top of the CPU's own
 * exceptions (8 is #DF), so the PICs must be moved before interrupts are
 * enabled. The 8259A only accepts a new vector base through the full
 * initialisation sequence: ICW1 on the command port, then ICW2, ICW3 and
 * (because ICW1 asked for it) ICW4 on the data port, in that order.
 *   ICW1 0x11: start initialisation, edge-triggered, cascade mode, ICW4
 *              follows.
 *   ICW2:      vector of IR0 (the low 3 bits must be 0: the chip puts the
 *              line number there). Master VEC_IRQ0, slave VEC_IRQ0 + 8.
 *   ICW3:      master: a bit mask of the IR lines that have a slave (IR2,
 *              so 0x04); slave: its own cascade identity, the number of the
 *              master line it hangs on (2).
 *   ICW4 0x01: 8086 mode, normal (not automatic) EOI, not buffered.
 * io_delay() between writes gives an ISA-era chip time to settle. */
void pic_init(void)
{
	_Static_assert((VEC_IRQ0 & 7) == 0, "ICW2 needs an 8-aligned vector");

	outb(PIC_MASTER_CMD, ICW1_INIT | ICW1_ICW4);
	io_delay();
	outb(PIC_SLAVE_CMD, ICW1_INIT | ICW1_ICW4);
	io_delay();
	outb(PIC_MASTER_DATA, VEC_IRQ0);
	io_delay();
	outb(PIC_SLAVE_DATA, VEC_IRQ0 + 8);
	io_delay();
	outb(PIC_MASTER_DATA, 1u << PIC_CASCADE_IRQ);
	io_delay();
	outb(PIC_SLAVE_DATA, PIC_CASCADE_IRQ);
	io_delay();
	outb(PIC_MASTER_DATA, ICW4_8086);
	io_delay();
	outb(PIC_SLAVE_DATA, ICW4_8086);
	io_delay();

	pic_masks = 0xffff;
	pic_write_masks();
}

/* Lets IRQ irq through. Unmasking a slave line (8-15) also opens the
 * cascade line on the master. IRQ 2 itself is the cascade and carries no
 * device on a PC/AT, so asking for it is a hypervisor bug. */
void pic_unmask(unsigned irq)
{
	ASSERT(irq < NR_IRQS && irq != PIC_CASCADE_IRQ);
	uint32_t flags = irq_save();

	pic_masks &= (uint16_t)~(1u << irq);
	pic_write_masks();
	irq_restore(flags);
}

/* Blocks IRQ irq; the cascade closes when the last slave line does. */
void pic_mask(unsigned irq)
{
	ASSERT(irq < NR_IRQS && irq != PIC_CASCADE_IRQ);
	uint32_t flags = irq_save();

	pic_masks |= (uint16_t)(1u << irq);
	pic_write_masks();
	irq_restore(flags);
}

/* Ends the in-service state of a real (not spurious) IRQ so the PIC will
 * deliver this and lower-priority lines again. A slave IRQ is in service
 * on both chips (on the master as IR2), so the slave is told first, then
 * the master. Interrupt context. */
void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC_SLAVE_CMD, OCW2_EOI);
	outb(PIC_MASTER_CMD, OCW2_EOI);
}

static uint8_t pic_read_isr(uint16_t cmd_port)
{
	outb(cmd_port, OCW3_READ_ISR);
	return inb(cmd_port);
}

/* True when an interrupt on irq is spurious, in which case the caller must
 * neither send an EOI nor run a handler. Interrupt context.
 *
 * If a request line drops between the PIC raising INTR and the CPU's
 * acknowledge cycle, the 8259A still has to answer with a vector and
 * supplies its lowest-priority one, IR7, without setting the ISR bit. So a
 * vector for IRQ 7 (master) or IRQ 15 (slave) is real only if the ISR bit 7
 * of that chip is set. A spurious IRQ 15 is still a real IR2 request on the
 * master, which did set its ISR bit 2, so the master needs its EOI. */
bool pic_is_spurious(unsigned irq)
{
	if (irq == 7)
		return !(pic_read_isr(PIC_MASTER_CMD) & 0x80);
	if (irq == 15 && !(pic_read_isr(PIC_SLAVE_CMD) & 0x80)) {
		outb(PIC_MASTER_CMD, OCW2_EOI);
		return true;
	}
	return false;
}
