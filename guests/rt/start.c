/* Guest start-up, the top of the runtime: HC_LGUEST_INIT, the ring-1
 * stack, the trap table, argc/argv from the boot command line, main, and
 * the exit with main's status. The runtime's layers, bottom first: hcall.c
 * and string.c (hypercalls, the shared page, the ending calls), console.c
 * and printf.c, then timer.c, trap.c, trapentry.S and tty.c, then this
 * file and crt0.S; each uses only its own layer and those below. */
#include "rv.h"

/* Command-line bytes kept, with the NUL: Ringvisor's whole page
 * (GUEST_CMDLINE_MAX in include/param.h), so nothing it gives is cut. Most
 * argv entries kept: a line with more words says so before main runs. */
#define RV_CMDLINE_MAX  4096
#define RV_ARGV_MAX     256

__attribute__((weak)) const uint32_t rv_kernel_address = 0;

/* The ring-1 stack for traps from ring 3 (HC_SET_STACK): page-aligned so
 * its RV_RING1_STACK_SIZE / 4096 pages are exactly the ones it uses. */
static uint8_t ring1_stack[RV_RING1_STACK_SIZE] __attribute__((aligned(4096)));

static char cmdline[RV_CMDLINE_MAX];
static char *argv[RV_ARGV_MAX + 1];

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* What parse_cmdline() could not keep, told once the console works. */
static uint32_t cmdline_longer, words_dropped;

/* Copy the boot command line (boot_params.cmd_line_ptr, at most
 * cmdline_size bytes) and split it at white space into argv; argv[0] is
 * the guest's name. The copy keeps boot_params untouched. Returns argc;
 * argv[argc] is NULL. */
static int parse_cmdline(uint32_t boot_params_gpa)
{
	const volatile uint8_t *bp =
		(const volatile uint8_t *)(uintptr_t)boot_params_gpa;
	uint32_t src_gpa = *(const volatile uint32_t *)(bp + BP_CMD_LINE_PTR);
	uint32_t size = *(const volatile uint32_t *)(bp + BP_CMDLINE_SIZE);
	if (size == 0)			/* a host that does not say: our bound */
		size = RV_CMDLINE_MAX;
	const char *src = (const char *)(uintptr_t)src_gpa;
	size_t len = 0;
	int argc = 0;

	if (src_gpa != 0) {
		while (len < size && len < RV_CMDLINE_MAX - 1 && src[len] != '\0') {
			cmdline[len] = src[len];
			len++;
		}
		if (len == RV_CMDLINE_MAX - 1 && len < size && src[len] != '\0')
			cmdline_longer = size;
	}
	cmdline[len] = '\0';

	for (char *p = cmdline; *p != '\0';) {
		while (is_space(*p))
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (argc < RV_ARGV_MAX)
			argv[argc++] = p;
		else
			words_dropped++;
		while (*p != '\0' && !is_space(*p))
			p++;
	}
	argv[argc] = NULL;
	return argc;
}

/* Runs once, from crt0.S, on the boot stack. LGUEST_INIT must be the first
 * hypercall: the host kills a guest that makes any other before it. */
void c_rv_start(uint32_t boot_params_gpa)
{
	rv_lguest_data.noirq_iret = (uint32_t)rv_noirq_iret;
	/* Read through volatile: GCC would fold the weak default's 0. */
	rv_lguest_data.kernel_address =
		*(const volatile uint32_t *)&rv_kernel_address;
	rv_hcall1(HC_LGUEST_INIT, rv_gpa(&rv_lguest_data));

	rv_set_kernel_stack(rv_gpa(ring1_stack + sizeof(ring1_stack)),
			    sizeof(ring1_stack) / 4096);
	rv_trap_init();

	int argc = parse_cmdline(boot_params_gpa);
	if (cmdline_longer)
		rv_printf("rv: warning: the command line is longer than %u bytes; "
			  "argv holds its first %u\n", RV_CMDLINE_MAX - 1, RV_CMDLINE_MAX - 1);
	if (words_dropped)
		rv_printf("rv: warning: the command line has %u words; argv holds "
			  "the first %u (RV_ARGV_MAX)\n", argc + words_dropped, RV_ARGV_MAX);

	rv_irq_enable();
	rv_exit((uint32_t)main(argc, argv));
}
