/*
 * virtio_regs: the guest-visible register model of a virtio 1.x PCI
 * function (common configuration, ISR, notify area).
 *
 * Every write must hit exactly one register with its own width (or one
 * 32-bit half of a 64-bit one); anything else is ignored and counted, so a
 * guest can never write one field through another.  Queue registers obey
 * queue_select, which is checked against num_queues on every access.  The
 * status byte only grows until the guest writes 0, and the steps that need
 * checks (FEATURES_OK, DRIVER_OK) are refused when their preconditions do
 * not hold.  Never touches anything but the struct it is given.
 */
#include "vmm/virtio_regs.h"

#include <errno.h>
#include <string.h>

#define VIRTIO_F_VERSION_1_BIT	32

static const char *const vregs_err_names[VREGS_ERR__COUNT] = {
	[VREGS_ERR_ACCESS] = "bad-access",
	[VREGS_ERR_QSEL] = "queue-select",
	[VREGS_ERR_QSIZE] = "queue-size",
	[VREGS_ERR_QLOCKED] = "queue-locked",
	[VREGS_ERR_FEATURES] = "features",
	[VREGS_ERR_STATUS] = "status",
	[VREGS_ERR_RING] = "ring-align",
	[VREGS_ERR_VECTOR] = "msix-vector",
};

const char *vregs_err_name(enum vregs_err e)
{
	if ((unsigned int)e >= VREGS_ERR__COUNT)
		return "unknown";
	return vregs_err_names[e];
}

static enum vregs_action refuse(struct vregs *r, enum vregs_err why)
{
	r->errors[why]++;
	return VREGS_ACT_NONE;
}

int vregs_init(struct vregs *r, uint64_t dev_features, uint16_t num_queues,
    uint16_t max_size, uint16_t nvec)
{
	unsigned int i;

	if (num_queues == 0 || num_queues > VREGS_MAX_QUEUES ||
	    max_size == 0 || max_size > 32768 ||
	    (max_size & (max_size - 1)) != 0)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->dev_features = dev_features;
	r->num_queues = num_queues;
	r->nvec = nvec;
	for (i = 0; i < num_queues; i++)
		r->q[i].max_size = max_size;
	vregs_reset(r);
	return 0;
}

void vregs_reset(struct vregs *r)
{
	unsigned int i;

	r->dfselect = r->gfselect = 0;
	r->drv_features = 0;
	r->config_msix_vector = VREGS_NO_VECTOR;
	r->status = 0;
	r->queue_select = 0;
	r->isr = 0;
	for (i = 0; i < VREGS_MAX_QUEUES; i++) {
		struct vregs_queue *q = &r->q[i];

		q->size = q->max_size;
		q->msix_vector = VREGS_NO_VECTOR;
		q->enabled = false;
		q->desc = q->driver = q->device = 0;
	}
	/* config_generation survives: a driver compares it across reads. */
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)v);
	put16(b + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b + 4, (uint32_t)(v >> 32));
}

/* The selected queue, or NULL when queue_select names none. */
static const struct vregs_queue *selq(const struct vregs *r)
{
	return r->queue_select < r->num_queues ? &r->q[r->queue_select] :
	    NULL;
}

uint64_t vregs_common_read(const struct vregs *r, uint64_t off, int bytes)
{
	uint8_t img[VCOMMON_SIZE];
	const struct vregs_queue *q = selq(r);
	uint64_t v = 0;
	int i;

	if ((bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8) ||
	    off >= VCOMMON_SIZE || (uint64_t)bytes > VCOMMON_SIZE - off)
		return 0;
	memset(img, 0, sizeof(img));
	put32(img + VCOMMON_DFSELECT, r->dfselect);
	put32(img + VCOMMON_DF, r->dfselect < 2 ?
	    (uint32_t)(r->dev_features >> (32 * r->dfselect)) : 0);
	put32(img + VCOMMON_GFSELECT, r->gfselect);
	put32(img + VCOMMON_GF, r->gfselect < 2 ?
	    (uint32_t)(r->drv_features >> (32 * r->gfselect)) : 0);
	put16(img + VCOMMON_MSIX, r->config_msix_vector);
	put16(img + VCOMMON_NUMQ, r->num_queues);
	img[VCOMMON_STATUS] = r->status;
	img[VCOMMON_CFGGEN] = r->config_generation;
	put16(img + VCOMMON_Q_SELECT, r->queue_select);
	if (q != NULL) {
		/* A queue that does not exist reads as size 0 (4.1.4.3). */
		put16(img + VCOMMON_Q_SIZE, q->size);
		put16(img + VCOMMON_Q_MSIX, q->msix_vector);
		put16(img + VCOMMON_Q_ENABLE, q->enabled ? 1 : 0);
		put16(img + VCOMMON_Q_NOFF, r->queue_select);
		put64(img + VCOMMON_Q_DESCLO, q->desc);
		put64(img + VCOMMON_Q_AVAILLO, q->driver);
		put64(img + VCOMMON_Q_USEDLO, q->device);
	}
	for (i = 0; i < bytes; i++)
		v |= (uint64_t)img[off + (uint64_t)i] << (8 * i);
	return v;
}

