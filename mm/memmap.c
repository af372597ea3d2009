/* Sets of physical address ranges kept sorted and merged, in a fixed array:
 * union, difference and clipping for building the usable-RAM map. */
#include <lib/lib.h>
#include <lib/log.h>
#include <mm/memmap.h>

void memmap_init(struct memmap *m)
{
	m->count = 0;
	m->overflowed = false;
}

/* Opens a hole at index i (shifting the tail up); room is the caller's. */
static void insert_at(struct memmap *m, unsigned i, uint64_t base, uint64_t end)
{
	ASSERT(m->count < MEMMAP_CAPACITY && i <= m->count);
	memmove(&m->range[i + 1], &m->range[i],
		(m->count - i) * sizeof(m->range[0]));
	m->range[i].base = base;
	m->range[i].end = end;
	m->count++;
}

/* Deletes ranges [i, i + n). */
static void delete_at(struct memmap *m, unsigned i, unsigned n)
{
	memmove(&m->range[i], &m->range[i + n],
		(m->count - i - n) * sizeof(m->range[0]));
	m->count -= n;
}

bool memmap_add(struct memmap *m, uint64_t base, uint64_t end)
{
	unsigned i = 0, j;

	if (base >= end)
		return true;
	/* First range that ends at or after base: it touches or follows. */
	while (i < m->count && m->range[i].end < base)
		i++;
	/* j: one past the last range that starts at or before end. */
	j = i;
	while (j < m->count && m->range[j].base <= end)
		j++;
	if (i == j) {
		if (m->count == MEMMAP_CAPACITY) {
			m->overflowed = true;
			return false;
		}
		insert_at(m, i, base, end);
		return true;
	}
	/* Ranges i..j-1 touch [base, end): fold them into range i. */
	m->range[i].base = MIN(m->range[i].base, base);
	m->range[i].end = MAX(m->range[j - 1].end, end);
	delete_at(m, i + 1, j - i - 1);
	return true;
}

bool memmap_remove(struct memmap *m, uint64_t base, uint64_t end)
{
	bool ok = true;
	unsigned i = 0;

	if (base >= end)
		return true;
	while (i < m->count) {
		struct mem_range *r = &m->range[i];

		if (r->end <= base) {
			i++;
			continue;
		}
		if (r->base >= end)
			break;
		if (r->base < base && r->end > end) {
			/* The hole is inside r: r splits in two. */
			if (m->count == MEMMAP_CAPACITY) {
				m->overflowed = true;
				ok = false;
				r->end = base;	/* lose the upper piece: safe */
				break;
			}
			insert_at(m, i + 1, end, r->end);
			m->range[i].end = base;
			break;
		}
		if (r->base < base) {
			r->end = base;
			i++;
		} else if (r->end > end) {
			r->base = end;
			break;
		} else {
			delete_at(m, i, 1);
		}
	}
	return ok;
}

void memmap_clip(struct memmap *m, uint64_t limit)
{
	/* No range can hold the byte at UINT64_MAX (ends are exclusive), and
	 * this removal never splits, so it cannot overflow. */
	memmap_remove(m, limit, UINT64_MAX);
}

uint64_t memmap_total(const struct memmap *m)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < m->count; i++)
		total += m->range[i].end - m->range[i].base;
	return total;
}

unsigned memmap_count(const struct memmap *m)
{
	return m->count;
}

struct mem_range memmap_get(const struct memmap *m, unsigned i)
{
	ASSERT(i < m->count);
	return m->range[i];
}
