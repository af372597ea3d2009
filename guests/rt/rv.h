/* The guest runtime's API (SDK part 1): hypercalls, the virtual interrupt
 * flag, traps, timer, console and exit, grouped by the file defining them.
 *
 * Every guest links crt0 and librv.a (guests/rt/rt.mk). Main runs in ring 1
 * with virtual interrupts enabled, after HC_LGUEST_INIT and with the default
 * trap handlers installed.
 *
 * Addresses: hypercalls take guest-physical addresses, and the runtime
 * passes its own pointers as they are (rv_gpa). That holds while the host's
 * initial linear map is in use (until the first HC_NEW_PGTABLE), and for a
 * guest whose page tables keep its image mapped 1:1 afterwards. A guest
 * that moves itself elsewhere must translate before calling these. */
#ifndef RV_RT_H
#define RV_RT_H

#include "abi.h"

/* ---- trapentry.S / trap.c: the frame every handler receives ------------ */
/* Offsets of struct rv_regs, used by trapentry.S; trap.c checks each one
 * against the struct. The stub saves eax..gs; the CPU pushed eip..ss (esp
 * and ss only when the trap came from ring 3). */
#define RV_REGS_EAX     0
#define RV_REGS_EBX     4
#define RV_REGS_ECX     8
#define RV_REGS_EDX     12
#define RV_REGS_ESI     16
#define RV_REGS_EDI     20
#define RV_REGS_EBP     24
#define RV_REGS_DS      28
#define RV_REGS_ES      32
#define RV_REGS_FS      36
#define RV_REGS_GS      40
#define RV_REGS_VECTOR  44
#define RV_REGS_ERROR   48
#define RV_REGS_EIP     52
#define RV_REGS_CS      56
#define RV_REGS_EFLAGS  60
#define RV_REGS_ESP     64
#define RV_REGS_SS      68
#define RV_REGS_SIZE    72

/* Bytes per IDT entry stub in trapentry.S: stub v is at rv_trap_stubs +
 * v * RV_TRAP_STUB_SIZE. */
#define RV_TRAP_STUB_SIZE 16
#define RV_TRAP_VECTORS   256

/* Bytes of the boot stack main runs on (crt0.S), and of the ring-1 stack
 * the CPU switches to when a trap interrupts ring 3 (HC_SET_STACK, <= 2
 * pages). */
#define RV_BOOT_STACK_SIZE  16384
#define RV_RING1_STACK_SIZE 8192

#ifndef __ASSEMBLER__

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define RV_NORETURN  __attribute__((noreturn))
#define RV_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define rv_barrier() __asm__ volatile("" ::: "memory")

/* Exit statuses the runtime itself chooses (main's own are its business). */
#define RV_STATUS_RUNTIME_ERROR  127            /* rv_fatal() */
#define RV_STATUS_EXCEPTION(v)   (128 + (v))    /* unhandled exception v */

/* The guest-physical address of a runtime object (see the header note). */
static inline uint32_t rv_gpa(const volatile void *p)
{
	return (uint32_t)(uintptr_t)p;
}

/* ---- start.c: the shared page, start-up and ending ---------------------- */

/* The runtime's shared page, registered by HC_LGUEST_INIT. */
extern struct lguest_data rv_lguest_data;

/* lguest_data.kernel_address given to the host at start-up. 0 by default
 * (weak): a guest overrides it by defining
 *   const uint32_t rv_kernel_address = 0xC0000000;  */
extern const uint32_t rv_kernel_address;

/* The guest's own program: argv[0] is the module's file name. */
int main(int argc, char **argv);

/* C entry from crt0.S: ESI's value at boot (gpa of boot_params). */
RV_NORETURN void c_rv_start(uint32_t boot_params_gpa);

/* End the guest with an exit status (HC_RV_EXIT). */
RV_NORETURN void rv_exit(uint32_t status);

/* End the guest the Linux way: HC_SHUTDOWN with msg, reason power-off. */
RV_NORETURN void rv_shutdown(const char *msg);

