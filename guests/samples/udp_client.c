/* The client of the sample network pair (docs/writing-a-guest.md): finds
 * the echo service by broadcasting until it answers, then sends COUNT
 * datagrams of random sizes (14 to 1518-byte frames' worth), at most
 * WINDOW unanswered at a time, and checks that each comes back whole and
 * in order. Arguments: [COUNT [WINDOW [SEED]]], 10, 8 and 1 by default.
 * Exits 0 if every datagram came back, 1 if not. */
#include "udp.h"

#define CLIENT_PORT 4000
#define WAIT_NS     1000000000u	/* an answer later than 1 s is lost */
#define PROBE       0xFFFFFFFFu	/* the sequence number of a probe */

static struct udp_frame out, in;
static uint8_t mac[6], server[6];
static uint32_t rng;

static uint32_t random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static uint32_t number(const char *s, uint32_t dflt)
{
	uint32_t v = 0;

	if (!s)
		return dflt;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint32_t)(*s++ - '0');
	return v;
}

/* Datagram seq's payload: its length and bytes follow from seq alone. */
static uint32_t fill(uint32_t seq, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		out.payload[i] = (uint8_t)(seq * 7 + i * 13);
	return len;
}

static void send(const uint8_t *to, uint32_t seq, uint32_t len)
{
	udp_header(&out, to, mac, CLIENT_PORT, len, seq);
	out.sum = udp_sum(out.payload, len);
	rv_net_send(0, &out, UDP_HDR_LEN + len);
}

/* The next datagram for us, waiting at most WAIT_NS: its frame length, or
 * 0 on time-out. */
static uint32_t receive(void)
{
	uint64_t end = rv_time_ns() + WAIT_NS;

	for (;;) {
		uint32_t n = rv_net_recv(0, &in, sizeof(in));
		if (n && udp_is_ours(&in, n) && in.dport == CLIENT_PORT &&
		    in.seq != PROBE)	/* a late answer to a probe is not one */
			return n;
		if (n)
			continue;
		uint64_t now = rv_time_ns();
		if (now >= end)
			return 0;
		rv_net_wait_ns(0, (uint32_t)(end - now < 10000000 ? end - now : 10000000));
	}
}

int main(int argc, char **argv)
{
	uint32_t count = number(argc > 1 ? argv[1] : NULL, 10);
	uint32_t window = number(argc > 2 ? argv[2] : NULL, 8);
	uint32_t sizes[RV_NET_QSIZE];
	static const uint8_t everyone[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };

	rng = number(argc > 3 ? argv[3] : NULL, 1) | 1;
	if (window < 1 || window > RV_NET_QSIZE / 2)
		window = 8;
	if (rv_net_open(0, mac)) {
		rv_printf("client: no virtio-net device (give the guest net=SEG)\n");
		return 1;
	}
	/* Find the service: it may not be up yet, so ask until it answers. */
	int found = 0;
	for (int tries = 0; tries < 100 && !found; tries++) {
		send(everyone, PROBE, fill(0, 4));
		uint64_t end = rv_time_ns() + 10000000;
		while (!found && rv_time_ns() < end) {
			uint32_t n = rv_net_recv(0, &in, sizeof(in));
			if (n && udp_is_ours(&in, n) && in.seq == PROBE) {
				memcpy(server, in.src, 6);
				found = 1;
			} else if (!n) {
				rv_net_wait_ns(0, 1000000);
			}
		}
	}
	if (!found) {
		rv_printf("client: no echo service answered\n");
		return 1;
	}
	uint32_t sent = 0, back = 0, bad = 0, lost = 0;
	while (back + lost < count) {
		while (sent < count && sent - back - lost < window) {
			uint32_t len = random() % (RV_NET_FRAME_MAX - UDP_HDR_LEN + 1);
			if (len + UDP_HDR_LEN < RV_NET_FRAME_MIN)
				len = RV_NET_FRAME_MIN - UDP_HDR_LEN;
			sizes[sent % RV_NET_QSIZE] = len;
			send(server, sent, fill(sent, len));
			sent++;
		}
		uint32_t n = receive();
		if (!n) {		/* everything in flight is lost */
			lost += sent - back - lost;
			continue;
		}
		uint32_t want = back + lost;
		if (in.seq != want || in.len != sizes[want % RV_NET_QSIZE] ||
		    n != UDP_HDR_LEN + (uint32_t)in.len || in.sum != udp_sum(in.payload, in.len) ||
		    in.sum != udp_sum(out.payload, fill(want, in.len)))
			bad++;
		back++;
	}
	memcpy(out.payload, "bye", 3);
	send(server, count, 3);
	rv_printf("client: %u datagrams sent, %u echoed, %u lost, %u bad\n", count, back,
		  lost, bad);
	return lost || bad ? 1 : 0;
}
