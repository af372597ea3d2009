/* Security catalogue, the virtual devices: one attack on the PCI bus or
 * the virtio console per module, named by the module's argument (after
 * --). Each must end the guest with one exact kill reason
 * (tools/security.py: DEV_KILLS) or, for the "ne_" cases, change nothing
 * and exit 0. A killing case that survives prints "SURVIVED case" and
 * exits 1. Every module runs with mem=2M, so BAR 0 is at 0x00200000. The
 * rings, the window and the accessors are vtlib's, the way Linux does
 * them; only the one thing each case breaks differs. */
#include "tlib.h"
#include "vtlib.h"

#define MEM_TOP   0x00200000u
#define QSIZE     16
#define V1        (1ull << VT_F_VERSION_1)

static struct vt_queue rxq, txq;
/* What a looping chain sends until the loop is seen: one dot a lap. */
static const char dot = '.';
static const char text[] = "never printed\n";

/* The driver up, as virtio_init does it, with queues of QSIZE entries. */
static void up(void)
{
	vt_driver_init(V1);
	vt_queue_setup(0, &rxq, QSIZE);
	vt_queue_setup(1, &txq, QSIZE);
	vt_queue_enable(0);
	vt_queue_enable(1);
	vt_write(VT_STATUS, 1, VT_S_ACK | VT_S_DRIVER | VT_S_FEATURES_OK | VT_S_DRIVER_OK);
}

/* Device memory on, for the cases that use it. */
static void mmio(void)
{
	vt_map();
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_COMMAND, 2, VT_CMD_MEMORY | VT_CMD_MASTER);
	vt_use_mmio = 1;
}

/* Queue 1 set up with size n, then enabled: vq_enable judges it. */
static void enable_tx(uint16_t n)
{
	vt_driver_init(V1);
	vt_queue_setup(1, &txq, n);
	vt_queue_enable(1);
}

/* One transmit chain at head, then the kick. */
static void send(uint16_t head)
{
	vt_avail(&txq, head);
	vt_notify(1);
}

static void tx_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	txq.desc[i] = (struct vt_desc){ addr, len, flags, next };
}

/* A 32-bit BAR 0 register seen through the window set by hand. */
static void window_write(uint8_t bar, uint32_t off, uint32_t len)
{
	vt_window(bar, off, len);
	vt_window_write(4, 0);
}

/* Instructions the decoder must refuse, each followed by ud2 and nops so
 * the 8 bytes the reason shows are fixed. */
#define TAIL ".byte 0x0f, 0x0b, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90\n\t"

