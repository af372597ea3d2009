/* Unit tests of mm/frame.c: which frames start free, single and contiguous
 * allocation, exhaustion, misuse that must ASSERT, and the two free counts. */
#include <string.h>
#include <mm/frame.h>
#include <mm/memmap.h>
#include "harness.h"

#define NFRAMES 1024u			/* a 4 MiB test pool */

static uint32_t bitmap[FRAME_BITMAP_WORDS(NFRAMES)];

/* A pool over [0, 4 MiB) with [base, end) usable. */
static void pool_over(struct frame_pool *p, uint64_t base, uint64_t end)
{
	struct memmap m;

	memmap_init(&m);
	memmap_add(&m, base, end);
	frame_pool_init(p, bitmap, NFRAMES, &m);
}

static void check_counts(const char *file, int line, const struct frame_pool *p,
			 uint32_t want)
{
	if (frame_pool_free_count(p) != want || frame_pool_scan_free(p) != want)
		unit_fail(file, line, "free count %u, scan %u, expected %u",
			  frame_pool_free_count(p), frame_pool_scan_free(p), want);
}
#define CHECK_FREE(p, n) check_counts(__FILE__, __LINE__, p, n)

static void frame_init_frees_whole_frames_only(void)
{
	struct frame_pool p;
	struct memmap m;

	pool_over(&p, 0x800, 0x3800);		/* frames 1 and 2 only */
	CHECK_FREE(&p, 2);
	CHECK_EQ(frame_pool_alloc(&p), 0x1000);
	CHECK_EQ(frame_pool_alloc(&p), 0x2000);
	CHECK_EQ(frame_pool_alloc(&p), 0);

	pool_over(&p, 0, 0x3000);		/* frame 0 is never handed out */
	CHECK_FREE(&p, 2);

	pool_over(&p, 0x1000, 0x100000000ull);	/* clipped to the pool */
	CHECK_FREE(&p, NFRAMES - 1);

	memmap_init(&m);			/* nothing usable */
	frame_pool_init(&p, bitmap, NFRAMES, &m);
	CHECK_FREE(&p, 0);
	CHECK_EQ(frame_pool_alloc(&p), 0);
	CHECK_EQ(frame_pool_alloc_contig(&p, 1, 1), 0);

	memmap_init(&m);			/* several ranges */
	memmap_add(&m, 0x10000, 0x12000);
	memmap_add(&m, 0x20800, 0x23000);
	memmap_add(&m, 0x30000, 0x30FFF);
	frame_pool_init(&p, bitmap, NFRAMES, &m);
	CHECK_FREE(&p, 4);
}

static void frame_alloc_until_exhausted(void)
{
	static bool seen[NFRAMES];
	struct frame_pool p;
	uint32_t pa, n = 0;

	memset(seen, 0, sizeof(seen));
	pool_over(&p, 0x100000, 0x200000);	/* 256 frames */
	CHECK_FREE(&p, 256);
	while ((pa = frame_pool_alloc(&p)) != 0) {
		CHECK(pa % 4096 == 0);
		CHECK(pa >= 0x100000 && pa < 0x200000);
		CHECK(!seen[pa >> 12]);
		seen[pa >> 12] = true;
		n++;
	}
	CHECK_EQ(n, 256);
	CHECK_FREE(&p, 0);
	CHECK_EQ(frame_pool_alloc(&p), 0);
	for (uint32_t f = 0x100; f < 0x200; f++)
		frame_pool_free(&p, f << 12);
	CHECK_FREE(&p, 256);
}

/* Single frames come next-fit: a freed frame is not reused at once, only
 * when the search wraps around. */
static void frame_alloc_next_fit(void)
{
	struct frame_pool p;

	pool_over(&p, 0x1000, 0x5000);		/* frames 1..4 */
	uint32_t a = frame_pool_alloc(&p), b = frame_pool_alloc(&p);

	CHECK_EQ(a, 0x1000);
	CHECK_EQ(b, 0x2000);
	frame_pool_free(&p, a);
	CHECK_EQ(frame_pool_alloc(&p), 0x3000);
	CHECK_EQ(frame_pool_alloc(&p), 0x4000);
	CHECK_EQ(frame_pool_alloc(&p), 0x1000);	/* wrapped */
	CHECK_EQ(frame_pool_alloc(&p), 0);
	CHECK_FREE(&p, 0);
}

