/*
 * ctl_proto: the wire protocol between hyvectl and a running hyve's control
 * socket (/run/hyve/NAME/ctl.sock).
 *
 * Transport: an AF_UNIX SOCK_SEQPACKET socket, so one read() is one whole
 * message.  Every message is a struct ctl_hdr followed by exactly hdr.len
 * payload bytes; every payload is one fixed-size struct below, so a reader
 * checks one number (the length for that type) and never parses a field to
 * find the next one.  A request carries no payload; its reply echoes the
 * request's seq and has type (request | CTL_REPLY) or CTL_REP_ERROR.
 *
 * Versioning: hdr.version must equal CTL_VERSION.  Any change to a struct
 * here bumps CTL_VERSION (the _Static_asserts catch silent size changes);
 * an old peer gets a CTL_REP_ERROR with EPROTONOSUPPORT, never a
 * misread struct.
 *
 * Neither side trusts the other: hyve checks the peer's uid before reading,
 * and every length, type and count goes through ctl_msg_parse() and the
 * *_sanitize() helpers.  This file must never contain a pointer, a size_t
 * or anything whose layout differs between compilers or ABIs on the wire.
 */
#ifndef HYVE_CTL_PROTO_H
#define HYVE_CTL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define CTL_MAGIC	0x4c544356u	/* "VCTL" little-endian */
#define CTL_VERSION	2u	/* 2: ctl_dev_stats gained flags */

/* Socket name inside the run directory, and the run base. */
#define CTL_RUN_BASE	"/run/hyve"
#define CTL_SOCK_NAME	"ctl.sock"

/* Request types (client -> hyve).  No payload. */
enum ctl_type {
	CTL_REQ_INFO = 1,	/* -> struct ctl_info */
	CTL_REQ_POWEROFF = 2,	/* ACPI power button, as SIGTERM -> empty */
	CTL_REQ_REBOOT = 3,	/* reset now: hyve exits 0 -> empty */
	CTL_REQ_DESTROY = 4,	/* stop now: hyve exits 4 -> empty */
	CTL_REQ_STATS = 5,	/* -> struct ctl_stats */
	CTL_REQ_MAX = 5,
};
#define CTL_REPLY	0x8000u
#define CTL_REP_ERROR	0xffffu	/* -> struct ctl_error */

struct ctl_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t len;		/* payload bytes after the header */
	uint32_t seq;		/* chosen by the client, echoed */
};
_Static_assert(sizeof(struct ctl_hdr) == 16, "ctl_hdr is 16 bytes");

struct ctl_error {
	int32_t err;		/* positive errno */
	uint32_t pad;
	char msg[120];		/* NUL-terminated */
};
_Static_assert(sizeof(struct ctl_error) == 128, "ctl_error is 128 bytes");

enum ctl_state {
	CTL_STATE_RUNNING = 1,
	CTL_STATE_POWERING_OFF = 2,	/* button pressed, guest not done */
	CTL_STATE_STOPPING = 3,		/* hyve is on its way out */
};

#define CTL_NAME_MAX	64

struct ctl_info {
	char name[CTL_NAME_MAX];	/* NUL-terminated, may be empty */
	uint32_t pid;		/* hyve's pid in its own pid namespace */
	uint32_t uid;		/* hyve's uid: the VM's owner */
	uint32_t state;		/* enum ctl_state */
	uint32_t ncpus;
	uint64_t memory;	/* guest RAM, bytes */
	uint64_t uptime_ms;	/* since the control socket started */
	uint64_t started;	/* wall clock, seconds since the epoch */
	uint32_t proto;		/* CTL_VERSION of the server */
	uint32_t pad;
};
_Static_assert(sizeof(struct ctl_info) == 112, "ctl_info is 112 bytes");

/*
 * Exits are counted by KVM exit reason (KVM_EXIT_*, the index); reasons at
 * or above CTL_NEXIT - 1 are summed in the last slot.
 */
#define CTL_NEXIT	64
#define CTL_MAX_VCPUS	256
#define CTL_MAX_DEVS	32

enum ctl_dev_state {
	CTL_DEV_OK = 0,
	CTL_DEV_NEEDS_RESET = 1,	/* a guest fault stopped the device */
	CTL_DEV_GONE = 2,		/* its helper died or was never there */
};

