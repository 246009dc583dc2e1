/*
 * vu_io: reading one part of a vhost-user message off a unix stream socket,
 * with the SCM_RIGHTS fds that come along.  Shared by the back end (vu.c,
 * in the helpers) and the front end (vu_front.c, in hyve).
 *
 * The peer controls every byte and every fd it sends: fds beyond what the
 * caller can take are closed and reported, never leaked.
 */
#ifndef HYVE_VU_IO_H
#define HYVE_VU_IO_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Read exactly len bytes from sock.  Fds that arrive are stored in fds (up
 * to VHOST_USER_MAX_REGIONS, counted in *nfds) when fds is not NULL, and only
 * with the first chunk read; every other fd is closed and *stray set, as it
 * is when the kernel truncated the control data.  Returns 1 when len bytes
 * were read, 0 on EOF before the first byte, -EPROTO on EOF inside, or
 * -errno (a receive timeout included).
 */
int vu_recv_fds(int sock, void *buf, size_t len, int *fds, unsigned int *nfds,
		bool *stray);

#endif
