/* A guest's life from the run loop's side: admitting and creating it from
 * its module, loading it in pieces, and giving back everything it held
 * when it is destroyed, in pieces too. */
#include <abi.h>
#include <arch/i386/arch.h>
#include <core/console.h>
#include <core/elf.h>
#include <core/guest.h>
#include <core/linux.h>
#include <core/oracle.h>
#include <core/run.h>
#include <dev/dev.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <mm/frame.h>
#include <mm/heap.h>
#include <mm/mm.h>
#include <traps/traps.h>
#include <mutation.h>

static void guest_clock_fired(struct timer_event *ev)
{
	struct guest *g = ev->arg;

	if (irq_raise(g, RV_IRQ_TIMER))
		guest_wake(g);
}

/* boot_params at guest-physical 0 and the command line in the page after
 * it (core/linux.c). A Linux guest's command line is exactly what its
 * module string has after `--`; an SDK guest's starts with its name, its
 * argv[0]. */
static void write_boot_params(struct guest *g)
{
	const struct guest_spec *spec = g->spec;
	const struct boot_module *rd = spec->data[MODULE_ROLE_INITRD];
	static char sdk_cmdline[GUEST_CMDLINE_MAX];	/* one guest built at a time */
	struct linux_boot lb = {
		.mem_size = g->mem_size,
		.cmdline = spec->config.args,
	};

	if (spec->kind == GUEST_LINUX_BZIMAGE) {
		lb.setup_header = (const uint8_t *)spec->module->start;
		lb.header_end = spec->bz.header_end;
	}
	if (rd) {
		lb.initrd_gpa = spec->initrd_gpa;
		lb.initrd_size = rd->end - rd->start;
	}
	if (!guest_is_linux(spec)) {
		int n = snprintf(sdk_cmdline, sizeof(sdk_cmdline), "%s%s%s", g->name,
				 spec->config.args[0] ? " " : "", spec->config.args);
		/* guest_config_parse() refused a module whose line would not fit. */
		ASSERT(n >= 0 && (uint32_t)n < sizeof(sdk_cmdline));
		lb.cmdline = sdk_cmdline;
	}
	boot_params_write(guest_range(g, BOOT_PARAMS_GPA, 2 * PAGE_SIZE), &lb);
}

/* The kernel's image and the initrd, as far as they fall in guest memory
 * [lo, hi), which is zeroed: a piece at a time, so no load keeps the host
 * busy for more than one piece's copy. */
static void load_images(struct guest *g, uint32_t lo, uint32_t hi)
{
	const struct guest_spec *spec = g->spec;
	const struct boot_module *rd = spec->data[MODULE_ROLE_INITRD];
	const uint8_t *image = (const uint8_t *)spec->module->start;
	uint8_t *base = (uint8_t *)g->mem_base;

	if (spec->kind == GUEST_LINUX_BZIMAGE)
		bzimage_load(image, &spec->bz, base, lo, hi);
	else
		elf_load_range(image, &spec->elf, base, lo, hi);
	if (rd) {
		uint32_t from = MAX(lo, spec->initrd_gpa);
		uint32_t to = MIN(hi, spec->initrd_gpa + (uint32_t)(rd->end - rd->start));
		if (from < to)
			memcpy(base + from, (const void *)(rd->start + (from - spec->initrd_gpa)),
			       to - from);
	}
}

/* The 4.9 boot register state: ring 1 at the kernel's entry, esi = the
 * boot_params address, flat guest segments, interrupts (virtually) on. */
static void init_regs(struct guest *g)
{
	struct guest_regs *r = g->regs;

	memset(r, 0, sizeof(*r));
	r->eip = g->spec->entry;
	r->esi = BOOT_PARAMS_GPA;
	r->cs = GUEST_CS;
	r->ds = r->es = r->ss = GUEST_DS;
	r->eflags = 0x202;
}

static void *alloc_page_zeroed(void)
{
	uint32_t pa = frame_alloc();

	if (pa)
		memset((void *)pa, 0, PAGE_SIZE);
	return (void *)pa;
}

/* Frames a guest costs beyond its RAM and shadow budget: its structure
 * (a large heap object), the regs, state and ROM pages, two guard frames. */
uint32_t guest_fixed_frames(void)
{
	return (uint32_t)(ALIGN_UP(sizeof(struct guest) + HEAP_MAX_CLASS, PAGE_SIZE) / PAGE_SIZE)
	       + 5;
}

/* Admission: RAM, fixed cost, shadow budget and the copies of its
 * writable disks must all fit in frames no other guest was promised, or
 * the guest is refused with one line. */
static bool admit(const struct guest_config *cfg, uint32_t budget, uint32_t disks)
{
	uint32_t need = cfg->mem / PAGE_SIZE + guest_fixed_frames() + budget + disks;
	char disk_part[48] = "";

	if (need <= frame_unreserved())
		return true;
	if (disks)
		snprintf(disk_part, sizeof(disk_part), ", %u KiB for writable disks", disks * 4);
	pr_err("guest %s: does not fit: %u KiB of guest memory, %u KiB fixed and %u KiB "
	       "of shadow budget wanted%s, %u KiB free; not started", cfg->name,
	       cfg->mem / 1024, guest_fixed_frames() * 4, budget * 4, disk_part,
	       frame_unreserved() * 4);
	return false;
}

/* Build a guest from a checked module: its memory, pages and shadow budget
 * taken, its image not loaded yet (guest_load_piece does that, a bounded
 * piece at a time, in the guest's own time slices). NULL, with one line
 * saying why, if it does not fit; the other guests are not affected. */
