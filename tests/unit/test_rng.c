/*
 * test_rng.c - virtio-rng back end end to end over vhost-user: once with
 * the back end on a thread of this process, once as the real hyve-rng
 * binary (from this test's build directory) given its socket with --fd.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "devices/evloop.h"
#include "devices/rng.h"
#include "devices/virtq.h"
#include "devices/vu.h"
#include "devices/vu_front.h"

#define MEM_SIZE (1u << 20)
#define QSZ 16
#define DESC 0x1000u
#define AVAIL 0x2000u
#define USED 0x3000u
#define DATA 0x10000u

struct drv {
	struct vu_front fe;
	int memfd, kick, call;
	uint8_t *mem;
	uint16_t avail_idx;
};

static void drv_open(struct drv *d, int sock)
{
	uint64_t v;
	struct vu_mem_region r;
	struct vu_vring_addr a;

	memset(d, 0, sizeof(*d));
	assert_int_equal(vu_front_init(&d->fe, sock, 5000), 0);
	d->memfd = memfd_create("guest", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_true(d->memfd >= 0);
	assert_int_equal(ftruncate(d->memfd, MEM_SIZE), 0);
	assert_int_equal(fcntl(d->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
	d->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, d->memfd, 0);
	assert_true(d->mem != MAP_FAILED);
	d->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	d->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	assert_int_equal(vu_front_get_u64(&d->fe, VHOST_USER_GET_FEATURES, &v), 0);
	assert_true(v & (1ull << VIRTIO_F_VERSION_1));
	assert_int_equal(vu_front_set_u64(&d->fe, VHOST_USER_SET_FEATURES,
					  (1ull << VIRTIO_F_VERSION_1) |
					  (1ull << VIRTIO_RING_F_EVENT_IDX) |
					  (1ull << VHOST_USER_F_PROTOCOL_FEATURES)), 0);
	assert_int_equal(vu_front_get_u64(&d->fe, VHOST_USER_GET_PROTOCOL_FEATURES, &v), 0);
	/* no config space: CONFIG is not offered */
	assert_false(v & (1ull << VHOST_USER_PROTOCOL_F_CONFIG));
	assert_int_equal(vu_front_set_protocol_features(&d->fe, v), 0);
	assert_int_equal(vu_front_get_u64(&d->fe, VHOST_USER_GET_QUEUE_NUM, &v), 0);
	assert_int_equal(v, 1);
	r = (struct vu_mem_region){ .gpa = 0, .size = MEM_SIZE,
				    .uaddr = (uintptr_t)d->mem };
	assert_int_equal(vu_front_set_mem_table(&d->fe, &r, &d->memfd, 1), 0);
	assert_int_equal(vu_front_set_state(&d->fe, VHOST_USER_SET_VRING_NUM, 0, QSZ), 0);
	assert_int_equal(vu_front_set_state(&d->fe, VHOST_USER_SET_VRING_BASE, 0, 0), 0);
	a = (struct vu_vring_addr){ .index = 0, .desc = (uintptr_t)d->mem + DESC,
				    .avail = (uintptr_t)d->mem + AVAIL,
				    .used = (uintptr_t)d->mem + USED };
	assert_int_equal(vu_front_set_vring_addr(&d->fe, &a), 0);
	assert_int_equal(vu_front_set_vring_fd(&d->fe, VHOST_USER_SET_VRING_CALL, 0, d->call), 0);
	assert_int_equal(vu_front_set_vring_fd(&d->fe, VHOST_USER_SET_VRING_KICK, 0, d->kick), 0);
	assert_int_equal(vu_front_set_state(&d->fe, VHOST_USER_SET_VRING_ENABLE, 0, 1), 0);
	/* a second queue does not exist */
	assert_int_equal(vu_front_set_state(&d->fe, VHOST_USER_SET_VRING_NUM, 1, QSZ), -EIO);
}

static void drv_close(struct drv *d)
{
	munmap(d->mem, MEM_SIZE);
	close(d->memfd);
	close(d->kick);
	close(d->call);
}

static void desc(struct drv *d, unsigned int i, uint64_t addr, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	struct virtq_desc x = { .addr = addr, .len = len, .flags = flags, .next = next };

	memcpy(d->mem + DESC + 16 * i, &x, sizeof(x));
}

