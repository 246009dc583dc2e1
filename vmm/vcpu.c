/*
 * vcpu: virtual CPUs as threads, their CPUID/MSR setup and exit dispatch.
 *
 * Interrupt controllers and the PIT live in the kernel, so the only exits
 * that reach us are device accesses, shutdowns and errors.  Stopping is
 * cooperative: vm_request_stop() records why, the main thread kicks every
 * vCPU with SIGUSR1 (immediate_exit closes the race with a thread that is
 * about to enter KVM_RUN) and joins them.  Writes KVM queued in the
 * coalesced ring (the 0xcf8 latch) are replayed before any exit is handled,
 * so devices see every access in guest order.  Never trusts a guest-chosen
 * exit field or ring entry: sizes, counts and offsets are checked first.
 * With vcpus_gate(), a thread runs no guest instruction before main has
 * installed hyve's seccomp filter and the thread has added its own; from
 * then on it must not allocate (hyve-vcpu.policy has no mmap).
 */
#define _GNU_SOURCE
#include "vmm/vcpu.h"

#include <errno.h>
#include <linux/kvm.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define VCPU_KICK_SIG	SIGUSR1
#define VCPU_PAGE	4096
/* Entries in the coalesced ring page (KVM_COALESCED_MMIO_MAX). */
#define VCPU_RING_MAX	((VCPU_PAGE - sizeof(struct kvm_coalesced_mmio_ring)) \
	/ sizeof(struct kvm_coalesced_mmio))

#define MSR_IA32_MISC_ENABLE	0x1a0
#define MISC_ENABLE_FAST_STRING	0x1

#define CPUID_HYPERVISOR	(1U << 31)	/* leaf 1 ECX */
#define CPUID_X2APIC		(1U << 21)	/* leaf 1 ECX */
#define CPUID_TSC_DEADLINE	(1U << 24)	/* leaf 1 ECX */
#define CPUID_HTT		(1U << 28)	/* leaf 1 EDX */
#define CPUID_TOPOEXT		(1U << 22)	/* leaf 0x80000001 ECX */
#define CPUID_CMPLEGACY		(1U << 1)	/* leaf 0x80000001 ECX */

unsigned int vcpu_order(unsigned int n)
{
	unsigned int o = 0;

	while ((1U << o) < n)
		o++;
	return o;
}

static void vcpu_kick_handler(int sig)
{
	(void)sig;	/* only here to make KVM_RUN return -EINTR */
}

static int vcpu_get_cpuid(struct vcpus *vs)
{
	int nent = 128;

	for (;;) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
		    (size_t)nent * sizeof(c->entries[0]));

		if (c == NULL)
			return -ENOMEM;
		c->nent = (uint32_t)nent;
		if (ioctl(vs->vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			vs->cpuid = c;
			return 0;
		}
		free(c);
		if (errno != E2BIG || nent >= 4096)
			return -errno;
		nent *= 2;
	}
}

/* This vCPU's CPUID: KVM's supported set with the -c topology, its APIC ID
 * and the hypervisor bit. */
