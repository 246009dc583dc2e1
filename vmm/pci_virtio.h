/*
 * pci_virtio: virtio 1.x PCI devices (virtio-blk, virtio-net, virtio-rnd)
 * whose back ends are helper processes driven over vhost-user.
 *
 * hyve is the vhost-user front end: it models the guest-visible PCI
 * transport (modern capabilities in one memory BAR, MSI-X) and, when the
 * driver says DRIVER_OK, hands the helper guest RAM (the memfd), the rings'
 * addresses and two eventfds per queue.  Guest kicks reach the helper
 * through KVM_IOEVENTFD and the helper interrupts the guest through
 * KVM_IRQFD on a GSI routed to the queue's MSI-X vector: the data path
 * never passes through hyve.
 *
 * Configuration (bhyve's keys, pci.B.S.F.*):
 *   device=virtio-rnd|virtio-blk|virtio-net
 *   virtio-blk: path (file, block device or fd:N), ro, nocache, direct,
 *               sectorsize, ser
 *   virtio-net: backend (tap name or fd:N), mac, mtu
 *   sock=fd:N   an already connected back end (hyve-jail started it): hyve
 *               does not spawn one, and path/backend are not opened.
 * Without sock, hyve starts the helper itself (vmm/virtio_helper.h).
 *
 * A helper that dies or breaks the protocol does not stop the VM: hyve
 * prints which device it was, sets DEVICE_NEEDS_RESET, raises the config
 * interrupt, and the device stays unusable until the VM restarts.
 */
#ifndef HYVE_PCI_VIRTIO_H
#define HYVE_PCI_VIRTIO_H

#include <stdint.h>

#include "vmm/pci.h"

/* The memory BAR holding the virtio structures, and its layout. */
#define VPCI_BAR		4
#define VPCI_MSIX_BAR		1
#define VPCI_BAR_SIZE		0x4000
#define VPCI_COMMON_OFF		0x0000
#define VPCI_ISR_OFF		0x1000
#define VPCI_DEVCFG_OFF		0x2000
#define VPCI_NOTIFY_OFF		0x3000
#define VPCI_REGION_SIZE	0x1000

/* virtio PCI capability cfg_type (4.1.4) */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE_BASE	0x1040

/* Milliseconds a helper gets to answer one vhost-user request. */
#define VPCI_VU_TIMEOUT_MS	5000

struct vpci_dev;

/* Counters of one device, for tests and statistics. */
struct vpci_stats {
	uint64_t guest_errors;		/* refused guest register writes */
	uint64_t trapped_kicks;		/* notify writes that exited to hyve */
	uint64_t relayed_irqs;		/* call eventfds hyve forwarded */
	uint64_t ring_errors;		/* helper said a ring broke */
	int dead;			/* the back end is gone */
	int helper_pid;			/* 0: not started by hyve */
	uint8_t status;			/* device_status */
};

int vpci_get_stats(struct pci_devinst *pi, struct vpci_stats *st);

/* The device's line of `hyvectl stats`, safe on the control thread (no
 * lock taken): -ENODEV when pi is not one of these virtio devices. */
struct ctl_dev_stats;
int vpci_dev_stats(struct pci_devinst *pi, struct ctl_dev_stats *st);

#endif
