/* The 16550 UART on COM1: 115200 8N1 with FIFOs on. Transmit polls the
 * line status with a bounded wait, so a wedged UART costs time, never a
 * hang; receive is interrupt driven (IRQ 4) into a ring buffer. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <param.h>

#define COM1      0x3F8
#define REG_DATA  0	/* DLAB=0: receive buffer / transmit holding */
#define REG_IER   1	/* DLAB=0: interrupt enable */
#define REG_DLL   0	/* DLAB=1: divisor latch, low byte */
#define REG_DLM   1	/* DLAB=1: divisor latch, high byte */
#define REG_FCR   2	/* write: FIFO control */
#define REG_LCR   3	/* line control */
#define REG_MCR   4	/* modem control */
#define REG_LSR   5	/* line status */
#define REG_SCR   7	/* scratch */

#define IER_RX_AVAIL  0x01
#define FCR_ENABLE    0x01
#define FCR_CLEAR_RX  0x02
#define FCR_CLEAR_TX  0x04
#define FCR_TRIGGER14 0xC0
#define LCR_8N1       0x03
#define LCR_DLAB      0x80
#define MCR_DTR       0x01
#define MCR_RTS       0x02
#define MCR_OUT2      0x08	/* gates the UART's interrupt onto the ISA line */
#define LSR_DATA      0x01
#define LSR_THRE      0x20

_Static_assert((SERIAL_RX_RING & (SERIAL_RX_RING - 1)) == 0,
	       "SERIAL_RX_RING must be a power of two");

static bool present;
static uint8_t rx_ring[SERIAL_RX_RING];
static volatile uint32_t rx_head, rx_tail;	/* head: IRQ writes; tail: readers */

/* Probe with the scratch register, then program 115200 baud (divisor 1 of
 * the 1.8432 MHz / 16 clock), 8N1, FIFOs cleared and on. */
void serial_init(void)
{
	outb(COM1 + REG_SCR, 0x5A);
	if (inb(COM1 + REG_SCR) != 0x5A)
		return;
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, LCR_DLAB);
	outb(COM1 + REG_DLL, 1);
	outb(COM1 + REG_DLM, 0);
	outb(COM1 + REG_LCR, LCR_8N1);
	outb(COM1 + REG_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX | FCR_TRIGGER14);
	outb(COM1 + REG_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	present = true;
}

static void serial_rx_irq(unsigned irq)
{
	(void)irq;
	/* Drain the FIFO; when the ring is full the oldest bytes are kept and
	 * new ones dropped, since a reader that far behind has lost sync. */
	while (inb(COM1 + REG_LSR) & LSR_DATA) {
		uint8_t c = inb(COM1 + REG_DATA);
		if (rx_head - rx_tail < SERIAL_RX_RING) {
			rx_ring[rx_head & (SERIAL_RX_RING - 1)] = c;
			rx_head++;
		}
	}
}

void serial_enable_rx_irq(void)
{
	if (!present)
		return;
	irq_register(IRQ_COM1, serial_rx_irq);
	outb(COM1 + REG_IER, IER_RX_AVAIL);
	pic_unmask(IRQ_COM1);
}

int serial_getc(void)
{
	if (rx_tail == rx_head)
		return -1;
	int c = rx_ring[rx_tail & (SERIAL_RX_RING - 1)];
	rx_tail++;
	return c;
}

/* Waits for room in the transmitter, at most SERIAL_TX_WAIT_MS by the TSC
 * once it is calibrated (before, SERIAL_TX_SPINS polls): a UART whose
 * other end reads slowly (QEMU holding THRE clear while its back end is
 * busy, on a loaded host) must not lose bytes, and a wedged one must not
 * hang the hypervisor. False if the wait ran out. */
static bool tx_ready(void)
{
	uint64_t start = rdtsc(), limit = (uint64_t)tsc_khz * SERIAL_TX_WAIT_MS;

	for (uint32_t spins = 0; !(inb(COM1 + REG_LSR) & LSR_THRE); spins++) {
		if (limit ? rdtsc() - start > limit : spins == SERIAL_TX_SPINS)
			return false;
	}
	return true;
}

void serial_putc(char c)
{
	if (present && tx_ready())
		outb(COM1 + REG_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

bool serial_rx_pending(void)
{
	return rx_tail != rx_head;
}
