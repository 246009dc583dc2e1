/*
 * test_boot: the Linux boot loader (vmm/boot.c) against synthetic bzImages
 * in a fake guest RAM: e820 map, header checks, zero page, initrd
 * placement, page tables, and every refusal.  No KVM needed.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/boot.h"
#include "vmm/vm.h"

#define MiB (1ULL << 20)

/* A guest with lowmem bytes of RAM and no KVM behind it. */
static struct vm *fake_vm(uint64_t lowmem)
{
	struct vm *vm = calloc(1, sizeof(*vm));

	assert_non_null(vm);
	vm->kvm_fd = vm->vm_fd = vm->mem_fd = vm->stop_efd = -1;
	vm->mem = calloc(1, lowmem);
	assert_non_null(vm->mem);
	vm->mem_size = vm->lowmem = lowmem;
	return vm;
}

static void free_vm(struct vm *vm)
{
	free(vm->mem);
	free(vm);
}

/* A bzImage-shaped file: setup sectors, header, payload of psize bytes. */
static int fake_kernel(uint16_t version, uint8_t setup_sects, uint16_t xlf,
    uint8_t loadflags, uint64_t psize)
{
	size_t setup = ((size_t)(setup_sects ? setup_sects : 4) + 1) * 512;
	size_t len = setup + psize;
	uint8_t *b = calloc(1, len);
	struct setup_header h;
	int fd = memfd_create("kernel", 0);

	assert_non_null(b);
	assert_true(fd >= 0);
	memset(&h, 0, sizeof(h));
	h.setup_sects = setup_sects;
	h.boot_flag = 0xaa55;
	h.jump = 0x66eb;	/* jmp over a 0x66-byte header tail */
	h.header = 0x53726448;
	h.version = version;
	h.loadflags = loadflags;
	h.initrd_addr_max = 0x7fffffff;
	h.kernel_alignment = 0x200000;
	h.relocatable_kernel = 1;
	h.xloadflags = xlf;
	h.cmdline_size = 2047;
	h.pref_address = 0x1000000;
	h.init_size = 0x1000000;
	memcpy(b + 0x1f1, &h, sizeof(h));
	memset(b + setup, 0xcc, psize);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	free(b);
	return fd;
}

static int fake_file(size_t len, uint8_t fill)
{
	uint8_t *b = malloc(len);
	int fd = memfd_create("initrd", 0);

	assert_non_null(b);
	memset(b, fill, len);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	free(b);
	return fd;
}

static void test_e820_small(void **state)
{
	struct boot_e820_entry t[8];
	int n;

	(void)state;
	n = boot_e820_build(256 * MiB, 0, t, 8);
	assert_int_equal(n, 4);
	assert_int_equal(t[0].addr, 0);
	assert_int_equal(t[0].size, BOOT_EBDA_ADDR);
	assert_int_equal(t[0].type, BOOT_E820_RAM);
	assert_int_equal(t[1].type, BOOT_E820_RESERVED);
	assert_int_equal(t[2].addr, BOOT_BIOS_ADDR);
	assert_int_equal(t[2].addr + t[2].size, 0x100000);
	assert_int_equal(t[2].type, BOOT_E820_RESERVED);
	assert_int_equal(t[3].addr, 0x100000);
	assert_int_equal(t[3].addr + t[3].size, 256 * MiB);
	assert_int_equal(t[3].type, BOOT_E820_RAM);
}

static void test_e820_split(void **state)
{
	struct boot_e820_entry t[8];
	uint64_t total = 0;
	int i, n;

	(void)state;
	/* 5 GiB: 3 GiB below the PCI hole, 2 GiB above 4 GiB. */
	n = boot_e820_build(VM_LOWMEM_LIMIT, 2048 * MiB, t, 8);
	assert_int_equal(n, 5);
	assert_int_equal(t[3].addr + t[3].size, VM_LOWMEM_LIMIT);
	assert_int_equal(t[4].addr, VM_HIGHMEM_BASE);
	assert_int_equal(t[4].size, 2048 * MiB);
	for (i = 0; i < n; i++) {
		if (t[i].type == BOOT_E820_RAM)
			total += t[i].size;
		/* nothing overlaps the PCI hole or the next entry */
		if (i + 1 < n)
			assert_true(t[i].addr + t[i].size <= t[i + 1].addr);
		assert_false(t[i].addr < VM_HIGHMEM_BASE &&
		    t[i].addr + t[i].size > VM_LOWMEM_LIMIT);
	}
	assert_int_equal(total, 5 * 1024 * MiB - (0x100000 - BOOT_EBDA_ADDR));
	/* too small a table is refused, not overrun */
	assert_int_equal(boot_e820_build(VM_LOWMEM_LIMIT, MiB, t, 4), -ENOSPC);
}

