/*
 * net_front_test.c - net-front-test: a fake guest for hyve-net on a real
 * tap, for tests/sandbox/net_tap.sh. Run it inside a network namespace
 * whose tap NAME (made with `ip tuntap add ... vnet_hdr`) has HOST_IP:
 *
 *   net-front-test --helper PATH --tap NAME --host-ip A --guest-ip B [--mb N]
 *
 * It attaches to the tap, starts PATH (hyve-net) with the tap fd and one
 * end of a socketpair, and plays the guest through net_guest.c's rings in
 * a memfd: an ARP request for HOST_IP must be answered, an ICMP echo
 * request must be echoed, then N MB of UDP go guest -> host (half of them
 * with the checksum left to the host, VIRTIO_NET_HDR_F_NEEDS_CSUM) and N MB
 * host -> guest (through 1 KiB mergeable receive buffers, so each frame
 * spans two), received and checked on a UDP socket of this process bound
 * to HOST_IP. Finally the helper must exit 0 when the front end hangs up:
 * its seccomp policy was in force the whole time. Exit 0 = pass.
 * Test tool only: prints and exits freely, never installed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "devices/net.h"
#include "devices/net_guest.h"
#include "devices/virtq.h"

#define QSZ 256u
#define RXLEN 1024u
#define RXB(i) (NG_DATA + 2048u * (i))
#define TXB(i) (NG_DATA + 0x100000u + 2048u * (i))
#define TXBIG (NG_DATA + 0x300000u)   /* one frame above 2 KiB (GSO) */
#define PAYLOAD 1400u
#define GUEST_PORT 4444
#define HOST_PORT 5555
#define BATCH 64

static const uint8_t guest_mac[6] = { 0x58, 0x9c, 0xfc, 0x00, 0x00, 0x02 };
static uint8_t host_mac[6];
static struct in_addr host_ip, guest_ip;
static struct ng g;
static unsigned int tx_inflight;
static uint64_t rx_frames, rx_multi;   /* frames, frames over > 1 buffer */

static double now(void);
static pid_t helper_pid = -1;

