/* Turns the boot modules into guest specifications: each module's options
 * are parsed and its ELF image validated. A bad module gets one line that
 * names it (its number, its file and its guest's name=, all whole) and
 * the reason, and boot goes on with the others. */
#include <core/log.h>
#include <core/modules.h>
#include <lib/cmdline.h>
#include <lib/lib.h>

struct guest_spec guest_specs[MAX_MODULES];
unsigned nr_guest_specs;
unsigned modules_refused[NR_REFUSALS];
const char *const module_refusal_names[NR_REFUSALS] = {
	[REFUSED_STRING] = "string too long",
	[REFUSED_OPTIONS] = "bad options",
	[REFUSED_NAME] = "name taken",
	[REFUSED_ELF] = "bad ELF image",
};

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

/* Returns how many modules are valid guests; modules_refused counts the
 * others, by cause. */
unsigned modules_scan(void)
{
	pr_info("modules: %u", boot_record.nr_modules);
	for (unsigned i = 0; i < boot_record.nr_modules; i++) {
		const struct boot_module *m = &boot_record.modules[i];
		struct guest_spec *g = &guest_specs[nr_guest_specs];

		if (!m->cmdline) {
			refuse_unkept(i, m);
			continue;
		}
		struct module_names mn = module_names(m->cmdline);
		pr_debug("module %u: [0x%08x-0x%08x) \"%s\"", i, m->start, m->end, m->cmdline);
		if (guest_config_parse(m->cmdline, i, &g->config, reason, sizeof(reason))) {
			refuse(i, &mn, REFUSED_OPTIONS, reason);
			continue;
		}
		/* From here on the name is known, given or derived. */
		mn.name = g->config.name;
		mn.name_len = strlen(g->config.name);
		if (name_taken(g->config.name)) {
			refuse(i, &mn, REFUSED_NAME, "that name is already taken");
			continue;
		}
		if (elf_check((const void *)m->start, m->end - m->start, g->config.mem,
			      &g->elf, reason, sizeof(reason))) {
			refuse(i, &mn, REFUSED_ELF, reason);
			continue;
		}
		g->module = m;
		g->index = i;
		nr_guest_specs++;
		pr_info("module %u%s%.*s%s: guest \"%s\", %u KiB, weight %u, entry 0x%08x, "
			"%u bytes", i, mn.file_len ? " (" : "", (int)mn.file_len, mn.file,
			mn.file_len ? ")" : "", g->config.name, g->config.mem / 1024,
			g->config.weight, g->elf.entry, m->end - m->start);
		if (g->config.args[0])
			pr_debug("guest %s: command line \"%s %s\"", g->config.name,
				 g->config.name, g->config.args);
	}
	return nr_guest_specs;
}
