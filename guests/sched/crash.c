/* A guest that crashes: with no #PF handler of its own it writes to an
 * address its memory does not reach, so the hypervisor kills it. */
#include "rv.h"

int main(int argc, char **argv)
{
	(void)argc, (void)argv;
	rv_printf("about to crash\n");
	rv_hcall3(HC_LOAD_IDT_ENTRY, 14, 0, 0);	/* no #PF handler any more */
	*(volatile uint32_t *)0x7FFFF000 = 1;
	return 0;
}
