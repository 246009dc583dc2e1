/*
 * test_net.c - virtio-net back end end to end over vhost-user: the back end
 * runs on a thread of this process, a memfd is the guest's memory, the
 * rings are built by devices/net_guest.c, and a SOCK_SEQPACKET socketpair
 * stands in for the tap (one datagram per frame, vnet header first, as a
 * tap with IFF_VNET_HDR frames them). Also MAC derivation and parsing, and
 * the real hyve-net refusing an fd that is not a tap.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "devices/evloop.h"
#include "devices/net.h"
#include "devices/net_guest.h"
#include "devices/virtq.h"
#include "devices/vu.h"

#define F(b) (1ull << (b))
#define WAIT_MS 2000
#define RXBUF(i) (NG_DATA + 0x1000u * (i))          /* 4 KiB slots */
#define TXBUF(i) (NG_DATA + 0x200000u + 0x1000u * (i))
#define BIG 0x500000u                                 /* 128 KiB area */

struct be {
	struct evloop loop;
	struct vu_dev dev;
	struct net net;
	pthread_t thread;
	int rc;
	int sock[2];   /* [0] front end, [1] back end */
	int tap[2];    /* [0] back end's "tap", [1] the host side */
};

static struct be be;
static struct ng g;

static void *backend(void *arg)
{
	struct be *b = arg;

	b->rc = evloop_run(&b->loop, -1);
	return NULL;
}

static void start(uint64_t want, uint16_t qsz)
{
	struct net_config cfg = {
		.mac = { 0x58, 0x9c, 0xfc, 1, 2, 3 },
		.mtu = 1500,
		.tap_offload = false,
	};

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				    be.sock), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC |
				    SOCK_NONBLOCK, 0, be.tap), 0);
	cfg.tap_fd = be.tap[0];
	/* the host side blocks, as a writer to a real tap's peer would not
	 * lose frames while the device drains them */
	assert_int_equal(fcntl(be.tap[1], F_SETFL, 0), 0);
	assert_int_equal(net_init(&be.net, &cfg), 0);
	assert_int_equal(evloop_init(&be.loop), 0);
	assert_int_equal(net_attach(&be.net, &be.dev, be.sock[1], &be.loop), 0);
	assert_int_equal(pthread_create(&be.thread, NULL, backend, &be), 0);
	assert_int_equal(ng_open(&g, be.sock[0], want, qsz), 0);
}

/* Hang up, join, and leave the counters in be.net.stats. */
static void stop(void)
{
	close(be.sock[0]);
	pthread_join(be.thread, NULL);
	assert_int_equal(be.rc, -ECONNRESET);
	vu_dev_fini(&be.dev);
	evloop_fini(&be.loop);
	close(be.sock[1]);
	close(be.tap[0]);
	close(be.tap[1]);
	ng_close(&g);
}

/* The host side puts a frame (with its vnet header) on the "tap". */
static void host_send(const struct net_hdr *h, const uint8_t *frame, size_t len)
{
	static uint8_t buf[sizeof(*h) + NET_MAX_FRAME];

	assert_true(len <= NET_MAX_FRAME);
	memcpy(buf, h, sizeof(*h));
	memcpy(buf + sizeof(*h), frame, len);
	assert_int_equal(send(be.tap[1], buf, sizeof(*h) + len, 0),
			 (ssize_t)(sizeof(*h) + len));
}

/* The host side takes one frame off the "tap": its length, or -1. */
static ssize_t host_recv(void *buf, size_t len, int timeout_ms)
{
	struct pollfd p = { .fd = be.tap[1], .events = POLLIN };

	if (poll(&p, 1, timeout_ms) != 1)
		return -1;
	return recv(be.tap[1], buf, len, 0);
}

static void fill(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static const uint64_t MRG = F(VIRTIO_NET_F_MRG_RXBUF) | F(VIRTIO_NET_F_CSUM) |
			    F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_MTU) |
			    F(VIRTIO_NET_F_STATUS);

static void post_rx(unsigned int first, unsigned int n, uint32_t len)
{
	for (unsigned int i = first; i < first + n; i++) {
		struct ng_seg s = { RXBUF(i), len, true };

		ng_post(&g, NET_RXQ, &s, 1);
	}
	assert_int_equal(ng_kick(&g, NET_RXQ), 0);
}

