/* Turns the boot modules into guest specifications: each module's options
 * are parsed and its ELF image validated. A bad module gets one line that
 * names it and the reason, and boot goes on with the others. */
#include <core/log.h>
#include <core/modules.h>
#include <lib/lib.h>

struct guest_spec guest_specs[MAX_MODULES];
unsigned nr_guest_specs;

/* The module's file name (the first word of its string) for messages. */
static void module_label(const struct boot_module *m, unsigned index,
			 char *buf, size_t size)
{
	size_t n = 0;

	while (m->cmdline[n] && m->cmdline[n] != ' ' && m->cmdline[n] != '\t')
		n++;
	if (n == 0 || memchr(m->cmdline, '=', n))
		snprintf(buf, size, "module %u", index);
	else
		snprintf(buf, size, "module %u (%.*s)", index, (int)n, m->cmdline);
}

static bool name_taken(const char *name)
{
	for (unsigned i = 0; i < nr_guest_specs; i++)
		if (!strcmp(guest_specs[i].config.name, name))
			return true;
	return false;
}

/* Returns how many modules are valid guests. */
unsigned modules_scan(void)
{
	char label[64], err[128];

	pr_info("modules: %u", boot_record.nr_modules);
	for (unsigned i = 0; i < boot_record.nr_modules; i++) {
		const struct boot_module *m = &boot_record.modules[i];
		struct guest_spec *g = &guest_specs[nr_guest_specs];

		module_label(m, i, label, sizeof(label));
		if (guest_config_parse(m->cmdline, i, &g->config, err, sizeof(err))) {
			pr_err("%s: %s; skipped", label, err);
			continue;
		}
		if (name_taken(g->config.name)) {
			pr_err("%s: the name \"%s\" is already taken; skipped", label,
			       g->config.name);
			continue;
		}
		if (elf_check((const void *)m->start, m->end - m->start, g->config.mem,
			      &g->elf, err, sizeof(err))) {
			pr_err("%s: %s; skipped", label, err);
			continue;
		}
		g->module = m;
		g->index = i;
		nr_guest_specs++;
		pr_info("%s: guest \"%s\", %u KiB, weight %u, entry 0x%08x, %u bytes",
			label, g->config.name, g->config.mem / 1024, g->config.weight,
			g->elf.entry, m->end - m->start);
	}
	return nr_guest_specs;
}