static void test_header_checks(void **state)
{
	uint8_t buf[4096];
	struct setup_header h;
	uint64_t off;
	char err[256];
	ssize_t n;
	int fd;

	(void)state;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(boot_check_header(buf, sizeof(buf), &h, &off, err,
	    sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "not a Linux bzImage"));
	/* too short to hold a header */
	assert_int_equal(boot_check_header(buf, 0x200, &h, &off, err,
	    sizeof(err)), -ENOEXEC);

	fd = fake_kernel(0x020b, 0, XLF_KERNEL_64, LOADED_HIGH, 64);
	n = pread(fd, buf, sizeof(buf), 0);
	assert_true(n > 0x300);
	close(fd);
	assert_int_equal(boot_check_header(buf, (size_t)n, &h, &off, err,
	    sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "too old"));

	fd = fake_kernel(0x020f, 0, 0, LOADED_HIGH, 64);
	n = pread(fd, buf, sizeof(buf), 0);
	assert_true(n > 0x300);
	close(fd);
	assert_int_equal(boot_check_header(buf, (size_t)n, &h, &off, err,
	    sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "64-bit"));

	fd = fake_kernel(0x020f, 0, XLF_KERNEL_64, LOADED_HIGH, 64);
	n = pread(fd, buf, sizeof(buf), 0);
	assert_true(n > 0x300);
	close(fd);
	assert_int_equal(boot_check_header(buf, (size_t)n, &h, &off, err,
	    sizeof(err)), 0);
	assert_int_equal(off, 5 * 512);	/* setup_sects 0 means 4 */
	assert_int_equal(h.version, 0x020f);
}

static void test_boot_linux(void **state)
{
	struct vm *vm = fake_vm(256 * MiB);
	struct boot_info bi;
	struct boot_params *bp;
	uint64_t *pml4, *pdpt, *pd, *gdt;
	const char *cl = "console=ttyS0 quiet";
	char err[256];
	int kfd, ifd;

	(void)state;
	kfd = fake_kernel(0x020f, 27, XLF_KERNEL_64, LOADED_HIGH, 100000);
	ifd = fake_file(3 * MiB + 123, 0x5a);
	assert_int_equal(boot_linux(vm, kfd, ifd, cl, 0xf4000, &bi, err,
	    sizeof(err)), 0);

	assert_int_equal(bi.entry, 0x100200);
	assert_int_equal(bi.zeropage, BOOT_ZEROPAGE_ADDR);
	assert_int_equal(bi.kernel_size, 100000);
	/* the payload landed at 1 MiB, the setup code did not */
	assert_int_equal(vm->mem[0x100000], 0xcc);
	assert_int_equal(vm->mem[0x100000 + 99999], 0xcc);
	assert_int_equal(vm->mem[0x100000 + 100000], 0);

	/* initrd: page aligned, at the top of RAM, above the kernel */
	assert_int_equal(bi.initrd_size, 3 * MiB + 123);
	assert_int_equal(bi.initrd_addr & 0xfff, 0);
	assert_true(bi.initrd_addr + bi.initrd_size <= 256 * MiB);
	assert_true(bi.initrd_addr + bi.initrd_size > 256 * MiB - 4096);
	assert_true(bi.initrd_addr >= 0x1000000 + 0x1000000);
	assert_int_equal(vm->mem[bi.initrd_addr], 0x5a);
	assert_int_equal(vm->mem[bi.initrd_addr + bi.initrd_size - 1], 0x5a);

	bp = (struct boot_params *)(vm->mem + BOOT_ZEROPAGE_ADDR);
	assert_int_equal(bp->hdr.header, 0x53726448);
	assert_int_equal(bp->hdr.type_of_loader, 0xff);
	assert_true(bp->hdr.loadflags & CAN_USE_HEAP);
	assert_int_equal(bp->hdr.cmd_line_ptr, BOOT_CMDLINE_ADDR);
	assert_string_equal((char *)vm->mem + BOOT_CMDLINE_ADDR, cl);
	assert_int_equal(bp->hdr.ramdisk_image, bi.initrd_addr);
	assert_int_equal(bp->hdr.ramdisk_size, bi.initrd_size);
	assert_int_equal(bp->acpi_rsdp_addr, 0xf4000);
	assert_int_equal(bp->e820_entries, 4);
	assert_int_equal(bp->e820_table[3].addr + bp->e820_table[3].size,
	    256 * MiB);

	/* identity map of 4 GiB in 2 MiB pages, and Linux's boot GDT */
	pml4 = (uint64_t *)(vm->mem + BOOT_PML4_ADDR);
	pdpt = (uint64_t *)(vm->mem + BOOT_PDPT_ADDR);
	pd = (uint64_t *)(vm->mem + BOOT_PD_ADDR);
	gdt = (uint64_t *)(vm->mem + BOOT_GDT_ADDR);
	assert_int_equal(pml4[0] & ~0xfffULL, BOOT_PDPT_ADDR);
	assert_int_equal(pdpt[3] & ~0xfffULL, BOOT_PD_ADDR + 3 * 4096);
	assert_int_equal(pd[0], 0x83);
	assert_int_equal(pd[2047], (2047ULL << 21) | 0x83);
	assert_int_equal(gdt[BOOT_CODE_SEL / 8], 0x00af9b000000ffffULL);
	assert_int_equal(gdt[BOOT_DATA_SEL / 8], 0x00cf93000000ffffULL);
	assert_int_equal(bi.cr3, BOOT_PML4_ADDR);

	close(kfd);
	close(ifd);
	free_vm(vm);
}