/* ------------------------------------------------------------ tests */

static void test_config(void **state)
{
	uint8_t cfg[NET_CONFIG_SIZE];

	(void)state;
	start(MRG | F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_TSO4), 16);
	/* a "tap" that takes no offloads: the guest ones are not offered */
	assert_false(g.features & F(VIRTIO_NET_F_GUEST_CSUM));
	assert_false(g.features & F(VIRTIO_NET_F_GUEST_TSO4));
	assert_true(g.features & F(VIRTIO_NET_F_MRG_RXBUF));
	assert_int_equal(vu_front_get_config(&g.fe, 0, cfg, sizeof(cfg)), 0);
	assert_memory_equal(cfg, ((uint8_t[]){ 0x58, 0x9c, 0xfc, 1, 2, 3 }), 6);
	assert_int_equal(cfg[6] | cfg[7] << 8, VIRTIO_NET_S_LINK_UP);
	assert_int_equal(cfg[8] | cfg[9] << 8, 1);
	assert_int_equal(cfg[10] | cfg[11] << 8, 1500);
	/* past the end is refused */
	assert_int_equal(vu_front_get_config(&g.fe, 8, cfg, 8), -EIO);
	stop();
}

static void test_rx_mergeable(void **state)
{
	static uint8_t frame[1400];
	struct net_hdr h = { .flags = 0 }, got;
	uint32_t id, len, lens[3];
	uint16_t heads[3];

	(void)state;
	start(MRG, 16);
	post_rx(0, 4, 512);
	fill(frame, sizeof(frame), 1);
	host_send(&h, frame, sizeof(frame));
	/* 12 + 1400 bytes over 512-byte buffers: three of them */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ng_used(&g, NET_RXQ, WAIT_MS, &id, &len), 1);
		heads[i] = (uint16_t)id;
		lens[i] = len;
	}
	assert_int_equal(heads[0], 0);
	assert_int_equal(heads[1], 1);
	assert_int_equal(heads[2], 2);
	assert_int_equal(lens[0], 512);
	assert_int_equal(lens[1], 512);
	assert_int_equal(lens[2], 12 + 1400 - 1024);
	memcpy(&got, ng_ptr(&g, RXBUF(0)), sizeof(got));
	assert_int_equal(got.num_buffers, 3);
	assert_int_equal(got.flags, 0);
	assert_memory_equal(ng_ptr(&g, RXBUF(0)) + 12, frame, 500);
	assert_memory_equal(ng_ptr(&g, RXBUF(1)), frame + 500, 512);
	assert_memory_equal(ng_ptr(&g, RXBUF(2)), frame + 1012, 388);
	assert_int_equal(ng_used(&g, NET_RXQ, 100, &id, &len), 0);

	/* a small frame in one buffer (after more were posted: one 512-byte
	 * buffer left cannot hold a full-MTU frame, so the device waits) */
	post_rx(4, 4, 512);
	host_send(&h, frame, 60);
	assert_int_equal(ng_used(&g, NET_RXQ, WAIT_MS, &id, &len), 1);
	assert_int_equal(id, 3);
	assert_int_equal(len, 72);
	memcpy(&got, ng_ptr(&g, RXBUF(3)), sizeof(got));
	assert_int_equal(got.num_buffers, 1);
	stop();
	assert_int_equal(be.net.stats.rx_packets, 2);
	assert_int_equal(be.net.stats.rx_bytes, 1460);
}

static void test_rx_waits_for_buffers(void **state)
{
	static uint8_t frame[200];
	struct net_hdr h = { 0 };
	uint32_t id, len;

	(void)state;
	start(MRG, 16);
	fill(frame, sizeof(frame), 9);
	/* no receive buffers: the frame waits on the tap */
	host_send(&h, frame, sizeof(frame));
	assert_int_equal(ng_used(&g, NET_RXQ, 200, &id, &len), 0);
	/* too few to hold a full-size frame: still waiting */
	post_rx(0, 1, 1024);
	assert_int_equal(ng_used(&g, NET_RXQ, 200, &id, &len), 0);
	post_rx(1, 1, 1024);
	assert_int_equal(ng_used(&g, NET_RXQ, WAIT_MS, &id, &len), 1);
	assert_int_equal(id, 0);
	assert_int_equal(len, 12 + sizeof(frame));
	assert_memory_equal(ng_ptr(&g, RXBUF(0)) + 12, frame, sizeof(frame));
	stop();
	assert_int_equal(be.net.stats.rx_packets, 1);
}

