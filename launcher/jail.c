/*
 * jail: the ordered list of hyve-jail's steps and the code that runs them.
 *
 * The order is the security argument, so it lives in one table with the
 * reason for each position next to it.  A failing step is reported by name
 * and every step before it is undone in reverse order.
 *
 * Must never: run a box-side step in the host process, or leave a host
 * change (run dir, tap, cgroup) behind on an error path.
 */
#define _GNU_SOURCE
#include "jail.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "jail_cgroup.h"
#include "jail_env.h"
#include "jail_helper.h"
#include "jail_ns.h"
#include "jail_priv.h"
#include "jail_profile.h"
#include "jail_res.h"
#include "jail_root.h"
#include "jail_run.h"

/*
 * Host steps, in the order they run.
 */
static const struct jail_step host_steps[] = {
	/* env first: nothing we inherited (environment, fds, umask) may leak
	 * into the files we create or the box we build. */
	{ "env", jail_env_run, NULL, jail_env_plan },
	/* profile before anything is created: a refused profile must leave
	 * the host exactly as it was. */
	{ "profile", jail_profile_run, NULL, jail_profile_plan },
	/* rundir next, under the run lock: creating /run/hyve/NAME is what
	 * makes the name (and an auto uid) ours, so a second hyve-jail for
	 * the same VM stops here before it opens a tap or makes a cgroup. */
	{ "rundir", jail_run_dir_make, jail_run_dir_undo, jail_run_dir_plan },
	/* res while we still see the host's filesystem and network: after
	 * the namespaces and pivot_root none of these paths exist. */
	{ "res", jail_res_open, jail_res_undo, jail_res_plan },
	/* cgroups now, because after pivot_root (and in the cgroup
	 * namespace) we can no longer reach them, and the device list they
	 * enforce needs the resources opened above. */
	{ "cgroup", jail_cgroup_make, jail_cgroup_undo, jail_cgroup_plan },
};
#define NHOST ((int)(sizeof(host_steps) / sizeof(host_steps[0])))

void
jail_init(struct jail *j)
{
	memset(j, 0, sizeof(*j));
	j->kvm_fd = j->pty_master = j->pty_slave = -1;
	j->kernel_fd = j->initrd_fd = j->exec_fd = j->netns_fd = -1;
	j->null_fd = j->ctl_fd = -1;
	j->out_pipe[0] = j->out_pipe[1] = j->err_pipe[0] = j->err_pipe[1] = -1;
	j->bpf_fd = -1;
	j->sync_up[0] = j->sync_up[1] = j->sync_go[0] = j->sync_go[1] = -1;
	for (int i = 0; i < JAIL_HELPER_KINDS; i++)
		j->helper_exec_fd[i] = -1;
	for (int i = 0; i < JAIL_MAX_HELPERS; i++)
		j->helpers[i].sock[0] = j->helpers[i].sock[1] = -1;
	j->cg_v2.procs_fd = -1;
	for (int i = 0; i < JAIL_CG_V1_CTRLS; i++)
		j->cg_v1[i].procs_fd = -1;
	for (int i = 0; i < JAIL_MAX_DISKS; i++)
		j->disks[i].fd = -1;
	for (int i = 0; i < JAIL_MAX_TAPS; i++)
		j->taps[i].fd = -1;
	j->stop_timeout = 30;
	j->plan = stdout;
	snprintf(j->run_base, sizeof(j->run_base), "%s", JAIL_RUN_DIR);
	j->uid_lo = 2000000;
	j->uid_hi = 2065535;
}

void
jail_fini(struct jail *j)
{
	if (j->cfg != NULL)
		cfg_free(j->cfg);
	j->cfg = NULL;
}

int
jail_err(struct jail *j, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->err, sizeof(j->err), fmt, ap);
	va_end(ap);
	return err < 0 ? err : -EINVAL;
}

void
jail_plan(struct jail *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(j->plan, fmt, ap);
	va_end(ap);
	fputc('\n', j->plan);
}

int
jail_write_file(int dirfd, const char *path, const char *val)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	size_t len = strlen(val);
	ssize_t n = write(fd, val, len);
	int e = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) < 0 && e == 0)
		e = -errno;
	return e;
}

int
jail_host_setup(struct jail *j, const char **failed)
{
	int i, r = 0;

	for (i = 0; i < NHOST; i++) {
		r = host_steps[i].run(j);
		if (r < 0)
			break;
	}
	if (r == 0)
		return 0;
	*failed = host_steps[i].name;
	/* Undo what was done, newest first (kvmtool's init stages).  The
	 * failing step undoes its own partial work too: each undo only
	 * removes what its run recorded as made. */
	for (; i >= 0; i--)
		if (host_steps[i].undo != NULL)
			host_steps[i].undo(j);
	return r;
}

void
jail_host_teardown(struct jail *j)
{
	for (int i = NHOST - 1; i >= 0; i--)
		if (host_steps[i].undo != NULL)
			host_steps[i].undo(j);
}

void
jail_print_plan(struct jail *j)
{
	int n = 1;

	for (int i = 0; i < NHOST; i++) {
		jail_plan(j, "step %d: %s", n++, host_steps[i].name);
		host_steps[i].plan(j);
	}
	jail_plan(j, "step %d: supervise", n++);
	jail_run_plan(j);
	jail_plan(j, "step %d: ns (in the box)", n++);
	jail_ns_plan(j);
	jail_plan(j, "step %d: root (in the box)", n++);
	jail_root_plan(j);
	jail_plan(j, "step %d: helpers (in the box, children of the "
	    "supervisor)", n++);
	jail_helper_plan(j);
	jail_plan(j, "step %d: priv (in the box)", n++);
	jail_priv_plan(j);
	jail_plan(j, "step %d: exec (in the box)", n++);
	jail_run_exec_plan(j);
}
