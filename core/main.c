/* The hypervisor's boot sequence, in the order the story reads: the boot
 * record, the CPU and its devices, memory, the modules, then the guests. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <boot/boot.h>
#include <core/bench.h>
#include <core/config.h>
#include <core/console.h>
#include <core/guest.h>
#include <core/modules.h>
#include <core/monitor.h>
#include <core/oracle.h>
#include <core/run.h>
#include <core/timer.h>
#include <exitcode.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <mm/frame.h>
#include <mm/heap.h>
#include <mm/memmap.h>
#include <mm/mm.h>
#include <param.h>
#include <switcher/switcher.h>

#define RINGVISOR_VERSION "0.1"


extern const char __image_start[], __image_end[];

static void config_warning(void *ctx, const char *msg)
{
	(void)ctx;
	pr_warn("command line: %s", msg);
}

/* Usable RAM: what the map calls available, less everything anything else
 * claims, less the first MiB (BIOS data, VGA, option ROMs), the image and
 * the modules (kept for the guests' whole life: a restart reloads from
 * them). Returns the end of RAM to identity-map. */
static uint32_t memory_init(void)
{
	static struct memmap usable;
	const struct boot_record *br = &boot_record;
	uint64_t ram_end = 0;

	memmap_init(&usable);
	for (unsigned i = 0; i < br->nr_mem; i++)
		if (br->mem[i].type == 1) {
			memmap_add(&usable, br->mem[i].base, br->mem[i].base + br->mem[i].len);
			ram_end = MAX(ram_end, br->mem[i].base + br->mem[i].len);
		}
	for (unsigned i = 0; i < br->nr_mem; i++)
		if (br->mem[i].type != 1)
			memmap_remove(&usable, br->mem[i].base, br->mem[i].base + br->mem[i].len);
	memmap_remove(&usable, 0, 1 * MiB);
	memmap_remove(&usable, (uint32_t)__image_start, (uint32_t)__image_end);
	for (unsigned i = 0; i < br->nr_modules; i++)
		memmap_remove(&usable, ALIGN_DOWN(br->modules[i].start, PAGE_SIZE),
			      ALIGN_UP((uint64_t)br->modules[i].end, PAGE_SIZE));
	memmap_clip(&usable, PHYS_LIMIT);
	if (ram_end > PHYS_LIMIT) {
		pr_warn("memory above 0x%08x is not used", PHYS_LIMIT);
		ram_end = PHYS_LIMIT;
	}
	if (memmap_total(&usable) < 1 * MiB)
		panic("memory: less than 1 MiB of usable RAM above the first MiB");

	frame_init(&usable);
	uint32_t map_end = ALIGN_UP((uint32_t)ram_end, PAGE_SIZE);
	for (unsigned i = 0; i < br->nr_modules; i++)
		map_end = MAX(map_end, ALIGN_UP(br->modules[i].end, PAGE_SIZE));
	return map_end;
}

static void memory_report(uint32_t free_at_start)
{
	uint32_t image = (uint32_t)(__image_end - __image_start);
	uint32_t modules = 0;

	for (unsigned i = 0; i < boot_record.nr_modules; i++)
		modules += ALIGN_UP(boot_record.modules[i].end, PAGE_SIZE) -
			   ALIGN_DOWN(boot_record.modules[i].start, PAGE_SIZE);
	uint32_t free = frame_free_count();
	pr_info("memory: usable %u KiB, hypervisor image %u KiB, modules %u KiB, "
		"page tables and heap %u KiB",
		free_at_start * 4, image / 1024, modules / 1024,
		(free_at_start - free) * 4);
	pr_info("memory: %u frames free (%u KiB)", free, free * 4);
}

/* A one-shot event 1 ms ahead must fire, from the PIT: proof that the
 * interrupt path, the PIT and the timer queue work. It is armed early and
 * waited for (idling) only before the first guest runs, so the rest of the
 * boot overlaps its millisecond. */
static volatile bool selftest_fired;
static struct timer_event selftest = { .fn = NULL };
static uint64_t selftest_start;

static void selftest_event(struct timer_event *ev)
{
	(void)ev;
	selftest_fired = true;
}

static void timer_selftest_arm(void)
{
	timer_event_init(&selftest, selftest_event, NULL);
	selftest_start = time_ns();
	timer_arm(&selftest, selftest_start + 1000000);
}

static void timer_selftest_wait(void)
{
	cli();
	while (!selftest_fired)
		idle_wait();
	sti();
	pr_info("timer: a 1 ms one-shot fired after %llu us",
		(unsigned long long)((time_ns() - selftest_start) / 1000));
}

/* fault=: a deliberate fault inside the hypervisor, for the test that proves
 * the crash report (registers, CR2, symbolized backtrace, failure code). */
static void __attribute__((noinline)) deliberate_fault(const char *kind)
{
	pr_info("fault: raising a deliberate '%s' fault, as the command line asks", kind);
	if (!strcmp(kind, "null"))
		(void)*(volatile uint32_t *)0;
	else if (!strcmp(kind, "ud"))
		__asm__ volatile("ud2");
	else if (!strcmp(kind, "gp"))
		__asm__ volatile("movw %w0, %%ds" : : "r"(0x1234));
	else if (!strcmp(kind, "de"))
		__asm__ volatile("xorl %%ecx, %%ecx; divl %%ecx" : : : "eax", "ecx", "edx");
	else if (!strcmp(kind, "df"))
		/* A stack that runs into the unmapped page 0: the #PF cannot be
		 * pushed, so the CPU raises #DF, handled on its own TSS. */
		__asm__ volatile("movl $0x800, %%esp; pushl $0" : : : "memory");
	else if (!strcmp(kind, "assert"))
		ASSERT(kind[0] == 'x');
	else if (!strcmp(kind, "panic"))
		panic("a deliberate panic");
}

