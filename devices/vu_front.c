/*
 * vu_front.c - vhost-user front-end requests and reply checks.
 *
 * Must never trust a reply: wrong request, missing REPLY flag, a size that
 * is not exactly the one expected, or fds attached are all -EPROTO.
 */
#define _GNU_SOURCE /* memfd_create, F_ADD_SEALS */
#include "devices/vu_front.h"
#include "devices/vu_io.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int vu_front_init(struct vu_front *f, int sock, int timeout_ms)
{
	memset(f, 0, sizeof(*f));
	f->sock = sock;
	if (timeout_ms > 0) {
		struct timeval tv = {
			.tv_sec = timeout_ms / 1000,
			.tv_usec = (timeout_ms % 1000) * 1000,
		};

		if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
			return -errno;
	}
	return 0;
}

int vu_front_send(struct vu_front *f, uint32_t req, uint32_t flags,
		  const void *payload, uint32_t size, const int *fds,
		  unsigned int nfds)
{
	struct vu_hdr h = { .request = req, .flags = flags, .size = size };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_REGIONS)];
	} cbuf;
	struct iovec iov[2] = {
		{ &h, sizeof(h) },
		{ (void *)(uintptr_t)payload, size },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };
	ssize_t n;

	if (nfds > VHOST_USER_MAX_REGIONS)
		return -EINVAL;
	if (nfds) {
		struct cmsghdr *c;

		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do {
		n = sendmsg(f->sock, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == sizeof(h) + size ? 0 : -EIO;
}

/* Read exactly len bytes: a reply carries no fd, so any that comes along
 * is closed and flagged; the helper hanging up is -ECONNRESET. */
static int recv_exact(int sock, void *buf, size_t len, bool *had_fds)
{
	int rc = vu_recv_fds(sock, buf, len, NULL, NULL, had_fds);

	if (rc == 0 || rc == -EPROTO)
		return -ECONNRESET;
	return rc < 0 ? rc : 0;
}

int vu_front_recv(struct vu_front *f, uint32_t req, void *body, uint32_t size)
{
	struct vu_hdr h;
	union vu_payload p;
	bool had_fds = false;
	int rc;

	rc = recv_exact(f->sock, &h, sizeof(h), &had_fds);
	if (rc < 0)
		return rc;
	if (h.request != req || (h.flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION ||
	    !(h.flags & VHOST_USER_REPLY_MASK) || h.size > sizeof(p))
		return -EPROTO;
	if (h.size) {
		rc = recv_exact(f->sock, &p, h.size, &had_fds);
		if (rc < 0)
			return rc;
	}
	if (had_fds)
		return -EPROTO;
	if (h.size == 0 && size != 0)
		return -EIO;
	if (h.size != size)
		return -EPROTO;
	memcpy(body, &p, size);
	return 0;
}

/* Send a request without a reply body; wait for its ack if negotiated. */
static int request_ack(struct vu_front *f, uint32_t req, const void *payload,
		       uint32_t size, const int *fds, unsigned int nfds)
{
	uint32_t flags = VHOST_USER_VERSION;
	uint64_t ack;
	int rc;

	if (f->reply_ack)
		flags |= VHOST_USER_NEED_REPLY_MASK;
	rc = vu_front_send(f, req, flags, payload, size, fds, nfds);
	if (rc < 0 || !f->reply_ack)
		return rc;
	rc = vu_front_recv(f, req, &ack, sizeof(ack));
	if (rc < 0)
		return rc;
	return ack ? -EIO : 0;
}

int vu_front_get_u64(struct vu_front *f, uint32_t req, uint64_t *v)
{
	int rc = vu_front_send(f, req, VHOST_USER_VERSION, NULL, 0, NULL, 0);

	return rc < 0 ? rc : vu_front_recv(f, req, v, sizeof(*v));
}

int vu_front_set_u64(struct vu_front *f, uint32_t req, uint64_t v)
{
	return request_ack(f, req, &v, sizeof(v), NULL, 0);
}

int vu_front_set_protocol_features(struct vu_front *f, uint64_t v)
{
	/* The ack rule applies from the next request on. */
	int rc = vu_front_set_u64(f, VHOST_USER_SET_PROTOCOL_FEATURES, v);

	if (rc == 0)
		f->reply_ack = v & (1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK);
	return rc;
}

int vu_front_simple(struct vu_front *f, uint32_t req)
{
	return request_ack(f, req, NULL, 0, NULL, 0);
}

int vu_front_set_mem_table(struct vu_front *f, const struct vu_mem_region *r,
			   const int *fds, unsigned int n)
{
	struct vu_mem_table t;

	if (n == 0 || n > VHOST_USER_MAX_REGIONS)
		return -EINVAL;
	memset(&t, 0, sizeof(t));
	t.nregions = n;
	memcpy(t.regions, r, n * sizeof(*r));
	return request_ack(f, VHOST_USER_SET_MEM_TABLE, &t, VU_MEM_TABLE_SIZE(n),
			   fds, n);
}

int vu_front_set_state(struct vu_front *f, uint32_t req, uint32_t index,
		       uint32_t num)
{
	struct vu_vring_state s = { .index = index, .num = num };

	return request_ack(f, req, &s, sizeof(s), NULL, 0);
}

int vu_front_get_vring_base(struct vu_front *f, uint32_t index, uint32_t *num)
{
	struct vu_vring_state s = { .index = index };
	int rc = vu_front_send(f, VHOST_USER_GET_VRING_BASE, VHOST_USER_VERSION,
			       &s, sizeof(s), NULL, 0);

	if (rc < 0)
		return rc;
	rc = vu_front_recv(f, VHOST_USER_GET_VRING_BASE, &s, sizeof(s));
	if (rc < 0)
		return rc;
	if (s.index != index)
		return -EPROTO;
	*num = s.num;
	return 0;
}

int vu_front_set_vring_addr(struct vu_front *f, const struct vu_vring_addr *a)
{
	return request_ack(f, VHOST_USER_SET_VRING_ADDR, a, sizeof(*a), NULL, 0);
}

int vu_front_set_vring_fd(struct vu_front *f, uint32_t req, uint32_t index,
			  int fd)
{
	uint64_t v = index & VHOST_USER_VRING_IDX_MASK;

	if (fd < 0)
		v |= VHOST_USER_VRING_NOFD_MASK;
	return request_ack(f, req, &v, sizeof(v), fd < 0 ? NULL : &fd,
			   fd < 0 ? 0 : 1);
}

int vu_front_get_config(struct vu_front *f, uint32_t off, void *buf,
			uint32_t len)
{
	struct vu_config c;
	int rc;

	if (len > VHOST_USER_MAX_CONFIG_SIZE)
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	c.offset = off;
	c.size = len;
	rc = vu_front_send(f, VHOST_USER_GET_CONFIG, VHOST_USER_VERSION, &c,
			   VU_CONFIG_HDR_SIZE + len, NULL, 0);
	if (rc < 0)
		return rc;
	rc = vu_front_recv(f, VHOST_USER_GET_CONFIG, &c, VU_CONFIG_HDR_SIZE + len);
	if (rc < 0)
		return rc;
	if (c.offset != off || c.size != len)
		return -EPROTO;
	memcpy(buf, c.payload, len);
	return 0;
}

int vu_front_set_config(struct vu_front *f, uint32_t off, const void *buf,
			uint32_t len)
{
	struct vu_config c;

	if (len > VHOST_USER_MAX_CONFIG_SIZE)
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	c.offset = off;
	c.size = len;
	memcpy(c.payload, buf, len);
	return request_ack(f, VHOST_USER_SET_CONFIG, &c, VU_CONFIG_HDR_SIZE + len,
			   NULL, 0);
}

/* ------------------------------------------------------------ stats area */

int vu_stats_area_create(size_t len, int *fd_out,
			 const struct vu_stats_area **map_out)
{
	const int seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
	void *p;
	int fd, rc;

	if (len < VU_STATS_AREA_MIN || len > VU_STATS_AREA_MAX)
		return -EINVAL;
	fd = memfd_create("hyve-stats", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)len) < 0 || fcntl(fd, F_ADD_SEALS, seals) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	/* read-only here: the numbers are the helper's to write */
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		rc = -errno;
		close(fd);
		return rc;
	}
	*fd_out = fd;
	*map_out = p;
	return 0;
}

int vu_front_set_stats_area(struct vu_front *f, int fd, uint64_t len)
{
	return request_ack(f, VHOST_USER_HYVE_SET_STATS_AREA, &len, sizeof(len),
			   &fd, 1);
}

int vu_stats_area_read(const struct vu_stats_area *a, struct vu_stats_area *out)
{
	/* each field once, whole: the helper writes while we read */
	out->magic = __atomic_load_n(&a->magic, __ATOMIC_ACQUIRE);
	out->version = __atomic_load_n(&a->version, __ATOMIC_RELAXED);
	out->size = __atomic_load_n(&a->size, __ATOMIC_RELAXED);
	out->requests = __atomic_load_n(&a->requests, __ATOMIC_RELAXED);
	out->bytes_in = __atomic_load_n(&a->bytes_in, __ATOMIC_RELAXED);
	out->bytes_out = __atomic_load_n(&a->bytes_out, __ATOMIC_RELAXED);
	out->errors = __atomic_load_n(&a->errors, __ATOMIC_RELAXED);
	out->ring_errors = __atomic_load_n(&a->ring_errors, __ATOMIC_RELAXED);
	out->refused = __atomic_load_n(&a->refused, __ATOMIC_RELAXED);
	if (out->magic != VU_STATS_MAGIC || out->version != VU_STATS_VERSION ||
	    out->size != sizeof(*out))
		return -EPROTO;
	return 0;
}
