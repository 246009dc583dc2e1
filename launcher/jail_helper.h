/*
 * jail_helper: step 7 of hyve-jail, the device back ends (hyve-blk,
 * hyve-net, hyve-rng) in the box, each with its own uid.
 *
 * Must never: give a helper a capability, the VM's uid, an fd other than
 * its vhost-user socket and its one device, or leave one running after
 * the box is gone.
 */
#ifndef HYVE_JAIL_HELPER_H
#define HYVE_JAIL_HELPER_H

#include <stdbool.h>
#include <sys/types.h>

#include "jail.h"

/* "hyve-blk", "hyve-net", "hyve-rng". */
const char *jail_helper_prog(enum jail_helper_kind kind);

/* Step "rundir" (under the run lock): one uid per helper from
 * jail.uid_range, written to RUNDIR/helper-uids. */
int jail_helper_pick_uids(struct jail *j);
/* Step "res": open the helper programs (exec through these fds). */
int jail_helper_open(struct jail *j);
void jail_helper_close(struct jail *j);

/* Before each box: one socketpair per helper (hyve's end goes into the
 * box's fd map as pci.B.S.F.sock=fd:N). */
int jail_helper_pairs(struct jail *j);
void jail_helper_close_pairs(struct jail *j);
/* Once the box's root is built: fork every helper into the box's
 * namespaces (the supervisor is their parent and reaps them).  In a
 * helper's process it returns -1 with *in_box set and j->err saying why
 * its start failed (it never returns on success: it execs). */
int jail_helper_start(struct jail *j, pid_t box, bool *in_box);
/* A child the supervisor reaped: if it is a helper, forget it and (when
 * the box still runs and the helper did not end cleanly) say so on
 * stderr.  Returns true when pid was a helper. */
bool jail_helper_reaped(struct jail *j, pid_t pid, int ws, bool box_alive);
/* The box is gone: the kernel killed the helpers with it; reap them. */
void jail_helper_reap_all(struct jail *j);

/* --dry-run: every helper, its uid, fds and command line. */
void jail_helper_plan(struct jail *j);

#endif
