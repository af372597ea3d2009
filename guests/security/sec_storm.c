/* Security catalogue, denial of service: a guest that never stops doing
 * one thing, until cpu_limit= ends it. Argument: the storm.
 *   spin     never halts           irqoff   virtual IF off, spinning
 *   hcall    FLUSH_ASYNC forever   fault    #UD forever (own handler)
 *   console  output forever        intirq   int $0x20 (#GP) forever
 *   pfault   #PF forever (own handler, a shadow miss each time)
 *   notify   virtio notifies forever, both queues, through device memory
 *            and the PCI_CFG window (vtlib.c)
 *   restart  5 ms of work, then SHUTDOWN asking for a restart
 *   restartnow  SHUTDOWN asking for a restart at once
 *   conbig   512 KiB console writes of '\r' (never a whole line) forever
 *   ring     64 such writes queued in the async ring, flushed, forever
 *   halt     1 ns timer sleeps forever (a wake and a halt each time)
 *   touch    a byte every 4 MiB of its address space, forever (767 shadow
 *            page tables wanted, for one frame of memory)
 *   touch2   the same through two page directories in turn, switching
 *            after each pass (with mem=240M its budget of 1024 frames
 *            holds one directory's tables, not both: eviction each pass)
 *   touchflush  the same through one directory, a FLUSH_TLB of every
 *            shadow table after each pass
 *   disk     128 KiB reads and writes of its disk 0 (writable), forever,
 *            through the runtime's virtio-blk driver */
#include "rv.h"
#include "vtlib.h"

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void skip2(struct rv_regs *r)
{
	r->eip += 2;            /* ud2, int $0x20 */
}

static void skip_pf(struct rv_regs *r)
{
	r->eip += 6;            /* movl 0x00F00000, %eax (a1 + abs32 = 5) + nop */
}

/* The console's queues, enabled with empty rings: each kick finds nothing
 * to do, so the storm is the notify itself (a fault, a decode, the device
 * work pass) over and over. */
static struct vt_queue storm_q[2];

static void notify_setup(void)
{
	vt_driver_init(1ull << VT_F_VERSION_1);
	for (unsigned q = 0; q < 2; q++) {
		vt_queue_setup(q, &storm_q[q], 16);
		vt_queue_enable(q);
	}
	vt_write(VT_STATUS, 1, VT_S_ACK | VT_S_DRIVER | VT_S_FEATURES_OK | VT_S_DRIVER_OK);
	vt_map();
	vt_cfg_write(VT_SLOT_CONSOLE, VT_PCI_COMMAND, 2, VT_CMD_MEMORY);
}

static void notify_storm(void)
{
	vt_writew(VT_BAR_VA + VT_BAR_NOTIFY + 4, 1);
	vt_writew(VT_BAR_VA + VT_BAR_NOTIFY, 0);
	vt_window(0, VT_BAR_NOTIFY + 4, 2);
	vt_window_write(2, 1);
}

/* 512 KiB of '\r': a console write of it never finishes a line. */
#define BIG (1u << 19)
static char big[BIG];

static void fill_big(void)
{
	for (uint32_t i = 0; i < BIG; i++)
		big[i] = '\r';
}

/* Every ring slot a 512 KiB console write, then a flush: 32 MiB queued for
 * one hypercall, again and again. */
static void ring_flood(void)
{
	for (unsigned i = 0; i < LHCALL_RING_SIZE; i++) {
		rv_lguest_data.hcalls[i] = (struct hcall_args){ HC_RV_CONSOLE_WRITE,
								rv_gpa(big), BIG, 0, 0 };
		rv_barrier();
		rv_lguest_data.hcall_status[i] = HCALL_STATUS_PENDING;
	}
	rv_flush_async();
}

/* Its own page tables: the first 4 MiB mapped 1:1 (supervisor, written),
 * and every other PDE below 3 GiB pointing at one table that maps one
 * page: a byte every 4 MiB is one frame of memory but 767 shadow tables. */
static uint32_t pgdir[1024] __attribute__((aligned(4096)));
static uint32_t pgdir2[1024] __attribute__((aligned(4096)));
static uint32_t low[1024] __attribute__((aligned(4096)));
static uint32_t alias[1024] __attribute__((aligned(4096)));
static uint32_t target[1024] __attribute__((aligned(4096)));

