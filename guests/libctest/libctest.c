/* The C library's conformance guest (test/test_libc.py): newlib on the
 * guest runtime and guests/libc/syscalls.c, one function per case, one line
 * per case ("PASS name" or "FAIL name: why"); exits 0 only if all passed.
 *
 * Arguments (after `--`): none runs every case; `exit N` runs none and
 * ends through exit(N) from inside a call, after an atexit handler and an
 * unflushed line, to check exit statuses and stdio's flush at exit. */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* ---- the case machinery ---------------------------------------------------- */

static int case_failed;
static char case_why[256];
static int failures;

/* Record the first failure of the running case. */
__attribute__((format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
	va_list ap;

	if (case_failed)
		return;
	case_failed = 1;
	va_start(ap, fmt);
	vsnprintf(case_why, sizeof(case_why), fmt, ap);
	va_end(ap);
}

#define CHECK(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)

/* snprintf's output equals want. */
#define CHECK_FMT(want, ...) do {                                          \
	char buf_[160];                                                    \
	int n_ = snprintf(buf_, sizeof(buf_), __VA_ARGS__);                \
	CHECK(strcmp(buf_, want) == 0 && n_ == (int)strlen(want),          \
	      "%s gave \"%s\" (%d), not \"%s\"", #__VA_ARGS__, buf_, n_,   \
	      want);                                                       \
} while (0)

/* |got - want| within tol, relative for large values. */
#define CHECK_NEAR(got, want, tol) do {                                    \
	double g_ = (got), w_ = (want);                                    \
	double e_ = fabs(g_ - w_) / (fabs(w_) > 1 ? fabs(w_) : 1);         \
	CHECK(e_ <= (tol), "%s = %.17g, not %.17g", #got, g_, w_);         \
} while (0)

static void run(const char *name, void (*fn)(void))
{
	case_failed = 0;
	case_why[0] = '\0';
	fn();
	if (case_failed) {
		failures++;
		printf("FAIL %s: %s\n", name, case_why);
	} else {
		printf("PASS %s\n", name);
	}
}

/* A small, fixed pseudo-random sequence (xorshift32). */
static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Values the compiler cannot see through: the cases pass what C allows
 * but GCC warns of when it knows the value (a NULL %s, a cut snprintf, a
 * size no object can have). */
static size_t opaque_size(size_t n)
{
	__asm__("" : "+r"(n));
	return n;
}

static const char *opaque_str(const char *s)
{
	__asm__("" : "+r"(s));
	return s;
}

/* ---- printf ------------------------------------------------------------------ */

static void printf_integers(void)
{
	CHECK_FMT("-42|42|4294967254", "%d|%i|%u", -42, 42, -42);
	CHECK_FMT("[   42][42   ][00042][+42][ 42]", "[%5d][%-5d][%05d][%+d][% d]",
		  42, 42, 42, 42, 42);
	CHECK_FMT("beef BEEF 0xbeef 0XBEEF", "%x %X %#x %#X", 0xbeef, 0xbeef,
		  0xbeef, 0xbeef);
	CHECK_FMT("755 0755 0", "%o %#o %o", 0755, 0755, 0);
	CHECK_FMT("-9223372036854775808 18446744073709551615",
		  "%lld %llu", (long long)INT64_MIN, (unsigned long long)UINT64_MAX);
	CHECK_FMT("ffffffffffffffff 1234567890123", "%llx %lld",
		  (unsigned long long)UINT64_MAX, 1234567890123ll);
	CHECK_FMT("4294967295 -2147483648", "%lu %ld", 4294967295ul, (long)INT32_MIN);
	CHECK_FMT("123 -5 255 65535", "%zu %td %hhu %hu", (size_t)123,
		  (ptrdiff_t)-5, 255, 65535);
	CHECK_FMT("9223372036854775807", "%jd", (intmax_t)INT64_MAX);
	/* An argument after a 64-bit one is still read right. */
	CHECK_FMT("1 2 3", "%d %lld %d", 1, 2ll, 3);
	CHECK_FMT("[  007][7    ]", "[%*.*d][%-*d]", 5, 3, 7, 5, 7);
}

