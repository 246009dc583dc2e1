/*
 * test_blk.c - virtio-blk back end end to end over vhost-user: a driver in
 * this test (vu_front + a memfd as guest memory + one split ring) against
 * the back end on a thread of this process, on a disk that is a file on
 * the build machine's filesystem or a memfd (tmpfs: no ZERO_RANGE, so the
 * write-zeroes fallback runs), then against the real hyve-blk binary from
 * the same build directory, sandboxed, killed with SIGKILL after a flush.
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
#include <linux/virtio_blk.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "devices/blk.h"
#include "devices/evloop.h"
#include "devices/virtq.h"
#include "devices/vu.h"
#include "devices/vu_front.h"

#define MEM_SIZE (4u << 20)
#define QSZ 64
#define DESC 0x1000u
#define AVAIL 0x2000u
#define USED 0x3000u
#define HDR 0x8000u
#define STATUS 0x9000u
#define DATA 0x10000u      /* data buffers: DATA .. DATA + 1 MiB */
#define DATA2 0x200000u    /* a second area to read back into */

#define DISK_SIZE (1u << 20)               /* 2048 sectors */
#define DISK_SECTORS (DISK_SIZE / 512u)

#define F(n) (1ull << (n))
#define ALL_FEATURES (F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX) | \
		      F(VHOST_USER_F_PROTOCOL_FEATURES) | F(VIRTIO_BLK_F_FLUSH) | \
		      F(VIRTIO_BLK_F_DISCARD) | F(VIRTIO_BLK_F_WRITE_ZEROES))

struct drv {
	struct vu_front fe;
	int memfd, kick, call;
	uint8_t *mem;
	uint16_t avail_idx;
	uint64_t offered;
};

struct seg {
	uint64_t addr;
	uint32_t len;
	bool w;
};

static void drv_open(struct drv *d, int sock, uint64_t want)
{
	struct vu_mem_region r;
	struct vu_vring_addr a;
	uint64_t v;

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

	assert_int_equal(vu_front_get_u64(&d->fe, VHOST_USER_GET_FEATURES, &d->offered), 0);
	assert_int_equal(vu_front_set_u64(&d->fe, VHOST_USER_SET_FEATURES,
					  want & d->offered), 0);
	assert_int_equal(vu_front_get_u64(&d->fe, VHOST_USER_GET_PROTOCOL_FEATURES, &v), 0);
	assert_true(v & (1ull << VHOST_USER_PROTOCOL_F_CONFIG));
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
}

static void drv_close(struct drv *d)
{
	munmap(d->mem, MEM_SIZE);
	close(d->memfd);
	close(d->kick);
	close(d->call);
}

/* Post segs as one chain (descriptors 0..n-1), kick, wait; the used len. */
static uint32_t submit(struct drv *d, const struct seg *s, unsigned int n)
{
	struct pollfd p = { .fd = d->call, .events = POLLIN };
	uint64_t one = 1, v;
	uint16_t used, head = 0;
	uint32_t id, len;

	for (unsigned int i = 0; i < n; i++) {
		struct virtq_desc x = {
			.addr = s[i].addr, .len = s[i].len,
			.flags = (uint16_t)((s[i].w ? VIRTQ_DESC_F_WRITE : 0) |
					    (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
			.next = (uint16_t)(i + 1),
		};

		memcpy(d->mem + DESC + 16 * i, &x, sizeof(x));
	}
	memcpy(d->mem + AVAIL + 4 + 2 * (d->avail_idx % QSZ), &head, 2);
	d->avail_idx++;
	/* used_event: interrupt on every completion */
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

static void put_hdr(struct drv *d, uint64_t at, uint32_t type, uint64_t sector)
{
	struct virtio_blk_outhdr h = { .type = type, .ioprio = 0, .sector = sector };

	memcpy(d->mem + at, &h, sizeof(h));
}

/*
 * The usual layout: header, data (device-writable for IN and GET_ID),
 * status. Returns the status byte (preset to 0xee: "not written").
 */
static int rq(struct drv *d, uint32_t type, uint64_t sector, uint64_t data,
	      uint32_t len)
{
	struct seg s[3];
	unsigned int n = 0;
	bool w = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;

	put_hdr(d, HDR, type, sector);
	d->mem[STATUS] = 0xee;
	s[n++] = (struct seg){ HDR, 16, false };
	if (len)
		s[n++] = (struct seg){ data, len, w };
	s[n++] = (struct seg){ STATUS, 1, true };
	assert_int_equal(submit(d, s, n), (w ? len : 0) + 1);
	return d->mem[STATUS];
}

/* DISCARD / WRITE_ZEROES with n ranges written at DATA. */
static int dwz(struct drv *d, uint32_t type, const struct virtio_blk_discard_write_zeroes *r,
	       unsigned int n)
{
	memcpy(d->mem + DATA, r, n * sizeof(*r));
	return rq(d, type, 0, DATA, n * (uint32_t)sizeof(*r));
}

static void pattern(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 9));
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* the hyve-blk binary, next to this test (build/ or build-san/) */
static char helper[PATH_MAX];

/* ------------------------------------------------------------ back end */

struct backend {
	struct evloop loop;
	struct vu_dev dev;
	struct blk blk;
	pthread_t thread;
	int sv[2];
	int disk;
	bool memfd;
	int rc;
	struct drv d;
};

static void *backend_run(void *arg)
{
	struct backend *b = arg;

	b->rc = evloop_run(&b->loop, -1);
	return NULL;
}

/* A disk of DISK_SIZE bytes: a file next to the test, or a memfd. */
static int mkdisk(bool memfd, int flags)
{
	char path[] = "/tmp/hyve-test-blk.XXXXXX";
	int fd;

	if (memfd) {
		fd = memfd_create("disk", MFD_CLOEXEC);
	} else {
		fd = mkostemp(path, O_CLOEXEC);
		if (fd >= 0)
			unlink(path);
	}
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, DISK_SIZE), 0);
	if (flags != O_RDWR) {
		/* reopen with the wanted mode, as hyve-jail would */
		char p[64];
		int fd2;

		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		fd2 = open(p, flags | O_CLOEXEC);
		assert_true(fd2 >= 0);
		close(fd);
		fd = fd2;
	}
	return fd;
}

