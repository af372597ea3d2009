/* The isolation oracles. Before the guests start, the hypervisor records
 * checksums of everything a guest must never change: its own GDT, IDT and
 * TSS, CR0 and CR4, the Switcher's text and its page tables, a canary area
 * in its own memory, and the count of free frames. After the last guest
 * has ended it compares them, and each guest's memory is bracketed by two
 * guard frames whose pattern is checked when the guest is destroyed. Any
 * difference is printed as "ringvisor: oracle: ESCAPE: ..." and fails the
 * run: an escape is a hypervisor bug, whatever the guest reported. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <core/oracle.h>
#include <lib/log.h>
#include <mm/frame.h>
#include <switcher/switcher.h>

#define CANARY_WORDS 1024
#define PATTERN(i)   (0x5EC0DE00u ^ ((uint32_t)(i) * 2654435761u))

struct snapshot {
	uint32_t gdt, idt, tss, cr0, cr4, switcher_text, switcher_pts, canary;
	uint32_t frames_free;
};

static uint32_t canary[CANARY_WORDS];
static struct snapshot before;
static unsigned guard_escapes;

static uint32_t sum_words(const uint32_t *w, size_t n)
{
	uint32_t s = 0x811C9DC5u;

	for (size_t i = 0; i < n; i++)
		s = (s ^ w[i]) * 16777619u;
	return s;
}

static void take(struct snapshot *s)
{
	s->gdt = desc_gdt_checksum();
	s->idt = idt_checksum();
	s->tss = desc_tss_checksum();
	s->cr0 = read_cr0() & ~CR0_TS;		/* TS moves with the lazy FPU */
	s->cr4 = read_cr4();
	s->switcher_text = sum_words((const uint32_t *)switcher_text_start,
				     (switcher_text_end - switcher_text_start) / 4);
	s->switcher_pts = switcher_checksum();
	s->canary = sum_words(canary, CANARY_WORDS);
	s->frames_free = frame_free_count();
}

/* Called once the Switcher is mapped and before any guest exists. */
void oracle_snapshot(void)
{
	for (unsigned i = 0; i < CANARY_WORDS; i++)
		canary[i] = PATTERN(i);
	take(&before);
}

void oracle_guard_fill(uint32_t pa)
{
	uint32_t *w = (uint32_t *)pa;

	for (unsigned i = 0; i < PAGE_SIZE / 4; i++)
		w[i] = PATTERN(i + pa);
}

/* True if the guard frame at pa still holds its pattern. */
bool oracle_guard_check(uint32_t pa, const char *guest, const char *where)
{
	const uint32_t *w = (const uint32_t *)pa;

	for (unsigned i = 0; i < PAGE_SIZE / 4; i++) {
		if (w[i] != PATTERN(i + pa)) {
			pr_err("oracle: ESCAPE: the guard frame %s guest %s's memory changed "
			       "at %08x", where, guest, pa + i * 4);
			guard_escapes++;
			return false;
		}
	}
	return true;
}

static unsigned differ(const char *what, uint32_t was, uint32_t now)
{
	if (was == now)
		return 0;
	pr_err("oracle: ESCAPE: %s changed (%08x, was %08x)", what, now, was);
	return 1;
}

static unsigned compare(const struct snapshot *now)
{
	unsigned escapes = 0;

	escapes += differ("the host GDT", before.gdt, now->gdt);
	escapes += differ("the host IDT", before.idt, now->idt);
	escapes += differ("the host TSS", before.tss, now->tss);
	escapes += differ("CR0", before.cr0, now->cr0);
	escapes += differ("CR4", before.cr4, now->cr4);
	escapes += differ("the Switcher's text", before.switcher_text, now->switcher_text);
	escapes += differ("the Switcher's page tables", before.switcher_pts, now->switcher_pts);
	escapes += differ("the Switcher's guest-writable pages", 0, switcher_writable_extra());
	escapes += differ("the hypervisor's canary", before.canary, now->canary);
	return escapes;
}

/* When one guest has ended, while others may still run: everything but
 * the frame counts, which other guests still hold. Escapes are printed
 * naming the guest, and counted for the final check. */
void oracle_check_guest(const char *guest)
{
	struct snapshot now;

	take(&now);
	unsigned escapes = compare(&now);
	if (escapes) {
		pr_err("oracle: %u escape%s found when guest %s ended", escapes,
		       escapes == 1 ? "" : "s", guest);
		guard_escapes += escapes;
	}
}

/* A guest was just destroyed: its frames must all be back now, not when
 * the last guest ends. expect_free is the free count before its
 * destruction plus what it held (core/guest.c: guest_frames_held); the
 * bitmap's own recount must agree with the counter. The recount goes in
 * pieces (ORACLE_SCAN_PIECE bitmap words): call oracle_frames_step until
 * it returns true, with interrupt windows between, and nothing allocating
 * or freeing frames meanwhile. */
void oracle_frames_begin(struct oracle_frames *c, const char *guest, uint32_t expect_free)
{
	*c = (struct oracle_frames){ .guest = guest, .expect_free = expect_free,
				     .count = frame_free_count() };
}

bool oracle_frames_step(struct oracle_frames *c)
{
	if (!frame_scan_step(&c->scan, ORACLE_SCAN_PIECE))
		return false;
	ASSERT(frame_free_count() == c->count);
	if (c->count != c->expect_free || c->scan.free != c->count) {
		pr_err("oracle: ESCAPE: guest %s's frames did not all come back: %u free, "
		       "%u expected, %u by a scan", c->guest, c->count, c->expect_free,
		       c->scan.free);
		guard_escapes++;
	}
	return true;
}

/* After every guest has ended and been destroyed: the number of escapes
 * found, each already printed. */
unsigned oracle_check(void)
{
	struct snapshot now;
	unsigned escapes = guard_escapes;

	take(&now);
	escapes += compare(&now);
	escapes += differ("the free-frame count", before.frames_free, now.frames_free);
	escapes += differ("the free-frame scan", before.frames_free, frame_scan_free());
	if (!escapes)
		pr_info("oracle: intact (GDT, IDT, TSS, CR0, CR4, Switcher text and page "
			"tables, canary, guard frames, %u free frames)", now.frames_free);
	return escapes;
}
