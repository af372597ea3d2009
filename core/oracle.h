/* Oracles that do not trust the guests: a snapshot of what no guest may
 * change, taken before the guests start and compared after they end, and
 * guard frames around every guest's memory. */
#ifndef RV_ORACLE_H
#define RV_ORACLE_H

#include <mm/frame.h>
#include <types.h>

/* The check of one ended guest's frames, done in bounded pieces. */
struct oracle_frames {
	const char *guest;
	uint32_t expect_free;
	uint32_t count;		/* the running count when the check began */
	struct frame_scan scan;
};

/* oracle.c */
void oracle_snapshot(void);
void oracle_guard_fill(uint32_t pa);
bool oracle_guard_check(uint32_t pa, const char *guest, const char *where);
void oracle_check_guest(const char *guest);
void oracle_frames_begin(struct oracle_frames *c, const char *guest, uint32_t expect_free);
bool oracle_frames_step(struct oracle_frames *c);
unsigned oracle_check(void);

#endif
