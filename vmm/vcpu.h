/*
 * vcpu: virtual CPUs as threads, their CPUID/MSR setup and exit dispatch.
 *
 * Each vCPU runs KVM_RUN in its own thread and hands port I/O and MMIO
 * exits to inout/mmio.  CPUID shows the -c topology.  The main thread stops
 * vCPUs by kicking them (SIGUSR1 + immediate_exit) and, once a second,
 * asks them whether they sit in HLT with interrupts off (bhyve's "halt").
 * A guest can make a vCPU exit in any way it likes: no exit reason, port,
 * address or size it chooses may crash hyve; unknown ones stop the VM with
 * exit status 4 and a message.
 */
#ifndef HYVE_VCPU_H
#define HYVE_VCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/boot.h"
#include "vmm/inout.h"
#include "vmm/mmio.h"
#include "vmm/vm.h"

struct kvm_run;
struct kvm_cpuid2;
struct kvm_coalesced_mmio_ring;
struct vcpus;

#define VCPU_NEXIT	64

struct vcpu {
	int id;			/* also its APIC ID */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	struct vcpus *all;
	int halt_seq;		/* main's check request ... */
	int halt_seen;		/* ... and the vCPU's answer (same seq) */
	bool halted;		/* in HLT with IF=0 at that check */
	/* Exits that reached hyve, in all and by KVM exit reason (reasons
	 * >= VCPU_NEXIT - 1 share the last slot); read by other threads with
	 * relaxed atomic loads. */
	uint64_t exits;
	uint64_t exits_by_reason[VCPU_NEXIT];
};

struct vcpu_topology {
	unsigned int sockets, cores, threads;
};

struct vcpu_params {
	int n;
	struct vcpu_topology topo;
	bool ignore_msrs;	/* -w: unknown MSRs read 0, writes dropped */
	bool x2apic;		/* -x: offer x2APIC in CPUID */
};

struct vcpus {
	struct vm *vm;
	struct inout *io;
	struct mmio *mmio;
	struct vcpu_topology topo;
	bool ignore_msrs;
	bool x2apic;
	bool tsc_deadline;	/* KVM can offer the TSC-deadline timer */
	int n;
	struct vcpu v[VM_MAX_VCPUS];
	struct kvm_cpuid2 *cpuid;	/* KVM's supported set, patched per vCPU */
	/* KVM's coalesced-write ring (one per VM, in every vCPU's mapping),
	 * or NULL; drained under ring_lock before any exit is handled. */
	struct kvm_coalesced_mmio_ring *ring;
	pthread_mutex_t ring_lock;
	int halt_streak;	/* consecutive checks with all vCPUs halted */
	int halt_seq;
	/* The seccomp gate (vcpus_gate(), vcpus_release()): when set, each
	 * vCPU thread waits before its first KVM_RUN until main has its own
	 * filter in, then calls sandbox(sandbox_arg) to add its own. */
	bool gated;
	int gate;		/* 0 closed, 1 open, < 0 -errno: never run */
	int (*sandbox)(void *arg);
	void *sandbox_arg;
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cv;
};

/* Create n vCPUs (topology must multiply out to n), set CPUID and MSRs,
 * put vCPU 0 at the kernel's entry.  Does not start them. */
int vcpus_create(struct vcpus *vs, struct vm *vm, struct inout *io,
    struct mmio *mmio, const struct vcpu_params *p,
    const struct boot_info *bi, char *err, size_t errlen);
/* Start one thread per vCPU.  cpusets: per-vCPU host CPU masks (-p) or
 * NULL; each entry an array of 1024 bits, all zero = unpinned. */
int vcpus_start(struct vcpus *vs, const uint64_t (*cpusets)[16],
    char *err, size_t errlen);
/*
 * Make vcpus_start()'s threads wait, before their first KVM_RUN (no guest
 * instruction before the sandbox), for vcpus_release().  Call before
 * vcpus_start().  SANDBOX (may be NULL) runs on each vCPU thread once the
 * gate opens, before KVM_RUN, and must not allocate; if it fails, the
 * thread stops the VM (VM_EXIT_ERROR) instead of running the guest.
 */
void vcpus_gate(struct vcpus *vs, int (*sandbox)(void *arg), void *arg);
/* Open the gate (STATUS 0) or make the waiting threads return without
 * running the guest (STATUS < 0).  Only the first call counts. */
void vcpus_release(struct vcpus *vs, int status);
/* Replay the writes KVM queued in the coalesced ring (any thread). */
void vcpus_drain_coalesced(struct vcpus *vs);
/* Kick every vCPU out of KVM_RUN and join the threads (after a stop). */
void vcpus_stop(struct vcpus *vs);
/* Called once a second by main: stops the VM with VM_EXIT_HALT when every
 * vCPU was found halted with interrupts off at two checks in a row. */
void vcpus_halt_check(struct vcpus *vs);
void vcpus_destroy(struct vcpus *vs);

/* Topology shifts as CPUID reports them (exported for the tests). */
unsigned int vcpu_order(unsigned int n);

#endif
