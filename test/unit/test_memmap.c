/* Unit tests of mm/memmap.c: union, difference, clipping and overflow of
 * range sets, and a BIOS-like memory map with overlapping entries. */
#include <string.h>
#include <mm/memmap.h>
#include "harness.h"

/* The set must be exactly these [base, end) pairs. */
static void expect(const char *file, int line, const struct memmap *m,
		   const uint64_t *pairs, unsigned n)
{
	if (memmap_count(m) != n)
		unit_fail(file, line, "%u ranges, expected %u", memmap_count(m), n);
	for (unsigned i = 0; i < n; i++) {
		struct mem_range r = memmap_get(m, i);

		if (r.base != pairs[2 * i] || r.end != pairs[2 * i + 1])
			unit_fail(file, line, "range %u is [0x%llx, 0x%llx), expected "
				  "[0x%llx, 0x%llx)", i, (unsigned long long)r.base,
				  (unsigned long long)r.end,
				  (unsigned long long)pairs[2 * i],
				  (unsigned long long)pairs[2 * i + 1]);
	}
}
#define EXPECT(m, ...) do { \
		static const uint64_t p_[] = { __VA_ARGS__ }; \
		expect(__FILE__, __LINE__, m, p_, sizeof(p_) / sizeof(p_[0]) / 2); \
	} while (0)
#define EXPECT_EMPTY(m) expect(__FILE__, __LINE__, m, NULL, 0)

static void memmap_add_sorts_and_merges(void)
{
	struct memmap m;

	memmap_init(&m);
	EXPECT_EMPTY(&m);
	CHECK(memmap_add(&m, 0x5000, 0x6000));
	CHECK(memmap_add(&m, 0x1000, 0x2000));
	CHECK(memmap_add(&m, 0x3000, 0x4000));
	EXPECT(&m, 0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000);
	/* Adjacent ranges merge. */
	CHECK(memmap_add(&m, 0x2000, 0x3000));
	EXPECT(&m, 0x1000, 0x4000, 0x5000, 0x6000);
	/* Overlapping several at once. */
	CHECK(memmap_add(&m, 0x800, 0x5800));
	EXPECT(&m, 0x800, 0x6000);
	/* Inside an existing range: no change. */
	CHECK(memmap_add(&m, 0x1000, 0x2000));
	EXPECT(&m, 0x800, 0x6000);
	/* Empty and inverted ranges are no-ops. */
	CHECK(memmap_add(&m, 0x9000, 0x9000));
	CHECK(memmap_add(&m, 0x9000, 0x8000));
	EXPECT(&m, 0x800, 0x6000);
	CHECK_EQ(memmap_total(&m), 0x5800);
	CHECK(!m.overflowed);
}

static void memmap_remove_splits_and_trims(void)
{
	struct memmap m;

	memmap_init(&m);
	memmap_add(&m, 0x0, 0x10000);
	CHECK(memmap_remove(&m, 0x4000, 0x5000));	/* split */
	EXPECT(&m, 0x0, 0x4000, 0x5000, 0x10000);
	CHECK(memmap_remove(&m, 0x0, 0x1000));		/* trim the front */
	EXPECT(&m, 0x1000, 0x4000, 0x5000, 0x10000);
	CHECK(memmap_remove(&m, 0xF000, 0x20000));	/* trim the back */
	EXPECT(&m, 0x1000, 0x4000, 0x5000, 0xF000);
	CHECK(memmap_remove(&m, 0x3000, 0x6000));	/* across a hole */
	EXPECT(&m, 0x1000, 0x3000, 0x6000, 0xF000);
	CHECK(memmap_remove(&m, 0x7000, 0x7000));	/* empty: no-op */
	EXPECT(&m, 0x1000, 0x3000, 0x6000, 0xF000);
	CHECK(memmap_remove(&m, 0x20000, 0x30000));	/* nothing there */
	CHECK(memmap_remove(&m, 0x0, 0x8000));		/* whole and part */
	EXPECT(&m, 0x8000, 0xF000);
	CHECK(memmap_remove(&m, 0x0, UINT64_MAX));
	EXPECT_EMPTY(&m);
	CHECK_EQ(memmap_total(&m), 0);
}

static void memmap_clip_to_limit(void)
{
	struct memmap m;

	memmap_init(&m);
	memmap_add(&m, 0x100000, 0x8000000);
	memmap_add(&m, 0x100000000ull, 0x200000000ull);	/* above 4 GiB */
	memmap_add(&m, 0xFFFFFFFFFFFF0000ull, UINT64_MAX);
	memmap_clip(&m, 0x4000000);
	EXPECT(&m, 0x100000, 0x4000000);
	memmap_clip(&m, 0x100000);
	EXPECT_EMPTY(&m);
	CHECK(!m.overflowed);
}

