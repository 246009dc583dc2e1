/*
 * mptable: the Intel MultiProcessor Specification 1.4 tables (floating
 * pointer + configuration table), built into a caller buffer that the caller
 * copies to guest physical address `base`.  Linux scans 0xF0000-0xFFFFF (and
 * the last KB of base memory) for the floating pointer, so base should be in
 * that range, 16-byte aligned, and reserved in the e820 map.  Used unless -Y
 * (x86.mptable=false).
 *
 * Contents: one processor entry per vCPU (the first is the BSP), buses
 * 0 = "PCI" and 1 = "ISA", one I/O APIC, I/O interrupt entries for ISA
 * IRQs 0-15 (IRQ 0 on pin 2, ExtINT from the 8259 on pin 0, the rest
 * identity, edge/high; IRQ 9 level/high for the ACPI SCI), local
 * interrupt entries (ExtINT on LINT0, NMI on LINT1).  PCI devices use
 * MSI/MSI-X, so no PCI interrupt entries are listed.
 *
 * Pure function of its parameters; no I/O, no guest data.
 */
#ifndef HYVE_MPTABLE_H
#define HYVE_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#define MPTABLE_MAX	8192	/* enough for 255 vCPUs */

struct mptable_params {
	uint64_t base;		/* guest physical address of buf[0], < 4G */
	unsigned ncpus;		/* 1..255 */
	const uint8_t *apic_ids; /* NULL = 0..ncpus-1 */
	uint8_t ioapic_id;	/* 0 = default: ioapic id 0 like KVM resets */
	uint32_t ioapic_addr;	/* 0 = 0xfec00000 */
};

/* Returns bytes used (floating pointer at buf[0], config table right after),
 * -EINVAL for bad parameters, -ENOSPC when len is too small. */
long mptable_build(const struct mptable_params *p, uint8_t *buf, size_t len);

#endif
