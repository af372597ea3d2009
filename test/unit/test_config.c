/* Unit tests of core/config.c: the hypervisor's options with their warnings,
 * and each guest's module-string options with their errors. */
#include <core/config.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <stdio.h>
#include <string.h>
#include "harness.h"

/* Collects hv_config_parse() warnings. */
struct warnings {
	unsigned n;
	char msg[16][160];
};

static void collect(void *ctx, const char *msg)
{
	struct warnings *w = ctx;

	if (w->n < 16)
		snprintf(w->msg[w->n], sizeof(w->msg[0]), "%s", msg);
	w->n++;
}

static void hv_parse(const char *line, struct hv_config *c, struct warnings *w)
{
	memset(w, 0, sizeof(*w));
	memset(c, 0xA5, sizeof(*c));	/* defaults must be filled in */
	hv_config_parse(line, c, collect, w);
}

static void check_hv_defaults(const struct hv_config *c)
{
	CHECK_EQ(c->log_level, LOG_INFO);
	CHECK_EQ(c->timeslice_ns, TIMESLICE_NS_DEFAULT);
	CHECK(!c->exit_qemu);
	CHECK(c->console_serial && c->console_vga);
	CHECK_STR(c->fault, "");
	CHECK_EQ(c->drain_bps, 0);
	CHECK(!c->quiet);
}

static void hv_config_defaults(void)
{
	struct hv_config c;
	struct warnings w;

	hv_parse(NULL, &c, &w);
	check_hv_defaults(&c);
	hv_parse("", &c, &w);
	check_hv_defaults(&c);
	hv_parse("build/ringvisor.elf", &c, &w);
	check_hv_defaults(&c);
	CHECK_EQ(w.n, 0);
}

static void hv_config_all_options(void)
{
	struct hv_config c;
	struct warnings w;

	hv_parse("loglevel=debug timeslice=5ms exit=qemu console=serial "
		 "fault=gp drain=64K quiet", &c, &w);
	CHECK_EQ(w.n, 0);
	CHECK_EQ(c.log_level, LOG_DEBUG);
	CHECK_EQ(c.timeslice_ns, 5000000);
	CHECK(c.exit_qemu);
	CHECK(c.console_serial && !c.console_vga);
	CHECK_STR(c.fault, "gp");
	CHECK_EQ(c.drain_bps, 65536);
	CHECK(c.quiet);

	hv_parse("console=vga drain=0 loglevel=0", &c, &w);
	CHECK_EQ(w.n, 0);
	CHECK(!c.console_serial && c.console_vga);
	CHECK_EQ(c.drain_bps, 0);
	CHECK_EQ(c.log_level, LOG_ERROR);
}

static void hv_config_loglevels(void)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	struct hv_config c;
	struct warnings w;
	char line[32];

	for (int i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "loglevel=%d", i);
		hv_parse(line, &c, &w);
		CHECK_EQ(c.log_level, i);
		snprintf(line, sizeof(line), "loglevel=%s", names[i]);
		hv_parse(line, &c, &w);
		CHECK_EQ(c.log_level, i);
		CHECK_EQ(w.n, 0);
	}
	hv_parse("loglevel=4", &c, &w);
	CHECK_EQ(w.n, 1);
	CHECK_STR(w.msg[0], "loglevel=4: expected 0..3 or error|warn|info|debug");
	CHECK_EQ(c.log_level, LOG_INFO);
	hv_parse("loglevel=DEBUG", &c, &w);	/* names are lower case */
	CHECK_EQ(w.n, 1);
}

static void hv_config_timeslice_bounds(void)
{
	struct hv_config c;
	struct warnings w;

	hv_parse("timeslice=100us", &c, &w);
	CHECK_EQ(w.n, 0);
	CHECK_EQ(c.timeslice_ns, 100000);
	hv_parse("timeslice=1s", &c, &w);
	CHECK_EQ(w.n, 0);
	CHECK_EQ(c.timeslice_ns, 1000000000);
	hv_parse("timeslice=99999ns", &c, &w);
	CHECK_EQ(w.n, 1);
	CHECK_STR(w.msg[0], "timeslice=99999ns: outside 100us..1000ms");
	CHECK_EQ(c.timeslice_ns, TIMESLICE_NS_DEFAULT);
	hv_parse("timeslice=1001ms", &c, &w);
	CHECK_EQ(w.n, 1);
	hv_parse("timeslice=10", &c, &w);
	CHECK_EQ(w.n, 1);
	CHECK_STR(w.msg[0], "timeslice=10: not a duration (a number and ns|us|ms|s)");
}

