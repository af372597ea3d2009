/* The host unit-test harness: cases are plain functions listed in one table
 * per test file; CHECK() stops a case at its first failed expectation. */
#ifndef RV_TEST_UNIT_HARNESS_H
#define RV_TEST_UNIT_HARNESS_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

struct unit_case {
	const char *name;
	void (*fn)(void);
};

/* One table entry per case: the function's name is the case's name. */
#define UNIT_CASE(fn) { #fn, fn }
#define UNIT_END      { 0, 0 }

/* Each test file defines one NULL-terminated table; harness.c lists them. */
extern const struct unit_case cmdline_cases[], config_cases[], elf_cases[],
	memmap_cases[], frame_cases[], heap_cases[], desc_cases[], pte_cases[],
	insn_cases[], linux_cases[], acpi_cases[], escape_cases[];

/* Ends the running case as failed with "file:line: what". */
__attribute__((noreturn)) void unit_fail(const char *file, int line,
					 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define CHECK(e) \
	do { if (!(e)) unit_fail(__FILE__, __LINE__, "%s", #e); } while (0)

/* Equality of two integers, both values shown on failure. */
#define CHECK_EQ(a, b) \
	do { \
		unsigned long long a_ = (unsigned long long)(a); \
		unsigned long long b_ = (unsigned long long)(b); \
		if (a_ != b_) \
			unit_fail(__FILE__, __LINE__, "%s == %s (0x%llx != 0x%llx)", \
				  #a, #b, a_, b_); \
	} while (0)

/* Equality of two C strings, both shown on failure. */
#define CHECK_STR(a, b) \
	do { \
		const char *a_ = (a), *b_ = (b); \
		if (strcmp(a_, b_) != 0) \
			unit_fail(__FILE__, __LINE__, "%s == %s (\"%s\" != \"%s\")", \
				  #a, #b, a_, b_); \
	} while (0)

/* support.c's assert_fail() longjmps here when a case expects an ASSERT. */
extern jmp_buf *unit_assert_jmp;

/* Runs stmt and checks that it trips the hypervisor's ASSERT(). */
#define CHECK_ASSERTS(stmt) \
	do { \
		jmp_buf jb_; \
		volatile bool fired_ = false; \
		unit_assert_jmp = &jb_; \
		if (setjmp(jb_) == 0) { \
			stmt; \
		} else { \
			fired_ = true; \
		} \
		unit_assert_jmp = NULL; \
		if (!fired_) \
			unit_fail(__FILE__, __LINE__, "ASSERT expected from %s", #stmt); \
	} while (0)

/* support.c: what the code under test logged last, and how many lines. */
extern char unit_last_log[256];
extern unsigned unit_log_count;

#endif