static struct backend *backend_start(const struct blk_conf *conf, uint64_t want)
{
	struct backend *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	b->disk = conf->fd;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, b->sv), 0);
	assert_int_equal(evloop_init(&b->loop), 0);
	assert_int_equal(blk_init(&b->blk, conf), 0);
	assert_int_equal(vu_dev_init(&b->dev, b->sv[1], blk_ops(&b->blk), &b->blk), 0);
	assert_int_equal(vu_dev_attach(&b->dev, &b->loop), 0);
	assert_int_equal(pthread_create(&b->thread, NULL, backend_run, b), 0);
	drv_open(&b->d, b->sv[0], want);
	return b;
}

static void backend_stop(struct backend *b)
{
	close(b->sv[0]);
	pthread_join(b->thread, NULL);
	assert_int_equal(b->rc, -ECONNRESET);
	vu_dev_fini(&b->dev);
	evloop_fini(&b->loop);
	blk_fini(&b->blk);
	close(b->sv[1]);
	close(b->disk);
	drv_close(&b->d);
	free(b);
}

static struct backend *start_default(bool memfd)
{
	struct blk_conf c;

	blk_conf_default(&c);
	c.fd = mkdisk(memfd, O_RDWR);
	memcpy(c.serial, "hyve-serial-0", 13);
	return backend_start(&c, ALL_FEATURES);
}

static void disk_read(int fd, uint64_t off, void *buf, size_t len)
{
	assert_int_equal(pread(fd, buf, len, (off_t)off), (ssize_t)len);
}

/* ------------------------------------------------------------ tests */

static void test_config_and_features(void **state)
{
	struct blk_conf c;
	struct backend *b;
	struct virtio_blk_config cfg;

	(void)state;
	blk_conf_default(&c);
	c.fd = mkdisk(false, O_RDWR);
	assert_int_equal(blk_parse_sectorsize("512/4096", &c.lsize, &c.psize), 0);
	b = backend_start(&c, ALL_FEATURES);
	assert_true(b->d.offered & F(VIRTIO_BLK_F_FLUSH));
	assert_true(b->d.offered & F(VIRTIO_BLK_F_DISCARD));
	assert_true(b->d.offered & F(VIRTIO_BLK_F_WRITE_ZEROES));
	assert_true(b->d.offered & F(VIRTIO_BLK_F_BLK_SIZE));
	assert_true(b->d.offered & F(VIRTIO_BLK_F_TOPOLOGY));
	assert_true(b->d.offered & F(VIRTIO_BLK_F_SEG_MAX));
	assert_true(b->d.offered & F(VIRTIO_BLK_F_SIZE_MAX));
	assert_false(b->d.offered & F(VIRTIO_BLK_F_RO));
	assert_false(b->d.offered & F(VIRTIO_BLK_F_MQ));
	assert_int_equal(vu_front_get_config(&b->d.fe, 0, &cfg, sizeof(cfg)), 0);
	assert_int_equal(cfg.capacity, DISK_SECTORS);
	assert_int_equal(cfg.blk_size, 512);
	assert_int_equal(cfg.physical_block_exp, 3);
	assert_int_equal(cfg.min_io_size, 8);
	assert_int_equal(cfg.seg_max, BLK_SEG_MAX_DEFAULT);
	assert_int_equal(cfg.size_max, BLK_SIZE_MAX_DEFAULT);
	assert_int_equal(cfg.max_discard_seg, BLK_DWZ_MAX_SEG);
	assert_int_equal(cfg.discard_sector_alignment, 8);
	assert_int_equal(cfg.write_zeroes_may_unmap, 1);
	/* a partial read at an offset (QEMU reads the first 60 bytes only) */
	assert_int_equal(vu_front_get_config(&b->d.fe, 20, &cfg, 4), 0);
	assert_int_equal(cfg.capacity & 0xffffffff, 512);
	/* past the end is refused, read-only config space */
	assert_int_equal(vu_front_get_config(&b->d.fe, 70, &cfg, 4), -EIO);
	assert_true(vu_front_set_config(&b->d.fe, 32, "\1", 1) < 0);
	backend_stop(b);
}

static void test_sectorsize_parse(void **state)
{
	uint32_t l = 0, p = 0;

	(void)state;
	assert_int_equal(blk_parse_sectorsize("4096", &l, &p), 0);
	assert_int_equal(l, 4096);
	assert_int_equal(p, 4096);
	assert_int_equal(blk_parse_sectorsize("512/4096", &l, &p), 0);
	assert_int_equal(l, 512);
	assert_int_equal(p, 4096);
	assert_int_equal(blk_parse_sectorsize("4096/512", &l, &p), -EINVAL);
	assert_int_equal(blk_parse_sectorsize("1000", &l, &p), -EINVAL);
	assert_int_equal(blk_parse_sectorsize("256", &l, &p), -EINVAL);
	assert_int_equal(blk_parse_sectorsize("131072", &l, &p), -EINVAL);
	assert_int_equal(blk_parse_sectorsize("512/", &l, &p), -EINVAL);
	assert_int_equal(blk_parse_sectorsize("-512", &l, &p), -EINVAL);
	assert_int_equal(blk_parse_sectorsize("512x", &l, &p), -EINVAL);
	assert_int_equal(blk_parse_sectorsize("", &l, &p), -EINVAL);
}

