/*
 * fuzz_blk.c - libFuzzer target: arbitrary virtio-blk requests (header,
 * data, ranges and the shape of the chain) through blk_request() on a
 * read-write and a read-only disk.
 *
 * The disk is a memfd of 64 KiB plus a 100-byte tail that is not a whole
 * sector: the tail must never change, the size must never change, and the
 * read-only disk must never change at all. Segments point into separately
 * allocated buffers, so ASan catches any access outside them. Built by
 * `make fuzz-blk` (clang), run for FUZZ_TIME seconds.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/blk.h"

#define DISK (64u << 10)   /* 128 sectors: mutated sector numbers land near the end */
#define TAIL 100u
#define MAXSEG 12

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct blk rw, ro;
static int rw_fd = -1, ro_fd = -1;
static uint64_t ro_sum;

static uint64_t disk_sum(int fd)
{
	static uint64_t buf[(DISK + TAIL + 7) / 8];
	uint64_t s = 0;

	memset(buf, 0, sizeof(buf));
	if (pread(fd, buf, DISK + TAIL, 0) != DISK + TAIL)
		abort();
	for (size_t i = 0; i < sizeof(buf) / 8; i++)
		s = s * 1000003u + buf[i];
	return s;
}

static void setup(void)
{
	struct blk_conf c;
	uint8_t t[TAIL];
	char p[64];

	rw_fd = memfd_create("disk", MFD_CLOEXEC);
	if (rw_fd < 0 || ftruncate(rw_fd, DISK + TAIL) < 0)
		abort();
	memset(t, 0xa5, sizeof(t));
	if (pwrite(rw_fd, t, TAIL, DISK) != TAIL)
		abort();
	blk_conf_default(&c);
	c.fd = rw_fd;
	c.seg_max = 8;
	c.size_max = 8192;
	memcpy(c.serial, "fuzz", 4);
	if (blk_init(&rw, &c) < 0)
		abort();
	snprintf(p, sizeof(p), "/proc/self/fd/%d", rw_fd);
	ro_fd = open(p, O_RDONLY | O_CLOEXEC);
	c.fd = ro_fd;
	c.ro = true;
	c.lsize = 4096;
	c.psize = 4096;
	if (ro_fd < 0 || blk_init(&ro, &c) < 0)
		abort();
	ro_sum = disk_sum(ro_fd);
}

/*
 * Input: [0] features (bit0 FLUSH, bit1 DISCARD, bit2 WRITE_ZEROES, bit3
 * use the ro disk), [1] segment count, then per segment 4 bytes (length
 * 0..8191 in 13 bits, bit 15 = device-writable), then the bytes the
 * readable segments hold, in order.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct virtq_req req;
	uint8_t *bufs[MAXSEG] = { 0 };
	unsigned int nseg, nout = 0, nin = 0;
	struct iovec out[MAXSEG], in[MAXSEG];
	uint64_t features = 0;
	struct blk *b;
	size_t pos;
	uint32_t len;
	struct stat st;

	if (rw_fd < 0)
		setup();
	if (size < 2)
		return 0;
	if (data[0] & 1)
		features |= 1ull << 9;    /* VIRTIO_BLK_F_FLUSH */
	if (data[0] & 2)
		features |= 1ull << 13;   /* DISCARD */
	if (data[0] & 4)
		features |= 1ull << 14;   /* WRITE_ZEROES */
	b = data[0] & 8 ? &ro : &rw;
	nseg = data[1] % (MAXSEG + 1);
	pos = 2;
	if (size < pos + 4 * nseg)
		return 0;
	memset(&req, 0, sizeof(req));
	for (unsigned int i = 0; i < nseg; i++, pos += 4) {
		uint16_t v = (uint16_t)(data[pos] | data[pos + 1] << 8);
		size_t l = (v & 0x1fff) + 1;

		bufs[i] = malloc(l);
		if (!bufs[i])
			abort();
		memset(bufs[i], 0xcc, l);
		if (v & 0x8000)
			in[nin++] = (struct iovec){ bufs[i], l };
		else
			out[nout++] = (struct iovec){ bufs[i], l };
	}
	/* readable segments get the rest of the input */
	for (unsigned int i = 0; i < nout; i++) {
		size_t k = size - pos < out[i].iov_len ? size - pos : out[i].iov_len;

		memcpy(out[i].iov_base, data + pos, k);
		pos += k;
		req.iov[req.nout++] = out[i];
		req.out_bytes += out[i].iov_len;
	}
	for (unsigned int i = 0; i < nin; i++) {
		req.iov[req.nout + req.nin++] = in[i];
		req.in_bytes += in[i].iov_len;
	}
	len = blk_request(b, features, &req);
	if (len != 0 && len != req.in_bytes)
		abort();
	if (len == 0 && req.in_bytes != 0)
		abort();
	for (unsigned int i = 0; i < nseg; i++)
		free(bufs[i]);
	/* never outside the disk, never resized, never a ro write */
	if (fstat(rw_fd, &st) < 0 || st.st_size != DISK + TAIL)
		abort();
	{
		uint8_t t[TAIL];

		if (pread(rw_fd, t, TAIL, DISK) != TAIL)
			abort();
		for (unsigned int i = 0; i < TAIL; i++)
			if (t[i] != 0xa5)
				abort();
	}
	if (b == &ro && disk_sum(ro_fd) != ro_sum)
		abort();
	if (b == &rw)
		ro_sum = disk_sum(ro_fd);   /* the rw disk is the same file */
	return 0;
}
