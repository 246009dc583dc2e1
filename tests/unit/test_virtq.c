/*
 * test_virtq.c - gmem and split virtqueue tests with hostile ring fixtures.
 *
 * Each hostile fixture breaks exactly one rule and checks that exactly that
 * reason is counted, the queue is NEEDS_RESET and the used ring is left
 * alone; so removing any single check makes its test fail. Guest memory is
 * two adjacent regions backed by separate heap buffers, so ASan also sees
 * any access that leaves a region.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "devices/gmem.h"
#include "devices/virtq.h"

#define QSZ 8
#define R0_GPA 0x10000ull
#define R0_SIZE 0x10000ull
#define R1_GPA (R0_GPA + R0_SIZE) /* adjacent in gpa, not in host memory */
#define R1_SIZE 0x1000ull
#define DESC_GPA 0x10000ull
#define AVAIL_GPA 0x11000ull
#define USED_GPA 0x12000ull
#define DATA_GPA 0x14000ull
#define ALL_FEATURES ((1ull << VIRTIO_RING_F_INDIRECT_DESC) | \
		      (1ull << VIRTIO_RING_F_EVENT_IDX) | (1ull << VIRTIO_F_VERSION_1))

struct fx {
	struct gmem mem;
	uint8_t *r0, *r1;
	struct virtq vq;
	struct virtq_req req;
	uint16_t avail_idx;
};

static uint8_t *host(struct fx *f, uint64_t gpa)
{
	return gmem_translate(&f->mem, gpa, 1);
}

static void set_desc_at(struct fx *f, uint64_t table, unsigned int i,
			uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { .addr = addr, .len = len, .flags = flags, .next = next };

	memcpy(host(f, table + 16ull * i), &d, sizeof(d));
}

static void set_desc(struct fx *f, unsigned int i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	set_desc_at(f, DESC_GPA, i, addr, len, flags, next);
}

static void put16(struct fx *f, uint64_t gpa, uint16_t v)
{
	memcpy(host(f, gpa), &v, 2);
}

static uint16_t get16(struct fx *f, uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, host(f, gpa), 2);
	return v;
}

static uint32_t get32(struct fx *f, uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, host(f, gpa), 4);
	return v;
}

static void avail_add(struct fx *f, uint16_t head)
{
	put16(f, AVAIL_GPA + 4 + 2 * (f->avail_idx % QSZ), head);
	f->avail_idx++;
	put16(f, AVAIL_GPA + 2, f->avail_idx);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->r0 = aligned_alloc(4096, R0_SIZE);
	f->r1 = aligned_alloc(4096, R1_SIZE);
	assert_non_null(f->r0);
	assert_non_null(f->r1);
	memset(f->r0, 0, R0_SIZE);
	memset(f->r1, 0, R1_SIZE);
	gmem_init(&f->mem);
	assert_int_equal(gmem_add(&f->mem, R0_GPA, R0_SIZE, f->r0, 0), 0);
	assert_int_equal(gmem_add(&f->mem, R1_GPA, R1_SIZE, f->r1, 0), 0);
	virtq_init(&f->vq, &f->mem);
	assert_int_equal(virtq_setup(&f->vq, QSZ, DESC_GPA, AVAIL_GPA, USED_GPA,
				     ALL_FEATURES, 0), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->r0);
	free(f->r1);
	free(f);
	return 0;
}

static uint64_t total_errors(const struct virtq *vq)
{
	uint64_t n = 0;

	for (int i = 0; i < VIRTQ_ERR__COUNT; i++)
		n += vq->errors[i];
	return n;
}

/* The one shared oracle of every hostile test. */
static void expect_broken(struct fx *f, enum virtq_err why)
{
	uint16_t used_before = get16(f, USED_GPA + 2);

	assert_int_equal(virtq_pop(&f->vq, &f->req), -EIO);
	assert_true(virtq_needs_reset(&f->vq));
	assert_int_equal(f->vq.errors[why], 1);
	assert_int_equal(total_errors(&f->vq), 1);
	assert_int_equal(f->vq.last_err, why);
	assert_string_equal(virtq_err_name(why), virtq_err_name(f->vq.last_err));
	/* never processed further, never counted twice */
	assert_int_equal(virtq_pop(&f->vq, &f->req), -EIO);
	assert_int_equal(total_errors(&f->vq), 1);
	assert_false(virtq_should_notify(&f->vq));
	assert_int_equal(get16(f, USED_GPA + 2), used_before);
}

