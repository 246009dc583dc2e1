/*
 * main: hyve, the VMM process.  bhyve's flags and config tree in, a running
 * KVM machine out, bhyve's exit status back: 0 reboot, 1 poweroff, 2 halt,
 * 3 triple fault, 4 error.
 *
 * The machine is built in named stages from the cfg tree and torn down in
 * reverse; a failing stage is reported once, here, and nothing it started
 * is left behind.  The main thread then only waits: for a stop request from
 * a vCPU or device, for signals (SIGTERM presses the ACPI power button),
 * and for the once-a-second halt check.  This is the only file that prints
 * errors or exits.
 *
 * Seccomp (hyve-policy(5)): once every file is open, every helper is
 * forked and every thread exists, main installs hyve.policy on all threads
 * at once (TSYNC); the vCPU threads wait for that at a gate before their
 * first KVM_RUN and add hyve-vcpu.policy on themselves, and the threads
 * that read peers' input (UART back ends, control socket, virtio
 * monitors) wait at the VM's start gate (vmm/gate.h) before their first
 * read.  Both filters are built before the first thread starts.  Nothing
 * after sandbox_enter() may open a file, fork or create a thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#ifdef HYVE_SECCOMP_TEST
#include <sys/syscall.h>
#endif

#include "common/cfg.h"
#include "policy/policy.h"
#include "vmm/acpi.h"
#include "vmm/boot.h"
#include "vmm/cmdline.h"
#include "vmm/ctl.h"
#include "vmm/inout.h"
#include "vmm/mmio.h"
#include "vmm/mptable.h"
#include "vmm/pci.h"
#include "vmm/pci_lpc.h"
#include "vmm/pci_virtio.h"
#include "vmm/uart.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define ERRLEN		512
#define MPTABLE_ADDR	BOOT_BIOS_ADDR			/* 0xf0000 */
#define ACPI_ADDR	(BOOT_BIOS_ADDR + 0x4000)	/* 0xf4000 */

struct machine {
	struct cfg *cfg;
	struct vm vm;
	struct inout io;
	struct mmio mmio;
	struct pci pci;
	struct lpc_platform lp;
	struct vcpus vcpus;
	struct boot_info boot;
	int kernel_fd, initrd_fd;
	bool own_kernel_fd, own_initrd_fd;
	int sig_fd, timer_fd;
	struct ctl *ctl;		/* hyvectl's control socket, or NULL */
	/* seccomp: the two filters, built before any thread starts */
	unsigned int seccomp_flags;	/* 0 (kill) or POLICY_LOG */
	struct policy_prog hyve_prog, vcpu_prog;
	/* how far the build got, for the teardown */
	bool vm_up, io_up, pci_up, lp_up, vcpus_up;
	uint64_t (*cpusets)[16];
};

static void die_usage(const char *msg)
{
	fprintf(stderr, "hyve: %s\n", msg);
	exit(VM_EXIT_ERROR);
}

/* "fd:N" (an fd hyve-jail passed in) or a path. */
static int open_input(const char *spec, const char *key, bool *own,
    char *err, size_t errlen)
{
	int fd;

	if (strncmp(spec, "fd:", 3) == 0) {
		char *end;
		long n = strtol(spec + 3, &end, 10);

		if (*end != '\0' || n < 0 || n > 65535 ||
		    fcntl((int)n, F_GETFD) < 0) {
			snprintf(err, errlen, "%s=%s: not an open descriptor",
			    key, spec);
			return -EBADF;
		}
		*own = false;
		return (int)n;
	}
	fd = open(spec, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s=%s: %s", key, spec, strerror(e));
		return -e;
	}
	*own = true;
	return fd;
}

/* "0-3,6" into a 1024-bit mask. */
static int parse_cpulist(const char *s, uint64_t mask[16])
{
	memset(mask, 0, 16 * sizeof(uint64_t));
	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b = a;

		if (end == s || a < 0 || a >= 1024)
			return -EINVAL;
		s = end;
		if (*s == '-') {
			b = strtol(s + 1, &end, 10);
			if (end == s + 1 || b < a || b >= 1024)
				return -EINVAL;
			s = end;
		}
		for (long i = a; i <= b; i++)
			mask[i / 64] |= 1ULL << (i % 64);
		if (*s == ',')
			s++;
		else if (*s != '\0')
			return -EINVAL;
	}
	return 0;
}

