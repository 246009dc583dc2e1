/*
 * net.c - virtio-net back end over a tap fd: receive (tap -> guest) on
 * queue 0 with or without mergeable buffers, transmit (guest -> tap) on
 * queue 1, checksum/TSO offloads through the virtio-net header, which is
 * also the tap's vnet header (IFF_VNET_HDR, size NET_HDR_LEN).
 *
 * Frames move with one readv()/writev() straight between the tap and the
 * guest's buffers. Only the header goes through a local copy: on transmit
 * the guest could change it after we checked it, so the tap gets our
 * checked copy; on receive we fix it up (num_buffers, flags the guest did
 * not negotiate) before the guest may look at it. Must never open a file,
 * never touch guest memory except through the segments virtq handed out,
 * and never let a packet (however it is built) crash or wedge the helper:
 * bad packets are dropped and counted by reason.
 */
#include "devices/net.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

/* Segments one readv()/writev() takes (the kernel's UIO_MAXIOV). */
#define NET_MAX_IOV 1024u

static const char *const drop_names[NET_DROP__COUNT] = {
	[NET_DROP_TX_SHORT] = "tx-short",
	[NET_DROP_TX_RUNT] = "tx-runt",
	[NET_DROP_TX_OVERSIZE] = "tx-oversize",
	[NET_DROP_TX_BAD_HDR] = "tx-bad-header",
	[NET_DROP_TX_SEGS] = "tx-segments",
	[NET_DROP_TX_TAP] = "tx-tap",
	[NET_DROP_RX_BAD_BUF] = "rx-bad-buffer",
	[NET_DROP_RX_TRUNC] = "rx-truncated",
	[NET_DROP_RX_SHORT] = "rx-short",
	[NET_DROP_RX_OFFLOAD] = "rx-offload",
	[NET_DROP_RX_TAP] = "rx-tap",
};

const char *net_drop_name(enum net_drop d)
{
	if ((unsigned int)d >= NET_DROP__COUNT)
		return "unknown";
	return drop_names[d];
}

static bool has(uint64_t features, unsigned int bit)
{
	return features & (1ull << bit);
}

/* Bytes of header the driver and we agree on (virtio 1.2, 5.1.6). */
static uint32_t guest_hdr_len(uint64_t f)
{
	return has(f, VIRTIO_F_VERSION_1) || has(f, VIRTIO_NET_F_MRG_RXBUF) ?
	       NET_HDR_LEN : NET_HDR_LEGACY_LEN;
}

/* ------------------------------------------------------------ tap */

int net_tap_prepare(int fd, bool *offload)
{
	struct ifreq ifr;
	int sz = NET_HDR_LEN, fl;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return -errno;
	/* hyve-jail (or hyve) made it; anything else would misframe */
	if ((ifr.ifr_flags & (IFF_TAP | IFF_TUN)) != IFF_TAP ||
	    !(ifr.ifr_flags & IFF_NO_PI) || !(ifr.ifr_flags & IFF_VNET_HDR))
		return -EPROTOTYPE;
	/* The header is 12 bytes for every VERSION_1 driver; a legacy one
	 * without MRG_RXBUF is converted here, so this never changes. */
	if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0)
		return -errno;
	*offload = ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM |
			 TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)) == 0;
	/* no offloads until a driver says it can take them */
	if (ioctl(fd, TUNSETOFFLOAD, 0ul) < 0)
		return -errno;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/*
 * What the tap may hand us is what the guest said it can take: checksum
 * offload with GUEST_CSUM, TSO with GUEST_TSO4/6 (which need it).
 */
static void apply_features(struct net *n)
{
	uint64_t f = n->dev->features;
	unsigned long off = 0;

	if (n->applied_valid && n->applied == f)
		return;
	if (has(f, VIRTIO_NET_F_GUEST_CSUM)) {
		off |= TUN_F_CSUM;
		if (has(f, VIRTIO_NET_F_GUEST_TSO4))
			off |= TUN_F_TSO4;
		if (has(f, VIRTIO_NET_F_GUEST_TSO6))
			off |= TUN_F_TSO6;
		if ((off & (TUN_F_TSO4 | TUN_F_TSO6)) &&
		    has(f, VIRTIO_NET_F_GUEST_ECN))
			off |= TUN_F_TSO_ECN;
	}
	n->applied = f;
	n->applied_valid = true;
	n->offload = 0;
	if (!n->cfg.tap_offload)
		return;
	/* On failure the tap keeps finishing checksums and segments itself:
	 * fewer offloads are always safe. */
	if (ioctl(n->cfg.tap_fd, TUNSETOFFLOAD, off) == 0)
		n->offload = off;
}

