/*
 * rng.h - virtio-rng (entropy) device back end for the vhost-user code.
 *
 * Fills the driver's device-writable buffers from getrandom(). It must
 * never read the guest's buffers, and never spend unbounded time on one
 * request: at most RNG_MAX_REQ bytes are written per request.
 */
#ifndef HYVE_RNG_H
#define HYVE_RNG_H

#include <stdint.h>

#include "devices/vu.h"

#define RNG_MAX_REQ (64u * 1024u)

struct rng {
	uint64_t requests;
	uint64_t bytes;
	uint64_t failures;   /* getrandom() errors: request completed empty */
};

/* priv of the vu_dev must point at a struct rng */
extern const struct vu_dev_ops rng_ops;

#endif