static int run_case(const char *c)
{
	uint32_t tmp = 0;

	/* -- queue placement, judged at queue_enable ----------------------- */
	if (t_streq(c, "vq_size_0"))
		enable_tx(0);
	else if (t_streq(c, "vq_size_3"))
		enable_tx(3);
	else if (t_streq(c, "vq_size_512"))
		enable_tx(512);
	else if (t_streq(c, "vq_desc_align")) {
		vt_driver_init(V1);
		vt_queue_setup(1, &txq, QSIZE);
		vt_write(VT_Q_DESC, 4, rv_gpa(txq.desc) + 8);
		vt_queue_enable(1);
	} else if (t_streq(c, "vq_desc_4g")) {
		vt_driver_init(V1);
		vt_queue_setup(1, &txq, QSIZE);
		vt_write(VT_Q_DESC + 4, 4, 1);
		vt_queue_enable(1);
	} else if (t_streq(c, "vq_avail_end")) {
		vt_driver_init(V1);
		vt_queue_setup(1, &txq, QSIZE);
		vt_write(VT_Q_AVAIL, 4, MEM_TOP - 16);
		vt_queue_enable(1);
	} else if (t_streq(c, "vq_used_mmio")) {
		vt_driver_init(V1);
		vt_queue_setup(1, &txq, QSIZE);
		vt_write(VT_Q_USED, 4, MEM_TOP);
		vt_queue_enable(1);
	}
	/* -- descriptors and the available ring, judged at the kick -------- */
	else if (t_streq(c, "desc_loop")) {
		up();
		tx_desc(0, rv_gpa(&dot), 1, VT_D_NEXT, 1);
		tx_desc(1, rv_gpa(&dot), 1, VT_D_NEXT, 0);
		send(0);
	} else if (t_streq(c, "desc_self_loop")) {
		up();
		tx_desc(3, rv_gpa(&dot), 1, VT_D_NEXT, 3);
		send(3);
	} else if (t_streq(c, "desc_zero_len")) {
		up();
		tx_desc(0, rv_gpa(text), 0, 0, 0);
		send(0);
	} else if (t_streq(c, "desc_indirect")) {
		up();
		tx_desc(0, rv_gpa(rxq.desc), 32, VT_D_INDIRECT, 0);
		send(0);
	} else if (t_streq(c, "desc_beyond")) {
		up();
		tx_desc(0, MEM_TOP, 16, 0, 0);
		send(0);
	} else if (t_streq(c, "desc_straddle")) {
		up();
		tx_desc(0, MEM_TOP - 8, 16, 0, 0);
		send(0);
	} else if (t_streq(c, "desc_len_huge")) {
		up();
		tx_desc(0, 0x1000, 0xFFFFFFFF, 0, 0);
		send(0);
	} else if (t_streq(c, "desc_4g")) {
		up();
		tx_desc(0, 0x100001000ull, 16, 0, 0);
		send(0);
	} else if (t_streq(c, "desc_switcher")) {
		up();
		tx_desc(0, SWITCHER_ADDR, 16, 0, 0);
		send(0);
	} else if (t_streq(c, "desc_next_out")) {
		up();
		tx_desc(0, rv_gpa(text), 1, VT_D_NEXT, QSIZE);
		send(0);
	} else if (t_streq(c, "avail_jump")) {
		up();
		txq.avail.idx = QSIZE + 1;
		vt_notify(1);
	} else if (t_streq(c, "avail_jump_back")) {
		up();
		txq.avail.idx = 0xFFFF;
		vt_notify(1);
	} else if (t_streq(c, "avail_head_out")) {
		up();
		send(QSIZE);
	} else if (t_streq(c, "avail_head_huge")) {
		up();
		send(0xFFFF);
	} else if (t_streq(c, "tx_writable")) {
		up();
		tx_desc(0, rv_gpa(&tmp), 4, VT_D_WRITE, 0);
		send(0);
	}
	/* -- notify -------------------------------------------------------- */
	else if (t_streq(c, "notify_unknown")) {
		up();
		vt_write(VT_BAR_NOTIFY, 2, 5);
	} else if (t_streq(c, "notify_disabled")) {
		vt_driver_init(V1);
		vt_notify(1);
	} else if (t_streq(c, "notify_past")) {
		up();
		vt_write(VT_BAR_NOTIFY + 8, 2, 2);
	} else if (t_streq(c, "notify_read")) {
		up();
		vt_read(VT_BAR_NOTIFY, 2);
	} else if (t_streq(c, "notify_dword")) {
		up();
		vt_write(VT_BAR_NOTIFY + 4, 4, 1);
	}
	/* -- the PCI_CFG window -------------------------------------------- */
	else if (t_streq(c, "cfg_bad_bar"))
		window_write(1, VT_BAR_DEVICE + VT_CON_EMERG_WR, 4);
	else if (t_streq(c, "cfg_len_3"))
		window_write(0, VT_DFSELECT, 3);
	else if (t_streq(c, "cfg_len_0"))
		window_write(0, VT_DFSELECT, 0);
	else if (t_streq(c, "cfg_len_8"))
		window_write(0, VT_Q_DESC, 8);
	else if (t_streq(c, "cfg_misaligned")) {
		vt_window(0, VT_BAR_DEVICE + 5, 4);
		vt_window_read(4);
	} else if (t_streq(c, "cfg_outside_bar")) {
		vt_window(0, VT_BAR_SIZE, 4);
		vt_window_read(4);
	} else if (t_streq(c, "cfg_wraps"))
		window_write(0, 0xFFFFFFFC, 4);
	else if (t_streq(c, "cfg_crossing"))
		window_write(0, VT_STATUS, 4);
	else if (t_streq(c, "cfg_isr_write")) {
		vt_window(0, VT_BAR_ISR, 1);
		vt_window_write(1, 1);
	}
	/* -- device memory: the access's shape ----------------------------- */
	else if (t_streq(c, "mmio_misaligned")) {
		mmio();
		vt_readl(VT_BAR_VA + 2);
	} else if (t_streq(c, "mmio_misalign16")) {
		mmio();
		vt_writew(VT_BAR_VA + VT_Q_SELECT + 1, 0);
	} else if (t_streq(c, "mmio_crossing")) {
		mmio();
		vt_writel(VT_BAR_VA + VT_STATUS, 0);
	} else if (t_streq(c, "mmio_narrow")) {
		mmio();
		vt_readw(VT_BAR_VA + VT_DF);
	} else if (t_streq(c, "mmio_gap")) {
		mmio();
		vt_readl(VT_BAR_VA + 0x80);
	} else if (t_streq(c, "mmio_isr_wide")) {
		mmio();
		vt_readl(VT_BAR_VA + VT_BAR_ISR);
	} else if (t_streq(c, "mmio_past_dev")) {
		mmio();
		vt_readl(VT_BAR_VA + VT_BAR_DEVICE + 12);
	}
	/* -- device memory: where it lands ---------------------------------- */
	else if (t_streq(c, "mmio_no_device")) {
		mmio();
		vt_readl(VT_WIN_VA + 0x1000);
	} else if (t_streq(c, "mmio_window_end")) {
		mmio();
		vt_readb(VT_WIN_VA + VT_WIN_SIZE - 1);
	} else if (t_streq(c, "mmio_decode_off")) {
		mmio();
		vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_COMMAND, 2, 0);
		vt_readw(VT_BAR_VA + VT_NUM_QUEUES);
	} else if (t_streq(c, "mmio_sizing")) {
		mmio();
		vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4, 0xFFFFFFFF);
		vt_readw(VT_BAR_VA + VT_NUM_QUEUES);
	} else if (t_streq(c, "mmio_old_bar")) {
		mmio();
		vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4, MEM_TOP + 0x40000);
		vt_readw(VT_BAR_VA + VT_NUM_QUEUES);
	} else if (t_streq(c, "mmio_beyond")) {
		mmio();
		*vt_pte(VT_WIN_VA + VT_WIN_SIZE) = (MEM_TOP + VT_WIN_SIZE) | 0x63;
		vt_flush();
		vt_readl(VT_WIN_VA + VT_WIN_SIZE);
	}
	/* -- device memory: instructions that are not a mov ------------------ */
	else if (t_streq(c, "mmio_movs")) {
		mmio();
		uint32_t src = VT_BAR_VA, dst = rv_gpa(&tmp);
		__asm__ volatile("movsl\n\t" TAIL : "+S"(src), "+D"(dst) : : "memory");
	} else if (t_streq(c, "mmio_add")) {
		mmio();
		__asm__ volatile("addl %%eax, (%%ebx)\n\t" TAIL : : "a"(1), "b"(VT_BAR_VA) : "memory");
	} else if (t_streq(c, "mmio_mov_imm")) {
		mmio();
		__asm__ volatile("movl $1, (%%ebx)\n\t" TAIL : : "b"(VT_BAR_VA) : "memory");
	} else if (t_streq(c, "mmio_movzx")) {
		mmio();
		__asm__ volatile("movzbl 0x14(%%ebx), %%eax\n\t" TAIL : : "b"(VT_BAR_VA) : "eax", "memory");
	} else if (t_streq(c, "mmio_prefixed")) {
		mmio();
		__asm__ volatile("lock; xchgl %%eax, (%%ebx)\n\t" TAIL : : "b"(VT_BAR_VA) : "eax", "memory");
	}
	/* -- no effect ------------------------------------------------------ */
	else if (t_streq(c, "ne_bar_outside")) {
		/* BAR 0 moved outside the window: refused, and the device still
		 * answers where it was */
		mmio();
		vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4, MEM_TOP + VT_WIN_SIZE);
		if (vt_cfg_read(VT_SLOT_CONSOLE, VT_PCI_BAR0, 4) == MEM_TOP &&
		    vt_readw(VT_BAR_VA + VT_NUM_QUEUES) == 2) {
			rv_printf("NOEFFECT %s\n", c);
			return 1;
		}
	} else if (t_streq(c, "ne_features")) {
		/* unknown features: FEATURES_OK does not stick; the device works
		 * once the driver asks for what is offered */
		uint8_t bad = vt_driver_init(V1 | 1);
		uint8_t good = vt_driver_init(V1);
		if (!(bad & VT_S_FEATURES_OK) && (good & VT_S_FEATURES_OK)) {
			rv_printf("NOEFFECT %s\n", c);
			return 1;
		}
	} else if (t_streq(c, "rx_readonly")) {
		/* a receive buffer the device may not write: killed when the
		 * first input arrives (test/test_devices.py types it) */
		up();
		rxq.desc[0] = (struct vt_desc){ rv_gpa(&tmp), 4, 0, 0 };
		vt_avail(&rxq, 0);
		vt_notify(0);
		rv_printf("waiting for input\n");
		for (;;)
			rv_halt();
	} else {
		rv_printf("unknown case '%s'\n", c);
		return 0;
	}
	rv_printf("SURVIVED %s\n", c);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		rv_printf("usage: sec_dev -- CASE\n");
		return 2;
	}
	return run_case(argv[1]) ? 0 : 1;
}