__attribute__((format(printf, 1, 2), noreturn))
static void die(const char *fmt, ...)
{
	va_list ap;
	int st;

	va_start(ap, fmt);
	fputs("net-front-test: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	/* say why, when it is the helper that went away */
	if (helper_pid > 0 && waitpid(helper_pid, &st, WNOHANG) == helper_pid) {
		if (WIFSIGNALED(st))
			fprintf(stderr, "net-front-test: hyve-net was killed by "
				"signal %d%s\n", WTERMSIG(st), WTERMSIG(st) == SIGSYS ?
				" (SIGSYS: a call outside its seccomp policy)" : "");
		else if (WIFEXITED(st))
			fprintf(stderr, "net-front-test: hyve-net exited %d\n",
				WEXITSTATUS(st));
	} else if (helper_pid > 0) {
		kill(helper_pid, SIGKILL);
	}
	exit(1);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ------------------------------------------------------------ rings */

static void rx_post(uint16_t id)
{
	ng_desc(&g, NET_RXQ, id, RXB(id), RXLEN, VIRTQ_DESC_F_WRITE, 0);
	ng_avail(&g, NET_RXQ, id);
}

/* Reap finished transmit chains (waiting when the ring is full). */
static void tx_reap(bool all)
{
	uint32_t id, len;

	while (tx_inflight && (all || tx_inflight >= QSZ)) {
		if (ng_used(&g, NET_TXQ, 3000, &id, &len) != 1)
			die("transmit chain not returned");
		tx_inflight--;
	}
	for (;;) {
		uint8_t *used = ng_ptr(&g, NG_RING(NET_TXQ) + 0x2000);
		uint16_t idx = __atomic_load_n((uint16_t *)(void *)(used + 2),
					       __ATOMIC_ACQUIRE);

		if (idx == g.q[NET_TXQ].used_seen || !tx_inflight)
			break;
		if (ng_used(&g, NET_TXQ, 0, &id, &len) != 1)
			break;
		tx_inflight--;
	}
}

/* Queue a frame with header h (not kicked). */
static void tx_frame(const struct net_hdr *h, const uint8_t *f, size_t len)
{
	uint16_t slot = g.q[NET_TXQ].next_desc;
	uint64_t gpa = TXB(slot);
	struct ng_seg s;

	if (sizeof(*h) + len > 2048) {
		tx_reap(true);   /* the one big slot is free again */
		gpa = TXBIG;
	} else {
		tx_reap(false);
	}
	s = (struct ng_seg){ gpa, (uint32_t)(sizeof(*h) + len), false };
	memcpy(ng_ptr(&g, gpa), h, sizeof(*h));
	memcpy(ng_ptr(&g, gpa) + sizeof(*h), f, len);
	ng_post(&g, NET_TXQ, &s, 1);
	tx_inflight++;
}

static void tx_kick(void)
{
	if (ng_kick(&g, NET_TXQ) < 0)
		die("kick: %s", strerror(errno));
}

/*
 * Next received frame into buf (header stripped): its length, or 0 on
 * timeout. Buffers go back to the ring as soon as they are copied.
 */
static size_t rx_frame(uint8_t *buf, size_t size, int timeout_ms)
{
	struct net_hdr h;
	uint32_t id, len;
	size_t got = 0;
	int rc = ng_used(&g, NET_RXQ, timeout_ms, &id, &len);

	if (rc == 0)
		return 0;
	if (rc < 0 || id >= QSZ || len < sizeof(h) || len > RXLEN)
		die("bad receive completion (id %u len %u)", id, len);
	memcpy(&h, ng_ptr(&g, RXB(id)), sizeof(h));
	if (h.num_buffers == 0 || h.num_buffers > QSZ)
		die("bad num_buffers %u", h.num_buffers);
	for (unsigned int i = 0; i < h.num_buffers; i++) {
		uint32_t off = i == 0 ? sizeof(h) : 0;

		if (i > 0 && ng_used(&g, NET_RXQ, 1000, &id, &len) != 1)
			die("mergeable buffer %u of %u missing", i + 1, h.num_buffers);
		if (id >= QSZ || len > RXLEN || len < off || got + len - off > size)
			die("bad mergeable completion");
		memcpy(buf + got, ng_ptr(&g, RXB(id)) + off, len - off);
		got += len - off;
		rx_post((uint16_t)id);
	}
	if (ng_kick(&g, NET_RXQ) < 0)
		die("kick: %s", strerror(errno));
	rx_frames++;
	if (h.num_buffers > 1)
		rx_multi++;
	return got;
}

/* ------------------------------------------------------------ frames */

static size_t eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, guest_mac, 6);
	put16(f + 12, type);
	return 14;
}

static size_t ipv4(uint8_t *p, uint8_t proto, size_t payload)
{
	static uint16_t ident;

	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, (uint16_t)(20 + payload));
	put16(p + 4, ident++);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, &guest_ip, 4);
	memcpy(p + 16, &host_ip, 4);
	put16(p + 10, ng_csum(p, 20, 0));
	return 20;
}

static void send_arp(uint16_t op, const uint8_t *tha, struct in_addr tip)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct net_hdr h = { 0 };
	uint8_t f[60] = { 0 };
	size_t o = eth(f, op == 1 ? bcast : tha, 0x0806);

	put16(f + o, 1);            /* Ethernet */
	put16(f + o + 2, 0x0800);   /* IPv4 */
	f[o + 4] = 6;
	f[o + 5] = 4;
	put16(f + o + 6, op);
	memcpy(f + o + 8, guest_mac, 6);
	memcpy(f + o + 14, &guest_ip, 4);
	memcpy(f + o + 18, op == 1 ? (const uint8_t[6]){ 0 } : tha, 6);
	memcpy(f + o + 24, &tip, 4);
	tx_frame(&h, f, sizeof(f));
	tx_kick();
}