static int tap_cb(void *arg);

/* Watch the tap only while parked buffers can take a packet. */
static void tap_poll(struct net *n, bool on)
{
	int rc;

	if (on == n->tap_polled || !n->loop)
		return;
	rc = on ? evloop_add(n->loop, n->cfg.tap_fd, tap_cb, n) :
		  evloop_del(n->loop, n->cfg.tap_fd);
	if (rc == 0)
		n->tap_polled = on;
}

/* ------------------------------------------------------------ rx pool */

static struct iovec *pool_seg(struct net_rxpool *p, uint32_t i)
{
	return &p->seg[i % NET_RX_SEG_RING];
}

static struct net_rxbuf *pool_buf(struct net_rxpool *p, unsigned int i)
{
	return &p->buf[(p->first + i) % VIRTQ_MAX_SIZE];
}

static void pool_clear(struct net_rxpool *p)
{
	p->first = p->count = 0;
	p->bytes = 0;
	p->seg_first = p->seg_count = 0;
}

/* Park a popped chain; the caller checked it has 1..NET_RX_SEGS in-segments. */
static void pool_add(struct net_rxpool *p, const struct virtq_req *req)
{
	struct net_rxbuf *b = &p->buf[(p->first + p->count) % VIRTQ_MAX_SIZE];

	b->head = req->head;
	b->nseg = (uint16_t)req->nin;
	b->bytes = (uint32_t)req->in_bytes;
	b->seg = p->seg_first + p->seg_count;
	for (unsigned int i = 0; i < req->nin; i++)
		*pool_seg(p, b->seg + i) = req->iov[req->nout + i];
	p->seg_count += req->nin;
	p->count++;
	p->bytes += b->bytes;
}

static void pool_drop_front(struct net_rxpool *p, unsigned int k)
{
	for (unsigned int i = 0; i < k; i++) {
		struct net_rxbuf *b = pool_buf(p, 0);

		p->bytes -= b->bytes;
		p->seg_first += b->nseg;
		p->seg_count -= b->nseg;
		p->first = (p->first + 1) % VIRTQ_MAX_SIZE;
		p->count--;
	}
	if (p->count == 0)
		pool_clear(p);
}

/* Copy len bytes into buffer b from offset 0 (b holds at least len). */
static void pool_write(struct net_rxpool *p, const struct net_rxbuf *b,
		       const void *src, size_t len)
{
	const uint8_t *s = src;

	for (unsigned int i = 0; i < b->nseg && len; i++) {
		struct iovec *v = pool_seg(p, b->seg + i);
		size_t k = v->iov_len < len ? v->iov_len : len;

		memcpy(v->iov_base, s, k);
		s += k;
		len -= k;
	}
}

/*
 * Append buffer b's segments to iov after skipping `skip` bytes (skip is
 * below b->bytes). Returns false when they do not fit in `room`.
 */
static bool pool_iov(struct net_rxpool *p, const struct net_rxbuf *b,
		     uint32_t skip, struct iovec *iov, unsigned int *cnt,
		     unsigned int room)
{
	unsigned int c = *cnt;

	for (unsigned int i = 0; i < b->nseg; i++) {
		struct iovec v = *pool_seg(p, b->seg + i);

		if (skip >= v.iov_len) {
			skip -= (uint32_t)v.iov_len;
			continue;
		}
		v.iov_base = (uint8_t *)v.iov_base + skip;
		v.iov_len -= skip;
		skip = 0;
		if (c >= room)
			return false;
		iov[c++] = v;
	}
	*cnt = c;
	return true;
}

/* ------------------------------------------------------------ receive */

/* Largest frame the tap may hand us with the offloads in force. */
static uint32_t rx_max_frame(const struct net *n)
{
	if (n->offload & (TUN_F_TSO4 | TUN_F_TSO6))
		return NET_MAX_FRAME;
	return n->cfg.mtu + NET_ETH_HLEN + NET_VLAN_HLEN;
}

/* Take every posted receive buffer into the pool. */
static void rx_fill(struct net *n, struct virtq *vq, uint32_t ghl)
{
	struct virtq_req *req = &n->req;

	while (n->rx.count < VIRTQ_MAX_SIZE && virtq_pop(vq, req) == 1) {
		/* Receive buffers are device-writable only, each big enough
		 * for the header (virtio 1.2, 5.1.6.3.1). */
		if (req->nout || req->nin == 0 || req->nin > NET_RX_SEGS ||
		    req->in_bytes < ghl) {
			n->stats.drops[NET_DROP_RX_BAD_BUF]++;
			virtq_push(vq, req, 0);
			continue;
		}
		pool_add(&n->rx, req);
	}
}

