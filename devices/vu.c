/*
 * vu.c - vhost-user back end: message framing, checks and ring lifecycle.
 *
 * The peer owns every byte of every message. Framing (version, size, fds)
 * is checked before a handler runs; each handler checks its own fields
 * before it changes any state, so a refused message leaves the device as
 * it was. Every fd that arrives and is not consumed is closed. Must never
 * map a region it did not check against the fd's size and seals, and
 * never let a peer-chosen number reach an index without a bound check.
 */
#define _GNU_SOURCE /* F_GET_SEALS */
#include "devices/vu.h"
#include "devices/vu_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const vu_err_names[VU_ERR__COUNT] = {
	[VU_ERR_SIZE] = "size",
	[VU_ERR_INDEX] = "index",
	[VU_ERR_FDS] = "fds",
	[VU_ERR_MEM] = "mem",
	[VU_ERR_VALUE] = "value",
	[VU_ERR_STATE] = "state",
	[VU_ERR_UNKNOWN] = "unknown-request",
	[VU_ERR_RING] = "ring",
};

const char *vu_err_name(enum vu_err e)
{
	if ((unsigned int)e >= VU_ERR__COUNT)
		return "unknown";
	return vu_err_names[e];
}

/* One received message, with the fds that came with it. */
struct vu_msg {
	struct vu_hdr hdr;
	union vu_payload p;
	int fds[VHOST_USER_MAX_REGIONS];
	unsigned int nfds;
	/* reply body for requests that have one */
	union vu_payload reply;
	uint32_t reply_size;
};

