/* Inside the runtime: the virtio 1.0 registers its drivers (blk.c,
 * net.c) program through vpci.c, by their section numbers. */
#ifndef RV_VPCI_H
#define RV_VPCI_H

#include "rv.h"

/* Common configuration registers (4.1.4.3). */
#define CC_DFSELECT     0x00
#define CC_DF           0x04
#define CC_GFSELECT     0x08
#define CC_GF           0x0C
#define CC_STATUS       0x14
#define CC_Q_SELECT     0x16
#define CC_Q_SIZE       0x18
#define CC_Q_ENABLE     0x1C
#define CC_Q_NOTIFY_OFF 0x1E
#define CC_Q_DESC       0x20
#define CC_Q_AVAIL      0x28
#define CC_Q_USED       0x30

/* Device status bits (2.1). */
#define S_ACK           1
#define S_DRIVER        2
#define S_DRIVER_OK     4
#define S_FEATURES_OK   8

/* A common configuration register of v. */
static inline uint32_t cc_read(struct rv_vpci *v, uint32_t reg, unsigned width)
{
	return rv_vpci_read(v, v->common + reg, width);
}

static inline void cc_write(struct rv_vpci *v, uint32_t reg, unsigned width, uint32_t val)
{
	rv_vpci_write(v, v->common + reg, width, val);
}

#endif