/* ------------------------------------------------------------- gmem */

static void test_gmem_bounds(void **state)
{
	struct fx *f = *state;
	uint64_t gpa;

	assert_ptr_equal(gmem_translate(&f->mem, R0_GPA, R0_SIZE), f->r0);
	assert_ptr_equal(gmem_translate(&f->mem, R0_GPA + R0_SIZE - 1, 1),
			 f->r0 + R0_SIZE - 1);
	assert_null(gmem_translate(&f->mem, R0_GPA, R0_SIZE + 1));
	assert_null(gmem_translate(&f->mem, R0_GPA - 1, 1));
	assert_null(gmem_translate(&f->mem, R0_GPA, 0));
	/* adjacent regions are still two regions */
	assert_null(gmem_translate(&f->mem, R1_GPA - 1, 2));
	assert_ptr_equal(gmem_translate(&f->mem, R1_GPA, 1), f->r1);
	/* wrap around 2^64 */
	assert_null(gmem_translate(&f->mem, R0_GPA + 16, UINT64_MAX));
	assert_null(gmem_translate(&f->mem, UINT64_MAX, 2));
	assert_int_equal(gmem_uaddr_to_gpa(&f->mem, 0x1000, 1, &gpa), -EFAULT);
}

static void test_gmem_add_refused(void **state)
{
	struct fx *f = *state;
	struct gmem m;
	static uint8_t buf[64];
	uint64_t gpa;

	(void)f;
	gmem_init(&m);
	assert_int_equal(gmem_add(&m, 0, 0, buf, 0), -EINVAL);
	assert_int_equal(gmem_add(&m, 0, 16, NULL, 0), -EINVAL);
	assert_int_equal(gmem_add(&m, UINT64_MAX - 8, 16, buf, 0), -EINVAL);
	assert_int_equal(gmem_add(&m, 0, 16, buf, UINT64_MAX - 8), -EINVAL);
	assert_int_equal(gmem_add(&m, 0x1000, 64, buf, 0x7000), 0);
	/* overlap in gpa, then in user address */
	assert_int_equal(gmem_add(&m, 0x103f, 1, buf, 0), -EINVAL);
	assert_int_equal(gmem_add(&m, 0x0fc1, 64, buf, 0), -EINVAL);
	assert_int_equal(gmem_add(&m, 0x2000, 16, buf, 0x7020), -EINVAL);
	assert_int_equal(gmem_uaddr_to_gpa(&m, 0x7010, 0x30, &gpa), 0);
	assert_int_equal(gmem_uaddr_to_gpa(&m, 0x7010, 0x31, &gpa), -EFAULT);
	assert_int_equal(gmem_uaddr_to_gpa(&m, 0x7010, 0, &gpa), -EFAULT);
	/* host range wrapping the address space */
	assert_int_equal(gmem_add(&m, 0x3000, 16, (void *)(UINTPTR_MAX - 7), 0), -EINVAL);
	assert_int_equal(gpa, 0x1010);
	for (int i = 1; i < GMEM_MAX_REGIONS; i++)
		assert_int_equal(gmem_add(&m, 0x10000ull * (i + 1), 8, buf, 0), 0);
	assert_int_equal(gmem_add(&m, 0x100000, 8, buf, 0), -ENOSPC);
}

/* ------------------------------------------------------------- happy */