static void printf_strings(void)
{
	CHECK_FMT("[abc][  abc][abc  ][ab][   ab]", "[%s][%5s][%-5s][%.2s][%5.2s]",
		  "abc", "abc", "abc", "abc", "abc");
	CHECK_FMT("[x][  x][x  ][%]", "[%c][%3c][%-3c][%%]", 'x', 'x', 'x');
	CHECK_FMT("(null)", "%s", opaque_str(NULL));
	CHECK_FMT("0x1234", "%p", (void *)0x1234);

	char small[8];
	int n = snprintf(small, opaque_size(sizeof(small)), "%s",
			 "truncated text");
	CHECK(n == 14 && strcmp(small, "truncat") == 0,
	      "snprintf truncation: %d \"%s\"", n, small);
	n = snprintf(NULL, 0, "%d-%s", 12345, "ab");
	CHECK(n == 8, "snprintf(NULL, 0) gave %d, not 8", n);
}

static void printf_floats(void)
{
	CHECK_FMT("3.141593 3.14 3 3.1415926536", "%f %.2f %.0f %.10f",
		  M_PI, M_PI, M_PI, M_PI);
	CHECK_FMT("[    3.142][3.142    ][+003.142]", "[%9.3f][%-9.3f][%+08.3f]",
		  M_PI, M_PI, M_PI);
	CHECK_FMT("-0.500000 0.000000 -0.000000", "%f %f %f", -0.5, 0.0, -0.0);
	CHECK_FMT("6.022141e+23 6.02e+23 6.022141E+23 1e-300", "%e %.2e %E %.0e",
		  6.02214076e23, 6.02214076e23, 6.02214076e23, 1e-300);
	CHECK_FMT("0.0001 1e-05 100000 1e+06 3.14159 3.1416", "%g %g %g %g %g %.5g",
		  0.0001, 0.00001, 100000.0, 1000000.0, M_PI, M_PI);
	CHECK_FMT("2.50 2.5 0.1", "%#.3g %.3g %g", 2.5, 2.5, 0.1);
	CHECK_FMT("inf -inf nan INF", "%f %f %f %F", INFINITY, -INFINITY, NAN,
		  INFINITY);
	CHECK_FMT("1.797693e+308 2.225074e-308", "%e %e", DBL_MAX, DBL_MIN);
	CHECK_FMT("123456789012345680.000000", "%f", 123456789012345678.0);
	CHECK_FMT("0x1p+0", "%a", 1.0);
	/* float promotes to double; long double has its own size. */
	CHECK_FMT("0.1 1.5", "%.1f %.1Lf", 0.1f, 1.5L);
}

/* ---- scanf ------------------------------------------------------------------- */

static void sscanf_integers(void)
{
	int a = 0, b = 0, c = 0, n = 0;
	unsigned int x = 0, o = 0;
	long long ll = 0;
	size_t z = 0;

	int r = sscanf("  -12 +34 0x1F 777 -9000000000 42 tail", "%d %i %x %o %lld %zu%n",
		       &a, &b, &x, &o, &ll, &z, &n);
	CHECK(r == 6, "sscanf returned %d, not 6", r);
	CHECK(a == -12 && b == 34 && x == 0x1F && o == 0777,
	      "got %d %d %x %o", a, b, x, o);
	CHECK(ll == -9000000000ll && z == 42, "got %lld %zu", ll, z);
	CHECK(n == 33, "%%n gave %d, not 33", n);

	r = sscanf("0x10 010 10", "%i %i %i", &a, &b, &c);
	CHECK(r == 3 && a == 16 && b == 8 && c == 10, "%%i bases: %d %d %d", a, b, c);
	r = sscanf("12345", "%3d%d", &a, &b);
	CHECK(r == 2 && a == 123 && b == 45, "widths: %d %d", a, b);
	r = sscanf("abc", "%d", &a);
	CHECK(r == 0, "a mismatch returned %d, not 0", r);
	r = sscanf("", "%d", &a);
	CHECK(r == EOF, "empty input returned %d, not EOF", r);
}

