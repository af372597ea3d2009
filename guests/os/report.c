/* The guest OS's verdict: the user programs' exits, the frames they must
 * have given back, and the switches the kernel made. Exit 0 only if every
 * check of the kernel and of every process passed. Above mm.c (it reads
 * the frame count), below proc.c (which reports each exit here). */
#include "os.h"

static uint32_t frames_before;
static int exited_ok[NR_PROGRAMS];

/* The processes are about to be created: what must come back. */
void os_report_begin(void)
{
	frames_before = mm_free_frames();
}

/* Called by proc.c for each exit, to count the user programs' verdicts
 * (their own PASS/FAIL lines went to the console already). */
void os_note_exit(int pid, int status)
{
	if (pid >= 1 && pid <= NR_PROGRAMS)
		exited_ok[pid - 1] = status == 0;
	else if (status != 42)          /* the fork child's agreed status */
		os_fail();
}

void os_finish_report(uint32_t switches)
{
	struct rv_counters c;

	mm_switch(mm_kernel_dir());
	for (int i = 0; i < NR_PROGRAMS; i++)
		os_check(i == 0 ? "kernel.exit-alpha" : i == 1 ? "kernel.exit-beta" :
			 "kernel.exit-gamma", exited_ok[i], "status 0");
	os_check("kernel.frames-returned", mm_free_frames() == frames_before,
		 "%u frames free, %u before the processes", mm_free_frames(), frames_before);
	rv_counters(&c);
	os_check("kernel.switches", switches >= 6 && c.cr3_writes >= switches,
		 "%u process switches, %u NEW_PGTABLE", switches, (uint32_t)c.cr3_writes);
	rv_printf("kernel: %u checks failed; host counters: %u shadow faults, %u reflected "
		  "traps, %u timer interrupts\n", os_failures(), (uint32_t)c.shadow_faults,
		  (uint32_t)c.reflected_traps, (uint32_t)c.timer_irqs);
	rv_exit(os_failures() ? 1 : 0);
}
