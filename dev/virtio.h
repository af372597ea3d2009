/* Inside dev/: the virtio 1.0 PCI transport (virtio_pci.c), split
 * virtqueues (virtqueue.c) and the device models built on them. Virtio 1.0
 * (OASIS, 2016) sections are cited by number. */
#ifndef RV_DEV_VIRTIO_H
#define RV_DEV_VIRTIO_H

#include <param.h>
#include <types.h>

struct guest;

/* Bytes of BAR 0, where each device's capability structures lie. */
#define VDEV_BAR_SIZE               0x1000

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE   1
#define VIRTIO_STATUS_DRIVER        2
#define VIRTIO_STATUS_DRIVER_OK     4
#define VIRTIO_STATUS_FEATURES_OK   8
#define VIRTIO_STATUS_NEEDS_RESET   64
#define VIRTIO_STATUS_FAILED        128

/* Feature bits every device here offers (6). */
#define VIRTIO_F_VERSION_1          32

/* Descriptor flags (2.4.5). */
#define VIRTQ_DESC_F_NEXT           1
#define VIRTQ_DESC_F_WRITE          2
#define VIRTQ_DESC_F_INDIRECT       4

/* avail->flags: the driver wants no interrupt for used buffers (2.4.7). */
#define VIRTQ_AVAIL_F_NO_INTERRUPT  1

/* used->flags: the driver need not notify (2.4.8). */
#define VIRTQ_USED_F_NO_NOTIFY      1

/* ISR status bits (4.1.4.5). */
#define VIRTIO_ISR_QUEUE            1

/* A split virtqueue (2.4) as the driver configured it through the common
 * configuration, and how far the device has got through it. */
struct virtq {
	uint16_t size;		/* entries; a power of two, <= VIRTQ_SIZE_MAX */
	bool enabled;		/* queue_enable = 1 was accepted */
	uint64_t desc, avail, used;	/* guest-physical, as written */
	uint16_t last_avail;	/* next avail->ring entry to take */
	uint16_t used_idx;	/* the device's used->idx */
};

/* One descriptor, copied out of guest memory and checked: its buffer lies
 * inside guest RAM and is not empty. */
struct vq_desc {
	uint32_t gpa;
	uint32_t len;
	bool write;		/* device-writable (a receive buffer) */
	bool has_next;		/* the chain goes on, at next */
	uint16_t next;
};

/* A walk along one descriptor chain. The walk re-reads each descriptor
 * when it steps onto it, so it can stop and go on later (a blocked
 * console); every read is checked again, and `seen` bounds the walk by the
 * queue's size, so a loop in the chain ends it. */
struct vq_walk {
	bool active;		/* a chain is being consumed */
	uint16_t head;		/* its first descriptor: the used element's id */
	uint16_t cur;		/* the descriptor the walk stands on */
	uint16_t seen;		/* descriptors visited so far */
	uint32_t off;		/* bytes of cur already consumed */
	uint32_t done;		/* bytes written into the chain (receive) */
	struct vq_desc d;	/* cur, as checked */
};

enum vq_result {
	VQ_OK,
	VQ_EMPTY,		/* no chain, or the chain has ended */
	VQ_KILLED,		/* a bad ring: the guest was killed */
};

struct vdev;

/* What makes one kind of virtio device. */
struct vdev_ops {
	const char *name;	/* for messages: "console" */
	uint16_t type;		/* virtio device ID (5): 3 = console */
	uint64_t features;	/* offered, VIRTIO_F_VERSION_1 included */
	unsigned nr_queues;
	uint32_t config_len;	/* bytes of device-specific configuration */
	/* Device configuration (the DEVICE capability's region), at an offset
	 * and width already checked to lie inside config_len. */
	uint32_t (*config_read)(struct guest *g, struct vdev *d, uint32_t off, unsigned width);
	void (*config_write)(struct guest *g, struct vdev *d, uint32_t off, unsigned width,
			     uint32_t val);
	/* The driver notified enabled queue q. */
	void (*notify)(struct guest *g, struct vdev *d, unsigned q);
	/* A bounded piece of pending work; true when none is left. */
	bool (*work)(struct guest *g, struct vdev *d);
	/* Back to the reset state: the driver wrote status 0. */
	void (*reset)(struct guest *g, struct vdev *d);
};