static void sscanf_floats_strings(void)
{
	float f = 0;
	double d = 0, e = 0, g = 0;
	char word[16], rest[16], ch = 0;
	/* (newlib 3.3's scanf does not read C99's hex floats; strtod does.) */
	int r = sscanf("3.25 -1.5e3 16e0 name:value X", "%f %lf %lf %15[a-z]:%15s %c",
		       &f, &d, &e, word, rest, &ch);

	CHECK(r == 6, "sscanf returned %d, not 6", r);
	CHECK(f == 3.25f && d == -1500.0 && e == 16.0, "got %g %g %g", f, d, e);
	CHECK(strcmp(word, "name") == 0 && strcmp(rest, "value") == 0 && ch == 'X',
	      "got \"%s\" \"%s\" '%c'", word, rest, ch);
	r = sscanf("1e-310 inf", "%lg %lg", &g, &d);
	CHECK(r == 2 && g > 0 && g < 1e-309 && isinf(d), "subnormal/inf: %g %g", g, d);
	r = sscanf("abcdef", "%3s%s", word, rest);
	CHECK(r == 2 && strcmp(word, "abc") == 0 && strcmp(rest, "def") == 0,
	      "%%3s: \"%s\" \"%s\"", word, rest);
	int key = 0;
	r = sscanf("key = 17", "key = %d", &key);
	CHECK(r == 1 && key == 17, "literal matching gave %d, %d", r, key);
}

/* ---- the heap ------------------------------------------------------------------ */

#define STRESS_BLOCKS 1500

static unsigned char pattern(size_t block, size_t i)
{
	return (unsigned char)(block * 31 + i * 7 + 1);
}

static int block_ok(const unsigned char *p, size_t block, size_t size)
{
	for (size_t i = 0; i < size; i++)
		if (p[i] != pattern(block, i))
			return 0;
	return 1;
}

static void fill(unsigned char *p, size_t block, size_t from, size_t size)
{
	for (size_t i = from; i < size; i++)
		p[i] = pattern(block, i);
}

/* Many sizes, freed in random order, reallocated bigger and smaller; every
 * byte of every live block keeps its value throughout. */
