/*
 * net_guest.h - a minimal virtio-net "guest driver" for tests: guest memory
 * is a memfd this process maps, the rings are built by hand in it, and the
 * device is driven over vhost-user with vu_front. Used by tests/unit/
 * test_net.c and by net-front-test (the sandbox test's fake guest).
 *
 * Test code only: never linked into a program that is installed. It trusts
 * nothing the device writes beyond checking used-ring ids and lengths.
 */
#ifndef HYVE_NET_GUEST_H
#define HYVE_NET_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/vu_front.h"

#define NG_MEM_SIZE (8u << 20)
#define NG_QMAX 256u
/* guest-physical layout (gpa == offset in the memfd) */
#define NG_RING(q) (0x10000u * (q))          /* desc, avail +4K, used +8K */
#define NG_DATA 0x100000u                      /* free for buffers */

struct ng_seg {
	uint64_t gpa;
	uint32_t len;
	bool write;
};

struct ng_q {
	uint16_t avail_idx;   /* next avail slot */
	uint16_t used_seen;   /* used entries consumed */
	uint16_t next_desc;   /* round-robin descriptor cursor */
};

struct ng {
	struct vu_front fe;
	int memfd;
	int kick[2], call[2];
	uint8_t *mem;
	uint16_t qsz;
	uint64_t features;    /* acked */
	struct ng_q q[2];
};

/* In `want`: do not ask for VERSION_1 (a legacy driver's header). */
#define NG_NO_VERSION_1 (1ull << 63)

/*
 * Connect to the device on sock: features = want & offered (VERSION_1 is
 * asked for unless NG_NO_VERSION_1), protocol features, memory, both queues of qsz
 * entries, enabled. 0 or -errno.
 */
int ng_open(struct ng *g, int sock, uint64_t want, uint16_t qsz);
void ng_close(struct ng *g);

/* Host pointer of gpa (inside the memfd; the caller keeps in bounds). */
uint8_t *ng_ptr(struct ng *g, uint64_t gpa);

/* Post one chain on queue q (descriptors taken round-robin); returns the
 * head index. Does not kick. */
uint16_t ng_post(struct ng *g, unsigned int q, const struct ng_seg *s,
		 unsigned int n);
/* Raw descriptor write for hostile fixtures. */
void ng_desc(struct ng *g, unsigned int q, uint16_t i, uint64_t gpa,
	     uint32_t len, uint16_t flags, uint16_t next);
/* Publish head on queue q's avail ring (no kick). */
void ng_avail(struct ng *g, unsigned int q, uint16_t head);
int ng_kick(struct ng *g, unsigned int q);

/*
 * Next used entry of queue q, waiting up to timeout_ms for the device's
 * interrupt: 1 with *id and *len, 0 on timeout, -errno.
 */
int ng_used(struct ng *g, unsigned int q, int timeout_ms, uint32_t *id,
	    uint32_t *len);

/* Ethernet/IPv4 helpers for building test frames. */
uint16_t ng_csum(const void *p, size_t len, uint32_t sum);

#endif