struct guest *guest_create(const struct guest_spec *spec, unsigned id)
{
	const struct guest_config *cfg = &spec->config;
	uint32_t budget = shadow_budget(cfg->mem, cfg->shadow_frames);

	if (!admit(cfg, budget, dev_frames_needed(spec)))
		return NULL;

	uint32_t free_before = frame_free_count();
	struct guest *g = kzalloc(sizeof(*g));

	if (!g) {
		pr_err("guest %s: no memory for its state; not started", cfg->name);
		return NULL;
	}
	strlcpy(g->name, cfg->name, sizeof(g->name));
	g->id = id;
	g->spec = spec;
	g->mem_size = cfg->mem;
	/* One guard frame below and one above: the oracle checks them. */
	uint32_t block = frame_alloc_contig(cfg->mem / PAGE_SIZE + 2, 1);
	if (block) {
		oracle_guard_fill(block);
		oracle_guard_fill(block + PAGE_SIZE + cfg->mem);
		g->mem_base = block + PAGE_SIZE;
	}
	g->regs_page = alloc_page_zeroed();
	g->state = alloc_page_zeroed();
	g->rom = alloc_page_zeroed();
	if (!g->mem_base || !g->regs_page || !g->state || !g->rom || !frame_reserve(budget)) {
		pr_err("guest %s: does not fit: %u KiB of guest memory in one run wanted, "
		       "%u KiB free; not started", cfg->name, cfg->mem / 1024,
		       frame_unreserved() * 4);
		guest_destroy(g);
		return NULL;
	}
	g->shadow_reserved = budget;
	g->loading = true;

	g->regs = &g->regs_page->regs;
	for (unsigned k = 0; k < 2; k++)		/* nothing checked yet */
		g->checked_cs[k] = g->checked_ss[k] = ~0u;
	init_regs(g);
	switcher_state_init(g->state);
	rom_init(g->rom);
	traps_init_guest(g);
	fpu_init_guest(g);
	shadow_init(g, budget);
	timer_event_init(&g->clock, guest_clock_fired, g);
	console_attach(g);
	if (!dev_attach(g)) {
		guest_destroy(g);
		return NULL;
	}
	g->frames_fixed = free_before - frame_free_count() - g->shadow.frames;
	g->run_state = GUEST_RUNNABLE;
	pr_debug("guest %s: %u KiB at host-physical 0x%08x, entry 0x%08x, weight %u, cap %u%%",
		 g->name, g->mem_size / 1024, g->mem_base, spec->entry, cfg->weight,
		 cfg->cap);
	return g;
}

/* One bounded piece of loading g (GUEST_LOAD_PIECE bytes of its memory
 * zeroed and filled from its images; boot_params with the first):
 * the run loop calls it instead of entering g while g->loading, so a
 * guest's creation or restart runs in its own slices, is charged to it,
 * and keeps interrupts off for one piece at most. */
void guest_load_piece(struct guest *g)
{
	uint32_t off = g->load_off, n = MIN(GUEST_LOAD_PIECE, g->mem_size - off);

	arch_zero((void *)(g->mem_base + off), n);
	if (off == 0)
		write_boot_params(g);	/* its two pages are in the first piece */
	load_images(g, off, off + n);
	g->load_off = off + n;
	if (g->load_off == g->mem_size)
		g->loading = false;
}

/* The frames g holds now: what its creation took (its structure, memory
 * with the guard frames, regs and state pages, its disks' maps), its
 * shadow tables and the pages its writable disks have copied. */
uint32_t guest_frames_held(const struct guest *g)
{
	return g->frames_fixed + g->shadow.frames + dev_frames_held(g);
}

/* A piece of g's memory, with the guard frames around it, back to the
 * pool: the guards are checked before the first. True when all of it is
 * back. */
static bool release_memory(struct guest *g)
{
	uint32_t first = g->mem_base - PAGE_SIZE, total = g->mem_size / PAGE_SIZE + 2;

	if (!g->mem_base)
		return true;
	if (!g->mem_freed) {
		oracle_guard_check(g->mem_base - PAGE_SIZE, g->name, "below");
		oracle_guard_check(g->mem_base + g->mem_size, g->name, "above");
	}
	uint32_t n = MIN(GUEST_FREE_PIECE, total - g->mem_freed);
	frame_free_contig(first + g->mem_freed * PAGE_SIZE, n);
	g->mem_freed += n;
	if (g->mem_freed < total)
		return false;
	g->mem_base = 0;
	return true;
}

/* A bounded piece of giving back what g holds that cannot go back in one
 * step (its shadow tables, up to thousands of frames, its writable disks'
 * copies, then its memory), after unhooking it from its timer, the
 * switch and the console: true when only what guest_destroy returns at
 * once is left. */
bool guest_release_piece(struct guest *g)
{
	if (g->clock.fn)
		timer_cancel(&g->clock);	/* no event reaches it from now on */
	if (!MUTATED(MUT_NET_UNHOOK))
		dev_detach(g);	/* nor any frame from the switch */
	console_detach(g);
	if (g->regs && !shadow_release(g))
		return false;
	if (!dev_release_piece(g))
		return false;
	return release_memory(g);
}

/* Return everything the guest holds, in one go: callers with interrupt
 * windows to keep call guest_release_piece() until it is done first.
 * Safe on a half-built guest. */
void guest_destroy(struct guest *g)
{
	while (!guest_release_piece(g))
		;
	fpu_forget(g);
	if (g->shadow_reserved)
		frame_unreserve(g->shadow_reserved);
	if (g->regs_page)
		frame_free((uint32_t)g->regs_page);
	if (g->state)
		frame_free((uint32_t)g->state);
	if (g->rom)
		frame_free((uint32_t)g->rom);
	kfree(g);
}
