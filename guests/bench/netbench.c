/* The switch's benchmark (make bench, beside guests/samples/udp_echo.c on
 * one segment): frames per second both ways at 64 and 1500 bytes, 16 in
 * flight; the mean round trip of one frame at each size; and, for
 * comparison, the mean round trip of a 64-byte console hypercall
 * (HC_RV_CONSOLE_WRITE). Under -icount shift=0 the TSC counts
 * instructions, 10^9 to the virtual second. Prints "BENCH name value". */
#include "../samples/udp.h"

#define CLIENT_PORT 4001
#define ROUNDS      200
#define STREAM      4000
#define WINDOW      16

static struct udp_frame out, in;
static uint8_t mac[6], server[6];

static inline uint64_t rdtsc(void)
{
	uint64_t v;

	__asm__ volatile("rdtsc" : "=A"(v) : : "memory");
	return v;
}

static void send(const uint8_t *to, uint32_t frame_len, uint32_t seq)
{
	udp_header(&out, to, mac, CLIENT_PORT, frame_len - UDP_HDR_LEN, seq);
	rv_net_send(0, &out, frame_len);
}

/* The next echo (waits; the echo service never drops with WINDOW <= 16). */
static uint32_t receive(void)
{
	for (;;) {
		uint32_t n = rv_net_recv(0, &in, sizeof(in));
		if (n && udp_is_ours(&in, n) && in.dport == CLIENT_PORT)
			return n;
		if (!n)
			rv_net_wait(0);
	}
}

static void rtt(uint32_t len)
{
	uint64_t t0 = rdtsc();

	for (uint32_t i = 0; i < ROUNDS; i++) {
		send(server, len, i);
		receive();
	}
	rv_printf("BENCH net_rtt_%u %llu\n", len, (rdtsc() - t0) / ROUNDS);
}

static void stream(uint32_t len)
{
	uint32_t sent = 0, back = 0;
	uint64_t t0 = rdtsc();

	while (back < STREAM) {
		while (sent < STREAM && sent - back < WINDOW)
			send(server, len, sent++);
		receive();
		back++;
	}
	uint64_t t = rdtsc() - t0;
	/* Frames carried by the switch: each one out and its echo back. */
	rv_printf("BENCH net_fps_%u %llu\n", len, 2ull * STREAM * 1000000000ull / t);
}

int main(int argc, char **argv)
{
	static const uint8_t everyone[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	static char line[64];

	(void)argc, (void)argv;

	if (rv_net_open(0, mac))
		rv_fatal("netbench: no virtio-net device");
	for (int found = 0; !found;) {		/* the echo service, once it is up */
		send(everyone, 64, 0xFFFFFFFFu);
		rv_sleep_ns(1000000);
		while (!found && rv_net_recv(0, &in, sizeof(in)))
			if (in.seq == 0xFFFFFFFFu) {
				memcpy(server, in.src, 6);
				found = 1;
			}
	}
	while (rv_net_recv(0, &in, sizeof(in)))
		;
	rtt(64);
	rtt(1500);
	stream(64);
	stream(1500);
	memset(line, '.', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	uint64_t t0 = rdtsc();
	for (uint32_t i = 0; i < 50; i++)
		rv_hcall2(HC_RV_CONSOLE_WRITE, rv_gpa(line), sizeof(line));
	rv_printf("BENCH console_rtt_64 %llu\n", (rdtsc() - t0) / 50);
	memcpy(out.payload, "bye", 3);
	out.len = 3;
	send(server, UDP_HDR_LEN + 3, 0);
	return 0;
}
