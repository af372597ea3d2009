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
	char cmdline[CMDLINE_MAX];	/* "file.elf name=x mem=8M ..." */
};

struct boot_record {
	char loader[48];
	char cmdline[CMDLINE_MAX];	/* as given, image name included if any */
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
