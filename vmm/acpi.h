/*
 * acpi: builds the guest's ACPI tables (RSDP v2, XSDT, FADT, FACS, MADT,
 * DSDT) into a caller buffer that the caller copies to guest physical
 * address `base` (the whole area must be marked reserved in the e820 map).
 *
 * Layout inside the buffer (offsets from base): RSDP at 0 (16-byte aligned,
 * so placing base in 0xE0000-0xFFFFF lets Linux find it by scanning; it can
 * also be passed in boot_params.acpi_rsdp_addr), then XSDT, FADT, FACS
 * (64-byte aligned), MADT and DSDT.  All checksums are filled in.
 *
 * The DSDT is hand-assembled AML: \_SB.PCI0 (PNP0A03) with a _CRS made of
 * the bus range 0-255, the config ports 0xCF8-0xCFF, the legacy I/O ranges,
 * the I/O window and the 32-bit (and optional 64-bit) MMIO windows passed in;
 * \_S5 = {5, 5}; COM1/COM2 (PNP0501) and the RTC (PNP0B00) when asked.  The FADT describes a fixed
 * power button, PM1a event/control and PM timer blocks at the ports of
 * acpi_pm.h, SCI on IRQ 9, and the reset register (I/O 0xCF9, value 0x06).
 * It is NOT hardware-reduced: Linux then uses the PM1 registers for S5.
 *
 * Pure function of its parameters; no I/O, no guest data.
 */
#ifndef HYVE_ACPI_H
#define HYVE_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_IOAPIC_ADDR	0xfec00000u
#define ACPI_LAPIC_ADDR		0xfee00000u
#define ACPI_SCI_IRQ		9
#define ACPI_RESET_PORT		0xcf9
#define ACPI_RESET_VALUE	0x06
#define ACPI_S5_SLP_TYP		5	/* the value \_S5 tells the guest */
#define ACPI_TABLES_MAX		8192	/* enough for CFG_MAX_CPUS vCPUs */

struct acpi_params {
	uint64_t base;		/* guest physical address of buf[0] */
	unsigned ncpus;		/* 1..255 */
	const uint8_t *apic_ids; /* ncpus LAPIC ids; NULL = 0..ncpus-1 */
	uint8_t ioapic_id;	/* 0 like QEMU/bhyve: KVM's IOAPIC resets to 0 */
	uint32_t ioapic_addr;	/* 0 = ACPI_IOAPIC_ADDR */
	uint16_t pm_base;	/* 0 = ACPI_PM_BASE (acpi_pm.h) */
	/* PCI root bridge windows for _CRS (limit inclusive). */
	uint16_t io_base, io_limit;	/* both 0 = 0x0d00-0xffff */
	uint32_t mmio32_base, mmio32_limit;	/* required, limit > base */
	uint64_t mmio64_base, mmio64_limit;	/* both 0 = none */
	bool com1, com2;	/* describe COM1/COM2 in the DSDT */
	bool rtc;		/* describe the CMOS RTC (PNP0B00, 0x70, IRQ 8) */
};

/* Build into buf (len bytes, ACPI_TABLES_MAX is always enough).
 * Returns the number of bytes used, -EINVAL for bad parameters or -ENOSPC.
 * The RSDP is at p->base. */
long acpi_build(const struct acpi_params *p, uint8_t *buf, size_t len);

/* ACPI checksum: the byte that makes the sum of len bytes zero (over the
 * table with its checksum field set to 0). */
uint8_t acpi_checksum(const uint8_t *b, size_t len);

#endif
