/*
 * policy_lang: the seccomp policy language, parsed into rules.
 *
 * One rule per line, in the spirit of minijail's policy files:
 *
 *     # why the rule is there
 *     read                                  allow
 *     ioctl: arg1 == KVM_RUN || arg1 == FIONBIO
 *     mmap: arg2 & PROT_EXEC == 0 && arg3 & MAP_SHARED == MAP_SHARED
 *     openat: return ENOENT                 fail with an errno
 *     @include common_device.policy         one level only
 *
 * The parser turns text into a struct policy and never touches the kernel;
 * policy_bpf turns a struct policy into a libseccomp filter.  Every error is
 * reported as "FILE:LINE: message" in a caller buffer.  This code reads
 * operator- and build-supplied text only and must never print or exit.
 */
#ifndef HYVE_POLICY_LANG_H
#define HYVE_POLICY_LANG_H

#include <stddef.h>
#include <stdint.h>

/* libseccomp takes at most one comparison per argument in one rule. */
#define POLICY_MAX_CONDS	6
/* Alternatives ('||') per rule: each one becomes a libseccomp rule. */
#define POLICY_MAX_ALTS		32
#define POLICY_ERRLEN		256
#define POLICY_NAME_MAX		64

enum policy_action {
	POLICY_KILL,		/* not in the policy: the default action */
	POLICY_ALLOW,
	POLICY_ERRNO,
};

enum policy_op {
	POLICY_OP_EQ,
	POLICY_OP_NE,
	POLICY_OP_LT,
	POLICY_OP_LE,
	POLICY_OP_GT,
	POLICY_OP_GE,
	POLICY_OP_MASKED_EQ,	/* (arg & mask) == value */
};

struct policy_cond {
	unsigned int arg;	/* 0 to 5 */
	enum policy_op op;
	uint64_t mask;		/* POLICY_OP_MASKED_EQ only */
	uint64_t value;
};

/* One '&&' group. */
struct policy_alt {
	unsigned int ncond;
	struct policy_cond cond[POLICY_MAX_CONDS];
};

struct policy_rule {
	char name[POLICY_NAME_MAX];	/* syscall name as written */
	int nr;				/* native syscall number */
	enum policy_action action;	/* POLICY_ALLOW or POLICY_ERRNO */
	int err;			/* POLICY_ERRNO: the errno */
	unsigned int nalt;		/* 0: unconditional */
	struct policy_alt *alt;
	char file[POLICY_NAME_MAX];	/* where the rule is written */
	unsigned int line;
};

struct policy {
	struct policy_rule *rule;
	size_t nrule;
};

/*
 * Where '@include NAME' finds NAME: on success *text is a malloc()ed,
 * NUL-terminated copy that the parser frees.  Returns 0 or -errno
 * (-ENOENT: no such policy).
 */
struct policy_source {
	int (*read)(void *ctx, const char *name, char **text);
	void *ctx;
};

/*
 * Parse TEXT (the policy called FILE) into *P, which must be zeroed or
 * freed.  Returns 0, or -EINVAL with "FILE:LINE: message" in ERR (another
 * -errno for allocation failure).  On error *P is left empty.
 */
int policy_parse(struct policy *p, const char *file, const char *text,
		 const struct policy_source *src, char *err, size_t errlen);
void policy_free(struct policy *p);

/* The rule for syscall NR, or NULL. */
const struct policy_rule *policy_find(const struct policy *p, int nr);

/*
 * What the policy does with syscall NR called with ARGS: POLICY_ALLOW,
 * POLICY_ERRNO (errno in *err) or POLICY_KILL.  The reference semantics
 * that the proof compares the kernel's behaviour with.
 */
enum policy_action policy_eval(const struct policy *p, int nr,
			       const uint64_t args[6], int *err);

/* True when the arguments satisfy every comparison of ALT. */
int policy_alt_match(const struct policy_alt *alt, const uint64_t args[6]);

/* Number of rules that allow (not errno), and how many of those have conditions. */
void policy_count(const struct policy *p, unsigned int *allowed,
		  unsigned int *conditional, unsigned int *errnos);

#endif