static void hv_config_faults(void)
{
	static const struct { const char *v, *want; } t[] = {
		{ "none", "" }, { "null", "null" }, { "ud", "ud" }, { "gp", "gp" },
		{ "de", "de" }, { "df", "df" }, { "assert", "assert" },
		{ "panic", "panic" },
	};
	struct hv_config c;
	struct warnings w;
	char line[32];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(line, sizeof(line), "fault=%s", t[i].v);
		hv_parse(line, &c, &w);
		CHECK_EQ(w.n, 0);
		CHECK_STR(c.fault, t[i].want);
	}
	hv_parse("fault=pf", &c, &w);
	CHECK_EQ(w.n, 1);
	CHECK_STR(w.msg[0], "fault=pf: expected none|null|ud|gp|de|df|assert|panic");
	CHECK_STR(c.fault, "");
}

/* Every bad word is warned about, once, and the rest still apply. */
static void hv_config_warns_and_goes_on(void)
{
	struct hv_config c;
	struct warnings w;

	hv_parse("rv.elf foo timeslice=50us console=tty quiet=1 exit drain=x "
		 "exit=reboot other.elf loglevel=\"warn console=serial", &c, &w);
	CHECK_EQ(w.n, 9);
	CHECK_STR(w.msg[0], "unknown option 'foo'");
	CHECK_STR(w.msg[1], "timeslice=50us: outside 100us..1000ms");
	CHECK_STR(w.msg[2], "console=tty: expected serial|vga|both");
	CHECK_STR(w.msg[3], "quiet=1: takes no value");
	CHECK_STR(w.msg[4], "exit: needs a value");
	CHECK_STR(w.msg[5], "drain=x: not a byte rate");
	CHECK_STR(w.msg[6], "exit=reboot: expected qemu");
	CHECK_STR(w.msg[7], "unknown option 'other.elf'");
	CHECK_STR(w.msg[8], "loglevel=\"warn console=serial: unterminated or misplaced quote");
	check_hv_defaults(&c);

	/* No callback: the same line parses without one. */
	hv_config_parse("foo quiet", &c, NULL, NULL);
	CHECK(c.quiet);
}

static void hv_config_drain_limits(void)
{
	struct hv_config c;
	struct warnings w;

	hv_parse("drain=4294967295", &c, &w);
	CHECK_EQ(w.n, 0);
	CHECK_EQ(c.drain_bps, 4294967295u);
	hv_parse("drain=4G", &c, &w);
	CHECK_EQ(w.n, 1);
	CHECK_STR(w.msg[0], "drain=4G: above 4G bytes per second");
	CHECK_EQ(c.drain_bps, 0);
}

static void hv_config_monitor(void)
{
	struct hv_config c;
	struct warnings w;

	hv_parse("", &c, &w);
	CHECK(!c.monitor_com2);		/* off by default: COM2 has no authentication */
	hv_parse("monitor=com2", &c, &w);
	CHECK_EQ(w.n, 0);
	CHECK(c.monitor_com2);
	hv_parse("monitor=com2 monitor=off", &c, &w);
	CHECK(!c.monitor_com2);
	hv_parse("monitor=com1", &c, &w);
	CHECK_EQ(w.n, 1);
	CHECK_STR(w.msg[0], "monitor=com1: expected off|com2");
	CHECK(!c.monitor_com2);
}

/* --- guests ---------------------------------------------------------------- */

static int guest(const char *s, unsigned index, struct guest_config *g, char *err)
{
	memset(g, 0xA5, sizeof(*g));
	strcpy(err, "stale");
	return guest_config_parse(s, index, g, err, 160);
}

