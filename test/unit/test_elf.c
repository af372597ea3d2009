/* Unit tests of core/elf.c: every way a guest image is refused, built in
 * memory by the test, and the load of an accepted one. */
#include <elf.h>
#include <string.h>
#include <core/elf.h>
#include "harness.h"

#define GUEST_MEM 0x10000u

/* A small valid guest: text at 0x1000 (entry 0x1010), data+bss at 0x2000. */
static union {
	uint8_t b[0x400];
	Elf32_Ehdr eh;
} img;
static size_t img_size;

static Elf32_Phdr *ph(unsigned i)
{
	return (Elf32_Phdr *)(img.b + img.eh.e_phoff) + i;
}

static void build(void)
{
	memset(&img, 0, sizeof(img));
	memcpy(img.eh.e_ident, ELFMAG, SELFMAG);
	img.eh.e_ident[EI_CLASS] = ELFCLASS32;
	img.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	img.eh.e_ident[EI_VERSION] = EV_CURRENT;
	img.eh.e_type = ET_EXEC;
	img.eh.e_machine = EM_386;
	img.eh.e_version = EV_CURRENT;
	img.eh.e_entry = 0x1010;
	img.eh.e_phoff = sizeof(Elf32_Ehdr);
	img.eh.e_ehsize = sizeof(Elf32_Ehdr);
	img.eh.e_phentsize = sizeof(Elf32_Phdr);
	img.eh.e_phnum = 2;
	*ph(0) = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = 0x100,
		.p_vaddr = 0xC0001000, .p_paddr = 0x1000, .p_filesz = 0x100,
		.p_memsz = 0x100, .p_flags = PF_R | PF_X, .p_align = 0x1000 };
	*ph(1) = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = 0x200,
		.p_vaddr = 0xC0002000, .p_paddr = 0x2000, .p_filesz = 0x80,
		.p_memsz = 0x1000, .p_flags = PF_R | PF_W, .p_align = 0x1000 };
	for (unsigned i = 0x100; i < 0x280; i++)
		img.b[i] = (uint8_t)(i * 7 + 1);
	img_size = 0x280;
}

/* elf_check() on the image must fail with exactly `want`. */
static void expect_error(const char *file, int line, const char *want)
{
	struct elf_info info;
	char err[160] = "";

	if (elf_check(img.b, img_size, GUEST_MEM, &info, err, sizeof(err)) == 0)
		unit_fail(file, line, "accepted, wanted \"%s\"", want);
	if (strcmp(err, want) != 0)
		unit_fail(file, line, "\"%s\" != \"%s\"", err, want);
}
#define EXPECT_ERROR(want) expect_error(__FILE__, __LINE__, want)