/* Print "rv: <message>" and exit with RV_STATUS_RUNTIME_ERROR. */
RV_NORETURN RV_PRINTF(1, 2) void rv_fatal(const char *fmt, ...);

/* Fill *c with this guest's counters (HC_RV_COUNTERS). */
void rv_counters(struct rv_counters *c);

/* Set the ring-1 stack the CPU uses on a trap from ring 3 (HC_SET_STACK).
 * top is its highest address + 1; pages (1 or 2) must stay mapped. The
 * runtime sets its own 8 KiB stack at start-up. */
void rv_set_kernel_stack(uint32_t top, uint32_t pages);

/* ---- hypercalls: synchronous (inline here) and the async ring (hcall.c) */

/* Synchronous hypercalls: int $0x1F, number in eax, args ebx ecx edx esi. */
static inline uint32_t rv_hcall4(uint32_t call, uint32_t a1, uint32_t a2,
				 uint32_t a3, uint32_t a4)
{
	uint32_t ret;

	__asm__ volatile("int $0x1F"
			 : "=a"(ret)
			 : "a"(call), "b"(a1), "c"(a2), "d"(a3), "S"(a4)
			 : "memory");
	return ret;
}

static inline uint32_t rv_hcall3(uint32_t call, uint32_t a1, uint32_t a2,
				 uint32_t a3)
{
	return rv_hcall4(call, a1, a2, a3, 0);
}

static inline uint32_t rv_hcall2(uint32_t call, uint32_t a1, uint32_t a2)
{
	return rv_hcall4(call, a1, a2, 0, 0);
}

static inline uint32_t rv_hcall1(uint32_t call, uint32_t a1)
{
	return rv_hcall4(call, a1, 0, 0, 0);
}

static inline uint32_t rv_hcall0(uint32_t call)
{
	return rv_hcall4(call, 0, 0, 0, 0);
}

/* Queue a call in the async ring; it runs, in order, at the next
 * synchronous hypercall. Safe from interrupt handlers. */
void rv_hcall_async(uint32_t call, uint32_t a1, uint32_t a2, uint32_t a3,
		    uint32_t a4);

/* Make the host run every queued async call now (HC_FLUSH_ASYNC). */
void rv_flush_async(void);

/* ---- the virtual interrupt flag (inline here: lguest_data.irq_enabled) - */

/* Block virtual interrupts (the guest's "cli"). */
static inline void rv_irq_disable(void)
{
	rv_barrier();
	*(volatile uint32_t *)&rv_lguest_data.irq_enabled = 0;
	rv_barrier();
}

/* Allow virtual interrupts (the guest's "sti"); if one waited meanwhile,
 * ask the host to deliver it now. */
static inline void rv_irq_enable(void)
{
	rv_barrier();
	*(volatile uint32_t *)&rv_lguest_data.irq_enabled = LGUEST_IF;
	rv_barrier();
	if (*(volatile uint32_t *)&rv_lguest_data.irq_pending)
		rv_hcall0(HC_SEND_INTERRUPTS);
}

/* Disable and return the previous state, for rv_irq_restore. */
static inline uint32_t rv_irq_save(void)
{
	uint32_t flags = *(volatile uint32_t *)&rv_lguest_data.irq_enabled;

	rv_irq_disable();
	return flags;
}

static inline void rv_irq_restore(uint32_t flags)
{
	if (flags & LGUEST_IF)
		rv_irq_enable();
	else
		rv_irq_disable();
}

/* ---- trap.c: the guest IDT --------------------------------------------- */

struct rv_regs {
	uint32_t eax, ebx, ecx, edx, esi, edi, ebp;
	uint32_t ds, es, fs, gs;
	uint32_t vector;        /* pushed by the stub */
	uint32_t error;         /* by the CPU, or 0 by the stub */
	uint32_t eip, cs, eflags;
	uint32_t esp, ss;       /* only valid when (cs & 3) == 3 */
};

typedef void (*rv_handler_t)(struct rv_regs *regs);

