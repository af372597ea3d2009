/* The SDK's virtio-net driver (rv_net_*, docs/writing-a-guest.md): the
 * device found and reached through vpci.c's transport (no page tables
 * needed), one receive and one transmit queue of RV_NET_QSIZE entries,
 * and the 12-byte virtio 1.0 header. */
#include "vpci.h"

#define VIRTIO_NET_TYPE 1
#define PCI_IRQ_LINE    0x3C

/* virtio 1.0: features and descriptor flags. */
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
	unsigned irq;
	struct rv_vpci pci;
	uint16_t notify_off[2];
	struct vq q[2];
	uint8_t rx_buf[RV_NET_QSIZE][BUF_SIZE];
	uint8_t tx_buf[RV_NET_QSIZE][BUF_SIZE];
};

static struct net_dev devs[RV_NET_MAX] __attribute__((aligned(4096)));
static void queue_setup(struct net_dev *d, unsigned i)
{
	struct vq *q = &d->q[i];

	cc_write(&d->pci, CC_Q_SELECT, 2, i);
	cc_write(&d->pci, CC_Q_SIZE, 2, RV_NET_QSIZE);
	cc_write(&d->pci, CC_Q_DESC, 4, rv_gpa(q->desc));
	cc_write(&d->pci, CC_Q_DESC + 4, 4, 0);
	cc_write(&d->pci, CC_Q_AVAIL, 4, rv_gpa(&q->avail));
	cc_write(&d->pci, CC_Q_AVAIL + 4, 4, 0);
	cc_write(&d->pci, CC_Q_USED, 4, rv_gpa(&q->used));
	cc_write(&d->pci, CC_Q_USED + 4, 4, 0);
	d->notify_off[i] = (uint16_t)cc_read(&d->pci, CC_Q_NOTIFY_OFF, 2);
	cc_write(&d->pci, CC_Q_ENABLE, 2, 1);
}

static void kick(struct net_dev *d, unsigned i)
{
	rv_vpci_write(&d->pci, d->pci.notify + d->notify_off[i] * d->pci.notify_mult, 2, i);
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
	if (rv_vpci_find(&d->pci, VIRTIO_NET_TYPE, n))
		return -1;
	d->irq = rv_pci_read(d->pci.slot, PCI_IRQ_LINE, 1);

	/* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK. */
	cc_write(&d->pci, CC_STATUS, 1, 0);
	cc_write(&d->pci, CC_STATUS, 1, S_ACK | S_DRIVER);
	cc_write(&d->pci, CC_GFSELECT, 4, 0);
	cc_write(&d->pci, CC_GF, 4, 1u << F_NET_MAC);
	cc_write(&d->pci, CC_GFSELECT, 4, 1);
	cc_write(&d->pci, CC_GF, 4, 1u << F_VERSION_1);
	cc_write(&d->pci, CC_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (!(cc_read(&d->pci, CC_STATUS, 1) & S_FEATURES_OK))
		return -1;
	for (unsigned i = 0; i < 6; i++)
		mac[i] = (uint8_t)rv_vpci_read(&d->pci, d->pci.device + i, 1);
	queue_setup(d, RXQ);
	queue_setup(d, TXQ);
	d->q[TXQ].avail.flags = AVAIL_NO_INTERRUPT;	/* sent frames need no word */
	for (uint16_t id = 0; id < RV_NET_QSIZE; id++)
		post_rx(d, id);
	rv_set_irq_handler(d->irq, net_irq);
	cc_write(&d->pci, CC_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
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
