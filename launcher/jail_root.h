/*
 * jail_root: step 8 of hyve-jail, the box's own root filesystem.
 *
 * Must never: run in the host's mount namespace (it changes mounts), or
 * leave a host path reachable from the box.
 */
#ifndef HYVE_JAIL_ROOT_H
#define HYVE_JAIL_ROOT_H

struct jail;

int jail_root_enter(struct jail *j);
void jail_root_plan(struct jail *j);

#endif
