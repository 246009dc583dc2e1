/*
 * hyve-jail: build one locked box for one VM from a profile and run hyve in
 * it (see hyve-jail(8)).
 *
 *   hyve-jail --profile FILE [-o key=value ...] [--dry-run] [--foreground]
 *
 * This file only parses the command line, runs the steps of jail.c in
 * order and reports errors: it is the one place that prints them and the
 * one place that exits.
 *
 * Must never: do a step's work itself, or exit without undoing the host
 * steps that were done.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jail.h"
#include "jail_env.h"
#include "jail_profile.h"
#include "jail_run.h"

#define EXIT_ERROR	4
#define MAX_OVERRIDES	256

static void
usage(void)
{
	fprintf(stderr, "usage: hyve-jail --profile FILE [-o key=value ...] "
	    "[--dry-run] [--foreground]\n");
}

/* Not --foreground: the caller gets its shell back once the box runs. */
static int
daemonize(struct jail *j, int *ready_fd)
{
	int p[2];
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(p[1]);
		ssize_t n = read(p[0], &c, 1);
		if (n == 1)
			exit(0);
		int ws = 0;
		waitpid(pid, &ws, 0);
		exit(WIFEXITED(ws) ? WEXITSTATUS(ws) : EXIT_ERROR);
	}
	close(p[0]);
	setsid();
	char log[PATH_MAX + 8];
	snprintf(log, sizeof(log), "%s/log", j->rundir);
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	if (nul >= 0) {
		dup2(nul, 0);
		close(nul);
	}
	*ready_fd = p[1];
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *overrides[MAX_OVERRIDES];
	struct jail j;
	const char *failed = NULL;
	int c, r, ready_fd = -1;
	bool in_box = false;

	jail_init(&j);
	j.overrides = overrides;
	while ((c = getopt_long(argc, argv, "p:o:nfh", lopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			j.profile = optarg;
			break;
		case 'o':
			if (j.noverrides >= MAX_OVERRIDES) {
				fprintf(stderr, "hyve-jail: too many -o\n");
				return EXIT_ERROR;
			}
			overrides[j.noverrides++] = optarg;
			break;
		case 'n':
			j.dry_run = true;
			break;
		case 'f':
			j.foreground = true;
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return EXIT_ERROR;
		}
	}
	if (j.profile == NULL || optind != argc) {
		usage();
		return EXIT_ERROR;
	}

	if (j.dry_run) {
		/* Only the steps that read: env (our own process) and the
		 * profile; everything else is described, not done. */
		if ((r = jail_env_run(&j)) < 0 ||
		    (r = jail_profile_run(&j)) < 0) {
			fprintf(stderr, "hyve-jail: %s\n", j.err);
			jail_fini(&j);
			return EXIT_ERROR;
		}
		jail_print_plan(&j);
		jail_fini(&j);
		return 0;
	}

	if (geteuid() != 0) {
		fprintf(stderr, "hyve-jail: must run as root\n");
		return EXIT_ERROR;
	}
	/* A SIGTERM during the host steps must not kill us halfway, with a
	 * tap or a cgroup made and no undo: it stays pending and the
	 * supervisor acts on it as soon as the box runs. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	r = jail_host_setup(&j, &failed);
	if (r < 0) {
		/* The profile's messages already carry file:line: key. */
		if (strcmp(failed, "profile") == 0)
			fprintf(stderr, "hyve-jail: %s\n", j.err);
		else
			fprintf(stderr, "hyve-jail: %s: %s\n", failed, j.err);
		jail_fini(&j);
		return EXIT_ERROR;
	}
	if (!j.foreground && (r = daemonize(&j, &ready_fd)) < 0) {
		fprintf(stderr, "hyve-jail: daemonize: %s\n", strerror(-r));
		jail_host_teardown(&j);
		jail_fini(&j);
		return EXIT_ERROR;
	}
	r = jail_run_supervise(&j, ready_fd, &in_box);
	if (in_box) {
		/* A box step failed: report it and die without touching the
		 * host's state, which the supervisor cleans up. */
		fprintf(stderr, "hyve-jail: box: %s\n", j.err);
		_exit(EXIT_ERROR);
	}
	if (r < 0)
		fprintf(stderr, "hyve-jail: supervise: %s\n", j.err);
	else if (j.box_signal != 0)
		fprintf(stderr, "hyve-jail: %s: the VM was killed by SIG%s\n",
		    j.name, sigabbrev_np(j.box_signal));
	jail_host_teardown(&j);
	jail_fini(&j);
	return r < 0 ? EXIT_ERROR : r;
}
