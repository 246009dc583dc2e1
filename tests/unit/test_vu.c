/*
 * test_vu.c - vhost-user back end against the vu_front helpers over a
 * socketpair: memfd guest memory, eventfd kicks and calls, the back end on
 * its own thread in an evloop. Then hostile messages: oversized, truncated,
 * too many regions, bad indexes, overflowing offsets, fds where none
 * belong. Each hostile case checks the refusal, the counter for its
 * reason, that stray fds were closed, and that the connection still works
 * (or, for framing errors, that it was ended).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "devices/evloop.h"
#include "devices/virtq.h"
#include "devices/vu.h"
#include "devices/vu_front.h"

#define MEM_SIZE (1u << 20)
#define QSZ 8
#define DESC 0x1000u
#define AVAIL 0x2000u
#define USED 0x3000u
#define DATA 0x10000u
#define CFG_SIZE 16

/* ------------------------------------------------------------ test device */

struct echo {
	uint8_t cfg[CFG_SIZE];
	unsigned int processed;
	unsigned int resets;
	/* test_busy_driver: play a driver that re-posts chain 0 meanwhile */
	uint8_t *refill_avail;
	int refills;
};

static int echo_get_config(struct vu_dev *dev, uint8_t *buf, uint32_t off,
			   uint32_t len)
{
	struct echo *e = dev->priv;

	/* a device may refuse a read; byte 13 plays that part here */
	if (off <= 13 && off + len > 13 && len == 1)
		return -EIO;
	memcpy(buf, e->cfg + off, len);
	return 0;
}

static int echo_set_config(struct vu_dev *dev, const uint8_t *buf,
			   uint32_t off, uint32_t len)
{
	struct echo *e = dev->priv;

	memcpy(e->cfg + off, buf, len);
	return 0;
}

/* Copies the device-readable bytes, upper-cased, into the writable ones. */
static void echo_process(struct vu_dev *dev, unsigned int q, struct virtq *vq)
{
	static struct virtq_req req;
	struct echo *e = dev->priv;
	uint8_t buf[256];

	(void)q;
	while (virtq_pop(vq, &req) == 1) {
		size_t n = virtq_iov_from(&req, 0, buf, sizeof(buf));

		for (size_t i = 0; i < n; i++)
			if (buf[i] >= 'a' && buf[i] <= 'z')
				buf[i] -= 32;
		n = virtq_iov_to(&req, 0, buf, n);
		virtq_push(vq, &req, (uint32_t)n);
		__atomic_add_fetch(&e->processed, 1, __ATOMIC_RELEASE);
	}
	if (e->refill_avail && e->refills > 0) {
		uint8_t *avail = e->refill_avail;
		uint16_t idx, head = 0;

		e->refills--;
		memcpy(&idx, avail + 2, 2);
		memcpy(avail + 4 + 2 * (idx % QSZ), &head, 2);
		idx++;
		__atomic_store_n((uint16_t *)(void *)(avail + 2), idx, __ATOMIC_RELEASE);
	}
}

static void echo_reset(struct vu_dev *dev)
{
	struct echo *e = dev->priv;

	e->resets++;
}

static void echo_stats(struct vu_dev *dev, struct vu_counters *out)
{
	struct echo *e = dev->priv;

	out->requests = __atomic_load_n(&e->processed, __ATOMIC_ACQUIRE);
	out->bytes_in = 1000 * out->requests;
	out->bytes_out = 7;
	out->errors = 3;
}

static const struct vu_dev_ops echo_ops = {
	.name = "echo",
	.features = 1ull << 5,
	.nqueues = 2,
	.config_size = CFG_SIZE,
	.get_config = echo_get_config,
	.set_config = echo_set_config,
	.process = echo_process,
	.reset = echo_reset,
	.stats = echo_stats,
};

/* ------------------------------------------------------------ fixture */

struct fx {
	int sv[2];
	struct vu_front fe;
	struct vu_dev dev;
	struct evloop loop;
	struct echo echo;
	pthread_t thr;
	int thr_rc;
	bool joined;
	int memfd;
	uint8_t *mem;
	int kick, call, err;
};

static void *backend_main(void *arg)
{
	struct fx *f = arg;

	f->thr_rc = evloop_run(&f->loop, -1);
	return NULL;
}

static int make_memfd(size_t size, bool seal)
{
	int fd = memfd_create("guest", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	if (seal)
		assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
	return fd;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f->sv), 0);
	assert_int_equal(vu_front_init(&f->fe, f->sv[0], 5000), 0);
	memcpy(f->echo.cfg, "hyve-test-config", CFG_SIZE);
	assert_int_equal(vu_dev_init(&f->dev, f->sv[1], &echo_ops, &f->echo), 0);
	assert_int_equal(evloop_init(&f->loop), 0);
	assert_int_equal(vu_dev_attach(&f->dev, &f->loop), 0);
	f->memfd = make_memfd(MEM_SIZE, true);
	f->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f->memfd, 0);
	assert_true(f->mem != MAP_FAILED);
	f->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->err = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(f->kick >= 0 && f->call >= 0 && f->err >= 0);
	assert_int_equal(pthread_create(&f->thr, NULL, backend_main, f), 0);
	*state = f;
	return 0;
}

static void join(struct fx *f)
{
	if (!f->joined) {
		pthread_join(f->thr, NULL);
		f->joined = true;
	}
}

static int teardown(void **state)
{
	struct fx *f = *state;

	close(f->sv[0]);   /* back end sees EOF and its loop ends */
	join(f);
	assert_int_equal(f->thr_rc, -ECONNRESET);
	vu_dev_fini(&f->dev);
	evloop_fini(&f->loop);
	close(f->sv[1]);
	munmap(f->mem, MEM_SIZE);
	close(f->memfd);
	close(f->kick);
	close(f->call);
	close(f->err);
	free(f);
	return 0;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n++;
	closedir(d);
	return n;
}

static uint64_t ua(struct fx *f, uint64_t gpa)
{
	return (uint64_t)(uintptr_t)f->mem + gpa;
}

