/*
 * jail_cgroup: step 5 of hyve-jail, the VM's cgroup and device filter.
 *
 * Must never: remove a cgroup it did not create, or let the box start
 * before its limits and device allowlist are in place.
 */
#ifndef HYVE_JAIL_CGROUP_H
#define HYVE_JAIL_CGROUP_H

#include <stddef.h>
#include <linux/bpf.h>

struct jail;
struct jail_dev;

int jail_cgroup_make(struct jail *j);
void jail_cgroup_undo(struct jail *j);
void jail_cgroup_plan(struct jail *j);
/* The leaves a killed hyve-jail left for this VM (rundir step, under the
 * run lock). */
void jail_cgroup_remove_stale(struct jail *j);
/* In the box, before the cgroup namespace: move ourselves in. */
int jail_cgroup_join(struct jail *j);

/* Build the BPF_PROG_TYPE_CGROUP_DEVICE program allowing exactly devs.
 * Returns the number of instructions, or -E2BIG. */
int jail_cgroup_bpf_build(const struct jail_dev *devs, int ndevs,
    struct bpf_insn *insns, size_t max);

/* cgroup v1 value translations (unit-tested). */
/* cpu.weight (1-10000, default 100) -> cpu.shares (default 1024). */
unsigned long jail_cgroup_weight_to_shares(unsigned long weight);

#endif
