/* Test guest: the PCI bus and the virtio console, used the way a Linux 4.9
 * lguest guest uses them. Config cycles of every width and Linux's probes,
 * the capability walk, BAR sizing and relocation, the early console
 * through the PCI_CFG window, then device memory: every `mov` form and
 * addressing mode on BAR 0, virtio status, features and reset, queue
 * set-up, transmit (consumed before the guest runs again) and receive
 * (the test types; the device interrupts). test/test_devices.py boots it
 * with the console focus and reads its lines. */
#include "tlib.h"
#include "vtlib.h"

#define MS          1000000ull
#define RX_SIZE     64
#define TX_SIZE     256
#define IRQ_BIT(n)  (1u << (n))

static uint32_t mem;            /* guest RAM: BAR 0's first home */
static struct vt_queue rxq, txq;

static volatile uint32_t irqs, isr_first, isr_again, isr_seen;

/* The device's interrupt, as vp_interrupt does it: read the ISR (which
 * clears it); bit 0 says the queues have news. */
static void on_virtio(struct rv_regs *r)
{
	(void)r;
	isr_first = vt_readb(VT_BAR_VA + VT_BAR_ISR);
	isr_again = vt_readb(VT_BAR_VA + VT_BAR_ISR);
	isr_seen |= isr_first;
	irqs++;
}

/* Halt, interrupts on, until *count moves from before or ns (at most 4 s)
 * pass: the device's interrupt is what wakes the guest, the timer only
 * bounds the wait. The check runs with interrupts off: the host enables
 * them as the guest halts, so nothing slips in between. */
static int wait_for(volatile uint32_t *count, uint32_t before, uint32_t ns)
{
	uint64_t end = rv_time_ns() + ns;

	rv_timer_oneshot(ns);
	for (;;) {
		rv_irq_disable();
		if (*count != before || rv_time_ns() >= end)
			break;
		rv_halt();
	}
	rv_irq_enable();
	return *count != before;
}

/* ---- PCI configuration space --------------------------------------------- */

/* pci_check_type1 (arch/x86/pci/direct.c): a byte to 0xCFB first, then
 * the latch must read back what was written. */
TEST(pci_type1_probe)
{
	vt_outb(0xCFB, 0x01);
	uint32_t tmp = vt_inl(VT_PCI_ADDR);
	vt_outl(VT_PCI_ADDR, 0x80000000);
	uint32_t got = vt_inl(VT_PCI_ADDR);
	vt_outl(VT_PCI_ADDR, tmp);
	CHECK(got == 0x80000000, "latch read back %08x", got);
	CHECK(vt_inl(VT_PCI_ADDR) == tmp, "latch not restored to %08x", tmp);
	/* Reserved bits and the two low bits do not stick. */
	vt_outl(VT_PCI_ADDR, 0xFFFFFFFF);
	got = vt_inl(VT_PCI_ADDR);
	CHECK(got == 0x80FFFFFC, "latch of all-ones reads %08x", got);
	/* Only a dword at 0xCF8 is the latch. */
	CHECK(vt_inb(0xCF8) == 0xFF && vt_inb(0xCFB) == 0xFF, "byte at the latch");
	CHECK(vt_inw(0xCF8) == 0xFFFF && vt_inw(0xCFA) == 0xFFFF, "word at the latch");
	CHECK(vt_inl(VT_PCI_ADDR) == 0x80FFFFFC, "a byte write moved the latch");
}

/* pci_sanity_check: the class of 00:00.0 as a 16-bit read at 0x0A. */
TEST(pci_host_bridge)
{
	uint32_t cls = vt_cfg_read(VT_SLOT_BRIDGE, VT_PCI_CLASS_DEVICE, 2);
	CHECK(cls == 0x0600, "class %04x", cls);
	uint32_t id = vt_cfg_read(VT_SLOT_BRIDGE, VT_PCI_VENDOR, 4);
	CHECK(id == 0x00081B36, "vendor/device %08x", id);
	CHECK(vt_cfg_read(VT_SLOT_BRIDGE, VT_PCI_VENDOR, 2) == 0x1B36, "16-bit vendor");
	CHECK(vt_cfg_read(VT_SLOT_BRIDGE, VT_PCI_CLASS_DEVICE + 1, 1) == 0x06, "base class");
	CHECK(vt_cfg_read(VT_SLOT_BRIDGE, VT_PCI_HEADER_TYPE, 1) == 0, "header type");
	/* Writes go nowhere. */
	vt_cfg_write(VT_SLOT_BRIDGE, VT_PCI_BAR0, 4, 0xFFFFFFFF);
	CHECK(vt_cfg_read(VT_SLOT_BRIDGE, VT_PCI_BAR0, 4) == 0, "bridge BAR took a write");
	CHECK(vt_cfg_read(VT_SLOT_BRIDGE, VT_PCI_VENDOR, 4) == 0x00081B36, "identity moved");
}