static void negotiate_pf(struct fx *f, uint64_t drop)
{
	uint64_t v;
	const uint64_t want = (1ull << VIRTIO_F_VERSION_1) |
			      (1ull << VIRTIO_RING_F_EVENT_IDX) |
			      (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
			      (1ull << VHOST_USER_F_PROTOCOL_FEATURES) | (1ull << 5);

	assert_int_equal(vu_front_get_u64(&f->fe, VHOST_USER_GET_FEATURES, &v), 0);
	assert_int_equal(v & want, want);
	assert_int_equal(vu_front_simple(&f->fe, VHOST_USER_SET_OWNER), 0);
	assert_int_equal(vu_front_set_u64(&f->fe, VHOST_USER_SET_FEATURES, want), 0);
	assert_int_equal(vu_front_get_u64(&f->fe, VHOST_USER_GET_PROTOCOL_FEATURES, &v), 0);
	assert_true(v & (1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK));
	assert_true(v & (1ull << VHOST_USER_PROTOCOL_F_CONFIG));
	assert_true(v & (1ull << VHOST_USER_PROTOCOL_F_MQ));
	assert_true(v & (1ull << VHOST_USER_PROTOCOL_F_HYVE_STATS));
	assert_int_equal(vu_front_set_protocol_features(&f->fe, v & ~drop), 0);
	assert_true(f->fe.reply_ack);
	assert_int_equal(vu_front_get_u64(&f->fe, VHOST_USER_GET_QUEUE_NUM, &v), 0);
	assert_int_equal(v, 2);
}

static void negotiate(struct fx *f)
{
	negotiate_pf(f, 0);
}

static void set_mem(struct fx *f)
{
	struct vu_mem_region r = {
		.gpa = 0, .size = MEM_SIZE, .uaddr = ua(f, 0), .mmap_offset = 0,
	};

	assert_int_equal(vu_front_set_mem_table(&f->fe, &r, &f->memfd, 1), 0);
}

static void start_ring(struct fx *f, uint64_t desc, uint64_t avail, uint64_t used)
{
	struct vu_vring_addr a = {
		.index = 0, .desc = ua(f, desc), .avail = ua(f, avail),
		.used = ua(f, used),
	};

	assert_int_equal(vu_front_set_state(&f->fe, VHOST_USER_SET_VRING_NUM, 0, QSZ), 0);
	assert_int_equal(vu_front_set_state(&f->fe, VHOST_USER_SET_VRING_BASE, 0, 0), 0);
	assert_int_equal(vu_front_set_vring_addr(&f->fe, &a), 0);
	assert_int_equal(vu_front_set_vring_fd(&f->fe, VHOST_USER_SET_VRING_CALL, 0, f->call), 0);
	assert_int_equal(vu_front_set_vring_fd(&f->fe, VHOST_USER_SET_VRING_ERR, 0, f->err), 0);
}

static void set_desc(struct fx *f, unsigned int i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { .addr = addr, .len = len, .flags = flags, .next = next };

	memcpy(f->mem + DESC + 16 * i, &d, sizeof(d));
}

static void avail_add(struct fx *f, uint16_t head)
{
	uint16_t idx;

	memcpy(&idx, f->mem + AVAIL + 2, 2);
	memcpy(f->mem + AVAIL + 4 + 2 * (idx % QSZ), &head, 2);
	idx++;
	__atomic_store_n((uint16_t *)(void *)(f->mem + AVAIL + 2), idx, __ATOMIC_RELEASE);
}

static bool wait_fd(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t v;

	if (poll(&p, 1, ms) != 1)
		return false;
	return read(fd, &v, sizeof(v)) == sizeof(v);
}

static void kick(struct fx *f)
{
	uint64_t one = 1;
	uint16_t used;

	/* as Linux does with EVENT_IDX: interrupt me after the next buffer */
	memcpy(&used, f->mem + USED + 2, 2);
	memcpy(f->mem + AVAIL + 4 + 2 * QSZ, &used, 2);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	assert_int_equal(write(f->kick, &one, sizeof(one)), sizeof(one));
}

static uint16_t used_idx(struct fx *f)
{
	return __atomic_load_n((uint16_t *)(void *)(f->mem + USED + 2), __ATOMIC_ACQUIRE);
}

/* The connection still answers after a refusal. */
static void still_alive(struct fx *f)
{
	uint64_t v;

	assert_int_equal(vu_front_get_u64(&f->fe, VHOST_USER_GET_FEATURES, &v), 0);
}

/* ------------------------------------------------------------ happy path */

static void test_end_to_end(void **state)
{
	struct fx *f = *state;
	uint32_t used_id, used_len, base;
	uint8_t cfg[CFG_SIZE];

	negotiate(f);
	set_mem(f);
	start_ring(f, DESC, AVAIL, USED);
	assert_int_equal(vu_front_set_vring_fd(&f->fe, VHOST_USER_SET_VRING_KICK, 0, f->kick), 0);

	/* a request posted before the ring is enabled waits for the enable */
	memcpy(f->mem + DATA, "hello", 5);
	set_desc(f, 2, DATA, 5, VIRTQ_DESC_F_NEXT, 6);
	set_desc(f, 6, DATA + 0x100, 64, VIRTQ_DESC_F_WRITE, 0);
	avail_add(f, 2);
	kick(f);
	assert_false(wait_fd(f->call, 100));
	assert_int_equal(used_idx(f), 0);
	assert_int_equal(vu_front_set_state(&f->fe, VHOST_USER_SET_VRING_ENABLE, 0, 1), 0);
	assert_true(wait_fd(f->call, 2000));
	assert_int_equal(used_idx(f), 1);
	memcpy(&used_id, f->mem + USED + 4, 4);
	memcpy(&used_len, f->mem + USED + 8, 4);
	assert_int_equal(used_id, 2);
	assert_int_equal(used_len, 5);
	assert_memory_equal(f->mem + DATA + 0x100, "HELLO", 5);

	/* second request through a kick */
	memcpy(f->mem + DATA + 0x200, "abc", 3);
	set_desc(f, 0, DATA + 0x200, 3, VIRTQ_DESC_F_NEXT, 1);
	set_desc(f, 1, DATA + 0x300, 3, VIRTQ_DESC_F_WRITE, 0);
	avail_add(f, 0);
	kick(f);
	assert_true(wait_fd(f->call, 2000));
	assert_int_equal(used_idx(f), 2);
	assert_memory_equal(f->mem + DATA + 0x300, "ABC", 3);

	assert_int_equal(vu_front_get_config(&f->fe, 5, cfg, 4), 0);
	assert_memory_equal(cfg, "test", 4);
	assert_int_equal(vu_front_set_config(&f->fe, 0, "HYVE", 4), 0);
	assert_int_equal(vu_front_get_config(&f->fe, 0, cfg, CFG_SIZE), 0);
	assert_memory_equal(cfg, "HYVE-test-config", CFG_SIZE);

	/* stop: the base is where the device stopped consuming */
	assert_int_equal(vu_front_get_vring_base(&f->fe, 0, &base), 0);
	assert_int_equal(base, 2);
	assert_false(f->dev.vr[0].started);
	/* restart at that base: the ring resumes */
	assert_int_equal(vu_front_set_state(&f->fe, VHOST_USER_SET_VRING_BASE, 0, base), 0);
	assert_int_equal(vu_front_set_vring_fd(&f->fe, VHOST_USER_SET_VRING_KICK, 0, f->kick), 0);
	memcpy(f->mem + DATA + 0x400, "z", 1);
	set_desc(f, 3, DATA + 0x400, 1, VIRTQ_DESC_F_NEXT, 4);
	set_desc(f, 4, DATA + 0x500, 1, VIRTQ_DESC_F_WRITE, 0);
	avail_add(f, 3);
	kick(f);
	assert_true(wait_fd(f->call, 2000));
	assert_int_equal(used_idx(f), 3);
	assert_int_equal(f->mem[DATA + 0x500], 'Z');
	assert_int_equal(f->echo.processed, 3);

	assert_int_equal(vu_front_simple(&f->fe, VHOST_USER_RESET_DEVICE), 0);
	assert_int_equal(f->echo.resets, 1);
	for (int i = 0; i < VU_ERR__COUNT; i++)
		assert_int_equal(f->dev.errors[i], 0);
	assert_false(vu_dev_needs_reset(&f->dev));
}

/* A memory table replaced while a ring runs: the ring follows. */
static void test_mem_table_replaced(void **state)
{
	struct fx *f = *state;
	int fd2 = make_memfd(MEM_SIZE, true);

	negotiate(f);
	set_mem(f);
	start_ring(f, DESC, AVAIL, USED);
	assert_int_equal(vu_front_set_vring_fd(&f->fe, VHOST_USER_SET_VRING_KICK, 0, f->kick), 0);
	assert_int_equal(vu_front_set_state(&f->fe, VHOST_USER_SET_VRING_ENABLE, 0, 1), 0);
	/* same guest memory, now described as two regions of one memfd */
	struct vu_mem_region r[2] = {
		{ .gpa = 0, .size = MEM_SIZE / 2, .uaddr = ua(f, 0), .mmap_offset = 0 },
		{ .gpa = MEM_SIZE / 2, .size = MEM_SIZE / 2, .uaddr = ua(f, MEM_SIZE / 2),
		  .mmap_offset = MEM_SIZE / 2 },
	};
	int fds[2] = { f->memfd, f->memfd };

	assert_int_equal(vu_front_set_mem_table(&f->fe, r, fds, 2), 0);
	memcpy(f->mem + DATA, "q", 1);
	set_desc(f, 0, DATA, 1, VIRTQ_DESC_F_NEXT, 1);
	set_desc(f, 1, MEM_SIZE / 2 + 16, 1, VIRTQ_DESC_F_WRITE, 0);
	avail_add(f, 0);
	kick(f);
	assert_true(wait_fd(f->call, 2000));
	assert_int_equal(f->mem[MEM_SIZE / 2 + 16], 'Q');
	close(fd2);
}

/* ------------------------------------------------------------ hostile */

/* Send raw bytes with optional fds; expect an ack of failure. */
static void expect_nack(struct fx *f, uint32_t req, const void *payload,
			uint32_t size, const int *fds, unsigned int nfds,
			enum vu_err why)
{
	uint64_t before = f->dev.errors[why], ack = 0;
	int nfd_before = count_fds();

	assert_int_equal(vu_front_send(&f->fe, req,
				       VHOST_USER_VERSION | VHOST_USER_NEED_REPLY_MASK,
				       payload, size, fds, nfds), 0);
	assert_int_equal(vu_front_recv(&f->fe, req, &ack, sizeof(ack)), 0);
	assert_int_equal(ack, 1);
	assert_int_equal(f->dev.errors[why], before + 1);
	/* every fd the back end received for this message was closed */
	assert_int_equal(count_fds(), nfd_before);
	still_alive(f);
}

static void test_bad_vring_index(void **state)
{
	struct fx *f = *state;
	struct vu_vring_state s = { .index = 2, .num = 8 };
	struct vu_vring_addr a = { .index = 200 };
	uint64_t kv = 2;
	uint32_t base;

	negotiate(f);
	expect_nack(f, VHOST_USER_SET_VRING_NUM, &s, sizeof(s), NULL, 0, VU_ERR_INDEX);
	s.index = 0xffffffff;
	expect_nack(f, VHOST_USER_SET_VRING_BASE, &s, sizeof(s), NULL, 0, VU_ERR_INDEX);
	expect_nack(f, VHOST_USER_SET_VRING_ENABLE, &s, sizeof(s), NULL, 0, VU_ERR_INDEX);
	expect_nack(f, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0, VU_ERR_INDEX);
	expect_nack(f, VHOST_USER_SET_VRING_CALL, &kv, 8, &f->call, 1, VU_ERR_INDEX);
	/* a request with a reply body answers with an empty one */
	assert_int_equal(vu_front_get_vring_base(&f->fe, 7, &base), -EIO);
	still_alive(f);
}

static void test_bad_values(void **state)
{
	struct fx *f = *state;
	struct vu_vring_state s = { .index = 0, .num = 3 };
	uint64_t v = 1ull << 62;   /* a bit nobody offers */

	negotiate(f);
	expect_nack(f, VHOST_USER_SET_VRING_NUM, &s, sizeof(s), NULL, 0, VU_ERR_VALUE);
	s.num = 0;
	expect_nack(f, VHOST_USER_SET_VRING_NUM, &s, sizeof(s), NULL, 0, VU_ERR_VALUE);
	s.num = 2048;
	expect_nack(f, VHOST_USER_SET_VRING_NUM, &s, sizeof(s), NULL, 0, VU_ERR_VALUE);
	s.num = 0x10000;
	expect_nack(f, VHOST_USER_SET_VRING_BASE, &s, sizeof(s), NULL, 0, VU_ERR_VALUE);
	s.num = 2;
	expect_nack(f, VHOST_USER_SET_VRING_ENABLE, &s, sizeof(s), NULL, 0, VU_ERR_VALUE);
	expect_nack(f, VHOST_USER_SET_FEATURES, &v, 8, NULL, 0, VU_ERR_VALUE);
	expect_nack(f, VHOST_USER_SET_PROTOCOL_FEATURES, &v, 8, NULL, 0, VU_ERR_VALUE);
	v = 1ull << 9;   /* stray bit in a vring fd message */
	expect_nack(f, VHOST_USER_SET_VRING_CALL, &v, 8, &f->call, 1, VU_ERR_VALUE);
	v = VHOST_USER_VRING_NOFD_MASK;   /* polling kick: unsupported */
	expect_nack(f, VHOST_USER_SET_VRING_KICK, &v, 8, NULL, 0, VU_ERR_VALUE);
}

static void test_bad_sizes(void **state)
{
	struct fx *f = *state;
	uint8_t junk[64] = { 0 };

	negotiate(f);
	expect_nack(f, VHOST_USER_SET_VRING_NUM, junk, 4, NULL, 0, VU_ERR_SIZE);
	expect_nack(f, VHOST_USER_SET_VRING_NUM, junk, 12, NULL, 0, VU_ERR_SIZE);
	expect_nack(f, VHOST_USER_SET_FEATURES, junk, 0, NULL, 0, VU_ERR_SIZE);
	expect_nack(f, VHOST_USER_SET_OWNER, junk, 8, NULL, 0, VU_ERR_SIZE);
	expect_nack(f, VHOST_USER_SET_VRING_ADDR, junk, 39, NULL, 0, VU_ERR_SIZE);
	expect_nack(f, VHOST_USER_SET_MEM_TABLE, junk, 4, NULL, 0, VU_ERR_SIZE);
	expect_nack(f, VHOST_USER_SET_CONFIG, junk, 8, NULL, 0, VU_ERR_SIZE);
}

static void test_config_bounds(void **state)
{
	struct fx *f = *state;
	struct vu_config c = { .offset = 0xfffffff0, .size = 32 };
	uint8_t buf[VHOST_USER_MAX_CONFIG_SIZE];

	negotiate(f);
	/* offset + size wraps 2^32 */
	expect_nack(f, VHOST_USER_SET_CONFIG, &c, VU_CONFIG_HDR_SIZE + 32, NULL, 0,
		    VU_ERR_VALUE);
	assert_int_equal(vu_front_get_config(&f->fe, 0xfffffff0, buf, 32), -EIO);
	assert_int_equal(vu_front_get_config(&f->fe, 8, buf, CFG_SIZE), -EIO);
	assert_int_equal(f->dev.errors[VU_ERR_VALUE], 3);
	/* claimed size beyond the 256-byte maximum */
	c.offset = 0;
	c.size = 300;
	expect_nack(f, VHOST_USER_SET_CONFIG, &c, sizeof(c), NULL, 0, VU_ERR_SIZE);
	/* GET_CONFIG whose claimed size disagrees with the message size */
	c.size = 300;
	assert_int_equal(vu_front_send(&f->fe, VHOST_USER_GET_CONFIG, VHOST_USER_VERSION,
				       &c, VU_CONFIG_HDR_SIZE + 8, NULL, 0), 0);
	assert_int_equal(vu_front_recv(&f->fe, VHOST_USER_GET_CONFIG, &c,
				       VU_CONFIG_HDR_SIZE + 8), -EIO);
	assert_int_equal(f->dev.errors[VU_ERR_SIZE], 2);
	assert_int_equal(vu_front_get_config(&f->fe, 0, buf, CFG_SIZE), 0);
}

static void mem_nack(struct fx *f, const struct vu_mem_region *r, uint32_t n,
		     uint32_t size, const int *fds, unsigned int nfds,
		     enum vu_err why)
{
	struct vu_mem_table t;

	memset(&t, 0, sizeof(t));
	t.nregions = n;
	if (n <= VHOST_USER_MAX_REGIONS && r)
		memcpy(t.regions, r, n * sizeof(*r));
	expect_nack(f, VHOST_USER_SET_MEM_TABLE, &t, size, fds, nfds, why);
	assert_false(f->dev.mem_set);
}

static void test_mem_table_hostile(void **state)
{
	struct fx *f = *state;
	struct vu_mem_region r[2] = {
		{ .gpa = 0, .size = MEM_SIZE, .uaddr = 0x7000000000, .mmap_offset = 0 },
		{ .gpa = MEM_SIZE, .size = 4096, .uaddr = 0x8000000000, .mmap_offset = 0 },
	};
	int fds[2] = { f->memfd, f->memfd };
	int unsealed = make_memfd(MEM_SIZE, false);
	struct vu_mem_region bad;

	negotiate(f);
	/* too many and zero regions */
	mem_nack(f, r, 9, VU_MEM_TABLE_SIZE(8), fds, 1, VU_ERR_MEM);
	mem_nack(f, r, 0, VU_MEM_TABLE_SIZE(0), NULL, 0, VU_ERR_MEM);
	/* size does not match the count */
	mem_nack(f, r, 2, VU_MEM_TABLE_SIZE(1), fds, 2, VU_ERR_SIZE);
	/* fd count does not match the count */
	mem_nack(f, r, 2, VU_MEM_TABLE_SIZE(2), fds, 1, VU_ERR_FDS);
	mem_nack(f, r, 1, VU_MEM_TABLE_SIZE(1), fds, 2, VU_ERR_FDS);
	/* offset + size overflows */
	bad = r[0];
	bad.mmap_offset = UINT64_MAX - 10;
	mem_nack(f, &bad, 1, VU_MEM_TABLE_SIZE(1), fds, 1, VU_ERR_MEM);
	/* mapping would reach past the end of the file (SIGBUS) */
	bad = r[0];
	bad.mmap_offset = 4096;
	mem_nack(f, &bad, 1, VU_MEM_TABLE_SIZE(1), fds, 1, VU_ERR_MEM);
	/* gpa and user address wrap */
	bad = r[0];
	bad.gpa = UINT64_MAX - 4095;
	mem_nack(f, &bad, 1, VU_MEM_TABLE_SIZE(1), fds, 1, VU_ERR_MEM);
	bad = r[0];
	bad.uaddr = UINT64_MAX - 4095;
	mem_nack(f, &bad, 1, VU_MEM_TABLE_SIZE(1), fds, 1, VU_ERR_MEM);
	bad = r[0];
	bad.size = 0;
	mem_nack(f, &bad, 1, VU_MEM_TABLE_SIZE(1), fds, 1, VU_ERR_MEM);
	/* two regions over the same guest addresses */
	struct vu_mem_region ov[2] = { r[0], r[0] };
	ov[1].uaddr = 0x9000000000;
	mem_nack(f, ov, 2, VU_MEM_TABLE_SIZE(2), fds, 2, VU_ERR_MEM);
	/* not sealed against shrinking */
	mem_nack(f, r, 1, VU_MEM_TABLE_SIZE(1), &unsealed, 1, VU_ERR_MEM);
	/* an fd that is not a file */
	mem_nack(f, r, 1, VU_MEM_TABLE_SIZE(1), &f->kick, 1, VU_ERR_MEM);
	/* and the valid table still goes through afterwards */
	assert_int_equal(vu_front_set_mem_table(&f->fe, r, fds, 1), 0);
	assert_true(f->dev.mem_set);
	close(unsealed);
}

static void test_stray_fds(void **state)
{
	struct fx *f = *state;
	struct vu_vring_state s = { .index = 0, .num = 8 };
	int fds[8] = { f->kick, f->call, f->err, f->kick, f->call, f->err, f->kick, f->call };
	uint64_t v = 0;

	negotiate(f);
	expect_nack(f, VHOST_USER_SET_VRING_NUM, &s, sizeof(s), fds, 1, VU_ERR_FDS);
	expect_nack(f, VHOST_USER_SET_FEATURES, &v, 8, fds, 3, VU_ERR_FDS);
	expect_nack(f, VHOST_USER_SET_VRING_CALL, &v, 8, fds, 2, VU_ERR_FDS);
	/* an fd missing where one belongs */
	expect_nack(f, VHOST_USER_SET_VRING_KICK, &v, 8, NULL, 0, VU_ERR_FDS);
	/* "no fd" and an fd anyway */
	v = VHOST_USER_VRING_NOFD_MASK;
	expect_nack(f, VHOST_USER_SET_VRING_CALL, &v, 8, fds, 1, VU_ERR_FDS);
	/* unknown request with fds: refused, fds closed */
	expect_nack(f, 99, &v, 8, fds, 8, VU_ERR_UNKNOWN);
}

static void test_too_many_fds(void **state)
{
	struct fx *f = *state;
	int fds[12];
	uint64_t v = 0, ack;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(fds))];
	} cbuf;
	struct vu_hdr h = {
		.request = VHOST_USER_SET_FEATURES,
		.flags = VHOST_USER_VERSION | VHOST_USER_NEED_REPLY_MASK, .size = 8,
	};
	struct iovec iov[2] = { { &h, sizeof(h) }, { &v, 8 } };
	struct msghdr mh = {
		.msg_iov = iov, .msg_iovlen = 2,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	struct cmsghdr *c;
	int before;

	negotiate(f);
	for (int i = 0; i < 12; i++)
		fds[i] = f->kick;
	memset(&cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	before = count_fds();
	assert_int_equal(sendmsg(f->sv[0], &mh, 0), (ssize_t)(sizeof(h) + 8));
	assert_int_equal(vu_front_recv(&f->fe, VHOST_USER_SET_FEATURES, &ack, 8), 0);
	assert_int_equal(ack, 1);
	assert_int_equal(f->dev.errors[VU_ERR_FDS], 1);
	assert_int_equal(count_fds(), before);
	still_alive(f);
}

static void test_unknown_request(void **state)
{
	struct fx *f = *state;
	uint64_t v = 0;

	negotiate(f);
	expect_nack(f, 0, NULL, 0, NULL, 0, VU_ERR_UNKNOWN);
	expect_nack(f, VHOST_USER_SET_LOG_BASE, &v, 8, NULL, 0, VU_ERR_UNKNOWN);
	/* without need_reply nothing is sent, and the next request works */
	assert_int_equal(vu_front_send(&f->fe, 1000, VHOST_USER_VERSION, &v, 8, NULL, 0), 0);
	still_alive(f);
	assert_int_equal(f->dev.errors[VU_ERR_UNKNOWN], 3);
}

static void test_state_refused(void **state)
{
	struct fx *f = *state;
	struct vu_vring_state s = { .index = 0, .num = 16 };

	negotiate(f);
	set_mem(f);
	start_ring(f, DESC, AVAIL, USED);
	assert_int_equal(vu_front_set_vring_fd(&f->fe, VHOST_USER_SET_VRING_KICK, 0, f->kick), 0);
	/* resizing or rebasing a running ring */
	expect_nack(f, VHOST_USER_SET_VRING_NUM, &s, sizeof(s), NULL, 0, VU_ERR_STATE);
	expect_nack(f, VHOST_USER_SET_VRING_BASE, &s, sizeof(s), NULL, 0, VU_ERR_STATE);
}

/* Rings the front end places outside guest memory. */
static void test_ring_outside_memory(void **state)
{
	struct fx *f = *state;
	struct vu_vring_addr a = { .index = 0 };

	int nfd;

	negotiate(f);
	set_mem(f);
	/* used ring crosses the end of the region */
	start_ring(f, DESC, AVAIL, MEM_SIZE - 16);
	assert_int_equal(vu_front_set_vring_fd(&f->fe, VHOST_USER_SET_VRING_KICK, 0, f->kick), -EIO);
	nfd = count_fds();
	assert_int_equal(f->dev.errors[VU_ERR_RING], 1);
	assert_true(vu_dev_needs_reset(&f->dev));
	assert_true(wait_fd(f->err, 1000));
	/* an address outside every region */
	a.desc = 0x1000;
	a.avail = ua(f, AVAIL);
	a.used = ua(f, USED);
	assert_int_equal(vu_front_set_vring_addr(&f->fe, &a), 0);
	assert_int_equal(vu_front_set_vring_fd(&f->fe, VHOST_USER_SET_VRING_KICK, 0, f->kick), -EIO);
	assert_int_equal(f->dev.errors[VU_ERR_RING], 2);
	/* misaligned descriptor table */
	a.desc = ua(f, DESC + 8);
	assert_int_equal(vu_front_set_vring_addr(&f->fe, &a), 0);
	assert_int_equal(vu_front_set_vring_fd(&f->fe, VHOST_USER_SET_VRING_KICK, 0, f->kick), -EIO);
	assert_int_equal(f->dev.vr[0].vq.errors[VIRTQ_ERR_RING_ALIGN], 1);
	/* each new kick fd replaced the previous one: none leaked */
	assert_int_equal(count_fds(), nfd);
	/* and a good layout starts the ring */
	a.desc = ua(f, DESC);
	assert_int_equal(vu_front_set_vring_addr(&f->fe, &a), 0);
	assert_int_equal(vu_front_set_vring_fd(&f->fe, VHOST_USER_SET_VRING_KICK, 0, f->kick), 0);
	assert_false(vu_dev_needs_reset(&f->dev));
	assert_int_equal(count_fds(), nfd);
	still_alive(f);
}

/* A guest that breaks its ring: NEEDS_RESET, err fd, no more processing. */
static void test_hostile_guest(void **state)
{
	struct fx *f = *state;

	negotiate(f);
	set_mem(f);
	start_ring(f, DESC, AVAIL, USED);
	assert_int_equal(vu_front_set_vring_fd(&f->fe, VHOST_USER_SET_VRING_KICK, 0, f->kick), 0);
	assert_int_equal(vu_front_set_state(&f->fe, VHOST_USER_SET_VRING_ENABLE, 0, 1), 0);
	set_desc(f, 0, DATA, 8, VIRTQ_DESC_F_NEXT, 0);   /* self loop */
	avail_add(f, 0);
	kick(f);
	assert_true(wait_fd(f->err, 2000));
	still_alive(f);
	assert_true(vu_dev_needs_reset(&f->dev));
	assert_int_equal(f->dev.vr[0].vq.errors[VIRTQ_ERR_CHAIN_LOOP], 1);
	assert_int_equal(f->dev.errors[VU_ERR_RING], 1);
	/* a valid request afterwards is not processed */
	set_desc(f, 1, DATA, 8, VIRTQ_DESC_F_WRITE, 0);
	avail_add(f, 1);
	kick(f);
	assert_false(wait_fd(f->call, 200));
	assert_int_equal(f->echo.processed, 0);
	/* the front end resets the ring: it works again */
	uint32_t base;

	assert_int_equal(vu_front_get_vring_base(&f->fe, 0, &base), 0);
	assert_int_equal(base, 0);
	memset(f->mem + AVAIL, 0, 0x1000);
	memset(f->mem + USED, 0, 0x1000);
	start_ring(f, DESC, AVAIL, USED);
	assert_int_equal(vu_front_set_vring_fd(&f->fe, VHOST_USER_SET_VRING_KICK, 0, f->kick), 0);
	assert_false(vu_dev_needs_reset(&f->dev));
	avail_add(f, 1);
	kick(f);
	assert_true(wait_fd(f->call, 2000));
	assert_int_equal(f->echo.processed, 1);
}

/* Every request with a payload size of the wrong length, and fds. */
static void test_sizes_all(void **state)
{
	struct fx *f = *state;
	static const struct {
		uint32_t req, size, body;   /* body: reply size when it has one */
	} cases[] = {
		{ VHOST_USER_GET_FEATURES, 8, 8 },
		{ VHOST_USER_GET_PROTOCOL_FEATURES, 4, 8 },
		{ VHOST_USER_SET_PROTOCOL_FEATURES, 16, 0 },
		{ VHOST_USER_RESET_OWNER, 8, 0 },
		{ VHOST_USER_RESET_DEVICE, 1, 0 },
		{ VHOST_USER_SET_VRING_BASE, 9, 0 },
		{ VHOST_USER_GET_VRING_BASE, 0, 8 },
		{ VHOST_USER_GET_QUEUE_NUM, 8, 8 },
		{ VHOST_USER_SET_VRING_ENABLE, 4, 0 },
		{ VHOST_USER_SET_VRING_CALL, 4, 0 },
		{ VHOST_USER_SET_VRING_ERR, 16, 0 },
	};
	uint8_t zero[64] = { 0 }, reply[64];
	struct vu_config c = { .offset = 0, .size = 4 };
	uint64_t ack;

	negotiate(f);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t before = f->dev.errors[VU_ERR_SIZE];

		assert_int_equal(vu_front_send(&f->fe, cases[i].req,
					       VHOST_USER_VERSION | VHOST_USER_NEED_REPLY_MASK,
					       zero, cases[i].size, NULL, 0), 0);
		if (cases[i].body) {
			assert_int_equal(vu_front_recv(&f->fe, cases[i].req, reply,
						       cases[i].body), -EIO);
		} else {
			assert_int_equal(vu_front_recv(&f->fe, cases[i].req, &ack, 8), 0);
			assert_int_equal(ack, 1);
		}
		assert_int_equal(f->dev.errors[VU_ERR_SIZE], before + 1);
	}
	/* config requests never carry fds */
	assert_int_equal(vu_front_send(&f->fe, VHOST_USER_GET_CONFIG, VHOST_USER_VERSION,
				       &c, VU_CONFIG_HDR_SIZE + 4, &f->call, 1), 0);
	assert_int_equal(vu_front_recv(&f->fe, VHOST_USER_GET_CONFIG, reply,
				       VU_CONFIG_HDR_SIZE + 4), -EIO);
	expect_nack(f, VHOST_USER_SET_CONFIG, &c, VU_CONFIG_HDR_SIZE + 4, &f->call, 1,
		    VU_ERR_FDS);
	assert_int_equal(vu_front_send(&f->fe, VHOST_USER_GET_FEATURES, VHOST_USER_VERSION,
				       NULL, 0, &f->call, 1), 0);
	assert_int_equal(vu_front_recv(&f->fe, VHOST_USER_GET_FEATURES, reply, 8), -EIO);
	assert_int_equal(f->dev.errors[VU_ERR_FDS], 3);
	/* the device's own refusal of a config read */
	assert_int_equal(vu_front_get_config(&f->fe, 13, reply, 1), -EIO);
	assert_int_equal(f->dev.errors[VU_ERR_VALUE], 1);
}

