/* A mirror of the console on the VGA text screen (80x25 at 0xB8000), so a
 * machine without a serial line still shows what the hypervisor says. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <lib/lib.h>

#define VGA_COLS  80
#define VGA_ROWS  25
#define VGA_ATTR  0x07		/* light grey on black */
#define CRTC_INDEX 0x3D4
#define CRTC_DATA  0x3D5

static volatile uint16_t *const screen = (volatile uint16_t *)0xB8000;
static unsigned row, col;
static bool ready;

static void vga_clear_row(unsigned r)
{
	for (unsigned c = 0; c < VGA_COLS; c++)
		screen[r * VGA_COLS + c] = (VGA_ATTR << 8) | ' ';
}

/* Put the hardware cursor after the last character (CRTC registers 14/15). */
static void vga_move_cursor(void)
{
	uint16_t pos = row * VGA_COLS + col;

	outb(CRTC_INDEX, 14);
	outb(CRTC_DATA, pos >> 8);
	outb(CRTC_INDEX, 15);
	outb(CRTC_DATA, pos & 0xFF);
}

void vga_init(void)
{
	for (unsigned r = 0; r < VGA_ROWS; r++)
		vga_clear_row(r);
	row = col = 0;
	ready = true;
	vga_move_cursor();
}

static void vga_newline(void)
{
	col = 0;
	if (++row < VGA_ROWS)
		return;
	for (unsigned i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
		screen[i] = screen[i + VGA_COLS];
	row = VGA_ROWS - 1;
	vga_clear_row(row);
}

void vga_write(const char *s, size_t n)
{
	if (!ready)
		return;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\n') {
			vga_newline();
		} else if (c == '\r') {
			col = 0;
		} else if (c == '\b') {
			/* As a terminal's: back one column, erasing nothing
			 * (a guest's line editing echoes "\b \b"). */
			if (col)
				col--;
		} else if (c == '\t') {
			do
				vga_write(" ", 1);
			while (col % 8);
		} else if ((unsigned char)c >= 0x20) {
			screen[row * VGA_COLS + col] = (VGA_ATTR << 8) | (uint8_t)c;
			if (++col == VGA_COLS)
				vga_newline();
		}
	}
	vga_move_cursor();
}
