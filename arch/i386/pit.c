/* The 8253/8254 programmable interval timer: channel 0 as the one-shot
 * timer behind the timer queue (IRQ 0), channel 2 free-running for tsc.c. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>

/* One counter per data port and a shared mode/command port. The PIT's
 * input clock is PIT_HZ (1.193182 MHz, a third of the PC's old 14.318 MHz
 * crystal divided by four), whatever the CPU. */
#define PIT_CH0_DATA   0x40
#define PIT_CH2_DATA   0x42
#define PIT_CMD        0x43

/* The command byte: bits 7-6 select the channel, 5-4 the access mode, 3-1
 * the counting mode, bit 0 BCD (0: binary). */
#define PIT_SEL_CH0    (0u << 6)
#define PIT_SEL_CH2    (2u << 6)
#define PIT_LOHI       (3u << 4)	/* count is written low byte, high byte */
#define PIT_MODE0      (0u << 1)	/* interrupt on terminal count */
#define PIT_MODE2      (2u << 1)	/* rate generator: reloads at 1 */
#define PIT_LATCH      (0u << 4)	/* access 0: latch the count */

/* Port 0x61, the PC/AT's "system control port B". Bit 0 drives the GATE
 * input of channel 2; bit 1 connects channel 2's output to the speaker;
 * bit 5 reads back channel 2's OUT pin (unused here). The other bits
 * belong to the keyboard controller and parity logic and are written back
 * unchanged. */
#define PORT_SYS_CTRL_B 0x61
#define SYS_CTRL_CH2_GATE 0x01
#define SYS_CTRL_SPEAKER  0x02

#define PIT_MAX_TICKS  0xffffu

/* ns -> ticks as a multiply and shift: ticks = ns * PIT_HZ / 10^9, with
 * PIT_HZ / 10^9 as a 32.32 fixed-point fraction. The constant is folded
 * at compile time, so no 64-bit division runs. */
#define PIT_TICKS_PER_NS_FRAC ((uint32_t)(((uint64_t)PIT_HZ << 32) / 1000000000u))

/* Puts channel 0 in mode 0, binary, low-then-high byte access. In mode 0
 * writing the command byte drives OUT (IRQ 0) low; after a count is written
 * the counter runs down once and raises OUT at zero, and the PIC's edge
 * trigger turns that rising edge into one interrupt. The counter is not
 * started here: the first pit_oneshot_ns() does that. Call once, with
 * interrupts disabled. */
void pit_init(void)
{
	outb(PIT_CMD, PIT_SEL_CH0 | PIT_LOHI | PIT_MODE0);
}

/* Arms channel 0 to raise IRQ 0 once, ns nanoseconds from now, rounded up
 * to whole ticks and clamped to [1, 65535] ticks (838 ns .. 54.9 ms); the
 * timer queue re-arms for anything longer. A count still running is
 * replaced. In mode 0 writing a new count drops OUT again, so the next
 * terminal count is a fresh rising edge. Call with interrupts disabled:
 * the two byte writes must not be split by another writer. */
void pit_oneshot_ns(uint64_t ns)
{
	uint32_t ticks;

	/* The largest interval that fits; above it the product below could
	 * overflow 64 bits, and the answer is the maximum count anyway. */
	if (ns >= (uint64_t)PIT_MAX_TICKS * 1000000000u / PIT_HZ) {
		ticks = PIT_MAX_TICKS;
	} else {
		uint64_t t = (uint64_t)(uint32_t)ns * PIT_TICKS_PER_NS_FRAC;

		ticks = (uint32_t)((t + 0xffffffffu) >> 32);
		ticks = MAX(ticks, 1u);
		ticks = MIN(ticks, PIT_MAX_TICKS);
	}
	outb(PIT_CH0_DATA, (uint8_t)ticks);
	outb(PIT_CH0_DATA, (uint8_t)(ticks >> 8));
}

/* Starts channel 2 counting for ever, as the free-running clock tsc.c
 * calibrates the TSC against: mode 2 with the count 0 (65536), so it
 * counts down and reloads every 65536 ticks (54.9 ms), a period nothing
 * has to service. Channel 2 is wired to no interrupt; its GATE is reached
 * through port 0x61, raised here and left high, with the speaker off.
 * Interrupts disabled; boot-time only. */
void pit_ch2_free_run(void)
{
	uint8_t ctrl = inb(PORT_SYS_CTRL_B);

	ctrl &= (uint8_t)~(SYS_CTRL_CH2_GATE | SYS_CTRL_SPEAKER);
	outb(PORT_SYS_CTRL_B, ctrl);		/* gate low, speaker silent */
	outb(PIT_CMD, PIT_SEL_CH2 | PIT_LOHI | PIT_MODE2);
	outb(PIT_CH2_DATA, 0);
	outb(PIT_CH2_DATA, 0);
	outb(PORT_SYS_CTRL_B, ctrl | SYS_CTRL_CH2_GATE);	/* count */
}

/* Channel 2's count now: it falls by one each tick and wraps, so the ticks
 * between two reads are their difference modulo 65536. The latch command
 * freezes the count for the two byte reads, so the value is the count at
 * the moment of the latch (the first of the three port accesses). Any
 * context with interrupts disabled: the three accesses must not be split
 * by another reader. */
uint16_t pit_ch2_count(void)
{
	outb(PIT_CMD, PIT_SEL_CH2 | PIT_LATCH);
	uint8_t lo = inb(PIT_CH2_DATA);
	uint8_t hi = inb(PIT_CH2_DATA);

	return (uint16_t)(lo | hi << 8);
}
