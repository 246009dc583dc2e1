/*
 * virtq.c - split virtqueues over guest memory, for a hostile guest.
 *
 * Every guest-shared value is loaded once (atomic load or memcpy followed
 * by a compiler barrier), then checked, then used from the local copy, so
 * a guest racing us cannot make a checked value differ from a used one.
 * Must never dereference a guest address that gmem_translate() did not
 * approve for the full length, and never walk more descriptors than the
 * table it walks holds.
 */
#include "devices/virtq.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

/* Stop the compiler from re-reading guest memory instead of our copy. */
#define compiler_barrier() __asm__ __volatile__("" ::: "memory")

static const char *const err_names[VIRTQ_ERR__COUNT] = {
	[VIRTQ_ERR_RING_ALIGN] = "ring-align",
	[VIRTQ_ERR_RING_ADDR] = "ring-addr",
	[VIRTQ_ERR_RING_SIZE] = "ring-size",
	[VIRTQ_ERR_AVAIL_IDX] = "avail-idx",
	[VIRTQ_ERR_HEAD_RANGE] = "head-range",
	[VIRTQ_ERR_NEXT_RANGE] = "next-range",
	[VIRTQ_ERR_CHAIN_LOOP] = "chain-loop",
	[VIRTQ_ERR_BUF_ADDR] = "buf-addr",
	[VIRTQ_ERR_ZERO_LEN] = "zero-len",
	[VIRTQ_ERR_ORDER] = "order",
	[VIRTQ_ERR_TOO_BIG] = "too-big",
	[VIRTQ_ERR_INDIRECT_FEATURE] = "indirect-feature",
	[VIRTQ_ERR_INDIRECT_LEN] = "indirect-len",
	[VIRTQ_ERR_INDIRECT_ADDR] = "indirect-addr",
	[VIRTQ_ERR_INDIRECT_NESTED] = "indirect-nested",
	[VIRTQ_ERR_INDIRECT_NEXT] = "indirect-next",
	[VIRTQ_ERR_INDIRECT_POS] = "indirect-pos",
};

const char *virtq_err_name(enum virtq_err e)
{
	if ((unsigned int)e >= VIRTQ_ERR__COUNT)
		return "unknown";
	return err_names[e];
}

/* Ring fields: alignment was checked at setup, so these are single loads. */
static uint16_t load16(const uint8_t *p)
{
	const uint16_t *q = (const uint16_t *)(const void *)p;

	return le16toh(__atomic_load_n(q, __ATOMIC_RELAXED));
}

static void store16(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)(void *)p, htole16(v), __ATOMIC_RELAXED);
}

static void store32(uint8_t *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)(void *)p, htole32(v), __ATOMIC_RELAXED);
}

static int broken(struct virtq *vq, enum virtq_err why)
{
	vq->needs_reset = true;
	vq->errors[why]++;
	vq->last_err = why;
	return -EIO;
}

void virtq_init(struct virtq *vq, const struct gmem *mem)
{
	memset(vq, 0, sizeof(*vq));
	vq->mem = mem;
	vq->max_bytes = UINT32_MAX;
}

void virtq_reset(struct virtq *vq)
{
	vq->ready = false;
	vq->needs_reset = false;
	vq->desc = vq->avail = vq->used = NULL;
	vq->size = 0;
	vq->last_avail = vq->used_idx = 0;
	vq->signalled_used = 0;
	vq->signalled_valid = false;
	vq->pushed = false;
	vq->inflight = 0;
}

