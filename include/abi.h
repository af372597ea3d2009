/* The guest ABI: every number and layout a guest and the hypervisor agree on.
 * It is lguest's i386 ABI as Linux 4.9 uses it, plus Ringvisor's own calls.
 *
 * This one file is shared verbatim by the hypervisor and every guest, so it
 * uses <stdint.h> types only and includes nothing of either side. The
 * constants are also read by assembly (guarded C below). docs/abi.md explains
 * each item for a guest writer.
 *
 * Register convention
 *   A hypercall is the instruction `int $0x1F` (LGUEST_TRAP_ENTRY) from ring 1:
 *     eax = call number (HC_*)
 *     ebx, ecx, edx, esi = arguments 1..4
 *     eax = result, for the calls that return one
 *   Every other register is preserved. A grossly invalid call (bad number,
 *   an address outside guest memory, any call before HC_LGUEST_INIT) kills
 *   the guest instead of returning an error.
 */
#ifndef RV_ABI_H
#define RV_ABI_H

/* ---- Hypercall entry -------------------------------------------------- */

#define LGUEST_TRAP_ENTRY       0x1F    /* the vector of `int $0x1F` */

/* ---- Hypercall numbers: lguest's, as Linux 4.9 assigns them ------------ */
/* Append-only. A number once used is never given another meaning. */

#define HC_FLUSH_ASYNC          0   /* -: only drains the async ring */
#define HC_LGUEST_INIT          1   /* gpa of struct lguest_data */
#define HC_SHUTDOWN             2   /* gpa of message, LGUEST_SHUTDOWN_* */
/*      3                           retired: not assigned in 4.9, never reuse */
#define HC_NEW_PGTABLE          4   /* gpa of the new page directory (CR3) */
#define HC_FLUSH_TLB            5   /* 1 = all mappings, 0 = user mappings */
#define HC_LOAD_IDT_ENTRY       6   /* vector, gate low word, gate high word */
#define HC_SET_STACK            7   /* ss (RPL 1), esp (top), pages (<= 2) */
#define HC_TS                   8   /* the guest's CR0.TS (0 or 1) */
#define HC_SET_CLOCKEVENT       9   /* ns from now, one shot; 0 = stop */
#define HC_HALT                 10  /* -: sleep until an interrupt */
/*      11                          retired: not assigned in 4.9, never reuse */
/*      12                          retired: not assigned in 4.9, never reuse */
#define HC_SET_PMD              13  /* PAE only: invalid on Ringvisor */
#define HC_SET_PTE              14  /* gpa of page directory, va, pte */
#define HC_SET_PGD              15  /* gpa of page directory, index */
#define HC_LOAD_TLS             16  /* gpa of 3 descriptors, cpu */
/*      17                          retired: not assigned in 4.9, never reuse */
#define HC_LOAD_GDT_ENTRY       18  /* index, descriptor low, high word */
#define HC_SEND_INTERRUPTS      19  /* -: deliver pending interrupts now */
/*      20 .. 63                    never assigned: kept free of Ringvisor */

/* ---- Ringvisor's own hypercalls: 64 .. 127, append-only ----------------- */
/* What lguest's Launcher did from host user space, Ringvisor does here. */

#define HC_RV_FIRST             64  /* first number of Ringvisor's range */
#define HC_RV_CONSOLE_WRITE     64  /* gpa, length -> bytes taken (may block) */
#define HC_RV_EXIT              65  /* exit status: the guest ends */
#define HC_RV_CONSOLE_READ      66  /* gpa, length -> bytes read, 0 if none */
#define HC_RV_COUNTERS          67  /* gpa of struct rv_counters to fill */
/*      68 .. 127                   free, for the next Ringvisor calls */
#define HC_RV_LAST              127 /* last number of Ringvisor's range */

/* HC_SHUTDOWN's second argument (Linux's LGUEST_SHUTDOWN_*). */
#define LGUEST_SHUTDOWN_POWEROFF 1
#define LGUEST_SHUTDOWN_RESTART  2

/* Longest HC_SHUTDOWN message, including its NUL. */
#define LGUEST_SHUTDOWN_MSG_MAX  128

/* ---- The asynchronous hypercall ring in struct lguest_data ------------- */

#define LHCALL_RING_SIZE        64
#define HCALL_STATUS_PENDING    0x00    /* the guest filled the slot */
#define HCALL_STATUS_DONE       0xFF    /* the host ran it (or it is unused) */

/* ---- Address space ---------------------------------------------------- */

/* The Switcher owns the top 4 MiB of every guest address space. */
#define SWITCHER_ADDR           0xFFC00000

