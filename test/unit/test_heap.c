/* Unit tests of mm/heap.c: size classes, reuse, large objects, page return,
 * exhaustion and misuse, over a page source backed by aligned_alloc. */
#include <stdlib.h>
#include <string.h>
#include <mm/heap.h>
#include "harness.h"

/* The test page source: aligned_alloc, with a cap on frames held so that
 * exhaustion can be tested. It remembers what it handed out, so setup()
 * can free the pages a previous case's heap kept (LeakSanitizer would
 * report them otherwise). */
#define MAX_LIVE 1024

static struct { void *p; uint32_t n; } live[MAX_LIVE];
static uint32_t frames_held, frames_cap;

static void *test_alloc(uint32_t nframes)
{
	void *p;

	if (frames_held + nframes > frames_cap)
		return NULL;
	for (int i = 0; i < MAX_LIVE; i++) {
		if (live[i].p)
			continue;
		p = aligned_alloc(4096, (size_t)nframes * 4096);
		if (!p)
			return NULL;
		live[i].p = p;
		live[i].n = nframes;
		frames_held += nframes;
		return p;
	}
	return NULL;
}

static void test_free(void *p, uint32_t nframes)
{
	for (int i = 0; i < MAX_LIVE; i++) {
		if (live[i].p != p)
			continue;
		CHECK_EQ(live[i].n, nframes);
		live[i].p = NULL;
		frames_held -= nframes;
		free(p);
		return;
	}
	unit_fail(__FILE__, __LINE__, "heap freed pages %p it never got", p);
}

static const struct heap_page_source test_source = { test_alloc, test_free };

static void setup(uint32_t cap)
{
	for (int i = 0; i < MAX_LIVE; i++) {
		free(live[i].p);
		live[i].p = NULL;
	}
	frames_held = 0;
	frames_cap = cap;
	heap_init_source(&test_source);
}

static struct heap_stats stats(void)
{
	struct heap_stats s;

	heap_stats(&s);
	return s;
}

static void heap_size_classes(void)
{
	static const struct { size_t ask, cls; } t[] = {
		{ 0, 16 }, { 1, 16 }, { 16, 16 }, { 17, 32 }, { 33, 64 },
		{ 100, 128 }, { 129, 256 }, { 500, 512 }, { 513, 1024 },
		{ 1025, 2048 }, { 2048, 2048 },
	};
	void *p[sizeof(t) / sizeof(t[0])];
	uint32_t bytes = 0;

	setup(64);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		p[i] = kmalloc(t[i].ask);
		CHECK(p[i] != NULL);
		CHECK(((uintptr_t)p[i] & 15) == 0);
		memset(p[i], 0x5A, t[i].ask);	/* ASan checks the bounds */
		bytes += t[i].cls;
		CHECK_EQ(stats().bytes, bytes);
	}
	CHECK_EQ(stats().objects, sizeof(t) / sizeof(t[0]));
	CHECK_EQ(stats().small_pages, 9);	/* 2048s fit one per page */
	CHECK_EQ(stats().large_frames, 0);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		kfree(p[i]);
	CHECK_EQ(stats().objects, 0);
	CHECK_EQ(stats().bytes, 0);
}

/* Objects of one class never overlap, and freed ones come back. */
static void heap_objects_distinct_and_reused(void)
{
	enum { N = 600 };
	static uint8_t *p[N];

	setup(64);
	for (int i = 0; i < N; i++) {
		p[i] = kmalloc(24);
		CHECK(p[i] != NULL);
		memset(p[i], i & 0xFF, 24);
	}
	for (int i = 0; i < N; i++)
		for (int j = 0; j < 24; j++)
			if (p[i][j] != (i & 0xFF))
				unit_fail(__FILE__, __LINE__, "object %d overwritten", i);
	uint32_t pages = stats().small_pages;

	CHECK(pages >= N * 32 / 4096 + 1);
	void *freed = p[N / 2];

	kfree(freed);
	CHECK(kmalloc(24) == freed);		/* the hole is reused */
	for (int i = 0; i < N; i++)
		kfree(p[i]);
	CHECK_EQ(stats().objects, 0);
	/* Empty pages went back, but for one kept for the class. */
	CHECK_EQ(stats().small_pages, 1);
	CHECK_EQ(frames_held, 1);
}