static void test_init_refused(void **state)
{
	struct fx *f = *state;
	struct vu_dev d;
	struct vu_dev_ops o = echo_ops;

	assert_int_equal(vu_dev_init(&d, -1, &echo_ops, NULL), -EINVAL);
	assert_int_equal(vu_dev_init(&d, f->sv[1], NULL, NULL), -EINVAL);
	o.nqueues = 0;
	assert_int_equal(vu_dev_init(&d, f->sv[1], &o, NULL), -EINVAL);
	o.nqueues = VU_MAX_QUEUES + 1;
	assert_int_equal(vu_dev_init(&d, f->sv[1], &o, NULL), -EINVAL);
	o = echo_ops;
	o.config_size = VHOST_USER_MAX_CONFIG_SIZE + 1;
	assert_int_equal(vu_dev_init(&d, f->sv[1], &o, NULL), -EINVAL);
	o = echo_ops;
	o.process = NULL;
	assert_int_equal(vu_dev_init(&d, f->sv[1], &o, NULL), -EINVAL);
}

/* A kick before the ring has memory: refused, nothing mapped. */
static void test_kick_without_memory(void **state)
{
	struct fx *f = *state;
	struct vu_vring_addr a = { .index = 0, .desc = 0x1000, .avail = 0x2000,
				   .used = 0x3000 };

	negotiate(f);
	assert_int_equal(vu_front_set_state(&f->fe, VHOST_USER_SET_VRING_NUM, 0, QSZ), 0);
	assert_int_equal(vu_front_set_vring_addr(&f->fe, &a), 0);
	assert_int_equal(vu_front_set_vring_fd(&f->fe, VHOST_USER_SET_VRING_KICK, 0, f->kick), -EIO);
	assert_int_equal(f->dev.errors[VU_ERR_RING], 1);
	assert_false(f->dev.vr[0].started);
	still_alive(f);
}

