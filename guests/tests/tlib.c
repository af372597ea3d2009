/* The test guests' framework: case runner, exception catcher, helpers. */
#include "tlib.h"

/* Weak: a guest with no TEST has no such section. */
extern const struct tcase __start_tcases[] __attribute__((weak));
extern const struct tcase __stop_tcases[] __attribute__((weak));

static const char *current;
static int failed_current, failures;

volatile struct trap_rec trec;
volatile uint32_t probe_at, probe_fix;

void t_fail(const char *fmt, ...)
{
	va_list ap;

	if (failed_current)
		return;
	failed_current = 1;
	rv_printf("FAIL %s: ", current);
	va_start(ap, fmt);
	rv_vprintf(fmt, ap);
	va_end(ap);
	rv_printf("\n");
}

void t_skip(const char *why)
{
	if (failed_current)
		return;
	failed_current = 2;
	rv_printf("SKIP %s: %s\n", current, why);
}

static int selected(const char *name, int argc, char **argv)
{
	if (argc <= 1)
		return 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *b = name;
		while (*a && *a == *b)
			a++, b++;
		if (*a == '\0' && *b == '\0')
			return 1;
	}
	return 0;
}

int t_run_all(int argc, char **argv)
{
	int ran = 0;

	for (const struct tcase *t = __start_tcases; t < __stop_tcases; t++) {
		if (!selected(t->name, argc, argv))
			continue;
		current = t->name;
		failed_current = 0;
		probe_fix = 0;
		t->fn();
		rv_irq_enable();        /* whatever the case left */
		if (failed_current == 1)
			failures++;
		else
			rv_printf("PASS %s\n", t->name);
		ran++;
	}
	rv_printf("%d cases, %d failed\n", ran, failures);
	return failures ? 1 : 0;
}

/* The catcher: record the frame, then resume where the probe said. */
static void catcher(struct rv_regs *r)
{
	uint32_t cs;

	__asm__ volatile("movl %%cs, %0" : "=r"(cs));
	trec.regs = *r;
	trec.irq_enabled = rv_lguest_data.irq_enabled;
	trec.cr2 = rv_lguest_data.cr2;
	trec.handler_cs = cs;
	trec.count++;
	if (r->vector == 7)             /* the guest's own TS: clear it */
		rv_hcall1(HC_TS, 0);
	if (r->vector == 1)             /* single step: once is enough */
		r->eflags &= ~EFLAGS_TF;
	if (probe_fix == 0) {
		rv_printf("FAIL %s: unexpected trap %u, error 0x%x at eip 0x%x "
			  "cs 0x%x\n", current ? current : "?", r->vector,
			  r->error, r->eip, r->cs);
		rv_exit(1);
	}
	r->eip = probe_fix;
	probe_fix = 0;
}

void t_catch(unsigned vector, unsigned kind)
{
	rv_set_handler(vector, catcher, kind);
}

void t_catch_all(void)
{
	for (unsigned v = 0; v <= 20; v++)
		if (v != 2 && v != 8 && v != 15)
			t_catch(v, RV_GATE_INTR);
}

const char *t_trap_mismatch(uint32_t before, unsigned vector, uint32_t error,
			    uint32_t eip)
{
	static char why[160];
	const volatile struct rv_regs *r = &trec.regs;

	if (trec.count != before + 1)
		rv_snprintf(why, sizeof(why), "%u traps seen, 1 expected",
			    trec.count - before);
	else if (r->vector != vector || r->error != error)
		rv_snprintf(why, sizeof(why), "got vector %u error 0x%x, "
			    "expected vector %u error 0x%x (eip 0x%x)",
			    r->vector, r->error, vector, error, r->eip);
	else if (r->eip != eip)
		rv_snprintf(why, sizeof(why), "pushed eip 0x%x, expected 0x%x",
			    r->eip, eip);
	else if (r->cs != GUEST_CS)
		rv_snprintf(why, sizeof(why), "pushed cs 0x%x", r->cs);
	else if ((r->eflags & (EFLAGS_IF | EFLAGS_IOPL | 2)) != (EFLAGS_IF | 2))
		rv_snprintf(why, sizeof(why), "pushed eflags 0x%x", r->eflags);
	else
		return NULL;
	return why;
}

uint32_t t_eflags(void)
{
	uint32_t f;

	__asm__ volatile("pushfl; popl %0" : "=r"(f));
	return f;
}

uint32_t t_int80(uint32_t *ret_eip)
{
	uint32_t eax;

	__asm__ volatile("movl $2f, %1\n\tmovl $0, %%eax\n\tint $0x80\n2:"
			 : "=a"(eax), "=m"(*ret_eip) :: "memory");
	return eax;
}

void t_get_counters(struct rv_counters *c)
{
	static struct rv_counters buf;

	rv_counters(&buf);
	*c = buf;
}

uint64_t t_counter_reflected(void)
{
	struct rv_counters c;

	t_get_counters(&c);
	return c.reflected_traps;
}

uint32_t t_spin_until(volatile uint32_t *p, uint64_t ns)
{
	uint64_t end = rv_time_ns() + ns;

	while (!*p && rv_time_ns() < end)
		__asm__ volatile("pause");
	return *p;
}

void t_spin_ns(uint64_t ns)
{
	uint64_t end = rv_time_ns() + ns;

	while (rv_time_ns() < end)
		__asm__ volatile("pause");
}

int t_streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* The second word of the boot command line ("name case"), read straight
 * from boot_params: usable before the runtime's start-up. */
const char *t_boot_case(uint32_t bp_gpa)
{
	const char *p = (const char *)*(volatile uint32_t *)(bp_gpa + BP_CMD_LINE_PTR);
	static char word[32];
	unsigned n = 0;

	while (*p && *p != ' ')
		p++;
	while (*p == ' ')
		p++;
	while (*p && *p != ' ' && n < sizeof(word) - 1)
		word[n++] = *p++;
	word[n] = '\0';
	return word;
}

void t_desc(uint32_t base, uint32_t limit, uint32_t type, uint32_t dpl,
	    uint32_t flags, uint32_t *lo, uint32_t *hi)
{
	*lo = (limit & 0xFFFF) | (base << 16);
	*hi = ((base >> 16) & 0xFF) | (base & 0xFF000000) | (limit & 0xF0000) |
	      (flags << 20) | 0x8000 | (dpl << 13) | 0x1000 | (type << 8);
}

void t_flat_desc(uint32_t type, uint32_t dpl, uint32_t *lo, uint32_t *hi)
{
	t_desc(0, 0xFFFFF, type, dpl, DESC_FLAGS_4K32, lo, hi);
}

uint32_t t_lar(uint32_t sel)
{
	uint32_t ar, ok;

	__asm__ volatile("larl %2, %0\n\t"
			 "setz %b1\n\t"
			 "movzbl %b1, %1"
			 : "=&r"(ar), "=&q"(ok) : "r"(sel) : "cc");
	return ok ? ar : ~0u;
}