/* Answer an ARP request for the guest's address; true if f was ARP. */
static bool arp_answer(const uint8_t *f, size_t len)
{
	struct in_addr tip, sip;

	if (len < 42 || get16(f + 12) != 0x0806)
		return false;
	memcpy(&tip, f + 14 + 24, 4);
	memcpy(&sip, f + 14 + 14, 4);
	if (get16(f + 14 + 6) == 1 && tip.s_addr == guest_ip.s_addr)
		send_arp(2, f + 14 + 8, sip);
	return true;
}

/* ------------------------------------------------------------ steps */

static void step_arp(void)
{
	static uint8_t f[70000];
	size_t n;

	send_arp(1, NULL, host_ip);
	for (int tries = 0; tries < 50; tries++) {
		n = rx_frame(f, sizeof(f), 100);
		if (n >= 42 && get16(f + 12) == 0x0806 && get16(f + 20) == 2 &&
		    !memcmp(f + 28, &host_ip, 4) && !memcmp(f, guest_mac, 6)) {
			memcpy(host_mac, f + 22, 6);
			printf("arp: %s is at %02x:%02x:%02x:%02x:%02x:%02x\n",
			       inet_ntoa(host_ip), host_mac[0], host_mac[1],
			       host_mac[2], host_mac[3], host_mac[4], host_mac[5]);
			return;
		}
		if (n)
			arp_answer(f, n);
	}
	die("no ARP reply from %s", inet_ntoa(host_ip));
}

static void step_ping(void)
{
	static uint8_t f[70000];
	struct net_hdr h = { 0 };
	uint8_t p[14 + 20 + 64];
	size_t o = eth(p, host_mac, 0x0800), n;
	uint8_t *icmp = p + o + 20;

	ipv4(p + o, 1, 64);
	memset(icmp, 0, 64);
	icmp[0] = 8;   /* echo request */
	put16(icmp + 4, 0x4856);
	put16(icmp + 6, 1);
	for (int i = 8; i < 64; i++)
		icmp[i] = (uint8_t)i;
	put16(icmp + 2, ng_csum(icmp, 64, 0));
	tx_frame(&h, p, sizeof(p));
	tx_kick();
	for (int tries = 0; tries < 50; tries++) {
		n = rx_frame(f, sizeof(f), 100);
		if (n >= 14 + 20 + 64 && get16(f + 12) == 0x0800 && f[23] == 1 &&
		    f[34] == 0 && get16(f + 38) == 0x4856 && get16(f + 40) == 1 &&
		    !memcmp(f + 42, icmp + 8, 56)) {
			printf("icmp: echo reply from %s\n", inet_ntoa(host_ip));
			return;
		}
		if (n)
			arp_answer(f, n);
	}
	die("no ICMP echo reply from %s", inet_ntoa(host_ip));
}

static int udp_socket(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(HOST_PORT),
				 .sin_addr = host_ip };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), big = 4 << 20;

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("udp socket on %s: %s", inet_ntoa(host_ip), strerror(errno));
	setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	return s;
}

static void fill_payload(uint8_t *p, uint32_t seq)
{
	memcpy(p, &seq, 4);
	for (unsigned int i = 4; i < PAYLOAD; i++)
		p[i] = (uint8_t)(seq + i);
}

static bool check_payload(const uint8_t *p, size_t len, uint32_t *seq)
{
	if (len != PAYLOAD)
		return false;
	memcpy(seq, p, 4);
	for (unsigned int i = 4; i < PAYLOAD; i++)
		if (p[i] != (uint8_t)(*seq + i))
			return false;
	return true;
}

