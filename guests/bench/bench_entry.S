/* Minimal trap handlers for the benchmark guest, so a trap round trip is
 * measured without the runtime's register save and C dispatch.
 *
 * Exports (C view):
 *   void bench_trap_iret(void);   trap-gate handler: returns at once
 *   void bench_intr_iret(void);   interrupt-gate handler: turns the virtual
 *                                 IF back on (the host cleared it), returns
 * Both are entered by `int $0x80` from ring 1 with no error code. */
#include "abi.h"

	.text
	.globl bench_trap_iret
bench_trap_iret:
	iret

	.globl bench_intr_iret
bench_intr_iret:
	movl	$LGUEST_IF, %ss:rv_lguest_data + LGUEST_DATA_IRQ_ENABLED
	iret

	.section .note.GNU-stack, "", @progbits