static void test_simple_chain(void **state)
{
	struct fx *f = *state;
	char out[16];

	memcpy(host(f, DATA_GPA), "hello ", 6);
	memcpy(host(f, DATA_GPA + 0x100), "world", 5);
	set_desc(f, 3, DATA_GPA, 6, VIRTQ_DESC_F_NEXT, 5);
	set_desc(f, 5, DATA_GPA + 0x100, 5, VIRTQ_DESC_F_NEXT, 1);
	set_desc(f, 1, DATA_GPA + 0x200, 32, VIRTQ_DESC_F_WRITE, 0);
	avail_add(f, 3);

	assert_int_equal(virtq_pop(&f->vq, &f->req), 1);
	assert_int_equal(f->req.head, 3);
	assert_int_equal(f->req.nout, 2);
	assert_int_equal(f->req.nin, 1);
	assert_int_equal(f->req.out_bytes, 11);
	assert_int_equal(f->req.in_bytes, 32);
	assert_ptr_equal(f->req.iov[2].iov_base, host(f, DATA_GPA + 0x200));
	memset(out, 0, sizeof(out));
	assert_int_equal(virtq_iov_from(&f->req, 0, out, sizeof(out)), 11);
	assert_string_equal(out, "hello world");
	assert_int_equal(virtq_iov_from(&f->req, 4, out, 4), 4);
	assert_memory_equal(out, "o wo", 4);
	assert_int_equal(virtq_iov_to(&f->req, 30, "xyz", 3), 2);
	assert_memory_equal(host(f, DATA_GPA + 0x200 + 30), "xy", 2);
	/* avail_event (EVENT_IDX) asks for a kick at the next buffer */
	assert_int_equal(get16(f, USED_GPA + 4 + 8 * QSZ), 1);
	assert_int_equal(virtq_pop(&f->vq, &f->req), 0);

	assert_int_equal(virtq_push(&f->vq, &f->req, 33), -EINVAL);
	assert_int_equal(virtq_push(&f->vq, &f->req, 32), 0);
	assert_int_equal(get16(f, USED_GPA + 2), 1);
	assert_int_equal(get32(f, USED_GPA + 4), 3);
	assert_int_equal(get32(f, USED_GPA + 8), 32);
	/* push without a pop is a caller bug, ring untouched */
	assert_int_equal(virtq_push(&f->vq, &f->req, 0), -EINVAL);
	assert_int_equal(get16(f, USED_GPA + 2), 1);
	assert_int_equal(total_errors(&f->vq), 0);
}