/* 00:01.0, read with every width, as probe_pci_console and the PCI core do. */
TEST(pci_console_header)
{
	static const uint8_t id[4] = { 0xF4, 0x1A, 0x43, 0x10 };

	uint32_t v = vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_VENDOR, 4);
	CHECK(v == VT_CONSOLE_ID, "vendor/device %08x", v);
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, 0, 2) == 0x1AF4, "16-bit vendor");
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, 2, 2) == 0x1043, "16-bit device");
	for (unsigned i = 0; i < 4; i++)
		CHECK(vt_cfg_read(VT_SLOT_CONSOLE, i, 1) == id[i], "byte %u of the identity", i);
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_REVISION, 1) == 1, "revision");
	v = vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_CLASS_DEVICE, 2);
	CHECK(v == 0xFF00, "class %04x", v);
	v = vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_SUBSYSTEM, 4);
	CHECK(v == 0x00031AF4, "subsystem %08x (virtio device type 3)", v);
	v = vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_STATUS, 2);
	CHECK(v & VT_STATUS_CAP_LIST, "status %04x without the capability list", v);
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_HEADER_TYPE, 1) == 0, "header type");
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_IRQ_LINE, 1) == 5, "interrupt line");
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_IRQ_PIN, 1) == 1, "interrupt pin");
	for (unsigned bar = VT_PCI_BAR1; bar <= 0x24; bar += 4)
		CHECK(vt_cfg_read(VT_SLOT_CONSOLE, bar, 4) == 0, "BAR at %#x present", bar);
	/* The identity is read-only. */
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_VENDOR, 4, 0x12345678);
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_VENDOR, 4) == VT_CONSOLE_ID, "identity written");
}

/* An empty slot, another function, another bus, or the enable bit clear:
 * all-ones, as a master abort gives on real hardware. */
TEST(pci_empty_reads_ones)
{
	for (unsigned slot = 2; slot < 32; slot++)
		CHECK(vt_cfg_read(slot, VT_PCI_VENDOR, 4) == 0xFFFFFFFF, "slot %u answers", slot);
	for (unsigned fn = 1; fn < 8; fn++) {
		CHECK(vt_cfg_read_at(0, VT_SLOT_CONSOLE, fn, 0, 4) == 0xFFFFFFFF, "00:01.%u", fn);
		CHECK(vt_cfg_read_at(0, VT_SLOT_BRIDGE, fn, 0, 2) == 0xFFFF, "00:00.%u", fn);
	}
	CHECK(vt_cfg_read_at(1, VT_SLOT_CONSOLE, 0, 0, 4) == 0xFFFFFFFF, "bus 1");
	CHECK(vt_cfg_read_at(255, VT_SLOT_BRIDGE, 0, 0x0A, 2) == 0xFFFF, "bus 255");
	CHECK(vt_cfg_read(7, VT_PCI_CLASS_DEVICE + 1, 1) == 0xFF, "byte of slot 7");
	CHECK(vt_cfg_read(31, VT_PCI_CLASS_DEVICE, 2) == 0xFFFF, "word of slot 31");
	vt_cfg_write(9, VT_PCI_BAR0, 4, 0);
	CHECK(vt_cfg_read(9, VT_PCI_BAR0, 4) == 0xFFFFFFFF, "a write to slot 9 stuck");
	/* Bit 31 clear: no configuration cycle at all. */
	vt_outl(VT_PCI_ADDR, VT_SLOT_CONSOLE << 11);
	CHECK(vt_inl(VT_PCI_DATA) == 0xFFFFFFFF, "enable bit clear, yet the console answers");
	/* A word that runs past 0xCFF. */
	vt_outl(VT_PCI_ADDR, VT_PCI_ENABLE | VT_SLOT_CONSOLE << 11);
	CHECK(vt_inw(0xCFF) == 0xFFFF, "inw 0xCFF answered");
}

/* virtio_pci_modern_probe's walk: every structure found, in BAR 0. */
TEST(pci_cap_walk)
{
	unsigned n = vt_find_caps();

	CHECK(n == 5, "%u vendor capabilities", n);
	for (unsigned t = VT_CAP_COMMON; t <= VT_CAP_PCI_CFG; t++) {
		CHECK(vt_caps.pos[t], "no capability of type %u", t);
		uint8_t len = (uint8_t)vt_cfg_read(VT_SLOT_CONSOLE, vt_caps.pos[t] + VT_CAP_LEN, 1);
		CHECK(len >= (t == VT_CAP_NOTIFY || t == VT_CAP_PCI_CFG ? 20 : 16),
		      "type %u capability of %u bytes", t, len);
	}
	CHECK(vt_caps.off[VT_CAP_COMMON] == VT_BAR_COMMON && vt_caps.len[VT_CAP_COMMON] >= 0x38,
	      "common at %#x, %u bytes", vt_caps.off[1], vt_caps.len[1]);
	CHECK(vt_caps.off[VT_CAP_NOTIFY] == VT_BAR_NOTIFY && vt_caps.len[VT_CAP_NOTIFY] >= 8,
	      "notify at %#x, %u bytes", vt_caps.off[2], vt_caps.len[2]);
	CHECK(vt_caps.notify_mult == 4, "notify multiplier %u", vt_caps.notify_mult);
	CHECK(vt_caps.off[VT_CAP_ISR] == VT_BAR_ISR && vt_caps.len[VT_CAP_ISR] >= 1,
	      "ISR at %#x", vt_caps.off[3]);
	CHECK(vt_caps.off[VT_CAP_DEVICE] == VT_BAR_DEVICE && vt_caps.len[VT_CAP_DEVICE] >= 12,
	      "device config at %#x, %u bytes", vt_caps.off[4], vt_caps.len[4]);
	/* The list ends: the last capability's next is 0. */
	unsigned last = 0;
	for (unsigned t = 1; t <= 5; t++)
		last = vt_caps.pos[t] > last ? vt_caps.pos[t] : last;
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, last + VT_CAP_NEXT, 1) == 0, "the list does not end");
}

/* Only memory decode, bus master and INTx disable are writable. */
TEST(pci_command_register)
{
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_COMMAND, 2) == 0, "command not 0 at reset");
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_COMMAND, 2, 0xFFFF);
	uint32_t c = vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_COMMAND, 2);
	CHECK(c == (VT_CMD_MEMORY | VT_CMD_MASTER | VT_CMD_INTX_DISABLE), "command %04x", c);
	/* A dword write at 0x04 touches the command, not the status. */
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_COMMAND, 4, 0xFFFF0000);
	c = vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_COMMAND, 4);
	CHECK(c == (uint32_t)VT_STATUS_CAP_LIST << 16, "command/status %08x", c);
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_COMMAND, 1, VT_CMD_MEMORY);
	c = vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_COMMAND, 2);
	CHECK(c == VT_CMD_MEMORY, "byte write: command %04x", c);
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_COMMAND, 2, 0);
}

