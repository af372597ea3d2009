/* The hypervisor's clock: the TSC, measured against free-running PIT
 * channel 2 over a short window at boot and refined over a longer span in
 * the background, and its conversion to nanoseconds (one fixed-point
 * multiply).
 *
 * The rate's error (docs/design.md, "The TSC's rate"). Both ends of every
 * span are PIT counter changes ("edges"), so the count of ticks between
 * them is exact; what is uncertain is where each edge falls on the TSC:
 * somewhere between two successive latches of the counter, a poll apart,
 * which the TSC itself measures. The bound is therefore measured at each
 * boot, not assumed: (half the poll bracketing the first edge + half that
 * of the last) / the span, plus 0.5 / tsc_khz for rounding to whole kHz.
 * The boot window ends as soon as that bound is at most TSC_CAL_MAX_PPM
 * and the window is at least TSC_CAL_MIN_US long; tsc_refine() then
 * extends the span to some 64 s (samples at 1, 2, 4, ... s, from the timer
 * interrupt), reading the counter once per sample and unwrapping it with
 * the TSC, so the bound falls as 1/span. Relative to the PIT's crystal,
 * that is: its own tolerance (tens of ppm on real boards, none under QEMU)
 * is not ours to remove. CPUID leaves 0x15 and 0x16 are not used: not
 * every CPU QEMU models has them. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <lib/log.h>
#include <param.h>

/* Keeps the compiler from moving memory accesses across it. */
#define barrier() __asm__ volatile("" : : : "memory")

uint32_t tsc_khz;

/* The conversion, in two copies: readers use the one `live` points at;
 * an update fills the other and then moves the pointer (one aligned
 * 32-bit store), so a reader an update interrupts finishes with a whole
 * copy, old or new. Updates come at least a second apart, from the timer
 * interrupt, so no reader is interrupted by two. time_ns() = (rdtsc() -
 * tsc_base) * mult / 2^32, with mult nanoseconds per cycle in 32.32 fixed
 * point. An update picks the new copy's tsc_base so that the new scale
 * gives "now" the time the old one did (at most a cycle ahead): time
 * stays continuous and monotonic, with no second base to add on the hot
 * path. */
struct tsc_scale {
	uint64_t tsc_base;
	uint32_t mult_hi, mult_lo;
};
static struct tsc_scale scales[2];
static const struct tsc_scale *volatile live = &scales[0];

/* Polls of the PIT before it is taken as not counting: a panic rather
 * than a silent hang. One tick is under a microsecond; one poll is at
 * least a port access, about a microsecond on real hardware. */
#define TSC_EDGE_MAX_POLLS 1000000u

/* The PIT ticks from the first edge to the latest sample, and that
 * sample, for tsc_refine(). */
static struct {
	uint64_t tsc0;		/* TSC at the first edge (its bracket's middle) */
	uint64_t half0;		/* half its bracket, in cycles */
	uint64_t ticks;		/* PIT ticks from the first edge to the sample */
	uint64_t last_tsc;	/* TSC of the latest sample */
	uint16_t last_count;	/* channel 2's count at it */
	uint32_t err_ppb;	/* the bound on tsc_khz now, parts per 10^9 */
	uint32_t interval_ms;	/* until the next sample */
} ref;

/* The TSC at which the next sample is due; none before tsc_calibrate(). */
static uint64_t refine_due = UINT64_MAX;

/* cycles * mult / 2^32, with c = ch * 2^32 + cl and mult = mh * 2^32 + ml:
 *   ch*mh * 2^32 + ch*ml + cl*mh + (cl*ml) / 2^32,
 * exact but for the last term's fraction (under a nanosecond). Three
 * 32 x 32 -> 64-bit MULs and one 32-bit one, no variable shifts; the first
 * term only overflows when the result does, after centuries. */
static uint64_t scale(uint64_t cycles, const struct tsc_scale *sc)
{
	uint32_t ch = (uint32_t)(cycles >> 32), cl = (uint32_t)cycles;
	uint32_t mh = sc->mult_hi, ml = sc->mult_lo;

	return ((uint64_t)(ch * mh) << 32) + (uint64_t)ch * ml + (uint64_t)cl * mh +
	       (((uint64_t)cl * ml) >> 32);
}

/* Converts a count of TSC cycles into nanoseconds. Any context; valid
 * after tsc_calibrate(). */
uint64_t tsc_to_ns(uint64_t cycles)
{
	return scale(cycles, live);
}

/* Nanoseconds since tsc_calibrate() returned. Any context. */
uint64_t time_ns(void)
{
	const struct tsc_scale *sc = live;

	return scale(rdtsc() - sc->tsc_base, sc);
}

