/*
 * helper_args: the numbers on a device helper's command line (hyve-blk,
 * hyve-net, hyve-rng): inherited fd numbers and bounded counts.
 *
 * Runs before the helper's seccomp policy is installed, on arguments from
 * whoever started the helper (hyve, hyve-jail, an operator); it reports,
 * the helper's main() prints usage and exits 2.  Never prints or exits.
 */
#ifndef HYVE_HELPER_ARGS_H
#define HYVE_HELPER_ARGS_H

/*
 * A decimal number from min to max, as strtol(s, 10) reads it (leading
 * white space and a sign allowed), with nothing after it.  0 and *out set,
 * or -EINVAL (not a number, trailing text, empty) or -ERANGE (outside
 * min..max, or beyond a long); *out is then left alone.
 */
int helper_arg_num(const char *s, long min, long max, long *out);

/* An inherited fd's number: 3 or more (0..2 are stdio), at most INT_MAX. */
int helper_arg_fd(const char *s, int *fd);

#endif
