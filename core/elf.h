/* Guest ELF images: the checks a module must pass before it is loaded, and
 * the copy of its segments into the guest's memory. */
#ifndef RV_CORE_ELF_H
#define RV_CORE_ELF_H

#include <types.h>

/* What elf_check() learned about a valid image. Addresses are
 * guest-physical: segments are loaded at their p_paddr. */
struct elf_info {
	uint32_t entry;		/* e_entry, inside an executable segment */
	uint32_t phys_lo;	/* lowest loaded address */
	uint32_t phys_end;	/* one past the highest loaded byte */
	unsigned nsegs;		/* PT_LOAD segments with a non-zero p_memsz */
	uint32_t link_offset;	/* p_vaddr - p_paddr, the same for every loaded
				 * segment; 0 if it differs between them */
};

/* elf.c */

/* Checks that image[0..size) is an i386 ELF32 executable whose loadable
 * segments all fit in guest memory [0, guest_mem) without overlapping, with
 * its entry point in an executable segment. Everything in the image is
 * untrusted: every offset and sum is checked for wrap. Returns 0 and fills
 * *out, or -1 with one message in err naming the first problem. */
int elf_check(const void *image, size_t size, uint32_t guest_mem,
	      struct elf_info *out, char *err, size_t errlen);

/* Copies each loadable segment's file bytes to guest_base + p_paddr and
 * zeroes the rest of it up to p_memsz. Only for an image elf_check()
 * accepted with this info and a guest memory of at least that guest_mem. */
void elf_load(const void *image, const struct elf_info *info,
	      uint8_t *guest_base);

/* elf_load for guest memory [lo, hi) only, which the caller has zeroed:
 * the file bytes of every loadable segment that fall there. A guest is
 * loaded this way in bounded pieces (core/guest.c: guest_load_piece). */
void elf_load_range(const void *image, const struct elf_info *info,
		    uint8_t *guest_base, uint32_t lo, uint32_t hi);

#endif
