/*
 * virtio_helper: fork + exec of a device back end with only its own fds,
 * and reaping it through a pidfd.
 *
 * Everything the child needs (path, argv, envp) is built before fork();
 * between fork and exec the child only calls async-signal-safe syscalls,
 * because a multi-threaded parent's locks may be held in the copy.  It
 * must never leave a child behind: the child dies with hyve (parent-death
 * signal, and the helper exits on socket hang-up), and vhelper_stop()
 * kills and reaps it.
 */
#define _GNU_SOURCE
#include "vmm/virtio_helper.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/procfs.h"

/* SIGCHLD as a file, and the exits read from it (see vhelper_status). */
#define CHLD_KEEP 16
static struct {
	pthread_mutex_t lock;
	int fd;
	struct { pid_t pid; int code, status; } dead[CHLD_KEEP];
	unsigned int next;
} chld = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

static int chld_init(void)
{
	sigset_t set;
	int r = 0;

	pthread_mutex_lock(&chld.lock);
	if (chld.fd < 0) {
		sigemptyset(&set);
		sigaddset(&set, SIGCHLD);
		/* blocked, or the default action would discard it */
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		chld.fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
		if (chld.fd < 0)
			r = -errno;
	}
	pthread_mutex_unlock(&chld.lock);
	return r;
}

/* Move what the signalfd has into the table (lock held). */
static void chld_drain(void)
{
	struct signalfd_siginfo si;

	while (read(chld.fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_code != CLD_EXITED && si.ssi_code != CLD_KILLED &&
		    si.ssi_code != CLD_DUMPED)
			continue;	/* stopped/continued: not an end */
		chld.dead[chld.next].pid = (pid_t)si.ssi_pid;
		chld.dead[chld.next].code = si.ssi_code;
		chld.dead[chld.next].status = si.ssi_status;
		chld.next = (chld.next + 1) % CHLD_KEEP;
	}
}

int vhelper_chld_fd(void)
{
	int fd;

	pthread_mutex_lock(&chld.lock);
	fd = chld.fd;
	pthread_mutex_unlock(&chld.lock);
	return fd;
}

void vhelper_chld_drain(void)
{
	pthread_mutex_lock(&chld.lock);
	if (chld.fd >= 0)
		chld_drain();
	pthread_mutex_unlock(&chld.lock);
}

int vhelper_status(struct vhelper *h, int wait_ms, char *how, size_t len)
{
	struct pollfd p;
	unsigned int i;
	int waited = 0;

	if (h->pid <= 0 || chld.fd < 0)
		return 0;
	for (;;) {
		pthread_mutex_lock(&chld.lock);
		chld_drain();
		for (i = 0; i < CHLD_KEEP; i++) {
			if (chld.dead[i].pid != h->pid)
				continue;
			if (chld.dead[i].code == CLD_EXITED)
				snprintf(how, len, "exited with status %d",
				    chld.dead[i].status);
			else
				snprintf(how, len, "killed by signal %d",
				    chld.dead[i].status);
			chld.dead[i].pid = 0;
			pthread_mutex_unlock(&chld.lock);
			return 1;
		}
		pthread_mutex_unlock(&chld.lock);
		if (waited >= wait_ms)
			return 0;
		/* the pidfd can turn readable a moment before the signal */
		p.fd = chld.fd;
		p.events = POLLIN;
		(void)poll(&p, 1, 20);
		waited += 20;
	}
}

static int exec_ok(const char *path)
{
	return access(path, X_OK) == 0;
}

