/* Inside dev/: the PCI configuration header's registers (PCI Local Bus
 * 3.0, 6.1) and the guest's bus, which dev.c owns. */
#ifndef RV_DEV_PCI_H
#define RV_DEV_PCI_H

#include <dev/virtio.h>
#include <types.h>

#define PCI_VENDOR_ID            0x00
#define PCI_COMMAND              0x04
#define PCI_CLASS_REVISION       0x08
#define PCI_HEADER_TYPE_DWORD    0x0C
#define PCI_BAR0                 0x10
#define PCI_SUBSYSTEM_VENDOR_ID  0x2C
#define PCI_CAPABILITY_LIST      0x34
#define PCI_INTERRUPT_LINE       0x3C
#define PCI_CONFIG_SIZE          256

#define PCI_COMMAND_MEMORY       0x0002
#define PCI_COMMAND_MASTER       0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_COMMAND_WRITABLE     (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
				  PCI_COMMAND_INTX_DISABLE)
#define PCI_STATUS_CAP_LIST      0x0010
#define PCI_INTERRUPT_PIN_INTA   1

/* Configuration mechanism #1: the address latch and the data window. */
#define PCI_CONFIG_ADDRESS       0xCF8
#define PCI_CONFIG_DATA          0xCFC
#define PCI_CONFIG_ENABLE        0x80000000u

/* The devices on bus 0: slot 0 is the host bridge; the virtio devices
 * follow from slot 1, the console first (Linux 4.9's lguest code looks for
 * it there). */
#define PCI_SLOT_HOST_BRIDGE     0
#define PCI_SLOT_FIRST_DEVICE    1

/* dev.c */
bool pci_bar_taken(struct guest *g, const struct vdev *self, uint32_t base);

#endif
