/*
 * virtio_msi: MSI routes for irqfds (KVM_SET_GSI_ROUTING, KVM_IRQFD).
 *
 * A device helper interrupts the guest by writing an eventfd that KVM
 * turns into an MSI through a GSI route; hyve only changes the route when
 * the guest reprograms an MSI-X entry.  KVM_SET_GSI_ROUTING replaces the
 * whole table, so this module owns it for the process: the irqchip's
 * default routes (GSI 0-23 to the I/O APIC, 0-15 also to the PICs, exactly
 * what KVM set up at KVM_CREATE_IRQCHIP) plus one MSI route per allocated
 * GSI from VMSI_GSI_BASE up.  hyve runs one VM per process, so there is one
 * table; a second struct vm is refused.
 *
 * It never allocates after vmsi_alloc() (the update runs on vCPU threads,
 * whose seccomp policy has no mmap) and never sends KVM a route for a GSI
 * it did not allocate.
 */
#ifndef HYVE_VIRTIO_MSI_H
#define HYVE_VIRTIO_MSI_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

#define VMSI_GSI_BASE	24	/* first GSI past the I/O APIC pins */
#define VMSI_MAX	256	/* MSI routes per VM */

/* A GSI of its own for one irqfd (>= VMSI_GSI_BASE), or -errno.  The route
 * starts invalid (no MSI). */
int vmsi_alloc(struct vm *vm);
void vmsi_free(struct vm *vm, unsigned int gsi);
/* Route gsi to the MSI (addr, data), or to nothing when !valid; pushes the
 * table to KVM when it changed. */
int vmsi_route(struct vm *vm, unsigned int gsi, bool valid, uint64_t addr,
    uint32_t data);
/* Attach (assign) or detach efd to/from gsi in KVM. */
int vmsi_irqfd(struct vm *vm, int efd, unsigned int gsi, bool assign);

/* For tests: how many routes the last table pushed had (-1: none yet). */
int vmsi_last_table_size(void);

#endif
