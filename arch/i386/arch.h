/* The i386 layer: CPU set-up, descriptor tables, traps and interrupts, and
 * the devices the hypervisor owns (PIC, PIT, TSC, 16550 UART, VGA text).
 * Prototypes are grouped by the file that defines them. */
#ifndef RV_ARCH_H
#define RV_ARCH_H

#include <abi.h>
#ifndef __ASSEMBLER__
#include <types.h>
#endif

/* Host GDT slots. 10, 11, 16 and 31 are lguest's host slots and are never
 * given to a guest; the hypervisor runs on the Switcher's flat ring-0
 * segments. */
#define GDT_HOST_CS        GDT_ENTRY_HOST_SWITCHER_CS
#define GDT_HOST_DS        GDT_ENTRY_HOST_SWITCHER_DS
#define GDT_TSS            GDT_ENTRY_HOST_TSS
#define GDT_DF_TSS         GDT_ENTRY_HOST_DF_TSS
#define SEL_HOST_CS        (GDT_HOST_CS * 8)
#define SEL_HOST_DS        (GDT_HOST_DS * 8)
#define SEL_TSS            (GDT_TSS * 8)
#define SEL_DF_TSS         (GDT_DF_TSS * 8)

/* Interrupt vectors: exceptions 0-31, the remapped 8259 PIC at 32-47. */
#define VEC_IRQ0           32
#define NR_IRQS            16
#define IRQ_PIT            0
#define IRQ_KEYBOARD       1
#define IRQ_COM2           3
#define IRQ_COM1           4

#ifndef __ASSEMBLER__

/* The registers the host's trap stubs save (vectors.S), lowest address
 * first. esp/ss of the interrupted context are only pushed by the CPU on a
 * privilege change, which never happens inside the hypervisor. */
struct trap_frame {
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};

/* cpu.c */
struct cpu_info {
	char vendor[13];
	char brand[49];
	uint32_t family, model, stepping;
	uint32_t max_leaf;
	uint32_t feat_edx, feat_ecx;	/* CPUID.1 */
};
extern struct cpu_info cpu_info;
/* CPUID.1:EDX feature masks for cpu_has() (SDM Vol. 2, table "Feature
 * Information Returned in the EDX Register"). */
#define CPU_FEAT_FPU   (1u << 0)
#define CPU_FEAT_PSE   (1u << 3)
#define CPU_FEAT_TSC   (1u << 4)
#define CPU_FEAT_PAE   (1u << 6)
#define CPU_FEAT_APIC  (1u << 9)
#define CPU_FEAT_SEP   (1u << 11)
#define CPU_FEAT_PGE   (1u << 13)
#define CPU_FEAT_CMOV  (1u << 15)
#define CPU_FEAT_PAT   (1u << 16)
#define CPU_FEAT_FXSR  (1u << 24)
#define CPU_FEAT_SSE   (1u << 25)
#define CPU_FEAT_SSE2  (1u << 26)
void cpu_detect(void);
bool cpu_has(uint32_t edx_bit);		/* edx_bit: CPU_FEAT_* mask(s) */
void cpu_report(void);
void cpu_setup_control_regs(void);

/* zero.c */
void arch_zero(void *dst, size_t n);

/* desc.c */
void desc_init(void);
void desc_set_df_cr3(uint32_t cr3);
void desc_set_kernel_stack(uint32_t esp0);
void desc_faulted_task(uint32_t *eip, uint32_t *esp, uint32_t *ebp);
uint32_t desc_gdt_checksum(void);
uint32_t desc_tss_checksum(void);

/* vectors.S: the native baselines core/bench.c measures, a gate that
 * returns at once and a #PF handler that maps the faulting page of its
 * window (page table bench_native_pt) to bench_native_frame. */
void bench_native_iret(void);
void bench_native_pf(void);
extern uint32_t *bench_native_pt;
extern uint32_t bench_native_frame;

/* idt.c: vectors.S provides the 256 stubs, idt.c the table. */
void idt_init(void);
void idt_set_gate(unsigned vec, uint32_t handler, unsigned dpl, bool trap_gate);
uint32_t idt_checksum(void);

/* trap.c */
typedef void (*irq_handler_t)(unsigned irq);
void irq_register(unsigned irq, irq_handler_t fn);
void c_trap(struct trap_frame *tf);

/* exception.c */
__noreturn void exception_fatal(const struct trap_frame *tf);
void c_double_fault(void);
const char *exception_name(unsigned vector);
void backtrace_from(uint32_t ebp, uint32_t eip);
__noreturn void arch_die(void);
const char *symbol_lookup(uint32_t addr, uint32_t *offset);

/* pic.c */
void pic_init(void);
void pic_unmask(unsigned irq);
void pic_mask(unsigned irq);
void pic_eoi(unsigned irq);
bool pic_is_spurious(unsigned irq);

/* pit.c: channel 0 in one-shot mode (mode 0) drives the timer queue. */
#define PIT_HZ 1193182u
void pit_init(void);
void pit_oneshot_ns(uint64_t ns);
/* Channel 2 (gated through port 0x61), free-running, the reference tsc.c
 * measures the TSC against. */
void pit_ch2_free_run(void);
uint16_t pit_ch2_count(void);

/* tsc.c: the TSC, calibrated against PIT channel 2, is the clock. */
extern uint32_t tsc_khz;
void tsc_calibrate(void);
void tsc_refine_if_due(void);		/* from the timer interrupt */
uint64_t time_ns(void);			/* nanoseconds since calibration */
uint64_t tsc_to_ns(uint64_t cycles);

/* rtc.c: the CMOS real-time clock, read once at boot. */
void rtc_init(void);
uint64_t wallclock_ns(void);		/* nanoseconds since 1970 (UTC) */

/* serial.c: COM1 (the console) and COM2 (monitor=com2), 16550 with FIFOs;
 * receive is interrupt driven. */
void serial_init(void);
void serial_enable_rx_irq(void);
void serial_putc(char c);
void serial_write(const char *s, size_t n);
int serial_getc(void);			/* -1 when the receive ring is empty */
bool serial_rx_pending(void);
bool serial_com2_init(void (*received)(void));
int serial_com2_getc(void);		/* -1 when the receive ring is empty */
void serial_com2_write(const char *s, size_t n);

/* keyboard.c: the PS/2 keyboard (i8042, IRQ 1), scan code set 1 to ASCII. */
void keyboard_init(void);
int keyboard_getc(void);		/* -1 when no character waits */

/* vga.c: a mirror of the console on the 80x25 text screen. */
void vga_init(void);
void vga_write(const char *s, size_t n);

/* power.c: power_init() reads the ACPI tables at boot, before paging. */
void power_set_debug_exit(bool on);
void power_init(void);
__noreturn void arch_poweroff(int code);
__noreturn void arch_halt_forever(void);

#endif /* __ASSEMBLER__ */
#endif
