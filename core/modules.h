/* The boot modules, checked: which ones become guests, with what options
 * and what ELF image. */
#ifndef RV_MODULES_H
#define RV_MODULES_H

#include <boot/boot.h>
#include <core/config.h>
#include <core/elf.h>

struct guest_spec {
	const struct boot_module *module;
	unsigned index;			/* position among the boot modules */
	struct guest_config config;
	struct elf_info elf;
};

/* modules.c */
extern struct guest_spec guest_specs[MAX_MODULES];
extern unsigned nr_guest_specs;
/* Why modules were refused, for the verdict: counts by cause. */
enum module_refusal {
	REFUSED_STRING,		/* its string too long, or no room for it */
	REFUSED_OPTIONS,	/* a bad or unknown option */
	REFUSED_NAME,		/* its name already taken */
	REFUSED_ELF,		/* not a valid guest ELF image */
	NR_REFUSALS
};
extern unsigned modules_refused[NR_REFUSALS];
extern const char *const module_refusal_names[NR_REFUSALS];
unsigned modules_scan(void);

#endif
