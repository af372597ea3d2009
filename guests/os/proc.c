/* Processes of the guest OS: creation, fork, exit and wait, the
 * timer-driven round-robin scheduler, and the system calls.
 *
 * The kernel is not preemptible and keeps no kernel-mode context of a
 * process: a process is its saved ring-3 registers (struct rv_regs) and its
 * page directory. A switch happens at the end of a trap from ring 3: the
 * frame the trap entry saved is swapped for the next process's, the host
 * is given its directory (NEW_PGTABLE) and its ring-1 stack (SET_STACK),
 * and the runtime's return path irets into it. */
#include "os.h"

#define TICK_NS 2000000u        /* the scheduler's time slice: 2 ms */
#define STATS   7

enum state { FREE, RUNNABLE, ZOMBIE };

struct proc {
	enum state state;
	int pid, parent, status;
	char name[16];
	uint32_t dir;
	struct rv_regs regs;            /* saved while it does not run */
	uint32_t stat[STATS];
	uint32_t probe_read, probe_write, probe_recover;
};

static struct proc procs[NPROC];
static uint8_t kstacks[NPROC][2 * PAGE] __attribute__((aligned(4096)));
static struct proc *cur;
static int next_pid = 1;
static uint32_t switches, nr_ready;

struct proc *proc_current(void) { return cur; }
int proc_pid(const struct proc *p) { return p->pid; }
uint32_t proc_dir(const struct proc *p) { return p->dir; }

void proc_count(struct proc *p, int what)
{
	p->stat[what]++;
}

/* The demand-zero regions: the heap, the stack, and its own private page
 * (another process's private address is not its memory). */
int proc_owns(const struct proc *p, uint32_t va)
{
	return (va >= USER_HEAP && va < USER_HEAP_END) ||
	       (va >= USER_STACK_LOW && va < USER_STACK_TOP) ||
	       (va & PAGE_MASK) == USER_PRIV(p->pid);
}

static uint32_t kstack_top(const struct proc *p)
{
	return rv_gpa(kstacks[p - procs] + sizeof(kstacks[0]));
}

/* Make next the running process: the trap frame at r becomes its saved
 * registers; the host gets its directory and its ring-1 stack. */
static void switch_to(struct rv_regs *r, struct proc *next)
{
	if (cur && cur->state == RUNNABLE)
		cur->regs = *r;
	if (next == cur)
		return;
	cur = next;
	*r = next->regs;
	mm_switch(next->dir);
	rv_set_kernel_stack(kstack_top(next), 2);
	next->stat[STAT_RUNS]++;
	switches++;
}

/* Round robin from the process after the current one; NULL if none can
 * run. */
static struct proc *pick(void)
{
	int start = cur ? (int)(cur - procs) + 1 : 0;

	for (int i = 0; i < NPROC; i++) {
		struct proc *p = &procs[(start + i) % NPROC];
		if (p->state == RUNNABLE)
			return p;
	}
	return NULL;
}

static void schedule(struct rv_regs *r)
{
	struct proc *next = pick();

	if (!next) {
		os_finish();
		rv_fatal("os_finish returned");
	}
	switch_to(r, next);
}

static void timer(struct rv_regs *r)
{
	rv_timer_oneshot(TICK_NS);
	if ((r->cs & 3) != 3 || !cur)
		return;                 /* the kernel is not preemptible */
	cur->stat[STAT_PREEMPTS]++;
	schedule(r);
}

/* #PF, through an interrupt gate (virtual interrupts off). A user address
 * the process owns is made present (demand-zero) or private (COW) by
 * mm.c; any other fault from ring 3 is reported and handled by
 * proc_bad_fault. A fault in the kernel's own accesses is a kernel bug. */