static void frame_contig_first_fit_and_align(void)
{
	struct frame_pool p;

	pool_over(&p, 0x1000, 0x100000);	/* frames 1..255 */
	CHECK_EQ(frame_pool_alloc_contig(&p, 4, 4), 0x4000);
	CHECK_EQ(frame_pool_alloc_contig(&p, 1, 0), 0x1000);	/* first fit */
	CHECK_EQ(frame_pool_alloc_contig(&p, 2, 1), 0x2000);
	CHECK_EQ(frame_pool_alloc_contig(&p, 16, 16), 0x10000);
	CHECK_EQ(frame_pool_alloc_contig(&p, 3, 1), 0x8000);
	CHECK_FREE(&p, 255 - 26);
	/* Free now: 11..15 and 32..255. Enough frames, but not in one run. */
	CHECK_EQ(frame_pool_alloc_contig(&p, 225, 1), 0);
	CHECK_EQ(frame_pool_alloc_contig(&p, 224, 1), 0x20000);
	CHECK_EQ(frame_pool_alloc_contig(&p, 6, 1), 0);
	CHECK_EQ(frame_pool_alloc_contig(&p, 5, 1), 0xB000);
	CHECK_FREE(&p, 0);
	frame_pool_free(&p, 0x3000);
	CHECK_EQ(frame_pool_alloc_contig(&p, 1, 2), 0);		/* frame 3 is odd */
	CHECK_EQ(frame_pool_alloc_contig(&p, 1, 1), 0x3000);
	CHECK_FREE(&p, 0);
}

static void frame_contig_fragmented(void)
{
	struct frame_pool p;

	pool_over(&p, 0x1000, 0x101000);	/* frames 1..256 */
	uint32_t all = frame_pool_alloc_contig(&p, 256, 1);

	CHECK_EQ(all, 0x1000);
	CHECK_FREE(&p, 0);
	/* Free every other frame: 128 free, no two adjacent. */
	for (uint32_t f = 1; f <= 256; f += 2)
		frame_pool_free(&p, f << 12);
	CHECK_FREE(&p, 128);
	CHECK_EQ(frame_pool_alloc_contig(&p, 2, 1), 0);
	CHECK_EQ(frame_pool_alloc_contig(&p, 1, 1), 0x1000);
	CHECK_EQ(frame_pool_alloc_contig(&p, 129, 1), 0);	/* > free */
	CHECK_EQ(frame_pool_alloc_contig(&p, 0x7FFFFFFF, 1), 0);
	CHECK_FREE(&p, 127);
}

/* A run that ends exactly at the end of the pool, and one that would pass it. */
static void frame_contig_pool_end(void)
{
	struct frame_pool p;

	pool_over(&p, (NFRAMES - 8) * 4096ull, NFRAMES * 4096ull);
	CHECK_EQ(frame_pool_alloc_contig(&p, 9, 1), 0);
	CHECK_EQ(frame_pool_alloc_contig(&p, 8, 8), (NFRAMES - 8) * 4096);
	CHECK_FREE(&p, 0);
	frame_pool_free_contig(&p, (NFRAMES - 8) * 4096, 8);
	CHECK_EQ(frame_pool_alloc_contig(&p, 4, 16), 0);	/* no 16-aligned run */
	CHECK_FREE(&p, 8);
}

static void frame_free_misuse_asserts(void)
{
	struct frame_pool p;

	pool_over(&p, 0x1000, 0x10000);
	uint32_t pa = frame_pool_alloc(&p);

	frame_pool_free(&p, pa);
	CHECK_ASSERTS(frame_pool_free(&p, pa));			/* double free */
	CHECK_ASSERTS(frame_pool_free(&p, 0x20000));		/* never usable */
	CHECK_FREE(&p, 15);
	CHECK_ASSERTS(frame_pool_free(&p, 0x2800));		/* unaligned */
	CHECK_ASSERTS(frame_pool_free(&p, 0));			/* frame 0 */
	CHECK_ASSERTS(frame_pool_free(&p, NFRAMES * 4096));	/* past the pool */
	CHECK_ASSERTS(frame_pool_free_contig(&p, (NFRAMES - 1) * 4096, 2));
	CHECK_ASSERTS(frame_pool_alloc_contig(&p, 0, 1));
	CHECK_ASSERTS(frame_pool_alloc_contig(&p, 1, 3));
	CHECK_FREE(&p, 15);
}

/* Random allocs and frees against a shadow copy: the running count, the
 * bitmap scan and the shadow must agree after every step. */
static void frame_counts_agree_under_churn(void)
{
	static uint32_t held[NFRAMES];
	struct frame_pool p;
	uint32_t nheld = 0, rng = 12345, nfree = NFRAMES - 64;

	pool_over(&p, 64 * 4096, NFRAMES * 4096);
	for (int step = 0; step < 20000; step++) {
		rng = rng * 1103515245u + 12345u;
		unsigned op = (rng >> 16) % 8;

		if (op < 3 && nfree) {
			uint32_t pa = frame_pool_alloc(&p);

			CHECK(pa != 0);
			held[nheld++] = pa;
			nfree--;
		} else if (op < 4) {
			uint32_t n = 1 + (rng >> 8) % 8;
			uint32_t pa = frame_pool_alloc_contig(&p, n, 1);

			if (pa) {
				for (uint32_t i = 0; i < n; i++)
					held[nheld++] = pa + i * 4096;
				nfree -= n;
			}
		} else if (nheld) {
			uint32_t i = (rng >> 4) % nheld;

			frame_pool_free(&p, held[i]);
			held[i] = held[--nheld];
			nfree++;
		}
		if (frame_pool_free_count(&p) != nfree)
			unit_fail(__FILE__, __LINE__, "step %d: count %u, shadow %u",
				  step, frame_pool_free_count(&p), nfree);
		if (step % 97 == 0)
			CHECK_FREE(&p, nfree);
	}
	while (nheld)
		frame_pool_free(&p, held[--nheld]);
	CHECK_FREE(&p, NFRAMES - 64);
}

