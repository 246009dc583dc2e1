/*
 * jail_helper: step 7 of hyve-jail, start the device back ends.
 *
 * Every virtio device of the profile gets its own process (crosvm's
 * per-device sandboxes, vmd's privsep): hyve-blk on the disk fd, hyve-net
 * on the tap fd, hyve-rng on nothing.  hyve talks to each over one end of
 * a socketpair (vhost-user, pci.B.S.F.sock=fd:N); the helper gets the
 * other end as fd 3 and its device as fd 4, and nothing else.
 *
 * Where the helpers live: in the box (its pid, mount, ipc, uts, net and
 * cgroup namespaces, its cgroup, its empty read-only root), each under a
 * uid of its own, so that a helper taken over by the guest can neither
 * signal nor ptrace hyve nor another helper.  Their parent is the
 * supervisor, not hyve: the supervisor unshared a pid namespace for its
 * children (jail_ns_clone), so the box is pid 1 of it and every helper
 * forked afterwards is born in it, as the supervisor's child.  That is
 * what lets the supervisor reap them and report one that dies; and when
 * pid 1 (hyve) ends, the kernel kills every helper with it.
 *
 * Helper uids: for each helper, the lowest uid of jail.uid_range that is
 * no host account, not the VM's, not another helper's of this VM and not
 * used by any running VM (RUNDIR/uid and RUNDIR/helper-uids of every VM
 * are read under the run lock, which is held while they are picked).
 * The gid is the same number.
 *
 * Must never: hand a helper a capability, the VM's uid, hyve's fds or a
 * path; a helper's set-up failure must end that process, not run host code.
 */
#define _GNU_SOURCE
#include "jail_helper.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cfg.h"
#include "devices/net_mac.h"
#include "jail_cgroup.h"
#include "jail_priv.h"
#include "jail_profile.h"
#include "procfs.h"

#define HELPER_SOCK_FD	3
#define HELPER_DEV_FD	4
#define HELPER_MAX_ARGS	16

static const char *const progs[JAIL_HELPER_KINDS] = {
	[JAIL_HELPER_BLK] = "hyve-blk",
	[JAIL_HELPER_NET] = "hyve-net",
	[JAIL_HELPER_RNG] = "hyve-rng",
};

const char *
jail_helper_prog(enum jail_helper_kind kind)
{
	return kind < JAIL_HELPER_KINDS ? progs[kind] : "?";
}

/* ---------------------------------------------------------------- uids */

static int
pick_uids(struct jail *j, const char *run_base)
{
	uid_t taken[JAIL_MAX_HELPERS + 1];
	int n = 0;

	taken[n++] = j->uid;
	for (int i = 0; i < j->nhelpers; i++) {
		uid_t u;
		if (jail_profile_pick_uid_skip(run_base, j->uid_lo, j->uid_hi,
		    taken, n, &u) < 0)
			return jail_err(j, -EBUSY, "jail.uid_range: no free uid "
			    "in %u-%u for the helper of %s",
			    (unsigned)j->uid_lo, (unsigned)j->uid_hi,
			    j->helpers[i].slot);
		j->helpers[i].uid = u;
		taken[n++] = u;
	}
	return 0;
}

