/* Boot-time configuration: turns the hypervisor's command line and each
 * module string into checked option structures. Pure logic, host-tested. */
#include <core/config.h>
#include <lib/cmdline.h>
#include <lib/lib.h>
#include <lib/log.h>

/* Room for one reason ("below the minimum 64 KiB"); the word is added. */
#define WHY_MAX 80

/*
 * One option: its key, whether it is a bare flag (takes no value) or needs
 * one, and the setter. A setter returns true, or false with the reason in
 * why; the caller prefixes the word as written.
 */
struct hv_option {
	const char *key;
	bool flag;
	bool (*set)(const struct cmd_word *w, struct hv_config *c,
		    char *why, size_t whylen);
};

struct guest_option {
	const char *key;
	bool (*set)(const struct cmd_word *w, struct guest_config *g,
		    char *why, size_t whylen);
};

/* Looks the value up in names[0..n): its index, or -1. */
static int pick(const struct cmd_word *w, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (cmdline_val_is(w, names[i]))
			return i;
	return -1;
}

static bool why(char *buf, size_t len, const char *reason)
{
	strlcpy(buf, reason, len);
	return false;
}

/* --- the hypervisor's options -------------------------------------------- */

static bool set_loglevel(const struct cmd_word *w, struct hv_config *c,
			 char *buf, size_t len)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	int i = pick(w, names, ARRAY_SIZE(names));
	uint64_t v;

	if (i >= 0) {
		c->log_level = i;
		return true;
	}
	if (parse_u64(w->val, w->val_len, &v) && v <= LOG_DEBUG) {
		c->log_level = (int)v;
		return true;
	}
	return why(buf, len, "expected 0..3 or error|warn|info|debug");
}

static bool set_timeslice(const struct cmd_word *w, struct hv_config *c,
			  char *buf, size_t len)
{
	uint64_t ns;

	if (!parse_duration_ns(w->val, w->val_len, &ns))
		return why(buf, len, "not a duration (a number and ns|us|ms|s)");
	if (ns < TIMESLICE_NS_MIN || ns > TIMESLICE_NS_MAX) {
		snprintf(buf, len, "outside %uus..%ums",
			 (unsigned)(TIMESLICE_NS_MIN / 1000),
			 (unsigned)(TIMESLICE_NS_MAX / 1000000));
		return false;
	}
	c->timeslice_ns = ns;
	return true;
}

static bool set_exit(const struct cmd_word *w, struct hv_config *c,
		     char *buf, size_t len)
{
	if (!cmdline_val_is(w, "qemu"))
		return why(buf, len, "expected qemu");
	c->exit_qemu = true;
	return true;
}

static bool set_console(const struct cmd_word *w, struct hv_config *c,
			char *buf, size_t len)
{
	static const char *const names[] = { "serial", "vga", "both" };
	int i = pick(w, names, ARRAY_SIZE(names));

	if (i < 0)
		return why(buf, len, "expected serial|vga|both");
	c->console_serial = i != 1;
	c->console_vga = i != 0;
	return true;
}

static bool set_fault(const struct cmd_word *w, struct hv_config *c,
		      char *buf, size_t len)
{
	static const char *const names[] = {
		"none", "null", "ud", "gp", "de", "df", "assert", "panic",
	};
	int i = pick(w, names, ARRAY_SIZE(names));

	if (i < 0)
		return why(buf, len, "expected none|null|ud|gp|de|df|assert|panic");
	strlcpy(c->fault, i == 0 ? "" : names[i], sizeof(c->fault));
	return true;
}

static bool set_drain(const struct cmd_word *w, struct hv_config *c,
		      char *buf, size_t len)
{
	uint64_t v;

	if (!parse_size(w->val, w->val_len, &v))
		return why(buf, len, "not a byte rate");
	if (v > UINT32_MAX)
		return why(buf, len, "above 4G bytes per second");
	c->drain_bps = (uint32_t)v;
	return true;
}

static bool set_quiet(const struct cmd_word *w __unused, struct hv_config *c,
		      char *buf __unused, size_t len __unused)
{
	c->quiet = true;
	return true;
}

static bool set_bench(const struct cmd_word *w __unused, struct hv_config *c,
		      char *buf __unused, size_t len __unused)
{
	c->bench = true;
	return true;
}