static int vcpu_set_cpuid(struct vcpus *vs, struct vcpu *v)
{
	const struct vcpu_topology *t = &vs->topo;
	unsigned int per_pkg = t->cores * t->threads;
	unsigned int tshift = vcpu_order(t->threads);
	unsigned int pshift = tshift + vcpu_order(t->cores);
	uint32_t apic = (uint32_t)v->id;
	size_t sz = sizeof(*vs->cpuid) +
	    vs->cpuid->nent * sizeof(vs->cpuid->entries[0]);
	struct kvm_cpuid2 *c = malloc(sz);
	uint32_t i;
	int r = 0;

	if (c == NULL)
		return -ENOMEM;
	memcpy(c, vs->cpuid, sz);
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0xffff) | (apic << 24) |
			    ((per_pkg & 0xff) << 16);
			e->ecx |= CPUID_HYPERVISOR;
			if (!vs->x2apic)
				e->ecx &= ~CPUID_X2APIC;
			/* KVM emulates it but leaves offering it to us; it
			 * spares Linux calibrating the LAPIC timer against
			 * the PIT (which fails under heavy host load). */
			if (vs->tsc_deadline)
				e->ecx |= CPUID_TSC_DEADLINE;
			if (per_pkg > 1)
				e->edx |= CPUID_HTT;
			else
				e->edx &= ~CPUID_HTT;
			break;
		case 4:
			/* Intel cache leaves: who shares each cache. */
			if ((e->eax & 0x1f) == 0)
				break;
			e->eax &= 0x3fff;
			e->eax |= (t->cores - 1) << 26;
			if (((e->eax >> 5) & 7) >= 3)
				e->eax |= (per_pkg - 1) << 14;
			else
				e->eax |= (t->threads - 1) << 14;
			break;
		case 0xb:
		case 0x1f:
			/* x2APIC topology: SMT level, then core level. */
			e->edx = apic;
			if (e->index == 0) {
				e->eax = tshift;
				e->ebx = t->threads;
				e->ecx = 0 | (1 << 8);
			} else if (e->index == 1) {
				e->eax = pshift;
				e->ebx = per_pkg;
				e->ecx = 1 | (2 << 8);
			} else {
				e->eax = e->ebx = 0;
				e->ecx = e->index;
			}
			break;
		case 0x80000001:
			/* Without TOPOEXT Linux reads cores from 0x80000008
			 * instead of 0x8000001e, which we do not model. */
			e->ecx &= ~CPUID_TOPOEXT;
			if (per_pkg > 1)
				e->ecx |= CPUID_CMPLEGACY;
			else
				e->ecx &= ~CPUID_CMPLEGACY;
			break;
		case 0x80000008:
			e->ecx = (pshift << 12) | (per_pkg - 1);
			break;
		default:
			break;
		}
	}
	if (ioctl(v->fd, KVM_SET_CPUID2, c) < 0)
		r = -errno;
	free(c);
	return r;
}

static int vcpu_set_msrs(struct vcpu *v)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[1];
	} m;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 1;
	m.e[0].index = MSR_IA32_MISC_ENABLE;
	m.e[0].data = MISC_ENABLE_FAST_STRING;
	/* Returns the number set; 0 means KVM does not model it (fine). */
	if (ioctl(v->fd, KVM_SET_MSRS, &m) < 0)
		return -errno;
	return 0;
}

/* LINT0 = ExtINT, LINT1 = NMI: the virtual-wire setup firmware leaves. */
static int vcpu_set_lapic(struct vcpu *v)
{
	struct kvm_lapic_state la;
	uint32_t *lint0, *lint1;

	if (ioctl(v->fd, KVM_GET_LAPIC, &la) < 0)
		return -errno;
	lint0 = (uint32_t *)(void *)&la.regs[0x350];
	lint1 = (uint32_t *)(void *)&la.regs[0x360];
	*lint0 = (*lint0 & ~0x700U) | (7U << 8);	/* ExtINT */
	*lint1 = (*lint1 & ~0x700U) | (4U << 8);	/* NMI */
	if (ioctl(v->fd, KVM_SET_LAPIC, &la) < 0)
		return -errno;
	return 0;
}

static void vcpu_seg(struct kvm_segment *s, uint16_t sel, uint8_t type,
    bool code64)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code64;
	s->db = !code64;
}

/* vCPU 0 starts in long mode at the kernel's 64-bit entry. */
static int vcpu_set_boot_regs(struct vcpu *v, const struct boot_info *bi)
{
	struct kvm_sregs sr;
	struct kvm_regs regs;
	struct kvm_fpu fpu;

	if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0)
		return -errno;
	vcpu_seg(&sr.cs, BOOT_CODE_SEL, 0xb, true);
	vcpu_seg(&sr.ds, BOOT_DATA_SEL, 0x3, false);
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	sr.gdt.base = bi->gdt_base;
	sr.gdt.limit = bi->gdt_limit;
	sr.idt.base = 0;
	sr.idt.limit = 0;
	sr.cr0 = 0x80000001 | 0x10 | 0x20;	/* PG, PE, ET, NE */
	sr.cr3 = bi->cr3;
	sr.cr4 = 0x20;				/* PAE */
	sr.efer = 0x500;			/* LME, LMA */
	if (ioctl(v->fd, KVM_SET_SREGS, &sr) < 0)
		return -errno;

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;
	regs.rip = bi->entry;
	regs.rsi = bi->zeropage;
	regs.rsp = bi->stack;
	regs.rbp = bi->stack;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;

	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;
	fpu.mxcsr = 0x1f80;
	if (ioctl(v->fd, KVM_SET_FPU, &fpu) < 0)
		return -errno;
	return 0;
}

