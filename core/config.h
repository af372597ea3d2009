/* Boot-time configuration: the hypervisor's options from its command line
 * and each guest's options from its module string (docs/usage.md). */
#ifndef RV_CORE_CONFIG_H
#define RV_CORE_CONFIG_H

#include <types.h>
#include <param.h>

/* Longest fault= kind, with its NUL. */
#define HV_FAULT_MAX 8

struct hv_config {
	int log_level;		/* loglevel=0..3|error|warn|info|debug; LOG_* */
	uint64_t timeslice_ns;	/* timeslice=DURATION, within TIMESLICE_NS_MIN..MAX */
	bool exit_qemu;		/* exit=qemu: report the verdict via isa-debug-exit */
	bool console_serial;	/* console=serial|vga|both: where the console */
	bool console_vga;	/*   goes; both by default */
	/* fault=null|ud|gp|de|df|assert|panic (tests only): a deliberate
	 * fault inside the hypervisor, to prove the crash report; "" = none. */
	char fault[HV_FAULT_MAX];
	uint32_t drain_bps;	/* drain=BYTES per second for the console; 0 = no limit */
	bool quiet;		/* quiet: no boot report, only warnings and errors */
	bool bench;		/* bench: measure native baselines, time world switches */
	bool bench_switches;	/* benchswitches: bench, and time every guest switch */
	bool bench_irqoff;	/* benchirqoff: bench, and time every stretch with interrupts off */
	bool color;		/* color: ANSI colours on the console (a terminal) */
	bool monitor_com2;	/* monitor=com2|off: the monitor's commands on COM2 too */
};

/* What a guest's exit (SHUTDOWN) or crash (killed) leads to. */
enum guest_policy {
	GUEST_STOP = 0,
	GUEST_RESTART,
};

/* How a guest is expected to end (expect=), for the run's verdict. */
enum guest_expect {
	GUEST_EXPECT_EXIT = 0,		/* exit with expect_status */
	GUEST_EXPECT_KILLED,		/* killed by the hypervisor */
	GUEST_EXPECT_ANY,
};

/*
 * The roles a module can have besides being a guest. A guest's option
 * ROLE=FILE claims the first later module whose file (its string's first
 * word) is FILE, or has FILE's basename (GRUB drops paths): that module is
 * then the guest's data, not a guest (docs/usage.md, "Modules that are
 * data"). Disks (disk=, disk_rw=) are claimed the same way but kept apart
 * (struct disk_claim): a guest may have several, and a read-only one may
 * be shared.
 */
enum module_role {
	MODULE_ROLE_INITRD,		/* initrd=FILE: a Linux guest's initrd */
	MODULE_ROLES
};

/* Longest FILE in ROLE=FILE, with its NUL. */
#define MODULE_FILE_MAX 128

/* disk=FILE (read-only) or disk_rw=FILE (writable): a module that becomes
 * one of the guest's virtio-blk devices (docs/disks.md). */
struct disk_claim {
	char file[MODULE_FILE_MAX];
	bool writable;
};

struct guest_config {
	char name[GUEST_NAME_MAX];	/* name=; 1..15 of [A-Za-z0-9_-] */
	uint32_t mem;			/* mem=SIZE in bytes, page aligned */
	uint32_t shadow_frames;		/* shadow=SIZE as frames; 0 = the formula */
	uint32_t weight;		/* weight=1..GUEST_WEIGHT_MAX */
	uint32_t cap;			/* cap=PERCENT 1..100; 0 = no cap */
	enum guest_policy on_exit;	/* on_exit=stop|restart */
	enum guest_policy on_crash;	/* on_crash=stop|restart */
	uint32_t restarts;		/* restarts=N: most restarts by policy */
	uint64_t cpu_limit_ns;		/* cpu_limit=DURATION; 0 = none */
	enum guest_expect expect;	/* expect=exit|exit:N|killed|any */
	int expect_status;
	/* Everything after a standalone `--`, to the end of the module
	 * string it points into ("" if none); with the name and a space, at
	 * most GUEST_CMDLINE_MAX - 1 bytes. */
	const char *args;
	char claims[MODULE_ROLES][MODULE_FILE_MAX]; /* ROLE=FILE; "" = none */
	struct disk_claim disks[GUEST_DISKS_MAX];	/* in the order given */
	unsigned nr_disks;
	/* net=SEG, in the order given: one virtio-net port on each. */
	char net[NET_PORTS_MAX][NET_SEG_NAME_MAX];
	unsigned nr_net;
};

/* The option name of each role ("initrd"). */
extern const char *const module_role_names[MODULE_ROLES];

/* config.c */

/* Parses the hypervisor's command line (NULL reads as empty) into *out,
 * which starts from the defaults. A leading file name (QEMU puts the image's
 * name first, GRUB does not) is skipped. An unknown option or a bad value is
 * reported through warn(ctx, msg), one line naming the option and the
 * reason, and parsing goes on with that option left at its default; warn may
 * be NULL. Boot time, before anything else reads the configuration. */
/* The hypervisor's own options, parsed once at boot (core/main.c). */
extern struct hv_config hv_config;

void hv_config_parse(const char *cmdline, struct hv_config *out,
		     void (*warn)(void *ctx, const char *msg), void *ctx);

/* Parses one module string into *out. The first word, if it looks like a
 * file name (cmdline_word_is_path), names the file and gives the default
 * guest name: its basename without ".elf"; without one the default is
 * "guest<index>" (index counts modules from 0). Options: name=, mem=, shadow=, weight=,
 * cap=, on_exit=, on_crash=, expect=, restarts=, cpu_limit=, net= (up to
 * NET_PORTS_MAX times), the module
 * roles (initrd=), disk= and disk_rw= (at most GUEST_DISKS_MAX), and `--`, after which the rest of the string is
 * the guest's own command line, verbatim (out->args points into modstr,
 * which must outlive *out). Returns 0, or -1 with one message
 * in err (naming the option and why) on the first bad or unknown option; the
 * caller then skips the guest. *out is only meaningful on 0. */
int guest_config_parse(const char *modstr, unsigned index,
		       struct guest_config *out, char *err, size_t errlen);

/* True if a module whose string starts with word[0..word_len) is the one
 * ROLE=file names: the same file name, or else the same basename. */
bool module_file_matches(const char *word, size_t word_len, const char *file);

/* True if s is a valid guest name: 1..GUEST_NAME_MAX-1 characters of
 * [A-Za-z0-9_-]. */
bool guest_name_valid(const char *s, size_t len);

#endif