/* guest -> host: UDP, every other frame with the checksum offloaded */
static uint64_t step_tx(int s, unsigned int count)
{
	static uint8_t buf[2048];
	uint64_t bytes = 0;
	unsigned int seq = 0, got = 0;

	while (seq < count) {
		unsigned int batch = count - seq < BATCH ? count - seq : BATCH;

		for (unsigned int i = 0; i < batch; i++, seq++) {
			uint8_t f[14 + 20 + 8 + PAYLOAD];
			size_t o = eth(f, host_mac, 0x0800);
			uint8_t *udp = f + o + 20;
			struct net_hdr h = { 0 };
			uint32_t sum;

			ipv4(f + o, 17, 8 + PAYLOAD);
			put16(udp, GUEST_PORT);
			put16(udp + 2, HOST_PORT);
			put16(udp + 4, 8 + PAYLOAD);
			put16(udp + 6, 0);
			fill_payload(udp + 8, seq);
			/* pseudo header */
			sum = get16(f + o + 12) + get16(f + o + 14) +
			      get16(f + o + 16) + get16(f + o + 18) + 17 +
			      8 + PAYLOAD;
			if (seq & 1) {
				/* the host finishes it: partial sum in place */
				uint16_t c = (uint16_t)~ng_csum(NULL, 0, sum);

				put16(udp + 6, c);
				h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
				h.csum_start = 14 + 20;
				h.csum_offset = 6;
			} else {
				uint16_t c = ng_csum(udp, 8 + PAYLOAD, sum);

				put16(udp + 6, c ? c : 0xffff);
			}
			tx_frame(&h, f, sizeof(f));
		}
		tx_kick();
		tx_reap(true);
		for (unsigned int i = 0; i < batch; i++) {
			struct pollfd p = { .fd = s, .events = POLLIN };
			uint32_t n;
			ssize_t r;

			if (poll(&p, 1, 3000) != 1)
				die("guest->host: %u of %u datagrams arrived", got, count);
			r = recv(s, buf, sizeof(buf), 0);
			if (r < 0 || !check_payload(buf, (size_t)r, &n))
				die("guest->host: bad datagram");
			got++;
			bytes += (uint64_t)r;
		}
	}
	return bytes;
}

/* host -> guest: UDP from the socket, picked up from the receive ring */
static uint64_t step_rx(int s, unsigned int count)
{
	static uint8_t f[70000], p[PAYLOAD];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(GUEST_PORT),
				  .sin_addr = guest_ip };
	uint64_t bytes = 0;
	unsigned int seq = 0, got = 0;

	while (seq < count) {
		unsigned int batch = count - seq < BATCH ? count - seq : BATCH;
		unsigned int want = got + batch;

		for (unsigned int i = 0; i < batch; i++, seq++) {
			fill_payload(p, seq);
			if (sendto(s, p, sizeof(p), 0, (struct sockaddr *)&to,
				   sizeof(to)) != (ssize_t)sizeof(p))
				die("sendto: %s", strerror(errno));
		}
		while (got < want) {
			size_t n = rx_frame(f, sizeof(f), 3000);
			uint32_t sq;

			if (n == 0)
				die("host->guest: %u of %u datagrams arrived", got, count);
			if (arp_answer(f, n))
				continue;
			if (n < 42 || get16(f + 12) != 0x0800 || f[23] != 17 ||
			    get16(f + 36) != GUEST_PORT)
				continue;   /* IPv6 router solicitations and such */
			if (!check_payload(f + 42, n - 42, &sq))
				die("host->guest: bad datagram (%zu bytes)", n);
			got++;
			bytes += n - 42;
		}
	}
	return bytes;
}


/* ------------------------------------------------------------ TCP */

/*
 * Just enough TCP for one in-order stream each way on a lossless link:
 * no retransmission (a stall of 3 s fails the test), no options but MSS,
 * no window scaling. Guest -> host data goes as GSO frames of up to
 * TCP_CHUNK bytes (HOST_TSO4); host -> guest data may arrive as GSO
 * frames of up to 64 KiB (GUEST_TSO4) spread over many 1 KiB buffers.
 */
#define GUEST_TPORT 4445
#define HOST_TPORT 5556
#define TCP_CHUNK 32000u
#define TCP_MSS 1460u
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

static uint32_t snd_nxt, snd_una, rcv_nxt;
static uint32_t snd_wnd = 65535;
static uint64_t tcp_big_frames;    /* received frames above one MSS */

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint8_t stream_byte(uint64_t i)
{
	return (uint8_t)(i % 251);
}

