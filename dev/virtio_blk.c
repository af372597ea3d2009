/* The virtio block device (virtio 1.0, 5.2): a boot module as a guest's
 * disk, read-only (VIRTIO_BLK_F_RO) or writable into a private copy of the
 * pages written, and the request queue that reads and writes it. A request
 * is measured (its header copied, its device-readable and -writable bytes
 * counted, its layout checked) and answered before any data moves; the
 * data then moves in bounded pieces of the guest's own time. docs/disks.md. */
#include <core/guest.h>
#include <lib/log.h>
#include <core/modules.h>
#include <dev/virtio.h>
#include <lib/lib.h>
#include <mm/frame.h>
#include <mm/mm.h>
#include <mutation.h>

#define VBLK_REQUESTQ        0
#define SECTOR               512u
#define HEADER_LEN           16u	/* struct virtio_blk_req: type, reserved, sector */
#define ID_LEN               20u	/* VIRTIO_BLK_ID_BYTES */

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO      5

/* Request types and statuses (5.2.6). */
#define VIRTIO_BLK_T_IN      0
#define VIRTIO_BLK_T_OUT     1
#define VIRTIO_BLK_T_GET_ID  8
#define VIRTIO_BLK_S_OK      0
#define VIRTIO_BLK_S_IOERR   1
#define VIRTIO_BLK_S_UNSUPP  2

/* struct virtio_blk_config (5.2.4) up to blk_size: capacity, size_max,
 * seg_max, geometry, blk_size. Only capacity and seg_max are offered. */
#define CFG_CAPACITY         0
#define CFG_SEG_MAX          12
#define CFG_LEN              24

/* --- the disk's contents ------------------------------------------------- */

static uint32_t map_frames_for(uint32_t pages)
{
	return (uint32_t)(ALIGN_UP((uint64_t)pages * 4, PAGE_SIZE) / PAGE_SIZE);
}

/* Frames a disk costs its guest, reserved at admission: for a writable
 * one, a frame for every page it could write and its map; none for a
 * read-only one, which is read where the boot loader put it. */
uint32_t vblk_frames(const struct guest_disk *disk)
{
	uint32_t pages = (uint32_t)(ALIGN_UP((uint64_t)(disk->module->end - disk->module->start),
					     PAGE_SIZE) / PAGE_SIZE);

	return disk->writable ? pages + map_frames_for(pages) : 0;
}

/* Set disk number index of guest up: its capacity, its ID, and for a
 * writable disk the zeroed map of its copy (taken now) and a frame for
 * each page promised (taken when the page is first written). False if the
 * frames are not there; admission counted them (vblk_frames). */
bool vblk_init(struct vblk *b, const struct guest_disk *disk, const char *guest, unsigned index)
{
	memset(b, 0, sizeof(*b));
	b->image = (const uint8_t *)disk->module->start;
	b->size = disk->module->end - disk->module->start;
	b->capacity = b->size / SECTOR;
	b->writable = disk->writable;
	snprintf(b->id, sizeof(b->id), "%s.%u", guest, index);
	if (!b->writable)
		return true;
	b->pages = (uint32_t)(ALIGN_UP((uint64_t)b->size, PAGE_SIZE) / PAGE_SIZE);
	b->map_frames = map_frames_for(b->pages);
	if (b->map_frames) {
		uint32_t map = frame_alloc_contig(b->map_frames, 1);
		if (!map)
			return false;
		b->copy = (uint32_t *)map;
		memset(b->copy, 0, b->map_frames * PAGE_SIZE);
	}
	if (!frame_reserve(b->pages)) {
		frame_free_contig((uint32_t)b->copy, b->map_frames);
		b->copy = NULL;
		return false;
	}
	return true;
}

/* Give back the copy's frames, VBLK_RELEASE_PIECE pages of the map at a
 * time, then the promise of the rest and the map itself: the writes are
 * gone (a restarted guest sees the module as it was). True when all is
 * back. Safe on a disk vblk_init never set up or failed for. */
