/* Ending the machine. With exit=qemu, QEMU's isa-debug-exit port carries
 * the verdict (tests). Otherwise, or if that port does nothing, ACPI
 * powers the machine off: the tables are read once at boot, while paging
 * is still off (acpi.c), and the end is two port writes. Where ACPI is
 * missing or does not work, the machine says "halted" and halts. */
#include <arch/i386/acpi.h>
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <lib/log.h>
#include <param.h>

static bool debug_exit;
static bool acpi_ready;
static struct acpi_sleep acpi;

/* Port reads of PM1a_CNT while waiting for SCI_EN, and spins after the
 * sleep command before it is taken as failed (each io_delay is about a
 * microsecond on real hardware; QEMU acts on the write at once). */
#define ACPI_ENABLE_POLLS  100000
#define ACPI_OFF_SPINS     1000000

void power_set_debug_exit(bool on)
{
	debug_exit = on;
}

/* Paging is off: physical memory is readable as it is, up to 4 GiB. */
static const uint8_t *phys_map(void *ctx, uint32_t phys, uint32_t len)
{
	(void)ctx;
	if (len == 0 || phys + len - 1 < phys)
		return NULL;
	return (const uint8_t *)phys;
}

/* Boot time, before paging_init(): find the ACPI power-off. The EBDA's
 * segment is the BIOS data area's word at 0x40E. */
void power_init(void)
{
	static const struct acpi_mem mem = { phys_map, NULL };
	uint32_t bda_ebda = 0x40E;

	/* Hidden from GCC, which takes a constant low address for NULL. */
	__asm__("" : "+r"(bda_ebda));
	uint32_t ebda = (uint32_t)*(volatile uint16_t *)bda_ebda << 4;

	if (ebda < 0x80000 || ebda >= 0xA0000)
		ebda = 0;		/* not where an EBDA can be */
	const char *why = acpi_find_sleep(&mem, ebda, &acpi);
	if (why) {
		pr_warn("acpi: %s; the machine will halt at the end instead of "
			"powering off", why);
		return;
	}
	acpi_ready = true;
	pr_debug("acpi: RSDP at 0x%08x (revision %u, OEM \"%s\"), %s at 0x%08x, "
		 "FADT at 0x%08x, DSDT at 0x%08x", acpi.rsdp, acpi.revision, acpi.oem,
		 acpi.xsdt ? "XSDT" : "RSDT", acpi.sdt, acpi.fadt, acpi.dsdt);
	pr_info("acpi: power-off through PM1a_CNT 0x%x%s, \\_S5_ SLP_TYP %u/%u",
		acpi.pm1a_cnt, acpi.pm1b_cnt ? " and PM1b_CNT" : "", acpi.slp_typa,
		acpi.slp_typb);
}

void arch_halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

/* ACPI mode first, if the firmware left the machine in legacy mode:
 * ACPI_ENABLE to SMI_CMD, then wait for SCI_EN (ACPI 6.4, 4.8.2.1). */
static bool acpi_mode(void)
{
	if (inw(acpi.pm1a_cnt) & ACPI_PM1_SCI_EN)
		return true;
	if (!acpi.smi_cmd || !acpi.acpi_enable)
		return false;
	outb(acpi.smi_cmd, acpi.acpi_enable);
	for (unsigned i = 0; i < ACPI_ENABLE_POLLS; i++)
		if (inw(acpi.pm1a_cnt) & ACPI_PM1_SCI_EN)
			return true;
		else
			io_delay();
	return false;
}

static void acpi_sleep_s5(uint16_t port, uint8_t slp_typ)
{
	uint16_t v = inw(port) & ~(ACPI_PM1_SLP_TYP | ACPI_PM1_SLP_EN);

	outw(port, v | (uint16_t)(slp_typ << ACPI_PM1_SLP_TYP_SHIFT) | ACPI_PM1_SLP_EN);
}

void arch_poweroff(int code)
{
	cli();
	if (debug_exit)
		outb(DEBUG_EXIT_PORT, (uint8_t)code);	/* QEMU exits: (code << 1) | 1 */
	if (acpi_ready) {
		kprintf("ringvisor: power off (ACPI S5)\n");
		if (!acpi_mode())
			pr_warn("acpi: the machine would not enter ACPI mode");
		/* SLP_TYPb goes to PM1b first: both must be written for the
		 * transition, and it starts on the write to PM1a. */
		if (acpi.pm1b_cnt)
			acpi_sleep_s5(acpi.pm1b_cnt, acpi.slp_typb);
		acpi_sleep_s5(acpi.pm1a_cnt, acpi.slp_typa);
		for (unsigned i = 0; i < ACPI_OFF_SPINS; i++)
			io_delay();
		pr_warn("acpi: the power-off did not happen");
	}
	kprintf("ringvisor: halted\n");
	arch_halt_forever();
}
