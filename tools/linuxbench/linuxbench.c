/* The Linux benchmark of make bench-linux: lmbench-style figures for the
 * same kernel natively and as a Ringvisor guest, one line each.
 *
 * A static i386 program (gcc -m32 -static, glibc) that runs only inside
 * QEMU under -icount shift=0, where rdtsc counts instructions. Every figure
 * is the least of many rdtsc-bracketed runs, less the bracket's own cost
 * (two rdtsc, measured the same way). Every system call that is timed goes
 * through `int $0x80`, raw: Linux 4.9 as an lguest guest has no SEP, so its
 * vDSO would use int $0x80 while a native kernel's would use sysenter, and
 * comparing those would compare two different entry paths.
 *
 * Usage:
 *   linuxbench            run every benchmark, print "linuxbench: NAME VALUE UNIT"
 *                         lines, then "linuxbench: done"
 *   linuxbench -x         exit at once (what fork+exec executes)
 * As PID 1 (the initramfs's /init) it reads the TSC first, which is the
 * instruction count since QEMU started, and runs /etc/bench.sh with it in
 * LINUXBENCH_BOOT_TSC; the script's run of linuxbench reports it as
 * boot_to_init. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* i386 system call numbers (arch/x86/entry/syscalls/syscall_32.tbl). */
enum {
	NR_EXIT = 1, NR_FORK = 2, NR_READ = 3, NR_WRITE = 4, NR_WAITPID = 7,
	NR_EXECVE = 11, NR_PIPE = 42, NR_GETPPID = 64, NR_MUNMAP = 91,
	NR_MMAP2 = 192,
};
#define PROT_RW 3		/* PROT_READ | PROT_WRITE */
#define MAP_PRIVATE_ANON 0x22	/* MAP_PRIVATE | MAP_ANONYMOUS */
#define PAGE 4096u

/* A system call through int $0x80, whatever the C library would use. */
static inline long sys3(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory");
	return ret;
}

static inline long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	/* ebp is the frame pointer gcc may keep: swap the sixth argument in
	 * and out around the call. */
	__asm__ volatile("push %%ebp\n\t"
			 "mov %7, %%ebp\n\t"
			 "int $0x80\n\t"
			 "pop %%ebp"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e), "m"(f)
			 : "memory");
	return ret;
}

static _Noreturn void sys_exit(int code)
{
	sys3(NR_EXIT, code, 0, 0);
	__builtin_unreachable();
}

/* The TSC; a compiler barrier, so nothing timed moves out of a bracket. */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static uint64_t bracket;	/* the least cost of an empty bracket */

/* The least cost of body over n runs, less the bracket. */
#define LEAST(n, body) ({						\
	uint64_t best_ = UINT64_MAX;					\
	for (int i_ = 0; i_ < (n); i_++) {				\
		uint64_t t0_ = rdtsc();					\
		body;							\
		uint64_t t1_ = rdtsc();					\
		if (t1_ - t0_ < best_)					\
			best_ = t1_ - t0_;				\
	}								\
	best_ - bracket; })

static void report(const char *name, uint64_t value, const char *unit)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "linuxbench: %s %llu %s\n",
			 name, (unsigned long long)value, unit);
	sys3(NR_WRITE, 1, (long)line, n);
}

static void fail(const char *what)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "linuxbench: error: %s\n", what);
	sys3(NR_WRITE, 1, (long)line, n);
	sys_exit(1);
}

static void *map(uint32_t bytes)
{
	long p = sys6(NR_MMAP2, 0, bytes, PROT_RW, MAP_PRIVATE_ANON, -1, 0);
	if ((unsigned long)p >= -4095ul)
		fail("mmap2");
	return (void *)p;
}

static void bench_null_syscall(void)
{
	report("null_syscall", LEAST(2000, sys3(NR_GETPPID, 0, 0, 0)), "instructions");
}

/* A write to each page of fresh anonymous mappings: each is a page fault
 * the kernel fills with a zeroed page. */
static void bench_page_fault(void)
{
	enum { PAGES = 64, ROUNDS = 4 };
	uint64_t best = UINT64_MAX;
	for (int r = 0; r < ROUNDS; r++) {
		volatile char *p = map(PAGES * PAGE);
		uint32_t k = 0;
		uint64_t t = LEAST(PAGES, p[k++ * PAGE] = 1);
		if (t < best)
			best = t;
		sys3(NR_MUNMAP, (long)p, PAGES * PAGE, 0);
	}
	report("page_fault", best, "instructions");
}