static int refuse(struct vu_dev *dev, enum vu_err why, int rc)
{
	dev->errors[why]++;
	return rc;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Take the message's only fd; the caller checked nfds. */
static int take_fd(struct vu_msg *m)
{
	int fd = m->fds[0];

	m->fds[0] = -1;
	return fd;
}

uint64_t vu_dev_features(const struct vu_dev *dev)
{
	return dev->ops->features | (1ull << VIRTIO_F_VERSION_1) |
	       (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
	       (1ull << VIRTIO_RING_F_EVENT_IDX) |
	       (1ull << VHOST_USER_F_PROTOCOL_FEATURES);
}

uint64_t vu_dev_protocol_features(const struct vu_dev *dev)
{
	uint64_t f = (1ull << VHOST_USER_PROTOCOL_F_MQ) |
		     (1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK) |
		     (1ull << VHOST_USER_PROTOCOL_F_RESET_DEVICE) |
		     (1ull << VHOST_USER_PROTOCOL_F_HYVE_STATS);

	if (dev->ops->config_size && dev->ops->get_config)
		f |= 1ull << VHOST_USER_PROTOCOL_F_CONFIG;
	return f;
}

bool vu_dev_needs_reset(const struct vu_dev *dev)
{
	for (unsigned int i = 0; i < dev->nqueues; i++)
		if (virtq_needs_reset(&dev->vr[i].vq))
			return true;
	return false;
}

/* ------------------------------------------------------------ rings */

static int kick_cb(void *arg);

static void vring_signal_err(struct vu_vring *vr)
{
	uint64_t one = 1;

	if (vr->err_fd >= 0 && write(vr->err_fd, &one, sizeof(one)) < 0) {
		/* the front end is gone or its eventfd is full: nothing to add */
	}
}

/* Without protocol features a ring is enabled as soon as it starts. */
static bool vring_enabled(const struct vu_vring *vr)
{
	return vr->enabled ||
	       !(vr->dev->features & (1ull << VHOST_USER_F_PROTOCOL_FEATURES));
}

static void vring_stop(struct vu_vring *vr)
{
	if (vr->kick_fd >= 0 && vr->dev->loop)
		evloop_del(vr->dev->loop, vr->kick_fd);
	close_fd(&vr->kick_fd);
	if (vr->started)
		vr->base = vr->vq.last_avail;
	vr->started = false;
	virtq_reset(&vr->vq);
}

static void vring_reset(struct vu_vring *vr)
{
	vring_stop(vr);
	close_fd(&vr->call_fd);
	close_fd(&vr->err_fd);
	vr->num = 0;
	vr->base = 0;
	vr->addr_set = false;
	vr->enabled = false;
}

/* Map the rings for a ring that has everything it needs; 0 or -errno. */
static int vring_map(struct vu_vring *vr, uint16_t last_avail)
{
	struct vu_dev *dev = vr->dev;
	uint64_t d, a, u;

	if (!dev->mem_set || !vr->addr_set || vr->num == 0)
		return -EINVAL;
	if (gmem_uaddr_to_gpa(&dev->mem, vr->desc_ua, VIRTQ_DESC_BYTES(vr->num), &d) ||
	    gmem_uaddr_to_gpa(&dev->mem, vr->avail_ua, VIRTQ_AVAIL_BYTES(vr->num), &a) ||
	    gmem_uaddr_to_gpa(&dev->mem, vr->used_ua, VIRTQ_USED_BYTES(vr->num), &u)) {
		/* counted by virtq as a ring outside memory; the old host
		 * pointers may already be unmapped, so forget them first */
		virtq_reset(&vr->vq);
		vr->vq.needs_reset = true;
		vr->vq.errors[VIRTQ_ERR_RING_ADDR]++;
		vr->vq.last_err = VIRTQ_ERR_RING_ADDR;
		return -EFAULT;
	}
	return virtq_setup(&vr->vq, vr->num, d, a, u, dev->features, last_avail);
}

static int vring_start(struct vu_vring *vr)
{
	int rc = vring_map(vr, vr->base);

	if (rc < 0) {
		vr->dev->errors[VU_ERR_RING]++;
		vring_signal_err(vr);
		return rc;
	}
	vr->started = true;
	/* buffers may already be waiting: the driver kicked before we had a fd */
	if (vring_enabled(vr))
		vu_queue_run(vr->dev, vr->index);
	return 0;
}

void vu_queue_notify(struct vu_dev *dev, unsigned int q)
{
	struct vu_vring *vr;
	uint64_t one = 1;

	if (q >= dev->nqueues)
		return;
	vr = &dev->vr[q];
	if (vr->call_fd < 0 || !virtq_should_notify(&vr->vq))
		return;
	if (write(vr->call_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: counter saturated, the driver is interrupted anyway */
	}
}

void vu_queue_run(struct vu_dev *dev, unsigned int q)
{
	struct vu_vring *vr;

	if (q >= dev->nqueues)
		return;
	vr = &dev->vr[q];
	if (!vr->started || !vring_enabled(vr) || virtq_needs_reset(&vr->vq))
		return;
	/*
	 * Bounded, so a driver that keeps refilling cannot starve the control
	 * socket: when work is still pending after the last round we kick
	 * ourselves and come back after the loop served the other fds.
	 */
	for (int round = 0;; round++) {
		virtq_disable_notify(&vr->vq);
		dev->ops->process(dev, q, &vr->vq);
		if (virtq_needs_reset(&vr->vq) || !virtq_enable_notify(&vr->vq))
			break;
		if (round == 3) {
			uint64_t one = 1;

			if (vr->kick_fd >= 0 &&
			    write(vr->kick_fd, &one, sizeof(one)) < 0) {
				/* counter full: a kick is pending anyway */
			}
			break;
		}
	}
	/* the counters first: whoever the call or err fd wakes sees them */
	if (virtq_needs_reset(&vr->vq))
		dev->errors[VU_ERR_RING]++;
	vu_dev_publish(dev);
	vu_queue_notify(dev, q);
	if (virtq_needs_reset(&vr->vq))
		vring_signal_err(vr);
}

static int kick_cb(void *arg)
{
	struct vu_vring *vr = arg;
	uint64_t v;

	/* non-blocking: a spurious wake-up must not stall the loop */
	if (read(vr->kick_fd, &v, sizeof(v)) < 0 && errno != EAGAIN) {
		/* nothing to drain, process anyway */
	}
	vu_queue_run(vr->dev, vr->index);
	return 0;
}

/* ------------------------------------------------------------ memory */

static void unmap_all(struct vu_map *maps)
{
	for (unsigned int i = 0; i < GMEM_MAX_REGIONS; i++) {
		if (maps[i].base)
			munmap(maps[i].base, maps[i].len);
		maps[i].base = NULL;
		maps[i].len = 0;
	}
}

/* Map one region of the peer's memory; all numbers are the peer's. */
static int map_region(struct vu_dev *dev, const struct vu_mem_region *r, int fd,
		      struct vu_map *map, uint8_t **host)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t map_off, delta, len;
	struct stat st;
	int seals;
	void *p;

	if (r->size == 0 || r->gpa + r->size < r->gpa ||
	    r->uaddr + r->size < r->uaddr ||
	    r->mmap_offset + r->size < r->mmap_offset)
		return -EINVAL;
	map_off = r->mmap_offset & ~(uint64_t)(page - 1);
	delta = r->mmap_offset - map_off;
	len = delta + r->size;
	if (len < delta || len > SIZE_MAX || map_off > INT64_MAX)
		return -EINVAL;
	if (fstat(fd, &st) < 0)
		return -errno;
	/* Past the end of the file a guest access would be SIGBUS. */
	if (!S_ISREG(st.st_mode) || st.st_size < 0 ||
	    r->mmap_offset + r->size > (uint64_t)st.st_size)
		return -EINVAL;
	if (dev->require_sealed) {
		seals = fcntl(fd, F_GET_SEALS);
		if (seals < 0 || !(seals & F_SEAL_SHRINK))
			return -EPERM;
	}
	p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)map_off);
	if (p == MAP_FAILED)
		return -errno;
	map->base = p;
	map->len = (size_t)len;
	*host = (uint8_t *)p + delta;
	return 0;
}

