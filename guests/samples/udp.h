/* The sample network guests' tiny UDP-style protocol (udp_echo.c,
 * udp_client.c): an Ethernet frame of the local experimental type 0x88B5
 * carrying ports, a length, a sequence number and a checksum of the
 * payload. Not IP: just enough to show the rv_net_* API. */
#ifndef SAMPLES_UDP_H
#define SAMPLES_UDP_H

#include "rv.h"

#define UDP_ETHERTYPE 0x88B5
#define UDP_ECHO_PORT 7

struct udp_frame {
	uint8_t dst[6], src[6];
	uint8_t type[2];		/* big-endian, UDP_ETHERTYPE */
	uint16_t sport, dport;
	uint16_t len;			/* payload bytes */
	uint32_t seq;
	uint32_t sum;			/* of the payload's bytes */
	uint8_t payload[RV_NET_FRAME_MAX - 28];
} __attribute__((packed));
#define UDP_HDR_LEN 28u
_Static_assert(sizeof(struct udp_frame) == RV_NET_FRAME_MAX, "a frame at most");

static inline uint32_t udp_sum(const uint8_t *p, uint32_t n)
{
	uint32_t s = 0;

	for (uint32_t i = 0; i < n; i++)
		s = s * 31 + p[i];
	return s;
}

/* Fill f's header: from port sport at MAC from to UDP_ECHO_PORT at to,
 * len payload bytes, sequence number seq (the checksum is the caller's). */
static inline void udp_header(struct udp_frame *f, const uint8_t *to, const uint8_t *from,
			      uint16_t sport, uint32_t len, uint32_t seq)
{
	memcpy(f->dst, to, 6);
	memcpy(f->src, from, 6);
	f->type[0] = UDP_ETHERTYPE >> 8;
	f->type[1] = UDP_ETHERTYPE & 0xFF;
	f->sport = sport;
	f->dport = UDP_ECHO_PORT;
	f->len = (uint16_t)len;
	f->seq = seq;
}

static inline int udp_is_ours(const struct udp_frame *f, uint32_t n)
{
	return n >= UDP_HDR_LEN && f->type[0] == (UDP_ETHERTYPE >> 8) &&
	       f->type[1] == (UDP_ETHERTYPE & 0xFF) && UDP_HDR_LEN + (uint32_t)f->len <= n;
}

#endif
