/*
 * policy_roles: the process roles of hyve and the rules every role obeys.
 *
 * One table names each role, its policy file, how it is installed (on the
 * whole process or on one thread) and which filter is already in place when
 * it is installed.  The checks here run at build time (policyc) and in the
 * unit tests, so a policy that breaks a rule of its role never ships.
 * Nothing here loads a filter or reads a file.
 */
#ifndef HYVE_POLICY_ROLES_H
#define HYVE_POLICY_ROLES_H

#include <stddef.h>

#include "policy/policy_lang.h"

struct policy_role {
	const char *name;	/* "hyve-blk": what programs pass to policy_load() */
	const char *file;	/* "hyve-blk.policy" */
	unsigned int flags;	/* POLICY_TSYNC: every thread, else this thread */
	int helper;		/* a device helper: no open, socket, exec, fork... */
	const char *parent;	/* role already installed under this one, or NULL */
	int ref;		/* reference count of allowed syscalls (0: none) */
	const char *ref_what;
};

extern const struct policy_role policy_roles[];
extern const size_t policy_nroles;

/* The role called NAME, or NULL. */
const struct policy_role *policy_role_find(const char *name);

/*
 * A helper's policy allows no open/openat/creat (a "return" rule is fine),
 * socket, socketpair, execve, execveat, fork, vfork, clone without
 * CLONE_THREAD, clone3 (again "return" is fine), ptrace, mount, bpf, nor the
 * other escape hatches listed in policy_roles.c.  0 or -EINVAL with the
 * offending rule as "FILE:LINE: message" in ERR.
 */
int policy_check_helper(const struct policy *p, const char *file,
			char *err, size_t errlen);

/*
 * Filters stack: a thread runs under every filter installed before, and the
 * strictest answer wins.  OUTER (installed first) must therefore let through
 * every call that INNER allows.  0, or -EINVAL naming the first rule of INNER
 * that OUTER would kill.
 */
int policy_check_covers(const struct policy *outer, const char *outer_name,
			const struct policy *inner, char *err, size_t errlen);

#endif