static bool set_color(const struct cmd_word *w __unused, struct hv_config *c,
		      char *buf __unused, size_t len __unused)
{
	c->color = true;
	return true;
}

static bool set_benchswitches(const struct cmd_word *w __unused, struct hv_config *c,
			      char *buf __unused, size_t len __unused)
{
	c->bench = c->bench_switches = true;
	return true;
}

static bool set_benchirqoff(const struct cmd_word *w __unused, struct hv_config *c,
			    char *buf __unused, size_t len __unused)
{
	c->bench = c->bench_irqoff = true;
	return true;
}

static bool set_monitor(const struct cmd_word *w, struct hv_config *c,
			char *buf, size_t len)
{
	static const char *const names[] = { "off", "com2" };
	int i = pick(w, names, ARRAY_SIZE(names));

	if (i < 0)
		return why(buf, len, "expected off|com2");
	c->monitor_com2 = i == 1;
	return true;
}

static const struct hv_option hv_options[] = {
	{ "loglevel",  false, set_loglevel },
	{ "timeslice", false, set_timeslice },
	{ "exit",      false, set_exit },
	{ "console",   false, set_console },
	{ "fault",     false, set_fault },
	{ "drain",     false, set_drain },
	{ "quiet",     true,  set_quiet },
	{ "bench",     true,  set_bench },
	{ "benchswitches", true, set_benchswitches },
	{ "benchirqoff", true, set_benchirqoff },
	{ "color",     true,  set_color },
	{ "monitor",   false, set_monitor },
};

static const struct hv_config hv_defaults = {
	.log_level = LOG_INFO,
	.timeslice_ns = TIMESLICE_NS_DEFAULT,
	.exit_qemu = false,
	.console_serial = true,
	.console_vga = true,
	.fault = "",
	.drain_bps = 0,
	.quiet = false,
};

/* Applies one word; false with the reason in buf on failure. */
static bool hv_apply(const struct cmd_word *w, struct hv_config *c,
		     char *buf, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(hv_options); i++) {
		const struct hv_option *o = &hv_options[i];

		if (!cmdline_key_is(w, o->key))
			continue;
		if (w->malformed)
			return why(buf, len, "unterminated or misplaced quote");
		if (o->flag && w->has_val)
			return why(buf, len, "takes no value");
		if (!o->flag && !w->has_val)
			return why(buf, len, "needs a value");
		return o->set(w, c, buf, len);
	}
	buf[0] = '\0';		/* unknown: the caller words it */
	return false;
}

struct hv_config hv_config;

void hv_config_parse(const char *cmdline, struct hv_config *out,
		     void (*warn)(void *ctx, const char *msg), void *ctx)
{
	const char *cur = cmdline;
	struct cmd_word w;
	bool first = true;

	*out = hv_defaults;
	while (cmdline_next(&cur, &w)) {
		/* The word, whole, and a reason: static, as it is as long as
		 * the longest line the boot record keeps. */
		static char msg[CMDLINE_MAX + WHY_MAX + 64];
		char reason[WHY_MAX];
		int n;

		if (first && cmdline_word_is_path(&w)) {
			first = false;
			continue;
		}
		first = false;
		if (hv_apply(&w, out, reason, sizeof(reason)))
			continue;
		if (!warn)
			continue;
		if (reason[0])
			n = snprintf(msg, sizeof(msg), "%.*s: %s",
				     (int)w.text_len, w.text, reason);
		else
			n = snprintf(msg, sizeof(msg), "unknown option '%.*s'",
				     (int)w.key_len, w.key);
		errmsg_mark_cut(msg, sizeof(msg), n);
		warn(ctx, msg);
	}
}

/* --- a guest's options ------------------------------------------------- */

