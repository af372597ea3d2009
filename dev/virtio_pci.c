/* The virtio 1.0 PCI transport (virtio 1.0, 4.1): a device's PCI
 * configuration space with its vendor capabilities, and BAR 0, which holds
 * the common configuration, the notify registers, the ISR status and the
 * device's own configuration. Every access is checked against the
 * register it names; one that matches none kills the guest, as any other
 * broken rule does. */
#include <core/console.h>
#include <core/guest.h>
#include <dev/pci.h>
#include <dev/virtio.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <traps/traps.h>

/* Configuration space (PCI Local Bus 3.0, 6.1), the fields a virtio
 * device sets. Modern virtio devices are 0x1040 + their type (4.1.2.1). */
#define VIRTIO_PCI_VENDOR     0x1AF4
#define VIRTIO_PCI_DEVICE(t)  (0x1040 + (t))
#define VIRTIO_PCI_REVISION   1
#define PCI_CLASS_OTHER       0xFF0000	/* no class fits every device type */

/* The capabilities, in a chain from CAP_FIRST (4.1.4). Each is a struct
 * virtio_pci_cap: vendor ID 9, next, length, cfg_type, bar, 3 pad bytes,
 * offset and length in the BAR; NOTIFY adds its multiplier and PCI_CFG
 * its data window. */
enum { CAP_COMMON = 1, CAP_NOTIFY, CAP_ISR, CAP_DEVICE, CAP_PCI_CFG };
#define PCI_CAP_ID_VENDOR     0x09
#define CAP_FIRST             0x40

struct cap_layout {
	uint8_t pos, len, type;
	uint16_t bar_off;		/* where its region sits in BAR 0 */
};

static const struct cap_layout caps[] = {
	{ 0x40, 16, CAP_COMMON, 0x000 },
	{ 0x50, 20, CAP_NOTIFY, 0x100 },
	{ 0x64, 16, CAP_ISR, 0x200 },
	{ 0x74, 16, CAP_DEVICE, 0x300 },
	{ 0x84, 20, CAP_PCI_CFG, 0 },
};
#define CAP_PCI_CFG_POS       0x84
#define CAP_WINDOW_BAR        (CAP_PCI_CFG_POS + 4)
#define CAP_WINDOW_OFF        (CAP_PCI_CFG_POS + 8)
#define CAP_WINDOW_LEN        (CAP_PCI_CFG_POS + 12)
#define CAP_WINDOW_DATA       (CAP_PCI_CFG_POS + 16)

/* BAR 0's regions; each queue's notify register is 4 bytes apart. */
#define BAR_COMMON            0x000
#define BAR_COMMON_LEN        0x38
#define BAR_NOTIFY            0x100
#define NOTIFY_MULTIPLIER     4
#define BAR_ISR               0x200
#define BAR_DEVICE            0x300

/* Common configuration registers (4.1.4.3). */
#define CC_DFSELECT       0x00
#define CC_DF             0x04
#define CC_GFSELECT       0x08
#define CC_GF             0x0C
#define CC_MSIX_CONFIG    0x10
#define CC_NUM_QUEUES     0x12
#define CC_STATUS         0x14
#define CC_GENERATION     0x15
#define CC_Q_SELECT       0x16
#define CC_Q_SIZE         0x18
#define CC_Q_MSIX         0x1A
#define CC_Q_ENABLE       0x1C
#define CC_Q_NOTIFY_OFF   0x1E
#define CC_Q_DESC_LO      0x20
#define CC_Q_DESC_HI      0x24
#define CC_Q_AVAIL_LO     0x28
#define CC_Q_AVAIL_HI     0x2C
#define CC_Q_USED_LO      0x30
#define CC_Q_USED_HI      0x34

#define VIRTIO_MSI_NO_VECTOR  0xFFFF

void vpci_init(struct vdev *d, const struct vdev_ops *ops, unsigned slot, unsigned irq,
	       uint32_t bar0, void *priv)
{
	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->slot = slot;
	d->irq = irq;
	d->bar0 = bar0;
	d->priv = priv;
	for (unsigned q = 0; q < ops->nr_queues; q++)
		d->vq[q].size = VIRTQ_SIZE_MAX;
}

