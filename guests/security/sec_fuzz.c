/* The hypercall fuzzer: mostly valid call numbers with hostile arguments,
 * and now and then a wholly random call (which usually kills it). Run as
 * many modules with on_crash=restart on_exit=restart restarts=N: each
 * incarnation makes up to `calls` calls and exits 0; a death is counted by
 * its kill line and the module goes on as a new incarnation.
 *
 * Arguments: seed=S calls=N. A restarted guest gets the same command line,
 * so each incarnation's seed is S mixed with the TSC at start (under
 * -icount the TSC, and so every seed, is the same on every run). The
 * incarnation prints its seed; `-- seed=X calls=N fixed` replays it.
 * Every FUZZ_MARK calls it prints "fuzz: FUZZ_MARK" on a line of its own,
 * so the calls of an incarnation that dies count too (to its last mark). */
#include "rv.h"

#define FUZZ_MARK 250  /* calls between two progress lines */

static uint32_t state;

static uint32_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 17;
	state ^= state << 5;
	return state;
}

static uint32_t pick(const uint32_t *v, unsigned n)
{
	return v[rnd() % n];
}

static uint32_t num(const char *s)
{
	uint32_t v = 0;

	if (s[0] == '0' && s[1] == 'x')
		for (s += 2; *s; s++)
			v = v * 16 + (uint32_t)(*s <= '9' ? *s - '0' : (*s | 32) - 'a' + 10);
	else
		while (*s >= '0' && *s <= '9')
			v = v * 10 + (uint32_t)(*s++ - '0');
	return v;
}

#define MEM_TOP_GUESS 0x00200000u       /* modules run with mem=2M */
static uint8_t scratch[8192] __attribute__((aligned(4096)));
static uint32_t tls[6];

/* A hostile but legal-looking value for an address or length. */
static uint32_t edge(void)
{
	static const uint32_t e[] = {
		0, 1, 0xFFF, 0x1000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
		0xFFFFF000, 0xFFC00000, 0xFFC02000, 0xFFC03000, 0xFFBFFFFF,
		MEM_TOP_GUESS - 1, MEM_TOP_GUESS, 0x00100000, 0x000FFFFC,
	};
	return rnd() & 1 ? pick(e, sizeof(e) / 4) : rnd();
}

/* A memory (S=1) descriptor with random fields, or an absent one; rarely
 * one with DPL 2. */
static void mem_desc(uint32_t *lo, uint32_t *hi)
{
	*lo = rnd();
	*hi = (rnd() & ~0x00001000u) | 0x1000;
	if (rnd() & 3)
		*hi |= 0x8000;
	else
		*hi &= ~0x8000u;
	/* DPL 2 kills (ring 2 is refused): only now and then, so a guest
	 * lives long enough to reach the other calls */
	if ((*hi & 0x6000) == 0x4000 && (rnd() & 255))
		*hi |= 0x6000;
}

static uint32_t gdt_index(void)
{
	static const uint32_t ok[] = { 0, 1, 2, 3, 4, 5, 9, 10, 11, 14, 15, 16,
				       17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
				       27, 28, 29, 30, 31 };
	return pick(ok, sizeof(ok) / 4);
}

/* Fill some async slots with harmless calls and odd statuses. */
static void fuzz_ring(void)
{
	static const uint32_t safe[] = { HC_FLUSH_ASYNC, HC_FLUSH_TLB, HC_TS,
					 HC_SEND_INTERRUPTS, HC_SET_CLOCKEVENT };
	unsigned n = rnd() % 8;

	for (unsigned i = 0; i < n; i++)
		rv_hcall_async(pick(safe, 5), rnd() & 0xFFFF, rnd(), rnd(), rnd());
	/* statuses that are neither pending nor done are never run */
	for (unsigned i = 0; i < 4; i++) {
		unsigned s = rnd() % LHCALL_RING_SIZE;
		uint8_t st = rv_lguest_data.hcall_status[s];
		if (st == HCALL_STATUS_DONE)
			rv_lguest_data.hcall_status[s] = (uint8_t)(1 + rnd() % 0xFE);
	}
}

static void restore_ring(void)
{
	for (unsigned i = 0; i < LHCALL_RING_SIZE; i++)
		if (rv_lguest_data.hcall_status[i] != HCALL_STATUS_PENDING)
			rv_lguest_data.hcall_status[i] = HCALL_STATUS_DONE;
}

