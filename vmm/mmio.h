/*
 * mmio: guest physical address ranges emulated by devices (BARs, ...).
 *
 * A vCPU's KVM_EXIT_MMIO is looked up here.  Ranges never overlap.  The
 * guest picks every address, size and value: an unclaimed access reads as
 * all-ones and a write to it is dropped.  It must never crash on any access.
 */
#ifndef HYVE_MMIO_H
#define HYVE_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* addr is the guest physical address; bytes is 1, 2, 4 or 8. */
typedef int mmio_fn(void *arg, uint64_t addr, int bytes, bool write,
    uint64_t *val);

#define MMIO_MAX	128

struct mmio_range {
	uint64_t base;
	uint64_t len;
	mmio_fn *fn;
	void *arg;
	const char *name;
};

struct mmio {
	pthread_rwlock_t lock;
	struct mmio_range r[MMIO_MAX];
	int n;
	unsigned long unhandled;
};

void mmio_init(struct mmio *m);
void mmio_fini(struct mmio *m);
int mmio_register(struct mmio *m, uint64_t base, uint64_t len, mmio_fn *fn,
    void *arg, const char *name);
int mmio_unregister(struct mmio *m, uint64_t base);
int mmio_handle(struct mmio *m, uint64_t addr, int bytes, bool write,
    uint64_t *val);

#endif
