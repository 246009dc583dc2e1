/*
 * test_vcpu: the parts of vmm/vcpu.c that need no KVM: the halt detector's
 * state machine (all vCPUs halted with IF=0 at two checks in a row -> exit
 * status 2, anything else resets it), the coalesced-write ring replay
 * (order, sizes, a corrupt index), and the topology widths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/vcpu.h"

static struct vcpus *fake_vcpus(int n, struct vm *vm, struct inout *io)
{
	struct vcpus *vs = calloc(1, sizeof(*vs));
	int i;

	assert_non_null(vs);
	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = vm->mem_fd = vm->stop_efd = -1;
	vm->stop_code = -1;
	vs->vm = vm;
	vs->io = io;
	vs->n = n;
	for (i = 0; i < n; i++) {
		vs->v[i].id = i;
		vs->v[i].all = vs;	/* not started: kicks are no-ops */
	}
	pthread_mutex_init(&vs->ring_lock, NULL);
	return vs;
}

/* What each vCPU thread would answer to the current round. */
static void answer(struct vcpus *vs, const bool *halted)
{
	for (int i = 0; i < vs->n; i++) {
		vs->v[i].halted = halted[i];
		vs->v[i].halt_seen = vs->v[i].halt_seq;
	}
}

static void test_halt_detector(void **state)
{
	const bool both[2] = { true, true }, one[2] = { true, false };
	struct vm vm;
	struct vcpus *vs = fake_vcpus(2, &vm, NULL);

	(void)state;
	vcpus_halt_check(vs);			/* round 1 asked */
	assert_int_equal(vs->v[0].halt_seq, 1);
	answer(vs, both);
	vcpus_halt_check(vs);			/* 1st all-halted round */
	assert_int_equal(vm_stop_code(&vm), -1);
	answer(vs, one);
	vcpus_halt_check(vs);			/* broken streak */
	assert_int_equal(vs->halt_streak, 0);
	answer(vs, both);
	vcpus_halt_check(vs);
	assert_int_equal(vm_stop_code(&vm), -1);
	/* a vCPU that did not answer in time does not count as halted */
	vcpus_halt_check(vs);
	assert_int_equal(vm_stop_code(&vm), -1);
	answer(vs, both);
	vcpus_halt_check(vs);
	answer(vs, both);
	vcpus_halt_check(vs);
	assert_int_equal(vm_stop_code(&vm), VM_EXIT_HALT);
	pthread_mutex_destroy(&vs->ring_lock);
	free(vs);
}

static uint32_t seen[8];
static int nseen;

static int rec_port(void *arg, uint16_t port, int bytes, bool in,
    uint32_t *val)
{
	(void)arg;
	(void)bytes;
	assert_false(in);
	if (nseen < 8)
		seen[nseen++] = (uint32_t)port << 16 ^ *val;
	return 0;
}

static void test_ring_replay(void **state)
{
	struct vm vm;
	struct inout io;
	struct vcpus *vs;
	struct kvm_coalesced_mmio_ring *ring = calloc(1, 4096);
	uint32_t max = (4096 - sizeof(*ring)) / sizeof(ring->coalesced_mmio[0]);
	uint32_t v;

	(void)state;
	assert_non_null(ring);
	inout_init(&io, false);
	assert_int_equal(inout_register(&io, 0xcf8, 4, rec_port, NULL, "t"), 0);
	vs = fake_vcpus(1, &vm, &io);
	vs->ring = ring;
	nseen = 0;

	/* an empty ring replays nothing */
	vcpus_drain_coalesced(vs);
	assert_int_equal(nseen, 0);

	/* three writes, wrapping around the end of the ring, in order; one
	 * with a bogus length is dropped */
	ring->first = ring->last = max - 1;
	v = 0x80001800;
	ring->coalesced_mmio[max - 1] = (struct kvm_coalesced_mmio){
		.phys_addr = 0xcf8, .len = 4, .pio = 1 };
	memcpy(ring->coalesced_mmio[max - 1].data, &v, 4);
	ring->coalesced_mmio[0] = (struct kvm_coalesced_mmio){
		.phys_addr = 0xcf8, .len = 3, .pio = 1 };
	ring->coalesced_mmio[1] = (struct kvm_coalesced_mmio){
		.phys_addr = 0xcf9, .len = 1, .pio = 1, .data = { 6 } };
	ring->last = 2;
	vcpus_drain_coalesced(vs);
	assert_int_equal(nseen, 2);
	assert_int_equal(seen[0], (0xcf8U << 16) ^ 0x80001800U);
	assert_int_equal(seen[1], (0xcf9U << 16) ^ 6U);
	assert_int_equal(ring->first, 2);

	/* a corrupt index stops the replay instead of reading past the page */
	ring->first = max + 5;
	ring->last = 0;
	vcpus_drain_coalesced(vs);
	assert_int_equal(nseen, 2);

	pthread_mutex_destroy(&vs->ring_lock);
	free(vs);
	free(ring);
	inout_fini(&io);
}

static void test_order(void **state)
{
	(void)state;
	assert_int_equal(vcpu_order(1), 0);
	assert_int_equal(vcpu_order(2), 1);
	assert_int_equal(vcpu_order(3), 2);
	assert_int_equal(vcpu_order(4), 2);
	assert_int_equal(vcpu_order(5), 3);
	assert_int_equal(vcpu_order(255), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_halt_detector),
		cmocka_unit_test(test_ring_replay),
		cmocka_unit_test(test_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
