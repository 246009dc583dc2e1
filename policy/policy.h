/*
 * policy: install the seccomp filter of a process role.
 *
 *     rc = policy_load("hyve-blk", 0);          kill on violation
 *     rc = policy_load("hyve-blk", POLICY_LOG); operator's log mode
 *
 * The policy text is compiled into the binary (see policy_text.h), parsed
 * and turned into a filter with libseccomp at the call, then loaded.  The
 * caller reports errors (returned as -errno); this code never prints, never
 * exits and never opens a file.  It must never install anything weaker
 * than what it was asked for: there is no fallback.
 */
#ifndef HYVE_POLICY_H
#define HYVE_POLICY_H

#include <linux/filter.h>
#include <seccomp.h>
#include <stddef.h>

#include "policy/policy_bpf.h"
#include "policy/policy_lang.h"

/*
 * A filter built ahead of time, installed later with no allocation and a
 * single seccomp(2) call: what a vCPU thread does once hyve's own filter
 * (which has no mmap for malloc arenas and no libseccomp probing) is in.
 */
struct policy_prog {
	struct sock_filter *insns;
	unsigned short len;
	unsigned int seccomp_flags;	/* SECCOMP_FILTER_FLAG_TSYNC or 0 */
};

/* Build ROLE's filter into *PROG (free with policy_prog_free()). */
int policy_prepare(const char *role, unsigned int flags, struct policy_prog *prog);

/*
 * Install PROG on the calling thread (or every thread, if the role says
 * TSYNC).  Sets no_new_privs first only if the kernel asks for it (EACCES).
 * Returns 0 or -errno (-ESRCH: TSYNC found a thread with another filter).
 */
int policy_install(const struct policy_prog *prog);
void policy_prog_free(struct policy_prog *prog);

/*
 * Install ROLE's filter ("launcher", "hyve", "hyve-vcpu", "hyve-blk",
 * "hyve-net", "hyve-rng").  FLAGS: 0 or POLICY_LOG.  Whether it covers the
 * whole process (TSYNC) or only the calling thread is the role's, see
 * policy_roles.c.  Returns 0, -ENOENT (no such role), -EINVAL (bad flags),
 * -EOPNOTSUPP (kernel too old for SECCOMP_RET_KILL_PROCESS/LOG), -ESRCH
 * (another thread already has a different filter) or another -errno.
 * Same as policy_prepare() + policy_install().
 */
int policy_load(const char *role, unsigned int flags);

/* Parse ROLE's embedded policy (includes resolved) into *P. */
int policy_parse_role(const char *role, struct policy *p, char *err, size_t errlen);

/* Build, without loading, ROLE's filter; FLAGS may add POLICY_TSYNC. */
int policy_build(const char *role, unsigned int flags, scmp_filter_ctx *out,
		 char *err, size_t errlen);

/* The embedded text of policy file FILE ("hyve.policy"), or NULL. */
const char *policy_text_find(const char *file);

/*
 * "kill" -> 0, "log" -> POLICY_LOG, anything else -EINVAL: the value of
 * the jail.seccomp key, so every program spells the mode the same way.
 */
int policy_mode_parse(const char *s, unsigned int *flags);

#endif
