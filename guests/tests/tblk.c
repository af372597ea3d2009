/* Test guest: virtio-blk disks through the runtime's driver (guests/rt/
 * blk.c). Disk 0 is a read-only image, disk 1 a writable one, both made
 * by test/test_disks.py with the pattern below and a size that is not a
 * multiple of 512 (IMAGE_BYTES). Its arguments name the cases to run (all
 * by default); "restart" is a mode of its own: the first sector is the
 * module's again after a restart, whatever the last run wrote. */
#include "tlib.h"

#define IMAGE_BYTES   (64 * 1024 + 100)	/* test/test_disks.py: IMAGE_BYTES */
#define SECTORS       (IMAGE_BYTES / 512)
#define CHUNK         8			/* sectors per read */

static struct rv_blk ro, rw;
static uint8_t buf[CHUNK * 512] __attribute__((aligned(16)));
static uint8_t hdr[16], status;

/* Byte k of both images (test/test_disks.py: image_bytes). */
static uint8_t pattern(uint32_t k)
{
	return (uint8_t)(k * 7 + (k >> 9));
}

/* The first difference from the pattern in n bytes at disk offset off,
 * or -1. */
static long differs(const uint8_t *p, uint32_t off, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i] != pattern(off + i))
			return (long)(off + i);
	return -1;
}

TEST(open_ro)
{
	CHECK(rv_blk_open(&ro, 0) == 0, "no disk 0");
	CHECK(ro.readonly, "disk 0 does not offer VIRTIO_BLK_F_RO");
	CHECK(ro.capacity == SECTORS, "capacity %u sectors, expected %u (rounded down)",
	      (unsigned)ro.capacity, SECTORS);
}

TEST(read_known)
{
	for (uint32_t s = 0; s < SECTORS; s += CHUNK) {
		uint32_t n = SECTORS - s < CHUNK ? SECTORS - s : CHUNK;
		memset(buf, 0, sizeof(buf));
		int st = rv_blk_read(&ro, s, buf, n);
		CHECK(st == RV_BLK_OK, "read of sector %u: status %d", (unsigned)s, st);
		long at = differs(buf, s * 512, n * 512);
		CHECK(at < 0, "byte %ld differs from the image", at);
	}
}

/* A read whose header, data and status are cut into descriptors every
 * which way: header 5 + 11 bytes, data 100 + 412 + 511 bytes, the status
 * sharing the last data descriptor (virtio 1.0, 2.4.4). */
TEST(any_layout)
{
	struct { uint32_t type, reserved; uint64_t sector; } h = { 0, 0, 3 };
	memcpy(hdr, &h, sizeof(h));
	memset(buf, 0, sizeof(buf));
	status = 0xFF;
	ro.desc[0] = (struct rv_vq_desc){ rv_gpa(hdr), 5, 1, 1 };
	ro.desc[1] = (struct rv_vq_desc){ rv_gpa(hdr + 5), 11, 1, 2 };
	ro.desc[2] = (struct rv_vq_desc){ rv_gpa(buf), 100, 3, 3 };
	ro.desc[3] = (struct rv_vq_desc){ rv_gpa(buf + 100), 412, 3, 4 };
	ro.desc[4] = (struct rv_vq_desc){ rv_gpa(buf + 512), 512 + 1, 2, 0 };
	uint32_t len = rv_blk_submit(&ro, 0);
	/* data: 100 + 412 + 512 = 1024 bytes, 2 sectors; the status at buf[1024] */
	CHECK(buf[1024] == RV_BLK_OK, "status %u", buf[1024]);
	CHECK(len == 1025, "used length %u, expected 1025", (unsigned)len);
	long at = differs(buf, 3 * 512, 1024);
	CHECK(at < 0, "byte %ld differs from the image", at);
}

TEST(get_id)
{
	char id[RV_BLK_ID_LEN + 1];
	int st = rv_blk_get_id(&ro, id);
	CHECK(st == RV_BLK_OK, "status %d", st);
	CHECK(t_streq(id, "tblk.0"), "id '%s', expected 'tblk.0'", id);
}

TEST(ro_write_refused)
{
	memset(buf, 0xAA, 512);
	int st = rv_blk_write(&ro, 2, buf, 1);
	CHECK(st == RV_BLK_IOERR, "write to the read-only disk: status %d", st);
	CHECK(rv_blk_read(&ro, 2, buf, 1) == RV_BLK_OK, "read back failed");
	CHECK(differs(buf, 2 * 512, 512) < 0, "the read-only disk changed");
}

TEST(past_end)
{
	int st = rv_blk_read(&ro, SECTORS, buf, 1);
	CHECK(st == RV_BLK_IOERR, "read at the capacity: status %d", st);
	st = rv_blk_read(&ro, SECTORS - 1, buf, 2);
	CHECK(st == RV_BLK_IOERR, "read across the end: status %d", st);
	st = rv_blk_read(&ro, ~0ull, buf, 1);
	CHECK(st == RV_BLK_IOERR, "read at sector 2^64-1: status %d", st);
	st = rv_blk_read(&ro, SECTORS - 1, buf, 1);
	CHECK(st == RV_BLK_OK, "the last whole sector: status %d", st);
}

