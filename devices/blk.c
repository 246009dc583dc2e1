/*
 * blk.c - virtio-blk back end: one request queue, a config space, and the
 * disk fd it was given (virtio 1.2, 5.2).
 *
 * Request layout (virtio 1.2, 5.2.6): a 16-byte header (type, ioprio,
 * sector) at the start of the device-readable part, the data after it
 * (OUT, DISCARD, WRITE_ZEROES) or at the start of the device-writable part
 * (IN, GET_ID), and the status as the LAST byte of the device-writable
 * part. Descriptor boundaries carry no meaning (2.6.4: the device must not
 * assume a framing), so a header or status may share a segment with data.
 * A chain with no writable byte cannot be answered: it is completed with
 * length 0 and counted (no_status), the disk untouched.
 *
 * Never: touch disk bytes outside [0, b->size), write on a ro disk, keep
 * data in this process after completing a request, open a file.
 */
#define _GNU_SOURCE
#include "devices/blk.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/virtio_blk.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(sizeof(struct virtio_blk_config) == BLK_CONFIG_SIZE,
	       "virtio_blk_config layout");
_Static_assert(sizeof(struct virtio_blk_outhdr) == 16, "outhdr layout");
_Static_assert(sizeof(struct virtio_blk_discard_write_zeroes) == 16,
	       "discard/write zeroes range layout");
_Static_assert(BLK_ID_BYTES == VIRTIO_BLK_ID_BYTES, "id length");

#define FBIT(n) (1ull << (n))

/* Written when WRITE_ZEROES cannot be done with fallocate. */
static const uint8_t zeros[65536] __attribute__((aligned(4096)));

static const char *const kind_names[BLK_K__COUNT] = {
	[BLK_K_IN] = "in",
	[BLK_K_OUT] = "out",
	[BLK_K_FLUSH] = "flush",
	[BLK_K_GET_ID] = "get_id",
	[BLK_K_DISCARD] = "discard",
	[BLK_K_WRITE_ZEROES] = "write_zeroes",
	[BLK_K_OTHER] = "other",
};

const char *blk_kind_name(enum blk_kind k)
{
	return (unsigned int)k < BLK_K__COUNT ? kind_names[k] : "?";
}

static bool pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

void blk_conf_default(struct blk_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->lsize = BLK_SECTOR;
	c->psize = BLK_SECTOR;
	c->seg_max = BLK_SEG_MAX_DEFAULT;
	c->size_max = BLK_SIZE_MAX_DEFAULT;
}