bool guest_name_valid(const char *s, size_t len)
{
	if (len == 0 || len >= GUEST_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Copies a slice known to fit, NUL-terminated. */
static void copy_slice(char *dst, const char *src, size_t len)
{
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static bool set_name(const struct cmd_word *w, struct guest_config *g,
		     char *buf, size_t len)
{
	if (!guest_name_valid(w->val, w->val_len)) {
		snprintf(buf, len, "not 1..%u characters of [A-Za-z0-9_-]",
			 GUEST_NAME_MAX - 1);
		return false;
	}
	copy_slice(g->name, w->val, w->val_len);
	return true;
}

static bool set_mem(const struct cmd_word *w, struct guest_config *g,
		    char *buf, size_t len)
{
	uint64_t v;

	if (!parse_size(w->val, w->val_len, &v))
		return why(buf, len, "not a size");
	/* Bounds first: rounding a huge value up could wrap. */
	if (v > GUEST_MEM_MAX) {
		snprintf(buf, len, "above the maximum %u MiB", GUEST_MEM_MAX / MiB);
		return false;
	}
	v = ALIGN_UP(v, (uint64_t)PAGE_SIZE);
	if (v < GUEST_MEM_MIN) {
		snprintf(buf, len, "below the minimum %u KiB", GUEST_MEM_MIN / KiB);
		return false;
	}
	g->mem = (uint32_t)v;
	return true;
}

/* shadow=SIZE: the guest's shadow-frame budget instead of the formula
 * (include/param.h), SHADOW_BUDGET_MIN..MAX frames. */
static bool set_shadow(const struct cmd_word *w, struct guest_config *g,
		       char *buf, size_t len)
{
	uint64_t v;

	if (!parse_size(w->val, w->val_len, &v))
		return why(buf, len, "not a size");
	/* Bounds first: rounding a huge value up could wrap. */
	if (v > (uint64_t)SHADOW_BUDGET_MAX * PAGE_SIZE)
		v = (uint64_t)SHADOW_BUDGET_MAX + 1;
	else
		v = (v + PAGE_SIZE - 1) / PAGE_SIZE;
	if (v < SHADOW_BUDGET_MIN || v > SHADOW_BUDGET_MAX) {
		snprintf(buf, len, "outside %u KiB..%u MiB", SHADOW_BUDGET_MIN * 4,
			 SHADOW_BUDGET_MAX / 256);
		return false;
	}
	g->shadow_frames = (uint32_t)v;
	return true;
}

/* A decimal or hex number within lo..hi, or false with a reason. */
static bool number_in(const struct cmd_word *w, uint32_t lo, uint32_t hi,
		      uint32_t *out, char *buf, size_t len)
{
	uint64_t v;

	if (!parse_u64(w->val, w->val_len, &v))
		return why(buf, len, "not a number");
	if (v < lo || v > hi) {
		snprintf(buf, len, "outside %u..%u", lo, hi);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

static bool set_weight(const struct cmd_word *w, struct guest_config *g,
		       char *buf, size_t len)
{
	return number_in(w, 1, GUEST_WEIGHT_MAX, &g->weight, buf, len);
}

static bool set_cap(const struct cmd_word *w, struct guest_config *g,
		    char *buf, size_t len)
{
	return number_in(w, 0, 100, &g->cap, buf, len);
}

static bool policy(const struct cmd_word *w, enum guest_policy *out,
		   char *buf, size_t len)
{
	static const char *const names[] = {
		[GUEST_STOP] = "stop", [GUEST_RESTART] = "restart",
	};
	int i = pick(w, names, ARRAY_SIZE(names));

	if (i < 0)
		return why(buf, len, "expected stop|restart");
	*out = (enum guest_policy)i;
	return true;
}

static bool set_on_exit(const struct cmd_word *w, struct guest_config *g,
			char *buf, size_t len)
{
	return policy(w, &g->on_exit, buf, len);
}

static bool set_on_crash(const struct cmd_word *w, struct guest_config *g,
			 char *buf, size_t len)
{
	return policy(w, &g->on_crash, buf, len);
}

/* expect=exit (status 0, the default) | exit:N | killed | any: how the
 * guest should end, for the verdict QEMU's exit code reports in tests. */
static bool set_expect(const struct cmd_word *w, struct guest_config *g,
		       char *buf, size_t len)
{
	uint64_t v;

	if (cmdline_val_is(w, "exit")) {
		g->expect = GUEST_EXPECT_EXIT;
		g->expect_status = 0;
	} else if (cmdline_val_is(w, "killed")) {
		g->expect = GUEST_EXPECT_KILLED;
	} else if (cmdline_val_is(w, "any")) {
		g->expect = GUEST_EXPECT_ANY;
	} else if (w->val_len > 5 && !strncmp(w->val, "exit:", 5) &&
		   parse_u64(w->val + 5, w->val_len - 5, &v) && v <= 255) {
		g->expect = GUEST_EXPECT_EXIT;
		g->expect_status = (int)v;
	} else {
		return why(buf, len, "expected exit|exit:N|killed|any");
	}
	return true;
}

static bool set_restarts(const struct cmd_word *w, struct guest_config *g,
			 char *buf, size_t len)
{
	return number_in(w, 0, 1000000, &g->restarts, buf, len);
}

/* cpu_limit=DURATION: the guest is killed once it has used this much CPU
 * (0, the default: no limit). */
static bool set_cpu_limit(const struct cmd_word *w, struct guest_config *g,
			  char *buf, size_t len)
{
	uint64_t ns;

	if (!parse_duration_ns(w->val, w->val_len, &ns))
		return why(buf, len, "not a duration (a number and ns|us|ms|s)");
	g->cpu_limit_ns = ns;
	return true;
}

/* net=SEG: one more virtio-net port, on segment SEG (docs/network.md). The
 * same segment twice is allowed (two ports on one switch). */
static bool set_net(const struct cmd_word *w, struct guest_config *g,
		    char *buf, size_t len)
{
	if (g->nr_net == NET_PORTS_MAX) {
		snprintf(buf, len, "more than %u ports", NET_PORTS_MAX);
		return false;
	}
	if (!guest_name_valid(w->val, w->val_len) || w->val_len >= NET_SEG_NAME_MAX) {
		snprintf(buf, len, "not a segment name of 1..%u characters of [A-Za-z0-9_-]",
			 NET_SEG_NAME_MAX - 1);
		return false;
	}
	copy_slice(g->net[g->nr_net++], w->val, w->val_len);
	return true;
}

const char *const module_role_names[MODULE_ROLES] = {
	[MODULE_ROLE_INITRD] = "initrd",
};

/* ROLE=FILE: the claim is resolved against the modules later
 * (core/modules.c); here only its form is checked. */
static bool set_claim(const struct cmd_word *w, struct guest_config *g,
		      enum module_role role, char *buf, size_t len)
{
	char *file = g->claims[role];

	if (file[0])
		return why(buf, len, "given twice");
	if (w->val_len == 0)
		return why(buf, len, "needs a file name");
	if (w->val_len >= MODULE_FILE_MAX) {
		snprintf(buf, len, "file name longer than %u bytes", MODULE_FILE_MAX - 1);
		return false;
	}
	copy_slice(file, w->val, w->val_len);
	return true;
}

/* disk=FILE or disk_rw=FILE: one more disk, in the order given; resolved
 * against the modules later, like a role. */
static bool set_disk(const struct cmd_word *w, struct guest_config *g, bool writable,
		     char *buf, size_t len)
{
	if (g->nr_disks == GUEST_DISKS_MAX) {
		snprintf(buf, len, "more than %u disks (GUEST_DISKS_MAX)", GUEST_DISKS_MAX);
		return false;
	}
	if (w->val_len == 0)
		return why(buf, len, "needs a file name");
	if (w->val_len >= MODULE_FILE_MAX) {
		snprintf(buf, len, "file name longer than %u bytes", MODULE_FILE_MAX - 1);
		return false;
	}
	struct disk_claim *d = &g->disks[g->nr_disks++];
	copy_slice(d->file, w->val, w->val_len);
	d->writable = writable;
	return true;
}

/* The part of a file name after its last '/'. */
static const char *basename_of(const char *s, size_t len, size_t *base_len)
{
	const char *base = s;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '/')
			base = s + i + 1;
	*base_len = len - (size_t)(base - s);
	return base;
}

bool module_file_matches(const char *word, size_t word_len, const char *file)
{
	size_t file_len = strlen(file), wb_len, fb_len;
	const char *wb = basename_of(word, word_len, &wb_len);
	const char *fb = basename_of(file, file_len, &fb_len);

	if (word_len == file_len && !memcmp(word, file, file_len))
		return true;
	return wb_len && wb_len == fb_len && !memcmp(wb, fb, fb_len);
}

static const struct guest_option guest_options[] = {
	{ "name",     set_name },
	{ "mem",      set_mem },
	{ "shadow",   set_shadow },
	{ "weight",   set_weight },
	{ "cap",      set_cap },
	{ "on_exit",  set_on_exit },
	{ "on_crash", set_on_crash },
	{ "expect",   set_expect },
	{ "restarts", set_restarts },
	{ "cpu_limit", set_cpu_limit },
	{ "net",      set_net },
};

/* Applies one option word; false with the reason in buf (empty: unknown). */
static bool guest_apply(const struct cmd_word *w, struct guest_config *g,
			char *buf, size_t len)
{
	for (unsigned r = 0; r < MODULE_ROLES; r++) {
		if (!cmdline_key_is(w, module_role_names[r]))
			continue;
		if (w->malformed)
			return why(buf, len, "unterminated or misplaced quote");
		if (!w->has_val)
			return why(buf, len, "needs a value");
		return set_claim(w, g, (enum module_role)r, buf, len);
	}
	if (cmdline_key_is(w, "disk") || cmdline_key_is(w, "disk_rw")) {
		if (w->malformed)
			return why(buf, len, "unterminated or misplaced quote");
		if (!w->has_val)
			return why(buf, len, "needs a value");
		return set_disk(w, g, cmdline_key_is(w, "disk_rw"), buf, len);
	}
	for (size_t i = 0; i < ARRAY_SIZE(guest_options); i++) {
		if (!cmdline_key_is(w, guest_options[i].key))
			continue;
		if (w->malformed)
			return why(buf, len, "unterminated or misplaced quote");
		if (!w->has_val)
			return why(buf, len, "needs a value");
		return guest_options[i].set(w, g, buf, len);
	}
	buf[0] = '\0';
	return false;
}

/* The default name from a file name: its basename without ".elf". */
static void name_from_file(const char *file, size_t file_len,
			   const char **s, size_t *len)
{
	const char *base = file;
	size_t n = file_len;

	for (size_t i = 0; i < file_len; i++)
		if (file[i] == '/') {
			base = file + i + 1;
			n = file_len - i - 1;
		}
	if (n > 4 && strncmp(base + n - 4, ".elf", 4) == 0)
		n -= 4;
	*s = base;
	*len = n;
}


int guest_config_parse(const char *modstr, unsigned index,
		       struct guest_config *out, char *err, size_t errlen)
{
	const char *cur = modstr;
	const char *file = NULL;
	size_t file_len = 0;
	bool named = false;
	struct cmd_word w;

	memset(out, 0, sizeof(*out));
	out->mem = GUEST_MEM_DEFAULT;
	out->weight = GUEST_WEIGHT_DEFAULT;
	out->cap = 0;
	out->on_exit = GUEST_STOP;
	out->on_crash = GUEST_STOP;
	out->restarts = GUEST_RESTARTS_DEFAULT;
	out->args = "";
	if (err && errlen)
		err[0] = '\0';

	for (bool first = true; cmdline_next(&cur, &w); first = false) {
		char reason[WHY_MAX];

		if (first && cmdline_word_is_path(&w)) {
			file = w.key;
			file_len = w.key_len;
			continue;
		}
		if (cmdline_key_is(&w, "--") && !w.has_val) {
			out->args = cmdline_rest(cur);
			break;
		}
		if (guest_apply(&w, out, reason, sizeof(reason))) {
			if (cmdline_key_is(&w, "name"))
				named = true;
			continue;
		}
		if (reason[0])
			return errmsg(err, errlen, "%.*s: %s",
				    (int)w.text_len, w.text, reason);
		return errmsg(err, errlen, "unknown option '%.*s'",
			    (int)w.key_len, w.key);
	}

	if (!named && !file) {
		snprintf(out->name, sizeof(out->name), "guest%u", index);
	} else if (!named) {
		const char *s;
		size_t n;

		name_from_file(file, file_len, &s, &n);
		if (!guest_name_valid(s, n))
			return errmsg(err, errlen,
				    "file name '%.*s' gives no valid guest name "
				    "(1..%u of [A-Za-z0-9_-]): add name=",
				    (int)file_len, file, GUEST_NAME_MAX - 1);
		copy_slice(out->name, s, n);
	}

	/* The guest gets "name args" in one page: refuse what would not fit,
	 * rather than cut it. */
	size_t args_len = strlen(out->args);
	size_t line = strlen(out->name) + (args_len ? 1 + args_len : 0);
	if (line >= GUEST_CMDLINE_MAX)
		return errmsg(err, errlen,
			    "arguments after '--': %u bytes, and the guest's command line "
			    "(its name, a space and them) holds at most %u",
			    (unsigned)args_len, GUEST_CMDLINE_MAX - 1);
	return 0;
}
