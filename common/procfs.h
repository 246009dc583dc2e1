/*
 * procfs: small, bounded readers of /proc for hyve-jail's supervisor and
 * hyvectl: a process's name, its state and flags, its children, one small
 * file whole, and the directory our own executable lives in.
 *
 * How each reads: one open(O_RDONLY|O_CLOEXEC) of /proc/PID/FILE, read()
 * to end of file into a buffer of a size fixed by the caller or here,
 * close.  A file that does not fit is an error (-EOVERFLOW or -ERANGE),
 * never cut silently: a cut name could compare equal to another.  Nothing
 * here trusts a process's name (comm): its owner sets it (prctl
 * PR_SET_NAME, or by naming the file it execs) and it may hold ')',
 * spaces, '(' or a newline.
 *
 * Errors are -errno.  There is no "pid 0 means /proc/self": a pid <= 0 is
 * -EINVAL (or false), so that an unset pid never reads our own files.  A
 * pid is only a number: it can be reused by the time the answer is used,
 * and every caller says what it does about that.
 *
 * Must never: write to /proc, or be linked into a program that runs
 * without /proc (hyve in its box, the device helpers).
 */
#ifndef HYVE_PROCFS_H
#define HYVE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Room for any comm: TASK_COMM_LEN is 16, but a kernel thread's name
 * (and a workqueue worker's description) may take up to 64 bytes. */
#define PROCFS_COMM_MAX	64

/* PF_EXITING: the task has begun to exit (include/linux/sched.h; the
 * kernel does not export it to user space). */
#define PROCFS_PF_EXITING	0x00000004u

/*
 * Read /proc/PID/FILE whole into buf, terminated.
 * Returns the number of bytes read (less than len), -EOVERFLOW if the file
 * holds more than len - 1 bytes (buf then holds the first len - 1),
 * -EINVAL for a pid <= 0 or len 0, -ENAMETOOLONG for a FILE too long
 * for the path, or what open() or read() said (-ENOENT: no such process).
 */
ssize_t procfs_read(pid_t pid, const char *file, char *buf, size_t len);

/*
 * /proc/PID/comm without the newline the kernel ends it with.  The name is
 * as its owner set it, raw: it may hold a newline of its own, which stays
 * (so "hyve\n" never passes for "hyve").  0, -ERANGE if the name does not
 * fit in len (comm is then ""), or -errno as procfs_read.
 */
int procfs_comm(pid_t pid, char *comm, size_t len);

/* true if PID's comm is exactly want; false if it is not, or if it cannot
 * be read (the process is gone). */
bool procfs_comm_is(pid_t pid, const char *want);

/*
 * The fields of /proc/PID/stat the callers need.  The line is
 * "pid (comm) state ppid pgrp session tty_nr tpgid flags ...": comm is
 * raw there (not escaped) and may hold ')' or a newline, so it is taken as
 * everything between the first '(' and the LAST ')' of the line; every
 * field after it is a number.
 */
struct procfs_stat {
	char comm[PROCFS_COMM_MAX];	/* cut to fit, always terminated */
	char state;			/* R S D Z X T t I P ... */
	pid_t ppid;
	unsigned int flags;		/* PF_*: PROCFS_PF_EXITING */
};

/* Reads the first 2 KiB of the line: pid, comm and the fields above come
 * within its first 200 bytes, whatever follows.  0, -EPROTO for a line
 * that is not as above, or -errno as procfs_read. */
int procfs_stat(pid_t pid, struct procfs_stat *st);

/*
 * Is PID a live process?  false for pid <= 0, for a pid kill(pid, 0) says
 * is gone (ESRCH; EPERM means it exists), and for a zombie (state Z or X:
 * it has exited and waits for its parent to reap it).  true when the
 * process exists but its stat cannot be read: when in doubt, alive.
 */
bool procfs_alive(pid_t pid);

/*
 * The children of PID's main thread (/proc/PID/task/PID/children): stores
 * at most max of them in out and returns how many it
 * stored.  -EPROTO for a token that is not a pid, -ENOENT for a kernel
 * without CONFIG_PROC_CHILDREN (or no such process), else -errno.
 */
int procfs_children(pid_t pid, pid_t *out, int max);

/*
 * The directory of our own executable: readlink(/proc/self/exe), cut at
 * its last '/' ("/" for a program in the root).  0, -ENAMETOOLONG when it
 * does not fit in len, -EINVAL for a link with no '/', or -errno.
 */
int procfs_self_exe_dir(char *dir, size_t len);

#endif
