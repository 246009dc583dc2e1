/*
 * jail_run: /run/hyve/NAME, the supervising parent and the exec of hyve.
 *
 * The run directory is the VM's lock and runtime state (pid, uid, console
 * link).  The supervisor is a small root parent that stays outside the
 * box: it waits for the box, restarts it on a guest reboot when
 * jail.restart=on-reboot (vmrun.sh's loop), turns SIGTERM into SIGTERM to
 * hyve (an ACPI power-off) and then SIGKILL after jail.stop_timeout, and
 * on any exit removes what the host steps made.
 *
 * Must never: exit without the cleanup, or let the box run host code after
 * a box step failed.
 */
#define _GNU_SOURCE
#include "jail_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "jail.h"
#include "jail_cgroup.h"
#include "jail_helper.h"
#include "jail_ns.h"
#include "jail_priv.h"
#include "jail_profile.h"
#include "jail_root.h"

#define EXIT_ERROR	4

/* ------------------------------------------------------------ run dir */

int
jail_run_dir_make(struct jail *j)
{
	char lock[PATH_MAX + 16], who[JAIL_NAME_MAX], uid[16];
	int lfd, r = 0;

	if (mkdir(j->run_base, 0711) < 0 && errno != EEXIST)
		return jail_err(j, -errno, "%s: %m", j->run_base);
	/* One lock for all VMs: the name and the auto uid are picked and
	 * recorded atomically with respect to every other hyve-jail. */
	snprintf(lock, sizeof(lock), "%s/.lock", j->run_base);
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lfd < 0)
		return jail_err(j, -errno, "%s: %m", lock);
	if (flock(lfd, LOCK_EX) < 0) {
		r = jail_err(j, -errno, "%s: %m", lock);
		goto out;
	}
	snprintf(j->rundir, sizeof(j->rundir), "%s/%s", j->run_base, j->name);
	/* Checked again under the lock: a supervisor killed with SIGKILL
	 * could not clean up; its box died with it (PDEATHSIG), what it
	 * made goes now, before we make ours. */
	if (jail_profile_stale(j->run_base, j->name, &j->stale_pid)) {
		jail_cgroup_remove_stale(j);
		j->rundir_made = true;
		jail_run_dir_undo(j);
	}
	if (mkdir(j->rundir, 0700) < 0) {
		r = errno == EEXIST ? jail_err(j, -EEXIST, "%s: name: VM \"%s\""
		    " is already running (%s exists)", cfg_origin(j->cfg,
		    "name") ? cfg_origin(j->cfg, "name") : j->profile, j->name,
		    j->rundir) : jail_err(j, -errno, "%s: %m", j->rundir);
		goto out;
	}
	j->rundir_made = true;
	if (j->uid_auto) {
		if (jail_profile_pick_uid(j->run_base, j->uid_lo, j->uid_hi,
		    &j->uid) < 0) {
			r = jail_err(j, -EBUSY, "jail.uid_range: no free uid "
			    "in %u-%u", (unsigned)j->uid_lo,
			    (unsigned)j->uid_hi);
			goto out;
		}
		if (cfg_get(j->cfg, "jail.gid") == NULL)
			j->gid = (gid_t)j->uid;
	} else if (jail_profile_uid_used(j->run_base, j->name, j->uid, who,
	    sizeof(who))) {
		r = jail_err(j, -EBUSY, "jail.uid: uid %u is already used by "
		    "running VM \"%s\"", (unsigned)j->uid, who);
		goto out;
	}
	snprintf(uid, sizeof(uid), "%u\n", (unsigned)j->uid);
	snprintf(lock, sizeof(lock), "%s/uid", j->rundir);
	int fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, uid, strlen(uid)) != (ssize_t)strlen(uid))
		r = jail_err(j, -errno, "%s: %m", lock);
	if (fd >= 0)
		close(fd);
	/* The helpers' uids, still under the lock: unique like the VM's. */
	if (r == 0)
		r = jail_helper_pick_uids(j);
out:
	close(lfd);
	return r;
}

