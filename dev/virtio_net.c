/* The virtio-net device (virtio 1.0, 5.1): a receive queue (0) and a
 * transmit queue (1), the MAC in the device configuration, and the 12-byte
 * virtio 1.0 header on every buffer. Only VERSION_1 and MAC are offered: no
 * checksum, GSO, mergeable buffers, control queue or indirect descriptors.
 * Frames go to the switch (netswitch.c) from the transmit queue, a bounded
 * piece per pass of the run loop, in the sender's time. */
#include <core/guest.h>
#include <lib/log.h>
#include <dev/dev.h>
#include <dev/virtio.h>
#include <lib/lib.h>
#include <mm/mm.h>

#define VNET_RX                 0
#define VNET_TX                 1
#define VIRTIO_NET_F_MAC        5

/* struct virtio_net_config (5.1.4): mac[6], then status (only with
 * VIRTIO_NET_F_STATUS, not offered: reads as link up). */
#define VNET_CFG_LEN            8
#define VIRTIO_NET_S_LINK_UP    1

/* struct virtio_net_hdr (5.1.6), 12 bytes with VERSION_1: flags,
 * gso_type, hdr_len, gso_size, csum_start, csum_offset, num_buffers. */
#define VNET_HDR_LEN            12
#define VNET_HDR_NUM_BUFFERS    10

/* Every checked descriptor of the chain being sent (a chain is at most the
 * queue's size): one guest's frame at a time, so one static copy. */
static struct net_chunk chunks[VIRTQ_SIZE_MAX];

static uint32_t vnet_config_read(struct guest *g, struct vdev *d, uint32_t off, unsigned width)
{
	const struct vnet *v = d->priv;
	uint8_t cfg[VNET_CFG_LEN] = { 0 };
	uint32_t val = 0;

	(void)g;
	memcpy(cfg, v->mac, 6);
	cfg[6] = VIRTIO_NET_S_LINK_UP;
	for (unsigned i = 0; i < width; i++)
		val |= (uint32_t)cfg[off + i] << (8 * i);
	return val;
}

/* The MAC is the switch's: writes are ignored (5.1.4: read-only). */
static void vnet_config_write(struct guest *g, struct vdev *d, uint32_t off, unsigned width,
			      uint32_t val)
{
	(void)g, (void)d, (void)off, (void)width, (void)val;
}

/* The chain the walk stands on, gathered into chunks: every descriptor
 * device-readable. Its total, in 64 bits (256 buffers can pass 4 GiB), in
 * *total. VQ_KILLED if the ring broke a rule. */
static enum vq_result gather(struct guest *g, struct vdev *d, struct virtq *q,
			     struct vq_walk *w, unsigned *n, uint64_t *total)
{
	enum vq_result r;

	*n = 0;
	*total = 0;
	do {
		if (w->d.write) {
			kill_guest(g, "virtio net transmit queue: descriptor %u is "
				   "device-writable", w->cur);
			return VQ_KILLED;
		}
		chunks[*n].p = guest_range(g, w->d.gpa, w->d.len);
		chunks[*n].len = w->d.len;
		*total += w->d.len;
		(*n)++;
		r = vq_next(g, d, q, w);
	} while (r == VQ_OK);
	return r;
}

/* One gathered chain: the header checked, then the frame to the switch
 * unless it is a runt or oversize (dropped and counted). False if the
 * guest was killed. *cost is the bytes copied. */
static bool send_chain(struct guest *g, struct vnet *v, unsigned n, uint64_t total,
		       uint32_t *cost)
{
	uint8_t hdr[VNET_HDR_LEN];

	*cost = 0;
	if (total < VNET_HDR_LEN + NET_FRAME_MIN || total > VNET_HDR_LEN + NET_FRAME_MAX) {
		if (total < VNET_HDR_LEN + NET_FRAME_MIN)
			g->stats.net.runts++;
		else
			g->stats.net.oversize++;
		g->stats.net.drops_out++;
		return true;
	}
	net_read(chunks, n, 0, hdr, sizeof(hdr));
	if (hdr[0] || hdr[1]) {
		kill_guest(g, "virtio net transmit queue: header flags 0x%02x and gso_type %u, "
			   "with no checksum or GSO feature negotiated", hdr[0], hdr[1]);
		return false;
	}
	/* Past the header: the frame's chunks start where it ends. */
	unsigned first = 0;
	uint32_t skip = VNET_HDR_LEN;
	while (skip >= chunks[first].len)
		skip -= chunks[first++].len;
	struct net_chunk saved = chunks[first];
	chunks[first].p += skip;
	chunks[first].len -= skip;
	*cost = net_transmit(v, chunks + first, n - first, (uint32_t)total - VNET_HDR_LEN);
	chunks[first] = saved;
	return guest_alive(g);
}