/* A vector the device can honour, or NO_VECTOR (what the driver reads back
 * when the device could not map it, 4.1.5.1.2). */
static uint16_t vector_check(struct vregs *r, uint64_t v)
{
	if (v == VREGS_NO_VECTOR)
		return VREGS_NO_VECTOR;
	if (v >= r->nvec) {
		r->errors[VREGS_ERR_VECTOR]++;
		return VREGS_NO_VECTOR;
	}
	return (uint16_t)v;
}

static bool features_ok(const struct vregs *r)
{
	return (r->drv_features & ~r->dev_features) == 0 &&
	    (r->drv_features & (1ULL << VIRTIO_F_VERSION_1_BIT));
}

/* Split-ring alignment (2.7): desc 16, avail 2, used 4. */
static bool queue_aligned(const struct vregs_queue *q)
{
	return (q->desc & 15) == 0 && (q->driver & 1) == 0 &&
	    (q->device & 3) == 0;
}

static enum vregs_action status_write(struct vregs *r, uint8_t v)
{
	uint8_t old = r->status, add;
	unsigned int i;

	if (v == 0) {
		vregs_reset(r);
		return VREGS_ACT_RESET;
	}
	/* NEEDS_RESET is the device's; clearing needs a reset (2.1.1). */
	v &= (uint8_t)~VIRTIO_STATUS_NEEDS_RESET;
	if ((old & ~VIRTIO_STATUS_NEEDS_RESET) & ~v)
		r->errors[VREGS_ERR_STATUS]++;
	add = (uint8_t)(v & ~old);

	if (add & VIRTIO_STATUS_FEATURES_OK) {
		if (!(old & VIRTIO_STATUS_DRIVER) &&
		    !(add & VIRTIO_STATUS_DRIVER)) {
			r->errors[VREGS_ERR_STATUS]++;
			add &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
		} else if (!features_ok(r)) {
			/* The driver reads FEATURES_OK back as 0 and gives
			 * up (3.1.1 step 6). */
			r->errors[VREGS_ERR_FEATURES]++;
			add &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
		}
	}
	if (add & VIRTIO_STATUS_DRIVER_OK) {
		bool ok = (old | add) & VIRTIO_STATUS_FEATURES_OK;

		if (!ok)
			r->errors[VREGS_ERR_STATUS]++;
		for (i = 0; ok && i < r->num_queues; i++) {
			if (r->q[i].enabled && !queue_aligned(&r->q[i])) {
				r->errors[VREGS_ERR_RING]++;
				ok = false;
			}
		}
		if (!ok) {
			r->status = (uint8_t)(old | (add &
			    ~VIRTIO_STATUS_DRIVER_OK));
			vregs_set_needs_reset(r);
			return VREGS_ACT_NEEDS_RESET;
		}
	}
	r->status = (uint8_t)(old | add);
	return (add & VIRTIO_STATUS_DRIVER_OK) ? VREGS_ACT_DRIVER_OK :
	    VREGS_ACT_NONE;
}

/* Queue setup registers are frozen once the queue is enabled or the
 * driver is running (no VIRTIO_F_RING_RESET here). */
static struct vregs_queue *setup_queue(struct vregs *r)
{
	struct vregs_queue *q;

	if (r->queue_select >= r->num_queues) {
		r->errors[VREGS_ERR_QSEL]++;
		return NULL;
	}
	q = &r->q[r->queue_select];
	if (q->enabled || (r->status & VIRTIO_STATUS_DRIVER_OK)) {
		r->errors[VREGS_ERR_QLOCKED]++;
		return NULL;
	}
	return q;
}

static void set_half(uint64_t *field, uint64_t off_in_field, int bytes,
    uint64_t val)
{
	if (bytes == 8)
		*field = val;
	else if (off_in_field == 0)
		*field = (*field & 0xffffffff00000000ULL) | (uint32_t)val;
	else
		*field = (*field & 0xffffffffULL) | ((uint64_t)(uint32_t)val <<
		    32);
}

