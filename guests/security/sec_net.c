/* Security catalogue and tests, the virtual switch: one role or attack per
 * module, named by its argument (after --). Roles: blast N (N broadcast
 * frames, never waiting), sink (buffers posted but not read for a while:
 * the rest is dropped), flood (broadcast 1500-byte frames for ever), drain
 * MS (receive for MS ms of its clock). Attacks (tools/security.py: NET): a
 * killing case that survives prints "SURVIVED case" and exits 1; a
 * counted case prints what it sent and exits 0, and the test reads the
 * hypervisor's counters. Chains are written verbatim with
 * rv_net_send_desc, so each case breaks exactly one rule. */
#include "rv.h"

#define HDR         RV_NET_HDR_LEN
#define ETHERTYPE   0x88B5

static uint8_t mac[6];
static uint8_t frame[4096] __attribute__((aligned(16)));
static uint8_t in[2048];

static uint32_t parse(const char *s)
{
	uint32_t v = 0;

	while (s && *s >= '0' && *s <= '9')
		v = v * 10 + (uint32_t)(*s++ - '0');
	return v;
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* The MAC the switch gives port 0 of the guest named name (docs/network.md). */
static void mac_of(const char *name, uint8_t out[6])
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	out[0] = 0x02;
	out[1] = 0;
	out[2] = (uint8_t)(h >> 24);
	out[3] = (uint8_t)(h >> 16);
	out[4] = (uint8_t)(h >> 8);
	out[5] = (uint8_t)h;
}

/* An Ethernet header at p: to everyone, from src, our type; the payload
 * after it a pattern of seq. */
static void eth(uint8_t *p, const uint8_t *src, uint32_t len, uint32_t seq)
{
	memset(p, 0xFF, 6);
	memcpy(p + 6, src, 6);
	p[12] = ETHERTYPE >> 8;
	p[13] = ETHERTYPE & 0xFF;
	for (uint32_t i = 14; i < len; i++)
		p[i] = (uint8_t)(seq + i);
}

static void sleep_ms(uint32_t ms)
{
	rv_sleep_ns(ms * 1000000u);
}

/* Everything waiting, read until none has come for quiet_ms. */
static uint32_t drain_quiet(uint32_t quiet_ms)
{
	uint32_t n = 0;

	for (;;) {
		while (rv_net_recv(0, in, sizeof(in)))
			n++;
		sleep_ms(quiet_ms);
		if (!rv_net_pending(0))
			return n;
	}
}

static struct rv_net_desc d[RV_NET_QSIZE];

static struct rv_net_desc desc(const void *p, uint32_t len, uint16_t next)
{
	return (struct rv_net_desc){ rv_gpa(p), len, next ? 1 : 0, next };
}

/* One header-and-frame buffer of len frame bytes, as one descriptor. */
static void send_one(uint32_t len)
{
	d[0] = desc(frame, HDR + len, 0);
	rv_net_send_desc(0, d, 1, 0);
}

