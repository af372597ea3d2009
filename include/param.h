/* Every tunable of the hypervisor in one place, one comment each.
 * Per-boot choices come from the Multiboot command lines (docs/usage.md). */
#ifndef RV_PARAM_H
#define RV_PARAM_H

#include <abi.h>

/* Constants here are read by assembly too, where C's suffixes are unknown. */
#ifdef __ASSEMBLER__
#define U(x)   x
#define ULL(x) x
#else
#define U(x)   x##u
#define ULL(x) x##ull
#endif

/* Physical address the hypervisor image is linked and loaded at. */
#define KERNEL_PHYS_BASE     U(0x00100000)

/* Bytes of the boot stack (and of the double-fault stack). */
#define BOOT_STACK_SIZE      (U(16) * U(1024))
#define DF_STACK_SIZE        (U(4) * U(1024))

/* Highest physical address the hypervisor maps and manages: RAM above this
 * is ignored, so the identity map never reaches the Switcher's 4 MiB
 * (SWITCHER_ADDR, in include/abi.h). */
#define PHYS_LIMIT           U(0xF0000000)

/* Most memory-map entries kept from the boot loader. */
#define MAX_MEM_REGIONS      64

/* The window over which cap= is enforced: a capped guest runs at most
 * cap% of each window, then waits for the next one. */
#define CAP_WINDOW_NS        ULL(100000000)

/* A guest woken from HC_HALT preempts the running guest at most once per
 * this interval (it waits in the wake queue until then): a guest that
 * halts and wakes in a tight loop cannot cut its neighbours' CPU into
 * pieces too small to be worth the world switches. */
#define WAKE_PREEMPT_GAP_NS  ULL(500000)

/* The shortest slice the scheduler hands out, so a guest nearly out of
 * credit or cap does not cost a world switch for a few instructions. */
#define SLICE_NS_MIN         ULL(50000)

/* Restarts a guest gets under on_exit=/on_crash=restart unless its
 * restarts= option says otherwise. */
#define GUEST_RESTARTS_DEFAULT U(1000)

/* Shadow page directories cached per guest: a process switch to one of
 * them costs no refill. The least recently used one is evicted. */
#define SHADOW_DIRS_MAX      8

/* A guest's shadow-frame budget, reserved when it is admitted (4 KiB
 * frames): SHADOW_BUDGET_FLOOR plus one frame per SHADOW_BUDGET_RAM_PER
 * bytes of its mem=, unless its shadow= option says otherwise (at least
 * SHADOW_BUDGET_MIN frames). At its budget a guest evicts its own shadow
 * tables: the cached directories not in use, then the current one. A
 * mem=2M guest: 64 + 8 = 72 frames (288 KiB); mem=8M: 96; mem=1G: 4160. */
#define SHADOW_BUDGET_FLOOR  U(64)
#define SHADOW_BUDGET_RAM_PER (U(256) * U(1024))
#define SHADOW_BUDGET_MIN    U(8)
#define SHADOW_BUDGET_MAX    U(65536)

/* Shadow frames given back to the pool in one piece of a guest's teardown
 * (mm/shadow.c: shadow_release): a frame's free costs some 300
 * instructions under its checks. */
#define SHADOW_RELEASE_PIECE U(128)

/* Frame-bitmap words the oracle recounts in one piece when a guest ends
 * (core/oracle.c): 1 K words are 32 K frames, 128 MiB of host RAM, in
 * about 10,000 instructions. */
#define ORACLE_SCAN_PIECE    U(1024)

/* Bytes of guest memory zeroed and loaded from the ELF image in one piece
 * of a guest's creation or restart (core/guest.c: guest_load_piece): about
 * 2 x 16 K string iterations with interrupts off. */
#define GUEST_LOAD_PIECE     (U(64) * U(1024))

/* Frames of a guest's memory given back in one piece of its teardown
 * (core/guest.c: guest_release_piece): 32 MiB, 256 bitmap words checked
 * and cleared. */
#define GUEST_FREE_PIECE     U(8192)

/* Bytes of console output one hypercall entry takes (sync and the async
 * ring's console writes together): a longer write returns a partial count
 * (the runtime offers the rest), a ring slot keeps its place and the rest
 * of the ring and the synchronous call wait for the next entry, which
 * re-executes `int $0x1F` (eip rewound, as Xen's preemptible hypercalls). */
#define HCALL_CONSOLE_PIECE  U(512)