int
jail_helper_pick_uids(struct jail *j)
{
	char path[PATH_MAX + 16], buf[JAIL_MAX_HELPERS * 12 + 1];
	size_t len = 0;
	int fd, r;

	if (j->nhelpers == 0)
		return 0;
	if ((r = pick_uids(j, j->run_base)) < 0)
		return r;
	for (int i = 0; i < j->nhelpers; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%u\n",
		    (unsigned)j->helpers[i].uid);
	snprintf(path, sizeof(path), "%s/helper-uids", j->rundir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return jail_err(j, -errno, "%s: %m", path);
	r = write(fd, buf, len) == (ssize_t)len ? 0 : jail_err(j, -EIO,
	    "%s: short write", path);
	close(fd);
	return r;
}

/* ------------------------------------------------------------ programs */

int
jail_helper_open(struct jail *j)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	struct stat st;
	int r;

	/* The helpers come from where hyve comes from, next to hyve-jail
	 * (the test build too, whatever it execs as the VMM), opened now by
	 * root and executed later through the fd, like hyve itself: no path
	 * is looked up in the box. */
	if (j->nhelpers == 0)
		return 0;
	r = procfs_self_exe_dir(dir, sizeof(dir));
	if (r < 0)
		return jail_err(j, r, "/proc/self/exe: %s", strerror(-r));
	for (int i = 0; i < j->nhelpers; i++) {
		enum jail_helper_kind k = j->helpers[i].kind;
		if (j->helper_exec_fd[k] >= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, progs[k]);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return jail_err(j, -errno, "%s (the back end of %s): %m",
			    path, j->helpers[i].slot);
		j->helper_exec_fd[k] = fd;
		if (fstat(fd, &st) < 0)
			return jail_err(j, -errno, "%s: %m", path);
		if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0)
			return jail_err(j, -EACCES, "%s: not an executable "
			    "file", path);
		/* Whoever can replace a helper runs code in every box. */
		if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
			return jail_err(j, -EPERM, "%s: must be owned by root "
			    "and not writable by group or others", path);
	}
	return 0;
}

void
jail_helper_close(struct jail *j)
{
	for (int k = 0; k < JAIL_HELPER_KINDS; k++) {
		if (j->helper_exec_fd[k] >= 0)
			close(j->helper_exec_fd[k]);
		j->helper_exec_fd[k] = -1;
	}
}

/* ---------------------------------------------------------------- argv */

struct hargs {
	char *argv[HELPER_MAX_ARGS + 1];
	char strs[HELPER_MAX_ARGS][96];
	int argc, nstrs;
};

static int
add(struct hargs *a, const char *s)
{
	if (a->argc >= HELPER_MAX_ARGS || a->nstrs >= HELPER_MAX_ARGS)
		return -E2BIG;
	snprintf(a->strs[a->nstrs], sizeof(a->strs[0]), "%s", s);
	a->argv[a->argc++] = a->strs[a->nstrs++];
	a->argv[a->argc] = NULL;
	return 0;
}

static const char *
slot_key(const struct jail_helper *h, const char *opt, char *buf, size_t len)
{
	snprintf(buf, len, "%s.%s", h->slot, opt);
	return buf;
}

/* The command line hyve itself would give the helper (vmm/pci_virtio.c
 * launch_*): the profile's device options become the helper's. */
static int
build_args(const struct jail *j, const struct jail_helper *h,
    struct hargs *a)
{
	char k[96];
	const char *v;
	int r = 0;

	memset(a, 0, sizeof(*a));
	r |= add(a, progs[h->kind]);
	r |= add(a, "--fd");
	r |= add(a, "3");
	switch (h->kind) {
	case JAIL_HELPER_BLK:
		r |= add(a, "--disk-fd");
		r |= add(a, "4");
		if (j->disks[h->dev].ro)
			r |= add(a, "--ro");
		if ((v = cfg_get(j->cfg, slot_key(h, "sectorsize", k,
		    sizeof(k)))) != NULL) {
			r |= add(a, "--sectorsize");
			r |= add(a, v);
		}
		if ((v = cfg_get(j->cfg, slot_key(h, "ser", k,
		    sizeof(k)))) != NULL) {
			r |= add(a, "--serial");
			r |= add(a, v);
		}
		break;
	case JAIL_HELPER_NET: {
		unsigned int bus, slot, func;
		char mac[24];
		uint8_t m[6];

		r |= add(a, "--tap-fd");
		r |= add(a, "4");
		if ((v = cfg_get(j->cfg, slot_key(h, "mac", k,
		    sizeof(k)))) == NULL) {
			/* hyve's default MAC (bhyve's derivation): the
			 * helper announces it in config space. */
			if (sscanf(h->slot, "pci.%u.%u.%u", &bus, &slot,
			    &func) != 3)
				return -EINVAL;
			net_default_mac((int)slot, (int)func, j->name, m);
			snprintf(mac, sizeof(mac),
			    "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
			    m[3], m[4], m[5]);
			v = mac;
		}
		r |= add(a, "--mac");
		r |= add(a, v);
		if ((v = cfg_get(j->cfg, slot_key(h, "mtu", k,
		    sizeof(k)))) != NULL) {
			r |= add(a, "--mtu");
			r |= add(a, v);
		}
		break;
	}
	case JAIL_HELPER_RNG:
	case JAIL_HELPER_KINDS:
		break;
	}
	if (j->seccomp_log) {
		r |= add(a, "--seccomp");
		r |= add(a, "log");
	}
	return r < 0 ? -E2BIG : 0;
}

