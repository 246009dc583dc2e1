/*
 * fuzz_vu.c - libFuzzer target: arbitrary bytes as the vhost-user byte
 * stream a hostile front end sends, with 0-3 sealed 64 KiB memfds (memory
 * regions or a stats area) attached to the messages the input chooses, through vu_dev_dispatch() until it ends.
 *
 * The back end's socket is non-blocking and the stream is shut down after
 * the input, so a run always ends. Built only by `make fuzz` (clang).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/vu.h"
#include "devices/vu_front.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t cfg[32];

static int f_get_config(struct vu_dev *dev, uint8_t *buf, uint32_t off,
			uint32_t len)
{
	(void)dev;
	memcpy(buf, cfg + off, len);
	return 0;
}

static int f_set_config(struct vu_dev *dev, const uint8_t *buf, uint32_t off,
			uint32_t len)
{
	(void)dev;
	memcpy(cfg + off, buf, len);
	return 0;
}

static void f_process(struct vu_dev *dev, unsigned int q, struct virtq *vq)
{
	static struct virtq_req req;

	(void)dev;
	(void)q;
	while (virtq_pop(vq, &req) == 1)
		virtq_push(vq, &req, (uint32_t)(req.in_bytes > 4 ? 4 : req.in_bytes));
}

static void f_reset(struct vu_dev *dev)
{
	(void)dev;
}

/* gives the stats area (HYVE_SET_STATS_AREA) something to publish */
static void f_stats(struct vu_dev *dev, struct vu_counters *out)
{
	out->requests = dev->messages;
	out->errors = 1;
}

static const struct vu_dev_ops ops = {
	.name = "fuzz",
	.features = 1ull << 5,
	.nqueues = 2,
	.config_size = sizeof(cfg),
	.get_config = f_get_config,
	.set_config = f_set_config,
	.process = f_process,
	.reset = f_reset,
	.stats = f_stats,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vu_dev dev;
	struct vu_front fe;
	int sv[2], fds[3], nfds;

	if (size < 1 || size > 16384)
		return 0;
	nfds = data[0] % 4;
	data++;
	size--;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	for (int i = 0; i < nfds; i++) {
		fds[i] = memfd_create("fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (fds[i] < 0 || ftruncate(fds[i], 65536) < 0 ||
		    fcntl(fds[i], F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0)
			__builtin_trap();
	}
	vu_front_init(&fe, sv[0], 0);
	/*
	 * Split the input into messages by their own size fields; bits 30-31
	 * of a message's flags (unused by the protocol, ignored by the back
	 * end) say how many of the memfds ride along with it.
	 */
	while (size > 0) {
		struct vu_hdr h;
		size_t len;
		unsigned int n;

		if (size < sizeof(h)) {
			if (write(sv[0], data, size) < 0)
				__builtin_trap();
			break;
		}
		memcpy(&h, data, sizeof(h));
		len = sizeof(h) + (h.size < size - sizeof(h) ? h.size : size - sizeof(h));
		n = (h.flags >> 30) % (unsigned int)(nfds + 1);
		if (vu_front_send(&fe, h.request, h.flags, data + sizeof(h),
				  (uint32_t)(len - sizeof(h)), fds, n) < 0)
			break;
		data += len;
		size -= len;
	}
	shutdown(sv[0], SHUT_WR);
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);

	if (vu_dev_init(&dev, sv[1], &ops, NULL) == 0) {
		for (int i = 0; i < 2048; i++)
			if (vu_dev_dispatch(&dev) < 0)
				break;
		vu_dev_fini(&dev);
	}
	close(sv[0]);
	close(sv[1]);
	return 0;
}