static void malloc_stress(void)
{
	static unsigned char *blocks[STRESS_BLOCKS];
	static size_t sizes[STRESS_BLOCKS];
	static size_t order[STRESS_BLOCKS];

	for (int round = 0; round < 3 && !case_failed; round++) {
		for (size_t b = 0; b < STRESS_BLOCKS; b++) {
			/* Mostly small, some page-sized and larger. */
			uint32_t r = rnd();
			sizes[b] = r % 8 == 0 ? 1 + r % 20000 : 1 + r % 200;
			blocks[b] = malloc(sizes[b]);
			if (blocks[b] == NULL) {
				fail("round %d: malloc(%zu) failed, block %zu",
				     round, sizes[b], b);
				return;
			}
			CHECK(((uintptr_t)blocks[b] & 7) == 0, "malloc gave %p, not 8-aligned",
			      (void *)blocks[b]);
			fill(blocks[b], b, 0, sizes[b]);
			order[b] = b;
		}
		/* Shuffle, then free half in that order and realloc the rest. */
		for (size_t i = STRESS_BLOCKS - 1; i > 0; i--) {
			size_t j = rnd() % (i + 1), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (size_t i = 0; i < STRESS_BLOCKS; i++) {
			size_t b = order[i];

			if (!block_ok(blocks[b], b, sizes[b])) {
				fail("round %d: block %zu (%zu bytes) corrupted",
				     round, b, sizes[b]);
				return;
			}
			if (i % 2 == 0) {
				free(blocks[b]);
				blocks[b] = NULL;
				continue;
			}
			size_t keep = sizes[b];
			size_t size = rnd() % 2 ? keep * 3 + 17 : keep / 2 + 1;
			unsigned char *p = realloc(blocks[b], size);

			if (p == NULL) {
				fail("realloc(%zu -> %zu) failed", keep, size);
				return;
			}
			if (!block_ok(p, b, keep < size ? keep : size)) {
				fail("realloc(%zu -> %zu) lost the contents", keep, size);
				return;
			}
			fill(p, b, 0, size);
			blocks[b] = p;
			sizes[b] = size;
		}
		for (size_t b = 0; b < STRESS_BLOCKS; b++) {
			if (blocks[b] == NULL)
				continue;
			if (!block_ok(blocks[b], b, sizes[b]))
				fail("round %d: block %zu corrupted after realloc", round, b);
			free(blocks[b]);
		}
	}
	/* The corner cases C gives meaning to. */
	free(NULL);
	int *z = calloc(1000, sizeof(int));
	CHECK(z != NULL, "calloc failed");
	for (int i = 0; z != NULL && i < 1000; i++)
		CHECK(z[i] == 0, "calloc: z[%d] = %d", i, z[i]);
	free(z);
	char *r = realloc(NULL, 10);
	CHECK(r != NULL, "realloc(NULL, 10) failed");
	free(r);
}

#define EXHAUST_MAX 100000

/* Allocate until malloc says no: NULL with ENOMEM, never a crash; every
 * block it gave is usable; once all are freed, the memory is there again. */
static void malloc_exhaustion(void)
{
	static void *held[EXHAUST_MAX];
	size_t n = 0, total = 0;
	size_t sizes[] = { 256 * 1024, 4096, 64 };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (;;) {
			if (n == EXHAUST_MAX) {
				fail("%zu blocks and malloc still did not fail", n);
				goto out;
			}
			errno = 0;
			void *p = malloc(sizes[s]);
			if (p == NULL) {
				CHECK(errno == ENOMEM, "errno %d, not ENOMEM", errno);
				break;
			}
			memset(p, 0xA5, sizes[s]);      /* really there */
			held[n++] = p;
			total += sizes[s];
		}
	}
	CHECK(total > 4u * 1024 * 1024, "only %zu bytes before exhaustion (mem=8M)",
	      total);
	CHECK(malloc(opaque_size(1u << 30)) == NULL, "malloc(1 GiB) succeeded");
	CHECK(malloc(opaque_size(SIZE_MAX)) == NULL, "malloc(SIZE_MAX) succeeded");
	CHECK(calloc(opaque_size(SIZE_MAX / 2), 4) == NULL, "calloc with an overflowing size succeeded");
out:
	while (n > 0)
		free(held[--n]);
	void *again = malloc(total / 2);
	CHECK(again != NULL, "malloc(%zu) failed after everything was freed", total / 2);
	free(again);
}

/* ---- setjmp ---------------------------------------------------------------- */

static jmp_buf jump_target;
static int depth_reached;

static void dive(int depth)
{
	volatile char pad[64];

	pad[0] = (char)depth;
	depth_reached = depth + pad[0] - (char)depth;
	if (depth == 100)
		longjmp(jump_target, 0);        /* 0 arrives as 1 */
	if (depth < 100)
		dive(depth + 1);
}

static void setjmp_longjmp(void)
{
	volatile int local = 1;
	volatile double fp = 1.5;
	int r = setjmp(jump_target);

	if (r == 0) {
		local = 2;
		fp = 2.5;
		dive(0);
		fail("longjmp did not jump");
		return;
	}
	CHECK(r == 1, "setjmp returned %d, not 1 after longjmp(.., 0)", r);
	CHECK(depth_reached == 100, "depth %d", depth_reached);
	CHECK(local == 2 && fp == 2.5, "volatile locals %d %g", local, fp);

	/* A second jump, with a value, to the same buffer from a new call. */
	static volatile int count;
	count = 0;
	r = setjmp(jump_target);
	if (count++ < 5)
		longjmp(jump_target, 40 + count);
	CHECK(r == 45 && count == 6, "repeated jumps: r %d count %d", r, count);
}