static int
dev_fd(const struct jail *j, const struct jail_helper *h)
{
	switch (h->kind) {
	case JAIL_HELPER_BLK:
		return j->disks[h->dev].fd;
	case JAIL_HELPER_NET:
		return j->taps[h->dev].fd;
	case JAIL_HELPER_RNG:
	case JAIL_HELPER_KINDS:
		break;
	}
	return -1;
}

/* ------------------------------------------------------------- sockets */

int
jail_helper_pairs(struct jail *j)
{
	for (int i = 0; i < j->nhelpers; i++) {
		struct jail_helper *h = &j->helpers[i];
		/* SOCK_STREAM: what vhost-user runs on and what the helpers
		 * check their fd 3 for. */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
		    h->sock) < 0) {
			int e = -errno;
			jail_helper_close_pairs(j);
			return jail_err(j, e, "socketpair for %s: %s", h->slot,
			    strerror(-e));
		}
	}
	return 0;
}

void
jail_helper_close_pairs(struct jail *j)
{
	for (int i = 0; i < j->nhelpers; i++)
		for (int s = 0; s < 2; s++) {
			if (j->helpers[i].sock[s] >= 0)
				close(j->helpers[i].sock[s]);
			j->helpers[i].sock[s] = -1;
		}
}

/* -------------------------------------------------------------- start */

