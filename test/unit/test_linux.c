/* Unit tests of the Linux boot protocol: core/bzimage.c (every way a
 * bzImage header is refused, built in memory), core/linux.c (vmlinux
 * recognition, initrd placement, boot_params), lib/escape.c, and the
 * module-role options of core/config.c. */
#include <string.h>
#include <abi.h>
#include <core/bzimage.h>
#include <core/config.h>
#include <core/linux.h>
#include <lib/lib.h>
#include "harness.h"

#define MiB_ 0x100000u
#define MEM  (32 * MiB_)

/* A bzImage as Linux 4.9's build lays it out: 4 setup sectors after the
 * boot sector, 0x1000 bytes of code, decompressing at 16 MiB. */
static uint8_t img[5 * 512 + 0x1000];
static size_t img_size;

static void put(unsigned off, uint32_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

static void build(void)
{
	memset(img, 0, sizeof(img));
	put(BP_SETUP_SECTS, 4, 1);
	put(BP_SYSSIZE, 0x1000 / 16, 4);
	put(BP_BOOT_FLAG, BOOT_FLAG_MAGIC, 2);
	put(BP_JUMP, 0xEB | (0x268 - 0x202) << 8, 2);
	put(BP_HEADER_MAGIC, BOOT_HEADER_MAGIC, 4);
	put(BP_HDR_VERSION, 0x20D, 2);
	put(BP_LOADFLAGS, LOADFLAGS_LOADED_HIGH, 1);
	put(BP_CODE32_START, BZIMAGE_LOAD_ADDR, 4);
	put(BP_KERNEL_ALIGNMENT, 0x200000, 4);
	put(BP_CMDLINE_SIZE, 0x7FF, 4);
	put(BP_PREF_ADDRESS, 16 * MiB_, 4);
	put(BP_INIT_SIZE, 0x37B000, 4);
	for (unsigned i = 5 * 512; i < sizeof(img); i++)
		img[i] = (uint8_t)(i * 13 + 5);
	img_size = sizeof(img);
}

static void expect_error(const char *file, int line, uint32_t mem, const char *want)
{
	struct bzimage_info bz;
	char err[200] = "";

	if (bzimage_check(img, img_size, mem, &bz, err, sizeof(err)) == 0)
		unit_fail(file, line, "accepted, wanted \"%s\"", want);
	if (strcmp(err, want) != 0)
		unit_fail(file, line, "\"%s\" != \"%s\"", err, want);
}
#define EXPECT_ERROR(want) expect_error(__FILE__, __LINE__, MEM, want)

static void bzimage_valid(void)
{
	struct bzimage_info bz;
	char err[200] = "";

	build();
	CHECK(bzimage_is(img, img_size));
	CHECK_EQ(bzimage_check(img, img_size, MEM, &bz, err, sizeof(err)), 0);
	CHECK_EQ(bz.setup_len, 5 * 512);
	CHECK_EQ(bz.code_len, 0x1000);
	CHECK_EQ(bz.header_end, 0x268);
	CHECK_EQ(bz.entry, BZIMAGE_LOAD_ADDR);
	CHECK_EQ(bz.kernel_end, 16 * MiB_ + 0x37B000);
	/* The smallest memory that holds it. */
	CHECK_EQ(bzimage_check(img, img_size, bz.kernel_end, &bz, err, sizeof(err)), 0);
	/* setup_sects 0 means 4; trailing bytes past syssize are not code. */
	put(BP_SETUP_SECTS, 0, 1);
	img_size = sizeof(img);
	put(BP_SYSSIZE, 0x800 / 16, 4);
	CHECK_EQ(bzimage_check(img, img_size, MEM, &bz, err, sizeof(err)), 0);
	CHECK_EQ(bz.setup_len, 5 * 512);
	CHECK_EQ(bz.code_len, 0x800);
}

static void bzimage_load_copies_code(void)
{
	static uint8_t guest[BZIMAGE_LOAD_ADDR + 0x2000];
	struct bzimage_info bz;

	build();
	CHECK_EQ(bzimage_check(img, img_size, MEM, &bz, NULL, 0), 0);
	memset(guest, 0xEE, sizeof(guest));
	bzimage_load(img, &bz, guest, 0, sizeof(guest));
	CHECK(!memcmp(guest + BZIMAGE_LOAD_ADDR, img + 5 * 512, 0x1000));
	CHECK_EQ(guest[BZIMAGE_LOAD_ADDR - 1], 0xEE);
	CHECK_EQ(guest[BZIMAGE_LOAD_ADDR + 0x1000], 0xEE);

	/* In pieces that split the code: the same bytes, nothing outside. */
	memset(guest, 0xEE, sizeof(guest));
	for (uint32_t lo = 0; lo < sizeof(guest); lo += 0x300)
		bzimage_load(img, &bz, guest, lo, lo + 0x300);
	CHECK(!memcmp(guest + BZIMAGE_LOAD_ADDR, img + 5 * 512, 0x1000));
	CHECK_EQ(guest[BZIMAGE_LOAD_ADDR - 1], 0xEE);
	CHECK_EQ(guest[BZIMAGE_LOAD_ADDR + 0x1000], 0xEE);
}

static void bzimage_not_one(void)
{
	char err[200];
	struct bzimage_info bz;

	build();
	CHECK(!bzimage_is(img, BP_HEADER_MAGIC + 3));
	put(BP_HEADER_MAGIC, 0x53726449, 4);
	CHECK(!bzimage_is(img, img_size));
	CHECK_EQ(bzimage_check(img, img_size, MEM, &bz, err, sizeof(err)), -1);
	CHECK_STR(err, "bzImage: no \"HdrS\" setup header");
}

static void bzimage_header_refused(void)
{
	build();
	put(BP_BOOT_FLAG, 0x55AA, 2);
	EXPECT_ERROR("bzImage: boot flag 0x55aa is not 0xaa55");
	build();
	put(BP_HDR_VERSION, 0x209, 2);
	EXPECT_ERROR("bzImage: boot protocol 2.09 is older than 2.10 "
		     "(no pref_address and init_size)");
	build();
	put(BP_JUMP + 1, 0x50, 1);
	EXPECT_ERROR("bzImage: setup header ends at 0x252, outside 0x264..0x290");
	put(BP_JUMP + 1, 0x90, 1);
	EXPECT_ERROR("bzImage: setup header ends at 0x292, outside 0x264..0x290");
	build();
	img_size = 0x260;
	EXPECT_ERROR("bzImage: setup header runs past the file (608 bytes)");
	build();
	put(BP_LOADFLAGS, 0x80, 1);
	EXPECT_ERROR("bzImage: loadflags 0x80 lack LOADED_HIGH "
		     "(a zImage, loaded low, is not supported)");
}

static void bzimage_code_refused(void)
{
	build();
	put(BP_SETUP_SECTS, 200, 1);
	EXPECT_ERROR("bzImage: 200 setup sectors reach past the file (6656 bytes)");
	build();
	img_size = 5 * 512;
	EXPECT_ERROR("bzImage: 4 setup sectors reach past the file (2560 bytes)");
	build();
	put(BP_SYSSIZE, 0, 4);
	EXPECT_ERROR("bzImage: syssize is 0 (no protected-mode code)");
	build();
	put(BP_SYSSIZE, 0x1010 / 16, 4);
	EXPECT_ERROR("bzImage: syssize says 0x1010 bytes of code, the file holds 0x1000");
	put(BP_SYSSIZE, 0xFFFFFFFF, 4);
	EXPECT_ERROR("bzImage: syssize says 0xffffffff0 bytes of code, the file holds 0x1000");
	build();
	put(BP_CODE32_START, BZIMAGE_LOAD_ADDR + 0x1000, 4);
	EXPECT_ERROR("bzImage: code32_start 0x101000 is outside the code at 0x100000..0x101000");
	put(BP_CODE32_START, 0xFFFFF, 4);
	EXPECT_ERROR("bzImage: code32_start 0xfffff is outside the code at 0x100000..0x101000");
	build();
	expect_error(__FILE__, __LINE__, MiB_ + 0x800,
		     "bzImage: 0x1000 bytes of code at 0x100000 do not fit in guest "
		     "memory (0x100800 bytes)");
}

static void bzimage_memory_refused(void)
{
	build();
	put(BP_KERNEL_ALIGNMENT, 0x300000, 4);
	EXPECT_ERROR("bzImage: kernel_alignment 0x300000 is not a power of two");
	put(BP_KERNEL_ALIGNMENT, 0, 4);
	EXPECT_ERROR("bzImage: kernel_alignment 0x0 is not a power of two");
	build();
	put(BP_PREF_ADDRESS + 4, 1, 4);
	EXPECT_ERROR("bzImage: pref_address 0x101000000 is above 4 GiB");
	build();
	put(BP_PREF_ADDRESS, 0xF0000, 4);
	EXPECT_ERROR("bzImage: pref_address 0xf0000 is below 1 MiB");
	build();
	put(BP_INIT_SIZE, 0, 4);
	EXPECT_ERROR("bzImage: init_size is 0");
	build();
	put(BP_INIT_SIZE, 0xFFFFFFFF, 4);
	EXPECT_ERROR("bzImage: the kernel needs memory up to 4210688 KiB (it decompresses "
		     "at 0x1000000, init_size 0xffffffff), more than the guest's 32768 KiB");
	build();
	expect_error(__FILE__, __LINE__, 16 * MiB_,
		     "bzImage: the kernel needs memory up to 19948 KiB (it decompresses "
		     "at 0x1000000, init_size 0x37b000), more than the guest's 16384 KiB");
}

/* A relocatable kernel decompresses at its load address rounded up to the
 * alignment the loader writes (16 MiB), when that is above pref_address. */
static void bzimage_relocatable(void)
{
	struct bzimage_info bz;

	build();
	put(BP_PREF_ADDRESS, 2 * MiB_, 4);
	CHECK_EQ(bzimage_check(img, img_size, MEM, &bz, NULL, 0), 0);
	CHECK_EQ(bz.kernel_end, 2 * MiB_ + 0x37B000);
	put(BP_RELOCATABLE_KERNEL, 1, 1);
	CHECK_EQ(bzimage_check(img, img_size, MEM, &bz, NULL, 0), 0);
	CHECK_EQ(bz.kernel_end, 16 * MiB_ + 0x37B000);
}

static void linux_vmlinux_rule(void)
{
	struct elf_info info = { .nsegs = 2, .link_offset = 0xC0000000 };

	CHECK(linux_elf_is_kernel(&info));
	info.link_offset = 0;
	CHECK(!linux_elf_is_kernel(&info));
}

static void linux_initrd_placement(void)
{
	char err[200];
	uint32_t gpa = 0;

	/* Page-aligned at the top. */
	CHECK_EQ(linux_place_initrd(64 * MiB_, 20 * MiB_, 1064297, &gpa, err, sizeof(err)), 0);
	CHECK_EQ(gpa, 64 * MiB_ - 0x104000);
	CHECK_EQ(linux_place_initrd(64 * MiB_, 20 * MiB_, 0x1000, &gpa, err, sizeof(err)), 0);
	CHECK_EQ(gpa, 64 * MiB_ - 0x1000);
	/* Exactly half, and exactly up to the kernel's end, fit. */
	CHECK_EQ(linux_place_initrd(64 * MiB_, 32 * MiB_, 32 * MiB_, &gpa, err, sizeof(err)), 0);
	CHECK_EQ(gpa, 32 * MiB_);
	CHECK_EQ(linux_place_initrd(64 * MiB_, 20 * MiB_, 32 * MiB_ + 1, &gpa, err, sizeof(err)), -1);
	CHECK_STR(err, "initrd of 32772 KiB is more than half of the guest's 65536 KiB");
	CHECK_EQ(linux_place_initrd(64 * MiB_, 20 * MiB_, 0xFFFFFFFF, &gpa, err, sizeof(err)), -1);
	CHECK_STR(err, "initrd of 4194304 KiB is more than half of the guest's 65536 KiB");
	CHECK_EQ(linux_place_initrd(24 * MiB_, 20 * MiB_ - 1, 8 * MiB_, &gpa, err, sizeof(err)), -1);
	CHECK_STR(err, "24576 KiB of guest memory cannot hold the kernel (up to 20480 KiB) "
		  "and the initrd (8192 KiB): raise mem=");
}

static uint32_t get32(const uint8_t *p, unsigned off)
{
	uint32_t v;

	memcpy(&v, p + off, 4);
	return v;
}

static void linux_boot_params_vmlinux(void)
{
	static uint8_t bp[2 * 4096];
	struct boot_e820_entry e;
	struct linux_boot lb = {
		.mem_size = 64 * MiB_, .cmdline = "console=hvc0 loglevel=3",
		.initrd_gpa = 60 * MiB_, .initrd_size = 12345,
	};

	memset(bp, 0, sizeof(bp));
	boot_params_write(bp, &lb);
	CHECK_EQ(bp[BP_HDR_VERSION] | bp[BP_HDR_VERSION + 1] << 8, 0x207);
	CHECK_EQ(get32(bp, BP_HARDWARE_SUBARCH), HARDWARE_SUBARCH_LGUEST);
	CHECK_EQ(bp[BP_LOADFLAGS], LOADFLAGS_KEEP_SEGMENTS);
	CHECK_EQ(bp[BP_TYPE_OF_LOADER], 0xFF);
	CHECK_EQ(get32(bp, BP_KERNEL_ALIGNMENT), 0x1000000);
	CHECK_EQ(get32(bp, BP_RAMDISK_IMAGE), 60 * MiB_);
	CHECK_EQ(get32(bp, BP_RAMDISK_SIZE), 12345);
	CHECK_EQ(get32(bp, BP_CMD_LINE_PTR), 4096);
	CHECK_EQ(get32(bp, BP_CMDLINE_SIZE), 4095);
	CHECK_EQ(get32(bp, BP_HEADER_MAGIC), 0);
	CHECK_EQ(bp[BP_E820_ENTRIES], 1);
	memcpy(&e, bp + BP_E820_TABLE, sizeof(e));
	CHECK_EQ(e.addr, 0);
	CHECK_EQ(e.size, 64 * MiB_);
	CHECK_EQ(e.type, E820_TYPE_RAM);
	CHECK_STR((char *)bp + 4096, "console=hvc0 loglevel=3");
	CHECK_EQ(get32(bp, BP_TBOOT_ADDR), 0);
	CHECK_EQ(bp[BP_APM_BIOS_VERSION], 0);
}

static void linux_boot_params_bzimage(void)
{
	static uint8_t bp[2 * 4096];
	struct bzimage_info bz;
	struct linux_boot lb = { .mem_size = 32 * MiB_, .cmdline = "" };

	build();
	put(BP_TYPE_OF_LOADER, 0x21, 1);
	put(BP_RAMDISK_IMAGE, 0x1234, 4);
	CHECK_EQ(bzimage_check(img, img_size, MEM, &bz, NULL, 0), 0);
	lb.setup_header = img;
	lb.header_end = bz.header_end;
	memset(bp, 0, sizeof(bp));
	bp[BP_SETUP_HEADER - 1] = 0x5A;		/* before the header: untouched */
	boot_params_write(bp, &lb);
	/* The file's header first: init_size, pref_address, cmdline_size. */
	CHECK_EQ(get32(bp, BP_INIT_SIZE), 0x37B000);
	CHECK_EQ(get32(bp, BP_PREF_ADDRESS), 16 * MiB_);
	CHECK_EQ(get32(bp, BP_CMDLINE_SIZE), 0x7FF);
	CHECK_EQ(get32(bp, BP_HEADER_MAGIC), BOOT_HEADER_MAGIC);
	CHECK_EQ(bp[BP_SETUP_HEADER - 1], 0x5A);
	CHECK_EQ(bp[0x268], 0);
	/* Then the loader's own fields over it. */
	CHECK_EQ(bp[BP_HDR_VERSION] | bp[BP_HDR_VERSION + 1] << 8, 0x207);
	CHECK_EQ(bp[BP_LOADFLAGS], LOADFLAGS_KEEP_SEGMENTS | LOADFLAGS_LOADED_HIGH);
	CHECK_EQ(bp[BP_TYPE_OF_LOADER], 0xFF);
	CHECK_EQ(get32(bp, BP_KERNEL_ALIGNMENT), 0x1000000);
	CHECK_EQ(get32(bp, BP_HARDWARE_SUBARCH), HARDWARE_SUBARCH_LGUEST);
	/* No initrd: the file's stray value is not the loader's word. */
	CHECK_EQ(get32(bp, BP_RAMDISK_IMAGE), 0x1234);
	CHECK_EQ(get32(bp, BP_RAMDISK_SIZE), 0);
	CHECK_STR((char *)bp + 4096, "");
}

static void escape_guest_strings(void)
{
	char out[64];

	str_escape(out, sizeof(out), "Power down");
	CHECK_STR(out, "Power down");
	str_escape(out, sizeof(out), "a\"b\\c\n\t\r\x01\x7f\xff");
	CHECK_STR(out, "a\\\"b\\\\c\\n\\t\\r\\x01\\x7f\\xff");
	str_escape(out, 6, "ab\x01");		/* "ab\x01" needs 7 bytes */
	CHECK_STR(out, "ab");
	str_escape(out, 1, "abc");
	CHECK_STR(out, "");
	out[0] = 'z';
	str_escape(out, 0, "abc");
	CHECK_EQ(out[0], 'z');
}

static void config_module_roles(void)
{
	struct guest_config g;
	char err[160];

	CHECK_EQ(guest_config_parse("k/bzImage name=lx initrd=a/rd.gz -- x", 0, &g, err,
				    sizeof(err)), 0);
	CHECK_STR(g.claims[MODULE_ROLE_INITRD], "a/rd.gz");
	CHECK_STR(g.args, "x");
	CHECK_EQ(guest_config_parse("k/bzImage name=lx", 0, &g, err, sizeof(err)), 0);
	CHECK_STR(g.claims[MODULE_ROLE_INITRD], "");
	CHECK_EQ(guest_config_parse("k/bzImage name=lx initrd=a initrd=b", 0, &g, err,
				    sizeof(err)), -1);
	CHECK_STR(err, "initrd=b: given twice");
	CHECK_EQ(guest_config_parse("k/bzImage name=lx initrd=", 0, &g, err, sizeof(err)), -1);
	CHECK_STR(err, "initrd=: needs a file name");
	CHECK_EQ(guest_config_parse("k/bzImage name=lx initrd", 0, &g, err, sizeof(err)), -1);
	CHECK_STR(err, "initrd: needs a value");
	/* After `--` it is the kernel's own word, not a claim. */
	CHECK_EQ(guest_config_parse("k/bzImage name=lx -- initrd=x", 0, &g, err,
				    sizeof(err)), 0);
	CHECK_STR(g.claims[MODULE_ROLE_INITRD], "");
}

static void config_module_file_matches(void)
{
	CHECK(module_file_matches("build/linux/rd.gz", 17, "build/linux/rd.gz"));
	CHECK(module_file_matches("rd.gz", 5, "build/linux/rd.gz"));	/* GRUB */
	CHECK(module_file_matches("/boot/rd.gz", 11, "build/linux/rd.gz"));
	CHECK(module_file_matches("rd.gz name=x", 5, "rd.gz"));
	CHECK(!module_file_matches("rd.gz2", 6, "rd.gz"));
	CHECK(!module_file_matches("xrd.gz", 6, "rd.gz"));
	CHECK(!module_file_matches("dir/", 4, "other/"));
	CHECK(module_file_matches("dir/", 4, "dir/"));
}

const struct unit_case linux_cases[] = {
	UNIT_CASE(bzimage_valid),
	UNIT_CASE(bzimage_load_copies_code),
	UNIT_CASE(bzimage_not_one),
	UNIT_CASE(bzimage_header_refused),
	UNIT_CASE(bzimage_code_refused),
	UNIT_CASE(bzimage_memory_refused),
	UNIT_CASE(bzimage_relocatable),
	UNIT_CASE(linux_vmlinux_rule),
	UNIT_CASE(linux_initrd_placement),
	UNIT_CASE(linux_boot_params_vmlinux),
	UNIT_CASE(linux_boot_params_bzimage),
	UNIT_CASE(escape_guest_strings),
	UNIT_CASE(config_module_roles),
	UNIT_CASE(config_module_file_matches),
	UNIT_END,
};