/* Parked buffers and an empty tap: the helper sleeps, it does not spin. */
static void test_rx_idle_no_spin(void **state)
{
	struct rusage a, b;
	uint32_t id, len;
	long us;

	(void)state;
	start(MRG, 16);
	post_rx(0, 8, 1024);
	assert_int_equal(ng_used(&g, NET_RXQ, 50, &id, &len), 0);
	assert_int_equal(getrusage(RUSAGE_SELF, &a), 0);
	assert_int_equal(ng_used(&g, NET_RXQ, 500, &id, &len), 0);
	assert_int_equal(getrusage(RUSAGE_SELF, &b), 0);
	us = (b.ru_utime.tv_sec - a.ru_utime.tv_sec) * 1000000L +
	     (b.ru_utime.tv_usec - a.ru_utime.tv_usec) +
	     (b.ru_stime.tv_sec - a.ru_stime.tv_sec) * 1000000L +
	     (b.ru_stime.tv_usec - a.ru_stime.tv_usec);
	assert_true(us < 100000);   /* a spinning thread burns ~500000 */
	stop();
}

static void test_rx_not_mergeable(void **state)
{
	static uint8_t frame[1500];
	struct net_hdr h = { .flags = VIRTIO_NET_HDR_F_DATA_VALID }, got;
	uint32_t id, len;
	struct ng_seg s[2] = { { RXBUF(0), 12, true }, { RXBUF(1), 1600, true } };

	(void)state;
	start(F(VIRTIO_NET_F_MAC), 16);
	assert_false(g.features & F(VIRTIO_NET_F_MRG_RXBUF));
	ng_post(&g, NET_RXQ, s, 2);
	assert_int_equal(ng_kick(&g, NET_RXQ), 0);
	fill(frame, sizeof(frame), 3);
	host_send(&h, frame, sizeof(frame));
	assert_int_equal(ng_used(&g, NET_RXQ, WAIT_MS, &id, &len), 1);
	assert_int_equal(len, 12 + sizeof(frame));
	memcpy(&got, ng_ptr(&g, RXBUF(0)), sizeof(got));
	assert_int_equal(got.num_buffers, 1);
	/* DATA_VALID only for a driver with GUEST_CSUM */
	assert_int_equal(got.flags, 0);
	assert_memory_equal(ng_ptr(&g, RXBUF(1)), frame, sizeof(frame));
	stop();
}

static void test_rx_oversize_and_short(void **state)
{
	static uint8_t frame[3000];
	struct net_hdr h = { 0 };
	uint32_t id, len;

	(void)state;
	start(MRG, 16);
	post_rx(0, 4, 512);   /* 2048 bytes: more than a 1518-byte frame */
	fill(frame, sizeof(frame), 5);
	host_send(&h, frame, sizeof(frame));        /* larger than all of it */
	host_send(&h, frame, 5);                    /* shorter than Ethernet */
	/* offloads the guest did not negotiate (GUEST_CSUM, GUEST_TSO4) */
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	host_send(&h, frame, 100);
	h.flags = 0;
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	host_send(&h, frame, 100);
	h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	host_send(&h, frame, 100);                  /* fine */
	assert_int_equal(ng_used(&g, NET_RXQ, WAIT_MS, &id, &len), 1);
	/* the dropped ones did not use up buffers */
	assert_int_equal(id, 0);
	assert_int_equal(len, 112);
	assert_memory_equal(ng_ptr(&g, RXBUF(0)) + 12, frame, 100);
	stop();
	assert_int_equal(be.net.stats.drops[NET_DROP_RX_TRUNC], 1);
	assert_int_equal(be.net.stats.drops[NET_DROP_RX_SHORT], 1);
	assert_int_equal(be.net.stats.drops[NET_DROP_RX_OFFLOAD], 2);
	assert_int_equal(be.net.stats.rx_packets, 1);
}

