/* The monitor: the operator's commands while the guests run, at the
 * `ringvisor>` prompt on the console and, with monitor=com2, on COM2. */
#ifndef RV_MONITOR_H
#define RV_MONITOR_H

#include <param.h>
#include <types.h>

/* The console's escape that opens the prompt: Ctrl-] (GS), telnet's and
 * virsh console's escape, which no shell or editor binds by default. */
#define MONITOR_ESCAPE 0x1D

/* What one step of a command's work did (monitor.c runs a step per pass
 * of the run loop, so a long reply never holds up the guests). */
enum monitor_step {
	STEP_MORE,		/* more to do at once */
	STEP_WAIT,		/* more to do later: an event wakes the loop */
	STEP_DONE,
};

struct monitor_channel;

/* A command's work in progress, one line of output per step. */
struct monitor_job {
	enum monitor_step (*step)(struct monitor_channel *c);
	unsigned i;		/* rows done */
	unsigned n;		/* a command's own count (top: refreshes) */
	uint64_t due_ns;	/* STEP_WAIT: when to go on */
	bool stops_on_key;	/* any byte on its channel ends it (top, dump) */
};

/* The console (a person) or COM2 (a script): where the words come from and
 * how replies are written. */
struct monitor_channel {
	bool script;		/* COM2: no prompt, no echo; key=value replies */
	bool open;		/* the console's prompt is open */
	char line[MONITOR_LINE_MAX + 1];	/* being typed */
	uint32_t len;
	bool too_long;		/* bytes beyond MONITOR_LINE_MAX were typed */
	int bad_byte;		/* the first byte no command holds, or -1 */
	bool entered;		/* `cmd` waits to run */
	char cmd[MONITOR_LINE_MAX + 1];
	bool cmd_too_long;
	int cmd_bad_byte;
	bool key;		/* a byte came for a job that stops on a key */
	struct monitor_job job;
};

/* monitor.c */
void monitor_init(void);
void monitor_say(struct monitor_channel *c, const char *fmt, ...) __printf(2, 3);
void monitor_ok(struct monitor_channel *c, const char *cmd, const char *kv,
		const char *human);
void monitor_error(struct monitor_channel *c, const char *fmt, ...) __printf(2, 3);
void monitor_wake_at(uint64_t ns);
void monitor_prompt_close(struct monitor_channel *c);

/* monitor_cmd.c: run the command in c->cmd; it replies at once or
 * leaves a job in c->job. */
void monitor_command(struct monitor_channel *c, char **words, unsigned n);

/* monitor_table.c: list's and top's steps; the CPU sampling, from the
 * poll hook. */
enum monitor_step monitor_list_step(struct monitor_channel *c);
enum monitor_step monitor_top_step(struct monitor_channel *c);
void monitor_sample(void);

#endif
