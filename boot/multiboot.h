/* The Multiboot v1 information structure as a loader hands it over
 * (Multiboot Specification 0.6.96, section 3.3). Only boot/ reads it. */
#ifndef RV_MULTIBOOT_H
#define RV_MULTIBOOT_H

#include <types.h>

#define MB_LOADER_MAGIC   0x2BADB002u

#define MBI_MEM           (1u << 0)	/* mem_lower, mem_upper */
#define MBI_CMDLINE       (1u << 2)
#define MBI_MODS          (1u << 3)
#define MBI_MMAP          (1u << 6)
#define MBI_LOADER_NAME   (1u << 9)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;	/* KiB below 1 MiB and above it */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe[4];
} __packed;
_Static_assert(sizeof(struct mb_info) == 88, "Multiboot info layout");

struct mb_module {
	uint32_t mod_start, mod_end;
	uint32_t string;
	uint32_t reserved;
} __packed;
_Static_assert(sizeof(struct mb_module) == 16, "Multiboot module layout");

/* One memory-map entry; `size` does not count itself, and entries may be
 * larger than this structure, so they are walked by size + 4. */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __packed;
_Static_assert(sizeof(struct mb_mmap_entry) == 24, "Multiboot mmap entry layout");

#define MB_MEM_AVAILABLE 1

#endif
