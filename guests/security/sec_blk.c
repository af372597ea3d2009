/* Security catalogue, the virtio-blk device: one attack on a disk's
 * request queue per module, named by the module's argument (after --).
 * Disk 0 is a read-only image shared by every case; blk_end_write
 * has a writable disk 1 of its own (test/test_security.py). A killing
 * case must end the guest with one exact reason (tools/security.py:
 * BLK_KILLS); one that survives prints "SURVIVED case" and exits 1. A
 * "no effect" case (BLK_NOEFFECT) checks the device's answer and that no
 * data moved, prints NOEFFECT and exits 0. The queue is the runtime's
 * (guests/rt/blk.c); only the chain each case builds differs. */
#include "tlib.h"

#define MEM_TOP   0x00200000u		/* every module runs with mem=2M */
#define R         1			/* NEXT, device-readable */
#define W         3			/* NEXT | WRITE */
#define W_END     2			/* WRITE, the chain's end */
#define R_END     0

static struct rv_blk ro, rw;
static struct { uint32_t type, reserved; uint64_t sector; } hdr;
static uint8_t status;
static uint8_t buf[1024], before[1024];

static void desc(struct rv_blk *b, unsigned i, const volatile void *p, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	b->desc[i] = (struct rv_vq_desc){ rv_gpa(p), len, flags, next };
}

/* A request of type at sector with a data buffer of len bytes (readable
 * or writable) and the status: the answer, or 0xFF if none came. */
static int ask(struct rv_blk *b, uint32_t type, uint64_t sector, uint32_t len, int writes)
{
	hdr.type = type;
	hdr.sector = sector;
	status = 0xFF;
	desc(b, 0, &hdr, 16, R, 1);
	desc(b, 1, buf, len, writes ? W : R, 2);
	desc(b, 2, &status, 1, W_END, 0);
	rv_blk_submit(b, 0);
	return status;
}

static int untouched(uint8_t fill)
{
	for (unsigned i = 0; i < sizeof(buf); i++)
		if (buf[i] != fill)
			return 0;
	return 1;
}

