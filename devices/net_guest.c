/*
 * net_guest.c - a minimal virtio-net driver over vhost-user for tests (see
 * net_guest.h). Split rings without EVENT_IDX or INDIRECT: the device
 * interrupts after every batch unless told not to, which keeps the waits
 * simple. Must never be linked into an installed program.
 */
#define _GNU_SOURCE
#include "devices/net_guest.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/net.h"
#include "devices/virtq.h"

uint8_t *ng_ptr(struct ng *g, uint64_t gpa)
{
	return g->mem + gpa;
}

static int setup_queue(struct ng *g, unsigned int q)
{
	struct vu_vring_addr a = {
		.index = q,
		.desc = (uintptr_t)g->mem + NG_RING(q),
		.avail = (uintptr_t)g->mem + NG_RING(q) + 0x1000,
		.used = (uintptr_t)g->mem + NG_RING(q) + 0x2000,
	};
	int rc;

	rc = vu_front_set_state(&g->fe, VHOST_USER_SET_VRING_NUM, q, g->qsz);
	if (!rc)
		rc = vu_front_set_state(&g->fe, VHOST_USER_SET_VRING_BASE, q, 0);
	if (!rc)
		rc = vu_front_set_vring_addr(&g->fe, &a);
	if (!rc)
		rc = vu_front_set_vring_fd(&g->fe, VHOST_USER_SET_VRING_CALL, q,
					   g->call[q]);
	if (!rc)
		rc = vu_front_set_vring_fd(&g->fe, VHOST_USER_SET_VRING_KICK, q,
					   g->kick[q]);
	if (!rc)
		rc = vu_front_set_state(&g->fe, VHOST_USER_SET_VRING_ENABLE, q, 1);
	return rc;
}

int ng_open(struct ng *g, int sock, uint64_t want, uint16_t qsz)
{
	struct vu_mem_region r;
	uint64_t v;
	int rc;

	memset(g, 0, sizeof(*g));
	g->memfd = g->kick[0] = g->kick[1] = g->call[0] = g->call[1] = -1;
	if (qsz == 0 || qsz > NG_QMAX || (qsz & (qsz - 1)))
		return -EINVAL;
	g->qsz = qsz;
	rc = vu_front_init(&g->fe, sock, 5000);
	if (rc)
		return rc;
	g->memfd = memfd_create("guest", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (g->memfd < 0 || ftruncate(g->memfd, NG_MEM_SIZE) < 0 ||
	    fcntl(g->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0)
		return -errno;
	g->mem = mmap(NULL, NG_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      g->memfd, 0);
	if (g->mem == MAP_FAILED) {
		g->mem = NULL;
		return -errno;
	}
	for (int i = 0; i < 2; i++) {
		g->kick[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		g->call[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (g->kick[i] < 0 || g->call[i] < 0)
			return -errno;
	}
	rc = vu_front_get_u64(&g->fe, VHOST_USER_GET_FEATURES, &v);
	if (rc)
		return rc;
	if (want & NG_NO_VERSION_1)
		want &= ~(NG_NO_VERSION_1 | (1ull << VIRTIO_F_VERSION_1));
	else
		want |= 1ull << VIRTIO_F_VERSION_1;
	want |= 1ull << VHOST_USER_F_PROTOCOL_FEATURES;
	g->features = want & v;
	rc = vu_front_set_u64(&g->fe, VHOST_USER_SET_FEATURES, g->features);
	if (!rc)
		rc = vu_front_get_u64(&g->fe, VHOST_USER_GET_PROTOCOL_FEATURES, &v);
	if (!rc)
		rc = vu_front_set_protocol_features(&g->fe, v);
	if (rc)
		return rc;
	r = (struct vu_mem_region){ .gpa = 0, .size = NG_MEM_SIZE,
				    .uaddr = (uintptr_t)g->mem };
	rc = vu_front_set_mem_table(&g->fe, &r, &g->memfd, 1);
	for (unsigned int q = 0; q < 2 && !rc; q++)
		rc = setup_queue(g, q);
	return rc;
}

void ng_close(struct ng *g)
{
	if (g->mem)
		munmap(g->mem, NG_MEM_SIZE);
	g->mem = NULL;
	if (g->memfd >= 0)
		close(g->memfd);
	for (int i = 0; i < 2; i++) {
		if (g->kick[i] >= 0)
			close(g->kick[i]);
		if (g->call[i] >= 0)
			close(g->call[i]);
	}
}

void ng_desc(struct ng *g, unsigned int q, uint16_t i, uint64_t gpa,
	     uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { .addr = gpa, .len = len, .flags = flags,
				.next = next };

	memcpy(g->mem + NG_RING(q) + 16u * i, &d, sizeof(d));
}

void ng_avail(struct ng *g, unsigned int q, uint16_t head)
{
	uint8_t *avail = g->mem + NG_RING(q) + 0x1000;
	struct ng_q *s = &g->q[q];

	memcpy(avail + 4 + 2 * (s->avail_idx % g->qsz), &head, 2);
	s->avail_idx++;
	__atomic_store_n((uint16_t *)(void *)(avail + 2), s->avail_idx,
			 __ATOMIC_RELEASE);
}

uint16_t ng_post(struct ng *g, unsigned int q, const struct ng_seg *s,
		 unsigned int n)
{
	struct ng_q *st = &g->q[q];
	uint16_t head = st->next_desc, cur = head;

	for (unsigned int i = 0; i < n; i++) {
		uint16_t next = (uint16_t)((cur + 1) % g->qsz);
		uint16_t fl = (s[i].write ? VIRTQ_DESC_F_WRITE : 0) |
			      (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0);

		ng_desc(g, q, cur, s[i].gpa, s[i].len, fl, i + 1 < n ? next : 0);
		cur = next;
	}
	st->next_desc = cur;
	ng_avail(g, q, head);
	return head;
}

int ng_kick(struct ng *g, unsigned int q)
{
	uint64_t one = 1;

	return write(g->kick[q], &one, 8) == 8 ? 0 : -errno;
}

int ng_used(struct ng *g, unsigned int q, int timeout_ms, uint32_t *id,
	    uint32_t *len)
{
	uint8_t *used = g->mem + NG_RING(q) + 0x2000;
	struct ng_q *s = &g->q[q];

	for (;;) {
		struct pollfd p = { .fd = g->call[q], .events = POLLIN };
		uint16_t idx = __atomic_load_n((uint16_t *)(void *)(used + 2),
					       __ATOMIC_ACQUIRE);
		uint64_t v;
		int rc;

		if (idx != s->used_seen) {
			uint8_t *e = used + 4 + 8u * (s->used_seen % g->qsz);

			memcpy(id, e, 4);
			memcpy(len, e + 4, 4);
			s->used_seen++;
			return 1;
		}
		rc = poll(&p, 1, timeout_ms);
		if (rc < 0 && errno != EINTR)
			return -errno;
		if (rc == 0)
			return 0;
		if (read(g->call[q], &v, 8) < 0 && errno != EAGAIN)
			return -errno;
	}
}

uint16_t ng_csum(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