static void touch_setup(void)
{
	for (uint32_t i = 0; i < 1024; i++)
		low[i] = (i << 12) | 0x63;
	alias[0] = rv_gpa(target) | 0x63;
	pgdir[0] = rv_gpa(low) | 0x63;
	for (uint32_t i = 1; i < 768; i++)
		pgdir[i] = rv_gpa(alias) | 0x63;
	for (uint32_t i = 0; i < 1024; i++)
		pgdir2[i] = pgdir[i];
	rv_hcall1(HC_NEW_PGTABLE, rv_gpa(pgdir));
}

static void touch_all(void)
{
	for (uint32_t i = 1; i < 768; i++)
		(*(volatile uint32_t *)(i << 22))++;
}

/* One pass, then the other directory. */
static void touch_two(void)
{
	static unsigned which;

	touch_all();
	which ^= 1;
	rv_hcall1(HC_NEW_PGTABLE, rv_gpa(which ? pgdir2 : pgdir));
}

/* One pass, then every shadow table dropped. */
static void touch_flush(void)
{
	touch_all();
	rv_hcall1(HC_FLUSH_TLB, 1);
}

static void nothing(struct rv_regs *r)
{
	(void)r;
}

/* A disk at least DISK_REQ bytes long, and a buffer that size: each
 * request moves all of it, alternately in and out. */
#define DISK_REQ (128 * 1024)  /* small enough for mem=2M (test_memory) */
static struct rv_blk disk;
static uint8_t disk_buf[DISK_REQ];

static void disk_storm(void)
{
	static unsigned n;

	if (n++ & 1)
		rv_blk_write(&disk, 0, disk_buf, DISK_REQ / RV_BLK_SECTOR);
	else
		rv_blk_read(&disk, 0, disk_buf, DISK_REQ / RV_BLK_SECTOR);
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "spin";
	static const char line[] = "storm storm storm storm storm storm storm storm\n";

	rv_printf("storm %s\n", m);
	if (streq(m, "restart")) {		/* ask for a restart at once */
		uint64_t t0 = rv_time_ns();
		while (rv_time_ns() - t0 < 5000000)	/* 5 ms of work first */
			;
		rv_hcall2(HC_SHUTDOWN, rv_gpa("again"), LGUEST_SHUTDOWN_RESTART);
	}
	if (streq(m, "irqoff"))
		rv_irq_disable();
	if (streq(m, "fault"))
		rv_set_handler(6, skip2, RV_GATE_INTR);
	if (streq(m, "intirq"))
		rv_set_handler(13, skip2, RV_GATE_INTR);
	if (streq(m, "pfault"))
		rv_set_handler(14, skip_pf, RV_GATE_INTR);
	if (streq(m, "notify"))
		notify_setup();
	if (streq(m, "conbig") || streq(m, "ring"))
		fill_big();
	if (streq(m, "restartnow"))
		rv_hcall2(HC_SHUTDOWN, rv_gpa("again"), LGUEST_SHUTDOWN_RESTART);
	if (streq(m, "halt"))
		rv_set_timer_hook(nothing);
	if (streq(m, "touch") || streq(m, "touch2") || streq(m, "touchflush"))
		touch_setup();
	if (streq(m, "disk") && (rv_blk_open(&disk, 0) || disk.capacity * RV_BLK_SECTOR < DISK_REQ))
		rv_fatal("disk: no disk 0 of at least %u bytes", DISK_REQ);
	for (;;) {
		if (streq(m, "hcall"))
			rv_hcall0(HC_FLUSH_ASYNC);
		else if (streq(m, "fault"))
			__asm__ volatile("ud2" ::: "memory");
		else if (streq(m, "intirq"))
			__asm__ volatile("int $0x20" ::: "memory");
		else if (streq(m, "pfault"))
			__asm__ volatile("movl 0x00F00000, %%eax\n\tnop" ::: "eax", "memory");
		else if (streq(m, "notify"))
			notify_storm();
		else if (streq(m, "console"))
			rv_console_write(line, sizeof(line) - 1);
		else if (streq(m, "conbig"))
			rv_hcall2(HC_RV_CONSOLE_WRITE, rv_gpa(big), BIG);
		else if (streq(m, "ring"))
			ring_flood();
		else if (streq(m, "halt"))
			rv_sleep_ns(1);
		else if (streq(m, "touch"))
			touch_all();
		else if (streq(m, "touch2"))
			touch_two();
		else if (streq(m, "touchflush"))
			touch_flush();
		else if (streq(m, "disk"))
			disk_storm();
		else
			__asm__ volatile("pause");
	}
}