int vhelper_find(const char *prog, char *path, size_t len)
{
	char self[PATH_MAX];
	const char *p, *env;

	if (strchr(prog, '/') != NULL)
		return -EINVAL;
	if (procfs_self_exe_dir(self, sizeof(self)) == 0 &&
	    (size_t)snprintf(path, len, "%s/%s", self, prog) < len &&
	    exec_ok(path))
		return 0;
	env = getenv("PATH");
	if (env == NULL || *env == '\0')
		env = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin";
	for (p = env; *p;) {
		size_t l = strcspn(p, ":");

		if (l > 0 && (size_t)snprintf(path, len, "%.*s/%s", (int)l, p,
		    prog) < len && exec_ok(path))
			return 0;
		p += l;
		if (*p == ':')
			p++;
	}
	return -ENOENT;
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static void __attribute__((noreturn)) child(int sock, int dev_fd,
    const char *path, char *const *argv)
{
	static char *const envp[] = { NULL };
	sigset_t none;
	int s, d = -1, sig;

	/* hyve dies: so does its back end (survives exec, not setuid) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(126);
	/* a device helper never gains privileges by exec (its own seccomp
	 * policy needs this anyway) */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(126);
	/* hyve blocks its signals and ignores SIGPIPE: undo both */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	/* out of the way of 3 and 4 first, then into place without CLOEXEC */
	s = fcntl(sock, F_DUPFD, 10);
	if (dev_fd >= 0)
		d = fcntl(dev_fd, F_DUPFD, 10);
	if (s < 0 || (dev_fd >= 0 && d < 0) ||
	    dup2(s, VHELPER_SOCK_FD) < 0 ||
	    (d >= 0 && dup2(d, VHELPER_DEV_FD) < 0))
		_exit(126);
	/* nothing else of hyve's goes along: not the VM, not guest RAM */
	close_range(d >= 0 ? VHELPER_DEV_FD + 1 : VHELPER_SOCK_FD + 1, ~0U, 0);
	execve(path, argv, envp);
	_exit(127);
}

int vhelper_spawn(struct vhelper *h, const char *prog,
    const char *const *args, int dev_fd, char *err, size_t errlen)
{
	char path[PATH_MAX];
	char *argv[VHELPER_MAX_ARGS + 4];
	int sv[2], r, n = 0, i;
	pid_t pid;

	memset(h, 0, sizeof(*h));
	h->pidfd = h->sock = -1;
	snprintf(h->prog, sizeof(h->prog), "%s", prog);
	if (vhelper_find(prog, path, sizeof(path)) < 0) {
		snprintf(err, errlen, "back end %s not found next to hyve or "
		    "in PATH", prog);
		return -ENOENT;
	}
	argv[n++] = (char *)(uintptr_t)prog;
	argv[n++] = (char *)(uintptr_t)"--fd";
	argv[n++] = (char *)(uintptr_t)"3";
	for (i = 0; args && args[i]; i++) {
		if (i == VHELPER_MAX_ARGS) {
			snprintf(err, errlen, "%s: too many arguments", prog);
			return -E2BIG;
		}
		argv[n++] = (char *)(uintptr_t)args[i];
	}
	argv[n] = NULL;

	r = chld_init();
	if (r < 0) {
		snprintf(err, errlen, "signalfd(SIGCHLD): %s", strerror(-r));
		return r;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		r = -errno;
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return r;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		snprintf(err, errlen, "fork for %s: %s", prog, strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0)
		child(sv[1], dev_fd, path, argv);
	close(sv[1]);
	h->pid = pid;
	h->sock = sv[0];
	h->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (h->pidfd < 0) {
		r = -errno;
		snprintf(err, errlen, "pidfd_open(%s): %s", prog,
		    strerror(errno));
		vhelper_stop(h, 0, true);
		return r;
	}
	return 0;
}

int vhelper_exited(struct vhelper *h, int wait_ms)
{
	struct pollfd p = { .fd = h->pidfd, .events = POLLIN };

	if (h->pid <= 0 || h->pidfd < 0)
		return -ECHILD;
	return poll(&p, 1, wait_ms) > 0 ? 1 : 0;
}

int vhelper_reap(struct vhelper *h, int wait_ms, char *how, size_t len)
{
	struct pollfd p = { .fd = h->pidfd, .events = POLLIN };
	siginfo_t si;

	if (h->pid <= 0 || h->pidfd < 0)
		return -ECHILD;
	if (poll(&p, 1, wait_ms) <= 0)
		return 0;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PIDFD, (id_t)h->pidfd, &si, WEXITED | WNOHANG) < 0)
		return -errno;
	if (si.si_pid == 0)
		return 0;
	if (si.si_code == CLD_EXITED)
		snprintf(how, len, "exited with status %d", si.si_status);
	else
		snprintf(how, len, "killed by signal %d", si.si_status);
	close(h->pidfd);
	h->pidfd = -1;
	h->pid = 0;
	return 1;
}

void vhelper_stop(struct vhelper *h, int grace_ms, bool may_kill)
{
	char how[64];

	if (h->sock >= 0)
		close(h->sock);
	h->sock = -1;
	if (h->pid <= 0)
		return;
	if (!may_kill) {
		/* sandboxed: no waitid, no kill; the helper exits on hang-up,
		 * or with hyve (parent-death signal) */
		(void)vhelper_exited(h, grace_ms);
		if (h->pidfd >= 0)
			close(h->pidfd);
		h->pidfd = -1;
		h->pid = 0;
		return;
	}
	if (h->pidfd < 0) {
		/* no pidfd (its creation failed): plain kill and wait */
		kill(h->pid, SIGKILL);
		(void)waitpid(h->pid, NULL, 0);
		h->pid = 0;
		return;
	}
	if (vhelper_reap(h, grace_ms, how, sizeof(how)) == 1)
		return;
	(void)syscall(SYS_pidfd_send_signal, h->pidfd, SIGKILL, NULL, 0);
	(void)vhelper_reap(h, -1, how, sizeof(how));
	if (h->pidfd >= 0)
		close(h->pidfd);
	h->pidfd = -1;
	h->pid = 0;
}
