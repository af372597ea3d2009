/* Unit tests of arch/i386/acpi.c: finding the RSDP, walking RSDT/XSDT,
 * FADT and DSDT, and reading \_S5_ from AML, on made-up physical memory
 * whose every region is its own heap block (ASan sees any overrun), with
 * valid tables, lying lengths, bad checksums and truncated AML. */
#include <stdlib.h>
#include <string.h>
#include <arch/i386/acpi.h>
#include "harness.h"

/* Made-up physical memory: the first MiB (EBDA, BIOS area) and 64 KiB of
 * tables near the top of 128 MiB, as QEMU lays them out. */
#define LOW_END   0x100000u
#define HIGH      0x07FE0000u
#define HIGH_LEN  0x10000u
#define EBDA      0x9FC00u

static uint8_t *low, *high;

static const uint8_t *fake_map(void *ctx, uint32_t phys, uint32_t len)
{
	(void)ctx;
	if (len == 0)
		return NULL;
	if (phys < LOW_END && len <= LOW_END - phys)
		return low + phys;
	if (phys >= HIGH && phys - HIGH < HIGH_LEN && len <= HIGH_LEN - (phys - HIGH))
		return high + (phys - HIGH);
	return NULL;
}

static const struct acpi_mem mem = { fake_map, NULL };

static void fresh_memory(void)
{
	free(low);
	free(high);
	low = calloc(1, LOW_END);
	high = calloc(1, HIGH_LEN);
}

static uint8_t *at(uint32_t phys)
{
	return phys >= HIGH ? high + (phys - HIGH) : low + phys;
}

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t sum(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* A system description table: header, body, checksum. */
static void put_sdt(uint32_t phys, const char *sig, const void *body, uint32_t body_len)
{
	uint8_t *t = at(phys);

	memcpy(t, sig, 4);
	wr32(t + 4, 36 + body_len);
	t[8] = 1;
	memcpy(t + 10, "RVTEST", 6);
	memcpy(t + 36, body, body_len);
	t[9] = 0;
	t[9] = (uint8_t)-sum(t, 36 + body_len);
}

static void put_rsdp(uint32_t phys, uint32_t rsdt, uint8_t rev, uint32_t xsdt)
{
	uint8_t *r = at(phys);

	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "BOCHS ", 6);
	r[15] = rev;
	wr32(r + 16, rsdt);
	r[8] = 0;
	r[8] = (uint8_t)-sum(r, 20);
	if (rev >= 2) {
		wr32(r + 20, 36);
		wr32(r + 24, xsdt);
		wr32(r + 28, 0);
		r[32] = 0;
		r[32] = (uint8_t)-sum(r, 36);
	}
}

/* A FADT body (the table less its header) of the given total length. */
static void put_fadt(uint32_t phys, uint32_t len, uint32_t dsdt, uint32_t pm1a,
		     uint32_t pm1b)
{
	uint8_t body[276] = { 0 };

	wr32(body + 40 - 36, dsdt);
	wr32(body + 48 - 36, 0xB2);		/* SMI_CMD */
	body[52 - 36] = 0xF1;			/* ACPI_ENABLE */
	wr32(body + 64 - 36, pm1a);
	wr32(body + 68 - 36, pm1b);
	put_sdt(phys, "FACP", body, len - 36);
}

/* QEMU's: Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero }), here
 * with 5 and 6, behind a reference to _S5_ that is not a Name. */
static const uint8_t S5_AML[] = {
	0x10, 0x05, '\\', '_', 'S', 'B', '_',		/* a Scope, as junk */
	0x70, '_', 'S', '5', '_', 0x60,			/* Store (_S5_, Local0) */
	0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
	0x0A, 0x05, 0x0A, 0x06, 0x00, 0x00,
};

#define RSDT 0x07FE1000u
#define FADT 0x07FE2000u
#define DSDT 0x07FE3000u
#define APIC 0x07FE4000u
#define RSDP 0x000F5A30u