/*
 * A driver that refills the ring while we process it: the run is bounded,
 * yet every request is served (the back end kicks itself).
 */
static void test_busy_driver(void **state)
{
	struct fx *f = *state;
	int waited = 0;

	negotiate(f);
	set_mem(f);
	start_ring(f, DESC, AVAIL, USED);
	assert_int_equal(vu_front_set_vring_fd(&f->fe, VHOST_USER_SET_VRING_KICK, 0, f->kick), 0);
	memcpy(f->mem + DATA, "x", 1);
	set_desc(f, 0, DATA, 1, VIRTQ_DESC_F_NEXT, 1);
	set_desc(f, 1, DATA + 0x100, 1, VIRTQ_DESC_F_WRITE, 0);
	f->echo.refill_avail = f->mem + AVAIL;
	f->echo.refills = 10;
	avail_add(f, 0);
	kick(f);
	assert_int_equal(vu_front_set_state(&f->fe, VHOST_USER_SET_VRING_ENABLE, 0, 1), 0);
	while (__atomic_load_n(&f->echo.processed, __ATOMIC_ACQUIRE) < 11 && waited < 2000) {
		usleep(10000);
		waited += 10;
	}
	assert_int_equal(__atomic_load_n(&f->echo.processed, __ATOMIC_ACQUIRE), 11);
	still_alive(f);
}

