/* The physical frame allocator: which 4 KiB frames of RAM are free, with a
 * bitmap over [0, PHYS_LIMIT), single frames next-fit and runs first-fit. */
#ifndef RV_MM_FRAME_H
#define RV_MM_FRAME_H

#include <types.h>
#include <param.h>
#include <mm/memmap.h>

/* Frames the hypervisor's own pool manages, and its bitmap's size. */
#define FRAME_COUNT             (PHYS_LIMIT / PAGE_SIZE)
#define FRAME_BITMAP_WORDS(n)   (((n) + 31) / 32)

/*
 * One pool of frames [0, nframes). A set bit means the frame is in use or
 * never was RAM; frame 0 is always in use, so physical address 0 can mean
 * "no frame". The usable map is kept so that a free of a frame that was
 * never RAM is caught, not turned into a free frame. nfree is kept by alloc
 * and free; frame_pool_scan_free() recounts the bitmap so tests can catch
 * the two disagreeing. Callers serialise: the hypervisor runs these with
 * interrupts off.
 */
struct frame_pool {
	uint32_t *bitmap;	/* FRAME_BITMAP_WORDS(nframes) words */
	uint32_t nframes;
	uint32_t nfree;
	uint32_t hint;		/* next-fit: where the next single search starts */
	uint32_t reserved;	/* free frames promised (frame_pool_reserve): only
				 * frame_pool_alloc_reserved may take them */
	struct memmap usable;	/* the frames this pool may ever hand out */
};

/* frame.c: any pool (the host tests build their own) */

/* Builds a pool over bitmap for frames [0, nframes) (at most 2^20), free
 * exactly where a frame lies wholly inside a range of usable. */
void frame_pool_init(struct frame_pool *p, uint32_t *bitmap, uint32_t nframes,
		     const struct memmap *usable);

/* One free frame, taken: its physical address, or 0 if none is left. */
uint32_t frame_pool_alloc(struct frame_pool *p);

/* nframes (>= 1) contiguous free frames whose first frame number is a
 * multiple of align_frames (a power of two; 0 means 1), first fit: the
 * first frame's physical address, or 0 if no such run exists. */
uint32_t frame_pool_alloc_contig(struct frame_pool *p, uint32_t nframes,
				 uint32_t align_frames);

/* Promises n free frames to one owner (a guest's shadow-frame budget):
 * false, and nothing promised, if fewer than n free frames are unpromised.
 * frame_pool_alloc and _alloc_contig never take promised frames. */
bool frame_pool_reserve(struct frame_pool *p, uint32_t n);

/* Takes back a promise of n frames (all of them back in the pool). */
void frame_pool_unreserve(struct frame_pool *p, uint32_t n);

/* One frame out of the promised ones (the caller keeps its own count and
 * never takes more than it was promised): 0 only if none is promised. */
uint32_t frame_pool_alloc_reserved(struct frame_pool *p);

/* Gives back a frame from frame_pool_alloc_reserved: promised again. */
void frame_pool_free_reserved(struct frame_pool *p, uint32_t pa);

/* Free frames nobody was promised. */
uint32_t frame_pool_unreserved(const struct frame_pool *p);

/* Gives back one frame. Freeing a free frame, an unaligned address, or a
 * frame the pool never managed (frame 0, outside the usable map, beyond the
 * pool) is a hypervisor bug: ASSERT. */
void frame_pool_free(struct frame_pool *p, uint32_t pa);

/* Gives back nframes frames from pa, with frame_pool_free()'s checks. */
void frame_pool_free_contig(struct frame_pool *p, uint32_t pa, uint32_t nframes);

/* Free frames by the running count. */
uint32_t frame_pool_free_count(const struct frame_pool *p);

/* Free frames by counting the bitmap, independently of the running count. */
uint32_t frame_pool_scan_free(const struct frame_pool *p);

/* The same count taken in pieces of at most `words` bitmap words, so that
 * a large pool's recount never keeps interrupts off for long. Start with
 * a zeroed struct frame_scan; frame_pool_scan_step() returns true when the
 * count in s->free is complete. The pool must not change between steps. */
struct frame_scan {
	uint32_t word;		/* the next bitmap word to count */
	uint32_t free;		/* free frames counted so far */
};
bool frame_pool_scan_step(const struct frame_pool *p, struct frame_scan *s, uint32_t words);

/* frame.c: the hypervisor's pool, over [0, PHYS_LIMIT) in a static bitmap.
 * Same contracts as the frame_pool_ versions above. */
void frame_init(const struct memmap *usable);
uint32_t frame_alloc(void);
uint32_t frame_alloc_contig(uint32_t nframes, uint32_t align_frames);
void frame_free(uint32_t pa);
void frame_free_contig(uint32_t pa, uint32_t nframes);
uint32_t frame_free_count(void);
uint32_t frame_scan_free(void);
bool frame_scan_step(struct frame_scan *s, uint32_t words);
bool frame_reserve(uint32_t n);
void frame_unreserve(uint32_t n);
uint32_t frame_alloc_reserved(void);
void frame_free_reserved(uint32_t pa);
uint32_t frame_unreserved(void);

#endif
