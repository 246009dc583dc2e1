/*
 * policy_bpf: struct policy -> libseccomp filter (see policy_bpf.h).
 *
 * There is deliberately no action that allows everything: the default is
 * SECCOMP_RET_KILL_PROCESS, or SECCOMP_RET_LOG when an operator asked for
 * log mode, and a kernel that cannot do either gets an error, never a
 * weaker filter.  This file must never load a filter into the kernel.
 */
#include "policy/policy_bpf.h"

#include <errno.h>
#include <stdint.h>

static const enum scmp_compare scmp_ops[] = {
	[POLICY_OP_EQ] = SCMP_CMP_EQ,
	[POLICY_OP_NE] = SCMP_CMP_NE,
	[POLICY_OP_LT] = SCMP_CMP_LT,
	[POLICY_OP_LE] = SCMP_CMP_LE,
	[POLICY_OP_GT] = SCMP_CMP_GT,
	[POLICY_OP_GE] = SCMP_CMP_GE,
	[POLICY_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

static int add_rule(scmp_filter_ctx ctx, const struct policy_rule *r)
{
	uint32_t action = SCMP_ACT_ALLOW;
	int rc;

	if (r->action == POLICY_ERRNO)
		action = SCMP_ACT_ERRNO((uint32_t)r->err);
	if (r->nalt == 0)
		return seccomp_rule_add_array(ctx, action, r->nr, 0, NULL);
	for (unsigned int i = 0; i < r->nalt; i++) {
		const struct policy_alt *a = &r->alt[i];
		struct scmp_arg_cmp cmp[POLICY_MAX_CONDS];

		for (unsigned int j = 0; j < a->ncond; j++) {
			const struct policy_cond *c = &a->cond[j];

			cmp[j].arg = c->arg;
			cmp[j].op = scmp_ops[c->op];
			if (c->op == POLICY_OP_MASKED_EQ) {
				cmp[j].datum_a = c->mask;
				cmp[j].datum_b = c->value;
			} else {
				cmp[j].datum_a = c->value;
				cmp[j].datum_b = 0;
			}
		}
		rc = seccomp_rule_add_array(ctx, action, r->nr, a->ncond, cmp);
		if (rc)
			return rc;
	}
	return 0;
}

int policy_compile(const struct policy *p, unsigned int flags, scmp_filter_ctx *out)
{
	uint32_t def = (flags & POLICY_LOG) ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS;
	scmp_filter_ctx ctx;
	int rc;

	*out = NULL;
	if (flags & ~POLICY_FLAGS)
		return -EINVAL;
	/* API level 3: the kernel has SECCOMP_RET_KILL_PROCESS and RET_LOG. */
	if (seccomp_api_get() < 3)
		return -EOPNOTSUPP;
	ctx = seccomp_init(def);
	if (!ctx)
		return -ENOMEM;
	/* A syscall made through another ABI (i386, x32) is killed outright. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (!rc && (flags & POLICY_TSYNC))
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (size_t i = 0; !rc && i < p->nrule; i++)
		rc = add_rule(ctx, &p->rule[i]);
	if (rc) {
		seccomp_release(ctx);
		return rc < 0 ? rc : -EINVAL;
	}
	*out = ctx;
	return 0;
}
