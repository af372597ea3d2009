/* The echo service of the sample network pair (docs/writing-a-guest.md):
 * on its first net= port it sends every datagram for port 7 back to where
 * it came from, until a datagram whose payload is "bye". */
#include "udp.h"

static struct udp_frame f;

int main(int argc, char **argv)
{
	uint8_t mac[6];
	uint32_t echoed = 0;

	(void)argc, (void)argv;

	if (rv_net_open(0, mac)) {
		rv_printf("echo: no virtio-net device (give the guest net=SEG)\n");
		return 1;
	}
	rv_printf("echo: up at %02x:%02x:%02x:%02x:%02x:%02x\n", mac[0], mac[1], mac[2],
		  mac[3], mac[4], mac[5]);
	for (;;) {
		uint32_t n = rv_net_recv(0, &f, sizeof(f));
		if (!n) {
			rv_net_wait(0);
			continue;
		}
		if (!udp_is_ours(&f, n) || f.dport != UDP_ECHO_PORT)
			continue;
		if (f.len == 3 && !memcmp(f.payload, "bye", 3))
			break;
		memcpy(f.dst, f.src, 6);
		memcpy(f.src, mac, 6);
		f.dport = f.sport;
		f.sport = UDP_ECHO_PORT;
		rv_net_send(0, &f, n);
		echoed++;
	}
	rv_printf("echo: %u datagrams echoed\n", echoed);
	return 0;
}