/* __pci_read_base: decode off, save, write all-ones, read the mask,
 * restore. */
TEST(pci_bar_sizing)
{
	uint32_t l = vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4);
	CHECK(l == mem, "BAR 0 at %08x, not at the end of RAM (%08x)", l, mem);
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4, 0xFFFFFFFF);
	uint32_t sz = vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4);
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4, l);
	CHECK(sz == 0xFFFFF000, "mask %08x", sz);
	CHECK((~(sz & ~0xFu)) + 1 == VT_BAR_SIZE, "size");
	CHECK((sz & 0xF) == 0, "flags %x: not 32-bit non-prefetchable memory", sz & 0xF);
	uint32_t back = vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4);
	CHECK(back == l, "restored to %08x, reads %08x", l, back);
	/* An absent BAR sizes to 0. */
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_BAR1, 4, 0xFFFFFFFF);
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_BAR1, 4) == 0, "BAR 1 sizes");
}

static uint32_t bar0(void)
{
	return vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4);
}

/* A move inside the MMIO window is followed; anywhere else is refused
 * with a warning line (the test reads them) and BAR 0 stays. */
TEST(pci_bar_relocation)
{
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4, mem + 0x40000);
	CHECK(bar0() == mem + 0x40000, "not moved to +0x40000: %08x", bar0());
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4, mem + VT_WIN_SIZE - VT_BAR_SIZE);
	CHECK(bar0() == mem + VT_WIN_SIZE - VT_BAR_SIZE, "not moved to the last page");
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4, mem + 0x40123);
	CHECK(bar0() == mem + 0x40000, "low bits written: %08x", bar0());
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4, mem);
	CHECK(bar0() == mem, "not back: %08x", bar0());
	/* Just past the window, into RAM, near the top of the address space. */
	static const int32_t refused[] = { VT_WIN_SIZE, -VT_BAR_SIZE };
	for (unsigned i = 0; i < 2; i++) {
		vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4, mem + refused[i]);
		CHECK(bar0() == mem, "moved to %08x", bar0());
	}
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4, 0xFFFFE000);
	CHECK(bar0() == mem, "moved to %08x", bar0());
}

/* The PCI_CFG capability's fields read back as the driver set them. */
TEST(pci_cfg_window_fields)
{
	unsigned cap = vt_caps.pos[VT_CAP_PCI_CFG];

	vt_window(0, VT_BAR_DEVICE + VT_CON_EMERG_WR, 4);
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, cap + VT_CAP_BAR, 1) == 0, "bar");
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, cap + VT_CAP_OFFSET, 4) == 0x308, "offset");
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, cap + VT_CAP_LENGTH, 4) == 4, "length");
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, cap + VT_CAP_TYPE, 1) == VT_CAP_PCI_CFG, "type");
	vt_cfg_write(VT_SLOT_CONSOLE, cap + VT_CAP_OFFSET, 2, 0x12);
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, cap + VT_CAP_OFFSET, 4) == 0x12, "16-bit offset write");
	vt_cfg_write(VT_SLOT_CONSOLE, cap + VT_CAP_LENGTH, 1, 2);
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, cap + VT_CAP_LENGTH, 2) == 2, "byte length write");
	/* The capability's header stays read-only. */
	vt_cfg_write(VT_SLOT_CONSOLE, cap, 4, 0);
	CHECK(vt_cfg_read(VT_SLOT_CONSOLE, cap + VT_CAP_TYPE, 1) == VT_CAP_PCI_CFG, "type written");
}

/* ---- the early console, exactly as arch/x86/lguest/boot.c does it ------- */

/* arch/x86/pci/early.c: the latch carries the whole offset. */
static uint32_t early_read(unsigned off)
{
	vt_outl(VT_PCI_ADDR, VT_PCI_ENABLE | VT_SLOT_CONSOLE << 11 | off);
	return vt_inl(VT_PCI_DATA);
}
static uint8_t early_read_byte(unsigned off)
{
	vt_outl(VT_PCI_ADDR, VT_PCI_ENABLE | VT_SLOT_CONSOLE << 11 | off);
	return vt_inb(VT_PCI_DATA + (off & 3));
}
static void early_write(unsigned off, uint32_t val)
{
	vt_outl(VT_PCI_ADDR, VT_PCI_ENABLE | VT_SLOT_CONSOLE << 11 | off);
	vt_outl(VT_PCI_DATA, val);
}
static void early_write_byte(unsigned off, uint8_t val)
{
	vt_outl(VT_PCI_ADDR, VT_PCI_ENABLE | VT_SLOT_CONSOLE << 11 | off);
	vt_outb(VT_PCI_DATA + (off & 3), val);
}