/* flags of struct ctl_dev_stats */
#define CTL_DEV_COUNTERS	0x1u	/* requests..errors came from the helper */

/*
 * One virtio device.  state and needs_reset are hyve's own observations
 * (it saw the device go NEEDS_RESET, or its helper die); requests, bytes
 * and errors are what the helper reports in its stats area (see
 * devices/vu_proto.h, VHOST_USER_HYVE_SET_STATS_AREA) and are valid only
 * with CTL_DEV_COUNTERS: a helper that offers no stats area, or whose area
 * does not check out, leaves them 0 without the flag.
 */
struct ctl_dev_stats {
	char name[12];		/* "virtio-blk", NUL-terminated */
	char slot[12];		/* "0:2:0", NUL-terminated */
	uint32_t state;		/* enum ctl_dev_state */
	uint32_t flags;		/* CTL_DEV_* */
	uint64_t requests;	/* completed guest requests (chains) */
	uint64_t bytes_in;	/* to the guest: disk read, net rx, entropy */
	uint64_t bytes_out;	/* from the guest: disk write, net tx */
	uint64_t errors;	/* requests failed or frames dropped */
	uint64_t needs_reset;	/* times the device went NEEDS_RESET */
};
_Static_assert(sizeof(struct ctl_dev_stats) == 72, "ctl_dev_stats is 72 bytes");

/* flags of struct ctl_stats: which parts hyve could fill. */
#define CTL_STATS_EXIT_REASONS	0x1u	/* exits[] is valid */
#define CTL_STATS_CONSOLE	0x2u	/* console_* are valid */

struct ctl_stats {
	uint64_t uptime_ms;
	uint32_t flags;
	uint32_t nvcpus;	/* vcpu_exits[0..nvcpus) valid */
	uint32_t ndevs;		/* devs[0..ndevs) valid */
	uint32_t pad;
	uint64_t exits[CTL_NEXIT];		/* by KVM exit reason */
	uint64_t vcpu_exits[CTL_MAX_VCPUS];	/* total per vCPU */
	uint64_t console_tx;	/* bytes the guest wrote to COM1 */
	uint64_t console_rx;	/* bytes the guest read from COM1 */
	uint64_t console_dropped;	/* guest bytes nobody took */
	struct ctl_dev_stats devs[CTL_MAX_DEVS];
};
_Static_assert(sizeof(struct ctl_stats) == 24 + 8 * CTL_NEXIT +
    8 * CTL_MAX_VCPUS + 24 + 72 * CTL_MAX_DEVS, "ctl_stats layout");
_Static_assert(sizeof(struct ctl_stats) == 4912, "ctl_stats is 4912 bytes");

/* The largest message either side sends or reads (plus one byte on read,
 * to see an over-long datagram). */
#define CTL_MSG_MAX	(sizeof(struct ctl_hdr) + sizeof(struct ctl_stats))

/* Payload size of a message type, or -1 for a type that does not exist. */
long ctl_payload_size(uint32_t type);

/* Header + payload into buf (bufsize >= 16 + plen).  Returns the message
 * length or -EMSGSIZE. */
long ctl_msg_build(void *buf, size_t bufsize, uint16_t type, uint32_t seq,
    const void *payload, uint32_t plen);

/*
 * Check a received message of n bytes.  On success returns 0, fills *hdr
 * and points *payload at hdr->len bytes inside buf.  Errors:
 *   -EBADMSG          shorter than a header, or len disagrees with n
 *   -EPROTO           wrong magic
 *   -EPROTONOSUPPORT  other version (*hdr is filled: the seq can be echoed)
 *   -EOPNOTSUPP       a type this version does not know (*hdr filled)
 *   -EMSGSIZE         payload size wrong for the type (*hdr filled)
 */
int ctl_msg_parse(const void *buf, size_t n, struct ctl_hdr *hdr,
    const void **payload);

/* Force NUL termination and clamp counts of what a peer sent. */
void ctl_info_sanitize(struct ctl_info *in);
void ctl_stats_sanitize(struct ctl_stats *st);
void ctl_error_sanitize(struct ctl_error *e);

/* Short lower-case name of a KVM exit reason ("io", "mmio", "hlt", ...),
 * or NULL for one hyvectl has no name for. */
const char *ctl_exit_name(unsigned int reason);

/* Name of enum ctl_state, "unknown" for others. */
const char *ctl_state_name(uint32_t state);

#endif
