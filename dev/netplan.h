/* The switch's plan, made at boot from the modules' net= options
 * (dev/netplan.c): which segments exist, the places reserved on each and
 * the MAC of each place. It stands with the other boot-time formats, below
 * the device models, so core/modules.c can admit a guest's ports. */
#ifndef RV_DEV_NETPLAN_H
#define RV_DEV_NETPLAN_H

#include <param.h>
#include <types.h>

/* The MAC of port `port` of the guest named name: locally administered
 * unicast, 02:<port>:<FNV-1a 32 of the name, big-endian>. */
void net_mac(const char *name, unsigned port, uint8_t mac[6]);

/* Boot: reserve a place on its segment for each of the guest's net= ports
 * (ids[i] for port i: segment * NET_SEG_PORTS + place), all or none. -1,
 * with one reason in err, if a MAC is taken, a segment is full or there
 * are too many segments. */
int net_admit(const char *name, const char (*segs)[NET_SEG_NAME_MAX], unsigned n,
	      uint16_t *ids, char *err, size_t errlen);

/* Places reserved on segment seg, and the MAC of the place port_id. */
unsigned net_plan_places(unsigned seg);
const uint8_t *net_plan_mac(uint16_t port_id);

#endif
