/*
 * hyvectl_client: finding VMs in the run directory and talking to their
 * control sockets, with a timeout on every step.
 *
 * Must never block without a deadline (a hung or stopped hyve must turn
 * into "not answering", not a hung hyvectl), never trust what a socket
 * answers (ctl_msg_parse and the sanitizers), and never follow a run
 * directory's symlinks into files it then reads or writes as root.
 */
#ifndef HYVE_HYVECTL_CLIENT_H
#define HYVE_HYVECTL_CLIENT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "ctl_proto.h"

enum hv_status {
	HV_UP,		/* answered */
	HV_STALE,	/* its process is gone or nobody listens */
	HV_NOANSWER,	/* alive but the socket does not answer in time */
	HV_DENIED,	/* we may not talk to it */
	HV_NOSOCK,	/* alive, no control socket (starting, or none) */
};

struct hv_vm {
	char name[CTL_NAME_MAX];
	char dir[PATH_MAX];		/* run directory, "" for a socket */
	char sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	long pidfile;			/* pid file's pid, or -1 */
	bool pidfile_alive;
	bool jailed;			/* has hyve-jail's uid file */
	long uid;			/* best known owner uid, or -1 */
	enum hv_status status;
	char why[200];			/* for every status but HV_UP */
	struct ctl_info info;		/* HV_UP */
	long host_pid;			/* hyve's pid as we see it (HV_UP) */
};

/*
 * One request/reply on the socket at path.  reply/replen: the expected
 * payload (exactly replen bytes), or NULL/0 for an empty one.  peer_pid:
 * hyve's pid in our pid namespace (SO_PEERCRED), may be NULL.
 * Returns 0, or:
 *   -ENOENT        no socket there
 *   -ECONNREFUSED  nobody listens (the VM died)
 *   -ETIMEDOUT     no answer within timeout_ms
 *   -EACCES        the socket's mode or hyve refused us
 *   -EPROTO        an answer that is not a valid reply
 *   -E...          hyve's own error (err has its message)
 */
int hv_request(const char *path, uint16_t type, void *reply, size_t replen,
    int timeout_ms, long *peer_pid, char *err, size_t errlen);

/* Build paths for name under base (or the explicit path in name) and
 * find out the VM's status; 0, or -ENOENT (no such VM) / -EINVAL with
 * err set. */
int hv_probe(const char *base, const char *name, int timeout_ms,
    struct hv_vm *vm, char *err, size_t errlen);

/* Every VM under base, sorted by name.  *out is malloc'ed (free it);
 * a missing base is an empty list.  -EACCES when base cannot be read. */
int hv_scan(const char *base, int timeout_ms, struct hv_vm **out, int *n,
    char *err, size_t errlen);

/* Wait up to wait_ms for the VM to be gone: its run directory removed
 * (or, for a bare socket path, the socket dead and the pid gone).  0 when
 * gone, -ETIMEDOUT, or -ENOTEMPTY when the process and its socket are gone
 * but the run directory is still there. */
int hv_wait_gone(const struct hv_vm *vm, int wait_ms);

/* Remove a stale bare-mode run directory (pid, ctl.sock, console link,
 * the directory).  -EPERM for hyve-jail's (it cleans its own). */
int hv_remove_stale(const struct hv_vm *vm, char *err, size_t errlen);

/* SIGKILL the hyve process of a VM that does not answer: the pid file's
 * process when it is hyve, or the hyve child of a hyve-jail supervisor.
 * Returns the pid killed, or -ESRCH when there is none. */
long hv_kill_hyve(const struct hv_vm *vm, char *err, size_t errlen);

/* Tell a jailed VM's supervisor that the VM is going away for good
 * (SIGTERM: it then restarts nothing and cleans up when hyve exits).
 * Best effort: -ESRCH when not jailed, -EPERM for a non-root caller. */
int hv_stop_supervisor(const struct hv_vm *vm);

/* Wait up to wait_ms for pid to be gone (a zombie counts as gone). */
int hv_wait_dead(long pid, int wait_ms);

/* cgroup usage of a process; values -1 when unknown, -2 for "max". */
struct hv_cgroup {
	char path[PATH_MAX];		/* "" when none was found */
	int version;			/* 1 or 2, 0 none */
	long long cpu_usec;
	long long mem_cur, mem_max;
	long long pids_cur, pids_max;
};
/* Parse /proc/PID/cgroup text: the v2 path ("0::/x") or, failing that,
 * the v1 paths of cpuacct, memory and pids.  Returns the version (2, 1)
 * or 0 when none is found.  Paths are checked (absolute, no ".."). */
int hv_cgroup_parse(const char *text, char *v2, size_t v2len,
    char *cpu, char *mem, char *pids, size_t v1len);
/* Read the usage of pid's cgroup under root (normally /sys/fs/cgroup). */
void hv_cgroup_read(long pid, const char *root, struct hv_cgroup *cg);

/* Monotonic milliseconds. */
long long hv_now_ms(void);

#endif