static void test_init_refuses(void **state)
{
	struct blk_conf c;
	struct blk b;
	int fd;

	(void)state;
	blk_conf_default(&c);
	assert_int_equal(blk_init(&b, &c), -EBADF);
	/* ro flag and fd access mode must agree */
	c.fd = mkdisk(false, O_RDWR);
	c.ro = true;
	assert_int_equal(blk_init(&b, &c), -EBADF);
	c.ro = false;
	c.seg_max = 0;
	assert_int_equal(blk_init(&b, &c), -EINVAL);
	c.seg_max = BLK_SEG_MAX_LIMIT + 1;
	assert_int_equal(blk_init(&b, &c), -EINVAL);
	c.seg_max = 8;
	c.lsize = 4096;
	c.psize = 512;
	assert_int_equal(blk_init(&b, &c), -EINVAL);
	/* smaller than one logical block */
	c.psize = 4096;
	assert_int_equal(ftruncate(c.fd, 4095), 0);
	assert_int_equal(blk_init(&b, &c), -EINVAL);
	/* a partial last block is not addressable */
	assert_int_equal(ftruncate(c.fd, 8192 + 100), 0);
	assert_int_equal(blk_init(&b, &c), 0);
	assert_int_equal(blk_capacity(&b), 16);
	blk_fini(&b);
	close(c.fd);
	/* not a file or block device */
	fd = eventfd(0, EFD_CLOEXEC);
	c.fd = fd;
	assert_int_equal(blk_init(&b, &c), -ENODEV);
	close(fd);
}

static void rw_roundtrip(bool memfd)
{
	struct backend *b = start_default(memfd);
	struct drv *d = &b->d;
	struct blk_stats st;
	uint8_t want[8192], got[8192];
	struct seg s[5];

	pattern(d->mem + DATA, 8192, 1);
	memcpy(want, d->mem + DATA, 8192);
	/* write 8 KiB at sector 16 in three uneven segments */
	put_hdr(d, HDR, VIRTIO_BLK_T_OUT, 16);
	d->mem[STATUS] = 0xee;
	s[0] = (struct seg){ HDR, 16, false };
	s[1] = (struct seg){ DATA, 1000, false };
	s[2] = (struct seg){ DATA + 1000, 5000, false };
	s[3] = (struct seg){ DATA + 6000, 2192, false };
	s[4] = (struct seg){ STATUS, 1, true };
	assert_int_equal(submit(d, s, 5), 1);
	assert_int_equal(d->mem[STATUS], VIRTIO_BLK_S_OK);
	disk_read(b->disk, 16 * 512, got, sizeof(got));
	assert_memory_equal(got, want, sizeof(want));
	assert_true(all_zero((disk_read(b->disk, 0, got, 8192), got), 8192));

	/* read it back elsewhere: data and status in one writable segment */
	memset(d->mem + DATA2, 0xaa, 8192 + 1);
	put_hdr(d, HDR, VIRTIO_BLK_T_IN, 16);
	s[0] = (struct seg){ HDR, 16, false };
	s[1] = (struct seg){ DATA2, 4096, true };
	s[2] = (struct seg){ DATA2 + 4096, 4096 + 1, true };
	assert_int_equal(submit(d, s, 3), 8193);
	assert_int_equal(d->mem[DATA2 + 8192], VIRTIO_BLK_S_OK);
	assert_memory_equal(d->mem + DATA2, want, 8192);

	/* header split over two segments, header and data in one */
	put_hdr(d, DATA + 0x10000 - 16, VIRTIO_BLK_T_OUT, 32);
	pattern(d->mem + DATA + 0x10000, 512, 2);
	s[0] = (struct seg){ DATA + 0x10000 - 16, 8, false };
	s[1] = (struct seg){ DATA + 0x10000 - 8, 8 + 512, false };
	s[2] = (struct seg){ STATUS, 1, true };
	d->mem[STATUS] = 0xee;
	assert_int_equal(submit(d, s, 3), 1);
	assert_int_equal(d->mem[STATUS], VIRTIO_BLK_S_OK);
	disk_read(b->disk, 32 * 512, got, 512);
	assert_memory_equal(got, d->mem + DATA + 0x10000, 512);

	/* the last sector of the disk */
	pattern(d->mem + DATA, 512, 3);
	assert_int_equal(rq(d, VIRTIO_BLK_T_OUT, DISK_SECTORS - 1, DATA, 512), VIRTIO_BLK_S_OK);
	disk_read(b->disk, DISK_SIZE - 512, got, 512);
	assert_memory_equal(got, d->mem + DATA, 512);

	assert_int_equal(rq(d, VIRTIO_BLK_T_FLUSH, 0, 0, 0), VIRTIO_BLK_S_OK);
	blk_stats_get(&b->blk, &st);
	assert_int_equal(st.requests[BLK_K_OUT], 3);
	assert_int_equal(st.requests[BLK_K_IN], 1);
	assert_int_equal(st.requests[BLK_K_FLUSH], 1);
	assert_int_equal(st.bytes_written, 8192 + 512 + 512);
	assert_int_equal(st.bytes_read, 8192);
	assert_int_equal(st.ioerr + st.unsupp + st.bad_request, 0);
	backend_stop(b);
}

static void test_rw_file(void **state)
{
	(void)state;
	rw_roundtrip(false);
}

static void test_rw_memfd(void **state)
{
	(void)state;
	rw_roundtrip(true);
}

