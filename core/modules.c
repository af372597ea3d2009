/* Turns the boot modules into guest specifications: each module's options
 * are parsed, the modules it claims (ROLE=FILE) are set aside as its data,
 * and its kernel is checked: an SDK ELF guest, a Linux vmlinux or a Linux
 * bzImage. A bad module gets one line that names it (its number, its file
 * and its guest's name=, all whole) and the reason, and boot goes on with
 * the others. */
#include <core/linux.h>
#include <core/modules.h>
#include <dev/netplan.h>
#include <lib/cmdline.h>
#include <lib/lib.h>
#include <lib/log.h>

struct guest_spec guest_specs[MAX_MODULES];
unsigned nr_guest_specs;
unsigned modules_refused[NR_REFUSALS];
const char *const module_refusal_names[NR_REFUSALS] = {
	[REFUSED_STRING] = "string too long",
	[REFUSED_OPTIONS] = "bad options",
	[REFUSED_NAME] = "name taken",
	[REFUSED_CLAIM] = "bad module claim",
	[REFUSED_IMAGE] = "bad kernel image",
	[REFUSED_NET] = "bad network port",
};

/* How a data module is used. An initrd and a writable disk belong to one
 * guest (a writable disk shared would be a channel between guests); a
 * read-only disk may be shared by several, without a copy. */
enum module_use { USE_INITRD, USE_DISK, USE_DISK_RW };
static const char *const use_names[] = {
	[USE_INITRD] = "initrd",
	[USE_DISK] = "read-only disk",
	[USE_DISK_RW] = "writable disk",
};

/* Which module claimed each module as data (-1: none; the first, for a
 * shared disk), in which use, how many guests claimed it, the first
 * guest's name, and whether each guest was accepted. */
static int claimed_by[MAX_MODULES];
static enum module_use claimed_as[MAX_MODULES];
static unsigned sharers[MAX_MODULES];
static char claimer[MAX_MODULES][GUEST_NAME_MAX];
static bool accepted[MAX_MODULES];

/* The first word of a module's string: its file name. */
static size_t first_word(const struct boot_module *m, const char **word)
{
	const char *s = m->cmdline ? m->cmdline : "";
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	while (s[n] && s[n] != ' ' && s[n] != '\t')
		n++;
	*word = s;
	return n;
}

/* A reason names at most one word of the module string, which is shorter
 * than CMDLINE_MAX, and fixed text: it always fits (errmsg() would mark a
 * cut anyway). */
static char reason[CMDLINE_MAX + 256];

/* The module's file (the first word of its string, if it is a file name)
 * and the name= it asks for, as slices of the string; empty if absent. */
struct module_names {
	const char *file, *name;
	size_t file_len, name_len;
};

static struct module_names module_names(const char *cmdline)
{
	struct module_names mn = { "", "", 0, 0 };
	const char *cur = cmdline;
	struct cmd_word w;

	for (bool first = true; cmdline_next(&cur, &w); first = false) {
		if (first && cmdline_word_is_path(&w)) {
			mn.file = w.text;
			mn.file_len = w.text_len;
		} else if (cmdline_key_is(&w, "--") && !w.has_val) {
			break;
		} else if (cmdline_key_is(&w, "name") && w.has_val) {
			mn.name = w.val;
			mn.name_len = w.val_len;
		}
	}
	return mn;
}

/* One line: "module I (FILE), guest "NAME": WHY; skipped", with the parts
 * the string has. */
static void refuse(unsigned index, const struct module_names *mn,
		   enum module_refusal cause, const char *why)
{
	modules_refused[cause]++;
	pr_err("module %u%s%.*s%s%s%.*s%s: %s; skipped", index,
	       mn->file_len ? " (" : "", (int)mn->file_len, mn->file,
	       mn->file_len ? ")" : "",
	       mn->name_len ? ", guest \"" : "", (int)mn->name_len, mn->name,
	       mn->name_len ? "\"" : "", why);
}

