/*
 * rng.c - virtio-rng back end: one request queue, no config space, no
 * feature bits (virtio 1.2, 5.4). Device-readable segments in a request
 * are ignored (the spec only has writable ones); writable ones are filled
 * with fresh bytes from getrandom() up to RNG_MAX_REQ per request.
 */
#include "devices/rng.h"

#include <errno.h>
#include <sys/random.h>

/* Fill one segment; returns the bytes written (short on failure). */
static size_t fill(uint8_t *p, size_t len, struct rng *r)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom(p + done, len - done, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r->failures++;
			break;
		}
		done += (size_t)n;
	}
	return done;
}

static void rng_process(struct vu_dev *dev, unsigned int q, struct virtq *vq)
{
	static struct virtq_req req;
	struct rng *r = dev->priv;

	(void)q;
	while (virtq_pop(vq, &req) == 1) {
		size_t budget = RNG_MAX_REQ, total = 0;

		for (unsigned int i = req.nout; i < req.nout + req.nin && budget; i++) {
			size_t len = req.iov[i].iov_len < budget ? req.iov[i].iov_len : budget;
			size_t got = fill(req.iov[i].iov_base, len, r);

			total += got;
			budget -= len;
			if (got < len)
				break;
		}
		r->requests++;
		r->bytes += total;
		/* total <= in_bytes: push cannot refuse it */
		virtq_push(vq, &req, (uint32_t)total);
	}
}

static void rng_reset(struct vu_dev *dev)
{
	(void)dev;
}

static void rng_counters(struct vu_dev *dev, struct vu_counters *out)
{
	const struct rng *r = dev->priv;

	out->requests = r->requests;
	out->bytes_in = r->bytes;
	out->errors = r->failures;
}

const struct vu_dev_ops rng_ops = {
	.name = "virtio-rng",
	.features = 0,
	.nqueues = 1,
	.config_size = 0,
	.process = rng_process,
	.reset = rng_reset,
	.stats = rng_counters,
};
