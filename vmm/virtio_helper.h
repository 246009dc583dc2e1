/*
 * virtio_helper: start a device back end (hyve-blk, hyve-net, hyve-rng) as
 * a child process when hyve runs bare, and watch it.
 *
 * The child gets exactly two descriptors besides stdio: its end of a
 * unix socketpair as fd 3 (vhost-user, hyve is the front end) and, when
 * the device has one, its device fd (disk, tap) as fd 4; an empty
 * environment, default signal handling, no_new_privs and SIGKILL as its
 * parent-death signal.  (Bare mode is a convenience: the helper keeps
 * hyve's uid; hyve-jail gives each helper its own uid and empty root.)  The command line is "PROG --fd 3 [ARG...]" where the caller
 * names the device fd (e.g. "--disk-fd", "4").  PROG is looked up next to
 * the hyve binary first (/proc/self/exe's directory), then in PATH.
 *
 * Spawning happens at device init, before hyve's seccomp policy, which
 * allows no fork/exec.  Under hyve-jail the launcher starts the helpers
 * and this module is not used.
 */
#ifndef HYVE_VIRTIO_HELPER_H
#define HYVE_VIRTIO_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define VHELPER_SOCK_FD	3
#define VHELPER_DEV_FD	4
#define VHELPER_MAX_ARGS 16

struct vhelper {
	pid_t pid;		/* 0: not ours (launcher-started) */
	int pidfd;		/* readable when the child exited; -1 */
	int sock;		/* hyve's end */
	char prog[32];		/* for messages */
};

/* Resolve prog to an executable path: next to hyve, then PATH.  0 or
 * -ENOENT. */
int vhelper_find(const char *prog, char *path, size_t len);

/* Start prog with args (NULL-terminated, at most VHELPER_MAX_ARGS) and
 * dev_fd (or -1) as VHELPER_DEV_FD.  On failure err says why. */
int vhelper_spawn(struct vhelper *h, const char *prog,
    const char *const *args, int dev_fd, char *err, size_t errlen);

/*
 * Two sets of calls: hyve's seccomp policy has no waitid or kill, so once
 * the sandbox may be up (device init succeeded) only vhelper_exited(),
 * vhelper_status() and vhelper_stop(h, ms, false) are used; they only poll
 * and read.  A child
 * that exited is then reaped by whoever reaps hyve's orphans after hyve
 * exits, and one that is still running dies with hyve (parent-death
 * signal).
 */

/* Did the child exit (waiting up to wait_ms)?  1 yes, 0 no, -ECHILD when
 * hyve did not start it.  Only polls. */
int vhelper_exited(struct vhelper *h, int wait_ms);

/*
 * How an exited child ended, without waitid: the first vhelper_spawn()
 * blocks SIGCHLD in the calling thread (hyve's main thread at device
 * init, before any other thread exists, so every thread inherits the
 * mask) and reads it from a signalfd, which needs only read and poll.
 * 1 and "exited with status N" / "killed by signal N" in how, 0 when the
 * signal did not come within wait_ms (SIGCHLD does not queue: two helpers
 * dying at once leave one of them unexplained).
 */
int vhelper_status(struct vhelper *h, int wait_ms, char *how, size_t len);

/* The SIGCHLD signalfd (-1 before the first spawn), for a monitor to poll,
 * and the drain it calls when it is readable: a pending SIGCHLD nobody
 * reads would swallow the next one. */
int vhelper_chld_fd(void);
void vhelper_chld_drain(void);

/* Before the sandbox: has the child exited?  1 with a description of how
 * ("exited with status 1", "killed by signal 9") and the child reaped, 0 if
 * it still runs after wait_ms, -errno on error.  Uses waitid(). */
int vhelper_reap(struct vhelper *h, int wait_ms, char *how, size_t len);

/* Close hyve's end (the helper exits on hang-up) and give it grace_ms to
 * go; with may_kill (before the sandbox only) SIGKILL and reap it if it
 * did not. */
void vhelper_stop(struct vhelper *h, int grace_ms, bool may_kill);

#endif
