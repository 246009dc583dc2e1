/*
 * fuzz_virtq.c - libFuzzer target: arbitrary bytes as guest memory and queue
 * layout, driven through virtq_setup/pop/push/notify and the iov copies.
 *
 * Guest memory is two separately allocated regions that are adjacent in
 * guest-physical space, so ASan catches any access that strays outside a
 * region or across the seam. Built only by `make fuzz` (clang).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/gmem.h"
#include "devices/virtq.h"

#define R0_GPA 0x4000ull
#define R0_SIZE 0x4000ull
#define R1_SIZE 0x1000ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct layout {
	uint16_t qsize;
	uint16_t last_avail;
	uint16_t desc, avail, used;   /* gpa offsets from R0_GPA - 0x1000 */
	uint8_t features;
	uint8_t rounds;
	uint32_t max_bytes;
	uint32_t push_len;
};

static uint8_t scratch[1 << 16];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct layout l;
	struct gmem mem;
	static struct virtq vq;
	static struct virtq_req req;
	uint8_t *r0, *r1;
	uint64_t features = 0;

	if (size < sizeof(l))
		return 0;
	memcpy(&l, data, sizeof(l));
	data += sizeof(l);
	size -= sizeof(l);

	r0 = malloc(R0_SIZE);
	r1 = malloc(R1_SIZE);
	if (!r0 || !r1)
		goto out;
	memset(r0, 0, R0_SIZE);
	memset(r1, 0, R1_SIZE);
	memcpy(r0, data, size < R0_SIZE ? size : R0_SIZE);
	if (size > R0_SIZE)
		memcpy(r1, data + R0_SIZE,
		       size - R0_SIZE < R1_SIZE ? size - R0_SIZE : R1_SIZE);

	gmem_init(&mem);
	gmem_add(&mem, R0_GPA, R0_SIZE, r0, 0);
	gmem_add(&mem, R0_GPA + R0_SIZE, R1_SIZE, r1, 0);

	if (l.features & 1)
		features |= 1ull << VIRTIO_RING_F_EVENT_IDX;
	if (l.features & 2)
		features |= 1ull << VIRTIO_RING_F_INDIRECT_DESC;
	virtq_init(&vq, &mem);
	if (l.features & 4)
		vq.max_bytes = l.max_bytes;
	if (virtq_setup(&vq, l.qsize, R0_GPA - 0x1000 + l.desc,
			R0_GPA - 0x1000 + l.avail, R0_GPA - 0x1000 + l.used,
			features, l.last_avail) < 0)
		goto out;

	for (unsigned int i = 0; i < (l.rounds & 63u) + 1; i++) {
		int rc = virtq_pop(&vq, &req);

		if (rc <= 0)
			break;
		virtq_iov_from(&req, i, scratch, sizeof(scratch));
		virtq_iov_to(&req, l.push_len & 0xff, scratch,
			     (size_t)(l.push_len >> 8) & 0xffff);
		virtq_push(&vq, &req, (uint32_t)(req.in_bytes < l.push_len ?
						  req.in_bytes : l.push_len));
		if (i & 1)
			virtq_should_notify(&vq);
		else if (virtq_enable_notify(&vq))
			virtq_disable_notify(&vq);
	}
out:
	free(r0);
	free(r1);
	return 0;
}
