/*
 * inout: the x86 I/O port space, dispatched to emulated devices.
 *
 * Devices register a port range and a handler; a vCPU's KVM_EXIT_IO is
 * looked up here.  Ranges never overlap (registration refuses it).  The
 * guest picks every port and value: an access nobody claims reads as
 * all-ones and a write to it is dropped, unless strict mode (-e) asked for
 * such accesses to stop the VM.  It must never crash on any port or size.
 */
#ifndef HYVE_INOUT_H
#define HYVE_INOUT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* in: *val is to be filled (bytes wide); out: *val holds the value.
 * Return 0, or -errno to report a device failure (the VM stops). */
typedef int inout_fn(void *arg, uint16_t port, int bytes, bool in,
    uint32_t *val);

#define INOUT_MAX	128

struct inout_range {
	uint16_t base;
	uint16_t len;
	inout_fn *fn;
	void *arg;
	const char *name;
};

struct inout {
	pthread_rwlock_t lock;	/* BAR moves race with vCPU dispatch */
	struct inout_range r[INOUT_MAX];
	int n;
	bool strict;		/* -e: unclaimed ports stop the VM */
	unsigned long unhandled;
};

void inout_init(struct inout *io, bool strict);
void inout_fini(struct inout *io);
/* -EEXIST if any port of [base, base+len) is taken, -ENOSPC when full. */
int inout_register(struct inout *io, uint16_t base, uint16_t len,
    inout_fn *fn, void *arg, const char *name);
/* Remove the range that starts at base (exactly as registered). */
int inout_unregister(struct inout *io, uint16_t base);
/* Dispatch one access.  bytes must be 1, 2 or 4 (else -EINVAL).
 * -ENOENT: nobody claims the port and strict mode is on. */
int inout_handle(struct inout *io, uint16_t port, int bytes, bool in,
    uint32_t *val);

#endif