void
jail_run_dir_undo(struct jail *j)
{
	static const char *const files[] = { "console", "ctl.sock", "pid",
	    "uid", "helper-uids", "log" };
	int dfd;

	if (!j->rundir_made)
		return;
	dfd = open(j->rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd >= 0) {
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			(void)unlinkat(dfd, files[i], 0);
		close(dfd);
	}
	if (rmdir(j->rundir) < 0 && errno != ENOENT)
		fprintf(stderr, "hyve-jail: cleanup: rmdir %s: %s\n",
		    j->rundir, strerror(errno));
	j->rundir_made = false;
}

void
jail_run_dir_plan(struct jail *j)
{
	jail_plan(j, "  mkdir %s (0711), flock %s/.lock", j->run_base,
	    j->run_base);
	jail_plan(j, "  mkdir %s/%s (0700): fails if the VM runs already",
	    j->run_base, j->name);
	if (j->uid_auto)
		jail_plan(j, "  jail.uid=auto: first uid in %u-%u that is no "
		    "host account and no running VM's (now: %u)",
		    (unsigned)j->uid_lo, (unsigned)j->uid_hi,
		    (unsigned)j->uid);
	jail_plan(j, "  write %s/%s/uid = %u", j->run_base, j->name,
	    (unsigned)j->uid);
	if (j->nhelpers > 0)
		jail_plan(j, "  pick %d helper uid(s), write %s/%s/helper-uids "
		    "(see step helpers)", j->nhelpers, j->run_base, j->name);
}

/* --------------------------------------------------------------- argv */

struct argbuild {
	struct jail *j;
	char **argv;
	int argc, max;
	char *strs;
	size_t used, len;
	int r;
};

static char *
arg_str(struct argbuild *a, const char *s1, const char *s2)
{
	size_t n = strlen(s1) + strlen(s2) + 1;
	char *p;

	if (a->used + n > a->len)
		return NULL;
	p = a->strs + a->used;
	snprintf(p, n, "%s%s", s1, s2);
	a->used += n;
	return p;
}

static int
push(struct argbuild *a, char *s)
{
	if (s == NULL || a->argc + 1 >= a->max)
		return -E2BIG;
	a->argv[a->argc++] = s;
	a->argv[a->argc] = NULL;
	return 0;
}

/* Which fd (in the VMM) replaces the value of key, or -1.  The layout:
 * 3 /dev/kvm, then the boot files, the console, one vhost-user socket per
 * helper (pci.B.S.F.sock) and the control socket. */
static int
fd_for_key(const struct jail *j, const char *key)
{
	char k[64];
	int n = 4;

	if (strcmp(key, "kvm.path") == 0)
		return j->kvm_fd >= 0 ? 3 : -1;
	if (j->kernel[0] != '\0') {
		if (strcmp(key, "boot.kernel") == 0)
			return n;
		n++;
	}
	if (j->initrd[0] != '\0') {
		if (strcmp(key, "boot.initrd") == 0)
			return n;
		n++;
	}
	if (j->console) {
		if (strcmp(key, j->console_key) == 0)
			return n;
		n++;
	}
	for (int i = 0; i < j->nhelpers; i++, n++) {
		snprintf(k, sizeof(k), "%s.sock", j->helpers[i].slot);
		if (strcmp(key, k) == 0)
			return n;
	}
	if (strcmp(key, "ctl.path") == 0)
		return n;
	return -1;
}

/* A device option that is its helper's business (the helper got it on
 * its command line, and the disk or tap as its fd), not hyve's.  path and
 * backend stay, as text: hyve's config check wants them for virtio-blk
 * and virtio-net, and with pci.B.S.F.sock set hyve never opens them (the
 * box could not reach them anyway). */
static bool
helper_key(const struct jail *j, const char *key)
{
	static const char *const opts[] = { "ro", "nocache", "direct",
	    "sectorsize", "ser", "mac", "mtu", "sock" };
	size_t n;

	for (int i = 0; i < j->nhelpers; i++) {
		n = strlen(j->helpers[i].slot);
		if (strncmp(key, j->helpers[i].slot, n) != 0 || key[n] != '.')
			continue;
		for (size_t o = 0; o < sizeof(opts) / sizeof(opts[0]); o++)
			if (strcmp(key + n + 1, opts[o]) == 0)
				return true;
	}
	return false;
}