static int h_set_mem_table(struct vu_dev *dev, struct vu_msg *m)
{
	const struct vu_mem_table *t = &m->p.mem;
	struct vu_map maps[GMEM_MAX_REGIONS];
	struct gmem mem;
	uint32_t n;
	int rc = 0;

	if (m->hdr.size < VU_MEM_TABLE_SIZE(0))
		return refuse(dev, VU_ERR_SIZE, -EINVAL);
	n = t->nregions;
	if (n == 0 || n > VHOST_USER_MAX_REGIONS)
		return refuse(dev, VU_ERR_MEM, -EINVAL);
	if (m->hdr.size != VU_MEM_TABLE_SIZE(n))
		return refuse(dev, VU_ERR_SIZE, -EINVAL);
	if (m->nfds != n)
		return refuse(dev, VU_ERR_FDS, -EINVAL);

	memset(maps, 0, sizeof(maps));
	gmem_init(&mem);
	for (uint32_t i = 0; i < n; i++) {
		const struct vu_mem_region *r = &t->regions[i];
		uint8_t *host = NULL;

		rc = map_region(dev, r, m->fds[i], &maps[i], &host);
		if (rc < 0)
			break;
		/* refuses overlaps, so translation is never ambiguous */
		rc = gmem_add(&mem, r->gpa, r->size, host, r->uaddr);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		unmap_all(maps);
		return refuse(dev, VU_ERR_MEM, rc);
	}
	/* The mappings hold the memory; the fds are closed by the caller. */
	unmap_all(dev->maps);
	memcpy(dev->maps, maps, sizeof(maps));
	dev->mem = mem;
	dev->mem_set = true;
	/* Started rings point into the old mappings: map them again. */
	for (unsigned int i = 0; i < dev->nqueues; i++) {
		struct vu_vring *vr = &dev->vr[i];

		if (!vr->started)
			continue;
		if (vring_map(vr, vr->vq.last_avail) < 0) {
			vr->started = false;
			dev->errors[VU_ERR_RING]++;
			vring_signal_err(vr);
		}
	}
	return 0;
}

/* ------------------------------------------------------------ handlers */

