/* Hypercalls: the synchronous `int $0x1F` entry, the asynchronous ring in
 * lguest_data, and the guest GDT/TSS-segment rules they enforce. */
#ifndef RV_HCALL_H
#define RV_HCALL_H

#include <abi.h>
#include <types.h>

struct guest;

/* dispatch.c (the synchronous call's entry: hcall/sync.h) */
bool hcall_drain_async(struct guest *g);

/* segments.c */
void seg_load_gdt_entry(struct guest *g, uint32_t index, uint32_t lo, uint32_t hi);
void seg_load_tls(struct guest *g, uint32_t gpa);
bool seg_is_guest_code(const struct guest *g, uint32_t sel);
bool seg_is_guest_stack(const struct guest *g, uint32_t sel, unsigned dpl);
bool seg_is_flat_ring1_data(const struct guest *g, uint32_t sel);

/* desc.c: the pure rules, unit-tested on the host. */
/* SEG_KILL_RING2: a present descriptor with DPL 2. Ring 2 is used by
 * nobody (guests run in 1 and 3), and the trap and iret paths know only
 * rings 1 and 3, so it is refused rather than half supported. */
enum seg_verdict { SEG_ACCEPT, SEG_IGNORE, SEG_KILL, SEG_KILL_RING2 };
enum seg_verdict seg_check_descriptor(uint32_t index, uint32_t *lo, uint32_t *hi);
bool desc_host_slot(uint32_t index);
bool desc_unchanged(uint32_t lo, uint32_t hi, uint64_t stored);
bool desc_present(uint32_t hi);
bool desc_is_code_at(uint32_t hi, unsigned rpl);
bool desc_is_stack_at(uint32_t hi, unsigned dpl);
bool desc_is_flat(uint32_t lo, uint32_t hi);

#endif
