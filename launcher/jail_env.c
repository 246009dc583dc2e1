/*
 * jail_env: clear the environment, close inherited fds, set the umask.
 *
 * Firecracker's jailer does this before anything else and so do we: a
 * LD_PRELOAD-style variable or an fd leaked by whoever started us must not
 * reach the files we create or the VMM we exec.
 *
 * Must never: touch fds 0-2 (they are how we report errors) or allocate an
 * fd before closing the inherited ones.
 */
#define _GNU_SOURCE
#include "jail_env.h"

#include <errno.h>
#include <linux/close_range.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail.h"

int
jail_env_run(struct jail *j)
{
	/* The environment goes first: nothing below reads it, and the box
	 * gets an empty one of its own. */
	if (clearenv() != 0)
		return jail_err(j, -ENOMEM, "clearenv failed");
	/* Every fd above stderr is somebody else's; close_range is one
	 * syscall regardless of how many there are. */
	if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
		return jail_err(j, -errno, "close_range: %m");
	/* Files we create (run dir, pid file) are ours alone unless we say
	 * otherwise with an explicit mode. */
	umask(077);
	return 0;
}

void
jail_env_plan(struct jail *j)
{
	jail_plan(j, "  clearenv()");
	jail_plan(j, "  close_range(3, ~0U): close every inherited fd");
	jail_plan(j, "  umask(077)");
}