/* The guest's MMIO window: this many bytes just above its RAM are device
 * memory. Its virtual PCI devices' BARs lie there; a PTE may map them, and
 * every access faults and is emulated (docs/devices.md). A frame beyond
 * RAM and this window may not be mapped. */
#define RV_MMIO_WINDOW          0x00100000

/* ---- Segments and the GDT --------------------------------------------- */

#define GUEST_PL                1       /* the guest kernel's ring */
#define GDT_ENTRIES             32      /* entries in a guest's GDT */

#define GDT_ENTRY_TLS_MIN       6       /* Linux's thread-local entries */
#define GDT_ENTRY_TLS_ENTRIES   3
#define GDT_ENTRY_TLS_MAX       (GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES - 1)

#define GDT_ENTRY_GUEST_CS      12      /* Linux's GDT_ENTRY_KERNEL_CS */
#define GDT_ENTRY_GUEST_DS      13      /* Linux's GDT_ENTRY_KERNEL_DS */
#define GUEST_CS                (GDT_ENTRY_GUEST_CS * 8 + GUEST_PL) /* 0x61 */
#define GUEST_DS                (GDT_ENTRY_GUEST_DS * 8 + GUEST_PL) /* 0x69 */

/* GDT slots the host keeps for itself; a guest's writes to them are ignored.
 * Every other slot is the guest's (user segments included). */
#define GDT_ENTRY_HOST_SWITCHER_CS  10
#define GDT_ENTRY_HOST_SWITCHER_DS  11
#define GDT_ENTRY_HOST_TSS          16
#define GDT_ENTRY_HOST_DF_TSS       31

/* ---- Interrupts and the virtual interrupt flag ------------------------ */

/* The value of irq_enabled and irq_pending when set: EFLAGS.IF's bit. */
#define LGUEST_IF               0x200

#define LGUEST_IRQS             32      /* virtual IRQs 0..31 */
#define LGUEST_IRQ_VECTOR_BASE  32      /* IRQ n arrives at vector 32 + n */
#define RV_IRQ_TIMER            0       /* HC_SET_CLOCKEVENT expired */
#define RV_IRQ_CONSOLE          1       /* console input is waiting */
/* The power button: the monitor's `shutdown` asks the guest to stop. Raised
 * only in a guest that loaded a gate for it (LGUEST_IRQ_VECTOR_BASE + 2);
 * the guest should end (HC_RV_EXIT) within MONITOR_SHUTDOWN_NS, 2 s, or it
 * is killed. IRQs 0..4 are Ringvisor's own events; virtio devices use 5 on. */
#define RV_IRQ_POWER            2

/* The only system-call vector the host accepts in lguest_data.syscall_vec. */
#define LGUEST_SYSCALL_VECTOR   0x80

/* Gate types in an IDT entry (bits 8..11 of the high word). */
#define IDT_GATE_INTERRUPT      0xE     /* delivery clears irq_enabled */
#define IDT_GATE_TRAP           0xF     /* keeps it; may be a direct trap */

/* ---- struct lguest_data: field offsets (checked against the struct) ---- */

#define LGUEST_DATA_IRQ_ENABLED         0
#define LGUEST_DATA_BLOCKED_INTERRUPTS  4
#define LGUEST_DATA_CR2                 8
#define LGUEST_DATA_TIME                12
#define LGUEST_DATA_IRQ_PENDING         20
#define LGUEST_DATA_HCALL_STATUS        24
#define LGUEST_DATA_HCALLS              88
#define LGUEST_DATA_RESERVE_MEM         1368
#define LGUEST_DATA_TSC_KHZ             1372
#define LGUEST_DATA_NOIRQ_IRET          1376
#define LGUEST_DATA_KERNEL_ADDRESS      1380
#define LGUEST_DATA_SYSCALL_VEC         1384
#define LGUEST_DATA_SIZE                1388

#define HCALL_ARGS_SIZE                 20

/* ---- Linux boot protocol: struct boot_params at guest-physical 0 -------- */

#define BOOT_PARAMS_GPA             0
#define BOOT_PARAMS_SIZE            4096

/* The same offsets are those of a bzImage file's setup header (its first
 * sector is the start of a boot_params), from BP_SETUP_HEADER to the end
 * that the byte at BP_JUMP + 1 gives (Documentation/x86/boot.txt). */
