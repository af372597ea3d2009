/* The runtime's virtio-blk driver (SDK): finds the guest's disks on its
 * PCI bus and sets each up through vpci.c's transport, and reads and
 * writes sectors one request at a time on a polled queue (INTx disabled,
 * no interrupt asked for). docs/writing-a-guest.md and docs/disks.md. */
#include "vpci.h"

#define PCI_COMMAND         0x04
#define CMD_MASTER          0x0004
#define CMD_INTX_DISABLE    0x0400
#define VIRTIO_BLK_TYPE     2

#define F_RO                5
#define F_VERSION_1         32

#define T_IN                0
#define T_OUT               1
#define T_GET_ID            8

static void cc_write64(struct rv_blk *b, uint32_t reg, uint32_t addr)
{
	cc_write(&b->pci, reg, 4, addr);
	cc_write(&b->pci, reg + 4, 4, 0);
}

int rv_blk_open(struct rv_blk *b, unsigned n)
{
	memset(b, 0, sizeof(*b));
	if (rv_vpci_find(&b->pci, VIRTIO_BLK_TYPE, n))
		return -1;
	/* Polled: INTx off, so no interrupt reaches the runtime. */
	rv_pci_write(b->pci.slot, PCI_COMMAND, 2, CMD_MASTER | CMD_INTX_DISABLE);
	cc_write(&b->pci, CC_STATUS, 1, 0);
	cc_write(&b->pci, CC_STATUS, 1, S_ACK | S_DRIVER);
	cc_write(&b->pci, CC_DFSELECT, 4, 0);
	uint32_t lo = cc_read(&b->pci, CC_DF, 4);
	cc_write(&b->pci, CC_DFSELECT, 4, 1);
	uint32_t hi = cc_read(&b->pci, CC_DF, 4);
	if (!(hi & 1u << (F_VERSION_1 - 32)))
		return -1;
	b->readonly = (lo >> F_RO) & 1;
	cc_write(&b->pci, CC_GFSELECT, 4, 0);
	cc_write(&b->pci, CC_GF, 4, lo & 1u << F_RO);
	cc_write(&b->pci, CC_GFSELECT, 4, 1);
	cc_write(&b->pci, CC_GF, 4, 1u << (F_VERSION_1 - 32));
	cc_write(&b->pci, CC_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (!(cc_read(&b->pci, CC_STATUS, 1) & S_FEATURES_OK))
		return -1;
	cc_write(&b->pci, CC_Q_SELECT, 2, 0);
	cc_write(&b->pci, CC_Q_SIZE, 2, RV_BLK_QSIZE);
	cc_write64(b, CC_Q_DESC, rv_gpa(b->desc));
	cc_write64(b, CC_Q_AVAIL, rv_gpa(&b->avail));
	cc_write64(b, CC_Q_USED, rv_gpa(&b->used));
	b->notify_at = b->pci.notify + cc_read(&b->pci, CC_Q_NOTIFY_OFF, 2) * b->pci.notify_mult;
	b->avail.flags = 1;		/* VIRTQ_AVAIL_F_NO_INTERRUPT */
	cc_write(&b->pci, CC_Q_ENABLE, 2, 1);
	cc_write(&b->pci, CC_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	b->capacity = rv_vpci_read(&b->pci, b->pci.device, 4) |
		      (uint64_t)rv_vpci_read(&b->pci, b->pci.device + 4, 4) << 32;
	return 0;
}

uint32_t rv_blk_submit(struct rv_blk *b, uint16_t head)
{
	uint16_t idx = b->avail.idx;

	b->avail.ring[idx % RV_BLK_QSIZE] = head;
	rv_barrier();
	b->avail.idx = idx + 1;
	rv_barrier();
	rv_vpci_write(&b->pci, b->notify_at, 2, 0);
	/* The hypervisor serves the queue before the guest runs again; the
	 * loop only guards against a slower device. */
	while (b->used.idx == b->used_seen)
		rv_barrier();
	uint32_t len = b->used.ring[b->used_seen % RV_BLK_QSIZE].len;
	b->used_seen++;
	return len;
}

/* One request: the header, one data buffer (none if len is 0) and the
 * status byte, in three descriptors. Returns the status. */
static int request(struct rv_blk *b, uint32_t type, uint64_t sector, const void *buf,
		   uint32_t len, int device_writes)
{
	unsigned n = 0;

	b->hdr.type = type;
	b->hdr.reserved = 0;
	b->hdr.sector = sector;
	b->status = 0xFF;
	b->desc[n] = (struct rv_vq_desc){ rv_gpa(&b->hdr), sizeof(b->hdr), 1, 1 };
	n++;
	if (len) {
		b->desc[n] = (struct rv_vq_desc){ rv_gpa(buf), len,
						  1 | (device_writes ? 2 : 0), 2 };
		n++;
	}
	b->desc[n] = (struct rv_vq_desc){ rv_gpa(&b->status), 1, 2, 0 };
	rv_blk_submit(b, 0);
	return b->status;
}

int rv_blk_read(struct rv_blk *b, uint64_t sector, void *buf, uint32_t count)
{
	return request(b, T_IN, sector, buf, count * RV_BLK_SECTOR, 1);
}

int rv_blk_write(struct rv_blk *b, uint64_t sector, const void *buf, uint32_t count)
{
	return request(b, T_OUT, sector, buf, count * RV_BLK_SECTOR, 0);
}

int rv_blk_get_id(struct rv_blk *b, char id[RV_BLK_ID_LEN + 1])
{
	memset(id, 0, RV_BLK_ID_LEN + 1);
	return request(b, T_GET_ID, 0, id, RV_BLK_ID_LEN, 1);
}
