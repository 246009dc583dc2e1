/*
 * gmem.h - guest memory map: guest-physical ranges to host pointers.
 *
 * Every guest-supplied address a device touches goes through
 * gmem_translate(), which only answers when the WHOLE range [gpa, gpa+len)
 * lies inside one region. This module never maps or unmaps anything: the
 * owner (vu.c for a helper, the VMM for its own RAM) keeps the mappings
 * alive for as long as the table points at them.
 */
#ifndef HYVE_GMEM_H
#define HYVE_GMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Same as vhost-user's baseline memory slot count (VHOST_MEMORY_BASELINE_NREGIONS). */
#define GMEM_MAX_REGIONS 8

struct gmem_region {
	uint64_t gpa;    /* guest physical start */
	uint64_t size;   /* bytes, > 0 */
	uint8_t *host;   /* host address of gpa */
	uint64_t uaddr;  /* front end's user address of gpa (vhost-user), else 0 */
};

struct gmem {
	unsigned int nregions;
	struct gmem_region r[GMEM_MAX_REGIONS];
};

void gmem_init(struct gmem *m);

/*
 * Add a region. Refused (-EINVAL) when empty, when gpa+size, uaddr+size or
 * host+size wraps, when it overlaps an existing region in guest-physical or
 * front-end user space; -ENOSPC when the table is full.
 */
int gmem_add(struct gmem *m, uint64_t gpa, uint64_t size, void *host,
	     uint64_t uaddr);

/*
 * Host pointer for [gpa, gpa+len) when that whole range lies inside one
 * region, else NULL. len == 0 is never valid.
 */
void *gmem_translate(const struct gmem *m, uint64_t gpa, uint64_t len);

/*
 * Guest-physical address of the front end's user address range
 * [uaddr, uaddr+len), which must lie inside one region: 0 or -EFAULT.
 */
int gmem_uaddr_to_gpa(const struct gmem *m, uint64_t uaddr, uint64_t len,
		      uint64_t *gpa);

#endif
