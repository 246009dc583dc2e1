/*
 * test_ctl_proto: the control-socket wire format: sizes, building, and
 * parsing of hostile messages (short, long, wrong magic/version, lying
 * length, unknown types, wrong payload size, unterminated strings, counts
 * out of range) and the helpers' stats record.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/ctl_proto.h"

static char buf[CTL_MSG_MAX + 64];

static void
test_build_parse_roundtrip(void **state)
{
	struct ctl_hdr h;
	const void *pl;
	struct ctl_info in, out;
	long n;

	(void)state;
	n = ctl_msg_build(buf, sizeof(buf), CTL_REQ_STATS, 77, NULL, 0);
	assert_int_equal(n, 16);
	assert_int_equal(ctl_msg_parse(buf, (size_t)n, &h, &pl), 0);
	assert_int_equal(h.type, CTL_REQ_STATS);
	assert_int_equal(h.seq, 77);
	assert_int_equal(h.len, 0);

	memset(&in, 0, sizeof(in));
	strcpy(in.name, "vm0");
	in.ncpus = 2;
	in.memory = 512ULL << 20;
	n = ctl_msg_build(buf, sizeof(buf), CTL_REQ_INFO | CTL_REPLY, 5, &in,
	    sizeof(in));
	assert_int_equal(n, 16 + (long)sizeof(in));
	assert_int_equal(ctl_msg_parse(buf, (size_t)n, &h, &pl), 0);
	memcpy(&out, pl, sizeof(out));
	assert_string_equal(out.name, "vm0");
	assert_int_equal(out.ncpus, 2);
	assert_true(out.memory == 512ULL << 20);
}

static void
test_build_too_small(void **state)
{
	struct ctl_stats st;

	(void)state;
	memset(&st, 0, sizeof(st));
	assert_int_equal(ctl_msg_build(buf, 15, CTL_REQ_INFO, 0, NULL, 0),
	    -EMSGSIZE);
	assert_int_equal(ctl_msg_build(buf, 100, CTL_REQ_STATS | CTL_REPLY, 0,
	    &st, sizeof(st)), -EMSGSIZE);
	assert_int_equal(ctl_msg_build(buf, sizeof(buf), CTL_REQ_INFO, 0,
	    NULL, 4), -EMSGSIZE);
}

static void
test_parse_hostile(void **state)
{
	struct ctl_hdr h;
	const void *pl = (const void *)1;
	long n;

	(void)state;
	/* Nothing, or less than a header. */
	assert_int_equal(ctl_msg_parse(buf, 0, &h, &pl), -EBADMSG);
	assert_null(pl);
	assert_int_equal(ctl_msg_parse(buf, 15, &h, &pl), -EBADMSG);

	/* Wrong magic. */
	n = ctl_msg_build(buf, sizeof(buf), CTL_REQ_INFO, 1, NULL, 0);
	buf[0] ^= 1;
	assert_int_equal(ctl_msg_parse(buf, (size_t)n, &h, &pl), -EPROTO);
	buf[0] ^= 1;

	/* Other version: the header still comes back for the seq. */
	((struct ctl_hdr *)(void *)buf)->version = CTL_VERSION + 1;
	assert_int_equal(ctl_msg_parse(buf, (size_t)n, &h, &pl),
	    -EPROTONOSUPPORT);
	assert_int_equal(h.seq, 1);
	((struct ctl_hdr *)(void *)buf)->version = CTL_VERSION;

	/* Length field lies: larger, smaller, huge, trailing bytes. */
	((struct ctl_hdr *)(void *)buf)->len = 4;
	assert_int_equal(ctl_msg_parse(buf, (size_t)n, &h, &pl), -EBADMSG);
	((struct ctl_hdr *)(void *)buf)->len = 0xffffffffu;
	assert_int_equal(ctl_msg_parse(buf, (size_t)n, &h, &pl), -EBADMSG);
	((struct ctl_hdr *)(void *)buf)->len = 0;
	assert_int_equal(ctl_msg_parse(buf, (size_t)n + 3, &h, &pl), -EBADMSG);

	/* Unknown types, including 0 and the reply bit on garbage. */
	for (unsigned t = 0; t < 0x10000; t += 0x111) {
		long want = ctl_payload_size(t);

		((struct ctl_hdr *)(void *)buf)->type = (uint16_t)t;
		if (want < 0)
			assert_int_equal(ctl_msg_parse(buf, (size_t)n, &h, &pl),
			    -EOPNOTSUPP);
	}
	((struct ctl_hdr *)(void *)buf)->type = 0;
	assert_int_equal(ctl_msg_parse(buf, (size_t)n, &h, &pl), -EOPNOTSUPP);
	((struct ctl_hdr *)(void *)buf)->type = CTL_REQ_MAX + 1;
	assert_int_equal(ctl_msg_parse(buf, (size_t)n, &h, &pl), -EOPNOTSUPP);

	/* A request with a payload; a reply without its payload. */
	n = ctl_msg_build(buf, sizeof(buf), CTL_REQ_DESTROY, 2, "xxxx", 4);
	assert_int_equal(ctl_msg_parse(buf, (size_t)n, &h, &pl), -EMSGSIZE);
	n = ctl_msg_build(buf, sizeof(buf), CTL_REQ_STATS | CTL_REPLY, 2, NULL,
	    0);
	assert_int_equal(ctl_msg_parse(buf, (size_t)n, &h, &pl), -EMSGSIZE);
	n = ctl_msg_build(buf, sizeof(buf), CTL_REP_ERROR, 2, "e", 1);
	assert_int_equal(ctl_msg_parse(buf, (size_t)n, &h, &pl), -EMSGSIZE);
}