/* ------------------------------------------------------------ framing */

static void expect_hangup(struct fx *f, int rc)
{
	join(f);
	assert_int_equal(f->thr_rc, rc);
	/* restore for teardown: it expects a clean EOF result */
	f->thr_rc = -ECONNRESET;
}

static void test_oversized(void **state)
{
	struct fx *f = *state;
	struct vu_hdr h = { .request = VHOST_USER_SET_MEM_TABLE,
			    .flags = VHOST_USER_VERSION, .size = 0x10000 };

	assert_int_equal(write(f->sv[0], &h, sizeof(h)), sizeof(h));
	expect_hangup(f, -EPROTO);
}

static void test_truncated(void **state)
{
	struct fx *f = *state;
	struct vu_hdr h = { .request = VHOST_USER_SET_FEATURES,
			    .flags = VHOST_USER_VERSION, .size = 8 };

	assert_int_equal(write(f->sv[0], &h, sizeof(h)), sizeof(h));
	assert_int_equal(write(f->sv[0], "abcd", 4), 4);
	shutdown(f->sv[0], SHUT_WR);
	expect_hangup(f, -EPROTO);
}

static void test_truncated_header(void **state)
{
	struct fx *f = *state;

	assert_int_equal(write(f->sv[0], "\x01\0\0\0\x01", 5), 5);
	shutdown(f->sv[0], SHUT_WR);
	expect_hangup(f, -EPROTO);
}