TEST(emerg_wr_early_console)
{
	static const char text[] = "emerg_wr: the early console, one config cycle a byte\n";
	uint8_t device_cap = 0, access_cap = 0;

	/* probe_pci_console */
	CHECK(early_read(0) == VT_CONSOLE_ID, "PCI device is %#x", early_read(0));
	for (uint8_t cap = early_read_byte(VT_PCI_CAP_LIST), n = 0; cap && n < 48; n++) {
		if (early_read_byte(cap) == VT_CAP_VNDR) {
			uint8_t type = early_read_byte(cap + VT_CAP_TYPE);
			uint8_t bar = early_read_byte(cap + VT_CAP_BAR);
			if (type == VT_CAP_DEVICE && bar == 0)
				device_cap = cap;
			else if (type == VT_CAP_PCI_CFG)
				access_cap = cap;
		}
		cap = early_read_byte(cap + VT_CAP_NEXT);
	}
	CHECK(device_cap && access_cap, "caps: device %#x, access %#x", device_cap, access_cap);
	CHECK(early_read(device_cap + VT_CAP_LENGTH) >= VT_CON_EMERG_WR + 4, "device config short");
	uint32_t cfg_off = early_read(device_cap + VT_CAP_OFFSET);
	/* early_put_chars: set_cfg_window, then the data dword, a byte each. */
	for (const char *p = text; *p; p++) {
		early_write_byte(access_cap + VT_CAP_BAR, 0);
		early_write(access_cap + VT_CAP_LENGTH, 4);
		early_write(access_cap + VT_CAP_OFFSET, cfg_off + VT_CON_EMERG_WR);
		early_write(access_cap + VT_CAP_DATA, (uint8_t)*p);
	}
}

/* The window with each width, onto registers of each width. */
TEST(pci_cfg_window_widths)
{
	CHECK(vt_read(VT_NUM_QUEUES, 2) == 2, "num_queues");
	CHECK(vt_read(VT_BAR_ISR, 1) == 0, "ISR");
	vt_write(VT_DFSELECT, 4, 1);
	CHECK(vt_read(VT_DFSELECT, 4) == 1, "device_feature_select");
	CHECK(vt_read(VT_DF, 4) == 1, "features 32-63: %#x", vt_read(VT_DF, 4));
	vt_write(VT_DFSELECT, 4, 0);
	CHECK(vt_read(VT_DF, 4) == 1u << VT_F_EMERG_WRITE, "features 0-31: %#x", vt_read(VT_DF, 4));
	vt_write(VT_DFSELECT, 4, 2);
	CHECK(vt_read(VT_DF, 4) == 0, "features 64-95");
	vt_write(VT_Q_SELECT, 2, 1);
	CHECK(vt_read(VT_Q_SELECT, 2) == 1, "queue_select");
	CHECK(vt_read(VT_Q_SIZE, 2) == VT_QMAX, "queue_size %u", vt_read(VT_Q_SIZE, 2));
	CHECK(vt_read(VT_Q_NOTIFY_OFF, 2) == 1, "queue_notify_off");
	vt_write(VT_Q_SELECT, 2, 0);
	CHECK(vt_read(VT_MSIX_CONFIG, 2) == VT_NO_VECTOR, "msix_config");
	CHECK(vt_read(VT_GENERATION, 1) == 0, "config_generation");
	CHECK(vt_read(VT_BAR_DEVICE + VT_CON_MAX_PORTS, 4) == 1, "max_nr_ports");
	CHECK(vt_read(VT_BAR_DEVICE + VT_CON_MAX_PORTS, 1) == 1, "max_nr_ports, a byte");
	CHECK(vt_read(VT_BAR_DEVICE + VT_CON_COLS, 2) == 0, "cols");
	CHECK(vt_read(VT_BAR_DEVICE + VT_CON_EMERG_WR, 4) == 0, "emerg_wr reads 0");
	/* A 1-byte window onto the data dword's low byte. */
	vt_window(0, VT_BAR_DEVICE + VT_CON_MAX_PORTS, 1);
	CHECK(vt_window_read(4) == 1, "a byte window read as a dword");
}

/* ---- device memory --------------------------------------------------------- */

TEST(mmio_map)
{
	vt_map();
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_COMMAND, 2, VT_CMD_MEMORY | VT_CMD_MASTER);
	vt_use_mmio = 1;
	CHECK(vt_readw(VT_BAR_VA + VT_NUM_QUEUES) == 2, "num_queues");
	CHECK(vt_readl(VT_BAR_VA + VT_BAR_DEVICE + VT_CON_MAX_PORTS) == 1, "max_nr_ports");
	CHECK(vt_readw(VT_BAR_VA + VT_Q_MSIX) == VT_NO_VECTOR, "queue_msix_vector");
}

#define B  VT_BAR_VA
#define STR_(x) #x
#define STR(x) STR_(x)

/* movl: each addressing mode writes queue_desc (low half) of queue 0,
 * another reads it back. */