static void test_indirect_chain(void **state)
{
	struct fx *f = *state;
	const uint64_t tbl = DATA_GPA + 0x1000;

	set_desc_at(f, tbl, 0, DATA_GPA, 16, VIRTQ_DESC_F_NEXT, 2);
	set_desc_at(f, tbl, 2, DATA_GPA + 0x40, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc_at(f, tbl, 1, DATA_GPA + 0x80, 100, VIRTQ_DESC_F_WRITE, 0);
	/* WRITE on the indirect descriptor itself is ignored (spec) */
	set_desc(f, 0, tbl, 3 * 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	avail_add(f, 0);
	assert_int_equal(virtq_pop(&f->vq, &f->req), 1);
	assert_int_equal(f->req.head, 0);
	assert_int_equal(f->req.nout, 2);
	assert_int_equal(f->req.nin, 1);
	assert_int_equal(f->req.out_bytes, 24);
	assert_int_equal(f->req.in_bytes, 100);
	assert_ptr_equal(f->req.iov[1].iov_base, host(f, DATA_GPA + 0x40));
	assert_int_equal(virtq_push(&f->vq, &f->req, 1), 0);
}

/* A chain using every descriptor is the longest legal one. */
static void test_chain_of_queue_size(void **state)
{
	struct fx *f = *state;

	for (unsigned int i = 0; i < QSZ; i++)
		set_desc(f, i, DATA_GPA + 64 * i, 64,
			 i + 1 < QSZ ? VIRTQ_DESC_F_NEXT : VIRTQ_DESC_F_WRITE,
			 (uint16_t)(i + 1));
	avail_add(f, 0);
	assert_int_equal(virtq_pop(&f->vq, &f->req), 1);
	assert_int_equal(f->req.nout + f->req.nin, QSZ);
}

static void test_full_ring_accepted(void **state)
{
	struct fx *f = *state;

	for (unsigned int i = 0; i < QSZ; i++) {
		set_desc(f, i, DATA_GPA + 64 * i, 64, VIRTQ_DESC_F_WRITE, 0);
		avail_add(f, (uint16_t)i);
	}
	for (unsigned int i = 0; i < QSZ; i++) {
		assert_int_equal(virtq_pop(&f->vq, &f->req), 1);
		assert_int_equal(f->req.head, i);
	}
	assert_int_equal(virtq_pop(&f->vq, &f->req), 0);
	assert_int_equal(f->vq.inflight, QSZ);
}

static void test_index_wraparound(void **state)
{
	struct fx *f = *state;
	const uint16_t start = 65534;

	put16(f, USED_GPA + 2, start);
	f->avail_idx = start;
	put16(f, AVAIL_GPA + 2, start);
	assert_int_equal(virtq_setup(&f->vq, QSZ, DESC_GPA, AVAIL_GPA, USED_GPA,
				     ALL_FEATURES, start), 0);
	for (uint16_t i = 0; i < 5; i++) {
		set_desc(f, i, DATA_GPA + 64 * i, 64, VIRTQ_DESC_F_WRITE, 0);
		avail_add(f, i);
	}
	assert_int_equal(get16(f, AVAIL_GPA + 2), 3); /* wrapped */
	for (uint16_t i = 0; i < 5; i++) {
		assert_int_equal(virtq_pop(&f->vq, &f->req), 1);
		assert_int_equal(f->req.head, i);
		assert_int_equal(virtq_push(&f->vq, &f->req, 10 + i), 0);
	}
	assert_int_equal(virtq_pop(&f->vq, &f->req), 0);
	assert_int_equal(get16(f, USED_GPA + 2), 3);
	/* slot = idx mod size: 65534 -> 6, 65535 -> 7, 0 -> 0 */
	assert_int_equal(get32(f, USED_GPA + 4 + 8 * 6), 0);
	assert_int_equal(get32(f, USED_GPA + 4 + 8 * 7), 1);
	assert_int_equal(get32(f, USED_GPA + 4 + 8 * 0), 2);
	assert_int_equal(get32(f, USED_GPA + 4 + 8 * 2 + 4), 14);
	assert_int_equal(get16(f, USED_GPA + 4 + 8 * QSZ), 3); /* avail_event */
	assert_int_equal(total_errors(&f->vq), 0);
}

static void push_one(struct fx *f, uint16_t d)
{
	set_desc(f, d, DATA_GPA, 64, VIRTQ_DESC_F_WRITE, 0);
	avail_add(f, d);
	assert_int_equal(virtq_pop(&f->vq, &f->req), 1);
	assert_int_equal(virtq_push(&f->vq, &f->req, 1), 0);
}

static void test_event_idx_notify(void **state)
{
	struct fx *f = *state;
	const uint64_t used_event = AVAIL_GPA + 4 + 2 * QSZ;

	/* first notification is always sent */
	push_one(f, 0);
	assert_true(virtq_should_notify(&f->vq));
	/* nothing new since the last one */
	assert_false(virtq_should_notify(&f->vq));
	/* driver wants an interrupt only after used idx passes 3 */
	put16(f, used_event, 3);
	push_one(f, 1);             /* used idx 2 */
	assert_false(virtq_should_notify(&f->vq));
	push_one(f, 2);             /* 3: not yet past */
	assert_false(virtq_should_notify(&f->vq));
	push_one(f, 3);             /* 4: crossed 3 -> notify */
	assert_true(virtq_should_notify(&f->vq));
	/* used_event inside a batch of several pushes */
	put16(f, used_event, 5);
	push_one(f, 4);
	push_one(f, 5);
	push_one(f, 6);             /* 4 -> 7 covers 5 */
	assert_true(virtq_should_notify(&f->vq));
	/* the avail flag is ignored with EVENT_IDX */
	put16(f, AVAIL_GPA, VIRTQ_AVAIL_F_NO_INTERRUPT);
	put16(f, used_event, 7);
	push_one(f, 7);
	assert_true(virtq_should_notify(&f->vq));
}

static void test_event_idx_wrap(void **state)
{
	struct fx *f = *state;

	put16(f, USED_GPA + 2, 65535);
	f->avail_idx = 65535;
	put16(f, AVAIL_GPA + 2, 65535);
	assert_int_equal(virtq_setup(&f->vq, QSZ, DESC_GPA, AVAIL_GPA, USED_GPA,
				     ALL_FEATURES, 65535), 0);
	push_one(f, 0);             /* used idx 0 */
	assert_true(virtq_should_notify(&f->vq));
	put16(f, AVAIL_GPA + 4 + 2 * QSZ, 0);
	push_one(f, 1);             /* 0 -> 1 crosses used_event 0 */
	assert_true(virtq_should_notify(&f->vq));
	put16(f, AVAIL_GPA + 4 + 2 * QSZ, 65535);
	push_one(f, 2);             /* 1 -> 2: 65535 is behind */
	assert_false(virtq_should_notify(&f->vq));
}

static void test_no_event_idx_flags(void **state)
{
	struct fx *f = *state;

	assert_int_equal(virtq_setup(&f->vq, QSZ, DESC_GPA, AVAIL_GPA, USED_GPA,
				     1ull << VIRTIO_F_VERSION_1, 0), 0);
	push_one(f, 0);
	assert_true(virtq_should_notify(&f->vq));
	/* no avail_event write without EVENT_IDX */
	assert_int_equal(get16(f, USED_GPA + 4 + 8 * QSZ), 0);
	put16(f, AVAIL_GPA, VIRTQ_AVAIL_F_NO_INTERRUPT);
	push_one(f, 1);
	assert_false(virtq_should_notify(&f->vq));

	virtq_disable_notify(&f->vq);
	assert_int_equal(get16(f, USED_GPA), VIRTQ_USED_F_NO_NOTIFY);
	assert_false(virtq_enable_notify(&f->vq));
	assert_int_equal(get16(f, USED_GPA), 0);
	set_desc(f, 2, DATA_GPA, 64, VIRTQ_DESC_F_WRITE, 0);
	avail_add(f, 2);
	assert_true(virtq_enable_notify(&f->vq));
}

static void test_enable_notify_event_idx(void **state)
{
	struct fx *f = *state;

	push_one(f, 0);
	put16(f, USED_GPA + 4 + 8 * QSZ, 0);
	assert_false(virtq_enable_notify(&f->vq));
	assert_int_equal(get16(f, USED_GPA + 4 + 8 * QSZ), 1);
	set_desc(f, 1, DATA_GPA, 64, 0, 0);
	avail_add(f, 1);
	assert_true(virtq_enable_notify(&f->vq));
}

/* ------------------------------------------------------------- hostile */

static void test_bad_head(void **state)
{
	struct fx *f = *state;

	avail_add(f, QSZ);
	expect_broken(f, VIRTQ_ERR_HEAD_RANGE);
}

static void test_bad_next(void **state)
{
	struct fx *f = *state;

	set_desc(f, 0, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, QSZ);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_NEXT_RANGE);
}

static void test_loop(void **state)
{
	struct fx *f = *state;

	set_desc(f, 0, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(f, 1, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_CHAIN_LOOP);
}

static void test_self_loop(void **state)
{
	struct fx *f = *state;

	set_desc(f, 4, DATA_GPA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 4);
	avail_add(f, 4);
	expect_broken(f, VIRTQ_ERR_CHAIN_LOOP);
}

static void test_buf_outside(void **state)
{
	struct fx *f = *state;

	set_desc(f, 0, 0x1000, 8, 0, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_BUF_ADDR);
}

static void test_buf_past_end(void **state)
{
	struct fx *f = *state;

	set_desc(f, 0, R1_GPA + R1_SIZE - 8, 9, VIRTQ_DESC_F_WRITE, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_BUF_ADDR);
}

static void test_buf_spans_regions(void **state)
{
	struct fx *f = *state;

	set_desc(f, 0, R1_GPA - 8, 16, 0, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_BUF_ADDR);
}

static void test_buf_wraps(void **state)
{
	struct fx *f = *state;

	/* addr + len wraps to inside region 0 */
	set_desc(f, 0, UINT64_MAX - 0xfff, 0x12000, 0, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_BUF_ADDR);
}

static void test_zero_len(void **state)
{
	struct fx *f = *state;

	set_desc(f, 0, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(f, 1, DATA_GPA, 0, VIRTQ_DESC_F_WRITE, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_ZERO_LEN);
}

static void test_read_after_write(void **state)
{
	struct fx *f = *state;

	set_desc(f, 0, DATA_GPA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	set_desc(f, 1, DATA_GPA, 8, 0, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_ORDER);
}

static void test_too_big(void **state)
{
	struct fx *f = *state;

	f->vq.max_bytes = 100;
	set_desc(f, 0, DATA_GPA, 60, VIRTQ_DESC_F_NEXT, 1);
	set_desc(f, 1, DATA_GPA, 41, VIRTQ_DESC_F_WRITE, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_TOO_BIG);
}

static void test_too_big_default(void **state)
{
	struct fx *f = *state;
	const uint64_t big_gpa = 1ull << 32, big_size = 1ull << 33;
	/* Address space only: the walk never dereferences buffers. */
	void *big = mmap(NULL, big_size, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	assert_true(big != MAP_FAILED);
	assert_int_equal(gmem_add(&f->mem, big_gpa, big_size, big, 0), 0);
	/* 0xffffffff + 1 bytes is one more than a used length can report */
	set_desc(f, 0, big_gpa, UINT32_MAX, VIRTQ_DESC_F_NEXT, 1);
	set_desc(f, 1, big_gpa, 1, VIRTQ_DESC_F_WRITE, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_TOO_BIG);
	munmap(big, big_size);
}

static void test_indirect_no_feature(void **state)
{
	struct fx *f = *state;

	assert_int_equal(virtq_setup(&f->vq, QSZ, DESC_GPA, AVAIL_GPA, USED_GPA,
				     1ull << VIRTIO_RING_F_EVENT_IDX, 0), 0);
	set_desc_at(f, DATA_GPA + 0x1000, 0, DATA_GPA, 8, 0, 0);
	set_desc(f, 0, DATA_GPA + 0x1000, 16, VIRTQ_DESC_F_INDIRECT, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_INDIRECT_FEATURE);
}

static void indirect_len_case(struct fx *f, uint32_t len)
{
	set_desc(f, 0, DATA_GPA + 0x1000, len, VIRTQ_DESC_F_INDIRECT, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_INDIRECT_LEN);
}

static void test_indirect_len_not_16(void **state)
{
	indirect_len_case(*state, 24);
}

static void test_indirect_len_zero(void **state)
{
	indirect_len_case(*state, 0);
}

static void test_indirect_too_long(void **state)
{
	/* fits in region 0, but holds more than VIRTQ_MAX_SIZE entries */
	indirect_len_case(*state, 16 * (VIRTQ_MAX_SIZE + 1));
}

static void test_indirect_outside(void **state)
{
	struct fx *f = *state;

	set_desc(f, 0, R1_GPA + R1_SIZE - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_INDIRECT_ADDR);
}

static void test_indirect_nested(void **state)
{
	struct fx *f = *state;
	const uint64_t tbl = DATA_GPA + 0x1000;

	set_desc_at(f, tbl, 0, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc_at(f, tbl, 1, tbl, 32, VIRTQ_DESC_F_INDIRECT, 0);
	set_desc(f, 0, tbl, 32, VIRTQ_DESC_F_INDIRECT, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_INDIRECT_NESTED);
}

static void test_indirect_with_next(void **state)
{
	struct fx *f = *state;

	set_desc_at(f, DATA_GPA + 0x1000, 0, DATA_GPA, 8, 0, 0);
	set_desc(f, 0, DATA_GPA + 0x1000, 16,
		 VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	set_desc(f, 1, DATA_GPA, 8, VIRTQ_DESC_F_WRITE, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_INDIRECT_NEXT);
}

static void test_indirect_not_head(void **state)
{
	struct fx *f = *state;

	set_desc_at(f, DATA_GPA + 0x1000, 0, DATA_GPA, 8, 0, 0);
	set_desc(f, 0, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(f, 1, DATA_GPA + 0x1000, 16, VIRTQ_DESC_F_INDIRECT, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_INDIRECT_POS);
}

static void test_indirect_bad_next(void **state)
{
	struct fx *f = *state;
	const uint64_t tbl = DATA_GPA + 0x1000;

	/* next = 2 is inside the queue but outside the 2-entry table */
	set_desc_at(f, tbl, 0, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 2);
	set_desc(f, 0, tbl, 32, VIRTQ_DESC_F_INDIRECT, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_NEXT_RANGE);
}

static void test_indirect_loop(void **state)
{
	struct fx *f = *state;
	const uint64_t tbl = DATA_GPA + 0x1000;

	set_desc_at(f, tbl, 0, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc_at(f, tbl, 1, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 2);
	set_desc_at(f, tbl, 2, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(f, 0, tbl, 48, VIRTQ_DESC_F_INDIRECT, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_CHAIN_LOOP);
}

static void test_indirect_buf_outside(void **state)
{
	struct fx *f = *state;
	const uint64_t tbl = DATA_GPA + 0x1000;

	set_desc_at(f, tbl, 0, R0_GPA + R0_SIZE + R1_SIZE, 8, 0, 0);
	set_desc(f, 0, tbl, 16, VIRTQ_DESC_F_INDIRECT, 0);
	avail_add(f, 0);
	expect_broken(f, VIRTQ_ERR_BUF_ADDR);
}

static void test_avail_idx_jump(void **state)
{
	struct fx *f = *state;

	put16(f, AVAIL_GPA + 2, QSZ + 1);
	expect_broken(f, VIRTQ_ERR_AVAIL_IDX);
}

static void test_avail_idx_over_inflight(void **state)
{
	struct fx *f = *state;

	/* one in flight, then the driver claims `size` more: size+1 outstanding */
	set_desc(f, 0, DATA_GPA, 8, 0, 0);
	avail_add(f, 0);
	assert_int_equal(virtq_pop(&f->vq, &f->req), 1);
	put16(f, AVAIL_GPA + 2, 1 + QSZ);
	expect_broken(f, VIRTQ_ERR_AVAIL_IDX);
}

static void test_avail_idx_backwards(void **state)
{
	struct fx *f = *state;

	set_desc(f, 0, DATA_GPA, 8, 0, 0);
	set_desc(f, 1, DATA_GPA, 8, 0, 0);
	avail_add(f, 0);
	avail_add(f, 1);
	assert_int_equal(virtq_pop(&f->vq, &f->req), 1);
	assert_int_equal(virtq_pop(&f->vq, &f->req), 1);
	/* the driver takes back a buffer we already consumed */
	put16(f, AVAIL_GPA + 2, 1);
	expect_broken(f, VIRTQ_ERR_AVAIL_IDX);
}

static void test_broken_stays_broken(void **state)
{
	struct fx *f = *state;

	avail_add(f, 0xffff);
	expect_broken(f, VIRTQ_ERR_HEAD_RANGE);
	/* fix the ring: still refused until reset */
	set_desc(f, 0, DATA_GPA, 8, 0, 0);
	put16(f, AVAIL_GPA + 4, 0);
	assert_int_equal(virtq_pop(&f->vq, &f->req), -EIO);
	assert_false(virtq_enable_notify(&f->vq));
	virtq_reset(&f->vq);
	assert_false(virtq_needs_reset(&f->vq));
	assert_int_equal(virtq_pop(&f->vq, &f->req), 0); /* not ready */
	assert_int_equal(virtq_setup(&f->vq, QSZ, DESC_GPA, AVAIL_GPA, USED_GPA,
				     ALL_FEATURES, 0), 0);
	assert_int_equal(virtq_pop(&f->vq, &f->req), 1);
	assert_int_equal(f->vq.errors[VIRTQ_ERR_HEAD_RANGE], 1);
}

/* ------------------------------------------------------------- setup */

static void expect_setup_fails(struct fx *f, uint16_t size, uint64_t d,
			       uint64_t a, uint64_t u, uint16_t base,
			       enum virtq_err why)
{
	assert_int_equal(virtq_setup(&f->vq, size, d, a, u, ALL_FEATURES, base),
			 -EINVAL);
	assert_true(virtq_needs_reset(&f->vq));
	assert_false(f->vq.ready);
	assert_int_equal(f->vq.errors[why], 1);
	assert_int_equal(total_errors(&f->vq), 1);
	assert_int_equal(virtq_pop(&f->vq, &f->req), -EIO);
	virtq_init(&f->vq, &f->mem);
}

static void test_setup_refused(void **state)
{
	struct fx *f = *state;

	expect_setup_fails(f, 0, DESC_GPA, AVAIL_GPA, USED_GPA, 0, VIRTQ_ERR_RING_SIZE);
	expect_setup_fails(f, 3, DESC_GPA, AVAIL_GPA, USED_GPA, 0, VIRTQ_ERR_RING_SIZE);
	expect_setup_fails(f, 2048, DESC_GPA, AVAIL_GPA, USED_GPA, 0, VIRTQ_ERR_RING_SIZE);
	expect_setup_fails(f, QSZ, DESC_GPA + 8, AVAIL_GPA, USED_GPA, 0, VIRTQ_ERR_RING_ALIGN);
	expect_setup_fails(f, QSZ, DESC_GPA, AVAIL_GPA + 1, USED_GPA, 0, VIRTQ_ERR_RING_ALIGN);
	expect_setup_fails(f, QSZ, DESC_GPA, AVAIL_GPA, USED_GPA + 2, 0, VIRTQ_ERR_RING_ALIGN);
	expect_setup_fails(f, QSZ, 0x1000, AVAIL_GPA, USED_GPA, 0, VIRTQ_ERR_RING_ADDR);
	/* used ring (6 + 8*8 bytes) would cross the end of region 1 */
	expect_setup_fails(f, QSZ, DESC_GPA, AVAIL_GPA, R1_GPA + R1_SIZE - 64, 0,
			   VIRTQ_ERR_RING_ADDR);
	/* avail ring straddles the two regions */
	expect_setup_fails(f, QSZ, DESC_GPA, R1_GPA - 8, USED_GPA, 0, VIRTQ_ERR_RING_ADDR);
	expect_setup_fails(f, QSZ, DESC_GPA, UINT64_MAX - 1, USED_GPA, 0, VIRTQ_ERR_RING_ADDR);
	/* resuming with more than size outstanding */
	expect_setup_fails(f, QSZ, DESC_GPA, AVAIL_GPA, USED_GPA, QSZ + 1, VIRTQ_ERR_AVAIL_IDX);
}

static void test_setup_host_misaligned(void **state)
{
	struct fx *f = *state;
	struct gmem m;

	/* gpa aligned, host pointer not: loads would be misaligned */
	gmem_init(&m);
	assert_int_equal(gmem_add(&m, 0x1000, 0x2000, f->r0 + 2, 0), 0);
	virtq_init(&f->vq, &m);
	assert_int_equal(virtq_setup(&f->vq, QSZ, 0x1000, 0x1200, 0x1400,
				     ALL_FEATURES, 0), -EINVAL);
	assert_int_equal(f->vq.errors[VIRTQ_ERR_RING_ALIGN], 1);

	/* host pointer aligned, guest address not: the spec's rule is on gpa */
	gmem_init(&m);
	assert_int_equal(gmem_add(&m, 0x1008, 0x2000, f->r0, 0), 0);
	virtq_init(&f->vq, &m);
	assert_int_equal(virtq_setup(&f->vq, QSZ, 0x1008, 0x1200, 0x1400,
				     ALL_FEATURES, 0), -EINVAL);
	assert_int_equal(f->vq.errors[VIRTQ_ERR_RING_ALIGN], 1);
}

static void test_err_names(void **state)
{
	(void)state;
	for (int i = 0; i < VIRTQ_ERR__COUNT; i++) {
		assert_non_null(virtq_err_name(i));
		assert_string_not_equal(virtq_err_name(i), "unknown");
	}
	assert_string_equal(virtq_err_name(VIRTQ_ERR__COUNT), "unknown");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_gmem_bounds),
		T(test_gmem_add_refused),
		T(test_simple_chain),
		T(test_indirect_chain),
		T(test_chain_of_queue_size),
		T(test_full_ring_accepted),
		T(test_index_wraparound),
		T(test_event_idx_notify),
		T(test_event_idx_wrap),
		T(test_no_event_idx_flags),
		T(test_enable_notify_event_idx),
		T(test_bad_head),
		T(test_bad_next),
		T(test_loop),
		T(test_self_loop),
		T(test_buf_outside),
		T(test_buf_past_end),
		T(test_buf_spans_regions),
		T(test_buf_wraps),
		T(test_zero_len),
		T(test_read_after_write),
		T(test_too_big),
		T(test_too_big_default),
		T(test_indirect_no_feature),
		T(test_indirect_len_not_16),
		T(test_indirect_len_zero),
		T(test_indirect_too_long),
		T(test_indirect_outside),
		T(test_indirect_nested),
		T(test_indirect_with_next),
		T(test_indirect_not_head),
		T(test_indirect_bad_next),
		T(test_indirect_loop),
		T(test_indirect_buf_outside),
		T(test_avail_idx_jump),
		T(test_avail_idx_over_inflight),
		T(test_avail_idx_backwards),
		T(test_broken_stays_broken),
		T(test_setup_refused),
		T(test_setup_host_misaligned),
		T(test_err_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
