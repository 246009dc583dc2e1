/*
 * hyve_blk_main.c - hyve-blk: the virtio-blk back end as its own process.
 *
 *   hyve-blk --fd N --disk-fd M [--ro] [--sectorsize L[/P]] [--serial S]
 *            [--seg-max N] [--size-max BYTES] [--seccomp kill|log]
 *
 * N is an inherited, connected AF_UNIX stream socket (one end of a
 * socketpair made by hyve or hyve-jail, or a connection to QEMU's
 * vhost-user-blk chardev); the peer speaks vhost-user as the front end.
 * M is the disk, already open: a raw image file or a block device, opened
 * O_RDONLY for --ro (which must then be given), with O_DIRECT for bhyve's
 * `nocache` and O_SYNC for `direct`. The helper never opens anything:
 * guest memory and eventfds arrive over the socket with SCM_RIGHTS.
 * Every other inherited fd is closed, then the seccomp policy "hyve-blk"
 * is loaded (--seccomp log only logs violations) before the event loop.
 *
 * Exit status: 0 when the front end hangs up, 1 on a protocol or system
 * error, 2 on bad usage. This file is the only place that prints or exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/blk.h"
#include "devices/evloop.h"
#include "devices/helper_args.h"
#include "devices/helper_fd.h"
#include "devices/vu.h"
#include "policy/policy.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: hyve-blk --fd N --disk-fd M [--ro] [--sectorsize L[/P]]\n"
		"                [--serial S] [--seg-max N] [--size-max BYTES]\n"
		"                [--seccomp kill|log]\n");
	exit(2);
}

static const char *blk_init_why(int rc)
{
	switch (rc) {
	case -EBADF: return "access mode does not match --ro (ro wants O_RDONLY)";
	case -ENODEV: return "neither a regular file nor a block device";
	case -EINVAL: return "bad geometry, or smaller than one logical block";
	case -ENOTBLK: return "O_DIRECT (nocache) needs a bigger --sectorsize here";
	default: return strerror(-rc);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fd", required_argument, NULL, 'f' },
		{ "disk-fd", required_argument, NULL, 'd' },
		{ "ro", no_argument, NULL, 'r' },
		{ "sectorsize", required_argument, NULL, 's' },
		{ "serial", required_argument, NULL, 'i' },
		{ "seg-max", required_argument, NULL, 'g' },
		{ "size-max", required_argument, NULL, 'z' },
		{ "seccomp", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	static struct blk blk;
	struct blk_conf conf;
	struct blk_stats st;
	struct evloop loop;
	struct vu_dev dev;
	unsigned int pflags = 0;
	int sock = -1, c, rc;
	long v;

	blk_conf_default(&conf);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (helper_arg_fd(optarg, &sock) < 0)
				usage();
			break;
		case 'd':
			if (helper_arg_fd(optarg, &conf.fd) < 0)
				usage();
			break;
		case 'r':
			conf.ro = true;
			break;
		case 's':
			if (blk_parse_sectorsize(optarg, &conf.lsize, &conf.psize) < 0)
				usage();
			break;
		case 'i':
			/* GET_ID has 20 bytes; a longer serial would be cut silently */
			if (strlen(optarg) > BLK_ID_BYTES)
				usage();
			for (const char *p = optarg; *p; p++)
				if (*p < 0x20 || *p > 0x7e)
					usage();   /* printable, as hyve.conf(5) says */
			memset(conf.serial, 0, sizeof(conf.serial));
			memcpy(conf.serial, optarg, strlen(optarg));
			break;
		case 'g':
			if (helper_arg_num(optarg, 1, BLK_SEG_MAX_LIMIT, &v) < 0)
				usage();
			conf.seg_max = (uint32_t)v;
			break;
		case 'z':
			if (helper_arg_num(optarg, 4096, UINT32_MAX, &v) < 0)
				usage();
			conf.size_max = (uint32_t)v;
			break;
		case 'p':
			if (policy_mode_parse(optarg, &pflags) < 0)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc || sock < 0 || conf.fd < 0 || sock == conf.fd)
		usage();
	rc = helper_check_sock(sock);
	if (rc < 0) {
		fprintf(stderr, "hyve-blk: fd %d: %s\n", sock, strerror(-rc));
		return 1;
	}
	/* only stdio, the socket and the disk stay: nothing else is ours */
	helper_close_others(sock, conf.fd);

	rc = blk_init(&blk, &conf);
	if (rc < 0) {
		fprintf(stderr, "hyve-blk: disk fd %d: %s\n", conf.fd, blk_init_why(rc));
		return 1;
	}
	rc = evloop_init(&loop);
	if (rc == 0)
		rc = vu_dev_init(&dev, sock, blk_ops(&blk), &blk);
	if (rc == 0)
		rc = vu_dev_attach(&dev, &loop);
	if (rc < 0) {
		fprintf(stderr, "hyve-blk: setup: %s\n", strerror(-rc));
		return 1;
	}
	/*
	 * Every fd is in hand (the epoll fd too): from here on the helper only
	 * reads, writes and syncs what it has. Once, just before the loop.
	 */
	rc = policy_load("hyve-blk", pflags);
	if (rc < 0) {
		fprintf(stderr, "hyve-blk: seccomp policy: %s\n", strerror(-rc));
		return 1;
	}
	rc = evloop_run(&loop, -1);
	if (rc == -ECONNRESET)
		rc = 0;   /* the front end went away: our job is over */
	blk_stats_get(&blk, &st);
	if (rc < 0)
		fprintf(stderr, "hyve-blk: %s (read %llu, written %llu bytes, "
			"%llu errors)\n", strerror(-rc),
			(unsigned long long)st.bytes_read,
			(unsigned long long)st.bytes_written,
			(unsigned long long)st.ioerr);
	return rc < 0 ? 1 : 0;
}
