/* The boot record: everything the hypervisor keeps of what the boot loader
 * said, copied out of the loader's memory before any allocator runs. */
#ifndef RV_BOOT_H
#define RV_BOOT_H

#include <param.h>
#include <types.h>

struct boot_mem_entry {
	uint64_t base, len;
	uint32_t type;			/* Multiboot/e820 type: 1 = available */
};

struct boot_module {
	uint32_t start, end;		/* physical, [start, end) */
	const char *cmdline;		/* "file.elf name=x mem=8M ...", whole;
					 * NULL: its string was too long to keep */
	/* When cmdline is NULL: the string's first word (its file), whole
	 * unless file_cut; NULL if even that found no room. string_len is
	 * the string's length, or CMDLINE_MAX for "at least that". */
	const char *file;
	bool file_cut;
	uint32_t string_len;
};

struct boot_record {
	const char *loader;		/* the boot loader's name */
	const char *cmdline;		/* as given, image name included if any */
	/* Every string above lives here, copied whole. */
	char strings[BOOT_STRINGS_MAX];
	uint32_t strings_used;
	unsigned nr_mem;
	struct boot_mem_entry mem[MAX_MEM_REGIONS];
	bool mem_from_e820;		/* false: only mem_lower/mem_upper given */
	unsigned nr_modules;
	unsigned modules_dropped;	/* beyond MAX_MODULES */
	struct boot_module modules[MAX_MODULES];
	bool truncated_cmdline;
};

/* bootinfo.c */
extern struct boot_record boot_record;
bool bootinfo_parse(uint32_t magic, uint32_t info_phys);
void bootinfo_report(void);

#endif
