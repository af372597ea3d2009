/* The virtio test guests' driver kit: PCI configuration cycles on ports
 * 0xCF8/0xCFC, the virtio console's BAR 0 reached through the PCI_CFG
 * window or as device memory, and split virtqueues, each done the way a
 * Linux 4.9 guest does it (arch/x86/pci/direct.c and early.c,
 * arch/x86/lguest/boot.c, drivers/virtio/virtio_pci_modern.c). The
 * numbers are typed here from the PCI and virtio 1.0 specifications, not
 * taken from the hypervisor's headers: the tests check the devices against
 * the specifications, not against themselves. */
#ifndef RV_TESTS_VTLIB_H
#define RV_TESTS_VTLIB_H

#include "rv.h"

/* ---- port I/O (emulated: every port faults from ring 1) ----------------- */

static inline void vt_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %w1" : : "a"(v), "Nd"(port) : "memory");
}
static inline void vt_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %w1" : : "a"(v), "Nd"(port) : "memory");
}
static inline void vt_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %w1" : : "a"(v), "Nd"(port) : "memory");
}
static inline uint8_t vt_inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}
static inline uint16_t vt_inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %w1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}
static inline uint32_t vt_inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

/* ---- PCI configuration space (PCI Local Bus 3.0, 3.2.2.3.2 and 6.1) ------ */

#define VT_PCI_ADDR          0xCF8
#define VT_PCI_DATA          0xCFC
#define VT_PCI_ENABLE        0x80000000u

#define VT_PCI_VENDOR        0x00
#define VT_PCI_COMMAND       0x04
#define VT_PCI_STATUS        0x06
#define VT_PCI_REVISION      0x08
#define VT_PCI_CLASS_DEVICE  0x0A
#define VT_PCI_HEADER_TYPE   0x0E
#define VT_PCI_BAR0          0x10
#define VT_PCI_BAR1          0x14
#define VT_PCI_SUBSYSTEM     0x2C
#define VT_PCI_CAP_LIST      0x34
#define VT_PCI_IRQ_LINE      0x3C
#define VT_PCI_IRQ_PIN       0x3D

#define VT_CMD_MEMORY        0x0002
#define VT_CMD_MASTER        0x0004
#define VT_CMD_INTX_DISABLE  0x0400
#define VT_STATUS_CAP_LIST   0x0010

#define VT_SLOT_BRIDGE       0
#define VT_SLOT_CONSOLE      1
#define VT_CONSOLE_ID        0x10431AF4u    /* what lguest's probe wants */

/* Linux's pci_conf1_read/write: the latch names the dword, the data port
 * the byte within it. */
uint32_t vt_cfg_read_at(unsigned bus, unsigned slot, unsigned fn, unsigned reg,
			unsigned width);
void vt_cfg_write_at(unsigned bus, unsigned slot, unsigned fn, unsigned reg,
		     unsigned width, uint32_t val);
/* The same on bus 0, function 0. */
uint32_t vt_cfg_read(unsigned slot, unsigned reg, unsigned width);
void vt_cfg_write(unsigned slot, unsigned reg, unsigned width, uint32_t val);

/* ---- the virtio PCI capabilities (virtio 1.0, 4.1.4) --------------------- */

#define VT_CAP_VNDR          0x09
#define VT_CAP_COMMON        1
#define VT_CAP_NOTIFY        2
#define VT_CAP_ISR           3
#define VT_CAP_DEVICE        4
#define VT_CAP_PCI_CFG       5
/* Byte offsets inside a struct virtio_pci_cap. */
#define VT_CAP_NEXT          1
#define VT_CAP_LEN           2
#define VT_CAP_TYPE          3
#define VT_CAP_BAR           4
#define VT_CAP_OFFSET        8
#define VT_CAP_LENGTH        12
#define VT_CAP_MULTIPLIER    16              /* NOTIFY only */
#define VT_CAP_DATA          16              /* PCI_CFG: pci_cfg_data */

/* Where each capability says its region is, found by walking the list
 * (vt_find_caps); 0 for a capability not found. */
struct vt_caps {
	uint8_t pos[6];                 /* config offset of each type */
	uint32_t off[6], len[6];        /* region in BAR 0 */
	uint32_t notify_mult;
};
extern struct vt_caps vt_caps;
/* Walk the console's capability list as virtio_pci_find_capability does;
 * returns how many vendor capabilities it found (the walk is bounded). */
unsigned vt_find_caps(void);

/* ---- BAR 0 (virtio 1.0, 4.1.4.3-4.1.4.7) ---------------------------------- */

#define VT_BAR_COMMON        0x000
#define VT_BAR_NOTIFY        0x100
#define VT_BAR_ISR           0x200
#define VT_BAR_DEVICE        0x300
#define VT_BAR_SIZE          0x1000

/* The common configuration. */
#define VT_DFSELECT          0x00
#define VT_DF                0x04
#define VT_GFSELECT          0x08
#define VT_GF                0x0C
#define VT_MSIX_CONFIG       0x10
#define VT_NUM_QUEUES        0x12
#define VT_STATUS            0x14
#define VT_GENERATION        0x15
#define VT_Q_SELECT          0x16
#define VT_Q_SIZE            0x18
#define VT_Q_MSIX            0x1A
#define VT_Q_ENABLE          0x1C
#define VT_Q_NOTIFY_OFF      0x1E
#define VT_Q_DESC            0x20
#define VT_Q_AVAIL           0x28
#define VT_Q_USED            0x30
#define VT_NO_VECTOR         0xFFFF

