/* The runtime's virtio-blk driver (SDK): finds the guest's disks on its
 * PCI bus through ports 0xCF8/0xCFC, sets each up through the virtio PCI
 * capability's PCI_CFG window (no page tables needed), and reads and
 * writes sectors one request at a time on a polled queue (INTx disabled,
 * no interrupt asked for). docs/writing-a-guest.md and docs/disks.md. */
#include "rv.h"

/* PCI configuration mechanism #1 and the header fields used. */
#define PCI_ADDR            0xCF8
#define PCI_DATA            0xCFC
#define PCI_ENABLE          0x80000000u
#define PCI_ID              0x00
#define PCI_COMMAND         0x04
#define PCI_CAP_LIST        0x34
#define CMD_MASTER          0x0004
#define CMD_INTX_DISABLE    0x0400
#define VIRTIO_VENDOR       0x1AF4
#define VIRTIO_BLK_DEVICE   0x1042	/* 0x1040 + device type 2 */

/* The virtio PCI capabilities (virtio 1.0, 4.1.4). */
#define CAP_VENDOR          0x09
#define CAP_COMMON          1
#define CAP_NOTIFY          2
#define CAP_DEVICE          4
#define CAP_PCI_CFG         5

/* Common configuration registers (4.1.4.3). */
#define CC_DFSELECT         0x00
#define CC_DF               0x04
#define CC_GFSELECT         0x08
#define CC_GF               0x0C
#define CC_STATUS           0x14
#define CC_Q_SELECT         0x16
#define CC_Q_SIZE           0x18
#define CC_Q_ENABLE         0x1C
#define CC_Q_NOTIFY_OFF     0x1E
#define CC_Q_DESC           0x20
#define CC_Q_AVAIL          0x28
#define CC_Q_USED           0x30

#define S_ACK               1
#define S_DRIVER            2
#define S_DRIVER_OK         4
#define S_FEATURES_OK       8
#define F_RO                5
#define F_VERSION_1         32

#define T_IN                0
#define T_OUT               1
#define T_GET_ID            8

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %w1" : : "a"(v), "Nd"(port) : "memory");
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %w1" : : "a"(v), "Nd"(port) : "memory");
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %w1" : : "a"(v), "Nd"(port) : "memory");
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %w1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

/* A configuration register of bus 0, function 0, of width 1, 2 or 4. */
static uint32_t cfg_read(unsigned slot, unsigned reg, unsigned width)
{
	outl(PCI_ADDR, PCI_ENABLE | slot << 11 | (reg & 0xFC));
	switch (width) {
	case 1:  return inb(PCI_DATA + (reg & 3));
	case 2:  return inw(PCI_DATA + (reg & 2));
	default: return inl(PCI_DATA);
	}
}

static void cfg_write(unsigned slot, unsigned reg, unsigned width, uint32_t val)
{
	outl(PCI_ADDR, PCI_ENABLE | slot << 11 | (reg & 0xFC));
	switch (width) {
	case 1:  outb(PCI_DATA + (reg & 3), (uint8_t)val); break;
	case 2:  outw(PCI_DATA + (reg & 2), (uint16_t)val); break;
	default: outl(PCI_DATA, val); break;
	}
}

/* A register of BAR 0 through the PCI_CFG window (4.1.4.7): BAR, length
 * and offset into the capability, then the data dword at its end. */
static void window(const struct rv_blk *b, uint32_t off, unsigned width)
{
	cfg_write(b->slot, b->window_cap + 4, 1, 0);
	cfg_write(b->slot, b->window_cap + 12, 4, width);
	cfg_write(b->slot, b->window_cap + 8, 4, off);
}

static uint32_t bar_read(const struct rv_blk *b, uint32_t off, unsigned width)
{
	window(b, off, width);
	return cfg_read(b->slot, b->window_cap + 16, width);
}

static void bar_write(const struct rv_blk *b, uint32_t off, unsigned width, uint32_t val)
{
	window(b, off, width);
	cfg_write(b->slot, b->window_cap + 16, width, val);
}

/* The capabilities' regions in BAR 0, by walking the list (bounded). */
static int find_caps(struct rv_blk *b)
{
	unsigned ttl = 48, found = 0;
	uint8_t pos = (uint8_t)cfg_read(b->slot, PCI_CAP_LIST, 1);

	while (pos >= 0x40 && ttl--) {
		pos &= ~3;
		if (cfg_read(b->slot, pos, 1) == CAP_VENDOR) {
			uint8_t type = (uint8_t)cfg_read(b->slot, pos + 3, 1);
			uint32_t off = cfg_read(b->slot, pos + 8, 4);
			switch (type) {
			case CAP_COMMON: b->common = off; found |= 1; break;
			case CAP_NOTIFY:
				b->notify = off;
				b->notify_mult = cfg_read(b->slot, pos + 16, 4);
				found |= 2;
				break;
			case CAP_DEVICE: b->device = off; found |= 4; break;
			case CAP_PCI_CFG: b->window_cap = pos; found |= 8; break;
			}
		}
		pos = (uint8_t)cfg_read(b->slot, pos + 1, 1);
	}
	return found == 15 ? 0 : -1;
}

