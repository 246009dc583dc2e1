/*
 * jail_ns: give the box its own mount, pid, ipc, uts, net and cgroup
 * namespaces.
 *
 * The pid namespace only applies to children, so the box is a clone: it
 * is pid 1 of its namespace and sees no host process.  The network
 * namespace is new and empty (only lo) unless jail.netns names one: the
 * VM's taps are already open as fds and keep working from any namespace.
 *
 * Must never: share a namespace with the host once jail_ns_enter returned.
 */
#define _GNU_SOURCE
#include "jail_ns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail.h"

static unsigned long
clone_flags(const struct jail *j)
{
	/* CLONE_NEWCGROUP is not here: the box must first move into its
	 * leaf so that the leaf becomes the root of its cgroup view.  Nor
	 * CLONE_NEWPID: jail_ns_clone unshared it for all our children. */
	unsigned long f = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS;

	if (j->netns[0] == '\0')
		f |= CLONE_NEWNET;
	return f;
}

/*
 * A fresh pid namespace for the supervisor's children: the box, cloned
 * next, is its pid 1, and the helpers forked after it are born in it too,
 * as our children (jail_helper.c), which we can reap.  The namespace of a
 * box that ended is dead (no process can join it), so every box gets a new
 * one: back to our own namespace for children, then unshare again.
 */
static int
new_pid_ns(struct jail *j)
{
	int fd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return jail_err(j, -errno, "/proc/self/ns/pid: %m");
	int r = setns(fd, CLONE_NEWPID);
	int e = errno;
	close(fd);
	if (r < 0)
		return jail_err(j, -e, "setns(own pid namespace): %s",
		    strerror(e));
	if (unshare(CLONE_NEWPID) < 0)
		return jail_err(j, -errno, "unshare(CLONE_NEWPID): %m");
	return 0;
}

pid_t
jail_ns_clone(struct jail *j)
{
	int r = new_pid_ns(j);

	if (r < 0)
		return r;
	/* A raw clone with no new stack behaves like fork(). */
	long pid = syscall(SYS_clone, clone_flags(j) | SIGCHLD, 0L, 0L, 0L,
	    0L);

	if (pid < 0)
		return jail_err(j, -errno, "clone(namespaces): %m");
	return (pid_t)pid;
}

int
jail_ns_enter(struct jail *j)
{
	/* The supervisor is our only way out of here: if it dies (even by
	 * SIGKILL) the whole box goes with it, as pid 1 takes its
	 * namespace down. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return jail_err(j, -errno, "PR_SET_PDEATHSIG: %m");
	if (j->netns_fd >= 0 && setns(j->netns_fd, CLONE_NEWNET) < 0)
		return jail_err(j, -errno, "setns %s: %m", j->netns);
	if (unshare(CLONE_NEWCGROUP) < 0)
		return jail_err(j, -errno, "unshare(CLONE_NEWCGROUP): %m");
	if (sethostname(j->name, strlen(j->name)) < 0)
		return jail_err(j, -errno, "sethostname: %m");
	return 0;
}

void
jail_ns_plan(struct jail *j)
{
	jail_plan(j, "  supervisor: setns(/proc/self/ns/pid), "
	    "unshare(CLONE_NEWPID): a new pid namespace for its children");
	jail_plan(j, "  clone(CLONE_NEWNS|CLONE_NEWIPC|CLONE_NEWUTS%s): the "
	    "box is pid 1 of it", j->netns[0] == '\0' ? "|CLONE_NEWNET" : "");
	jail_plan(j, "  prctl(PR_SET_PDEATHSIG, SIGKILL)");
	jail_plan(j, "  write 0 to every cgroup.procs of the VM's cgroup");
	if (j->netns[0] != '\0')
		jail_plan(j, "  setns(%s, CLONE_NEWNET)", j->netns);
	else
		jail_plan(j, "  net namespace: new and empty (lo only)");
	jail_plan(j, "  unshare(CLONE_NEWCGROUP)");
	jail_plan(j, "  sethostname(%s)", j->name);
}