/* Post chain `head`, kick, wait for the interrupt; returns the used len. */
static uint32_t run(struct drv *d, uint16_t head)
{
	struct pollfd p = { .fd = d->call, .events = POLLIN };
	uint64_t one = 1, v;
	uint16_t used;
	uint32_t id, len;

	memcpy(d->mem + AVAIL + 4 + 2 * (d->avail_idx % QSZ), &head, 2);
	d->avail_idx++;
	memcpy(d->mem + AVAIL + 4 + 2 * QSZ, &(uint16_t){ (uint16_t)(d->avail_idx - 1) }, 2);
	__atomic_store_n((uint16_t *)(void *)(d->mem + AVAIL + 2), d->avail_idx,
			 __ATOMIC_RELEASE);
	assert_int_equal(write(d->kick, &one, 8), 8);
	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_int_equal(read(d->call, &v, 8), 8);
	used = __atomic_load_n((uint16_t *)(void *)(d->mem + USED + 2), __ATOMIC_ACQUIRE);
	assert_int_equal(used, d->avail_idx);
	memcpy(&id, d->mem + USED + 4 + 8 * ((used - 1) % QSZ), 4);
	memcpy(&len, d->mem + USED + 8 + 8 * ((used - 1) % QSZ), 4);
	assert_int_equal(id, head);
	return len;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* The same checks against either back end. */
static void exercise(struct drv *d)
{
	/* two writable segments */
	desc(d, 0, DATA, 32, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	desc(d, 1, DATA + 0x100, 16, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(run(d, 0), 48);
	assert_false(all_zero(d->mem + DATA, 32));
	assert_false(all_zero(d->mem + DATA + 0x100, 16));
	assert_true(all_zero(d->mem + DATA + 32, 0x100 - 32));

	/* again: fresh bytes */
	desc(d, 2, DATA + 0x200, 32, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(run(d, 2), 32);
	assert_memory_not_equal(d->mem + DATA, d->mem + DATA + 0x200, 32);

	/* a readable segment is neither read nor counted */
	memset(d->mem + DATA + 0x300, 'r', 8);
	desc(d, 3, DATA + 0x300, 8, VIRTQ_DESC_F_NEXT, 4);
	desc(d, 4, DATA + 0x400, 8, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(run(d, 3), 8);
	assert_memory_equal(d->mem + DATA + 0x300, "rrrrrrrr", 8);

	/* one request is capped at RNG_MAX_REQ bytes */
	desc(d, 5, DATA + 0x1000, 2 * RNG_MAX_REQ, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(run(d, 5), RNG_MAX_REQ);
	assert_false(all_zero(d->mem + DATA + 0x1000 + RNG_MAX_REQ - 64, 64));
	assert_true(all_zero(d->mem + DATA + 0x1000 + RNG_MAX_REQ, RNG_MAX_REQ));
}

/* ------------------------------------------------------------ in process */

struct inproc {
	struct evloop loop;
	struct vu_dev dev;
	struct rng rng;
	int rc;
};

static void *backend(void *arg)
{
	struct inproc *b = arg;

	b->rc = evloop_run(&b->loop, -1);
	return NULL;
}

static void test_rng_inprocess(void **state)
{
	static struct inproc b;
	struct drv d;
	pthread_t t;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(evloop_init(&b.loop), 0);
	assert_int_equal(vu_dev_init(&b.dev, sv[1], &rng_ops, &b.rng), 0);
	assert_int_equal(vu_dev_attach(&b.dev, &b.loop), 0);
	assert_int_equal(pthread_create(&t, NULL, backend, &b), 0);
	drv_open(&d, sv[0]);
	exercise(&d);
	close(sv[0]);
	pthread_join(t, NULL);
	assert_int_equal(b.rc, -ECONNRESET);
	assert_int_equal(b.rng.requests, 4);
	assert_int_equal(b.rng.bytes, 48 + 32 + 8 + RNG_MAX_REQ);
	assert_int_equal(b.rng.failures, 0);
	vu_dev_fini(&b.dev);
	evloop_fini(&b.loop);
	close(sv[1]);
	drv_close(&d);
}

/* ------------------------------------------------------------ hyve-rng */

static char helper[PATH_MAX];

static pid_t spawn(const char *fdarg, int keep)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (keep >= 0)
			fcntl(keep, F_SETFD, 0);   /* inherited across exec */
		execl(helper, "hyve-rng", "--fd", fdarg, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int wait_exit(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_rng_helper_binary(void **state)
{
	struct drv d;
	char arg[16];
	int sv[2];
	pid_t pid;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	snprintf(arg, sizeof(arg), "%d", sv[1]);
	pid = spawn(arg, sv[1]);
	close(sv[1]);
	drv_open(&d, sv[0]);
	exercise(&d);
	/* hyve goes away: the helper exits cleanly */
	close(sv[0]);
	assert_int_equal(wait_exit(pid), 0);
	drv_close(&d);
}

static void test_rng_helper_bad_args(void **state)
{
	int fd = eventfd(0, EFD_CLOEXEC);
	char arg[16];

	(void)state;
	assert_int_equal(wait_exit(spawn("x", -1)), 2);
	assert_int_equal(wait_exit(spawn("1", -1)), 2);
	assert_int_equal(wait_exit(spawn("999", -1)), 1);   /* not open */
	snprintf(arg, sizeof(arg), "%d", fd);
	assert_int_equal(wait_exit(spawn(arg, fd)), 1);      /* not a socket */
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng_inprocess),
		cmocka_unit_test(test_rng_helper_binary),
		cmocka_unit_test(test_rng_helper_bad_args),
	};
	ssize_t n = readlink("/proc/self/exe", helper, sizeof(helper) - 1);

	if (n <= 0 || (size_t)n > sizeof(helper) - 16)
		return 1;
	helper[n] = 0;
	/* hyve-rng sits next to this test binary (build/ or build-san/) */
	snprintf(helper + strlen(dirname(helper)), 16, "/hyve-rng");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
