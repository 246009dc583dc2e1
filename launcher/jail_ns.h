/*
 * jail_ns: step 7 of hyve-jail, the box's namespaces.
 *
 * Must never: leave the box in the host's mount, pid, net, ipc, uts or
 * cgroup namespace.
 */
#ifndef HYVE_JAIL_NS_H
#define HYVE_JAIL_NS_H

#include <sys/types.h>

struct jail;

/* fork() into new mount, pid, ipc, uts and net namespaces: returns the
 * box's pid in the parent, 0 in the box (which is pid 1 there), -errno. */
pid_t jail_ns_clone(struct jail *j);
/* In the box, after it joined its cgroup: the cgroup namespace, a named
 * network namespace if any, the hostname, death with the supervisor. */
int jail_ns_enter(struct jail *j);
void jail_ns_plan(struct jail *j);

#endif