/* rv_set_handler's kind: a gate type, optionally | RV_GATE_USER. */
#define RV_GATE_INTR  0x0   /* interrupt gate: virtual IF off in the handler */
#define RV_GATE_TRAP  0x1   /* trap gate: IF kept; may be a direct trap */
#define RV_GATE_USER  0x2   /* DPL 3: ring 3 may raise it with `int` */

/* Route vector to fn and load its IDT entry (HC_LOAD_IDT_ENTRY). fn NULL
 * restores the runtime's default. Returns 0, or -1 for a vector the host
 * ignores (2, 8, 15, 31) or one >= 256. */
int rv_set_handler(unsigned int vector, rv_handler_t fn, unsigned int kind);

/* Whether vector's IDT entry has been loaded by rv_set_handler (with a
 * handler of the program's or the runtime's default). */
int rv_handler_installed(unsigned int vector);

/* The same for virtual IRQ irq (vector LGUEST_IRQ_VECTOR_BASE + irq), as an
 * interrupt gate. The runtime's default for RV_IRQ_CONSOLE does nothing:
 * the interrupt only wakes a reader from rv_halt. */
int rv_set_irq_handler(unsigned int irq, rv_handler_t fn);

/* Called by crt0's C start: default handlers for vectors 0..31, IRQ 0 and
 * the power button, RV_IRQ_POWER (the monitor's shutdown), whose default
 * prints one line and ends the program with status 0. */
void rv_trap_init(void);

/* C entry from trapentry.S for every vector. */
void c_rv_trap(struct rv_regs *regs);

/* ---- trapentry.S ------------------------------------------------------- */

extern const char rv_trap_stubs[];   /* RV_TRAP_VECTORS stubs */
extern const char rv_noirq_iret[];   /* the one iret, for noirq_iret */

/* ---- timer.c: clock event, halt and time ------------------------------ */

/* Fire virtual IRQ 0 once, ns nanoseconds from now; 0 stops the timer.
 * (HC_SET_CLOCKEVENT: at most about 4.29 s.) */
void rv_timer_oneshot(uint32_t ns);

/* Called in interrupt context on each timer interrupt, after the tick
 * count rises. NULL (the default) calls nothing. */
void rv_set_timer_hook(void (*fn)(struct rv_regs *regs));

/* Timer interrupts received so far. */
uint32_t rv_timer_ticks(void);

/* Sleep until an interrupt is pending (HC_HALT) and return with virtual
 * interrupts enabled, so it has been taken. Call with interrupts disabled
 * after checking the wake-up condition: the host enables them atomically,
 * so no wake-up is lost. */
void rv_halt(void);
void rv_sleep_ns(uint32_t ns);		/* sleep on the one-shot timer */

/* Nanoseconds from the TSC and lguest_data.tsc_khz; 0 if tsc_khz is 0. */
uint64_t rv_time_ns(void);

/* The host's wall clock (lguest_data.time), read consistently. */
void rv_wallclock(struct lguest_timespec *ts);

/* The runtime's IRQ 0 handler, installed by rv_trap_init. */
void rv_timer_irq(struct rv_regs *regs);

/* ---- console.c ---------------------------------------------------------- */

/* Write all len bytes (HC_RV_CONSOLE_WRITE, repeated until all are taken). */
void rv_console_write(const void *buf, uint32_t len);

/* Write a NUL-terminated string, as it is (no newline added). */
void rv_puts(const char *s);

/* Read up to len waiting bytes as typed, without waiting, echo or
 * editing; 0 if none. Input arrival raises RV_IRQ_CONSOLE. The host shows
 * the guest's unfinished output line (a prompt) when it is called. */
uint32_t rv_console_read(void *buf, uint32_t len);

/* ---- tty.c: the console's line discipline ------------------------------- */

/* Bytes of one line being typed in cooked mode, its '\n' included; what is
 * typed beyond that is not taken (nor echoed) until the line ends. */
#define RV_TTY_LINE_MAX 1024

