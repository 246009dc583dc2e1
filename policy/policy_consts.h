/*
 * policy_consts: the symbolic constants and errno names a policy may use.
 *
 * One table, filled from the system headers at build time, so that a policy
 * says "arg1 == KVM_RUN" and never a magic number.  Lookup only: this code
 * must never allocate, print or depend on the running kernel.
 */
#ifndef HYVE_POLICY_CONSTS_H
#define HYVE_POLICY_CONSTS_H

#include <stdint.h>

/* 0 and the value in *value, or -ENOENT for an unknown name. */
int policy_const_lookup(const char *name, uint64_t *value);

/* 0 and the errno in *err, or -ENOENT for an unknown name. */
int policy_errno_lookup(const char *name, int *err);

/* "ENOENT" for ENOENT; NULL when the table does not know it. */
const char *policy_errno_name(int err);

#endif
