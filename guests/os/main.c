/* A small multitasking guest OS on the Ringvisor runtime: its own page
 * tables, ring-3 processes in separate address spaces, a timer-driven
 * scheduler, system calls by direct trap, demand-zero and copy-on-write
 * paging. Its boot: the top of the kernel's layers, which are, bottom
 * first, check.c (the PASS/FAIL lines), mm.c (memory), report.c (the
 * verdict), proc.c (processes) and this file. */
#include "os.h"

/* The kernel part of every address space, from KERNEL_BASE up, is shared:
 * the host applies a change there to every directory it caches. */
const uint32_t rv_kernel_address = KERNEL_BASE;

/* The three programs, each run from the same image with its index. */
static const char *const names[NR_PROGRAMS] = { "alpha", "beta", "gamma" };

int main(int argc, char **argv)
{
	(void)argc, (void)argv;

	mm_init();
	uint32_t probe = rv_gpa(&rv_lguest_data);
	os_check("kernel.own-page-tables", *(volatile uint32_t *)P2V(probe) ==
		 *(volatile uint32_t *)probe, "its memory at %08x and 1:1 agree", KERNEL_BASE);
	proc_init();

	os_report_begin();
	struct proc *first = NULL, *second = NULL;
	for (int i = 0; i < NR_PROGRAMS; i++) {
		struct proc *p = proc_spawn(names[i], i);
		if (!p)
			rv_fatal("cannot create process %s", names[i]);
		if (i == 0)
			first = p;
		if (i == 1)
			second = p;
	}
	mm_kmap_selftest(proc_dir(first), proc_dir(second));
	rv_printf("kernel: %u frames free, starting %d processes\n", mm_free_frames(), NR_PROGRAMS);
	proc_start();
}