/* In the helper's process: into the box, down to its uid, exec. */
static int
helper_child(struct jail *j, struct jail_helper *h, int boxfd)
{
	static char *const envp[] = { NULL };
	struct hargs a;
	int xfd, sock, dfd, r;

	/* The supervisor is the way out: if it dies, so do we (hyve's
	 * death kills us anyway: it is pid 1 of our pid namespace). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return jail_err(j, -errno, "PR_SET_PDEATHSIG: %m");
	if ((r = build_args(j, h, &a)) < 0)
		return jail_err(j, r, "too many arguments");
	/* The box's cgroup first, for the same reason as the box: the
	 * cgroup namespace we join next is rooted at its leaf. */
	if ((r = jail_cgroup_join(j)) < 0)
		return r;
	/* Every namespace of the box at once, through its pidfd: the
	 * mount namespace puts us at the box's root (the empty tmpfs),
	 * the host's filesystem is gone for us too. */
	if (setns(boxfd, CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS |
	    CLONE_NEWNET | CLONE_NEWCGROUP) < 0)
		return jail_err(j, -errno, "setns into the box: %m");
	if (chdir("/") < 0)
		return jail_err(j, -errno, "chdir /: %m");
	if ((r = jail_priv_drop_to(j, h->uid, (gid_t)h->uid,
	    JAIL_MEMLOCK_MIN)) < 0)
		return r;
	/* Exactly: 0 /dev/null, 1 and 2 the supervisor's pipes (a helper
	 * reports on stderr), 3 the vhost-user socket, 4 the device. */
	sock = fcntl(h->sock[1], F_DUPFD_CLOEXEC, 16);
	dfd = dev_fd(j, h) >= 0 ? fcntl(dev_fd(j, h), F_DUPFD_CLOEXEC, 16) :
	    -1;
	xfd = fcntl(j->helper_exec_fd[h->kind], F_DUPFD_CLOEXEC, 16);
	if (sock < 0 || xfd < 0 || (dev_fd(j, h) >= 0 && dfd < 0))
		return jail_err(j, -errno, "dup: %m");
	if (dup2(j->null_fd, 0) < 0 || (j->out_pipe[1] >= 0 &&
	    (dup2(j->out_pipe[1], 1) < 0 || dup2(j->err_pipe[1], 2) < 0)))
		return jail_err(j, -errno, "stdio: %m");
	if (dup2(sock, HELPER_SOCK_FD) < 0 ||
	    (dfd >= 0 && dup2(dfd, HELPER_DEV_FD) < 0))
		return jail_err(j, -errno, "dup2: %m");
	int first = dfd >= 0 ? HELPER_DEV_FD + 1 : HELPER_SOCK_FD + 1;
	if ((xfd > first && syscall(SYS_close_range, (unsigned)first,
	    (unsigned)(xfd - 1), 0U) < 0) ||
	    syscall(SYS_close_range, (unsigned)(xfd + 1), ~0U, 0U) < 0)
		return jail_err(j, -errno, "close_range: %m");
	/* Same filter as hyve's exec: the helper adds its own role's. */
	if ((r = jail_priv_seccomp(j)) < 0)
		return r;
	syscall(SYS_execveat, xfd, "", a.argv, envp, AT_EMPTY_PATH);
	return jail_err(j, -errno, "execveat %s: %m", progs[h->kind]);
}

int
jail_helper_start(struct jail *j, pid_t box, bool *in_box)
{
	int boxfd, r = 0;

	*in_box = false;
	if (j->nhelpers == 0)
		return 0;
	boxfd = (int)syscall(SYS_pidfd_open, box, 0);
	if (boxfd < 0)
		return jail_err(j, -errno, "pidfd_open(box): %m");
	for (int i = 0; i < j->nhelpers; i++) {
		struct jail_helper *h = &j->helpers[i];
		/* Born in the box's pid namespace (the supervisor's
		 * children are, see jail_ns_clone), child of ours. */
		pid_t pid = fork();
		if (pid < 0) {
			r = jail_err(j, -errno, "fork %s for %s: %m",
			    progs[h->kind], h->slot);
			break;
		}
		if (pid == 0) {
			sigset_t none;
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			signal(SIGPIPE, SIG_DFL);
			*in_box = true;
			r = helper_child(j, h, boxfd);
			/* helper_child only returns on failure */
			char m[JAIL_ERRLEN];
			snprintf(m, sizeof(m), "%s", j->err);
			jail_err(j, r, "helper %s (%s): %s", progs[h->kind],
			    h->slot, m);
			return -1;
		}
		h->pid = pid;
	}
	close(boxfd);
	return r;
}

/* ----------------------------------------------------------- reaping */

/*
 * Has the box's pid 1 begun to exit?  Then the kernel kills every helper
 * (zap_pid_ns_processes) and waits for us to reap them before pid 1 can
 * be reaped: such a death is the VM's end, not a helper's failure.
 * PF_EXITING in the flags field of /proc/PID/stat says so.
 */
static bool
box_exiting(pid_t box)
{
	struct procfs_stat st;

	/* Unreadable: pid 1 is gone already, which is the same answer. */
	if (procfs_stat(box, &st) < 0)
		return true;
	return (st.flags & PROCFS_PF_EXITING) != 0;
}