/* The tables QEMU's i440fx gives, in outline. */
static void qemu_like(void)
{
	uint8_t entries[8];

	fresh_memory();
	put_sdt(APIC, "APIC", "junk", 4);
	wr32(entries, APIC);
	wr32(entries + 4, FADT);
	put_sdt(RSDT, "RSDT", entries, 8);
	put_fadt(FADT, 116, DSDT, 0x604, 0);
	put_sdt(DSDT, "DSDT", S5_AML, sizeof(S5_AML));
	put_rsdp(RSDP, RSDT, 0, 0);
}

static void acpi_qemu_tables(void)
{
	struct acpi_sleep s;

	qemu_like();
	CHECK(acpi_find_sleep(&mem, EBDA, &s) == NULL);
	CHECK_EQ(s.rsdp, RSDP);
	CHECK_EQ(s.sdt, RSDT);
	CHECK(!s.xsdt);
	CHECK_EQ(s.fadt, FADT);
	CHECK_EQ(s.dsdt, DSDT);
	CHECK_STR(s.oem, "BOCHS ");
	CHECK_EQ(s.pm1a_cnt, 0x604);
	CHECK_EQ(s.pm1b_cnt, 0);
	CHECK_EQ(s.smi_cmd, 0xB2);
	CHECK_EQ(s.acpi_enable, 0xF1);
	CHECK_EQ(s.slp_typa, 5);
	CHECK_EQ(s.slp_typb, 6);
}

/* The EBDA's first KiB is searched first; past it, nothing there counts. */
static void acpi_rsdp_in_ebda_first(void)
{
	qemu_like();
	put_rsdp(EBDA + 0x40, RSDT, 0, 0);
	CHECK_EQ(acpi_find_rsdp(&mem, EBDA), EBDA + 0x40);
	CHECK_EQ(acpi_find_rsdp(&mem, 0), RSDP);
	fresh_memory();
	put_rsdp(EBDA + 1024, RSDT, 0, 0);
	CHECK_EQ(acpi_find_rsdp(&mem, EBDA), 0);
	/* Only 16-byte aligned signatures count. */
	fresh_memory();
	put_rsdp(0xE0008, RSDT, 0, 0);
	CHECK_EQ(acpi_find_rsdp(&mem, EBDA), 0);
	/* The very last slot of the BIOS area. */
	put_rsdp(0xFFFE0, RSDT, 0, 0);
	CHECK_EQ(acpi_find_rsdp(&mem, EBDA), 0xFFFE0);
}

static void acpi_rsdp_checksums(void)
{
	struct acpi_sleep s;

	qemu_like();
	at(RSDP)[16] ^= 1;			/* RSDT address, checksum now wrong */
	CHECK_STR(acpi_find_sleep(&mem, EBDA, &s), "no RSDP in the EBDA or at 0xE0000-0xFFFFF");
	/* Revision 2: the extended checksum must hold too. */
	qemu_like();
	put_rsdp(RSDP, RSDT, 2, 0);
	CHECK_EQ(acpi_find_rsdp(&mem, 0), RSDP);
	at(RSDP)[33] ^= 0x55;			/* reserved byte: only the extended sum sees it */
	CHECK_EQ(acpi_find_rsdp(&mem, 0), 0);
	/* An extended length that runs off the end of memory: a revision 2
	 * RSDP in the last 32 bytes below 1 MiB. */
	qemu_like();
	put_rsdp(0xE0000, RSDT, 2, 0);
	memset(at(RSDP), 0, 36);
	memmove(at(0xFFFE0), at(0xE0000), 32);
	memset(at(0xE0000), 0, 36);
	CHECK_EQ(acpi_find_rsdp(&mem, 0), 0);
}

static void acpi_xsdt_only(void)
{
	struct acpi_sleep s;
	uint8_t entries[16] = { 0 };

	qemu_like();
	wr32(entries, FADT);
	wr32(entries + 4, 1);			/* above 4 GiB: skipped */
	wr32(entries + 8, FADT);
	put_sdt(RSDT, "XSDT", entries, 16);
	put_rsdp(RSDP, 0, 2, RSDT);
	CHECK(acpi_find_sleep(&mem, 0, &s) == NULL);
	CHECK(s.xsdt);
	CHECK_EQ(s.fadt, FADT);
	CHECK_EQ(s.slp_typa, 5);
}