static void
test_payload_sizes(void **state)
{
	(void)state;
	for (unsigned t = CTL_REQ_INFO; t <= CTL_REQ_MAX; t++) {
		assert_int_equal(ctl_payload_size(t), 0);
		assert_true(ctl_payload_size(t | CTL_REPLY) >= 0);
	}
	assert_int_equal(ctl_payload_size(CTL_REQ_INFO | CTL_REPLY),
	    sizeof(struct ctl_info));
	assert_int_equal(ctl_payload_size(CTL_REQ_STATS | CTL_REPLY),
	    sizeof(struct ctl_stats));
	assert_int_equal(ctl_payload_size(CTL_REP_ERROR),
	    sizeof(struct ctl_error));
	assert_int_equal(ctl_payload_size(CTL_REQ_MAX + 1), -1);
	assert_true(CTL_MSG_MAX >= 16 + sizeof(struct ctl_stats));
}

static void
test_sanitize(void **state)
{
	static struct ctl_stats st;
	struct ctl_info in;
	struct ctl_error e;

	(void)state;
	memset(&in, 'A', sizeof(in));
	ctl_info_sanitize(&in);
	assert_int_equal(strlen(in.name), sizeof(in.name) - 1);

	memset(&e, 'B', sizeof(e));
	ctl_error_sanitize(&e);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);

	memset(&st, 0xff, sizeof(st));
	ctl_stats_sanitize(&st);
	assert_int_equal(st.nvcpus, CTL_MAX_VCPUS);
	assert_int_equal(st.ndevs, CTL_MAX_DEVS);
	for (int i = 0; i < CTL_MAX_DEVS; i++) {
		assert_true(strlen(st.devs[i].name) < sizeof(st.devs[i].name));
		assert_true(strlen(st.devs[i].slot) < sizeof(st.devs[i].slot));
		/* unknown flag bits from a newer or hostile peer are dropped */
		assert_int_equal(st.devs[i].flags, CTL_DEV_COUNTERS);
	}
	st.nvcpus = 3;
	st.ndevs = 1;
	ctl_stats_sanitize(&st);
	assert_int_equal(st.nvcpus, 3);
	assert_int_equal(st.ndevs, 1);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(ctl_exit_name(2), "io");
	assert_string_equal(ctl_exit_name(6), "mmio");
	assert_string_equal(ctl_exit_name(CTL_NEXIT - 1), "other");
	assert_null(ctl_exit_name(CTL_NEXIT));
	assert_null(ctl_exit_name(0xffffffffu));
	assert_null(ctl_exit_name(40));
	assert_string_equal(ctl_state_name(CTL_STATE_RUNNING), "running");
	assert_string_equal(ctl_state_name(0), "unknown");
	assert_string_equal(ctl_state_name(0xffffffffu), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_parse_roundtrip),
		cmocka_unit_test(test_build_too_small),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_payload_sizes),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