static const char *mmio_forms_32(void)
{
	uint32_t y;

	vt_write(VT_Q_SELECT, 2, 0);
	/* 89 43 20 / 8b 4b 20: disp8 */
	__asm__ volatile("movl %0, 0x20(%1)" : : "a"(0x11111110), "b"(B) : "memory");
	__asm__ volatile("movl 0x20(%1), %0" : "=c"(y) : "b"(B) : "memory");
	if (y != 0x11111110)
		return "disp8";
	/* 89 b7 disp32 / 8b 97 disp32 */
	__asm__ volatile("movl %0, 0x10020(%1)" : : "S"(0x22222220), "D"(B - 0x10000) : "memory");
	__asm__ volatile("movl 0x10020(%1), %0" : "=d"(y) : "D"(B - 0x10000) : "memory");
	if (y != 0x22222220)
		return "disp32";
	/* 89 11 / 8b 06: no displacement */
	__asm__ volatile("movl %0, (%1)" : : "d"(0x33333330), "c"(B + 0x20) : "memory");
	__asm__ volatile("movl (%1), %0" : "=a"(y) : "S"(B + 0x20) : "memory");
	if (y != 0x33333330)
		return "no displacement";
	/* 89 04 8b / 8b 14 8b: SIB, index*4 */
	__asm__ volatile("movl %0, (%1,%2,4)" : : "a"(0x44444440), "b"(B), "c"(8) : "memory");
	__asm__ volatile("movl (%1,%2,4), %0" : "=d"(y) : "b"(B), "c"(8) : "memory");
	if (y != 0x44444440)
		return "SIB";
	/* 89 44 4b 10 / 8b 7c 4b 10: SIB and disp8 */
	__asm__ volatile("movl %0, 0x10(%1,%2,2)" : : "a"(0x55555550), "b"(B), "c"(8) : "memory");
	__asm__ volatile("movl 0x10(%1,%2,2), %0" : "=D"(y) : "b"(B), "c"(8) : "memory");
	if (y != 0x55555550)
		return "SIB with disp8";
	/* 89 84 f3 disp32: SIB, index*8 and disp32 */
	__asm__ volatile("movl %0, 0x1000(%1,%2,8)" : : "a"(0x66666660), "b"(B - 0x1000), "S"(4)
			 : "memory");
	__asm__ volatile("movl 0x1000(%1,%2,8), %0" : "=c"(y) : "b"(B - 0x1000), "S"(4) : "memory");
	if (y != 0x66666660)
		return "SIB with disp32";
	/* 89 0c 95 disp32: SIB without a base (mod 00, base 101) */
	__asm__ volatile("movl %0, " STR(B) "(,%1,4)" : : "c"(0x77777770), "d"(8) : "memory");
	__asm__ volatile("movl " STR(B) "(,%1,4), %0" : "=a"(y) : "d"(8) : "memory");
	if (y != 0x77777770)
		return "SIB without a base";
	/* 89 0d disp32 / 8b 15 disp32: an absolute address (mod 00, rm 101,
	 * the form lguest's Launcher got wrong) */
	__asm__ volatile("movl %0, " STR(B) "+0x20" : : "c"(0x88888880) : "memory");
	__asm__ volatile("movl " STR(B) "+0x20, %0" : "=d"(y) : : "memory");
	if (y != 0x88888880)
		return "absolute";
	/* a3 disp32 / a1 disp32: the accumulator's absolute form (moffs) */
	__asm__ volatile("movl %0, " STR(B) "+0x20" : : "a"(0x8888888F) : "memory");
	y = 0;
	__asm__ volatile("movl " STR(B) "+0x20, %0" : "=a"(y) : : "memory");
	if (y != 0x8888888F)
		return "moffs";
	/* 89 45 20 / 8b 55 20: %ebp plus disp8 (mod 01, rm 101) */
	__asm__ volatile("pushl %%ebp\n\tmovl %1, %%ebp\n\t"
			 "movl %2, 0x20(%%ebp)\n\tmovl 0x20(%%ebp), %0\n\tpopl %%ebp"
			 : "=d"(y) : "b"(B), "a"(0x99999990) : "memory");
	if (y != 0x99999990)
		return "ebp and disp8";
	/* The selects are plain 32-bit registers too. */
	__asm__ volatile("movl %0, 0x8(%1)" : : "D"(0xCAFE0001), "S"(B) : "memory");
	if (vt_readl(B + VT_GFSELECT) != 0xCAFE0001)
		return "driver_feature_select";
	__asm__ volatile("movl %0, (%1)" : : "b"(0xCAFE0002), "a"(B) : "memory");
	if (vt_read(VT_DFSELECT, 4) != 0xCAFE0002)
		return "device_feature_select";
	vt_write(VT_DFSELECT, 4, 0);
	vt_write(VT_GFSELECT, 4, 0);
	vt_write(VT_Q_DESC, 4, 0);
	return NULL;
}

/* movw: queue_size of queue 0 (not enabled, so any value stays); the
 * upper half of the destination register must survive a load. */
static const char *mmio_forms_16(void)
{
	uint32_t y;

	/* 66 89 43 18 / 66 8b 53 18 */
	__asm__ volatile("movw %w0, 0x18(%1)" : : "a"(0x1234), "b"(B) : "memory");
	y = 0xDEAD0000;
	__asm__ volatile("movw 0x18(%1), %w0" : "+d"(y) : "b"(B) : "memory");
	if (y != 0xDEAD1234)
		return "disp8";
	/* 66 89 0d disp32 / 66 8b 3d disp32: absolute */
	__asm__ volatile("movw %w0, " STR(B) "+0x18" : : "c"(0x2345) : "memory");
	y = 0xBEEF0000;
	__asm__ volatile("movw " STR(B) "+0x18, %w0" : "+D"(y) : : "memory");
	if (y != 0xBEEF2345)
		return "absolute";
	/* 66 a3 disp32 / 66 a1 disp32 */
	__asm__ volatile("movw %w0, " STR(B) "+0x18" : : "a"(0x2346) : "memory");
	y = 0xBEEF0000;
	__asm__ volatile("movw " STR(B) "+0x18, %w0" : "+a"(y) : : "memory");
	if (y != 0xBEEF2346)
		return "moffs";
	/* 66 89 14 73 / 66 8b 3c 73: SIB, index*2 */
	__asm__ volatile("movw %w0, (%1,%2,2)" : : "d"(0x3456), "b"(B), "S"(0xC) : "memory");
	y = 0;
	__asm__ volatile("movw (%1,%2,2), %w0" : "+D"(y) : "b"(B), "S"(0xC) : "memory");
	if (y != 0x3456)
		return "SIB";
	/* 66 89 b7 disp32 / 66 8b 8f disp32 */
	__asm__ volatile("movw %w0, 0x10018(%1)" : : "S"(0x4567), "D"(B - 0x10000) : "memory");
	y = 0xFFFF0000;
	__asm__ volatile("movw 0x10018(%1), %w0" : "+c"(y) : "D"(B - 0x10000) : "memory");
	if (y != 0xFFFF4567)
		return "disp32";
	vt_write(VT_Q_SIZE, 2, VT_QMAX);
	if (vt_read(VT_Q_SIZE, 2) != VT_QMAX)
		return "queue_size restored";
	return NULL;
}

