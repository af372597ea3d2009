/* The system calls newlib needs, on the guest runtime: the console as file
 * descriptors 0 to 2, a heap for malloc, time, exit and the C start-up.
 *
 * newlib for i686-elf calls these by their plain names (write, sbrk, ...),
 * only _exit with an underscore; its _r wrappers copy errno into the
 * caller's reent. There is no file system: only the console exists.
 * Every call checks its arguments and fails with errno rather than let the
 * host kill the guest (it does so for a buffer outside guest memory). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "rv.h"

/* Bytes left free between the heap's limit and the top of guest memory.
 * The runtime's stacks are in the BSS, so this is not for them: it keeps
 * the top of memory for a program's own use (a larger stack, a buffer it
 * places by hand), and a gap past the heap's last byte. */
#define HEAP_TOP_RESERVE        (64u * 1024)
#define HEAP_ALIGN              16u

#define NS_PER_SEC              1000000000ull
#define NS_PER_US               1000u

/* The end of the image (guest.ld): the heap starts above it. */
extern char __image_end[];

/* ---- guest memory and the heap ------------------------------------------ */

/* [0, mem_top) is guest memory; the heap is [heap_start, heap_limit) and
 * its break is heap_brk. All 0 until heap_init. */
static uint32_t mem_top;
static uint32_t heap_start, heap_brk, heap_limit;

/* boot_params sits at BOOT_PARAMS_GPA (0). Reading it through a pointer
 * the compiler cannot see as constant keeps GCC from treating a small
 * constant address as a null-pointer access. */
static const volatile uint8_t *boot_params(void)
{
	uintptr_t gpa = BOOT_PARAMS_GPA;

	__asm__("" : "+r"(gpa));
	return (const volatile uint8_t *)gpa;
}

/* The end of the e820 RAM range holding addr, or 0 if none does. The host
 * gives one range covering all guest memory; more are handled anyway. */
static uint32_t ram_end_above(uint32_t addr)
{
	const volatile uint8_t *bp = boot_params();
	unsigned int n = bp[BP_E820_ENTRIES];

	if (n > E820_MAX_ENTRIES)
		n = E820_MAX_ENTRIES;
	for (unsigned int i = 0; i < n; i++) {
		const volatile struct boot_e820_entry *e =
			(const volatile struct boot_e820_entry *)
			(bp + BP_E820_TABLE + i * E820_ENTRY_SIZE);
		uint64_t start = e->addr, end = e->addr + e->size;

		if (e->type != E820_TYPE_RAM || addr < start || addr >= end)
			continue;
		return end > 0xFFFFFFFFull ? 0xFFFFF000u : (uint32_t)end;
	}
	return 0;
}

/* Find guest memory's size and the heap's bounds: from the end of the
 * image up to HEAP_TOP_RESERVE below the top of memory, and below the
 * initrd if the host put one above the image. A malformed memory map
 * leaves an empty heap (malloc fails), never a wild one. */
static void heap_init(void)
{
	const volatile uint8_t *bp = boot_params();
	uint32_t start = ((uint32_t)(uintptr_t)__image_end + HEAP_ALIGN - 1) &
			 ~(HEAP_ALIGN - 1);
	uint32_t limit;

	if (heap_start != 0)
		return;
	mem_top = ram_end_above((uint32_t)(uintptr_t)__image_end - 1);
	limit = mem_top > HEAP_TOP_RESERVE ? mem_top - HEAP_TOP_RESERVE : 0;

	uint32_t initrd = *(const volatile uint32_t *)(bp + BP_RAMDISK_IMAGE);
	uint32_t initrd_size = *(const volatile uint32_t *)(bp + BP_RAMDISK_SIZE);

	if (initrd_size != 0 && initrd >= start && initrd < limit)
		limit = initrd;
	if (limit < start)
		limit = start;
	heap_start = heap_brk = start;
	heap_limit = limit;
}

/* Move the break by incr bytes; return the old break, or (void *)-1 with
 * ENOMEM if it would leave [heap_start, heap_limit]. */
void *sbrk(ptrdiff_t incr)
{
	uint32_t old;

	heap_init();
	old = heap_brk;
	if ((incr > 0 && (uint32_t)incr > heap_limit - old) ||
	    (incr < 0 && 0u - (uint32_t)incr > old - heap_start)) {
		errno = ENOMEM;
		return (void *)-1;
	}
	heap_brk = old + (uint32_t)incr;
	return (void *)(uintptr_t)old;
}

/* Whether [buf, buf + len) lies in guest memory: the host kills a guest
 * that passes it anything else, so a bad pointer becomes EFAULT here.
 * Without a memory map (mem_top 0) the host stays the only judge. */
static int in_guest_memory(const void *buf, size_t len)
{
	uint32_t p = (uint32_t)(uintptr_t)buf;

	heap_init();
	return mem_top == 0 || (p < mem_top && len <= mem_top - p);
}

/* ---- the console: file descriptors 0, 1 and 2 --------------------------- */

/* Every standard descriptor is the console, in both directions, as they
 * would all be one terminal. */
static int is_console(int fd)
{
	return fd >= STDIN_FILENO && fd <= STDERR_FILENO;
}

int write(int fd, const void *buf, size_t len)
{
	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	if (!in_guest_memory(buf, len)) {
		errno = EFAULT;
		return -1;
	}
	rv_console_write(buf, len);
	return (int)len;
}

/* The console as a terminal: cooked by default (echo, Backspace, Ctrl-U,
 * a line per read, ending in '\n' whether Enter sent CR or LF; Ctrl-D on
 * an empty line is the end of file), raw after rv_console_raw(1). The
 * line discipline is the runtime's (guests/rt/tty.c). stdio flushes a
 * line-buffered stdout before it reads stdin, and the host shows an
 * unfinished line when the guest asks for input, so a prompt without a
 * newline is on the screen before the guest waits. */