static void discard_zeroes(bool memfd)
{
	struct backend *b = start_default(memfd);
	struct drv *d = &b->d;
	struct virtio_blk_discard_write_zeroes r[BLK_DWZ_MAX_SEG + 1];
	struct blk_stats st;
	uint8_t got[DISK_SIZE];
	struct stat sb;

	/* fill the disk through the guest */
	for (unsigned int i = 0; i < DISK_SECTORS; i += 256) {
		pattern(d->mem + DATA, 256 * 512, i);
		assert_int_equal(rq(d, VIRTIO_BLK_T_OUT, i, DATA, 256 * 512), VIRTIO_BLK_S_OK);
	}
	/* discard two ranges: they read back as zeroes (holes) */
	r[0] = (struct virtio_blk_discard_write_zeroes){ .sector = 8, .num_sectors = 8 };
	r[1] = (struct virtio_blk_discard_write_zeroes){ .sector = 64, .num_sectors = 16 };
	assert_int_equal(dwz(d, VIRTIO_BLK_T_DISCARD, r, 2), VIRTIO_BLK_S_OK);
	disk_read(b->disk, 0, got, DISK_SIZE);
	assert_false(all_zero(got, 8 * 512));
	assert_true(all_zero(got + 8 * 512, 8 * 512));
	assert_false(all_zero(got + 16 * 512, 512));
	assert_true(all_zero(got + 64 * 512, 16 * 512));
	assert_false(all_zero(got + 80 * 512, 512));

	/* write zeroes, without and with unmap */
	r[0] = (struct virtio_blk_discard_write_zeroes){ .sector = 100, .num_sectors = 3 };
	r[1] = (struct virtio_blk_discard_write_zeroes){
		.sector = 200, .num_sectors = 10, .flags = VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP };
	assert_int_equal(dwz(d, VIRTIO_BLK_T_WRITE_ZEROES, r, 2), VIRTIO_BLK_S_OK);
	disk_read(b->disk, 0, got, DISK_SIZE);
	assert_false(all_zero(got + 99 * 512, 512));
	assert_true(all_zero(got + 100 * 512, 3 * 512));
	assert_false(all_zero(got + 103 * 512, 512));
	assert_false(all_zero(got + 199 * 512, 512));
	assert_true(all_zero(got + 200 * 512, 10 * 512));
	assert_false(all_zero(got + 210 * 512, 512));

	/* refused, and nothing done: unmap on discard, unknown flags */
	r[0] = (struct virtio_blk_discard_write_zeroes){ .sector = 300, .num_sectors = 1 };
	r[1] = (struct virtio_blk_discard_write_zeroes){
		.sector = 400, .num_sectors = 1, .flags = VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP };
	assert_int_equal(dwz(d, VIRTIO_BLK_T_DISCARD, r, 2), VIRTIO_BLK_S_UNSUPP);
	r[1].flags = 2;
	assert_int_equal(dwz(d, VIRTIO_BLK_T_WRITE_ZEROES, r, 2), VIRTIO_BLK_S_UNSUPP);
	/* one range past the end spoils the whole request */
	r[1] = (struct virtio_blk_discard_write_zeroes){
		.sector = DISK_SECTORS - 1, .num_sectors = 2 };
	assert_int_equal(dwz(d, VIRTIO_BLK_T_WRITE_ZEROES, r, 2), VIRTIO_BLK_S_IOERR);
	r[1] = (struct virtio_blk_discard_write_zeroes){
		.sector = UINT64_MAX / 512 + 1, .num_sectors = 1 };
	assert_int_equal(dwz(d, VIRTIO_BLK_T_DISCARD, r, 2), VIRTIO_BLK_S_IOERR);
	/* more than the sectors per range the config space allows */
	r[1] = (struct virtio_blk_discard_write_zeroes){
		.sector = 0, .num_sectors = BLK_DWZ_MAX_SECTORS + 1 };
	assert_int_equal(dwz(d, VIRTIO_BLK_T_DISCARD, r, 2), VIRTIO_BLK_S_IOERR);
	disk_read(b->disk, 300 * 512, got, 512);
	assert_false(all_zero(got, 512));
	/* more ranges than max_discard_seg, a torn range, no range */
	for (unsigned int i = 0; i <= BLK_DWZ_MAX_SEG; i++)
		r[i] = (struct virtio_blk_discard_write_zeroes){ .sector = 300 + i, .num_sectors = 1 };
	assert_int_equal(dwz(d, VIRTIO_BLK_T_DISCARD, r, BLK_DWZ_MAX_SEG + 1), VIRTIO_BLK_S_IOERR);
	memcpy(d->mem + DATA, r, 24);
	assert_int_equal(rq(d, VIRTIO_BLK_T_WRITE_ZEROES, 0, DATA, 24), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rq(d, VIRTIO_BLK_T_WRITE_ZEROES, 0, 0, 0), VIRTIO_BLK_S_IOERR);
	disk_read(b->disk, 300 * 512, got, 17 * 512);
	for (unsigned int i = 0; i < 17; i++)
		assert_false(all_zero(got + i * 512, 512));
	/* the whole-disk maximum works and the image keeps its size */
	for (unsigned int i = 0; i < BLK_DWZ_MAX_SEG; i++)
		r[i] = (struct virtio_blk_discard_write_zeroes){
			.sector = 300 + i, .num_sectors = 1 };
	assert_int_equal(dwz(d, VIRTIO_BLK_T_WRITE_ZEROES, r, BLK_DWZ_MAX_SEG), VIRTIO_BLK_S_OK);
	disk_read(b->disk, 300 * 512, got, 17 * 512);
	assert_true(all_zero(got, 16 * 512));
	assert_false(all_zero(got + 16 * 512, 512));
	assert_int_equal(fstat(b->disk, &sb), 0);
	assert_int_equal(sb.st_size, DISK_SIZE);

	blk_stats_get(&b->blk, &st);
	assert_int_equal(st.bytes_discarded, 24 * 512);
	assert_int_equal(st.bytes_zeroed, 13 * 512 + BLK_DWZ_MAX_SEG * 512);
	assert_int_equal(st.unsupp, 2);
	assert_int_equal(st.ioerr, 6);
	assert_int_equal(st.io_failures, 0);
	backend_stop(b);
}

static void test_discard_zeroes_file(void **state)
{
	(void)state;
	discard_zeroes(false);
}

static void test_discard_zeroes_memfd(void **state)
{
	(void)state;
	discard_zeroes(true);
}

static void test_dwz_not_negotiated(void **state)
{
	struct blk_conf c;
	struct backend *b;
	struct virtio_blk_discard_write_zeroes r = { .sector = 0, .num_sectors = 1 };

	(void)state;
	blk_conf_default(&c);
	c.fd = mkdisk(false, O_RDWR);
	b = backend_start(&c, F(VIRTIO_F_VERSION_1) | F(VHOST_USER_F_PROTOCOL_FEATURES));
	assert_int_equal(dwz(&b->d, VIRTIO_BLK_T_DISCARD, &r, 1), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(dwz(&b->d, VIRTIO_BLK_T_WRITE_ZEROES, &r, 1), VIRTIO_BLK_S_UNSUPP);
	/* without FLUSH the device is write-through: writes still work */
	pattern(b->d.mem + DATA, 512, 9);
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_OUT, 1, DATA, 512), VIRTIO_BLK_S_OK);
	backend_stop(b);
}