static void common_write64(const struct rv_blk *b, uint32_t reg, uint32_t addr)
{
	bar_write(b, b->common + reg, 4, addr);
	bar_write(b, b->common + reg + 4, 4, 0);
}

int rv_blk_open(struct rv_blk *b, unsigned n)
{
	memset(b, 0, sizeof(*b));
	for (unsigned slot = 1; slot < 32; slot++) {
		uint32_t id = cfg_read(slot, PCI_ID, 4);
		if (id != (VIRTIO_VENDOR | (uint32_t)VIRTIO_BLK_DEVICE << 16) || n--)
			continue;
		b->slot = slot;
		if (find_caps(b))
			return -1;
		/* Polled: INTx off, so no interrupt reaches the runtime. */
		cfg_write(slot, PCI_COMMAND, 2, CMD_MASTER | CMD_INTX_DISABLE);
		bar_write(b, b->common + CC_STATUS, 1, 0);
		bar_write(b, b->common + CC_STATUS, 1, S_ACK | S_DRIVER);
		bar_write(b, b->common + CC_DFSELECT, 4, 0);
		uint32_t lo = bar_read(b, b->common + CC_DF, 4);
		bar_write(b, b->common + CC_DFSELECT, 4, 1);
		uint32_t hi = bar_read(b, b->common + CC_DF, 4);
		if (!(hi & 1u << (F_VERSION_1 - 32)))
			return -1;
		b->readonly = (lo >> F_RO) & 1;
		bar_write(b, b->common + CC_GFSELECT, 4, 0);
		bar_write(b, b->common + CC_GF, 4, lo & 1u << F_RO);
		bar_write(b, b->common + CC_GFSELECT, 4, 1);
		bar_write(b, b->common + CC_GF, 4, 1u << (F_VERSION_1 - 32));
		bar_write(b, b->common + CC_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
		if (!(bar_read(b, b->common + CC_STATUS, 1) & S_FEATURES_OK))
			return -1;
		bar_write(b, b->common + CC_Q_SELECT, 2, 0);
		bar_write(b, b->common + CC_Q_SIZE, 2, RV_BLK_QSIZE);
		common_write64(b, CC_Q_DESC, rv_gpa(b->desc));
		common_write64(b, CC_Q_AVAIL, rv_gpa(&b->avail));
		common_write64(b, CC_Q_USED, rv_gpa(&b->used));
		b->notify += bar_read(b, b->common + CC_Q_NOTIFY_OFF, 2) * b->notify_mult;
		b->avail.flags = 1;		/* VIRTQ_AVAIL_F_NO_INTERRUPT */
		bar_write(b, b->common + CC_Q_ENABLE, 2, 1);
		bar_write(b, b->common + CC_STATUS, 1,
			  S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
		b->capacity = bar_read(b, b->device, 4) |
			      (uint64_t)bar_read(b, b->device + 4, 4) << 32;
		return 0;
	}
	return -1;
}

uint32_t rv_blk_submit(struct rv_blk *b, uint16_t head)
{
	uint16_t idx = b->avail.idx;

	b->avail.ring[idx % RV_BLK_QSIZE] = head;
	rv_barrier();
	b->avail.idx = idx + 1;
	rv_barrier();
	bar_write(b, b->notify, 2, 0);
	/* The hypervisor serves the queue before the guest runs again; the
	 * loop only guards against a slower device. */
	while (b->used.idx == b->used_seen)
		rv_barrier();
	uint32_t len = b->used.ring[b->used_seen % RV_BLK_QSIZE].len;
	b->used_seen++;
	return len;
}

/* One request: the header, one data buffer (none if len is 0) and the
 * status byte, in three descriptors. Returns the status. */
static int request(struct rv_blk *b, uint32_t type, uint64_t sector, const void *buf,
		   uint32_t len, int device_writes)
{
	unsigned n = 0;

	b->hdr.type = type;
	b->hdr.reserved = 0;
	b->hdr.sector = sector;
	b->status = 0xFF;
	b->desc[n] = (struct rv_vq_desc){ rv_gpa(&b->hdr), sizeof(b->hdr), 1, 1 };
	n++;
	if (len) {
		b->desc[n] = (struct rv_vq_desc){ rv_gpa(buf), len,
						  1 | (device_writes ? 2 : 0), 2 };
		n++;
	}
	b->desc[n] = (struct rv_vq_desc){ rv_gpa(&b->status), 1, 2, 0 };
	rv_blk_submit(b, 0);
	return b->status;
}

int rv_blk_read(struct rv_blk *b, uint64_t sector, void *buf, uint32_t count)
{
	return request(b, T_IN, sector, buf, count * RV_BLK_SECTOR, 1);
}

int rv_blk_write(struct rv_blk *b, uint64_t sector, const void *buf, uint32_t count)
{
	return request(b, T_OUT, sector, buf, count * RV_BLK_SECTOR, 0);
}

int rv_blk_get_id(struct rv_blk *b, char id[RV_BLK_ID_LEN + 1])
{
	memset(id, 0, RV_BLK_ID_LEN + 1);
	return request(b, T_GET_ID, 0, id, RV_BLK_ID_LEN, 1);
}