int read(int fd, void *buf, size_t len)
{
	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	if (!in_guest_memory(buf, len)) {
		errno = EFAULT;
		return -1;
	}
	if (len > INT32_MAX)
		len = INT32_MAX;
	return (int)rv_tty_read(buf, (uint32_t)len);
}

int close(int fd)
{
	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	return 0;
}

/* A character device, as a terminal is: stdio then buffers by lines. */
int fstat(int fd, struct stat *st)
{
	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | S_IRUSR | S_IWUSR | S_IWGRP;
	return 0;
}

int isatty(int fd)
{
	if (!is_console(fd)) {
		errno = EBADF;
		return 0;
	}
	return 1;
}

off_t lseek(int fd, off_t offset, int whence)
{
	(void)offset;
	(void)whence;
	errno = is_console(fd) ? ESPIPE : EBADF;
	return (off_t)-1;
}

/* ---- names: there is no file system, so no name exists ------------------ */

/* fopen, freopen, tmpfile: nothing to open. */
int open(const char *path, int flags, ...)
{
	(void)path;
	(void)flags;
	errno = ENOENT;
	return -1;
}

/* mktemp, tmpnam: no name is taken. */
int stat(const char *path, struct stat *st)
{
	(void)path;
	(void)st;
	errno = ENOENT;
	return -1;
}

/* remove, rename. */
int unlink(const char *path)
{
	(void)path;
	errno = ENOENT;
	return -1;
}

int link(const char *old, const char *new)
{
	(void)old;
	(void)new;
	errno = ENOENT;
	return -1;
}

/* ---- the process: identity, signals, exit --------------------------------- */

int getpid(void)
{
	return 1;
}

/* The guest is the only process, pid 1. A signal raise() found with no
 * handler takes its default action: ignored for the few signals whose
 * default is to ignore, otherwise the end of the guest with status
 * 128 + sig, a shell's convention (abort() exits with 134). */
int kill(int pid, int sig)
{
	if (pid != 1 && pid != 0 && pid != -1) {
		errno = ESRCH;
		return -1;
	}
	if (sig < 0 || sig >= NSIG) {
		errno = EINVAL;
		return -1;
	}
	if (sig == 0 || sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH ||
	    sig == SIGCONT)
		return 0;
	rv_exit(128u + (uint32_t)sig);
}

void _exit(int status)
{
	rv_exit((uint32_t)status);
}

/* ---- time ----------------------------------------------------------------- */

/* rv_time_ns when main was called: times() counts from there. */
static uint64_t start_ns;

/* The best known offset from rv_time_ns to the wall clock, in ns. */
static int64_t wall_offset_ns;
static int wall_offset_valid;

/* The wall clock with the TSC's resolution. The host refreshes
 * lguest_data.time only when it delivers an interrupt, so each reading is
 * at least as old as the moment we see it: wall - now is a lower bound of
 * the true offset, and the largest one seen is the best. Without a TSC
 * rate (tsc_khz 0) the host's clock is all there is. */
int gettimeofday(struct timeval *tv, void *tz)
{
	struct lguest_timespec ts;
	uint64_t now = rv_time_ns();
	int64_t wall, offset;

	rv_wallclock(&ts);
	wall = (int64_t)ts.tv_sec * (int64_t)NS_PER_SEC + ts.tv_nsec;
	if (now != 0) {
		offset = wall - (int64_t)now;
		if (!wall_offset_valid || offset > wall_offset_ns) {
			wall_offset_ns = offset;
			wall_offset_valid = 1;
		}
		wall = (int64_t)now + wall_offset_ns;
	}
	if (tv != NULL) {
		tv->tv_sec = (time_t)(wall / (int64_t)NS_PER_SEC);
		tv->tv_usec = (suseconds_t)(wall % (int64_t)NS_PER_SEC /
					    NS_PER_US);
	}
	if (tz != NULL)
		memset(tz, 0, sizeof(struct timezone));
	return 0;
}

/* Clock ticks (CLOCKS_PER_SEC, which newlib's times and clock share)
 * since main began. The host does not say how long this guest actually
 * ran, so it is elapsed time, all of it counted as user time. Without a
 * TSC rate there is no clock: (clock_t)-1 and ENOSYS, which clock() passes
 * on as "processor time not available". */
clock_t times(struct tms *buf)
{
	uint64_t now = rv_time_ns();
	clock_t ticks;

	if (now == 0) {
		errno = ENOSYS;
		return (clock_t)-1;
	}
	ticks = (clock_t)((now - start_ns) / (NS_PER_SEC / CLOCKS_PER_SEC));
	if (buf != NULL) {
		buf->tms_utime = ticks;
		buf->tms_stime = 0;
		buf->tms_cutime = 0;
		buf->tms_cstime = 0;
	}
	return ticks;
}

/* ---- start-up ------------------------------------------------------------- */

int __real_main(int argc, char **argv);
int __wrap_main(int argc, char **argv);

/* newlib.mk links with --wrap=main, so the runtime's call of main lands
 * here. The x87 is reset to its defined state (fninit: all exceptions
 * masked, 64-bit precision) whatever state the host handed over; the first
 * x87 instruction may raise #NM, which the runtime answers with HC_TS.
 * Then main's return value goes through exit(), so atexit handlers run
 * and stdio's buffers reach the console before the guest ends. */
int __wrap_main(int argc, char **argv)
{
	__asm__ volatile("fninit");
	start_ns = rv_time_ns();
	heap_init();
	exit(__real_main(argc, argv));
}
