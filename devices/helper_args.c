/*
 * helper_args: numbers on a device helper's command line (see the header).
 * Parses only; the caller decides what a bad argument costs.
 */
#include "devices/helper_args.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

int helper_arg_num(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0')
		return -EINVAL;
	if (errno != 0 || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int helper_arg_fd(const char *s, int *fd)
{
	long v;
	int rc = helper_arg_num(s, 3, INT_MAX, &v);

	if (rc == 0)
		*fd = (int)v;
	return rc;
}