/* Sets sc's multiplier for tsc_khz: nanoseconds per cycle in 32.32 fixed
 * point, 10^6 * 2^32 / khz, rounded: off by at most 2^-33 ns a cycle,
 * half a part in 10^9 at 4 GHz, less below. The 64-bit division (libgcc)
 * runs at boot and at tsc_refine()'s few changes, never on a hot path. */
static void tsc_choose_scale(struct tsc_scale *sc)
{
	uint64_t mult = (((uint64_t)1000000u << 32) + tsc_khz / 2) / tsc_khz;

	sc->mult_hi = (uint32_t)(mult >> 32);
	sc->mult_lo = (uint32_t)mult;
}

/* a * b / c for a 64-bit a and 32-bit b and c, through a 96-bit product;
 * the quotient must fit in 64 bits. */
static uint64_t mul_div(uint64_t a, uint32_t b, uint32_t c)
{
	uint64_t lo = (uint64_t)(uint32_t)a * b;
	uint64_t hi = (a >> 32) * b + (lo >> 32);
	uint64_t q_hi = hi / c, r = hi % c;
	uint64_t q_lo = ((r << 32) | (uint32_t)lo) / c;

	return (q_hi << 32) + q_lo;
}

/* Sets the rate to khz from now on, keeping time_ns() continuous: fills
 * the copy readers do not use, with the base that maps now to the time
 * the old copy gives it (moved back a cycle at a time should rounding
 * leave it short: never backwards), then points readers at it.
 * Interrupts disabled. */
static void tsc_set_khz(uint32_t khz)
{
	const struct tsc_scale *old = live;
	struct tsc_scale *next = &scales[old == &scales[0]];
	uint64_t now = rdtsc();
	uint64_t ns = scale(now - old->tsc_base, old);

	tsc_khz = khz;
	tsc_choose_scale(next);
	next->tsc_base = now - mul_div(ns, khz, 1000000u);
	while (scale(now - next->tsc_base, next) < ns)
		next->tsc_base--;
	barrier();
	live = next;
}

/* khz = cycles / (ticks / PIT_HZ) / 1000, rounded; and its bound in ppb,
 * the brackets' halves over the span plus the rounding, rounded up. */
static uint64_t rate_khz(uint64_t cycles, uint64_t ticks)
{
	return (cycles * PIT_HZ + ticks * 500u) / (ticks * 1000u);
}

static uint32_t rate_err_ppb(uint64_t halves, uint64_t cycles, uint64_t khz)
{
	uint64_t ppb = (halves * 1000000000u + cycles - 1) / cycles;

	ppb += (500000000u + khz - 1) / khz;
	return (uint32_t)MIN(ppb, 0xffffffffu);
}

/* One PIT edge: where channel 2's count changed, on the TSC. */
struct pit_edge {
	uint64_t tsc;		/* the middle of the bracket */
	uint64_t half;		/* half the bracket, in cycles */
	uint16_t count;		/* the count just after the edge */
};

/* Polls channel 2 until its count differs from `from` and returns that
 * edge. The change happened after the previous poll's latch and before
 * this one's, so it lies between the TSC read before the previous poll
 * and the TSC read after this one: a poll and a bit. Interrupts
 * disabled. */
static void edge_after(uint16_t from, struct pit_edge *e)
{
	uint64_t before_prev = rdtsc();
	uint32_t polls = 0;

	for (;;) {
		uint64_t before = rdtsc();
		uint16_t c = pit_ch2_count();

		if (c != from) {
			uint64_t after = rdtsc();

			e->half = (after - before_prev) / 2;
			e->tsc = before_prev + e->half;
			e->count = c;
			return;
		}
		before_prev = before;
		if (++polls == TSC_EDGE_MAX_POLLS)
			panic("tsc: PIT channel 2 is not counting");
	}
}

/* The boot window: measures the TSC rate between two PIT edges at least
 * TSC_CAL_MIN_US apart, going on edge by edge until the bound is at most
 * TSC_CAL_MAX_PPM (or TSC_CAL_MAX_US has passed), sets tsc_khz and the
 * conversion, and starts time_ns() at zero. Call once at boot with
 * interrupts disabled, before timer_init(); PIT channel 2 is the
 * hypervisor's from here on (nothing else touches it), channel 0 is left
 * alone. Under QEMU both clocks come from one source (host time for
 * plain TCG, the instruction counter under -icount), so the result is
 * that model's TSC rate. */
