/*
 * boot: direct Linux boot (x86 boot protocol 2.12+, 64-bit entry).
 *
 * Follows Documentation/arch/x86/boot.rst: the protected-mode kernel goes
 * to 1 MiB (it relocates itself to its preferred address), the initrd to
 * the top of low RAM under initrd_addr_max, and the boot CPU enters at
 * load address + 0x200 in long mode with rsi -> boot_params, on an identity
 * map of the first 4 GiB.  Everything read from the files is bound-checked;
 * nothing here runs the guest.
 */
#include "vmm/boot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HDR_OFFSET	0x1f1
#define HDR_MAGIC	0x53726448	/* "HdrS" */
#define MIN_VERSION	0x020c		/* 2.12: xloadflags, 64-bit entry */
#define ENTRY64_OFFSET	0x200

int boot_e820_build(uint64_t lowmem, uint64_t highmem,
    struct boot_e820_entry *tab, int max)
{
	struct boot_e820_entry e[5];
	int n = 0;

	/* Conventional memory, then the EBDA/VGA/BIOS hole.  The MP table
	 * and ACPI tables sit in the BIOS area, reserved so Linux keeps them;
	 * the VGA hole is left out, as on real machines. */
	e[n++] = (struct boot_e820_entry){ 0, BOOT_EBDA_ADDR, BOOT_E820_RAM };
	e[n++] = (struct boot_e820_entry){ BOOT_EBDA_ADDR,
	    0xa0000 - BOOT_EBDA_ADDR, BOOT_E820_RESERVED };
	e[n++] = (struct boot_e820_entry){ BOOT_BIOS_ADDR, BOOT_BIOS_SIZE,
	    BOOT_E820_RESERVED };
	if (lowmem > BOOT_KERNEL_ADDR)
		e[n++] = (struct boot_e820_entry){ BOOT_KERNEL_ADDR,
		    lowmem - BOOT_KERNEL_ADDR, BOOT_E820_RAM };
	if (highmem)
		e[n++] = (struct boot_e820_entry){ VM_HIGHMEM_BASE, highmem,
		    BOOT_E820_RAM };
	if (n > max)
		return -ENOSPC;
	memcpy(tab, e, sizeof(e[0]) * (size_t)n);
	return n;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

int boot_check_header(const uint8_t *buf, size_t len,
    struct setup_header *hdr, uint64_t *pm_offset, char *err, size_t errlen)
{
	size_t hlen;
	unsigned int sects;

