/*
 * vu_proto.h - the vhost-user wire format (QEMU docs/interop/vhost-user.rst).
 *
 * Everything in here crosses the process boundary between hyve (or any
 * vhost-user front end) and a device helper, so every struct has its size
 * pinned. Values are host endian (the protocol is defined as such) and the
 * peer controls every byte: never trust a field before vu.c checked it.
 */
#ifndef HYVE_VU_PROTO_H
#define HYVE_VU_PROTO_H

#include <stdint.h>

/* front end -> back end requests */
enum vu_request {
	VHOST_USER_NONE = 0,
	VHOST_USER_GET_FEATURES = 1,
	VHOST_USER_SET_FEATURES = 2,
	VHOST_USER_SET_OWNER = 3,
	VHOST_USER_RESET_OWNER = 4,
	VHOST_USER_SET_MEM_TABLE = 5,
	VHOST_USER_SET_LOG_BASE = 6,
	VHOST_USER_SET_LOG_FD = 7,
	VHOST_USER_SET_VRING_NUM = 8,
	VHOST_USER_SET_VRING_ADDR = 9,
	VHOST_USER_SET_VRING_BASE = 10,
	VHOST_USER_GET_VRING_BASE = 11,
	VHOST_USER_SET_VRING_KICK = 12,
	VHOST_USER_SET_VRING_CALL = 13,
	VHOST_USER_SET_VRING_ERR = 14,
	VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_GET_QUEUE_NUM = 17,
	VHOST_USER_SET_VRING_ENABLE = 18,
	VHOST_USER_SEND_RARP = 19,
	VHOST_USER_NET_SET_MTU = 20,
	VHOST_USER_SET_BACKEND_REQ_FD = 21,
	VHOST_USER_IOTLB_MSG = 22,
	VHOST_USER_SET_VRING_ENDIAN = 23,
	VHOST_USER_GET_CONFIG = 24,
	VHOST_USER_SET_CONFIG = 25,
	VHOST_USER_RESET_DEVICE = 34,
	/* hyve's own, only with VHOST_USER_PROTOCOL_F_HYVE_STATS: below */
	VHOST_USER_HYVE_SET_STATS_AREA = 0x48590001,
};

/* header flags */
#define VHOST_USER_VERSION_MASK 0x3u
#define VHOST_USER_VERSION 0x1u
#define VHOST_USER_REPLY_MASK (1u << 2)
#define VHOST_USER_NEED_REPLY_MASK (1u << 3)

/* virtio feature bit saying "protocol features are available" */
#define VHOST_USER_F_PROTOCOL_FEATURES 30

/* protocol feature bits */
#define VHOST_USER_PROTOCOL_F_MQ 0
#define VHOST_USER_PROTOCOL_F_REPLY_ACK 3
#define VHOST_USER_PROTOCOL_F_CONFIG 9
#define VHOST_USER_PROTOCOL_F_RESET_DEVICE 13
/* hyve's extension (not in the vhost-user spec): the highest bit, far
 * from the spec's own, so a front end that does not know it never acks it */
#define VHOST_USER_PROTOCOL_F_HYVE_STATS 63

/* SET_VRING_KICK/CALL/ERR payload: index in bits 0-7, "no fd" in bit 8 */
#define VHOST_USER_VRING_IDX_MASK 0xffull
#define VHOST_USER_VRING_NOFD_MASK (1ull << 8)

/* Regions per SET_MEM_TABLE: the protocol's baseline, one fd each. */
#define VHOST_USER_MAX_REGIONS 8
/* Config space carried by GET/SET_CONFIG at most. */
#define VHOST_USER_MAX_CONFIG_SIZE 256u

struct vu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;      /* payload bytes that follow */
};
_Static_assert(sizeof(struct vu_hdr) == 12, "vhost-user header");

struct vu_vring_state {
	uint32_t index;
	uint32_t num;
};
_Static_assert(sizeof(struct vu_vring_state) == 8, "vring state");

struct vu_vring_addr {
	uint32_t index;
	uint32_t flags;     /* bit 0: log (unsupported, ignored) */
	uint64_t desc;      /* front-end user addresses */
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};
_Static_assert(sizeof(struct vu_vring_addr) == 40, "vring addr");

struct vu_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uaddr;
	uint64_t mmap_offset;
};
_Static_assert(sizeof(struct vu_mem_region) == 32, "memory region");

struct vu_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vu_mem_region regions[VHOST_USER_MAX_REGIONS];
};
_Static_assert(sizeof(struct vu_mem_table) == 8 + 32 * VHOST_USER_MAX_REGIONS,
	       "memory table");
#define VU_MEM_TABLE_SIZE(n) (8u + 32u * (n))

struct vu_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t payload[VHOST_USER_MAX_CONFIG_SIZE];
};
_Static_assert(sizeof(struct vu_config) == 12 + VHOST_USER_MAX_CONFIG_SIZE,
	       "config");
#define VU_CONFIG_HDR_SIZE 12u

union vu_payload {
	uint64_t u64;
	struct vu_vring_state state;
	struct vu_vring_addr addr;
	struct vu_mem_table mem;
	struct vu_config config;
};
/*
 * The stats area (hyve's extension).  When the back end offers
 * VHOST_USER_PROTOCOL_F_HYVE_STATS and the front end acks it, the front end
 * may send VHOST_USER_HYVE_SET_STATS_AREA with one fd: a memfd of exactly
 * u64 bytes (the payload; VU_STATS_AREA_MIN..VU_STATS_AREA_MAX), sealed
 * against shrinking and growing.  The back end maps it shared, writes the
 * header, and from then on stores its counters there after each batch of
 * requests (relaxed 64-bit stores: a reader sees each counter whole, not
 * all of them from the same instant).  hyve maps the same memfd read-only
 * and copies the counters for `hyvectl stats` without ever asking the
 * helper, so a slow or hostile helper cannot stall the control thread; its
 * numbers are only ever displayed, never acted on.  A second request
 * replaces the area; the counters carry on.
 */
#define VU_STATS_MAGIC 0x53545648u	/* "HVTS" little-endian */
#define VU_STATS_VERSION 1u
#define VU_STATS_AREA_MIN 4096u
#define VU_STATS_AREA_MAX 65536u

struct vu_stats_area {
	uint32_t magic;       /* VU_STATS_MAGIC once the back end mapped it */
	uint16_t version;     /* VU_STATS_VERSION */
	uint16_t size;        /* sizeof(struct vu_stats_area) */
	uint64_t requests;    /* completed guest requests (chains, frames) */
	uint64_t bytes_in;    /* to the guest: disk read, net rx, entropy */
	uint64_t bytes_out;   /* from the guest: disk written, net tx */
	uint64_t errors;      /* requests failed, frames dropped */
	uint64_t ring_errors; /* the guest broke a ring (queue NEEDS_RESET) */
	uint64_t refused;     /* vhost-user messages the back end refused */
};
_Static_assert(sizeof(struct vu_stats_area) == 56, "stats area header");

/* Largest payload we ever accept; anything bigger is a framing error. */
#define VU_MAX_PAYLOAD ((uint32_t)sizeof(union vu_payload))

#endif
