/*
 * policy-prove: show, on this kernel and this C library, that each role's
 * compiled filter does what its policy says.
 *
 * For every role, children install the real stack of filters a process of
 * that role runs under (launcher.policy, then the role's own, and for a vCPU
 * thread hyve.policy in between) and then:
 *   - make every allowed call, one per rule and per '||' alternative, with
 *     arguments that satisfy the rule: the call must come back (success, or
 *     the kernel's own error such as EBADF on an fd the test cannot have),
 *     never SIGSYS;
 *   - make every "return ERRNO" call: it must fail with that errno;
 *   - make calls outside the filter (mount, ptrace, bpf, socket, execve,
 *     fork, an ioctl nobody allows, PROT_EXEC...) and, for every rule with
 *     conditions, a call that violates them: the child must die of SIGSYS;
 *   - check TSYNC (a thread that exists before hyve's filter gets it), the
 *     vCPU thread's own filter and its glibc thread exit, and log mode.
 * The expected outcome of each call comes from the parsed policy
 * (policy_eval()), so this also checks libseccomp against the language.
 *
 * A test tool: run by tests/sandbox/policy_prove.sh, never installed.  It
 * makes dangerous calls only in children that are about to be killed for
 * them, with arguments that would fail harmlessly if they went through.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/falloc.h>
#include <linux/futex.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "policy/policy.h"
#include "policy/policy_roles.h"

#define MAX_STACK	3
#define EXIT_MAGIC	42

/*
 * In memory shared with the parent: what the child expects (decided from
 * the policies once the arguments are known, before any filter) and what
 * it saw.
 */
struct result {
	int setup_failed;
	int install_failed;
	int mismatch;		/* the policies disagree with the probe's mode */
	int mismatch_act;
	int expect;		/* enum expect */
	int want_err;
	int done;
	long ret;
	int err;
};

static struct result *shared;
static int verbose;
static int failures;

struct stack {
	const char *role;
	int n;
	const char *names[MAX_STACK];
	struct policy pol[MAX_STACK];
	struct policy_prog prog[MAX_STACK];
};

/* ------------------------------------------------------------ probes */

enum expect {
	EXPECT_OK,		/* ret >= 0 */
	EXPECT_ERRNO,		/* -1 with probe.err */
	EXPECT_RETURNS,		/* anything but death: the kernel's answer */
	EXPECT_EXIT,		/* the process exits with EXIT_MAGIC */
	EXPECT_SIGSYS,		/* killed by the filter */
};

struct probe {
	int nr;
	uint64_t a[6];
	enum expect expect;
	int err;
	const char *what;	/* for messages */
	int special;		/* SPECIAL_* */
};

#define SPECIAL_NONE		0
#define SPECIAL_SIGRETURN	1
#define SPECIAL_INT80		2	/* the i386 ABI: a foreign arch token */

/* Scratch that setups point arguments at; lives in each child. */
static char buf[4096] __attribute__((aligned(4096)));
static struct iovec iov = { buf, 1 };
static struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
static struct epoll_event ev[4];
static struct timespec ts;
static uint32_t futex_word;
static sigset_t sigs;
static struct pollfd pfd;
static struct stat st;
static struct rlimit rl;
static cpu_set_t cpus;
static int tid_word;
static socklen_t optlen;
static struct itimerspec its;
static uint32_t action_allow = SECCOMP_RET_ALLOW;
static char *const empty_argv[] = { NULL };

static int mk_pipe(int with_byte)
{
	int p[2];

	if (pipe2(p, O_NONBLOCK) < 0)
		return -1;
	if (with_byte && write(p[1], "x", 1) != 1)
		return -1;
	return with_byte ? p[0] : p[1];
}

static int mk_memfd(void)
{
	int fd = memfd_create("probe", MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, 8192) < 0)
		return -1;
	return fd;
}

static void *mk_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Fill the arguments a rule leaves free (FIXED has a bit per argument the
 * rule sets) with resources on which the call works.  Runs in the child,
 * before any filter.  Returns -1 when the syscall has no probe: a new rule
 * needs a probe here before the proof passes.
 */