/* Most modules (guests) accepted from the boot loader. */
#define MAX_MODULES          128

/* Longest command line accepted, the hypervisor's or a module's, with its
 * NUL: a longer module string is refused, a longer hypervisor line is cut,
 * each with a line that says so. QEMU's file names are at most PATH_MAX
 * (4096) bytes; this leaves room for a long path and options. */
#define CMDLINE_MAX          U(4096)

/* Bytes kept for every boot loader string together (the command line and
 * each module's string, NULs included); a module whose string no longer
 * fits is refused with a line that says so. */
#define BOOT_STRINGS_MAX     (U(64) * U(1024))

/* Longest command line a guest is given, with its NUL: its name, a space
 * and the arguments after `--`, in the page after boot_params
 * (BP_CMDLINE_SIZE). A module whose line would be longer is refused. */
#define GUEST_CMDLINE_MAX    U(4096)

/* Longest guest name, with its NUL. */
#define GUEST_NAME_MAX       16

/* Guest memory when a module gives no mem= option, and the bounds on it. */
#define GUEST_MEM_DEFAULT    (U(8) * U(1024) * U(1024))
#define GUEST_MEM_MIN        (U(64) * U(1024))
#define GUEST_MEM_MAX        (U(1024) * U(1024) * U(1024))

/* Default scheduler time slice, in nanoseconds (timeslice= overrides). */
#define TIMESLICE_NS_DEFAULT ULL(10000000)

/* A guest's console line is printed when it ends or reaches this many
 * bytes; a longer line continues on the next, "[name]+ " instead of
 * "[name] " (docs/console.md). */
#define CONSOLE_LINE_MAX     160

/* The console's output buffer, in bytes: every line, the guests' and the
 * hypervisor's, waits here in order while drain= limits the rate to the
 * UART. A guest whose finished line does not fit is blocked until it does. */
#define CONSOLE_OUT_BUF      U(4096)

/* Console input held per guest until it reads it, in bytes (a power of
 * two); beyond it new bytes are dropped. */
#define CONSOLE_IN_RING      U(256)

/* Period of the console's drain event when drain= limits the rate, in
 * nanoseconds (longer when one byte takes longer at that rate). */
#define CONSOLE_DRAIN_TICK_NS ULL(1000000)

/* The monitor (docs/console.md, "The monitor"): the longest command line
 * in bytes, so that "ringvisor> " and the line fit in 80 columns; the
 * console's prompt line holds that; how long `shutdown` waits for the
 * guests to stop before it ends the rest; the period over which `list`
 * measures each guest's recent CPU share; the refresh period of `top`. */
#define MONITOR_LINE_MAX     U(64)
#define CONSOLE_PROMPT_MAX   (MONITOR_LINE_MAX + U(16))
#define MONITOR_SHUTDOWN_NS  ULL(2000000000)
#define MONITOR_SAMPLE_NS    ULL(1000000000)
#define MONITOR_TOP_NS       ULL(1000000000)

/* Serial receive ring, in bytes (a power of two). */
#define SERIAL_RX_RING       U(1024)

/* How long a byte waits for the UART's transmit holding register before it
 * is dropped, so a wedged UART cannot hang the hypervisor: in milliseconds
 * of TSC time, or in polls before the TSC is calibrated. */
#define SERIAL_TX_WAIT_MS    U(200)
#define SERIAL_TX_SPINS      U(100000)

/* PS/2 keyboard receive ring, in characters (a power of two). */
#define KEYBOARD_RX_RING     U(64)

/* Spins waiting for the i8042 keyboard controller before giving up on it. */
#define I8042_SPINS          U(100000)

/* Pending one-shot timer events the hypervisor can hold at once. */
#define TIMER_EVENTS_MAX     256

/* The TSC's boot calibration against PIT channel 2 (arch/i386/tsc.c):
 * the window lasts at least TSC_CAL_MIN_US, and goes on edge by edge
 * until its measured error bound is at most TSC_CAL_MAX_PPM, or for
 * TSC_CAL_MAX_US at most. */
#define TSC_CAL_MIN_US       U(200)
#define TSC_CAL_MAX_US       U(50000)
#define TSC_CAL_MAX_PPM      U(500)

/* The background refinement: the first sample TSC_REFINE_FIRST_MS after
 * boot, each next one twice as far, the last once the span reaches
 * TSC_REFINE_SPAN_S; a sample whose counter read took longer than
 * TSC_SAMPLE_MAX_US is skipped. */