int vcpus_create(struct vcpus *vs, struct vm *vm, struct inout *io,
    struct mmio *mmio, const struct vcpu_params *p,
    const struct boot_info *bi, char *err, size_t errlen)
{
	const struct vcpu_topology *topo = &p->topo;
	bool ignore_msrs = p->ignore_msrs;
	int n = p->n;
	struct sigaction sa;
	int i, r;

	memset(vs, 0, sizeof(*vs));
	vs->vm = vm;
	vs->io = io;
	vs->mmio = mmio;
	vs->topo = *topo;
	vs->ignore_msrs = ignore_msrs;
	vs->x2apic = p->x2apic;
	vs->tsc_deadline = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION,
	    KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	pthread_mutex_init(&vs->ring_lock, NULL);
	pthread_mutex_init(&vs->gate_lock, NULL);
	pthread_cond_init(&vs->gate_cv, NULL);
	for (i = 0; i < VM_MAX_VCPUS; i++)
		vs->v[i].fd = -1;
	if (n < 1 || n > VM_MAX_VCPUS || topo->sockets == 0 ||
	    topo->cores == 0 || topo->threads == 0 ||
	    topo->sockets * topo->cores * topo->threads != (unsigned int)n) {
		snprintf(err, errlen, "%d vCPUs do not match the topology "
		    "%u sockets x %u cores x %u threads (at most %d vCPUs)",
		    n, topo->sockets, topo->cores, topo->threads,
		    VM_MAX_VCPUS);
		return -EINVAL;
	}
	r = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (r > 0 && n > r) {
		snprintf(err, errlen, "KVM supports at most %d vCPUs", r);
		return -EINVAL;
	}
	if (ignore_msrs) {
		struct kvm_enable_cap cap = {
			.cap = KVM_CAP_X86_USER_SPACE_MSR,
			.args[0] = KVM_MSR_EXIT_REASON_UNKNOWN,
		};

		/* Unknown MSRs come to us instead of #GP, only with -w. */
		if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
			r = -errno;
			snprintf(err, errlen, "-w: KVM_CAP_X86_USER_SPACE_MSR: "
			    "%s", strerror(errno));
			return r;
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = vcpu_kick_handler;	/* no SA_RESTART: want EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(VCPU_KICK_SIG, &sa, NULL) < 0)
		return -errno;

	r = vcpu_get_cpuid(vs);
	if (r < 0) {
		snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID: %s",
		    strerror(-r));
		return r;
	}
	for (i = 0; i < n; i++) {
		struct vcpu *v = &vs->v[i];
		const char *what;

		v->id = i;
		v->all = vs;
		v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)i);
		if (v->fd < 0) {
			r = -errno;
			what = "KVM_CREATE_VCPU";
			goto fail;
		}
		vs->n = i + 1;
		v->run = mmap(NULL, (size_t)vm->run_size, PROT_READ | PROT_WRITE,
		    MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED) {
			v->run = NULL;
			r = -errno;
			what = "mmap(kvm_run)";
			goto fail;
		}
		if (i == 0) {
			r = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION,
			    KVM_CAP_COALESCED_MMIO);
			/* r is the ring's page offset in the vCPU mapping */
			if (r > 0 && (long)(r + 1) * VCPU_PAGE <=
			    (long)vm->run_size)
				vs->ring = (void *)((uint8_t *)v->run +
				    (long)r * VCPU_PAGE);
		}
		what = "KVM_SET_CPUID2";
		if ((r = vcpu_set_cpuid(vs, v)) < 0)
			goto fail;
		what = "KVM_SET_MSRS";
		if ((r = vcpu_set_msrs(v)) < 0)
			goto fail;
		what = "KVM_SET_LAPIC";
		if ((r = vcpu_set_lapic(v)) < 0)
			goto fail;
		what = "boot registers";
		if (i == 0 && (r = vcpu_set_boot_regs(v, bi)) < 0)
			goto fail;
		continue;
fail:
		snprintf(err, errlen, "vCPU %d: %s: %s", i, what, strerror(-r));
		return r;
	}
	return 0;
}