static void test_boot_refusals(void **state)
{
	struct vm *vm = fake_vm(64 * MiB);
	struct boot_info bi;
	char err[256], *longcl;
	int kfd, ifd, nfd;

	(void)state;
	kfd = fake_kernel(0x020f, 0, XLF_KERNEL_64, LOADED_HIGH, 4096);

	/* an initrd that cannot fit above the kernel's 32 MiB */
	ifd = fake_file(40 * MiB, 1);
	assert_int_equal(boot_linux(vm, kfd, ifd, "", 0, &bi, err,
	    sizeof(err)), -ENOMEM);
	assert_non_null(strstr(err, "initrd"));
	close(ifd);

	/* an empty initrd */
	ifd = fake_file(0, 0);
	assert_int_equal(boot_linux(vm, kfd, ifd, "", 0, &bi, err,
	    sizeof(err)), -EINVAL);
	close(ifd);

	/* a command line longer than the kernel takes */
	longcl = malloc(3000);
	assert_non_null(longcl);
	memset(longcl, 'x', 2999);
	longcl[2999] = '\0';
	assert_int_equal(boot_linux(vm, kfd, -1, longcl, 0, &bi, err,
	    sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "2047"));
	free(longcl);

	/* a file that is not a kernel, and one cut off in its setup code */
	nfd = fake_file(8192, 0);
	assert_int_equal(boot_linux(vm, nfd, -1, "", 0, &bi, err,
	    sizeof(err)), -ENOEXEC);
	close(nfd);
	nfd = fake_kernel(0x020f, 0, XLF_KERNEL_64, LOADED_HIGH, 0);
	assert_int_equal(boot_linux(vm, nfd, -1, "", 0, &bi, err,
	    sizeof(err)), -ENOEXEC);
	close(nfd);
	close(kfd);
	free_vm(vm);

	/* guest RAM too small for the kernel's pref_address + init_size */
	vm = fake_vm(24 * MiB);
	kfd = fake_kernel(0x020f, 0, XLF_KERNEL_64, LOADED_HIGH, 4096);
	assert_int_equal(boot_linux(vm, kfd, -1, "", 0, &bi, err,
	    sizeof(err)), -ENOMEM);
	assert_non_null(strstr(err, "low memory"));
	close(kfd);
	free_vm(vm);
}

static void test_gpa2hva(void **state)
{
	struct vm vm;
	uint8_t mem[64];

	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm.mem = mem;
	vm.lowmem = 32;
	vm.highmem = 32;
	vm.mem_size = 64;
	assert_ptr_equal(vm_gpa2hva(&vm, 0, 32), mem);
	assert_null(vm_gpa2hva(&vm, 1, 32));		/* crosses lowmem */
	assert_ptr_equal(vm_gpa2hva(&vm, VM_HIGHMEM_BASE + 8, 24), mem + 40);
	assert_null(vm_gpa2hva(&vm, VM_HIGHMEM_BASE + 8, 25));
	assert_null(vm_gpa2hva(&vm, 40, 1));		/* in the hole */
	assert_null(vm_gpa2hva(&vm, ~0ULL, 2));		/* wraps */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_e820_small),
		cmocka_unit_test(test_e820_split),
		cmocka_unit_test(test_header_checks),
		cmocka_unit_test(test_boot_linux),
		cmocka_unit_test(test_boot_refusals),
		cmocka_unit_test(test_gpa2hva),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