static int parse_bsize(const char *s, char **end, uint32_t *v)
{
	unsigned long x;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	x = strtoul(s, end, 10);
	if (errno || x < 512 || x > 65536 || !pow2((uint32_t)x))
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

int blk_parse_sectorsize(const char *s, uint32_t *lsize, uint32_t *psize)
{
	uint32_t l, p;
	char *end;

	if (parse_bsize(s, &end, &l) < 0)
		return -EINVAL;
	p = l;
	if (*end == '/') {
		if (parse_bsize(end + 1, &end, &p) < 0)
			return -EINVAL;
	}
	if (*end || p < l)
		return -EINVAL;
	*lsize = l;
	*psize = p;
	return 0;
}

/* ------------------------------------------------------------ config */

static unsigned int log2u(uint32_t v)
{
	unsigned int n = 0;

	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

uint64_t blk_capacity(const struct blk *b)
{
	return b->size / BLK_SECTOR;
}

static int blk_get_config(struct vu_dev *dev, uint8_t *buf, uint32_t off,
			  uint32_t len)
{
	const struct blk *b = dev->priv;
	struct virtio_blk_config c;
	uint32_t ratio = b->conf.psize / b->conf.lsize;

	memset(&c, 0, sizeof(c));
	c.capacity = htole64(blk_capacity(b));
	c.size_max = htole32(b->conf.size_max);
	c.seg_max = htole32(b->conf.seg_max);
	c.blk_size = htole32(b->conf.lsize);
	c.physical_block_exp = (uint8_t)log2u(ratio);
	c.alignment_offset = 0;
	/* in logical blocks: one physical block avoids read-modify-write */
	c.min_io_size = htole16((uint16_t)ratio);
	c.opt_io_size = htole32(0);
	c.num_queues = htole16(1);
	c.max_discard_sectors = htole32(BLK_DWZ_MAX_SECTORS);
	c.max_discard_seg = htole32(BLK_DWZ_MAX_SEG);
	c.discard_sector_alignment = htole32(b->conf.psize / BLK_SECTOR);
	c.max_write_zeroes_sectors = htole32(BLK_DWZ_MAX_SECTORS);
	c.max_write_zeroes_seg = htole32(BLK_DWZ_MAX_SEG);
	c.write_zeroes_may_unmap = 1;
	/* vu.c checked off + len <= config_size == sizeof(c) */
	memcpy(buf, (const uint8_t *)&c + off, len);
	return 0;
}

/* ------------------------------------------------------------ disk I/O */

/*
 * Gather bytes [off, off+len) of the request's readable (in == false) or
 * writable part into b->iov. Returns the segment count, or -EINVAL when
 * the data needs more than seg_max segments or one above size_max: the
 * limits the config space promised the driver would respect.
 */
static int slice(struct blk *b, const struct virtq_req *req, bool in,
		 uint64_t off, uint64_t len)
{
	unsigned int first = in ? req->nout : 0;
	unsigned int end = in ? req->nout + req->nin : req->nout;
	unsigned int n = 0;

	if (end > VIRTQ_MAX_IOV)
		return -EINVAL;
	for (unsigned int i = first; i < end && len; i++) {
		size_t seg = req->iov[i].iov_len, take;

		if (off >= seg) {
			off -= seg;
			continue;
		}
		take = seg - off;
		if (take > len)
			take = (size_t)len;
		if (n >= b->conf.seg_max || take > b->conf.size_max)
			return -EINVAL;
		b->iov[n].iov_base = (uint8_t *)req->iov[i].iov_base + off;
		b->iov[n].iov_len = take;
		n++;
		len -= take;
		off = 0;
	}
	return len ? -EINVAL : (int)n;
}

/* Drop `done` bytes from the front of iov[0..*n). */
static struct iovec *iov_advance(struct iovec *iov, unsigned int *n, size_t done)
{
	while (*n && done >= iov->iov_len) {
		done -= iov->iov_len;
		iov++;
		(*n)--;
	}
	if (*n && done) {
		iov->iov_base = (uint8_t *)iov->iov_base + done;
		iov->iov_len -= done;
	}
	return iov;
}

/* One vectored transfer at off, looping over short counts. */
static int xfer(int fd, bool wr, struct iovec *iov, unsigned int n, uint64_t off)
{
	while (n) {
		ssize_t r = wr ? pwritev(fd, iov, (int)n, (off_t)off)
			       : preadv(fd, iov, (int)n, (off_t)off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EIO;   /* the image shrank under us */
		off += (uint64_t)r;
		iov = iov_advance(iov, &n, (size_t)r);
	}
	return 0;
}

static bool aligned(const struct iovec *iov, unsigned int n, uint32_t a)
{
	for (unsigned int i = 0; i < n; i++)
		if (((uintptr_t)iov[i].iov_base | iov[i].iov_len) & (a - 1))
			return false;
	return true;
}

/* Copy between b->iov[0..n) at byte `pos` and buf; to_iov chooses the way. */
static void iov_copy(struct iovec *iov, unsigned int n, uint64_t pos,
		     uint8_t *buf, size_t len, bool to_iov)
{
	for (unsigned int i = 0; i < n && len; i++) {
		size_t seg = iov[i].iov_len, k;

		if (pos >= seg) {
			pos -= seg;
			continue;
		}
		k = seg - pos < len ? seg - pos : len;
		if (to_iov)
			memcpy((uint8_t *)iov[i].iov_base + pos, buf, k);
		else
			memcpy(buf, (uint8_t *)iov[i].iov_base + pos, k);
		buf += k;
		len -= k;
		pos = 0;
	}
}

/*
 * Read or write b->iov[0..n) (len bytes in all) at disk offset off. An
 * O_DIRECT fd wants buffers aligned to the logical block: guest buffers
 * that are not go through the bounce buffer, one chunk at a time.
 */
static int disk_rw(struct blk *b, bool wr, unsigned int n, uint64_t len,
		   uint64_t off)
{
	if (!b->direct || aligned(b->iov, n, b->conf.lsize))
		return xfer(b->conf.fd, wr, b->iov, n, off);
	b->stats.bounced++;
	for (uint64_t pos = 0; pos < len;) {
		size_t k = len - pos < BLK_BOUNCE_SIZE ? (size_t)(len - pos)
						       : BLK_BOUNCE_SIZE;
		struct iovec one = { b->bounce, k };
		int rc;

		if (wr)
			iov_copy(b->iov, n, pos, b->bounce, k, false);
		rc = xfer(b->conf.fd, wr, &one, 1, off + pos);
		if (rc < 0)
			return rc;
		if (!wr)
			iov_copy(b->iov, n, pos, b->bounce, k, true);
		pos += k;
	}
	return 0;
}

static int disk_sync(struct blk *b)
{
	while (fdatasync(b->conf.fd) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

static int disk_fallocate(struct blk *b, int mode, uint64_t off, uint64_t len)
{
	while (fallocate(b->conf.fd, mode, (off_t)off, (off_t)len) < 0) {
		if (errno == EINTR)
			continue;
		/* a block device refuses ranges it cannot do as asked */
		if (errno == EOPNOTSUPP || (b->is_bdev && errno == EINVAL))
			return -EOPNOTSUPP;
		return -errno;
	}
	return 0;
}

static int disk_write_zeroes(struct blk *b, uint64_t off, uint64_t len, bool unmap)
{
	int rc = -EOPNOTSUPP;

	/* a punched hole reads back as zeroes, on files and block devices */
	if (unmap)
		rc = disk_fallocate(b, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				    off, len);
	if (rc == -EOPNOTSUPP)
		rc = disk_fallocate(b, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
				    off, len);
	if (rc != -EOPNOTSUPP)
		return rc;
	/* no fallocate here (tmpfs has no ZERO_RANGE): write them */
	for (uint64_t pos = 0; pos < len;) {
		size_t k = len - pos < sizeof(zeros) ? (size_t)(len - pos) : sizeof(zeros);
		struct iovec one = { (void *)(uintptr_t)zeros, k };

		rc = xfer(b->conf.fd, true, &one, 1, off + pos);
		if (rc < 0)
			return rc;
		pos += k;
	}
	return 0;
}

/* ------------------------------------------------------------ requests */

/*
 * [sector*512, +len) inside the disk and aligned to the logical block?
 * Every product and sum is checked before it is formed.
 */
static bool range_ok(const struct blk *b, uint64_t sector, uint64_t len,
		     uint64_t *off)
{
	uint64_t o;

	if (sector > b->size / BLK_SECTOR)
		return false;
	o = sector * BLK_SECTOR;
	if ((o | len) & (b->conf.lsize - 1))
		return false;
	if (len > b->size - o)
		return false;
	*off = o;
	return true;
}

struct blk_result {
	uint8_t status;
	bool bad;       /* the driver broke a rule, not the disk */
	bool io;        /* the disk fd failed */
};

#define RES_OK ((struct blk_result){ VIRTIO_BLK_S_OK, false, false })
#define RES_BAD ((struct blk_result){ VIRTIO_BLK_S_IOERR, true, false })
#define RES_UNSUPP ((struct blk_result){ VIRTIO_BLK_S_UNSUPP, true, false })
#define RES_IO ((struct blk_result){ VIRTIO_BLK_S_IOERR, false, true })

static struct blk_result do_rw(struct blk *b, const struct virtq_req *req,
			       uint64_t sector, bool wr, uint64_t dlen,
			       bool writeback)
{
	uint64_t off;
	int n;

	if (wr && b->conf.ro)
		return RES_BAD;
	if (!range_ok(b, sector, dlen, &off))
		return RES_BAD;
	n = slice(b, req, !wr, wr ? sizeof(struct virtio_blk_outhdr) : 0, dlen);
	if (n < 0)
		return RES_BAD;
	if (dlen == 0)
		return RES_OK;
	if (disk_rw(b, wr, (unsigned int)n, dlen, off) < 0)
		return RES_IO;
	/* without FLUSH negotiated the driver expects write-through */
	if (wr && !writeback && disk_sync(b) < 0)
		return RES_IO;
	if (wr)
		b->stats.bytes_written += dlen;
	else
		b->stats.bytes_read += dlen;
	return RES_OK;
}

static struct blk_result do_dwz(struct blk *b, const struct virtq_req *req,
				bool zeroes, bool writeback)
{
	struct virtio_blk_discard_write_zeroes r[BLK_DWZ_MAX_SEG];
	uint64_t dlen = req->out_bytes - sizeof(struct virtio_blk_outhdr);
	uint64_t nseg = dlen / sizeof(r[0]);
	uint64_t off[BLK_DWZ_MAX_SEG], len[BLK_DWZ_MAX_SEG];

	if (b->conf.ro)
		return RES_BAD;
	if (dlen % sizeof(r[0]) || nseg == 0 || nseg > BLK_DWZ_MAX_SEG)
		return RES_BAD;
	/* copy every range out once and check them all before doing any */
	if (virtq_iov_from(req, sizeof(struct virtio_blk_outhdr), r, dlen) != dlen)
		return RES_BAD;
	for (unsigned int i = 0; i < nseg; i++) {
		uint32_t flags = le32toh(r[i].flags);
		uint32_t num = le32toh(r[i].num_sectors);

		/* unmap is only defined for WRITE_ZEROES (5.2.6.2) */
		if (flags & ~(uint32_t)(zeroes ? VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP : 0))
			return RES_UNSUPP;
		if (num > BLK_DWZ_MAX_SECTORS)
			return RES_BAD;
		len[i] = (uint64_t)num * BLK_SECTOR;
		if (!range_ok(b, le64toh(r[i].sector), len[i], &off[i]))
			return RES_BAD;
	}
	for (unsigned int i = 0; i < nseg; i++) {
		int rc;

		if (len[i] == 0)
			continue;
		if (zeroes) {
			rc = disk_write_zeroes(b, off[i], len[i],
					       le32toh(r[i].flags) & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
			if (rc < 0)
				return RES_IO;
			b->stats.bytes_zeroed += len[i];
		} else {
			rc = disk_fallocate(b, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					    off[i], len[i]);
			/* discard is a hint (5.2.6.2): not being able to is fine */
			if (rc < 0 && rc != -EOPNOTSUPP)
				return RES_IO;
			b->stats.bytes_discarded += len[i];
		}
	}
	if (!writeback && disk_sync(b) < 0)
		return RES_IO;
	return RES_OK;
}

static enum blk_kind kind_of(uint32_t type)
{
	switch (type) {
	case VIRTIO_BLK_T_IN: return BLK_K_IN;
	case VIRTIO_BLK_T_OUT: return BLK_K_OUT;
	case VIRTIO_BLK_T_FLUSH: return BLK_K_FLUSH;
	case VIRTIO_BLK_T_GET_ID: return BLK_K_GET_ID;
	case VIRTIO_BLK_T_DISCARD: return BLK_K_DISCARD;
	case VIRTIO_BLK_T_WRITE_ZEROES: return BLK_K_WRITE_ZEROES;
	default: return BLK_K_OTHER;
	}
}

uint32_t blk_request(struct blk *b, uint64_t features, const struct virtq_req *req)
{
	struct virtio_blk_outhdr h;
	struct blk_result res;
	bool writeback = features & FBIT(VIRTIO_BLK_F_FLUSH);
	uint64_t in_data;
	enum blk_kind k = BLK_K_OTHER;

	if (req->in_bytes == 0 || req->in_bytes > UINT32_MAX) {
		/* nowhere to put a status: the disk is not touched */
		b->stats.no_status++;
		b->stats.bad_request++;
		return 0;
	}
	in_data = req->in_bytes - 1;
	if (req->out_bytes < sizeof(h) ||
	    virtq_iov_from(req, 0, &h, sizeof(h)) != sizeof(h)) {
		res = RES_BAD;
		goto done;
	}
	k = kind_of(le32toh(h.type));
	b->stats.requests[k]++;
	switch (k) {
	case BLK_K_IN:
		/* nothing but the header may be device-readable */
		if (req->out_bytes != sizeof(h))
			res = RES_BAD;
		else
			res = do_rw(b, req, le64toh(h.sector), false, in_data, writeback);
		break;
	case BLK_K_OUT:
		if (in_data)
			res = RES_BAD;
		else
			res = do_rw(b, req, le64toh(h.sector), true,
				    req->out_bytes - sizeof(h), writeback);
		break;
	case BLK_K_FLUSH:
		/* a ro fd has nothing of ours to flush */
		res = RES_OK;
		if (!b->conf.ro && disk_sync(b) < 0)
			res = RES_IO;
		break;
	case BLK_K_GET_ID: {
		size_t n = in_data < BLK_ID_BYTES ? (size_t)in_data : BLK_ID_BYTES;

		virtq_iov_to(req, 0, b->conf.serial, n);
		res = RES_OK;
		break;
	}
	case BLK_K_DISCARD:
	case BLK_K_WRITE_ZEROES: {
		int bit = k == BLK_K_DISCARD ? VIRTIO_BLK_F_DISCARD
					     : VIRTIO_BLK_F_WRITE_ZEROES;

		if (!(features & FBIT(bit)))
			res = RES_UNSUPP;
		else if (in_data)
			res = RES_BAD;
		else
			res = do_dwz(b, req, k == BLK_K_WRITE_ZEROES, writeback);
		break;
	}
	default:
		res = RES_UNSUPP;
		break;
	}
done:
	if (res.status == VIRTIO_BLK_S_IOERR)
		b->stats.ioerr++;
	else if (res.status == VIRTIO_BLK_S_UNSUPP)
		b->stats.unsupp++;
	if (res.bad)
		b->stats.bad_request++;
	if (res.io)
		b->stats.io_failures++;
	virtq_iov_to(req, in_data, &res.status, 1);
	/*
	 * The status is the last writable byte, so everything up to it counts
	 * as written (what QEMU reports too).
	 */
	return (uint32_t)req->in_bytes;
}

static void blk_process(struct vu_dev *dev, unsigned int q, struct virtq *vq)
{
	static struct virtq_req req;
	struct blk *b = dev->priv;

	(void)q;
	while (virtq_pop(vq, &req) == 1) {
		uint32_t len = blk_request(b, dev->features, &req);

		/* len is 0 or in_bytes: push cannot refuse it */
		virtq_push(vq, &req, len);
	}
}

/* ------------------------------------------------------------ setup */

static int disk_size(int fd, bool *is_bdev, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode)) {
		*is_bdev = false;
		*size = (uint64_t)st.st_size;
		return 0;
	}
	if (S_ISBLK(st.st_mode)) {
		*is_bdev = true;
		if (ioctl(fd, BLKGETSIZE64, size) < 0)
			return -errno;
		return 0;
	}
	return -ENODEV;
}

/* The stats area's view (vu_dev_publish): reads are bytes to the guest. */
static void blk_counters(struct vu_dev *dev, struct vu_counters *out)
{
	const struct blk *b = dev->priv;

	for (unsigned int k = 0; k < BLK_K__COUNT; k++)
		out->requests += b->stats.requests[k];
	out->bytes_in = b->stats.bytes_read;
	out->bytes_out = b->stats.bytes_written;
	/* bad_request and io_failures are already inside ioerr/unsupp */
	out->errors = b->stats.ioerr + b->stats.unsupp + b->stats.no_status;
}

int blk_init(struct blk *b, const struct blk_conf *conf)
{
	uint64_t size;
	int fl, rc;

	memset(b, 0, sizeof(*b));
	b->conf = *conf;
	b->conf.fd = -1;
	if (conf->fd < 0)
		return -EBADF;
	if (!pow2(conf->lsize) || !pow2(conf->psize) || conf->lsize < BLK_SECTOR ||
	    conf->psize < conf->lsize || conf->psize > 65536 ||
	    conf->seg_max < 1 || conf->seg_max > BLK_SEG_MAX_LIMIT ||
	    conf->size_max < 4096)
		return -EINVAL;
	rc = disk_size(conf->fd, &b->is_bdev, &size);
	if (rc < 0)
		return rc;
	fl = fcntl(conf->fd, F_GETFL);
	if (fl < 0)
		return -errno;
	/* the jail opened it O_RDONLY for ro: a mismatch is a bug upstream */
	if (conf->ro != ((fl & O_ACCMODE) == O_RDONLY))
		return -EBADF;
	b->direct = fl & O_DIRECT;
	/* whole logical blocks only: a tail is not addressable */
	b->size = size - size % conf->lsize;
	if (b->size == 0)
		return -EINVAL;
	if (b->direct) {
		void *p;

		rc = posix_memalign(&p, 65536, BLK_BOUNCE_SIZE);
		if (rc)
			return -rc;
		b->bounce = p;
		/*
		 * The host may need a bigger O_DIRECT alignment than our
		 * logical block (a 4Kn disk, some filesystems): then every
		 * request would fail. Find out now with one harmless read.
		 */
		rc = xfer(conf->fd, false, &(struct iovec){ p, conf->lsize }, 1, 0);
		if (rc < 0) {
			free(p);
			b->bounce = NULL;
			return rc == -EINVAL ? -ENOTBLK : rc;
		}
	}
	b->conf.fd = conf->fd;
	b->ops = (struct vu_dev_ops){
		.name = "virtio-blk",
		.features = FBIT(VIRTIO_BLK_F_SIZE_MAX) | FBIT(VIRTIO_BLK_F_SEG_MAX) |
			    FBIT(VIRTIO_BLK_F_BLK_SIZE) | FBIT(VIRTIO_BLK_F_FLUSH) |
			    FBIT(VIRTIO_BLK_F_TOPOLOGY),
		.nqueues = 1,
		.config_size = BLK_CONFIG_SIZE,
		.get_config = blk_get_config,
		.process = blk_process,
		.stats = blk_counters,
	};
	if (conf->ro)
		b->ops.features |= FBIT(VIRTIO_BLK_F_RO);
	else
		b->ops.features |= FBIT(VIRTIO_BLK_F_DISCARD) |
				   FBIT(VIRTIO_BLK_F_WRITE_ZEROES);
	return 0;
}

void blk_fini(struct blk *b)
{
	free(b->bounce);
	b->bounce = NULL;
}

const struct vu_dev_ops *blk_ops(struct blk *b)
{
	return &b->ops;
}

void blk_stats_get(const struct blk *b, struct blk_stats *out)
{
	*out = b->stats;
}
