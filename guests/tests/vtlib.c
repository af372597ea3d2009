/* The virtio test guests' driver kit (vtlib.h): configuration cycles, the
 * capability walk, BAR 0 through the PCI_CFG window or device memory, page
 * tables for the MMIO window, and the virtio driver's set-up sequence. */
#include "vtlib.h"

struct vt_caps vt_caps;
int vt_use_mmio;

/* PCI_CONF1_ADDRESS (arch/x86/pci/direct.c). */
static uint32_t conf1(unsigned bus, unsigned slot, unsigned fn, unsigned reg)
{
	return VT_PCI_ENABLE | bus << 16 | slot << 11 | fn << 8 | (reg & 0xFC);
}

uint32_t vt_cfg_read_at(unsigned bus, unsigned slot, unsigned fn, unsigned reg,
			unsigned width)
{
	vt_outl(VT_PCI_ADDR, conf1(bus, slot, fn, reg));
	switch (width) {
	case 1:  return vt_inb(VT_PCI_DATA + (reg & 3));
	case 2:  return vt_inw(VT_PCI_DATA + (reg & 2));
	default: return vt_inl(VT_PCI_DATA);
	}
}

void vt_cfg_write_at(unsigned bus, unsigned slot, unsigned fn, unsigned reg,
		     unsigned width, uint32_t val)
{
	vt_outl(VT_PCI_ADDR, conf1(bus, slot, fn, reg));
	switch (width) {
	case 1:  vt_outb(VT_PCI_DATA + (reg & 3), (uint8_t)val); break;
	case 2:  vt_outw(VT_PCI_DATA + (reg & 2), (uint16_t)val); break;
	default: vt_outl(VT_PCI_DATA, val); break;
	}
}

uint32_t vt_cfg_read(unsigned slot, unsigned reg, unsigned width)
{
	return vt_cfg_read_at(0, slot, 0, reg, width);
}

void vt_cfg_write(unsigned slot, unsigned reg, unsigned width, uint32_t val)
{
	vt_cfg_write_at(0, slot, 0, reg, width, val);
}

/* virtio_pci_find_capability, for every type at once: byte reads of the
 * list, at most 48 steps (pci_find_next_cap_ttl's bound). */
unsigned vt_find_caps(void)
{
	unsigned found = 0, ttl = 48;
	uint8_t pos = (uint8_t)vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_CAP_LIST, 1);

	memset(&vt_caps, 0, sizeof(vt_caps));
	while (pos >= 0x40 && ttl--) {
		pos &= ~3;
		uint8_t id = (uint8_t)vt_cfg_read(VT_SLOT_CONSOLE, pos, 1);
		if (id == 0xFF)
			break;
		if (id == VT_CAP_VNDR) {
			uint8_t type = (uint8_t)vt_cfg_read(VT_SLOT_CONSOLE, pos + VT_CAP_TYPE, 1);
			uint8_t bar = (uint8_t)vt_cfg_read(VT_SLOT_CONSOLE, pos + VT_CAP_BAR, 1);
			found++;
			if (type >= 1 && type <= 5 && (bar == 0 || type == VT_CAP_PCI_CFG) &&
			    !vt_caps.pos[type]) {
				vt_caps.pos[type] = pos;
				vt_caps.off[type] = vt_cfg_read(VT_SLOT_CONSOLE, pos + VT_CAP_OFFSET, 4);
				vt_caps.len[type] = vt_cfg_read(VT_SLOT_CONSOLE, pos + VT_CAP_LENGTH, 4);
				if (type == VT_CAP_NOTIFY)
					vt_caps.notify_mult = vt_cfg_read(VT_SLOT_CONSOLE,
									  pos + VT_CAP_MULTIPLIER, 4);
			}
		}
		pos = (uint8_t)vt_cfg_read(VT_SLOT_CONSOLE, pos + VT_CAP_NEXT, 1);
	}
	return found;
}

uint32_t vt_mem_size(void)
{
	uintptr_t a = BOOT_PARAMS_GPA + BP_E820_TABLE;

	__asm__("" : "+r"(a));	/* a real address, though small */
	return (uint32_t)((const volatile struct boot_e820_entry *)a)->size;
}

/* ---- the PCI_CFG window --------------------------------------------------- */

static unsigned window_pos(void)
{
	if (!vt_caps.pos[VT_CAP_PCI_CFG])
		vt_find_caps();
	return vt_caps.pos[VT_CAP_PCI_CFG];
}

void vt_window(uint8_t bar, uint32_t off, uint32_t len)
{
	unsigned cap = window_pos();

	vt_cfg_write(VT_SLOT_CONSOLE, cap + VT_CAP_BAR, 1, bar);
	vt_cfg_write(VT_SLOT_CONSOLE, cap + VT_CAP_LENGTH, 4, len);
	vt_cfg_write(VT_SLOT_CONSOLE, cap + VT_CAP_OFFSET, 4, off);
}

