/* Generates build/asm-offsets.h: the offsets switcher.S uses, computed
 * from the C structures so that no offset is ever typed twice. Compiled
 * with -S only; the Makefile turns the "->NAME value" markers into
 * #defines. */
#include <switcher/switcher.h>

#define DEFINE(sym, val) \
	__asm__ volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))
#define OFFSET(sym, type, member) DEFINE(sym, offsetof(type, member))

void asm_offsets(void);
void asm_offsets(void)
{
	OFFSET(RP_regs, struct regs_page, regs);
	OFFSET(GR_trapnum, struct guest_regs, trapnum);
	OFFSET(ST_gdt, struct state_page, gdt);
	OFFSET(ST_guest_gdt_desc, struct state_page, guest_gdt_desc);
	OFFSET(ST_guest_idt_desc, struct state_page, guest_idt_desc);
	OFFSET(ST_host_gdt_desc, struct state_page, host_gdt_desc);
	OFFSET(ST_host_idt_desc, struct state_page, host_idt_desc);
	OFFSET(ST_host_cr3, struct state_page, host_cr3);
	OFFSET(ST_host_sp, struct state_page, host_sp);
	DEFINE(X86_CR0_WP, CR0_WP);
}
