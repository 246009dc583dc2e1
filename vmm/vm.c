/*
 * vm: the KVM virtual machine object and the guest physical memory map.
 *
 * Creates the VM with the in-kernel irqchip and PIT (so timer ticks and
 * interrupt delivery never exit to userspace), and guest RAM in one memfd.
 * It never maps guest memory anywhere but the one shared mapping, and never
 * translates a guest address without checking the whole range.
 */
#define _GNU_SOURCE
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int vm_check_cap(struct vm *vm, long cap, const char *name, char *err,
    size_t errlen)
{
	int r = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, cap);

	if (r <= 0) {
		snprintf(err, errlen, "KVM lacks %s", name);
		return -ENOTSUP;
	}
	return 0;
}

/* CPUID 0x80000008 EAX[7:0] as KVM offers it; 36 (the architectural
 * minimum) when KVM does not say. */
static unsigned int vm_cpuid_phys_bits(int kvm_fd)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[256];
	} c;
	unsigned int i, bits = 36;

	memset(&c, 0, sizeof(c));
	c.hdr.nent = 256;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, &c) < 0)
		return bits;
	for (i = 0; i < c.hdr.nent && i < 256; i++)
		if (c.e[i].function == 0x80000008 && (c.e[i].eax & 0xff) >= 32)
			bits = c.e[i].eax & 0xff;
	return bits;
}

uint64_t vm_pci_mem64_base(const struct vm *vm)
{
	uint64_t end = VM_HIGHMEM_BASE + vm->highmem;
	uint64_t base = (end + VM_PCI_MEM64_ALIGN - 1) & ~(VM_PCI_MEM64_ALIGN - 1);
	unsigned int bits = vm->phys_bits ? vm->phys_bits : 36;

	if (bits > 52)
		bits = 52;
	if (base + VM_PCI_MEM64_SIZE > (1ULL << bits))
		return 0;
	return base;
}

/*
 * kvm.path: /dev/kvm by default, another path, or "fd:N" from hyve-jail,
 * which opens /dev/kvm on the host and passes it in (the box's /dev may
 * not even be looked at).  The fd must really be the KVM device: a wrong
 * number would otherwise turn into odd ioctl errors on some other file.
 */
int vm_open_kvm(const char *spec, char *err, size_t errlen)
{
	struct stat st;
	int fd, r;

	if (spec == NULL)
		spec = "/dev/kvm";
	if (strncmp(spec, "fd:", 3) == 0) {
		char *end;
		long n = strtol(spec + 3, &end, 10);

		if (end == spec + 3 || *end != '\0' || n < 0 || n > 65535 ||
		    fcntl((int)n, F_GETFD) < 0) {
			snprintf(err, errlen, "kvm.path=%s: not an open "
			    "descriptor", spec);
			return -EBADF;
		}
		fd = (int)n;
		/* ours from now on: no helper or exec may inherit it */
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	} else {
		fd = open(spec, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			snprintf(err, errlen, "%s: %s", spec, strerror(errno));
			return r;
		}
	}
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    major(st.st_rdev) != 10 || minor(st.st_rdev) != 232) {
		snprintf(err, errlen, "kvm.path=%s: not the KVM device "
		    "(char 10:232)", spec);
		close(fd);
		return -ENODEV;
	}
	return fd;
}