static void test_get_id(void **state)
{
	struct backend *b = start_default(false);
	struct blk_conf c;
	uint8_t want[20] = "hyve-serial-0";

	(void)state;
	memset(b->d.mem + DATA, 0xaa, 64);
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_GET_ID, 0, DATA, 20), VIRTIO_BLK_S_OK);
	assert_memory_equal(b->d.mem + DATA, want, 20);
	/* a short buffer gets what fits, a long one 20 bytes and no more */
	memset(b->d.mem + DATA, 0xaa, 64);
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_GET_ID, 0, DATA, 4), VIRTIO_BLK_S_OK);
	assert_memory_equal(b->d.mem + DATA, "hyve", 4);
	assert_int_equal(b->d.mem[DATA + 4], 0xaa);
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_GET_ID, 0, DATA, 40), VIRTIO_BLK_S_OK);
	assert_memory_equal(b->d.mem + DATA, want, 20);
	assert_int_equal(b->d.mem[DATA + 20], 0xaa);
	backend_stop(b);

	/* exactly 20 characters: no terminator */
	blk_conf_default(&c);
	c.fd = mkdisk(false, O_RDWR);
	memcpy(c.serial, "ABCDEFGHIJKLMNOPQRST", 20);
	b = backend_start(&c, ALL_FEATURES);
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_GET_ID, 0, DATA, 20), VIRTIO_BLK_S_OK);
	assert_memory_equal(b->d.mem + DATA, "ABCDEFGHIJKLMNOPQRST", 20);
	backend_stop(b);
}

static void test_past_end_and_huge_sectors(void **state)
{
	struct backend *b = start_default(false);
	struct drv *d = &b->d;
	uint8_t got[DISK_SIZE];
	struct blk_stats st;
	struct stat sb;
	static const uint64_t bad[] = {
		DISK_SECTORS, DISK_SECTORS + 1, UINT64_MAX, UINT64_MAX / 512,
		UINT64_MAX / 512 + 1,      /* *512 wraps to 0 */
		(1ull << 55),              /* *512 == 2^64 == 0 */
		(1ull << 55) + 1,
		(1ull << 63),
	};

	(void)state;
	memset(d->mem + DATA, 0x5a, 1024);
	/* straddles the end by one sector */
	assert_int_equal(rq(d, VIRTIO_BLK_T_OUT, DISK_SECTORS - 1, DATA, 1024), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rq(d, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, DATA, 1024), VIRTIO_BLK_S_IOERR);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rq(d, VIRTIO_BLK_T_OUT, bad[i], DATA, 512), VIRTIO_BLK_S_IOERR);
		assert_int_equal(rq(d, VIRTIO_BLK_T_IN, bad[i], DATA, 512), VIRTIO_BLK_S_IOERR);
	}
	/* a zero-length request at the very end is in range, one past is not */
	assert_int_equal(rq(d, VIRTIO_BLK_T_IN, DISK_SECTORS, 0, 0), VIRTIO_BLK_S_OK);
	assert_int_equal(rq(d, VIRTIO_BLK_T_OUT, 0, 0, 0), VIRTIO_BLK_S_OK);
	assert_int_equal(rq(d, VIRTIO_BLK_T_IN, DISK_SECTORS + 1, 0, 0), VIRTIO_BLK_S_IOERR);
	/* not a multiple of the block: refused */
	assert_int_equal(rq(d, VIRTIO_BLK_T_OUT, 0, DATA, 100), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rq(d, VIRTIO_BLK_T_IN, 0, DATA, 513), VIRTIO_BLK_S_IOERR);
	/* nothing reached the disk, which kept its size */
	disk_read(b->disk, 0, got, DISK_SIZE);
	assert_true(all_zero(got, DISK_SIZE));
	assert_int_equal(fstat(b->disk, &sb), 0);
	assert_int_equal(sb.st_size, DISK_SIZE);
	blk_stats_get(&b->blk, &st);
	assert_int_equal(st.ioerr, 2 + 2 * 8 + 1 + 2);
	assert_int_equal(st.bad_request, st.ioerr);
	assert_int_equal(st.bytes_written + st.bytes_read, 0);
	backend_stop(b);
}

static void test_logical_4k(void **state)
{
	struct blk_conf c;
	struct backend *b;

	(void)state;
	blk_conf_default(&c);
	c.fd = mkdisk(false, O_RDWR);
	c.lsize = c.psize = 4096;
	b = backend_start(&c, ALL_FEATURES);
	pattern(b->d.mem + DATA, 8192, 4);
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_OUT, 8, DATA, 4096), VIRTIO_BLK_S_OK);
	/* misaligned sector or length for a 4 KiB logical block */
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_OUT, 1, DATA, 4096), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_IN, 8, DATA, 512), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_IN, 8, DATA2, 4096), VIRTIO_BLK_S_OK);
	assert_memory_equal(b->d.mem + DATA2, b->d.mem + DATA, 4096);
	backend_stop(b);
}

static void test_ro(void **state)
{
	struct blk_conf c;
	struct backend *b;
	struct virtio_blk_discard_write_zeroes r = { .sector = 0, .num_sectors = 1 };
	uint8_t got[512];
	struct blk_stats st;
	int rw;

	(void)state;
	blk_conf_default(&c);
	rw = mkdisk(false, O_RDWR);
	memset(got, 0x77, sizeof(got));
	assert_int_equal(pwrite(rw, got, 512, 0), 512);
	{
		char p[64];

		snprintf(p, sizeof(p), "/proc/self/fd/%d", rw);
		c.fd = open(p, O_RDONLY | O_CLOEXEC);
		assert_true(c.fd >= 0);
	}
	c.ro = true;
	b = backend_start(&c, ALL_FEATURES | F(VIRTIO_BLK_F_RO));
	assert_true(b->d.offered & F(VIRTIO_BLK_F_RO));
	assert_false(b->d.offered & F(VIRTIO_BLK_F_DISCARD));
	assert_false(b->d.offered & F(VIRTIO_BLK_F_WRITE_ZEROES));
	memset(b->d.mem + DATA, 0, 512);
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_OUT, 0, DATA, 512), VIRTIO_BLK_S_IOERR);
	assert_int_equal(dwz(&b->d, VIRTIO_BLK_T_DISCARD, &r, 1), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(dwz(&b->d, VIRTIO_BLK_T_WRITE_ZEROES, &r, 1), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_FLUSH, 0, 0, 0), VIRTIO_BLK_S_OK);
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_IN, 0, DATA2, 512), VIRTIO_BLK_S_OK);
	assert_memory_equal(b->d.mem + DATA2, got, 512);
	disk_read(rw, 0, got, 512);
	assert_int_equal(got[0], 0x77);
	assert_int_equal(got[511], 0x77);
	blk_stats_get(&b->blk, &st);
	assert_int_equal(st.bytes_written, 0);
	backend_stop(b);

	/* a driver that ignores the RO bit and acks DISCARD anyway */
	{
		char p[64];

		snprintf(p, sizeof(p), "/proc/self/fd/%d", rw);
		c.fd = open(p, O_RDONLY | O_CLOEXEC);
		assert_true(c.fd >= 0);
	}
	b = backend_start(&c, ALL_FEATURES);
	b->dev.features |= F(VIRTIO_BLK_F_DISCARD);   /* as if negotiated */
	assert_int_equal(dwz(&b->d, VIRTIO_BLK_T_DISCARD, &r, 1), VIRTIO_BLK_S_IOERR);
	backend_stop(b);
	disk_read(rw, 0, got, 512);
	assert_int_equal(got[0], 0x77);
	close(rw);
}

