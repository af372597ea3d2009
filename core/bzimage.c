/* Linux bzImage files: the setup header's fields checked against the file
 * and guest memory, and the load of the protected-mode code. Pure logic,
 * host-tested. The layout is Documentation/x86/boot.txt's; the file's first
 * sectors are laid out as the start of a struct boot_params. */
#include <abi.h>
#include <core/bzimage.h>
#include <lib/lib.h>
#include <param.h>

/* Little-endian fields at any alignment: a module need not be aligned. */
static uint32_t get8(const uint8_t *p, unsigned off)
{
	return p[off];
}

static uint32_t get16(const uint8_t *p, unsigned off)
{
	return p[off] | (uint32_t)p[off + 1] << 8;
}

static uint32_t get32(const uint8_t *p, unsigned off)
{
	return get16(p, off) | get16(p, off + 2) << 16;
}

bool bzimage_is(const void *image, size_t size)
{
	return size >= BP_HEADER_MAGIC + 4 &&
	       get32(image, BP_HEADER_MAGIC) == BOOT_HEADER_MAGIC;
}

/* The header proper: magic numbers, protocol version and its length. */
static int check_header(const uint8_t *p, size_t size, struct bzimage_info *bz,
			char *err, size_t errlen)
{
	uint32_t version = get16(p, BP_HDR_VERSION);

	if (get16(p, BP_BOOT_FLAG) != BOOT_FLAG_MAGIC)
		return errmsg(err, errlen, "bzImage: boot flag 0x%04x is not 0x%04x",
			      get16(p, BP_BOOT_FLAG), BOOT_FLAG_MAGIC);
	if (version < BOOT_PROTOCOL_BZIMAGE_MIN)
		return errmsg(err, errlen,
			      "bzImage: boot protocol %u.%02u is older than 2.10 "
			      "(no pref_address and init_size)", version >> 8, version & 0xFF);
	/* The jump at 0x200 skips the header: its target is the header's end. */
	bz->header_end = BP_JUMP + 2 + get8(p, BP_JUMP + 1);
	if (bz->header_end < BP_INIT_SIZE + 4 || bz->header_end > BP_SETUP_HEADER_MAX_END)
		return errmsg(err, errlen,
			      "bzImage: setup header ends at 0x%x, outside 0x%x..0x%x",
			      bz->header_end, BP_INIT_SIZE + 4, BP_SETUP_HEADER_MAX_END);
	if (bz->header_end > size)
		return errmsg(err, errlen, "bzImage: setup header runs past the file "
			      "(%zu bytes)", size);
	if (!(get8(p, BP_LOADFLAGS) & LOADFLAGS_LOADED_HIGH))
		return errmsg(err, errlen,
			      "bzImage: loadflags 0x%02x lack LOADED_HIGH "
			      "(a zImage, loaded low, is not supported)", get8(p, BP_LOADFLAGS));
	return 0;
}

/* The protected-mode code: where it is in the file, where it is entered. */
static int check_code(const uint8_t *p, size_t size, uint32_t guest_mem,
		      struct bzimage_info *bz, char *err, size_t errlen)
{
	uint32_t sects = get8(p, BP_SETUP_SECTS);
	uint64_t declared = (uint64_t)get32(p, BP_SYSSIZE) * 16;

	bz->setup_len = ((sects ? sects : 4) + 1) * 512;	/* 0 means 4 */
	if (bz->setup_len >= size)
		return errmsg(err, errlen,
			      "bzImage: %u setup sectors reach past the file (%zu bytes)",
			      bz->setup_len / 512 - 1, size);
	if (declared == 0)
		return errmsg(err, errlen, "bzImage: syssize is 0 (no protected-mode code)");
	if (declared > size - bz->setup_len)
		return errmsg(err, errlen,
			      "bzImage: syssize says 0x%llx bytes of code, the file holds 0x%zx",
			      (unsigned long long)declared, size - bz->setup_len);
	bz->code_len = (uint32_t)declared;
	if ((uint64_t)BZIMAGE_LOAD_ADDR + bz->code_len > guest_mem)
		return errmsg(err, errlen,
			      "bzImage: 0x%x bytes of code at 0x%x do not fit in guest "
			      "memory (0x%x bytes)", bz->code_len, BZIMAGE_LOAD_ADDR, guest_mem);
	bz->entry = get32(p, BP_CODE32_START);
	if (bz->entry < BZIMAGE_LOAD_ADDR || bz->entry - BZIMAGE_LOAD_ADDR >= bz->code_len)
		return errmsg(err, errlen,
			      "bzImage: code32_start 0x%x is outside the code at 0x%x..0x%x",
			      bz->entry, BZIMAGE_LOAD_ADDR, BZIMAGE_LOAD_ADDR + bz->code_len);
	return 0;
}

