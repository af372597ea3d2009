/* A bystander: runs beside the attack guests on its own page tables and
 * prints only what its own work decides, so its lines must be the same
 * whether it runs alone or in a crowd. It fills pages with a pattern,
 * sleeps on the timer, and checks each round that nothing else touched
 * them. */
#include "ptlib.h"

#define ROUNDS 12
#define PAGES  16
#define BVA    0x50000000u

int main(int argc, char **argv)
{
	uint32_t *dir, sum = 0, bad = 0;

	(void)argc, (void)argv;
	pt_catch_faults();
	dir = pt_new_dir(PT_P | PT_RW);
	for (uint32_t p = 0; p < PAGES; p++)
		*pt_pte(dir, BVA + p * PT_PAGE, 1) = rv_gpa(pt_alloc_page()) | PT_P | PT_RW;
	pt_switch(dir);

	for (uint32_t r = 0; r < ROUNDS; r++) {
		volatile uint32_t *w = (volatile uint32_t *)BVA;
		for (uint32_t i = 0; i < PAGES * 1024; i++) {
			if (r && w[i] != (i * 2654435761u) + r - 1)
				bad++;
			w[i] = (i * 2654435761u) + r;
			sum = sum * 31 + w[i];
		}
		rv_printf("round %u: checksum %08x, %u words changed behind its back\n", r, sum, bad);
		rv_sleep_ns(500000);
	}
	return pt_check("bystander.intact", bad == 0, "%u words changed", bad) ? 0 : 1;
}