/* Read the console as a terminal does; waits for input. Cooked mode (the
 * default): what is typed is echoed; Backspace (DEL or ^H) erases a
 * character, Ctrl-U the whole line; Enter (CR or LF) ends the line, which
 * reads as ending in '\n'; Ctrl-D ends it without one, and on an empty
 * line reads as the end of input (0). Returns up to len bytes of a
 * finished line; the rest comes with the next calls. Raw mode: at least
 * one byte, as typed (no echo, no editing, CR stays CR). Installs the
 * runtime's RV_IRQ_CONSOLE handler unless one is installed. */
uint32_t rv_tty_read(void *buf, uint32_t len);

/* raw nonzero: raw mode from now on; 0: cooked. Returns the previous
 * setting. A finished cooked line not yet read is still read first. */
int rv_console_raw(int raw);

/* ---- net.c: virtio-net (docs/writing-a-guest.md, docs/network.md) ------ */

/* vpci.c: the virtio PCI transport the drivers below share (bus 0,
 * configuration mechanism #1, BAR 0 through the PCI_CFG window). */
struct rv_vpci {
	unsigned slot;                  /* PCI slot on bus 0 */
	uint8_t window_cap;             /* the PCI_CFG capability's offset */
	uint32_t common, notify, device, notify_mult;	/* regions in BAR 0 */
	uint32_t win_off, win_len;      /* the window as last set */
};
/* A configuration register of bus 0, function 0, of width 1, 2 or 4. */
uint32_t rv_pci_read(unsigned slot, unsigned reg, unsigned width);
void rv_pci_write(unsigned slot, unsigned reg, unsigned width, uint32_t val);
/* The nth virtio device of kind type (virtio 1.0, 5: 1 net, 2 block) with
 * every capability found: 0, or -1 if there is none. */
int rv_vpci_find(struct rv_vpci *v, unsigned type, unsigned n);
/* A register of BAR 0, width 1, 2 or 4, at off. */
uint32_t rv_vpci_read(struct rv_vpci *v, uint32_t off, unsigned width);
void rv_vpci_write(struct rv_vpci *v, uint32_t off, unsigned width, uint32_t val);

/* Frames are whole Ethernet frames: destination MAC, source MAC (the
 * device's own, or the switch drops the frame), type, payload; no FCS. */
#define RV_NET_MAX        4	/* devices rv_net_open can hold */
#define RV_NET_QSIZE      32	/* receive buffers posted, transmit slots */
#define RV_NET_FRAME_MIN  14
#define RV_NET_FRAME_MAX  1518
#define RV_NET_HDR_LEN    12	/* the virtio 1.0 header before each frame */

/* Set up the nth virtio-net device of the guest's bus (its nth net=
 * option), counting from 0: PCI probe, features, both queues, every
 * receive buffer posted. Fills mac with its address. 0, or -1 if there is
 * no such device or it refused the features. */
int rv_net_open(unsigned n, uint8_t mac[6]);

/* Send one frame of RV_NET_FRAME_MIN..RV_NET_FRAME_MAX bytes: copied into
 * a transmit buffer behind a zero header; the switch has taken it by the
 * time this returns. Never waits for the receiver: a receiver without a
 * free buffer drops it (and the hypervisor counts it). -1 for a bad length. */
int rv_net_send(unsigned n, const void *frame, uint32_t len);

/* The next received frame, copied into buf (cut to size), its buffer
 * posted again: its length, or 0 if none is waiting. */
uint32_t rv_net_recv(unsigned n, void *buf, uint32_t size);

/* Whether a received frame is waiting. */
int rv_net_pending(unsigned n);

/* Wait (halted) until a frame is waiting or another interrupt arrives;
 * returns with interrupts enabled. */
void rv_net_wait(unsigned n);

/* The same, waiting at most about ns nanoseconds (the one-shot timer,
 * rv_timer_oneshot's range): the way to wait with a time-out, since a
 * timer set before rv_net_wait could fire before it halts. */
void rv_net_wait_ns(unsigned n, uint32_t ns);