static int need_size(struct vu_dev *dev, const struct vu_msg *m, uint32_t size)
{
	if (m->hdr.size != size)
		return refuse(dev, VU_ERR_SIZE, -EINVAL);
	return 0;
}

static int need_nofds(struct vu_dev *dev, const struct vu_msg *m)
{
	if (m->nfds)
		return refuse(dev, VU_ERR_FDS, -EINVAL);
	return 0;
}

/* Checked queue index of a state message. */
static struct vu_vring *state_ring(struct vu_dev *dev, const struct vu_msg *m)
{
	if (m->p.state.index >= dev->nqueues) {
		refuse(dev, VU_ERR_INDEX, 0);
		return NULL;
	}
	return &dev->vr[m->p.state.index];
}

/* ------------------------------------------------------------ stats */

static void unmap_stats(struct vu_dev *dev)
{
	if (dev->stats)
		munmap(dev->stats, dev->stats_len);
	dev->stats = NULL;
	dev->stats_len = 0;
}

void vu_dev_publish(struct vu_dev *dev)
{
	struct vu_stats_area *a = dev->stats;
	struct vu_counters c;
	uint64_t refused = 0;

	if (!a)
		return;
	memset(&c, 0, sizeof(c));
	if (dev->ops->stats)
		dev->ops->stats(dev, &c);
	for (unsigned int i = 0; i < VU_ERR__COUNT; i++)
		if (i != VU_ERR_RING)
			refused += dev->errors[i];
	/* whole 64-bit stores: hyve reads while we write */
	__atomic_store_n(&a->requests, c.requests, __ATOMIC_RELAXED);
	__atomic_store_n(&a->bytes_in, c.bytes_in, __ATOMIC_RELAXED);
	__atomic_store_n(&a->bytes_out, c.bytes_out, __ATOMIC_RELAXED);
	__atomic_store_n(&a->errors, c.errors, __ATOMIC_RELAXED);
	__atomic_store_n(&a->ring_errors, dev->errors[VU_ERR_RING],
			 __ATOMIC_RELAXED);
	__atomic_store_n(&a->refused, refused, __ATOMIC_RELAXED);
}

/*
 * HYVE_SET_STATS_AREA: map the front end's memfd for our counters. It is
 * checked as a memory region is, but always wants both seals: a peer that
 * could shrink it would SIGBUS us on the next store.
 */