bool
jail_helper_reaped(struct jail *j, pid_t pid, int ws, bool box_alive)
{
	for (int i = 0; i < j->nhelpers; i++) {
		struct jail_helper *h = &j->helpers[i];
		if (h->pid != pid || pid <= 0)
			continue;
		h->pid = 0;
		/* Status 0 is a helper whose front end hung up: hyve is
		 * on its way out.  Anything else while hyve runs is a
		 * device gone (hyve marks it NEEDS_RESET and says so). */
		if (box_alive && !(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) &&
		    !box_exiting(j->box_pid)) {
			if (WIFSIGNALED(ws))
				fprintf(stderr, "hyve-jail: %s: helper %s (%s, "
				    "pid %d) was killed by SIG%s\n", j->name,
				    progs[h->kind], h->slot, (int)pid,
				    sigabbrev_np(WTERMSIG(ws)));
			else
				fprintf(stderr, "hyve-jail: %s: helper %s (%s, "
				    "pid %d) exited with status %d\n", j->name,
				    progs[h->kind], h->slot, (int)pid,
				    WEXITSTATUS(ws));
		}
		return true;
	}
	return false;
}

void
jail_helper_reap_all(struct jail *j)
{
	for (int i = 0; i < j->nhelpers; i++) {
		struct jail_helper *h = &j->helpers[i];
		if (h->pid <= 0)
			continue;
		/* pid 1 of their namespace is gone: the kernel sent them
		 * SIGKILL; this cannot block for long. */
		(void)kill(h->pid, SIGKILL);
		(void)waitpid(h->pid, NULL, 0);
		h->pid = 0;
	}
}

/* -------------------------------------------------------------- plan */

void
jail_helper_plan(struct jail *j)
{
	struct hargs a;
	uid_t taken[JAIL_MAX_HELPERS + 1];
	int n = 0;

	if (j->nhelpers == 0) {
		jail_plan(j, "  no virtio device: no helper");
		return;
	}
	taken[n++] = j->uid;
	jail_plan(j, "  for each virtio device: socketpair(AF_UNIX, "
	    "SOCK_STREAM); fork (in the box's pid namespace, child of the "
	    "supervisor, which reaps it)");
	jail_plan(j, "  in each: join the cgroup, setns(box pidfd, "
	    "mnt|ipc|uts|net|cgroup), its own uid (the next free in %u-%u, "
	    "written to %s/%s/helper-uids), no capabilities, no_new_privs, "
	    "fds 0 /dev/null, 1-2 pipes, 3 socket, 4 device, seccomp "
	    "launcher%s, execveat", (unsigned)j->uid_lo, (unsigned)j->uid_hi,
	    j->run_base, j->name, j->seccomp_log ? " (log)" : "");
	for (int i = 0; i < j->nhelpers; i++) {
		struct jail_helper *h = &j->helpers[i];
		uid_t u = h->uid;
		/* --dry-run picks nothing: show the uid it would get now. */
		if (u == 0 && jail_profile_pick_uid_skip(j->run_base,
		    j->uid_lo, j->uid_hi, taken, n, &u) < 0)
			u = 0;
		taken[n++] = u;
		char fd4[PATH_MAX + 32] = "none";
		if (h->kind == JAIL_HELPER_BLK)
			snprintf(fd4, sizeof(fd4), "%s", j->disks[h->dev].path);
		else if (h->kind == JAIL_HELPER_NET)
			snprintf(fd4, sizeof(fd4), "tap %s",
			    j->taps[h->dev].name);
		fprintf(j->plan, "  helper %s: uid %u, fd 3 = vhost-user "
		    "socket (hyve: %s.sock), fd 4 = %s, exec", h->slot,
		    (unsigned)u, h->slot, fd4);
		if (build_args(j, h, &a) < 0) {
			fputs(" (argv too long)\n", j->plan);
			continue;
		}
		for (int k = 0; k < a.argc; k++)
			fprintf(j->plan, " %s", a.argv[k]);
		fputc('\n', j->plan);
	}
}
