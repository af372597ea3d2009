/* Reads the Multiboot v1 information into the boot record. It runs first,
 * before paging and before any allocator, so the loader's structures
 * (which may lie anywhere in free RAM) are still intact when copied. */
#include <boot/boot.h>
#include <boot/multiboot.h>
#include <lib/lib.h>
#include <lib/log.h>

struct boot_record boot_record;

/* Copies the first n bytes of a loader string into the record's string
 * space, NUL-terminated. NULL when the space has no room for them. */
static const char *keep(struct boot_record *br, const char *src, size_t n)
{
	if (n + 1 > sizeof(br->strings) - br->strings_used)
		return NULL;
	char *dst = br->strings + br->strings_used;
	memcpy(dst, src, n);
	dst[n] = '\0';
	br->strings_used += n + 1;
	return dst;
}

/* A loader string's length, bounded: the loader's memory is trusted to be
 * RAM but not to be well formed. CMDLINE_MAX means "at least that". */
static size_t loader_strlen(uint32_t phys)
{
	return phys ? strnlen((const char *)phys, CMDLINE_MAX) : 0;
}

/* A module's string, kept whole, or refused: then as much of its first
 * word as fits is kept to name it (modules_scan says why). */
static void keep_module_string(struct boot_record *br, struct boot_module *bm,
			       uint32_t phys)
{
	const char *src = phys ? (const char *)phys : "";
	size_t n = loader_strlen(phys), word = 0;

	bm->string_len = n;
	if (n < CMDLINE_MAX && (bm->cmdline = keep(br, src, n)))
		return;
	while (word < n && src[word] != ' ' && src[word] != '\t')
		word++;
	bm->file_cut = word == CMDLINE_MAX;
	bm->file = keep(br, src, word);
}

static void add_mem(struct boot_record *br, uint64_t base, uint64_t len, uint32_t type)
{
	if (br->nr_mem == MAX_MEM_REGIONS) {
		pr_warn("memory map: more than %u entries; the rest are ignored",
			MAX_MEM_REGIONS);
		return;
	}
	br->mem[br->nr_mem++] = (struct boot_mem_entry){ base, len, type };
}

/* Returns false when no Multiboot loader started us; the caller stops. */
bool bootinfo_parse(uint32_t magic, uint32_t info_phys)
{
	struct boot_record *br = &boot_record;
	const struct mb_info *mbi = (const struct mb_info *)info_phys;

	if (magic != MB_LOADER_MAGIC)
		return false;

	/* The command line first: it always finds room. A longer one is cut,
	 * and bootinfo_report() says so. */
	br->cmdline = "";
	if (mbi->flags & MBI_CMDLINE) {
		size_t n = loader_strlen(mbi->cmdline);
		br->truncated_cmdline = n == CMDLINE_MAX;
		br->cmdline = keep(br, (const char *)mbi->cmdline,
				   MIN(n, (size_t)CMDLINE_MAX - 1));
	}
	br->loader = NULL;
	if (mbi->flags & MBI_LOADER_NAME)
		br->loader = keep(br, (const char *)mbi->boot_loader_name,
				  MIN(loader_strlen(mbi->boot_loader_name),
				      (size_t)CMDLINE_MAX - 1));
	if (!br->loader)
		br->loader = "an unknown loader";

	if (mbi->flags & MBI_MMAP) {
		uint32_t p = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
		while (p + sizeof(struct mb_mmap_entry) <= end) {
			const struct mb_mmap_entry *e = (const void *)p;
			if (e->size < 20)	/* malformed: stop rather than loop */
				break;
			if (e->len)
				add_mem(br, e->addr, e->len, e->type);
			p += e->size + 4;
		}
		br->mem_from_e820 = true;
	} else if (mbi->flags & MBI_MEM) {
		add_mem(br, 0, (uint64_t)mbi->mem_lower * 1024, MB_MEM_AVAILABLE);
		add_mem(br, 1 * MiB, (uint64_t)mbi->mem_upper * 1024, MB_MEM_AVAILABLE);
	}

	if (mbi->flags & MBI_MODS) {
		const struct mb_module *m = (const void *)mbi->mods_addr;
		for (uint32_t i = 0; i < mbi->mods_count; i++) {
			if (br->nr_modules == MAX_MODULES) {
				br->modules_dropped = mbi->mods_count - i;
				break;
			}
			struct boot_module *bm = &br->modules[br->nr_modules++];
			bm->start = m[i].mod_start;
			bm->end = m[i].mod_end < m[i].mod_start ? m[i].mod_start
								 : m[i].mod_end;
			keep_module_string(br, bm, m[i].string);
		}
	}
	return true;
}

static const char *mem_type_name(uint32_t type)
{
	switch (type) {
	case 1: return "available";
	case 2: return "reserved";
	case 3: return "ACPI reclaimable";
	case 4: return "ACPI NVS";
	case 5: return "bad RAM";
	default: return "reserved (other)";
	}
}

void bootinfo_report(void)
{
	const struct boot_record *br = &boot_record;

	pr_info("loaded by %s", br->loader);
	pr_info("command line: \"%s\"", br->cmdline);
	if (br->truncated_cmdline)
		pr_warn("command line longer than %u bytes: only the first %u are read",
			CMDLINE_MAX - 1, CMDLINE_MAX - 1);
	pr_info("memory map (%s):", br->mem_from_e820 ? "BIOS e820" : "mem_lower/mem_upper only");
	for (unsigned i = 0; i < br->nr_mem; i++) {
		const struct boot_mem_entry *e = &br->mem[i];
		pr_info("  [0x%08llx-0x%08llx] %s", (unsigned long long)e->base,
			(unsigned long long)(e->base + e->len - 1), mem_type_name(e->type));
	}
	if (br->modules_dropped)
		pr_err("%u modules beyond the first %u ignored", br->modules_dropped,
		       MAX_MODULES);
}
