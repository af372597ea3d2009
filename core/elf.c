/* Guest ELF images: validation of everything a module's headers claim, and
 * the load into guest memory. Pure logic, host-tested. */
#include <core/elf.h>
#include <elf.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <param.h>


/* Program header i, copied out: a module need not be aligned for Elf32_*
 * loads (the boot loader page-aligns it, a test buffer may not). Only for
 * headers already known to lie inside the image. */
static Elf32_Phdr phdr_at(const void *image, const Elf32_Ehdr *eh, unsigned i)
{
	Elf32_Phdr ph;

	memcpy(&ph, (const uint8_t *)image + eh->e_phoff + i * sizeof(ph),
	       sizeof(ph));
	return ph;
}

/* The header fields that say what kind of file this is. */
static int check_header(const Elf32_Ehdr *eh, size_t size, char *err,
			size_t errlen)
{
	const unsigned char *id = eh->e_ident;

	if (id[EI_MAG0] != ELFMAG0 || id[EI_MAG1] != ELFMAG1 ||
	    id[EI_MAG2] != ELFMAG2 || id[EI_MAG3] != ELFMAG3)
		return errmsg(err, errlen, "not an ELF file (bad magic)");
	if (id[EI_CLASS] != ELFCLASS32)
		return errmsg(err, errlen, "not ELF32 (class %u)", id[EI_CLASS]);
	if (id[EI_DATA] != ELFDATA2LSB)
		return errmsg(err, errlen, "not little-endian (data encoding %u)",
			    id[EI_DATA]);
	if (eh->e_machine != EM_386)
		return errmsg(err, errlen, "not for i386 (machine %u)",
			    eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return errmsg(err, errlen, "not an executable (type %u)",
			    eh->e_type);
	if (id[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return errmsg(err, errlen, "bad ELF version %u", eh->e_version);
	if (eh->e_phentsize != sizeof(Elf32_Phdr))
		return errmsg(err, errlen,
			    "wrong program header size %u (expected %u)",
			    eh->e_phentsize, (unsigned)sizeof(Elf32_Phdr));
	if (eh->e_phnum > ELF_PHNUM_MAX)
		return errmsg(err, errlen, "too many program headers (%u > %u)",
			    eh->e_phnum, ELF_PHNUM_MAX);
	/* 64-bit sums: e_phoff near 4 GiB must not wrap to a small number. */
	if ((uint64_t)eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr) >
	    size)
		return errmsg(err, errlen, "program headers outside the file");
	return 0;
}

/* One PT_LOAD segment on its own: its bytes in the file, in memory. */
static int check_segment(const Elf32_Phdr *ph, unsigned i, size_t size,
			 uint32_t guest_mem, char *err, size_t errlen)
{
	if ((uint64_t)ph->p_offset + ph->p_filesz > size)
		return errmsg(err, errlen,
			    "segment %u: file bytes 0x%x+0x%x outside the file (%zu bytes)",
			    i, ph->p_offset, ph->p_filesz, size);
	if (ph->p_filesz > ph->p_memsz)
		return errmsg(err, errlen,
			    "segment %u: file size 0x%x exceeds memory size 0x%x",
			    i, ph->p_filesz, ph->p_memsz);
	if ((uint64_t)ph->p_paddr + ph->p_memsz > guest_mem)
		return errmsg(err, errlen,
			    "segment %u: 0x%x+0x%x outside guest memory (0x%x bytes)",
			    i, ph->p_paddr, ph->p_memsz, guest_mem);
	return 0;
}

static bool is_loaded(const Elf32_Phdr *ph)
{
	return ph->p_type == PT_LOAD && ph->p_memsz != 0;
}

int elf_check(const void *image, size_t size, uint32_t guest_mem,
	      struct elf_info *out, char *err, size_t errlen)
{
	struct elf_info info = { .phys_lo = UINT32_MAX };
	bool entry_ok = false;
	Elf32_Ehdr eh;

	if (size < sizeof(eh))
		return errmsg(err, errlen, "too small for an ELF header (%zu bytes)",
			    size);
	memcpy(&eh, image, sizeof(eh));
	if (check_header(&eh, size, err, errlen))
		return -1;

	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf32_Phdr ph = phdr_at(image, &eh, i);

		if (ph.p_type != PT_LOAD)
			continue;
		if (check_segment(&ph, i, size, guest_mem, err, errlen))
			return -1;
		if (ph.p_memsz == 0)
			continue;
		/* Segments already checked are known to be inside guest
		 * memory, so these ends cannot wrap. */
		for (unsigned j = 0; j < i; j++) {
			Elf32_Phdr q = phdr_at(image, &eh, j);

			if (is_loaded(&q) &&
			    ph.p_paddr < q.p_paddr + q.p_memsz &&
			    q.p_paddr < ph.p_paddr + ph.p_memsz)
				return errmsg(err, errlen,
					    "segments %u and %u overlap", j, i);
		}
		if (info.nsegs == 0)
			info.link_offset = ph.p_vaddr - ph.p_paddr;
		else if (info.link_offset != ph.p_vaddr - ph.p_paddr)
			info.link_offset = 0;
		info.nsegs++;
		info.phys_lo = MIN(info.phys_lo, ph.p_paddr);
		info.phys_end = MAX(info.phys_end, ph.p_paddr + ph.p_memsz);
		if ((ph.p_flags & PF_X) && eh.e_entry >= ph.p_paddr &&
		    eh.e_entry - ph.p_paddr < ph.p_memsz)
			entry_ok = true;
	}
	if (info.nsegs == 0)
		return errmsg(err, errlen, "no loadable (PT_LOAD) segment");
	if (!entry_ok)
		return errmsg(err, errlen,
			    "entry point 0x%x not in an executable segment",
			    eh.e_entry);
	info.entry = eh.e_entry;
	*out = info;
	return 0;
}

void elf_load(const void *image, const struct elf_info *info,
	      uint8_t *guest_base)
{
	unsigned loaded = 0;
	Elf32_Ehdr eh;

	memcpy(&eh, image, sizeof(eh));
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf32_Phdr ph = phdr_at(image, &eh, i);

		if (!is_loaded(&ph))
			continue;
		memcpy(guest_base + ph.p_paddr,
		       (const uint8_t *)image + ph.p_offset, ph.p_filesz);
		memset(guest_base + ph.p_paddr + ph.p_filesz, 0,
		       ph.p_memsz - ph.p_filesz);
		loaded++;
	}
	ASSERT(loaded == info->nsegs);
}

void elf_load_range(const void *image, const struct elf_info *info,
		    uint8_t *guest_base, uint32_t lo, uint32_t hi)
{
	Elf32_Ehdr eh;

	(void)info;
	memcpy(&eh, image, sizeof(eh));
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf32_Phdr ph = phdr_at(image, &eh, i);
		uint32_t from = MAX(lo, ph.p_paddr);
		uint32_t to = MIN(hi, ph.p_paddr + ph.p_filesz);

		if (!is_loaded(&ph) || from >= to)
			continue;
		memcpy(guest_base + from, (const uint8_t *)image + ph.p_offset +
		       (from - ph.p_paddr), to - from);
	}
}