bool vblk_release_piece(struct vblk *b)
{
	if (!b->copy)
		return true;
	uint32_t end = b->released + MIN(VBLK_RELEASE_PIECE, b->pages - b->released);
	for (uint32_t p = b->released; p < end; p++)
		if (b->copy[p]) {
			frame_free_reserved(b->copy[p]);
			b->copy[p] = 0;
			b->copied--;
		}
	b->released = end;
	if (end < b->pages)
		return false;
	frame_unreserve(b->pages);
	frame_free_contig((uint32_t)b->copy, b->map_frames);
	b->copy = NULL;
	return true;
}

/* Where page p of the disk reads from: its private copy, or the module. */
static const uint8_t *page_src(const struct vblk *b, uint32_t p)
{
	return b->copy && b->copy[p] ? (const uint8_t *)b->copy[p] : b->image + p * PAGE_SIZE;
}

/* n bytes of the disk at off into dst; inside the capacity (checked). */
static void disk_read(const struct vblk *b, uint32_t off, uint8_t *dst, uint32_t n)
{
	while (n) {
		uint32_t p = off / PAGE_SIZE, in = off % PAGE_SIZE, k = MIN(n, PAGE_SIZE - in);
		memcpy(dst, page_src(b, p) + in, k);
		dst += k, off += k, n -= k;
	}
}

/* n bytes from src onto a writable disk at off, inside the capacity: a
 * page first written is copied from the module into a promised frame.
 * Returns the bytes of work it took, copies included. */
static uint32_t disk_write(struct vblk *b, uint32_t off, const uint8_t *src, uint32_t n)
{
	uint32_t work = n;

	while (n) {
		uint32_t p = off / PAGE_SIZE, in = off % PAGE_SIZE, k = MIN(n, PAGE_SIZE - in);
		if (!b->copy[p]) {
			uint32_t pa = frame_alloc_reserved();
			uint32_t from = p * PAGE_SIZE, len = MIN(PAGE_SIZE, b->size - from);
			ASSERT(pa);	/* one frame per page was promised */
			memcpy((void *)pa, b->image + from, len);
			memset((uint8_t *)pa + len, 0, PAGE_SIZE - len);
			b->copy[p] = pa;
			b->copied++;
			work += PAGE_SIZE;
		}
		memcpy((uint8_t *)b->copy[p] + in, src, k);
		src += k, off += k, n -= k;
	}
	return work;
}

/* --- requests -------------------------------------------------------------- */

static void bad_request(struct guest *g, struct vblk_req *r, const char *why)
{
	kill_guest(g, "virtio disk queue 0: request at descriptor %u: %s", r->w.head, why);
}

/* Does [sector, sector + len / 512) lie inside the disk? */
static bool inside(const struct vblk *b, uint64_t sector, uint64_t len)
{
	if (MUTATED(MUT_DISK_RANGE))
		return true;
	return sector <= b->capacity && len / SECTOR <= b->capacity - sector;
}

/* The answer to a measured request, decided before any data moves: IOERR
 * for a data length that is not whole sectors or does not fit the
 * request's type, a range past the end of the disk, or a write to a
 * read-only disk; UNSUPP for a type not implemented. */
static void decide(const struct vblk *b, struct vblk_req *r)
{
	uint64_t in = r->wlen - 1, out = r->rlen - HEADER_LEN;

	r->status = VIRTIO_BLK_S_IOERR;
	r->data_len = 0;
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		if (out == 0 && in % SECTOR == 0 && inside(b, r->sector, in)) {
			r->status = VIRTIO_BLK_S_OK;
			r->data_len = (uint32_t)in;
		}
		break;
	case VIRTIO_BLK_T_OUT:
		if (in == 0 && out % SECTOR == 0 && b->writable && inside(b, r->sector, out)) {
			r->status = VIRTIO_BLK_S_OK;
			r->data_len = (uint32_t)out;
		}
		break;
	case VIRTIO_BLK_T_GET_ID:
		if (out == 0) {
			r->status = VIRTIO_BLK_S_OK;
			r->data_len = (uint32_t)MIN(in, ID_LEN);
		}
		break;
	default:
		r->status = VIRTIO_BLK_S_UNSUPP;
	}
}