static void elf_accepts_valid(void)
{
	struct elf_info info;
	char err[160] = "";

	build();
	CHECK_EQ(elf_check(img.b, img_size, GUEST_MEM, &info, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(info.entry, 0x1010);
	CHECK_EQ(info.phys_lo, 0x1000);
	CHECK_EQ(info.phys_end, 0x3000);
	CHECK_EQ(info.nsegs, 2);
	CHECK_EQ(info.link_offset, 0xC0000000);
}

/* link_offset: p_vaddr - p_paddr when every loaded segment agrees (a
 * vmlinux's PAGE_OFFSET), else 0; segments not loaded do not count. */
static void elf_link_offset(void)
{
	struct elf_info info;

	build();
	ph(1)->p_vaddr = 0xB0002000;
	CHECK_EQ(elf_check(img.b, img_size, GUEST_MEM, &info, NULL, 0), 0);
	CHECK_EQ(info.link_offset, 0);
	ph(0)->p_vaddr = 0x1000;
	ph(1)->p_vaddr = 0x2000;
	CHECK_EQ(elf_check(img.b, img_size, GUEST_MEM, &info, NULL, 0), 0);
	CHECK_EQ(info.link_offset, 0);
	build();
	ph(1)->p_type = PT_NOTE;
	ph(1)->p_vaddr = 0x2000;
	CHECK_EQ(elf_check(img.b, img_size, GUEST_MEM, &info, NULL, 0), 0);
	CHECK_EQ(info.link_offset, 0xC0000000);
}

static void elf_load_copies_and_zeroes(void)
{
	static uint8_t mem[GUEST_MEM];
	struct elf_info info;
	char err[160];

	build();
	CHECK_EQ(elf_check(img.b, img_size, GUEST_MEM, &info, err, sizeof(err)), 0);
	memset(mem, 0xEE, sizeof(mem));
	elf_load(img.b, &info, mem);
	CHECK(memcmp(mem + 0x1000, img.b + 0x100, 0x100) == 0);
	CHECK(memcmp(mem + 0x2000, img.b + 0x200, 0x80) == 0);
	for (unsigned a = 0x2080; a < 0x3000; a++)
		if (mem[a] != 0)
			unit_fail(__FILE__, __LINE__, "bss byte 0x%x not zero", a);
	CHECK_EQ(mem[0xFFF], 0xEE);
	CHECK_EQ(mem[0x1100], 0xEE);
	CHECK_EQ(mem[0x3000], 0xEE);
}

/* Modules need not be aligned for Elf32 loads: try the image at an odd
 * address (UBSan would catch a misaligned read). */
static void elf_unaligned_image(void)
{
	static uint8_t shifted[sizeof(img) + 1];
	static uint8_t mem[GUEST_MEM];
	struct elf_info info;
	char err[160];

	build();
	memcpy(shifted + 1, img.b, img_size);
	CHECK_EQ(elf_check(shifted + 1, img_size, GUEST_MEM, &info, err,
			   sizeof(err)), 0);
	elf_load(shifted + 1, &info, mem);
	CHECK(memcmp(mem + 0x1000, img.b + 0x100, 0x100) == 0);
}

static void elf_rejects_short_file(void)
{
	build();
	img_size = 0;
	EXPECT_ERROR("too small for an ELF header (0 bytes)");
	img_size = sizeof(Elf32_Ehdr) - 1;
	EXPECT_ERROR("too small for an ELF header (51 bytes)");
}

static void elf_rejects_bad_ident(void)
{
	build();
	img.b[1] = 'X';
	EXPECT_ERROR("not an ELF file (bad magic)");
	build();
	img.eh.e_ident[EI_CLASS] = ELFCLASS64;
	EXPECT_ERROR("not ELF32 (class 2)");
	build();
	img.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	EXPECT_ERROR("not little-endian (data encoding 2)");
}

static void elf_rejects_machine_type_version(void)
{
	build();
	img.eh.e_machine = EM_X86_64;
	EXPECT_ERROR("not for i386 (machine 62)");
	build();
	img.eh.e_type = ET_DYN;
	EXPECT_ERROR("not an executable (type 3)");
	build();
	img.eh.e_type = ET_REL;
	EXPECT_ERROR("not an executable (type 1)");
	build();
	img.eh.e_version = 2;
	EXPECT_ERROR("bad ELF version 2");
	build();
	img.eh.e_ident[EI_VERSION] = 0;
	EXPECT_ERROR("bad ELF version 1");
}

static void elf_rejects_program_header_table(void)
{
	build();
	img.eh.e_phentsize = 56;
	EXPECT_ERROR("wrong program header size 56 (expected 32)");
	build();
	img.eh.e_phoff = img_size - 40;		/* the second header runs off */
	EXPECT_ERROR("program headers outside the file");
	build();
	img.eh.e_phoff = 0xFFFFFFF0;		/* would wrap in 32 bits */
	EXPECT_ERROR("program headers outside the file");
	build();
	img.eh.e_phnum = 0xFFFF;
	EXPECT_ERROR("too many program headers (65535 > 64)");
}

static void elf_rejects_no_load_segment(void)
{
	build();
	img.eh.e_phnum = 0;
	EXPECT_ERROR("no loadable (PT_LOAD) segment");
	build();
	ph(0)->p_type = PT_NOTE;
	ph(1)->p_type = PT_GNU_STACK;
	EXPECT_ERROR("no loadable (PT_LOAD) segment");
	build();
	ph(0)->p_memsz = ph(0)->p_filesz = 0;
	ph(1)->p_memsz = ph(1)->p_filesz = 0;
	EXPECT_ERROR("no loadable (PT_LOAD) segment");
}

/* Headers of other types are not read, whatever they claim. */
static void elf_ignores_other_segments(void)
{
	struct elf_info info;
	char err[160];

	build();
	img.eh.e_phnum = 3;
	memcpy(ph(2), ph(1), sizeof(Elf32_Phdr));
	*ph(1) = (Elf32_Phdr){ .p_type = PT_NOTE, .p_offset = 0xFFFFFFFF,
		.p_filesz = 0xFFFFFFFF, .p_memsz = 1, .p_paddr = 0xFFFFFFFF };
	CHECK_EQ(elf_check(img.b, img_size, GUEST_MEM, &info, err, sizeof(err)), 0);
	CHECK_EQ(info.nsegs, 2);
}

static void elf_rejects_file_bytes_outside(void)
{
	build();
	ph(1)->p_offset = img_size - 0x7F;
	EXPECT_ERROR("segment 1: file bytes 0x201+0x80 outside the file (640 bytes)");
	build();
	ph(1)->p_offset = 0xFFFFFF80;		/* offset + filesz wraps to 0 */
	EXPECT_ERROR("segment 1: file bytes 0xffffff80+0x80 outside the file (640 bytes)");
	build();
	ph(0)->p_filesz = 0xFFFFFFFF;
	ph(0)->p_memsz = 0xFFFFFFFF;
	EXPECT_ERROR("segment 0: file bytes 0x100+0xffffffff outside the file (640 bytes)");
}

static void elf_rejects_filesz_over_memsz(void)
{
	build();
	ph(1)->p_memsz = 0x7F;
	EXPECT_ERROR("segment 1: file size 0x80 exceeds memory size 0x7f");
}

static void elf_rejects_outside_guest_memory(void)
{
	struct elf_info info;
	char err[160];

	build();
	ph(1)->p_paddr = GUEST_MEM - 0xFFF;
	EXPECT_ERROR("segment 1: 0xf001+0x1000 outside guest memory (0x10000 bytes)");
	build();
	ph(1)->p_paddr = 0xFFFFF800;		/* paddr + memsz wraps */
	EXPECT_ERROR("segment 1: 0xfffff800+0x1000 outside guest memory (0x10000 bytes)");
	build();
	ph(1)->p_memsz = 0xFFFFF000;
	EXPECT_ERROR("segment 1: 0x2000+0xfffff000 outside guest memory (0x10000 bytes)");
	/* Ending exactly at the top of guest memory is fine. */
	build();
	ph(1)->p_paddr = GUEST_MEM - 0x1000;
	CHECK_EQ(elf_check(img.b, img_size, GUEST_MEM, &info, err, sizeof(err)), 0);
	CHECK_EQ(info.phys_end, GUEST_MEM);
}

static void elf_rejects_overlap(void)
{
	struct elf_info info;
	char err[160];

	build();
	ph(1)->p_paddr = 0x10FF;
	EXPECT_ERROR("segments 0 and 1 overlap");
	build();
	ph(1)->p_paddr = 0x0F01;		/* data's end reaches into text */
	EXPECT_ERROR("segments 0 and 1 overlap");
	build();
	ph(1)->p_paddr = 0x0800;		/* data covers text entirely */
	ph(1)->p_memsz = 0x2000;
	EXPECT_ERROR("segments 0 and 1 overlap");
	/* Touching is not overlapping, in either order. */
	build();
	ph(1)->p_paddr = 0x1100;
	CHECK_EQ(elf_check(img.b, img_size, GUEST_MEM, &info, err, sizeof(err)), 0);
	CHECK_EQ(info.phys_lo, 0x1000);
	CHECK_EQ(info.phys_end, 0x2100);
	build();
	ph(1)->p_paddr = 0x0000;
	CHECK_EQ(elf_check(img.b, img_size, GUEST_MEM, &info, err, sizeof(err)), 0);
	CHECK_EQ(info.phys_lo, 0);
}

static void elf_rejects_bad_entry(void)
{
	struct elf_info info;
	char err[160];

	build();
	img.eh.e_entry = 0x2000;		/* in the data segment: not PF_X */
	EXPECT_ERROR("entry point 0x2000 not in an executable segment");
	img.eh.e_entry = 0x1100;		/* one past the text */
	EXPECT_ERROR("entry point 0x1100 not in an executable segment");
	img.eh.e_entry = 0xC0001010;		/* virtual, not physical */
	EXPECT_ERROR("entry point 0xc0001010 not in an executable segment");
	img.eh.e_entry = 0x10FF;
	CHECK_EQ(elf_check(img.b, img_size, GUEST_MEM, &info, err, sizeof(err)), 0);
	img.eh.e_entry = 0x1000;
	CHECK_EQ(elf_check(img.b, img_size, GUEST_MEM, &info, err, sizeof(err)), 0);
}

const struct unit_case elf_cases[] = {
	UNIT_CASE(elf_accepts_valid),
	UNIT_CASE(elf_link_offset),
	UNIT_CASE(elf_load_copies_and_zeroes),
	UNIT_CASE(elf_unaligned_image),
	UNIT_CASE(elf_rejects_short_file),
	UNIT_CASE(elf_rejects_bad_ident),
	UNIT_CASE(elf_rejects_machine_type_version),
	UNIT_CASE(elf_rejects_program_header_table),
	UNIT_CASE(elf_rejects_no_load_segment),
	UNIT_CASE(elf_ignores_other_segments),
	UNIT_CASE(elf_rejects_file_bytes_outside),
	UNIT_CASE(elf_rejects_filesz_over_memsz),
	UNIT_CASE(elf_rejects_outside_guest_memory),
	UNIT_CASE(elf_rejects_overlap),
	UNIT_CASE(elf_rejects_bad_entry),
	UNIT_END
};
