/*
 * net.h - virtio-net device back end (virtio 1.2, 5.1) on a tap fd, for the
 * vhost-user code: queue 0 receives (tap -> guest), queue 1 transmits
 * (guest -> tap).
 *
 * The guest owns its rings and every byte of its buffers: descriptor chains
 * are checked by virtq.c; the packet-level checks (header size, frame size,
 * header fields against the negotiated features) are here, and a bad packet
 * is dropped and counted, never a crash and never a NEEDS_RESET. This code
 * never opens anything: the tap fd arrives open, prepared by net_tap_prepare()
 * before the sandbox is entered. Only TUNSETOFFLOAD is issued afterwards.
 */
#ifndef HYVE_NET_H
#define HYVE_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/evloop.h"
#include "devices/net_mac.h"
#include "devices/virtq.h"
#include "devices/vu.h"

/* feature bits (virtio 1.2, 5.1.3) */
#define VIRTIO_NET_F_CSUM 0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_GUEST_TSO4 7
#define VIRTIO_NET_F_GUEST_TSO6 8
#define VIRTIO_NET_F_GUEST_ECN 9
#define VIRTIO_NET_F_HOST_TSO4 11
#define VIRTIO_NET_F_HOST_TSO6 12
#define VIRTIO_NET_F_HOST_ECN 13
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16

#define VIRTIO_NET_S_LINK_UP 1u

/* header (virtio 1.2, 5.1.6), little endian on the wire */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1u
#define VIRTIO_NET_HDR_F_DATA_VALID 2u
#define VIRTIO_NET_HDR_GSO_NONE 0u
#define VIRTIO_NET_HDR_GSO_TCPV4 1u
#define VIRTIO_NET_HDR_GSO_TCPV6 4u
#define VIRTIO_NET_HDR_GSO_ECN 0x80u

struct net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};
_Static_assert(sizeof(struct net_hdr) == 12, "virtio_net_hdr_v1 layout");

/* Header of a legacy driver (no VERSION_1, no MRG_RXBUF): no num_buffers. */
#define NET_HDR_LEGACY_LEN 10u
#define NET_HDR_LEN 12u

/* config space (virtio 1.2, 5.1.4): mac, status, max_virtqueue_pairs, mtu */
#define NET_CONFIG_SIZE 12u

#define NET_ETH_HLEN 14u
#define NET_VLAN_HLEN 4u
/* Largest frame either way: a 64 KiB GSO packet plus its Ethernet header
 * and one VLAN tag. Anything larger is dropped. */
#define NET_MAX_FRAME (65536u + NET_ETH_HLEN + NET_VLAN_HLEN)
#define NET_MTU_MIN 68u
#define NET_MTU_MAX 65535u
#define NET_MTU_DEFAULT 1500u

#define NET_RXQ 0u
#define NET_TXQ 1u

/* An rx chain with more segments than this is handed back unused. */
#define NET_RX_SEGS 64u
/* Packets moved per direction per call, so that a busy link cannot starve
 * the control socket and the other queue. */
#define NET_BUDGET 256u

/* Why a packet (or an rx buffer) was dropped; one counter each. */
enum net_drop {
	NET_DROP_TX_SHORT,     /* chain shorter than the virtio-net header */
	NET_DROP_TX_RUNT,      /* frame shorter than an Ethernet header */
	NET_DROP_TX_OVERSIZE,  /* frame larger than NET_MAX_FRAME */
	NET_DROP_TX_BAD_HDR,   /* header fields bad or not negotiated */
	NET_DROP_TX_SEGS,      /* more segments than one writev takes */
	NET_DROP_TX_TAP,       /* the tap refused it (or is full, or down) */
	NET_DROP_RX_BAD_BUF,   /* rx chain unusable: short, readable, too long */
	NET_DROP_RX_TRUNC,     /* packet larger than the buffers available */
	NET_DROP_RX_SHORT,     /* tap gave less than a header and a frame */
	NET_DROP_RX_OFFLOAD,   /* tap offloaded what the guest did not ask */
	NET_DROP_RX_TAP,       /* tap read error */
	NET_DROP__COUNT
};

const char *net_drop_name(enum net_drop d);

struct net_stats {
	uint64_t rx_packets, rx_bytes;   /* tap -> guest, frame bytes */
	uint64_t tx_packets, tx_bytes;   /* guest -> tap, frame bytes */
	uint64_t drops[NET_DROP__COUNT];
};

/* What main() found out about the tap before entering the sandbox. */
struct net_config {
	int tap_fd;
	uint8_t mac[6];
	uint16_t mtu;
	/* the tap takes TUNSETOFFLOAD (checksum, TSO4/6, ECN): the guest
	 * offloads may be offered; false for a socket standing in for a tap */
	bool tap_offload;
};

/* One popped receive chain, parked until a packet fills it. */
struct net_rxbuf {
	uint16_t head;
	uint16_t nseg;
	uint32_t bytes;
	uint32_t seg;      /* first segment in net.rx_seg (mod NET_RX_SEG_RING) */
};

#define NET_RX_SEG_RING (VIRTQ_MAX_SIZE * NET_RX_SEGS)

/*
 * Receive buffers are popped as soon as the driver posts them and parked
 * here, so that the ring looks consumed to vu_queue_run() (which would
 * otherwise spin on a ring whose buffers wait for the tap). The pool is
 * thrown away whenever the ring is restarted (virtq's inflight count no
 * longer matches it), so no pointer outlives a memory table.
 */
struct net_rxpool {
	struct net_rxbuf buf[VIRTQ_MAX_SIZE];
	unsigned int first, count;          /* FIFO of buf[] */
	uint64_t bytes;                     /* sum of buf[].bytes */
	struct iovec seg[NET_RX_SEG_RING];  /* FIFO of segments */
	uint32_t seg_first, seg_count;
};

struct net {
	struct net_config cfg;
	struct vu_dev_ops ops;
	struct vu_dev *dev;
	struct evloop *loop;
	uint8_t config[NET_CONFIG_SIZE];
	uint64_t applied;        /* features the tap offloads were set for */
	unsigned long offload;   /* TUN_F_* in force on the tap */
	bool applied_valid;
	bool tap_polled;
	bool rx_ran;
	struct net_stats stats;
	struct net_rxpool rx;
	struct virtq_req req;    /* scratch: one popped chain */
	struct iovec iov[1024];  /* scratch: one readv/writev (UIO_MAXIOV) */
};

/*
 * Prepare a tap fd before the sandbox: vnet header size NET_HDR_LEN, non
 * blocking, offloads probed (*offload) and then switched off until a
 * driver asks for them. 0 or -errno (-ENOTTY: not a tap).
 */
int net_tap_prepare(int fd, bool *offload);

/* Fill n (large: keep it static) and its ops from cfg. 0 or -EINVAL. */
int net_init(struct net *n, const struct net_config *cfg);

/*
 * Serve n over vhost-user on `sock`: vu_dev_init + vu_dev_attach + the tap
 * fd (watched only while receive buffers are parked).
 */
int net_attach(struct net *n, struct vu_dev *dev, int sock,
	       struct evloop *loop);

void net_get_stats(const struct net *n, struct net_stats *out);

#endif
