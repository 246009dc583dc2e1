/*
 * vm: the KVM virtual machine object and the guest physical memory map.
 *
 * Owns /dev/kvm, the VM fd, the in-kernel irqchip and PIT, and guest RAM:
 * one memfd (so helpers can map the same pages later) mapped once in hyve,
 * placed in one or two memslots split around the 32-bit PCI hole.
 *
 * It must never hand out a host pointer for a guest range that is not
 * entirely inside guest RAM: every translation checks gpa and length.
 */
#ifndef HYVE_VM_H
#define HYVE_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/gate.h"

/*
 * Guest physical address map (bhyve's layout):
 *   [0, lowmem)                      RAM, lowmem <= 3 GiB
 *   [3 GiB, 3.5 GiB)                 32-bit PCI MMIO window (BARs)
 *   [0xfec00000]                     I/O APIC (in-kernel)
 *   [0xfee00000]                     local APICs (in-kernel)
 *   [4 GiB, 4 GiB + highmem)         the rest of RAM
 *   [vm_pci_mem64_base(), +SIZE)     64-bit PCI MMIO window, after RAM,
 *                                    when the guest can address it
 */
#define VM_LOWMEM_LIMIT		0xc0000000ULL
#define VM_HIGHMEM_BASE		0x100000000ULL
#define VM_PCI_MEM32_BASE	0xc0000000ULL
#define VM_PCI_MEM32_SIZE	0x20000000ULL
#define VM_IOAPIC_BASE		0xfec00000ULL
#define VM_LAPIC_BASE		0xfee00000ULL
#define VM_PCI_MEM64_ALIGN	0x1000000000ULL		/* 64 GiB */
#define VM_PCI_MEM64_SIZE	0x1000000000ULL		/* 64 GiB */
#define VM_MAX_MEM		0x10000000000ULL	/* 1 TiB */
#define VM_MIN_MEM		(32ULL << 20)

/* KVM's identity map page and TSS need 4 pages below 4 GiB outside RAM
 * (only used on Intel, harmless on AMD): just under the I/O APIC. */
#define VM_IDENT_MAP_ADDR	0xfeffc000ULL
#define VM_TSS_ADDR		0xfeffd000ULL

#define VM_MAX_VCPUS		255

/* hyve's exit status, as bhyve(8). */
enum vm_exitcode {
	VM_EXIT_REBOOT = 0,
	VM_EXIT_POWEROFF = 1,
	VM_EXIT_HALT = 2,
	VM_EXIT_TRIPLEFAULT = 3,
	VM_EXIT_ERROR = 4,
};

struct vm {
	int kvm_fd;
	int vm_fd;
	int mem_fd;		/* memfd behind all guest RAM */
	uint8_t *mem;		/* hyve's one mapping of mem_fd */
	uint64_t mem_size;	/* lowmem + highmem */
	uint64_t lowmem;	/* RAM at GPA 0 */
	uint64_t highmem;	/* RAM at VM_HIGHMEM_BASE */
	int run_size;		/* mmap size of struct kvm_run */
	unsigned int phys_bits;	/* guest physical address width (CPUID) */
	unsigned int next_slot;
	int stop_efd;		/* eventfd: the main loop wakes on a stop */
	int stop_code;		/* -1 while running; first request wins */
	char stop_msg[256];	/* why, for VM_EXIT_ERROR */
	/* hyve's start gate (vmm/gate.h): the threads that read peers'
	 * input wait here until main has installed hyve.policy.  Zeroed by
	 * vm_create() (never held); main holds it right after. */
	struct gate start_gate;
};

/* Open /dev/kvm (or use kvm_fd >= 0 if a launcher passed one), check the API
 * and the capabilities hyve needs, create the VM with irqchip and PIT. */
int vm_create(struct vm *vm, int kvm_fd, char *err, size_t errlen);
/* kvm.path (NULL: /dev/kvm; "fd:N": a descriptor from hyve-jail) to an
 * open fd of the KVM device, or -errno with err set. */
int vm_open_kvm(const char *spec, char *err, size_t errlen);
/* Create the memfd of mem_size bytes, map it, register the memslots. */
int vm_setup_memory(struct vm *vm, uint64_t mem_size, bool wired,
    char *err, size_t errlen);
void vm_destroy(struct vm *vm);

/* Where the 64-bit PCI window starts (past the end of RAM, 64 GiB
 * aligned), or 0 when it would not fit in the guest's physical address
 * width. */
uint64_t vm_pci_mem64_base(const struct vm *vm);

/* Host pointer for [gpa, gpa+len) if all of it is RAM, else NULL. */
void *vm_gpa2hva(const struct vm *vm, uint64_t gpa, uint64_t len);

/* Ask the machine to stop with this exit status (first caller wins; the
 * message, if any, is printed by main).  Safe from any thread. */
void vm_request_stop(struct vm *vm, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* -1 while running, else the exit status. */
int vm_stop_code(const struct vm *vm);

/* Assert (1) or deassert (0) a GSI line of the in-kernel PIC/IOAPIC. */
int vm_irq_line(struct vm *vm, unsigned int gsi, int level);
/* Edge interrupt: raise and lower. */
int vm_irq_pulse(struct vm *vm, unsigned int gsi);
/* Writes of len bytes to port (pio) or address signal efd in the kernel
 * without an exit to hyve. */
int vm_ioeventfd(struct vm *vm, uint64_t addr, unsigned int len, bool pio,
    int efd);
/* Let KVM queue guest writes to [port, port+len) in the coalesced ring
 * instead of exiting (the ring is drained on the next exit of any vCPU).
 * -ENOTSUP when KVM cannot. */
int vm_coalesced_pio(struct vm *vm, uint16_t port, uint32_t len);
/* Deliver one MSI message. */
int vm_msi(struct vm *vm, uint64_t addr, uint32_t data);

#endif
