/*
 * vu.h - vhost-user back end: one device served over one unix socket.
 *
 * The front end (hyve, QEMU, ...) may be hostile: every message size,
 * index, fd count, address and offset is checked; a bad message is
 * refused (error ack when REPLY_ACK is negotiated, an empty reply for a
 * request that has a reply body) and counted, never a crash. Only framing
 * errors (bad version, oversized or truncated message) end the connection.
 * A device back end plugs in through a const struct vu_dev_ops.
 *
 * hyve's one extension, the stats area (VHOST_USER_PROTOCOL_F_HYVE_STATS,
 * vu_proto.h), is offered to every front end; one that does not know it
 * never acks it and nothing changes.
 *
 * Limits: VU_MAX_QUEUES queues, VHOST_USER_MAX_REGIONS (8) memory regions,
 * one fd per region. Memory fds must be sealed against shrinking
 * (F_SEAL_SHRINK, as memory-backend-memfd and hyve do) unless
 * require_sealed is cleared: a mapping the peer can shrink under us would
 * SIGBUS the helper. Everything runs on one thread. A peer that stops in
 * the middle of a message stalls only its own device (the socket is
 * blocking once a message has started); hanging up ends the helper.
 */
#ifndef HYVE_VU_H
#define HYVE_VU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/evloop.h"
#include "devices/gmem.h"
#include "devices/virtq.h"
#include "devices/vu_proto.h"

#define VU_MAX_QUEUES 8

struct vu_dev;

/* What a device counts, for the stats area (vu_proto.h). */
struct vu_counters {
	uint64_t requests;
	uint64_t bytes_in;    /* to the guest */
	uint64_t bytes_out;   /* from the guest */
	uint64_t errors;
};

struct vu_dev_ops {
	const char *name;
	uint64_t features;        /* device feature bits; vu adds the ring ones */
	unsigned int nqueues;     /* 1..VU_MAX_QUEUES */
	uint32_t config_size;     /* bytes of config space (<= 256), 0: none */
	/* copy config bytes [off, off+len), already bounds-checked */
	int (*get_config)(struct vu_dev *dev, uint8_t *buf, uint32_t off,
			  uint32_t len);
	/* NULL: config space is read-only */
	int (*set_config)(struct vu_dev *dev, const uint8_t *buf, uint32_t off,
			  uint32_t len);
	/* pop and push until virtq_pop() returns <= 0; completions must be
	 * pushed before returning (GET_VRING_BASE relies on it) */
	void (*process)(struct vu_dev *dev, unsigned int q, struct virtq *vq);
	/* device reset: forget negotiated state */
	void (*reset)(struct vu_dev *dev);
	/* NULL: no device counters (the area still gets vu's own) */
	void (*stats)(struct vu_dev *dev, struct vu_counters *out);
};

/* Why a message was refused; one counter each. */
enum vu_err {
	VU_ERR_SIZE,      /* payload size wrong for the request */
	VU_ERR_INDEX,     /* queue index out of range */
	VU_ERR_FDS,       /* fd missing, extra or truncated */
	VU_ERR_MEM,       /* memory table refused */
	VU_ERR_VALUE,     /* a value out of range (num, features, offsets) */
	VU_ERR_STATE,     /* not allowed in the current state */
	VU_ERR_UNKNOWN,   /* request we do not implement */
	VU_ERR_RING,      /* ring setup or processing broke (NEEDS_RESET) */
	VU_ERR__COUNT
};

struct vu_vring {
	struct vu_dev *dev;
	unsigned int index;
	struct virtq vq;
	int kick_fd, call_fd, err_fd;
	uint16_t num;
	uint16_t base;
	bool addr_set;
	uint64_t desc_ua, avail_ua, used_ua;
	bool started;     /* has a kick fd and mapped rings */
	bool enabled;
};

struct vu_map {
	void *base;
	size_t len;
};

struct vu_dev {
	const struct vu_dev_ops *ops;
	void *priv;
	int sock;
	struct evloop *loop;
	bool require_sealed;
	bool owner;
	uint64_t features;            /* acked virtio features */
	uint64_t protocol_features;   /* acked protocol features */
	struct gmem mem;
	struct vu_map maps[GMEM_MAX_REGIONS];
	bool mem_set;
	unsigned int nqueues;
	struct vu_vring vr[VU_MAX_QUEUES];
	uint64_t errors[VU_ERR__COUNT];
	uint64_t messages;
	/* the front end's stats area (HYVE_SET_STATS_AREA), or NULL */
	struct vu_stats_area *stats;
	size_t stats_len;
};

/* Bind ops to the connected socket `sock` (not closed by vu_dev_fini). */
int vu_dev_init(struct vu_dev *dev, int sock, const struct vu_dev_ops *ops,
		void *priv);
/* Tear down rings, mappings and fds received from the peer. */
void vu_dev_fini(struct vu_dev *dev);
/* Serve the socket and the kick fds from `loop`. */
int vu_dev_attach(struct vu_dev *dev, struct evloop *loop);

/*
 * Read and handle one message. 0 when handled (even when refused),
 * -ECONNRESET when the peer hung up, -EPROTO on a framing error, other
 * -errno on socket errors: the caller then ends the connection.
 */
int vu_dev_dispatch(struct vu_dev *dev);

/* Process queue q now, then interrupt the driver if it wants one. */
void vu_queue_run(struct vu_dev *dev, unsigned int q);

/* Interrupt the driver of queue q if virtq_should_notify() says so. */
void vu_queue_notify(struct vu_dev *dev, unsigned int q);

/* Feature bits offered to the front end (device bits plus ring bits). */
uint64_t vu_dev_features(const struct vu_dev *dev);
uint64_t vu_dev_protocol_features(const struct vu_dev *dev);

/* Store the current counters in the stats area, if there is one; vu calls
 * it after every batch of requests and every message. */
void vu_dev_publish(struct vu_dev *dev);

/* Some queue is NEEDS_RESET (a guest broke a ring). */
bool vu_dev_needs_reset(const struct vu_dev *dev);

const char *vu_err_name(enum vu_err e);

#endif
