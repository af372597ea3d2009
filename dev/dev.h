/* The virtual devices a guest sees, as the rest of the hypervisor calls
 * them: a PCI bus reached through ports 0xCF8-0xCFF, device memory (BARs)
 * in the MMIO window just above guest RAM, and work that a device must
 * finish before the guest runs again. docs/devices.md describes them. */
#ifndef RV_DEV_H
#define RV_DEV_H

#include <dev/virtio.h>
#include <types.h>

struct guest;
struct guest_spec;

/* A guest's bus and devices, kept inside its struct guest. Device i sits
 * in PCI slot i + 1, raises virtual IRQ VIRTIO_IRQ_BASE + i, and its BAR 0
 * starts VDEV_BAR_SIZE * i bytes into the MMIO window. The console is
 * always device 0. */
struct dev_bus {
	uint32_t address;		/* the 0xCF8 latch */
	unsigned nr;			/* devices attached */
	struct vdev dev[DEV_MAX];
	struct vcon console_state;
	struct vblk disk_state[GUEST_DISKS_MAX];	/* its disks, in the order given */
	unsigned nr_disks;
	struct vnet net_state[NET_PORTS_MAX];	/* its net= ports, in order */
};

#define DEV_CONSOLE  0			/* index of the console in dev[] */

/* What a device-memory access came to. */
enum dev_result {
	DEV_DONE,		/* emulated */
	DEV_KILLED,		/* the guest broke a rule and was killed */
};

/* dev.c */

/* Gives g its bus and devices, all in their reset state: the console,
 * then a virtio-blk device for each of its disks. False, with one line
 * saying why, if a disk's frames or a slot are not there. */
bool dev_attach(struct guest *g);

/* Gives back a bounded piece of what g's devices hold (a writable disk's
 * copy): true when all of it is back. Safe on a guest whose dev_attach
 * failed or never ran (a zeroed bus). */
bool dev_release_piece(struct guest *g);

/* Frames g's devices hold beyond its structure (a writable disk's pages
 * copied so far), and the frames its spec's devices need reserved at
 * admission. */
uint32_t dev_frames_held(const struct guest *g);
uint32_t dev_frames_needed(const struct guest_spec *spec);

/* Takes g's devices off everything shared (its ports off the switch), so
 * nothing reaches its memory once it is gone: before its memory goes back. */
void dev_detach(struct guest *g);

/* Puts one more virtio device of kind ops on g's bus, in the next slot,
 * with the model's state priv. NULL if the bus is full (DEV_MAX). */
struct vdev *dev_add(struct guest *g, const struct vdev_ops *ops, void *priv);

/* True if guest-physical pa lies in g's MMIO window, where device memory
 * is, rather than in its RAM or beyond both. */
bool dev_mmio_window(const struct guest *g, uint32_t pa);

/* A load or store of width 1, 2 or 4 bytes at pa in the MMIO window. A
 * load fills *val. */
enum dev_result dev_mmio(struct guest *g, uint32_t pa, unsigned width, bool store,
			 uint32_t *val);

/* Port I/O the bus decodes (0xCF8-0xCFF). False if the port is not the
 * bus's; a load fills the low width bytes of *val. */
bool dev_port(struct guest *g, uint16_t port, unsigned width, bool out, uint32_t *val);

/* Devices with work the guest must not run past (a transmit queue not yet
 * consumed): do a bounded piece of it. True when none is left and the
 * guest may run; false if it must wait (blocked, killed, or more to do). */
bool dev_work(struct guest *g);

#endif