/* movb: the device status (no FEATURES_OK in these values, so each is
 * kept as written), through al, ah, bh, ch, dh and dl; a byte load leaves
 * the rest of its register alone. */
static const char *mmio_forms_8(void)
{
	uint32_t y;

	/* 88 43 14 / 8a 53 14 */
	__asm__ volatile("movb %b0, 0x14(%1)" : : "a"(0x01), "b"(B) : "memory");
	y = 0x11223344;
	__asm__ volatile("movb 0x14(%1), %b0" : "+d"(y) : "b"(B) : "memory");
	if (y != 0x11223301)
		return "al and dl";
	/* 88 66 14 / 8a 7e 14: ah and bh */
	__asm__ volatile("movb %%ah, 0x14(%1)" : : "a"(0xAA03FF), "S"(B) : "memory");
	y = 0x11223344;
	__asm__ volatile("movb 0x14(%1), %%bh" : "+b"(y) : "S"(B) : "memory");
	if (y != 0x11220344)
		return "ah and bh";
	/* 88 2d disp32 / 8a 35 disp32: ch and dh, absolute */
	__asm__ volatile("movb %%ch, " STR(B) "+0x14" : : "c"(0x8300) : "memory");
	y = 0xA5A5A5A5;
	__asm__ volatile("movb " STR(B) "+0x14, %%dh" : "+d"(y) : : "memory");
	if (y != 0xA5A583A5)
		return "ch and dh";
	/* a2 disp32 / a0 disp32 */
	__asm__ volatile("movb %b0, " STR(B) "+0x14" : : "a"(0x81) : "memory");
	y = 0x5A5A5A5A;
	__asm__ volatile("movb " STR(B) "+0x14, %b0" : "+a"(y) : : "memory");
	if (y != 0x5A5A5A81)
		return "moffs";
	/* 88 14 0b / 8a 04 0b: SIB, index*1 */
	__asm__ volatile("movb %b0, (%1,%2,1)" : : "d"(0x02), "b"(B), "c"(0x14) : "memory");
	y = 0xFFFFFFFF;
	__asm__ volatile("movb (%1,%2,1), %b0" : "+a"(y) : "b"(B), "c"(0x14) : "memory");
	if (y != 0xFFFFFF02)
		return "SIB";
	/* the generation byte beside it reads alone */
	y = 0x77777777;
	__asm__ volatile("movb 0x15(%1), %%ch" : "+c"(y) : "b"(B) : "memory");
	if (y != 0x77770077)
		return "config_generation";
	vt_writeb(B + VT_STATUS, 0);
	if (vt_readb(B + VT_STATUS) != 0)
		return "status reset";
	return NULL;
}

TEST(mmio_forms)
{
	const char *bad;

	vt_write(VT_STATUS, 1, 0);
	CHECK(!(bad = mmio_forms_32()), "movl, %s", bad);
	CHECK(!(bad = mmio_forms_16()), "movw, %s", bad);
	CHECK(!(bad = mmio_forms_8()), "movb, %s", bad);
}

/* The relocated BAR answers at its new address. */
TEST(mmio_bar_relocated)
{
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4, mem + 0x40000);
	uint32_t n = vt_readw(VT_WIN_VA + 0x40000 + VT_NUM_QUEUES);
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4, mem);
	CHECK(n == 2, "num_queues at the new place: %u", n);
	CHECK(vt_readw(VT_BAR_VA + VT_NUM_QUEUES) == 2, "back home");
}

TEST(mmio_device_config)
{
	static const char text[] = "emerg_wr: through device memory\n";

	CHECK(vt_readw(B + VT_BAR_DEVICE + VT_CON_COLS) == 0, "cols");
	CHECK(vt_readw(B + VT_BAR_DEVICE + VT_CON_ROWS) == 0, "rows");
	CHECK(vt_readb(B + VT_BAR_DEVICE + VT_CON_MAX_PORTS) == 1, "max_nr_ports");
	for (const char *p = text; *p; p++)
		vt_writel(B + VT_BAR_DEVICE + VT_CON_EMERG_WR, (uint8_t)*p);
}

/* ---- status, features, reset ------------------------------------------------ */

TEST(virtio_status_reset)
{
	vt_write(VT_STATUS, 1, VT_S_ACK);
	CHECK(vt_read(VT_STATUS, 1) == VT_S_ACK, "ACK not kept");
	vt_write(VT_STATUS, 1, VT_S_ACK | VT_S_DRIVER);
	CHECK(vt_read(VT_STATUS, 1) == 3, "DRIVER not kept");
	vt_write(VT_STATUS, 1, 0);
	CHECK(vt_read(VT_STATUS, 1) == 0, "reset reads %#x", vt_read(VT_STATUS, 1));
}

TEST(virtio_features_ok_refused)
{
	uint64_t ok = 1ull << VT_F_VERSION_1 | 1u << VT_F_EMERG_WRITE;
	uint8_t s;

	s = vt_driver_init(ok | 1u << 0);
	CHECK(s == (VT_S_ACK | VT_S_DRIVER), "unknown feature 0: status %#x", s);
	s = vt_driver_init(ok | 1ull << 33);
	CHECK(s == (VT_S_ACK | VT_S_DRIVER), "unknown feature 33: status %#x", s);
	s = vt_driver_init(1u << VT_F_EMERG_WRITE);
	CHECK(s == (VT_S_ACK | VT_S_DRIVER), "no VERSION_1: status %#x", s);
	s = vt_driver_init(1ull << VT_F_VERSION_1);
	CHECK(s == (VT_S_ACK | VT_S_DRIVER | VT_S_FEATURES_OK), "VERSION_1 alone: status %#x", s);
	/* Features are fixed once FEATURES_OK is set. */
	vt_write(VT_GFSELECT, 4, 0);
	vt_write(VT_GF, 4, 1u << VT_F_EMERG_WRITE);
	CHECK(vt_read(VT_GF, 4) == 0, "features 0-31 changed after FEATURES_OK");
	vt_write(VT_GFSELECT, 4, 1);
	CHECK(vt_read(VT_GF, 4) == 1, "features 32-63: %#x", vt_read(VT_GF, 4));
	vt_write(VT_STATUS, 1, 0);
	vt_write(VT_GFSELECT, 4, 1);
	CHECK(vt_read(VT_GF, 4) == 0, "reset kept the driver's features");
}

