/* The guest's traps and interrupts: IDT entries loaded through the host, the
 * C dispatch behind trapentry.S's stubs, and the default handlers. */
#include "rv.h"

/* struct rv_regs is built by trapentry.S from the RV_REGS_* offsets. */
_Static_assert(offsetof(struct rv_regs, eax) == RV_REGS_EAX, "eax");
_Static_assert(offsetof(struct rv_regs, ebx) == RV_REGS_EBX, "ebx");
_Static_assert(offsetof(struct rv_regs, ecx) == RV_REGS_ECX, "ecx");
_Static_assert(offsetof(struct rv_regs, edx) == RV_REGS_EDX, "edx");
_Static_assert(offsetof(struct rv_regs, esi) == RV_REGS_ESI, "esi");
_Static_assert(offsetof(struct rv_regs, edi) == RV_REGS_EDI, "edi");
_Static_assert(offsetof(struct rv_regs, ebp) == RV_REGS_EBP, "ebp");
_Static_assert(offsetof(struct rv_regs, ds) == RV_REGS_DS, "ds");
_Static_assert(offsetof(struct rv_regs, es) == RV_REGS_ES, "es");
_Static_assert(offsetof(struct rv_regs, fs) == RV_REGS_FS, "fs");
_Static_assert(offsetof(struct rv_regs, gs) == RV_REGS_GS, "gs");
_Static_assert(offsetof(struct rv_regs, vector) == RV_REGS_VECTOR, "vector");
_Static_assert(offsetof(struct rv_regs, error) == RV_REGS_ERROR, "error");
_Static_assert(offsetof(struct rv_regs, eip) == RV_REGS_EIP, "eip");
_Static_assert(offsetof(struct rv_regs, cs) == RV_REGS_CS, "cs");
_Static_assert(offsetof(struct rv_regs, eflags) == RV_REGS_EFLAGS, "eflags");
_Static_assert(offsetof(struct rv_regs, esp) == RV_REGS_ESP, "esp");
_Static_assert(offsetof(struct rv_regs, ss) == RV_REGS_SS, "ss");
_Static_assert(sizeof(struct rv_regs) == RV_REGS_SIZE, "rv_regs size");

/* Vectors 0..31 are the CPU's exceptions. */
#define NR_EXCEPTIONS   32
#define VECTOR_NM       7
#define VECTOR_PF       14

/* Gate descriptor high word: P (bit 15), DPL (bits 13-14), type (8-11). */
#define GATE_PRESENT    0x8000u
#define GATE_DPL(pl)    ((uint32_t)(pl) << 13)
#define GATE_TYPE(t)    ((uint32_t)(t) << 8)

static rv_handler_t handlers[RV_TRAP_VECTORS];

static const char *const exception_names[NR_EXCEPTIONS] = {
	[0] = "#DE divide error",       [1] = "#DB debug",
	[3] = "#BP breakpoint",         [4] = "#OF overflow",
	[5] = "#BR bound range",        [6] = "#UD invalid opcode",
	[7] = "#NM device not available", [9] = "coprocessor overrun",
	[10] = "#TS invalid TSS",       [11] = "#NP segment not present",
	[12] = "#SS stack fault",       [13] = "#GP general protection",
	[14] = "#PF page fault",        [16] = "#MF x87 error",
	[17] = "#AC alignment check",   [18] = "#MC machine check",
	[19] = "#XM SIMD error",        [20] = "#VE virtualization",
};

/* The host ignores IDT entries for NMI, double fault, the reserved 15 and
 * its own hypercall vector: a guest cannot handle those. */
static int host_ignores(unsigned int vector)
{
	return vector == 2 || vector == 8 || vector == 15 ||
	       vector == LGUEST_TRAP_ENTRY;
}

/* An exception nobody handles ends the guest, after saying where. */
static void unhandled_exception(struct rv_regs *r)
{
	const char *name = exception_names[r->vector];

	rv_printf("rv: unhandled exception %u (%s), error 0x%x, "
		  "eip 0x%08x, cs 0x%x, eflags 0x%08x",
		  r->vector, name ? name : "reserved", r->error,
		  r->eip, r->cs, r->eflags);
	if (r->vector == VECTOR_PF)
		rv_printf(", cr2 0x%08x", rv_lguest_data.cr2);
	rv_printf("\n");
	rv_exit(RV_STATUS_EXCEPTION(r->vector));
}

