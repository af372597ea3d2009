/* Sets of physical address ranges: how the boot loader's memory map becomes
 * the list of usable RAM that the frame allocator is built from. */
#ifndef RV_MM_MEMMAP_H
#define RV_MM_MEMMAP_H

#include <types.h>
#include <param.h>

/* Room for the boot loader's entries plus the holes carved into them. */
#define MEMMAP_CAPACITY (MAX_MEM_REGIONS * 2)

/* A half-open range of physical addresses [base, end). */
struct mem_range {
	uint64_t base;
	uint64_t end;
};

/*
 * Disjoint, non-adjacent ranges sorted by base: adding merges, removing may
 * split. When a change needs more than MEMMAP_CAPACITY ranges it is done the
 * safe way for usable RAM (the set ends up smaller, never larger) and
 * `overflowed` stays set so the boot report can say so.
 */
struct memmap {
	unsigned count;
	bool overflowed;
	struct mem_range range[MEMMAP_CAPACITY];
};

/* memmap.c */

/* Empties the set. */
void memmap_init(struct memmap *m);

/* Adds [base, end) to the set (union); an empty range is a no-op. Returns
 * false if it did not fit, in which case the range is left out. */
bool memmap_add(struct memmap *m, uint64_t base, uint64_t end);

/* Removes [base, end) from the set (difference); an empty range is a no-op.
 * Returns false if a split did not fit, in which case the whole of the
 * split range from base upward is removed too. */
bool memmap_remove(struct memmap *m, uint64_t base, uint64_t end);

/* Removes everything at or above limit. */
void memmap_clip(struct memmap *m, uint64_t limit);

/* Bytes in the set. */
uint64_t memmap_total(const struct memmap *m);

/* Iteration: the i-th range in ascending order, for i < memmap_count(m). */
unsigned memmap_count(const struct memmap *m);
struct mem_range memmap_get(const struct memmap *m, unsigned i);

#endif