static int get_bool(struct machine *m, const char *key, bool def, bool *out,
    char *err)
{
	int r = cfg_get_bool(m->cfg, key, def, out, err, ERRLEN);

	return r == -ENOENT ? 0 : r;
}

/* Tables in the BIOS area: the MP table unless -Y, ACPI with -A. */
static int build_tables(struct machine *m, unsigned int ncpus, bool acpi,
    bool mptable, char *err)
{
	uint8_t *dst;
	long n;

	if (mptable) {
		struct mptable_params mp = {
			.base = MPTABLE_ADDR,
			.ncpus = ncpus,
		};

		dst = vm_gpa2hva(&m->vm, MPTABLE_ADDR, MPTABLE_MAX);
		n = dst ? mptable_build(&mp, dst, MPTABLE_MAX) : -ENOMEM;
		if (n < 0) {
			snprintf(err, ERRLEN, "MP table: %s", strerror((int)-n));
			return (int)n;
		}
	}
	if (acpi) {
		struct acpi_params ap = {
			.base = ACPI_ADDR,
			.ncpus = ncpus,
			.pm_base = 0,
			.mmio32_base = (uint32_t)VM_PCI_MEM32_BASE,
			.mmio32_limit = (uint32_t)(VM_PCI_MEM32_BASE +
			    VM_PCI_MEM32_SIZE - 1),
			.mmio64_base = m->pci.mem64_base,
			.mmio64_limit = m->pci.mem64_base ?
			    m->pci.mem64_end - 1 : 0,
			.com1 = lpc_com_present(&m->lp, 0),
			.com2 = lpc_com_present(&m->lp, 1),
		};

		dst = vm_gpa2hva(&m->vm, ACPI_ADDR, ACPI_TABLES_MAX);
		n = dst ? acpi_build(&ap, dst, ACPI_TABLES_MAX) : -ENOMEM;
		if (n < 0) {
			snprintf(err, ERRLEN, "ACPI tables: %s",
			    strerror((int)-n));
			return (int)n;
		}
	}
	return 0;
}

struct cpuset_walk {
	struct machine *m;
	unsigned int ncpus;
	char *err;
};

static int cpuset_key(const char *key, const char *value, const char *origin,
    void *arg)
{
	struct cpuset_walk *w = arg;
	unsigned long n;
	char *end;

	/* "vcpu.N.cpuset": cfg_validate has checked the shape. */
	n = strtoul(key + 5, &end, 10);
	if (strcmp(end, ".cpuset") != 0)
		return 0;
	if (n >= w->ncpus) {
		snprintf(w->err, ERRLEN, "%s: %s: the VM has only %u vCPUs",
		    origin, key, w->ncpus);
		return -EINVAL;
	}
	if (parse_cpulist(value, w->m->cpusets[n]) < 0) {
		snprintf(w->err, ERRLEN, "%s: %s: bad CPU list \"%s\"", origin,
		    key, value);
		return -EINVAL;
	}
	return 0;
}