static void acpi_bad_rsdt(void)
{
	struct acpi_sleep s;
	const char *why = "the RSDT (or XSDT) is missing or fails its checks";

	qemu_like();
	put_rsdp(RSDP, 0x50000000, 0, 0);		/* not memory */
	CHECK_STR(acpi_find_sleep(&mem, 0, &s), why);
	put_rsdp(RSDP, 0xFFFFFFF0, 0, 0);		/* would wrap */
	CHECK_STR(acpi_find_sleep(&mem, 0, &s), why);
	put_rsdp(RSDP, HIGH + HIGH_LEN - 20, 0, 0);	/* header runs off the end */
	CHECK_STR(acpi_find_sleep(&mem, 0, &s), why);
	qemu_like();
	wr32(at(RSDT) + 4, HIGH_LEN);			/* a length past memory */
	CHECK_STR(acpi_find_sleep(&mem, 0, &s), why);
	wr32(at(RSDT) + 4, 12);				/* shorter than its header */
	CHECK_STR(acpi_find_sleep(&mem, 0, &s), why);
	qemu_like();
	at(RSDT)[40] ^= 1;				/* checksum */
	CHECK_STR(acpi_find_sleep(&mem, 0, &s), why);
	/* A length that is not a whole number of entries: the tail is ignored. */
	qemu_like();
	{
		uint8_t entries[7];
		wr32(entries, FADT);
		memset(entries + 4, 0xFF, 3);
		put_sdt(RSDT, "RSDT", entries, 7);
	}
	CHECK(acpi_find_sleep(&mem, 0, &s) == NULL);
}

static void acpi_bad_fadt(void)
{
	struct acpi_sleep s;

	qemu_like();
	at(FADT)[100] ^= 1;
	CHECK_STR(acpi_find_sleep(&mem, 0, &s), "no valid FADT (FACP) in the RSDT");
	qemu_like();
	put_fadt(FADT, 60, DSDT, 0x604, 0);
	CHECK_STR(acpi_find_sleep(&mem, 0, &s), "the FADT is too short for the PM1 control ports");
	qemu_like();
	put_fadt(FADT, 116, DSDT, 0, 0);
	CHECK_STR(acpi_find_sleep(&mem, 0, &s), "the FADT gives no PM1a control port");
	qemu_like();
	put_fadt(FADT, 116, 0x60000000, 0x604, 0);
	CHECK_STR(acpi_find_sleep(&mem, 0, &s), "the DSDT is missing or fails its checks");
}

/* ACPI 2.0 FADT with only the X_ fields: a system-I/O GAS is used, a
 * memory-space one is not a port. */
static void acpi_fadt_x_fields(void)
{
	struct acpi_sleep s;
	uint8_t *f;

	qemu_like();
	put_fadt(FADT, 244, 0, 0, 0);
	f = at(FADT);
	wr32(f + 140, DSDT);				/* X_DSDT */
	f[172] = 1;					/* X_PM1a_CNT: system I/O */
	wr32(f + 176, 0x1804);
	f[184] = 1;					/* X_PM1b_CNT */
	wr32(f + 188, 0x1808);
	f[9] = 0;
	f[9] = (uint8_t)-sum(f, 244);
	CHECK(acpi_find_sleep(&mem, 0, &s) == NULL);
	CHECK_EQ(s.dsdt, DSDT);
	CHECK_EQ(s.pm1a_cnt, 0x1804);
	CHECK_EQ(s.pm1b_cnt, 0x1808);
	f[172] = 0;					/* system memory: no port */
	f[9] = 0;
	f[9] = (uint8_t)-sum(f, 244);
	CHECK_STR(acpi_find_sleep(&mem, 0, &s), "the FADT gives no PM1a control port");
}

static void acpi_dsdt_without_s5(void)
{
	struct acpi_sleep s;
	static const uint8_t aml[] = { 0x08, '_', 'S', '4', '_', 0x12, 0x04, 0x02, 0x01, 0x01 };

	qemu_like();
	put_sdt(DSDT, "DSDT", aml, sizeof(aml));
	CHECK_STR(acpi_find_sleep(&mem, 0, &s),
		  "the DSDT has no \\_S5_ package with SLP_TYP values");
}

