/*
 * vu-listen: accept one connection on a unix socket path and exec a
 * device helper with it, for tests that let a foreign vhost-user front
 * end (QEMU's -chardev socket,path=...) connect to a hyve back end.
 *
 *   vu-listen [-t SECONDS] [-f FD:MODE:FILE]... PATH PROG [ARG...]
 *
 * Each ARG spelled "@fd" is replaced by the accepted socket's number, so
 * `vu-listen /tmp/x.sock build/hyve-blk --fd @fd --disk-fd 3 3<>disk.img`
 * serves one connection. The listening socket is closed and PATH removed
 * before the exec; other inherited fds (the disk) pass through untouched.
 * -f opens FILE as fd FD the way hyve-jail opens a disk, which a shell
 * redirection cannot: MODE is "rw" or "ro", optionally followed by
 * ",direct" (O_DIRECT, bhyve's nocache) and/or ",sync" (O_SYNC, direct).
 * Gives up (exit 1) when nobody connects within SECONDS (default 60).
 * PATH "-" execs at once with one end of a socketpair whose other end is
 * closed: a helper that gets past its start-up checks sees a hang-up.
 * A test tool: never installed, never run by hyve itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: vu-listen [-t SECONDS] [-f FD:MODE:FILE]... PATH|- PROG [ARG...]\n");
	exit(2);
}

/* -f FD:MODE:FILE */
static int open_disk(char *spec)
{
	char *mode, *file, *tok, *save = NULL;
	int fd, want, flags = O_CLOEXEC, got;

	mode = strchr(spec, ':');
	if (!mode)
		usage();
	*mode++ = 0;
	file = strchr(mode, ':');
	if (!file)
		usage();
	*file++ = 0;
	want = atoi(spec);
	if (want < 3)
		usage();
	for (tok = strtok_r(mode, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "rw") == 0)
			flags |= O_RDWR;
		else if (strcmp(tok, "ro") == 0)
			flags |= O_RDONLY;
		else if (strcmp(tok, "direct") == 0)
			flags |= O_DIRECT;
		else if (strcmp(tok, "sync") == 0)
			flags |= O_SYNC;
		else
			usage();
	}
	fd = open(file, flags);
	if (fd < 0) {
		fprintf(stderr, "vu-listen: %s: %s\n", file, strerror(errno));
		return -1;
	}
	/* dup2 clears CLOEXEC on the copy: the helper inherits it */
	got = fd == want ? (fcntl(fd, F_SETFD, 0), fd) : dup2(fd, want);
	if (got < 0) {
		fprintf(stderr, "vu-listen: dup2: %s\n", strerror(errno));
		return -1;
	}
	if (fd != want)
		close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int timeout_s = 60, ls, cs, i;
	char fdstr[16];
	struct pollfd p;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "-t") == 0) {
			timeout_s = atoi(argv[i + 1]);
			if (timeout_s <= 0)
				usage();
		} else if (strcmp(argv[i], "-f") == 0) {
			if (open_disk(argv[i + 1]) < 0)
				return 1;
		} else {
			break;   /* PATH (which may be "-") */
		}
	}
	if (argc - i < 2)
		usage();
	if (strcmp(argv[i], "-") == 0) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
			fprintf(stderr, "vu-listen: socketpair: %s\n", strerror(errno));
			return 1;
		}
		close(sv[1]);
		cs = sv[0];
		goto run;
	}
	if (strlen(argv[i]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "vu-listen: path too long: %s\n", argv[i]);
		return 1;
	}
	strcpy(sa.sun_path, argv[i]);
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(ls, 1) < 0) {
		fprintf(stderr, "vu-listen: %s: %s\n", argv[i], strerror(errno));
		return 1;
	}
	p = (struct pollfd){ .fd = ls, .events = POLLIN };
	if (poll(&p, 1, timeout_s * 1000) != 1) {
		fprintf(stderr, "vu-listen: nobody connected to %s in %d s\n",
			argv[i], timeout_s);
		unlink(argv[i]);
		return 1;
	}
	cs = accept4(ls, NULL, NULL, 0);   /* no CLOEXEC: the helper gets it */
	unlink(argv[i]);
	close(ls);
	if (cs < 0) {
		fprintf(stderr, "vu-listen: accept: %s\n", strerror(errno));
		return 1;
	}
run:
	snprintf(fdstr, sizeof(fdstr), "%d", cs);
	for (int j = i + 2; j < argc; j++)
		if (strcmp(argv[j], "@fd") == 0)
			argv[j] = fdstr;
	execv(argv[i + 1], argv + i + 1);
	fprintf(stderr, "vu-listen: exec %s: %s\n", argv[i + 1], strerror(errno));
	return 127;
}