int virtq_setup(struct virtq *vq, uint16_t size, uint64_t desc_gpa,
		uint64_t avail_gpa, uint64_t used_gpa, uint64_t features,
		uint16_t last_avail)
{
	uint8_t *d, *a, *u;
	uint16_t used_idx;

	virtq_reset(vq);
	vq->desc_gpa = desc_gpa;
	vq->avail_gpa = avail_gpa;
	vq->used_gpa = used_gpa;
	vq->event_idx = features & (1ull << VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = features & (1ull << VIRTIO_RING_F_INDIRECT_DESC);

	if (size == 0 || size > VIRTQ_MAX_SIZE || (size & (size - 1)))
		goto bad_size;
	if (desc_gpa % VIRTQ_DESC_ALIGN || avail_gpa % VIRTQ_AVAIL_ALIGN ||
	    used_gpa % VIRTQ_USED_ALIGN)
		goto bad_align;
	d = gmem_translate(vq->mem, desc_gpa, VIRTQ_DESC_BYTES(size));
	a = gmem_translate(vq->mem, avail_gpa, VIRTQ_AVAIL_BYTES(size));
	u = gmem_translate(vq->mem, used_gpa, VIRTQ_USED_BYTES(size));
	if (!d || !a || !u) {
		broken(vq, VIRTQ_ERR_RING_ADDR);
		return -EINVAL;
	}
	/* Host alignment too: the loads and stores below rely on it. */
	if ((uintptr_t)d % VIRTQ_DESC_ALIGN || (uintptr_t)a % VIRTQ_AVAIL_ALIGN ||
	    (uintptr_t)u % VIRTQ_USED_ALIGN)
		goto bad_align;

	used_idx = load16(u + 2);
	/* A driver never has more than `size` buffers outstanding. */
	if ((uint16_t)(last_avail - used_idx) > size) {
		broken(vq, VIRTQ_ERR_AVAIL_IDX);
		return -EINVAL;
	}
	vq->size = size;
	vq->desc = d;
	vq->avail = a;
	vq->used = u;
	vq->last_avail = last_avail;
	vq->used_idx = used_idx;
	vq->ready = true;
	return 0;

bad_size:
	broken(vq, VIRTQ_ERR_RING_SIZE);
	return -EINVAL;
bad_align:
	broken(vq, VIRTQ_ERR_RING_ALIGN);
	return -EINVAL;
}

/* One descriptor, copied out of guest memory once. */
static void read_desc(const uint8_t *table, uint32_t i, struct virtq_desc *d)
{
	memcpy(d, table + (size_t)i * sizeof(*d), sizeof(*d));
	compiler_barrier();
	d->addr = le64toh(d->addr);
	d->len = le32toh(d->len);
	d->flags = le16toh(d->flags);
	d->next = le16toh(d->next);
}

static int walk_chain(struct virtq *vq, uint16_t head, struct virtq_req *req)
{
	const uint8_t *table = vq->desc;
	uint32_t tsize = vq->size, idx = head, count = 0;
	bool in_indirect = false;
	uint64_t total = 0;
	unsigned int n = 0;
	struct virtq_desc d;
	void *p;

	req->head = head;
	req->nout = req->nin = 0;
	req->out_bytes = req->in_bytes = 0;

	for (;;) {
		/* More descriptors than the table holds can only be a loop. */
		if (++count > tsize)
			return broken(vq, VIRTQ_ERR_CHAIN_LOOP);
		read_desc(table, idx, &d);

		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (!vq->indirect)
				return broken(vq, VIRTQ_ERR_INDIRECT_FEATURE);
			if (in_indirect)
				return broken(vq, VIRTQ_ERR_INDIRECT_NESTED);
			if (d.flags & VIRTQ_DESC_F_NEXT)
				return broken(vq, VIRTQ_ERR_INDIRECT_NEXT);
			if (count != 1)
				return broken(vq, VIRTQ_ERR_INDIRECT_POS);
			if (d.len == 0 || d.len % sizeof(struct virtq_desc) ||
			    d.len / sizeof(struct virtq_desc) > VIRTQ_MAX_SIZE)
				return broken(vq, VIRTQ_ERR_INDIRECT_LEN);
			table = gmem_translate(vq->mem, d.addr, d.len);
			if (!table)
				return broken(vq, VIRTQ_ERR_INDIRECT_ADDR);
			tsize = d.len / sizeof(struct virtq_desc);
			in_indirect = true;
			idx = 0;
			count = 0;
			continue;
		}

		if (d.len == 0)
			return broken(vq, VIRTQ_ERR_ZERO_LEN);
		p = gmem_translate(vq->mem, d.addr, d.len);
		if (!p)
			return broken(vq, VIRTQ_ERR_BUF_ADDR);
		if (d.flags & VIRTQ_DESC_F_WRITE) {
			req->nin++;
			req->in_bytes += d.len;
		} else {
			if (req->nin)
				return broken(vq, VIRTQ_ERR_ORDER);
			req->nout++;
			req->out_bytes += d.len;
		}
		total += d.len;
		if (total > vq->max_bytes)
			return broken(vq, VIRTQ_ERR_TOO_BIG);
		/* Unreachable while tables are capped at VIRTQ_MAX_IOV; kept
		 * so that the iov bound never depends on that reasoning. */
		if (n >= VIRTQ_MAX_IOV)
			return broken(vq, VIRTQ_ERR_CHAIN_LOOP);
		req->iov[n].iov_base = p;
		req->iov[n].iov_len = d.len;
		n++;

		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= tsize)
			return broken(vq, VIRTQ_ERR_NEXT_RANGE);
		idx = d.next;
	}
}

