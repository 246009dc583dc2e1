/*
 * virtq.h - split virtqueues (virtio 1.x, section 2.7) in guest memory.
 *
 * The guest owns every byte of the rings and may change them while we read
 * them. This module reads each guest-shared field exactly once into a local
 * copy, validates the copy and uses only the copy. A request that breaks a
 * rule marks the queue NEEDS_RESET (virtq_needs_reset()), bumps one error
 * counter for the reason, and from then on the queue is never processed
 * again until virtq_reset(). It must never crash, loop without bound, or
 * touch memory outside the gmem regions.
 *
 * Policy choices where the spec leaves room (all refused as a broken chain):
 *  - queue size must be a power of two, 1..VIRTQ_MAX_SIZE (1024, as QEMU);
 *  - zero-length buffer descriptors are refused (no driver produces them);
 *  - an indirect descriptor must be the only descriptor of its chain (head,
 *    without NEXT), as every known driver does; its table holds 1..
 *    VIRTQ_MAX_SIZE descriptors, and a multiple of 16 bytes;
 *  - unknown descriptor flag bits are ignored (the spec reserves them).
 * The queue is used from one thread at a time (the helper's event loop).
 */
#ifndef HYVE_VIRTQ_H
#define HYVE_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/gmem.h"

#define VIRTQ_MAX_SIZE 1024u
/* Longest chain accepted: a chain never has more descriptors than this. */
#define VIRTQ_MAX_IOV VIRTQ_MAX_SIZE

/* virtio feature bits this module implements */
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

/* ring layout (virtio 1.2, 2.7.5 - 2.7.8), all little endian */
#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u
#define VIRTQ_DESC_F_INDIRECT 4u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define VIRTQ_USED_F_NO_NOTIFY 1u

#define VIRTQ_DESC_ALIGN 16u
#define VIRTQ_AVAIL_ALIGN 2u
#define VIRTQ_USED_ALIGN 4u

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc layout");

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};
_Static_assert(sizeof(struct virtq_used_elem) == 8, "used elem layout");

/* Bytes of each ring for a queue of n entries, event-index fields included. */
#define VIRTQ_DESC_BYTES(n) (16ull * (n))
#define VIRTQ_AVAIL_BYTES(n) (6ull + 2ull * (n))
#define VIRTQ_USED_BYTES(n) (6ull + 8ull * (n))

/* Why a queue was marked NEEDS_RESET; one counter each. */
enum virtq_err {
	VIRTQ_ERR_RING_ALIGN,       /* setup: a ring is misaligned */
	VIRTQ_ERR_RING_ADDR,        /* setup: a ring is not inside one region */
	VIRTQ_ERR_RING_SIZE,        /* setup: size 0, > max or not a power of 2 */
	VIRTQ_ERR_AVAIL_IDX,        /* avail idx ran more than size ahead */
	VIRTQ_ERR_HEAD_RANGE,       /* avail ring entry >= queue size */
	VIRTQ_ERR_NEXT_RANGE,       /* next >= queue (or indirect table) size */
	VIRTQ_ERR_CHAIN_LOOP,       /* chain longer than its table: a loop */
	VIRTQ_ERR_BUF_ADDR,         /* buffer not inside one region / wraps */
	VIRTQ_ERR_ZERO_LEN,         /* zero-length buffer descriptor */
	VIRTQ_ERR_ORDER,            /* device-readable after device-writable */
	VIRTQ_ERR_TOO_BIG,          /* total chain bytes above the limit */
	VIRTQ_ERR_INDIRECT_FEATURE, /* INDIRECT flag but feature not negotiated */
	VIRTQ_ERR_INDIRECT_LEN,     /* table 0, not multiple of 16, too long */
	VIRTQ_ERR_INDIRECT_ADDR,    /* table not inside one region */
	VIRTQ_ERR_INDIRECT_NESTED,  /* INDIRECT inside an indirect table */
	VIRTQ_ERR_INDIRECT_NEXT,    /* INDIRECT together with NEXT */
	VIRTQ_ERR_INDIRECT_POS,     /* INDIRECT not at the head of the chain */
	VIRTQ_ERR__COUNT
};