int vm_create(struct vm *vm, int kvm_fd, char *err, size_t errlen)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = -1;
	vm->mem_fd = -1;
	vm->stop_code = -1;
	vm->kvm_fd = kvm_fd;
	vm->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_efd < 0) {
		r = -errno;
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return r;
	}
	if (vm->kvm_fd < 0) {
		vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
		if (vm->kvm_fd < 0) {
			r = -errno;
			snprintf(err, errlen, "/dev/kvm: %s", strerror(errno));
			return r;
		}
	}
	r = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION) {
		snprintf(err, errlen, "/dev/kvm: API version %d, need %d", r,
		    KVM_API_VERSION);
		return -ENOTSUP;
	}
	if ((r = vm_check_cap(vm, KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP", err,
	    errlen)) < 0 ||
	    (r = vm_check_cap(vm, KVM_CAP_PIT2, "KVM_CAP_PIT2", err,
	    errlen)) < 0 ||
	    (r = vm_check_cap(vm, KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY",
	    err, errlen)) < 0 ||
	    (r = vm_check_cap(vm, KVM_CAP_IMMEDIATE_EXIT,
	    "KVM_CAP_IMMEDIATE_EXIT", err, errlen)) < 0 ||
	    (r = vm_check_cap(vm, KVM_CAP_SIGNAL_MSI, "KVM_CAP_SIGNAL_MSI",
	    err, errlen)) < 0)
		return r;

	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size < (int)sizeof(struct kvm_run)) {
		snprintf(err, errlen, "KVM_GET_VCPU_MMAP_SIZE: %s",
		    strerror(errno));
		return -ENOTSUP;
	}
	vm->phys_bits = vm_cpuid_phys_bits(vm->kvm_fd);
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		r = -errno;
		snprintf(err, errlen, "KVM_CREATE_VM: %s", strerror(errno));
		return r;
	}
	/* Intel VMX needs these below 4 GiB outside RAM; AMD ignores them. */
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)VM_TSS_ADDR) < 0) {
		r = -errno;
		snprintf(err, errlen, "KVM_SET_TSS_ADDR: %s", strerror(errno));
		return r;
	}
	{
		uint64_t ident = VM_IDENT_MAP_ADDR;

		if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident) < 0) {
			r = -errno;
			snprintf(err, errlen, "KVM_SET_IDENTITY_MAP_ADDR: %s",
			    strerror(errno));
			return r;
		}
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		r = -errno;
		snprintf(err, errlen, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
		return r;
	}
	/* The speaker port (0x61) stays in the kernel too: Linux polls it
	 * while calibrating against the PIT. */
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		r = -errno;
		snprintf(err, errlen, "KVM_CREATE_PIT2: %s", strerror(errno));
		return r;
	}
	return 0;
}

static int vm_add_slot(struct vm *vm, uint64_t gpa, uint64_t size,
    uint8_t *hva, char *err, size_t errlen)
{
	struct kvm_userspace_memory_region region = {
		.slot = vm->next_slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};
	int r;

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		r = -errno;
		snprintf(err, errlen, "KVM_SET_USER_MEMORY_REGION "
		    "(gpa 0x%llx, %llu bytes): %s", (unsigned long long)gpa,
		    (unsigned long long)size, strerror(errno));
		return r;
	}
	vm->next_slot++;
	return 0;
}

int vm_setup_memory(struct vm *vm, uint64_t mem_size, bool wired,
    char *err, size_t errlen)
{
	struct sysinfo si;
	uint64_t host;
	void *p;
	int r;

	if (mem_size < VM_MIN_MEM || mem_size > VM_MAX_MEM ||
	    (mem_size & 0xfffff) != 0) {
		snprintf(err, errlen, "memory size %llu: must be a whole number "
		    "of MiB between %llu MiB and %llu GiB",
		    (unsigned long long)mem_size,
		    (unsigned long long)(VM_MIN_MEM >> 20),
		    (unsigned long long)(VM_MAX_MEM >> 30));
		return -EINVAL;
	}
	/*
	 * A memfd is sparse: a size the host can never back would only fail
	 * later as an OOM kill in the middle of the guest's life.  Refuse it
	 * now, against RAM plus swap.
	 */
	if (sysinfo(&si) == 0) {
		host = ((uint64_t)si.totalram + si.totalswap) * si.mem_unit;
		if (mem_size > host) {
			snprintf(err, errlen, "cannot allocate %llu MiB of guest "
			    "memory: the host has %llu MiB of RAM and swap",
			    (unsigned long long)(mem_size >> 20),
			    (unsigned long long)(host >> 20));
			return -ENOMEM;
		}
	}

	vm->mem_fd = memfd_create("hyve-guest-ram", MFD_CLOEXEC |
	    MFD_ALLOW_SEALING);
	if (vm->mem_fd < 0) {
		r = -errno;
		snprintf(err, errlen, "memfd_create: %s", strerror(errno));
		return r;
	}
	if (ftruncate(vm->mem_fd, (off_t)mem_size) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot allocate %llu MiB of guest memory: "
		    "%s", (unsigned long long)(mem_size >> 20), strerror(errno));
		return r;
	}
	/* The size never changes again: helpers that map it can trust that. */
	(void)fcntl(vm->mem_fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK |
	    F_SEAL_SEAL);
	p = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_NORESERVE | (wired ? MAP_POPULATE : 0),
	    vm->mem_fd, 0);
	if (p == MAP_FAILED) {
		r = -errno;
		snprintf(err, errlen, "cannot allocate %llu MiB of guest memory: "
		    "mmap: %s", (unsigned long long)(mem_size >> 20),
		    strerror(errno));
		return r;
	}
	vm->mem = p;
	vm->mem_size = mem_size;
	if (wired && mlock(p, mem_size) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot wire %llu MiB of guest memory "
		    "(-S): mlock: %s", (unsigned long long)(mem_size >> 20),
		    strerror(errno));
		return r;
	}
	/* Guest RAM is never worth a core dump of hyve. */
	(void)madvise(p, mem_size, MADV_DONTDUMP);

	vm->lowmem = mem_size < VM_LOWMEM_LIMIT ? mem_size : VM_LOWMEM_LIMIT;
	vm->highmem = mem_size - vm->lowmem;
	r = vm_add_slot(vm, 0, vm->lowmem, vm->mem, err, errlen);
	if (r == 0 && vm->highmem)
		r = vm_add_slot(vm, VM_HIGHMEM_BASE, vm->highmem,
		    vm->mem + vm->lowmem, err, errlen);
	return r;
}

