/*
 * evloop.h - a tiny epoll loop for device helpers: the vhost-user socket
 * plus one kick eventfd per queue, all handled on one thread.
 *
 * Must never block inside a callback on anything but the fd it was woken
 * for; callbacks decide when the loop ends by returning non-zero.
 */
#ifndef HYVE_EVLOOP_H
#define HYVE_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

#define EVLOOP_MAX_SRC 32

/* Return 0 to keep going, anything else stops evloop_run() with that value. */
typedef int (*evloop_fn)(void *arg);

struct evloop_src {
	int fd;
	uint32_t gen;
	evloop_fn fn;
	void *arg;
};

struct evloop {
	int epfd;
	uint32_t gen;
	struct evloop_src src[EVLOOP_MAX_SRC];
};

int evloop_init(struct evloop *l);
void evloop_fini(struct evloop *l);
/* Watch fd for input. -EEXIST if already watched, -ENOSPC when full. */
int evloop_add(struct evloop *l, int fd, evloop_fn fn, void *arg);
/* Stop watching fd (does not close it). Safe from inside a callback. */
int evloop_del(struct evloop *l, int fd);
/*
 * Run until a callback returns non-zero, which is returned. timeout_ms < 0
 * waits forever; otherwise 0 is returned after that long without events.
 */
int evloop_run(struct evloop *l, int timeout_ms);

#endif