static int h_set_stats_area(struct vu_dev *dev, struct vu_msg *m)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t len = m->p.u64;
	struct vu_stats_area *a;
	struct stat st;
	int seals;
	void *p;

	if (need_size(dev, m, 8))
		return -EINVAL;
	if (!(dev->protocol_features &
	      (1ull << VHOST_USER_PROTOCOL_F_HYVE_STATS)))
		return refuse(dev, VU_ERR_STATE, -EPERM);
	if (m->nfds != 1)
		return refuse(dev, VU_ERR_FDS, -EINVAL);
	if (len < VU_STATS_AREA_MIN || len > VU_STATS_AREA_MAX ||
	    page <= 0 || len % (uint64_t)page)
		return refuse(dev, VU_ERR_VALUE, -EINVAL);
	if (fstat(m->fds[0], &st) < 0)
		return refuse(dev, VU_ERR_MEM, -errno);
	if (!S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (uint64_t)st.st_size != len)
		return refuse(dev, VU_ERR_MEM, -EINVAL);
	seals = fcntl(m->fds[0], F_GET_SEALS);
	if (seals < 0 || (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) !=
	    (F_SEAL_SHRINK | F_SEAL_GROW))
		return refuse(dev, VU_ERR_MEM, -EPERM);
	p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 m->fds[0], 0);
	if (p == MAP_FAILED)
		return refuse(dev, VU_ERR_MEM, -errno);
	unmap_stats(dev);
	dev->stats = p;
	dev->stats_len = (size_t)len;
	a = p;
	memset(a, 0, sizeof(*a));
	vu_dev_publish(dev);
	a->version = VU_STATS_VERSION;
	a->size = sizeof(*a);
	__atomic_store_n(&a->magic, VU_STATS_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

static void reset_device(struct vu_dev *dev)
{
	for (unsigned int i = 0; i < dev->nqueues; i++)
		vring_reset(&dev->vr[i]);
	dev->features = 0;
	if (dev->ops->reset)
		dev->ops->reset(dev);
}

static int h_vring_fd(struct vu_dev *dev, struct vu_msg *m)
{
	uint64_t v = m->p.u64;
	struct vu_vring *vr;
	bool nofd = v & VHOST_USER_VRING_NOFD_MASK;
	int fd = -1, rc;

	if (need_size(dev, m, 8))
		return -EINVAL;
	if (v & ~(VHOST_USER_VRING_IDX_MASK | VHOST_USER_VRING_NOFD_MASK))
		return refuse(dev, VU_ERR_VALUE, -EINVAL);
	if ((v & VHOST_USER_VRING_IDX_MASK) >= dev->nqueues)
		return refuse(dev, VU_ERR_INDEX, -EINVAL);
	if (m->nfds != (nofd ? 0u : 1u))
		return refuse(dev, VU_ERR_FDS, -EINVAL);
	/* Polling rings (kick without fd) are not supported. */
	if (nofd && m->hdr.request == VHOST_USER_SET_VRING_KICK)
		return refuse(dev, VU_ERR_VALUE, -ENOTSUP);
	vr = &dev->vr[v & VHOST_USER_VRING_IDX_MASK];
	if (!nofd) {
		fd = take_fd(m);
		/*
		 * Never block on a peer's fd: a call fd that is a full pipe
		 * must not stall the helper. This also sets it on the peer's
		 * file description, which eventfd users expect anyway.
		 */
		int fl = fcntl(fd, F_GETFL);

		if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
			close(fd);
			return refuse(dev, VU_ERR_FDS, -EINVAL);
		}
	}

	switch (m->hdr.request) {
	case VHOST_USER_SET_VRING_CALL:
		close_fd(&vr->call_fd);
		vr->call_fd = fd;
		return 0;
	case VHOST_USER_SET_VRING_ERR:
		close_fd(&vr->err_fd);
		vr->err_fd = fd;
		return 0;
	default: /* KICK */
		/* drops the previous kick fd even if that ring never started */
		vring_stop(vr);
		vr->kick_fd = fd;
		if (dev->loop) {
			rc = evloop_add(dev->loop, fd, kick_cb, vr);
			if (rc < 0) {
				close_fd(&vr->kick_fd);
				return refuse(dev, VU_ERR_FDS, rc);
			}
		}
		return vring_start(vr);
	}
}

static int h_get_config(struct vu_dev *dev, struct vu_msg *m)
{
	const struct vu_config *c = &m->p.config;
	struct vu_config *out = &m->reply.config;
	int rc;

	if (m->hdr.size < VU_CONFIG_HDR_SIZE ||
	    c->size > VHOST_USER_MAX_CONFIG_SIZE ||
	    m->hdr.size != VU_CONFIG_HDR_SIZE + c->size)
		return refuse(dev, VU_ERR_SIZE, -EINVAL);
	if (!dev->ops->get_config || c->offset > dev->ops->config_size ||
	    c->size > dev->ops->config_size - c->offset)
		return refuse(dev, VU_ERR_VALUE, -EINVAL);
	out->offset = c->offset;
	out->size = c->size;
	out->flags = c->flags;
	memset(out->payload, 0, sizeof(out->payload));
	rc = dev->ops->get_config(dev, out->payload, c->offset, c->size);
	if (rc < 0)
		return refuse(dev, VU_ERR_VALUE, rc);
	m->reply_size = VU_CONFIG_HDR_SIZE + c->size;
	return 0;
}