/* A driver without VERSION_1 or MRG_RXBUF: 10-byte headers both ways. */
static void test_legacy_header(void **state)
{
	static uint8_t frame[100], buf[256];
	struct net_hdr h = { .num_buffers = 0x5555 };
	uint8_t lh[10] = { 0 };
	struct ng_seg rx = { RXBUF(0), 1600, true };
	struct ng_seg tx[2] = { { TXBUF(0), 10, false }, { TXBUF(1), 60, false } };
	uint32_t id, len;

	(void)state;
	start(NG_NO_VERSION_1 | F(VIRTIO_NET_F_MAC), 16);
	assert_false(g.features & F(VIRTIO_F_VERSION_1));
	memset(ng_ptr(&g, RXBUF(0)), 0xee, 16);
	ng_post(&g, NET_RXQ, &rx, 1);
	assert_int_equal(ng_kick(&g, NET_RXQ), 0);
	fill(frame, sizeof(frame), 21);
	host_send(&h, frame, sizeof(frame));
	assert_int_equal(ng_used(&g, NET_RXQ, WAIT_MS, &id, &len), 1);
	assert_int_equal(len, 10 + sizeof(frame));
	assert_memory_equal(ng_ptr(&g, RXBUF(0)), lh, 10);
	assert_memory_equal(ng_ptr(&g, RXBUF(0)) + 10, frame, sizeof(frame));

	memset(ng_ptr(&g, TXBUF(0)), 0, 10);
	fill(ng_ptr(&g, TXBUF(1)), 60, 4);
	ng_post(&g, NET_TXQ, tx, 2);
	assert_int_equal(ng_kick(&g, NET_TXQ), 0);
	assert_int_equal(ng_used(&g, NET_TXQ, WAIT_MS, &id, &len), 1);
	/* the tap always gets the 12-byte header */
	assert_int_equal(host_recv(buf, sizeof(buf), WAIT_MS), 12 + 60);
	assert_memory_equal(buf, ((uint8_t[12]){ 0 }), 12);
	assert_memory_equal(buf + 12, ng_ptr(&g, TXBUF(1)), 60);
	stop();
}

static void test_rx_bad_buffers(void **state)
{
	struct ng_seg readable = { RXBUF(0), 512, false };
	struct ng_seg tiny = { RXBUF(1), 8, true };
	uint32_t id, len;

	(void)state;
	start(MRG, 16);
	ng_post(&g, NET_RXQ, &readable, 1);
	ng_post(&g, NET_RXQ, &tiny, 1);
	assert_int_equal(ng_kick(&g, NET_RXQ), 0);
	/* handed back at once, empty, and the queue keeps working */
	assert_int_equal(ng_used(&g, NET_RXQ, WAIT_MS, &id, &len), 1);
	assert_int_equal(len, 0);
	assert_int_equal(ng_used(&g, NET_RXQ, WAIT_MS, &id, &len), 1);
	assert_int_equal(len, 0);
	stop();
	assert_int_equal(be.net.stats.drops[NET_DROP_RX_BAD_BUF], 2);
	assert_false(vu_dev_needs_reset(&be.dev));
}

static void test_tx_header(void **state)
{
	static uint8_t buf[4096];
	struct net_hdr h = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.csum_start = 34, .csum_offset = 6, .num_buffers = 77,
	}, got;
	uint32_t id, len;
	ssize_t n;

	(void)state;
	start(MRG, 16);
	assert_true(g.features & F(VIRTIO_NET_F_CSUM));
	/* header split over two descriptors, the frame over two more */
	memcpy(ng_ptr(&g, TXBUF(0)), &h, 5);
	memcpy(ng_ptr(&g, TXBUF(1)), (uint8_t *)&h + 5, 7);
	fill(ng_ptr(&g, TXBUF(2)), 100, 11);
	fill(ng_ptr(&g, TXBUF(3)), 60, 13);
	struct ng_seg s[4] = {
		{ TXBUF(0), 5, false }, { TXBUF(1), 7, false },
		{ TXBUF(2), 100, false }, { TXBUF(3), 60, false },
	};
	ng_post(&g, NET_TXQ, s, 4);
	assert_int_equal(ng_kick(&g, NET_TXQ), 0);
	assert_int_equal(ng_used(&g, NET_TXQ, WAIT_MS, &id, &len), 1);
	assert_int_equal(len, 0);
	n = host_recv(buf, sizeof(buf), WAIT_MS);
	assert_int_equal(n, 12 + 160);
	memcpy(&got, buf, sizeof(got));
	assert_int_equal(got.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(got.csum_start, 34);
	assert_int_equal(got.csum_offset, 6);
	assert_int_equal(got.num_buffers, 0);   /* not the guest's 77 */
	assert_memory_equal(buf + 12, ng_ptr(&g, TXBUF(2)), 100);
	assert_memory_equal(buf + 112, ng_ptr(&g, TXBUF(3)), 60);
	stop();
	assert_int_equal(be.net.stats.tx_packets, 1);
	assert_int_equal(be.net.stats.tx_bytes, 160);
}