/* #NM: the host keeps CR0.TS set until the guest asks for the FPU (lazy
 * switching, as Linux's clts does); the guest simply says it may use it. */
static void device_not_available(struct rv_regs *r)
{
	(void)r;
	rv_hcall1(HC_TS, 0);
}

/* Virtual IRQ 1, console input waiting: nothing to do here. Its arrival
 * ends the reader's rv_halt, and the reader takes the bytes (tty.c). */
static void console_input(struct rv_regs *r)
{
	(void)r;
}

static void unexpected_interrupt(struct rv_regs *r)
{
	rv_printf("rv: unexpected interrupt on vector %u, ignored\n",
		  r->vector);
}

/* The power button (RV_IRQ_POWER, the monitor's shutdown): the program
 * ends with status 0, as if main returned it. A program that must clean up
 * first installs its own handler with rv_set_irq_handler. */
static void power_button(struct rv_regs *r)
{
	(void)r;
	rv_printf("rv: power button pressed; exiting\n");
	rv_exit(0);
}

static rv_handler_t default_handler(unsigned int vector)
{
	if (vector == VECTOR_NM)
		return device_not_available;
	if (vector < NR_EXCEPTIONS)
		return unhandled_exception;
	if (vector == LGUEST_IRQ_VECTOR_BASE + RV_IRQ_TIMER)
		return rv_timer_irq;
	if (vector == LGUEST_IRQ_VECTOR_BASE + RV_IRQ_CONSOLE)
		return console_input;
	if (vector == LGUEST_IRQ_VECTOR_BASE + RV_IRQ_POWER)
		return power_button;
	return unexpected_interrupt;
}

int rv_set_handler(unsigned int vector, rv_handler_t fn, unsigned int kind)
{
	if (vector >= RV_TRAP_VECTORS || host_ignores(vector))
		return -1;

	uint32_t entry = rv_gpa(rv_trap_stubs + vector * RV_TRAP_STUB_SIZE);
	uint32_t type = (kind & RV_GATE_TRAP) ? IDT_GATE_TRAP
					       : IDT_GATE_INTERRUPT;
	uint32_t dpl = (kind & RV_GATE_USER) ? 3 : GUEST_PL;
	uint32_t lo = ((uint32_t)GUEST_CS << 16) | (entry & 0xFFFFu);
	uint32_t hi = (entry & 0xFFFF0000u) | GATE_PRESENT | GATE_DPL(dpl) |
		      GATE_TYPE(type);

	/* The handler first, so a trap arriving as soon as the entry is
	 * live finds it. */
	handlers[vector] = fn ? fn : default_handler(vector);
	rv_barrier();
	rv_hcall3(HC_LOAD_IDT_ENTRY, vector, lo, hi);
	return 0;
}

int rv_handler_installed(unsigned int vector)
{
	return vector < RV_TRAP_VECTORS && handlers[vector] != NULL;
}

int rv_set_irq_handler(unsigned int irq, rv_handler_t fn)
{
	if (irq >= LGUEST_IRQS)
		return -1;
	return rv_set_handler(LGUEST_IRQ_VECTOR_BASE + irq, fn, RV_GATE_INTR);
}

/* Every exception goes through an interrupt gate, so its handler starts
 * with virtual interrupts off (and cr2 cannot be overwritten meanwhile). */
void rv_trap_init(void)
{
	for (unsigned int v = 0; v < NR_EXCEPTIONS; v++)
		if (!host_ignores(v))
			rv_set_handler(v, NULL, RV_GATE_INTR);
	rv_set_irq_handler(RV_IRQ_TIMER, NULL);
	rv_set_irq_handler(RV_IRQ_POWER, NULL);
}

void c_rv_trap(struct rv_regs *regs)
{
	rv_handler_t fn = handlers[regs->vector & (RV_TRAP_VECTORS - 1)];

	if (fn == NULL)
		fn = default_handler(regs->vector);
	fn(regs);
}
