/* The host unit-test runner: lists, selects and runs the cases, one line
 * PASS/FAIL each, exit status 1 if any failed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static const struct unit_case *const suites[] = {
	cmdline_cases, config_cases, elf_cases,
	memmap_cases, frame_cases, heap_cases, desc_cases, pte_cases, insn_cases,
	linux_cases, acpi_cases, escape_cases,
};

jmp_buf *unit_assert_jmp;

static jmp_buf case_jmp;
static char fail_msg[512];

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(fail_msg, sizeof(fail_msg), "%s:%d: ", file, line);

	va_start(ap, fmt);
	vsnprintf(fail_msg + n, sizeof(fail_msg) - n, fmt, ap);
	va_end(ap);
	longjmp(case_jmp, 1);
}

static bool run(const struct unit_case *c)
{
	unit_assert_jmp = NULL;
	unit_last_log[0] = '\0';
	unit_log_count = 0;
	if (setjmp(case_jmp) == 0) {
		c->fn();
		printf("PASS %s\n", c->name);
		fflush(stdout);
		return true;
	}
	printf("FAIL %s: %s\n", c->name, fail_msg);
	fflush(stdout);
	return false;
}

/* Two cases with one name would make `./unit NAME` ambiguous. */
static void check_unique(void)
{
	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++)
		for (const struct unit_case *c = suites[s]; c->name; c++)
			for (size_t t = s; t < sizeof(suites) / sizeof(suites[0]); t++)
				for (const struct unit_case *d = t == s ? c + 1 : suites[t];
				     d->name; d++)
					if (strcmp(c->name, d->name) == 0) {
						fprintf(stderr, "duplicate case %s\n", c->name);
						exit(2);
					}
}

int main(int argc, char **argv)
{
	bool list = argc == 2 && strcmp(argv[1], "--list") == 0;
	unsigned ran = 0, failed = 0;

	check_unique();
	for (int a = list ? 2 : 1; a < argc; a++) {
		bool found = false;

		for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++)
			for (const struct unit_case *c = suites[s]; c->name; c++)
				if (strcmp(c->name, argv[a]) == 0)
					found = true;
		if (!found) {
			fprintf(stderr, "unit: no case named '%s' (try --list)\n",
				argv[a]);
			return 2;
		}
	}
	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		for (const struct unit_case *c = suites[s]; c->name; c++) {
			bool chosen = argc == 1;

			for (int a = 1; a < argc && !list; a++)
				chosen |= strcmp(c->name, argv[a]) == 0;
			if (list) {
				printf("%s\n", c->name);
			} else if (chosen) {
				ran++;
				failed += !run(c);
			}
		}
	}
	if (!list && argc == 1)
		printf("%u cases, %u failed\n", ran, failed);
	return failed ? 1 : 0;
}
