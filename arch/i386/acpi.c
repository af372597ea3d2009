/* ACPI table parsing for the power-off: RSDP, RSDT/XSDT, FADT, and the
 * DSDT's \_S5_ package. Pure: every byte comes through struct acpi_mem,
 * and every length a table states is checked before it is believed. */
#include <arch/i386/acpi.h>
#include <lib/lib.h>

#define SDT_HEADER      36	/* signature, length, revision, checksum, ... */
#define RSDP_V1_LEN     20
#define RSDP_V2_LEN     36
#define SDT_MAX_LEN     (1u << 20)	/* no real table is longer: a bound */

/* FADT fields (ACPI 6.4, table 5.9): byte offsets. */
#define FADT_DSDT       40
#define FADT_SMI_CMD    48
#define FADT_ACPI_ENABLE 52
#define FADT_PM1A_CNT   64
#define FADT_PM1B_CNT   68
#define FADT_X_DSDT     140
#define FADT_X_PM1A_CNT 172	/* Generic Address Structures, 12 bytes */
#define FADT_X_PM1B_CNT 184
#define GAS_SYSTEM_IO   1

/* AML opcodes (ACPI 6.4, 20.2). */
#define AML_ZERO        0x00
#define AML_ONE         0x01
#define AML_NAME        0x08
#define AML_BYTE        0x0A
#define AML_WORD        0x0B
#define AML_DWORD       0x0C
#define AML_QWORD       0x0E
#define AML_PACKAGE     0x12
#define AML_ONES        0xFF

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }

static bool sums_to_zero(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum += p[i];
	return sum == 0;
}

static bool is_rsdp(const struct acpi_mem *mem, uint32_t phys)
{
	const uint8_t *p = mem->map(mem->ctx, phys, RSDP_V1_LEN);

	if (!p || memcmp(p, "RSD PTR ", 8) || !sums_to_zero(p, RSDP_V1_LEN))
		return false;
	if (p[15] < 2)
		return true;
	/* ACPI 2.0+: the extended checksum covers the stated length too. */
	const uint8_t *x = mem->map(mem->ctx, phys, RSDP_V2_LEN);
	uint32_t len = x ? rd32(x + 20) : 0;
	if (!x || len < RSDP_V2_LEN || len > 4096)
		return false;
	x = mem->map(mem->ctx, phys, len);
	return x && sums_to_zero(x, len);
}

/* The range is mapped once and its first bytes looked at directly: the
 * scan visits thousands of places, and nearly all fail on the first. */
static uint32_t scan(const struct acpi_mem *mem, uint32_t from, uint32_t to)
{
	from = ALIGN_UP(from, 16);
	if (to < from + RSDP_V1_LEN)
		return 0;
	const uint8_t *p = mem->map(mem->ctx, from, to - from);

	for (uint32_t a = from; a + RSDP_V1_LEN <= to; a += 16)
		if ((!p || p[a - from] == 'R') && is_rsdp(mem, a))
			return a;
	return 0;
}

uint32_t acpi_find_rsdp(const struct acpi_mem *mem, uint32_t ebda)
{
	uint32_t at = 0;

	if (ebda)
		at = scan(mem, ebda, ebda + 1024);
	return at ? at : scan(mem, 0xE0000, 0x100000);
}

/* The table at phys with signature sig, whole and with a good checksum;
 * its length in *len. NULL if not. */
static const uint8_t *table(const struct acpi_mem *mem, uint32_t phys,
			    const char *sig, uint32_t *len)
{
	const uint8_t *h = phys ? mem->map(mem->ctx, phys, SDT_HEADER) : NULL;

	if (!h || memcmp(h, sig, 4))
		return NULL;
	*len = rd32(h + 4);
	if (*len < SDT_HEADER || *len > SDT_MAX_LEN)
		return NULL;
	const uint8_t *t = mem->map(mem->ctx, phys, *len);
	return t && sums_to_zero(t, *len) ? t : NULL;
}

/* The FADT's address among the RSDT's (4-byte) or XSDT's (8-byte) entries;
 * an XSDT entry above 4 GiB is skipped. 0 if none. */
static uint32_t find_fadt(const struct acpi_mem *mem, const uint8_t *sdt,
			  uint32_t len, unsigned entry)
{
	for (uint32_t off = SDT_HEADER; off + entry <= len; off += entry) {
		uint32_t phys = rd32(sdt + off);
		uint32_t len2;

		if (entry == 8 && rd32(sdt + off + 4))
			continue;
		if (table(mem, phys, "FACP", &len2))
			return phys;
	}
	return 0;
}

/* A 32-bit field of the FADT, or its 64-bit X_ form when the first is 0
 * and the table is long enough; 0 if neither. For a port, the X_ form is
 * a Generic Address Structure that must name system I/O. */
static uint32_t fadt_addr(const uint8_t *f, uint32_t len, unsigned off, unsigned x_off,
			  bool gas)
{
	if (off + 4 <= len && rd32(f + off))
		return rd32(f + off);
	if (gas) {
		if (x_off + 12 > len || f[x_off] != GAS_SYSTEM_IO || rd32(f + x_off + 8))
			return 0;
		return rd32(f + x_off + 4);
	}
	if (x_off + 8 > len || rd32(f + x_off + 4))
		return 0;
	return rd32(f + x_off);
}

