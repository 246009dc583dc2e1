/*
 * test_helper_args: the device helpers' number parser (devices/
 * helper_args.c), from strings: what strtol accepts stays accepted, what
 * the helpers always refused (trailing text, empty, out of range, fds 0..2)
 * stays refused, and a refusal leaves the output alone.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "devices/helper_args.h"

static void
test_num(void **state)
{
	long v = 0;

	(void)state;
	assert_int_equal(helper_arg_num("1", 1, 10, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(helper_arg_num("10", 1, 10, &v), 0);
	assert_int_equal(v, 10);
	/* strtol's own leniency, kept: leading blanks, a sign */
	assert_int_equal(helper_arg_num(" 7", 1, 10, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(helper_arg_num("+8", 1, 10, &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(helper_arg_num("4294967295", 4096, UINT32_MAX, &v), 0);
	assert_int_equal(v, UINT32_MAX);

	v = 42;
	assert_int_equal(helper_arg_num("0", 1, 10, &v), -ERANGE);
	assert_int_equal(helper_arg_num("11", 1, 10, &v), -ERANGE);
	assert_int_equal(helper_arg_num("-1", 1, 10, &v), -ERANGE);
	assert_int_equal(helper_arg_num("4294967296", 4096, UINT32_MAX, &v),
	    -ERANGE);
	assert_int_equal(helper_arg_num("99999999999999999999", 0, LONG_MAX,
	    &v), -ERANGE);
	assert_int_equal(helper_arg_num("", 0, 10, &v), -EINVAL);
	assert_int_equal(helper_arg_num(" ", 0, 10, &v), -EINVAL);
	assert_int_equal(helper_arg_num("x", 0, 10, &v), -EINVAL);
	assert_int_equal(helper_arg_num("5x", 0, 10, &v), -EINVAL);
	assert_int_equal(helper_arg_num("5 ", 0, 10, &v), -EINVAL);
	assert_int_equal(helper_arg_num("0x5", 0, 10, &v), -EINVAL);
	assert_int_equal(v, 42);
}

static void
test_fd(void **state)
{
	int fd = -1;

	(void)state;
	assert_int_equal(helper_arg_fd("3", &fd), 0);
	assert_int_equal(fd, 3);
	assert_int_equal(helper_arg_fd("2147483647", &fd), 0);
	assert_int_equal(fd, INT_MAX);

	fd = -1;
	assert_int_equal(helper_arg_fd("0", &fd), -ERANGE);
	assert_int_equal(helper_arg_fd("2", &fd), -ERANGE);
	assert_int_equal(helper_arg_fd("2147483648", &fd), -ERANGE);
	assert_int_equal(helper_arg_fd("-4", &fd), -ERANGE);
	assert_int_equal(helper_arg_fd("3a", &fd), -EINVAL);
	assert_int_equal(helper_arg_fd("", &fd), -EINVAL);
	assert_int_equal(fd, -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_num),
		cmocka_unit_test(test_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
