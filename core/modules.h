/* The boot modules, checked: which ones become guests, with what options
 * and what kernel image, and which are data that a guest claimed (its
 * initrd, its disks). */
#ifndef RV_MODULES_H
#define RV_MODULES_H

#include <boot/boot.h>
#include <core/bzimage.h>
#include <core/config.h>
#include <core/elf.h>

/* What a guest module holds, and so how it is booted and how it ends. */
enum guest_kind {
	GUEST_SDK,		/* an ELF guest of ours: argv[0] is its name */
	GUEST_LINUX_ELF,	/* a Linux vmlinux (linux_elf_is_kernel) */
	GUEST_LINUX_BZIMAGE,	/* a Linux bzImage */
};

/* One of a guest's disks: the module it reads, and whether its writes
 * are kept (in a private copy: dev/virtio_blk.c). */
struct guest_disk {
	const struct boot_module *module;
	bool writable;
};

struct guest_spec {
	const struct boot_module *module;
	unsigned index;			/* position among the boot modules */
	struct guest_config config;
	enum guest_kind kind;
	struct elf_info elf;		/* GUEST_SDK, GUEST_LINUX_ELF */
	struct bzimage_info bz;		/* GUEST_LINUX_BZIMAGE */
	uint32_t entry;			/* where it starts, guest-physical */
	uint32_t kernel_end;		/* one past the memory the kernel needs */
	/* The modules it claimed (ROLE=FILE), NULL if none. */
	const struct boot_module *data[MODULE_ROLES];
	uint32_t initrd_gpa;		/* with data[MODULE_ROLE_INITRD] */
	struct guest_disk disks[GUEST_DISKS_MAX];	/* disk=, disk_rw=, in order */
	unsigned nr_disks;
	uint16_t net_port[NET_PORTS_MAX];	/* each net= port's place on the switch */
};

static inline bool guest_is_linux(const struct guest_spec *spec)
{
	return spec->kind != GUEST_SDK;
}

/* modules.c */
extern struct guest_spec guest_specs[MAX_MODULES];
extern unsigned nr_guest_specs;
/* Why modules were refused, for the verdict: counts by cause. */
enum module_refusal {
	REFUSED_STRING,		/* its string too long, or no room for it */
	REFUSED_OPTIONS,	/* a bad or unknown option */
	REFUSED_NAME,		/* its name already taken */
	REFUSED_CLAIM,		/* a module it claims (initrd=, disk=) is missing or unfit */
	REFUSED_IMAGE,		/* not a valid ELF guest, vmlinux or bzImage */
	REFUSED_NET,		/* a net= port: MAC taken, segment full */
	NR_REFUSALS
};
extern unsigned modules_refused[NR_REFUSALS];
extern const char *const module_refusal_names[NR_REFUSALS];
unsigned modules_scan(void);

#endif