static int setup(struct probe *pb, unsigned int fixed)
{
	uint64_t *a = pb->a;
	int sv[2];

#define FREE(i) (!(fixed & (1u << (i))))
#define SET(i, v) do { if (FREE(i)) a[i] = (uint64_t)(v); } while (0)
	pb->expect = EXPECT_OK;
	switch (pb->nr) {
	case SYS_read:
		SET(0, mk_pipe(1)); SET(1, buf); SET(2, 1);
		break;
	case SYS_write:
		SET(0, mk_pipe(0)); SET(1, buf); SET(2, 1);
		break;
	case SYS_readv:
		SET(0, mk_pipe(1)); SET(1, &iov); SET(2, 1);
		break;
	case SYS_writev:
		SET(0, mk_pipe(0)); SET(1, &iov); SET(2, 1);
		break;
	case SYS_pread64:
		SET(0, mk_memfd()); SET(1, buf); SET(2, 512); SET(3, 0);
		break;
	case SYS_preadv:
	case SYS_pwritev:
		SET(0, mk_memfd()); SET(1, &iov); SET(2, 1); SET(3, 0); SET(4, 0);
		break;
	case SYS_lseek:
		SET(0, mk_memfd()); SET(1, 0); SET(2, SEEK_SET);
		break;
	case SYS_poll:
		pfd.fd = mk_pipe(1);
		pfd.events = POLLIN;
		SET(0, &pfd); SET(1, 1); SET(2, 0);
		break;
	case SYS_futex:
		SET(0, &futex_word); SET(1, FUTEX_WAKE_PRIVATE); SET(2, 1);
		break;
	case SYS_ioctl:
		/* no /dev/kvm, no tap here: an fd we cannot have */
		SET(0, -1); SET(2, buf);
		pb->expect = EXPECT_ERRNO;
		pb->err = EBADF;
		break;
	case SYS_getpid:
	case SYS_gettid:
	case SYS_geteuid:
		break;
	case SYS_sysinfo:
		SET(0, buf);
		break;
	case SYS_listen:
		/* an unbound unix socket: the filter lets the call through,
		 * the kernel refuses it (hyve listens on hyve-jail's bound
		 * socket; binding here would leave a file behind) */
		SET(0, socket(AF_UNIX, SOCK_SEQPACKET, 0)); SET(1, 1);
		pb->expect = EXPECT_ERRNO;
		pb->err = EINVAL;
		break;
	case SYS_tgkill:
		signal(SIGUSR1, SIG_IGN);
		SET(0, getpid()); SET(1, gettid()); SET(2, SIGUSR1);
		break;
	case SYS_rt_sigprocmask:
		sigemptyset(&sigs);
		SET(0, SIG_BLOCK); SET(1, &sigs); SET(2, NULL); SET(3, 8);
		break;
	case SYS_rt_sigaction:
		SET(0, SIGUSR2); SET(1, NULL); SET(2, buf); SET(3, 8);
		break;
	case SYS_rt_sigreturn:
		pb->special = SPECIAL_SIGRETURN;
		break;
	case SYS_clock_gettime:
		SET(0, CLOCK_MONOTONIC); SET(1, &ts);
		break;
	case SYS_sendmsg:
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
			return -1;
		SET(0, sv[0]); SET(1, &msg); SET(2, 0);
		break;
	case SYS_recvmsg:
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 ||
		    write(sv[1], "x", 1) != 1)
			return -1;
		SET(0, sv[0]); SET(1, &msg); SET(2, 0);
		break;
	case SYS_getsockopt:
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
			return -1;
		optlen = sizeof(int);
		SET(0, sv[0]); SET(1, SOL_SOCKET); SET(2, SO_TYPE); SET(3, buf);
		SET(4, &optlen);
		break;
	case SYS_setsockopt:
		/* devices/vu_front.c vu_front_init(): a receive timeout
		 * (SO_RCVTIMEO, 20) on a helper's socket; ts has the same
		 * layout as struct timeval, zero = no timeout */
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
			return -1;
		SET(0, sv[0]); SET(1, SOL_SOCKET); SET(2, SO_RCVTIMEO);
		SET(3, &ts); SET(4, sizeof(ts));
		break;
	case SYS_accept4:
		/* hyve's control thread (vmm/ctl.c): a unix socket that does
		 * not listen: through the filter, refused by the kernel */
		SET(0, socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0));
		SET(1, NULL); SET(2, NULL); SET(3, SOCK_CLOEXEC | SOCK_NONBLOCK);
		pb->expect = EXPECT_ERRNO;
		pb->err = EINVAL;
		break;
	case SYS_unlinkat:
	case SYS_unlink:
		/* hyve's ctl_free(): a name that does not exist, so that the
		 * proof removes nothing */
		if (pb->nr == SYS_unlink) {
			SET(0, "/nonexistent-hyve-prove");
		} else {
			SET(0, AT_FDCWD); SET(1, "/nonexistent-hyve-prove");
			SET(2, 0);
		}
		pb->expect = EXPECT_ERRNO;
		pb->err = ENOENT;
		break;
	case SYS_signalfd4:
		sigemptyset(&sigs);
		SET(0, -1); SET(1, &sigs); SET(2, 8); SET(3, 0);
		break;
	case SYS_timerfd_create:
		SET(0, CLOCK_MONOTONIC); SET(1, 0);
		break;
	case SYS_timerfd_settime:
		/* disarm a fresh timer */
		SET(0, timerfd_create(CLOCK_MONOTONIC, 0)); SET(1, 0); SET(2, &its);
		SET(3, NULL);
		break;
	case SYS_close_range:
		/* an fd range nobody has open: closes nothing, succeeds */
		SET(0, 900); SET(1, 999); SET(2, 0);
		break;
	case SYS_brk:
		SET(0, 0);
		break;
	case SYS_mmap:
		SET(0, 0); SET(1, 4096);
		/* keep what the rule fixes (no PROT_EXEC), add read/write */
		a[2] |= PROT_READ | PROT_WRITE;
		SET(3, MAP_PRIVATE | MAP_ANONYMOUS); SET(4, -1); SET(5, 0);
		break;
	case SYS_mprotect:
		SET(0, mk_page()); SET(1, 4096);
		a[2] |= PROT_READ;
		break;
	case SYS_munmap:
		SET(0, mk_page()); SET(1, 4096);
		break;
	case SYS_madvise:
		SET(0, mk_page()); SET(1, 4096); SET(2, MADV_DONTNEED);
		break;
	case SYS_mlock:
		SET(0, mk_page()); SET(1, 4096);
		break;
	case SYS_close:
		SET(0, mk_pipe(0));
		break;
	case SYS_seccomp:
		if (FREE(0))
			a[0] = SECCOMP_GET_ACTION_AVAIL;
		SET(1, 0);
		if (a[0] == SECCOMP_GET_ACTION_AVAIL) {
			SET(2, &action_allow);
		} else {
			/* a NULL program: through the filter, refused by the kernel */
			SET(2, NULL);
			pb->expect = EXPECT_ERRNO;
			pb->err = EFAULT;
		}
		break;
	case SYS_exit:
	case SYS_exit_group:
		SET(0, EXIT_MAGIC);
		pb->expect = EXPECT_EXIT;
		break;
	case SYS_restart_syscall:
		/* nothing to restart: the kernel answers EINTR */
		pb->expect = EXPECT_ERRNO;
		pb->err = EINTR;
		break;
	case SYS_epoll_wait:
		SET(0, epoll_create1(0)); SET(1, ev); SET(2, 1); SET(3, 0);
		break;
	case SYS_epoll_ctl: {
		int ep = epoll_create1(0);
		int fd = mk_pipe(1);
		struct epoll_event e = { .events = EPOLLIN };

		/* DEL and MOD need the fd watched already, ADD needs it not */
		if (!FREE(1) && a[1] != EPOLL_CTL_ADD &&
		    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) < 0)
			return -1;
		ev[0].events = EPOLLIN;
		SET(0, ep); SET(1, EPOLL_CTL_ADD); SET(2, fd); SET(3, &ev[0]);
		break;
	}
	case SYS_epoll_create1:
		SET(0, 0);
		break;
	case SYS_eventfd2:
		SET(0, 0); SET(1, 0);
		break;
	case SYS_newfstatat:
		SET(0, mk_memfd()); SET(1, ""); SET(2, &st); SET(3, AT_EMPTY_PATH);
		break;
	case SYS_fcntl:
		SET(0, mk_memfd()); SET(1, F_GETFL);
		if (a[1] == F_SETFL)
			SET(2, O_NONBLOCK);
		else if (a[1] == F_SETFD)
			SET(2, FD_CLOEXEC);
		else if (a[1] == F_ADD_SEALS)
			SET(2, F_SEAL_SHRINK);
		else
			SET(2, 0);
		break;
	case SYS_fdatasync:
		SET(0, mk_memfd());
		break;
	case SYS_ftruncate:
		SET(0, mk_memfd()); SET(1, 4096);
		break;
	case SYS_fallocate:
		/* a memfd: tmpfs punches holes, but has no ZERO_RANGE
		 * (EOPNOTSUPP); either answer is the kernel's */
		SET(0, mk_memfd()); SET(1, 0); SET(2, 0); SET(3, 4096);
		pb->expect = EXPECT_RETURNS;
		break;
	case SYS_getrandom:
		SET(0, buf); SET(1, 16); SET(2, 0);
		break;
	case SYS_memfd_create:
		SET(0, "probe"); SET(1, MFD_CLOEXEC);
		break;
	case SYS_execveat:
		/* a bad fd: the filter lets it through, the kernel refuses */
		SET(0, -1); SET(1, ""); SET(2, empty_argv); SET(3, empty_argv);
		SET(4, AT_EMPTY_PATH);
		pb->expect = EXPECT_ERRNO;
		pb->err = EBADF;
		break;
	case SYS_arch_prctl: {
		unsigned long fs;

		/* set FS to what it already is */
		if (syscall(SYS_arch_prctl, ARCH_GET_FS, &fs) < 0)
			return -1;
		SET(0, ARCH_SET_FS); SET(1, fs);
		break;
	}
	case SYS_set_tid_address:
		SET(0, &tid_word);
		break;
	case SYS_set_robust_list: {
		void *head;
		size_t len;

		if (syscall(SYS_get_robust_list, 0, &head, &len) < 0)
			return -1;
		SET(0, head); SET(1, len);
		break;
	}
	case SYS_rseq:
		/* glibc registered rseq already: the kernel says EINVAL/EBUSY */
		SET(0, buf); SET(1, 32); SET(2, 0); SET(3, 0);
		pb->expect = EXPECT_RETURNS;
		break;
	case SYS_prlimit64:
		SET(0, 0); SET(1, RLIMIT_STACK); SET(2, NULL); SET(3, &rl);
		break;
	case SYS_clone3:
		SET(0, NULL); SET(1, 0);
		break;
	case SYS_clone:
		/* CLONE_THREAD without CLONE_SIGHAND: the filter lets it
		 * through, the kernel refuses it before creating anything */
		SET(0, CLONE_THREAD);
		a[0] &= ~(uint64_t)(CLONE_SIGHAND | CLONE_VM);
		pb->expect = EXPECT_ERRNO;
		pb->err = EINVAL;
		break;
	case SYS_sched_getaffinity:
		SET(0, 0); SET(1, sizeof(cpus)); SET(2, &cpus);
		break;
	case SYS_sched_setaffinity:
		if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0)
			return -1;
		SET(0, 0); SET(1, sizeof(cpus)); SET(2, &cpus);
		break;
	case SYS_prctl:
		SET(0, PR_GET_NO_NEW_PRIVS);
		if (a[0] == PR_SET_NAME)
			SET(1, "probe");
		else if (a[0] == PR_SET_NO_NEW_PRIVS)
			SET(1, 1);
		else
			SET(1, 0);
		SET(2, 0); SET(3, 0); SET(4, 0);
		break;
	case SYS_readlink:
		SET(0, "/proc/self/exe"); SET(1, buf); SET(2, sizeof(buf));
		break;
	case SYS_access:
		SET(0, "/etc/ld.so.preload"); SET(1, R_OK);
		break;
	case SYS_open:
		SET(0, "/etc/hostname"); SET(1, O_RDONLY); SET(2, 0);
		break;
	case SYS_openat:
		SET(0, AT_FDCWD); SET(1, "/etc/hostname"); SET(2, O_RDONLY); SET(3, 0);
		break;
	default:
		return -1;
	}
