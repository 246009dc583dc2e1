/*
 * virtio_regs: the register model of one virtio 1.x PCI function (modern
 * transport, virtio 1.2 section 4.1.4): the common configuration structure,
 * the ISR byte and the notify area, as the guest sees them.
 *
 * Pure state machine: no KVM, no sockets, no locks.  Every guest access
 * comes in as (offset, size, value); the model bound-checks it, updates its
 * state and answers with what the device must do next (reset the back end,
 * start it, re-route a vector, kick a queue).  pci_virtio.c performs those
 * actions.  It must never let a guest value reach an index or a size
 * unchecked, and never let the guest set a bit the device owns
 * (DEVICE_NEEDS_RESET) or clear one without a reset.
 */
#ifndef HYVE_VIRTIO_REGS_H
#define HYVE_VIRTIO_REGS_H

#include <stdbool.h>
#include <stdint.h>

#define VREGS_MAX_QUEUES	8	/* as devices/vu.h VU_MAX_QUEUES */
#define VREGS_NO_VECTOR		0xffff

/* device_status bits (virtio 1.2, 2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

/* ISR bits */
#define VIRTIO_ISR_QUEUE	0x1
#define VIRTIO_ISR_CONFIG	0x2

/* struct virtio_pci_common_cfg offsets (4.1.4.3) */
#define VCOMMON_DFSELECT	0x00
#define VCOMMON_DF		0x04
#define VCOMMON_GFSELECT	0x08
#define VCOMMON_GF		0x0c
#define VCOMMON_MSIX		0x10
#define VCOMMON_NUMQ		0x12
#define VCOMMON_STATUS		0x14
#define VCOMMON_CFGGEN		0x15
#define VCOMMON_Q_SELECT	0x16
#define VCOMMON_Q_SIZE		0x18
#define VCOMMON_Q_MSIX		0x1a
#define VCOMMON_Q_ENABLE	0x1c
#define VCOMMON_Q_NOFF		0x1e
#define VCOMMON_Q_DESCLO	0x20
#define VCOMMON_Q_DESCHI	0x24
#define VCOMMON_Q_AVAILLO	0x28
#define VCOMMON_Q_AVAILHI	0x2c
#define VCOMMON_Q_USEDLO	0x30
#define VCOMMON_Q_USEDHI	0x34
#define VCOMMON_Q_NDATA		0x38	/* 1.2, reads 0 */
#define VCOMMON_Q_RESET		0x3a	/* 1.2, reads 0 */
#define VCOMMON_SIZE		0x3c	/* what the common cap announces */

/* Notify area: queue q's doorbell is at q * VREGS_NOTIFY_MULT. */
#define VREGS_NOTIFY_MULT	4

/* Why a guest access was refused; one counter each. */
enum vregs_err {
	VREGS_ERR_ACCESS,	/* size/offset not a register, or read-only */
	VREGS_ERR_QSEL,		/* queue register with queue_select >= num */
	VREGS_ERR_QSIZE,	/* queue size 0, > max or not a power of 2 */
	VREGS_ERR_QLOCKED,	/* queue setup after enable or DRIVER_OK */
	VREGS_ERR_FEATURES,	/* features unoffered / without VERSION_1 */
	VREGS_ERR_STATUS,	/* status bit cleared, or out of order */
	VREGS_ERR_RING,		/* a ring misaligned at DRIVER_OK */
	VREGS_ERR_VECTOR,	/* MSI-X vector beyond the table */
	VREGS_ERR__COUNT
};

enum vregs_action {
	VREGS_ACT_NONE,
	VREGS_ACT_RESET,	/* status 0 written: stop and reset back end */
	VREGS_ACT_DRIVER_OK,	/* start the back end with the queues set up */
	VREGS_ACT_VECTOR,	/* a queue or the config vector changed */
	VREGS_ACT_NEEDS_RESET,	/* the device entered NEEDS_RESET: config irq */
	VREGS_ACT_KICK,		/* notify written for queue *arg */
};

struct vregs_queue {
	uint16_t max_size;
	uint16_t size;
	uint16_t msix_vector;
	bool enabled;
	uint64_t desc, driver, device;
};

struct vregs {
	/* fixed at init */
	uint64_t dev_features;
	uint16_t num_queues;
	uint16_t nvec;			/* MSI-X table size */
	/* guest state */
	uint32_t dfselect, gfselect;
	uint64_t drv_features;
	uint16_t config_msix_vector;
	uint8_t status;
	uint8_t config_generation;
	uint16_t queue_select;
	uint8_t isr;
	struct vregs_queue q[VREGS_MAX_QUEUES];
	uint64_t errors[VREGS_ERR__COUNT];
};

/* num_queues 1..VREGS_MAX_QUEUES, each max_size a power of two <= 32768.
 * -EINVAL otherwise. */
int vregs_init(struct vregs *r, uint64_t dev_features, uint16_t num_queues,
    uint16_t max_size, uint16_t nvec);
/* Back to the power-on state (keeps what init fixed). */
void vregs_reset(struct vregs *r);

/* Common configuration structure access at off (0..VCOMMON_SIZE). */
uint64_t vregs_common_read(const struct vregs *r, uint64_t off, int bytes);
enum vregs_action vregs_common_write(struct vregs *r, uint64_t off,
    int bytes, uint64_t val);

/* ISR: reading returns and clears it. */
uint8_t vregs_isr_read(struct vregs *r);

/* A write into the notify area: VREGS_ACT_KICK with *queue set when it
 * names an existing queue, else VREGS_ACT_NONE (counted). */
enum vregs_action vregs_notify_write(struct vregs *r, uint64_t off,
    int bytes, uint64_t val, unsigned int *queue);

/* The device decided it needs a reset (back end gone or broken): sets
 * NEEDS_RESET and the ISR config bit.  false if it already was. */
bool vregs_set_needs_reset(struct vregs *r);

/* Human-readable name of an error counter. */
const char *vregs_err_name(enum vregs_err e);

#endif
