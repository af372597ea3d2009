/* The CMOS real-time clock (MC146818): read once at boot, then advanced by
 * the TSC, which gives guests their wall-clock time. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <lib/log.h>

#define CMOS_INDEX   0x70
#define CMOS_DATA    0x71
#define NMI_DISABLE  0x80	/* bit 7 of the index port masks NMI */

#define RTC_SEC      0x00
#define RTC_MIN      0x02
#define RTC_HOUR     0x04
#define RTC_DAY      0x07
#define RTC_MONTH    0x08
#define RTC_YEAR     0x09
#define RTC_STATUS_A 0x0A	/* bit 7: an update is in progress */
#define RTC_STATUS_B 0x0B	/* bit 2: binary (not BCD); bit 1: 24-hour */
#define RTC_CENTURY  0x32	/* the usual (ACPI FADT default) century byte */

static uint64_t boot_epoch_ns;	/* wall clock at time_ns() == 0 */

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, NMI_DISABLE | reg);
	return inb(CMOS_DATA);
}

static unsigned from_bcd(uint8_t v, bool binary)
{
	return binary ? v : (v & 0x0F) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), by the standard
 * shifted-year calculation: March is month 0, so leap days fall last. */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
	y -= m <= 2;
	unsigned era = y / 400, yoe = y % 400;
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (uint64_t)era * 146097 + doe - 719468;
}

/* Read the clock twice outside an update cycle until both reads agree,
 * so no field is taken half-way through a carry. */
void rtc_init(void)
{
	uint8_t now[7], again[7];
	const uint8_t regs[7] = { RTC_SEC, RTC_MIN, RTC_HOUR, RTC_DAY, RTC_MONTH,
				  RTC_YEAR, RTC_CENTURY };
	unsigned tries = 0;

	do {
		for (unsigned spin = 0; (cmos_read(RTC_STATUS_A) & 0x80) && spin < 1000000; spin++)
			;
		for (unsigned i = 0; i < 7; i++)
			now[i] = cmos_read(regs[i]);
		for (unsigned i = 0; i < 7; i++)
			again[i] = cmos_read(regs[i]);
	} while (__builtin_memcmp(now, again, sizeof(now)) && ++tries < 5);

	uint8_t status_b = cmos_read(RTC_STATUS_B);
	bool binary = status_b & 0x04;
	unsigned hour = from_bcd(now[2] & 0x7F, binary);
	if (!(status_b & 0x02) && (now[2] & 0x80))	/* 12-hour clock, PM */
		hour = (hour % 12) + 12;
	unsigned century = from_bcd(now[6], binary);
	unsigned year = from_bcd(now[5], binary) + (century >= 19 && century <= 21 ? century * 100 : 2000);
	uint64_t days = days_from_civil(year, from_bcd(now[4], binary), from_bcd(now[3], binary));
	uint64_t secs = days * 86400 + hour * 3600 + from_bcd(now[1], binary) * 60 +
			from_bcd(now[0], binary);

	boot_epoch_ns = secs * 1000000000ull - time_ns();
	pr_info("rtc: %04u-%02u-%02u %02u:%02u:%02u UTC", year, from_bcd(now[4], binary),
		from_bcd(now[3], binary), hour, from_bcd(now[1], binary), from_bcd(now[0], binary));
}

uint64_t wallclock_ns(void)
{
	return boot_epoch_ns + time_ns();
}