/* Build the whole machine from the tree.  On failure err says why. */
static int machine_build(struct machine *m, char *err)
{
	struct cfg_topology topo;
	struct vcpu_params vp;
	uint64_t mem;
	bool wired, in_core, acpi, mptable, strictio, strictmsr, localtime;
	bool x2apic;
	const char *kernel, *initrd, *cmdline;
	int r;

	if ((r = cfg_get_topology(m->cfg, &topo, err, ERRLEN)) < 0)
		return r;
	r = cfg_get_size(m->cfg, "memory.size", true, 256ULL << 20, &mem, err,
	    ERRLEN);
	if (r < 0 && r != -ENOENT)
		return r;
	if ((r = get_bool(m, "memory.wired", false, &wired, err)) < 0 ||
	    (r = get_bool(m, "memory.guest_in_core", false, &in_core,
	    err)) < 0 ||
	    (r = get_bool(m, "acpi_tables", false, &acpi, err)) < 0 ||
	    (r = get_bool(m, "x86.mptable", true, &mptable, err)) < 0 ||
	    (r = get_bool(m, "x86.strictio", false, &strictio, err)) < 0 ||
	    (r = get_bool(m, "x86.strictmsr", true, &strictmsr, err)) < 0 ||
	    (r = get_bool(m, "x86.x2apic", false, &x2apic, err)) < 0 ||
	    (r = get_bool(m, "rtc.use_localtime", true, &localtime, err)) < 0)
		return r;
	kernel = cfg_get(m->cfg, "boot.kernel");
	initrd = cfg_get(m->cfg, "boot.initrd");
	cmdline = cfg_get(m->cfg, "boot.cmdline");
	if (kernel == NULL) {
		snprintf(err, ERRLEN, "no kernel: give -o boot.kernel=PATH");
		return -EINVAL;
	}
	if (cmdline == NULL)
		cmdline = "";
	if (topo.cpus > VM_MAX_VCPUS) {
		snprintf(err, ERRLEN, "%u vCPUs: hyve supports at most %d",
		    topo.cpus, VM_MAX_VCPUS);
		return -EINVAL;
	}
	m->cpusets = calloc(topo.cpus, sizeof(*m->cpusets));
	if (m->cpusets == NULL) {
		snprintf(err, ERRLEN, "out of memory");
		return -ENOMEM;
	}
	{
		struct cpuset_walk w = { m, topo.cpus, err };

		r = cfg_foreach(m->cfg, "vcpu.", cpuset_key, &w);
		if (r < 0)
			return r;
	}

	/* Inputs first: a missing kernel must not cost a VM. */
	m->kernel_fd = open_input(kernel, "boot.kernel", &m->own_kernel_fd,
	    err, ERRLEN);
	if (m->kernel_fd < 0)
		return m->kernel_fd;
	if (initrd) {
		m->initrd_fd = open_input(initrd, "boot.initrd",
		    &m->own_initrd_fd, err, ERRLEN);
		if (m->initrd_fd < 0)
			return m->initrd_fd;
	}

	/* kvm.path: /dev/kvm, or the fd hyve-jail passed (fd:3) */
	r = vm_open_kvm(cfg_get(m->cfg, "kvm.path"), err, ERRLEN);
	if (r < 0)
		return r;
	r = vm_create(&m->vm, r, err, ERRLEN);
	m->vm_up = true;
	if (r < 0)
		return r;
	/* Before the first thread (the virtio monitors, at device init):
	 * the input threads wait here until sandbox_enter() opens it. */
	if ((r = gate_hold(&m->vm.start_gate)) < 0) {
		snprintf(err, ERRLEN, "start gate: %s", strerror(-r));
		return r;
	}
	r = vm_setup_memory(&m->vm, mem, wired, err, ERRLEN);
	if (r < 0)
		return r;
	if (in_core)
		(void)madvise(m->vm.mem, m->vm.mem_size, MADV_DODUMP);

	inout_init(&m->io, strictio);
	mmio_init(&m->mmio);
	m->io_up = true;
	if ((r = pci_init(&m->pci, &m->vm, &m->io, &m->mmio, err,
	    ERRLEN)) < 0)
		return r;
	m->pci_up = true;
	r = lpc_platform_init(&m->lp, &m->vm, &m->io, &m->pci, localtime, err,
	    ERRLEN);
	m->lp_up = true;
	if (r < 0)
		return r;
	if ((r = pci_create_from_cfg(&m->pci, m->cfg, err, ERRLEN)) < 0)
		return r;
	/* PCI scans write the 0xcf8 latch before every 0xcfc access: queue
	 * those writes instead of exiting (halves the exits of a scan).
	 * Only an optimisation, so a KVM without it is fine. */
	(void)vm_coalesced_pio(&m->vm, 0xcf8, 4);

	r = boot_linux(&m->vm, m->kernel_fd, m->initrd_fd, cmdline,
	    acpi ? ACPI_ADDR : 0, &m->boot, err, ERRLEN);
	if (r < 0)
		return r;
	if ((r = build_tables(m, topo.cpus, acpi, mptable, err)) < 0)
		return r;

	memset(&vp, 0, sizeof(vp));
	vp.n = (int)topo.cpus;
	vp.topo.sockets = topo.sockets;
	vp.topo.cores = topo.cores;
	vp.topo.threads = topo.threads;
	vp.ignore_msrs = !strictmsr;
	vp.x2apic = x2apic;
	r = vcpus_create(&m->vcpus, &m->vm, &m->io, &m->mmio, &vp, &m->boot,
	    err, ERRLEN);
	m->vcpus_up = true;
	return r;
}

