/*
 * helper_fd: checks of the fds a device helper inherits (see helper_fd.h).
 * Never opens anything: it runs in a helper that has no filesystem.
 */
#define _GNU_SOURCE
#include "devices/helper_fd.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int helper_check_sock(int fd)
{
	int type = 0, domain = 0;
	socklen_t len = sizeof(type);
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -errno;
	len = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
		return -errno;
	if (type != SOCK_STREAM || domain != AF_UNIX)
		return -EPROTOTYPE;
	return 0;
}

void helper_close_others(int keep_a, int keep_b)
{
	unsigned int lo = (unsigned int)(keep_a < keep_b ? keep_a : keep_b);
	unsigned int hi = (unsigned int)(keep_a < keep_b ? keep_b : keep_a);

	if (lo > 3)
		close_range(3, lo - 1, 0);
	if (hi > lo + 1)
		close_range(lo + 1, hi - 1, 0);
	close_range(hi + 1, ~0u, 0);
}
