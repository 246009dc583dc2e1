/*
 * vu_front.h - vhost-user front-end side: build and send requests to a
 * device helper (hyve drives hyve-blk/net/rng with these), read replies.
 *
 * The helper is less trusted than hyve: every reply is checked (request,
 * flags, exact size), fds in replies are closed, and the socket gets a
 * receive timeout so a wedged helper cannot hang the VMM.
 */
#ifndef HYVE_VU_FRONT_H
#define HYVE_VU_FRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/vu_proto.h"

struct vu_front {
	int sock;
	bool reply_ack;   /* REPLY_ACK negotiated: SET_* wait for an ack */
};

/* timeout_ms > 0 sets SO_RCVTIMEO on sock; 0 waits forever. */
int vu_front_init(struct vu_front *f, int sock, int timeout_ms);

/* Raw send (used by the calls below and by tests): 0 or -errno. */
int vu_front_send(struct vu_front *f, uint32_t req, uint32_t flags,
		  const void *payload, uint32_t size, const int *fds,
		  unsigned int nfds);
/*
 * Receive a reply to `req` whose body must be exactly `size` bytes:
 * 0, -EIO for an empty (failure) body, -EPROTO for anything malformed.
 */
int vu_front_recv(struct vu_front *f, uint32_t req, void *body, uint32_t size);

int vu_front_get_u64(struct vu_front *f, uint32_t req, uint64_t *v);
/* SET_FEATURES / SET_PROTOCOL_FEATURES and other u64 requests */
int vu_front_set_u64(struct vu_front *f, uint32_t req, uint64_t v);
int vu_front_set_protocol_features(struct vu_front *f, uint64_t v);
int vu_front_simple(struct vu_front *f, uint32_t req); /* SET_OWNER, RESET_* */
int vu_front_set_mem_table(struct vu_front *f, const struct vu_mem_region *r,
			   const int *fds, unsigned int n);
/* SET_VRING_NUM / SET_VRING_BASE / SET_VRING_ENABLE */
int vu_front_set_state(struct vu_front *f, uint32_t req, uint32_t index,
		       uint32_t num);
int vu_front_get_vring_base(struct vu_front *f, uint32_t index, uint32_t *num);
int vu_front_set_vring_addr(struct vu_front *f, const struct vu_vring_addr *a);
/* SET_VRING_KICK / CALL / ERR; fd < 0 sends "no fd" */
int vu_front_set_vring_fd(struct vu_front *f, uint32_t req, uint32_t index,
			  int fd);
int vu_front_get_config(struct vu_front *f, uint32_t off, void *buf,
			uint32_t len);
int vu_front_set_config(struct vu_front *f, uint32_t off, const void *buf,
			uint32_t len);

/*
 * The stats area (vu_proto.h): a sealed memfd of len bytes, mapped
 * read-only here; *fd_out goes to the helper with
 * vu_front_set_stats_area() and may be closed after.  Before the sandbox
 * only (memfd_create).
 */
int vu_stats_area_create(size_t len, int *fd_out,
			 const struct vu_stats_area **map_out);
int vu_front_set_stats_area(struct vu_front *f, int fd, uint64_t len);
/* Copy the helper's counters: 0, or -EPROTO while the header is not (or
 * no longer) right, and then *out must not be used. */
int vu_stats_area_read(const struct vu_stats_area *a,
		       struct vu_stats_area *out);

#endif