static void test_bad_status_and_headers(void **state)
{
	struct backend *b = start_default(false);
	struct drv *d = &b->d;
	struct blk_stats st;
	uint8_t got[512];
	struct seg s[4];

	(void)state;
	pattern(d->mem + DATA, 512, 5);
	/* no writable byte at all: completed empty, the write not done */
	put_hdr(d, HDR, VIRTIO_BLK_T_OUT, 0);
	s[0] = (struct seg){ HDR, 16, false };
	s[1] = (struct seg){ DATA, 512, false };
	s[2] = (struct seg){ STATUS, 1, false };
	assert_int_equal(submit(d, s, 3), 0);
	disk_read(b->disk, 0, got, 512);
	assert_true(all_zero(got, 512));
	/* a read without a status byte: the disk is not read either */
	put_hdr(d, HDR, VIRTIO_BLK_T_IN, 0);
	assert_int_equal(submit(d, s, 1), 0);

	/* the status is the last writable byte: OUT with two writable bytes */
	put_hdr(d, HDR, VIRTIO_BLK_T_OUT, 0);
	s[2] = (struct seg){ STATUS, 2, true };
	d->mem[STATUS + 1] = 0xee;
	assert_int_equal(submit(d, s, 3), 2);
	assert_int_equal(d->mem[STATUS + 1], VIRTIO_BLK_S_IOERR);
	disk_read(b->disk, 0, got, 512);
	assert_true(all_zero(got, 512));

	/* header too short: 8 bytes, and 15 */
	for (uint32_t hl = 8; hl < 16; hl += 7) {
		put_hdr(d, HDR, VIRTIO_BLK_T_FLUSH, 0);
		s[0] = (struct seg){ HDR, hl, false };
		s[1] = (struct seg){ STATUS, 1, true };
		d->mem[STATUS] = 0xee;
		assert_int_equal(submit(d, s, 2), 1);
		assert_int_equal(d->mem[STATUS], VIRTIO_BLK_S_IOERR);
	}
	/* no readable part: the header sits in writable memory */
	put_hdr(d, HDR, VIRTIO_BLK_T_FLUSH, 0);
	s[0] = (struct seg){ HDR, 17, true };
	assert_int_equal(submit(d, s, 1), 17);
	assert_int_equal(d->mem[HDR + 16], VIRTIO_BLK_S_IOERR);
	/* IN with readable data after the header */
	put_hdr(d, HDR, VIRTIO_BLK_T_IN, 0);
	s[0] = (struct seg){ HDR, 16, false };
	s[1] = (struct seg){ DATA, 512, false };
	s[2] = (struct seg){ DATA2, 512, true };
	s[3] = (struct seg){ STATUS, 1, true };
	d->mem[STATUS] = 0xee;
	assert_int_equal(submit(d, s, 4), 513);
	assert_int_equal(d->mem[STATUS], VIRTIO_BLK_S_IOERR);
	/* unknown and legacy types */
	assert_int_equal(rq(d, 0x42, 0, 0, 0), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(rq(d, VIRTIO_BLK_T_SCSI_CMD, 0, 0, 0), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(rq(d, VIRTIO_BLK_T_SECURE_ERASE, 0, 0, 0), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(rq(d, VIRTIO_BLK_T_OUT | VIRTIO_BLK_T_BARRIER, 0, DATA, 512),
			 VIRTIO_BLK_S_UNSUPP);
	disk_read(b->disk, 0, got, 512);
	assert_true(all_zero(got, 512));

	blk_stats_get(&b->blk, &st);
	assert_int_equal(st.no_status, 2);
	assert_int_equal(st.ioerr, 1 + 2 + 1 + 1);
	assert_int_equal(st.unsupp, 4);
	assert_int_equal(st.requests[BLK_K_OTHER], 4);
	assert_int_equal(st.bad_request, 2 + 5 + 4);
	/* the queue is still fine */
	assert_int_equal(rq(d, VIRTIO_BLK_T_OUT, 0, DATA, 512), VIRTIO_BLK_S_OK);
	assert_false(vu_dev_needs_reset(&b->dev));
	backend_stop(b);
}

static void test_segment_limits(void **state)
{
	struct blk_conf c;
	struct backend *b;
	struct drv *d;
	struct seg s[8];
	struct virtio_blk_config cfg;

	(void)state;
	blk_conf_default(&c);
	c.fd = mkdisk(false, O_RDWR);
	c.seg_max = 4;
	c.size_max = 4096;
	b = backend_start(&c, ALL_FEATURES);
	d = &b->d;
	assert_int_equal(vu_front_get_config(&d->fe, 0, &cfg, sizeof(cfg)), 0);
	assert_int_equal(cfg.seg_max, 4);
	assert_int_equal(cfg.size_max, 4096);
	put_hdr(d, HDR, VIRTIO_BLK_T_OUT, 0);
	s[0] = (struct seg){ HDR, 16, false };
	for (unsigned int i = 0; i < 5; i++)
		s[1 + i] = (struct seg){ DATA + 512 * i, 512, false };
	s[6] = (struct seg){ STATUS, 1, true };
	/* five data segments with seg_max 4 */
	assert_int_equal(submit(d, s, 7), 1);
	assert_int_equal(d->mem[STATUS], VIRTIO_BLK_S_IOERR);
	/* four are fine */
	s[5] = s[6];
	assert_int_equal(submit(d, s, 6), 1);
	assert_int_equal(d->mem[STATUS], VIRTIO_BLK_S_OK);
	/* one 8 KiB segment above size_max */
	assert_int_equal(rq(d, VIRTIO_BLK_T_OUT, 0, DATA, 8192), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rq(d, VIRTIO_BLK_T_IN, 0, DATA, 8192), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rq(d, VIRTIO_BLK_T_IN, 0, DATA, 4096), VIRTIO_BLK_S_OK);
	backend_stop(b);
}

static void test_direct_bounce(void **state)
{
	static uint8_t got[8192] __attribute__((aligned(4096)));
	char path[PATH_MAX];
	uint8_t want[8192];
	struct blk_conf c;
	struct backend *b;
	struct blk_stats st;
	int fd;

	(void)state;
	/* next to this binary (build/): /tmp may be a tmpfs without O_DIRECT */
	snprintf(path, sizeof(path), "%s", helper);
	snprintf(path + strlen(dirname(path)), sizeof(path) - strlen(path),
		 "/test-blk-direct.XXXXXX");
	fd = mkostemp(path, O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, DISK_SIZE), 0);
	close(fd);
	blk_conf_default(&c);
	c.fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	unlink(path);
	/* a filesystem without O_DIRECT fails here, loudly: never a silent pass */
	assert_true(c.fd >= 0);
	c.lsize = c.psize = 4096;   /* what O_DIRECT on this filesystem needs */
	b = backend_start(&c, ALL_FEATURES);
	assert_true(b->blk.direct);
	/* an aligned buffer goes straight to the fd */
	pattern(b->d.mem + DATA, 4096, 6);
	memcpy(want, b->d.mem + DATA, 4096);
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_OUT, 8, DATA, 4096), VIRTIO_BLK_S_OK);
	blk_stats_get(&b->blk, &st);
	assert_int_equal(st.bounced, 0);
	/* an unaligned one through the bounce buffer, both ways */
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_IN, 8, DATA2 + 5, 4096), VIRTIO_BLK_S_OK);
	assert_memory_equal(b->d.mem + DATA2 + 5, want, 4096);
	pattern(b->d.mem + DATA + 1, 8192, 7);
	memcpy(want, b->d.mem + DATA + 1, 8192);
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_OUT, 16, DATA + 1, 8192), VIRTIO_BLK_S_OK);
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_IN, 16, DATA2 + 3, 8192), VIRTIO_BLK_S_OK);
	assert_memory_equal(b->d.mem + DATA2 + 3, want, 8192);
	blk_stats_get(&b->blk, &st);
	assert_int_equal(st.bounced, 3);
	assert_int_equal(rq(&b->d, VIRTIO_BLK_T_FLUSH, 0, 0, 0), VIRTIO_BLK_S_OK);
	disk_read(b->disk, 16 * 512, got, 8192);
	assert_memory_equal(got, want, 8192);
	backend_stop(b);
}