/* ---- qsort and bsearch ------------------------------------------------------ */

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void qsort_bsearch(void)
{
	enum { N = 5000 };
	static int v[N];

	for (int i = 0; i < N; i++)
		v[i] = (int)(rnd() % 20000) * 2;        /* even: odd ones absent */
	qsort(v, N, sizeof(v[0]), cmp_int);
	for (int i = 1; i < N; i++)
		if (v[i - 1] > v[i]) {
			fail("not sorted at %d: %d > %d", i, v[i - 1], v[i]);
			return;
		}
	for (int i = 0; i < N; i += 7) {
		int *p = bsearch(&v[i], v, N, sizeof(v[0]), cmp_int);
		CHECK(p != NULL && *p == v[i], "bsearch missed %d", v[i]);
		int odd = v[i] + 1;
		CHECK(bsearch(&odd, v, N, sizeof(v[0]), cmp_int) == NULL,
		      "bsearch found absent %d", odd);
	}

	const char *words[] = { "pear", "apple", "fig", "banana", "cherry", "date" };
	qsort(words, 6, sizeof(words[0]), cmp_str);
	CHECK(strcmp(words[0], "apple") == 0 && strcmp(words[5], "pear") == 0 &&
	      strcmp(words[2], "cherry") == 0, "strings sorted as %s %s %s",
	      words[0], words[2], words[5]);
	/* Already sorted and all equal: the cases naive quicksorts trip on. */
	for (int i = 0; i < N; i++)
		v[i] = i < N / 2 ? 7 : i;
	qsort(v, N, sizeof(v[0]), cmp_int);
	CHECK(v[0] == 7 && v[N / 2 - 1] == 7 && v[N - 1] == N - 1, "degenerate input");
}

/* ---- strings ------------------------------------------------------------------ */

static void string_functions(void)
{
	char buf[32];

	CHECK(strcmp("abc", "abd") < 0 && strcmp("b", "a") > 0 && strcmp("x", "x") == 0,
	      "strcmp");
	CHECK(strcmp("\xff", "\x01") > 0, "strcmp must compare as unsigned char");
	CHECK(strncmp("abcX", "abcY", 3) == 0 && strncmp("ab", "abc", 3) < 0, "strncmp");

	memset(buf, 'Z', sizeof(buf));
	strncpy(buf, "hi", 6);
	CHECK(memcmp(buf, "hi\0\0\0\0ZZ", 8) == 0, "strncpy must pad with NULs");
	strncpy(buf, "truncate", opaque_size(4));
	CHECK(memcmp(buf, "trun\0", 5) == 0, "strncpy must not terminate a cut copy");

	char text[] = "  a,b;;c  d ";
	const char *want[] = { "a", "b", "c", "d" };
	int k = 0;
	for (char *t = strtok(text, " ,;"); t != NULL; t = strtok(NULL, " ,;"), k++)
		CHECK(k < 4 && strcmp(t, want[k]) == 0, "strtok token %d \"%s\"", k, t);
	CHECK(k == 4, "strtok gave %d tokens, not 4", k);

	const char *hay = "the needle in the haystack";
	CHECK(strstr(hay, "needle") == hay + 4 && strstr(hay, "") == hay &&
	      strstr(hay, "pin") == NULL && strstr(hay, "hay") == hay + 18, "strstr");
	CHECK(strchr(hay, 'e') == hay + 2 && strrchr(hay, 'e') == hay + 16 &&
	      strchr(hay, '\0') == hay + strlen(hay), "strchr/strrchr");
	CHECK(strlen("") == 0 && strlen(hay) == 26, "strlen");

	strcpy(buf, "0123456789");
	memmove(buf + 2, buf, 6);               /* forwards overlap */
	CHECK(strcmp(buf, "0101234589") == 0, "memmove up: %s", buf);
	strcpy(buf, "0123456789");
	memmove(buf, buf + 3, 7);               /* backwards overlap */
	CHECK(strcmp(buf, "3456789789") == 0, "memmove down: %s", buf);

	char *end;
	errno = 0;
	CHECK(strtol("  -1234xyz", &end, 10) == -1234 && strcmp(end, "xyz") == 0,
	      "strtol decimal");
	CHECK(strtol("0x7f", NULL, 0) == 127 && strtol("0777", NULL, 0) == 511 &&
	      strtol("zz", NULL, 36) == 1295 && strtol("101", NULL, 2) == 5, "strtol bases");
	CHECK(strtol("nope", &end, 10) == 0 && strcmp(end, "nope") == 0,
	      "strtol with no digits");
	errno = 0;
	long big = strtol("99999999999999999999", NULL, 10);
	CHECK(big == LONG_MAX && errno == ERANGE, "strtol overflow: %ld errno %d", big, errno);
	CHECK(strtoul("4294967295", NULL, 10) == 4294967295ul, "strtoul");
	CHECK(strtoll("-9223372036854775807", NULL, 10) == -9223372036854775807ll, "strtoll");
	CHECK(atoi("  42abc") == 42, "atoi");

	double d = strtod("  -12.5e-1rest", &end);
	CHECK(d == -1.25 && strcmp(end, "rest") == 0, "strtod: %g", d);
	CHECK(strtod("0x1.8p1", NULL) == 3.0 && isinf(strtod("inf", NULL)) &&
	      isnan(strtod("nan", NULL)), "strtod hex/inf/nan");
	CHECK(strtod("0.1", NULL) == 0.1 && strtod("1e308", NULL) == 1e308,
	      "strtod must round correctly");
	errno = 0;
	d = strtod("1e999", NULL);
	CHECK(isinf(d) && errno == ERANGE, "strtod overflow: %g errno %d", d, errno);
	CHECK(strcmp(strerror(ENOMEM), "Cannot allocate memory") == 0 ||
	      strcmp(strerror(ENOMEM), "Not enough space") == 0,
	      "strerror(ENOMEM) = \"%s\"", strerror(ENOMEM));
}

