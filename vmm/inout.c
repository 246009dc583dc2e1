/*
 * inout: the x86 I/O port space, dispatched to emulated devices.
 *
 * A small array of non-overlapping ranges under a read-write lock: lookups
 * from vCPU threads share it, a guest moving an I/O BAR takes it for write.
 * The array is tiny (tens of entries), so a linear scan costs nothing
 * next to the exit that brought us here.  Never trusts port or size.
 */
#include "vmm/inout.h"

#include <errno.h>
#include <string.h>

void inout_init(struct inout *io, bool strict)
{
	memset(io, 0, sizeof(*io));
	pthread_rwlock_init(&io->lock, NULL);
	io->strict = strict;
}

void inout_fini(struct inout *io)
{
	pthread_rwlock_destroy(&io->lock);
}

int inout_register(struct inout *io, uint16_t base, uint16_t len,
    inout_fn *fn, void *arg, const char *name)
{
	uint32_t end = (uint32_t)base + len;
	int i, r = 0;

	if (len == 0 || end > 0x10000 || fn == NULL)
		return -EINVAL;
	pthread_rwlock_wrlock(&io->lock);
	for (i = 0; i < io->n; i++) {
		uint32_t b = io->r[i].base, e = b + io->r[i].len;

		if (base < e && b < end) {
			r = -EEXIST;
			goto out;
		}
	}
	if (io->n == INOUT_MAX) {
		r = -ENOSPC;
		goto out;
	}
	io->r[io->n++] = (struct inout_range){ base, len, fn, arg, name };
out:
	pthread_rwlock_unlock(&io->lock);
	return r;
}

int inout_unregister(struct inout *io, uint16_t base)
{
	int i, r = -ENOENT;

	pthread_rwlock_wrlock(&io->lock);
	for (i = 0; i < io->n; i++) {
		if (io->r[i].base == base) {
			io->r[i] = io->r[--io->n];
			r = 0;
			break;
		}
	}
	pthread_rwlock_unlock(&io->lock);
	return r;
}

int inout_handle(struct inout *io, uint16_t port, int bytes, bool in,
    uint32_t *val)
{
	uint32_t end = (uint32_t)port + (uint32_t)bytes;
	int i, r;

	if (bytes != 1 && bytes != 2 && bytes != 4)
		return -EINVAL;
	pthread_rwlock_rdlock(&io->lock);
	for (i = 0; i < io->n; i++) {
		const struct inout_range *e = &io->r[i];

		/* An access must fall wholly inside one device's range. */
		if (port >= e->base && end <= (uint32_t)e->base + e->len) {
			struct inout_range c = *e;

			/* Call unlocked: a config-space write may move a BAR,
			 * which registers ranges.  Devices live as long as
			 * the VM, so c.arg stays valid. */
			pthread_rwlock_unlock(&io->lock);
			if (in)
				*val = 0;
			r = c.fn(c.arg, port, bytes, in, val);
			if (in && bytes < 4)
				*val &= (1U << (bytes * 8)) - 1;
			return r;
		}
	}
	pthread_rwlock_unlock(&io->lock);
	__atomic_add_fetch(&io->unhandled, 1, __ATOMIC_RELAXED);
	if (io->strict)
		return -ENOENT;
	if (in)
		*val = bytes == 4 ? 0xffffffffU : (1U << (bytes * 8)) - 1;
	return 0;
}