static void test_bad_version(void **state)
{
	struct fx *f = *state;
	struct vu_hdr h = { .request = VHOST_USER_GET_FEATURES, .flags = 2 };

	assert_int_equal(write(f->sv[0], &h, sizeof(h)), sizeof(h));
	expect_hangup(f, -EPROTO);
}

static void test_reply_flag_from_peer(void **state)
{
	struct fx *f = *state;
	struct vu_hdr h = { .request = VHOST_USER_GET_FEATURES,
			    .flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK };

	assert_int_equal(write(f->sv[0], &h, sizeof(h)), sizeof(h));
	expect_hangup(f, -EPROTO);
}

/* The front end refuses malformed replies from a hostile helper. */
static void test_front_checks_replies(void **state)
{
	struct fx *f = *state;
	int sv[2];
	struct vu_front fe;
	struct vu_hdr h = { .request = VHOST_USER_GET_FEATURES,
			    .flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK, .size = 4 };
	uint64_t v;

	(void)f;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(vu_front_init(&fe, sv[0], 500), 0);
	/* wrong size */
	assert_int_equal(write(sv[1], &h, sizeof(h)), sizeof(h));
	assert_int_equal(write(sv[1], "abcd", 4), 4);
	assert_int_equal(vu_front_recv(&fe, VHOST_USER_GET_FEATURES, &v, 8), -EPROTO);
	/* wrong request */
	h.size = 8;
	h.request = VHOST_USER_GET_PROTOCOL_FEATURES;
	assert_int_equal(write(sv[1], &h, sizeof(h)), sizeof(h));
	assert_int_equal(vu_front_recv(&fe, VHOST_USER_GET_FEATURES, &v, 8), -EPROTO);
	/* no reply at all: timeout instead of a hang */
	assert_int_equal(vu_front_recv(&fe, VHOST_USER_GET_FEATURES, &v, 8), -EAGAIN);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------ stats area */

/* Read the area as hyve does; fails the test when the header is wrong. */
static struct vu_stats_area stats_now(const struct vu_stats_area *a)
{
	struct vu_stats_area c;

	assert_int_equal(vu_stats_area_read(a, &c), 0);
	return c;
}

static void test_stats_area(void **state)
{
	struct fx *f = *state;
	const struct vu_stats_area *a, *a2;
	struct vu_stats_area c;
	int fd, fd2;
	uint8_t z = 0;

	negotiate(f);
	assert_int_equal(vu_stats_area_create(VU_STATS_AREA_MIN, &fd, &a), 0);
	/* hyve's own mapping is read-only, and the memfd is sealed for good */
	assert_int_equal(fcntl(fd, F_GET_SEALS),
			 F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	assert_int_equal(ftruncate(fd, 0), -1);
	assert_int_equal(vu_stats_area_read(a, &c), -EPROTO);   /* not mapped yet */
	assert_int_equal(vu_front_set_stats_area(&f->fe, fd, VU_STATS_AREA_MIN), 0);
	c = stats_now(a);
	assert_int_equal(c.requests, 0);
	assert_int_equal(c.errors, 3);

	/* one request through the ring: the counters follow without a message */
	set_mem(f);
	start_ring(f, DESC, AVAIL, USED);
	assert_int_equal(vu_front_set_vring_fd(&f->fe, VHOST_USER_SET_VRING_KICK, 0, f->kick), 0);
	assert_int_equal(vu_front_set_state(&f->fe, VHOST_USER_SET_VRING_ENABLE, 0, 1), 0);
	memcpy(f->mem + DATA, "hi", 2);
	set_desc(f, 0, DATA, 2, VIRTQ_DESC_F_NEXT, 1);
	set_desc(f, 1, DATA + 0x100, 2, VIRTQ_DESC_F_WRITE, 0);
	avail_add(f, 0);
	kick(f);
	assert_true(wait_fd(f->call, 2000));
	c = stats_now(a);
	assert_int_equal(c.requests, 1);
	assert_int_equal(c.bytes_in, 1000);
	assert_int_equal(c.bytes_out, 7);
	assert_int_equal(c.ring_errors, 0);
	assert_int_equal(c.refused, 0);

	/* a refused message shows at once */
	expect_nack(f, VHOST_USER_SET_VRING_NUM, &z, 1, NULL, 0, VU_ERR_SIZE);
	assert_int_equal(stats_now(a).refused, 1);

	/* a new area replaces the old; the counts carry on */
	assert_int_equal(vu_stats_area_create(VU_STATS_AREA_MIN, &fd2, &a2), 0);
	assert_int_equal(vu_front_set_stats_area(&f->fe, fd2, VU_STATS_AREA_MIN), 0);
	c = stats_now(a2);
	assert_int_equal(c.requests, 1);
	assert_int_equal(c.refused, 1);
	/* a guest that breaks its ring is counted as such */
	set_desc(f, 2, 0xffffffff00ull, 16, 0, 0);
	avail_add(f, 2);
	kick(f);
	assert_true(wait_fd(f->err, 2000));
	assert_int_equal(stats_now(a2).ring_errors, 1);

	munmap((void *)(uintptr_t)a, VU_STATS_AREA_MIN);
	munmap((void *)(uintptr_t)a2, VU_STATS_AREA_MIN);
	close(fd);
	close(fd2);
}

static void test_stats_area_hostile(void **state)
{
	struct fx *f = *state;
	uint64_t len = VU_STATS_AREA_MIN;
	int open_seals = make_memfd(VU_STATS_AREA_MIN, false);
	int shrink_only = memfd_create("s", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int good = make_memfd(VU_STATS_AREA_MIN, true);
	int big = make_memfd(2 * VU_STATS_AREA_MIN, true);
	uint32_t small = 4096;

	assert_true(shrink_only >= 0);
	assert_int_equal(ftruncate(shrink_only, VU_STATS_AREA_MIN), 0);
	assert_int_equal(fcntl(shrink_only, F_ADD_SEALS, F_SEAL_SHRINK), 0);

	/* not negotiated: refused even with a good area */
	negotiate_pf(f, 1ull << VHOST_USER_PROTOCOL_F_HYVE_STATS);
	expect_nack(f, VHOST_USER_HYVE_SET_STATS_AREA, &len, 8, &good, 1, VU_ERR_STATE);
	assert_null(f->dev.stats);
	assert_int_equal(vu_front_set_protocol_features(&f->fe,
			 vu_dev_protocol_features(&f->dev)), 0);

	expect_nack(f, VHOST_USER_HYVE_SET_STATS_AREA, &len, 8, NULL, 0, VU_ERR_FDS);
	expect_nack(f, VHOST_USER_HYVE_SET_STATS_AREA, &small, 4, &good, 1, VU_ERR_SIZE);
	/* the peer could shrink (or grow) it under us: never mapped */
	expect_nack(f, VHOST_USER_HYVE_SET_STATS_AREA, &len, 8, &open_seals, 1, VU_ERR_MEM);
	expect_nack(f, VHOST_USER_HYVE_SET_STATS_AREA, &len, 8, &shrink_only, 1, VU_ERR_MEM);
	/* not a file: an eventfd */
	expect_nack(f, VHOST_USER_HYVE_SET_STATS_AREA, &len, 8, &f->call, 1, VU_ERR_MEM);
	/* the size it claims is not the file's */
	expect_nack(f, VHOST_USER_HYVE_SET_STATS_AREA, &len, 8, &big, 1, VU_ERR_MEM);
	len = 2 * VU_STATS_AREA_MIN;
	expect_nack(f, VHOST_USER_HYVE_SET_STATS_AREA, &len, 8, &good, 1, VU_ERR_MEM);
	/* out of range or not whole pages */
	len = 100;
	expect_nack(f, VHOST_USER_HYVE_SET_STATS_AREA, &len, 8, &good, 1, VU_ERR_VALUE);
	len = VU_STATS_AREA_MIN + 1;
	expect_nack(f, VHOST_USER_HYVE_SET_STATS_AREA, &len, 8, &good, 1, VU_ERR_VALUE);
	len = 2ull * VU_STATS_AREA_MAX;
	expect_nack(f, VHOST_USER_HYVE_SET_STATS_AREA, &len, 8, &good, 1, VU_ERR_VALUE);
	len = ~0ull;
	expect_nack(f, VHOST_USER_HYVE_SET_STATS_AREA, &len, 8, &good, 1, VU_ERR_VALUE);
	assert_null(f->dev.stats);
	/* and then a good one is taken */
	len = VU_STATS_AREA_MIN;
	assert_int_equal(vu_front_set_stats_area(&f->fe, good, len), 0);
	assert_non_null(f->dev.stats);
	close(open_seals);
	close(shrink_only);
	close(good);
	close(big);
}

/* hyve's reader refuses an area whose header is not the helper's. */
static void test_stats_area_reader(void **state)
{
	struct vu_stats_area a, c;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.magic = VU_STATS_MAGIC;
	a.version = VU_STATS_VERSION;
	a.size = sizeof(a);
	a.requests = 5;
	assert_int_equal(vu_stats_area_read(&a, &c), 0);
	assert_int_equal(c.requests, 5);
	a.size = 8;
	assert_int_equal(vu_stats_area_read(&a, &c), -EPROTO);
	a.size = sizeof(a);
	a.version = 2;
	assert_int_equal(vu_stats_area_read(&a, &c), -EPROTO);
	a.version = VU_STATS_VERSION;
	a.magic = ~VU_STATS_MAGIC;
	assert_int_equal(vu_stats_area_read(&a, &c), -EPROTO);
	assert_int_equal(vu_stats_area_create(100, &(int){ 0 },
			 &(const struct vu_stats_area *){ NULL }), -EINVAL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_end_to_end),
		T(test_mem_table_replaced),
		T(test_bad_vring_index),
		T(test_bad_values),
		T(test_bad_sizes),
		T(test_config_bounds),
		T(test_mem_table_hostile),
		T(test_stray_fds),
		T(test_too_many_fds),
		T(test_unknown_request),
		T(test_state_refused),
		T(test_ring_outside_memory),
		T(test_hostile_guest),
		T(test_sizes_all),
		T(test_init_refused),
		T(test_kick_without_memory),
		T(test_busy_driver),
		T(test_oversized),
		T(test_truncated),
		T(test_truncated_header),
		T(test_bad_version),
		T(test_reply_flag_from_peer),
		T(test_front_checks_replies),
		T(test_stats_area),
		T(test_stats_area_hostile),
		cmocka_unit_test(test_stats_area_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