/* Post one transmit chain of a header h and `frame` bytes; wait for it. */
static void tx_hostile(const struct net_hdr *h, uint32_t hdr_bytes,
		       uint32_t frame)
{
	struct ng_seg s[2] = { { TXBUF(0), hdr_bytes, false },
			       { BIG, frame, false } };
	uint32_t id, len;

	memcpy(ng_ptr(&g, TXBUF(0)), h, sizeof(*h));
	ng_post(&g, NET_TXQ, s, frame ? 2 : 1);
	assert_int_equal(ng_kick(&g, NET_TXQ), 0);
	assert_int_equal(ng_used(&g, NET_TXQ, WAIT_MS, &id, &len), 1);
	assert_int_equal(len, 0);
}

static void test_tx_hostile(void **state)
{
	static uint8_t buf[128];
	struct net_hdr ok = { 0 }, h;

	(void)state;
	/* CSUM yes, HOST_TSO4 no */
	start(MRG, 16);
	assert_false(g.features & F(VIRTIO_NET_F_HOST_TSO4));
	tx_hostile(&ok, 8, 0);                       /* header cut short */
	tx_hostile(&ok, 12, 10);                     /* runt frame */
	tx_hostile(&ok, 12, NET_MAX_FRAME + 1);      /* 64 KiB + headers + 1 */
	h = ok; h.flags = 0x80;                      /* unknown flag */
	tx_hostile(&h, 12, 60);
	h = ok; h.flags = VIRTIO_NET_HDR_F_DATA_VALID;  /* rx-only flag */
	tx_hostile(&h, 12, 60);
	h = ok; h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;  /* csum past the end */
	h.csum_start = 59; h.csum_offset = 0;
	tx_hostile(&h, 12, 60);
	h.csum_start = 0xffff; h.csum_offset = 0xffff;  /* and wrapping */
	tx_hostile(&h, 12, 60);
	h = ok; h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;  /* TSO not negotiated */
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4; h.gso_size = 1000;
	h.csum_start = 34; h.csum_offset = 16; h.hdr_len = 54;
	tx_hostile(&h, 12, 3000);
	h.gso_type = 3;                              /* UDP: never offered */
	tx_hostile(&h, 12, 3000);
	/* none of it reached the tap; a good frame after them does */
	assert_int_equal(host_recv(buf, sizeof(buf), 100), -1);
	tx_hostile(&ok, 12, 60);
	assert_int_equal(host_recv(buf, sizeof(buf), WAIT_MS), 72);
	stop();
	assert_int_equal(be.net.stats.drops[NET_DROP_TX_SHORT], 1);
	assert_int_equal(be.net.stats.drops[NET_DROP_TX_RUNT], 1);
	assert_int_equal(be.net.stats.drops[NET_DROP_TX_OVERSIZE], 1);
	assert_int_equal(be.net.stats.drops[NET_DROP_TX_BAD_HDR], 6);
	assert_int_equal(be.net.stats.tx_packets, 1);
	assert_false(vu_dev_needs_reset(&be.dev));
}

/* Random headers, lengths and splits: every chain comes back, every frame
 * is either sent or dropped with a reason, and the queue stays healthy. */