/* --- configuration space ------------------------------------------------- */

/* One byte of a capability's structure, from its layout. */
static uint8_t cap_byte(const struct vdev *d, const struct cap_layout *c, unsigned i)
{
	uint32_t off = c->bar_off, len;

	switch (c->type) {
	case CAP_COMMON: len = BAR_COMMON_LEN; break;
	case CAP_NOTIFY: len = d->ops->nr_queues * NOTIFY_MULTIPLIER; break;
	case CAP_ISR:    len = 1; break;
	case CAP_DEVICE: len = d->ops->config_len; break;
	default:	 /* PCI_CFG: the window the driver set */
		off = d->window_off;
		len = d->window_len;
		break;
	}
	uint32_t word;
	switch (i) {
	case 0: return PCI_CAP_ID_VENDOR;
	case 1: return c + 1 < caps + ARRAY_SIZE(caps) ? c[1].pos : 0;
	case 2: return c->len;
	case 3: return c->type;
	case 4: return c->type == CAP_PCI_CFG ? d->window_bar : 0;
	case 8 ... 11: word = off; break;
	case 12 ... 15: word = len; break;
	case 16 ... 19: word = c->type == CAP_NOTIFY ? NOTIFY_MULTIPLIER : 0; break;
	default: return 0;
	}
	return (uint8_t)(word >> ((i & 3) * 8));
}

/* The dword of the configuration header at reg (a multiple of 4). */
static uint32_t header_dword(const struct vdev *d, unsigned reg)
{
	switch (reg) {
	case PCI_VENDOR_ID:
		return VIRTIO_PCI_VENDOR | (uint32_t)VIRTIO_PCI_DEVICE(d->ops->type) << 16;
	case PCI_COMMAND:
		return d->command | (uint32_t)PCI_STATUS_CAP_LIST << 16;
	case PCI_CLASS_REVISION:
		return PCI_CLASS_OTHER << 8 | VIRTIO_PCI_REVISION;
	case PCI_BAR0:
		/* A 32-bit, non-prefetchable memory BAR (flags 0). While it is
		 * being sized, it reads back the bits the size leaves. */
		return d->bar_sizing ? ~(uint32_t)(VDEV_BAR_SIZE - 1) : d->bar0;
	case PCI_SUBSYSTEM_VENDOR_ID:
		return VIRTIO_PCI_VENDOR | (uint32_t)d->ops->type << 16;
	case PCI_CAPABILITY_LIST:
		return CAP_FIRST;
	case PCI_INTERRUPT_LINE:
		return d->irq | PCI_INTERRUPT_PIN_INTA << 8;
	default:
		return 0;
	}
}

static uint8_t config_byte(const struct vdev *d, unsigned reg)
{
	if (reg < CAP_FIRST)
		return (uint8_t)(header_dword(d, reg & ~3u) >> ((reg & 3) * 8));
	for (unsigned k = 0; k < ARRAY_SIZE(caps); k++)
		if (reg >= caps[k].pos && reg < caps[k].pos + caps[k].len)
			return cap_byte(d, &caps[k], reg - caps[k].pos);
	return 0;
}

/* The PCI_CFG window, as the driver set it: BAR 0, a width of 1, 2 or 4,
 * aligned to it and inside the BAR (4.1.4.7.1). Kills the guest if not. */
static bool window_ok(struct guest *g, struct vdev *d)
{
	uint32_t off = d->window_off, len = d->window_len;

	if (d->window_bar == 0 && (len == 1 || len == 2 || len == 4) &&
	    IS_ALIGNED(off, len) && off < VDEV_BAR_SIZE)
		return true;
	kill_guest(g, "virtio %s: PCI_CFG window of bar %u, offset %#x, length %u: "
		   "not an aligned 1, 2 or 4 bytes inside BAR 0", d->ops->name,
		   d->window_bar, off, len);
	return false;
}

static bool bar_region(struct guest *g, struct vdev *d, uint32_t off, unsigned width,
		       bool store, uint32_t *val);