/* A module whose string bootinfo could not keep (boot/bootinfo.c). */
static void refuse_unkept(unsigned index, const struct boot_module *m)
{
	struct module_names mn = { m->file ? m->file : "", "",
				   m->file ? strlen(m->file) : 0, 0 };

	if (m->string_len >= CMDLINE_MAX)
		snprintf(reason, sizeof(reason),
			 "its string is longer than the %u bytes accepted (CMDLINE_MAX)%s",
			 CMDLINE_MAX - 1,
			 m->file_cut ? ", and so is its first word, cut here" : "");
	else
		snprintf(reason, sizeof(reason),
			 "its string (%u bytes) found no room: all the boot loader's "
			 "strings together may take %u bytes (BOOT_STRINGS_MAX)",
			 m->string_len, BOOT_STRINGS_MAX);
	refuse(index, &mn, REFUSED_STRING, reason);
}

static bool name_taken(const char *name)
{
	for (unsigned i = 0; i < nr_guest_specs; i++)
		if (!strcmp(guest_specs[i].config.name, name))
			return true;
	return false;
}

/* One ROLE=FILE claim of a guest, and the module it resolved to. */
struct claim {
	const char *option;		/* as written: "initrd", "disk", "disk_rw" */
	const char *file;
	enum module_use use;
	int found;
};

/* Does module j's string start with file (exactly, or else its basename)? */
static bool names_file(unsigned j, const char *file, bool exact)
{
	const char *word;
	size_t n = first_word(&boot_record.modules[j], &word);

	return exact ? n == strlen(file) && !memcmp(word, file, n)
		     : module_file_matches(word, n, file);
}

/* Module j already taken by one of the guest's own earlier claims? */
static const struct claim *picked(int j, const struct claim *mine, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		if (mine[k].found == j)
			return &mine[k];
	return NULL;
}

/* The first module after `after` that c->file names (by its exact name,
 * else by basename) and that may take c's use: unclaimed, or a read-only
 * disk another guest claimed when c is one too; not one of the guest's own
 * earlier claims mine[0..n). With any, the first module that file names,
 * whatever its claims (for the message). -1 if none. */
static int find_module(unsigned after, const struct claim *c, const struct claim *mine,
		       unsigned n, bool any)
{
	for (int exact = 1; exact >= 0; exact--)
		for (unsigned j = after + 1; j < boot_record.nr_modules; j++) {
			if (!names_file(j, c->file, exact))
				continue;
			bool free = claimed_by[j] < 0 ||
				    (c->use == USE_DISK && claimed_as[j] == USE_DISK);
			if (any || (free && !picked((int)j, mine, n)))
				return (int)j;
		}
	return -1;
}

/* Why claim c found no module it may take: one message in err. */
static int claim_refused(const struct claim *c, unsigned i, const struct claim *mine,
			 unsigned n, char *err, size_t errlen)
{
	int j = find_module(i, c, mine, n, true);
	const struct claim *own = j >= 0 ? picked(j, mine, n) : NULL;

	if (j < 0)
		return errmsg(err, errlen, "%s=%s: no module after this one is that file",
			      c->option, c->file);
	if (own)
		return errmsg(err, errlen, "%s=%s: module %d is already this guest's %s",
			      c->option, c->file, j, use_names[own->use]);
	if ((claimed_as[j] == USE_DISK_RW || c->use == USE_DISK_RW) &&
	    claimed_as[j] != USE_INITRD && c->use != USE_INITRD)
		return errmsg(err, errlen, "%s=%s: module %d is the %s of guest \"%s\", and a "
			      "writable disk belongs to one guest", c->option, c->file, j,
			      use_names[claimed_as[j]], claimer[j]);
	return errmsg(err, errlen, "%s=%s: module %d is already claimed by guest \"%s\"",
		      c->option, c->file, j, claimer[j]);
}

/* Claims the modules the guest's ROLE=FILE, disk= and disk_rw= options
 * name, all or none. Returns 0, or -1 with the reason in err. */