static void test_tx_random(void **state)
{
	static uint8_t buf[4096];
	uint64_t sum = 0;
	unsigned int sent = 0, seed = 12345;

	(void)state;
	start(MRG | F(VIRTIO_NET_F_HOST_TSO4), 16);
	for (int i = 0; i < 300; i++) {
		uint32_t total = (uint32_t)(rand_r(&seed) % 1600) + 1;
		uint32_t cut = (uint32_t)rand_r(&seed) % total;
		uint8_t *p = ng_ptr(&g, TXBUF(0));
		struct ng_seg s[2] = { { TXBUF(0), cut ? cut : total, false },
				       { TXBUF(0) + cut, total - cut, false } };
		uint32_t id, len;

		for (uint32_t k = 0; k < 12; k++)
			p[k] = (uint8_t)rand_r(&seed);
		if (i % 3 == 0)
			p[0] = p[1] = 0;   /* some plausible: no offload asked */
		ng_post(&g, NET_TXQ, s, cut ? 2 : 1);
		assert_int_equal(ng_kick(&g, NET_TXQ), 0);
		assert_int_equal(ng_used(&g, NET_TXQ, WAIT_MS, &id, &len), 1);
		assert_int_equal(len, 0);
		while (host_recv(buf, sizeof(buf), 0) > 0)
			sent++;
	}
	stop();
	for (int d = 0; d < NET_DROP__COUNT; d++)
		sum += be.net.stats.drops[d];
	assert_int_equal(sum + be.net.stats.tx_packets, 300);
	assert_int_equal(sent, be.net.stats.tx_packets);
	assert_true(be.net.stats.tx_packets > 0);
	assert_true(be.net.stats.drops[NET_DROP_TX_BAD_HDR] > 0);
	assert_false(vu_dev_needs_reset(&be.dev));
}

static void test_tx_tso(void **state)
{
	static uint8_t buf[8192];
	struct net_hdr h = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN,
		.gso_size = 1440, .hdr_len = 74, .csum_start = 54,
		.csum_offset = 16,
	};

	(void)state;
	start(MRG | F(VIRTIO_NET_F_HOST_TSO6) | F(VIRTIO_NET_F_HOST_ECN), 16);
	tx_hostile(&h, 12, 5000);   /* allowed now: it goes through */
	assert_int_equal(host_recv(buf, sizeof(buf), WAIT_MS), 12 + 5000);
	assert_int_equal(buf[1], h.gso_type);
	stop();
	assert_int_equal(be.net.stats.tx_packets, 1);
}

/* Many frames each way, more than one budget's worth. */
static void test_bulk(void **state)
{
	static uint8_t frame[1000], buf[2048];
	struct net_hdr h = { 0 };
	uint32_t id, len;
	unsigned int got = 0;

	(void)state;
	start(MRG, 256);
	for (unsigned int round = 0; round < 8; round++) {
		post_rx(0, 64, 2048);
		for (int i = 0; i < 64; i++) {
			fill(frame, sizeof(frame), (uint8_t)(round + i));
			host_send(&h, frame, sizeof(frame));
		}
		for (int i = 0; i < 64; i++) {
			assert_int_equal(ng_used(&g, NET_RXQ, WAIT_MS, &id, &len), 1);
			assert_int_equal(len, 1012);
			got++;
		}
	}
	for (unsigned int i = 0; i < 600; i++) {
		struct ng_seg s = { TXBUF(i % 128), 12 + 1000, false };

		memset(ng_ptr(&g, TXBUF(i % 128)), 0, 12);
		ng_post(&g, NET_TXQ, &s, 1);
		/* batches small enough for the socket's send buffer */
		if (i % 50 == 49) {
			assert_int_equal(ng_kick(&g, NET_TXQ), 0);
			for (int k = 0; k < 50; k++) {
				assert_int_equal(ng_used(&g, NET_TXQ, WAIT_MS, &id, &len), 1);
				assert_int_equal(host_recv(buf, sizeof(buf), WAIT_MS), 1012);
			}
		}
	}
	stop();
	assert_int_equal(got, 512);
	assert_int_equal(be.net.stats.rx_packets, 512);
	assert_int_equal(be.net.stats.tx_packets, 600);
	assert_int_equal(be.net.stats.tx_bytes, 600000);
}