static int h_set_config(struct vu_dev *dev, struct vu_msg *m)
{
	const struct vu_config *c = &m->p.config;
	int rc;

	if (m->hdr.size < VU_CONFIG_HDR_SIZE ||
	    c->size > VHOST_USER_MAX_CONFIG_SIZE ||
	    m->hdr.size != VU_CONFIG_HDR_SIZE + c->size)
		return refuse(dev, VU_ERR_SIZE, -EINVAL);
	if (!dev->ops->set_config || c->offset > dev->ops->config_size ||
	    c->size > dev->ops->config_size - c->offset)
		return refuse(dev, VU_ERR_VALUE, -EINVAL);
	rc = dev->ops->set_config(dev, c->payload, c->offset, c->size);
	return rc < 0 ? refuse(dev, VU_ERR_VALUE, rc) : 0;
}

static void reply_u64(struct vu_msg *m, uint64_t v)
{
	m->reply.u64 = v;
	m->reply_size = 8;
}

/* Handle one framed message; -errno when refused. */
static int handle(struct vu_dev *dev, struct vu_msg *m)
{
	struct vu_vring *vr;
	uint64_t v;

	switch (m->hdr.request) {
	case VHOST_USER_GET_FEATURES:
		if (need_size(dev, m, 0) || need_nofds(dev, m))
			return -EINVAL;
		reply_u64(m, vu_dev_features(dev));
		return 0;
	case VHOST_USER_SET_FEATURES:
		if (need_size(dev, m, 8) || need_nofds(dev, m))
			return -EINVAL;
		v = m->p.u64;
		if (v & ~vu_dev_features(dev))
			return refuse(dev, VU_ERR_VALUE, -EINVAL);
		dev->features = v;
		return 0;
	case VHOST_USER_GET_PROTOCOL_FEATURES:
		if (need_size(dev, m, 0) || need_nofds(dev, m))
			return -EINVAL;
		reply_u64(m, vu_dev_protocol_features(dev));
		return 0;
	case VHOST_USER_SET_PROTOCOL_FEATURES:
		if (need_size(dev, m, 8) || need_nofds(dev, m))
			return -EINVAL;
		if (m->p.u64 & ~vu_dev_protocol_features(dev))
			return refuse(dev, VU_ERR_VALUE, -EINVAL);
		dev->protocol_features = m->p.u64;
		return 0;
	case VHOST_USER_SET_OWNER:
		if (need_size(dev, m, 0) || need_nofds(dev, m))
			return -EINVAL;
		dev->owner = true;
		return 0;
	case VHOST_USER_RESET_OWNER:
	case VHOST_USER_RESET_DEVICE:
		if (need_size(dev, m, 0) || need_nofds(dev, m))
			return -EINVAL;
		reset_device(dev);
		return 0;
	case VHOST_USER_SET_MEM_TABLE:
		return h_set_mem_table(dev, m);
	case VHOST_USER_SET_VRING_NUM:
		if (need_size(dev, m, 8) || need_nofds(dev, m))
			return -EINVAL;
		if (!(vr = state_ring(dev, m)))
			return -EINVAL;
		v = m->p.state.num;
		if (v == 0 || v > VIRTQ_MAX_SIZE || (v & (v - 1)))
			return refuse(dev, VU_ERR_VALUE, -EINVAL);
		if (vr->started)
			return refuse(dev, VU_ERR_STATE, -EBUSY);
		vr->num = (uint16_t)v;
		return 0;
	case VHOST_USER_SET_VRING_BASE:
		if (need_size(dev, m, 8) || need_nofds(dev, m))
			return -EINVAL;
		if (!(vr = state_ring(dev, m)))
			return -EINVAL;
		if (m->p.state.num > UINT16_MAX)
			return refuse(dev, VU_ERR_VALUE, -EINVAL);
		if (vr->started)
			return refuse(dev, VU_ERR_STATE, -EBUSY);
		vr->base = (uint16_t)m->p.state.num;
		return 0;
	case VHOST_USER_GET_VRING_BASE:
		if (need_size(dev, m, 8) || need_nofds(dev, m))
			return -EINVAL;
		if (!(vr = state_ring(dev, m)))
			return -EINVAL;
		vring_stop(vr);
		m->reply.state.index = vr->index;
		m->reply.state.num = vr->base;
		m->reply_size = sizeof(m->reply.state);
		return 0;
	case VHOST_USER_SET_VRING_ADDR:
		if (need_size(dev, m, sizeof(struct vu_vring_addr)) ||
		    need_nofds(dev, m))
			return -EINVAL;
		if (m->p.addr.index >= dev->nqueues)
			return refuse(dev, VU_ERR_INDEX, -EINVAL);
		vr = &dev->vr[m->p.addr.index];
		vr->desc_ua = m->p.addr.desc;
		vr->avail_ua = m->p.addr.avail;
		vr->used_ua = m->p.addr.used;
		vr->addr_set = true;
		/* A running ring moves (e.g. logging toggled): remap in place. */
		if (vr->started && vring_map(vr, vr->vq.last_avail) < 0) {
			vr->started = false;
			vring_signal_err(vr);
			return refuse(dev, VU_ERR_RING, -EFAULT);
		}
		return 0;
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
		return h_vring_fd(dev, m);
	case VHOST_USER_GET_QUEUE_NUM:
		if (need_size(dev, m, 0) || need_nofds(dev, m))
			return -EINVAL;
		reply_u64(m, dev->nqueues);
		return 0;
	case VHOST_USER_SET_VRING_ENABLE:
		if (need_size(dev, m, 8) || need_nofds(dev, m))
			return -EINVAL;
		if (!(vr = state_ring(dev, m)))
			return -EINVAL;
		if (m->p.state.num > 1)
			return refuse(dev, VU_ERR_VALUE, -EINVAL);
		vr->enabled = m->p.state.num;
		if (vr->enabled && vr->started)
			vu_queue_run(dev, vr->index);
		return 0;
	case VHOST_USER_GET_CONFIG:
		if (need_nofds(dev, m))
			return -EINVAL;
		return h_get_config(dev, m);
	case VHOST_USER_SET_CONFIG:
		if (need_nofds(dev, m))
			return -EINVAL;
		return h_set_config(dev, m);
	case VHOST_USER_HYVE_SET_STATS_AREA:
		return h_set_stats_area(dev, m);
	default:
		return refuse(dev, VU_ERR_UNKNOWN, -ENOSYS);
	}
}