static void tcp_send(uint8_t flags, uint32_t seq, const uint8_t *data,
		     size_t len, bool syn)
{
	static uint8_t f[14 + 20 + 24 + 65536];
	size_t thl = syn ? 24 : 20, o = eth(f, host_mac, 0x0800);
	uint8_t *t = f + o + 20;
	struct net_hdr h = { 0 };
	uint32_t sum;

	ipv4(f + o, 6, thl + len);
	put16(t, GUEST_TPORT);
	put16(t + 2, HOST_TPORT);
	put32(t + 4, seq);
	put32(t + 8, flags & TH_ACK ? rcv_nxt : 0);
	t[12] = (uint8_t)((thl / 4) << 4);
	t[13] = flags;
	put16(t + 14, 65535);
	put16(t + 16, 0);
	put16(t + 18, 0);
	if (syn) {
		t[20] = 2;
		t[21] = 4;
		put16(t + 22, TCP_MSS);
	}
	if (len)
		memcpy(t + thl, data, len);
	/* the host finishes the checksum (and segments) from the pseudo
	 * header sum, as a Linux guest hands them to virtio-net */
	sum = get16(f + o + 12) + get16(f + o + 14) + get16(f + o + 16) +
	      get16(f + o + 18) + 6 + (uint32_t)(thl + len);
	put16(t + 16, (uint16_t)~ng_csum(NULL, 0, sum));
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = 14 + 20;
	h.csum_offset = 16;
	if (len > TCP_MSS) {
		h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		h.gso_size = TCP_MSS;
		h.hdr_len = (uint16_t)(14 + 20 + thl);
	}
	tx_frame(&h, f, o + 20 + thl + len);
	tx_kick();
}

/*
 * Handle one received frame of our connection: ACKs move snd_una, data in
 * order is checked against the stream pattern and acknowledged. Returns the
 * TCP flags, or -1 if the frame was something else.
 */
static int tcp_input(const uint8_t *f, size_t n, uint64_t *rx_bytes)
{
	const uint8_t *ip = f + 14, *t;
	size_t ihl, thl, tot, plen;
	uint32_t seq;

	if (n < 14 + 20 + 20 || get16(f + 12) != 0x0800 || ip[9] != 6)
		return -1;
	ihl = (size_t)(ip[0] & 15) * 4;
	tot = get16(ip + 2);
	if (ihl < 20 || tot > n - 14 || tot < ihl + 20)
		die("tcp: bad IPv4 frame (%zu bytes, total length %zu)", n, tot);
	t = ip + ihl;
	if (get16(t + 2) != GUEST_TPORT)
		return -1;
	thl = (size_t)(t[12] >> 4) * 4;
	if (thl < 20 || ihl + thl > tot)
		die("tcp: bad header");
	if (t[13] & TH_RST)
		die("tcp: the host reset the connection");
	seq = get32(t + 4);
	plen = tot - ihl - thl;
	if (t[13] & TH_ACK) {
		uint32_t ack = get32(t + 8);

		if ((int32_t)(ack - snd_una) > 0 && (int32_t)(ack - snd_nxt) <= 0)
			snd_una = ack;
		snd_wnd = get16(t + 14);
	}
	if (plen && rx_bytes) {
		if (seq == rcv_nxt) {
			for (size_t i = 0; i < plen; i++)
				if (t[thl + i] != stream_byte(*rx_bytes + i))
					die("tcp: host->guest byte %llu wrong",
					    (unsigned long long)(*rx_bytes + i));
			rcv_nxt += (uint32_t)plen;
			*rx_bytes += plen;
			if (plen > TCP_MSS)
				tcp_big_frames++;
		}
		tcp_send(TH_ACK, snd_nxt, NULL, 0, false);
	}
	return t[13];
}