/* The run's verdict (include/exitcode.h, docs/usage.md): one line saying
 * what it rests on, and its code. ok: every guest that ran ended as its
 * expect= said and the oracle found no escape. A guest that ended
 * otherwise outranks a refused module or a guest that was not started. */
static int verdict(bool ok, unsigned not_started)
{
	char why[192];
	size_t n = 0;
	unsigned refused = 0;

	why[0] = '\0';
	for (unsigned i = 0; i < NR_REFUSALS; i++) {
		if (!modules_refused[i])
			continue;
		n += snprintf(why + n, sizeof(why) - n, "%s%u %s", refused ? ", " : "",
			      modules_refused[i], module_refusal_names[i]);
		refused += modules_refused[i];
	}
	bool short_of_guests = refused || not_started;
	const char *word = !ok ? "fail" : short_of_guests ? "refused" : "pass";

	/* Printed at every log level, as the table before it is: it is the
	 * run's result. */
	if (!short_of_guests)
		kprintf("ringvisor: verdict: %s: %s\n", word, ok ? "every guest ended as expected" :
			"not every guest ended as expected");
	else
		kprintf("ringvisor: verdict: %s: %s; %u module%s refused%s%s%s, %u guest%s not "
			"started for lack of memory\n", word,
			ok ? "every guest that ran ended as expected" :
			"not every guest ended as expected",
			refused, refused == 1 ? "" : "s", refused ? " (" : "", why,
			refused ? ")" : "", not_started, not_started == 1 ? "" : "s");
	return !ok ? RV_EXIT_FAIL : short_of_guests ? RV_EXIT_REFUSED : RV_EXIT_PASS;
}

static uint32_t log_hold(void)
{
	return irq_save();
}

static void log_release(uint32_t flags)
{
	irq_restore(flags);
}

/* How lib/log.c's messages leave: through the console, whole, and the
 * hardware's way down. */
static const struct log_ops hv_log_ops = {
	.write = console_write_hv,
	.hold = log_hold,
	.release = log_release,
	.emergency = console_emergency,
	.die = arch_die,
};

void c_boot_main(uint32_t magic, uint32_t info_phys)
{
	uint64_t boot_tsc = rdtsc();

	log_set_ops(&hv_log_ops);
	serial_init();
	if (!bootinfo_parse(magic, info_phys))
		panic("boot: not started by a Multiboot loader");
	hv_config_parse(boot_record.cmdline, &hv_config, config_warning, NULL);
	log_level = hv_config.quiet ? LOG_WARN : hv_config.log_level;
	if (hv_config.console_vga)
		vga_init();
	power_set_debug_exit(hv_config.exit_qemu);

	pr_info("Ringvisor %s, a paravirtual hypervisor for i386", RINGVISOR_VERSION);
	desc_init();
	idt_init();
	cpu_detect();
	cpu_report();
	cpu_setup_control_regs();
	bootinfo_report();
	power_init();

	uint32_t map_end = memory_init();
	uint32_t free_at_start = frame_free_count();
	paging_init(map_end);
	heap_init();

	pic_init();
	pit_init();
	tsc_calibrate();
	rtc_init();
	timer_init();
	serial_enable_rx_irq();
	sti();
	timer_selftest_arm();
	memory_report(free_at_start);

	if (hv_config.bench) {
		bench_switches = hv_config.bench_switches;
		bench_irqoff = hv_config.bench_irqoff;
		bench_mark_boot(boot_tsc);
		bench_native();
	}
	if (hv_config.fault[0])
		deliberate_fault(hv_config.fault);

	modules_scan();
	switcher_init();
	pr_info("memory: %u frames free before the guests start", frame_free_count());
	oracle_snapshot();
	static struct guest *guests[MAX_MODULES];
	unsigned started = 0, not_started = 0;
	for (unsigned i = 0; i < nr_guest_specs; i++) {
		struct guest *g = guest_create(&guest_specs[i], started);
		if (!g) {
			not_started++;
			continue;
		}
		/* At boot, with interrupts on and nobody waiting, at once; a
		 * restart loads in the guest's own slices (core/run.c). */
		while (g->loading)
			guest_load_piece(g);
		guests[started++] = g;
	}
	timer_selftest_wait();
	if (!started) {
		pr_info("no guest to run; stopping");
		arch_poweroff(verdict(true, not_started));
	}
	pr_info("starting %u guest%s", started, started == 1 ? "" : "s");
	pr_debug("sched: time slice %llu us for weight %u; console to %s%s%s, drain %u B/s",
		 (unsigned long long)(hv_config.timeslice_ns / 1000), GUEST_WEIGHT_DEFAULT,
		 hv_config.console_serial ? "serial" : "",
		 hv_config.console_serial && hv_config.console_vga ? " and " : "",
		 hv_config.console_vga ? "VGA" : "", hv_config.drain_bps);
	monitor_init();
	bool ok = sched_loop(guests, started);
	pr_info("memory: %u frames free after the guests ended (%u by a scan)",
		frame_free_count(), frame_scan_free());
	unsigned escapes = oracle_check();
	pr_info("every guest has ended%s; stopping",
		escapes ? ", and the oracle found an escape" :
		ok ? "" : ", not all as expected");
	arch_poweroff(verdict(ok && !escapes, not_started));
}