/* ---- math ------------------------------------------------------------------------ */

static void math_functions(void)
{
	/* volatile: computed at run time, not folded by the compiler. */
	volatile double two = 2.0, half = 0.5, one = 1.0, ten = 10.0;

	CHECK(sqrt(two * two) == 2.0, "sqrt(4)");
	CHECK_NEAR(sqrt(two), M_SQRT2, 1e-15);
	CHECK(isnan(sqrt(-one)), "sqrt(-1) must be NaN");
	CHECK_NEAR(sin(M_PI / 6 * one), 0.5, 1e-15);
	CHECK_NEAR(cos(M_PI / 3 * one), 0.5, 1e-15);
	CHECK_NEAR(sin(M_PI * one), 0.0, 1e-15);
	CHECK_NEAR(sin(1e6 * one), -0.34999350217129294, 1e-12);  /* argument reduction */
	CHECK_NEAR(tan(M_PI / 4 * one), 1.0, 1e-15);
	CHECK_NEAR(atan2(one, one), M_PI / 4, 1e-15);
	CHECK_NEAR(exp(one), M_E, 1e-15);
	CHECK_NEAR(exp(-ten * 70), 0.0, 1e-300);
	CHECK_NEAR(log(M_E * one), 1.0, 1e-15);
	CHECK_NEAR(log10(1000 * one), 3.0, 1e-15);
	CHECK(isinf(log(0 * one)) && log(0 * one) < 0, "log(0) must be -inf");
	CHECK_NEAR(pow(two, ten), 1024.0, 0);
	CHECK_NEAR(pow(two, half), M_SQRT2, 1e-15);
	CHECK_NEAR(pow(ten, -3 * one), 0.001, 1e-15);
	CHECK(pow(0 * one, 0 * one) == 1.0, "pow(0, 0) must be 1");
	CHECK(fabs(-3.5 * one) == 3.5 && fabs(3.5 * one) == 3.5, "fabs");
	CHECK(floor(-2.5 * one) == -3.0 && ceil(-2.5 * one) == -2.0 &&
	      round(2.5 * one) == 3.0 && trunc(-2.7 * one) == -2.0, "floor/ceil/round/trunc");
	CHECK_NEAR(fmod(ten, 3 * one), 1.0, 0);
	CHECK_NEAR(hypot(3 * one, 4 * one), 5.0, 1e-15);
	CHECK_NEAR(sinf((float)(M_PI / 2) * (float)one), 1.0, 1e-7);
	CHECK_NEAR(expf((float)one), M_E, 1e-6);

	/* sin^2 + cos^2 = 1 over many arguments. */
	for (int i = -500; i <= 500; i++) {
		double x = i * 0.0123 * one, s = sin(x), c = cos(x);
		if (fabs(s * s + c * c - 1.0) > 1e-15) {
			fail("sin^2 + cos^2 at %g is off by %g", x, s * s + c * c - 1.0);
			break;
		}
	}
}

