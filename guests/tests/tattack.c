/* Test guest: attacks on the Switcher from ring 1 that must have no effect
 * on the hypervisor: writes to its read-only pages (the guest's own #PF),
 * and junk written into the guest-writable regs page, whose trap frame the
 * Switcher rewrites on every exit before the host looks at it. The attacks
 * that must kill are in tkill.c. */
#include "tlib.h"

#define SW_TEXT   0xFFC00000u
#define SW_TEXT2  0xFFC01000u
#define SW_REGS   0xFFC02000u
#define SW_STATE  0xFFC03000u
#define FRAME     (SW_REGS + 4096 - 72)   /* struct guest_regs, 18 words */

static const char *write_faults(uint32_t va)
{
	static char why[120];
	uint32_t before = trec.count, old, now;
	const char *m;

	old = *(volatile uint32_t *)va;
	__asm__ volatile(PROBE_ARM "1: movl %1, (%0)\n2:"
			 :: "r"(va), "r"(~old) : "memory");
	now = *(volatile uint32_t *)va;
	m = t_trap_mismatch(before, 14, 3, probe_at);
	if (m)
		return m;
	if (trec.cr2 != va)
		rv_snprintf(why, sizeof(why), "cr2 0x%x", trec.cr2);
	else if (now != old)
		rv_snprintf(why, sizeof(why), "the word changed");
	else
		return NULL;
	return why;
}

TEST(write_switcher_text)
{
	const char *why = write_faults(SW_TEXT);

	CHECK(!why, "%s", why);
	why = write_faults(SW_TEXT2);
	CHECK(!why, "second page: %s", why);
}

TEST(write_switcher_state)
{
	const char *why = write_faults(SW_STATE);

	CHECK(!why, "%s", why);
	why = write_faults(SW_STATE + 4092);
	CHECK(!why, "last word: %s", why);
}

/* ring 1 cannot even reach past the Switcher's pages it may read */
TEST(switcher_unmapped_above)
{
	uint32_t before = trec.count;
	const char *why;

	__asm__ volatile(PROBE_ARM "1: movl 0xFFC10000, %%eax\n2:"
			 ::: "eax", "memory");
	why = t_trap_mismatch(before, 14, 0, probe_at);
	CHECK(!why, "%s", why);
}

static void junk_regs_page(uint32_t cs, uint32_t ss)
{
	volatile uint32_t *p = (volatile uint32_t *)SW_REGS;
	volatile uint32_t *f = (volatile uint32_t *)FRAME;

	for (unsigned i = 0; i < 1024; i++)
		p[i] = 0xDEAD0000 + i;
	f[14] = cs;             /* eip, cs, eflags, esp, ss at 13..17 */
	f[15] = 0x3000;         /* eflags: IOPL 3, IF 0 */
	f[16] = 0x1000;         /* esp */
	f[17] = ss;
	f[13] = 0;
	f[7] = f[8] = f[9] = f[10] = 0x58;  /* gs fs ds es: host data */
}

/* Bad CS/SS (the host's, RPL 0, LDT, null) and junk everywhere in the regs
 * page, then a hypercall, a fault and an interrupt: each exit rewrites the
 * frame, so nothing of it is used. */
TEST(regs_page_junk_no_effect)
{
	static const uint32_t sel[][2] = {
		{ 0x50, 0x58 }, { 0x08, 0x10 }, { 0x64, 0x6C }, { 0, 0 },
		{ 0x63, 0x6B },
	};
	uint32_t before = trec.count, ticks = rv_timer_ticks();

	for (unsigned i = 0; i < 5; i++) {
		junk_regs_page(sel[i][0], sel[i][1]);
		struct rv_counters c;
		t_get_counters(&c);
		CHECK(c.hypercalls > 0, "counters");
		junk_regs_page(sel[i][0], sel[i][1]);
		__asm__ volatile(PROBE_ARM "1: ud2\n2:" ::: "memory");
		junk_regs_page(sel[i][0], sel[i][1]);
		rv_sleep_ns(200000);        /* the timer interrupt, and HALT */
	}
	CHECK(trec.count == before + 5, "%u traps", trec.count - before);
	CHECK(rv_timer_ticks() == ticks + 5, "%u ticks",
	      rv_timer_ticks() - ticks);
	CHECK((t_eflags() & (EFLAGS_IOPL | EFLAGS_IF)) == EFLAGS_IF,
	      "eflags 0x%x", t_eflags());
}

/* The Switcher's text and state pages are readable (as in lguest): no
 * secret there, and reading changes nothing. */
TEST(switcher_pages_readable)
{
	uint32_t a = *(volatile uint32_t *)SW_TEXT;
	uint32_t b = *(volatile uint32_t *)SW_STATE;

	CHECK(a == *(volatile uint32_t *)SW_TEXT, "text changed");
	(void)b;
}

int main(int argc, char **argv)
{
	t_catch_all();
	return t_run_all(argc, argv);
}