int virtq_pop(struct virtq *vq, struct virtq_req *req)
{
	uint16_t avail_idx, head;
	int rc;

	if (vq->needs_reset)
		return -EIO;
	if (!vq->ready)
		return 0;

	avail_idx = le16toh(__atomic_load_n(
		(const uint16_t *)(const void *)(vq->avail + 2), __ATOMIC_ACQUIRE));
	/* The driver cannot have more than `size` buffers outstanding. */
	if ((uint16_t)(avail_idx - vq->used_idx) > vq->size ||
	    (uint16_t)(avail_idx - vq->last_avail) > vq->size)
		return broken(vq, VIRTQ_ERR_AVAIL_IDX);
	if (avail_idx == vq->last_avail)
		return 0;
	/* Ring entries and descriptors are read after the index (acquire). */
	head = load16(vq->avail + 4 + 2u * (vq->last_avail & (vq->size - 1)));
	if (head >= vq->size)
		return broken(vq, VIRTQ_ERR_HEAD_RANGE);
	rc = walk_chain(vq, head, req);
	if (rc < 0)
		return rc;
	vq->last_avail++;
	vq->inflight++;
	if (vq->event_idx) {
		/* avail_event: kick us again once the driver passes this */
		store16(vq->used + 4 + 8u * vq->size, vq->last_avail);
	}
	return 1;
}

int virtq_push(struct virtq *vq, const struct virtq_req *req, uint32_t len)
{
	uint8_t *e;

	if (vq->needs_reset)
		return -EIO;
	if (!vq->ready || vq->inflight == 0 || req->head >= vq->size ||
	    len > req->in_bytes)
		return -EINVAL;
	e = vq->used + 4 + 8u * (vq->used_idx & (vq->size - 1));
	store32(e, req->head);
	store32(e + 4, len);
	vq->used_idx++;
	/* The element must be visible before the index that publishes it. */
	__atomic_store_n((uint16_t *)(void *)(vq->used + 2), htole16(vq->used_idx),
			 __ATOMIC_RELEASE);
	vq->inflight--;
	vq->pushed = true;
	return 0;
}

bool virtq_should_notify(struct virtq *vq)
{
	uint16_t event, old, new;
	bool valid;

	if (!vq->ready || vq->needs_reset || !vq->pushed)
		return false;
	vq->pushed = false;
	/* Our used->idx store must be ordered before reading the driver's
	 * suppression fields, or both sides may decide not to notify. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(load16(vq->avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);

	event = load16(vq->avail + 4 + 2u * vq->size);
	old = vq->signalled_used;
	new = vq->used_idx;
	valid = vq->signalled_valid;
	vq->signalled_used = new;
	vq->signalled_valid = true;
	if (!valid)
		return true;
	/* virtio 1.2 2.7.10: notify when used_event lies in (old, new] */
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

void virtq_disable_notify(struct virtq *vq)
{
	if (!vq->ready || vq->event_idx)
		return;
	store16(vq->used, VIRTQ_USED_F_NO_NOTIFY);
}

bool virtq_enable_notify(struct virtq *vq)
{
	uint16_t avail_idx;

	if (!vq->ready || vq->needs_reset)
		return false;
	if (vq->event_idx)
		store16(vq->used + 4 + 8u * vq->size, vq->last_avail);
	else
		store16(vq->used, 0);
	/* Publish the request before re-reading the driver's index. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail_idx = load16(vq->avail + 2);
	return avail_idx != vq->last_avail;
}

size_t virtq_iov_from(const struct virtq_req *req, uint64_t off, void *dst,
		      size_t len)
{
	uint8_t *out = dst;
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < req->nout && i < VIRTQ_MAX_IOV && done < len; i++) {
		size_t seg = req->iov[i].iov_len, n;

		if (off >= seg) {
			off -= seg;
			continue;
		}
		n = seg - off;
		if (n > len - done)
			n = len - done;
		memcpy(out + done, (const uint8_t *)req->iov[i].iov_base + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t virtq_iov_to(const struct virtq_req *req, uint64_t off,
		    const void *src, size_t len)
{
	const uint8_t *in = src;
	size_t done = 0;
	unsigned int i, end = req->nout + req->nin;

	for (i = req->nout; i < end && i < VIRTQ_MAX_IOV && done < len; i++) {
		size_t seg = req->iov[i].iov_len, n;

		if (off >= seg) {
			off -= seg;
			continue;
		}
		n = seg - off;
		if (n > len - done)
			n = len - done;
		memcpy((uint8_t *)req->iov[i].iov_base + off, in + done, n);
		done += n;
		off = 0;
	}
	return done;
}