static void step_tcp(unsigned int mb)
{
	static uint8_t f[70000], buf[65536];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(HOST_TPORT),
				 .sin_addr = host_ip };
	uint64_t total = (uint64_t)mb << 20, up = 0, host_got = 0, down = 0,
		 host_sent = 0;
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, cs = -1;
	double t0 = now(), last = now();
	int fl;

	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 1) < 0)
		die("tcp listen: %s", strerror(errno));
	/* handshake */
	snd_una = 1000;
	snd_nxt = snd_una + 1;
	tcp_send(TH_SYN, snd_una, NULL, 0, true);
	for (;;) {
		size_t n = rx_frame(f, sizeof(f), 3000);
		int fl2;

		if (n == 0)
			die("tcp: no SYN-ACK");
		if (arp_answer(f, n))
			continue;
		fl2 = tcp_input(f, n, NULL);
		if (fl2 >= 0 && (fl2 & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) &&
		    snd_una == snd_nxt) {
			rcv_nxt = get32(f + 14 + 20 + 4) + 1;
			break;
		}
	}
	tcp_send(TH_ACK, snd_nxt, NULL, 0, false);
	cs = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (cs < 0)
		die("tcp accept: %s", strerror(errno));
	fl = fcntl(cs, F_GETFL);
	fcntl(cs, F_SETFL, fl | O_NONBLOCK);

	/* both directions at once until each has moved `total` bytes */
	while (host_got < total || down < total) {
		ssize_t r;
		size_t n;

		/* guest -> host: GSO frames as far as the host's window allows */
		while (up < total && (uint64_t)(snd_nxt - snd_una) + TCP_CHUNK <= snd_wnd) {
			uint32_t len = total - up < TCP_CHUNK ? (uint32_t)(total - up) : TCP_CHUNK;

			for (uint32_t i = 0; i < len; i++)
				buf[i] = stream_byte(up + i);
			tcp_send(TH_ACK, snd_nxt, buf, len, false);
			snd_nxt += len;
			up += len;
		}
		/* host side: read what arrived, write what fits */
		while ((r = recv(cs, buf, sizeof(buf), 0)) > 0) {
			for (ssize_t i = 0; i < r; i++)
				if (buf[i] != stream_byte(host_got + (uint64_t)i))
					die("tcp: guest->host byte %llu wrong",
					    (unsigned long long)(host_got + (uint64_t)i));
			host_got += (uint64_t)r;
			last = now();
		}
		if (r == 0)
			die("tcp: host saw the connection end");
		while (host_sent < total) {
			size_t len = total - host_sent < sizeof(buf) ?
				     (size_t)(total - host_sent) : sizeof(buf);

			for (size_t i = 0; i < len; i++)
				buf[i] = stream_byte(host_sent + i);
			r = send(cs, buf, len, MSG_NOSIGNAL);
			if (r <= 0)
				break;
			host_sent += (uint64_t)r;
		}
		/* guest side: take frames, ACK data */
		while ((n = rx_frame(f, sizeof(f), 10)) > 0) {
			uint64_t before = down;

			if (!arp_answer(f, n))
				tcp_input(f, n, &down);
			if (down != before)
				last = now();
		}
		if (now() - last > 3.0)
			die("tcp: stalled (guest->host %llu, host->guest %llu of %llu)",
			    (unsigned long long)host_got, (unsigned long long)down,
			    (unsigned long long)total);
	}
	printf("tcp: %llu bytes each way in %.2fs, %llu host->guest frames "
	       "above one MSS (GSO)\n", (unsigned long long)total, now() - t0,
	       (unsigned long long)tcp_big_frames);
	if (tcp_big_frames == 0)
		die("tcp: no GSO frame reached the guest (GUEST_TSO4)");
	close(cs);
	close(ls);
}