/* virtio_console_config: cols, rows, max_nr_ports, emerg_wr. */
#define VT_CON_COLS          0
#define VT_CON_ROWS          2
#define VT_CON_MAX_PORTS     4
#define VT_CON_EMERG_WR      8

#define VT_S_ACK             1
#define VT_S_DRIVER          2
#define VT_S_DRIVER_OK       4
#define VT_S_FEATURES_OK     8

#define VT_F_EMERG_WRITE     2               /* VIRTIO_CONSOLE_F_EMERG_WRITE */
#define VT_F_VERSION_1       32

/* BAR 0 lies at the first byte above guest RAM; this is its size. */
uint32_t vt_mem_size(void);

/* The PCI_CFG window, as Linux's set_cfg_window writes it: the bar byte,
 * the length, then the offset; and the data dword at cap + 16, accessed
 * with the window's width. */
void vt_window(uint8_t bar, uint32_t off, uint32_t len);
uint32_t vt_window_read(unsigned width);
void vt_window_write(unsigned width, uint32_t val);

/* Device memory: the guest's own page tables (vt_map) map its RAM 1:1 and
 * the 1 MiB MMIO window above it at VT_WIN_VA, where BAR 0 first is. */
#define VT_WIN_VA            0x40000000u
#define VT_BAR_VA            VT_WIN_VA
#define VT_WIN_SIZE          0x00100000u
void vt_map(void);
/* The PTE that maps va (VT_WIN_VA .. +4 MiB, or RAM); after an edit,
 * vt_flush(). */
uint32_t *vt_pte(uint32_t va);
void vt_flush(void);

/* The accessors Linux's readb/writeb (arch/x86/include/asm/io.h) are:
 * one `mov` between a register and memory, whose addressing mode the
 * compiler picks. */
static inline uint8_t vt_readb(uint32_t a)
{
	uint8_t v;
	__asm__ volatile("movb %1, %0" : "=q"(v) : "m"(*(volatile uint8_t *)a) : "memory");
	return v;
}
static inline uint16_t vt_readw(uint32_t a)
{
	uint16_t v;
	__asm__ volatile("movw %1, %0" : "=r"(v) : "m"(*(volatile uint16_t *)a) : "memory");
	return v;
}
static inline uint32_t vt_readl(uint32_t a)
{
	uint32_t v;
	__asm__ volatile("movl %1, %0" : "=r"(v) : "m"(*(volatile uint32_t *)a) : "memory");
	return v;
}
static inline void vt_writeb(uint32_t a, uint8_t v)
{
	__asm__ volatile("movb %0, %1" : : "q"(v), "m"(*(volatile uint8_t *)a) : "memory");
}
static inline void vt_writew(uint32_t a, uint16_t v)
{
	__asm__ volatile("movw %0, %1" : : "r"(v), "m"(*(volatile uint16_t *)a) : "memory");
}
static inline void vt_writel(uint32_t a, uint32_t v)
{
	__asm__ volatile("movl %0, %1" : : "r"(v), "m"(*(volatile uint32_t *)a) : "memory");
}

/* A register of BAR 0 by offset and width: as device memory once vt_map
 * has run and vt_use_mmio is set, else through the PCI_CFG window. */
extern int vt_use_mmio;
uint32_t vt_read(uint32_t off, unsigned width);
void vt_write(uint32_t off, unsigned width, uint32_t val);

/* ---- split virtqueues (virtio 1.0, 2.4) ----------------------------------- */

#define VT_QMAX              256
#define VT_D_NEXT            1
#define VT_D_WRITE           2
#define VT_D_INDIRECT        4
#define VT_AVAIL_NO_INTERRUPT 1

struct vt_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct vt_used_elem {
	uint32_t id, len;
};

/* One queue's rings, each on its own alignment, as vring_init lays them
 * out (but on separate pages, so each can be moved on its own). */
struct vt_queue {
	struct vt_desc desc[VT_QMAX];
	struct {
		uint16_t flags, idx, ring[VT_QMAX], used_event;
	} avail __attribute__((aligned(4096)));
	struct {
		uint16_t flags, idx;
		struct vt_used_elem ring[VT_QMAX];
		uint16_t avail_event;
	} used __attribute__((aligned(4096)));
	uint16_t size;
} __attribute__((aligned(4096)));

/* Reset the device and take it to FEATURES_OK with these features, as
 * virtio_dev_probe does; returns the status read back after FEATURES_OK. */
uint8_t vt_driver_init(uint64_t features);
/* setup_vq: select queue index, check it is free, write size and the
 * three ring addresses (64-bit, as two halves), not enabled yet. */
void vt_queue_setup(unsigned index, struct vt_queue *q, uint16_t size);
void vt_queue_enable(unsigned index);
/* Kick queue index: a 16-bit write of its number to its notify register. */
void vt_notify(unsigned index);
/* Make descriptor head available (the next avail slot), then idx moves. */
void vt_avail(struct vt_queue *q, uint16_t head);

#endif
