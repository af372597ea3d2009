/* The virtual switch: segments of virtio-net ports (net=SEG), a bounded
 * learning table per segment, and forwarding, each frame copied once from
 * the sender's buffers into each receiver's. docs/network.md states the rules.
 *
 * A port's place on a segment is reserved at boot for its guest and keeps
 * its MAC for the boot's life (dev/netplan.c); the guest's live device is
 * hooked into it only while that guest exists, so no frame reaches the memory of a
 * guest that has ended or been rebuilt by a restart. All switching runs in
 * the sender's time, from its device's work (dev_work), so the sender pays. */
#include <core/guest.h>
#include <lib/log.h>
#include <dev/dev.h>
#include <dev/netplan.h>
#include <lib/lib.h>
#include <mutation.h>

#define ETH_ALEN 6

/* One learned address: frames to mac go to the port in place slot. */
struct learned {
	uint8_t mac[ETH_ALEN];
	uint8_t slot;
	bool valid;
};

/* A segment as the switch runs it; its places are dev/netplan.c's. */
struct net_segment {
	struct vnet *live[NET_SEG_PORTS];	/* hooked while its guest exists */
	struct learned learn[NET_LEARN_MAX];
	unsigned learn_next;		/* the entry replaced when the table is full */
};

static struct net_segment segments[NET_SEGMENTS_MAX];

static struct net_segment *seg_of(const struct vnet *v)
{
	return &segments[v->port_id / NET_SEG_PORTS];
}

/* The guest of this port now exists: the switch may deliver to it. */
void net_hook(struct vnet *v)
{
	struct vnet **live = &seg_of(v)->live[v->port_id % NET_SEG_PORTS];

	ASSERT(!*live);		/* its last guest was unhooked at its end */
	memcpy(v->mac, net_plan_mac(v->port_id), ETH_ALEN);
	*live = v;
	v->hooked = true;
}

/* Forget what the table learned about v's slot (its driver reset, or its
 * guest is gone). */
void net_forget(struct vnet *v)
{
	struct net_segment *seg = seg_of(v);
	unsigned slot = v->port_id % NET_SEG_PORTS;

	for (unsigned i = 0; i < NET_LEARN_MAX; i++)
		if (seg->learn[i].valid && seg->learn[i].slot == slot)
			seg->learn[i].valid = false;
}

/* v's guest is going: nothing is delivered to it from now on. */
void net_unhook(struct vnet *v)
{
	if (!v->hooked)
		return;
	net_forget(v);
	seg_of(v)->live[v->port_id % NET_SEG_PORTS] = NULL;
	v->hooked = false;
}

static void learn(struct net_segment *seg, const uint8_t *mac, unsigned slot)
{
	struct learned *free = NULL;

	for (unsigned i = 0; i < NET_LEARN_MAX; i++) {
		struct learned *e = &seg->learn[i];
		if (e->valid && !memcmp(e->mac, mac, ETH_ALEN)) {
			e->slot = (uint8_t)slot;
			return;
		}
		if (!e->valid && !free)
			free = e;
	}
	if (!free) {		/* full: the oldest place is taken over */
		free = &seg->learn[seg->learn_next];
		seg->learn_next = (seg->learn_next + 1) % NET_LEARN_MAX;
	}
	memcpy(free->mac, mac, ETH_ALEN);
	free->slot = (uint8_t)slot;
	free->valid = true;
}

/* The slot a unicast address was learned on, or -1. */
static int lookup(const struct net_segment *seg, const uint8_t *mac)
{
	for (unsigned i = 0; i < NET_LEARN_MAX; i++)
		if (seg->learn[i].valid && !memcmp(seg->learn[i].mac, mac, ETH_ALEN))
			return seg->learn[i].slot;
	return -1;
}

void net_read(const struct net_chunk *c, unsigned n, uint32_t off, void *dst, uint32_t len)
{
	uint8_t *d = dst;

	for (unsigned i = 0; i < n && len; i++) {
		if (off >= c[i].len) {
			off -= c[i].len;
			continue;
		}
		uint32_t k = MIN(c[i].len - off, len);
		memcpy(d, c[i].p + off, k);
		d += k;
		len -= k;
		off = 0;
	}
}

/* One copy of the frame to the port in slot, if a guest is hooked there.
 * A port with no live guest counts nothing: there is nobody to count for. */
static uint32_t deliver(struct net_segment *seg, unsigned slot, const struct net_chunk *c,
			unsigned n, uint32_t len)
{
	struct vnet *to = seg->live[slot];

	if (!to)
		return 0;
	vnet_receive(to, c, n, len);
	return len;
}

/* A frame of len bytes (an Ethernet header and what follows, in n checked
 * chunks of the sender's memory) from port `from`: its source must be the
 * port's own MAC, or it is dropped and counted (spoofing refused). The
 * source is learned; a broadcast, multicast or unknown destination floods
 * every other port of the segment, a known one goes to its port only.
 * Returns the bytes copied, for the sender's work budget. */
uint32_t net_transmit(struct vnet *from, const struct net_chunk *c, unsigned n, uint32_t len)
{
	struct guest *g = from->g;
	struct net_segment *seg = seg_of(from);
	unsigned self = from->port_id % NET_SEG_PORTS;
	uint8_t eth[2 * ETH_ALEN];
	uint32_t cost = 0;

	ASSERT(len >= NET_FRAME_MIN && len <= NET_FRAME_MAX);
	net_read(c, n, 0, eth, sizeof(eth));
	const uint8_t *dst = eth, *src = eth + ETH_ALEN;
	if (memcmp(src, from->mac, ETH_ALEN) && !MUTATED(MUT_NET_SPOOF)) {
		g->stats.net.spoofed++;
		g->stats.net.drops_out++;
		return 0;
	}
	g->stats.net.frames_out++;
	g->stats.net.bytes_out += len;
	learn(seg, src, self);
	int to = (dst[0] & 1) ? -1 : lookup(seg, dst);
	if (to >= 0)
		return to == (int)self ? 0 : deliver(seg, (unsigned)to, c, n, len);
	for (unsigned s = 0, n_places = net_plan_places(from->port_id / NET_SEG_PORTS);
	     s < n_places; s++)
		if (s != self)
			cost += deliver(seg, s, c, n, len);
	return cost;
}