#define BP_APM_BIOS_VERSION         0x040   /* u16: 0, so APM stays off */
#define BP_TBOOT_ADDR               0x058   /* u64: 0, no tboot */
#define BP_E820_ENTRIES             0x1E8   /* u8: entries in BP_E820_TABLE */
#define BP_SETUP_HEADER             0x1F1   /* where the setup header starts */
#define BP_SETUP_SECTS              0x1F1   /* u8: 512-byte setup sectors; 0 = 4 */
#define BP_SYSSIZE                  0x1F4   /* u32: protected-mode code, 16-byte units */
#define BP_BOOT_FLAG                0x1FE   /* u16: BOOT_FLAG_MAGIC */
#define BP_JUMP                     0x200   /* u16: a jmp; its 2nd byte sizes the header */
#define BP_HEADER_MAGIC             0x202   /* u32: "HdrS" */
#define BP_HDR_VERSION              0x206   /* u16: boot protocol version */
#define BP_TYPE_OF_LOADER           0x210   /* u8: who loaded the kernel */
#define BP_LOADFLAGS                0x211   /* u8 */
#define BP_CODE32_START             0x214   /* u32: protected-mode entry */
#define BP_RAMDISK_IMAGE            0x218   /* u32: gpa of the initrd */
#define BP_RAMDISK_SIZE             0x21C   /* u32: its length in bytes */
#define BP_CMD_LINE_PTR             0x228   /* u32: gpa of the command line */
#define BP_KERNEL_ALIGNMENT         0x230   /* u32: alignment of the kernel */
#define BP_RELOCATABLE_KERNEL       0x234   /* u8: non-zero if it may move */
#define BP_CMDLINE_SIZE             0x238   /* u32: longest command line */
#define BP_HARDWARE_SUBARCH         0x23C   /* u32 */
#define BP_PREF_ADDRESS             0x258   /* u64: where the kernel decompresses */
#define BP_INIT_SIZE                0x260   /* u32: memory it needs from there */
#define BP_SETUP_HEADER_MAX_END     0x290   /* the room boot_params gives it */
#define BP_E820_TABLE               0x2D0   /* struct boot_e820_entry[] */

#define BOOT_PROTOCOL_VERSION       0x207   /* what the host writes */
#define BOOT_PROTOCOL_BZIMAGE_MIN   0x20A   /* 2.10: has pref_address, init_size */
#define BOOT_HEADER_MAGIC           0x53726448  /* "HdrS", little-endian */
#define BOOT_FLAG_MAGIC             0xAA55
#define LOADFLAGS_LOADED_HIGH       0x01    /* protected-mode code at 1 MiB */
#define LOADFLAGS_KEEP_SEGMENTS     0x40    /* do not reload segments */
#define TYPE_OF_LOADER_UNKNOWN      0xFF    /* 4.9 ignores an initrd without it */
#define BOOT_KERNEL_ALIGNMENT       0x1000000 /* what lguest's Launcher wrote */
#define BZIMAGE_LOAD_ADDR           0x100000  /* where protected-mode code goes */
#define HARDWARE_SUBARCH_LGUEST     1
#define E820_MAX_ENTRIES            128     /* room in the table */
#define E820_ENTRY_SIZE             20
#define E820_TYPE_RAM               1

/* ---- Ringvisor counters (HC_RV_COUNTERS) ------------------------------ */

#define RV_COUNTERS_SIZE            64

#ifndef __ASSEMBLER__

#include <stddef.h>
#include <stdint.h>

/* One asynchronous hypercall: the registers a synchronous one would use. */
struct hcall_args {
	uint32_t arg0;  /* eax: call number */
	uint32_t arg1;  /* ebx */
	uint32_t arg2;  /* ecx */
	uint32_t arg3;  /* edx */
	uint32_t arg4;  /* esi */
};

/* Linux i386's struct timespec. */
struct lguest_timespec {
	int32_t tv_sec;
	int32_t tv_nsec;
};

/* The page the guest shares with the host; its gpa is HC_LGUEST_INIT's
 * argument. The host reads and writes it while the guest is stopped. */
struct lguest_data {
	/* Written by the guest, read by the host before every entry. */
	uint32_t irq_enabled;           /* virtual IF: 0 or LGUEST_IF */
	uint32_t blocked_interrupts;    /* bit n set: virtual IRQ n masked */

	/* Written by the host. */
	uint32_t cr2;                   /* address of the last reflected #PF */
	struct lguest_timespec time;    /* wall clock, refreshed on delivery */
	uint32_t irq_pending;           /* LGUEST_IF: an interrupt waits */

	/* The async ring: the guest fills a slot and sets its status to
	 * HCALL_STATUS_PENDING last; the host runs it and sets DONE. */
	uint8_t hcall_status[LHCALL_RING_SIZE];
	struct hcall_args hcalls[LHCALL_RING_SIZE];

	/* Written by the host at HC_LGUEST_INIT. */
	uint32_t reserve_mem;           /* bytes at the top the guest may not use */
	uint32_t tsc_khz;               /* TSC rate, 0 if not constant */

