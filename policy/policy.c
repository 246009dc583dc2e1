/*
 * policy: load a role's embedded policy into the kernel (see policy.h).
 *
 * Why parse at start instead of embedding ready BPF: the text stays the one
 * reviewed artefact, log mode is the same text with another default action,
 * and libseccomp resolves syscall numbers for the machine it runs on.  The
 * text was already checked at build time by policyc, so a parse error here
 * means a corrupted binary and is returned as -EINVAL.
 * Never opens a file, never prints, never falls back to a weaker filter.
 */
#define _GNU_SOURCE	/* memfd_create */
#include "policy/policy.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "policy/policy_roles.h"
#include "policy/policy_text.h"

const char *policy_text_find(const char *file)
{
	for (size_t i = 0; i < policy_ntexts; i++)
		if (strcmp(policy_texts[i].file, file) == 0)
			return policy_texts[i].text;
	return NULL;
}

static int embedded_read(void *ctx, const char *name, char **text)
{
	const char *t = policy_text_find(name);

	(void)ctx;
	if (!t)
		return -ENOENT;
	*text = strdup(t);
	return *text ? 0 : -ENOMEM;
}

int policy_parse_role(const char *role, struct policy *p, char *err, size_t errlen)
{
	static const struct policy_source src = { embedded_read, NULL };
	const struct policy_role *r = policy_role_find(role);
	const char *text;

	p->rule = NULL;
	p->nrule = 0;
	if (!r || !(text = policy_text_find(r->file))) {
		if (errlen)
			snprintf(err, errlen, "no policy for role '%s'", role);
		return -ENOENT;
	}
	return policy_parse(p, r->file, text, &src, err, errlen);
}

int policy_build(const char *role, unsigned int flags, scmp_filter_ctx *out,
		 char *err, size_t errlen)
{
	const struct policy_role *r = policy_role_find(role);
	struct policy p;
	int rc;

	*out = NULL;
	rc = policy_parse_role(role, &p, err, errlen);
	if (rc)
		return rc;
	rc = policy_compile(&p, flags | r->flags, out);
	if (rc && errlen)
		snprintf(err, errlen, "%s: cannot build the filter: %s", r->file,
			 strerror(-rc));
	policy_free(&p);
	return rc;
}

int policy_prepare(const char *role, unsigned int flags, struct policy_prog *prog)
{
	const struct policy_role *r = policy_role_find(role);
	scmp_filter_ctx ctx;
	char err[POLICY_ERRLEN];
	off_t size;
	int fd, rc;

	memset(prog, 0, sizeof(*prog));
	if (flags & ~POLICY_LOG)
		return -EINVAL;
	if (!r)
		return -ENOENT;
	rc = policy_build(role, flags, &ctx, err, sizeof(err));
	if (rc)
		return rc;
	/* libseccomp 2.5 exports BPF only to an fd: a memfd, no file */
	fd = memfd_create("hyve-policy", MFD_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		seccomp_release(ctx);
		return rc;
	}
	rc = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (rc)
		goto out;
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % sizeof(struct sock_filter) ||
	    size / sizeof(struct sock_filter) > BPF_MAXINSNS) {
		rc = -E2BIG;
		goto out;
	}
	prog->insns = malloc((size_t)size);
	if (!prog->insns) {
		rc = -ENOMEM;
		goto out;
	}
	if (pread(fd, prog->insns, (size_t)size, 0) != size) {
		rc = -EIO;
		policy_prog_free(prog);
		goto out;
	}
	prog->len = (unsigned short)(size / sizeof(struct sock_filter));
	prog->seccomp_flags = (r->flags & POLICY_TSYNC) ? SECCOMP_FILTER_FLAG_TSYNC : 0;
out:
	close(fd);
	return rc;
}

int policy_install(const struct policy_prog *prog)
{
	struct sock_fprog fprog = {
		.len = prog->len,
		.filter = prog->insns,
	};
	long rc;

	if (!prog->insns || prog->len == 0)
		return -EINVAL;
	rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, prog->seccomp_flags, &fprog);
	if (rc < 0 && errno == EACCES) {
		/* without no_new_privs an unprivileged task may not add a filter */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			return -errno;
		rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			     prog->seccomp_flags, &fprog);
	}
	if (rc < 0)
		return -errno;
	/* TSYNC: a positive return is the thread that could not be synced */
	return rc > 0 ? -ESRCH : 0;
}

void policy_prog_free(struct policy_prog *prog)
{
	free(prog->insns);
	prog->insns = NULL;
	prog->len = 0;
}

int policy_load(const char *role, unsigned int flags)
{
	struct policy_prog prog;
	int rc;

	rc = policy_prepare(role, flags, &prog);
	if (rc)
		return rc;
	rc = policy_install(&prog);
	policy_prog_free(&prog);
	return rc;
}

int policy_mode_parse(const char *s, unsigned int *flags)
{
	if (strcmp(s, "kill") == 0) {
		*flags = 0;
		return 0;
	}
	if (strcmp(s, "log") == 0) {
		*flags = POLICY_LOG;
		return 0;
	}
	return -EINVAL;
}