#undef SET
#undef FREE
	return 0;
}

/* ------------------------------------------------------------ the child */

enum mode {
	MODE_ALLOWED,	/* a rule of the role: must come back */
	MODE_MUST_KILL,	/* must die of SIGSYS in every role */
	MODE_EVAL,	/* whatever the policies say; skipped where allowed */
};

static void sigill_skip(int sig, siginfo_t *si, void *uc)
{
	ucontext_t *u = uc;

	(void)sig;
	(void)si;
	u->uc_mcontext.gregs[REG_RIP] += 2;	/* past ud2 */
}

static void child_prepare(void)
{
	struct rlimit zero = { 0, 0 };

	/*
	 * Run as the jailed programs do: not root, so installing a filter
	 * needs no_new_privs, which policy_install() must set itself.
	 */
	if (getuid() == 0 && (setgroups(0, NULL) != 0 ||
	    setresgid(65534, 65534, 65534) != 0 ||
	    setresuid(65534, 65534, 65534) != 0))
		_exit(6);
	/* a SIGSYS must not leave a core file behind */
	setrlimit(RLIMIT_CORE, &zero);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	alarm(10);	/* a call that hangs fails instead of hanging the proof */
}

static int install(const struct stack *s, int upto)
{
	for (int i = 0; i < upto; i++)
		if (policy_install(&s->prog[i]) != 0)
			return -1;
	return 0;
}