enum vregs_action vregs_common_write(struct vregs *r, uint64_t off,
    int bytes, uint64_t val)
{
	struct vregs_queue *q;
	uint64_t *field;

	switch (off) {
	case VCOMMON_DFSELECT:
		if (bytes != 4)
			break;
		r->dfselect = (uint32_t)val;
		return VREGS_ACT_NONE;
	case VCOMMON_GFSELECT:
		if (bytes != 4)
			break;
		r->gfselect = (uint32_t)val;
		return VREGS_ACT_NONE;
	case VCOMMON_GF:
		if (bytes != 4)
			break;
		if (r->status & VIRTIO_STATUS_FEATURES_OK)
			return refuse(r, VREGS_ERR_STATUS);
		if (r->gfselect >= 2)
			return refuse(r, VREGS_ERR_FEATURES);
		set_half(&r->drv_features, r->gfselect * 4, 4, val);
		return VREGS_ACT_NONE;
	case VCOMMON_MSIX:
		if (bytes != 2)
			break;
		r->config_msix_vector = vector_check(r, val & 0xffff);
		return VREGS_ACT_VECTOR;
	case VCOMMON_STATUS:
		if (bytes != 1)
			break;
		return status_write(r, (uint8_t)val);
	case VCOMMON_Q_SELECT:
		if (bytes != 2)
			break;
		/* Kept as written: reads of a missing queue say size 0. */
		r->queue_select = (uint16_t)val;
		return VREGS_ACT_NONE;
	case VCOMMON_Q_SIZE:
		if (bytes != 2)
			break;
		if ((q = setup_queue(r)) == NULL)
			return VREGS_ACT_NONE;
		val &= 0xffff;
		if (val == 0 || val > q->max_size || (val & (val - 1)))
			return refuse(r, VREGS_ERR_QSIZE);
		q->size = (uint16_t)val;
		return VREGS_ACT_NONE;
	case VCOMMON_Q_MSIX:
		if (bytes != 2)
			break;
		if (r->queue_select >= r->num_queues)
			return refuse(r, VREGS_ERR_QSEL);
		r->q[r->queue_select].msix_vector = vector_check(r,
		    val & 0xffff);
		return VREGS_ACT_VECTOR;
	case VCOMMON_Q_ENABLE:
		if (bytes != 2)
			break;
		if ((q = setup_queue(r)) == NULL)
			return VREGS_ACT_NONE;
		/* Writing 0 is only meaningful with RING_RESET. */
		if ((val & 0xffff) != 1)
			return refuse(r, VREGS_ERR_ACCESS);
		q->enabled = true;
		return VREGS_ACT_NONE;
	case VCOMMON_Q_DESCLO:
	case VCOMMON_Q_DESCHI:
	case VCOMMON_Q_AVAILLO:
	case VCOMMON_Q_AVAILHI:
	case VCOMMON_Q_USEDLO:
	case VCOMMON_Q_USEDHI:
		if (bytes != 4 && !(bytes == 8 && (off & 7) == 0))
			break;
		if ((q = setup_queue(r)) == NULL)
			return VREGS_ACT_NONE;
		if (off < VCOMMON_Q_AVAILLO)
			field = &q->desc;
		else if (off < VCOMMON_Q_USEDLO)
			field = &q->driver;
		else
			field = &q->device;
		set_half(field, off & 4, bytes, val);
		return VREGS_ACT_NONE;
	default:
		break;
	}
	/* Read-only registers, wrong widths, gaps and the 1.2 fields we do
	 * not implement. */
	return refuse(r, VREGS_ERR_ACCESS);
}

uint8_t vregs_isr_read(struct vregs *r)
{
	uint8_t v = r->isr;

	r->isr = 0;
	return v;
}

enum vregs_action vregs_notify_write(struct vregs *r, uint64_t off,
    int bytes, uint64_t val, unsigned int *queue)
{
	uint64_t q = off / VREGS_NOTIFY_MULT;

	(void)val;	/* without NOTIFICATION_DATA the offset names the queue */
	if ((bytes != 1 && bytes != 2 && bytes != 4) ||
	    off % VREGS_NOTIFY_MULT != 0 || q >= r->num_queues)
		return refuse(r, VREGS_ERR_QSEL);
	/* Kicks before DRIVER_OK or on a disabled queue are harmless: the
	 * back end looks at the ring only once it is started. */
	*queue = (unsigned int)q;
	return VREGS_ACT_KICK;
}

bool vregs_set_needs_reset(struct vregs *r)
{
	if (r->status & VIRTIO_STATUS_NEEDS_RESET)
		return false;
	r->status |= VIRTIO_STATUS_NEEDS_RESET;
	r->isr |= VIRTIO_ISR_CONFIG;
	return true;
}
