/*
 * jail_root: an empty tmpfs becomes /, holding only /dev/kvm (when the
 * host has one), /dev/null, /dev/zero and /dev/urandom; the host's tree is
 * detached and the new root is made read-only.
 *
 * Runs in the box, in its new mount namespace, still as root: mknod and
 * pivot_root need CAP_MKNOD and CAP_SYS_ADMIN, dropped right after (see
 * jail_priv).  The tmpfs is mounted over the run directory, which exists
 * on the host; in the box's private namespace that hides nothing on the
 * host.
 *
 * Must never: mount with shared propagation (the box's mounts would show up
 * on the host), or open a path of the host after pivot_root.
 */
#define _GNU_SOURCE
#include "jail_root.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "jail.h"

struct node {
	const char *path;
	unsigned int major, minor;
	mode_t mode;
	bool vm_owned;			/* chown to the VM's uid/gid */
};

static const struct node nodes[] = {
	/* The VMM may re-open /dev/kvm; nobody else in the box exists. */
	{ "dev/kvm", 10, 232, 0600, true },
	{ "dev/null", 1, 3, 0666, false },
	{ "dev/zero", 1, 5, 0666, false },
	{ "dev/urandom", 1, 9, 0444, false },
};

int
jail_root_enter(struct jail *j)
{
	/* Private, recursively: from here on no mount event crosses between
	 * the host and the box, in either direction. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return jail_err(j, -errno, "make / private: %m");
	/* Small and fixed: the box has nothing to write. */
	if (mount("hyve", j->rundir, "tmpfs", MS_NOSUID | MS_NOEXEC,
	    "mode=0755,size=64k,nr_inodes=16") < 0)
		return jail_err(j, -errno, "mount tmpfs on %s: %m", j->rundir);
	if (chdir(j->rundir) < 0)
		return jail_err(j, -errno, "chdir %s: %m", j->rundir);
	if (mkdir("dev", 0755) < 0)
		return jail_err(j, -errno, "mkdir /dev: %m");
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		const struct node *n = &nodes[i];
		/* No /dev/kvm on the host (the test build on a machine
		 * without KVM): no node either. */
		if (n->major == 10 && n->minor == 232 && j->kvm_fd < 0)
			continue;
		/* mknod, not a bind mount: a bind would drag the host's
		 * devtmpfs inode (and its mount) into the box. */
		if (mknod(n->path, S_IFCHR | n->mode,
		    makedev(n->major, n->minor)) < 0)
			return jail_err(j, -errno, "mknod /%s: %m", n->path);
		/* umask 077 cut the mode: set it exactly. */
		if (chmod(n->path, n->mode) < 0 || (n->vm_owned &&
		    chown(n->path, j->uid, j->gid) < 0))
			return jail_err(j, -errno, "chmod /%s: %m", n->path);
	}
	/* pivot_root(".", "."): the old root is stacked under the new one
	 * and detached right away, so no directory for it is needed and
	 * nothing of the host stays reachable. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return jail_err(j, -errno, "pivot_root: %m");
	if (umount2(".", MNT_DETACH) < 0)
		return jail_err(j, -errno, "detach the old root: %m");
	if (chdir("/") < 0)
		return jail_err(j, -errno, "chdir /: %m");
	/* Read-only from now on: the box's root is a fixed set of device
	 * nodes, the VMM writes through fds only. */
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID |
	    MS_NOEXEC, NULL) < 0)
		return jail_err(j, -errno, "remount / read-only: %m");
	return 0;
}

void
jail_root_plan(struct jail *j)
{
	jail_plan(j, "  mount --make-rprivate /");
	jail_plan(j, "  mount tmpfs on %s/%s (nosuid,noexec,size=64k)",
	    j->run_base, j->name);
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		jail_plan(j, "  mknod /%s c %u:%u mode %04o%s%s", nodes[i].path,
		    nodes[i].major, nodes[i].minor, (unsigned)nodes[i].mode,
		    nodes[i].vm_owned ? " owner the VM's uid" : "",
		    nodes[i].minor == 232 ? " (only when the host has it)" :
		    "");
	jail_plan(j, "  pivot_root(., .); umount2(old root, MNT_DETACH)");
	jail_plan(j, "  remount / read-only,nosuid,noexec");
}