/* "-o key=fd:N" */
static int
push_fd_key(struct argbuild *a, const char *key, int fd)
{
	char kv[96];

	snprintf(kv, sizeof(kv), "%s=fd:%d", key, fd);
	if (push(a, arg_str(a, "-o", "")) < 0 || push(a, arg_str(a, kv,
	    "")) < 0)
		return -E2BIG;
	return 0;
}

static int
arg_key(const char *key, const char *value, const char *origin, void *arg)
{
	struct argbuild *a = arg;
	char kv[64];
	int fd;

	(void)origin;
	if (strncmp(key, "jail.", 5) == 0 || helper_key(a->j, key))
		return 0;
	/* Ours to give, whatever the profile says: added at the end. */
	if (strcmp(key, "kvm.path") == 0 || strcmp(key, "ctl.path") == 0)
		return 0;
	fd = fd_for_key(a->j, key);
	if (fd >= 0) {
		snprintf(kv, sizeof(kv), "=fd:%d", fd);
		value = kv;
	}
	if (push(a, arg_str(a, "-o", "")) < 0 ||
	    push(a, arg_str(a, key, fd >= 0 ? "" : "=")) < 0) {
		a->r = -E2BIG;
		return 1;
	}
	/* Append the value to the key just pushed. */
	a->used--;
	if (arg_str(a, value, "") == NULL) {
		a->r = -E2BIG;
		return 1;
	}
	return 0;
}

int
jail_run_argv(struct jail *j, char **argv, int max, char *strs,
    size_t strslen, int *fdmap, int nfdmap, int *nfds)
{
	struct argbuild a = { .j = j, .argv = argv, .max = max, .strs = strs,
	    .len = strslen };
	const char *base = strrchr(j->exec_path, '/');
	char args[sizeof(j->exec_args)], *save = NULL;
	int n = 0;

	/* The fd layout the VMM is handed: 3 = /dev/kvm, then boot files,
	 * console, the helpers' sockets in profile order and the control
	 * socket (see hyve-jail(8)).  Disks and taps go to the helpers. */
	if (nfdmap < 6 + JAIL_MAX_HELPERS)
		return -E2BIG;
	fdmap[n++] = j->kvm_fd;
	if (j->kernel[0] != '\0')
		fdmap[n++] = j->kernel_fd;
	if (j->initrd[0] != '\0')
		fdmap[n++] = j->initrd_fd;
	if (j->console)
		fdmap[n++] = j->pty_master;
	for (int i = 0; i < j->nhelpers; i++)
		fdmap[n++] = j->helpers[i].sock[0];
	fdmap[n++] = j->ctl_fd;		/* always last */
	*nfds = n;

	if (push(&a, arg_str(&a, base != NULL ? base + 1 : j->exec_path,
	    "")) < 0)
		return -E2BIG;
	snprintf(args, sizeof(args), "%s", j->exec_args);
	for (char *t = strtok_r(args, " ", &save); t != NULL;
	    t = strtok_r(NULL, " ", &save))
		if (push(&a, arg_str(&a, t, "")) < 0)
			return -E2BIG;
	cfg_foreach(j->cfg, "", arg_key, &a);
	if (a.r < 0)
		return a.r;
	/* jail.seccomp=log: hyve's own filters log too (its "seccomp" key),
	 * or the first call they lack would still kill it. */
	if (j->seccomp_log && cfg_get(j->cfg, "seccomp") == NULL &&
	    (push(&a, arg_str(&a, "-o", "")) < 0 ||
	    push(&a, arg_str(&a, "seccomp=log", "")) < 0))
		return -E2BIG;
	/* What only we can give: the KVM device, each device's back end
	 * socket and the control socket. */
	if (j->kvm_fd >= 0 && push_fd_key(&a, "kvm.path", 3) < 0)
		return -E2BIG;
	for (int i = 0; i < j->nhelpers; i++) {
		char k[64];
		snprintf(k, sizeof(k), "%s.sock", j->helpers[i].slot);
		if (push_fd_key(&a, k, fd_for_key(j, k)) < 0)
			return -E2BIG;
	}
	if (push_fd_key(&a, "ctl.path", fd_for_key(j, "ctl.path")) < 0)
		return -E2BIG;
	return a.argc;
}

