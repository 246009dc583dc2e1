/*
 * test_jail_cgroup.c - the device filter program and the v1 translations.
 *
 * The BPF program is checked instruction by instruction against what the
 * kernel's cgroup device hook hands it (type, major, minor, access), by
 * running it in a tiny interpreter of the few opcodes it may use: an
 * opcode outside that set fails the test.  Loading it needs root and is
 * done by tests/sandbox/jail_devfilter.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "launcher/jail.h"
#include "launcher/jail_cgroup.h"

/* Run prog on one device access; the verdict (r0). */
static uint64_t
run(const struct bpf_insn *p, int n, uint32_t type, uint32_t access,
    uint32_t major, uint32_t minor)
{
	uint32_t ctx[3] = { (access << 16) | type, major, minor };
	uint64_t r[11] = { 0 };

	for (int pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &p[pc];
		switch (i->code) {
		case BPF_LDX | BPF_W | BPF_MEM:
			assert_int_equal(i->src_reg, BPF_REG_1);
			assert_true(i->off >= 0 && i->off <= 8 && i->off % 4 == 0);
			r[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_X:
			r[i->dst_reg] = r[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = (uint64_t)(int64_t)i->imm;
			break;
		case BPF_ALU64 | BPF_AND | BPF_K:
			r[i->dst_reg] &= (uint64_t)(int64_t)i->imm;
			break;
		case BPF_ALU64 | BPF_RSH | BPF_K:
			r[i->dst_reg] >>= i->imm;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
				pc += i->off;
			assert_true(pc + 1 < n);
			break;
		case BPF_JMP | BPF_EXIT:
			return r[0];
		default:
			fail_msg("unexpected opcode 0x%x at %d", i->code, pc);
		}
	}
	fail_msg("fell off the end");
	return 2;
}

static const struct jail_dev devs[] = {
	{ 'c', 1, 3, JAIL_DEV_READ | JAIL_DEV_WRITE | JAIL_DEV_MKNOD, "null" },
	{ 'c', 10, 232, JAIL_DEV_READ | JAIL_DEV_WRITE, "kvm" },
	{ 'b', 7, 2, JAIL_DEV_READ, "ro disk" },
	{ 'c', 136, 4, JAIL_DEV_READ | JAIL_DEV_WRITE, "pty" },
};
#define NDEVS ((int)(sizeof(devs) / sizeof(devs[0])))

static void
test_bpf_allows_exactly_the_list(void **state)
{
	struct bpf_insn p[64];
	const uint32_t R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE,
	    M = BPF_DEVCG_ACC_MKNOD, C = BPF_DEVCG_DEV_CHAR,
	    B = BPF_DEVCG_DEV_BLOCK;
	int n;

	(void)state;
	n = jail_cgroup_bpf_build(devs, NDEVS, p, 64);
	assert_int_equal(n, 8 + 8 * NDEVS);
	assert_int_equal(run(p, n, C, R | W | M, 1, 3), 1);
	assert_int_equal(run(p, n, C, R | W, 10, 232), 1);
	assert_int_equal(run(p, n, C, M, 10, 232), 0);	/* no mknod */
	assert_int_equal(run(p, n, B, R, 7, 2), 1);
	assert_int_equal(run(p, n, B, W, 7, 2), 0);	/* read-only disk */
	assert_int_equal(run(p, n, B, R | W, 7, 2), 0);
	assert_int_equal(run(p, n, C, R, 7, 2), 0);	/* char, not block */
	assert_int_equal(run(p, n, C, R | W, 136, 4), 1);
	assert_int_equal(run(p, n, C, R, 136, 5), 0);	/* another pty */
	assert_int_equal(run(p, n, C, R, 1, 7), 0);	/* /dev/full */
	assert_int_equal(run(p, n, C, R, 1, 1), 0);	/* /dev/mem */
	assert_int_equal(run(p, n, B, R, 1, 3), 0);
}

static void
test_bpf_empty_list_denies(void **state)
{
	struct bpf_insn p[16];

	(void)state;
	int n = jail_cgroup_bpf_build(devs, 0, p, 16);
	assert_int_equal(n, 8);
	assert_int_equal(run(p, n, BPF_DEVCG_DEV_CHAR, BPF_DEVCG_ACC_READ, 1,
	    3), 0);
}

static void
test_bpf_too_small(void **state)
{
	struct bpf_insn p[16];

	(void)state;
	assert_int_equal(jail_cgroup_bpf_build(devs, NDEVS, p, 16), -E2BIG);
}

static void
test_weight_to_shares(void **state)
{
	(void)state;
	assert_int_equal(jail_cgroup_weight_to_shares(100), 1024);
	assert_int_equal(jail_cgroup_weight_to_shares(50), 512);
	assert_int_equal(jail_cgroup_weight_to_shares(10000), 102400);
	assert_int_equal(jail_cgroup_weight_to_shares(1), 10);
	assert_int_equal(jail_cgroup_weight_to_shares(0), 2);	/* v1 min */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bpf_allows_exactly_the_list),
		cmocka_unit_test(test_bpf_empty_list_denies),
		cmocka_unit_test(test_bpf_too_small),
		cmocka_unit_test(test_weight_to_shares),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
