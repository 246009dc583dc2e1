/*
 * jail-probe: what a process sees from inside a hyve-jail box.
 *
 * The sandbox tests make hyve-jail-test exec this program instead of hyve
 * (jail.exec).  It prints facts as "key=value" lines and the test scripts
 * decide what is right; it never decides on its own that something passed.
 * Everything is read through syscalls: the box has no /proc.
 *
 * Under the launcher's seccomp policy in kill mode only a few calls are
 * allowed (write, getpid, prctl(PR_GET_*)): --minimal, given first, limits
 * the report to those, so that the one forbidden call that follows is what
 * kills the process.  With jail.seccomp=log everything runs and is logged.
 *
 *   jail-probe [--minimal] [--hog MB] [--forbid mount|ptrace|open] [--forks N]
 *              [--pid N] [--see PATH] [--sleep SEC] [--term-exit N]
 *              [--exit N] [-o key=value ...]
 *
 * A test tool, never installed.  Must never print a value it did not read
 * from the kernel (Seccomp=0 means no filter, not "probably fine").
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int term_exit = -1;

static void
out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted entries of a directory, space separated. */
static void
list_dir(const char *key, const char *path)
{
	char *names[128], buf[4096] = "";
	int n = 0;
	DIR *d = opendir(path);

	if (d == NULL) {
		out("%s=error:%s", key, strerror(errno));
		return;
	}
	for (struct dirent *e; (e = readdir(d)) != NULL && n < 128;) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp);
	for (int i = 0; i < n; i++) {
		if (names[i] == NULL)
			continue;
		size_t l = strlen(buf);
		snprintf(buf + l, sizeof(buf) - l, "%s%s", i ? " " : "",
		    names[i]);
		free(names[i]);
	}
	out("%s=%s", key, buf);
}

static void
caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	unsigned long long bnd = 0, amb = 0;

	if (syscall(SYS_capget, &h, d) < 0) {
		out("CapEff=error:%s", strerror(errno));
		return;
	}
	out("CapEff=%016llx", ((unsigned long long)d[1].effective << 32) |
	    d[0].effective);
	out("CapPrm=%016llx", ((unsigned long long)d[1].permitted << 32) |
	    d[0].permitted);
	out("CapInh=%016llx", ((unsigned long long)d[1].inheritable << 32) |
	    d[0].inheritable);
	for (int c = 0; c < 64; c++) {
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			bnd |= 1ULL << c;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) == 1)
			amb |= 1ULL << c;
	}
	out("CapBnd=%016llx", bnd);
	out("CapAmb=%016llx", amb);
}

static void
reach(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		out("reach %s=yes", path);
		close(fd);
	} else {
		out("reach %s=no:%s", path, strerrorname_np(errno));
	}
}

static void
fds(void)
{
	char buf[2048] = "";

	for (int fd = 0; fd < 256; fd++) {
		struct stat st;
		char one[64];
		if (fcntl(fd, F_GETFD) < 0 || fstat(fd, &st) < 0)
			continue;
		if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
			snprintf(one, sizeof(one), " %d:%c%u:%u", fd,
			    S_ISCHR(st.st_mode) ? 'c' : 'b',
			    major(st.st_rdev), minor(st.st_rdev));
		else
			snprintf(one, sizeof(one), " %d:%s", fd,
			    S_ISREG(st.st_mode) ? "reg" : S_ISSOCK(st.st_mode) ?
			    "sock" : S_ISFIFO(st.st_mode) ? "fifo" : "other");
		size_t l = strlen(buf);
		snprintf(buf + l, sizeof(buf) - l, "%s", one);
	}
	out("fds=%s", buf[0] ? buf + 1 : "");
}

static void
netifs(void)
{
	struct if_nameindex *ifs = if_nameindex();
	char buf[1024] = "";

	if (ifs == NULL) {
		out("netifs=error:%s", strerror(errno));
		return;
	}
	for (struct if_nameindex *i = ifs; i->if_index != 0; i++) {
		size_t l = strlen(buf);
		snprintf(buf + l, sizeof(buf) - l, "%s%s", buf[0] ? " " : "",
		    i->if_name);
	}
	if_freenameindex(ifs);
	out("netifs=%s", buf);
}

/* How a child that did `what` ended. */
static void
child_result(const char *key, pid_t pid)
{
	int ws = 0;

	if (pid < 0) {
		out("%s=fork-failed:%s", key, strerrorname_np(errno));
		return;
	}
	waitpid(pid, &ws, 0);
	if (WIFSIGNALED(ws))
		out("%s=killed:%s", key, sigabbrev_np(WTERMSIG(ws)));
	else
		out("%s=exit:%d", key, WEXITSTATUS(ws));
}

static void
hog(long mb)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* Touch every page: memory.max counts what is used. */
		for (long i = 0; i < mb; i++) {
			char *p = malloc(1 << 20);
			if (p == NULL)
				_exit(12);
			memset(p, 0x5a, 1 << 20);
		}
		_exit(0);
	}
	child_result("hog", pid);
}