/* Hand k parked buffers holding `len` bytes back to the driver. */
static void rx_complete(struct net *n, struct virtq *vq, unsigned int k,
			uint64_t len)
{
	for (unsigned int i = 0; i < k; i++) {
		const struct net_rxbuf *b = pool_buf(&n->rx, i);
		uint32_t used = len < b->bytes ? (uint32_t)len : b->bytes;

		n->req.head = b->head;
		n->req.in_bytes = b->bytes;
		/* used <= bytes and the chain was popped: cannot fail */
		virtq_push(vq, &n->req, used);
		len -= used;
	}
	pool_drop_front(&n->rx, k);
}

/*
 * Read one packet into parked buffers. 1: one packet handled (delivered or
 * dropped), 0: the tap is empty, -1: stop (tap error).
 */
static int rx_one(struct net *n, struct virtq *vq, uint32_t ghl, bool mrg)
{
	struct net_hdr h;
	uint8_t overflow[1];
	unsigned int cnt = 1, k = 0;
	uint64_t cap = 0, guest_len, left;
	ssize_t r;

	n->iov[0] = (struct iovec){ &h, sizeof(h) };
	/* Without MRG_RXBUF one chain must hold the packet; with it, take
	 * chains until a largest frame fits. The last slot catches any
	 * overflow byte so that a truncated packet is seen as such. */
	while (k < n->rx.count) {
		const struct net_rxbuf *b = pool_buf(&n->rx, k);
		uint32_t skip = k == 0 ? ghl : 0;

		if (!pool_iov(&n->rx, b, skip, n->iov, &cnt, NET_MAX_IOV - 1))
			break;
		cap += b->bytes - skip;
		k++;
		if (!mrg || cap >= rx_max_frame(n))
			break;
	}
	n->iov[cnt++] = (struct iovec){ overflow, sizeof(overflow) };

	do
		r = readv(n->cfg.tap_fd, n->iov, (int)cnt);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		if (errno == EAGAIN)
			return 0;
		n->stats.drops[NET_DROP_RX_TAP]++;
		return -1;
	}
	if ((size_t)r < sizeof(h) + NET_ETH_HLEN) {
		n->stats.drops[NET_DROP_RX_SHORT]++;
		return 1;
	}
	if ((uint64_t)r - sizeof(h) > cap) {
		n->stats.drops[NET_DROP_RX_TRUNC]++;
		return 1;
	}
	/* The tap only offloads what apply_features() allowed; anything else
	 * is a packet the guest did not ask to see. */
	h.flags &= VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID;
	/* DATA_VALID is a hint a driver without GUEST_CSUM must not get; a
	 * missing checksum (NEEDS_CSUM) cannot be hidden: dropped below */
	if (!(n->offload & TUN_F_CSUM))
		h.flags &= (uint8_t)~VIRTIO_NET_HDR_F_DATA_VALID;
	if ((h.gso_type != VIRTIO_NET_HDR_GSO_NONE &&
	     !(n->offload & (TUN_F_TSO4 | TUN_F_TSO6))) ||
	    ((h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && !(n->offload & TUN_F_CSUM))) {
		n->stats.drops[NET_DROP_RX_OFFLOAD]++;
		return 1;
	}
	guest_len = ghl + ((uint64_t)r - sizeof(h));
	/* chains actually used */
	left = guest_len;
	for (k = 0; left; k++) {
		uint32_t b = pool_buf(&n->rx, k)->bytes;

		left -= left < b ? left : b;
	}
	h.num_buffers = htole16(mrg ? (uint16_t)k : 1);
	pool_write(&n->rx, pool_buf(&n->rx, 0), &h, ghl);
	n->stats.rx_packets++;
	n->stats.rx_bytes += (uint64_t)r - sizeof(h);
	rx_complete(n, vq, k, guest_len);
	return 1;
}

