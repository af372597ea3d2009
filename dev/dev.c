/* A guest's PCI bus: configuration mechanism #1 on ports 0xCF8-0xCFF, a
 * host bridge at 00:00.0, a virtio console at 00:01.0 and the guest's other
 * virtio devices (its disks, then its net= ports) in the slots after it, and device
 * memory in the MMIO window just above guest RAM, where each device's BAR
 * lies. Only bus 0, function 0 decodes; everything else reads as
 * all-ones, as an empty slot does. */
#include <core/guest.h>
#include <dev/dev.h>
#include <dev/pci.h>
#include <lib/lib.h>
#include <lib/log.h>

/* The host bridge's identity: a generic host bridge (class 06:00), which
 * is what Linux's check of configuration mechanism #1 looks for. */
#define HOST_BRIDGE_ID     0x00081B36u	/* vendor 1b36, device 0008 */
#define PCI_CLASS_HOST     0x060000u

_Static_assert(1 + GUEST_DISKS_MAX + NET_PORTS_MAX <= DEV_MAX,
	       "the console, every disk and every net= port fit on the bus");

bool dev_attach(struct guest *g)
{
	struct dev_bus *bus = &g->bus;
	const struct guest_spec *spec = g->spec;

	memset(bus, 0, sizeof(*bus));
	dev_add(g, &vcon_ops, &bus->console_state);
	g->input_hook = vcon_input;
	for (unsigned i = 0; i < spec->nr_disks; i++) {
		const struct guest_disk *disk = &spec->disks[i];
		struct vblk *b = &bus->disk_state[i];

		if (!vblk_init(b, disk, g->name, i)) {
			pr_err("guest %s: disk %u: no frames for its copy; not started", g->name, i);
			return false;
		}
		bus->nr_disks++;
		if (!dev_add(g, disk->writable ? &vblk_rw_ops : &vblk_ro_ops, b)) {
			pr_err("guest %s: disk %u: its bus has no free slot (%u devices); "
			       "not started", g->name, i, DEV_MAX);
			return false;
		}
		pr_debug("guest %s: disk %u: %llu sectors, %s, PCI slot %u, IRQ %u", g->name, i,
			 (unsigned long long)b->capacity, disk->writable ? "writable" : "read-only",
			 PCI_SLOT_FIRST_DEVICE + bus->nr - 1, VIRTIO_IRQ_BASE + bus->nr - 1);
	}
	for (unsigned i = 0; i < spec->config.nr_net; i++) {
		struct vnet *v = &bus->net_state[i];
		v->g = g;
		v->index = i;
		v->port_id = spec->net_port[i];
		v->d = dev_add(g, &vnet_ops, v);
		ASSERT(v->d);		/* the bus holds them all (above) */
		net_hook(v);
	}
	return true;
}

bool dev_release_piece(struct guest *g)
{
	for (unsigned i = 0; i < g->bus.nr_disks; i++)
		if (!vblk_release_piece(&g->bus.disk_state[i]))
			return false;
	return true;
}

uint32_t dev_frames_held(const struct guest *g)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < g->bus.nr_disks; i++)
		n += g->bus.disk_state[i].copied;
	return n;
}

uint32_t dev_frames_needed(const struct guest_spec *spec)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < spec->nr_disks; i++)
		n += vblk_frames(&spec->disks[i]);
	return n;
}

void dev_detach(struct guest *g)
{
	for (unsigned i = 0; i < NET_PORTS_MAX; i++)
		net_unhook(&g->bus.net_state[i]);
}

struct vdev *dev_add(struct guest *g, const struct vdev_ops *ops, void *priv)
{
	struct dev_bus *bus = &g->bus;

	if (bus->nr == DEV_MAX)
		return NULL;
	unsigned i = bus->nr++;
	struct vdev *d = &bus->dev[i];
	vpci_init(d, ops, PCI_SLOT_FIRST_DEVICE + i, VIRTIO_IRQ_BASE + i,
		  g->mem_size + i * VDEV_BAR_SIZE, priv);
	return d;
}

bool dev_mmio_window(const struct guest *g, uint32_t pa)
{
	return pa >= g->mem_size && pa - g->mem_size < RV_MMIO_WINDOW;
}