static void guest_config_defaults_from_file(void)
{
	struct guest_config g;
	char err[160];

	CHECK_EQ(guest("build/guests/hello.elf", 3, &g, err), 0);
	CHECK_STR(g.name, "hello");
	CHECK_EQ(g.mem, GUEST_MEM_DEFAULT);
	CHECK_EQ(g.weight, GUEST_WEIGHT_DEFAULT);
	CHECK_EQ(g.cap, 0);
	CHECK_EQ(g.on_exit, GUEST_STOP);
	CHECK_EQ(g.on_crash, GUEST_STOP);
	CHECK_STR(g.args, "");
	CHECK_STR(err, "");

	CHECK_EQ(guest("/abc/def/web_2", 0, &g, err), 0);
	CHECK_STR(g.name, "web_2");
	CHECK_EQ(guest("x.elf", 0, &g, err), 0);
	CHECK_STR(g.name, "x");
}

static void guest_config_default_name_without_file(void)
{
	struct guest_config g;
	char err[160];

	CHECK_EQ(guest("", 3, &g, err), 0);
	CHECK_STR(g.name, "guest3");
	CHECK_EQ(guest(NULL, 0, &g, err), 0);
	CHECK_STR(g.name, "guest0");
	CHECK_EQ(guest("mem=1M", 127, &g, err), 0);
	CHECK_STR(g.name, "guest127");
	CHECK_EQ(g.mem, 1u << 20);
	CHECK_EQ(guest("", 4294967295u, &g, err), 0);
	CHECK_STR(g.name, "guest4294967295");
}

static void guest_config_all_options(void)
{
	struct guest_config g;
	char err[160];

	CHECK_EQ(guest("a.elf name=web-1 mem=16M weight=500 cap=50 "
		       "on_exit=restart on_crash=restart --  console=hvc0  x=\"y\" ",
		       0, &g, err), 0);
	CHECK_STR(g.name, "web-1");
	CHECK_EQ(g.mem, 16u << 20);
	CHECK_EQ(g.weight, 500);
	CHECK_EQ(g.cap, 50);
	CHECK_EQ(g.on_exit, GUEST_RESTART);
	CHECK_EQ(g.on_crash, GUEST_RESTART);
	CHECK_STR(g.args, "console=hvc0  x=\"y\" ");

	/* After `--` nothing is an option, not even a bad one. */
	CHECK_EQ(guest("a.elf -- mem=3X foo", 0, &g, err), 0);
	CHECK_EQ(g.mem, GUEST_MEM_DEFAULT);
	CHECK_STR(g.args, "mem=3X foo");
	CHECK_EQ(guest("a.elf --", 0, &g, err), 0);
	CHECK_STR(g.args, "");
}

static void guest_config_mem(void)
{
	struct guest_config g;
	char err[160];

	CHECK_EQ(guest("a.elf mem=64K", 0, &g, err), 0);
	CHECK_EQ(g.mem, 64u << 10);
	CHECK_EQ(guest("a.elf mem=65537", 0, &g, err), 0);
	CHECK_EQ(g.mem, 69632);		/* rounded up to a page */
	CHECK_EQ(guest("a.elf mem=1G", 0, &g, err), 0);
	CHECK_EQ(g.mem, 1u << 30);
	CHECK_EQ(guest("a.elf mem=61441", 0, &g, err), 0);	/* rounds to 64K */
	CHECK_EQ(g.mem, 64u << 10);

	CHECK_EQ(guest("a.elf mem=3X", 0, &g, err), -1);
	CHECK_STR(err, "mem=3X: not a size");
	CHECK_EQ(guest("a.elf mem=60K", 0, &g, err), -1);
	CHECK_STR(err, "mem=60K: below the minimum 64 KiB");
	CHECK_EQ(guest("a.elf mem=0", 0, &g, err), -1);
	CHECK_STR(err, "mem=0: below the minimum 64 KiB");
	CHECK_EQ(guest("a.elf mem=1025M", 0, &g, err), -1);
	CHECK_STR(err, "mem=1025M: above the maximum 1024 MiB");
	CHECK_EQ(guest("a.elf mem=18446744073709551615", 0, &g, err), -1);
	CHECK_STR(err, "mem=18446744073709551615: above the maximum 1024 MiB");
	CHECK_EQ(guest("a.elf mem=", 0, &g, err), -1);
	CHECK_STR(err, "mem=: not a size");
	CHECK_EQ(guest("a.elf mem", 0, &g, err), -1);
	CHECK_STR(err, "mem: needs a value");
}