uint32_t vpci_config_read(struct guest *g, struct vdev *d, unsigned reg, unsigned width)
{
	if (reg == CAP_WINDOW_DATA) {
		uint32_t val = 0;
		if (window_ok(g, d))
			bar_region(g, d, d->window_off, d->window_len, false, &val);
		return val;
	}
	uint32_t val = 0;
	for (unsigned i = 0; i < width; i++)
		val |= (uint32_t)config_byte(d, reg + i) << (8 * i);
	return val;
}

/* Bytes [reg, reg + width) written with val, as seen by the register of
 * size bytes at base: its old value with the overlapping bytes replaced. */
static uint32_t merge(uint32_t old, unsigned base, unsigned size, unsigned reg,
		      unsigned width, uint32_t val)
{
	for (unsigned i = 0; i < width; i++) {
		unsigned at = reg + i;
		if (at < base || at >= base + size)
			continue;
		unsigned sh = (at - base) * 8;
		old = (old & ~(0xFFu << sh)) | (((val >> (8 * i)) & 0xFF) << sh);
	}
	return old;
}

static bool overlaps(unsigned base, unsigned size, unsigned reg, unsigned width)
{
	return reg < base + size && base < reg + width;
}

/* BAR 0 written: all-ones starts sizing; an address is followed if it is
 * aligned to the BAR's size and inside the guest's MMIO window, and
 * refused (with a line saying so) otherwise. */
static void bar0_write(struct guest *g, struct vdev *d, uint32_t val)
{
	uint32_t base = val & ~(VDEV_BAR_SIZE - 1);

	d->bar_sizing = (val | (VDEV_BAR_SIZE - 1)) == 0xFFFFFFFF;
	if (d->bar_sizing || base == d->bar0)
		return;
	if (dev_mmio_window(g, base) && dev_mmio_window(g, base + VDEV_BAR_SIZE - 1) &&
	    !pci_bar_taken(g, d, base)) {
		d->bar0 = base;
		return;
	}
	pr_warn("guest %s: virtio %s: BAR 0 moved to %08x, outside its device window "
		"or onto another device; left at %08x", g->name, d->ops->name, base, d->bar0);
}

void vpci_config_write(struct guest *g, struct vdev *d, unsigned reg, unsigned width,
		       uint32_t val)
{
	if (reg == CAP_WINDOW_DATA) {
		if (window_ok(g, d))
			bar_region(g, d, d->window_off, d->window_len, true, &val);
		return;
	}
	if (overlaps(PCI_COMMAND, 2, reg, width))
		d->command = (uint16_t)merge(d->command, PCI_COMMAND, 2, reg, width, val) &
			     PCI_COMMAND_WRITABLE;
	if (reg == PCI_BAR0 && width == 4)
		bar0_write(g, d, val);
	if (overlaps(CAP_WINDOW_BAR, 1, reg, width))
		d->window_bar = (uint8_t)merge(d->window_bar, CAP_WINDOW_BAR, 1, reg, width, val);
	if (overlaps(CAP_WINDOW_OFF, 4, reg, width))
		d->window_off = merge(d->window_off, CAP_WINDOW_OFF, 4, reg, width, val);
	if (overlaps(CAP_WINDOW_LEN, 4, reg, width))
		d->window_len = merge(d->window_len, CAP_WINDOW_LEN, 4, reg, width, val);
	/* Everything else is read-only. */
}

/* --- BAR 0 ----------------------------------------------------------------- */

bool vpci_bar_claims(const struct vdev *d, uint32_t pa)
{
	return (d->command & PCI_COMMAND_MEMORY) && !d->bar_sizing &&
	       pa - d->bar0 < VDEV_BAR_SIZE;
}

/* Raise the device's interrupt: ISR bit 0 first, so the guest's handler,
 * which reads the ISR, sees why (4.1.4.5). Not while the driver has INTx
 * disabled in the command register. */
void vdev_interrupt(struct guest *g, struct vdev *d)
{
	d->isr |= VIRTIO_ISR_QUEUE;
	if (d->command & PCI_COMMAND_INTX_DISABLE)
		return;
	if (irq_raise(g, d->irq))
		guest_wake(g);
}