/* Walk the chain the request's walk starts on: copy the 16-byte header,
 * count the device-readable bytes (header and data out) and the
 * device-writable ones after them (data in and the status byte, the last
 * byte of the chain), then go back to its head. Any split of these into
 * descriptors is accepted (virtio 1.0, 2.4.4). A chain with a readable
 * descriptor after a writable one, a header short of 16 bytes, or no
 * writable byte for the status kills the guest. */
static bool measure(struct guest *g, struct vdev *d, struct vblk *b, uint32_t *budget)
{
	struct vblk_req *r = &b->req;
	struct vq_walk *w = &r->w;
	uint8_t hdr[HEADER_LEN];

	r->rlen = r->wlen = r->rpos = r->wpos = 0;
	for (;;) {
		*budget -= MIN(*budget, VBLK_DESC_COST);
		if (w->d.write) {
			r->wlen += w->d.len;
		} else if (r->wlen) {
			bad_request(g, r, "a device-readable descriptor after a device-writable one");
			return false;
		} else {
			if (r->rlen < HEADER_LEN) {
				uint32_t n = (uint32_t)MIN(w->d.len, HEADER_LEN - r->rlen);
				memcpy(hdr + r->rlen, guest_range(g, w->d.gpa, n), n);
			}
			r->rlen += w->d.len;
		}
		enum vq_result res = vq_next(g, d, &d->vq[VBLK_REQUESTQ], w);
		if (res == VQ_KILLED)
			return false;
		if (res == VQ_EMPTY)
			break;
	}
	if (r->rlen < HEADER_LEN) {
		char why[64];
		snprintf(why, sizeof(why), "a header of %u bytes, %u needed", (unsigned)r->rlen,
			 HEADER_LEN);
		bad_request(g, r, why);
		return false;
	}
	if (r->wlen == 0) {
		bad_request(g, r, "no device-writable byte for the status at its end");
		return false;
	}
	memcpy(&r->type, hdr, 4);
	memcpy(&r->sector, hdr + 8, 8);
	decide(b, r);
	return vq_rewind(g, d, &d->vq[VBLK_REQUESTQ], w) == VQ_OK;
}

enum step { STEP_MORE, STEP_DONE, STEP_KILLED };

/* Move the measured request's data, at most *budget bytes of work, then
 * its status: STEP_DONE when the status byte is written. The chain is
 * walked again, each descriptor checked again when the walk steps onto
 * it. The guest does not run while its device works, but a read may land
 * on the descriptor table itself, if the guest put a buffer there: a chain
 * that no longer matches its measure kills the guest, and nothing moves
 * outside the ranges measured and checked. */
static enum step transfer(struct guest *g, struct vdev *d, struct vblk *b, uint32_t *budget)
{
	struct vblk_req *r = &b->req;
	struct vq_walk *w = &r->w;
	uint64_t base = r->sector * SECTOR;	/* inside the disk when status is OK */
	bool ok = r->status == VIRTIO_BLK_S_OK;

	for (;;) {
		if (w->off == w->d.len) {
			enum vq_result res = vq_next(g, d, &d->vq[VBLK_REQUESTQ], w);
			if (res == VQ_KILLED)
				return STEP_KILLED;
			if (res == VQ_EMPTY) {
				bad_request(g, r, "the chain changed while the device served it");
				return STEP_KILLED;
			}
			*budget -= MIN(*budget, VBLK_DESC_COST);
		}
		if (*budget == 0)
			return STEP_MORE;
		uint32_t left = w->d.len - w->off;
		uint8_t *buf = guest_range(g, w->d.gpa + w->off, left);
		uint32_t n;
		if (!w->d.write) {
			if (r->wpos || r->rpos + left > r->rlen) {
				bad_request(g, r, "the chain changed while the device served it");
				return STEP_KILLED;
			}
			if (r->rpos < HEADER_LEN) {
				n = (uint32_t)MIN(left, HEADER_LEN - r->rpos);
			} else if (ok && r->type == VIRTIO_BLK_T_OUT) {
				n = MIN(left, *budget);
				*budget -= MIN(*budget, disk_write(b, (uint32_t)(base + r->rpos -
								HEADER_LEN), buf, n));
			} else {
				n = left;
			}
			r->rpos += n;
		} else {
			if (r->wpos + left > r->wlen) {
				bad_request(g, r, "the chain changed while the device served it");
				return STEP_KILLED;
			}
			if (r->wpos == r->wlen - 1) {		/* the status byte */
				*buf = r->status;
				w->done = (ok ? r->data_len : 0) + 1;
				return STEP_DONE;
			}
			n = (uint32_t)MIN(left, r->wlen - 1 - r->wpos);
			if (ok && r->type == VIRTIO_BLK_T_IN) {
				n = MIN(n, *budget);
				disk_read(b, (uint32_t)(base + r->wpos), buf, n);
				*budget -= n;
			} else if (ok && r->type == VIRTIO_BLK_T_GET_ID && r->wpos < ID_LEN) {
				n = (uint32_t)MIN(n, ID_LEN - r->wpos);
				memcpy(buf, b->id + r->wpos, n);
			}
			r->wpos += n;
		}
		w->off += n;
	}
}

