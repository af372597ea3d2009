/* The hypervisor's verdict, as written to QEMU's isa-debug-exit port.
 * QEMU exits with (value << 1) | 1; value 0 is never used, because its
 * status 1 would look like a QEMU start-up error. */
#ifndef RV_EXITCODE_H
#define RV_EXITCODE_H

#define RV_EXIT_PASS   0x01  /* every guest ended as expected: QEMU status 3 */
#define RV_EXIT_FAIL   0x02  /* a guest ended otherwise:       QEMU status 5 */
#define RV_EXIT_PANIC  0x03  /* the hypervisor itself stopped: QEMU status 7 */
/* Every guest that ran ended as expected, but some module was refused (a
 * bad string, option or ELF image, a name taken, no room for its string)
 * or a guest was not started for lack of memory:         QEMU status 9.
 * A guest that ended otherwise outranks it (FAIL). */
#define RV_EXIT_REFUSED 0x04

#endif