	/* Written by the guest before HC_LGUEST_INIT, read once by it. */
	uint32_t noirq_iret;            /* address of the guest's iret */
	uint32_t kernel_address;        /* from here up, mappings are shared */
	uint32_t syscall_vec;           /* LGUEST_SYSCALL_VECTOR */
};

/* One entry of the boot_params e820 memory map. */
struct boot_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;                  /* E820_TYPE_RAM for usable memory */
} __attribute__((packed));

/* What HC_RV_COUNTERS writes: this guest's events since it started. */
struct rv_counters {
	uint64_t world_switches;        /* entries into the guest */
	uint64_t hypercalls;            /* calls run, sync or from the ring */
	uint64_t cr3_writes;            /* page-directory switches (NEW_PGTABLE) */
	uint64_t tlb_flushes_full;      /* whole shadow dropped */
	uint64_t shadow_faults;         /* #PF fixed by the host, not reflected */
	uint64_t reflected_traps;       /* traps delivered through the host */
	uint64_t timer_irqs;            /* guest timer interrupts delivered */
	uint64_t reserved;              /* 0; room for one more */
};

/* The layouts are ABI: pin every size and offset. */
_Static_assert(sizeof(struct hcall_args) == HCALL_ARGS_SIZE,
	       "hcall_args size");
_Static_assert(sizeof(struct lguest_timespec) == 8, "lguest_timespec size");
_Static_assert(sizeof(struct lguest_data) == LGUEST_DATA_SIZE,
	       "lguest_data size");
_Static_assert(offsetof(struct lguest_data, irq_enabled) ==
	       LGUEST_DATA_IRQ_ENABLED, "irq_enabled");
_Static_assert(offsetof(struct lguest_data, blocked_interrupts) ==
	       LGUEST_DATA_BLOCKED_INTERRUPTS, "blocked_interrupts");
_Static_assert(offsetof(struct lguest_data, cr2) ==
	       LGUEST_DATA_CR2, "cr2");
_Static_assert(offsetof(struct lguest_data, time) ==
	       LGUEST_DATA_TIME, "time");
_Static_assert(offsetof(struct lguest_data, irq_pending) ==
	       LGUEST_DATA_IRQ_PENDING, "irq_pending");
_Static_assert(offsetof(struct lguest_data, hcall_status) ==
	       LGUEST_DATA_HCALL_STATUS, "hcall_status");
_Static_assert(offsetof(struct lguest_data, hcalls) ==
	       LGUEST_DATA_HCALLS, "hcalls");
_Static_assert(offsetof(struct lguest_data, reserve_mem) ==
	       LGUEST_DATA_RESERVE_MEM, "reserve_mem");
_Static_assert(offsetof(struct lguest_data, tsc_khz) ==
	       LGUEST_DATA_TSC_KHZ, "tsc_khz");
_Static_assert(offsetof(struct lguest_data, noirq_iret) ==
	       LGUEST_DATA_NOIRQ_IRET, "noirq_iret");
_Static_assert(offsetof(struct lguest_data, kernel_address) ==
	       LGUEST_DATA_KERNEL_ADDRESS, "kernel_address");
_Static_assert(offsetof(struct lguest_data, syscall_vec) ==
	       LGUEST_DATA_SYSCALL_VEC, "syscall_vec");
_Static_assert(sizeof(struct boot_e820_entry) == E820_ENTRY_SIZE,
	       "boot_e820_entry size");
_Static_assert(BP_E820_TABLE + E820_MAX_ENTRIES * E820_ENTRY_SIZE <=
	       BOOT_PARAMS_SIZE, "e820 table inside boot_params");
/* The setup header's fields lie between its start and the room for it, and
 * the fields a 2.10 header must hold end before the e820 table. */
_Static_assert(BP_SETUP_HEADER < BP_HEADER_MAGIC &&
	       BP_INIT_SIZE + 4 <= BP_SETUP_HEADER_MAX_END &&
	       BP_SETUP_HEADER_MAX_END <= BP_E820_TABLE, "setup header layout");
_Static_assert(BP_TBOOT_ADDR + 8 <= BP_E820_ENTRIES &&
	       BP_APM_BIOS_VERSION + 2 <= BP_TBOOT_ADDR, "boot_params head");
_Static_assert(sizeof(struct rv_counters) == RV_COUNTERS_SIZE,
	       "rv_counters size");
_Static_assert(GUEST_CS == 0x61 && GUEST_DS == 0x69, "guest selectors");

#endif /* !__ASSEMBLER__ */

#endif /* RV_ABI_H */