const char *virtq_err_name(enum virtq_err e);

struct virtq {
	const struct gmem *mem;
	/* layout, as the driver gave it */
	uint16_t size;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool event_idx, indirect;
	/* host views, valid while ready */
	uint8_t *desc, *avail, *used;
	bool ready;
	bool needs_reset;
	uint16_t last_avail;    /* next avail ring slot we consume */
	uint16_t used_idx;      /* our copy of used->idx */
	uint16_t signalled_used;
	bool signalled_valid;
	bool pushed;            /* pushes since the last notify decision */
	uint32_t inflight;      /* popped, not yet pushed */
	uint64_t max_bytes;     /* per-chain limit, default UINT32_MAX */
	uint64_t errors[VIRTQ_ERR__COUNT];
	enum virtq_err last_err;
};

/*
 * One popped request: out (device-readable) segments first, then in. It is
 * about 16 KiB (VIRTQ_MAX_IOV segments): keep it static or on the heap.
 * The segments point into guest memory the guest may change at any time:
 * copy a header out once (virtq_iov_from) before checking it.
 */
struct virtq_req {
	uint16_t head;
	unsigned int nout, nin;
	uint64_t out_bytes, in_bytes;
	struct iovec iov[VIRTQ_MAX_IOV];
};

/* Queue bound to memory map `mem`, not ready. Counters start at zero. */
void virtq_init(struct virtq *vq, const struct gmem *mem);

/*
 * Check and map the rings. features: the negotiated virtio feature bits
 * (EVENT_IDX and INDIRECT_DESC are honoured). last_avail: where to resume.
 * The used index is resumed from the ring itself. On a bad layout returns
 * -EINVAL with the reason counted and the queue marked NEEDS_RESET.
 */
int virtq_setup(struct virtq *vq, uint16_t size, uint64_t desc_gpa,
		uint64_t avail_gpa, uint64_t used_gpa, uint64_t features,
		uint16_t last_avail);

/* Back to "not ready", NEEDS_RESET cleared; counters are kept. */
void virtq_reset(struct virtq *vq);

static inline bool virtq_needs_reset(const struct virtq *vq)
{
	return vq->needs_reset;
}

/*
 * Take the next available chain. Returns 1 with *req filled, 0 when the ring
 * is empty (or the queue is not ready), -EIO when the chain (or the avail
 * ring) is broken: the queue is then NEEDS_RESET and stays so.
 */
int virtq_pop(struct virtq *vq, struct virtq_req *req);

/*
 * Return a popped chain to the driver with `len` bytes written. len above
 * req->in_bytes, or a push without a matching pop, is a caller bug: -EINVAL
 * and the ring is not touched.
 */
int virtq_push(struct virtq *vq, const struct virtq_req *req, uint32_t len);

/*
 * After one or more pushes: must the driver be interrupted? Honours
 * VIRTQ_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX. Always false
 * when nothing was pushed since the last call.
 */
bool virtq_should_notify(struct virtq *vq);

/* Ask the driver not to kick us (while we are polling the ring anyway). */
void virtq_disable_notify(struct virtq *vq);

/*
 * Ask the driver to kick us on new buffers. Returns true when buffers
 * arrived meanwhile, so the caller must poll once more before sleeping.
 */
bool virtq_enable_notify(struct virtq *vq);

/* Copy helpers over a request's segments; return the bytes copied. */
size_t virtq_iov_from(const struct virtq_req *req, uint64_t off, void *dst,
		      size_t len);
size_t virtq_iov_to(const struct virtq_req *req, uint64_t off,
		    const void *src, size_t len);

#endif