static void one_call(void)
{
	uint32_t r = rnd() % 1000, lo, hi;

	if (r < 2) {                    /* anything at all: usually lethal */
		/* a timer first, so a random HALT wakes again */
		rv_hcall1(HC_SET_CLOCKEVENT, 1000000);
		rv_hcall4(rnd() % 130, edge(), edge(), edge(), edge());
		return;
	}
	switch (rnd() % 15) {
	case 0:
		fuzz_ring();
		rv_hcall0(HC_FLUSH_ASYNC);
		restore_ring();
		break;
	case 1:
		rv_hcall1(HC_FLUSH_TLB, rnd() & 1 ? rnd() : rnd() & 1);
		break;
	case 2: {                       /* vectors nothing raises */
		uint32_t v = 48 + rnd() % 208;
		if (v == 0x80)
			v = 0x81;
		rv_hcall3(HC_LOAD_IDT_ENTRY, v, rnd(), rnd());
		break;
	}
	case 3:                         /* the host's own vectors: ignored */
		rv_hcall3(HC_LOAD_IDT_ENTRY, pick((const uint32_t[]){ 2, 8, 15, 31 }, 4),
			  rnd(), rnd());
		break;
	case 4:
		rv_hcall1(HC_TS, rnd());
		rv_hcall1(HC_TS, 0);
		break;
	case 5:
		rv_hcall1(HC_SET_CLOCKEVENT, rnd() & 1 ? rnd() : rnd() % 100000);
		break;
	case 6:
		rv_hcall3(HC_SET_PTE, rnd() & 1 ? edge() : (rnd() % 256) << 12,
			  edge(), rnd() & ~0x80u);
		break;
	case 7:
		rv_hcall2(HC_SET_PGD, rnd() & 1 ? edge() : (rnd() % 256) << 12,
			  rnd() % 1024);
		break;
	case 8:
		for (unsigned i = 0; i < 3; i++)
			mem_desc(&tls[2 * i], &tls[2 * i + 1]);
		rv_hcall2(HC_LOAD_TLS, rv_gpa(tls), rnd() % 2);
		break;
	case 9:
		mem_desc(&lo, &hi);
		rv_hcall3(HC_LOAD_GDT_ENTRY, gdt_index(), lo, hi);
		break;
	case 10:
		rv_hcall0(HC_SEND_INTERRUPTS);
		break;
	case 11: {                      /* printable bytes, lengths 0..16 */
		uint32_t off = rnd() % 4096, len = rnd() % 17;
		for (uint32_t i = 0; i < len; i++)
			scratch[off + i] = (uint8_t)('a' + rnd() % 26);
		rv_hcall2(HC_RV_CONSOLE_WRITE, rv_gpa(scratch + off), len ? len : 0);
		break;
	}
	case 12:
		rv_hcall2(HC_RV_CONSOLE_READ, rv_gpa(scratch + rnd() % 4096),
			  rnd() % 4096);
		break;
	case 13:
		rv_hcall1(HC_RV_COUNTERS, rv_gpa(scratch + rnd() % 4096));
		break;
	default:
		rv_hcall3(HC_SET_STACK, GUEST_DS, rv_gpa(scratch) + 8192, 2);
		break;
	}
}

int main(int argc, char **argv)
{
	uint32_t seed = 1, calls = 1000, fixed = 0;

	for (int i = 1; i < argc; i++) {
		if (!memcmp(argv[i], "seed=", 5))
			seed = num(argv[i] + 5);
		else if (!memcmp(argv[i], "calls=", 6))
			calls = num(argv[i] + 6);
		else if (!memcmp(argv[i], "fixed", 6))
			fixed = 1;
	}
	if (!fixed) {
		uint32_t lo, hi;
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		seed = seed * 2654435761u ^ lo ^ (hi << 7);
	}
	state = seed ? seed : 1;
	rv_printf("fuzz: seed=0x%x calls=%u\n", seed, calls);
	for (uint32_t n = 1; n <= calls; n++) {
		one_call();
		if (n % FUZZ_MARK == 0)         /* a killed one still counts */
			rv_printf("\nfuzz: %u\n", FUZZ_MARK);
	}
	rv_printf("fuzz: %u calls done\n", calls);
	return 0;
}
