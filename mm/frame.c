/* The physical frame allocator: a bitmap of 4 KiB frames, next-fit for
 * single frames and first-fit for the contiguous runs guests need. */
#include <lib/lib.h>
#include <lib/log.h>
#include <mm/frame.h>

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

/* Marks frames [f, end) in use or free, a bitmap word at a time. */
static void set_run(struct frame_pool *p, uint32_t f, uint32_t end, bool used)
{
	while (f < end) {
		uint32_t bits = MIN(32 - f % 32, end - f);
		uint32_t mask = (bits == 32 ? ~0u : ((1u << bits) - 1)) << (f % 32);
		if (used)
			p->bitmap[f / 32] |= mask;
		else
			p->bitmap[f / 32] &= ~mask;
		f += bits;
	}
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

/* The index of the usable range holding frame f (managed(p, f) holds). */
static unsigned range_of(const struct frame_pool *p, uint32_t f)
{
	uint64_t base = (uint64_t)f << PAGE_SHIFT;
	unsigned lo = 0, hi = memmap_count(&p->usable);

	while (lo + 1 < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (memmap_get(&p->usable, mid).base <= base)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

void frame_pool_init(struct frame_pool *p, uint32_t *bitmap, uint32_t nframes,
		     const struct memmap *usable)
{
	ASSERT(nframes <= (1u << (32 - PAGE_SHIFT)));
	p->bitmap = bitmap;
	p->nframes = nframes;
	p->nfree = 0;
	p->hint = 0;
	p->reserved = 0;
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
		/* The ranges are disjoint (memmap merges them): a word at
		 * a time, not a frame at a time. */
		if (first < end) {
			set_run(p, (uint32_t)first, (uint32_t)end, false);
			p->nfree += (uint32_t)(end - first);
		}
	}
}

/* A free frame, promised or not: next fit. */
static uint32_t take_one(struct frame_pool *p)
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

uint32_t frame_pool_alloc(struct frame_pool *p)
{
	if (p->nfree <= p->reserved)
		return 0;
	return take_one(p);
}

bool frame_pool_reserve(struct frame_pool *p, uint32_t n)
{
	if (frame_pool_unreserved(p) < n)
		return false;
	p->reserved += n;
	return true;
}

void frame_pool_unreserve(struct frame_pool *p, uint32_t n)
{
	ASSERT(n <= p->reserved);
	p->reserved -= n;
}

uint32_t frame_pool_alloc_reserved(struct frame_pool *p)
{
	if (!p->reserved)
		return 0;
	uint32_t pa = take_one(p);
	ASSERT(pa);		/* every promised frame is free */
	p->reserved--;
	return pa;
}

void frame_pool_free_reserved(struct frame_pool *p, uint32_t pa)
{
	frame_pool_free(p, pa);
	p->reserved++;
}

uint32_t frame_pool_unreserved(const struct frame_pool *p)
{
	return p->nfree - p->reserved;
}

uint32_t frame_pool_alloc_contig(struct frame_pool *p, uint32_t nframes,
				 uint32_t align_frames)
{
	uint32_t s = 0;

	if (align_frames == 0)
		align_frames = 1;
	ASSERT(nframes > 0);
	ASSERT((align_frames & (align_frames - 1)) == 0);
	if (nframes > frame_pool_unreserved(p))
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
	set_run(p, s, s + nframes, true);
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

/* A word of the bitmap at a time, with frame_pool_free's checks made once
 * for the run (both ends inside one usable range, every frame in use): a
 * guest of 1 GiB goes back in 8 K words, not 256 K single frees. */
void frame_pool_free_contig(struct frame_pool *p, uint32_t pa, uint32_t nframes)
{
	uint32_t f = pa >> PAGE_SHIFT, end = f + nframes;

	ASSERT(nframes > 0);
	ASSERT(IS_ALIGNED(pa, PAGE_SIZE));
	ASSERT((uint64_t)f + nframes <= p->nframes);
	ASSERT(managed(p, f) && managed(p, end - 1));
	ASSERT(find_free(p, f, end) == end);
	ASSERT(memmap_count(&p->usable) && range_of(p, f) == range_of(p, end - 1));
	set_run(p, f, end, false);
	p->nfree += nframes;
}

uint32_t frame_pool_free_count(const struct frame_pool *p)
{
	return p->nfree;
}

/* A word at a time, and only up to the end of the last usable range
 * (beyond it every bit stays set): 4 K words for 512 MiB of RAM. */
bool frame_pool_scan_step(const struct frame_pool *p, struct frame_scan *s, uint32_t words)
{
	unsigned ranges = memmap_count(&p->usable);
	uint64_t end = ranges ? memmap_get(&p->usable, ranges - 1).end >> PAGE_SHIFT : 0;
	uint32_t last = FRAME_BITMAP_WORDS((uint32_t)MIN(end, (uint64_t)p->nframes));
	uint32_t stop = s->word + MIN(words, last - MIN(s->word, last));

	for (; s->word < stop; s->word++) {
		uint32_t w = p->bitmap[s->word];
		if (w == 0)
			s->free += 32;
		else if (w != UINT32_MAX)
			s->free += (uint32_t)__builtin_popcount(~w);
	}
	return s->word >= last;
}

uint32_t frame_pool_scan_free(const struct frame_pool *p)
{
	struct frame_scan s = { 0, 0 };

	while (!frame_pool_scan_step(p, &s, UINT32_MAX))
		;
	return s.free;
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

bool frame_scan_step(struct frame_scan *s, uint32_t words)
{
	return frame_pool_scan_step(&frame_main, s, words);
}

bool frame_reserve(uint32_t n)
{
	return frame_pool_reserve(&frame_main, n);
}

void frame_unreserve(uint32_t n)
{
	frame_pool_unreserve(&frame_main, n);
}

uint32_t frame_alloc_reserved(void)
{
	return frame_pool_alloc_reserved(&frame_main);
}

void frame_free_reserved(uint32_t pa)
{
	frame_pool_free_reserved(&frame_main, pa);
}

uint32_t frame_unreserved(void)
{
	return frame_pool_unreserved(&frame_main);
}