/* A bounded piece of the transmit queue: whole chains, until
 * NET_WORK_BYTES are copied (every copy of a flood counted, and at least
 * NET_FRAME_COST a chain). True when the queue is empty. The sender never
 * waits for a receiver: a receiver without room drops and counts. */
static bool vnet_work(struct guest *g, struct vdev *d)
{
	struct vnet *v = d->priv;
	struct virtq *q = &d->vq[VNET_TX];
	uint32_t budget = NET_WORK_BYTES;
	bool completed = false, all = false;

	while (budget) {
		struct vq_walk w;
		unsigned n;
		uint64_t total;
		uint32_t cost;
		enum vq_result r = vq_start(g, d, q, &w);

		if (r == VQ_EMPTY) {
			all = true;
			break;
		}
		if (r == VQ_KILLED || gather(g, d, q, &w, &n, &total) == VQ_KILLED ||
		    !send_chain(g, v, n, total, &cost))
			return false;
		vq_complete(g, d, q, &w);
		completed = true;
		cost = MAX(cost, NET_FRAME_COST);
		budget -= MIN(budget, cost);
	}
	if (completed && vq_wants_interrupt(g, q))
		vdev_interrupt(g, d);
	return all;
}

/* Called by the switch: one frame of len bytes for this port, into the
 * next receive chain with the virtio header first. Dropped and counted if
 * the driver is not up, no chain is posted or it is too small; a broken
 * receive ring kills the receiver (the sender goes on). True if delivered. */
bool vnet_receive(struct vnet *to, const struct net_chunk *c, unsigned n, uint32_t len)
{
	struct guest *g = to->g;
	struct vdev *d = to->d;
	struct virtq *q = &d->vq[VNET_RX];
	uint8_t hdr[VNET_HDR_LEN] = { 0 };
	struct vq_walk w;
	uint32_t want = VNET_HDR_LEN + len, off = 0;
	enum vq_result r;

	if (!guest_alive(g) || g->loading || !(d->status & VIRTIO_STATUS_DRIVER_OK) ||
	    !q->enabled || (r = vq_start(g, d, q, &w)) == VQ_EMPTY) {
		g->stats.net.drops_in++;
		return false;
	}
	hdr[VNET_HDR_NUM_BUFFERS] = 1;
	while (r == VQ_OK && off < want) {
		if (!w.d.write) {
			kill_guest(g, "virtio net receive queue: descriptor %u is not "
				   "device-writable", w.cur);
			break;
		}
		uint8_t *buf = guest_range(g, w.d.gpa, w.d.len);
		uint32_t k = MIN(w.d.len, want - off);
		for (uint32_t i = 0; i < k;) {	/* header bytes, then the frame's */
			uint32_t at = off + i;
			if (at < VNET_HDR_LEN) {
				buf[i++] = hdr[at];
				continue;
			}
			net_read(c, n, at - VNET_HDR_LEN, buf + i, k - i);
			i = k;
		}
		off += k;
		if (off < want)
			r = vq_next(g, d, q, &w);
	}
	if (!guest_alive(g)) {
		g->stats.net.drops_in++;
		guest_reap(g);		/* killed while off the CPU */
		return false;
	}
	bool fits = off == want;
	w.done = fits ? want : 0;	/* too small: given back empty */
	vq_complete(g, d, q, &w);
	if (fits) {
		g->stats.net.frames_in++;
		g->stats.net.bytes_in += len;
	} else {
		g->stats.net.drops_in++;
	}
	if (vq_wants_interrupt(g, q))
		vdev_interrupt(g, d);
	return fits;
}

static void vnet_notify(struct guest *g, struct vdev *d, unsigned q)
{
	/* New receive buffers need nothing now: frames that find none are
	 * dropped, not queued; so the driver is told it need not notify. */
	if (q == VNET_TX)
		vdev_set_busy(g, d, true);
	else
		vq_no_notify(g, &d->vq[VNET_RX]);
}

/* The driver reset the device: its queues are gone, so the switch
 * delivers nothing until it is set up again; what was learned of its port
 * is forgotten. */
static void vnet_reset(struct guest *g, struct vdev *d)
{
	(void)g;
	net_forget(d->priv);
}

const struct vdev_ops vnet_ops = {
	.name = "net",
	.type = 1,
	.features = 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_NET_F_MAC,
	.nr_queues = 2,
	.config_len = VNET_CFG_LEN,
	.config_read = vnet_config_read,
	.config_write = vnet_config_write,
	.notify = vnet_notify,
	.work = vnet_work,
	.reset = vnet_reset,
};
