/* The Linux boot protocol as Ringvisor speaks it, for every guest: which
 * modules are Linux kernels, where an initrd goes, and boot_params. */
#ifndef RV_CORE_LINUX_H
#define RV_CORE_LINUX_H

#include <core/elf.h>
#include <types.h>

/* What boot_params tells a guest. */
struct linux_boot {
	uint32_t mem_size;		/* all of it RAM, one e820 entry */
	const char *cmdline;		/* NUL-terminated */
	const uint8_t *setup_header;	/* a bzImage file's start, or NULL */
	uint32_t header_end;		/* with it: one past the setup header */
	uint32_t initrd_gpa;		/* page-aligned; with initrd_size 0: none */
	uint32_t initrd_size;
};

/* linux.c */

/* True if a checked ELF image is a Linux vmlinux: its loaded segments are
 * all linked at one virtual offset above their physical addresses (Linux's
 * PAGE_OFFSET, 0xC0000000 by default), as arch/x86/kernel/vmlinux.lds.S
 * links them, and it is entered at a physical address. The SDK's guests are
 * linked at their physical addresses. */
bool linux_elf_is_kernel(const struct elf_info *info);

/* Places an initrd of initrd_len bytes at the top of mem_size bytes of
 * guest memory, page-aligned, above a kernel that needs memory up to
 * kernel_end. It must be at most half of guest memory. Returns 0 with
 * *gpa set, or -1 with one message in err. */
int linux_place_initrd(uint32_t mem_size, uint32_t kernel_end, uint32_t initrd_len,
		       uint32_t *gpa, char *err, size_t errlen);

/* Writes boot_params into the zeroed page bp (guest-physical
 * BOOT_PARAMS_GPA) and the command line into the zeroed page after it, as
 * lguest's Launcher did: a bzImage's setup header first, then the loader's
 * fields (protocol 2.07, the lguest subarchitecture, KEEP_SEGMENTS,
 * type_of_loader 0xFF, kernel_alignment 16 MiB, the initrd, one e820
 * entry, cmd_line_ptr). A command line longer than a page is cut short. */
void boot_params_write(uint8_t *bp, const struct linux_boot *lb);

#endif