static void rx_process(struct net *n, struct virtq *vq)
{
	uint64_t f = n->dev->features;
	uint32_t ghl = guest_hdr_len(f);
	bool mrg = has(f, VIRTIO_NET_F_MRG_RXBUF);

	n->rx_ran = true;
	/* A restarted ring forgot everything we parked (and its memory may
	 * be gone): only our own pops count as in flight on this queue. */
	if (n->rx.count != vq->inflight)
		pool_clear(&n->rx);
	apply_features(n);
	rx_fill(n, vq, ghl);
	if (virtq_needs_reset(vq))
		return;
	for (unsigned int i = 0; i < NET_BUDGET; i++) {
		/* A ring full of our buffers gets no more: use what it has. */
		bool enough = n->rx.count > 0 &&
			      (!mrg || n->rx.bytes - ghl >= rx_max_frame(n) ||
			       n->rx.count >= vq->size);
		int rc;

		if (!enough) {
			/* the driver's next kick brings buffers */
			tap_poll(n, false);
			return;
		}
		rc = rx_one(n, vq, ghl, mrg);
		if (rc == 0) {
			tap_poll(n, true);
			return;
		}
		if (rc < 0) {
			/* a broken tap: retry on the next rx kick, do not spin */
			tap_poll(n, false);
			return;
		}
	}
	/* budget spent with packets left: the loop calls us again */
	tap_poll(n, true);
}

/* ------------------------------------------------------------ transmit */

/* Header checks (virtio 1.2, 5.1.6.2) against the features the driver has. */
static bool tx_hdr_ok(const struct net_hdr *h, uint64_t f, uint32_t frame)
{
	uint8_t gso = h->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

	if (h->flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return false;
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (!has(f, VIRTIO_NET_F_CSUM))
			return false;
		if ((uint32_t)le16toh(h->csum_start) + le16toh(h->csum_offset) +
		    2 > frame)
			return false;
	}
	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return true;
	if (gso == VIRTIO_NET_HDR_GSO_TCPV4 && !has(f, VIRTIO_NET_F_HOST_TSO4))
		return false;
	if (gso == VIRTIO_NET_HDR_GSO_TCPV6 && !has(f, VIRTIO_NET_F_HOST_TSO6))
		return false;
	if (gso != VIRTIO_NET_HDR_GSO_TCPV4 && gso != VIRTIO_NET_HDR_GSO_TCPV6)
		return false;
	if ((h->gso_type & VIRTIO_NET_HDR_GSO_ECN) && !has(f, VIRTIO_NET_F_HOST_ECN))
		return false;
	/* segmentation needs the checksum it recomputes per segment */
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || h->gso_size == 0 ||
	    le16toh(h->hdr_len) > frame)
		return false;
	return true;
}

static void tx_one(struct net *n, const struct virtq_req *req, uint64_t f)
{
	uint32_t ghl = guest_hdr_len(f), skip = ghl;
	struct net_hdr h;
	uint64_t frame;
	unsigned int cnt = 1;
	ssize_t r;

	if (req->out_bytes < ghl) {
		n->stats.drops[NET_DROP_TX_SHORT]++;
		return;
	}
	frame = req->out_bytes - ghl;
	if (frame < NET_ETH_HLEN) {
		n->stats.drops[NET_DROP_TX_RUNT]++;
		return;
	}
	if (frame > NET_MAX_FRAME) {
		n->stats.drops[NET_DROP_TX_OVERSIZE]++;
		return;
	}
	/* one copy of the header, checked, and that copy is what the tap gets */
	memset(&h, 0, sizeof(h));
	virtq_iov_from(req, 0, &h, ghl);
	h.num_buffers = 0;
	if (!tx_hdr_ok(&h, f, (uint32_t)frame)) {
		n->stats.drops[NET_DROP_TX_BAD_HDR]++;
		return;
	}
	n->iov[0] = (struct iovec){ &h, sizeof(h) };
	for (unsigned int i = 0; i < req->nout; i++) {
		struct iovec v = req->iov[i];

		if (skip >= v.iov_len) {
			skip -= (uint32_t)v.iov_len;
			continue;
		}
		v.iov_base = (uint8_t *)v.iov_base + skip;
		v.iov_len -= skip;
		skip = 0;
		if (cnt >= NET_MAX_IOV) {
			n->stats.drops[NET_DROP_TX_SEGS]++;
			return;
		}
		n->iov[cnt++] = v;
	}
	do
		r = writev(n->cfg.tap_fd, n->iov, (int)cnt);
	while (r < 0 && errno == EINTR);
	/* EAGAIN (tap queue full), EINVAL (the kernel refused the header),
	 * EIO (link down): the packet is lost, as on a real wire */
	if (r < 0) {
		n->stats.drops[NET_DROP_TX_TAP]++;
		return;
	}
	n->stats.tx_packets++;
	n->stats.tx_bytes += frame;
}

