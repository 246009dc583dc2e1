/*
 * jail_priv: step 9 of hyve-jail, drop to the VM's uid with nothing left.
 *
 * Must never: return success while any capability, a supplementary group or
 * a way back to uid 0 remains.
 */
#ifndef HYVE_JAIL_PRIV_H
#define HYVE_JAIL_PRIV_H

#include <stdint.h>
#include <sys/types.h>

struct jail;

/* rlimits, capabilities, uid/gid, no_new_privs. */
int jail_priv_drop(struct jail *j);
/* The same for another uid/gid (a device helper) and MEMLOCK limit. */
int jail_priv_drop_to(struct jail *j, uid_t uid, gid_t gid,
    uint64_t memlock_max);
/* The MEMLOCK limit of a process that locks no guest memory. */
#define JAIL_MEMLOCK_MIN	(64u << 10)
/* The VMM's seccomp policy: the last step before exec. */
int jail_priv_seccomp(struct jail *j);
void jail_priv_plan(struct jail *j);

#endif