static void guest_config_names(void)
{
	struct guest_config g;
	char err[160];

	CHECK_EQ(guest("a.elf name=abcdefghijklmno", 0, &g, err), 0);
	CHECK_STR(g.name, "abcdefghijklmno");
	CHECK_EQ(guest("a.elf name=abcdefghijklmnop", 0, &g, err), -1);
	CHECK_STR(err, "name=abcdefghijklmnop: not 1..15 characters of [A-Za-z0-9_-]");
	CHECK_EQ(guest("a.elf name=a.b", 0, &g, err), -1);
	CHECK_EQ(guest("a.elf name=", 0, &g, err), -1);
	CHECK_EQ(guest("a.elf name=\"a b\"", 0, &g, err), -1);
	CHECK_STR(err, "name=\"a b\": not 1..15 characters of [A-Za-z0-9_-]");
	CHECK_EQ(guest("a.elf name=\"ab\"", 0, &g, err), 0);
	CHECK_STR(g.name, "ab");
	CHECK_EQ(guest("a.elf name=\"ab", 0, &g, err), -1);
	CHECK_STR(err, "name=\"ab: unterminated or misplaced quote");

	CHECK(guest_name_valid("A-z_09", 6));
	CHECK(!guest_name_valid("", 0));
	CHECK(!guest_name_valid("a/b", 3));
}

/* A file name that cannot be a guest name needs name=. */
static void guest_config_file_name_not_a_name(void)
{
	struct guest_config g;
	char err[160];

	CHECK_EQ(guest("guests/my.guest.elf", 0, &g, err), -1);
	CHECK_STR(err, "file name 'guests/my.guest.elf' gives no valid guest "
		  "name (1..15 of [A-Za-z0-9_-]): add name=");
	CHECK_EQ(guest("guests/my.guest.elf name=mine", 0, &g, err), 0);
	CHECK_STR(g.name, "mine");
	CHECK_EQ(guest("a_very_long_file_name.elf", 0, &g, err), -1);
	CHECK_EQ(guest("dir/", 0, &g, err), -1);
	CHECK_EQ(guest(".elf", 0, &g, err), -1);
}

static void guest_config_numbers(void)
{
	struct guest_config g;
	char err[160];

	CHECK_EQ(guest("a.elf weight=1 cap=100", 0, &g, err), 0);
	CHECK_EQ(g.weight, 1);
	CHECK_EQ(g.cap, 100);
	CHECK_EQ(guest("a.elf weight=1000 cap=0", 0, &g, err), 0);
	CHECK_EQ(g.weight, 1000);
	CHECK_EQ(g.cap, 0);
	CHECK_EQ(guest("a.elf weight=0", 0, &g, err), -1);
	CHECK_STR(err, "weight=0: outside 1..1000");
	CHECK_EQ(guest("a.elf weight=1001", 0, &g, err), -1);
	CHECK_STR(err, "weight=1001: outside 1..1000");
	CHECK_EQ(guest("a.elf weight=lots", 0, &g, err), -1);
	CHECK_STR(err, "weight=lots: not a number");
	CHECK_EQ(guest("a.elf cap=101", 0, &g, err), -1);
	CHECK_STR(err, "cap=101: outside 0..100");
	CHECK_EQ(guest("a.elf cap=50%", 0, &g, err), -1);
	CHECK_STR(err, "cap=50%: not a number");
}