static void tx_process(struct net *n, struct virtq *vq)
{
	uint64_t f = n->dev->features;

	apply_features(n);
	for (unsigned int i = 0; i < NET_BUDGET; i++) {
		if (virtq_pop(vq, &n->req) != 1)
			return;
		tx_one(n, &n->req, f);
		/* nothing written to a transmit buffer; popped: cannot fail */
		virtq_push(vq, &n->req, 0);
	}
}

/* ------------------------------------------------------------ vu glue */

static void net_process(struct vu_dev *dev, unsigned int q, struct virtq *vq)
{
	struct net *n = dev->priv;

	if (q == NET_RXQ)
		rx_process(n, vq);
	else if (q == NET_TXQ)
		tx_process(n, vq);
}

static int net_get_config(struct vu_dev *dev, uint8_t *buf, uint32_t off,
			  uint32_t len)
{
	const struct net *n = dev->priv;

	memcpy(buf, n->config + off, len);
	return 0;
}

static void net_reset(struct vu_dev *dev)
{
	struct net *n = dev->priv;

	pool_clear(&n->rx);
	tap_poll(n, false);
	n->applied_valid = false;
	n->offload = 0;
	if (n->cfg.tap_offload &&
	    ioctl(n->cfg.tap_fd, TUNSETOFFLOAD, 0ul) < 0) {
		/* the next driver's features set it again */
	}
}

/* The tap has a packet: receive it if the rx ring is running. */
static int tap_cb(void *arg)
{
	struct net *n = arg;

	n->rx_ran = false;
	vu_queue_run(n->dev, NET_RXQ);
	/* ring stopped or disabled: wait for it to start (it processes) */
	if (!n->rx_ran)
		tap_poll(n, false);
	return 0;
}

/* The stats area's view (vu_dev_publish): a frame is a request. */
static void net_counters(struct vu_dev *dev, struct vu_counters *out)
{
	const struct net *n = dev->priv;

	out->requests = n->stats.rx_packets + n->stats.tx_packets;
	out->bytes_in = n->stats.rx_bytes;
	out->bytes_out = n->stats.tx_bytes;
	for (unsigned int d = 0; d < NET_DROP__COUNT; d++)
		out->errors += n->stats.drops[d];
}

int net_init(struct net *n, const struct net_config *cfg)
{
	uint64_t f;
	uint16_t v;

	if (cfg->tap_fd < 0 || cfg->mtu < NET_MTU_MIN || (cfg->mac[0] & 1))
		return -EINVAL;
	memset(n, 0, sizeof(*n));
	n->cfg = *cfg;
	f = (1ull << VIRTIO_NET_F_CSUM) | (1ull << VIRTIO_NET_F_MTU) |
	    (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_HOST_TSO4) |
	    (1ull << VIRTIO_NET_F_HOST_TSO6) | (1ull << VIRTIO_NET_F_HOST_ECN) |
	    (1ull << VIRTIO_NET_F_MRG_RXBUF) | (1ull << VIRTIO_NET_F_STATUS);
	if (cfg->tap_offload)
		f |= (1ull << VIRTIO_NET_F_GUEST_CSUM) |
		     (1ull << VIRTIO_NET_F_GUEST_TSO4) |
		     (1ull << VIRTIO_NET_F_GUEST_TSO6) |
		     (1ull << VIRTIO_NET_F_GUEST_ECN);
	n->ops = (struct vu_dev_ops){
		.name = "virtio-net",
		.features = f,
		.nqueues = 2,
		.config_size = NET_CONFIG_SIZE,
		.get_config = net_get_config,
		.process = net_process,
		.reset = net_reset,
		.stats = net_counters,
	};
	memcpy(n->config, cfg->mac, 6);
	v = htole16(VIRTIO_NET_S_LINK_UP);
	memcpy(n->config + 6, &v, 2);
	v = htole16(1);   /* max_virtqueue_pairs */
	memcpy(n->config + 8, &v, 2);
	v = htole16(cfg->mtu);
	memcpy(n->config + 10, &v, 2);
	return 0;
}

int net_attach(struct net *n, struct vu_dev *dev, int sock,
	       struct evloop *loop)
{
	int rc = vu_dev_init(dev, sock, &n->ops, n);

	if (rc < 0)
		return rc;
	n->dev = dev;
	n->loop = loop;
	return vu_dev_attach(dev, loop);
}

void net_get_stats(const struct net *n, struct net_stats *out)
{
	*out = n->stats;
}
