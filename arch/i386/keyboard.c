/* The PS/2 keyboard behind the i8042 controller: IRQ 1, scan code set 1
 * (the controller translates), turned into ASCII in a ring for the console.
 * Enough of a keyboard to type a line and Ctrl-A; no LEDs, no key repeat
 * of our own, no keypad, no layouts other than US. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <param.h>

#define I8042_DATA    0x60
#define I8042_STATUS  0x64	/* read: status; write: command */
#define STATUS_OUT    0x01	/* a byte waits in the output buffer (to us) */
#define STATUS_IN     0x02	/* the controller has not taken our last byte */
#define STATUS_AUX    0x20	/* the waiting byte is from the mouse port */
#define CMD_READ_CFG  0x20
#define CMD_WRITE_CFG 0x60
#define CMD_ENABLE_KB 0xAE
#define CFG_KB_IRQ    0x01	/* IRQ 1 when a keyboard byte arrives */
#define CFG_AUX_IRQ   0x02	/* IRQ 12 for the mouse: we have no use for it */
#define CFG_KB_OFF    0x10	/* keyboard clock disabled */
#define CFG_TRANSLATE 0x40	/* set 2 from the keyboard arrives as set 1 */

/* Scan code set 1: a make code is the key's number, its break code the
 * same with bit 7 set; 0xE0 starts a two-byte code (right Ctrl, arrows). */
#define SC_BREAK      0x80
#define SC_EXTENDED   0xE0
#define SC_LCTRL      0x1D	/* right Ctrl is 0xE0 0x1D */
#define SC_LSHIFT     0x2A
#define SC_RSHIFT     0x36

_Static_assert((KEYBOARD_RX_RING & (KEYBOARD_RX_RING - 1)) == 0,
	       "KEYBOARD_RX_RING must be a power of two");

/* Set 1 make codes 0x00-0x39 to ASCII, unshifted and shifted (US layout).
 * Enter gives '\r' and Backspace DEL (0x7F), as a serial terminal sends. */
static const char keymap[2][0x3A] = {
	{
		0, 0x1B, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', 0x7F,
		'\t', 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\r',
		0, 'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`',
		0, '\\', 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/', 0,
		'*', 0, ' ',
	},
	{
		0, 0x1B, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', 0x7F,
		'\t', 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\r',
		0, 'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~',
		0, '|', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<', '>', '?', 0,
		'*', 0, ' ',
	},
};

static bool present;
static char rx_ring[KEYBOARD_RX_RING];
static volatile uint32_t rx_head, rx_tail;	/* head: IRQ writes; tail: reader */
static bool shift_l, shift_r, ctrl, extended;

/* Waits until the controller may take a byte (status bit 1 clear). */
static bool wait_writable(void)
{
	for (uint32_t spins = 0; spins < I8042_SPINS; spins++)
		if (!(inb(I8042_STATUS) & STATUS_IN))
			return true;
	return false;
}

/* Waits until the controller has a byte for us (status bit 0 set). */
static bool wait_readable(void)
{
	for (uint32_t spins = 0; spins < I8042_SPINS; spins++)
		if (inb(I8042_STATUS) & STATUS_OUT)
			return true;
	return false;
}

static void put(char c)
{
	/* Full: the new key is dropped, like a keyboard's own buffer does. */
	if (rx_head - rx_tail < KEYBOARD_RX_RING) {
		rx_ring[rx_head & (KEYBOARD_RX_RING - 1)] = c;
		rx_head++;
	}
}

/* One scan code byte: modifiers tracked, a make code of a mapped key
 * becomes a character (Ctrl folds a letter or @[\]^_ to 0x00-0x1F). */
static void scan_code(uint8_t sc)
{
	bool make = !(sc & SC_BREAK);
	uint8_t key = sc & ~SC_BREAK;

	if (sc == SC_EXTENDED) {
		extended = true;
		return;
	}
	if (extended) {
		extended = false;
		if (key == SC_LCTRL)	/* right Ctrl; other E0 keys unmapped */
			ctrl = make;
		return;
	}
	switch (key) {
	case SC_LCTRL:
		ctrl = make;
		return;
	case SC_LSHIFT:
		shift_l = make;
		return;
	case SC_RSHIFT:
		shift_r = make;
		return;
	}
	if (!make || key >= sizeof(keymap[0]) || !keymap[0][key])
		return;
	char c = keymap[shift_l || shift_r][key];
	if (ctrl) {
		char u = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
		if (u < '@' || u > '_')
			return;		/* no control character for it */
		c = (char)(u & 0x1F);
	}
	put(c);
}

static void keyboard_irq(unsigned irq)
{
	(void)irq;
	uint8_t status;

	while ((status = inb(I8042_STATUS)) & STATUS_OUT) {
		uint8_t b = inb(I8042_DATA);
		if (!(status & STATUS_AUX))
			scan_code(b);
	}
}

/* Find the i8042, have it raise IRQ 1 for keyboard bytes and translate
 * them to set 1 (what a BIOS leaves it doing, made sure of), and take
 * IRQ 1. Boot time, interrupts disabled, after pic_init(). A machine
 * without a controller (status reads 0xFF) just has no keyboard. */
void keyboard_init(void)
{
	if (inb(I8042_STATUS) == 0xFF)
		return;
	for (unsigned i = 0; i < 16 && (inb(I8042_STATUS) & STATUS_OUT); i++)
		(void)inb(I8042_DATA);		/* stale bytes from the firmware */
	if (!wait_writable())
		return;
	outb(I8042_STATUS, CMD_READ_CFG);
	if (!wait_readable())
		return;
	uint8_t cfg = inb(I8042_DATA);
	cfg = (cfg | CFG_KB_IRQ | CFG_TRANSLATE) & ~(CFG_KB_OFF | CFG_AUX_IRQ);
	if (!wait_writable())
		return;
	outb(I8042_STATUS, CMD_WRITE_CFG);
	if (!wait_writable())
		return;
	outb(I8042_DATA, cfg);
	if (!wait_writable())
		return;
	outb(I8042_STATUS, CMD_ENABLE_KB);
	present = true;
	irq_register(IRQ_KEYBOARD, keyboard_irq);
	pic_unmask(IRQ_KEYBOARD);
}

/* The next typed character, or -1 when none waits. Interrupts disabled
 * (one reader; the IRQ handler is the only writer). */
int keyboard_getc(void)
{
	if (!present || rx_tail == rx_head)
		return -1;
	int c = (uint8_t)rx_ring[rx_tail & (KEYBOARD_RX_RING - 1)];
	rx_tail++;
	return c;
}
