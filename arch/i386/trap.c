/* Dispatch of the host's own traps: hardware interrupts to their
 * registered handlers, exceptions to the fatal report (the hypervisor
 * takes no exception on purpose; guest traps arrive through the Switcher). */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <lib/log.h>

static irq_handler_t irq_handlers[NR_IRQS];

void irq_register(unsigned irq, irq_handler_t fn)
{
	ASSERT(irq < NR_IRQS);
	irq_handlers[irq] = fn;
}

void c_trap(struct trap_frame *tf)
{
	if (tf->vector == 2) {
		/* Nothing here arms an NMI source; one from the chipset (a
		 * parity or watchdog report) is told, not fatal. */
		pr_warn("NMI received (system control port B: %02x)", inb(0x61));
		return;
	}
	if (tf->vector < VEC_IRQ0)
		exception_fatal(tf);
	if (tf->vector < VEC_IRQ0 + NR_IRQS) {
		unsigned irq = tf->vector - VEC_IRQ0;
		if (pic_is_spurious(irq))
			return;
		/* Acknowledge first: a handler may re-arm the PIT, and an
		 * edge that arrives while it runs must not be lost. */
		pic_eoi(irq);
		if (irq_handlers[irq])
			irq_handlers[irq](irq);
		return;
	}
	pr_warn("unexpected interrupt vector %u ignored", tf->vector);
}