/* The outcome the filters must give, from the policies. */
static enum policy_action stack_eval(const struct stack *s, int nr,
				     const uint64_t a[6], int *err)
{
	enum policy_action worst = POLICY_ALLOW;

	*err = 0;
	for (int i = 0; i < s->n; i++) {
		int e = 0;
		enum policy_action act = policy_eval(&s->pol[i], nr, a, &e);

		/* kill beats errno beats allow; the later errno wins a tie */
		if (act == POLICY_KILL) {
			worst = POLICY_KILL;
		} else if (act == POLICY_ERRNO && worst != POLICY_KILL) {
			worst = POLICY_ERRNO;
			*err = e;
		}
	}
	return worst;
}

/* End the child without a call its filters kill. */
static void child_exit(const struct stack *s, int code)
{
	uint64_t none[6] = { 0 };
	int e;

	if (stack_eval(s, SYS_exit_group, none, &e) != POLICY_ALLOW)
		syscall(SYS_exit, code);	/* one thread: the process ends */
	syscall(SYS_exit_group, code);
	for (;;)
		;
}

static void child(const struct stack *s, struct probe pb, unsigned int fixed,
		  enum mode mode)
{
	enum policy_action act;
	long r;
	int e;

	child_prepare();
	/* a denial's arguments are all given: nothing to set up */
	if (fixed != 0x3f && setup(&pb, fixed) != 0) {
		shared->setup_failed = 1;
		_exit(4);
	}
	act = stack_eval(s, pb.nr, pb.a, &e);
	if (pb.special == SPECIAL_INT80)
		act = POLICY_KILL;	/* every filter is for x86_64 only */
	if ((mode == MODE_MUST_KILL && act != POLICY_KILL) ||
	    (mode == MODE_ALLOWED && act == POLICY_KILL) ||
	    (mode == MODE_EVAL && act == POLICY_ALLOW)) {
		shared->mismatch = 1;
		shared->mismatch_act = act;
		_exit(5);	/* never make a call the policies would let through */
	}
	if (act == POLICY_KILL) {
		shared->expect = EXPECT_SIGSYS;
	} else if (act == POLICY_ERRNO) {
		shared->expect = EXPECT_ERRNO;
		shared->want_err = e;
	} else {
		shared->expect = pb.expect;
		shared->want_err = pb.err;
	}
	if (pb.special == SPECIAL_SIGRETURN) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = sigill_skip;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGILL, &sa, NULL);
	}
	if (install(s, s->n) != 0) {
		shared->install_failed = 1;
		_exit(3);
	}
	if (pb.special == SPECIAL_SIGRETURN) {
		/* SIGILL; the handler skips ud2 and returns via rt_sigreturn */
		__asm__ volatile("ud2");
		r = 0;
		errno = 0;
	} else if (pb.special == SPECIAL_INT80) {
		long eax = 20;	/* getpid in the i386 table */

		__asm__ volatile("int $0x80" : "+a"(eax) : : "memory");
		r = eax;
		errno = 0;
	} else {
		errno = 0;
		r = syscall(pb.nr, pb.a[0], pb.a[1], pb.a[2], pb.a[3], pb.a[4], pb.a[5]);
		if (r == 0 && (pb.nr == SYS_clone || pb.nr == SYS_fork))
			syscall(SYS_exit, 99);	/* a forked copy: gone at once */
	}
	shared->ret = r;
	shared->err = r < 0 ? errno : 0;
	shared->done = 1;
	child_exit(s, 0);
}

/* ------------------------------------------------------------ the parent */

static const char *sysname(int nr)
{
	static char name[64];
	char *n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

	snprintf(name, sizeof(name), "%s", n ? n : "?");
	free(n);
	return name;
}

static int counts[3];	/* per role: came back, errno, SIGSYS */