void vm_destroy(struct vm *vm)
{
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	if (vm->mem_fd >= 0)
		close(vm->mem_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->stop_efd >= 0)
		close(vm->stop_efd);
	vm->mem = NULL;
	vm->mem_fd = vm->vm_fd = vm->kvm_fd = vm->stop_efd = -1;
}

void vm_request_stop(struct vm *vm, int code, const char *fmt, ...)
{
	int expect = -1;
	uint64_t one = 1;
	va_list ap;

	/* stop_msg is written by the one winner only, before main reads it
	 * (main reads after the eventfd, which orders it). */
	if (!__atomic_compare_exchange_n(&vm->stop_code, &expect, code, false,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(vm->stop_msg, sizeof(vm->stop_msg), fmt, ap);
		va_end(ap);
	}
	if (write(vm->stop_efd, &one, sizeof(one)) < 0) {
		/* Full counter: main is already awake. */
	}
}

int vm_stop_code(const struct vm *vm)
{
	return __atomic_load_n(&vm->stop_code, __ATOMIC_SEQ_CST);
}

void *vm_gpa2hva(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t end;

	if (vm->mem == NULL || __builtin_add_overflow(gpa, len, &end))
		return NULL;
	if (end <= vm->lowmem)
		return vm->mem + gpa;
	if (gpa >= VM_HIGHMEM_BASE && end <= VM_HIGHMEM_BASE + vm->highmem)
		return vm->mem + vm->lowmem + (gpa - VM_HIGHMEM_BASE);
	return NULL;
}

int vm_irq_line(struct vm *vm, unsigned int gsi, int level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level ? 1 : 0 };

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0)
		return -errno;
	return 0;
}

int vm_irq_pulse(struct vm *vm, unsigned int gsi)
{
	int r = vm_irq_line(vm, gsi, 1);

	if (r == 0)
		r = vm_irq_line(vm, gsi, 0);
	return r;
}

int vm_ioeventfd(struct vm *vm, uint64_t addr, unsigned int len, bool pio,
    int efd)
{
	struct kvm_ioeventfd io = {
		.addr = addr,
		.len = len,
		.fd = efd,
		.flags = pio ? KVM_IOEVENTFD_FLAG_PIO : 0,
	};

	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0)
		return -errno;
	return 0;
}

int vm_coalesced_pio(struct vm *vm, uint16_t port, uint32_t len)
{
	struct kvm_coalesced_mmio_zone z = {
		.addr = port,
		.size = len,
		.pio = 1,
	};

	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_PIO) <= 0)
		return -ENOTSUP;
	if (ioctl(vm->vm_fd, KVM_REGISTER_COALESCED_MMIO, &z) < 0)
		return -errno;
	return 0;
}

int vm_msi(struct vm *vm, uint64_t addr, uint32_t data)
{
	struct kvm_msi msi = {
		.address_lo = (uint32_t)addr,
		.address_hi = (uint32_t)(addr >> 32),
		.data = data,
	};

	/* 0: the guest masked it in its LAPIC or aimed at nobody; not ours. */
	if (ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
		return -errno;
	return 0;
}