/* Requests whose reply carries a body; everything else is ack-only. */
static bool has_reply_body(uint32_t req)
{
	switch (req) {
	case VHOST_USER_GET_FEATURES:
	case VHOST_USER_GET_PROTOCOL_FEATURES:
	case VHOST_USER_GET_VRING_BASE:
	case VHOST_USER_GET_QUEUE_NUM:
	case VHOST_USER_GET_CONFIG:
		return true;
	default:
		return false;
	}
}

/* ------------------------------------------------------------ framing */

static int send_reply(struct vu_dev *dev, const struct vu_msg *m,
		      const void *body, uint32_t size)
{
	struct vu_hdr h = {
		.request = m->hdr.request,
		.flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK,
		.size = size,
	};
	struct iovec iov[2] = {
		{ &h, sizeof(h) },
		{ (void *)(uintptr_t)body, size },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };
	ssize_t n;

	do {
		n = sendmsg(dev->sock, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == sizeof(h) + size ? 0 : -EIO;
}

int vu_dev_dispatch(struct vu_dev *dev)
{
	struct vu_msg m;
	bool ctrunc = false;
	int rc, hrc;

	memset(&m, 0, sizeof(m));
	for (unsigned int i = 0; i < VHOST_USER_MAX_REGIONS; i++)
		m.fds[i] = -1;

	rc = vu_recv_fds(dev->sock, &m.hdr, sizeof(m.hdr), m.fds, &m.nfds, &ctrunc);
	if (rc == 0) {
		rc = -ECONNRESET;
		goto out;
	}
	if (rc < 0)
		goto out;
	/* Framing errors: after these the byte stream cannot be trusted. */
	if ((m.hdr.flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION ||
	    (m.hdr.flags & VHOST_USER_REPLY_MASK) ||
	    m.hdr.size > VU_MAX_PAYLOAD) {
		rc = -EPROTO;
		goto out;
	}
	if (m.hdr.size) {
		rc = vu_recv_fds(dev->sock, &m.p, m.hdr.size, NULL, NULL, &ctrunc);
		if (rc <= 0) {
			rc = rc == 0 ? -EPROTO : rc;
			goto out;
		}
	}
	dev->messages++;

	if (ctrunc)
		hrc = refuse(dev, VU_ERR_FDS, -EINVAL);
	else
		hrc = handle(dev, &m);
	/*
	 * Whatever the handler did not take is closed before the reply, so
	 * the peer never sees an ack while we still hold its fds: memory fds
	 * after their mmap, and fds that came with a message that has none
	 * (the handler refused and counted those).
	 */
	for (unsigned int i = 0; i < VHOST_USER_MAX_REGIONS; i++)
		close_fd(&m.fds[i]);

	if (has_reply_body(m.hdr.request)) {
		/* An empty body tells the front end the request failed. */
		rc = send_reply(dev, &m, &m.reply, hrc < 0 ? 0 : m.reply_size);
	} else if ((m.hdr.flags & VHOST_USER_NEED_REPLY_MASK) &&
		   (dev->protocol_features &
		    (1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK))) {
		uint64_t ack = hrc < 0 ? 1 : 0;

		rc = send_reply(dev, &m, &ack, sizeof(ack));
	} else {
		rc = 0;
	}
	/* a refusal is a counter too */
	vu_dev_publish(dev);
out:
	/* framing errors: the fds of a message we never handled */
	for (unsigned int i = 0; i < VHOST_USER_MAX_REGIONS; i++)
		close_fd(&m.fds[i]);
	return rc;
}

/* ------------------------------------------------------------ lifecycle */

static int sock_cb(void *arg)
{
	struct vu_dev *dev = arg;
	int rc = vu_dev_dispatch(dev);

	return rc < 0 ? rc : 0;
}

int vu_dev_init(struct vu_dev *dev, int sock, const struct vu_dev_ops *ops,
		void *priv)
{
	if (sock < 0 || !ops || !ops->process || ops->nqueues == 0 ||
	    ops->nqueues > VU_MAX_QUEUES ||
	    ops->config_size > VHOST_USER_MAX_CONFIG_SIZE)
		return -EINVAL;
	memset(dev, 0, sizeof(*dev));
	dev->ops = ops;
	dev->priv = priv;
	dev->sock = sock;
	dev->require_sealed = true;
	dev->nqueues = ops->nqueues;
	gmem_init(&dev->mem);
	for (unsigned int i = 0; i < VU_MAX_QUEUES; i++) {
		struct vu_vring *vr = &dev->vr[i];

		vr->dev = dev;
		vr->index = i;
		vr->kick_fd = vr->call_fd = vr->err_fd = -1;
		virtq_init(&vr->vq, &dev->mem);
	}
	return 0;
}

int vu_dev_attach(struct vu_dev *dev, struct evloop *loop)
{
	int rc = evloop_add(loop, dev->sock, sock_cb, dev);

	if (rc < 0)
		return rc;
	dev->loop = loop;
	for (unsigned int i = 0; i < dev->nqueues; i++) {
		struct vu_vring *vr = &dev->vr[i];

		if (vr->kick_fd >= 0) {
			rc = evloop_add(loop, vr->kick_fd, kick_cb, vr);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

void vu_dev_fini(struct vu_dev *dev)
{
	for (unsigned int i = 0; i < VU_MAX_QUEUES; i++)
		vring_reset(&dev->vr[i]);
	if (dev->loop)
		evloop_del(dev->loop, dev->sock);
	dev->loop = NULL;
	unmap_all(dev->maps);
	unmap_stats(dev);
	gmem_init(&dev->mem);
	dev->mem_set = false;
}