/* For device tests: one transmit descriptor as virtio 1.0 lays it out. */
struct rv_net_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;		/* 1 NEXT, 2 WRITE */
	uint16_t next;
};
/* Write count descriptors verbatim at the start of the transmit table,
 * make head available and notify: any chain layout, checked by nothing
 * here (the header is the caller's). */
void rv_net_send_desc(unsigned n, const struct rv_net_desc *desc, unsigned count,
		      uint16_t head);

/* ---- printf.c ---------------------------------------------------------- */

/* %d %i %u %x %X %s %c %p %%, with flags '0' and '-', a width, and the
 * sizes l (32-bit) and ll (64-bit). Returns the length of the output. */
RV_PRINTF(1, 2) int rv_printf(const char *fmt, ...);
int rv_vprintf(const char *fmt, va_list ap);
RV_PRINTF(3, 4) int rv_snprintf(char *buf, size_t size, const char *fmt, ...);
int rv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/* A test's verdict line: "PASS name (details)" or "FAIL name: details"
 * (no details if fmt is NULL or empty). Returns ok. */
int rv_vcheck(const char *name, int ok, const char *fmt, va_list ap);

/* ---- string.c: what the compiler may call on its own --------------------- */

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* ---- blk.c: virtio-blk disks (docs/disks.md) ------------------------------
 * The guest's disks (disk=FILE, disk_rw=FILE) are virtio-blk devices on its
 * PCI bus, in the order its options name them. The driver is polled, one
 * request at a time: a call returns when the device has answered. Buffers
 * are passed by guest-physical address (rv_gpa), so they must be in the
 * guest's own memory as the runtime maps it. */

#define RV_BLK_SECTOR   512
#define RV_BLK_QSIZE    16
#define RV_BLK_ID_LEN   20
/* The device's answers (virtio 1.0, 5.2.6). */
#define RV_BLK_OK       0
#define RV_BLK_IOERR    1       /* past the end, read-only disk, bad length */
#define RV_BLK_UNSUPP   2       /* a request type the device does not do */

struct rv_vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;   /* 1: NEXT, 2: WRITE (device-writable) */
};

/* One disk and its request queue (rings inside, so keep it static). */
struct rv_blk {
	struct rv_vpci pci;
	uint64_t capacity;      /* in sectors */
	int readonly;           /* VIRTIO_BLK_F_RO was offered */
	uint32_t notify_at;     /* the queue's notify register in BAR 0 */
	uint16_t used_seen;
	struct rv_vq_desc desc[RV_BLK_QSIZE] __attribute__((aligned(16)));
	struct {
		uint16_t flags, idx, ring[RV_BLK_QSIZE], used_event;
	} avail __attribute__((aligned(2)));
	struct {
		uint16_t flags, idx;
		struct { uint32_t id, len; } ring[RV_BLK_QSIZE];
		uint16_t avail_event;
	} used __attribute__((aligned(4)));
	struct {
		uint32_t type, reserved;
		uint64_t sector;
	} hdr;
	uint8_t status;
};

/* Find the guest's disk number n (0 = the first) and set it up: 0, or -1
 * if there is no such disk or it does not behave as virtio 1.0 says. */
int rv_blk_open(struct rv_blk *b, unsigned n);

/* count sectors from sector into or out of buf (count * 512 bytes):
 * RV_BLK_OK, RV_BLK_IOERR or RV_BLK_UNSUPP. */
int rv_blk_read(struct rv_blk *b, uint64_t sector, void *buf, uint32_t count);
int rv_blk_write(struct rv_blk *b, uint64_t sector, const void *buf, uint32_t count);

/* The disk's ID string (VIRTIO_BLK_T_GET_ID), NUL-terminated in id. */
int rv_blk_get_id(struct rv_blk *b, char id[RV_BLK_ID_LEN + 1]);

/* Lower level, for drivers of their own and tests: make the chain that
 * starts at desc[head] available, notify the device, and wait for its
 * answer; returns the used element's length (bytes the device wrote). */
uint32_t rv_blk_submit(struct rv_blk *b, uint16_t head);

#endif /* !__ASSEMBLER__ */

#endif /* RV_RT_H */