#define TSC_REFINE_FIRST_MS  U(1000)
#define TSC_REFINE_SPAN_S    U(60)
#define TSC_SAMPLE_MAX_US    U(50)

/* Frames at which the deepest backtrace stops. */
#define BACKTRACE_DEPTH      16

/* The port of QEMU's isa-debug-exit device when exit=qemu is given. */
#define DEBUG_EXIT_PORT      U(0xF4)

/* Bounds on timeslice= (100 us .. 1 s), in nanoseconds. */
#define TIMESLICE_NS_MIN     ULL(100000)
#define TIMESLICE_NS_MAX     ULL(1000000000)

/* A guest's scheduling weight when its module gives no weight=, and the
 * largest weight= accepted (the smallest is 1). */
#define GUEST_WEIGHT_DEFAULT U(100)
#define GUEST_WEIGHT_MAX     U(1000)

/* Largest virtqueue a virtio device offers (entries, a power of two), and
 * the most queues one device has. */
#define VIRTQ_SIZE_MAX       U(256)
#define VDEV_QUEUES_MAX      U(2)

/* Bytes a device moves for a guest in one piece of work (a transmit queue
 * into the console) before the run loop takes over again. */
#define DEV_WORK_BYTES       U(1024)

/* Virtio-blk devices (disk= and disk_rw=) one guest may have. */
#define GUEST_DISKS_MAX      U(4)

/* Largest image a disk_rw= may name: a writable disk keeps a map of its
 * private copy, one word per 4 KiB page, zeroed when the guest is built
 * (64 MiB: a 64 KiB map, one GUEST_LOAD_PIECE of work). */
#define DISK_RW_MAX          (U(64) * U(1024) * U(1024))

/* Bytes a virtio-blk device moves for a guest in one piece of work, before
 * the run loop takes over again; each descriptor it steps onto counts as
 * VBLK_DESC_COST of them, so a chain of tiny buffers is bounded too. */
#define VBLK_WORK_BYTES      (U(16) * U(1024))
#define VBLK_DESC_COST       U(64)

/* Pages of a writable disk's copy looked at (and freed, if copied) in one
 * piece of its guest's teardown (dev_release_piece): 4 MiB of image. */
#define VBLK_RELEASE_PIECE   U(1024)

/* Virtio devices on one guest's bus, and the virtual IRQ line
 * (PCI_INTERRUPT_LINE) of the first, the console: apart from the timer (0)
 * and the runtime's console input (1). Device i raises line
 * VIRTIO_IRQ_BASE + i. The console, GUEST_DISKS_MAX disks and NET_PORTS_MAX
 * ports: 9, lines 5 to 13. */
#define DEV_MAX              U(9)
#define VIRTIO_IRQ_BASE      U(5)
#define VIRTIO_CONSOLE_IRQ   VIRTIO_IRQ_BASE

/* The virtual switch (dev/netswitch.c, docs/network.md). A guest has at
 * most NET_PORTS_MAX net= ports; there are at most NET_SEGMENTS_MAX
 * segments, each with at most NET_SEG_PORTS ports and a learning table of
 * NET_LEARN_MAX addresses (the oldest entry goes when it is full). A segment
 * name is 1..NET_SEG_NAME_MAX-1 of [A-Za-z0-9_-]. */
#define NET_PORTS_MAX        U(4)
#define NET_SEGMENTS_MAX     U(16)
#define NET_SEG_PORTS        U(16)
#define NET_LEARN_MAX        U(32)
#define NET_SEG_NAME_MAX     16

/* Largest Ethernet frame the switch forwards, without the virtio header or
 * an FCS: 1500 bytes of payload, the 14-byte header and one 802.1Q tag.
 * Smallest: the 14-byte header. Anything else is dropped and counted. */
#define NET_FRAME_MAX        U(1518)
#define NET_FRAME_MIN        U(14)

/* Bytes the switch copies for a sender in one piece of work (every copy of
 * a flooded frame counted, and at least NET_FRAME_COST per frame, so tiny
 * frames are bounded too) before the run loop takes over again. One frame
 * always goes whole: at most NET_SEG_PORTS - 1 copies of NET_FRAME_MAX. */
#define NET_WORK_BYTES       (U(16) * U(1024))
#define NET_FRAME_COST       U(64)

/* Most program headers a guest ELF may have; real kernels have a handful,
 * and the overlap check is quadratic in this. */
#define ELF_PHNUM_MAX        U(64)

#endif