/* A bounded piece of the request queue: VBLK_WORK_BYTES of data moved
 * (descriptors and page copies counted in) before the run loop takes over;
 * the guest runs again when the queue is empty. Each finished request is
 * in the used ring before the interrupt. */
static bool vblk_work(struct guest *g, struct vdev *d)
{
	struct vblk *b = d->priv;
	struct vblk_req *r = &b->req;
	struct virtq *q = &d->vq[VBLK_REQUESTQ];
	uint32_t budget = VBLK_WORK_BYTES;
	bool completed = false, all = false;

	while (budget) {
		if (!r->w.active) {
			enum vq_result res = vq_start(g, d, q, &r->w);
			if (res == VQ_KILLED)
				return false;
			if (res == VQ_EMPTY) {
				all = true;
				break;
			}
			if (!measure(g, d, b, &budget))
				return false;
		}
		enum step s = transfer(g, d, b, &budget);
		if (s == STEP_KILLED)
			return false;
		if (s == STEP_DONE) {
			vq_complete(g, d, q, &r->w);
			completed = true;
		}
	}
	if (completed && vq_wants_interrupt(g, q))
		vdev_interrupt(g, d);
	return all;
}

static uint32_t vblk_config_read(struct guest *g, struct vdev *d, uint32_t off, unsigned width)
{
	const struct vblk *b = d->priv;
	uint8_t cfg[CFG_LEN] = { 0 };
	uint32_t seg_max = VIRTQ_SIZE_MAX - 2, val = 0;

	(void)g;
	memcpy(cfg + CFG_CAPACITY, &b->capacity, 8);
	memcpy(cfg + CFG_SEG_MAX, &seg_max, 4);
	memcpy(&val, cfg + off, width);
	return val;
}

/* The configuration is read-only (5.2.4: writeback is not offered). */
static void vblk_config_write(struct guest *g, struct vdev *d, uint32_t off, unsigned width,
			      uint32_t val)
{
	(void)g, (void)d, (void)off, (void)width, (void)val;
}

static void vblk_notify(struct guest *g, struct vdev *d, unsigned q)
{
	(void)q;			/* the transport checked: the one queue */
	vdev_set_busy(g, d, true);
}

/* The driver reset the device: a request half served is dropped (its
 * writes so far stay on the disk, as a real disk's would). */
static void vblk_reset(struct guest *g, struct vdev *d)
{
	struct vblk *b = d->priv;

	(void)g;
	memset(&b->req, 0, sizeof(b->req));
}

#define VBLK_OPS(ro)							\
	{								\
		.name = "disk",						\
		.type = 2,						\
		.features = 1ull << VIRTIO_F_VERSION_1 |		\
			    1ull << VIRTIO_BLK_F_SEG_MAX |		\
			    (ro ? 1ull << VIRTIO_BLK_F_RO : 0),		\
		.nr_queues = 1,						\
		.config_len = CFG_LEN,					\
		.config_read = vblk_config_read,			\
		.config_write = vblk_config_write,			\
		.notify = vblk_notify,					\
		.work = vblk_work,					\
		.reset = vblk_reset,					\
	}

/* Two kinds, as the offer differs: VIRTIO_BLK_F_RO or not. */
const struct vdev_ops vblk_ro_ops = VBLK_OPS(true);
const struct vdev_ops vblk_rw_ops = VBLK_OPS(false);
