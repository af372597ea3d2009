/* Finding how to power the machine off through ACPI: the tables from the
 * RSDP to the DSDT's \_S5_ object. Pure parsing (no port, no paging), so
 * it also runs on the host under the sanitizers (test/unit/test_acpi.c). */
#ifndef RV_ARCH_ACPI_H
#define RV_ARCH_ACPI_H

#include <types.h>

/* Physical memory as the parser may read it: map(ctx, phys, len) returns
 * the len bytes at phys, or NULL when they are not all readable. Every
 * read goes through it, so no table can lead the parser outside. */
struct acpi_mem {
	const uint8_t *(*map)(void *ctx, uint32_t phys, uint32_t len);
	void *ctx;
};

/* What the power-off needs, and where it was found. */
struct acpi_sleep {
	uint32_t rsdp, sdt, fadt, dsdt;	/* physical addresses of the tables */
	bool xsdt;			/* sdt is the XSDT (no RSDT given) */
	uint8_t revision;		/* the RSDP's */
	char oem[7];			/* the RSDP's OEM ID, NUL-terminated */
	uint16_t pm1a_cnt, pm1b_cnt;	/* PM1 control ports; pm1b 0 = none */
	uint16_t smi_cmd;		/* 0: the machine is always in ACPI mode */
	uint8_t acpi_enable;		/* the value for smi_cmd that enters it */
	uint8_t slp_typa, slp_typb;	/* \_S5_'s first two values (3 bits) */
};

/* The PM1 control register's fields (ACPI 6.4, 4.8.3.2.1). */
#define ACPI_PM1_SCI_EN    0x0001u
#define ACPI_PM1_SLP_TYP   0x1C00u
#define ACPI_PM1_SLP_TYP_SHIFT 10
#define ACPI_PM1_SLP_EN    0x2000u

/* acpi.c */

/* The RSDP's physical address: the first 16-byte aligned "RSD PTR " with
 * a good checksum in the EBDA's first KiB (ebda: its base, 0 = none),
 * then in 0xE0000-0xFFFFF. 0 when there is none. */
uint32_t acpi_find_rsdp(const struct acpi_mem *mem, uint32_t ebda);

/* Walks RSDP -> RSDT (or XSDT) -> FADT ("FACP") -> DSDT -> \_S5_, checking
 * every table's signature, length and checksum. NULL on success, with
 * *out filled; otherwise a fixed string saying what is missing or wrong
 * (*out then holds what was found before it). */
const char *acpi_find_sleep(const struct acpi_mem *mem, uint32_t ebda,
			    struct acpi_sleep *out);

/* Finds the \_S5_ package in AML bytes (a DSDT's body) and reads its
 * first two integers into *a and *b (b = 0 when the package has one).
 * Every byte read is bounds-checked against len. True if found. */
bool acpi_aml_s5(const uint8_t *aml, uint32_t len, uint8_t *a, uint8_t *b);

#endif