static void page_fault(struct rv_regs *r)
{
	static const int counter[] = { [MM_FAULT_DEMAND] = STAT_DEMAND,
				       [MM_FAULT_COW_REUSE] = STAT_COW_REUSE,
				       [MM_FAULT_COW_COPY] = STAT_COW_COPIES };
	uint32_t va = rv_lguest_data.cr2, err = r->error;
	struct proc *p = proc_current();
	int done = MM_FAULT_NONE;

	if (p && va < KERNEL_BASE) {
		done = mm_user_fault(proc_dir(p), va, err, proc_owns(p, va));
		if (done != MM_FAULT_NONE)
			proc_count(p, counter[done]);
	}
	mm_flush();
	if (done != MM_FAULT_NONE)
		return;
	if ((r->cs & 3) == 3 && proc_bad_fault(r, va))
		return;
	rv_fatal("kernel page fault at %08x, error %x, eip %08x", va, err, r->eip);
}

struct proc *proc_spawn(const char *name, int arg)
{
	struct proc *p = NULL;

	for (int i = 0; i < NPROC && !p; i++)
		if (procs[i].state == FREE)
			p = &procs[i];
	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	p->dir = mm_new_dir();
	if (!p->dir)
		return NULL;
	memcpy(p->name, name, strlen(name) < 15 ? strlen(name) + 1 : 15);
	p->pid = next_pid++;
	mm_map_text(p->dir);
	mm_flush();
	p->regs.eip = USER_TEXT;
	p->regs.esp = USER_STACK_TOP;
	p->regs.eax = (uint32_t)arg;
	p->regs.cs = USER_CS;
	p->regs.ss = p->regs.ds = p->regs.es = p->regs.fs = p->regs.gs = USER_DS;
	p->regs.eflags = 0x202;
	p->state = RUNNABLE;
	return p;
}

/* The process is gone: its memory goes back, its status waits for its
 * parent. The directory is dropped only once another one is in use. */
static void proc_exit(struct rv_regs *r, struct proc *p, int status)
{
	rv_printf("kernel: pid %d (%s) exited with status %d\n", p->pid, p->name, status);
	os_note_exit(p->pid, status);
	p->state = ZOMBIE;
	p->status = status;
	struct proc *next = pick();
	mm_switch(next ? next->dir : mm_kernel_dir());
	mm_free_dir(p->dir);
	p->dir = 0;
	if (!p->parent)
		p->state = FREE;        /* nobody will wait */
	if (!next) {
		os_finish();
		rv_fatal("os_finish returned");
	}
	cur = NULL;
	switch_to(r, next);
}

/* A ring-3 fault outside the process's memory: the kernel reports it and
 * resumes the process at its probe's recovery point if the access was a
 * probe, else ends it as Unix would with SIGSEGV. True if handled. */
int proc_bad_fault(struct rv_regs *r, uint32_t va)
{
	struct proc *p = cur;

	if (!p)
		return 0;
	p->stat[STAT_BAD_FAULTS]++;
	p->stat[STAT_LAST_BAD] = va;
	rv_printf("kernel: pid %d (%s): page fault at %08x (error %x, eip %08x): "
		  "not its memory, refused\n", p->pid, p->name, va, r->error, r->eip);
	if (p->probe_recover && (r->eip == p->probe_read || r->eip == p->probe_write)) {
		r->eip = p->probe_recover;
		return 1;
	}
	proc_exit(r, p, 128 + 11);
	return 1;
}

static struct proc *by_pid(int pid)
{
	for (int i = 0; i < NPROC; i++)
		if (procs[i].state != FREE && procs[i].pid == pid)
			return &procs[i];
	return NULL;
}

static uint32_t sys_write(uint32_t buf, uint32_t len)
{
	static char kbuf[256];

	if (len > sizeof(kbuf) || !mm_user_ok(cur->dir, buf, len))
		return (uint32_t)-1;
	memcpy(kbuf, (const void *)(uintptr_t)buf, len);
	rv_console_write(kbuf, len);
	return len;
}

static uint32_t sys_fork(struct rv_regs *r)
{
	struct proc *c = proc_spawn(cur->name, 0);

	if (!c)
		return (uint32_t)-1;
	mm_free_dir(c->dir);            /* spawn mapped the text: start clean */
	c->dir = mm_new_dir();
	if (!c->dir || mm_fork(cur->dir, c->dir) < 0) {
		rv_printf("kernel: fork: out of memory\n");
		return (uint32_t)-1;
	}
	c->parent = cur->pid;
	c->regs = *r;
	c->regs.eax = 0;
	return (uint32_t)c->pid;
}

