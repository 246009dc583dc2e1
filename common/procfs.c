/*
 * procfs: bounded readers of /proc (see the header for what each reads).
 *
 * Every buffer here has a fixed size and every read is checked against it;
 * a process's name is data its owner chose, so nothing below looks for a
 * delimiter inside it: stat's comm ends at the line's last ')'.
 */
#define _GNU_SOURCE
#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t
procfs_read(pid_t pid, const char *file, char *buf, size_t len)
{
	char path[64];
	size_t got = 0;
	int fd, r;

	if (len == 0)
		return -EINVAL;
	buf[0] = '\0';
	if (pid <= 0)
		return -EINVAL;
	r = snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if (r < 0 || (size_t)r >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	/* /proc files are made as they are read: loop to end of file. */
	for (;;) {
		ssize_t n;
		char more;

		if (got < len - 1)
			n = read(fd, buf + got, len - 1 - got);
		else
			n = read(fd, &more, 1);	/* is there more than fits? */
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0) {
			r = 0;
			break;
		}
		if (got == len - 1) {
			r = -EOVERFLOW;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return r < 0 ? r : (ssize_t)got;
}

int
procfs_comm(pid_t pid, char *comm, size_t len)
{
	char buf[PROCFS_COMM_MAX + 2];	/* the name, '\n', '\0' */
	ssize_t n;

	if (len == 0)
		return -EINVAL;
	comm[0] = '\0';
	n = procfs_read(pid, "comm", buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if ((size_t)n >= len)
		return -ERANGE;
	memcpy(comm, buf, (size_t)n + 1);
	return 0;
}

bool
procfs_comm_is(pid_t pid, const char *want)
{
	char comm[PROCFS_COMM_MAX + 1];

	return procfs_comm(pid, comm, sizeof(comm)) == 0 &&
	    strcmp(comm, want) == 0;
}

int
procfs_stat(pid_t pid, struct procfs_stat *st)
{
	char buf[2048];
	const char *open_paren, *close_paren;
	size_t clen;
	ssize_t n;
	int ppid;

	memset(st, 0, sizeof(*st));
	n = procfs_read(pid, "stat", buf, sizeof(buf));
	/* Cut is fine: what we parse comes first (see the header). */
	if (n < 0 && n != -EOVERFLOW)
		return (int)n;
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (open_paren == NULL || close_paren == NULL ||
	    close_paren < open_paren)
		return -EPROTO;
	/* ") S ppid pgrp session tty_nr tpgid flags" */
	if (close_paren[1] != ' ' || close_paren[2] == '\0' ||
	    close_paren[3] != ' ')
		return -EPROTO;
	if (sscanf(close_paren + 4, "%d %*d %*d %*d %*d %u", &ppid,
	    &st->flags) != 2)
		return -EPROTO;
	st->state = close_paren[2];
	st->ppid = (pid_t)ppid;
	clen = (size_t)(close_paren - open_paren - 1);
	if (clen > sizeof(st->comm) - 1)
		clen = sizeof(st->comm) - 1;
	memcpy(st->comm, open_paren + 1, clen);
	st->comm[clen] = '\0';
	return 0;
}

bool
procfs_alive(pid_t pid)
{
	struct procfs_stat st;

	if (pid <= 0 || (kill(pid, 0) < 0 && errno != EPERM))
		return false;
	if (procfs_stat(pid, &st) < 0)
		return true;
	return st.state != 'Z' && st.state != 'X';
}

int
procfs_children(pid_t pid, pid_t *out, int max)
{
	char file[48], buf[4096], *save = NULL;
	ssize_t n;
	int count = 0;

	if (pid <= 0 || max < 0)
		return -EINVAL;
	snprintf(file, sizeof(file), "task/%d/children", (int)pid);
	n = procfs_read(pid, file, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	for (char *t = strtok_r(buf, " \n", &save); t != NULL && count < max;
	    t = strtok_r(NULL, " \n", &save)) {
		char *end;
		long v;

		errno = 0;
		v = strtol(t, &end, 10);
		if (errno != 0 || end == t || *end != '\0' || v <= 0 ||
		    v > INT_MAX)
			return -EPROTO;
		out[count++] = (pid_t)v;
	}
	return count;
}

int
procfs_self_exe_dir(char *dir, size_t len)
{
	ssize_t n;
	char *slash;

	if (len < 2)
		return -ENAMETOOLONG;
	n = readlink("/proc/self/exe", dir, len);
	if (n < 0) {
		dir[0] = '\0';
		return -errno;
	}
	/* readlink() cuts without a word: a full buffer may be cut. */
	if ((size_t)n >= len) {
		dir[0] = '\0';
		return -ENAMETOOLONG;
	}
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (slash == NULL) {
		dir[0] = '\0';
		return -EINVAL;
	}
	slash[slash == dir ? 1 : 0] = '\0';
	return 0;
}