/* The hypervisor's own pool, over the full [0, PHYS_LIMIT) bitmap. */
static void frame_global_pool(void)
{
	struct memmap m;

	memmap_init(&m);
	memmap_add(&m, 0x100000, 0x1000000);
	memmap_add(&m, 0xEFFFF000, 0x100000000ull);	/* the last frame */
	frame_init(&m);
	CHECK_EQ(frame_free_count(), 0xF01);
	CHECK_EQ(frame_scan_free(), 0xF01);
	uint32_t a = frame_alloc();
	uint32_t g = frame_alloc_contig(256, 256);

	CHECK_EQ(a, 0x100000);
	CHECK_EQ(g, 0x200000);
	CHECK_EQ(frame_free_count(), 0xF01 - 257);
	CHECK_EQ(frame_scan_free(), 0xF01 - 257);
	frame_free(a);
	frame_free_contig(g, 256);
	CHECK_EQ(frame_free_count(), 0xF01);
	CHECK_EQ(frame_scan_free(), 0xF01);
	CHECK_ASSERTS(frame_free(a));
}

/* Promised frames are only for their owner: other allocations stop at
 * them, the owner gets exactly as many as it was promised. */
static void frame_reserve_promises(void)
{
	struct frame_pool p;

	pool_over(&p, 0x1000, 0x11000);			/* 16 frames */
	CHECK(frame_pool_reserve(&p, 10));
	CHECK(!frame_pool_reserve(&p, 7));
	CHECK_EQ(frame_pool_unreserved(&p), 6);
	CHECK(!frame_pool_alloc_contig(&p, 7, 1));
	uint32_t own[10];
	for (int i = 0; i < 6; i++)
		CHECK(frame_pool_alloc(&p));
	CHECK(!frame_pool_alloc(&p));
	for (int i = 0; i < 10; i++)
		CHECK((own[i] = frame_pool_alloc_reserved(&p)));
	CHECK(!frame_pool_alloc_reserved(&p));
	CHECK_EQ(frame_pool_free_count(&p), 0);
	for (int i = 0; i < 10; i++)
		frame_pool_free_reserved(&p, own[i]);
	CHECK(!frame_pool_alloc(&p));
	frame_pool_unreserve(&p, 10);
	CHECK_EQ(frame_pool_unreserved(&p), 10);
	CHECK_ASSERTS(frame_pool_unreserve(&p, 1));
}

/* A run goes back whole, a word at a time, with the single free's checks. */
static void frame_free_contig_words(void)
{
	struct frame_pool p;

	pool_over(&p, 0x1000, 0x101000);		/* 256 frames from 1 */
	uint32_t a = frame_pool_alloc_contig(&p, 100, 1);
	uint32_t b = frame_pool_alloc_contig(&p, 70, 1);
	CHECK(a && b);
	frame_pool_free_contig(&p, a + 0x3000, 40);
	CHECK_EQ(frame_pool_free_count(&p), 256 - 170 + 40);
	CHECK_EQ(frame_pool_scan_free(&p), 256 - 170 + 40);
	CHECK_ASSERTS(frame_pool_free_contig(&p, a, 10));	/* overlaps the freed run */
	frame_pool_free_contig(&p, a, 3);
	frame_pool_free_contig(&p, a + 43 * 0x1000, 57);
	frame_pool_free_contig(&p, b, 70);
	CHECK_EQ(frame_pool_free_count(&p), 256);
	CHECK_EQ(frame_pool_scan_free(&p), 256);
}

const struct unit_case frame_cases[] = {
	UNIT_CASE(frame_reserve_promises),
	UNIT_CASE(frame_free_contig_words),
	UNIT_CASE(frame_init_frees_whole_frames_only),
	UNIT_CASE(frame_alloc_until_exhausted),
	UNIT_CASE(frame_alloc_next_fit),
	UNIT_CASE(frame_contig_first_fit_and_align),
	UNIT_CASE(frame_contig_fragmented),
	UNIT_CASE(frame_contig_pool_end),
	UNIT_CASE(frame_free_misuse_asserts),
	UNIT_CASE(frame_counts_agree_under_churn),
	UNIT_CASE(frame_global_pool),
	UNIT_END
};