static void
forbid(const char *what)
{
	char key[64];
	pid_t pid;

	snprintf(key, sizeof(key), "forbid_%s", what);
	pid = fork();
	if (pid == 0) {
		long r = -1;
		errno = 0;
		if (strcmp(what, "mount") == 0)
			r = mount("none", "/", "tmpfs", 0, NULL);
		else if (strcmp(what, "ptrace") == 0)
			r = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		else if (strcmp(what, "open") == 0)
			r = open("/dev/null", O_RDONLY);
		/* Still alive: say how the call failed (or that it worked). */
		printf("%s_errno=%s\n", key, r < 0 ?
		    strerrorname_np(errno) : "none");
		fflush(stdout);
		_exit(r < 0 ? 1 : 0);
	}
	child_result(key, pid);
}

static void
forks(long n)
{
	long ok = 0;
	int err = 0;
	pid_t kids[512];

	for (long i = 0; i < n && i < 512; i++) {
		pid_t p = fork();
		if (p == 0) {
			pause();
			_exit(0);
		}
		if (p < 0) {
			err = errno;
			break;
		}
		kids[ok++] = p;
	}
	out("forks=%ld%s%s", ok, err ? " then " : "",
	    err ? strerrorname_np(err) : "");
	for (long i = 0; i < ok; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
}

static void
on_term(int sig)
{
	(void)sig;
	_exit(term_exit);
}

int
main(int argc, char **argv)
{
	struct utsname u;
	gid_t groups[64];
	int nopt = 0;

	struct timespec now;

	/* First thing: when the box's program started (vDSO, no syscall),
	 * for the start-to-exec measurement. */
	clock_gettime(CLOCK_REALTIME, &now);
	out("pid=%ld", (long)getpid());
	if (argc > 1 && strcmp(argv[1], "--minimal") == 0) {
		out("t_exec_ns=%lld", (long long)now.tv_sec * 1000000000LL +
		    now.tv_nsec);
		out("NoNewPrivs=%d", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
		out("Seccomp=%d", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
		for (int i = 2; i + 1 < argc; i += 2) {
			if (strcmp(argv[i], "--call") == 0) {
				/* No fork here: the policy kills fork too. */
				out("calling=%s", argv[i + 1]);
				if (strcmp(argv[i + 1], "mount") == 0)
					mount("none", "/", "tmpfs", 0, NULL);
				else if (strcmp(argv[i + 1], "ptrace") == 0)
					ptrace(PTRACE_TRACEME, 0, NULL, NULL);
				else if (strcmp(argv[i + 1], "open") == 0)
					open("/dev/null", O_RDONLY);
				out("survived=%s errno=%s", argv[i + 1],
				    strerrorname_np(errno));
			} else if (strcmp(argv[i], "--console") == 0) {
				/* fd 5 is the console when the profile has
				 * a kernel and a console (hyve-jail(8)). */
				dprintf(atoi(argv[i + 1]), "hello from the box\r\n");
			}
		}
		return 1;
	}
	out("ppid=%ld", (long)getppid());
	out("uid=%u euid=%u gid=%u egid=%u", (unsigned)getuid(),
	    (unsigned)geteuid(), (unsigned)getgid(), (unsigned)getegid());
	out("groups=%d", getgroups(64, groups));
	caps();
	out("NoNewPrivs=%d", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	out("Seccomp=%d", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	if (uname(&u) == 0)
		out("hostname=%s", u.nodename);
	list_dir("root", "/");
	list_dir("dev", "/dev");
	reach("/etc/passwd");
	reach("/proc/1/root");
	reach("/proc/self/status");
	reach("/run/hyve");
	reach("/sys/fs/cgroup");
	errno = 0;
	out("kill_all=%s", kill(-1, 0) == 0 ? "someone" :
	    strerrorname_np(errno));
	{
		struct stat st;
		out("root_writable=%s", mkdir("/probe-dir", 0700) == 0 ?
		    "yes" : strerrorname_np(errno));
		out("dev_null_chr=%s", stat("/dev/null", &st) == 0 &&
		    S_ISCHR(st.st_mode) ? "yes" : "no");
	}
	fds();
	netifs();

	/* What the launcher handed over first, then the actions. */
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "-o") == 0) {
			out("opt=%s", argv[++i]);
			nopt++;
		}
	out("opts=%d", nopt);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
		if (strcmp(a, "-o") == 0) {
			i++;
		} else if (strcmp(a, "--hog") == 0) {
			hog(atol(v));
			i++;
		} else if (strcmp(a, "--forbid") == 0) {
			forbid(v);
			i++;
		} else if (strcmp(a, "--forks") == 0) {
			forks(atol(v));
			i++;
		} else if (strcmp(a, "--pid") == 0) {
			errno = 0;
			out("pid %s=%s", v, kill((pid_t)atol(v), 0) == 0 ?
			    "visible" : strerrorname_np(errno));
			i++;
		} else if (strcmp(a, "--see") == 0) {
			reach(v);
			i++;
		} else if (strcmp(a, "--term-exit") == 0) {
			term_exit = atoi(v);
			/* pid 1 only gets the signals it handles. */
			signal(SIGTERM, on_term);
			i++;
		} else if (strcmp(a, "--sleep") == 0) {
			out("sleeping=%s", v);
			sleep((unsigned)atoi(v));
			i++;
		} else if (strcmp(a, "--console") == 0) {
			out("console=%d", dprintf(atoi(v),
			    "hello from the box\r\n") > 0);
			i++;
		} else if (strcmp(a, "--exit") == 0) {
			out("done");
			return atoi(v);
		}
	}
	out("done");
	return 1;
}