static int claim_modules(struct guest_spec *g, unsigned i, char *err, size_t errlen)
{
	struct claim want[MODULE_ROLES + GUEST_DISKS_MAX];
	unsigned n = 0;

	if (g->config.claims[MODULE_ROLE_INITRD][0])
		want[n++] = (struct claim){ module_role_names[MODULE_ROLE_INITRD],
					    g->config.claims[MODULE_ROLE_INITRD], USE_INITRD, -1 };
	for (unsigned d = 0; d < g->config.nr_disks; d++) {
		const struct disk_claim *dc = &g->config.disks[d];
		want[n++] = (struct claim){ dc->writable ? "disk_rw" : "disk", dc->file,
					    dc->writable ? USE_DISK_RW : USE_DISK, -1 };
	}
	for (unsigned k = 0; k < n; k++) {
		want[k].found = find_module(i, &want[k], want, k, false);
		if (want[k].found < 0)
			return claim_refused(&want[k], i, want, k, err, errlen);
	}
	for (unsigned k = 0; k < n; k++) {
		int j = want[k].found;
		const struct boot_module *m = &boot_record.modules[j];

		if (sharers[j]++ == 0) {
			claimed_by[j] = (int)i;
			claimed_as[j] = want[k].use;
			strlcpy(claimer[j], g->config.name, GUEST_NAME_MAX);
		}
		if (want[k].use == USE_INITRD) {
			g->data[MODULE_ROLE_INITRD] = m;
		} else {
			g->disks[g->nr_disks].module = m;
			g->disks[g->nr_disks++].writable = want[k].use == USE_DISK_RW;
		}
	}
	return 0;
}

/* Which kind of kernel the module holds, checked against its memory. */
static int check_kernel(struct guest_spec *g, char *err, size_t errlen)
{
	const void *image = (const void *)g->module->start;
	size_t size = g->module->end - g->module->start;

	if (bzimage_is(image, size)) {
		if (bzimage_check(image, size, g->config.mem, &g->bz, err, errlen))
			return -1;
		g->kind = GUEST_LINUX_BZIMAGE;
		g->entry = g->bz.entry;
		g->kernel_end = g->bz.kernel_end;
		return 0;
	}
	if (size >= 4 && memcmp(image, "\177ELF", 4))
		return errmsg(err, errlen, "not an ELF file nor a bzImage (bad magic)");
	if (elf_check(image, size, g->config.mem, &g->elf, err, errlen))
		return -1;
	g->kind = linux_elf_is_kernel(&g->elf) ? GUEST_LINUX_ELF : GUEST_SDK;
	g->entry = g->elf.entry;
	g->kernel_end = g->elf.phys_end;
	return 0;
}

/* A claimed initrd: only for Linux, at the top of memory, above the kernel. */
static int check_initrd(struct guest_spec *g, char *err, size_t errlen)
{
	const struct boot_module *rd = g->data[MODULE_ROLE_INITRD];

	if (!rd)
		return 0;
	if (!guest_is_linux(g))
		return errmsg(err, errlen, "initrd= is for a Linux kernel, and this is "
			      "an SDK guest");
	return linux_place_initrd(g->config.mem, g->kernel_end, rd->end - rd->start,
				  &g->initrd_gpa, err, errlen);
}

/* A writable disk's private copy is mapped a page at a time: bounded by
 * DISK_RW_MAX. A read-only disk is read where the boot loader put it. */
static int check_disks(struct guest_spec *g, char *err, size_t errlen)
{
	for (unsigned d = 0; d < g->nr_disks; d++) {
		const struct boot_module *m = g->disks[d].module;

		if (g->disks[d].writable && m->end - m->start > DISK_RW_MAX)
			return errmsg(err, errlen, "disk_rw=%s: %u KiB, and a writable disk "
				      "holds at most %u KiB (DISK_RW_MAX)",
				      g->config.disks[d].file, (m->end - m->start) / 1024,
				      DISK_RW_MAX / 1024);
	}
	return 0;
}

