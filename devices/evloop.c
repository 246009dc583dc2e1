/*
 * evloop.c - a tiny epoll loop for device helpers.
 *
 * Sources live in a fixed table; each epoll registration carries the slot
 * and a generation number, so an event that was already queued for a
 * source deleted (and maybe replaced) earlier in the same batch is dropped
 * instead of reaching the wrong callback.
 */
#include "devices/evloop.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

int evloop_init(struct evloop *l)
{
	memset(l, 0, sizeof(*l));
	for (int i = 0; i < EVLOOP_MAX_SRC; i++)
		l->src[i].fd = -1;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -errno : 0;
}

void evloop_fini(struct evloop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

int evloop_add(struct evloop *l, int fd, evloop_fn fn, void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int free_slot = -1;

	if (fd < 0 || !fn)
		return -EINVAL;
	for (int i = 0; i < EVLOOP_MAX_SRC; i++) {
		if (l->src[i].fd == fd)
			return -EEXIST;
		if (l->src[i].fd < 0 && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return -ENOSPC;
	l->gen++;
	ev.data.u64 = (uint64_t)l->gen << 32 | (uint32_t)free_slot;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	l->src[free_slot] = (struct evloop_src){
		.fd = fd, .gen = l->gen, .fn = fn, .arg = arg,
	};
	return 0;
}

int evloop_del(struct evloop *l, int fd)
{
	for (int i = 0; i < EVLOOP_MAX_SRC; i++) {
		if (l->src[i].fd != fd)
			continue;
		l->src[i].fd = -1;
		l->src[i].fn = NULL;
		if (epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL) < 0)
			return -errno;
		return 0;
	}
	return -ENOENT;
}

int evloop_run(struct evloop *l, int timeout_ms)
{
	struct epoll_event ev[16];

	for (;;) {
		int n = epoll_wait(l->epfd, ev, 16, timeout_ms);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return 0;
		for (int i = 0; i < n; i++) {
			uint32_t slot = (uint32_t)ev[i].data.u64;
			uint32_t gen = (uint32_t)(ev[i].data.u64 >> 32);
			struct evloop_src *s;
			int rc;

			if (slot >= EVLOOP_MAX_SRC)
				continue;
			s = &l->src[slot];
			if (s->fd < 0 || s->gen != gen)
				continue;   /* deleted earlier in this batch */
			rc = s->fn(s->arg);
			if (rc)
				return rc;
		}
	}
}
