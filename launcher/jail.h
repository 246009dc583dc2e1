/*
 * jail: the state of one hyve-jail run and the ordered list of its steps.
 *
 * hyve-jail builds one box per VM as a fixed sequence of named steps (env,
 * profile, rundir, res, cgroup on the host; ns, root, helpers, priv, exec
 * inside the box; the helpers are started by the supervisor).  Each host step may have an undo; a failure runs the undos of the
 * steps already done, in reverse, so that nothing is left behind.  Every step
 * can also describe itself (--dry-run) without touching the host.
 *
 * This code runs as root on the host; it must never parse guest-controlled
 * data and never follow a path after the box has been entered.
 */
#ifndef HYVE_JAIL_H
#define HYVE_JAIL_H

#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct cfg;

#define JAIL_MAX_DISKS	16
#define JAIL_MAX_TAPS	16
#define JAIL_MAX_DEVS	(8 + JAIL_MAX_DISKS)
#define JAIL_MAX_HELPERS	(JAIL_MAX_DISKS + JAIL_MAX_TAPS + 4)
#define JAIL_NAME_MAX	48
#define JAIL_ERRLEN	768
#define JAIL_RUN_DIR	"/run/hyve"

/* Device access bits, shared by the cgroup v1 and BPF device filters. */
#define JAIL_DEV_READ	1u
#define JAIL_DEV_WRITE	2u
#define JAIL_DEV_MKNOD	4u

struct jail_dev {
	char type;			/* 'c' or 'b' */
	unsigned int major, minor;
	unsigned int access;		/* JAIL_DEV_* */
	const char *why;		/* shown by --dry-run */
};

struct jail_disk {
	char key[64];			/* pci.0.2.0.path */
	char path[PATH_MAX];
	bool ro;
	bool nocache, direct;		/* bhyve's: O_DIRECT, O_SYNC */
	bool blk;			/* block device (else regular file) */
	dev_t rdev;			/* the block device, for devices and io.max */
	dev_t fsdev;			/* for a file: the filesystem's device */
	int fd;
};

struct jail_tap {
	char key[64];			/* pci.0.3.0.backend */
	char name[IFNAMSIZ];
	bool created;			/* we made it: we remove it */
	int fd;
};

/* One cgroup directory we made (v2 leaf, or one per v1 hierarchy). */
struct jail_cgdir {
	char path[PATH_MAX];
	bool made;
	int procs_fd;			/* cgroup.procs, for the box to join */
};

/* One device back end process (hyve-blk, hyve-net, hyve-rng) in the box,
 * with its own uid, started by the supervisor (jail_helper.c). */
enum jail_helper_kind { JAIL_HELPER_BLK, JAIL_HELPER_NET, JAIL_HELPER_RNG,
	JAIL_HELPER_KINDS };

struct jail_helper {
	char slot[48];			/* pci.0.2.0 */
	enum jail_helper_kind kind;
	int dev;			/* index in disks[] / taps[], or -1 */
	uid_t uid;			/* gid is the same number */
	int sock[2];			/* [0] hyve's end, [1] the helper's */
	pid_t pid;			/* running, or 0 */
};

enum jail_cg_mode { JAIL_CG_NONE, JAIL_CG_V2, JAIL_CG_V1 };
#define JAIL_CG_V1_CTRLS 6		/* cpu memory pids devices cpuset blkio */

struct jail {
	/* Command line. */
	const char *profile;
	const char *const *overrides;	/* -o key=value, in order */
	int noverrides;
	bool dry_run;
	bool foreground;
	FILE *plan;			/* --dry-run output */

	/* From the profile (step "profile"). */
	struct cfg *cfg;
	char name[JAIL_NAME_MAX];
	bool uid_auto;
	uid_t uid;
	gid_t gid;
	uid_t uid_lo, uid_hi;		/* jail.uid_range for auto */
	char tap_prefix[IFNAMSIZ];
	char cg_parent[256];
	enum { JAIL_RESTART_NO, JAIL_RESTART_ON_REBOOT,
	    JAIL_RESTART_ALWAYS } restart;
	bool seccomp_log;		/* jail.seccomp=log */
	unsigned int stop_timeout;	/* seconds */
	char netns[PATH_MAX];		/* /run/netns/X or "" */
	char exec_path[PATH_MAX];	/* hyve, or the test build's probe */
	char exec_args[256];		/* test build only: probe arguments */
	bool kvm_optional;		/* test build only: no /dev/kvm here */
	bool wired;			/* memory.wired: MEMLOCK = guest size */
	uint64_t mem_size;
	char kernel[PATH_MAX], initrd[PATH_MAX];
	bool console;
	char console_key[64];
	bool stdio_serial;		/* a COM port is our stdio */
	struct jail_disk disks[JAIL_MAX_DISKS];
	int ndisks;
	struct jail_tap taps[JAIL_MAX_TAPS];
	int ntaps;
	struct jail_helper helpers[JAIL_MAX_HELPERS];
	int nhelpers;

	/* Run directory (step "rundir"); run_base is /run/hyve except in
	 * unit tests. */
	char run_base[256];
	char rundir[PATH_MAX];
	bool rundir_made;
	long stale_pid;			/* a killed hyve-jail left rundir */

	/* Resources (step "res"). */
	int kvm_fd;
	int pty_master, pty_slave;
	char pty_path[64];
	int kernel_fd, initrd_fd, exec_fd, netns_fd;
	int null_fd;			/* the box's stdin */
	int ctl_fd;			/* bound, not listening: RUNDIR/ctl.sock */
	int helper_exec_fd[JAIL_HELPER_KINDS];	/* hyve-blk, -net, -rng */
	struct jail_dev devs[JAIL_MAX_DEVS];
	int ndevs;

	/* cgroup (step "cgroup"). */
	enum jail_cg_mode cg_mode;
	struct jail_cgdir cg_v2;	/* v2 leaf (also the BPF one on hybrid) */
	struct jail_cgdir cg_v1[JAIL_CG_V1_CTRLS];
	int bpf_fd;

	/* Supervisor. */
	int out_pipe[2], err_pipe[2];	/* the box's stdout and stderr */
	int sync_up[2];			/* box -> supervisor: root is built */
	int sync_go[2];			/* supervisor -> box: helpers run */
	pid_t box_pid;
	int box_signal;			/* the last box died of this signal */

	char err[JAIL_ERRLEN];
};

/* One step.  run: 0 or -errno with j->err set.  undo: best effort, never
 * fails loudly (it runs on the error path).  plan: print what run would do. */
struct jail_step {
	const char *name;
	int (*run)(struct jail *j);
	void (*undo)(struct jail *j);
	void (*plan)(struct jail *j);
};

void jail_init(struct jail *j);
void jail_fini(struct jail *j);

/* Format an error into j->err; returns err (a -errno) for `return jail_err()`. */
int jail_err(struct jail *j, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* One line of the --dry-run plan. */
void jail_plan(struct jail *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Write a whole string to path (relative to dirfd) with O_WRONLY. */
int jail_write_file(int dirfd, const char *path, const char *val);

/* Host-side steps, in order.  *failed is set to the name of the step that
 * failed.  On failure every completed step is undone in reverse. */
int jail_host_setup(struct jail *j, const char **failed);
/* Undo every host step (the supervisor's cleanup). */
void jail_host_teardown(struct jail *j);
/* The whole plan (--dry-run), host and box steps. */
void jail_print_plan(struct jail *j);

#endif
