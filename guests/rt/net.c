/* The SDK's virtio-net driver (rv_net_*, docs/writing-a-guest.md): PCI
 * probe through configuration mechanism #1 (ports 0xCF8/0xCFC, as Linux's
 * arch/x86/pci/direct.c), every device register through the virtio PCI_CFG
 * window (so no page tables are needed), one receive and one transmit
 * queue of RV_NET_QSIZE entries, and the 12-byte virtio 1.0 header. */
#include "rv.h"

#define PCI_ADDR        0xCF8
#define PCI_DATA        0xCFC
#define PCI_ENABLE      0x80000000u
#define PCI_SLOTS       32
#define VIRTIO_NET_ID   0x10411AF4u	/* vendor 1af4, device 0x1040 + 1 */
#define PCI_CAP_LIST    0x34
#define PCI_IRQ_LINE    0x3C

/* virtio 1.0: capability types (4.1.4), common configuration registers
 * (4.1.4.3), status bits (2.1), features and descriptor flags. */
#define CAP_VNDR        0x09
#define CAP_COMMON      1
#define CAP_NOTIFY      2
#define CAP_DEVICE      4
#define CAP_PCI_CFG     5
#define CC_GFSELECT     0x08
#define CC_GF           0x0C
#define CC_STATUS       0x14
#define CC_Q_SELECT     0x16
#define CC_Q_SIZE       0x18
#define CC_Q_ENABLE     0x1C
#define CC_Q_NOTIFY_OFF 0x1E
#define CC_Q_DESC       0x20
#define CC_Q_AVAIL      0x28
#define CC_Q_USED       0x30
#define S_ACK           1
#define S_DRIVER        2
#define S_DRIVER_OK     4
#define S_FEATURES_OK   8
#define F_NET_MAC       5		/* in the low word */
#define F_VERSION_1     0		/* bit 32: bit 0 of the high word */
#define D_NEXT          1
#define D_WRITE         2
#define AVAIL_NO_INTERRUPT 1
#define USED_NO_NOTIFY  1

#define HDR             RV_NET_HDR_LEN
#define BUF_SIZE        1536		/* header + RV_NET_FRAME_MAX, rounded */
#define RXQ             0
#define TXQ             1

struct vq {
	struct rv_net_desc desc[RV_NET_QSIZE];
	struct {
		uint16_t flags, idx, ring[RV_NET_QSIZE], event;
	} avail;
	struct {
		uint16_t flags, idx;
		struct { uint32_t id, len; } ring[RV_NET_QSIZE];
		uint16_t event;
	} used __attribute__((aligned(4)));
	uint16_t last_used;		/* next used entry to read */
} __attribute__((aligned(16)));

struct net_dev {
	int open;
	unsigned slot, irq;
	uint8_t cfg_cap;		/* the PCI_CFG capability's offset */
	uint32_t common, device, notify, notify_mult;	/* regions in BAR 0 */
	uint16_t notify_off[2];
	uint32_t win_off, win_len;	/* the window as last set */
	struct vq q[2];
	uint8_t rx_buf[RV_NET_QSIZE][BUF_SIZE];
	uint8_t tx_buf[RV_NET_QSIZE][BUF_SIZE];
};

static struct net_dev devs[RV_NET_MAX] __attribute__((aligned(4096)));
static uint32_t latch;			/* what 0xCF8 holds, to skip rewriting it */

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %w1" : : "a"(v), "Nd"(p) : "memory"); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %w1" : : "a"(v), "Nd"(p) : "memory"); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %w1" : : "a"(v), "Nd"(p) : "memory"); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(p) : "memory"); return v; }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %w1, %0" : "=a"(v) : "Nd"(p) : "memory"); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(p) : "memory"); return v; }

/* Configuration mechanism #1: the latch names the dword, the data port the
 * bytes within it. Each port access is a trap to the host, so the latch is
 * written only when it changes. */
static void select_reg(unsigned slot, unsigned reg)
{
	uint32_t a = PCI_ENABLE | slot << 11 | (reg & 0xFC);

	if (a != latch) {
		outl(PCI_ADDR, a);
		latch = a;
	}
}

static uint32_t cfg_read(unsigned slot, unsigned reg, unsigned width)
{
	select_reg(slot, reg);
	switch (width) {
	case 1:  return inb(PCI_DATA + (reg & 3));
	case 2:  return inw(PCI_DATA + (reg & 2));
	default: return inl(PCI_DATA);
	}
}

static void cfg_write(unsigned slot, unsigned reg, unsigned width, uint32_t val)
{
	select_reg(slot, reg);
	switch (width) {
	case 1:  outb(PCI_DATA + (reg & 3), (uint8_t)val); break;
	case 2:  outw(PCI_DATA + (reg & 2), (uint16_t)val); break;
	default: outl(PCI_DATA, val); break;
	}
}