void tsc_calibrate(void)
{
	const uint64_t min_ticks = (uint64_t)PIT_HZ * TSC_CAL_MIN_US / 1000000u;
	const uint64_t max_ticks = (uint64_t)PIT_HZ * TSC_CAL_MAX_US / 1000000u;
	struct pit_edge first, last;
	uint64_t ticks = 0, cycles;
	uint32_t ppb;

	pit_ch2_free_run();
	edge_after(pit_ch2_count(), &first);
	last = first;
	for (;;) {
		uint16_t from = last.count;

		edge_after(from, &last);
		ticks += (uint16_t)(from - last.count);
		cycles = last.tsc - first.tsc;
		if (ticks < min_ticks)
			continue;
		ppb = rate_err_ppb(first.half + last.half, cycles, rate_khz(cycles, ticks));
		if (ppb <= TSC_CAL_MAX_PPM * 1000u || ticks >= max_ticks)
			break;
	}

	uint64_t khz = rate_khz(cycles, ticks);
	if (khz == 0 || khz > 0xffffffffu)
		panic("tsc: calibration measured %llu kHz, which cannot be right",
		      (unsigned long long)khz);
	tsc_khz = (uint32_t)khz;
	tsc_choose_scale(&scales[0]);
	scales[0].tsc_base = rdtsc();
	ref.tsc0 = first.tsc;
	ref.half0 = first.half;
	ref.ticks = ticks;
	ref.last_tsc = last.tsc;
	ref.last_count = last.count;
	ref.err_ppb = rate_err_ppb(first.half + last.half, cycles, khz);
	ref.interval_ms = TSC_REFINE_FIRST_MS;
	refine_due = rdtsc() + (uint64_t)TSC_REFINE_FIRST_MS * tsc_khz;
	pr_info("tsc: %u kHz, within %u ppm (PIT window of %llu us; refined in the "
		"background)", tsc_khz, (ref.err_ppb + 999) / 1000,
		(unsigned long long)(ticks * 1000000u / PIT_HZ));
}

/* One background sample: reads channel 2's count once, works out the
 * whole ticks since the last sample (the TSC predicts them, the count
 * gives them modulo 65536, so a prediction off by less than half a wrap,
 * 27 ms, finds the exact figure), and sets tsc_khz from the span since
 * the boot window's first edge. Returns the milliseconds until the next
 * sample, doubling each time, or 0 once the span reaches
 * TSC_REFINE_SPAN_S: the bound is then a few parts in 10^7, mostly the
 * kHz rounding, and further samples change nothing. A sample whose own
 * bracket is long (the machine was elsewhere: an SMI, a preempted QEMU)
 * is skipped; a prediction too uncertain to unwrap starts the span again
 * from this sample, keeping the rate it had. */
static uint32_t tsc_refine(void)
{
	uint64_t before = rdtsc();
	uint16_t count = pit_ch2_count();
	uint64_t after = rdtsc();
	uint64_t half = (after - before) / 2, now = before + half;

	if (after - before > (uint64_t)tsc_khz * TSC_SAMPLE_MAX_US / 1000u)
		return ref.interval_ms;

	uint64_t pred = (now - ref.last_tsc) * PIT_HZ / ((uint64_t)tsc_khz * 1000u);
	uint64_t slack = pred * ref.err_ppb / 1000000000u + 2;
	if (slack >= 16384) {
		pr_warn("tsc: lost the PIT's wrap count; refining again from now");
		ref.tsc0 = now;
		ref.half0 = half;
		ref.ticks = 0;
		ref.last_tsc = now;
		ref.last_count = count;
		ref.interval_ms = TSC_REFINE_FIRST_MS;
		return ref.interval_ms;
	}
	uint16_t residue = (uint16_t)(ref.last_count - count);
	int16_t off = (int16_t)(uint16_t)(residue - (uint16_t)pred);
	ref.ticks += (uint64_t)((int64_t)pred + off);
	ref.last_tsc = now;
	ref.last_count = count;

	uint64_t cycles = now - ref.tsc0;
	uint64_t khz = rate_khz(cycles, ref.ticks);
	uint32_t ppb = rate_err_ppb(ref.half0 + half, cycles, khz);
	if (ppb < ref.err_ppb && khz > 0 && khz <= 0xffffffffu) {
		ref.err_ppb = ppb;
		if (khz != tsc_khz)
			tsc_set_khz((uint32_t)khz);
	}
	if (cycles / tsc_khz >= TSC_REFINE_SPAN_S * 1000ull) {
		pr_debug("tsc: %u kHz, within %u ppb (refined over %llu s)", tsc_khz,
			 ref.err_ppb, (unsigned long long)(cycles / tsc_khz / 1000u));
		return 0;
	}
	ref.interval_ms *= 2;
	return ref.interval_ms;
}

/* The background refinement's clock: takes a sample when one is due.
 * Called from the timer interrupt (core/timer.c), interrupts disabled;
 * the PIT's one-shot is never armed for more than 55 ms, so a sample is
 * at most that late. A TSC read and a compare when none is due: cheaper
 * than an event of its own in the timer queue, whose every operation
 * would carry it. */
void tsc_refine_if_due(void)
{
	if (rdtsc() < refine_due)
		return;
	uint32_t ms = tsc_refine();
	refine_due = ms ? rdtsc() + (uint64_t)ms * tsc_khz : UINT64_MAX;
}
