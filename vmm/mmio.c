/*
 * mmio: guest physical address ranges emulated by devices (BARs, ...).
 *
 * Same shape as inout.c: a short array under a read-write lock, handlers
 * called without the lock held (a handler may move a BAR).  Never trusts
 * the address or the size the guest used.
 */
#include "vmm/mmio.h"

#include <errno.h>
#include <string.h>

void mmio_init(struct mmio *m)
{
	memset(m, 0, sizeof(*m));
	pthread_rwlock_init(&m->lock, NULL);
}

void mmio_fini(struct mmio *m)
{
	pthread_rwlock_destroy(&m->lock);
}

int mmio_register(struct mmio *m, uint64_t base, uint64_t len, mmio_fn *fn,
    void *arg, const char *name)
{
	uint64_t end;
	int i, r = 0;

	if (len == 0 || fn == NULL || __builtin_add_overflow(base, len, &end))
		return -EINVAL;
	pthread_rwlock_wrlock(&m->lock);
	for (i = 0; i < m->n; i++) {
		if (base < m->r[i].base + m->r[i].len && m->r[i].base < end) {
			r = -EEXIST;
			goto out;
		}
	}
	if (m->n == MMIO_MAX) {
		r = -ENOSPC;
		goto out;
	}
	m->r[m->n++] = (struct mmio_range){ base, len, fn, arg, name };
out:
	pthread_rwlock_unlock(&m->lock);
	return r;
}

int mmio_unregister(struct mmio *m, uint64_t base)
{
	int i, r = -ENOENT;

	pthread_rwlock_wrlock(&m->lock);
	for (i = 0; i < m->n; i++) {
		if (m->r[i].base == base) {
			m->r[i] = m->r[--m->n];
			r = 0;
			break;
		}
	}
	pthread_rwlock_unlock(&m->lock);
	return r;
}

int mmio_handle(struct mmio *m, uint64_t addr, int bytes, bool write,
    uint64_t *val)
{
	uint64_t end;
	int i;

	if ((bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8) ||
	    __builtin_add_overflow(addr, (uint64_t)bytes, &end))
		return -EINVAL;
	pthread_rwlock_rdlock(&m->lock);
	for (i = 0; i < m->n; i++) {
		const struct mmio_range *e = &m->r[i];

		if (addr >= e->base && end <= e->base + e->len) {
			struct mmio_range c = *e;
			int r;

			pthread_rwlock_unlock(&m->lock);
			if (!write)
				*val = 0;
			r = c.fn(c.arg, addr, bytes, write, val);
			if (!write && bytes < 8)
				*val &= (1ULL << (bytes * 8)) - 1;
			return r;
		}
	}
	pthread_rwlock_unlock(&m->lock);
	__atomic_add_fetch(&m->unhandled, 1, __ATOMIC_RELAXED);
	if (!write)
		*val = bytes == 8 ? ~0ULL : (1ULL << (bytes * 8)) - 1;
	return 0;
}
