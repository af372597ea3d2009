/* The Linux boot protocol (Documentation/x86/boot.txt) as lguest's Launcher
 * spoke it, now the hypervisor's job: recognising a vmlinux, placing the
 * initrd, and writing boot_params. Pure logic, host-tested. */
#include <abi.h>
#include <core/linux.h>
#include <lib/lib.h>
#include <param.h>

bool linux_elf_is_kernel(const struct elf_info *info)
{
	return info->link_offset != 0;
}

int linux_place_initrd(uint32_t mem_size, uint32_t kernel_end, uint32_t initrd_len,
		       uint32_t *gpa, char *err, size_t errlen)
{
	uint64_t len = ALIGN_UP((uint64_t)initrd_len, PAGE_SIZE);

	if (len > mem_size / 2)
		return errmsg(err, errlen,
			      "initrd of %u KiB is more than half of the guest's %u KiB",
			      (unsigned)(len / 1024), mem_size / 1024);
	if (kernel_end > mem_size - len)
		return errmsg(err, errlen,
			      "%u KiB of guest memory cannot hold the kernel (up to %u KiB) "
			      "and the initrd (%u KiB): raise mem=", mem_size / 1024,
			      (kernel_end + 1023) / 1024, (unsigned)(len / 1024));
	*gpa = mem_size - (uint32_t)len;
	return 0;
}

static void put8(uint8_t *bp, unsigned off, uint8_t v)
{
	bp[off] = v;
}

static void put16(uint8_t *bp, unsigned off, uint16_t v)
{
	memcpy(bp + off, &v, sizeof(v));
}

static void put32(uint8_t *bp, unsigned off, uint32_t v)
{
	memcpy(bp + off, &v, sizeof(v));
}

void boot_params_write(uint8_t *bp, const struct linux_boot *lb)
{
	struct boot_e820_entry ram = { 0, lb->mem_size, E820_TYPE_RAM };
	char *cmdline = (char *)bp + BOOT_PARAMS_SIZE;
	uint8_t loadflags = LOADFLAGS_KEEP_SEGMENTS;

	/* The kernel's own fields first: the 32-bit decompressor reads
	 * init_size from boot_params, and the kernel cmdline_size. */
	if (lb->setup_header) {
		memcpy(bp + BP_SETUP_HEADER, lb->setup_header + BP_SETUP_HEADER,
		       lb->header_end - BP_SETUP_HEADER);
		loadflags |= bp[BP_LOADFLAGS] & LOADFLAGS_LOADED_HIGH;
	} else {
		put32(bp, BP_CMDLINE_SIZE, PAGE_SIZE - 1);
	}
	/* Then the loader's. tboot_addr and the APM BIOS version stay 0. */
	put16(bp, BP_HDR_VERSION, BOOT_PROTOCOL_VERSION);
	put8(bp, BP_LOADFLAGS, loadflags);
	put8(bp, BP_TYPE_OF_LOADER, TYPE_OF_LOADER_UNKNOWN);
	put32(bp, BP_KERNEL_ALIGNMENT, BOOT_KERNEL_ALIGNMENT);
	put32(bp, BP_HARDWARE_SUBARCH, HARDWARE_SUBARCH_LGUEST);
	if (lb->initrd_size) {
		put32(bp, BP_RAMDISK_IMAGE, lb->initrd_gpa);
		put32(bp, BP_RAMDISK_SIZE, lb->initrd_size);
	}
	put8(bp, BP_E820_ENTRIES, 1);
	memcpy(bp + BP_E820_TABLE, &ram, sizeof(ram));
	strlcpy(cmdline, lb->cmdline, PAGE_SIZE);
	put32(bp, BP_CMD_LINE_PTR, BOOT_PARAMS_GPA + BOOT_PARAMS_SIZE);
}