static void guest_config_policies(void)
{
	struct guest_config g;
	char err[160];

	CHECK_EQ(guest("a.elf on_exit=restart", 0, &g, err), 0);
	CHECK_EQ(g.on_exit, GUEST_RESTART);
	CHECK_EQ(g.on_crash, GUEST_STOP);
	CHECK_EQ(guest("a.elf on_crash=restart on_crash=stop", 0, &g, err), 0);
	CHECK_EQ(g.on_crash, GUEST_STOP);	/* the last one wins */
	CHECK_EQ(guest("a.elf on_exit=reboot", 0, &g, err), -1);
	CHECK_STR(err, "on_exit=reboot: expected stop|restart");
	CHECK_EQ(guest("a.elf on_crash", 0, &g, err), -1);
	CHECK_STR(err, "on_crash: needs a value");
}

static void guest_config_net(void)
{
	struct guest_config g;
	char err[160];

	CHECK_EQ(guest("a.elf", 0, &g, err), 0);
	CHECK_EQ(g.nr_net, 0);
	CHECK_EQ(guest("a.elf net=lan net=lan net=b-2 net=c_3", 0, &g, err), 0);
	CHECK_EQ(g.nr_net, 4);
	CHECK_STR(g.net[0], "lan");
	CHECK_STR(g.net[1], "lan");		/* two ports on one segment */
	CHECK_STR(g.net[3], "c_3");
	CHECK_EQ(guest("a.elf net=a net=b net=c net=d net=e", 0, &g, err), -1);
	CHECK_STR(err, "net=e: more than 4 ports");
	CHECK_EQ(guest("a.elf net=a.b", 0, &g, err), -1);
	CHECK_STR(err, "net=a.b: not a segment name of 1..15 characters of [A-Za-z0-9_-]");
	CHECK_EQ(guest("a.elf net=0123456789abcdef", 0, &g, err), -1);
	CHECK_EQ(guest("a.elf net=", 0, &g, err), -1);
	CHECK_EQ(guest("a.elf net", 0, &g, err), -1);
	CHECK_STR(err, "net: needs a value");
}

static void guest_config_unknown_options(void)
{
	struct guest_config g;
	char err[160];

	CHECK_EQ(guest("a.elf foo=1", 0, &g, err), -1);
	CHECK_STR(err, "unknown option 'foo'");
	CHECK_EQ(guest("a.elf bar", 0, &g, err), -1);
	CHECK_STR(err, "unknown option 'bar'");
	/* Only the first word may be the file name. */
	CHECK_EQ(guest("a.elf b.elf", 0, &g, err), -1);
	CHECK_STR(err, "unknown option 'b.elf'");
	/* The first error is the one reported. */
	CHECK_EQ(guest("a.elf mem=1X foo", 0, &g, err), -1);
	CHECK_STR(err, "mem=1X: not a size");
}

static void guest_config_long_args(void)
{
	struct guest_config g;
	static char line[GUEST_CMDLINE_MAX + 64];
	char err[160];
	/* "x -- ARGS": the guest's line is "guest0 ARGS", 7 bytes and ARGS. */
	int n = snprintf(line, sizeof(line), "name=x -- ");
	size_t most = GUEST_CMDLINE_MAX - 1 - 2;	/* "x " */

	memset(line + n, 'a', most);
	line[n + most] = '\0';
	CHECK_EQ(guest(line, 0, &g, err), 0);
	CHECK_EQ(strlen(g.args), most);
	CHECK(g.args == line + n);		/* a slice, never a copy */
	line[n + most] = 'a';
	line[n + most + 1] = '\0';
	CHECK_EQ(guest(line, 0, &g, err), -1);
	CHECK_STR(err, "arguments after '--': 4094 bytes, and the guest's command "
		  "line (its name, a space and them) holds at most 4095");
	/* The default name counts too: "guest0 " is 7 bytes. */
	snprintf(line, sizeof(line), "-- ");
	memset(line + 3, 'a', GUEST_CMDLINE_MAX - 8);
	line[3 + GUEST_CMDLINE_MAX - 8] = '\0';
	CHECK_EQ(guest(line, 0, &g, err), 0);
	line[3 + GUEST_CMDLINE_MAX - 8] = 'a';
	line[3 + GUEST_CMDLINE_MAX - 7] = '\0';
	CHECK_EQ(guest(line, 0, &g, err), -1);
}

