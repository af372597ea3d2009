/* The physical frame allocator: a bitmap of 4 KiB frames, next-fit for
 * single frames and first-fit for the contiguous runs guests need. */
#include <mm/frame.h>
#include <core/log.h>
#include <lib/lib.h>

static bool in_use(const struct frame_pool *p, uint32_t f)
{
	return p->bitmap[f / 32] & (1u << (f % 32));
}

static void mark_used(struct frame_pool *p, uint32_t f)
{
	p->bitmap[f / 32] |= 1u << (f % 32);
}

static void mark_free(struct frame_pool *p, uint32_t f)
{
	p->bitmap[f / 32] &= ~(1u << (f % 32));
}

/* First free frame in [f, limit), or limit. Skips whole words in use. */
static uint32_t find_free(const struct frame_pool *p, uint32_t f, uint32_t limit)
{
	while (f < limit) {
		/* Bits below f count as used. */
		uint32_t w = p->bitmap[f / 32] | ((1u << (f % 32)) - 1);

		if (w != UINT32_MAX)
			return MIN((f & ~31u) + (uint32_t)__builtin_ctz(~w), limit);
		f = (f & ~31u) + 32;
	}
	return limit;
}

/* First frame in use in [f, limit), or limit. Skips whole free words. */
static uint32_t find_used(const struct frame_pool *p, uint32_t f, uint32_t limit)
{
	while (f < limit) {
		uint32_t w = p->bitmap[f / 32] & ~((1u << (f % 32)) - 1);

		if (w)
			return MIN((f & ~31u) + (uint32_t)__builtin_ctz(w), limit);
		f = (f & ~31u) + 32;
	}
	return limit;
}

/* Was frame f wholly inside a usable range? Binary search: the ranges are
 * sorted and disjoint, and a guest's memory is freed a frame at a time. */
static bool managed(const struct frame_pool *p, uint32_t f)
{
	uint64_t base = (uint64_t)f << PAGE_SHIFT, end = base + PAGE_SIZE;
	unsigned lo = 0, hi = memmap_count(&p->usable);

	if (f == 0 || f >= p->nframes)
		return false;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		struct mem_range r = memmap_get(&p->usable, mid);

		if (r.end <= base)
			lo = mid + 1;
		else if (r.base >= end)
			hi = mid;
		else
			return r.base <= base && end <= r.end;
	}
	return false;
}

void frame_pool_init(struct frame_pool *p, uint32_t *bitmap, uint32_t nframes,
		     const struct memmap *usable)
{
	ASSERT(nframes <= (1u << (32 - PAGE_SHIFT)));
	p->bitmap = bitmap;
	p->nframes = nframes;
	p->nfree = 0;
	p->hint = 0;
	p->usable = *usable;
	/* Everything in use, including the bits past nframes in the last
	 * word, so no search ever finds them. */
	memset(bitmap, 0xFF, FRAME_BITMAP_WORDS(nframes) * sizeof(uint32_t));

	for (unsigned i = 0; i < memmap_count(usable); i++) {
		struct mem_range r = memmap_get(usable, i);
		uint64_t first = ALIGN_UP(r.base, (uint64_t)PAGE_SIZE) >> PAGE_SHIFT;
		uint64_t end = MIN(r.end >> PAGE_SHIFT, (uint64_t)nframes);

		if (first == 0)
			first = 1;	/* frame 0 stands for "none" */
		for (uint64_t f = first; f < end; f++) {
			if (in_use(p, (uint32_t)f)) {
				mark_free(p, (uint32_t)f);
				p->nfree++;
			}
		}
	}
}

uint32_t frame_pool_alloc(struct frame_pool *p)
{
	uint32_t f = find_free(p, p->hint, p->nframes);

	if (f == p->nframes) {
		f = find_free(p, 0, p->hint);
		if (f == p->hint)
			return 0;
	}
	mark_used(p, f);
	p->nfree--;
	p->hint = f + 1 < p->nframes ? f + 1 : 0;
	return f << PAGE_SHIFT;
}

uint32_t frame_pool_alloc_contig(struct frame_pool *p, uint32_t nframes,
				 uint32_t align_frames)
{
	uint32_t s = 0;

	if (align_frames == 0)
		align_frames = 1;
	ASSERT(nframes > 0);
	ASSERT((align_frames & (align_frames - 1)) == 0);
	if (nframes > p->nfree)
		return 0;
	for (;;) {
		uint64_t start = ALIGN_UP((uint64_t)find_free(p, s, p->nframes),
					  (uint64_t)align_frames);

		if (start >= p->nframes || p->nframes - start < nframes)
			return 0;
		s = (uint32_t)start;
		uint32_t u = find_used(p, s, s + nframes);

		if (u == s + nframes)
			break;
		s = u + 1;	/* the run is broken at u: look past it */
	}
	for (uint32_t f = s; f < s + nframes; f++)
		mark_used(p, f);
	p->nfree -= nframes;
	return s << PAGE_SHIFT;
}

void frame_pool_free(struct frame_pool *p, uint32_t pa)
{
	uint32_t f = pa >> PAGE_SHIFT;

	ASSERT(IS_ALIGNED(pa, PAGE_SIZE));
	ASSERT(managed(p, f));
	ASSERT(in_use(p, f));
	mark_free(p, f);
	p->nfree++;
}

void frame_pool_free_contig(struct frame_pool *p, uint32_t pa, uint32_t nframes)
{
	ASSERT(nframes > 0);
	ASSERT((pa >> PAGE_SHIFT) + (uint64_t)nframes <= p->nframes);
	for (uint32_t i = 0; i < nframes; i++)
		frame_pool_free(p, pa + (i << PAGE_SHIFT));
}

uint32_t frame_pool_free_count(const struct frame_pool *p)
{
	return p->nfree;
}

/* A word at a time (the bits past nframes are kept set), so the oracle
 * can recount whenever a guest ends: 30 K words for 3.75 GiB. */
uint32_t frame_pool_scan_free(const struct frame_pool *p)
{
	uint32_t n = 0;

	for (uint32_t w = 0; w < FRAME_BITMAP_WORDS(p->nframes); w++)
		n += (uint32_t)__builtin_popcount(~p->bitmap[w]);
	return n;
}

/* --- the hypervisor's pool ------------------------------------------------ */

/* 120 KiB of .bss for PHYS_LIMIT = 3.75 GiB. */
static uint32_t frame_bitmap[FRAME_BITMAP_WORDS(FRAME_COUNT)];
static struct frame_pool frame_main;

void frame_init(const struct memmap *usable)
{
	frame_pool_init(&frame_main, frame_bitmap, FRAME_COUNT, usable);
}

uint32_t frame_alloc(void)
{
	return frame_pool_alloc(&frame_main);
}

uint32_t frame_alloc_contig(uint32_t nframes, uint32_t align_frames)
{
	return frame_pool_alloc_contig(&frame_main, nframes, align_frames);
}

void frame_free(uint32_t pa)
{
	frame_pool_free(&frame_main, pa);
}

void frame_free_contig(uint32_t pa, uint32_t nframes)
{
	frame_pool_free_contig(&frame_main, pa, nframes);
}

uint32_t frame_free_count(void)
{
	return frame_pool_free_count(&frame_main);
}

uint32_t frame_scan_free(void)
{
	return frame_pool_scan_free(&frame_main);
}