/* One virtio device on the guest's PCI bus. */
struct vdev {
	const struct vdev_ops *ops;
	unsigned slot;		/* PCI device number on bus 0 */
	unsigned irq;		/* virtual IRQ line (PCI_INTERRUPT_LINE) */
	uint32_t bar0;		/* guest-physical base of BAR 0 */
	bool bar_sizing;	/* all-ones was written: BAR 0 reads its mask */
	uint16_t command;	/* PCI command register */
	/* The common configuration (4.1.4.3). */
	uint32_t dfselect, gfselect;
	uint64_t driver_features;
	uint8_t status;
	uint8_t config_generation;
	uint16_t queue_select;
	struct virtq vq[VDEV_QUEUES_MAX];
	uint8_t isr;		/* ISR status, cleared by a read */
	/* The PCI_CFG capability's window into BAR 0 (4.1.4.7.1). */
	uint8_t window_bar;
	uint32_t window_off, window_len;
	bool busy;		/* ops->work has something to do */
	void *priv;		/* the device model's own state */
};

/* virtio_pci.c */
void vpci_init(struct vdev *d, const struct vdev_ops *ops, unsigned slot, unsigned irq,
	       uint32_t bar0, void *priv);
uint32_t vpci_config_read(struct guest *g, struct vdev *d, unsigned reg, unsigned width);
void vpci_config_write(struct guest *g, struct vdev *d, unsigned reg, unsigned width,
		       uint32_t val);
bool vpci_bar_claims(const struct vdev *d, uint32_t pa);
bool vpci_bar_access(struct guest *g, struct vdev *d, uint32_t pa, unsigned width,
		     bool store, uint32_t *val);
void vdev_interrupt(struct guest *g, struct vdev *d);
void vdev_set_busy(struct guest *g, struct vdev *d, bool busy);

/* virtqueue.c */
bool vq_enable(struct guest *g, struct vdev *d, struct virtq *q, unsigned index);
enum vq_result vq_start(struct guest *g, struct vdev *d, struct virtq *q, struct vq_walk *w);
enum vq_result vq_rewind(struct guest *g, struct vdev *d, struct virtq *q, struct vq_walk *w);
enum vq_result vq_next(struct guest *g, struct vdev *d, struct virtq *q, struct vq_walk *w);
void vq_complete(struct guest *g, struct vdev *d, struct virtq *q, struct vq_walk *w);
bool vq_wants_interrupt(struct guest *g, const struct virtq *q);
void vq_no_notify(struct guest *g, const struct virtq *q);

/* A piece of a frame in host memory: one checked descriptor's bytes. */
struct net_chunk {
	const uint8_t *p;
	uint32_t len;
};

/* virtio_net.c: one port of a guest on the switch. */
struct vnet {
	struct guest *g;
	struct vdev *d;
	uint8_t mac[6];
	unsigned index;		/* the guest's port number: its net= order */
	uint16_t port_id;	/* its place on the switch (netswitch.c) */
	bool hooked;		/* the switch may deliver to it */
};
extern const struct vdev_ops vnet_ops;
bool vnet_receive(struct vnet *to, const struct net_chunk *c, unsigned n, uint32_t len);

/* netswitch.c */
void net_hook(struct vnet *v);
void net_unhook(struct vnet *v);
void net_forget(struct vnet *v);
uint32_t net_transmit(struct vnet *from, const struct net_chunk *c, unsigned n, uint32_t len);
void net_read(const struct net_chunk *c, unsigned n, uint32_t off, void *dst, uint32_t len);

/* virtio_console.c */
struct vcon {
	struct vq_walk tx, rx;	/* the chains being consumed or filled */
};
extern const struct vdev_ops vcon_ops;
bool vcon_input(struct guest *g);

/* virtio_blk.c: one disk (a module, read-only or with a private copy of
 * the pages written) and the request it is serving. */
struct guest_disk;
struct vblk_req {
	uint32_t type;		/* the header's fields */
	uint64_t sector;
	uint8_t status;		/* the answer, decided before any data moves */
	uint32_t data_len;	/* bytes to move, when status is OK */
	uint64_t rlen, wlen;	/* device-readable and -writable bytes of the chain */
	uint64_t rpos, wpos;	/* how far the transfer has got through each */
	struct vq_walk w;
};
struct vblk {
	const uint8_t *image;	/* the module, where the boot loader put it */
	uint32_t size;		/* its bytes */
	uint64_t capacity;	/* sectors: size / 512, rounded down */
	bool writable;
	uint32_t *copy;		/* writable: each page's private frame, or 0 */
	uint32_t pages;		/* pages of the image */
	uint32_t map_frames;	/* frames of copy[] */
	uint32_t copied;	/* frames taken for the copy so far */
	uint32_t released;	/* pages of copy[] looked at by the teardown */
	char id[20];		/* VIRTIO_BLK_T_GET_ID's answer */
	struct vblk_req req;
};
extern const struct vdev_ops vblk_ro_ops, vblk_rw_ops;
uint32_t vblk_frames(const struct guest_disk *disk);
bool vblk_init(struct vblk *b, const struct guest_disk *disk, const char *guest, unsigned index);
bool vblk_release_piece(struct vblk *b);

#endif
