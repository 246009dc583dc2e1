/*
 * boot: direct Linux boot (x86 boot protocol 2.12+, 64-bit entry).
 *
 * Takes bhyveload's role: loads a bzImage and an initrd from fds straight
 * into guest RAM, writes boot_params (the "zero page") with the e820 map
 * and the command line, an identity-mapped page table and a GDT, and says
 * where the boot vCPU must start.  The kernel and initrd files are
 * operator input; every offset and size read from them is checked against
 * the file and against guest RAM.  It never touches vCPU state itself.
 */
#ifndef HYVE_BOOT_H
#define HYVE_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include <asm/bootparam.h>

#include "vmm/vm.h"

/* Guest physical layout of what the loader writes below 1 MiB. */
#define BOOT_GDT_ADDR		0x500ULL
#define BOOT_STACK_TOP		0x6ff0ULL
#define BOOT_ZEROPAGE_ADDR	0x7000ULL
#define BOOT_PML4_ADDR		0x9000ULL
#define BOOT_PDPT_ADDR		0xa000ULL
#define BOOT_PD_ADDR		0xb000ULL	/* 4 pages: 0-4 GiB in 2 MiB pages */
#define BOOT_CMDLINE_ADDR	0x20000ULL
#define BOOT_CMDLINE_MAX	4096
#define BOOT_EBDA_ADDR		0x9fc00ULL	/* start of the BIOS hole */
#define BOOT_BIOS_ADDR		0xf0000ULL	/* MP table and ACPI live here */
#define BOOT_BIOS_SIZE		0x10000ULL
#define BOOT_KERNEL_ADDR	0x100000ULL

#define BOOT_CODE_SEL		0x10	/* Linux's __BOOT_CS */
#define BOOT_DATA_SEL		0x18	/* Linux's __BOOT_DS */

/* E820 types (Linux's e820_type). */
#define BOOT_E820_RAM		1
#define BOOT_E820_RESERVED	2

/* Where the boot vCPU starts and what it needs in its registers. */
struct boot_info {
	uint64_t entry;		/* rip: 64-bit entry of the kernel */
	uint64_t zeropage;	/* rsi */
	uint64_t stack;		/* rsp */
	uint64_t cr3;
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint64_t kernel_addr, kernel_size;
	uint64_t initrd_addr, initrd_size;
	uint16_t version;	/* boot protocol version of the kernel */
};

/* Build the guest's e820 map for this RAM layout: returns the number of
 * entries written (at most max), or -ENOSPC. */
int boot_e820_build(uint64_t lowmem, uint64_t highmem,
    struct boot_e820_entry *tab, int max);

/* Check a bzImage's setup header (first bytes of the file) and return its
 * protected-mode part's offset in the file.  -ENOEXEC with a message when
 * it is not a 64-bit bootable bzImage. */
int boot_check_header(const uint8_t *buf, size_t len,
    struct setup_header *hdr, uint64_t *pm_offset, char *err, size_t errlen);

/*
 * Load the kernel (and the initrd if initrd_fd >= 0), write the zero page,
 * the command line, page tables and GDT.  rsdp: the ACPI RSDP address to
 * pass to the kernel, or 0.
 */
int boot_linux(struct vm *vm, int kernel_fd, int initrd_fd,
    const char *cmdline, uint64_t rsdp, struct boot_info *bi,
    char *err, size_t errlen);

#endif
