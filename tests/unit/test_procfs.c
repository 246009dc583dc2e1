/*
 * test_procfs: common/procfs.c against the real /proc, with this test
 * process and forked children as the subjects (no mocks): names with ')',
 * spaces, '(' , a newline or a backslash, names cut by the kernel at 15
 * bytes, buffers too small by one, a zombie, a reaped child, our children
 * and the directory of our own executable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/procfs.h"

/* ------------------------------------------------------------ subjects */

/*
 * Fork a child that names itself, says so, then sleeps until killed (and
 * dies with us: a failed assertion must not leave it behind).  It holds
 * no fd of ours, so no later child keeps an earlier one waiting.
 */
static pid_t
spawn_named(const char *name)
{
	int ready[2];
	pid_t pid, parent = getpid();
	char b;

	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
		    getppid() != parent)
			_exit(1);
		if (prctl(PR_SET_NAME, name, 0, 0, 0) < 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		close(ready[1]);
		for (;;)
			pause();
	}
	close(ready[1]);
	b = 0;
	if (read(ready[0], &b, 1) != 1 || b != 'r') {
		close(ready[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_msg("child %d did not start", (int)pid);
	}
	close(ready[0]);
	return pid;
}

static void
finish(pid_t pid)
{
	int ws;

	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
}

/* The kernel keeps the first 15 bytes of a name, raw in both files. */
static void
expected(const char *name, char *raw)
{
	size_t n = strnlen(name, 15);

	memcpy(raw, name, n);
	raw[n] = '\0';
}

/* --------------------------------------------------------------- tests */

static void
test_self(void **state)
{
	char want[17] = "", comm[PROCFS_COMM_MAX], buf[8192];
	struct procfs_stat st;

	(void)state;
	assert_int_equal(prctl(PR_GET_NAME, want, 0, 0, 0), 0);
	assert_int_equal(procfs_comm(getpid(), comm, sizeof(comm)), 0);
	assert_string_equal(comm, want);
	assert_true(procfs_comm_is(getpid(), want));
	assert_false(procfs_comm_is(getpid(), "hyve"));

	assert_int_equal(procfs_stat(getpid(), &st), 0);
	assert_string_equal(st.comm, want);
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.ppid, getppid());
	assert_int_equal(st.flags & PROCFS_PF_EXITING, 0);
	assert_true(procfs_alive(getpid()));

	ssize_t n = procfs_read(getpid(), "status", buf, sizeof(buf));
	assert_true(n > 0 && (size_t)n == strlen(buf));
	assert_non_null(strstr(buf, "\nPid:"));
}

/* A name is its owner's to choose: a naive "state after the first ')'"
 * would read 'Z' (dead) for the first one. */
static void
test_odd_comm(void **state)
{
	static const char *const names[] = {
		"x) Z 1 (y) ", ")", ") ", "((", "a b c", " ", "a\nb",
		"a\\b", "hyve\n", "\n", "123456789012345",
		"1234567890123456789", "",
	};
	char raw[17], comm[PROCFS_COMM_MAX], nl[20];
	struct procfs_stat st;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		pid_t c = spawn_named(names[i]);

		expected(names[i], raw);
		assert_int_equal(procfs_stat(c, &st), 0);
		assert_string_equal(st.comm, raw);
		assert_true(st.state == 'S' || st.state == 'R');
		assert_int_equal(st.ppid, getpid());
		assert_int_equal(procfs_comm(c, comm, sizeof(comm)), 0);
		assert_string_equal(comm, raw);
		assert_true(procfs_comm_is(c, raw));
		/* the kernel's own newline is not part of the name */
		snprintf(nl, sizeof(nl), "%s\n", raw);
		assert_false(procfs_comm_is(c, nl));
		assert_true(procfs_alive(c));
		finish(c);
	}
}

