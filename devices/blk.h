/*
 * blk.h - virtio-blk device back end (virtio 1.2, 5.2) for the vhost-user
 * code: one request queue served from one disk fd (a raw image file or a
 * block device) that the caller opened.
 *
 * The guest owns every request byte. Each request is copied out once and
 * checked (header size, type, sector range with overflow, alignment,
 * segment count and size, status byte); a bad request is answered with
 * VIRTIO_BLK_S_IOERR or VIRTIO_BLK_S_UNSUPP and counted. This module must
 * never touch a byte of the disk outside [0, capacity), never write to a
 * read-only disk, never complete a write or flush before the fd has it
 * (no caching here: pwritev straight to the fd, fdatasync for FLUSH),
 * and never open anything: it only has the fd it was given.
 */
#ifndef HYVE_BLK_H
#define HYVE_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/virtq.h"
#include "devices/vu.h"

#define BLK_ID_BYTES 20            /* VIRTIO_BLK_ID_BYTES */
#define BLK_SECTOR 512u            /* virtio-blk's unit for sector numbers */
#define BLK_CONFIG_SIZE 72u        /* struct virtio_blk_config, secure erase incl. */
#define BLK_SEG_MAX_DEFAULT 126u   /* as QEMU for a 128-entry queue */
#define BLK_SEG_MAX_LIMIT (VIRTQ_MAX_IOV - 2u)   /* header and status */
#define BLK_SIZE_MAX_DEFAULT (1u << 20)
#define BLK_DWZ_MAX_SEG 16u        /* discard/write-zeroes ranges per request */
#define BLK_DWZ_MAX_SECTORS 0x3fffffu   /* per range: 2 GiB - 512 */
#define BLK_BOUNCE_SIZE (1u << 20) /* O_DIRECT bounce buffer for unaligned buffers */

struct blk_conf {
	int fd;             /* the disk; O_RDONLY for ro, O_DIRECT/O_SYNC as asked */
	bool ro;
	uint32_t lsize;     /* logical block size: 512..65536, power of two */
	uint32_t psize;     /* physical block size: lsize..65536, power of two */
	char serial[BLK_ID_BYTES];   /* GET_ID answer, zero padded */
	uint32_t seg_max;   /* data segments per request: 1..BLK_SEG_MAX_LIMIT */
	uint32_t size_max;  /* bytes per data segment: >= 4096 */
};

/* Request kinds, one counter each. */
enum blk_kind {
	BLK_K_IN,
	BLK_K_OUT,
	BLK_K_FLUSH,
	BLK_K_GET_ID,
	BLK_K_DISCARD,
	BLK_K_WRITE_ZEROES,
	BLK_K_OTHER,        /* unknown types: answered UNSUPP */
	BLK_K__COUNT
};

struct blk_stats {
	uint64_t requests[BLK_K__COUNT];
	uint64_t bytes_read, bytes_written;
	uint64_t bytes_discarded, bytes_zeroed;
	uint64_t ioerr;          /* requests answered VIRTIO_BLK_S_IOERR */
	uint64_t unsupp;         /* requests answered VIRTIO_BLK_S_UNSUPP */
	uint64_t bad_request;    /* malformed by the driver (subset of ioerr/unsupp) */
	uint64_t no_status;      /* no writable byte for the status: completed empty */
	uint64_t io_failures;    /* the disk fd itself failed (subset of ioerr) */
	uint64_t bounced;        /* O_DIRECT requests copied through the bounce buffer */
};

struct blk {
	struct blk_conf conf;
	uint64_t size;           /* bytes the guest may address: capacity * 512 */
	bool is_bdev;
	bool direct;             /* fd is O_DIRECT: buffers must be aligned */
	struct vu_dev_ops ops;   /* features depend on conf: one per device */
	struct blk_stats stats;
	uint8_t *bounce;         /* BLK_BOUNCE_SIZE, only when direct */
	struct iovec iov[VIRTQ_MAX_IOV];   /* scratch: one request's data */
};

/* Fill *c with defaults (fd -1, 512/512, no serial, default limits). */
void blk_conf_default(struct blk_conf *c);

/*
 * "L" or "L/P" (bhyve's sectorsize=): powers of two, 512 <= L <= P <= 65536.
 * 0 or -EINVAL.
 */
int blk_parse_sectorsize(const char *s, uint32_t *lsize, uint32_t *psize);

/*
 * Check conf and size the disk (fstat, or BLKGETSIZE64 for a block
 * device): call before the sandbox is entered. -EINVAL for a bad conf,
 * -EBADF when the fd's access mode does not match ro, -ENODEV when it is
 * neither a regular file nor a block device (or smaller than one logical
 * block: -EINVAL), -ENOTBLK when the fd is O_DIRECT and the host wants a
 * bigger alignment than lsize, other -errno from the kernel.
 */
int blk_init(struct blk *b, const struct blk_conf *conf);
void blk_fini(struct blk *b);

/*
 * Serve one popped request with the negotiated virtio `features` and write
 * its status; returns the used length to push (0 or req->in_bytes). What
 * the ops' process() does per chain; public for the fuzzer.
 */
uint32_t blk_request(struct blk *b, uint64_t features, const struct virtq_req *req);

/* The vu_dev ops for b; the vu_dev's priv must be b. */
const struct vu_dev_ops *blk_ops(struct blk *b);

/* Capacity in 512-byte sectors, as the config space says. */
uint64_t blk_capacity(const struct blk *b);

/* A copy of the counters (hyvectl stats). */
void blk_stats_get(const struct blk *b, struct blk_stats *out);

const char *blk_kind_name(enum blk_kind k);

#endif