static int attach_tap(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("/dev/net/tun: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		die("TUNSETIFF %s: %s", name, strerror(errno));
	return fd;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "helper", required_argument, NULL, 'h' },
		{ "tap", required_argument, NULL, 't' },
		{ "host-ip", required_argument, NULL, 'H' },
		{ "guest-ip", required_argument, NULL, 'G' },
		{ "mb", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *helper = NULL, *tap = NULL;
	unsigned int mb = 4, count;
	char sarg[16], targ[16];
	int c, sv[2], tapfd, s, st;
	uint64_t up, down;
	double t0;
	pid_t pid;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'h': helper = optarg; break;
		case 't': tap = optarg; break;
		case 'H':
			if (!inet_aton(optarg, &host_ip))
				die("bad --host-ip");
			break;
		case 'G':
			if (!inet_aton(optarg, &guest_ip))
				die("bad --guest-ip");
			break;
		case 'm': mb = (unsigned int)atoi(optarg); break;
		default: die("bad usage");
		}
	}
	if (!helper || !tap || !host_ip.s_addr || !guest_ip.s_addr || mb < 1 ||
	    mb > 1024)
		die("usage: net-front-test --helper PATH --tap NAME --host-ip A "
		    "--guest-ip B [--mb N]");
	count = (mb << 20) / PAYLOAD + 1;

	tapfd = attach_tap(tap);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair: %s", strerror(errno));
	snprintf(sarg, sizeof(sarg), "%d", sv[1]);
	snprintf(targ, sizeof(targ), "%d", tapfd);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		fcntl(sv[1], F_SETFD, 0);
		fcntl(tapfd, F_SETFD, 0);
		execl(helper, "hyve-net", "--fd", sarg, "--tap-fd", targ,
		      "--mac", "58:9c:fc:00:00:02", "--mtu", "1500", (char *)NULL);
		_exit(127);
	}
	helper_pid = pid;
	close(sv[1]);
	close(tapfd);

	if (ng_open(&g, sv[0], (1ull << VIRTIO_NET_F_MRG_RXBUF) |
		    (1ull << VIRTIO_NET_F_CSUM) | (1ull << VIRTIO_NET_F_GUEST_CSUM) |
		    (1ull << VIRTIO_NET_F_HOST_TSO4) | (1ull << VIRTIO_NET_F_GUEST_TSO4) |
		    (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_MTU) |
		    (1ull << VIRTIO_NET_F_STATUS), QSZ) < 0)
		die("vhost-user setup with %s failed", helper);
	printf("features %#llx\n", (unsigned long long)g.features);
	if (!(g.features & (1ull << VIRTIO_NET_F_MRG_RXBUF)) ||
	    !(g.features & (1ull << VIRTIO_NET_F_GUEST_CSUM)) ||
	    !(g.features & (1ull << VIRTIO_NET_F_GUEST_TSO4)) ||
	    !(g.features & (1ull << VIRTIO_NET_F_HOST_TSO4)))
		die("helper did not offer MRG_RXBUF, GUEST_CSUM and TSO4 on a real tap");
	for (uint16_t i = 0; i < QSZ; i++)
		rx_post(i);
	if (ng_kick(&g, NET_RXQ) < 0)
		die("kick: %s", strerror(errno));

	step_arp();
	step_ping();
	s = udp_socket();
	t0 = now();
	up = step_tx(s, count);
	printf("guest->host: %u datagrams, %llu bytes in %.2fs\n", count,
	       (unsigned long long)up, now() - t0);
	t0 = now();
	down = step_rx(s, count);
	printf("host->guest: %u datagrams, %llu bytes in %.2fs (%llu frames, "
	       "%llu over several buffers)\n", count, (unsigned long long)down,
	       now() - t0, (unsigned long long)rx_frames,
	       (unsigned long long)rx_multi);
	if (up < ((uint64_t)mb << 20) || down < ((uint64_t)mb << 20))
		die("moved too little");
	if (rx_multi < count)
		die("mergeable buffers were not used (%llu)",
		    (unsigned long long)rx_multi);
	step_tcp(mb);

	/* hyve goes away: the helper must exit 0, not die of its policy */
	close(sv[0]);
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid: %s", strerror(errno));
	helper_pid = -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("hyve-net ended badly (status %#x%s)", st,
		    WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS ? ", SIGSYS" : "");
	ng_close(&g);
	printf("ok\n");
	return 0;
}