/* Nothing is cut silently: a cut name could equal a shorter one. */
static void
test_bounds(void **state)
{
	pid_t c = spawn_named("hyve-jail-test");
	char comm[PROCFS_COMM_MAX], small[8], path[300];

	(void)state;
	assert_int_equal(procfs_comm(c, comm, 5), -ERANGE);
	assert_string_equal(comm, "");
	assert_int_equal(procfs_comm(c, comm, 14), -ERANGE);
	assert_int_equal(procfs_comm(c, comm, 15), 0);
	assert_string_equal(comm, "hyve-jail-test");
	assert_false(procfs_comm_is(c, "hyve-jail"));
	assert_false(procfs_comm_is(c, "hyve"));
	assert_true(procfs_comm_is(c, "hyve-jail-test"));

	memset(small, 'x', sizeof(small));
	assert_int_equal(procfs_read(c, "stat", small, sizeof(small)),
	    -EOVERFLOW);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(procfs_read(c, "stat", small, 1), -EOVERFLOW);
	assert_string_equal(small, "");
	/* exactly len - 1 bytes fit */
	assert_int_equal(procfs_read(c, "comm", small, sizeof(small)),
	    -EOVERFLOW);
	assert_int_equal(procfs_read(c, "comm", comm, 16), 15);
	assert_string_equal(comm, "hyve-jail-test\n");
	assert_int_equal(procfs_read(c, "comm", comm, 17), 15);

	assert_int_equal(procfs_read(c, "stat", small, 0), -EINVAL);
	assert_int_equal(procfs_read(0, "stat", comm, sizeof(comm)), -EINVAL);
	assert_int_equal(procfs_read(-1, "stat", comm, sizeof(comm)), -EINVAL);
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(procfs_read(c, path, comm, sizeof(comm)),
	    -ENAMETOOLONG);
	assert_int_equal(procfs_read(c, "no-such-file", comm,
	    sizeof(comm)), -ENOENT);
	assert_false(procfs_alive(0));
	assert_false(procfs_alive(-1));
	assert_false(procfs_comm_is(0, ""));
	finish(c);
}

/* Exited but not reaped is not alive; reaped is gone. */
static void
test_zombie(void **state)
{
	pid_t c = spawn_named("zombie");
	struct procfs_stat st;
	char comm[PROCFS_COMM_MAX];
	siginfo_t si;
	int ws;

	(void)state;
	assert_int_equal(kill(c, SIGKILL), 0);
	/* WNOWAIT: wait for the exit but leave the zombie in place */
	memset(&si, 0, sizeof(si));
	assert_int_equal(waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT),
	    0);
	assert_int_equal(si.si_pid, c);
	assert_int_equal(procfs_stat(c, &st), 0);
	assert_int_equal(st.state, 'Z');
	assert_false(procfs_alive(c));

	assert_int_equal(waitpid(c, &ws, 0), c);
	assert_true(WIFSIGNALED(ws));
	assert_false(procfs_alive(c));
	assert_int_equal(procfs_stat(c, &st), -ENOENT);
	assert_int_equal(procfs_comm(c, comm, sizeof(comm)), -ENOENT);
	assert_false(procfs_comm_is(c, "zombie"));
}

static void
test_children(void **state)
{
	pid_t a = spawn_named("kid-a"), b = spawn_named("kid-b");
	pid_t kids[16];
	int n;
	bool seen_a = false, seen_b = false;

	(void)state;
	n = procfs_children(getpid(), kids, 16);
	if (n == -ENOENT)
		fail_msg("no /proc/PID/task/PID/children: a kernel without "
		    "CONFIG_PROC_CHILDREN, which hyvectl kill needs");
	assert_true(n >= 2);
	for (int i = 0; i < n; i++) {
		seen_a = seen_a || kids[i] == a;
		seen_b = seen_b || kids[i] == b;
	}
	assert_true(seen_a && seen_b);
	assert_int_equal(procfs_children(getpid(), kids, 1), 1);
	assert_int_equal(procfs_children(getpid(), kids, 0), 0);
	assert_int_equal(procfs_children(a, kids, 16), 0);
	assert_int_equal(procfs_children(0, kids, 16), -EINVAL);
	assert_int_equal(procfs_children(getpid(), kids, -1), -EINVAL);
	finish(a);
	finish(b);
}

static void
test_self_exe_dir(void **state)
{
	char exe[PATH_MAX], dir[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n;

	(void)state;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	assert_int_equal(procfs_self_exe_dir(dir, sizeof(dir)), 0);
	snprintf(path, sizeof(path), "%s/test_procfs", dir);
	assert_string_equal(path, exe);

	/* too small by one: the link, or its terminator, does not fit */
	assert_int_equal(procfs_self_exe_dir(dir, (size_t)n), -ENAMETOOLONG);
	assert_string_equal(dir, "");
	assert_int_equal(procfs_self_exe_dir(dir, (size_t)n + 1), 0);
	assert_int_equal(procfs_self_exe_dir(dir, 1), -ENAMETOOLONG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_odd_comm),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_zombie),
		cmocka_unit_test(test_children),
		cmocka_unit_test(test_self_exe_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