	if (len < HDR_OFFSET + sizeof(*hdr) || rd16(buf + 0x1fe) != 0xaa55 ||
	    rd32(buf + 0x202) != HDR_MAGIC) {
		snprintf(err, errlen, "not a Linux bzImage (no boot header)");
		return -ENOEXEC;
	}
	/* The header's own length: the jump at 0x200 skips over it. */
	hlen = 0x202 + buf[0x201] - HDR_OFFSET;
	if (hlen > sizeof(*hdr))
		hlen = sizeof(*hdr);
	memset(hdr, 0, sizeof(*hdr));
	memcpy(hdr, buf + HDR_OFFSET, hlen);
	if (hdr->version < MIN_VERSION) {
		snprintf(err, errlen, "kernel boot protocol %u.%02u is too old "
		    "(need 2.12)", hdr->version >> 8, hdr->version & 0xff);
		return -ENOEXEC;
	}
	if (!(hdr->loadflags & LOADED_HIGH) ||
	    !(hdr->xloadflags & XLF_KERNEL_64)) {
		snprintf(err, errlen, "kernel has no 64-bit entry point");
		return -ENOEXEC;
	}
	sects = hdr->setup_sects ? hdr->setup_sects : 4;
	*pm_offset = ((uint64_t)sects + 1) * 512;
	return 0;
}

/* Read exactly len bytes at off into guest memory at gpa. */
static int boot_read(struct vm *vm, int fd, uint64_t off, uint64_t gpa,
    uint64_t len)
{
	uint8_t *p = vm_gpa2hva(vm, gpa, len);

	if (p == NULL)
		return -ENOMEM;
	while (len > 0) {
		size_t chunk = len > (1U << 30) ? (1U << 30) : (size_t)len;
		ssize_t n = pread(fd, p, chunk, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;	/* file shrank under us */
		p += n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

static int boot_page_tables(struct vm *vm, struct boot_info *bi)
{
	uint64_t *pml4 = vm_gpa2hva(vm, BOOT_PML4_ADDR, 4096);
	uint64_t *pdpt = vm_gpa2hva(vm, BOOT_PDPT_ADDR, 4096);
	uint64_t *pd = vm_gpa2hva(vm, BOOT_PD_ADDR, 4 * 4096);
	uint64_t *gdt = vm_gpa2hva(vm, BOOT_GDT_ADDR, 4 * 8);
	int i;

	if (!pml4 || !pdpt || !pd || !gdt)
		return -ENOMEM;
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = BOOT_PDPT_ADDR | 0x3;			/* present, writable */
	for (i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PD_ADDR + (uint64_t)i * 4096) | 0x3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* 2 MiB page */

	gdt[0] = 0;
	gdt[1] = 0;
	gdt[2] = 0x00af9b000000ffffULL;	/* 0x10: 64-bit code, DPL 0 */
	gdt[3] = 0x00cf93000000ffffULL;	/* 0x18: flat data */
	bi->cr3 = BOOT_PML4_ADDR;
	bi->gdt_base = BOOT_GDT_ADDR;
	bi->gdt_limit = 4 * 8 - 1;
	return 0;
}

int boot_linux(struct vm *vm, int kernel_fd, int initrd_fd,
    const char *cmdline, uint64_t rsdp, struct boot_info *bi,
    char *err, size_t errlen)
{
	uint8_t head[0x1000];
	struct setup_header hdr;
	struct boot_params *bp;
	struct stat st;
	uint64_t pm_off, ksize, kend, limit;
	size_t clen = strlen(cmdline);
	ssize_t n;
	char *cl;
	int r, ne;

	memset(bi, 0, sizeof(*bi));
	if (fstat(kernel_fd, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "kernel: %s", strerror(errno));
		return r;
	}
	n = pread(kernel_fd, head, sizeof(head), 0);
	if (n < 0) {
		r = -errno;
		snprintf(err, errlen, "kernel: %s", strerror(errno));
		return r;
	}
	r = boot_check_header(head, (size_t)n, &hdr, &pm_off, err, errlen);
	if (r < 0)
		return r;
	if ((uint64_t)st.st_size <= pm_off) {
		snprintf(err, errlen, "kernel: file ends inside its setup code");
		return -ENOEXEC;
	}
	ksize = (uint64_t)st.st_size - pm_off;
	/* The kernel decompresses itself to pref_address and needs init_size
	 * bytes there: the guest must have that much low RAM. */
	kend = BOOT_KERNEL_ADDR + ksize;
	if (hdr.pref_address + hdr.init_size > kend)
		kend = hdr.pref_address + hdr.init_size;
	if (kend < hdr.pref_address || kend > vm->lowmem) {
		snprintf(err, errlen, "kernel needs %llu MiB of low memory, the "
		    "guest has %llu MiB", (unsigned long long)(kend >> 20),
		    (unsigned long long)(vm->lowmem >> 20));
		return -ENOMEM;
	}
	r = boot_read(vm, kernel_fd, pm_off, BOOT_KERNEL_ADDR, ksize);
	if (r < 0) {
		snprintf(err, errlen, "kernel: reading: %s", strerror(-r));
		return r;
	}
	bi->kernel_addr = BOOT_KERNEL_ADDR;
	bi->kernel_size = ksize;
	bi->version = hdr.version;

	if (initrd_fd >= 0) {
		if (fstat(initrd_fd, &st) < 0) {
			r = -errno;
			snprintf(err, errlen, "initrd: %s", strerror(errno));
			return r;
		}
		bi->initrd_size = (uint64_t)st.st_size;
		limit = vm->lowmem;
		if ((uint64_t)hdr.initrd_addr_max + 1 < limit)
			limit = (uint64_t)hdr.initrd_addr_max + 1;
		if (bi->initrd_size == 0 || bi->initrd_size > limit ||
		    ((limit - bi->initrd_size) & ~0xfffULL) < kend) {
			snprintf(err, errlen, "initrd of %llu bytes does not fit "
			    "in guest memory next to the kernel",
			    (unsigned long long)bi->initrd_size);
			return bi->initrd_size ? -ENOMEM : -EINVAL;
		}
		bi->initrd_addr = (limit - bi->initrd_size) & ~0xfffULL;
		r = boot_read(vm, initrd_fd, 0, bi->initrd_addr,
		    bi->initrd_size);
		if (r < 0) {
			snprintf(err, errlen, "initrd: reading: %s",
			    strerror(-r));
			return r;
		}
	}

	if (clen >= BOOT_CMDLINE_MAX ||
	    (hdr.cmdline_size && clen > hdr.cmdline_size)) {
		snprintf(err, errlen, "kernel command line is %zu bytes, the "
		    "kernel takes at most %u", clen,
		    hdr.cmdline_size && hdr.cmdline_size < BOOT_CMDLINE_MAX ?
		    hdr.cmdline_size : BOOT_CMDLINE_MAX - 1);
		return -E2BIG;
	}
	cl = vm_gpa2hva(vm, BOOT_CMDLINE_ADDR, BOOT_CMDLINE_MAX);
	bp = vm_gpa2hva(vm, BOOT_ZEROPAGE_ADDR, sizeof(*bp));
	if (cl == NULL || bp == NULL) {
		snprintf(err, errlen, "guest memory too small for boot data");
		return -ENOMEM;
	}
	memset(cl, 0, BOOT_CMDLINE_MAX);
	memcpy(cl, cmdline, clen);

	memset(bp, 0, sizeof(*bp));
	bp->hdr = hdr;
	bp->hdr.type_of_loader = 0xff;		/* "undefined" boot loader */
	bp->hdr.loadflags |= CAN_USE_HEAP;
	bp->hdr.heap_end_ptr = 0xfe00;
	bp->hdr.vid_mode = 0xffff;		/* "normal" */
	bp->hdr.cmd_line_ptr = (uint32_t)BOOT_CMDLINE_ADDR;
	bp->hdr.ramdisk_image = (uint32_t)bi->initrd_addr;
	bp->hdr.ramdisk_size = (uint32_t)bi->initrd_size;
	bp->ext_ramdisk_image = (uint32_t)(bi->initrd_addr >> 32);
	bp->ext_ramdisk_size = (uint32_t)(bi->initrd_size >> 32);
	bp->acpi_rsdp_addr = rsdp;
	ne = boot_e820_build(vm->lowmem, vm->highmem, bp->e820_table,
	    E820_MAX_ENTRIES_ZEROPAGE);
	if (ne < 0) {
		snprintf(err, errlen, "e820 map does not fit");
		return ne;
	}
	bp->e820_entries = (uint8_t)ne;

	r = boot_page_tables(vm, bi);
	if (r < 0) {
		snprintf(err, errlen, "guest memory too small for page tables");
		return r;
	}
	bi->entry = BOOT_KERNEL_ADDR + ENTRY64_OFFSET;
	bi->zeropage = BOOT_ZEROPAGE_ADDR;
	bi->stack = BOOT_STACK_TOP;
	return 0;
}