/* Point the PCI_CFG window at width bytes at off in BAR 0 (4.1.4.7). */
static void window(struct net_dev *d, uint32_t off, unsigned width)
{
	if (d->win_len != width) {
		cfg_write(d->slot, d->cfg_cap + 12, 4, width);
		d->win_len = width;
	}
	if (d->win_off != off) {
		cfg_write(d->slot, d->cfg_cap + 8, 4, off);
		d->win_off = off;
	}
}

static uint32_t bar_read(struct net_dev *d, uint32_t off, unsigned width)
{
	window(d, off, width);
	return cfg_read(d->slot, d->cfg_cap + 16, width);
}

static void bar_write(struct net_dev *d, uint32_t off, unsigned width, uint32_t val)
{
	window(d, off, width);
	cfg_write(d->slot, d->cfg_cap + 16, width, val);
}

/* The nth virtio-net function on bus 0, or 0. */
static unsigned probe(unsigned n)
{
	for (unsigned slot = 1; slot < PCI_SLOTS; slot++)
		if (cfg_read(slot, 0, 4) == VIRTIO_NET_ID && n-- == 0)
			return slot;
	return 0;
}

/* The capability walk (4.1.4): where each region of BAR 0 is. */
static int find_caps(struct net_dev *d)
{
	unsigned pos = cfg_read(d->slot, PCI_CAP_LIST, 1), ttl = 48;

	while (pos >= 0x40 && ttl--) {
		pos &= ~3u;
		if (cfg_read(d->slot, pos, 1) == CAP_VNDR) {
			unsigned type = cfg_read(d->slot, pos + 3, 1);
			uint32_t off = cfg_read(d->slot, pos + 8, 4);
			switch (type) {
			case CAP_COMMON:  d->common = off; break;
			case CAP_DEVICE:  d->device = off; break;
			case CAP_PCI_CFG: d->cfg_cap = (uint8_t)pos; break;
			case CAP_NOTIFY:
				d->notify = off;
				d->notify_mult = cfg_read(d->slot, pos + 16, 4);
				break;
			}
		}
		pos = cfg_read(d->slot, pos + 1, 1);
	}
	return d->cfg_cap ? 0 : -1;
}

static void queue_setup(struct net_dev *d, unsigned i)
{
	struct vq *q = &d->q[i];

	bar_write(d, d->common + CC_Q_SELECT, 2, i);
	bar_write(d, d->common + CC_Q_SIZE, 2, RV_NET_QSIZE);
	bar_write(d, d->common + CC_Q_DESC, 4, rv_gpa(q->desc));
	bar_write(d, d->common + CC_Q_DESC + 4, 4, 0);
	bar_write(d, d->common + CC_Q_AVAIL, 4, rv_gpa(&q->avail));
	bar_write(d, d->common + CC_Q_AVAIL + 4, 4, 0);
	bar_write(d, d->common + CC_Q_USED, 4, rv_gpa(&q->used));
	bar_write(d, d->common + CC_Q_USED + 4, 4, 0);
	d->notify_off[i] = (uint16_t)bar_read(d, d->common + CC_Q_NOTIFY_OFF, 2);
	bar_write(d, d->common + CC_Q_ENABLE, 2, 1);
}

static void kick(struct net_dev *d, unsigned i)
{
	bar_write(d, d->notify + d->notify_off[i] * d->notify_mult, 2, i);
}

static void net_irq(struct rv_regs *regs)
{
	(void)regs;		/* waking rv_net_wait's halt is all it is for */
}

/* Receive buffer id made available again. */
static void post_rx(struct net_dev *d, uint16_t id)
{
	struct vq *q = &d->q[RXQ];

	q->desc[id] = (struct rv_net_desc){ rv_gpa(d->rx_buf[id]), BUF_SIZE, D_WRITE, 0 };
	q->avail.ring[q->avail.idx % RV_NET_QSIZE] = id;
	rv_barrier();
	q->avail.idx++;
	rv_barrier();
}

