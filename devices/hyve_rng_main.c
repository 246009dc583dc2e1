/*
 * hyve_rng_main.c - hyve-rng: the virtio-rng back end as its own process.
 *
 *   hyve-rng --fd N [--seccomp kill|log]
 *
 * N is an inherited, connected AF_UNIX stream socket (one end of a
 * socketpair made by hyve or hyve-jail); the peer speaks vhost-user as the
 * front end. Guest memory, kick and call eventfds all arrive over it with
 * SCM_RIGHTS, so the helper needs no filesystem at all. It exits 0 when
 * the front end hangs up, 1 on a protocol or system error, 2 on bad usage.
 * Once the socket is checked and every other fd closed, it installs the
 * "hyve-rng" seccomp policy (--seccomp log only logs violations, for
 * operators debugging a policy) before its event loop.
 * This file is the only place that prints or exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/evloop.h"
#include "devices/helper_args.h"
#include "devices/helper_fd.h"
#include "devices/rng.h"
#include "devices/vu.h"
#include "policy/policy.h"

static void usage(void)
{
	fprintf(stderr, "usage: hyve-rng --fd N [--seccomp kill|log]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct evloop loop;
	struct vu_dev dev;
	struct rng rng = { 0 };
	unsigned int pflags = 0;
	int fd, rc;

	if ((argc != 3 && argc != 5) || strcmp(argv[1], "--fd") != 0)
		usage();
	if (argc == 5 && (strcmp(argv[3], "--seccomp") != 0 ||
	    policy_mode_parse(argv[4], &pflags) < 0))
		usage();
	if (helper_arg_fd(argv[2], &fd) < 0)
		usage();
	rc = helper_check_sock(fd);
	if (rc < 0) {
		fprintf(stderr, "hyve-rng: fd %d: %s\n", fd, strerror(-rc));
		return 1;
	}
	/*
	 * Only stdio and the socket stay open: anything else inherited by
	 * mistake is no business of a device helper.
	 */
	helper_close_others(fd, fd);

	/*
	 * The filter goes on before the first byte from the front end is
	 * read: everything after this point handles peer- and guest-controlled
	 * data.  Setting up the epoll instance is the last thing that needs a
	 * call the policy does not allow (epoll_create1).
	 */
	rc = evloop_init(&loop);
	if (rc == 0) {
		rc = policy_load("hyve-rng", pflags);
		if (rc < 0)
			fprintf(stderr, "hyve-rng: seccomp policy: %s\n",
			    strerror(-rc));
	}
	if (rc == 0)
		rc = vu_dev_init(&dev, fd, &rng_ops, &rng);
	if (rc == 0)
		rc = vu_dev_attach(&dev, &loop);
	if (rc == 0)
		rc = evloop_run(&loop, -1);
	if (rc == -ECONNRESET)
		rc = 0;   /* the front end went away: our job is over */
	if (rc < 0)
		fprintf(stderr, "hyve-rng: %s (requests %llu, bytes %llu)\n",
			strerror(-rc), (unsigned long long)rng.requests,
			(unsigned long long)rng.bytes);
	return rc < 0 ? 1 : 0;
}
