/* The hypervisor's clock: the TSC, calibrated once against PIT channel 2,
 * and its conversion to nanoseconds by a multiply and shift. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <lib/log.h>
#include <param.h>

uint32_t tsc_khz;

/* tsc_to_ns(c) = (c * tsc_mult) >> tsc_shift, with tsc_mult a 32-bit
 * fixed-point value of nanoseconds per cycle, scaled by 2^tsc_shift. */
static uint32_t tsc_mult;
static uint32_t tsc_shift;
static uint64_t tsc_base;	/* TSC at the end of calibration: time zero */

/* PIT ticks in the calibration window (11931 for 10 ms). */
#define TSC_CAL_TICKS ((uint32_t)((uint64_t)PIT_HZ * TSC_CALIBRATE_MS / 1000u))

/* Bounds the wait for the PIT, so a machine whose channel 2 never counts
 * gets a panic rather than a silent hang. Each poll is a port read, about
 * a microsecond on real hardware, so this is far beyond the window. */
#define TSC_CAL_MAX_POLLS 50000000u

/* Converts a count of TSC cycles into nanoseconds. Any context; valid
 * after tsc_calibrate().
 *
 * c = hi * 2^32 + lo, and shift <= 32, so
 *   (c * mult) >> shift = ((hi * mult) << (32 - shift)) + ((lo * mult) >> shift)
 * exactly. Each product is 32 x 32 -> 64 bits (one MUL on i386), and the
 * first term only overflows when the result does: after centuries. */
uint64_t tsc_to_ns(uint64_t cycles)
{
	uint32_t hi = (uint32_t)(cycles >> 32);
	uint32_t lo = (uint32_t)cycles;
	uint64_t ns_hi = ((uint64_t)hi * tsc_mult) << (32 - tsc_shift);
	uint64_t ns_lo = ((uint64_t)lo * tsc_mult) >> tsc_shift;

	return ns_hi + ns_lo;
}

/* Nanoseconds since tsc_calibrate() returned. Any context. */
uint64_t time_ns(void)
{
	return tsc_to_ns(rdtsc() - tsc_base);
}

/* Chooses tsc_mult/tsc_shift for tsc_khz: the largest shift <= 32 whose
 * multiplier, 10^6 * 2^shift / khz (ns per cycle, scaled), still fits in
 * 32 bits. That keeps at least 31 significant bits (an error below one
 * part in 10^9) for any TSC from 1 MHz to beyond 4 GHz. Boot time only,
 * so the 64-bit division (libgcc) is fine here. */
static void tsc_choose_scale(void)
{
	uint32_t shift = 32;
	uint64_t mult;

	for (;;) {
		mult = ((uint64_t)1000000u << shift) / tsc_khz;
		if (mult <= 0xffffffffu || shift == 0)
			break;
		shift--;
	}
	ASSERT(mult <= 0xffffffffu);
	tsc_mult = (uint32_t)mult;
	tsc_shift = shift;
}

/* Measures the TSC rate against PIT channel 2 over TSC_CALIBRATE_MS, sets
 * tsc_khz and the conversion, and starts time_ns() at zero. Call once at
 * boot with interrupts disabled, before timer_init(); needs nothing of the
 * PIT's channel 0 and leaves it alone.
 *
 * The TSC is read once just after the stopwatch starts and once when the
 * PIT reports its end, so the error is a poll or two (~1 us in 10 ms).
 * Under QEMU both clocks come from the same source, host time for plain
 * TCG and the instruction counter under -icount, so the result is that
 * model's TSC rate. */
void tsc_calibrate(void)
{
	uint64_t start, end;
	uint32_t polls = 0;

	_Static_assert(TSC_CAL_TICKS >= 1000 && TSC_CAL_TICKS <= 0xffff,
		       "TSC_CALIBRATE_MS must fit one PIT count (1..54 ms)");
	pit_ch2_start((uint16_t)TSC_CAL_TICKS);
	start = rdtsc();
	while (!pit_ch2_expired()) {
		if (++polls == TSC_CAL_MAX_POLLS)
			panic("tsc: PIT channel 2 never reached its terminal count");
	}
	end = rdtsc();

	/* khz = cycles / (ticks / PIT_HZ) / 1000 */
	uint64_t khz = (end - start) * PIT_HZ / ((uint64_t)TSC_CAL_TICKS * 1000u);
	if (khz == 0 || khz > 0xffffffffu)
		panic("tsc: calibration measured %llu kHz, which cannot be right",
		      (unsigned long long)khz);
	tsc_khz = (uint32_t)khz;
	tsc_choose_scale();
	tsc_base = rdtsc();
	pr_info("tsc: %u kHz (calibrated against the PIT over %u ms)",
		tsc_khz, TSC_CALIBRATE_MS);
}