static void machine_teardown(struct machine *m)
{
	if (m->vcpus_up)
		vcpus_destroy(&m->vcpus);
	if (m->pci_up)
		pci_fini(&m->pci);
	if (m->lp_up)
		lpc_platform_fini(&m->lp);
	if (m->io_up) {
		mmio_fini(&m->mmio);
		inout_fini(&m->io);
	}
	if (m->vm_up) {
		gate_fini(&m->vm.start_gate);	/* its threads are joined */
		vm_destroy(&m->vm);
	}
	if (m->own_kernel_fd)
		close(m->kernel_fd);
	if (m->own_initrd_fd)
		close(m->initrd_fd);
	if (m->sig_fd >= 0)
		close(m->sig_fd);
	if (m->timer_fd >= 0)
		close(m->timer_fd);
	free(m->cpusets);
	policy_prog_free(&m->hyve_prog);
	policy_prog_free(&m->vcpu_prog);
	cfg_free(m->cfg);
}

/* ------------------------------------------------------------- seccomp */

/*
 * Build both filters now, while libseccomp may still allocate, probe the
 * kernel and use a memfd: hyve.policy allows none of that.  Building them
 * before the first thread starts also keeps the time between the last
 * thread's start and sandbox_enter() to a single system call.
 */
static int sandbox_prepare(struct machine *m, char *err)
{
	const char *mode = cfg_get(m->cfg, "seccomp");
	int r;

	/* The RTC's localtime_r() (vmm/rtc.c, on a vCPU thread) would read
	 * the time zone on first use: malloc (a new arena: mmap) and open
	 * /etc/localtime, both killed there.  Read it now, once. */
	tzset();
	if (mode != NULL && policy_mode_parse(mode, &m->seccomp_flags) < 0) {
		snprintf(err, ERRLEN, "seccomp=%s: give kill or log", mode);
		return -EINVAL;
	}
	if ((r = policy_prepare("hyve", m->seccomp_flags,
	    &m->hyve_prog)) < 0 ||
	    (r = policy_prepare("hyve-vcpu", m->seccomp_flags,
	    &m->vcpu_prog)) < 0) {
		snprintf(err, ERRLEN, "seccomp: building the %s filter: %s",
		    m->hyve_prog.insns ? "hyve-vcpu" : "hyve", strerror(-r));
		return r;
	}
	return 0;
}

/* On each vCPU thread at its gate, after sandbox_enter(): no allocation. */
static int sandbox_vcpu(void *arg)
{
	struct machine *m = arg;

	return policy_install(&m->vcpu_prog);
}

#ifdef HYVE_SECCOMP_TEST
/*
 * hyve-seccomp-test only (never in hyve): HYVE_SECCOMP_TEST_HOLD=N holds
 * main N seconds between the last thread's start and the filter, the
 * window the start gate closes (25-seccomp-gate.sh looks at the threads
 * and talks to them meanwhile); "N,fail" then fails as a refused install
 * would, so that hyve must exit without any thread having read input.
 */
static int seccomp_test_hold(void)
{
	const char *s = getenv("HYVE_SECCOMP_TEST_HOLD");
	struct timespec ts = { 0, 0 };
	char *end;

	if (s == NULL)
		return 0;
	ts.tv_sec = strtol(s, &end, 10);
	fprintf(stderr, "hyve-seccomp-test: holding %ld s before the "
	    "filter\n", (long)ts.tv_sec);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return strcmp(end, ",fail") == 0 ? -EPERM : 0;
}
#endif

/*
 * hyve.policy on every thread at once (the role's TSYNC), then open the
 * start gate of the input threads and the vCPUs' gate: no thread reads a
 * peer's byte or runs a guest instruction before the filter.  On failure
 * both stay closed and main's fail path cancels them.  no_new_privs
 * first, explicitly: as root the kernel would take the filter without
 * it, and TSYNC gives it to every thread too, so that no thread of hyve
 * can gain privileges by exec (it cannot exec anyway; this is the second
 * lock).
 */
static int sandbox_enter(struct machine *m, char *err)
{
	int r;

#ifdef HYVE_SECCOMP_TEST
	if ((r = seccomp_test_hold()) < 0) {
		snprintf(err, ERRLEN, "seccomp: installing hyve.policy: %s "
		    "(hyve-seccomp-test)", strerror(-r));
		return r;
	}
#endif
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		r = -errno;
		snprintf(err, ERRLEN, "seccomp: no_new_privs: %s",
		    strerror(-r));
		return r;
	}
	r = policy_install(&m->hyve_prog);
	if (r < 0) {
		snprintf(err, ERRLEN, "seccomp: installing hyve.policy: %s",
		    strerror(-r));
		return r;
	}
	gate_release(&m->vm.start_gate, 0);
	vcpus_release(&m->vcpus, 0);
	return 0;
}