int rv_net_open(unsigned n, uint8_t mac[6])
{
	if (n >= RV_NET_MAX)
		return -1;
	struct net_dev *d = &devs[n];
	memset(d, 0, sizeof(*d) - sizeof(d->rx_buf) - sizeof(d->tx_buf));
	d->slot = probe(n);
	if (!d->slot || find_caps(d))
		return -1;
	d->win_len = d->win_off = ~0u;
	cfg_write(d->slot, d->cfg_cap + 4, 1, 0);	/* the window is on BAR 0 */
	d->irq = cfg_read(d->slot, PCI_IRQ_LINE, 1);

	/* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK. */
	bar_write(d, d->common + CC_STATUS, 1, 0);
	bar_write(d, d->common + CC_STATUS, 1, S_ACK | S_DRIVER);
	bar_write(d, d->common + CC_GFSELECT, 4, 0);
	bar_write(d, d->common + CC_GF, 4, 1u << F_NET_MAC);
	bar_write(d, d->common + CC_GFSELECT, 4, 1);
	bar_write(d, d->common + CC_GF, 4, 1u << F_VERSION_1);
	bar_write(d, d->common + CC_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (!(bar_read(d, d->common + CC_STATUS, 1) & S_FEATURES_OK))
		return -1;
	for (unsigned i = 0; i < 6; i++)
		mac[i] = (uint8_t)bar_read(d, d->device + i, 1);
	queue_setup(d, RXQ);
	queue_setup(d, TXQ);
	d->q[TXQ].avail.flags = AVAIL_NO_INTERRUPT;	/* sent frames need no word */
	for (uint16_t id = 0; id < RV_NET_QSIZE; id++)
		post_rx(d, id);
	rv_set_irq_handler(d->irq, net_irq);
	bar_write(d, d->common + CC_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	kick(d, RXQ);
	d->open = 1;
	return 0;
}

static struct net_dev *dev(unsigned n)
{
	if (n >= RV_NET_MAX || !devs[n].open)
		rv_fatal("rv_net: device %u is not open", n);
	return &devs[n];
}

void rv_net_send_desc(unsigned n, const struct rv_net_desc *desc, unsigned count,
		      uint16_t head)
{
	struct net_dev *d = dev(n);
	struct vq *q = &d->q[TXQ];

	for (unsigned i = 0; i < count && i < RV_NET_QSIZE; i++)
		q->desc[i] = desc[i];
	q->avail.ring[q->avail.idx % RV_NET_QSIZE] = head;
	rv_barrier();
	q->avail.idx++;
	rv_barrier();
	kick(d, TXQ);
}

int rv_net_send(unsigned n, const void *frame, uint32_t len)
{
	struct net_dev *d = dev(n);
	struct vq *q = &d->q[TXQ];

	if (len < RV_NET_FRAME_MIN || len > RV_NET_FRAME_MAX)
		return -1;
	/* The device takes every frame before the guest runs again, so
	 * slot idx % size is free; what it used is only read back. */
	uint16_t id = q->avail.idx % RV_NET_QSIZE;
	memset(d->tx_buf[id], 0, HDR);
	memcpy(d->tx_buf[id] + HDR, frame, len);
	q->desc[id] = (struct rv_net_desc){ rv_gpa(d->tx_buf[id]), HDR + len, 0, 0 };
	q->avail.ring[id] = id;
	rv_barrier();
	q->avail.idx++;
	rv_barrier();
	kick(d, TXQ);
	q->last_used = *(volatile uint16_t *)&q->used.idx;
	return 0;
}

uint32_t rv_net_recv(unsigned n, void *buf, uint32_t size)
{
	struct net_dev *d = dev(n);
	struct vq *q = &d->q[RXQ];

	for (;;) {
		if (*(volatile uint16_t *)&q->used.idx == q->last_used)
			return 0;
		rv_barrier();
		uint32_t slot = q->last_used++ % RV_NET_QSIZE;
		uint32_t id = q->used.ring[slot].id, len = q->used.ring[slot].len;
		if (id >= RV_NET_QSIZE)
			rv_fatal("rv_net: the device used buffer %u", id);
		uint32_t got = len > HDR ? len - HDR : 0;
		if (got > size)
			got = size;
		memcpy(buf, d->rx_buf[id] + HDR, got);
		post_rx(d, (uint16_t)id);
		if (!(*(volatile uint16_t *)&q->used.flags & USED_NO_NOTIFY))
			kick(d, RXQ);
		if (got)
			return got;	/* a buffer given back empty is skipped */
	}
}

int rv_net_pending(unsigned n)
{
	struct vq *q = &dev(n)->q[RXQ];

	return *(volatile uint16_t *)&q->used.idx != q->last_used;
}

void rv_net_wait_ns(unsigned n, uint32_t ns)
{
	/* The timer is set with interrupts off: if it fires before the halt,
	 * its interrupt stays pending and the halt returns at once, so no
	 * wake-up is lost. */
	rv_irq_disable();
	rv_timer_oneshot(ns);
	if (rv_net_pending(n)) {
		rv_irq_enable();
		return;
	}
	rv_halt();
}

void rv_net_wait(unsigned n)
{
	rv_irq_disable();
	if (rv_net_pending(n)) {
		rv_irq_enable();
		return;
	}
	rv_halt();
}
