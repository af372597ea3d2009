/* Ending the machine: QEMU's isa-debug-exit port when the command line asks
 * for it (exit=qemu), otherwise a halt with interrupts off. Nothing is
 * written to a port the command line did not name. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <param.h>

static bool debug_exit;

void power_set_debug_exit(bool on)
{
	debug_exit = on;
}

void arch_halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

void arch_poweroff(int code)
{
	cli();
	if (debug_exit)
		outb(DEBUG_EXIT_PORT, (uint8_t)code);	/* QEMU exits: (code << 1) | 1 */
	arch_halt_forever();
}