__attribute__((format(printf, 4, 5)))
static void report(int ok, const struct stack *s, const struct probe *pb,
		   const char *fmt, ...)
{
	va_list ap;

	if (!ok)
		failures++;
	if (ok && !verbose)
		return;
	printf("%s %-10s %-17s %-30s ", ok ? "ok  " : "FAIL", s->role,
	       sysname(pb->nr), pb->what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static const char *act_name(int act)
{
	return act == POLICY_ALLOW ? "allow" : act == POLICY_ERRNO ? "errno" : "kill";
}

static int judge(const struct stack *s, const struct probe *pb, int status,
		 enum mode mode)
{
	const struct result *r = shared;

	if (r->setup_failed) {
		report(0, s, pb, "no probe for this syscall (or its set-up failed): "
		       "add one to setup() in policy/policy_prove.c");
		return 0;
	}
	if (r->mismatch) {
		if (mode == MODE_EVAL && r->mismatch_act == POLICY_ALLOW) {
			if (verbose)
				printf("n/a  %-10s %-17s %-30s allowed in this role\n",
				       s->role, sysname(pb->nr), pb->what);
			return 1;	/* not a denial here */
		}
		report(0, s, pb, "the policies say %s", act_name(r->mismatch_act));
		return 0;
	}
	if (r->install_failed) {
		report(0, s, pb, "could not install the filters");
		return 0;
	}
	if (r->expect == EXPECT_SIGSYS) {
		int ok = WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;

		if (ok)
			counts[2]++;
		if (WIFSIGNALED(status))
			report(ok, s, pb, "killed by signal %d%s", WTERMSIG(status),
			       ok ? " (SIGSYS)" : "");
		else
			report(0, s, pb, "expected SIGSYS, but it returned %ld (%s)",
			       r->ret, r->ret < 0 ? strerror(r->err) : "success");
		return ok;
	}
	if (WIFSIGNALED(status)) {
		report(0, s, pb, "killed by signal %d%s", WTERMSIG(status),
		       WTERMSIG(status) == SIGSYS ?
		       " (SIGSYS): the filter kills a call its policy allows" : "");
		return 0;
	}
	if (r->expect == EXPECT_EXIT) {
		int ok = WIFEXITED(status) && WEXITSTATUS(status) == EXIT_MAGIC;

		counts[0] += ok;
		report(ok, s, pb, "exited %d", WEXITSTATUS(status));
		return ok;
	}
	if (!r->done || WEXITSTATUS(status) != 0) {
		report(0, s, pb, "the child exited %d before reporting", WEXITSTATUS(status));
		return 0;
	}
	if (r->expect == EXPECT_OK) {
		int ok = r->ret >= 0;

		counts[0] += ok;
		report(ok, s, pb, "returned %ld%s%s", r->ret, ok ? "" : ": ",
		       ok ? "" : strerror(r->err));
		return ok;
	}
	if (r->expect == EXPECT_ERRNO) {
		int ok = r->ret == -1 && r->err == r->want_err;

		counts[1] += ok;
		report(ok, s, pb, "returned %ld (%s), expected %s", r->ret,
		       r->ret < 0 ? strerror(r->err) : "success", strerror(r->want_err));
		return ok;
	}
	/* EXPECT_RETURNS: the kernel's answer, whatever it is */
	counts[0] += r->err != ENOSYS;
	report(r->err != ENOSYS, s, pb, "came back: %ld (%s)", r->ret,
	       r->ret < 0 ? strerror(r->err) : "success");
	return r->err != ENOSYS;
}

static int prove(const struct stack *s, const struct probe *pb,
		 unsigned int fixed, enum mode mode)
{
	int status;
	pid_t pid;

	memset(shared, 0, sizeof(*shared));
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("policy-prove: fork");
		exit(2);
	}
	if (pid == 0)
		child(s, *pb, fixed, mode);
	if (waitpid(pid, &status, 0) < 0) {
		perror("policy-prove: waitpid");
		exit(2);
	}
	return judge(s, pb, status, mode);
}

/* ------------------------------------------------------------ what to call */

/* A value that satisfies C. */
static uint64_t satisfy(const struct policy_cond *c)
{
	switch (c->op) {
	case POLICY_OP_NE:
	case POLICY_OP_GT:
		return c->value + 1;
	case POLICY_OP_LT:
		return c->value - 1;
	default:
		return c->value;	/* EQ, LE, GE, MASKED_EQ */
	}
}

static void alt_args(const struct policy_alt *alt, uint64_t a[6], unsigned int *fixed)
{
	memset(a, 0, 6 * sizeof(a[0]));
	*fixed = 0;
	for (unsigned int i = 0; alt && i < alt->ncond; i++) {
		a[alt->cond[i].arg] = satisfy(&alt->cond[i]);
		*fixed |= 1u << alt->cond[i].arg;
	}
}

static void prove_allowed(const struct stack *s, const struct policy *p)
{
	for (size_t i = 0; i < p->nrule; i++) {
		const struct policy_rule *r = &p->rule[i];
		unsigned int n = r->nalt ? r->nalt : 1;

		for (unsigned int j = 0; j < n; j++) {
			struct probe pb = { .nr = r->nr };
			char what[POLICY_NAME_MAX + 48];
			unsigned int fixed;

			alt_args(r->nalt ? &r->alt[j] : NULL, pb.a, &fixed);
			if (r->nalt > 1)
				snprintf(what, sizeof(what), "%s:%u alt %u", r->file, r->line, j + 1);
			else
				snprintf(what, sizeof(what), "%s:%u", r->file, r->line);
			pb.what = what;
			prove(s, &pb, fixed, MODE_ALLOWED);
		}
	}
}

/*
 * For each rule with conditions, a call that breaks them all: the first
 * comparison's argument gets a value no alternative accepts.
 */
static void prove_violations(const struct stack *s, const struct policy *p)
{
	for (size_t i = 0; i < p->nrule; i++) {
		const struct policy_rule *r = &p->rule[i];
		const struct policy_alt *alt = r->nalt ? &r->alt[0] : NULL;
		struct probe pb = { .nr = r->nr };
		char what[POLICY_NAME_MAX + 48];
		unsigned int fixed;
		int found = 0;

		if (!alt || r->action != POLICY_ALLOW)
			continue;
		snprintf(what, sizeof(what), "%s:%u violated", r->file, r->line);
		pb.what = what;
		for (unsigned int c = 0; c < alt->ncond && !found; c++) {
			const struct policy_cond *pc = &alt->cond[c];
			uint64_t v = pc->value;
			/* harmless if a call went through: bad fds, bad ops */
			uint64_t cand[] = {
				v ^ 0x5a5a0000u, v ^ pc->mask, v + 1, v - 1, v,
				~v, 0,
			};

			for (size_t k = 0; k < sizeof(cand) / sizeof(cand[0]) && !found; k++) {
				int e;

				alt_args(alt, pb.a, &fixed);
				pb.a[pc->arg] = cand[k];
				found = stack_eval(s, pb.nr, pb.a, &e) == POLICY_KILL;
			}
		}
		if (!found) {
			report(0, s, &pb, "found no arguments that break the rule");
			continue;
		}
		prove(s, &pb, fixed, MODE_MUST_KILL);
	}
}

struct deny {
	int nr;
	uint64_t a[6];
	enum mode mode;
	const char *what;
};

/*
 * Calls outside every role.  The arguments fail harmlessly should a call
 * ever get through (a path that does not exist, a bad fd, no program).
 */
static const struct deny denies[] = {
	{ SYS_mount, { (uintptr_t)"none", (uintptr_t)"/nonexistent-hyve",
		       (uintptr_t)"hyve-nofs", 0, 0, 0 }, MODE_MUST_KILL, "mount" },
	{ SYS_umount2, { (uintptr_t)"/nonexistent-hyve", 0, 0, 0, 0, 0 },
	  MODE_MUST_KILL, "umount2" },
	{ SYS_ptrace, { 0 /* PTRACE_TRACEME */, 0, 0, 0, 0, 0 }, MODE_MUST_KILL,
	  "ptrace(TRACEME)" },
	{ SYS_bpf, { 5 /* BPF_PROG_LOAD */, 0, 0, 0, 0, 0 }, MODE_MUST_KILL, "bpf" },
	{ SYS_socket, { AF_UNIX, SOCK_STREAM, 0, 0, 0, 0 }, MODE_MUST_KILL, "socket" },
	{ SYS_socketpair, { AF_UNIX, SOCK_STREAM, 0, 0, 0, 0 }, MODE_MUST_KILL,
	  "socketpair" },
	{ SYS_execve, { (uintptr_t)"/nonexistent-hyve", 0, 0, 0, 0, 0 },
	  MODE_MUST_KILL, "execve" },
	{ SYS_clone, { SIGCHLD, 0, 0, 0, 0, 0 }, MODE_MUST_KILL, "clone (fork)" },
	{ SYS_fork, { 0 }, MODE_MUST_KILL, "fork" },
	{ SYS_unshare, { CLONE_NEWNS, 0, 0, 0, 0, 0 }, MODE_MUST_KILL, "unshare" },
	{ SYS_setns, { (uint64_t)-1, 0, 0, 0, 0, 0 }, MODE_MUST_KILL, "setns" },
	{ SYS_chroot, { (uintptr_t)"/nonexistent-hyve", 0, 0, 0, 0, 0 },
	  MODE_MUST_KILL, "chroot" },
	{ SYS_setuid, { 0 }, MODE_MUST_KILL, "setuid(0)" },
	{ SYS_init_module, { 0, 0, (uintptr_t)"", 0, 0, 0 }, MODE_MUST_KILL,
	  "init_module" },
	{ SYS_perf_event_open, { 0, 0, (uint64_t)-1, (uint64_t)-1, 0, 0 },
	  MODE_MUST_KILL, "perf_event_open" },
	{ SYS_keyctl, { 0, 0, 0, 0, 0, 0 }, MODE_MUST_KILL, "keyctl" },
	{ SYS_io_uring_setup, { 1, 0, 0, 0, 0, 0 }, MODE_MUST_KILL, "io_uring_setup" },
	{ SYS_userfaultfd, { 0 }, MODE_MUST_KILL, "userfaultfd" },
	{ SYS_process_vm_readv, { 1, 0, 0, 0, 0, 0 }, MODE_MUST_KILL,
	  "process_vm_readv" },
	{ SYS_getppid, { 0 }, MODE_MUST_KILL, "getppid (nobody needs it)" },
	/* the x32 ABI: same arch token, syscall number | __X32_SYSCALL_BIT */
	{ 0x40000000 | SYS_getpid, { 0 }, MODE_MUST_KILL, "x32 getpid" },
	{ 0x40000000 | SYS_read, { (uint64_t)-1, 0, 0, 0, 0, 0 }, MODE_MUST_KILL,
	  "x32 read" },
	{ SYS_ioctl, { (uint64_t)-1, TIOCSTI, 0, 0, 0, 0 }, MODE_MUST_KILL,
	  "ioctl TIOCSTI" },
	{ SYS_mmap, { 0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		      (uint64_t)-1, 0 }, MODE_MUST_KILL, "mmap PROT_EXEC" },
	{ SYS_openat, { (uint64_t)AT_FDCWD, (uintptr_t)"/etc/hostname", O_RDONLY,
			0, 0, 0 }, MODE_EVAL, "openat of a path" },
	{ SYS_ioctl, { (uint64_t)-1, KVM_CREATE_VM, 0, 0, 0, 0 }, MODE_EVAL,
	  "ioctl KVM_CREATE_VM" },
	{ SYS_ioctl, { (uint64_t)-1, TUNSETIFF, 0, 0, 0, 0 }, MODE_EVAL,
	  "ioctl TUNSETIFF" },
	{ SYS_mprotect, { 0, 4096, PROT_READ | PROT_EXEC, 0, 0, 0 }, MODE_MUST_KILL,
	  "mprotect PROT_EXEC" },
	{ SYS_execveat, { (uint64_t)-1, (uintptr_t)"/nonexistent-hyve", 0, 0, 0, 0 },
	  MODE_MUST_KILL, "execveat by path" },
	{ SYS_memfd_create, { (uintptr_t)"x", 0, 0, 0, 0, 0 }, MODE_EVAL,
	  "memfd_create" },
	{ SYS_clone3, { 0, 0, 0, 0, 0, 0 }, MODE_EVAL, "clone3" },
	{ SYS_getpid, { 0 }, MODE_EVAL, "getpid" },
};

/* Does this kernel run i386 system calls at all (IA32 emulation)? */
static int int80_works(void)
{
	static int known = -1;
	int status;
	pid_t pid;

	if (known >= 0)
		return known;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		exit(2);
	if (pid == 0) {
		long eax = 20;

		child_prepare();
		__asm__ volatile("int $0x80" : "+a"(eax) : : "memory");
		_exit(eax > 0 ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) < 0)
		exit(2);
	known = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	return known;
}

static void prove_denies(const struct stack *s)
{
	for (size_t i = 0; i < sizeof(denies) / sizeof(denies[0]); i++) {
		struct probe pb = { .nr = denies[i].nr, .what = denies[i].what };

		memcpy(pb.a, denies[i].a, sizeof(pb.a));
		prove(s, &pb, 0x3f, denies[i].mode);
	}
	if (int80_works()) {
		struct probe pb = { .nr = SYS_getpid, .what = "i386 getpid (int 0x80)",
				    .special = SPECIAL_INT80 };

		prove(s, &pb, 0x3f, MODE_MUST_KILL);
	} else {
		printf("n/a  %-10s %-17s %-30s this kernel has no i386 ABI: "
		       "int 0x80 faults without any filter\n", s->role, "getpid",
		       "i386 getpid (int 0x80)");
	}
}

/* ------------------------------------------------------------ threads, log */

static int gate[2];		/* parent thread -> waiting thread */
static const struct policy_prog *thread_prog;
static int thread_call;		/* syscall the thread makes after its filter */

static void *waiting_thread(void *arg)
{
	char c;

	(void)arg;
	if (read(gate[0], &c, 1) != 1)
		return NULL;
	if (thread_prog && policy_install(thread_prog) != 0) {
		shared->install_failed = 1;
		return NULL;
	}
	errno = 0;
	shared->ret = thread_call == SYS_ioctl ?
		syscall(SYS_ioctl, -1, KVM_RUN, 0) : syscall(thread_call);
	shared->err = shared->ret < 0 ? errno : 0;
	shared->done = 1;
	return NULL;	/* glibc's thread exit, under the thread's filters */
}

/*
 * A thread that exists before the filters are installed.  With TSYNC it
 * must get them; a vCPU-like thread adds its own on top.  Returns the
 * child's wait status.
 */
static int thread_child(const struct stack *s, int installed,
			const struct policy_prog *tprog, int call)
{
	pthread_t t;
	int status;
	pid_t pid;

	memset(shared, 0, sizeof(*shared));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		exit(2);
	if (pid == 0) {
		uint64_t none[6] = { 0 };
		int e;

		child_prepare();
		thread_prog = tprog;
		thread_call = call;
		if (pipe(gate) != 0 || pthread_create(&t, NULL, waiting_thread, NULL) != 0)
			_exit(4);
		if (install(s, installed) != 0)
			_exit(3);
		if (write(gate[1], "x", 1) != 1)
			_exit(5);
		pthread_join(t, NULL);
		/* this thread has only the process's filters: getpid per those */
		if (stack_eval(s, SYS_getpid, none, &e) == POLICY_ALLOW && tprog)
			syscall(SYS_getpid);
		child_exit(s, 0);
	}
	if (waitpid(pid, &status, 0) < 0)
		exit(2);
	return status;
}

static void prove_threads(const struct stack *s)
{
	const struct policy_role *r = policy_role_find(s->role);
	struct probe pb = { .nr = SYS_getppid };
	int status;

	if (r->flags & POLICY_TSYNC) {
		/* TSYNC: the older thread's getppid dies like the caller's would */
		pb.what = "TSYNC: older thread";
		status = thread_child(s, s->n, NULL, SYS_getppid);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
			counts[2]++;
			report(1, s, &pb, "killed by SIGSYS");
		} else {
			report(0, s, &pb, "the thread was not filtered (status 0x%x, "
			       "ret %ld)", status, shared->ret);
		}
		return;
	}
	/* a per-thread role: the vCPU thread installs its own over hyve's */
	pb.nr = SYS_ioctl;
	pb.what = "vCPU thread: KVM_RUN, exit";
	status = thread_child(s, s->n - 1, &s->prog[s->n - 1], SYS_ioctl);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && shared->done &&
	    shared->ret == -1 && shared->err == EBADF) {
		counts[1]++;
		report(1, s, &pb, "EBADF, thread exited, main went on");
	} else {
		report(0, s, &pb, "status 0x%x, done %d, ret %ld (%s)", status,
		       shared->done, shared->ret, strerror(shared->err));
	}
	pb.nr = SYS_getpid;
	pb.what = "vCPU thread: getpid";
	status = thread_child(s, s->n - 1, &s->prog[s->n - 1], SYS_getpid);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
		counts[2]++;
		report(1, s, &pb, "killed by SIGSYS (allowed to hyve's main thread)");
	} else {
		report(0, s, &pb, "status 0x%x: the thread's own filter is not in place",
		       status);
	}
}