static void test_mac(void **state)
{
	uint8_t a[6], b[6], c[6];

	(void)state;
	net_default_mac(3, 0, "vm0", a);
	net_default_mac(3, 0, "vm0", b);
	net_default_mac(4, 0, "vm0", c);
	assert_memory_equal(a, b, 6);
	assert_memory_not_equal(a, c, 6);
	assert_memory_equal(a, ((uint8_t[]){ 0x58, 0x9c, 0xfc }), 3);
	/* FNV-1a-64("3-0-vm0") folded, as documented in net.h */
	uint64_t hsh = 0xcbf29ce484222325ull;
	for (const char *p = "3-0-vm0"; *p; p++) {
		hsh ^= (uint8_t)*p;
		hsh *= 0x100000001b3ull;
	}
	hsh ^= hsh >> 32;
	assert_int_equal(a[3], (uint8_t)hsh);
	assert_int_equal(a[4], (uint8_t)(hsh >> 8));
	assert_int_equal(a[5], (uint8_t)(hsh >> 16));

	assert_int_equal(net_parse_mac("58:9C:fc:01:02:ff", a), 0);
	assert_memory_equal(a, ((uint8_t[]){ 0x58, 0x9c, 0xfc, 1, 2, 0xff }), 6);
	assert_int_equal(net_parse_mac("01:00:5e:00:00:01", a), -EINVAL);
	assert_int_equal(net_parse_mac("00:00:00:00:00:00", a), -EINVAL);
	assert_int_equal(net_parse_mac("58:9c:fc:01:02", a), -EINVAL);
	assert_int_equal(net_parse_mac("58:9c:fc:01:02:03:04", a), -EINVAL);
	assert_int_equal(net_parse_mac("58-9c-fc-01-02-03", a), -EINVAL);
	assert_int_equal(net_parse_mac("58:9c:fc:01:02:0g", a), -EINVAL);
	assert_int_equal(net_parse_mac("", a), -EINVAL);
}

/* ------------------------------------------------------------ hyve-net */

static char helper[PATH_MAX];

static int run_helper(const char *a1, const char *a2, const char *a3,
		      const char *a4, int keep1, int keep2)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (keep1 >= 0)
			fcntl(keep1, F_SETFD, 0);
		if (keep2 >= 0)
			fcntl(keep2, F_SETFD, 0);
		execl(helper, "hyve-net", a1, a2, a3, a4, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_helper_refuses(void **state)
{
	int sv[2], tv[2];
	char s[16], t[16];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, tv), 0);
	snprintf(s, sizeof(s), "%d", sv[1]);
	snprintf(t, sizeof(t), "%d", tv[1]);
	assert_int_equal(run_helper("--fd", s, NULL, NULL, -1, -1), 2);
	assert_int_equal(run_helper("--fd", "x", "--tap-fd", t, -1, -1), 2);
	/* a socket is not a tap: refused before anything is served */
	assert_int_equal(run_helper("--fd", s, "--tap-fd", t, sv[1], tv[1]), 1);
	/* the vhost-user fd must be a stream socket */
	assert_int_equal(run_helper("--fd", t, "--tap-fd", s, sv[1], tv[1]), 1);
	close(sv[0]); close(sv[1]); close(tv[0]); close(tv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_rx_mergeable),
		cmocka_unit_test(test_rx_waits_for_buffers),
		cmocka_unit_test(test_rx_idle_no_spin),
		cmocka_unit_test(test_rx_not_mergeable),
		cmocka_unit_test(test_rx_oversize_and_short),
		cmocka_unit_test(test_legacy_header),
		cmocka_unit_test(test_rx_bad_buffers),
		cmocka_unit_test(test_tx_header),
		cmocka_unit_test(test_tx_hostile),
		cmocka_unit_test(test_tx_random),
		cmocka_unit_test(test_tx_tso),
		cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_helper_refuses),
	};
	ssize_t n = readlink("/proc/self/exe", helper, sizeof(helper) - 1);

	if (n <= 0 || (size_t)n > sizeof(helper) - 16)
		return 1;
	helper[n] = 0;
	/* hyve-net sits next to this test binary (build/ or build-san/) */
	snprintf(helper + strlen(dirname(helper)), 16, "/hyve-net");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