/* ---- time ------------------------------------------------------------------------ */

static long long tv_us(const struct timeval *tv)
{
	return (long long)tv->tv_sec * 1000000 + tv->tv_usec;
}

/* clock() and gettimeofday never go backwards, over many calls, and both
 * move forwards while the guest works. */
static void time_monotonic(void)
{
	struct timeval tv;
	clock_t c0 = clock(), c_last = c0;
	long long t0, t_last;
	volatile double sink = 0;

	CHECK(c0 != (clock_t)-1, "clock() is not available");
	gettimeofday(&tv, NULL);
	t0 = t_last = tv_us(&tv);
	CHECK(tv.tv_sec > 1600000000 && tv.tv_usec >= 0 && tv.tv_usec < 1000000,
	      "gettimeofday: %lld.%06ld", (long long)tv.tv_sec, (long)tv.tv_usec);
	CHECK(llabs((long long)time(NULL) - tv.tv_sec) <= 1, "time() and gettimeofday differ");

	for (int i = 0; i < 200000; i++) {
		clock_t c = clock();
		gettimeofday(&tv, NULL);
		long long t = tv_us(&tv);

		if (c < c_last || t < t_last) {
			fail("call %d went backwards: clock %ld -> %ld, gettimeofday "
			     "%lld -> %lld", i, (long)c_last, (long)c, t_last, t);
			return;
		}
		if (tv.tv_usec < 0 || tv.tv_usec >= 1000000) {
			fail("tv_usec %ld", (long)tv.tv_usec);
			return;
		}
		c_last = c;
		t_last = t;
		if (i % 1000 == 0)
			for (int k = 0; k < 200; k++)
				sink = sink + k;
	}
	CHECK(t_last > t0, "gettimeofday never advanced in 200000 calls");
	CHECK(c_last > c0, "clock() never advanced in 200000 calls");
	/* The two clocks agree on how long that took, within a tick or two. */
	double by_clock = (double)(c_last - c0) / CLOCKS_PER_SEC;
	double by_tod = (t_last - t0) / 1e6;
	CHECK(fabs(by_clock - by_tod) < 0.05 + 0.1 * by_tod,
	      "clock() says %.3f s, gettimeofday %.3f s", by_clock, by_tod);
}

/* ---- exit -------------------------------------------------------------------------- */

static void say_goodbye(void)
{
	/* No newline: exit() must still flush it out, after this runs. */
	printf("libctest: atexit handler ran");
}

static void __attribute__((noreturn)) exit_deep(int status, int depth)
{
	if (depth > 0)
		exit_deep(status, depth - 1);
	printf("libctest: exiting with status %d\n", status);
	exit(status);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "exit") == 0) {
		atexit(say_goodbye);
		exit_deep(atoi(argv[2]), 10);
	}
	if (argc != 1) {
		printf("usage: libctest [exit STATUS]\n");
		return 2;
	}

	run("printf_integers", printf_integers);
	run("printf_strings", printf_strings);
	run("printf_floats", printf_floats);
	run("sscanf_integers", sscanf_integers);
	run("sscanf_floats_strings", sscanf_floats_strings);
	run("malloc_stress", malloc_stress);
	run("malloc_exhaustion", malloc_exhaustion);
	run("setjmp_longjmp", setjmp_longjmp);
	run("qsort_bsearch", qsort_bsearch);
	run("string_functions", string_functions);
	run("math_functions", math_functions);
	run("time_monotonic", time_monotonic);
	printf("libctest: %d failed\n", failures);
	return failures != 0;
}
