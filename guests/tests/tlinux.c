/* Test guest: what a Linux guest finds at boot, seen from inside one. It is
 * built as an SDK guest, then tools/mkmodules.py --wrap turns it into a
 * bzImage and a vmlinux-shaped ELF, so the hypervisor boots it as Linux:
 * boot_params, the exact command line, the initrd, then an ending that
 * Linux 4.9 would send. Its command line (all of it is argv here, argv[0]
 * included, since a Linux guest gets no name in front):
 *   bzimage|vmlinux [rd=BYTES] [then=poweroff|panic|reboot|exit] */
#include "tlib.h"

static const char *form = "";		/* argv[0]: how it was wrapped */
static uint32_t rd_bytes;		/* rd=: the initrd's expected size */
static const char *then = "poweroff";
static const char *args0;		/* the raw command line's first word */

/* boot_params through a pointer the compiler cannot see is NULL. */
static const volatile uint8_t *bp(void)
{
	static volatile uintptr_t at = BOOT_PARAMS_GPA;

	return (const volatile uint8_t *)at;
}

static uint32_t bp32(unsigned off)
{
	return bp()[off] | bp()[off + 1] << 8 | bp()[off + 2] << 16 |
	       (uint32_t)bp()[off + 3] << 24;
}

static int is_bzimage(void)
{
	return t_streq(form, "bzimage");
}

/* The memory size from the single e820 entry. */
static uint32_t mem_size(void)
{
	return bp32(BP_E820_TABLE + 8);
}

TEST(loader_fields)
{
	uint32_t want_flags = LOADFLAGS_KEEP_SEGMENTS |
			      (is_bzimage() ? LOADFLAGS_LOADED_HIGH : 0);

	CHECK((bp32(BP_HDR_VERSION) & 0xFFFF) == 0x207, "protocol %#x",
	      bp32(BP_HDR_VERSION) & 0xFFFF);
	CHECK(bp32(BP_HARDWARE_SUBARCH) == HARDWARE_SUBARCH_LGUEST, "subarch %u",
	      bp32(BP_HARDWARE_SUBARCH));
	CHECK(bp()[BP_LOADFLAGS] == want_flags, "loadflags %#x, want %#x",
	      bp()[BP_LOADFLAGS], want_flags);
	CHECK(bp()[BP_TYPE_OF_LOADER] == 0xFF, "type_of_loader %#x",
	      bp()[BP_TYPE_OF_LOADER]);
	CHECK(bp32(BP_KERNEL_ALIGNMENT) == 0x1000000, "kernel_alignment %#x",
	      bp32(BP_KERNEL_ALIGNMENT));
	CHECK(bp()[BP_E820_ENTRIES] == 1, "%u e820 entries", bp()[BP_E820_ENTRIES]);
	CHECK(bp32(BP_E820_TABLE) == 0 && bp32(BP_E820_TABLE + 4) == 0 &&
	      bp32(BP_E820_TABLE + 12) == 0 && bp32(BP_E820_TABLE + 16) == E820_TYPE_RAM,
	      "e820 entry is not RAM from 0");
	CHECK(bp32(BP_CMD_LINE_PTR) == BOOT_PARAMS_SIZE, "cmd_line_ptr %#x",
	      bp32(BP_CMD_LINE_PTR));
}

/* A bzImage's own header is in boot_params; a vmlinux has none. */
TEST(setup_header)
{
	if (is_bzimage()) {
		CHECK(bp32(BP_HEADER_MAGIC) == BOOT_HEADER_MAGIC, "no HdrS");
		CHECK(bp32(BP_INIT_SIZE) != 0, "init_size not copied");
		CHECK(bp32(BP_CODE32_START) == BZIMAGE_LOAD_ADDR, "code32_start %#x",
		      bp32(BP_CODE32_START));
	} else {
		CHECK(t_streq(form, "vmlinux"), "argv[0] is \"%s\", not bzimage|vmlinux",
		      form);
		CHECK(bp32(BP_HEADER_MAGIC) == 0, "a header in a vmlinux's boot_params");
	}
}

/* Exactly what the module string had after `--`: no name in front. */
TEST(command_line)
{
	CHECK(args0 && (t_streq(args0, "bzimage") || t_streq(args0, "vmlinux")),
	      "command line starts \"%s\"", args0 ? args0 : "");
}

TEST(initrd)
{
	uint32_t at = bp32(BP_RAMDISK_IMAGE), size = bp32(BP_RAMDISK_SIZE);
	uint32_t want_at = mem_size() - ((rd_bytes + 4095) & ~4095u);
	const volatile uint8_t *rd = (const volatile uint8_t *)(uintptr_t)at;

	if (!rd_bytes) {
		CHECK(size == 0, "an initrd of %u bytes, none given", size);
		return;
	}
	CHECK(size == rd_bytes, "ramdisk_size %u, want %u", size, rd_bytes);
	CHECK(at == want_at, "ramdisk_image %#x, want %#x", at, want_at);
	for (uint32_t i = 0; i < size; i++)
		CHECK(rd[i] == (uint8_t)(i * 7 + 3), "initrd byte %u is %#x", i, rd[i]);
}

static uint32_t number(const char *s)
{
	uint32_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint32_t)(*s++ - '0');
	return v;
}

static int starts(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	static const char panic_msg[] = "Kernel panic - not syncing: \"tlinux\"\n\x01";

	args0 = argc > 0 ? argv[0] : NULL;
	form = argc > 0 ? argv[0] : "";
	for (int i = 1; i < argc; i++) {
		if (starts(argv[i], "rd="))
			rd_bytes = number(argv[i] + 3);
		else if (starts(argv[i], "then="))
			then = argv[i] + 5;
	}
	if (t_run_all(1, argv) != 0)
		rv_shutdown("tlinux: a case failed");
	if (t_streq(then, "panic"))
		rv_shutdown(panic_msg);
	if (t_streq(then, "reboot")) {
		/* reboot(2) with no command: __pa(NULL), far outside. */
		rv_hcall2(HC_SHUTDOWN, 0x40000000, LGUEST_SHUTDOWN_RESTART);
		rv_fatal("SHUTDOWN returned");
	}
	if (t_streq(then, "exit"))
		return 0;
	rv_shutdown("Power down");
}