/* The virtio device in slot, or NULL. */
static struct vdev *slot_device(struct guest *g, unsigned slot)
{
	unsigned i = slot - PCI_SLOT_FIRST_DEVICE;

	return slot >= PCI_SLOT_FIRST_DEVICE && i < g->bus.nr ? &g->bus.dev[i] : NULL;
}

bool pci_bar_taken(struct guest *g, const struct vdev *self, uint32_t base)
{
	for (unsigned i = 0; i < g->bus.nr; i++)
		if (&g->bus.dev[i] != self && g->bus.dev[i].bar0 == base)
			return true;
	return false;
}

static uint32_t host_bridge_read(unsigned reg)
{
	switch (reg & ~3u) {
	case PCI_VENDOR_ID:      return HOST_BRIDGE_ID;
	case PCI_CLASS_REVISION: return PCI_CLASS_HOST << 8;
	default:                 return 0;
	}
}

/* A configuration access through the data window, at byte off of it, to
 * the register the latch names. */
static uint32_t config_access(struct guest *g, unsigned off, unsigned width, bool out,
			      uint32_t val)
{
	uint32_t a = g->bus.address;
	unsigned busno = (a >> 16) & 0xFF, slot = (a >> 11) & 0x1F, fn = (a >> 8) & 7;
	unsigned reg = (a & 0xFC) + off;
	uint32_t ones = width == 4 ? 0xFFFFFFFF : (1u << (8 * width)) - 1;

	if (!(a & PCI_CONFIG_ENABLE) || busno != 0 || fn != 0)
		return ones;
	if (slot == PCI_SLOT_HOST_BRIDGE)
		return out ? 0 : (host_bridge_read(reg) >> (8 * (reg & 3))) & ones;
	struct vdev *d = slot_device(g, slot);
	if (!d)
		return ones;
	if (out) {
		vpci_config_write(g, d, reg, width, val);
		return 0;
	}
	return vpci_config_read(g, d, reg, width);
}

bool dev_port(struct guest *g, uint16_t port, unsigned width, bool out, uint32_t *val)
{
	if (port < PCI_CONFIG_ADDRESS || port >= PCI_CONFIG_DATA + 4)
		return false;
	uint32_t ones = width == 4 ? 0xFFFFFFFF : (1u << (8 * width)) - 1;

	if (port < PCI_CONFIG_DATA) {
		/* Only a dword at 0xCF8 is the latch. Linux's probe also
		 * writes a byte to 0xCFB (mechanism #2's enable): ignored. */
		if (port != PCI_CONFIG_ADDRESS || width != 4)
			*val = ones;
		else if (out)
			g->bus.address = *val & (PCI_CONFIG_ENABLE | 0x00FFFFFC);
		else
			*val = g->bus.address;
		return true;
	}
	unsigned off = port - PCI_CONFIG_DATA;
	if (off + width > 4) {		/* past the window: nothing answers */
		*val = ones;
		return true;
	}
	uint32_t r = config_access(g, off, width, out, *val);
	if (!out)
		*val = r;
	return true;
}

enum dev_result dev_mmio(struct guest *g, uint32_t pa, unsigned width, bool store,
			 uint32_t *val)
{
	if (!IS_ALIGNED(pa, width)) {
		kill_guest(g, "%u-byte %s of device memory at %08x is misaligned", width,
			   store ? "write" : "read", pa);
		return DEV_KILLED;
	}
	for (unsigned i = 0; i < g->bus.nr; i++) {
		struct vdev *d = &g->bus.dev[i];
		if (vpci_bar_claims(d, pa))
			return vpci_bar_access(g, d, pa, width, store, val) ? DEV_DONE
									    : DEV_KILLED;
	}
	kill_guest(g, "%u-byte %s of device memory at %08x: no device is there", width,
		   store ? "write" : "read", pa);
	return DEV_KILLED;
}

bool dev_work(struct guest *g)
{
	for (unsigned i = 0; i < g->bus.nr; i++) {
		struct vdev *d = &g->bus.dev[i];
		if (!d->busy)
			continue;
		if (!d->ops->work(g, d))
			return false;
		d->busy = false;
	}
	g->dev_busy = false;
	return guest_alive(g);
}