/* Log mode: the same stack, built with POLICY_LOG, lets getppid through. */
static void prove_log(struct stack *s)
{
	struct policy_prog logp[MAX_STACK];
	struct probe pb = { .nr = SYS_getppid, .what = "log mode: getppid" };
	int status, ok = 1;
	pid_t pid, me = getpid();

	for (int i = 0; i < s->n; i++)
		if (policy_prepare(s->names[i], POLICY_LOG, &logp[i]) != 0)
			ok = 0;
	if (!ok) {
		report(0, s, &pb, "cannot build the log-mode filters");
		return;
	}
	memset(shared, 0, sizeof(*shared));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		exit(2);
	if (pid == 0) {
		child_prepare();
		for (int i = 0; i < s->n; i++)
			if (policy_install(&logp[i]) != 0)
				_exit(3);
		shared->ret = syscall(SYS_getppid);
		shared->done = 1;
		syscall(SYS_exit, 0);
	}
	if (waitpid(pid, &status, 0) < 0)
		exit(2);
	for (int i = 0; i < s->n; i++)
		policy_prog_free(&logp[i]);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && shared->done &&
	    shared->ret == me) {
		report(1, s, &pb, "returned the parent's pid (logged, not killed)");
	} else {
		report(0, s, &pb, "status 0x%x, ret %ld", status, shared->ret);
	}
}

