/* The 16550 UARTs: COM1, the console, and COM2, the monitor's channel
 * for scripts (monitor=com2); 115200 8N1 with FIFOs on. Transmit polls the
 * line status with a bounded wait, so a wedged UART costs time, never a
 * hang; receive is interrupt driven (IRQ 4, IRQ 3) into a ring buffer. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <param.h>

#define COM1      0x3F8
#define COM2      0x2F8
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

struct uart {
	uint16_t base;
	bool present;
	uint8_t rx_ring[SERIAL_RX_RING];
	volatile uint32_t rx_head, rx_tail;	/* head: IRQ writes; tail: readers */
};

static struct uart com1 = { .base = COM1 }, com2 = { .base = COM2 };
static void (*com2_received)(void);	/* the monitor's: bytes came */

/* Probe with the scratch register, then program 115200 baud (divisor 1 of
 * the 1.8432 MHz / 16 clock), 8N1, FIFOs cleared and on. */
static void uart_init(struct uart *u)
{
	outb(u->base + REG_SCR, 0x5A);
	if (inb(u->base + REG_SCR) != 0x5A)
		return;
	outb(u->base + REG_IER, 0);
	outb(u->base + REG_LCR, LCR_DLAB);
	outb(u->base + REG_DLL, 1);
	outb(u->base + REG_DLM, 0);
	outb(u->base + REG_LCR, LCR_8N1);
	outb(u->base + REG_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX | FCR_TRIGGER14);
	outb(u->base + REG_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	u->present = true;
}

void serial_init(void)
{
	uart_init(&com1);
}

/* Drain the FIFO; when the ring is full the oldest bytes are kept and new
 * ones dropped, since a reader that far behind has lost sync. */
static void uart_rx(struct uart *u)
{
	while (inb(u->base + REG_LSR) & LSR_DATA) {
		uint8_t c = inb(u->base + REG_DATA);
		if (u->rx_head - u->rx_tail < SERIAL_RX_RING) {
			u->rx_ring[u->rx_head & (SERIAL_RX_RING - 1)] = c;
			u->rx_head++;
		}
	}
}

static void com1_rx_irq(unsigned irq)
{
	(void)irq;
	uart_rx(&com1);
}

static void com2_rx_irq(unsigned irq)
{
	(void)irq;
	uart_rx(&com2);
	if (com2_received)
		com2_received();
}

static void uart_enable_rx(struct uart *u, unsigned irq, irq_handler_t fn)
{
	if (!u->present)
		return;
	irq_register(irq, fn);
	outb(u->base + REG_IER, IER_RX_AVAIL);
	pic_unmask(irq);
}

void serial_enable_rx_irq(void)
{
	uart_enable_rx(&com1, IRQ_COM1, com1_rx_irq);
}

static int uart_getc(struct uart *u)
{
	if (u->rx_tail == u->rx_head)
		return -1;
	int c = u->rx_ring[u->rx_tail & (SERIAL_RX_RING - 1)];
	u->rx_tail++;
	return c;
}

int serial_getc(void)
{
	return uart_getc(&com1);
}

/* Waits for room in the transmitter, at most SERIAL_TX_WAIT_MS by the TSC
 * once it is calibrated (before, SERIAL_TX_SPINS polls): a UART whose
 * other end reads slowly (QEMU holding THRE clear while its back end is
 * busy, on a loaded host) must not lose bytes, and a wedged one must not
 * hang the hypervisor. False if the wait ran out. */
static bool tx_ready(const struct uart *u)
{
	uint64_t start = rdtsc(), limit = (uint64_t)tsc_khz * SERIAL_TX_WAIT_MS;

	for (uint32_t spins = 0; !(inb(u->base + REG_LSR) & LSR_THRE); spins++) {
		if (limit ? rdtsc() - start > limit : spins == SERIAL_TX_SPINS)
			return false;
	}
	return true;
}

static void uart_putc(struct uart *u, char c)
{
	if (u->present && tx_ready(u))
		outb(u->base + REG_DATA, (uint8_t)c);
}

static void uart_write(struct uart *u, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc(u, '\r');
		uart_putc(u, s[i]);
	}
}

void serial_putc(char c)
{
	uart_putc(&com1, c);
}

void serial_write(const char *s, size_t n)
{
	uart_write(&com1, s, n);
}

bool serial_rx_pending(void)
{
	return com1.rx_tail != com1.rx_head;
}

/* COM2, for the monitor's script channel: set up with its receive
 * interrupt (IRQ 3), which calls received (interrupt context) after it
 * took the bytes. False if there is no UART at 0x2F8. */
bool serial_com2_init(void (*received)(void))
{
	com2_received = received;
	uart_init(&com2);
	uart_enable_rx(&com2, IRQ_COM2, com2_rx_irq);
	return com2.present;
}

int serial_com2_getc(void)
{
	return uart_getc(&com2);
}

void serial_com2_write(const char *s, size_t n)
{
	uart_write(&com2, s, n);
}
