/*
 * vu_io: receive a vhost-user message part with its fds (see vu_io.h).
 * Never trusts the peer's control data: fds past the caller's room are
 * closed.
 */
#include "devices/vu_io.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/vu_proto.h"

int vu_recv_fds(int sock, void *buf, size_t len, int *fds, unsigned int *nfds,
		bool *stray)
{
	size_t got = 0;

	while (got < len) {
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_REGIONS)];
		} cbuf;
		struct iovec iov = { (uint8_t *)buf + got, len - got };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
		};
		struct cmsghdr *c;
		ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (mh.msg_flags & MSG_CTRUNC)
			*stray = true;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			size_t k, cnt;

			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
			    c->cmsg_len < CMSG_LEN(0))
				continue;
			cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (k = 0; k < cnt; k++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
				if (fds && *nfds < VHOST_USER_MAX_REGIONS) {
					fds[(*nfds)++] = fd;
				} else {
					close(fd);
					*stray = true;
				}
			}
		}
		if (n == 0)
			return got == 0 ? 0 : -EPROTO;
		got += (size_t)n;
		fds = NULL;   /* fds belong to the first byte of a message only */
	}
	return 1;
}