TEST(virtio_reset_forgets_queues)
{
	vt_queue_setup(1, &txq, 16);
	vt_queue_enable(1);
	CHECK(vt_read(VT_Q_ENABLE, 2) == 1, "not enabled");
	CHECK(vt_read(VT_Q_SIZE, 2) == 16, "size");
	CHECK(vt_read(VT_Q_DESC, 4) == rv_gpa(txq.desc), "desc");
	/* Enabled: the queue's registers no longer change. */
	vt_write(VT_Q_SIZE, 2, 32);
	CHECK(vt_read(VT_Q_SIZE, 2) == 16, "size changed while enabled");
	vt_write(VT_STATUS, 1, 0);
	CHECK(vt_read(VT_STATUS, 1) == 0, "status");
	CHECK(vt_read(VT_Q_SELECT, 2) == 0, "queue_select kept");
	vt_write(VT_Q_SELECT, 2, 1);
	CHECK(vt_read(VT_Q_ENABLE, 2) == 0, "still enabled");
	CHECK(vt_read(VT_Q_SIZE, 2) == VT_QMAX, "size %u", vt_read(VT_Q_SIZE, 2));
	CHECK(vt_read(VT_Q_DESC, 4) == 0 && vt_read(VT_Q_USED, 4) == 0, "rings kept");
	CHECK(vt_read(VT_BAR_ISR, 1) == 0, "ISR");
}

/* virtio_dev_probe, vp_modern_find_vqs and virtio_device_ready. */
TEST(virtio_init)
{
	uint64_t f = 1ull << VT_F_VERSION_1 | 1u << VT_F_EMERG_WRITE;

	vt_write(VT_DFSELECT, 4, 0);
	uint64_t offered = vt_read(VT_DF, 4);
	vt_write(VT_DFSELECT, 4, 1);
	offered |= (uint64_t)vt_read(VT_DF, 4) << 32;
	CHECK(offered == f, "features offered %llx", offered);
	uint8_t s = vt_driver_init(offered & f);
	CHECK(s & VT_S_FEATURES_OK, "FEATURES_OK refused: %#x", s);
	CHECK(vt_read(VT_NUM_QUEUES, 2) == 2, "num_queues");
	for (unsigned q = 0; q < 2; q++) {
		vt_write(VT_Q_SELECT, 2, q);
		CHECK(vt_read(VT_Q_SIZE, 2) == VT_QMAX, "queue %u size", q);
		CHECK(vt_read(VT_Q_ENABLE, 2) == 0, "queue %u enabled already", q);
		CHECK(vt_read(VT_Q_NOTIFY_OFF, 2) == q, "queue %u notify_off", q);
		vt_write(VT_Q_MSIX, 2, 0);
		CHECK(vt_read(VT_Q_MSIX, 2) == VT_NO_VECTOR, "queue %u has a vector", q);
		memset(q ? &txq : &rxq, 0, sizeof(struct vt_queue));
		vt_queue_setup(q, q ? &txq : &rxq, q ? TX_SIZE : RX_SIZE);
	}
	vt_queue_enable(0);
	vt_queue_enable(1);
	vt_write(VT_Q_SELECT, 2, 0);
	CHECK(vt_read(VT_Q_ENABLE, 2) == 1 && vt_read(VT_Q_SIZE, 2) == RX_SIZE, "rx queue");
	vt_write(VT_STATUS, 1, s | VT_S_DRIVER_OK);
	s = vt_read(VT_STATUS, 1);
	CHECK(s == (VT_S_ACK | VT_S_DRIVER | VT_S_FEATURES_OK | VT_S_DRIVER_OK), "status %#x", s);
	/* The interrupt line, as lguest's PCI code takes it. */
	uint8_t line = (uint8_t)vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_IRQ_LINE, 1);
	rv_set_irq_handler(line, on_virtio);
	rv_lguest_data.blocked_interrupts &= ~IRQ_BIT(line);
}

/* ---- transmit -------------------------------------------------------------------- */

static void tx_desc(unsigned i, const void *buf, uint32_t len, uint16_t flags, uint16_t next)
{
	txq.desc[i] = (struct vt_desc){ rv_gpa(buf), len, flags, next };
}

/* Like hvc's put_chars: kick, and the used ring has moved by the time the
 * guest runs again; no interrupt was asked for, and none came. */
TEST(virtio_tx)
{
	static const char a[] = "virtio tx: hello ", b[] = "from a chain on queue 1\n";
	uint32_t before = irqs;

	txq.avail.flags = VT_AVAIL_NO_INTERRUPT;
	tx_desc(0, a, sizeof(a) - 1, VT_D_NEXT, 1);
	tx_desc(1, b, sizeof(b) - 1, 0, 0);
	vt_avail(&txq, 0);
	vt_notify(1);
	uint16_t used = *(volatile uint16_t *)&txq.used.idx;
	CHECK(used == 1, "used index %u right after the kick", used);
	CHECK(txq.used.ring[0].id == 0, "used id %u", txq.used.ring[0].id);
	CHECK(vt_readb(B + VT_BAR_ISR) == 0, "ISR set with interrupts suppressed");
	rv_hcall0(HC_SEND_INTERRUPTS);
	CHECK(irqs == before, "an interrupt came");
}

