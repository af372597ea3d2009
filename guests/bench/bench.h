/* Constants shared by the benchmark guest's C and assembly. */
#ifndef BENCH_H
#define BENCH_H

#define BENCH_USER_CS     0x73		/* GDT 14, DPL 3 */
#define BENCH_USER_DS     0x7B		/* GDT 15, DPL 3 */
#define BENCH_LEAVE_USER  0x6C656176	/* eax that leaves ring 3 */
#define BENCH_PTE_FLAGS   0x67		/* P RW US A D */

#endif