/* ------------------------------------------------------------ hyve-blk */

static pid_t spawn(const char *const *args, int keep1, int keep2)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		const char *argv[16];
		int n = 0;

		if (keep1 >= 0)
			fcntl(keep1, F_SETFD, 0);   /* inherited across exec */
		if (keep2 >= 0)
			fcntl(keep2, F_SETFD, 0);
		/* LeakSanitizer's exit-time ptrace is outside the helper's policy */
		setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
		argv[n++] = "hyve-blk";
		while (*args && n < 15)
			argv[n++] = *args++;
		argv[n] = NULL;
		execv(helper, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	return pid;
}

static int wait_status(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static int wait_exit(pid_t pid)
{
	int st = wait_status(pid);

	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int seccomp_mode(pid_t pid)
{
	char p[64], line[256];
	int mode = -1;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/status", (int)pid);
	f = fopen(p, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	fclose(f);
	return mode;
}

static void test_helper_binary_sigkill(void **state)
{
	char sa[16], da[16];
	uint8_t got[4096];
	struct drv d;
	int sv[2], disk, st;
	pid_t pid;

	(void)state;
	disk = mkdisk(false, O_RDWR);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	snprintf(sa, sizeof(sa), "%d", sv[1]);
	snprintf(da, sizeof(da), "%d", disk);
	pid = spawn((const char *const[]){ "--fd", sa, "--disk-fd", da,
					   "--serial", "binary-0", NULL },
		    sv[1], disk);
	close(sv[1]);
	drv_open(&d, sv[0], ALL_FEATURES);
	/* the helper is sandboxed by now (mode 2: filter) */
	assert_int_equal(seccomp_mode(pid), 2);
	assert_int_equal(rq(&d, VIRTIO_BLK_T_GET_ID, 0, DATA, 20), VIRTIO_BLK_S_OK);
	assert_memory_equal(d.mem + DATA, "binary-0\0", 9);
	pattern(d.mem + DATA, 4096, 8);
	assert_int_equal(rq(&d, VIRTIO_BLK_T_OUT, 64, DATA, 4096), VIRTIO_BLK_S_OK);
	assert_int_equal(rq(&d, VIRTIO_BLK_T_FLUSH, 0, 0, 0), VIRTIO_BLK_S_OK);
	/* discard and write zeroes under the policy (fallocate) */
	{
		struct virtio_blk_discard_write_zeroes r[2] = {
			{ .sector = 64, .num_sectors = 1 },
			{ .sector = 66, .num_sectors = 1, .flags = VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP },
		};

		assert_int_equal(dwz(&d, VIRTIO_BLK_T_WRITE_ZEROES, r, 2), VIRTIO_BLK_S_OK);
		r[1].flags = 0;
		assert_int_equal(dwz(&d, VIRTIO_BLK_T_DISCARD, &r[1], 1), VIRTIO_BLK_S_OK);
	}
	assert_int_equal(rq(&d, VIRTIO_BLK_T_IN, 64, DATA2, 4096), VIRTIO_BLK_S_OK);
	/* flushed data survives the helper's death */
	kill(pid, SIGKILL);
	st = wait_status(pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	disk_read(disk, 64 * 512, got, 4096);
	pattern(d.mem + DATA, 4096, 8);
	memset(d.mem + DATA, 0, 512);          /* sector 64: zeroed */
	memset(d.mem + DATA + 1024, 0, 512);   /* sector 66: zeroed, discarded */
	assert_memory_equal(got, d.mem + DATA, 4096);
	assert_memory_equal(d.mem + DATA2, d.mem + DATA, 4096);
	close(sv[0]);
	close(disk);
	drv_close(&d);
}

static void test_helper_binary_exit(void **state)
{
	char sa[16], da[16];
	struct drv d;
	int sv[2], disk;
	pid_t pid;

	(void)state;
	disk = mkdisk(false, O_RDONLY);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	snprintf(sa, sizeof(sa), "%d", sv[1]);
	snprintf(da, sizeof(da), "%d", disk);
	/* a read-only fd without --ro is refused */
	pid = spawn((const char *const[]){ "--fd", sa, "--disk-fd", da, NULL }, sv[1], disk);
	assert_int_equal(wait_exit(pid), 1);
	pid = spawn((const char *const[]){ "--fd", sa, "--disk-fd", da, "--ro",
					   "--sectorsize", "4096", NULL }, sv[1], disk);
	close(sv[1]);
	drv_open(&d, sv[0], ALL_FEATURES);
	assert_true(d.offered & F(VIRTIO_BLK_F_RO));
	assert_int_equal(rq(&d, VIRTIO_BLK_T_OUT, 0, DATA, 4096), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rq(&d, VIRTIO_BLK_T_IN, 0, DATA, 4096), VIRTIO_BLK_S_OK);
	/* hyve goes away: the helper exits cleanly */
	close(sv[0]);
	assert_int_equal(wait_exit(pid), 0);
	drv_close(&d);
	close(disk);
}

static void test_helper_bad_args(void **state)
{
	int fd = eventfd(0, EFD_CLOEXEC), sv[2], disk = mkdisk(false, O_RDWR);
	char ea[16], sa[16], da[16];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	snprintf(ea, sizeof(ea), "%d", fd);
	snprintf(sa, sizeof(sa), "%d", sv[1]);
	snprintf(da, sizeof(da), "%d", disk);
	assert_int_equal(wait_exit(spawn((const char *const[]){ "--fd", "x", NULL }, -1, -1)), 2);
	assert_int_equal(wait_exit(spawn((const char *const[]){ "--fd", sa, NULL }, -1, -1)), 2);
	assert_int_equal(wait_exit(spawn((const char *const[]){ "--fd", sa, "--disk-fd", sa, NULL },
					 sv[1], -1)), 2);
	assert_int_equal(wait_exit(spawn((const char *const[]){ "--fd", sa, "--disk-fd", da,
								"--sectorsize", "1000", NULL },
					 sv[1], disk)), 2);
	assert_int_equal(wait_exit(spawn((const char *const[]){ "--fd", sa, "--disk-fd", da,
								"--serial", "123456789012345678901", NULL },
					 sv[1], disk)), 2);
	assert_int_equal(wait_exit(spawn((const char *const[]){ "--fd", sa, "--disk-fd", da,
								"--serial", "tab\there", NULL },
					 sv[1], disk)), 2);
	assert_int_equal(wait_exit(spawn((const char *const[]){ "--fd", sa, "--disk-fd", da,
								"--seccomp", "off", NULL },
					 sv[1], disk)), 2);
	assert_int_equal(wait_exit(spawn((const char *const[]){ "--fd", sa, "--disk-fd", da,
								"--seg-max", "0", NULL },
					 sv[1], disk)), 2);
	assert_int_equal(wait_exit(spawn((const char *const[]){ "--fd", sa, "--disk-fd", da,
								"extra", NULL },
					 sv[1], disk)), 2);
	/* not open, not a socket, not a disk */
	assert_int_equal(wait_exit(spawn((const char *const[]){ "--fd", "999", "--disk-fd", da, NULL },
					 -1, disk)), 1);
	assert_int_equal(wait_exit(spawn((const char *const[]){ "--fd", ea, "--disk-fd", da, NULL },
					 fd, disk)), 1);
	assert_int_equal(wait_exit(spawn((const char *const[]){ "--fd", sa, "--disk-fd", ea, NULL },
					 sv[1], fd)), 1);
	close(fd);
	close(disk);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sectorsize_parse),
		cmocka_unit_test(test_init_refuses),
		cmocka_unit_test(test_config_and_features),
		cmocka_unit_test(test_rw_file),
		cmocka_unit_test(test_rw_memfd),
		cmocka_unit_test(test_discard_zeroes_file),
		cmocka_unit_test(test_discard_zeroes_memfd),
		cmocka_unit_test(test_dwz_not_negotiated),
		cmocka_unit_test(test_get_id),
		cmocka_unit_test(test_past_end_and_huge_sectors),
		cmocka_unit_test(test_logical_4k),
		cmocka_unit_test(test_ro),
		cmocka_unit_test(test_bad_status_and_headers),
		cmocka_unit_test(test_segment_limits),
		cmocka_unit_test(test_direct_bounce),
		cmocka_unit_test(test_helper_binary_sigkill),
		cmocka_unit_test(test_helper_binary_exit),
		cmocka_unit_test(test_helper_bad_args),
	};
	ssize_t n = readlink("/proc/self/exe", helper, sizeof(helper) - 1);

	if (n <= 0 || (size_t)n > sizeof(helper) - 16)
		return 1;
	helper[n] = 0;
	/* hyve-blk sits next to this test binary (build/ or build-san/) */
	snprintf(helper + strlen(dirname(helper)), 16, "/hyve-blk");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
