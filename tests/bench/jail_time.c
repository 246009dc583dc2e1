/*
 * jail-time: times one run of a command for tests/bench/scenarios/50-jail.sh.
 *
 *   jail-time CMD [ARG...]
 *
 * Runs CMD with its stdout on a pipe, reads that stdout to the end, waits
 * for CMD and prints one line:
 *
 *   exec_us=N end_us=N cpu_us=N rc=N
 *
 * exec_us is from just before fork() to the CLOCK_REALTIME instant the
 * program in the box printed as "t_exec_ns=" (jail-probe --minimal takes it
 * first thing, through the vDSO), -1 if nothing printed one; end_us is to
 * CMD's exit; cpu_us is user+system time of CMD and every descendant it
 * waited for (getrusage(RUSAGE_CHILDREN)): hyve-jail's supervisor, the box
 * it cloned, and the program in it.  CMD's stdout is copied to our stderr
 * so a failing run can be shown.  SIGTERM and SIGINT are passed on to CMD,
 * so that a scenario that gives up stops hyve-jail the way an operator
 * would and its supervisor still removes what it made.  CLOCK_REALTIME because that is the clock
 * the probe reads; nothing in the lab steps it.
 *
 * A bench tool, never installed.  It must never report a time it did not
 * measure: a missing marker is -1, not 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t child;

static void
forward(int sig)
{
	if (child > 0)
		kill((pid_t)child, sig);
}

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The value of the first "t_exec_ns=" line in buf, or -1. */
static long long
find_exec_ns(const char *buf)
{
	const char *key = "t_exec_ns=";
	const char *p = buf;

	while ((p = strstr(p, key)) != NULL) {
		if (p == buf || p[-1] == '\n')
			return strtoll(p + strlen(key), NULL, 10);
		p += strlen(key);
	}
	return -1;
}

int
main(int argc, char **argv)
{
	static char out[65536];
	size_t len = 0;
	int fds[2], status;
	long long t0, t_end, t_exec;
	struct rusage ru;
	struct sigaction sa;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: jail-time CMD [ARG...]\n");
		return 2;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		perror("jail-time: pipe2");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0) {
		perror("jail-time: sigaction");
		return 2;
	}
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("jail-time: fork");
		return 2;
	}
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		execvp(argv[1], argv + 1);
		fprintf(stderr, "jail-time: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	child = pid;
	close(fds[1]);
	for (;;) {
		ssize_t n = read(fds[0], out + len, sizeof(out) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* Past the buffer: keep draining so CMD never blocks. */
		fwrite(out + len, 1, (size_t)n, stderr);
		if (len + (size_t)n < sizeof(out) - 1)
			len += (size_t)n;
	}
	out[len] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("jail-time: waitpid");
			return 2;
		}
	t_end = now_ns();
	if (getrusage(RUSAGE_CHILDREN, &ru) < 0) {
		perror("jail-time: getrusage");
		return 2;
	}
	t_exec = find_exec_ns(out);
	printf("exec_us=%lld end_us=%lld cpu_us=%lld rc=%d\n",
	    t_exec < 0 ? -1LL : (t_exec - t0) / 1000, (t_end - t0) / 1000,
	    (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL +
	    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec,
	    WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status));
	return 0;
}