/* Without VIRTQ_AVAIL_F_NO_INTERRUPT: the line is raised, ISR bit 0 set
 * first; the handler's read clears it. */
TEST(virtio_tx_interrupt)
{
	static const char a[] = "virtio tx: with an interrupt\n";
	uint32_t before = irqs;

	txq.avail.flags = 0;
	tx_desc(5, a, sizeof(a) - 1, 0, 0);
	vt_avail(&txq, 5);
	vt_notify(1);
	CHECK(*(volatile uint16_t *)&txq.used.idx == 2, "used index %u", txq.used.idx);
	CHECK(txq.used.ring[1].id == 5, "used id %u", txq.used.ring[1].id);
	CHECK(wait_for(&irqs, before, 2000 * MS), "no interrupt");
	CHECK(irqs == before + 1, "%u interrupts", irqs - before);
	CHECK(isr_first == 1 && isr_again == 0, "ISR read %#x, then %#x", isr_first, isr_again);
	txq.avail.flags = VT_AVAIL_NO_INTERRUPT;
}

/* More than the device moves in one piece of work (1 KiB), over three
 * chains: all consumed before the guest runs again. */
TEST(virtio_tx_large)
{
	static char text[40][64];
	uint16_t used0 = txq.used.idx;

	for (unsigned i = 0; i < 40; i++) {
		char *p = text[i];
		unsigned n = (unsigned)rv_snprintf(p, 64, "virtio tx line %02u: ", i);
		for (; n < 63; n++)
			p[n] = (char)('a' + (i + n) % 26);
		p[63] = '\n';
	}
	/* lines 0-9 in one descriptor; 10-29 as 20 chained; 30-39 in one */
	tx_desc(10, text[0], 640, 0, 0);
	for (unsigned i = 0; i < 20; i++)
		tx_desc(20 + i, text[10 + i], 64, i < 19 ? VT_D_NEXT : 0, 21 + i);
	tx_desc(100, text[30], 640, 0, 0);
	vt_avail(&txq, 10);
	vt_avail(&txq, 20);
	vt_avail(&txq, 100);
	vt_notify(1);
	uint16_t used = *(volatile uint16_t *)&txq.used.idx;
	CHECK(used == (uint16_t)(used0 + 3), "%u of 3 chains used", used - used0);
}

/* ---- receive --------------------------------------------------------------------- */

#define RX_BUF 8
static char rx_bufs[8][RX_BUF];
static const char expect_line[] = "ping from the test";

static void rx_post(uint16_t head)
{
	vt_avail(&rxq, head);
}

/* The test types a line; the device puts it in the buffers posted (five
 * of 8 bytes and one chain of two), interrupting each time. */
TEST(virtio_rx)
{
	char line[64];
	unsigned n = 0;
	uint16_t last = 0;
	int done = 0;

	for (unsigned i = 0; i < 5; i++)
		rxq.desc[i] = (struct vt_desc){ rv_gpa(rx_bufs[i]), RX_BUF, VT_D_WRITE, 0 };
	rxq.desc[5] = (struct vt_desc){ rv_gpa(rx_bufs[5]), 4, VT_D_WRITE | VT_D_NEXT, 6 };
	rxq.desc[6] = (struct vt_desc){ rv_gpa(rx_bufs[6]), RX_BUF, VT_D_WRITE, 0 };
	for (unsigned i = 0; i < 6; i++)
		rx_post((uint16_t)i);
	vt_notify(0);
	isr_seen = 0;
	rv_printf("virtio rx: ready\n");
	uint64_t end = rv_time_ns() + 20000 * MS;
	while (!done && rv_time_ns() < end) {
		uint32_t before = irqs;
		if (*(volatile uint16_t *)&rxq.used.idx == last)
			wait_for(&irqs, before, 1000 * MS);
		while (*(volatile uint16_t *)&rxq.used.idx != last) {
			struct vt_used_elem e = rxq.used.ring[last % RX_SIZE];
			uint32_t len = e.len;
			for (uint16_t d = (uint16_t)e.id; len; d = rxq.desc[d].next) {
				uint32_t k = len < rxq.desc[d].len ? len : rxq.desc[d].len;
				const char *src = (const char *)(uintptr_t)rxq.desc[d].addr;
				for (uint32_t j = 0; j < k; j++) {
					if (src[j] == '\r' || src[j] == '\n')
						done = 1;
					else if (!done && n < sizeof(line) - 1)
						line[n++] = src[j];
				}
				len -= k;
				if (!(rxq.desc[d].flags & VT_D_NEXT))
					break;
			}
			rx_post((uint16_t)e.id);
			last++;
		}
		vt_notify(0);
	}
	line[n] = '\0';
	rv_printf("virtio rx: got '%s'\n", line);
	CHECK(done, "no end of line in 20 s");
	CHECK(t_streq(line, expect_line), "got '%s'", line);
	CHECK(isr_seen & 1, "ISR bit 0 never set in the handler");
}

TEST(virtio_reset_at_end)
{
	vt_write(VT_STATUS, 1, 0);
	CHECK(vt_read(VT_STATUS, 1) == 0, "status");
	vt_write(VT_Q_SELECT, 2, 0);
	CHECK(vt_read(VT_Q_ENABLE, 2) == 0, "rx queue still enabled");
}

int main(int argc, char **argv)
{
	mem = vt_mem_size();
	return t_run_all(argc, argv);
}