/* ------------------------------------------- hyvectl's control hooks */
/* They run on the control thread; each only touches thread-safe state. */

static void ctl_hook_power_button(void *arg)
{
	struct machine *m = arg;

	lpc_power_button(&m->lp);
}

static void ctl_hook_reset(void *arg)
{
	struct machine *m = arg;

	vm_request_stop(&m->vm, VM_EXIT_REBOOT, NULL);
}

static void ctl_hook_destroy(void *arg)
{
	struct machine *m = arg;

	vm_request_stop(&m->vm, VM_EXIT_ERROR, "destroyed by hyvectl");
}

static void ctl_hook_stats(void *arg, struct ctl_stats *st)
{
	struct machine *m = arg;
	int i, k;

	st->nvcpus = (uint32_t)m->vcpus.n;
	for (i = 0; i < m->vcpus.n && i < CTL_MAX_VCPUS; i++) {
		const struct vcpu *v = &m->vcpus.v[i];

		st->vcpu_exits[i] = __atomic_load_n(&v->exits,
		    __ATOMIC_RELAXED);
		for (k = 0; k < VCPU_NEXIT && k < CTL_NEXIT; k++)
			st->exits[k] += __atomic_load_n(&v->exits_by_reason[k],
			    __ATOMIC_RELAXED);
	}
	st->flags |= CTL_STATS_EXIT_REASONS;
	if (lpc_com_present(&m->lp, 0)) {
		struct uart_stats us;

		uart_get_stats(m->lp.com[0].uart, &us);
		st->console_tx = us.tx_bytes;
		st->console_rx = us.rx_bytes;
		st->console_dropped = m->lp.com[0].be != NULL ?
		    uart_backend_dropped(m->lp.com[0].be) : 0;
		st->flags |= CTL_STATS_CONSOLE;
	}
	/* virtio devices in slot order; vpci_dev_stats takes no lock */
	for (i = 0; i <= PCI_SLOTMAX; i++)
		for (k = 0; k <= PCI_FUNCMAX; k++) {
			struct pci_devinst *pi = m->pci.dev[i][k];

			if (pi == NULL || st->ndevs >= CTL_MAX_DEVS)
				continue;
			if (vpci_dev_stats(pi, &st->devs[st->ndevs]) == 0)
				st->ndevs++;
		}
}

#ifdef HYVE_SECCOMP_TEST
/*
 * hyve-seccomp-test only (vmm/main_seccomp_test.c; never in hyve): SIGUSR2
 * makes the main thread call mount(2), which neither hyve.policy nor
 * launcher.policy allows.  With seccomp=kill hyve dies of SIGSYS; with
 * seccomp=log the kernel logs the call and it fails harmlessly (no such
 * file system type), and the VM goes on.
 */
static void seccomp_test_trigger(void)
{
	long r;

	fprintf(stderr, "hyve-seccomp-test: calling mount(2), syscall %d\n",
	    (int)SYS_mount);
	r = syscall(SYS_mount, "none", "/nonexistent-hyve", "hyve-nofs", 0UL,
	    NULL);
	fprintf(stderr, "hyve-seccomp-test: mount(2) returned %ld (%s), "
	    "hyve still alive\n", r, r < 0 ? strerror(errno) : "ok");
}
#endif

/* Wait until something asks the machine to stop; returns the exit status. */
static int machine_loop(struct machine *m)
{
	struct pollfd pfd[3] = {
		{ .fd = m->vm.stop_efd, .events = POLLIN },
		{ .fd = m->sig_fd, .events = POLLIN },
		{ .fd = m->timer_fd, .events = POLLIN },
	};

	while (vm_stop_code(&m->vm) < 0) {
		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			vm_request_stop(&m->vm, VM_EXIT_ERROR, "poll: %s",
			    strerror(errno));
			break;
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(m->sig_fd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGTERM)
					lpc_power_button(&m->lp);
#ifdef HYVE_SECCOMP_TEST
				else if (si.ssi_signo == SIGUSR2)
					seccomp_test_trigger();
#endif
				else
					vm_request_stop(&m->vm, VM_EXIT_ERROR,
					    "stopped by signal %u",
					    si.ssi_signo);
			}
		}
		if (pfd[2].revents & POLLIN) {
			uint64_t ticks;

			if (read(m->timer_fd, &ticks, sizeof(ticks)) > 0)
				vcpus_halt_check(&m->vcpus);
		}
	}
	return vm_stop_code(&m->vm);
}

