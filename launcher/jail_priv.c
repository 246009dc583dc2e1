/*
 * jail_priv: set rlimits, drop every capability (effective, permitted,
 * inheritable, bounding, ambient) with libcap-ng, become the VM's uid and
 * gid, set no_new_privs, install the VMM's seccomp policy.
 *
 * The order matters: rlimits can only be raised while we hold
 * CAP_SYS_RESOURCE; the bounding set can only be cut while we hold
 * CAP_SETPCAP; the uid change needs CAP_SETUID and, with no KEEPCAPS,
 * clears the permitted set on its own; seccomp comes last so that the
 * policy does not have to allow any of the calls above.
 *
 * Must never: run before the root is built (pivot_root needs the
 * capabilities dropped here), or leave the process able to regain uid 0.
 */
#define _GNU_SOURCE
#include "jail_priv.h"

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail.h"

#include "policy/policy.h"

#define NOFILE		4096
#define MEMLOCK_MIN	(64u << 10)
#define MEMLOCK_SLACK	(64u << 20)

static uint64_t
memlock(const struct jail *j)
{
	/* bhyve -S (memory.wired): the whole guest is locked, plus room
	 * for the VMM's own pages. */
	return j->wired ? j->mem_size + MEMLOCK_SLACK : MEMLOCK_MIN;
}

static int
set_limit(struct jail *j, int res, const char *name, rlim_t v)
{
	struct rlimit rl = { v, v };

	if (setrlimit(res, &rl) < 0)
		return jail_err(j, -errno, "setrlimit(%s): %m", name);
	return 0;
}

/* Read the kernel's view, without /proc (there is none in the box). */
static int
verify_no_caps(struct jail *j)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return jail_err(j, -errno, "capget: %m");
	for (int i = 0; i < 2; i++)
		if (d[i].effective || d[i].permitted || d[i].inheritable)
			return jail_err(j, -EPERM, "capabilities left after "
			    "the drop");
	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			return jail_err(j, -EPERM, "capability %d left in the "
			    "bounding set", c);
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) == 1)
			return jail_err(j, -EPERM, "capability %d left in the "
			    "ambient set", c);
	}
	/* The whole point: no way back to root. */
	if (setresuid(0, 0, 0) == 0 || setresgid(0, 0, 0) == 0)
		return jail_err(j, -EPERM, "could regain uid/gid 0");
	return 0;
}

int
jail_priv_drop(struct jail *j)
{
	return jail_priv_drop_to(j, j->uid, j->gid, memlock(j));
}

int
jail_priv_drop_to(struct jail *j, uid_t uid, gid_t gid, uint64_t memlock_max)
{
	int r;

	/* cfg_validate refuses uid 0; this is the place where it would
	 * hurt, so check again. */
	if (uid == 0 || gid == 0)
		return jail_err(j, -EPERM, "refusing to run the VM as root");

	/* Limits first, while CAP_SYS_RESOURCE still lets us set them. */
	if ((r = set_limit(j, RLIMIT_NOFILE, "NOFILE", NOFILE)) < 0 ||
	    /* A core of the VMM is a copy of the guest's memory. */
	    (r = set_limit(j, RLIMIT_CORE, "CORE", 0)) < 0 ||
	    (r = set_limit(j, RLIMIT_MEMLOCK, "MEMLOCK", memlock_max)) < 0)
		return r;

	/* Bounding and ambient sets now: cutting the bounding set needs
	 * CAP_SETPCAP, which the uid change below takes away. */
	capng_clear(CAPNG_SELECT_ALL);
	if (capng_apply(CAPNG_SELECT_BOUNDS) < 0)
		return jail_err(j, -EPERM, "drop the bounding set failed");
	if (capng_apply(CAPNG_SELECT_AMBIENT) < 0)
		return jail_err(j, -EPERM, "clear the ambient set failed");

	/* Groups, then gid, then uid: each needs the privilege the next one
	 * removes.  No supplementary group: the host's groups (disk, kvm)
	 * would open doors the device filter is meant to keep shut. */
	if (setgroups(0, NULL) < 0)
		return jail_err(j, -errno, "setgroups: %m");
	if (setresgid(gid, gid, gid) < 0)
		return jail_err(j, -errno, "setresgid(%u): %m",
		    (unsigned)gid);
	if (setresuid(uid, uid, uid) < 0)
		return jail_err(j, -errno, "setresuid(%u): %m",
		    (unsigned)uid);

	/* A credential change clears the parent-death signal that
	 * jail_ns_enter set: set it again, or a SIGKILLed supervisor would
	 * leave an orphaned box running. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return jail_err(j, -errno, "PR_SET_PDEATHSIG: %m");

	/* The uid change cleared permitted and effective (no KEEPCAPS);
	 * say so explicitly for the inheritable set as well. */
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_apply(CAPNG_SELECT_BOTH) < 0)
		return jail_err(j, -EPERM, "clear capabilities failed");

	/* exec can never give back what we dropped (setuid files, file
	 * capabilities), and seccomp may be installed without
	 * CAP_SYS_ADMIN. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return jail_err(j, -errno, "PR_SET_NO_NEW_PRIVS: %m");
	return verify_no_caps(j);
}

int
jail_priv_seccomp(struct jail *j)
{
	/* The launcher role: the one execveat that follows, and every
	 * call of every role installed under it (hyve's, the helpers').
	 * There is no build without it. */
	int r = policy_load("launcher", j->seccomp_log ? POLICY_LOG : 0);
	if (r < 0)
		return jail_err(j, r, "seccomp policy launcher: %s",
		    strerror(-r));
	return 0;
}

void
jail_priv_plan(struct jail *j)
{
	jail_plan(j, "  setrlimit NOFILE %u, CORE 0, MEMLOCK %llu", NOFILE,
	    (unsigned long long)memlock(j));
	jail_plan(j, "  capng: drop the bounding and ambient sets");
	jail_plan(j, "  setgroups(0), setresgid(%u), setresuid(%u)",
	    (unsigned)j->gid, (unsigned)j->uid);
	jail_plan(j, "  prctl(PR_SET_PDEATHSIG, SIGKILL) again (the uid change "
	    "cleared it)");
	jail_plan(j, "  capng: clear effective, permitted, inheritable");
	jail_plan(j, "  prctl(PR_SET_NO_NEW_PRIVS, 1)");
	jail_plan(j, "  verify: no capability in any set, setresuid(0) fails");
	jail_plan(j, "  seccomp: policy_load(\"launcher\"), just before execveat%s",
	    j->seccomp_log ? " in log mode (jail.seccomp=log)" : "");
}
