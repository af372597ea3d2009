/* Traps and interrupts on the guest's side: reflecting a trap onto the
 * guest's stack as the CPU would, virtual interrupts, the guest's IDT and
 * direct traps, instruction emulation, and lazy FPU switching. */
#ifndef RV_TRAPS_H
#define RV_TRAPS_H

#include <types.h>

struct guest;

/* A gate as the guest gave it (LOAD_IDT_ENTRY's two words). */
#define GATE_P          0x8000u
#define GATE_DPL(hi)    (((hi) >> 13) & 3)
#define GATE_TYPE(hi)   (((hi) >> 8) & 0xF)
#define GATE_OFFSET(lo, hi) (((lo) & 0xFFFF) | ((hi) & 0xFFFF0000))

/* Vectors the CPU pushes an error code for (SDM Vol. 3A, 6.13). */
static inline bool vector_has_error_code(unsigned v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17;
}

/* idt.c */
void traps_init_guest(struct guest *g);
void idt_load_entry(struct guest *g, uint32_t vector, uint32_t lo, uint32_t hi);
void idt_refresh(struct guest *g, unsigned vector);

/* reflect.c */
bool reflect_trap(struct guest *g, unsigned vector);
void irq_deliver(struct guest *g);

/* emulate.c */
bool emulate_gp(struct guest *g);
void emulate_mmio(struct guest *g, uint32_t pa);

/* fpu.c */
void fpu_init_guest(struct guest *g);
void fpu_before_entry(struct guest *g);
void fpu_set_guest_ts(struct guest *g, bool on);
bool fpu_handle_nm(struct guest *g);
void fpu_forget(struct guest *g);

#endif