uint32_t vt_window_read(unsigned width)
{
	return vt_cfg_read(VT_SLOT_CONSOLE, window_pos() + VT_CAP_DATA, width);
}

void vt_window_write(unsigned width, uint32_t val)
{
	vt_cfg_write(VT_SLOT_CONSOLE, window_pos() + VT_CAP_DATA, width, val);
}

/* ---- device memory -------------------------------------------------------- */

#define RAM_TABLES 4            /* RAM up to 16 MiB, mapped 1:1 */
#define P_RW_AD    0x63u        /* present, writable, accessed, dirty */

static uint32_t pgdir[1024] __attribute__((aligned(4096)));
static uint32_t ram_pt[RAM_TABLES][1024] __attribute__((aligned(4096)));
static uint32_t win_pt[1024] __attribute__((aligned(4096)));

void vt_map(void)
{
	uint32_t mem = vt_mem_size();

	if (mem > RAM_TABLES * (4u << 20))
		rv_fatal("vtlib: at most %u MiB of guest memory", RAM_TABLES * 4);
	for (uint32_t pa = 0; pa < mem; pa += 4096)
		ram_pt[pa >> 22][(pa >> 12) & 1023] = pa | P_RW_AD;
	for (uint32_t t = 0; t < RAM_TABLES; t++)
		pgdir[t] = rv_gpa(ram_pt[t]) | P_RW_AD;
	for (uint32_t i = 0; i < VT_WIN_SIZE / 4096; i++)
		win_pt[i] = (mem + i * 4096) | P_RW_AD;
	pgdir[VT_WIN_VA >> 22] = rv_gpa(win_pt) | P_RW_AD;
	rv_hcall1(HC_NEW_PGTABLE, rv_gpa(pgdir));
}

uint32_t *vt_pte(uint32_t va)
{
	if ((va >> 22) == (VT_WIN_VA >> 22))
		return &win_pt[(va >> 12) & 1023];
	return &ram_pt[va >> 22][(va >> 12) & 1023];
}

void vt_flush(void)
{
	rv_hcall1(HC_FLUSH_TLB, 1);
}

uint32_t vt_read(uint32_t off, unsigned width)
{
	if (vt_use_mmio) {
		switch (width) {
		case 1:  return vt_readb(VT_BAR_VA + off);
		case 2:  return vt_readw(VT_BAR_VA + off);
		default: return vt_readl(VT_BAR_VA + off);
		}
	}
	vt_window(0, off, width);
	return vt_window_read(width);
}

void vt_write(uint32_t off, unsigned width, uint32_t val)
{
	if (vt_use_mmio) {
		switch (width) {
		case 1:  vt_writeb(VT_BAR_VA + off, (uint8_t)val); return;
		case 2:  vt_writew(VT_BAR_VA + off, (uint16_t)val); return;
		default: vt_writel(VT_BAR_VA + off, val); return;
		}
	}
	vt_window(0, off, width);
	vt_window_write(width, val);
}

/* ---- the driver ----------------------------------------------------------- */

uint8_t vt_driver_init(uint64_t features)
{
	/* vp_reset: write 0, then wait for the status to read 0. */
	vt_write(VT_STATUS, 1, 0);
	for (int i = 0; i < 1000 && vt_read(VT_STATUS, 1); i++)
		;
	vt_write(VT_STATUS, 1, VT_S_ACK);
	vt_write(VT_STATUS, 1, VT_S_ACK | VT_S_DRIVER);
	vt_write(VT_GFSELECT, 4, 0);
	vt_write(VT_GF, 4, (uint32_t)features);
	vt_write(VT_GFSELECT, 4, 1);
	vt_write(VT_GF, 4, (uint32_t)(features >> 32));
	vt_write(VT_STATUS, 1, VT_S_ACK | VT_S_DRIVER | VT_S_FEATURES_OK);
	return (uint8_t)vt_read(VT_STATUS, 1);
}

void vt_queue_setup(unsigned index, struct vt_queue *q, uint16_t size)
{
	q->size = size;
	vt_write(VT_Q_SELECT, 2, index);
	vt_write(VT_Q_SIZE, 2, size);
	vt_write(VT_Q_DESC, 4, rv_gpa(q->desc));
	vt_write(VT_Q_DESC + 4, 4, 0);
	vt_write(VT_Q_AVAIL, 4, rv_gpa(&q->avail));
	vt_write(VT_Q_AVAIL + 4, 4, 0);
	vt_write(VT_Q_USED, 4, rv_gpa(&q->used));
	vt_write(VT_Q_USED + 4, 4, 0);
}

void vt_queue_enable(unsigned index)
{
	vt_write(VT_Q_SELECT, 2, index);
	vt_write(VT_Q_ENABLE, 2, 1);
}

void vt_notify(unsigned index)
{
	vt_write(VT_BAR_NOTIFY + index * 4, 2, index);
}

void vt_avail(struct vt_queue *q, uint16_t head)
{
	q->avail.ring[q->avail.idx % q->size] = head;
	rv_barrier();
	q->avail.idx++;
	rv_barrier();
}
