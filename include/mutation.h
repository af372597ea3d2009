/* The mutation self-check (make test-mutation): a build with -DMUTATE=N
 * leaves out check N, and the tests named for it in tools/mutation.py must
 * then fail. A suite that still passes with a check removed is not testing
 * that check. In every normal build MUTATE is 0 and MUTATED() is a constant
 * false the compiler removes. */
#ifndef RV_MUTATION_H
#define RV_MUTATION_H

#ifndef MUTATE
#define MUTATE 0
#endif
#define MUTATED(n) (MUTATE == (n))

#define MUT_EFLAGS_SANITISER   1	/* core/run.c: IF=1, IOPL=0 before entry */
#define MUT_GDT_SYSTEM_CHECK   2	/* hcall/segments.c: no system descriptors */
#define MUT_PTE_FRAME_BOUND    3	/* mm/shadow.c: a PTE's frame inside the guest */
#define MUT_SWITCHER_FAULT     4	/* core/run.c: a Switcher fault kills */
#define MUT_HCALL_POINTER      5	/* hcall/dispatch.c: buffers inside the guest */
#define MUT_ROM_NOIRQ          6	/* traps/reflect.c: no interrupt in a ROM stub */
#define MUT_DISK_RANGE         7	/* dev/virtio_blk.c: a request inside the disk */
#define MUT_NET_SPOOF          8	/* dev/netswitch.c: a frame's source is its port's MAC */
#define MUT_NET_UNHOOK         9	/* core/lifecycle.c: ports off the switch before memory goes */
#define MUT_WALK_FRAME_BOUND   10	/* switcher/walk.c: a PDE's table inside the guest */

#endif
