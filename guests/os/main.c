/* A small multitasking guest OS on the Ringvisor runtime: its own page
 * tables, ring-3 processes in separate address spaces, a timer-driven
 * scheduler, system calls by direct trap, demand-zero and copy-on-write
 * paging. Boot, the kernel's own checks, and the verdict (exit 0 only if
 * every check of the kernel and of every process passed). */
#include "os.h"

/* The kernel part of every address space, from KERNEL_BASE up, is shared:
 * the host applies a change there to every directory it caches. */
const uint32_t rv_kernel_address = KERNEL_BASE;

static int failures;
static uint32_t frames_before;

/* The three programs, each run from the same image with its index. */
static const char *const names[] = { "alpha", "beta", "gamma" };
#define NR_PROGRAMS 3

static int exited_ok[NR_PROGRAMS];

int os_check(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	rv_printf("%s %s", ok ? "PASS" : "FAIL", name);
	if (fmt && fmt[0]) {
		rv_printf(ok ? " (" : ": ");
		va_start(ap, fmt);
		rv_vprintf(fmt, ap);
		va_end(ap);
		if (ok)
			rv_printf(")");
	}
	rv_printf("\n");
	if (!ok)
		failures++;
	return ok;
}

/* Called by proc.c for each exit, to count the user programs' verdicts
 * (their own PASS/FAIL lines went to the console already). */
void os_note_exit(int pid, int status)
{
	if (pid >= 1 && pid <= NR_PROGRAMS)
		exited_ok[pid - 1] = status == 0;
	else if (status != 42)          /* the fork child's agreed status */
		failures++;
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
		  "traps, %u timer interrupts\n", failures, (uint32_t)c.shadow_faults,
		  (uint32_t)c.reflected_traps, (uint32_t)c.timer_irqs);
	rv_exit(failures ? 1 : 0);
}

int main(int argc, char **argv)
{
	(void)argc, (void)argv;

	mm_init();
	uint32_t probe = rv_gpa(&rv_lguest_data);
	os_check("kernel.own-page-tables", *(volatile uint32_t *)P2V(probe) ==
		 *(volatile uint32_t *)probe, "its memory at %08x and 1:1 agree", KERNEL_BASE);
	proc_init();

	frames_before = mm_free_frames();
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