int main(int argc, char *argv[])
{
	struct machine *m;
	enum cmdline_action action;
	char err[ERRLEN] = "";
	struct itimerspec its = { { 1, 0 }, { 1, 0 } };
	sigset_t set;
	int r, code;

	m = calloc(1, sizeof(*m));
	if (m == NULL)
		die_usage("out of memory");
	m->kernel_fd = m->initrd_fd = m->sig_fd = m->timer_fd = -1;
	m->cfg = cfg_new();
	if (m->cfg == NULL)
		die_usage("out of memory");
	r = cmdline_parse(m->cfg, argc, argv, &action, err, sizeof(err));
	if (r < 0)
		die_usage(err);
	if (action != CMDLINE_RUN) {
		cmdline_help(stdout, action, "hyve");
		cfg_free(m->cfg);
		free(m);
		return 0;
	}
	r = cfg_validate(m->cfg, CFG_ROLE_VMM, err, sizeof(err));
	if (r < 0)
		die_usage(err);

	/* Signals become events of the main loop; vCPU threads and the
	 * serial threads inherit the mask and never see them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
#ifdef HYVE_SECCOMP_TEST
	sigaddset(&set, SIGUSR2);	/* seccomp_test_trigger() */
#endif
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	m->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	m->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC |
	    TFD_NONBLOCK);
	if (m->sig_fd < 0 || m->timer_fd < 0 ||
	    timerfd_settime(m->timer_fd, 0, &its, NULL) < 0) {
		snprintf(err, sizeof(err), "signalfd/timerfd: %s",
		    strerror(errno));
		r = -errno;
		goto fail;
	}

	if ((r = sandbox_prepare(m, err)) < 0)
		goto fail;
	r = machine_build(m, err);
	if (r < 0)
		goto fail;
	/* Every file is open and every helper forked.  Threads now, the vCPUs
	 * first (held at their gate, see vcpus_gate()), the UART and control
	 * threads, which read peers' bytes, last (held at the start gate,
	 * like the virtio monitors) and right before the filter; nothing that
	 * opens files or creates threads after it. */
	vcpus_gate(&m->vcpus, sandbox_vcpu, m);
	r = vcpus_start(&m->vcpus, (const uint64_t (*)[16])m->cpusets, err,
	    sizeof(err));
	if (r < 0)
		goto fail;
	r = lpc_platform_start(&m->lp, err, sizeof(err));
	if (r < 0)
		goto fail;
	{
		/* Before the sandbox: its thread cannot be created after. */
		struct ctl_params cp = {
			.cfg = m->cfg,
			.hooks = { m, ctl_hook_power_button, ctl_hook_reset,
			    ctl_hook_destroy, ctl_hook_stats },
			.ncpus = (unsigned int)m->vcpus.n,
			.memory = m->vm.mem_size,
			.gate = &m->vm.start_gate,
		};

		r = ctl_start(&m->ctl, &cp, err, sizeof(err));
		if (r < 0)
			goto fail;
		err[0] = '\0';	/* no socket (not root, ...) is only a note */
	}
	if ((r = sandbox_enter(m, err)) < 0)
		goto fail;

	code = machine_loop(m);
	vcpus_stop(&m->vcpus);
	ctl_stop(m->ctl);	/* before the teardown: its hooks use m */
	if (code == VM_EXIT_ERROR && m->vm.stop_msg[0])
		fprintf(stderr, "hyve: %s\n", m->vm.stop_msg);
	machine_teardown(m);
	free(m);
	return code;
fail:
	fprintf(stderr, "hyve: %s\n", err[0] ? err : strerror(-r));
	/* Threads at the start gate leave it without having read anything;
	 * before any join below. */
	gate_release(&m->vm.start_gate, -ECANCELED);
	if (m->vcpus_up) {
		/* Started threads run until a stop is requested. */
		vm_request_stop(&m->vm, VM_EXIT_ERROR, NULL);
		vcpus_stop(&m->vcpus);
	}
	ctl_stop(m->ctl);
	machine_teardown(m);
	free(m);
	return VM_EXIT_ERROR;
}
