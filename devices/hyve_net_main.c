/*
 * hyve_net_main.c - hyve-net: the virtio-net back end as its own process.
 *
 *   hyve-net --fd SOCK --tap-fd TAP [--mac xx:xx:xx:xx:xx:xx] [--mtu N]
 *
 * SOCK is an inherited, connected AF_UNIX stream socket (one end of a
 * socketpair made by hyve or hyve-jail); the peer speaks vhost-user as the
 * front end. TAP is an inherited tap fd that its opener (hyve-jail, or hyve
 * when it runs bare) made with TUNSETIFF IFF_TAP|IFF_NO_PI|IFF_VNET_HDR.
 * The helper opens nothing: guest memory, kick and call eventfds arrive
 * over SOCK with SCM_RIGHTS. Before the seccomp policy it sets the tap's
 * vnet header size (12 bytes), probes which offloads the tap can take,
 * switches them off and makes the fd non-blocking; afterwards only
 * TUNSETOFFLOAD follows the driver's features.
 *
 * --mac: the address in config space (default: 58:9c:fc:00:00:01; hyve
 * passes the one net_default_mac() derives as bhyve does, or the user's).
 * --mtu: advertised with VIRTIO_NET_F_MTU, 68..65535, default 1500.
 * --seccomp log: install the policy in log mode instead of kill (the
 * same option as hyve-blk and hyve-rng; "kill" is the default).
 *
 * Exits 0 when the front end hangs up, 1 on a protocol or system error, 2
 * on bad usage. This file is the only place that prints or exits.
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

#include "devices/evloop.h"
#include "devices/helper_args.h"
#include "devices/helper_fd.h"
#include "devices/net.h"
#include "devices/vu.h"
#include "policy/policy.h"

static void usage(void)
{
	fprintf(stderr, "usage: hyve-net --fd SOCK --tap-fd TAP "
		"[--mac xx:xx:xx:xx:xx:xx] [--mtu N] [--seccomp kill|log]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fd", required_argument, NULL, 'f' },
		{ "tap-fd", required_argument, NULL, 't' },
		{ "mac", required_argument, NULL, 'm' },
		{ "mtu", required_argument, NULL, 'u' },
		{ "seccomp", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	static struct net net;
	static struct vu_dev dev;
	struct net_config cfg = {
		.tap_fd = -1,
		.mac = { 0x58, 0x9c, 0xfc, 0x00, 0x00, 0x01 },
		.mtu = NET_MTU_DEFAULT,
	};
	struct net_stats st;
	struct evloop loop;
	unsigned int pflags = 0;
	int sock = -1, rc, c;
	long v;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (helper_arg_fd(optarg, &sock) < 0)
				usage();
			break;
		case 't':
			if (helper_arg_fd(optarg, &cfg.tap_fd) < 0)
				usage();
			break;
		case 'm':
			if (net_parse_mac(optarg, cfg.mac) < 0) {
				fprintf(stderr, "hyve-net: bad --mac %s (unicast, "
					"not zero, xx:xx:xx:xx:xx:xx)\n", optarg);
				return 2;
			}
			break;
		case 'u':
			if (helper_arg_num(optarg, NET_MTU_MIN, NET_MTU_MAX, &v) < 0)
				usage();
			cfg.mtu = (uint16_t)v;
			break;
		case 'l':
			if (policy_mode_parse(optarg, &pflags) < 0)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc || sock < 0 || cfg.tap_fd < 0 || sock == cfg.tap_fd)
		usage();
	rc = helper_check_sock(sock);
	if (rc < 0) {
		fprintf(stderr, "hyve-net: --fd %d: %s\n", sock, strerror(-rc));
		return 1;
	}
	helper_close_others(sock, cfg.tap_fd);
	/* everything the tap needs that is not a feature of the driver */
	rc = net_tap_prepare(cfg.tap_fd, &cfg.tap_offload);
	if (rc < 0) {
		fprintf(stderr, "hyve-net: --tap-fd %d: %s\n", cfg.tap_fd,
			rc == -EPROTOTYPE ? "not a tap with IFF_NO_PI|IFF_VNET_HDR" :
			strerror(-rc));
		return 1;
	}
	rc = net_init(&net, &cfg);
	if (rc == 0)
		rc = evloop_init(&loop);
	if (rc == 0)
		rc = net_attach(&net, &dev, sock, &loop);
	if (rc < 0) {
		fprintf(stderr, "hyve-net: setup: %s\n", strerror(-rc));
		return 1;
	}
	/* All fds in hand: from here on the helper only serves them. */
	rc = policy_load("hyve-net", pflags);
	if (rc < 0) {
		fprintf(stderr, "hyve-net: seccomp policy: %s\n", strerror(-rc));
		return 1;
	}
	rc = evloop_run(&loop, -1);
	if (rc == -ECONNRESET)
		rc = 0;   /* the front end went away: our job is over */
	net_get_stats(&net, &st);
	if (rc < 0)
		fprintf(stderr, "hyve-net: %s (rx %llu packets, tx %llu packets)\n",
			strerror(-rc), (unsigned long long)st.rx_packets,
			(unsigned long long)st.tx_packets);
	return rc < 0 ? 1 : 0;
}