static uint32_t sys_wait(int pid)
{
	struct proc *c = by_pid(pid);

	if (!c || c->parent != cur->pid)
		return (uint32_t)-2;
	if (c->state != ZOMBIE)
		return (uint32_t)-1;
	c->state = FREE;
	return (uint32_t)c->status;
}

static uint32_t sys_stat(uint32_t what)
{
	static struct rv_counters hc;

	if (what < STATS)
		return cur->stat[what];
	switch (what) {
	case STAT_SWITCHES:
		return switches;
	case STAT_READY:
		return nr_ready;
	case STAT_REFLECTED:
		rv_counters(&hc);
		return (uint32_t)hc.reflected_traps;
	case STAT_CLOCK_MS:
		return (uint32_t)(rv_time_ns() / 1000000u);
	}
	return 0;
}

/* int $0x80: a DPL-3 trap gate, so a direct trap. The kernel runs with
 * virtual interrupts off; the runtime's return path turns them back on as
 * the frame's EFLAGS say. */
static void syscall(struct rv_regs *r)
{
	rv_irq_disable();
	if ((r->cs & 3) != 3) {         /* proc_start's int $0x80 from ring 1 */
		schedule(r);
		return;
	}
	uint32_t a = r->ebx, b = r->ecx, c = r->edx;
	switch (r->eax) {
	case SYS_EXIT:
		proc_exit(r, cur, (int)a);
		break;
	case SYS_WRITE:
		r->eax = sys_write(a, b);
		break;
	case SYS_YIELD:
		r->eax = 0;
		schedule(r);
		break;
	case SYS_GETPID:
		r->eax = (uint32_t)cur->pid;
		break;
	case SYS_FORK:
		r->eax = sys_fork(r);
		break;
	case SYS_WAIT:
		r->eax = sys_wait((int)a);
		break;
	case SYS_STAT:
		r->eax = sys_stat(a);
		break;
	case SYS_PTE: {
		uint32_t *pte = a < KERNEL_BASE ? mm_pte(cur->dir, a, 0) : NULL;
		r->eax = pte ? *pte : 0;
		break;
	}
	case SYS_REFS: {
		uint32_t *pte = a < KERNEL_BASE ? mm_pte(cur->dir, a, 0) : NULL;
		r->eax = pte && (*pte & PTE_P) ? mm_refs(*pte & PAGE_MASK) : 0;
		break;
	}
	case SYS_SETPROBE:
		cur->probe_read = a;
		cur->probe_write = b;
		cur->probe_recover = c;
		r->eax = 0;
		break;
	case SYS_READY:
		r->eax = ++nr_ready;
		break;
	default:
		r->eax = (uint32_t)-1;
	}
	mm_flush();
}

void proc_init(void)
{
	rv_set_handler(14, page_fault, RV_GATE_INTR);
	rv_set_handler(LGUEST_SYSCALL_VECTOR, syscall, RV_GATE_TRAP | RV_GATE_USER);
	rv_set_timer_hook(timer);
	/* Linux's user segments: GDT 14 and 15, flat, DPL 3. */
	rv_hcall3(HC_LOAD_GDT_ENTRY, USER_CS >> 3, 0x0000FFFF, 0x00CFFA00);
	rv_hcall3(HC_LOAD_GDT_ENTRY, USER_DS >> 3, 0x0000FFFF, 0x00CFF200);
}

/* Enter the first process: an int $0x80 from ring 1, which the syscall
 * handler turns into a switch. The frame it pushes has no ss:esp (no
 * privilege change); the switch writes them just above it, on this boot
 * stack, which is never returned to. */
void proc_start(void)
{
	rv_timer_oneshot(TICK_NS);
	__asm__ volatile("int $0x80" ::: "memory");
	rv_fatal("proc_start returned");
}

/* Every process has ended: the kernel's own checks, then the guest's exit. */
void os_finish(void)
{
	rv_timer_oneshot(0);
	for (int i = 0; i < NPROC; i++)
		if (procs[i].state == ZOMBIE)
			procs[i].state = FREE;  /* parents that never waited */
	os_finish_report(switches);
}
