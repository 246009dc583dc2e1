/*
 * jail_profile: step 2 of hyve-jail, read and check the profile.
 *
 * Must never: create, open for writing or change anything on the host.  A
 * refused profile leaves the host exactly as it was.
 */
#ifndef HYVE_JAIL_PROFILE_H
#define HYVE_JAIL_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct jail;
struct cfg;

/* The step: jail_profile_load + jail_profile_apply. */
int jail_profile_run(struct jail *j);
void jail_profile_plan(struct jail *j);

/* Open j->profile, refuse it unless root owns it and only root may write
 * it, then parse it and apply the -o overrides into j->cfg. */
int jail_profile_load(struct jail *j);
/* Validate j->cfg (jail.* keys here, the rest with cfg_validate), then
 * fill j's fields.  Reads the host (stat of disks, run dir) but changes
 * nothing. */
int jail_profile_apply(struct jail *j);

/* Check one jail.* key's value; message (without origin) in err. */
int jail_profile_check_key(const char *key, const char *value, char *err,
    size_t errlen);

/* Pick the lowest uid in [lo, hi] not used by a running VM (run_base/X/uid)
 * nor by a host account.  -EBUSY when the range is full. */
int jail_profile_pick_uid(const char *run_base, uid_t lo, uid_t hi,
    uid_t *out);
/* The same, skipping the nskip uids in skip (already picked for this VM:
 * its helpers' uids, jail_helper.c). */
int jail_profile_pick_uid_skip(const char *run_base, uid_t lo, uid_t hi,
    const uid_t *skip, int nskip, uid_t *out);
/* run_base/name exists but the hyve-jail (or hyve) its pid file names is
 * gone: *pid is that pid. */
bool jail_profile_stale(const char *run_base, const char *name, long *pid);
/* If a running VM (other than self_name) uses uid, as its own or one of
 * its helpers' (run_base/X/uid, run_base/X/helper-uids): its name in who. */
bool jail_profile_uid_used(const char *run_base, const char *self_name,
    uid_t uid, char *who, size_t wholen);

#endif