void vcpus_drain_coalesced(struct vcpus *vs)
{
	struct kvm_coalesced_mmio_ring *ring = vs->ring;
	uint32_t first;

	if (ring == NULL ||
	    __atomic_load_n(&ring->first, __ATOMIC_ACQUIRE) ==
	    __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&vs->ring_lock);
	first = ring->first;
	while (first != __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE) &&
	    first < VCPU_RING_MAX) {
		struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[first];
		uint32_t len = e->len;

		if (len == 1 || len == 2 || len == 4 || len == 8) {
			if (e->pio && len <= 4) {
				uint32_t val = 0;

				memcpy(&val, e->data, len);
				(void)inout_handle(vs->io,
				    (uint16_t)e->phys_addr, (int)len, false,
				    &val);
			} else if (!e->pio) {
				uint64_t val = 0;

				memcpy(&val, e->data, len);
				(void)mmio_handle(vs->mmio, e->phys_addr,
				    (int)len, true, &val);
			}
		}
		first = (uint32_t)((first + 1) % VCPU_RING_MAX);
		__atomic_store_n(&ring->first, first, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&vs->ring_lock);
}

static int vcpu_exit_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	int size = run->io.size;
	uint32_t count = run->io.count;
	bool in = run->io.direction == KVM_EXIT_IO_IN;
	uint64_t off = run->io.data_offset;
	uint32_t i;
	int r;

	/* KVM fills these, but a check costs nothing next to a wild write. */
	if ((size != 1 && size != 2 && size != 4) || count == 0 ||
	    off + (uint64_t)size * count > (uint64_t)v->all->vm->run_size)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		uint8_t *p = (uint8_t *)run + off + (uint64_t)i * size;
		uint32_t val = 0;

		if (!in)
			memcpy(&val, p, (size_t)size);
		r = inout_handle(v->all->io, run->io.port, size, in, &val);
		if (r == -ENOENT) {
			vm_request_stop(v->all->vm, VM_EXIT_ERROR, "vCPU %d: "
			    "%s of unemulated I/O port 0x%x (-e)", v->id,
			    in ? "read" : "write", run->io.port);
			return r;
		}
		if (r < 0) {
			vm_request_stop(v->all->vm, VM_EXIT_ERROR, "vCPU %d: "
			    "I/O port 0x%x: %s", v->id, run->io.port,
			    strerror(-r));
			return r;
		}
		if (in)
			memcpy(p, &val, (size_t)size);
	}
	return 0;
}

static int vcpu_exit_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint64_t val = 0;
	int len = (int)run->mmio.len;
	int r;

	if (len < 1 || len > 8)
		return -EINVAL;
	if (len != 1 && len != 2 && len != 4 && len != 8) {
		/* Odd sizes come from odd instructions: reads see ones. */
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0xff, (size_t)len);
		return 0;
	}
	if (run->mmio.is_write)
		memcpy(&val, run->mmio.data, (size_t)len);
	r = mmio_handle(v->all->mmio, run->mmio.phys_addr, len,
	    run->mmio.is_write, &val);
	if (r < 0) {
		vm_request_stop(v->all->vm, VM_EXIT_ERROR, "vCPU %d: MMIO at "
		    "0x%llx: %s", v->id,
		    (unsigned long long)run->mmio.phys_addr, strerror(-r));
		return r;
	}
	if (!run->mmio.is_write)
		memcpy(run->mmio.data, &val, (size_t)len);
	return 0;
}

/* Answer main's "are you halted?" with KVM's view of this vCPU. */
static void vcpu_halt_answer(struct vcpu *v)
{
	struct kvm_mp_state mp;
	struct kvm_regs regs;
	int seq = __atomic_load_n(&v->halt_seq, __ATOMIC_ACQUIRE);
	bool halted = false;

	if (seq == v->halt_seen)
		return;
	if (ioctl(v->fd, KVM_GET_MP_STATE, &mp) == 0) {
		if (mp.mp_state == KVM_MP_STATE_UNINITIALIZED ||
		    mp.mp_state == KVM_MP_STATE_INIT_RECEIVED)
			halted = true;	/* an AP never started */
		else if (mp.mp_state == KVM_MP_STATE_HALTED &&
		    ioctl(v->fd, KVM_GET_REGS, &regs) == 0 &&
		    !(regs.rflags & 0x200))
			halted = true;	/* HLT with IF=0: never wakes */
	}
	v->halted = halted;
	__atomic_store_n(&v->halt_seen, seq, __ATOMIC_RELEASE);
}

void vcpus_gate(struct vcpus *vs, int (*sandbox)(void *arg), void *arg)
{
	vs->gated = true;
	vs->gate = 0;
	vs->sandbox = sandbox;
	vs->sandbox_arg = arg;
}