/* ------------------------------------------------------------ exec */

static int stack_build(struct stack *s, const char *role);

/*
 * What hyve-jail does: install launcher.policy, execveat() a static program
 * by fd; the program starts under it and installs its own role policy with
 * policy_load() (libseccomp probing the kernel, the memfd export and all).
 * This is the second half, run in the exec'd image.
 */
static int exec_role(const char *role)
{
	struct stack s;
	struct policy_prog vcpu;
	int rc = 0;

	/* parse now: nothing allocates much once the role's filter is in */
	if (stack_build(&s, role) != 0)
		return 3;
	if (s.n == 3) {
		/* vCPU: main prepares the thread's filter before its own */
		if (policy_prepare(s.names[2], 0, &vcpu) != 0)
			return 4;
		rc = policy_load(s.names[1], 0);
		if (!rc)
			rc = policy_install(&vcpu);
	} else if (s.n == 2) {
		rc = policy_load(s.names[1], 0);
	}
	if (rc)
		return 5;
	child_exit(&s, 0);
	return 6;
}

static void prove_exec(const struct stack *s)
{
	struct probe pb = { .nr = SYS_execveat, .what = "execveat + policy_load" };
	char *argv[] = { (char *)(uintptr_t)"policy-prove", (char *)(uintptr_t)"--exec",
			 (char *)(uintptr_t)s->role, NULL };
	char *envp[] = { NULL };
	int status, fd;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		exit(2);
	if (pid == 0) {
		fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			_exit(7);
		child_prepare();
		if (install(s, 1) != 0)
			_exit(8);
		syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
		_exit(9);
	}
	if (waitpid(pid, &status, 0) < 0)
		exit(2);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		counts[0]++;
		report(1, s, &pb, "the program started and installed its policy");
	} else if (WIFSIGNALED(status)) {
		report(0, s, &pb, "killed by signal %d%s", WTERMSIG(status),
		       WTERMSIG(status) == SIGSYS ? " (SIGSYS): launcher.policy "
		       "misses a call of the start or of policy_load()" : "");
	} else {
		report(0, s, &pb, "exited %d (9: execveat failed; 5: policy_load "
		       "failed; a dynamic binary cannot start in the box)",
		       WEXITSTATUS(status));
	}
}

