/* The switch's plan: segments by name, the places reserved on each for
 * the guests' net= ports at boot, and each place's MAC, derived from its
 * guest's name. A place is reserved once, when its module is accepted, and
 * kept for the boot's life, so a restarted guest finds its place and MAC
 * again. Pure bookkeeping: dev/netswitch.c does the switching. */
#include <dev/netplan.h>
#include <lib/lib.h>
#include <lib/log.h>

#define ETH_ALEN 6

struct place {
	char guest[GUEST_NAME_MAX];
	unsigned index;			/* the guest's port number */
	uint8_t mac[ETH_ALEN];
};

struct plan_segment {
	char name[NET_SEG_NAME_MAX];
	unsigned nr;			/* places reserved */
	struct place place[NET_SEG_PORTS];
};

static struct plan_segment segments[NET_SEGMENTS_MAX];
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

static struct plan_segment *segment_named(const char *name)
{
	for (unsigned i = 0; i < nr_segments; i++)
		if (!strcmp(segments[i].name, name))
			return &segments[i];
	return NULL;
}

/* The place already reserved whose MAC is mac, or NULL. */
static const struct place *mac_taken(const uint8_t *mac)
{
	for (unsigned s = 0; s < nr_segments; s++)
		for (unsigned k = 0; k < segments[s].nr; k++)
			if (!memcmp(segments[s].place[k].mac, mac, ETH_ALEN))
				return &segments[s].place[k];
	return NULL;
}

int net_admit(const char *name, const char (*segs)[NET_SEG_NAME_MAX], unsigned n,
	      uint16_t *ids, char *err, size_t errlen)
{
	unsigned new_segs = 0;

	/* Check everything first, so a refusal reserves nothing. A guest's
	 * own ports differ in their second byte, so only others' can clash. */
	for (unsigned i = 0; i < n; i++) {
		uint8_t mac[ETH_ALEN];
		net_mac(name, i, mac);
		const struct place *o = mac_taken(mac);
		if (o)
			return errmsg(err, errlen, "net=%s: its MAC %02x:%02x:%02x:%02x:%02x:%02x "
				      "is already port %u of guest \"%s\"", segs[i], mac[0], mac[1],
				      mac[2], mac[3], mac[4], mac[5], o->index, o->guest);
		const struct plan_segment *seg = segment_named(segs[i]);
		unsigned same = 0;
		for (unsigned j = 0; j < i; j++)
			same += !strcmp(segs[j], segs[i]);
		if (!seg && !same)
			new_segs++;
		if ((seg ? seg->nr : 0) + same + 1 > NET_SEG_PORTS)
			return errmsg(err, errlen, "net=%s: the segment has all its %u ports "
				      "(NET_SEG_PORTS)", segs[i], NET_SEG_PORTS);
	}
	if (nr_segments + new_segs > NET_SEGMENTS_MAX)
		return errmsg(err, errlen, "net=: more than %u segments (NET_SEGMENTS_MAX)",
			      NET_SEGMENTS_MAX);
	for (unsigned i = 0; i < n; i++) {
		struct plan_segment *seg = segment_named(segs[i]);
		if (!seg) {
			seg = &segments[nr_segments++];
			strlcpy(seg->name, segs[i], sizeof(seg->name));
		}
		struct place *p = &seg->place[seg->nr];
		strlcpy(p->guest, name, sizeof(p->guest));
		p->index = i;
		net_mac(name, i, p->mac);
		ids[i] = (uint16_t)((seg - segments) * NET_SEG_PORTS + seg->nr);
		seg->nr++;
	}
	return 0;
}

unsigned net_plan_places(unsigned seg)
{
	return seg < nr_segments ? segments[seg].nr : 0;
}

const uint8_t *net_plan_mac(uint16_t port_id)
{
	unsigned seg = port_id / NET_SEG_PORTS, k = port_id % NET_SEG_PORTS;

	ASSERT(seg < nr_segments && k < segments[seg].nr);
	return segments[seg].place[k].mac;
}
