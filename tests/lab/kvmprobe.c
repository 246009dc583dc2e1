/*
 * kvmprobe: the lab's own proof that /dev/kvm runs guest code.
 *
 * Creates a VM with one vCPU in 16-bit real mode, runs a small program that
 * sums 1..100 in a loop, reports the sum on port 0x80, writes "hyve" to the
 * COM1 data port and halts.  Every exit is checked against what the program
 * must do; any other exit is a failure.  With -n N it then times N port-I/O
 * exits to userspace and N CPUID exits handled in the kernel (for make bench).
 *
 * Test tool only: never linked into a program of hyve.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE 0x10000
#define CODE_AT 0x1000

/*
 * Real-mode code at 0x1000 (cs=0, ip=0x1000):
 *   xor ax,ax ; mov cx,100
 * l: add ax,cx ; loop l
 *   out 0x80,ax              ; 5050 expected
 *   mov dx,0x3f8
 *   mov al,'h' ; out dx,al ... "hyve\n"
 *   mov cx,[0x2000] (N)      ; timed phase 1: N outs to port 0x81
 * t: out 0x81,al ; loop t
 *   out 0x82,al              ; marker: phase 1 done
 *   mov cx,[0x2000]
 * c: push cx ; xor eax,eax ; cpuid ; pop cx ; loop c
 *   out 0x82,al              ; marker: phase 2 done
 *   hlt
 */
static const uint8_t guest_code[] = {
	0x31, 0xc0,			/* xor ax,ax */
	0xb9, 0x64, 0x00,		/* mov cx,100 */
	0x01, 0xc8,			/* add ax,cx */
	0xe2, 0xfc,			/* loop -4 */
	0xe7, 0x80,			/* out 0x80,ax */
	0xba, 0xf8, 0x03,		/* mov dx,0x3f8 */
	0xb0, 'h', 0xee,		/* mov al,'h'; out dx,al */
	0xb0, 'y', 0xee,
	0xb0, 'v', 0xee,
	0xb0, 'e', 0xee,
	0xb0, '\n', 0xee,
	0x8b, 0x0e, 0x00, 0x20,		/* mov cx,[0x2000] */
	0xe6, 0x81,			/* out 0x81,al */
	0xe2, 0xfc,			/* loop -4 */
	0xe6, 0x82,			/* out 0x82,al */
	0x8b, 0x0e, 0x00, 0x20,		/* mov cx,[0x2000] */
	0x51,				/* push cx */
	0x66, 0x31, 0xc0,		/* xor eax,eax */
	0x0f, 0xa2,			/* cpuid */
	0x59,				/* pop cx */
	0xe2, 0xf7,			/* loop -9 */
	0xe6, 0x82,			/* out 0x82,al */
	0xf4,				/* hlt */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what)
{
	fprintf(stderr, "kvmprobe: FAIL: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long n = 0;
	int kvm, vm, vcpu, api, ret = 1;
	struct kvm_run *run;
	long runsz;
	uint8_t *mem;
	char serial[16] = "";
	size_t sl = 0;
	unsigned sum = 0, ios = 0, markers = 0;
	double t0 = 0, t1 = 0, t2 = 0;

	if (argc == 3 && strcmp(argv[1], "-n") == 0)
		n = strtoul(argv[2], NULL, 0);
	if (n > 0xffff) {
		fprintf(stderr, "kvmprobe: -n at most 65535\n");
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("open /dev/kvm");
	api = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		fprintf(stderr, "kvmprobe: FAIL: KVM API %d, want %d\n", api, KVM_API_VERSION);
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap guest memory");
	memcpy(mem + CODE_AT, guest_code, sizeof(guest_code));
	/* iteration count for the timed phases; 0 means skip (loop runs 65536
	 * times on cx=0), so use 1 as the floor */
	mem[0x2000] = (uint8_t)((n ? n : 1) & 0xff);
	mem[0x2001] = (uint8_t)((n ? n : 1) >> 8);
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	runsz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (runsz < (long)sizeof(*run))
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, (size_t)runsz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return fail("mmap kvm_run");

	struct kvm_sregs sregs;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.base = 0;
	sregs.ds.selector = 0;
	sregs.ss.base = 0;
	sregs.ss.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	struct kvm_regs regs = { .rip = CODE_AT, .rflags = 2, .rsp = 0x8000 };
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return fail("KVM_SET_REGS");

	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			return fail("KVM_RUN");
		}
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		if (run->exit_reason != KVM_EXIT_IO ||
		    run->io.direction != KVM_EXIT_IO_OUT) {
			fprintf(stderr, "kvmprobe: FAIL: unexpected exit %u\n",
			    run->exit_reason);
			return 1;
		}
		uint8_t *data = (uint8_t *)run + run->io.data_offset;
		switch (run->io.port) {
		case 0x80:
			if (run->io.size == 2)
				sum = (unsigned)data[0] | (unsigned)data[1] << 8;
			break;
		case 0x3f8:
			if (sl + 1 < sizeof(serial))
				serial[sl++] = (char)data[0];
			if (data[0] == '\n')
				t0 = now();
			break;
		case 0x81:
			ios++;
			break;
		case 0x82:
			markers++;
			if (markers == 1)
				t1 = now();
			else
				t2 = now();
			break;
		default:
			fprintf(stderr, "kvmprobe: FAIL: out to unexpected port 0x%x\n",
			    run->io.port);
			return 1;
		}
	}
	if (sum != 5050) {
		fprintf(stderr, "kvmprobe: FAIL: guest computed %u, want 5050\n", sum);
	} else if (strcmp(serial, "hyve\n") != 0) {
		fprintf(stderr, "kvmprobe: FAIL: guest wrote \"%s\" to COM1\n", serial);
	} else if (markers != 2 || ios != (n ? n : 1)) {
		fprintf(stderr, "kvmprobe: FAIL: %u timed exits, %u markers\n", ios, markers);
	} else {
		printf("kvmprobe: guest code ran on /dev/kvm: sum 1..100 = %u, COM1 \"hyve\"\n", sum);
		if (n)
			printf("BENCH kvm_exit_user_us %.2f us (port I/O exit to userspace, n=%lu)\n"
			    "BENCH kvm_exit_kernel_us %.2f us (CPUID exit handled in KVM, n=%lu)\n",
			    (t1 - t0) * 1e6 / (double)n, n, (t2 - t1) * 1e6 / (double)n, n);
		ret = 0;
	}
	return ret;
}