static int run_case(const char *c)
{
	if (rv_blk_open(&ro, 0)) {
		rv_printf("no disk 0\n");
		return 0;
	}
	uint64_t cap = ro.capacity;

	/* -- chains the device refuses: the guest is killed ------------------ */
	if (t_streq(c, "blk_loop")) {
		desc(&ro, 0, &hdr, 16, R, 1);
		desc(&ro, 1, buf, 512, W, 2);
		desc(&ro, 2, &status, 1, W, 1);		/* back to the data */
		rv_blk_submit(&ro, 0);
	} else if (t_streq(c, "blk_outside")) {
		desc(&ro, 0, &hdr, 16, R, 1);
		ro.desc[1] = (struct rv_vq_desc){ MEM_TOP, 512, W, 2 };
		desc(&ro, 2, &status, 1, W_END, 0);
		rv_blk_submit(&ro, 0);
	} else if (t_streq(c, "blk_short_hdr")) {
		desc(&ro, 0, &hdr, 8, R, 1);
		desc(&ro, 1, &status, 1, W_END, 0);
		rv_blk_submit(&ro, 0);
	} else if (t_streq(c, "blk_hdr_write")) {
		desc(&ro, 0, &hdr, 16, W, 1);
		desc(&ro, 1, &status, 1, W_END, 0);
		rv_blk_submit(&ro, 0);
	} else if (t_streq(c, "blk_self_write")) {
		/* a read into the descriptor table itself: descriptor 2, the
		 * status, becomes disk bytes 32-47 before the walk reaches it */
		desc(&ro, 0, &hdr, 16, R, 1);
		desc(&ro, 1, ro.desc, 512, W, 2);
		desc(&ro, 2, &status, 1, W_END, 0);
		hdr.type = 0;
		hdr.sector = 0;
		rv_blk_submit(&ro, 0);
	} else if (t_streq(c, "blk_status_ro")) {
		desc(&ro, 0, &hdr, 16, R, 1);
		desc(&ro, 1, &status, 1, R_END, 0);
		rv_blk_submit(&ro, 0);
	} else if (t_streq(c, "blk_read_after")) {
		desc(&ro, 0, &hdr, 16, R, 1);
		desc(&ro, 1, buf, 512, W, 2);
		desc(&ro, 2, &status, 1, R_END, 0);
		rv_blk_submit(&ro, 0);
	}
	/* -- requests answered with an error: nothing moves ------------------- */
	else if (t_streq(c, "blk_end_read")) {
		int ok = 1;
		uint64_t at[] = { cap, cap - 1, ~0ull, 1ull << 55 };
		for (unsigned i = 0; i < 4; i++) {
			memset(buf, 0xCC, sizeof(buf));
			int st = ask(&ro, 0, at[i], 1024, 1);	/* two sectors */
			if (st != RV_BLK_IOERR || !untouched(0xCC)) {
				rv_printf("sector %u: status %d\n", (unsigned)at[i], st);
				ok = 0;
			}
		}
		if (ok) {
			rv_printf("NOEFFECT %s\n", c);
			return 1;
		}
	} else if (t_streq(c, "blk_end_write")) {
		if (rv_blk_open(&rw, 1) || rw.readonly) {
			rv_printf("no writable disk 1\n");
			return 0;
		}
		int st0 = rv_blk_read(&rw, rw.capacity - 1, before, 1);
		memset(buf, 0x77, sizeof(buf));
		int st = ask(&rw, 1, rw.capacity - 1, 1024, 0);	/* across the end */
		int st2 = ask(&rw, 1, ~0ull, 512, 0);
		int st3 = rv_blk_read(&rw, rw.capacity - 1, buf, 1);
		if (st0 == RV_BLK_OK && st == RV_BLK_IOERR && st2 == RV_BLK_IOERR &&
		    st3 == RV_BLK_OK && !memcmp(buf, before, 512)) {
			rv_printf("NOEFFECT %s\n", c);
			return 1;
		}
		rv_printf("statuses %d %d %d %d\n", st0, st, st2, st3);
	} else if (t_streq(c, "blk_ro_write")) {
		int st0 = rv_blk_read(&ro, 1, before, 2);
		memset(buf, 0x55, sizeof(buf));
		int st = ask(&ro, 1, 1, 1024, 0);
		int st2 = rv_blk_read(&ro, 1, buf, 2);
		if (st0 == RV_BLK_OK && st == RV_BLK_IOERR && st2 == RV_BLK_OK &&
		    !memcmp(buf, before, 1024)) {
			rv_printf("NOEFFECT %s\n", c);
			return 1;
		}
		rv_printf("statuses %d %d %d\n", st0, st, st2);
	} else if (t_streq(c, "blk_unsupported")) {
		memset(buf, 0xCC, sizeof(buf));
		int a = ask(&ro, 4, 0, 512, 1), b = ask(&ro, 0xFFFFFFFFu, 0, 512, 1);
		if (a == RV_BLK_UNSUPP && b == RV_BLK_UNSUPP && untouched(0xCC)) {
			rv_printf("NOEFFECT %s\n", c);
			return 1;
		}
		rv_printf("statuses %d %d\n", a, b);
	} else if (t_streq(c, "blk_bad_length")) {
		memset(buf, 0xCC, sizeof(buf));
		int st = ask(&ro, 0, 0, 100, 1);
		if (st == RV_BLK_IOERR && untouched(0xCC)) {
			rv_printf("NOEFFECT %s\n", c);
			return 1;
		}
		rv_printf("status %d\n", st);
	} else {
		rv_printf("unknown case '%s'\n", c);
		return 0;
	}
	rv_printf("SURVIVED %s\n", c);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		rv_printf("usage: sec_blk -- CASE\n");
		return 2;
	}
	return run_case(argv[1]) ? 0 : 1;
}
