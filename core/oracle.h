/* Oracles that do not trust the guests: a snapshot of what no guest may
 * change, taken before the guests start and compared after they end, and
 * guard frames around every guest's memory. */
#ifndef RV_ORACLE_H
#define RV_ORACLE_H

#include <types.h>

/* oracle.c */
void oracle_snapshot(void);
void oracle_guard_fill(uint32_t pa);
bool oracle_guard_check(uint32_t pa, const char *guest, const char *where);
void oracle_check_guest(const char *guest);
void oracle_check_frames(const char *guest, uint32_t expect_free);
unsigned oracle_check(void);

#endif