static void heap_kzalloc_zeroes(void)
{
	setup(8);
	uint8_t *p = kmalloc(200);

	CHECK(p != NULL);
	memset(p, 0xFF, 200);
	kfree(p);
	uint8_t *q = kzalloc(200);

	CHECK(q == p);
	for (int i = 0; i < 200; i++)
		CHECK_EQ(q[i], 0);
	kfree(q);
	uint8_t *big = kzalloc(10000);

	CHECK(big != NULL);
	for (int i = 0; i < 10000; i++)
		CHECK_EQ(big[i], 0);
	kfree(big);
}

static void heap_large_objects(void)
{
	setup(64);
	void *a = kmalloc(2049);
	void *b = kmalloc(3 * 4096);

	CHECK(a && b);
	CHECK(((uintptr_t)a & 15) == 0);
	memset(a, 1, 2049);
	memset(b, 2, 3 * 4096);
	CHECK_EQ(stats().large_frames, 1 + 4);	/* the header costs a frame */
	CHECK_EQ(stats().bytes, 5 * 4096);
	CHECK_EQ(frames_held, 5);
	kfree(a);
	kfree(b);
	CHECK_EQ(stats().large_frames, 0);
	CHECK_EQ(frames_held, 0);
	CHECK(kmalloc((size_t)2 << 30) == NULL);	/* absurd */
	CHECK_EQ(stats().failures, 1);
}

static void heap_exhaustion(void)
{
	void *p[8];
	int n = 0;

	setup(4);
	while ((p[n] = kmalloc(2048)) != NULL)
		n++;
	CHECK_EQ(n, 4);				/* one 2048 object per page */
	CHECK(kmalloc(16) == NULL);		/* no page for a new class */
	CHECK(kmalloc(5000) == NULL);
	CHECK_EQ(stats().failures, 3);
	kfree(p[0]);
	void *q = kmalloc(2048);

	CHECK(q == p[0]);			/* its kept page */
	kfree(p[1]);
	kfree(p[2]);				/* p[1]'s page kept, this one freed */
	CHECK_EQ(frames_held, 3);
	void *r = kmalloc(100);

	CHECK(r != NULL);
	kfree(r);
	kfree(q);
	kfree(p[3]);
	CHECK_EQ(stats().objects, 0);
}

static void heap_misuse_asserts(void)
{
	setup(8);
	uint8_t *p = kmalloc(64);
	uint8_t *keep = kmalloc(64);

	kfree(NULL);				/* allowed */
	CHECK_ASSERTS(kfree(p + 8));		/* inside an object */
	kfree(p);
	CHECK_ASSERTS(kfree(p));		/* double free */
	uint8_t *big = kmalloc(8000);

	CHECK_ASSERTS(kfree(big + 16));		/* not the start */
	kfree(big);
	kfree(keep);
	CHECK_EQ(stats().objects, 0);
}

static void heap_stats_count(void)
{
	setup(16);
	struct heap_stats s = stats();

	CHECK_EQ(s.small_pages, 0);
	CHECK_EQ(s.objects, 0);
	void *a = kmalloc(10), *b = kmalloc(1000), *c = kmalloc(6000);

	s = stats();
	CHECK_EQ(s.objects, 3);
	CHECK_EQ(s.small_pages, 2);
	CHECK_EQ(s.large_frames, 2);
	CHECK_EQ(s.bytes, 16 + 1024 + 2 * 4096);
	kfree(a);
	kfree(b);
	kfree(c);
	s = stats();
	CHECK_EQ(s.objects, 0);
	CHECK_EQ(s.bytes, 0);
	CHECK_EQ(s.failures, 0);
	CHECK_EQ(frames_held, 2);		/* one kept page per used class */
}

/* The last case gives back what the heap kept, for LeakSanitizer. */
static void heap_teardown_frees_everything(void)
{
	setup(1);
	void *p = kmalloc(1);

	CHECK(p != NULL);
	kfree(p);
	CHECK_EQ(frames_held, 1);
	setup(0);
	CHECK_EQ(frames_held, 0);
	CHECK(kmalloc(1) == NULL);
}

const struct unit_case heap_cases[] = {
	UNIT_CASE(heap_size_classes),
	UNIT_CASE(heap_objects_distinct_and_reused),
	UNIT_CASE(heap_kzalloc_zeroes),
	UNIT_CASE(heap_large_objects),
	UNIT_CASE(heap_exhaustion),
	UNIT_CASE(heap_misuse_asserts),
	UNIT_CASE(heap_stats_count),
	UNIT_CASE(heap_teardown_frees_everything),
	UNIT_END
};