/* ---------------------------------------------------------------- box */

#define MAX_ARGS	1024
#define FDMAP_MAX	(6 + JAIL_MAX_HELPERS)

static int
box_exec(struct jail *j)
{
	static char strs[64 << 10];
	static char *argv[MAX_ARGS];
	char *const envp[] = { NULL };
	int fdmap[FDMAP_MAX], nfds, argc, hi, r;

	argc = jail_run_argv(j, argv, MAX_ARGS, strs, sizeof(strs), fdmap,
	    FDMAP_MAX, &nfds);
	if (argc < 0)
		return jail_err(j, argc, "too many arguments for the VMM");
	/* Move every fd we hand over out of the way first (high numbers,
	 * close-on-exec), so that placing them at 3.. cannot clobber one
	 * another, then close everything else: the VMM gets exactly these
	 * fds and 0-2. */
	hi = 3 + FDMAP_MAX + 8;
	for (int i = 0; i < nfds; i++) {
		if (fdmap[i] < 0)
			continue;
		int fd = fcntl(fdmap[i], F_DUPFD_CLOEXEC, hi);
		if (fd < 0)
			return jail_err(j, -errno, "dup: %m");
		fdmap[i] = fd;
		hi = fd + 1;
	}
	/* stdio: /dev/null and the supervisor's pipes, so the box never
	 * holds the caller's terminal; the terminal itself only when a
	 * serial port is stdio (bhyve's -l com1,stdio). */
	if (!j->stdio_serial && (dup2(j->null_fd, 0) < 0 ||
	    dup2(j->out_pipe[1], 1) < 0 || dup2(j->err_pipe[1], 2) < 0))
		return jail_err(j, -errno, "stdio: %m");
	int xfd = fcntl(j->exec_fd, F_DUPFD_CLOEXEC, hi);
	if (xfd < 0)
		return jail_err(j, -errno, "dup: %m");
	if (syscall(SYS_close_range, 3U, (unsigned)(3 + FDMAP_MAX + 7), 0U) < 0)
		return jail_err(j, -errno, "close_range: %m");
	for (int i = 0; i < nfds; i++)
		if (fdmap[i] >= 0 && dup2(fdmap[i], 3 + i) < 0)
			return jail_err(j, -errno, "dup2: %m");
	if (syscall(SYS_close_range, (unsigned)(3 + nfds),
	    (unsigned)(xfd - 1), 0U) < 0 ||
	    syscall(SYS_close_range, (unsigned)(xfd + 1), ~0U, 0U) < 0)
		return jail_err(j, -errno, "close_range: %m");

	/* The filter goes on last: it has to allow only this execveat of
	 * everything this file does. */
	if ((r = jail_priv_seccomp(j)) < 0)
		return r;
	/* execveat on the fd opened by root on the host: there is no path
	 * to look up in the box, and nothing to swap under us. */
	syscall(SYS_execveat, xfd, "", argv, envp, AT_EMPTY_PATH);
	return jail_err(j, -errno, "execveat %s: %m", j->exec_path);
}

/* Everything the box does, in order.  Runs as pid 1 of the new pid
 * namespace, still root, in the host's filesystem until jail_root. */