void vcpus_release(struct vcpus *vs, int status)
{
	pthread_mutex_lock(&vs->gate_lock);
	if (vs->gate == 0)
		vs->gate = status < 0 ? status : 1;
	pthread_cond_broadcast(&vs->gate_cv);
	pthread_mutex_unlock(&vs->gate_lock);
}

/*
 * Before the first KVM_RUN: wait for main's filter (hyve.policy, installed
 * with TSYNC, which would refuse a thread that already has a filter of its
 * own), then add this thread's (hyve-vcpu.policy).  The wait uses only a
 * mutex and a condition variable (futex), which both policies allow.
 */
static int vcpu_enter_sandbox(struct vcpu *v)
{
	struct vcpus *vs = v->all;
	int g, r;

	if (!vs->gated)
		return 0;
	pthread_mutex_lock(&vs->gate_lock);
	while ((g = vs->gate) == 0)
		pthread_cond_wait(&vs->gate_cv, &vs->gate_lock);
	pthread_mutex_unlock(&vs->gate_lock);
	if (g < 0)
		return g;	/* main failed and reports it */
	if (vs->sandbox && (r = vs->sandbox(vs->sandbox_arg)) < 0) {
		vm_request_stop(vs->vm, VM_EXIT_ERROR, "vCPU %d: seccomp: %s",
		    v->id, strerror(-r));
		return r;
	}
	return 0;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->all->vm;
	struct kvm_run *run = v->run;
	sigset_t set;
	int r;

	/* Only the kick reaches a vCPU thread; main handles the rest. */
	sigfillset(&set);
	sigdelset(&set, VCPU_KICK_SIG);
	pthread_sigmask(SIG_SETMASK, &set, NULL);

	if (vcpu_enter_sandbox(v) < 0)
		return NULL;
	while (vm_stop_code(vm) < 0) {
		r = ioctl(v->fd, KVM_RUN, 0);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				run->immediate_exit = 0;
				vcpus_drain_coalesced(v->all);
				vcpu_halt_answer(v);
				continue;
			}
			vm_request_stop(vm, VM_EXIT_ERROR, "vCPU %d: KVM_RUN: "
			    "%s", v->id, strerror(errno));
			break;
		}
		__atomic_add_fetch(&v->exits, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&v->exits_by_reason[run->exit_reason <
		    VCPU_NEXIT - 1 ? run->exit_reason : VCPU_NEXIT - 1], 1,
		    __ATOMIC_RELAXED);
		/* Queued writes happened before this exit: replay them first
		 * (an 0xcf8 address before the 0xcfc access that uses it). */
		vcpus_drain_coalesced(v->all);
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			r = vcpu_exit_io(v);
			break;
		case KVM_EXIT_MMIO:
			r = vcpu_exit_mmio(v);
			break;
		case KVM_EXIT_INTR:
			run->immediate_exit = 0;
			vcpu_halt_answer(v);
			r = 0;
			break;
		case KVM_EXIT_SHUTDOWN:
			/* A triple fault: bhyve's exit status 3. */
			vm_request_stop(vm, VM_EXIT_TRIPLEFAULT, NULL);
			r = 0;
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			switch (run->system_event.type) {
			case KVM_SYSTEM_EVENT_SHUTDOWN:
				vm_request_stop(vm, VM_EXIT_POWEROFF, NULL);
				break;
			case KVM_SYSTEM_EVENT_RESET:
				vm_request_stop(vm, VM_EXIT_REBOOT, NULL);
				break;
			default:
				vm_request_stop(vm, VM_EXIT_ERROR, "vCPU %d: "
				    "system event %u", v->id,
				    run->system_event.type);
				break;
			}
			r = 0;
			break;
		case KVM_EXIT_X86_RDMSR:
			/* Only unknown MSRs get here, and only with -w. */
			run->msr.data = 0;
			run->msr.error = v->all->ignore_msrs ? 0 : 1;
			r = 0;
			break;
		case KVM_EXIT_X86_WRMSR:
			run->msr.error = v->all->ignore_msrs ? 0 : 1;
			r = 0;
			break;
		case KVM_EXIT_FAIL_ENTRY:
			vm_request_stop(vm, VM_EXIT_ERROR, "vCPU %d: VM entry "
			    "failed, hardware reason 0x%llx", v->id,
			    (unsigned long long)
			    run->fail_entry.hardware_entry_failure_reason);
			r = -EIO;
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			vm_request_stop(vm, VM_EXIT_ERROR, "vCPU %d: KVM "
			    "internal error, suberror %u", v->id,
			    run->internal.suberror);
			r = -EIO;
			break;
		default:
			vm_request_stop(vm, VM_EXIT_ERROR, "vCPU %d: unexpected "
			    "exit reason %u", v->id, run->exit_reason);
			r = -EIO;
			break;
		}
		if (r < 0) {
			vm_request_stop(vm, VM_EXIT_ERROR, "vCPU %d: exit %u: %s",
			    v->id, run->exit_reason, strerror(-r));
			break;
		}
	}
	return NULL;
}

