/*
 * policy_roles: role table and role rules (see policy_roles.h).
 *
 * The order of installation, which the table encodes:
 *   launcher   hyve-jail's child, last step before execveat(); stays under
 *              whatever the exec'd program installs, so it must cover every
 *              role (checked by policy_check_covers()).
 *   hyve       hyve's main thread once the machine is built, with TSYNC so
 *              that every thread that already exists gets it too.
 *   hyve-vcpu  each vCPU thread on itself (no TSYNC), on top of hyve's.
 *   hyve-blk, hyve-net, hyve-rng  each helper once its fds are in hand.
 * This file must never load a filter.
 */
#include "policy/policy_roles.h"

#include <errno.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "policy/policy_bpf.h"

const struct policy_role policy_roles[] = {
	{ "launcher", "launcher.policy", POLICY_TSYNC, 0, NULL, 0, NULL },
	{ "hyve", "hyve.policy", POLICY_TSYNC, 0, "launcher", 50,
	  "Firecracker VMM thread" },
	{ "hyve-vcpu", "hyve-vcpu.policy", 0, 0, "hyve", 27,
	  "Firecracker vCPU thread" },
	{ "hyve-blk", "hyve-blk.policy", POLICY_TSYNC, 1, "launcher", 67,
	  "crosvm common device base" },
	{ "hyve-net", "hyve-net.policy", POLICY_TSYNC, 1, "launcher", 67,
	  "crosvm common device base" },
	{ "hyve-rng", "hyve-rng.policy", POLICY_TSYNC, 1, "launcher", 67,
	  "crosvm common device base" },
};
const size_t policy_nroles = sizeof(policy_roles) / sizeof(policy_roles[0]);

const struct policy_role *policy_role_find(const char *name)
{
	for (size_t i = 0; i < policy_nroles; i++)
		if (strcmp(policy_roles[i].name, name) == 0)
			return &policy_roles[i];
	return NULL;
}

/* Never allowed in a helper, whatever the arguments. */
static const char *const helper_never[] = {
	"socket", "socketpair", "connect", "bind", "listen", "accept",
	"accept4", "execve", "execveat", "fork", "vfork", "ptrace", "mount",
	"umount2", "pivot_root", "chroot", "bpf", "unshare", "setns",
	"init_module", "finit_module", "delete_module", "kexec_load",
	"kexec_file_load", "perf_event_open", "process_vm_readv",
	"process_vm_writev", "userfaultfd", "keyctl", "add_key",
	"request_key", "io_uring_setup", "seccomp", "prctl", "personality",
	"open", "openat", "openat2", "creat", "clone3", "memfd_create",
};

static int clone_threads_only(const struct policy_rule *r)
{
	if (r->nalt == 0)
		return 0;
	for (unsigned int i = 0; i < r->nalt; i++) {
		int ok = 0;

		for (unsigned int j = 0; j < r->alt[i].ncond; j++) {
			const struct policy_cond *c = &r->alt[i].cond[j];

			if (c->arg == 0 && c->op == POLICY_OP_MASKED_EQ &&
			    (c->mask & CLONE_THREAD) && (c->value & CLONE_THREAD))
				ok = 1;
		}
		if (!ok)
			return 0;
	}
	return 1;
}

int policy_check_helper(const struct policy *p, const char *file,
			char *err, size_t errlen)
{
	for (size_t i = 0; i < p->nrule; i++) {
		const struct policy_rule *r = &p->rule[i];

		if (r->action == POLICY_ERRNO)
			continue;	/* failing a call is always fine */
		if (strcmp(r->name, "clone") == 0) {
			if (clone_threads_only(r))
				continue;
			snprintf(err, errlen, "%s:%u: %s: a helper may clone only "
				 "threads (arg0 & CLONE_THREAD == CLONE_THREAD)",
				 r->file, r->line, file);
			return -EINVAL;
		}
		for (size_t j = 0; j < sizeof(helper_never) / sizeof(helper_never[0]); j++) {
			if (strcmp(r->name, helper_never[j]) != 0)
				continue;
			snprintf(err, errlen, "%s:%u: %s: a helper must not be "
				 "allowed '%s'%s", r->file, r->line, file, r->name,
				 strstr(r->name, "open") || strcmp(r->name, "creat") == 0 ?
				 " (helpers receive fds; use 'return ENOENT')" : "");
			return -EINVAL;
		}
	}
	return 0;
}

/* Does every argument vector that satisfies IC also satisfy OC? */
static int cond_implies(const struct policy_cond *ic, const struct policy_cond *oc)
{
	uint64_t args[6] = { 0 };
	struct policy_alt one = { .ncond = 1 };

	if (ic->arg != oc->arg)
		return 0;
	if (ic->op == oc->op && ic->mask == oc->mask && ic->value == oc->value)
		return 1;
	if (ic->op == POLICY_OP_EQ) {
		/* one value: just try it */
		args[oc->arg] = ic->value;
		one.cond[0] = *oc;
		return policy_alt_match(&one, args);
	}
	if (ic->op == POLICY_OP_MASKED_EQ && oc->op == POLICY_OP_MASKED_EQ)
		return (oc->mask & ~ic->mask) == 0 &&
		       (ic->value & oc->mask) == oc->value;
	return 0;
}

static int alt_implies(const struct policy_alt *in, const struct policy_alt *out)
{
	for (unsigned int i = 0; i < out->ncond; i++) {
		int found = 0;

		for (unsigned int j = 0; j < in->ncond && !found; j++)
			found = cond_implies(&in->cond[j], &out->cond[i]);
		if (!found)
			return 0;
	}
	return 1;
}

static int rule_covered(const struct policy_rule *o, const struct policy_rule *r)
{
	if (!o)
		return 0;
	if (r->action == POLICY_ERRNO)
		/* the inner errno wins over an allow; a kill would win over it */
		return o->action == POLICY_ERRNO || o->nalt == 0;
	if (o->action != POLICY_ALLOW)
		return 0;
	if (o->nalt == 0)
		return 1;
	if (r->nalt == 0)
		return 0;
	for (unsigned int i = 0; i < r->nalt; i++) {
		int found = 0;

		for (unsigned int j = 0; j < o->nalt && !found; j++)
			found = alt_implies(&r->alt[i], &o->alt[j]);
		if (!found)
			return 0;
	}
	return 1;
}

int policy_check_covers(const struct policy *outer, const char *outer_name,
			const struct policy *inner, char *err, size_t errlen)
{
	for (size_t i = 0; i < inner->nrule; i++) {
		const struct policy_rule *r = &inner->rule[i];

		if (rule_covered(policy_find(outer, r->nr), r))
			continue;
		snprintf(err, errlen, "%s:%u: '%s' is allowed here but %s, which "
			 "is installed before, would kill it", r->file, r->line,
			 r->name, outer_name);
		return -EINVAL;
	}
	return 0;
}