/* A QEMU/BIOS-style map with overlapping and out-of-order entries, turned
 * into usable RAM the way boot code does it. */
static void memmap_bios_map_to_usable(void)
{
	static const struct { uint64_t base, len; uint32_t type; } e820[] = {
		{ 0x0,         0x9FC00,     1 },
		{ 0x9FC00,     0x400,       2 },
		{ 0xF0000,     0x10000,     2 },
		{ 0x100000,    0x7EE0000,   1 },
		{ 0x7FE0000,   0x20000,     2 },
		{ 0x7000000,   0x100000,    2 },	/* reserved inside RAM */
		{ 0x6F80000,   0x100000,    1 },	/* RAM overlapping it */
		{ 0xFFFC0000,  0x40000,     2 },
		{ 0x100000000, 0x40000000,  1 },	/* above PHYS_LIMIT */
	};
	struct memmap m;

	memmap_init(&m);
	for (size_t i = 0; i < sizeof(e820) / sizeof(e820[0]); i++)
		if (e820[i].type == 1)
			memmap_add(&m, e820[i].base, e820[i].base + e820[i].len);
	for (size_t i = 0; i < sizeof(e820) / sizeof(e820[0]); i++)
		if (e820[i].type != 1)
			memmap_remove(&m, e820[i].base, e820[i].base + e820[i].len);
	memmap_remove(&m, 0, 0x100000);			/* the first MiB */
	memmap_remove(&m, 0x100000, 0x180000);		/* the hypervisor */
	memmap_remove(&m, 0x180000, 0x1A0000);		/* the modules */
	memmap_clip(&m, PHYS_LIMIT);
	/* Reserved wins over RAM wherever they overlap. */
	EXPECT(&m, 0x1A0000, 0x7000000, 0x7100000, 0x7FE0000);
	CHECK_EQ(memmap_total(&m), (0x7000000 - 0x1A0000) + (0x7FE0000 - 0x7100000));
	CHECK(!m.overflowed);
}

static void memmap_add_overflow(void)
{
	struct memmap m;

	memmap_init(&m);
	for (unsigned i = 0; i < MEMMAP_CAPACITY; i++)
		CHECK(memmap_add(&m, i * 0x2000ull, i * 0x2000ull + 0x1000));
	CHECK_EQ(memmap_count(&m), MEMMAP_CAPACITY);
	CHECK(!m.overflowed);
	/* A new disjoint range does not fit and is left out... */
	CHECK(!memmap_add(&m, 0x10000000, 0x10001000));
	CHECK(m.overflowed);
	CHECK_EQ(memmap_count(&m), MEMMAP_CAPACITY);
	CHECK_EQ(memmap_total(&m), MEMMAP_CAPACITY * 0x1000ull);
	/* ...but one that merges needs no slot. */
	CHECK(memmap_add(&m, 0x1000, 0x2000));
	CHECK_EQ(memmap_count(&m), MEMMAP_CAPACITY - 1);
}

/* A split that does not fit removes too much, never too little. */
static void memmap_remove_overflow_is_safe(void)
{
	struct memmap m;
	uint64_t last = (MEMMAP_CAPACITY - 1) * 0x10000ull;

	memmap_init(&m);
	for (unsigned i = 0; i < MEMMAP_CAPACITY; i++)
		memmap_add(&m, i * 0x10000ull, i * 0x10000ull + 0x8000);
	CHECK(!memmap_remove(&m, last + 0x1000, last + 0x2000));
	CHECK(m.overflowed);
	struct mem_range r = memmap_get(&m, MEMMAP_CAPACITY - 1);

	CHECK_EQ(r.base, last);
	CHECK_EQ(r.end, last + 0x1000);
	/* Trims that need no split still work when full. */
	memmap_init(&m);
	for (unsigned i = 0; i < MEMMAP_CAPACITY; i++)
		memmap_add(&m, i * 0x10000ull, i * 0x10000ull + 0x8000);
	CHECK(memmap_remove(&m, 0x4000, 0x14000));
	CHECK(!m.overflowed);
	CHECK_EQ(memmap_get(&m, 0).end, 0x4000);
	CHECK_EQ(memmap_get(&m, 1).base, 0x14000);
}

static void memmap_get_out_of_range_asserts(void)
{
	struct memmap m;

	memmap_init(&m);
	CHECK_ASSERTS(memmap_get(&m, 0));
}

const struct unit_case memmap_cases[] = {
	UNIT_CASE(memmap_add_sorts_and_merges),
	UNIT_CASE(memmap_remove_splits_and_trims),
	UNIT_CASE(memmap_clip_to_limit),
	UNIT_CASE(memmap_bios_map_to_usable),
	UNIT_CASE(memmap_add_overflow),
	UNIT_CASE(memmap_remove_overflow_is_safe),
	UNIT_CASE(memmap_get_out_of_range_asserts),
	UNIT_END
};
