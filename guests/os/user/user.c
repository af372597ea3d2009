/* The user programs of the guest OS, run in ring 3 from one read-only
 * image: alpha, beta and gamma (by index). Each checks, one line per check,
 * what the kernel promises a process: ring 3, demand-zero memory, an
 * address space of its own (the others' pages fault and the kernel reports
 * it), preemption by the timer, system calls by direct trap; alpha also
 * forks and checks copy-on-write. No writable globals: state is on the
 * stack. */
#include <stdarg.h>
#include <stdint.h>
#include "syscall.h"

#define NPROGS 3

int probe_read(uint32_t va);
int probe_write(uint32_t va, uint32_t value);
extern const char probe_read_at[], probe_write_at[], probe_fault[];
int umain(int idx);

static uint32_t sys(uint32_t n, uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

struct ctx {
	const char *name;
	int fails;
};

/* A line of at most 200 bytes: %s %u %x (8 digits) %d. */
static void say(const char *fmt, ...)
{
	char buf[200];
	unsigned n = 0;
	va_list ap;

	va_start(ap, fmt);
	for (const char *f = fmt; *f && n < sizeof(buf) - 12; f++) {
		if (*f != '%') {
			buf[n++] = *f;
			continue;
		}
		f++;
		if (*f == 's') {
			for (const char *s = va_arg(ap, const char *); *s && n < sizeof(buf) - 12; s++)
				buf[n++] = *s;
		} else if (*f == 'x') {
			uint32_t v = va_arg(ap, uint32_t);
			for (int i = 7; i >= 0; i--)
				buf[n++] = "0123456789abcdef"[(v >> (i * 4)) & 15];
		} else if (*f == 'u' || *f == 'd') {
			uint32_t v = va_arg(ap, uint32_t);
			char d[10];
			int k = 0;
			if (*f == 'd' && (int32_t)v < 0) {
				buf[n++] = '-';
				v = -v;
			}
			do
				d[k++] = (char)('0' + v % 10);
			while ((v /= 10) && k < 10);
			while (k)
				buf[n++] = d[--k];
		}
	}
	va_end(ap);
	sys(SYS_WRITE, (uint32_t)buf, n, 0);
}

static int check(struct ctx *c, const char *what, int ok, uint32_t a, uint32_t b)
{
	say("%s %s.%s (%x %x)\n", ok ? "PASS" : "FAIL", c->name, what, a, b);
	if (!ok)
		c->fails++;
	return ok;
}

static uint32_t rd(uint32_t va)
{
	return *(volatile uint32_t *)va;
}

static void wr(uint32_t va, uint32_t v)
{
	*(volatile uint32_t *)va = v;
}

/* A probe the kernel must refuse, and report with the right address. */
static int refused(uint32_t va, int write)
{
	uint32_t before = sys(SYS_STAT, STAT_BAD_FAULTS, 0, 0);
	int f = write ? probe_write(va, 0xBAD) : probe_read(va);

	return f && sys(SYS_STAT, STAT_BAD_FAULTS, 0, 0) == before + 1 &&
	       sys(SYS_STAT, STAT_LAST_BAD, 0, 0) == va;
}

static void isolation(struct ctx *c, int pid)
{
	uint32_t pattern = 0x5EC00000u + (uint32_t)pid;

	/* Demand-zero: the first touch of the heap reads zero. */
	uint32_t d0 = sys(SYS_STAT, STAT_DEMAND, 0, 0);
	uint32_t z = rd(USER_HEAP);
	wr(USER_HEAP, pattern);
	check(c, "demand-zero", z == 0 && rd(USER_HEAP) == pattern &&
	      sys(SYS_STAT, STAT_DEMAND, 0, 0) > d0, z, sys(SYS_STAT, STAT_DEMAND, 0, 0) - d0);
	wr(USER_PRIV(pid), pattern);
	wr(USER_STACK_LOW, pattern);    /* the far end of the stack */

	/* Wait until every program has written its own pages. */
	sys(SYS_READY, 0, 0, 0);
	while (sys(SYS_STAT, STAT_READY, 0, 0) < NPROGS)
		sys(SYS_YIELD, 0, 0, 0);

	/* The same address, a different page in each process. */
	check(c, "private-heap", rd(USER_HEAP) == pattern && rd(USER_PRIV(pid)) == pattern,
	      rd(USER_HEAP), pattern);

	/* The others' private pages: mapped in their spaces, not in ours. */
	int all = 1;
	for (int q = 1; q <= NPROGS; q++)
		if (q != pid)
			all &= refused(USER_PRIV(q), 0) && refused(USER_PRIV(q), 1);
	check(c, "others-memory-faults", all, USER_PRIV(pid == 1 ? 2 : 1),
	      sys(SYS_STAT, STAT_BAD_FAULTS, 0, 0));

	/* The kernel (1:1 and at KERNEL_BASE), the Switcher, and writes to
	 * the read-only program are refused too. */
	check(c, "kernel-memory-faults", refused(0x00100000, 0) && refused(KERNEL_BASE, 0) &&
	      refused(KERNEL_BASE + 0x100000, 1), KERNEL_BASE, 0);
	check(c, "switcher-faults", refused(0xFFC00000u, 0) && refused(0xFFC02000u, 1),
	      0xFFC00000u, 0);
	check(c, "text-read-only", refused(USER_TEXT, 1) && probe_read(USER_TEXT) == 0,
	      USER_TEXT, 0);
}

/* Preemption: spin without yielding until the timer has taken the CPU
 * away twice (the others ran meanwhile), for at most 5 s of the kernel's
 * clock: hundreds of its 2 ms ticks, however little of the CPU the host
 * gives the guest, where a bound on the spins alone could run out first. */
static void preemption(struct ctx *c)
{
	uint32_t p0 = sys(SYS_STAT, STAT_PREEMPTS, 0, 0), s0 = sys(SYS_STAT, STAT_SWITCHES, 0, 0);
	uint32_t t0 = sys(SYS_STAT, STAT_CLOCK_MS, 0, 0);

	while (sys(SYS_STAT, STAT_PREEMPTS, 0, 0) < p0 + 2 &&
	       sys(SYS_STAT, STAT_CLOCK_MS, 0, 0) - t0 < 5000)
		for (volatile int i = 0; i < 1000; i++)
			;
	uint32_t p1 = sys(SYS_STAT, STAT_PREEMPTS, 0, 0), s1 = sys(SYS_STAT, STAT_SWITCHES, 0, 0);
	check(c, "preempted", p1 >= p0 + 2 && s1 >= s0 + 2, p1 - p0, s1 - s0);
}

/* int $0x80 is a direct trap: a thousand calls, no trap through the host
 * (a timer interrupt or a page fault may add a few). */
static void direct_syscalls(struct ctx *c)
{
	uint32_t r0 = sys(SYS_STAT, STAT_REFLECTED, 0, 0);

	for (int i = 0; i < 1000; i++)
		sys(SYS_GETPID, 0, 0, 0);
	uint32_t r1 = sys(SYS_STAT, STAT_REFLECTED, 0, 0);
	check(c, "syscalls-direct", r1 - r0 < 20, r1 - r0, 1000);
}

/* fork and copy-on-write: the page is shared read-only until one side
 * writes; the writer gets a copy, the other keeps the original, and the
 * last sharer's write needs no copy. */
static void fork_cow(struct ctx *c)
{
	uint32_t va = USER_HEAP + 0x1000;

	wr(va, 0xC0FFEE);
	uint32_t frame0 = sys(SYS_PTE, va, 0, 0) & 0xFFFFF000u;
	int pid = (int)sys(SYS_FORK, 0, 0, 0);

	if (pid == 0) {
		struct ctx cc = { "alpha-child", 0 };
		uint32_t pte = sys(SYS_PTE, va, 0, 0);
		check(&cc, "cow-shared", !(pte & 2) && (pte & 0xFFFFF000u) == frame0 &&
		      sys(SYS_REFS, va, 0, 0) == 2, pte, sys(SYS_REFS, va, 0, 0));
		check(&cc, "cow-read", rd(va) == 0xC0FFEE, rd(va), 0);
		uint32_t copies = sys(SYS_STAT, STAT_COW_COPIES, 0, 0);
		wr(va, 0xBEEF);
		pte = sys(SYS_PTE, va, 0, 0);
		check(&cc, "cow-copied", (pte & 2) && (pte & 0xFFFFF000u) != frame0 &&
		      rd(va) == 0xBEEF && sys(SYS_STAT, STAT_COW_COPIES, 0, 0) == copies + 1,
		      pte, frame0);
		sys(SYS_EXIT, cc.fails ? 1 : 42, 0, 0);
	}
	check(c, "fork", pid > NPROGS, (uint32_t)pid, 0);
	uint32_t st;
	while ((st = sys(SYS_WAIT, (uint32_t)pid, 0, 0)) == (uint32_t)-1)
		sys(SYS_YIELD, 0, 0, 0);
	check(c, "wait-status", st == 42, st, 42);
	check(c, "cow-parent-intact", rd(va) == 0xC0FFEE, rd(va), 0xC0FFEE);
	uint32_t reuse = sys(SYS_STAT, STAT_COW_REUSE, 0, 0);
	check(c, "cow-last-sharer", sys(SYS_REFS, va, 0, 0) == 1, sys(SYS_REFS, va, 0, 0), 1);
	wr(va, 0xD00D);
	uint32_t pte = sys(SYS_PTE, va, 0, 0);
	check(c, "cow-reused", (pte & 2) && (pte & 0xFFFFF000u) == frame0 && rd(va) == 0xD00D &&
	      sys(SYS_STAT, STAT_COW_REUSE, 0, 0) == reuse + 1, pte, frame0);
}

int umain(int idx)
{
	static const char *const names[NPROGS] = { "alpha", "beta", "gamma" };
	struct ctx c = { names[idx], 0 };
	uint32_t cs;

	sys(SYS_SETPROBE, (uint32_t)probe_read_at, (uint32_t)probe_write_at, (uint32_t)probe_fault);
	__asm__("movl %%cs, %0" : "=r"(cs));
	int pid = (int)sys(SYS_GETPID, 0, 0, 0);
	check(&c, "ring3", (cs & 3) == 3, cs, (uint32_t)pid);
	isolation(&c, pid);
	preemption(&c);
	direct_syscalls(&c);
	if (idx == 0)
		fork_cow(&c);
	say("%s: %u checks failed\n", c.name, (uint32_t)c.fails);
	return c.fails ? 1 : 0;
}
