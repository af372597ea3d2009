/* The virtio console (virtio 1.0, 5.3): one port, a receive queue (0) and
 * a transmit queue (1), and the emergency write register that Linux's
 * lguest code uses as its early console. Output joins the guest's own
 * line stream on the hypervisor console; input comes from the console
 * focus. Line editing and echo are the guest's job (its tty's): the device
 * passes bytes, nothing more. */
#include <core/console.h>
#include <core/guest.h>
#include <dev/pci.h>
#include <dev/virtio.h>
#include <lib/lib.h>
#include <mm/mm.h>

#define VCON_RX                 0
#define VCON_TX                 1
#define VIRTIO_CONSOLE_F_EMERG_WRITE 2

/* struct virtio_console_config (5.3.4): cols, rows, max_nr_ports, emerg_wr. */
#define VCON_CFG_MAX_NR_PORTS   4
#define VCON_CFG_EMERG_WR       8
#define VCON_CFG_LEN            12

static uint32_t vcon_config_read(struct guest *g, struct vdev *d, uint32_t off, unsigned width)
{
	(void)g, (void)d, (void)width;
	/* No size and no multiport are offered: cols and rows read 0, and
	 * there is one port. emerg_wr reads 0. */
	return off == VCON_CFG_MAX_NR_PORTS ? 1 : 0;
}

/* A write to emerg_wr: one character out at once, even before the driver
 * has set the device up (5.3.4). */
static void vcon_config_write(struct guest *g, struct vdev *d, uint32_t off, unsigned width,
			      uint32_t val)
{
	char ch = (char)val;

	(void)d, (void)width;
	if (off == VCON_CFG_EMERG_WR)
		console_guest_write(g, &ch, 1);
}

/* A bounded piece of the transmit queue: at most DEV_WORK_BYTES bytes into
 * the guest's line stream. The guest does not run again until the queue is
 * empty (Linux's hvc write spins on the used ring, interrupts off), but it
 * waits off the CPU: when the console is full it is blocked, and the rest
 * goes when it has room. */
static bool vcon_work(struct guest *g, struct vdev *d)
{
	struct vcon *c = d->priv;
	struct virtq *q = &d->vq[VCON_TX];
	struct vq_walk *w = &c->tx;
	uint32_t budget = DEV_WORK_BYTES;
	bool completed = false, all = false;

	for (;;) {
		enum vq_result r = VQ_OK;
		if (!w->active)
			r = vq_start(g, d, q, w);
		else if (w->off == w->d.len)
			r = vq_next(g, d, q, w);
		if (r == VQ_KILLED)
			return false;
		if (r == VQ_EMPTY && !w->active) {
			all = true;
			break;
		}
		if (r == VQ_EMPTY) {		/* the chain is all sent */
			vq_complete(g, d, q, w);
			completed = true;
			continue;
		}
		if (w->d.write) {
			kill_guest(g, "virtio console transmit queue: descriptor %u is "
				   "device-writable", w->cur);
			return false;
		}
		if (budget == 0 || !guest_alive(g) || g->run_state == GUEST_BLOCKED)
			break;
		uint32_t n = MIN(w->d.len - w->off, budget);
		uint32_t took = console_guest_write(g, guest_range(g, w->d.gpa + w->off, n), n);
		w->off += took;
		budget -= took;
		if (took < n)			/* blocked for room */
			break;
	}
	if (completed && vq_wants_interrupt(g, q))
		vdev_interrupt(g, d);
	return all;
}

static void vcon_notify(struct guest *g, struct vdev *d, unsigned q)
{
	if (q == VCON_TX)
		vdev_set_busy(g, d, true);
	else
		vcon_input(g);
}

static void vcon_reset(struct guest *g, struct vdev *d)
{
	(void)g;
	memset(d->priv, 0, sizeof(struct vcon));
}

/* Input for the guest is waiting on the console: once the driver is up,
 * it goes into the receive queue's buffers, as much as fits, and the
 * device interrupts. True if the device took charge of the input (it waits
 * in the console until buffers come). A Linux guest's input is always the
 * device's: its IRQ 1 is not the runtime's console line, and typed bytes
 * wait for the driver. For an SDK guest the input stays the runtime's
 * (HC_RV_CONSOLE_READ and IRQ 1) until it sets the driver up itself. */
bool vcon_input(struct guest *g)
{
	struct vdev *d = &g->bus.dev[DEV_CONSOLE];
	struct vcon *c = d->priv;
	struct virtq *q = &d->vq[VCON_RX];
	struct vq_walk *w = &c->rx;
	bool completed = false;

	if (!(d->status & VIRTIO_STATUS_DRIVER_OK) || !q->enabled)
		return guest_is_linux(g->spec);
	while (console_input_waiting(g) && vq_start(g, d, q, w) == VQ_OK) {
		enum vq_result r;
		do {
			if (!w->d.write) {
				kill_guest(g, "virtio console receive queue: descriptor %u is "
					   "not device-writable", w->cur);
				break;
			}
			uint32_t n = console_input_take(g, guest_range(g, w->d.gpa, w->d.len),
							w->d.len);
			w->done += n;
			if (n < w->d.len)
				break;
			r = vq_next(g, d, q, w);
		} while (r == VQ_OK);
		if (!guest_alive(g))
			break;
		vq_complete(g, d, q, w);
		completed = true;
	}
	if (!guest_alive(g)) {
		/* Killed here, from the input pump, maybe while halted: the
		 * scheduler must still see that it ended. */
		guest_reap(g);
		return true;
	}
	if (completed && vq_wants_interrupt(g, q))
		vdev_interrupt(g, d);
	return true;
}

const struct vdev_ops vcon_ops = {
	.name = "console",
	.type = 3,
	.features = 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_CONSOLE_F_EMERG_WRITE,
	.nr_queues = 2,
	.config_len = VCON_CFG_LEN,
	.config_read = vcon_config_read,
	.config_write = vcon_config_write,
	.notify = vcon_notify,
	.work = vcon_work,
	.reset = vcon_reset,
};
