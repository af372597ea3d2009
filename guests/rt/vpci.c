/* The runtime's virtio PCI transport, which its drivers (blk.c, net.c)
 * share: configuration mechanism #1 on ports 0xCF8/0xCFC (as Linux's
 * arch/x86/pci/direct.c), finding the nth device of a kind on bus 0, the
 * capability walk (virtio 1.0, 4.1.4), and BAR 0's registers through the
 * PCI_CFG capability's window (4.1.4.7), so no page tables are needed.
 * Every port access is a trap to the host: the window is rewritten only
 * when it moves. */
#include "rv.h"

#define PCI_ADDR        0xCF8
#define PCI_DATA        0xCFC
#define PCI_ENABLE      0x80000000u
#define PCI_SLOTS       32
#define PCI_CAP_LIST    0x34
#define VIRTIO_VENDOR   0x1AF4u
#define CAP_VENDOR      0x09
#define CAP_COMMON      1
#define CAP_NOTIFY      2
#define CAP_DEVICE      4
#define CAP_PCI_CFG     5

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %w1" : : "a"(v), "Nd"(p) : "memory"); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %w1" : : "a"(v), "Nd"(p) : "memory"); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %w1" : : "a"(v), "Nd"(p) : "memory"); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(p) : "memory"); return v; }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %w1, %0" : "=a"(v) : "Nd"(p) : "memory"); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(p) : "memory"); return v; }

/* The latch names the dword, the data port the bytes within it. */
uint32_t rv_pci_read(unsigned slot, unsigned reg, unsigned width)
{
	outl(PCI_ADDR, PCI_ENABLE | slot << 11 | (reg & 0xFC));
	switch (width) {
	case 1:  return inb(PCI_DATA + (reg & 3));
	case 2:  return inw(PCI_DATA + (reg & 2));
	default: return inl(PCI_DATA);
	}
}

void rv_pci_write(unsigned slot, unsigned reg, unsigned width, uint32_t val)
{
	outl(PCI_ADDR, PCI_ENABLE | slot << 11 | (reg & 0xFC));
	switch (width) {
	case 1:  outb(PCI_DATA + (reg & 3), (uint8_t)val); break;
	case 2:  outw(PCI_DATA + (reg & 2), (uint16_t)val); break;
	default: outl(PCI_DATA, val); break;
	}
}

/* Where each region of BAR 0 is, from the capability list (bounded). */
static int find_caps(struct rv_vpci *v)
{
	unsigned ttl = 48, found = 0;
	unsigned pos = rv_pci_read(v->slot, PCI_CAP_LIST, 1);

	while (pos >= 0x40 && ttl--) {
		pos &= ~3u;
		if (rv_pci_read(v->slot, pos, 1) == CAP_VENDOR) {
			unsigned type = rv_pci_read(v->slot, pos + 3, 1);
			uint32_t off = rv_pci_read(v->slot, pos + 8, 4);
			switch (type) {
			case CAP_COMMON: v->common = off; found |= 1; break;
			case CAP_NOTIFY:
				v->notify = off;
				v->notify_mult = rv_pci_read(v->slot, pos + 16, 4);
				found |= 2;
				break;
			case CAP_DEVICE: v->device = off; found |= 4; break;
			case CAP_PCI_CFG: v->window_cap = (uint8_t)pos; found |= 8; break;
			}
		}
		pos = rv_pci_read(v->slot, pos + 1, 1);
	}
	return found == 15 ? 0 : -1;
}

int rv_vpci_find(struct rv_vpci *v, unsigned type, unsigned n)
{
	uint32_t id = VIRTIO_VENDOR | (0x1040u + type) << 16;

	memset(v, 0, sizeof(*v));
	for (unsigned slot = 1; slot < PCI_SLOTS; slot++) {
		if (rv_pci_read(slot, 0, 4) != id || n-- > 0)
			continue;
		v->slot = slot;
		if (find_caps(v))
			return -1;
		rv_pci_write(slot, v->window_cap + 4, 1, 0);	/* the window is on BAR 0 */
		v->win_off = v->win_len = UINT32_MAX;		/* where it is: not known */
		return 0;
	}
	return -1;
}

/* Point the window at width bytes at off in BAR 0. */
static void window(struct rv_vpci *v, uint32_t off, unsigned width)
{
	if (v->win_len != width) {
		rv_pci_write(v->slot, v->window_cap + 12, 4, width);
		v->win_len = width;
	}
	if (v->win_off != off) {
		rv_pci_write(v->slot, v->window_cap + 8, 4, off);
		v->win_off = off;
	}
}

uint32_t rv_vpci_read(struct rv_vpci *v, uint32_t off, unsigned width)
{
	window(v, off, width);
	return rv_pci_read(v->slot, v->window_cap + 16, width);
}

void rv_vpci_write(struct rv_vpci *v, uint32_t off, unsigned width, uint32_t val)
{
	window(v, off, width);
	rv_pci_write(v->slot, v->window_cap + 16, width, val);
}
