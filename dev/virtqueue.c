/* Split virtqueues (virtio 1.0, 2.4) in guest memory. The driver owns the
 * rings, so the device trusts nothing in them: the rings' placement is
 * checked once when the queue is enabled, and every index, address and
 * length is read once into the host's own copy, checked, and only then
 * used. A ring that breaks a rule kills its guest, with the reason. */
#include <core/guest.h>
#include <dev/virtio.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <mm/mm.h>

/* Bytes of each part of a queue of n entries (2.4). */
#define DESC_BYTES(n)   (16u * (n))
#define AVAIL_BYTES(n)  (6u + 2u * (n))
#define USED_BYTES(n)   (6u + 8u * (n))

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
} __attribute__((packed));
_Static_assert(sizeof(struct vring_desc) == 16, "virtq_desc layout (2.4.5)");

static void bad_ring(struct guest *g, struct vdev *d, const struct virtq *q,
		     const char *fmt, ...) __printf(4, 5);

/* Kill g for a broken rule of queue q, naming the device and the queue. */
static void bad_ring(struct guest *g, struct vdev *d, const struct virtq *q,
		     const char *fmt, ...)
{
	char why[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	kill_guest(g, "virtio %s queue %u: %s", d->ops->name, (unsigned)(q - d->vq), why);
}

/* A part of the ring: aligned, and inside guest RAM. */
static bool part_ok(struct guest *g, uint64_t gpa, uint32_t len, uint32_t align)
{
	return gpa < 0x100000000ull && IS_ALIGNED((uint32_t)gpa, align) &&
	       guest_range(g, (uint32_t)gpa, len);
}

bool vq_enable(struct guest *g, struct vdev *d, struct virtq *q, unsigned index)
{
	uint16_t n = q->size;
	const char *why = NULL;

	if (n == 0 || (n & (n - 1)) || n > VIRTQ_SIZE_MAX)
		why = "size is not a power of two from 1 to the maximum";
	else if (!part_ok(g, q->desc, DESC_BYTES(n), 16))
		why = "descriptor table is not 16-byte aligned inside its memory";
	else if (!part_ok(g, q->avail, AVAIL_BYTES(n), 2))
		why = "available ring is not 2-byte aligned inside its memory";
	else if (!part_ok(g, q->used, USED_BYTES(n), 4))
		why = "used ring is not 4-byte aligned inside its memory";
	if (why) {
		kill_guest(g, "virtio %s queue %u of size %u: %s (maximum %u)", d->ops->name,
			   index, n, why, VIRTQ_SIZE_MAX);
		return false;
	}
	q->enabled = true;
	q->last_avail = 0;
	q->used_idx = 0;
	pr_debug("guest %s: virtio %s queue %u: %u entries, rings at %08x %08x %08x",
		 g->name, d->ops->name, index, n, (uint32_t)q->desc, (uint32_t)q->avail,
		 (uint32_t)q->used);
	return true;
}

static volatile uint16_t *avail_word(struct guest *g, const struct virtq *q, uint32_t i)
{
	return guest_range(g, (uint32_t)q->avail + 2 * i, 2);
}

/* Step onto descriptor w->cur: copy it, check it, and count it. */
static enum vq_result load(struct guest *g, struct vdev *d, struct virtq *q,
			   struct vq_walk *w)
{
	struct vring_desc desc;

	if (++w->seen > q->size) {
		bad_ring(g, d, q, "descriptor chain from %u is longer than the queue (%u): "
			 "a loop", w->head, q->size);
		return VQ_KILLED;
	}
	memcpy(&desc, guest_range(g, (uint32_t)q->desc + 16 * w->cur, 16), sizeof(desc));
	if (desc.flags & VIRTQ_DESC_F_INDIRECT) {
		bad_ring(g, d, q, "descriptor %u is indirect, which is not offered",
			 w->cur);
		return VQ_KILLED;
	}
	if (desc.len == 0) {
		bad_ring(g, d, q, "descriptor %u has length 0", w->cur);
		return VQ_KILLED;
	}
	if (desc.addr >= 0x100000000ull || !guest_range(g, (uint32_t)desc.addr, desc.len)) {
		bad_ring(g, d, q, "descriptor %u's buffer of %u bytes lies outside its memory",
			 w->cur, desc.len);
		return VQ_KILLED;
	}
	if ((desc.flags & VIRTQ_DESC_F_NEXT) && desc.next >= q->size) {
		bad_ring(g, d, q, "descriptor %u chains to %u, beyond the queue", w->cur,
			 desc.next);
		return VQ_KILLED;
	}
	w->d.gpa = (uint32_t)desc.addr;
	w->d.len = desc.len;
	w->d.write = desc.flags & VIRTQ_DESC_F_WRITE;
	w->d.has_next = desc.flags & VIRTQ_DESC_F_NEXT;
	w->d.next = desc.next;
	w->off = 0;
	return VQ_OK;
}

/* Take the next chain the driver made available, if any: the walk then
 * stands on its first descriptor. An avail index that moved by more than
 * the queue's size, or a head beyond it, is a broken ring. */
enum vq_result vq_start(struct guest *g, struct vdev *d, struct virtq *q, struct vq_walk *w)
{
	if (!q->enabled)
		return VQ_EMPTY;
	uint16_t idx = *avail_word(g, q, 1);
	uint16_t waiting = (uint16_t)(idx - q->last_avail);
	if (waiting == 0)
		return VQ_EMPTY;
	if (waiting > q->size) {
		bad_ring(g, d, q, "available index jumped from %u to %u", q->last_avail, idx);
		return VQ_KILLED;
	}
	uint16_t head = *avail_word(g, q, 2 + q->last_avail % q->size);
	if (head >= q->size) {
		bad_ring(g, d, q, "available ring names descriptor %u, beyond the queue (%u)",
			 head, q->size);
		return VQ_KILLED;
	}
	q->last_avail++;
	memset(w, 0, sizeof(*w));
	w->active = true;
	w->head = w->cur = head;
	return load(g, d, q, w);
}

/* Start the walk's chain again from its head, for a device that measures
 * a chain before it moves data (virtio_blk.c): every descriptor is read
 * and checked again when the walk steps onto it, and counted again. */
enum vq_result vq_rewind(struct guest *g, struct vdev *d, struct virtq *q, struct vq_walk *w)
{
	uint16_t head = w->head;

	memset(w, 0, sizeof(*w));
	w->active = true;
	w->head = w->cur = head;
	return load(g, d, q, w);
}

/* Step to the next descriptor of the chain: VQ_EMPTY at its end. */
enum vq_result vq_next(struct guest *g, struct vdev *d, struct virtq *q, struct vq_walk *w)
{
	if (!w->d.has_next)
		return VQ_EMPTY;
	w->cur = w->d.next;
	return load(g, d, q, w);
}

/* Give the chain back: its head and the bytes written into it go into the
 * used ring, then used->idx moves past it. The ring's place was checked at
 * enable, and the guest's memory does not move. */
void vq_complete(struct guest *g, struct vdev *d, struct virtq *q, struct vq_walk *w)
{
	uint32_t slot = q->used_idx % q->size;
	uint32_t *elem = guest_range(g, (uint32_t)q->used + 4 + 8 * slot, 8);
	volatile uint16_t *idx = guest_range(g, (uint32_t)q->used + 2, 2);

	(void)d;
	elem[0] = w->head;
	elem[1] = w->done;
	*idx = ++q->used_idx;
	w->active = false;
}

/* Does the driver want an interrupt for used buffers (avail->flags)? */
bool vq_wants_interrupt(struct guest *g, const struct virtq *q)
{
	return !(*avail_word(g, q, 0) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

/* Tell the driver it need not notify when it makes buffers available
 * (used->flags, 2.4.8): for a queue the device reads only when it has
 * something to put in it. */
void vq_no_notify(struct guest *g, const struct virtq *q)
{
	*(volatile uint16_t *)guest_range(g, (uint32_t)q->used, 2) = VIRTQ_USED_F_NO_NOTIFY;
}