TEST(unsupported)
{
	struct { uint32_t type, reserved; uint64_t sector; } h = { 4, 0, 0 };	/* FLUSH */
	memcpy(hdr, &h, sizeof(h));
	status = 0xFF;
	ro.desc[0] = (struct rv_vq_desc){ rv_gpa(hdr), 16, 1, 1 };
	ro.desc[1] = (struct rv_vq_desc){ rv_gpa(&status), 1, 2, 0 };
	rv_blk_submit(&ro, 0);
	CHECK(status == RV_BLK_UNSUPP, "FLUSH (not offered): status %u", status);
	h.type = 99;
	memcpy(hdr, &h, sizeof(h));
	rv_blk_submit(&ro, 0);
	CHECK(status == RV_BLK_UNSUPP, "type 99: status %u", status);
}

TEST(partial_sector)
{
	int st = rv_blk_read(&ro, 0, buf, 0);
	CHECK(st == RV_BLK_OK, "a read of no data: status %d", st);
	struct { uint32_t type, reserved; uint64_t sector; } h = { 0, 0, 0 };
	memcpy(hdr, &h, sizeof(h));
	status = 0xFF;
	ro.desc[0] = (struct rv_vq_desc){ rv_gpa(hdr), 16, 1, 1 };
	ro.desc[1] = (struct rv_vq_desc){ rv_gpa(buf), 100, 3, 2 };
	ro.desc[2] = (struct rv_vq_desc){ rv_gpa(&status), 1, 2, 0 };
	rv_blk_submit(&ro, 0);
	CHECK(status == RV_BLK_IOERR, "100 bytes of data: status %u", status);
}

TEST(open_rw)
{
	CHECK(rv_blk_open(&rw, 1) == 0, "no disk 1");
	CHECK(!rw.readonly, "disk 1 offers VIRTIO_BLK_F_RO");
	CHECK(rw.capacity == SECTORS, "capacity %u", (unsigned)rw.capacity);
}

/* Sectors 7 and 8 straddle the image's first page boundary (4 KiB). */
TEST(write_read_back)
{
	for (unsigned i = 0; i < 1024; i++)
		buf[i] = (uint8_t)(i * 13 + 1);
	int st = rv_blk_write(&rw, 7, buf, 2);
	CHECK(st == RV_BLK_OK, "write: status %d", st);
	memset(buf, 0, sizeof(buf));
	st = rv_blk_read(&rw, 6, buf, 4);
	CHECK(st == RV_BLK_OK, "read back: status %d", st);
	for (unsigned i = 0; i < 1024; i++)
		CHECK(buf[512 + i] == (uint8_t)(i * 13 + 1), "byte %u of the write not read back", i);
	CHECK(differs(buf, 6 * 512, 512) < 0, "sector 6 changed");
	CHECK(differs(buf + 1536, 9 * 512, 512) < 0, "sector 9 changed");
	/* The last sector: the image's partial last page. */
	memset(buf, 0x5A, 512);
	CHECK(rv_blk_write(&rw, SECTORS - 1, buf, 1) == RV_BLK_OK, "write of the last sector");
	memset(buf, 0, 512);
	CHECK(rv_blk_read(&rw, SECTORS - 1, buf, 1) == RV_BLK_OK && buf[0] == 0x5A &&
	      buf[511] == 0x5A, "last sector not read back");
	st = rv_blk_write(&rw, SECTORS, buf, 1);
	CHECK(st == RV_BLK_IOERR, "write past the end: status %d", st);
}

/* The read-only image is the module itself: the writes to disk 1 (another
 * module) never reach it. */
TEST(ro_untouched)
{
	CHECK(rv_blk_read(&ro, 7, buf, 2) == RV_BLK_OK, "read failed");
	CHECK(differs(buf, 7 * 512, 1024) < 0, "the read-only disk changed");
}

/* "restart": the writable disk starts from its module at every start.
 * Its first and last sectors are checked, then written: on a disk of more
 * than 4 MiB the copy then goes back in more than one piece. */
static int restart_mode(void)
{
	uint64_t last;

	if (rv_blk_open(&rw, 0) || rw.readonly)
		return 2;
	last = rw.capacity - 1;
	if (rv_blk_read(&rw, 0, buf, 1) != RV_BLK_OK ||
	    rv_blk_read(&rw, last, buf + 512, 1) != RV_BLK_OK)
		return 3;
	rv_printf("restart: sectors 0 and %u are %s\n", (unsigned)last,
		  differs(buf, 0, 512) < 0 && differs(buf + 512, (uint32_t)last * 512, 512) < 0 ?
		  "the module's" : "changed");
	memset(buf, 0xEE, 1024);
	if (rv_blk_write(&rw, 0, buf, 1) != RV_BLK_OK || rv_blk_write(&rw, last, buf, 1) ||
	    rv_blk_read(&rw, last, buf + 512, 1) || buf[512] != 0xEE)
		return 4;
	rv_printf("restart: written\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && t_streq(argv[1], "restart"))
		return restart_mode();
	return t_run_all(argc, argv);
}