static int
box_main(struct jail *j)
{
	int r;

	/* cgroup first: CLONE_NEWCGROUP (in jail_ns_enter) roots the box's
	 * cgroup view where it stands, so it must stand in its leaf. */
	if ((r = jail_cgroup_join(j)) < 0)
		return r;
	if ((r = jail_ns_enter(j)) < 0)
		return r;
	/* The new root needs CAP_SYS_ADMIN and CAP_MKNOD: before priv. */
	if ((r = jail_root_enter(j)) < 0)
		return r;
	/* The root is built: the supervisor may now start the helpers in
	 * our namespaces (jail_helper.c), while we drop our privileges. */
	if (j->nhelpers > 0 && write(j->sync_up[1], "r", 1) != 1)
		return jail_err(j, -errno, "sync: %m");
	if ((r = jail_priv_drop(j)) < 0)
		return r;
	/* hyve talks to its helpers first thing: they must exist. */
	if (j->nhelpers > 0) {
		char c;
		ssize_t n = read(j->sync_go[0], &c, 1);
		if (n != 1)
			return jail_err(j, -EIO, "the supervisor could not "
			    "start the device helpers");
	}
	return box_exec(j);
}

/* -------------------------------------------------------- supervisor */

static int
status_of(struct jail *j, int ws)
{
	j->box_signal = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws) <= 4 ? WEXITSTATUS(ws) : EXIT_ERROR;
	return EXIT_ERROR;
}

static int
write_pid(struct jail *j)
{
	char path[PATH_MAX + 8], buf[24];
	int fd;

	snprintf(path, sizeof(path), "%s/pid", j->rundir);
	snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return jail_err(j, -errno, "%s: %m", path);
	ssize_t n = write(fd, buf, strlen(buf));
	close(fd);
	return n == (ssize_t)strlen(buf) ? 0 : jail_err(j, -EIO, "%s: short "
	    "write", path);
}

/* The file offsets are shared with every box we ever started: a new one
 * must find the boot files and disks where the first one did. */
static void
rewind_files(struct jail *j)
{
	if (j->kernel_fd >= 0)
		(void)lseek(j->kernel_fd, 0, SEEK_SET);
	if (j->initrd_fd >= 0)
		(void)lseek(j->initrd_fd, 0, SEEK_SET);
	for (int i = 0; i < j->ndisks; i++)
		(void)lseek(j->disks[i].fd, 0, SEEK_SET);
}

/* Copy what the box wrote to our own stdout/stderr; returns when the pipe
 * is empty.  A lost write (our stdout closed) loses output, never the VM. */
static void
relay(int from, int to)
{
	char buf[4096];
	ssize_t n;

	if (from < 0)
		return;
	while ((n = read(from, buf, sizeof(buf))) > 0)
		(void)!write(to, buf, (size_t)n);
}

