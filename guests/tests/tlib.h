/* The test guests' small framework: one function per case, registered with
 * TEST(name), run in order by t_run_all(), each printing exactly one line,
 * "PASS name", "FAIL name: why" or "SKIP name: why"; and a catcher for the exceptions a case
 * provokes on purpose (PROBE), which records the frame the guest received.
 * test/test_guest_*.py finds the case names by reading TEST(...) lines. */
#ifndef RV_TESTS_TLIB_H
#define RV_TESTS_TLIB_H

#include "rv.h"

struct tcase {
	const char *name;
	void (*fn)(void);
};

/* Cases live in the "tcases" section, in definition order. */
#define TEST(name)							\
	static void test_##name(void);					\
	static const struct tcase tcase_##name				\
		__attribute__((used, section("tcases"), aligned(4))) =	\
		{ #name, test_##name };					\
	static void test_##name(void)

/* Inside a case: end it with a FAIL line unless cond holds. */
#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			t_fail(__VA_ARGS__);				\
			return;						\
		}							\
	} while (0)

RV_PRINTF(1, 2) void t_fail(const char *fmt, ...);
/* The case cannot run here (e.g. no SSE): "SKIP name: why". */
void t_skip(const char *why);

/* Run every case (optionally only those named in argv[1..]); returns the
 * exit status: 0 if all passed, 1 otherwise. */
int t_run_all(int argc, char **argv);

/* ---- provoked exceptions ------------------------------------------------ */

/* The last frame the catcher saw, and how many it saw in all. */
struct trap_rec {
	uint32_t count;
	struct rv_regs regs;
	uint32_t irq_enabled;   /* lguest_data.irq_enabled inside the handler */
	uint32_t cr2;           /* lguest_data.cr2 inside the handler */
	uint32_t handler_cs;    /* %cs while the handler ran */
};
extern volatile struct trap_rec trec;

/* Set by PROBE_ARM: where the probed instruction is, and where the catcher
 * resumes the guest (0: an unexpected trap, which fails the guest). */
extern volatile uint32_t probe_at, probe_fix;

/* Assembly text that arms the probe for the instruction at local label 1,
 * resuming at label 2. PROBE_RETRY resumes at label 1 (re-executes it). */
#define PROBE_ARM   "movl $1f, probe_at\n\tmovl $2f, probe_fix\n\t"
#define PROBE_RETRY "movl $1f, probe_at\n\tmovl $1f, probe_fix\n\t"

/* Route vector to the catcher with the given rv_set_handler kind. */
void t_catch(unsigned vector, unsigned kind);
/* Route every exception the guest can get (0..20 except 2, 8, 15) to it. */
void t_catch_all(void);

/* Check the last trap: vector, error code, eip == probe_at (or after, for
 * a trap-class exception), cs GUEST_CS, IF and IOPL 0 in the pushed eflags.
 * Returns NULL if all match, else a static description of the mismatch. */
const char *t_trap_mismatch(uint32_t count_before, unsigned vector,
			    uint32_t error, uint32_t eip);

/* ---- small helpers ------------------------------------------------------ */

uint32_t t_eflags(void);
/* int $0x80 with eax = 0: returns eax as the handler left it, and the
 * address after the int in *ret_eip (where the handler must return). */
uint32_t t_int80(uint32_t *ret_eip);
uint64_t t_counter_reflected(void);
void t_get_counters(struct rv_counters *c);

/* Spin (interrupts as they are) until *p != 0 or ns pass; returns *p. */
uint32_t t_spin_until(volatile uint32_t *p, uint64_t ns);
void t_spin_ns(uint64_t ns);

/* String equality, and a kill case's name from the boot command line
 * (usable before the runtime's start-up). */
int t_streq(const char *a, const char *b);
const char *t_boot_case(uint32_t bp_gpa);

/* Descriptor words: a flat 4 GiB segment of the given type and DPL
 * (type: 0x2 data RW, 0xA code RX), and a general descriptor. */
void t_desc(uint32_t base, uint32_t limit, uint32_t type, uint32_t dpl,
	    uint32_t flags, uint32_t *lo, uint32_t *hi);
#define DESC_FLAGS_4K32 0xC        /* G and D/B */
#define DESC_FLAGS_BYTE32 0x4      /* D/B only */
void t_flat_desc(uint32_t type, uint32_t dpl, uint32_t *lo, uint32_t *hi);

/* lar: the access rights of sel, or ~0 if lar refuses it. */
uint32_t t_lar(uint32_t sel);

#define EFLAGS_IF   0x200u
#define EFLAGS_TF   0x100u
#define EFLAGS_OF   0x800u
#define EFLAGS_IOPL 0x3000u

#endif