/* ------------------------------------------------------------ main */

static int stack_build(struct stack *s, const char *role)
{
	const char *chain[MAX_STACK];
	const struct policy_role *r = policy_role_find(role);
	char err[POLICY_ERRLEN];
	int n = 0;

	memset(s, 0, sizeof(*s));
	s->role = role;
	/* the role, its parent, ... up to the launcher, installed in reverse */
	while (r) {
		if (n == MAX_STACK)
			return -1;
		chain[n++] = r->name;
		r = r->parent ? policy_role_find(r->parent) : NULL;
	}
	for (int i = 0; i < n; i++) {
		s->names[i] = chain[n - 1 - i];
		if (policy_parse_role(s->names[i], &s->pol[i], err, sizeof(err)) != 0 ||
		    policy_prepare(s->names[i], 0, &s->prog[i]) != 0) {
			fprintf(stderr, "policy-prove: %s: %s\n", s->names[i], err);
			s->n = i;
			return -1;
		}
		s->n = i + 1;
	}
	return 0;
}

static void stack_free(struct stack *s)
{
	for (int i = 0; i < s->n; i++) {
		policy_free(&s->pol[i]);
		policy_prog_free(&s->prog[i]);
	}
}

static int prove_role(const char *role)
{
	struct stack s;
	unsigned int allowed, conditional, errnos;
	int before = failures;

	if (stack_build(&s, role) != 0) {
		stack_free(&s);
		failures++;
		return -1;
	}
	memset(counts, 0, sizeof(counts));
	policy_count(&s.pol[s.n - 1], &allowed, &conditional, &errnos);
	prove_allowed(&s, &s.pol[s.n - 1]);
	prove_violations(&s, &s.pol[s.n - 1]);
	prove_denies(&s);
	prove_threads(&s);
	prove_log(&s);
	prove_exec(&s);
	printf("%-10s %s: %u allowed syscalls (%u with conditions), %u errno; "
	       "%d calls came back, %d failed with their errno, %d killed by "
	       "SIGSYS; under", role, failures == before ? "PASS" : "FAIL",
	       allowed, conditional, errnos, counts[0], counts[1], counts[2]);
	for (int i = 0; i < s.n; i++)
		printf(" %s", s.names[i]);
	printf("\n");
	stack_free(&s);
	return 0;
}

int main(int argc, char **argv)
{
	int first = 1;

	if (argc == 3 && strcmp(argv[1], "--exec") == 0)
		return exec_role(argv[2]);
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		first = 2;
	}
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		perror("policy-prove: mmap");
		return 2;
	}
	if (first < argc) {
		for (int i = first; i < argc; i++) {
			if (!policy_role_find(argv[i])) {
				fprintf(stderr, "policy-prove: no role '%s'\n", argv[i]);
				return 2;
			}
			prove_role(argv[i]);
		}
	} else {
		for (size_t i = 0; i < policy_nroles; i++)
			prove_role(policy_roles[i].name);
	}
	printf("policy-prove: %s (%d failure%s)\n", failures ? "FAIL" : "PASS",
	       failures, failures == 1 ? "" : "s");
	return failures ? 1 : 0;
}
