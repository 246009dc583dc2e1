/*
 * policy_bpf: a parsed policy turned into a libseccomp filter.
 *
 * The only place that maps the policy language onto libseccomp: one rule per
 * '||' group (libseccomp ANDs the comparisons of one rule), the default
 * action kills the whole process, a foreign architecture is killed too.
 * This code builds filters; it never loads one (policy.c does).
 */
#ifndef HYVE_POLICY_BPF_H
#define HYVE_POLICY_BPF_H

#include <seccomp.h>

#include "policy/policy_lang.h"

/* Flags of policy_compile() and policy_load(). */
#define POLICY_LOG	0x1u	/* log violations (SECCOMP_RET_LOG), do not kill */
#define POLICY_TSYNC	0x2u	/* install on every thread of the process */
#define POLICY_FLAGS	(POLICY_LOG | POLICY_TSYNC)

/*
 * Build a filter for P in *out (free with seccomp_release()).  Returns 0 or
 * -errno: -EINVAL for unknown flags, -EOPNOTSUPP when the kernel lacks
 * SECCOMP_RET_KILL_PROCESS (or SECCOMP_RET_LOG for POLICY_LOG), or what
 * libseccomp returned.
 */
int policy_compile(const struct policy *p, unsigned int flags, scmp_filter_ctx *out);

#endif
