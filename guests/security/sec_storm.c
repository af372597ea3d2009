/* Security catalogue, denial of service: a guest that never stops doing
 * one thing, until cpu_limit= ends it. Argument: the storm.
 *   spin     never halts           irqoff   virtual IF off, spinning
 *   hcall    FLUSH_ASYNC forever   fault    #UD forever (own handler)
 *   console  output forever        intirq   int $0x20 (#GP) forever
 *   pfault   #PF forever (own handler, a shadow miss each time) */
#include "rv.h"

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void skip2(struct rv_regs *r)
{
	r->eip += 2;            /* ud2, int $0x20 */
}

static void skip_pf(struct rv_regs *r)
{
	r->eip += 6;            /* movl 0x00F00000, %eax (a1 + abs32 = 5) + nop */
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "spin";
	static const char line[] = "storm storm storm storm storm storm storm storm\n";

	rv_printf("storm %s\n", m);
	if (streq(m, "irqoff"))
		rv_irq_disable();
	if (streq(m, "fault"))
		rv_set_handler(6, skip2, RV_GATE_INTR);
	if (streq(m, "intirq"))
		rv_set_handler(13, skip2, RV_GATE_INTR);
	if (streq(m, "pfault"))
		rv_set_handler(14, skip_pf, RV_GATE_INTR);
	for (;;) {
		if (streq(m, "hcall"))
			rv_hcall0(HC_FLUSH_ASYNC);
		else if (streq(m, "fault"))
			__asm__ volatile("ud2" ::: "memory");
		else if (streq(m, "intirq"))
			__asm__ volatile("int $0x20" ::: "memory");
		else if (streq(m, "pfault"))
			__asm__ volatile("movl 0x00F00000, %%eax\n\tnop" ::: "eax", "memory");
		else if (streq(m, "console"))
			rv_console_write(line, sizeof(line) - 1);
		else
			__asm__ volatile("pause");
	}
}