void vdev_set_busy(struct guest *g, struct vdev *d, bool busy)
{
	d->busy = busy;
	if (busy)
		g->dev_busy = true;
}

/* Status 0: the device forgets the driver (4.1.4.3.1). */
static void vdev_reset(struct guest *g, struct vdev *d)
{
	d->dfselect = d->gfselect = 0;
	d->driver_features = 0;
	d->status = 0;
	d->isr = 0;
	d->queue_select = 0;
	d->busy = false;
	memset(d->vq, 0, sizeof(d->vq));
	for (unsigned q = 0; q < d->ops->nr_queues; q++)
		d->vq[q].size = VIRTQ_SIZE_MAX;
	d->ops->reset(g, d);
}

/* A status the driver wrote. FEATURES_OK stays set only if the features it
 * accepted are ones offered, VERSION_1 among them (3.1.1, 6.1). */
static void status_write(struct guest *g, struct vdev *d, uint8_t status)
{
	if (status == 0) {
		vdev_reset(g, d);
		return;
	}
	if ((status & VIRTIO_STATUS_FEATURES_OK) && !(d->status & VIRTIO_STATUS_FEATURES_OK)) {
		uint64_t f = d->driver_features;
		if ((f & ~d->ops->features) || !(f & (1ull << VIRTIO_F_VERSION_1)))
			status &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	d->status = status;
	pr_debug("guest %s: virtio %s: status %#x, features %#llx", g->name, d->ops->name,
		 status, (unsigned long long)d->driver_features);
}

static struct virtq *selected(struct vdev *d)
{
	return d->queue_select < d->ops->nr_queues ? &d->vq[d->queue_select] : NULL;
}

/* The width each common-configuration register must be accessed with
 * (4.1.3.1: natural widths; a 64-bit address as two 32-bit halves). */
static unsigned common_width(uint32_t off)
{
	switch (off) {
	case CC_STATUS: case CC_GENERATION:
		return 1;
	case CC_MSIX_CONFIG: case CC_NUM_QUEUES: case CC_Q_SELECT: case CC_Q_SIZE:
	case CC_Q_MSIX: case CC_Q_ENABLE: case CC_Q_NOTIFY_OFF:
		return 2;
	default:
		return off < BAR_COMMON_LEN && IS_ALIGNED(off, 4) ? 4 : 0;
	}
}

static uint32_t half(uint64_t v, uint32_t off)
{
	return (off & 4) ? (uint32_t)(v >> 32) : (uint32_t)v;
}

static void set_half(uint64_t *v, uint32_t off, uint32_t val)
{
	if (off & 4)
		*v = (*v & 0xFFFFFFFFull) | (uint64_t)val << 32;
	else
		*v = (*v & ~0xFFFFFFFFull) | val;
}

static uint32_t common_read(struct vdev *d, uint32_t off)
{
	struct virtq *q = selected(d);

	switch (off) {
	case CC_DFSELECT: return d->dfselect;
	case CC_DF:       return d->dfselect < 2 ? half(d->ops->features, d->dfselect * 4) : 0;
	case CC_GFSELECT: return d->gfselect;
	case CC_GF:       return d->gfselect < 2 ? half(d->driver_features, d->gfselect * 4) : 0;
	case CC_MSIX_CONFIG: return VIRTIO_MSI_NO_VECTOR;
	case CC_NUM_QUEUES:  return d->ops->nr_queues;
	case CC_STATUS:      return d->status;
	case CC_GENERATION:  return d->config_generation;
	case CC_Q_SELECT:    return d->queue_select;
	case CC_Q_SIZE:      return q ? q->size : 0;
	case CC_Q_MSIX:      return VIRTIO_MSI_NO_VECTOR;
	case CC_Q_ENABLE:    return q ? q->enabled : 0;
	case CC_Q_NOTIFY_OFF: return q ? d->queue_select : 0;
	case CC_Q_DESC_LO: case CC_Q_DESC_HI:   return q ? half(q->desc, off) : 0;
	case CC_Q_AVAIL_LO: case CC_Q_AVAIL_HI: return q ? half(q->avail, off) : 0;
	case CC_Q_USED_LO: case CC_Q_USED_HI:   return q ? half(q->used, off) : 0;
	}
	return 0;
}

static void common_write(struct guest *g, struct vdev *d, uint32_t off, uint32_t val)
{
	struct virtq *q = selected(d);
	bool features_open = !(d->status & VIRTIO_STATUS_FEATURES_OK);

	switch (off) {
	case CC_DFSELECT: d->dfselect = val; return;
	case CC_GFSELECT: d->gfselect = val; return;
	case CC_GF:
		if (features_open && d->gfselect < 2)
			set_half(&d->driver_features, d->gfselect * 4, val);
		return;
	case CC_STATUS:   status_write(g, d, (uint8_t)val); return;
	case CC_Q_SELECT: d->queue_select = (uint16_t)val; return;
	}
	/* The rest configure the selected queue, until it is enabled. */
	if (!q || q->enabled)
		return;
	switch (off) {
	case CC_Q_SIZE:   q->size = (uint16_t)val; return;
	case CC_Q_ENABLE:
		if (val == 1)
			vq_enable(g, d, q, d->queue_select);
		return;
	case CC_Q_DESC_LO: case CC_Q_DESC_HI:   set_half(&q->desc, off, val); return;
	case CC_Q_AVAIL_LO: case CC_Q_AVAIL_HI: set_half(&q->avail, off, val); return;
	case CC_Q_USED_LO: case CC_Q_USED_HI:   set_half(&q->used, off, val); return;
	}
	/* msix_config, queue_msix_vector: no MSI-X, so they stay NO_VECTOR;
	 * the read-only registers ignore writes. */
}

/* Queue q's notify register was written with the queue's index. */
static void notify(struct guest *g, struct vdev *d, uint32_t off, uint32_t val)
{
	unsigned q = off / NOTIFY_MULTIPLIER;

	if (q >= d->ops->nr_queues || val != q || !d->vq[q].enabled) {
		kill_guest(g, "virtio %s: notify of queue %u at notify register %u: "
			   "no such enabled queue", d->ops->name, val, q);
		return;
	}
	d->ops->notify(g, d, q);
}

/* An access to BAR 0 at offset off, from device memory or the PCI_CFG
 * window. Width and alignment were checked by the caller. */
static bool bar_region(struct guest *g, struct vdev *d, uint32_t off, unsigned width,
		       bool store, uint32_t *val)
{
	const char *what = "no register there";

	if (off < BAR_COMMON_LEN) {
		if (common_width(off) == width) {
			if (store)
				common_write(g, d, off, *val);
			else
				*val = common_read(d, off);
			return true;
		}
		what = "not the width of the register there";
	} else if (off >= BAR_NOTIFY && off < BAR_NOTIFY + d->ops->nr_queues * NOTIFY_MULTIPLIER) {
		if (store && width == 2 && IS_ALIGNED(off, NOTIFY_MULTIPLIER)) {
			notify(g, d, off - BAR_NOTIFY, *val & 0xFFFF);
			return true;
		}
		what = "notify registers take a 16-bit write";
	} else if (off == BAR_ISR) {
		if (!store && width == 1) {
			*val = d->isr;		/* reading it clears it */
			d->isr = 0;
			return true;
		}
		what = "the ISR status takes a one-byte read";
	} else if (off >= BAR_DEVICE && off - BAR_DEVICE + width <= d->ops->config_len) {
		if (store)
			d->ops->config_write(g, d, off - BAR_DEVICE, width, *val);
		else
			*val = d->ops->config_read(g, d, off - BAR_DEVICE, width);
		return true;
	}
	kill_guest(g, "virtio %s: %u-byte %s at BAR 0 offset %#x: %s", d->ops->name,
		   width, store ? "write" : "read", off, what);
	return false;
}

bool vpci_bar_access(struct guest *g, struct vdev *d, uint32_t pa, unsigned width,
		     bool store, uint32_t *val)
{
	return bar_region(g, d, pa - d->bar0, width, store, val);
}