static void bench_mmap(void)
{
	enum { BYTES = 1 << 20 };
	report("mmap_munmap_1m", LEAST(500, {
		void *p = map(BYTES);
		sys3(NR_MUNMAP, (long)p, BYTES, 0);
	}), "instructions");
}

/* One byte from a to b and back through two pipes, a child echoing it:
 * the round trip takes two process switches. Also the same write and read
 * within one process (lmbench's pipe overhead), and from the two a
 * context switch: (round trip - 2 x overhead) / 2. */
static void bench_pipes(void)
{
	int there[2], back[2];
	char c = 'x';

	if (sys3(NR_PIPE, (long)there, 0, 0) || sys3(NR_PIPE, (long)back, 0, 0))
		fail("pipe");
	uint64_t local = LEAST(1000, {
		sys3(NR_WRITE, there[1], (long)&c, 1);
		sys3(NR_READ, there[0], (long)&c, 1);
	});
	long pid = sys3(NR_FORK, 0, 0, 0);
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		close(there[1]);	/* or its read never sees the end */
		while (sys3(NR_READ, there[0], (long)&c, 1) == 1)
			sys3(NR_WRITE, back[1], (long)&c, 1);
		sys_exit(0);
	}
	uint64_t trip = LEAST(1000, {
		sys3(NR_WRITE, there[1], (long)&c, 1);
		sys3(NR_READ, back[0], (long)&c, 1);
	});
	close(there[1]);		/* the child's read sees the end */
	sys3(NR_WAITPID, pid, 0, 0);
	close(there[0]);
	close(back[0]);
	close(back[1]);
	report("pipe_roundtrip", trip, "instructions");
	report("pipe_local", local, "instructions");
	report("context_switch", trip > 2 * local ? (trip - 2 * local) / 2 : 0,
	       "instructions");
}

static void bench_fork(const char *self)
{
	report("fork_exit", LEAST(200, {
		long pid = sys3(NR_FORK, 0, 0, 0);
		if (pid == 0)
			sys_exit(0);
		sys3(NR_WAITPID, pid, 0, 0);
	}), "instructions");

	char *argv[] = { (char *)self, "-x", NULL };
	char *envp[] = { NULL };
	report("fork_exec", LEAST(100, {
		long pid = sys3(NR_FORK, 0, 0, 0);
		if (pid == 0) {
			sys3(NR_EXECVE, (long)self, (long)argv, (long)envp);
			sys_exit(127);
		}
		int status = -1;
		sys3(NR_WAITPID, pid, (long)&status, 0);
		if (status != 0)
			fail("the exec'd program did not exit 0");
	}), "instructions");
}

/* Integer work with no system call: what it costs beyond itself is the
 * timer interrupts that land in it. Timed once, whole. */
static uint32_t work(uint32_t n)
{
	uint32_t x = 12345, sum = 0;
	for (uint32_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		sum += x >> 16;
		__asm__ volatile("" : "+r"(sum));
	}
	return sum;
}

static void bench_cpu(void)
{
	enum { ITERATIONS = 10 * 1000 * 1000 };
	uint64_t t0 = rdtsc();
	uint32_t sum = work(ITERATIONS);
	uint64_t t1 = rdtsc();
	report("cpu_work", t1 - t0 - bracket, "instructions");
	report("cpu_work_checksum", sum, "value");
}

int main(int argc, char **argv)
{
	uint64_t start = rdtsc();

	if (argc > 1 && strcmp(argv[1], "-x") == 0)
		sys_exit(0);
	if (getpid() == 1) {
		char tsc[24];
		snprintf(tsc, sizeof(tsc), "%llu", (unsigned long long)start);
		setenv("LINUXBENCH_BOOT_TSC", tsc, 1);
		execl("/bin/sh", "sh", "/etc/bench.sh", (char *)NULL);
		fail("cannot run /bin/sh /etc/bench.sh");
	}

	bracket = 0;
	bracket = LEAST(1000, (void)0);
	report("bracket", bracket, "instructions");
	const char *boot = getenv("LINUXBENCH_BOOT_TSC");
	if (boot)
		report("boot_to_init", strtoull(boot, NULL, 10), "instructions");
	bench_null_syscall();
	bench_page_fault();
	bench_pipes();
	bench_fork(argc > 0 && argv[0][0] == '/' ? argv[0] : "/bin/linuxbench");
	bench_mmap();
	bench_cpu();
	report("done", 0, "-");
	return 0;
}
