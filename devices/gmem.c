/*
 * gmem.c - guest memory map: guest-physical ranges to host pointers.
 *
 * All arithmetic is done as "offset inside region" so that no sum of two
 * guest-controlled values can wrap. Must never hand out a pointer for a
 * range that is not entirely inside one region.
 */
#include "devices/gmem.h"

#include <errno.h>
#include <string.h>

void gmem_init(struct gmem *m)
{
	memset(m, 0, sizeof(*m));
}

/* [a, a+alen) and [b, b+blen) intersect; both known not to wrap. */
static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int gmem_add(struct gmem *m, uint64_t gpa, uint64_t size, void *host,
	     uint64_t uaddr)
{
	uintptr_t h = (uintptr_t)host;
	unsigned int i;

	if (size == 0 || host == NULL)
		return -EINVAL;
	if (gpa + size < gpa || uaddr + size < uaddr)
		return -EINVAL;
	if (size > UINTPTR_MAX || h + (uintptr_t)size < h)
		return -EINVAL;
	if (m->nregions >= GMEM_MAX_REGIONS)
		return -ENOSPC;
	for (i = 0; i < m->nregions; i++) {
		const struct gmem_region *r = &m->r[i];

		if (ranges_overlap(gpa, size, r->gpa, r->size))
			return -EINVAL;
		/* uaddr 0 means "no user address": only checked when used */
		if (uaddr && r->uaddr &&
		    ranges_overlap(uaddr, size, r->uaddr, r->size))
			return -EINVAL;
	}
	m->r[m->nregions++] = (struct gmem_region){
		.gpa = gpa, .size = size, .host = host, .uaddr = uaddr,
	};
	return 0;
}

/* true when [addr, addr+len) is inside [base, base+size); *off = addr-base */
static bool inside(uint64_t base, uint64_t size, uint64_t addr, uint64_t len,
		   uint64_t *off)
{
	if (addr < base)
		return false;
	*off = addr - base;
	return *off < size && len <= size - *off;
}

void *gmem_translate(const struct gmem *m, uint64_t gpa, uint64_t len)
{
	unsigned int i;
	uint64_t off;

	if (len == 0)
		return NULL;
	for (i = 0; i < m->nregions && i < GMEM_MAX_REGIONS; i++) {
		if (inside(m->r[i].gpa, m->r[i].size, gpa, len, &off))
			return m->r[i].host + off;
	}
	return NULL;
}

int gmem_uaddr_to_gpa(const struct gmem *m, uint64_t uaddr, uint64_t len,
		      uint64_t *gpa)
{
	unsigned int i;
	uint64_t off;

	if (len == 0)
		return -EFAULT;
	for (i = 0; i < m->nregions && i < GMEM_MAX_REGIONS; i++) {
		if (m->r[i].uaddr == 0)
			continue;
		if (inside(m->r[i].uaddr, m->r[i].size, uaddr, len, &off)) {
			*gpa = m->r[i].gpa + off;
			return 0;
		}
	}
	return -EFAULT;
}