const char *acpi_find_sleep(const struct acpi_mem *mem, uint32_t ebda,
			    struct acpi_sleep *out)
{
	uint32_t len;

	memset(out, 0, sizeof(*out));
	out->rsdp = acpi_find_rsdp(mem, ebda);
	if (!out->rsdp)
		return "no RSDP in the EBDA or at 0xE0000-0xFFFFF";
	const uint8_t *rsdp = mem->map(mem->ctx, out->rsdp, RSDP_V1_LEN);
	memcpy(out->oem, rsdp + 9, 6);
	out->revision = rsdp[15];

	const uint8_t *sdt = NULL;
	out->sdt = rd32(rsdp + 16);
	if (out->sdt)
		sdt = table(mem, out->sdt, "RSDT", &len);
	if (!sdt && out->revision >= 2) {
		const uint8_t *x = mem->map(mem->ctx, out->rsdp, RSDP_V2_LEN);
		if (!rd32(x + 28)) {
			out->sdt = rd32(x + 24);
			out->xsdt = true;
			sdt = table(mem, out->sdt, "XSDT", &len);
		}
	}
	if (!sdt)
		return "the RSDT (or XSDT) is missing or fails its checks";

	out->fadt = find_fadt(mem, sdt, len, out->xsdt ? 8 : 4);
	const uint8_t *f = out->fadt ? table(mem, out->fadt, "FACP", &len) : NULL;
	if (!f)
		return "no valid FADT (FACP) in the RSDT";
	if (len < FADT_PM1B_CNT + 4)
		return "the FADT is too short for the PM1 control ports";
	out->pm1a_cnt = (uint16_t)fadt_addr(f, len, FADT_PM1A_CNT, FADT_X_PM1A_CNT, true);
	out->pm1b_cnt = (uint16_t)fadt_addr(f, len, FADT_PM1B_CNT, FADT_X_PM1B_CNT, true);
	out->smi_cmd = (uint16_t)rd32(f + FADT_SMI_CMD);
	out->acpi_enable = f[FADT_ACPI_ENABLE];
	if (!out->pm1a_cnt)
		return "the FADT gives no PM1a control port";

	out->dsdt = fadt_addr(f, len, FADT_DSDT, FADT_X_DSDT, false);
	const uint8_t *d = table(mem, out->dsdt, "DSDT", &len);
	if (!d)
		return "the DSDT is missing or fails its checks";
	if (!acpi_aml_s5(d + SDT_HEADER, len - SDT_HEADER, &out->slp_typa, &out->slp_typb))
		return "the DSDT has no \\_S5_ package with SLP_TYP values";
	return NULL;
}

/* One integer element of a package at aml[*i]; advances *i. */
static bool aml_integer(const uint8_t *aml, uint32_t end, uint32_t *i, uint32_t *v)
{
	static const uint8_t size[] = { [AML_BYTE] = 1, [AML_WORD] = 2, [AML_DWORD] = 4,
					[AML_QWORD] = 8 };
	uint8_t op;

	if (*i >= end)
		return false;
	op = aml[(*i)++];
	if (op == AML_ZERO || op == AML_ONE || op == AML_ONES) {
		*v = op == AML_ONES ? 0xFFFFFFFFu : op;
		return true;
	}
	if (op >= sizeof(size) || !size[op] || end - *i < size[op])
		return false;
	*v = 0;
	for (unsigned k = 0; k < size[op] && k < 4; k++)
		*v |= (uint32_t)aml[*i + k] << (8 * k);
	*i += size[op];
	return true;
}

/* Is aml[at..] "Name(_S5_, Package(...){a, b, ...})", the NameOp before
 * "_S5_" possibly with a root prefix '\'? Reads a and b if so. */
static bool s5_at(const uint8_t *aml, uint32_t len, uint32_t at, uint8_t *a, uint8_t *b)
{
	uint32_t i = at + 4;

	if (!(at >= 1 && aml[at - 1] == AML_NAME) &&
	    !(at >= 2 && aml[at - 1] == '\\' && aml[at - 2] == AML_NAME))
		return false;
	if (i >= len || aml[i++] != AML_PACKAGE || i >= len)
		return false;
	/* PkgLength (20.2.4): bits 7-6 of the lead byte count the bytes
	 * that follow it; the length counts from the lead byte itself. */
	uint32_t start = i, follow = aml[i] >> 6;
	uint32_t pkg = follow ? aml[i] & 0x0F : aml[i] & 0x3F;
	if (len - i < 1 + follow)
		return false;
	for (uint32_t k = 1; k <= follow; k++)
		pkg |= (uint32_t)aml[i + k] << (4 + 8 * (k - 1));
	i += 1 + follow;
	if (pkg < 1 + follow + 1 || pkg > len - start)
		return false;
	uint32_t end = start + pkg;
	uint32_t count = aml[i++], va, vb = 0;
	if (count < 1 || !aml_integer(aml, end, &i, &va))
		return false;
	if (count >= 2 && !aml_integer(aml, end, &i, &vb))
		return false;
	*a = va & 7;
	*b = vb & 7;
	return true;
}

bool acpi_aml_s5(const uint8_t *aml, uint32_t len, uint8_t *a, uint8_t *b)
{
	for (uint32_t at = 0; len >= 4 && at <= len - 4; at++)
		if (aml[at] == '_' && !memcmp(aml + at, "_S5_", 4) &&
		    s5_at(aml, len, at, a, b))
			return true;
	return false;
}