/* Where the kernel decompresses and how much it needs there. The 4.9
 * decompressor (arch/x86/boot/compressed/head_32.S) works at pref_address
 * (its LOAD_PHYSICAL_ADDR); a relocatable one at its load address rounded
 * up to kernel_alignment, if that is higher, and the loader writes
 * BOOT_KERNEL_ALIGNMENT there. It then uses init_size bytes from that
 * address. */
static int check_memory(const uint8_t *p, uint32_t guest_mem,
			struct bzimage_info *bz, char *err, size_t errlen)
{
	uint32_t align = get32(p, BP_KERNEL_ALIGNMENT);
	uint32_t pref_hi = get32(p, BP_PREF_ADDRESS + 4);
	uint64_t at = get32(p, BP_PREF_ADDRESS);
	uint32_t init_size = get32(p, BP_INIT_SIZE);

	if (align == 0 || (align & (align - 1)))
		return errmsg(err, errlen,
			      "bzImage: kernel_alignment 0x%x is not a power of two", align);
	if (pref_hi)
		return errmsg(err, errlen, "bzImage: pref_address 0x%x%08llx is above 4 GiB",
			      pref_hi, (unsigned long long)at);
	if (at < BZIMAGE_LOAD_ADDR)
		return errmsg(err, errlen, "bzImage: pref_address 0x%llx is below 1 MiB",
			      (unsigned long long)at);
	if (get8(p, BP_RELOCATABLE_KERNEL))
		at = MAX(at, (uint64_t)ALIGN_UP(BZIMAGE_LOAD_ADDR, BOOT_KERNEL_ALIGNMENT));
	if (init_size == 0)
		return errmsg(err, errlen, "bzImage: init_size is 0");
	if (at + init_size > guest_mem)
		return errmsg(err, errlen,
			      "bzImage: the kernel needs memory up to %llu KiB (it "
			      "decompresses at 0x%llx, init_size 0x%x), more than the "
			      "guest's %u KiB", (unsigned long long)(at + init_size + 1023) / 1024,
			      (unsigned long long)at, init_size, guest_mem / 1024);
	bz->kernel_end = MAX((uint32_t)(at + init_size), BZIMAGE_LOAD_ADDR + bz->code_len);
	return 0;
}

int bzimage_check(const void *image, size_t size, uint32_t guest_mem,
		  struct bzimage_info *out, char *err, size_t errlen)
{
	struct bzimage_info bz = { 0 };
	const uint8_t *p = image;

	if (!bzimage_is(image, size))
		return errmsg(err, errlen, "bzImage: no \"HdrS\" setup header");
	if (check_header(p, size, &bz, err, errlen) ||
	    check_code(p, size, guest_mem, &bz, err, errlen) ||
	    check_memory(p, guest_mem, &bz, err, errlen))
		return -1;
	*out = bz;
	return 0;
}

void bzimage_load(const void *image, const struct bzimage_info *info,
		  uint8_t *guest_base, uint32_t lo, uint32_t hi)
{
	uint32_t from = MAX(lo, BZIMAGE_LOAD_ADDR);
	uint32_t to = MIN(hi, BZIMAGE_LOAD_ADDR + info->code_len);

	if (from < to)
		memcpy(guest_base + from, (const uint8_t *)image + info->setup_len +
		       (from - BZIMAGE_LOAD_ADDR), to - from);
}