int vcpus_start(struct vcpus *vs, const uint64_t (*cpusets)[16],
    char *err, size_t errlen)
{
	int i, r;

	for (i = 0; i < vs->n; i++) {
		struct vcpu *v = &vs->v[i];

		r = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (r != 0) {
			snprintf(err, errlen, "vCPU %d: pthread_create: %s", i,
			    strerror(r));
			return -r;
		}
		v->started = true;
		{
			/* room for any int (gcc -O1 checks); i is below
			 * VM_MAX_VCPUS, so the name fits the kernel's 16 */
			char name[24];

			/* For top -H and core dumps: "vcpu 0", "vcpu 1", ... */
			snprintf(name, sizeof(name), "vcpu %d", i);
			(void)pthread_setname_np(v->thread, name);
		}
		if (cpusets) {
			cpu_set_t cs;
			int b, any = 0;

			CPU_ZERO(&cs);
			for (b = 0; b < 1024 && b < CPU_SETSIZE; b++) {
				if (cpusets[i][b / 64] & (1ULL << (b % 64))) {
					CPU_SET(b, &cs);
					any = 1;
				}
			}
			if (any) {
				r = pthread_setaffinity_np(v->thread,
				    sizeof(cs), &cs);
				if (r != 0) {
					snprintf(err, errlen, "vCPU %d: -p: %s",
					    i, strerror(r));
					return -r;
				}
			}
		}
	}
	return 0;
}

static void vcpu_kick(struct vcpu *v)
{
	if (!v->started)
		return;
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(v->thread, VCPU_KICK_SIG);
}

void vcpus_stop(struct vcpus *vs)
{
	int i;

	/* Threads still at the gate (main failed before the sandbox) leave
	 * it without running the guest. */
	if (vs->gated)
		vcpus_release(vs, -ECANCELED);
	for (i = 0; i < vs->n; i++)
		vcpu_kick(&vs->v[i]);
	for (i = 0; i < vs->n; i++) {
		if (vs->v[i].started) {
			pthread_join(vs->v[i].thread, NULL);
			vs->v[i].started = false;
		}
	}
}

void vcpus_halt_check(struct vcpus *vs)
{
	bool all = vs->n > 0;
	int i;

	/* Judge the answers to the previous round, then ask again. */
	for (i = 0; i < vs->n; i++) {
		struct vcpu *v = &vs->v[i];

		if (__atomic_load_n(&v->halt_seen, __ATOMIC_ACQUIRE) !=
		    vs->halt_seq || !v->halted)
			all = false;
	}
	if (vs->halt_seq == 0)
		all = false;
	vs->halt_streak = all ? vs->halt_streak + 1 : 0;
	if (vs->halt_streak >= 2) {
		vm_request_stop(vs->vm, VM_EXIT_HALT, NULL);
		return;
	}
	vs->halt_seq++;
	for (i = 0; i < vs->n; i++) {
		__atomic_store_n(&vs->v[i].halt_seq, vs->halt_seq,
		    __ATOMIC_RELEASE);
		vcpu_kick(&vs->v[i]);
	}
}

void vcpus_destroy(struct vcpus *vs)
{
	int i;

	vcpus_stop(vs);
	for (i = 0; i < vs->n; i++) {
		if (vs->v[i].run)
			munmap(vs->v[i].run, (size_t)vs->vm->run_size);
		if (vs->v[i].fd >= 0)
			close(vs->v[i].fd);
	}
	free(vs->cpuid);
	vs->cpuid = NULL;
	vs->ring = NULL;
	pthread_mutex_destroy(&vs->ring_lock);
	pthread_mutex_destroy(&vs->gate_lock);
	pthread_cond_destroy(&vs->gate_cv);
	vs->n = 0;
}
