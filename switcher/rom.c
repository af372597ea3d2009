/* The ROM page: per guest, one read-only code page at SWITCHER_ROM whose
 * stubs let the CPU deliver an interrupt-gate vector (4.9's int $0x80 and
 * its exceptions) straight to the guest's handler, without the host.
 *
 * An interrupt gate must clear the virtual IF, which a direct trap gate
 * cannot do; so the real gate for such a vector is a ring-1 trap gate to a
 * slot here (traps/idt.c), and the slot copies the virtual IF into the
 * pushed EFLAGS, clears it and jumps to the handler (switcher/rom.S).
 * A slot names irq_enabled through SWITCHER_LDATA, the per-guest alias of
 * the guest's own lguest_data frame, so each guest's copy carries its own
 * alias address and handlers: the host patches them when the guest's gate
 * changes. The page runs only in ring 1, with no more power than the
 * guest's own kernel code; traps/reflect.c keeps virtual interrupts out
 * of it. */
#include <abi.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <switcher/switcher.h>

/* switcher/rom.S */
extern const uint8_t rom_template[], rom_template_btr_end[], rom_template_jc_end[],
	rom_template_end[];
extern const uint8_t rom_template_err[], rom_template_err_btr_end[],
	rom_template_err_jc_end[], rom_template_err_end[];

#define INT3 0xCC

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A fresh ROM page: int3 everywhere, until a gate asks for a slot. */
void rom_init(uint8_t *rom)
{
	memset(rom, INT3, PAGE_SIZE);
}

/* Where a slot reaches irq_enabled for lguest_data at guest-physical gpa:
 * its offset in the alias page, or 0 if the word crosses a page boundary
 * (then the alias cannot hold it and the guest keeps the host path). */
uint32_t rom_irq_alias(uint32_t lguest_data_gpa)
{
	uint32_t off = (lguest_data_gpa + offsetof(struct lguest_data, irq_enabled)) &
		       ~PAGE_MASK;

	return off <= PAGE_SIZE - sizeof(uint32_t) ? SWITCHER_LDATA + off : 0;
}

/* Write slot `slot` of rom for a vector with (error_code) or without a
 * CPU error code: irq_enabled at irq_va (rom_irq_alias), then a jump to
 * handler. Returns the slot's address in the guest, for its gate. The
 * guest is not running (the host writes its own mapping of the frame). */
uint32_t rom_set_slot(uint8_t *rom, unsigned slot, bool error_code, uint32_t irq_va,
		      uint32_t handler)
{
	const uint8_t *t = error_code ? rom_template_err : rom_template;
	const uint8_t *btr_end = error_code ? rom_template_err_btr_end : rom_template_btr_end;
	const uint8_t *jc_end = error_code ? rom_template_err_jc_end : rom_template_jc_end;
	uint32_t n = (error_code ? rom_template_err_end : rom_template_end) - t;
	uint32_t btr = btr_end - t, jc = jc_end - t;
	uint32_t at = slot * ROM_SLOT_SIZE, va = SWITCHER_ROM + at;
	uint8_t *p = rom + at;

	ASSERT(slot < ROM_SLOTS && n <= ROM_SLOT_SIZE && irq_va - SWITCHER_LDATA < PAGE_SIZE);
	/* The templates' placeholders: where the patches go. */
	ASSERT(get32(t + btr - 5) == 0 && t[btr - 1] == 9 && t[jc - 6] == 0x0F &&
	       t[jc - 5] == 0x82 && t[n - 5] == 0xE9);
	memcpy(p, t, n);
	put32(p + btr - 5, irq_va);
	put32(p + jc - 4, handler - (va + jc));
	put32(p + n - 4, handler - (va + n));
	return va;
}