static const char *const kind_names[] = {
	[GUEST_SDK] = "guest",
	[GUEST_LINUX_ELF] = "Linux vmlinux",
	[GUEST_LINUX_BZIMAGE] = "Linux bzImage",
};

/* Module i, unless it is data: a guest spec, or one error line. */
static void scan_guest(unsigned i)
{
	const struct boot_module *m = &boot_record.modules[i];
	struct guest_spec *g = &guest_specs[nr_guest_specs];

	if (!m->cmdline) {
		refuse_unkept(i, m);
		return;
	}
	struct module_names mn = module_names(m->cmdline);
	pr_debug("module %u: [0x%08x-0x%08x) \"%s\"", i, m->start, m->end, m->cmdline);
	memset(g, 0, sizeof(*g));
	g->module = m;
	g->index = i;
	if (guest_config_parse(m->cmdline, i, &g->config, reason, sizeof(reason))) {
		refuse(i, &mn, REFUSED_OPTIONS, reason);
		return;
	}
	/* From here on the name is known, given or derived. */
	mn.name = g->config.name;
	mn.name_len = strlen(g->config.name);
	if (claim_modules(g, i, reason, sizeof(reason))) {
		refuse(i, &mn, REFUSED_CLAIM, reason);
		return;
	}
	if (name_taken(g->config.name)) {
		refuse(i, &mn, REFUSED_NAME, "that name is already taken");
		return;
	}
	if (check_kernel(g, reason, sizeof(reason))) {
		refuse(i, &mn, REFUSED_IMAGE, reason);
		return;
	}
	if (check_initrd(g, reason, sizeof(reason)) || check_disks(g, reason, sizeof(reason))) {
		refuse(i, &mn, REFUSED_CLAIM, reason);
		return;
	}
	/* Last: a port reserved here is never given back. */
	if (net_admit(g->config.name, g->config.net, g->config.nr_net, g->net_port, reason,
		      sizeof(reason))) {
		refuse(i, &mn, REFUSED_NET, reason);
		return;
	}
	accepted[i] = true;
	nr_guest_specs++;
	pr_info("module %u%s%.*s%s: %s \"%s\", %u KiB, weight %u, entry 0x%08x, %u bytes",
		i, mn.file_len ? " (" : "", (int)mn.file_len, mn.file, mn.file_len ? ")" : "",
		kind_names[g->kind], g->config.name, g->config.mem / 1024,
		g->config.weight, g->entry, m->end - m->start);
	if (guest_is_linux(g))
		pr_debug("guest %s: kernel command line \"%s\"", g->config.name, g->config.args);
	else if (g->config.args[0])
		pr_debug("guest %s: command line \"%s %s\"", g->config.name, g->config.name,
			 g->config.args);
}

/* Returns how many modules are valid guests; modules_refused counts the
 * others, by cause. */
unsigned modules_scan(void)
{
	pr_info("modules: %u", boot_record.nr_modules);
	for (unsigned i = 0; i < boot_record.nr_modules; i++) {
		claimed_by[i] = -1;
		sharers[i] = 0;
	}
	for (unsigned i = 0; i < boot_record.nr_modules; i++) {
		const struct boot_module *m = &boot_record.modules[i];
		int owner = claimed_by[i];

		if (owner < 0) {
			scan_guest(i);
			continue;
		}
		const char *word;
		size_t n = first_word(m, &word);
		char more[32] = "";
		if (sharers[i] > 1)
			snprintf(more, sizeof(more), " and %u more", sharers[i] - 1);
		pr_info("module %u (%.*s): %s of guest \"%s\"%s, %u bytes%s", i, (int)n, word,
			use_names[claimed_as[i]], claimer[i], more, m->end - m->start,
			accepted[owner] || sharers[i] > 1 ? "" : " (that guest was skipped)");
	}
	return nr_guest_specs;
}