static int run_case(const char *c, int argc, char **argv)
{
	memset(frame, 0, HDR);
	sleep_ms(100);			/* the peers' drivers up first */
	if (streq(c, "net_desc_loop")) {
		eth(frame + HDR, mac, 60, 0);
		d[0] = desc(frame, HDR + 30, 1);
		d[1] = desc(frame + HDR + 30, 30, 0);
		d[1].flags = 1;			/* NEXT, back to 0 */
		rv_net_send_desc(0, d, 2, 0);
	} else if (streq(c, "net_outside")) {
		d[0] = (struct rv_net_desc){ 0x00200000u, 64, 0, 0 };	/* mem=2M: just above */
		rv_net_send_desc(0, d, 1, 0);
	} else if (streq(c, "net_hdr_flags")) {
		eth(frame + HDR, mac, 60, 0);
		frame[0] = 1;			/* VIRTIO_NET_HDR_F_NEEDS_CSUM */
		send_one(60);
	} else if (streq(c, "net_gso")) {
		eth(frame + HDR, mac, 60, 0);
		frame[1] = 1;			/* VIRTIO_NET_HDR_GSO_TCPV4 */
		send_one(60);
	} else if (streq(c, "net_oversize")) {
		eth(frame + HDR, mac, 1519, 0);
		send_one(1519);			/* one byte too many */
		eth(frame + HDR, mac, 4000, 0);	/* and 4000 in three pieces */
		d[0] = desc(frame, 1000, 1);
		d[1] = desc(frame + 1000, 1000, 2);
		d[2] = desc(frame + 2000, HDR + 2000, 0);
		rv_net_send_desc(0, d, 3, 0);
		rv_printf("net_oversize: sent 2\n");
		return 0;
	} else if (streq(c, "net_runt")) {
		eth(frame + HDR, mac, 14, 0);
		send_one(13);			/* one byte short of a header */
		d[0] = desc(frame, 6, 1);	/* the virtio header alone, split */
		d[1] = desc(frame + 6, 6, 0);
		rv_net_send_desc(0, d, 2, 0);
		/* The smallest frame, one descriptor a byte, is not a runt:
		 * any layout is accepted (virtio 1.0 2.4.4). */
		for (unsigned i = 0; i < HDR + 14; i++)
			d[i] = desc(frame + i, 1, i + 1 < HDR + 14 ? (uint16_t)(i + 1) : 0);
		rv_net_send_desc(0, d, HDR + 14, 0);
		rv_printf("net_runt: sent 3\n");
		return 0;
	} else if (streq(c, "net_spoof")) {
		uint8_t victim[6];
		mac_of(argc > 2 ? argv[2] : "victim", victim);
		for (uint32_t i = 0; i < 5; i++) {
			eth(frame + HDR, victim, 100, i);
			send_one(100);
		}
		eth(frame + HDR, mac, 100, 5);
		send_one(100);
		rv_printf("net_spoof: sent 5 spoofed, 1 own\n");
		return 0;
	} else {
		rv_printf("unknown case %s\n", c);
		return 2;
	}
	rv_printf("SURVIVED %s\n", c);
	return 1;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	if (rv_net_open(0, mac)) {
		rv_printf("no virtio-net device\n");
		return 3;
	}
	if (streq(c, "blast")) {
		uint32_t n = parse(argc > 2 ? argv[2] : "1000");
		for (uint32_t i = 0; i < n; i++) {
			eth(frame, mac, 64 + i % 1400, i);
			rv_net_send(0, frame, 64 + i % 1400);
		}
		rv_printf("blast: %u sent\n", n);
		return 0;
	}
	if (streq(c, "sink")) {
		sleep_ms(parse(argc > 2 ? argv[2] : "300"));
		rv_printf("sink: %u frames received\n", drain_quiet(100));
		return 0;
	}
	if (streq(c, "flood")) {
		rv_printf("storm started\n");
		for (uint32_t i = 0;; i++) {
			eth(frame, mac, 1500, i);
			rv_net_send(0, frame, 1500);
		}
	}
	if (streq(c, "drain")) {
		uint64_t end = rv_time_ns() + parse(argc > 2 ? argv[2] : "1000") * 1000000ull;
		uint32_t n = 0;
		while (rv_time_ns() < end) {
			if (rv_net_recv(0, in, sizeof(in))) {
				n++;
				continue;
			}
			rv_net_wait_ns(0, 1000000);
		}
		rv_printf("drain: %u frames\n", n);
		return 0;
	}
	if (streq(c, "restart")) {
		/* One life: take frames for 5 ms, check each, then ask for a
		 * restart (on_exit=restart). */
		uint64_t end = rv_time_ns() + 5000000;
		while (rv_time_ns() < end) {
			uint32_t n = rv_net_recv(0, in, sizeof(in));
			if (n && (n < 14 || in[12] != (ETHERTYPE >> 8))) {
				rv_printf("restart: a frame that is not the flood's\n");
				return 1;
			}
		}
		rv_hcall2(HC_SHUTDOWN, rv_gpa("again"), LGUEST_SHUTDOWN_RESTART);
		return 1;
	}
	return run_case(c, argc, argv);
}