/* acpi_aml_s5 on an exactly sized heap copy, so ASan catches any read
 * past len. */
static bool s5(const uint8_t *aml, size_t len, uint8_t *a, uint8_t *b)
{
	uint8_t *copy = malloc(len ? len : 1);
	bool ok;

	memcpy(copy, aml, len);
	ok = acpi_aml_s5(copy, (uint32_t)len, a, b);
	free(copy);
	return ok;
}

static void aml_s5_forms(void)
{
	uint8_t a = 9, b = 9;
	/* \_S5_ with a root prefix, Word and One elements. */
	static const uint8_t rooted[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x02,
					  0x0B, 0x07, 0x00, 0x01 };
	/* A two-byte PkgLength (0x40 | 2, then 1: 0x12 = 18), Ones, DWord. */
	uint8_t two[24] = { 0x08, '_', 'S', '5', '_', 0x12, 0x42, 0x01, 0x02,
			    0xFF, 0x0C, 0x03, 0x00, 0x00, 0x00 };
	/* One element only: SLP_TYPb reads as 0. */
	static const uint8_t one[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0A, 0x07 };
	static const uint8_t none[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00 };
	static const uint8_t not_int[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0D, 0x41 };
	static const uint8_t not_pkg[] = { 0x08, '_', 'S', '5', '_', 0x0A, 0x05 };
	/* The package claims more bytes than the AML has. */
	static const uint8_t too_long[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x30, 0x02, 0x00, 0x00 };
	/* The elements run past the package's own end. */
	static const uint8_t past_pkg[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02, 0x0A,
					    0x05, 0x0A, 0x05 };

	CHECK(s5(rooted, sizeof(rooted), &a, &b));
	CHECK_EQ(a, 7);
	CHECK_EQ(b, 1);
	CHECK(s5(two, sizeof(two), &a, &b));
	CHECK_EQ(a, 7);			/* Ones & 7 */
	CHECK_EQ(b, 3);
	CHECK(s5(one, sizeof(one), &a, &b));
	CHECK_EQ(a, 7);
	CHECK_EQ(b, 0);
	CHECK(!s5(none, sizeof(none), &a, &b));
	CHECK(!s5(not_int, sizeof(not_int), &a, &b));
	CHECK(!s5(not_pkg, sizeof(not_pkg), &a, &b));
	CHECK(!s5(too_long, sizeof(too_long), &a, &b));
	CHECK(!s5(past_pkg, sizeof(past_pkg), &a, &b));
	CHECK(!s5((const uint8_t *)"", 0, &a, &b));
	CHECK(!s5((const uint8_t *)"_S5", 3, &a, &b));
	/* "_S5_" at the very start has no NameOp before it. */
	CHECK(!s5(rooted + 2, sizeof(rooted) - 2, &a, &b));
}

/* Every prefix of valid AML: never a read past its end, and no \_S5_
 * until the whole package is there. */
static void aml_s5_truncated(void)
{
	uint8_t a, b;

	for (size_t n = 0; n < sizeof(S5_AML); n++)
		CHECK(!s5(S5_AML, n, &a, &b));
	CHECK(s5(S5_AML, sizeof(S5_AML), &a, &b));
	/* And with every byte of the package changed to every value. */
	for (size_t i = 13; i < sizeof(S5_AML); i++)
		for (unsigned v = 0; v < 256; v++) {
			uint8_t m[sizeof(S5_AML)];
			memcpy(m, S5_AML, sizeof(m));
			m[i] = (uint8_t)v;
			(void)s5(m, sizeof(m), &a, &b);
		}
}

const struct unit_case acpi_cases[] = {
	UNIT_CASE(acpi_qemu_tables),
	UNIT_CASE(acpi_rsdp_in_ebda_first),
	UNIT_CASE(acpi_rsdp_checksums),
	UNIT_CASE(acpi_xsdt_only),
	UNIT_CASE(acpi_bad_rsdt),
	UNIT_CASE(acpi_bad_fadt),
	UNIT_CASE(acpi_fadt_x_fields),
	UNIT_CASE(acpi_dsdt_without_s5),
	UNIT_CASE(aml_s5_forms),
	UNIT_CASE(aml_s5_truncated),
	UNIT_END
};
