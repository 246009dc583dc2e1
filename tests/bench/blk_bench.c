/*
 * blk-bench: the guest side of tests/bench/scenarios/40-blk-qemu.sh, a
 * static binary put into the guest's initramfs. Busybox dd cannot do random
 * offsets without a fork per I/O, which would measure fork, not the disk.
 *
 *   blk-bench DEVICE MODE BLOCKSIZE SECONDS
 *
 * MODE is seqread, seqwrite, randread or randwrite; I/O is O_DIRECT, one
 * request at a time (queue depth 1), over the whole device, for SECONDS.
 * Prints "@@B MODE BLOCKSIZE MB/s IOPS" and exits 0, or says why and
 * exits 1. Random offsets come from a fixed-seed xorshift, so every run
 * (under hyve and under QEMU) does the same I/O. A test tool: never
 * installed, never run on the host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint64_t size, nblk, x = 0x9e3779b97f4a7c15ull, n = 0, pos = 0;
	double t0, t, secs;
	size_t bs;
	bool wr, rnd;
	void *buf;
	int fd;

	if (argc != 5) {
		fprintf(stderr, "usage: blk-bench DEVICE seqread|seqwrite|randread|randwrite BS SECONDS\n");
		return 1;
	}
	wr = strstr(argv[2], "write") != NULL;
	rnd = strncmp(argv[2], "rand", 4) == 0;
	bs = (size_t)strtoul(argv[3], NULL, 10);
	secs = atof(argv[4]);
	if (bs < 512 || bs % 512 || bs > (64u << 20) || secs <= 0) {
		fprintf(stderr, "blk-bench: bad block size or time\n");
		return 1;
	}
	fd = open(argv[1], (wr ? O_RDWR : O_RDONLY) | O_DIRECT);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &size) < 0) {
		fprintf(stderr, "blk-bench: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	nblk = size / bs;
	if (nblk == 0 || posix_memalign(&buf, 4096, bs)) {
		fprintf(stderr, "blk-bench: device smaller than a block\n");
		return 1;
	}
	memset(buf, 0x5a, bs);
	t0 = now();
	do {
		uint64_t blk;
		ssize_t r;

		for (int k = 0; k < 8; k++, n++) {
			if (rnd) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				blk = x % nblk;
			} else {
				blk = pos++ % nblk;
			}
			r = wr ? pwrite(fd, buf, bs, (off_t)(blk * bs))
			       : pread(fd, buf, bs, (off_t)(blk * bs));
			if (r != (ssize_t)bs) {
				fprintf(stderr, "blk-bench: I/O at block %llu: %s\n",
					(unsigned long long)blk,
					r < 0 ? strerror(errno) : "short");
				return 1;
			}
		}
		t = now() - t0;
	} while (t < secs);
	if (wr && fdatasync(fd) < 0) {
		fprintf(stderr, "blk-bench: fdatasync: %s\n", strerror(errno));
		return 1;
	}
	t = now() - t0;
	printf("@@B %s %zu %.1f %.0f\n", argv[2], bs, (double)n * (double)bs / t / 1e6,
	       (double)n / t);
	return 0;
}
