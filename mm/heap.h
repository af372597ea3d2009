/* The hypervisor's object allocator: kmalloc()/kfree() over whole frames,
 * power-of-two size classes for small objects, frame runs for large ones. */
#ifndef RV_MM_HEAP_H
#define RV_MM_HEAP_H

#include <types.h>

/* Smallest and largest size class; anything larger takes whole frames. */
#define HEAP_MIN_CLASS  16u
#define HEAP_MAX_CLASS  2048u

/*
 * Where the heap gets its pages: alloc returns nframes contiguous,
 * page-aligned frames (NULL if none), free gives them back. The hypervisor
 * uses the frame allocator (memory is identity-mapped, so a frame's
 * physical address is its pointer); host tests use aligned_alloc.
 */
struct heap_page_source {
	void *(*alloc)(uint32_t nframes);
	void (*free)(void *pages, uint32_t nframes);
};

struct heap_stats {
	uint32_t small_pages;	/* pages carved into size classes */
	uint32_t large_frames;	/* frames held by large objects */
	uint32_t objects;	/* objects allocated and not freed */
	uint32_t bytes;		/* their sizes rounded to class or frames */
	uint32_t failures;	/* kmalloc calls that returned NULL */
};

/* heap.c */

/* Starts the heap empty, taking pages from the frame allocator (which must
 * be initialised first). Boot time, once. */
void heap_init(void);

/* Starts the heap empty, taking pages from src: for host tests. Objects
 * from before are forgotten, not freed. */
void heap_init_source(const struct heap_page_source *src);

/* At least size bytes, 16-byte aligned, or NULL if the page source is
 * exhausted (or size is absurd). kmalloc(0) returns a minimal object. */
void *kmalloc(size_t size);

/* kmalloc() and zero the object. */
void *kzalloc(size_t size);

/* Frees an object from kmalloc(); NULL is ignored. A pointer that kmalloc
 * did not return, or a double free, is a hypervisor bug: ASSERT. */
void kfree(void *p);

/* The heap's counters, for the boot report and the tests. */
void heap_stats(struct heap_stats *out);

#endif
