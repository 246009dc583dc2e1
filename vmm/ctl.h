/*
 * ctl: hyve's per-VM control socket (/run/hyve/NAME/ctl.sock), the server
 * side of hyvectl(8).
 *
 * One thread accepts connections on an AF_UNIX SOCK_SEQPACKET socket,
 * admits only root and hyve's own uid (SO_PEERCRED), and answers the
 * requests of common/ctl_proto.h by calling hooks that hyve's main
 * provides.  The socket is either a path hyve creates (bare mode) or an
 * fd hyve-jail bound on the host and passed in ("ctl.path=fd:N").
 *
 * It must never trust a client: every message is checked by
 * ctl_msg_parse() before it is acted on, a client that sends garbage or
 * goes quiet is dropped after a timeout, and nothing a client sends
 * reaches a size, an index or a path.  It never exits the process.
 */
#ifndef HYVE_VMM_CTL_H
#define HYVE_VMM_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/ctl_proto.h"

struct cfg;
struct ctl;
struct gate;

/*
 * Called from the control thread, never with a lock of this module held.
 * Each must be safe to call from any thread while the vCPUs run.
 */
struct ctl_hooks {
	void *arg;
	void (*power_button)(void *arg);	/* what SIGTERM does */
	void (*reset)(void *arg);		/* stop with exit status 0 */
	void (*destroy)(void *arg);		/* stop now, exit status 4 */
	/* Optional: fill what hyve knows (st is zeroed, uptime set; the
	 * counts are clamped afterwards). */
	void (*stats)(void *arg, struct ctl_stats *st);
};

struct ctl_params {
	const struct cfg *cfg;	/* "name", "ctl.path" */
	struct ctl_hooks hooks;
	unsigned int ncpus;
	uint64_t memory;	/* guest RAM, bytes */
	/* hyve's start gate (vmm/gate.h): the thread accepts nobody before
	 * it opens, and returns when it is cancelled; release it before
	 * ctl_stop().  NULL: serve at once. */
	struct gate *gate;
	/* Where the default run directories live; NULL = CTL_RUN_BASE.  Only
	 * tests change it. */
	const char *run_base;
};

/*
 * Open the control socket that "ctl.path" names and start the thread:
 *   fd:N     a bound AF_UNIX SOCK_SEQPACKET socket (hyve-jail's); hyve
 *            calls listen() on it so that clients see hyve's credentials
 *   PATH     bind a new socket there (mode 0660), removed by ctl_stop
 *   none     no control socket
 *   (unset)  RUN_BASE/NAME/ctl.sock when "name" is set: the run directory
 *            (0700) and its pid file are made here and removed by
 *            ctl_stop; an existing one of a live hyve is refused with
 *            -EEXIST, a stale one is reused.  When RUN_BASE cannot be
 *            written (not root), there is no socket.
 * Returns 0 with *out set, or 0 with *out NULL and err saying why there
 * is no socket (a note, not an error), or -errno with err set.
 */
int ctl_start(struct ctl **out, const struct ctl_params *p, char *err,
    size_t errlen);

/* Stop the thread, close the socket, remove what ctl_start made.  NULL is
 * fine.  Call before the hooks' objects are torn down. */
void ctl_stop(struct ctl *c);

/* The admission rule: root, or the uid hyve runs as. */
int ctl_peer_allowed(uid_t peer, uid_t owner);

/* The socket path in use ("" for fd:N). */
const char *ctl_path(const struct ctl *c);

#endif
