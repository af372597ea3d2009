/* The virtual switch: segments of virtio-net ports (net=SEG), a bounded
 * learning table per segment, and forwarding, each frame copied once from
 * the sender's buffers into each receiver's. docs/network.md states the rules.
 *
 * A port's place on a segment (its slot) is reserved at boot for its guest
 * and keeps its MAC for the boot's life; the guest's live device is hooked
 * into it only while that guest exists, so no frame reaches the memory of a
 * guest that has ended or been rebuilt by a restart. All switching runs in
 * the sender's time, from its device's work (dev_work), so the sender pays. */
#include <core/guest.h>
#include <lib/log.h>
#include <dev/dev.h>
#include <lib/lib.h>
#include <mutation.h>

#define ETH_ALEN 6

/* One reserved place on a segment. */
struct net_slot {
	char guest[GUEST_NAME_MAX];
	unsigned index;			/* the guest's port number */
	uint8_t mac[ETH_ALEN];
	struct vnet *live;		/* hooked while its guest exists */
};

/* One learned address: frames to mac go to slot. */
struct learned {
	uint8_t mac[ETH_ALEN];
	uint8_t slot;
	bool valid;
};

struct net_segment {
	char name[NET_SEG_NAME_MAX];
	unsigned nr;			/* slots reserved */
	struct net_slot slot[NET_SEG_PORTS];
	struct learned learn[NET_LEARN_MAX];
	unsigned learn_next;		/* the entry replaced when the table is full */
};

static struct net_segment segments[NET_SEGMENTS_MAX];
static unsigned nr_segments;

void net_mac(const char *name, unsigned port, uint8_t mac[6])
{
	uint32_t h = 2166136261u;		/* FNV-1a, 32 bits */

	for (const char *s = name; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	mac[0] = 0x02;				/* locally administered, unicast */
	mac[1] = (uint8_t)port;
	mac[2] = (uint8_t)(h >> 24);
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

static struct net_segment *segment_named(const char *name)
{
	for (unsigned i = 0; i < nr_segments; i++)
		if (!strcmp(segments[i].name, name))
			return &segments[i];
	return NULL;
}

int net_admit(const char *name, const char (*segs)[NET_SEG_NAME_MAX], unsigned n,
	      uint16_t *ids, char *err, size_t errlen)
{
	unsigned new_segs = 0, want[NET_PORTS_MAX] = { 0 };

	/* Check everything first, so a refusal reserves nothing. */
	for (unsigned i = 0; i < n; i++) {
		uint8_t mac[ETH_ALEN];
		net_mac(name, i, mac);
		for (unsigned s = 0; s < nr_segments; s++)
			for (unsigned k = 0; k < segments[s].nr; k++) {
				const struct net_slot *o = &segments[s].slot[k];
				if (!memcmp(o->mac, mac, ETH_ALEN))
					return errmsg(err, errlen, "net=%s: its MAC "
						      "%02x:%02x:%02x:%02x:%02x:%02x is already "
						      "port %u of guest \"%s\"", segs[i], mac[0],
						      mac[1], mac[2], mac[3], mac[4], mac[5],
						      o->index, o->guest);
			}
		const struct net_segment *seg = segment_named(segs[i]);
		unsigned same = 0;
		for (unsigned j = 0; j < i; j++)
			same += !strcmp(segs[j], segs[i]);
		if (!seg && !same)
			new_segs++;
		want[i] = (seg ? seg->nr : 0) + same + 1;
		if (want[i] > NET_SEG_PORTS)
			return errmsg(err, errlen, "net=%s: the segment has all its %u ports "
				      "(NET_SEG_PORTS)", segs[i], NET_SEG_PORTS);
	}
	if (nr_segments + new_segs > NET_SEGMENTS_MAX)
		return errmsg(err, errlen, "net=: more than %u segments (NET_SEGMENTS_MAX)",
			      NET_SEGMENTS_MAX);
	for (unsigned i = 0; i < n; i++) {
		struct net_segment *seg = segment_named(segs[i]);
		if (!seg) {
			seg = &segments[nr_segments++];
			strlcpy(seg->name, segs[i], sizeof(seg->name));
		}
		struct net_slot *sl = &seg->slot[seg->nr];
		strlcpy(sl->guest, name, sizeof(sl->guest));
		sl->index = i;
		net_mac(name, i, sl->mac);
		ids[i] = (uint16_t)((seg - segments) * NET_SEG_PORTS + seg->nr);
		seg->nr++;
	}
	return 0;
}

static struct net_segment *seg_of(const struct vnet *v)
{
	return &segments[v->port_id / NET_SEG_PORTS];
}

/* The guest of this port now exists: the switch may deliver to it. */
void net_hook(struct vnet *v)
{
	struct net_slot *sl = &seg_of(v)->slot[v->port_id % NET_SEG_PORTS];

	ASSERT(v->port_id / NET_SEG_PORTS < nr_segments && !sl->live);
	memcpy(v->mac, sl->mac, ETH_ALEN);
	sl->live = v;
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
	seg_of(v)->slot[v->port_id % NET_SEG_PORTS].live = NULL;
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
	struct vnet *to = seg->slot[slot].live;

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
	for (unsigned s = 0; s < seg->nr; s++)
		if (s != self)
			cost += deliver(seg, s, c, n, len);
	return cost;
}