static int
make_pipes(struct jail *j)
{
	if (j->stdio_serial)
		return 0;
	if (pipe2(j->out_pipe, O_CLOEXEC) < 0 ||
	    pipe2(j->err_pipe, O_CLOEXEC) < 0)
		return jail_err(j, -errno, "pipe: %m");
	/* Our ends never block: we drain them in the wait loop. */
	if (fcntl(j->out_pipe[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(j->err_pipe[0], F_SETFL, O_NONBLOCK) < 0)
		return jail_err(j, -errno, "pipe: %m");
	return 0;
}

static void
close_pipes(struct jail *j)
{
	int *fds[] = { &j->out_pipe[0], &j->out_pipe[1], &j->err_pipe[0],
	    &j->err_pipe[1] };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* The box's two pipes to us (root built; helpers started) and the
 * helpers' socketpairs, made fresh for each box. */
static int
box_sync_open(struct jail *j)
{
	if (j->nhelpers == 0)
		return 0;
	if (pipe2(j->sync_up, O_CLOEXEC) < 0 || pipe2(j->sync_go,
	    O_CLOEXEC) < 0)
		return jail_err(j, -errno, "pipe: %m");
	return jail_helper_pairs(j);
}

static void
box_sync_close(struct jail *j)
{
	int *fds[] = { &j->sync_up[0], &j->sync_up[1], &j->sync_go[0],
	    &j->sync_go[1] };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	jail_helper_close_pairs(j);
}

/* Wait until the box's root is built, start the helpers in it, tell the
 * box to go on.  A box that died before (a box step failed) just ends:
 * the wait loop reaps it and reports its status. */
static int
start_helpers(struct jail *j, pid_t box, bool *in_box)
{
	char c;
	int r = 0;

	*in_box = false;
	if (j->nhelpers == 0)
		return 0;
	close(j->sync_up[1]);
	j->sync_up[1] = -1;
	close(j->sync_go[0]);
	j->sync_go[0] = -1;
	ssize_t n;
	while ((n = read(j->sync_up[0], &c, 1)) < 0 && errno == EINTR)
		;
	if (n == 1) {
		r = jail_helper_start(j, box, in_box);
		if (*in_box)
			return -1;
		if (r == 0 && write(j->sync_go[1], "g", 1) != 1)
			r = jail_err(j, -errno, "sync: %m");
	}
	/* hyve and the helpers hold their ends; ours go. */
	box_sync_close(j);
	return r;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
jail_run_supervise(struct jail *j, int ready_fd, bool *in_box)
{
	sigset_t set, old;
	int sfd, ws = 0, r;
	bool stopping = false;

	*in_box = false;
	if ((r = write_pid(j)) < 0)
		return r;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &old) < 0)
		return jail_err(j, -errno, "sigprocmask: %m");
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return jail_err(j, -errno, "signalfd: %m");
	if ((r = make_pipes(j)) < 0) {
		close(sfd);
		return r;
	}
	/* A closed stdout must not kill the supervisor (and with it the
	 * cleanup); the box gets the default back before exec. */
	signal(SIGPIPE, SIG_IGN);

	for (;;) {
		long long started = now_ms(), deadline = -1;
		bool box_done = false;
		if ((r = box_sync_open(j)) < 0) {
			close(sfd);
			close_pipes(j);
			return r;
		}
		pid_t pid = jail_ns_clone(j);
		if (pid < 0) {
			box_sync_close(j);
			close(sfd);
			close_pipes(j);
			return pid;
		}
		if (pid == 0) {
			/* The box: no signal mask or fd of the supervisor
			 * (the mask survives exec, and main() blocked
			 * SIGTERM for the host steps). */
			sigset_t none;
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			signal(SIGPIPE, SIG_DFL);
			close(sfd);
			if (ready_fd >= 0)
				close(ready_fd);
			*in_box = true;
			return box_main(j) < 0 ? -1 : EXIT_ERROR;
		}
		j->box_pid = pid;
		/* Step 7: the helpers, once the box has built its root. */
		r = start_helpers(j, pid, in_box);
		if (*in_box)
			return -1;
		if (r < 0) {
			/* The box waits for the go that never comes: it
			 * fails and ends; what was started is reaped. */
			fprintf(stderr, "hyve-jail: %s: %s\n", j->name, j->err);
			kill(pid, SIGKILL);
		}
		if (ready_fd >= 0) {
			(void)!write(ready_fd, "1", 1);
			close(ready_fd);
			ready_fd = -1;
		}
		for (;;) {
			struct pollfd pf[3] = { { sfd, POLLIN, 0 },
			    { j->out_pipe[0], POLLIN, 0 },
			    { j->err_pipe[0], POLLIN, 0 } };
			int tmo = deadline < 0 ? -1 :
			    (int)(deadline > now_ms() ? deadline - now_ms() : 0);
			int n = poll(pf, 3, tmo);
			relay(j->out_pipe[0], 1);
			relay(j->err_pipe[0], 2);
			if (n < 0 && errno != EINTR) {
				/* Cannot watch it any more: end it. */
				kill(pid, SIGKILL);
				waitpid(pid, &ws, 0);
				break;
			}
			if (n == 0 && deadline >= 0) {
				/* The guest ignored the power button. */
				kill(pid, SIGKILL);
				deadline = -1;
				continue;
			}
			if (n > 0 && (pf[0].revents & POLLIN) != 0) {
				struct signalfd_siginfo si;
				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo != SIGCHLD && !stopping) {
					/* hyve turns SIGTERM into an ACPI
					 * power button press. */
					stopping = true;
					kill(pid, SIGTERM);
					deadline = now_ms() +
					    (long long)j->stop_timeout * 1000;
				}
			}
			/* Reap whatever ended: the box, or a helper (which
			 * is reported while the box still runs). */
			pid_t w;
			int cws;
			while ((w = waitpid(-1, &cws, WNOHANG)) > 0) {
				if (w == pid) {
					ws = cws;
					box_done = true;
				} else {
					(void)jail_helper_reaped(j, w, cws,
					    !box_done);
				}
			}
			if (box_done)
				break;
		}
		/* The kernel killed the helpers with pid 1: reap them. */
		jail_helper_reap_all(j);
		/* Whatever the box wrote before it died is in the pipes. */
		relay(j->out_pipe[0], 1);
		relay(j->err_pipe[0], 2);
		r = status_of(j, ws);
		if (stopping || j->restart == JAIL_RESTART_NO ||
		    (j->restart == JAIL_RESTART_ON_REBOOT && r != 0))
			break;
		/* Guest reboot: a fresh box on the same resources.  A guest
		 * that reboots in a tight loop is slowed to once a second. */
		if (now_ms() - started < 1000)
			nanosleep(&(struct timespec){ 1, 0 }, NULL);
		rewind_files(j);
	}
	j->box_pid = 0;
	close(sfd);
	close_pipes(j);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

void
jail_run_plan(struct jail *j)
{
	jail_plan(j, "  write %s/%s/pid (the supervisor's pid)", j->run_base,
	    j->name);
	jail_plan(j, "  supervisor stays outside as root: SIGTERM -> SIGTERM "
	    "to the VM (ACPI power-off), SIGKILL after %us", j->stop_timeout);
	jail_plan(j, "  restart: %s", j->restart == JAIL_RESTART_NO ? "no" :
	    j->restart == JAIL_RESTART_ALWAYS ? "always (any exit starts a "
	    "new box)" : "on-reboot (exit 0 starts a new box)");
	jail_plan(j, "  on exit: remove the cgroup, the created taps and %s/%s",
	    j->run_base, j->name);
}

void
jail_run_exec_plan(struct jail *j)
{
	static char strs[64 << 10];
	static char *argv[MAX_ARGS];
	int fdmap[FDMAP_MAX], nfds;
	int argc = jail_run_argv(j, argv, MAX_ARGS, strs, sizeof(strs), fdmap,
	    FDMAP_MAX, &nfds);
	const char *what[FDMAP_MAX];
	int n = 0;

	what[n++] = "/dev/kvm";
	if (j->kernel[0] != '\0')
		what[n++] = "boot.kernel";
	if (j->initrd[0] != '\0')
		what[n++] = "boot.initrd";
	if (j->console)
		what[n++] = "console pty master";
	for (int i = 0; i < j->nhelpers; i++)
		what[n++] = NULL;
	what[n++] = "control socket (ctl.path), bound, hyve listens";
	for (int i = 0, h = 0; i < n && i < nfds; i++) {
		if (what[i] != NULL) {
			jail_plan(j, "  fd %d = %s", 3 + i, what[i]);
			continue;
		}
		jail_plan(j, "  fd %d = vhost-user socket to %s (%s.sock)",
		    3 + i, jail_helper_prog(j->helpers[h].kind),
		    j->helpers[h].slot);
		h++;
	}
	jail_plan(j, "  fd 0 = /dev/null, fd 1 and 2 = pipes the supervisor "
	    "relays%s", j->stdio_serial ? " (here: the caller's stdio, a "
	    "serial port is stdio)" : "");
	jail_plan(j, "  close every other fd above 2; empty environment");
	if (argc < 0) {
		jail_plan(j, "  (argv too long)");
		return;
	}
	fprintf(j->plan, "  execveat(fd of %s):", j->exec_path);
	for (int i = 0; i < argc; i++)
		fprintf(j->plan, strchr(argv[i], ' ') != NULL ? " '%s'" : " %s",
		    argv[i]);
	fputc('\n', j->plan);
}
