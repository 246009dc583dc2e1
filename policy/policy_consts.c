/*
 * policy_consts: symbolic constants for policies (see policy_consts.h).
 *
 * The values come from the C library's and the kernel's headers of the build
 * machine, which are the ones the programs are compiled against, so a policy
 * and the code it guards can never disagree on a number.  Lookup only; this
 * file must never grow code that depends on the running system.
 */
#define _GNU_SOURCE
#include "policy/policy_consts.h"

#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/futex.h>
#include <linux/if_tun.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <termios.h>

struct policy_const {
	const char *name;
	uint64_t value;
};

#define C(x) { #x, (uint64_t)(x) }

static const struct policy_const consts[] = {
	/* open(2) flags: O_ACCMODE for "arg1 & O_ACCMODE == O_RDONLY" */
	C(O_ACCMODE), C(O_RDONLY), C(O_WRONLY), C(O_RDWR), C(O_CREAT),
	C(O_EXCL), C(O_NOCTTY), C(O_TRUNC), C(O_APPEND), C(O_NONBLOCK),
	C(O_DSYNC), C(O_SYNC), C(O_DIRECT), C(O_DIRECTORY), C(O_NOFOLLOW),
	C(O_CLOEXEC), C(O_PATH), C(O_TMPFILE), C(O_LARGEFILE), C(O_NOATIME),
	C(AT_FDCWD), C(AT_EMPTY_PATH), C(AT_SYMLINK_NOFOLLOW), C(AT_REMOVEDIR),
	/* fcntl(2) */
	C(F_DUPFD), C(F_DUPFD_CLOEXEC), C(F_GETFD), C(F_SETFD), C(F_GETFL),
	C(F_SETFL), C(F_GETLK), C(F_SETLK), C(F_SETLKW), C(F_SETOWN),
	C(F_GETOWN), C(F_SETSIG), C(F_ADD_SEALS), C(F_GET_SEALS), C(FD_CLOEXEC),
	/* mmap(2), mprotect(2), madvise(2) */
	C(PROT_NONE), C(PROT_READ), C(PROT_WRITE), C(PROT_EXEC),
	C(MAP_SHARED), C(MAP_PRIVATE), C(MAP_FIXED), C(MAP_ANONYMOUS),
	C(MAP_NORESERVE), C(MAP_POPULATE), C(MAP_STACK), C(MAP_GROWSDOWN),
	C(MAP_FIXED_NOREPLACE), C(MAP_HUGETLB),
	C(MADV_DONTNEED), C(MADV_FREE), C(MADV_DONTDUMP), C(MADV_DODUMP),
	C(MADV_MERGEABLE), C(MADV_HUGEPAGE), C(MADV_NOHUGEPAGE),
	C(MADV_REMOVE), C(MADV_WILLNEED),
	/* clone(2): threads, never new processes */
	C(CLONE_VM), C(CLONE_FS), C(CLONE_FILES), C(CLONE_SIGHAND),
	C(CLONE_THREAD), C(CLONE_SYSVSEM), C(CLONE_SETTLS),
	C(CLONE_PARENT_SETTID), C(CLONE_CHILD_CLEARTID), C(CLONE_CHILD_SETTID),
	C(CLONE_NEWNS), C(CLONE_NEWUSER), C(CLONE_NEWPID), C(CLONE_NEWNET),
	C(CLONE_VFORK), C(CLONE_PTRACE),
	/* epoll(7) */
	C(EPOLL_CTL_ADD), C(EPOLL_CTL_DEL), C(EPOLL_CTL_MOD), C(EPOLL_CLOEXEC),
	/* futex(2) */
	C(FUTEX_WAIT), C(FUTEX_WAKE), C(FUTEX_PRIVATE_FLAG),
	C(FUTEX_WAIT_PRIVATE), C(FUTEX_WAKE_PRIVATE),
	C(FUTEX_WAIT_BITSET_PRIVATE), C(FUTEX_CLOCK_REALTIME),
	C(FUTEX_WAIT_BITSET), C(FUTEX_WAKE_BITSET),
	C(FUTEX_CMD_MASK),
	/* fallocate(2): virtio-blk DISCARD and WRITE_ZEROES */
	C(FALLOC_FL_KEEP_SIZE), C(FALLOC_FL_PUNCH_HOLE), C(FALLOC_FL_ZERO_RANGE),
	/* getrandom(2) */
	C(GRND_NONBLOCK), C(GRND_RANDOM),
	/* sockets: recvmsg/sendmsg flags and SO_RCVTIMEO for vhost-user,
	 * accept4 flags and SO_PEERCRED for the control socket */
	C(MSG_CMSG_CLOEXEC), C(MSG_NOSIGNAL), C(MSG_DONTWAIT), C(MSG_PEEK),
	C(MSG_WAITALL), C(AF_UNIX), C(SOL_SOCKET), C(SO_TYPE), C(SO_DOMAIN),
	C(SO_PEERCRED), C(SO_RCVTIMEO), C(SOCK_CLOEXEC), C(SOCK_NONBLOCK),
	/* signals */
	C(SIG_BLOCK), C(SIG_UNBLOCK), C(SIG_SETMASK),
	/* prctl(2) */
	C(PR_SET_NAME), C(PR_GET_NAME), C(PR_SET_PDEATHSIG), C(PR_SET_NO_NEW_PRIVS),
	C(PR_GET_NO_NEW_PRIVS), C(PR_SET_DUMPABLE), C(PR_GET_DUMPABLE),
	C(PR_SET_SECCOMP), C(PR_GET_SECCOMP),
	/* arch_prctl(2), seccomp(2), wait4(2), lseek(2), memfd_create(2) */
	C(ARCH_SET_FS), C(ARCH_GET_FS), C(SECCOMP_SET_MODE_FILTER),
	C(SECCOMP_SET_MODE_STRICT), C(SECCOMP_GET_ACTION_AVAIL),
	C(SECCOMP_FILTER_FLAG_TSYNC), C(SECCOMP_FILTER_FLAG_LOG),
	C(SECCOMP_FILTER_FLAG_SPEC_ALLOW), C(WNOHANG), C(SEEK_SET),
	C(SEEK_CUR), C(SEEK_END), C(MFD_CLOEXEC), C(MFD_ALLOW_SEALING),
	/* signals a policy may name as an argument */
	C(SIGTERM), C(SIGKILL), C(SIGUSR1), C(SIGUSR2), C(SIGCHLD),
	/* ioctl(2): block devices (hyve-blk sizes its disk before its filter) */
	C(BLKGETSIZE64), C(BLKSSZGET), C(BLKPBSZGET), C(BLKDISCARD),
	C(BLKFLSBUF),
	/* ioctl(2): generic, tty, tap */
	C(FIONBIO), C(FIOCLEX), C(FIONCLEX), C(FIONREAD),
	C(TCGETS), C(TCSETS), C(TCSETSW), C(TCSETSF), C(TIOCGWINSZ),
	C(TIOCSWINSZ), C(TIOCSTI), C(TIOCGPTN), C(TIOCSPTLCK),
	C(TUNSETIFF), C(TUNGETIFF), C(TUNSETOFFLOAD), C(TUNSETVNETHDRSZ),
	C(TUNGETVNETHDRSZ), C(TUNSETPERSIST), C(TUNGETFEATURES),
	C(TUNSETSNDBUF), C(TUNSETQUEUE),
	/* ioctl(2): KVM; KVMIO is the ioctl "type" byte of every KVM ioctl */
	C(KVMIO), C(KVM_GET_API_VERSION), C(KVM_CREATE_VM),
	C(KVM_CHECK_EXTENSION), C(KVM_GET_VCPU_MMAP_SIZE),
	C(KVM_GET_SUPPORTED_CPUID), C(KVM_GET_MSR_INDEX_LIST),
	C(KVM_SET_USER_MEMORY_REGION), C(KVM_CREATE_VCPU), C(KVM_SET_TSS_ADDR),
	C(KVM_SET_IDENTITY_MAP_ADDR), C(KVM_CREATE_IRQCHIP), C(KVM_CREATE_PIT2),
	C(KVM_IRQ_LINE), C(KVM_IRQ_LINE_STATUS), C(KVM_SIGNAL_MSI),
	C(KVM_IRQFD), C(KVM_IOEVENTFD), C(KVM_SET_GSI_ROUTING),
	C(KVM_GET_CLOCK), C(KVM_SET_CLOCK), C(KVM_ENABLE_CAP),
	C(KVM_RUN), C(KVM_GET_REGS), C(KVM_SET_REGS), C(KVM_GET_SREGS),
	C(KVM_SET_SREGS), C(KVM_GET_FPU), C(KVM_SET_FPU), C(KVM_GET_MSRS),
	C(KVM_SET_MSRS), C(KVM_SET_CPUID2), C(KVM_GET_LAPIC), C(KVM_SET_LAPIC),
	C(KVM_GET_MP_STATE), C(KVM_SET_MP_STATE), C(KVM_SET_SIGNAL_MASK),
	C(KVM_GET_VCPU_EVENTS), C(KVM_SET_VCPU_EVENTS), C(KVM_INTERRUPT),
	C(KVM_NMI), C(KVM_KVMCLOCK_CTRL), C(KVM_SET_TSC_KHZ),
	C(KVM_GET_TSC_KHZ), C(KVM_SET_BOOT_CPU_ID), C(KVM_GET_DIRTY_LOG),
};

/* The errnos a "return" rule may name. */
static const struct {
	const char *name;
	int err;
} errnos[] = {
#define E(x) { #x, x }
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(EBADF), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY),
	E(EEXIST), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE),
	E(EMFILE), E(ENOTTY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS),
	E(EPIPE), E(ERANGE), E(ENOSYS), E(ENOTSUP), E(EOPNOTSUPP),
	E(EAFNOSUPPORT), E(EPROTONOSUPPORT),
#undef E
};

int policy_const_lookup(const char *name, uint64_t *value)
{
	for (size_t i = 0; i < sizeof(consts) / sizeof(consts[0]); i++) {
		if (strcmp(consts[i].name, name) == 0) {
			*value = consts[i].value;
			return 0;
		}
	}
	return -ENOENT;
}

int policy_errno_lookup(const char *name, int *err)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
		if (strcmp(errnos[i].name, name) == 0) {
			*err = errnos[i].err;
			return 0;
		}
	}
	return -ENOENT;
}

const char *policy_errno_name(int err)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].err == err)
			return errnos[i].name;
	return NULL;
}