/* A long file name is named whole in the message; a message longer than
 * the caller's buffer ends in ERRMSG_CUT, never silently. */
static void guest_config_long_file_name(void)
{
	struct guest_config g;
	char file[301], line[400], err[400], small[40];

	memset(file, 'd', sizeof(file) - 1);
	file[0] = '/';
	memcpy(file + sizeof(file) - 10, "/bad!.elf", 10);
	snprintf(line, sizeof(line), "%s mem=2M", file);
	CHECK_EQ(guest_config_parse(line, 0, &g, err, sizeof(err)), -1);
	CHECK(strstr(err, file) != NULL);
	CHECK(strstr(err, ERRMSG_CUT) == NULL);
	CHECK_EQ(guest_config_parse(line, 0, &g, small, sizeof(small)), -1);
	CHECK_EQ(strlen(small), sizeof(small) - 1);
	CHECK_STR(small + sizeof(small) - 1 - strlen(ERRMSG_CUT), ERRMSG_CUT);
}

/* The error buffer may be small or absent: never overrun. */
static void guest_config_error_buffers(void)
{
	struct guest_config g;
	char small[8];

	memset(small, 'z', sizeof(small));
	CHECK_EQ(guest_config_parse("a.elf foo", 0, &g, small, 5), -1);
	CHECK_STR(small, "unkn");
	CHECK_EQ(small[5], 'z');
	CHECK_EQ(guest_config_parse("a.elf foo", 0, &g, NULL, 0), -1);
	CHECK_EQ(guest_config_parse("a.elf", 0, &g, NULL, 0), 0);
}

/* disk= and disk_rw=: several, in order, each with its mode; bounded. */
static void guest_config_disks(void)
{
	struct guest_config g;
	char err[160];

	CHECK_EQ(guest("a.elf disk=root.img disk_rw=/x/scratch.img disk=root.img", 0, &g, err), 0);
	CHECK_EQ(g.nr_disks, 3);
	CHECK_STR(g.disks[0].file, "root.img");
	CHECK_EQ(g.disks[0].writable, false);
	CHECK_STR(g.disks[1].file, "/x/scratch.img");
	CHECK_EQ(g.disks[1].writable, true);
	CHECK_EQ(g.disks[2].writable, false);
	CHECK_EQ(guest("a.elf", 0, &g, err), 0);
	CHECK_EQ(g.nr_disks, 0);
	CHECK_EQ(guest("a.elf disk=1 disk=2 disk_rw=3 disk=4 disk=5", 0, &g, err), -1);
	CHECK_STR(err, "disk=5: more than 4 disks (GUEST_DISKS_MAX)");
	CHECK_EQ(guest("a.elf disk=", 0, &g, err), -1);
	CHECK_STR(err, "disk=: needs a file name");
	CHECK_EQ(guest("a.elf disk_rw", 0, &g, err), -1);
	CHECK_STR(err, "disk_rw: needs a value");
}

const struct unit_case config_cases[] = {
	UNIT_CASE(hv_config_defaults),
	UNIT_CASE(hv_config_all_options),
	UNIT_CASE(hv_config_loglevels),
	UNIT_CASE(hv_config_timeslice_bounds),
	UNIT_CASE(hv_config_faults),
	UNIT_CASE(hv_config_warns_and_goes_on),
	UNIT_CASE(hv_config_drain_limits),
	UNIT_CASE(hv_config_monitor),
	UNIT_CASE(guest_config_defaults_from_file),
	UNIT_CASE(guest_config_default_name_without_file),
	UNIT_CASE(guest_config_all_options),
	UNIT_CASE(guest_config_mem),
	UNIT_CASE(guest_config_names),
	UNIT_CASE(guest_config_file_name_not_a_name),
	UNIT_CASE(guest_config_numbers),
	UNIT_CASE(guest_config_policies),
	UNIT_CASE(guest_config_net),
	UNIT_CASE(guest_config_unknown_options),
	UNIT_CASE(guest_config_long_args),
	UNIT_CASE(guest_config_long_file_name),
	UNIT_CASE(guest_config_error_buffers),
	UNIT_CASE(guest_config_disks),
	UNIT_END
};
