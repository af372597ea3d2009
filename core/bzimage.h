/* Linux bzImage files: the checks on the setup header before a bzImage
 * becomes a guest, and the copy of its protected-mode code to 1 MiB. */
#ifndef RV_CORE_BZIMAGE_H
#define RV_CORE_BZIMAGE_H

#include <types.h>

/* What bzimage_check() learned about a valid image. */
struct bzimage_info {
	uint32_t setup_len;	/* file bytes before the protected-mode code */
	uint32_t code_len;	/* the rest of the file, loaded at BZIMAGE_LOAD_ADDR */
	uint32_t header_end;	/* one past the setup header, in the file and boot_params */
	uint32_t entry;		/* code32_start */
	uint32_t kernel_end;	/* one past the highest byte the kernel needs */
};

/* bzimage.c */

/* True if image[0..size) carries a Linux setup header ("HdrS" at 0x202):
 * it is then a bzImage, valid or not, and bzimage_check() says which. */
bool bzimage_is(const void *image, size_t size);

/* Checks the setup header of image[0..size) as a loader that enters the
 * protected-mode code directly (lguest's way) needs it: boot protocol 2.10
 * or later, LOADED_HIGH, setup sectors and the code inside the file,
 * code32_start inside the code, a power-of-two kernel_alignment, and the
 * kernel's decompression area (pref_address + init_size) inside guest
 * memory [0, guest_mem). Everything in the file is untrusted. Returns 0 and
 * fills *out, or -1 with one message in err naming the first problem. */
int bzimage_check(const void *image, size_t size, uint32_t guest_mem,
		  struct bzimage_info *out, char *err, size_t errlen);

/* Copies the part of the protected-mode code that falls in guest memory
 * [lo, hi) to where it goes (guest_base + BZIMAGE_LOAD_ADDR onwards), so a
 * load can go a piece at a time. Only for an image bzimage_check()
 * accepted with this info, into a guest memory at least as large as the
 * one it was checked against. */
void bzimage_load(const void *image, const struct bzimage_info *info,
		  uint8_t *guest_base, uint32_t lo, uint32_t hi);

#endif
