/* The guest OS's system calls: `int $0x80` from ring 3, the number in eax,
 * arguments in ebx, ecx, edx, the result in eax. Shared by the kernel and
 * the user programs, with the user address-space layout. */
#ifndef OS_SYSCALL_H
#define OS_SYSCALL_H

#define SYS_EXIT      0   /* status: never returns */
#define SYS_WRITE     1   /* buf, len -> len, or -1 for a bad buffer */
#define SYS_YIELD     2   /* let another process run */
#define SYS_GETPID    3   /* -> pid (1, 2, ...) */
#define SYS_FORK      4   /* -> child's pid in the parent, 0 in the child */
#define SYS_WAIT      5   /* pid -> its exit status; -1 still running; -2 not a child */
#define SYS_STAT      6   /* STAT_* -> a counter */
#define SYS_PTE       7   /* va -> the process's PTE for va, 0 if none */
#define SYS_REFS      8   /* va -> how many mappings share va's frame */
#define SYS_SETPROBE  9   /* read-at, write-at, recover: where a bad fault may resume */
#define SYS_READY     10  /* count this process as ready (a barrier) */
#define NR_SYSCALLS   11

/* SYS_STAT's counters: this process's, then the system's. */
#define STAT_PREEMPTS     0   /* timer interrupts that took the CPU from it */
#define STAT_RUNS         1   /* times it was switched to */
#define STAT_DEMAND       2   /* demand-zero faults */
#define STAT_COW_COPIES   3   /* copy-on-write faults that copied */
#define STAT_COW_REUSE    4   /* copy-on-write faults on a last sharer: no copy */
#define STAT_BAD_FAULTS   5   /* faults outside its memory, reported */
#define STAT_LAST_BAD     6   /* address of the last one */
#define STAT_SWITCHES     10  /* process switches, all processes */
#define STAT_READY        11  /* processes that called SYS_READY */
#define STAT_REFLECTED    12  /* the host's reflected_traps for the guest */
#define STAT_CLOCK_MS     13  /* the kernel's clock, in milliseconds */

/* The user address space: below KERNEL_BASE, above the kernel's 1:1 map. */
#define USER_TEXT      0x08048000u  /* the program, read-only, shared */
#define USER_HEAP      0x10000000u  /* demand-zero, 4 MiB */
#define USER_HEAP_END  0x10400000u
#define USER_PRIV(pid) (0x20000000u + (uint32_t)(pid) * 0x1000u) /* one page, own pid only */
#define USER_STACK_LOW 0xBFF00000u  /* demand-zero stack, 1 MiB */
#define USER_STACK_TOP 0xC0000000u
#define KERNEL_BASE    0xC0000000u  /* kernel_address: the shared kernel part */

#define USER_CS 0x73  /* GDT 14, DPL 3 */
#define USER_DS 0x7b  /* GDT 15, DPL 3 */

#endif
