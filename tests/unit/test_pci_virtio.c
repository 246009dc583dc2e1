/*
 * test_pci_virtio: the virtio 1.x PCI transport.
 *
 * Part 1 drives the register model (vmm/virtio_regs.c) directly: common
 * configuration, ISR and notify registers, status transitions, feature
 * negotiation, and every kind of bad guest write, including a random
 * write storm after which the invariants must still hold.
 *
 * Part 2 plugs whole devices into the PCI framework with a fake VM (guest
 * RAM is a sealed memfd, no KVM: kicks and interrupts take hyve's fallback
 * path, which is the point) and real helpers from the build directory:
 * hyve-rng spawned in bare mode fills a guest buffer through the shared
 * ring, a launcher-style connected socket (sock=fd:N) works the same, a
 * masked vector leaves its PBA bit pending, reset and restart work, a
 * killed helper leaves the device NEEDS_RESET with a config interrupt, and
 * a helper that never answers fails device init after the timeout instead
 * of hanging.  hyve-blk's capacity and options show up in the device
 * config, and virtio-blk reads and writes reach the image both through
 * hyve-blk and through QEMU's qemu-storage-daemon (a vhost-user-blk back
 * end nobody here wrote, from qemu-system-common).  A held start gate
 * (hyve before its seccomp filter) keeps the monitor from looking at the
 * helper until it opens, and a cancelled one still lets the device go.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cfg.h"
#include "vmm/gate.h"
#include "vmm/inout.h"
#include "vmm/mmio.h"
#include "vmm/pci.h"
#include "vmm/pci_virtio.h"
#include "vmm/virtio_helper.h"
#include "vmm/virtio_msi.h"
#include "vmm/virtio_regs.h"
#include "vmm/vm.h"

#define V1 (1ULL << 32)

/* ================================================== part 1: registers */

static struct vregs R;

static void r_init(void)
{
	assert_int_equal(vregs_init(&R, V1 | 0x3, 2, 256, 3), 0);
}

static void w(uint64_t off, int bytes, uint64_t v)
{
	(void)vregs_common_write(&R, off, bytes, v);
}

static uint64_t rd(uint64_t off, int bytes)
{
	return vregs_common_read(&R, off, bytes);
}

static uint64_t errs(void)
{
	uint64_t n = 0;

	for (int i = 0; i < VREGS_ERR__COUNT; i++)
		n += R.errors[i];
	return n;
}

static void test_init_bounds(void **state)
{
	(void)state;
	assert_int_equal(vregs_init(&R, V1, 0, 256, 1), -EINVAL);
	assert_int_equal(vregs_init(&R, V1, VREGS_MAX_QUEUES + 1, 256, 1),
	    -EINVAL);
	assert_int_equal(vregs_init(&R, V1, 1, 100, 1), -EINVAL);
	assert_int_equal(vregs_init(&R, V1, 1, 0, 1), -EINVAL);
	r_init();
	assert_int_equal(rd(VCOMMON_NUMQ, 2), 2);
	assert_int_equal(rd(VCOMMON_Q_SIZE, 2), 256);
	assert_int_equal(rd(VCOMMON_MSIX, 2), VREGS_NO_VECTOR);
	assert_int_equal(rd(VCOMMON_Q_MSIX, 2), VREGS_NO_VECTOR);
	assert_int_equal(rd(VCOMMON_STATUS, 1), 0);
	/* device features by halves, 0 past the second */
	assert_int_equal(rd(VCOMMON_DF, 4), 0x3);
	w(VCOMMON_DFSELECT, 4, 1);
	assert_int_equal(rd(VCOMMON_DF, 4), 1);
	w(VCOMMON_DFSELECT, 4, 7);
	assert_int_equal(rd(VCOMMON_DF, 4), 0);
	/* reads past the structure or with odd sizes are 0, not a crash */
	assert_int_equal(rd(VCOMMON_SIZE, 4), 0);
	assert_int_equal(rd(VCOMMON_SIZE - 2, 4), 0);
	assert_int_equal(rd(0, 3), 0);
	assert_int_equal(rd(~0ULL, 1), 0);
	/* queue_notify_off is the queue index */
	w(VCOMMON_Q_SELECT, 2, 1);
	assert_int_equal(rd(VCOMMON_Q_NOFF, 2), 1);
	assert_int_equal(errs(), 0);
}

static void drv_features(uint64_t f)
{
	w(VCOMMON_GFSELECT, 4, 0);
	w(VCOMMON_GF, 4, (uint32_t)f);
	w(VCOMMON_GFSELECT, 4, 1);
	w(VCOMMON_GF, 4, (uint32_t)(f >> 32));
}

static void test_features(void **state)
{
	(void)state;
	r_init();
	w(VCOMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	/* a legacy driver (no VERSION_1): FEATURES_OK reads back clear */
	drv_features(0x1);
	w(VCOMMON_STATUS, 1, 0x0b);
	assert_int_equal(rd(VCOMMON_STATUS, 1), 0x03);
	assert_int_equal(R.errors[VREGS_ERR_FEATURES], 1);
	/* a bit the device never offered */
	drv_features(V1 | 0x4);
	w(VCOMMON_STATUS, 1, 0x0b);
	assert_int_equal(rd(VCOMMON_STATUS, 1), 0x03);
	assert_int_equal(R.errors[VREGS_ERR_FEATURES], 2);
	/* driver_feature_select past 1 */
	w(VCOMMON_GFSELECT, 4, 2);
	w(VCOMMON_GF, 4, 0xffffffff);
	assert_int_equal(R.errors[VREGS_ERR_FEATURES], 3);
	/* good */
	drv_features(V1 | 0x2);
	w(VCOMMON_STATUS, 1, 0x0b);
	assert_int_equal(rd(VCOMMON_STATUS, 1), 0x0b);
	assert_true(R.drv_features == (V1 | 0x2));
	/* frozen after FEATURES_OK */
	w(VCOMMON_GFSELECT, 4, 0);
	w(VCOMMON_GF, 4, 0);
	assert_true(R.drv_features == (V1 | 0x2));
	assert_int_equal(R.errors[VREGS_ERR_STATUS], 1);
	/* read back what the driver wrote */
	w(VCOMMON_GFSELECT, 4, 1);
	assert_int_equal(rd(VCOMMON_GF, 4), 1);
}

static void test_features_need_driver(void **state)
{
	(void)state;
	r_init();
	drv_features(V1);
	w(VCOMMON_STATUS, 1, VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(rd(VCOMMON_STATUS, 1), 0);
	assert_int_equal(R.errors[VREGS_ERR_STATUS], 1);
}

static void setup_queue(unsigned int q, uint16_t size, uint64_t desc,
    uint64_t avail, uint64_t used)
{
	w(VCOMMON_Q_SELECT, 2, q);
	w(VCOMMON_Q_SIZE, 2, size);
	w(VCOMMON_Q_DESCLO, 4, (uint32_t)desc);
	w(VCOMMON_Q_DESCHI, 4, desc >> 32);
	w(VCOMMON_Q_AVAILLO, 8, avail);
	w(VCOMMON_Q_USEDLO, 4, (uint32_t)used);
	w(VCOMMON_Q_USEDHI, 4, used >> 32);
	w(VCOMMON_Q_ENABLE, 2, 1);
}

static void negotiate(void)
{
	w(VCOMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	w(VCOMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	drv_features(V1);
	w(VCOMMON_STATUS, 1, 0x0b);
	assert_int_equal(rd(VCOMMON_STATUS, 1), 0x0b);
}

static void test_status_machine(void **state)
{
	(void)state;
	r_init();
	/* DRIVER_OK without FEATURES_OK: NEEDS_RESET and a config irq */
	w(VCOMMON_STATUS, 1, 0x03);
	assert_int_equal(vregs_common_write(&R, VCOMMON_STATUS, 1, 0x07),
	    VREGS_ACT_NEEDS_RESET);
	assert_int_equal(rd(VCOMMON_STATUS, 1),
	    0x03 | VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(vregs_isr_read(&R), VIRTIO_ISR_CONFIG);
	assert_int_equal(vregs_isr_read(&R), 0);
	/* only a 0 clears it */
	w(VCOMMON_STATUS, 1, 0x03);
	assert_true(rd(VCOMMON_STATUS, 1) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(vregs_common_write(&R, VCOMMON_STATUS, 1, 0),
	    VREGS_ACT_RESET);
	assert_int_equal(rd(VCOMMON_STATUS, 1), 0);

	/* the guest cannot set NEEDS_RESET, nor clear a bit */
	w(VCOMMON_STATUS, 1, 0x41);
	assert_int_equal(rd(VCOMMON_STATUS, 1), 0x01);
	w(VCOMMON_STATUS, 1, 0x03);
	w(VCOMMON_STATUS, 1, 0x02);
	assert_int_equal(rd(VCOMMON_STATUS, 1), 0x03);
	assert_true(R.errors[VREGS_ERR_STATUS] >= 1);

	/* the full sequence */
	w(VCOMMON_STATUS, 1, 0);
	negotiate();
	setup_queue(0, 64, 0x10000, 0x11000, 0x12000);
	assert_int_equal(vregs_common_write(&R, VCOMMON_STATUS, 1, 0x0f),
	    VREGS_ACT_DRIVER_OK);
	assert_int_equal(rd(VCOMMON_STATUS, 1), 0x0f);
	/* DRIVER_OK again: nothing new */
	assert_int_equal(vregs_common_write(&R, VCOMMON_STATUS, 1, 0x0f),
	    VREGS_ACT_NONE);
	/* FAILED can be added */
	w(VCOMMON_STATUS, 1, 0x8f);
	assert_int_equal(rd(VCOMMON_STATUS, 1), 0x8f);
	/* reset brings everything back, except config_generation */
	R.config_generation = 5;
	assert_int_equal(vregs_common_write(&R, VCOMMON_STATUS, 1, 0),
	    VREGS_ACT_RESET);
	w(VCOMMON_Q_SELECT, 2, 0);
	assert_int_equal(rd(VCOMMON_Q_ENABLE, 2), 0);
	assert_int_equal(rd(VCOMMON_Q_SIZE, 2), 256);
	assert_int_equal(rd(VCOMMON_Q_DESCLO, 8), 0);
	assert_int_equal(rd(VCOMMON_CFGGEN, 1), 5);
	assert_true(R.drv_features == 0);
}

static void test_queue_registers(void **state)
{
	(void)state;
	r_init();
	negotiate();
	/* non-existent queue: reads 0, writes refused */
	w(VCOMMON_Q_SELECT, 2, 2);
	assert_int_equal(rd(VCOMMON_Q_SELECT, 2), 2);
	assert_int_equal(rd(VCOMMON_Q_SIZE, 2), 0);
	assert_int_equal(rd(VCOMMON_Q_DESCLO, 4), 0);
	w(VCOMMON_Q_SIZE, 2, 16);
	w(VCOMMON_Q_ENABLE, 2, 1);
	w(VCOMMON_Q_MSIX, 2, 0);
	w(VCOMMON_Q_DESCLO, 4, 0x1000);
	assert_int_equal(R.errors[VREGS_ERR_QSEL], 4);
	w(VCOMMON_Q_SELECT, 2, 0xffff);
	w(VCOMMON_Q_SIZE, 2, 16);
	assert_int_equal(R.errors[VREGS_ERR_QSEL], 5);

	/* sizes: 0, not a power of two, above the maximum */
	w(VCOMMON_Q_SELECT, 2, 1);
	w(VCOMMON_Q_SIZE, 2, 0);
	w(VCOMMON_Q_SIZE, 2, 100);
	w(VCOMMON_Q_SIZE, 2, 512);
	w(VCOMMON_Q_SIZE, 2, 0x10000 | 16);	/* upper bits of a 16-bit reg */
	assert_int_equal(R.errors[VREGS_ERR_QSIZE], 3);
	assert_int_equal(rd(VCOMMON_Q_SIZE, 2), 16);
	w(VCOMMON_Q_SIZE, 2, 1);
	assert_int_equal(rd(VCOMMON_Q_SIZE, 2), 1);

	/* 64-bit addresses by halves and whole; misaligned 8-byte refused */
	w(VCOMMON_Q_DESCLO, 4, 0x12345000);
	w(VCOMMON_Q_DESCHI, 4, 0x1);
	assert_true(rd(VCOMMON_Q_DESCLO, 8) == 0x112345000ULL);
	w(VCOMMON_Q_AVAILLO, 8, 0xabcdef000ULL);
	assert_true(rd(VCOMMON_Q_AVAILLO, 8) == 0xabcdef000ULL);
	w(VCOMMON_Q_AVAILHI, 8, 0);
	assert_true(rd(VCOMMON_Q_AVAILLO, 8) == 0xabcdef000ULL);

	/* enable: only 1; then frozen */
	w(VCOMMON_Q_ENABLE, 2, 2);
	assert_int_equal(rd(VCOMMON_Q_ENABLE, 2), 0);
	w(VCOMMON_Q_ENABLE, 2, 1);
	assert_int_equal(rd(VCOMMON_Q_ENABLE, 2), 1);
	w(VCOMMON_Q_SIZE, 2, 8);
	w(VCOMMON_Q_DESCLO, 4, 0);
	w(VCOMMON_Q_ENABLE, 2, 0);
	assert_int_equal(rd(VCOMMON_Q_SIZE, 2), 1);
	assert_true(rd(VCOMMON_Q_DESCLO, 8) == 0x112345000ULL);
	assert_int_equal(R.errors[VREGS_ERR_QLOCKED], 3);

	/* after DRIVER_OK even a disabled queue is frozen */
	w(VCOMMON_Q_SELECT, 2, 0);
	w(VCOMMON_Q_SIZE, 2, 8);
	w(VCOMMON_Q_DESCLO, 4, 0x1000);
	w(VCOMMON_Q_AVAILLO, 4, 0x2000);
	w(VCOMMON_Q_USEDLO, 4, 0x3000);
	w(VCOMMON_Q_ENABLE, 2, 1);
	w(VCOMMON_STATUS, 1, 0x0f);
	assert_int_equal(rd(VCOMMON_STATUS, 1), 0x0f);
	w(VCOMMON_Q_SIZE, 2, 4);
	assert_int_equal(rd(VCOMMON_Q_SIZE, 2), 8);
}

static void test_ring_alignment(void **state)
{
	static const uint64_t bad[][3] = {
		{ 0x10008, 0x11000, 0x12000 },	/* desc not 16-aligned */
		{ 0x10000, 0x11001, 0x12000 },	/* avail not 2-aligned */
		{ 0x10000, 0x11000, 0x12002 },	/* used not 4-aligned */
	};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		r_init();
		negotiate();
		setup_queue(1, 16, bad[i][0], bad[i][1], bad[i][2]);
		assert_int_equal(vregs_common_write(&R, VCOMMON_STATUS, 1,
		    0x0f), VREGS_ACT_NEEDS_RESET);
		assert_int_equal(rd(VCOMMON_STATUS, 1),
		    0x0b | VIRTIO_STATUS_NEEDS_RESET);
		assert_int_equal(R.errors[VREGS_ERR_RING], 1);
	}
	/* a misaligned queue that is not enabled does not matter */
	r_init();
	negotiate();
	w(VCOMMON_Q_SELECT, 2, 1);
	w(VCOMMON_Q_DESCLO, 4, 0x10008);
	assert_int_equal(vregs_common_write(&R, VCOMMON_STATUS, 1, 0x0f),
	    VREGS_ACT_DRIVER_OK);
}

static void test_vectors(void **state)
{
	(void)state;
	r_init();	/* 3 vectors */
	assert_int_equal(vregs_common_write(&R, VCOMMON_MSIX, 2, 2),
	    VREGS_ACT_VECTOR);
	assert_int_equal(rd(VCOMMON_MSIX, 2), 2);
	w(VCOMMON_MSIX, 2, 3);
	assert_int_equal(rd(VCOMMON_MSIX, 2), VREGS_NO_VECTOR);
	w(VCOMMON_Q_SELECT, 2, 1);
	w(VCOMMON_Q_MSIX, 2, 1);
	assert_int_equal(rd(VCOMMON_Q_MSIX, 2), 1);
	w(VCOMMON_Q_MSIX, 2, 0x7fff);
	assert_int_equal(rd(VCOMMON_Q_MSIX, 2), VREGS_NO_VECTOR);
	assert_int_equal(R.errors[VREGS_ERR_VECTOR], 2);
	w(VCOMMON_Q_MSIX, 2, VREGS_NO_VECTOR);
	assert_int_equal(rd(VCOMMON_Q_MSIX, 2), VREGS_NO_VECTOR);
	assert_int_equal(R.errors[VREGS_ERR_VECTOR], 2);
}

static void test_bad_access(void **state)
{
	static const struct { uint64_t off; int bytes; } bad[] = {
		{ VCOMMON_STATUS, 4 },		/* status through a dword */
		{ VCOMMON_STATUS, 2 },
		{ VCOMMON_DF, 4 },		/* read-only */
		{ VCOMMON_NUMQ, 2 },
		{ VCOMMON_CFGGEN, 1 },
		{ VCOMMON_Q_NOFF, 2 },
		{ VCOMMON_Q_NDATA, 2 },
		{ VCOMMON_Q_RESET, 2 },
		{ VCOMMON_Q_SELECT, 1 },	/* half a register */
		{ VCOMMON_Q_SIZE + 1, 1 },
		{ VCOMMON_DFSELECT, 2 },
		{ VCOMMON_Q_DESCHI, 8 },	/* qword across two fields */
		{ VCOMMON_SIZE, 4 },		/* past the end */
		{ 0xfff, 1 },
		{ ~0ULL, 4 },
	};

	(void)state;
	r_init();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vregs_common_write(&R, bad[i].off,
		    bad[i].bytes, ~0ULL), VREGS_ACT_NONE);
	assert_int_equal(R.errors[VREGS_ERR_ACCESS],
	    sizeof(bad) / sizeof(bad[0]));
	assert_int_equal(rd(VCOMMON_STATUS, 1), 0);
	assert_int_equal(rd(VCOMMON_NUMQ, 2), 2);
	assert_int_equal(rd(VCOMMON_Q_SELECT, 2), 0);
	assert_int_equal(rd(VCOMMON_Q_SIZE, 2), 256);
}

static void test_notify_isr(void **state)
{
	unsigned int q = 99;

	(void)state;
	r_init();
	assert_int_equal(vregs_notify_write(&R, 0, 2, 0, &q), VREGS_ACT_KICK);
	assert_int_equal(q, 0);
	assert_int_equal(vregs_notify_write(&R, VREGS_NOTIFY_MULT, 4, 1, &q),
	    VREGS_ACT_KICK);
	assert_int_equal(q, 1);
	q = 99;
	assert_int_equal(vregs_notify_write(&R, 2 * VREGS_NOTIFY_MULT, 2, 2,
	    &q), VREGS_ACT_NONE);
	assert_int_equal(vregs_notify_write(&R, 1, 2, 0, &q), VREGS_ACT_NONE);
	assert_int_equal(vregs_notify_write(&R, 0, 8, 0, &q), VREGS_ACT_NONE);
	assert_int_equal(vregs_notify_write(&R, ~0ULL - 3, 2, 0, &q),
	    VREGS_ACT_NONE);
	assert_int_equal(q, 99);
	assert_int_equal(R.errors[VREGS_ERR_QSEL], 4);
	R.isr = VIRTIO_ISR_QUEUE;
	assert_true(vregs_set_needs_reset(&R));
	assert_false(vregs_set_needs_reset(&R));
	assert_int_equal(vregs_isr_read(&R), 3);
	assert_int_equal(vregs_isr_read(&R), 0);
}

/* Random guest writes: whatever happens, the invariants hold. */
static void test_write_storm(void **state)
{
	uint32_t seed = 12345;

	(void)state;
	r_init();
	for (int i = 0; i < 200000; i++) {
		uint64_t off, val;
		int bytes;
		unsigned int q;

		seed = seed * 1103515245u + 12345u;
		off = (seed >> 8) % (VCOMMON_SIZE + 8);
		bytes = 1 << ((seed >> 4) & 3);
		seed = seed * 1103515245u + 12345u;
		val = ((uint64_t)seed << 32) | (seed * 2654435761u);
		if ((seed & 0xff) == 0)
			val = 0;	/* resets now and then */
		if ((seed & 0x700) == 0)
			(void)vregs_notify_write(&R, off, bytes, val, &q);
		else
			(void)vregs_common_write(&R, off, bytes, val);
		(void)rd(off, bytes);
	}
	for (unsigned int q = 0; q < VREGS_MAX_QUEUES; q++) {
		uint16_t s = R.q[q].size;

		if (q >= R.num_queues)
			continue;
		assert_true(s >= 1 && s <= R.q[q].max_size &&
		    (s & (s - 1)) == 0);
		assert_true(R.q[q].msix_vector == VREGS_NO_VECTOR ||
		    R.q[q].msix_vector < R.nvec);
	}
	assert_true(R.config_msix_vector == VREGS_NO_VECTOR ||
	    R.config_msix_vector < R.nvec);
	assert_int_equal(R.num_queues, 2);
	assert_true((R.drv_features & ~R.dev_features) == 0 ||
	    !(R.status & VIRTIO_STATUS_FEATURES_OK));
	assert_true(errs() > 0);
}

/* ================================================== part 2: devices */

#define MEM_SIZE	(32ULL << 20)
#define DESC_GPA	0x10000
#define AVAIL_GPA	0x11000
#define USED_GPA	0x12000
#define BUF_GPA		0x20000

struct bus {
	struct vm vm;
	struct inout io;
	struct mmio mmio;
	struct pci pci;
	struct cfg *cfg;
	struct pci_devinst *pi;
	uint64_t bar;		/* virtio BAR address */
};

static void bus_up(struct bus *b)
{
	char err[256];
	int fd;

	memset(b, 0, sizeof(*b));
	b->vm.kvm_fd = b->vm.vm_fd = -1;
	b->vm.stop_code = -1;
	b->vm.phys_bits = 40;
	b->vm.stop_efd = eventfd(0, EFD_NONBLOCK);
	/* the helper insists on a memfd sealed against shrinking */
	fd = memfd_create("test-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, MEM_SIZE), 0);
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW),
	    0);
	b->vm.mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	assert_true(b->vm.mem != MAP_FAILED);
	b->vm.mem_fd = fd;
	b->vm.mem_size = b->vm.lowmem = MEM_SIZE;
	inout_init(&b->io, false);
	mmio_init(&b->mmio);
	assert_int_equal(pci_init(&b->pci, &b->vm, &b->io, &b->mmio, err,
	    sizeof(err)), 0);
	b->cfg = cfg_new();
	assert_non_null(b->cfg);
}

static int bus_add(struct bus *b, const char *dev, char *err, size_t len)
{
	const struct pci_devemu *emu = pci_emul_find(dev);
	int r;

	assert_non_null(emu);
	r = pci_add_device(&b->pci, emu, 0, 4, 0, b->cfg, err, len);
	if (r == 0) {
		b->pi = b->pci.dev[4][0];
		b->bar = b->pi->bar[VPCI_BAR].addr;
	}
	return r;
}

static void bus_down(struct bus *b)
{
	pci_fini(&b->pci);
	mmio_fini(&b->mmio);
	inout_fini(&b->io);
	munmap(b->vm.mem, MEM_SIZE);
	close(b->vm.mem_fd);
	close(b->vm.stop_efd);
	cfg_free(b->cfg);
}

static void set(struct bus *b, const char *k, const char *v)
{
	char err[256];

	assert_int_equal(cfg_set(b->cfg, k, v, "test", err, sizeof(err)), 0);
}

static uint64_t mrd(struct bus *b, uint64_t off, int bytes)
{
	uint64_t v = 0;

	assert_int_equal(mmio_handle(&b->mmio, b->bar + off, bytes, false, &v),
	    0);
	return v;
}

static void mwr(struct bus *b, uint64_t off, int bytes, uint64_t v)
{
	assert_int_equal(mmio_handle(&b->mmio, b->bar + off, bytes, true, &v),
	    0);
}

static void *gpa(struct bus *b, uint64_t a)
{
	return b->vm.mem + a;
}

static void get_stats(struct bus *b, struct vpci_stats *st)
{
	assert_int_equal(vpci_get_stats(b->pi, st), 0);
}

/* Wait up to ms for a condition on the device's counters. */
#define WAIT_FOR(b, st, cond, ms) do {					\
	for (int w_ = 0; w_ < (ms); w_ += 10) {				\
		get_stats((b), &(st));					\
		if (cond)						\
			break;						\
		usleep(10000);						\
	}								\
	get_stats((b), &(st));						\
} while (0)

static uint16_t used_idx(struct bus *b)
{
	return __atomic_load_n((uint16_t *)gpa(b, USED_GPA + 2),
	    __ATOMIC_ACQUIRE);
}

/* A driver's probe: reset, features, queue 0 (8 entries), MSI-X on,
 * vector 1 for the queue, 0 for config, DRIVER_OK. */
static void driver_up(struct bus *b, uint8_t *status)
{
	struct pci_devinst *pi = b->pi;
	uint64_t v;

	memset(gpa(b, DESC_GPA), 0, 0x3000);
	mwr(b, VCOMMON_STATUS, 1, 0);
	assert_int_equal(mrd(b, VCOMMON_STATUS, 1), 0);
	mwr(b, VCOMMON_STATUS, 1, 0x01);
	mwr(b, VCOMMON_STATUS, 1, 0x03);
	mwr(b, VCOMMON_DFSELECT, 4, 1);
	assert_true(mrd(b, VCOMMON_DF, 4) & 1);		/* VERSION_1 */
	mwr(b, VCOMMON_GFSELECT, 4, 0);
	mwr(b, VCOMMON_GF, 4, 0);
	mwr(b, VCOMMON_GFSELECT, 4, 1);
	mwr(b, VCOMMON_GF, 4, 1);
	mwr(b, VCOMMON_STATUS, 1, 0x0b);
	assert_int_equal(mrd(b, VCOMMON_STATUS, 1), 0x0b);
	/* MSI-X on, entries 0 and 1 unmasked */
	pci_cfg_write(pi, pi->msix.cap + 2, 2, PCIM_MSIXCTRL_ENABLE);
	v = 0;
	assert_int_equal(mmio_handle(&b->mmio, pi->bar[VPCI_MSIX_BAR].addr +
	    12, 4, true, &v), 0);
	assert_int_equal(mmio_handle(&b->mmio, pi->bar[VPCI_MSIX_BAR].addr +
	    16 + 12, 4, true, &v), 0);
	mwr(b, VCOMMON_MSIX, 2, 0);
	mwr(b, VCOMMON_Q_SELECT, 2, 0);
	mwr(b, VCOMMON_Q_SIZE, 2, 8);
	mwr(b, VCOMMON_Q_MSIX, 2, 1);
	assert_int_equal(mrd(b, VCOMMON_Q_MSIX, 2), 1);
	mwr(b, VCOMMON_Q_DESCLO, 4, DESC_GPA);
	mwr(b, VCOMMON_Q_DESCHI, 4, 0);
	mwr(b, VCOMMON_Q_AVAILLO, 4, AVAIL_GPA);
	mwr(b, VCOMMON_Q_AVAILHI, 4, 0);
	mwr(b, VCOMMON_Q_USEDLO, 4, USED_GPA);
	mwr(b, VCOMMON_Q_USEDHI, 4, 0);
	mwr(b, VCOMMON_Q_ENABLE, 2, 1);
	mwr(b, VCOMMON_STATUS, 1, 0x0f);
	*status = (uint8_t)mrd(b, VCOMMON_STATUS, 1);
}

/* Post one 64-byte device-writable buffer as request number n, kick. */
static void post_and_kick(struct bus *b, uint16_t n)
{
	uint8_t *d = gpa(b, DESC_GPA + 16 * (n % 8));
	uint64_t addr = BUF_GPA + 64 * (n % 8);
	uint32_t len = 64;
	uint16_t flags = 2, head = n % 8, idx = (uint16_t)(n + 1);

	memset(gpa(b, addr), 0, 64);
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(gpa(b, AVAIL_GPA + 4 + 2 * (n % 8)), &head, 2);
	__atomic_store_n((uint16_t *)gpa(b, AVAIL_GPA + 2), idx,
	    __ATOMIC_RELEASE);
	mwr(b, VPCI_NOTIFY_OFF, 2, 0);
}

static bool wait_used(struct bus *b, uint16_t idx)
{
	for (int i = 0; i < 500; i++) {
		if (used_idx(b) == idx)
			return true;
		usleep(10000);
	}
	return false;
}

static bool nonzero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return true;
	return false;
}

static void test_pci_header(void **state)
{
	struct bus b;
	char err[256];
	int off, types = 0, n = 0;

	(void)state;
	bus_up(&b);
	set(&b, "pci.0.4.0.device", "virtio-rnd");
	assert_int_equal(bus_add(&b, "virtio-rnd", err, sizeof(err)), 0);
	assert_int_equal(pci_cfg_read(b.pi, PCIR_VENDOR, 2), 0x1af4);
	assert_int_equal(pci_cfg_read(b.pi, PCIR_DEVICE, 2), 0x1044);
	assert_int_equal(pci_cfg_read(b.pi, PCIR_REVID, 1), 1);
	assert_int_equal(pci_cfg_read(b.pi, PCIR_CLASS, 1), 0xff);
	assert_true(b.pi->msix.cap != 0);
	assert_int_equal(b.pi->msix.nvec, 2);
	/* walk the capability list: COMMON, NOTIFY, ISR (no device cfg) */
	for (off = (int)pci_cfg_read(b.pi, PCIR_CAP_PTR, 1); off && n < 16;
	    off = (int)pci_cfg_read(b.pi, off + 1, 1), n++) {
		uint32_t boff, blen;

		if (pci_cfg_read(b.pi, off, 1) != 0x09)
			continue;
		assert_int_equal(pci_cfg_read(b.pi, off + 4, 1), VPCI_BAR);
		boff = pci_cfg_read(b.pi, off + 8, 4);
		blen = pci_cfg_read(b.pi, off + 12, 4);
		assert_true(boff + blen <= VPCI_BAR_SIZE);
		switch (pci_cfg_read(b.pi, off + 3, 1)) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			assert_int_equal(boff, VPCI_COMMON_OFF);
			assert_true(blen >= 0x38);
			types |= 1;
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			assert_int_equal(pci_cfg_read(b.pi, off + 2, 1), 20);
			assert_int_equal(pci_cfg_read(b.pi, off + 16, 4),
			    VREGS_NOTIFY_MULT);
			assert_int_equal(blen, VREGS_NOTIFY_MULT);
			types |= 2;
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			types |= 4;
			break;
		default:
			types |= 8;
		}
	}
	assert_int_equal(types, 7);
	/* capabilities are read-only */
	off = (int)pci_cfg_read(b.pi, PCIR_CAP_PTR, 1);
	pci_cfg_write(b.pi, off + 8, 4, 0xdead0000);
	assert_int_equal(b.pi->bar[VPCI_BAR].type, PCI_BAR_MEM32);
	bus_down(&b);
}

static void test_rng_bare(void **state)
{
	struct bus b;
	struct vpci_stats st;
	char err[256];
	uint8_t status;
	uint64_t pba;

	(void)state;
	bus_up(&b);
	set(&b, "pci.0.4.0.device", "virtio-rnd");
	assert_int_equal(bus_add(&b, "virtio-rnd", err, sizeof(err)), 0);
	get_stats(&b, &st);
	assert_true(st.helper_pid > 0);
	assert_int_equal(st.dead, 0);

	driver_up(&b, &status);
	assert_int_equal(status, 0x0f);
	/* the helper fills the buffer through the shared ring */
	post_and_kick(&b, 0);
	assert_true(wait_used(&b, 1));
	assert_int_equal(*(uint32_t *)gpa(&b, USED_GPA + 8), 64);
	assert_true(nonzero(gpa(&b, BUF_GPA), 64));
	/* no KVM here: the kick and the interrupt took hyve's path */
	WAIT_FOR(&b, st, st.relayed_irqs >= 1, 2000);
	assert_true(st.trapped_kicks >= 1);
	assert_true(st.relayed_irqs >= 1);

	/* masked vector: the interrupt waits in the PBA */
	{
		uint64_t one = 1;

		assert_int_equal(mmio_handle(&b.mmio,
		    b.pi->bar[VPCI_MSIX_BAR].addr + 16 + 12, 4, true, &one),
		    0);
	}
	post_and_kick(&b, 1);
	assert_true(wait_used(&b, 2));
	WAIT_FOR(&b, st, st.relayed_irqs >= 2, 2000);
	pthread_mutex_lock(&b.pi->lock);
	pba = b.pi->msix.pba[0];
	pthread_mutex_unlock(&b.pi->lock);
	assert_true(pba & 2);

	/* reset and a second life */
	mwr(&b, VCOMMON_STATUS, 1, 0);
	assert_int_equal(mrd(&b, VCOMMON_STATUS, 1), 0);
	driver_up(&b, &status);
	assert_int_equal(status, 0x0f);
	post_and_kick(&b, 0);
	assert_true(wait_used(&b, 1));
	assert_true(nonzero(gpa(&b, BUF_GPA), 64));

	/* a ring outside guest RAM: NEEDS_RESET, the helper stays */
	mwr(&b, VCOMMON_STATUS, 1, 0);
	mwr(&b, VCOMMON_STATUS, 1, 0x03);
	mwr(&b, VCOMMON_GFSELECT, 4, 1);
	mwr(&b, VCOMMON_GF, 4, 1);
	mwr(&b, VCOMMON_STATUS, 1, 0x0b);
	mwr(&b, VCOMMON_Q_SELECT, 2, 0);
	mwr(&b, VCOMMON_Q_DESCLO, 4, 0);
	mwr(&b, VCOMMON_Q_DESCHI, 4, 0x100);	/* 1 TiB: no RAM there */
	mwr(&b, VCOMMON_Q_ENABLE, 2, 1);
	mwr(&b, VCOMMON_STATUS, 1, 0x0f);
	assert_true(mrd(&b, VCOMMON_STATUS, 1) & VIRTIO_STATUS_NEEDS_RESET);
	get_stats(&b, &st);
	assert_int_equal(st.dead, 0);
	assert_true(st.ring_errors >= 1);
	/* and the driver recovers with a reset */
	driver_up(&b, &status);
	assert_int_equal(status, 0x0f);

	/* guest garbage in the BAR: counted, harmless */
	mwr(&b, VPCI_ISR_OFF, 1, 0xff);
	mwr(&b, VPCI_DEVCFG_OFF, 4, 0xff);
	mwr(&b, VPCI_NOTIFY_OFF + 400, 2, 0);
	mwr(&b, 0x800, 4, 0xff);
	get_stats(&b, &st);
	assert_true(st.guest_errors >= 4);
	assert_int_equal(mrd(&b, VPCI_DEVCFG_OFF, 4), 0);

	/* a descriptor outside guest RAM: the helper refuses the chain and
	 * says so on the err eventfd; hyve sets NEEDS_RESET */
	{
		uint64_t before = st.ring_errors, bad = 1ULL << 40;

		post_and_kick(&b, 0);
		assert_true(wait_used(&b, 1));
		memcpy(gpa(&b, DESC_GPA + 16), &bad, 8);
		{
			uint32_t len = 64;
			uint16_t flags = 2, head = 1, idx = 2;

			memcpy(gpa(&b, DESC_GPA + 16 + 8), &len, 4);
			memcpy(gpa(&b, DESC_GPA + 16 + 12), &flags, 2);
			memcpy(gpa(&b, AVAIL_GPA + 4 + 2), &head, 2);
			__atomic_store_n((uint16_t *)gpa(&b, AVAIL_GPA + 2),
			    idx, __ATOMIC_RELEASE);
		}
		mwr(&b, VPCI_NOTIFY_OFF, 2, 0);
		WAIT_FOR(&b, st, st.ring_errors > before, 3000);
		assert_true(st.ring_errors > before);
		assert_int_equal(st.dead, 0);
		assert_true(st.status & VIRTIO_STATUS_NEEDS_RESET);
		assert_int_equal(used_idx(&b), 1);
		/* a reset makes the device usable again */
		driver_up(&b, &status);
		assert_int_equal(status, 0x0f);
		post_and_kick(&b, 0);
		assert_true(wait_used(&b, 1));
	}

	/* the helper dies: NEEDS_RESET, config interrupt, hyve goes on */
	(void)mrd(&b, VPCI_ISR_OFF, 1);
	assert_int_equal(kill(st.helper_pid, SIGKILL), 0);
	WAIT_FOR(&b, st, st.dead, 3000);
	assert_int_equal(st.dead, 1);
	assert_true(mrd(&b, VCOMMON_STATUS, 1) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(mrd(&b, VPCI_ISR_OFF, 1) & VIRTIO_ISR_CONFIG,
	    VIRTIO_ISR_CONFIG);
	/* a new driver cannot bring it back, and nothing hangs */
	driver_up(&b, &status);
	assert_true(status & VIRTIO_STATUS_NEEDS_RESET);
	bus_down(&b);
}

/*
 * hyve's start gate (vmm/gate.h), held as main holds it before its filter:
 * the monitor does not look at the helper, so a helper that dies then is
 * noticed only once the gate opens.  Cancelled (the filter failed), the
 * monitor leaves without looking and the device is torn down at once.
 */
static void test_monitor_gate(void **state)
{
	struct bus b;
	struct vpci_stats st;
	char err[256];

	(void)state;
	for (int cancel = 0; cancel < 2; cancel++) {
		bus_up(&b);
		assert_int_equal(gate_hold(&b.vm.start_gate), 0);
		set(&b, "pci.0.4.0.device", "virtio-rnd");
		assert_int_equal(bus_add(&b, "virtio-rnd", err, sizeof(err)),
		    0);
		get_stats(&b, &st);
		assert_true(st.helper_pid > 0);
		assert_int_equal(kill(st.helper_pid, SIGKILL), 0);
		usleep(1000 * 1000);
		get_stats(&b, &st);
		assert_int_equal(st.dead, 0);
		if (cancel) {
			gate_release(&b.vm.start_gate, -ECANCELED);
		} else {
			gate_release(&b.vm.start_gate, 0);
			WAIT_FOR(&b, st, st.dead, 3000);
			assert_int_equal(st.dead, 1);
		}
		bus_down(&b);
		gate_fini(&b.vm.start_gate);
	}
}

/* hyve-jail's way: the helper is already connected on fd N. */
static void test_rng_sock(void **state)
{
	struct vhelper h;
	struct bus b;
	struct vpci_stats st;
	char err[256], spec[32];
	uint8_t status;

	(void)state;
	assert_int_equal(vhelper_spawn(&h, "hyve-rng", NULL, -1, err,
	    sizeof(err)), 0);
	bus_up(&b);
	snprintf(spec, sizeof(spec), "fd:%d", h.sock);
	set(&b, "pci.0.4.0.device", "virtio-rnd");
	set(&b, "pci.0.4.0.sock", spec);
	assert_int_equal(bus_add(&b, "virtio-rnd", err, sizeof(err)), 0);
	get_stats(&b, &st);
	assert_int_equal(st.helper_pid, 0);
	driver_up(&b, &status);
	assert_int_equal(status, 0x0f);
	post_and_kick(&b, 0);
	assert_true(wait_used(&b, 1));
	assert_true(nonzero(gpa(&b, BUF_GPA), 64));
	/* teardown closes the socket: the helper exits 0 on hang-up */
	bus_down(&b);
	h.sock = -1;
	{
		char how[64];

		assert_int_equal(vhelper_reap(&h, 3000, how, sizeof(how)), 1);
#ifdef __SANITIZE_ADDRESS__
		/* an ASan helper's runtime makes calls its seccomp policy
		 * refuses on the way out: SIGSYS (31) after a clean run */
		if (strcmp(how, "killed by signal 31") != 0)
#endif
		assert_string_equal(how, "exited with status 0");
	}
}

static void test_bad_sock(void **state)
{
	struct bus b;
	char err[256];
	int sv[2];
	time_t t0;

	(void)state;
	bus_up(&b);
	set(&b, "pci.0.4.0.device", "virtio-rnd");
	set(&b, "pci.0.4.0.sock", "fd:999");
	assert_int_equal(bus_add(&b, "virtio-rnd", err, sizeof(err)), -EBADF);
	assert_non_null(strstr(err, "pci.0.4.0.sock=fd:999"));
	/* a peer that never answers: init fails after the timeout */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	snprintf(err, sizeof(err), "fd:%d", sv[0]);
	set(&b, "pci.0.4.0.sock", err);
	t0 = time(NULL);
	assert_true(bus_add(&b, "virtio-rnd", err, sizeof(err)) < 0);
	assert_true(time(NULL) - t0 <= VPCI_VU_TIMEOUT_MS / 1000 + 2);
	assert_non_null(strstr(err, "GET_FEATURES: no answer"));
	assert_null(b.pci.dev[4][0]);
	close(sv[1]);
	bus_down(&b);
}

static void test_blk_config(void **state)
{
	struct bus b;
	char err[256], path[] = "/tmp/test_pci_virtio.XXXXXX";
	uint64_t cap;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 8 << 20), 0);
	close(fd);
	bus_up(&b);
	set(&b, "pci.0.4.0.device", "virtio-blk");
	set(&b, "pci.0.4.0.path", path);
	set(&b, "pci.0.4.0.ro", "true");
	set(&b, "pci.0.4.0.sectorsize", "4096");
	set(&b, "pci.0.4.0.ser", "HYVE-SER-1");
	assert_int_equal(bus_add(&b, "virtio-blk", err, sizeof(err)), 0);
	/* the options reached hyve-blk: blk_size (offset 20) */
	assert_int_equal(mrd(&b, VPCI_DEVCFG_OFF + 20, 4), 4096);
	assert_int_equal(pci_cfg_read(b.pi, PCIR_DEVICE, 2), 0x1042);
	cap = mrd(&b, VPCI_DEVCFG_OFF, 4) | mrd(&b, VPCI_DEVCFG_OFF + 4, 4) <<
	    32;
	assert_true(cap == (8 << 20) / 512);
	/* RO offered (feature bit 5) */
	mwr(&b, VCOMMON_DFSELECT, 4, 0);
	assert_true(mrd(&b, VCOMMON_DF, 4) & (1u << 5));
	/* past the config space: zeros */
	assert_int_equal(mrd(&b, VPCI_DEVCFG_OFF + 0x200, 4), 0);
	bus_down(&b);
	/* a missing disk is an init error naming the key */
	bus_up(&b);
	set(&b, "pci.0.4.0.device", "virtio-blk");
	set(&b, "pci.0.4.0.path", "/nonexistent/disk.img");
	assert_int_equal(bus_add(&b, "virtio-blk", err, sizeof(err)),
	    -ENOENT);
	assert_non_null(strstr(err, "pci.0.4.0.path=/nonexistent/disk.img"));
	bus_down(&b);
	unlink(path);
}

/* A helper that refuses its device fd at start (hyve-net given a socket
 * instead of a tap): device init fails, saying which helper and how it
 * ended, and leaves nothing behind. */
static void test_net_not_a_tap(void **state)
{
	struct bus b;
	char err[256], spec[32];
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	bus_up(&b);
	snprintf(spec, sizeof(spec), "fd:%d", sv[0]);
	set(&b, "name", "vm7");
	set(&b, "pci.0.4.0.device", "virtio-net");
	set(&b, "pci.0.4.0.backend", spec);
	assert_true(bus_add(&b, "virtio-net", err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "pci.0.4.0 virtio-net: back end hyve-net"));
	assert_non_null(strstr(err, "exited with status 1"));
	assert_null(b.pci.dev[4][0]);
	/* hyve's copy of the inherited fd is untouched (not ours to close) */
	assert_true(fcntl(sv[0], F_GETFD) >= 0);
	bus_down(&b);
	close(sv[0]);
	close(sv[1]);
}

/* One virtio-blk request: header (type, sector), data, status byte, as a
 * 3-descriptor chain at avail slot n % 8 (desc 3k..3k+2).  Returns the
 * status the back end wrote, or -1 when it never completed. */
static int blk_request(struct bus *b, uint16_t n, uint32_t type,
    uint64_t sector, uint64_t data_gpa, uint32_t len)
{
	uint64_t hdr_gpa = BUF_GPA + 0x8000, st_gpa = BUF_GPA + 0x9000;
	uint16_t d0 = (uint16_t)(3 * (n % 2)), idx = (uint16_t)(n + 1);
	struct { uint64_t addr; uint32_t len; uint16_t flags, next; } d[3] = {
		{ hdr_gpa, 16, 1, (uint16_t)(d0 + 1) },
		{ data_gpa, len, (uint16_t)(1 | (type == 0 ? 2 : 0)),
		  (uint16_t)(d0 + 2) },
		{ st_gpa, 1, 2, 0 },
	};
	uint32_t h[4] = { type, 0, (uint32_t)sector, (uint32_t)(sector >> 32) };

	memcpy(gpa(b, hdr_gpa), h, 16);
	*(uint8_t *)gpa(b, st_gpa) = 0xff;
	memcpy(gpa(b, DESC_GPA + 16 * d0), d, sizeof(d));
	memcpy(gpa(b, AVAIL_GPA + 4 + 2 * (n % 8)), &d0, 2);
	__atomic_store_n((uint16_t *)gpa(b, AVAIL_GPA + 2), idx,
	    __ATOMIC_RELEASE);
	mwr(b, VPCI_NOTIFY_OFF, 2, 0);
	if (!wait_used(b, idx))
		return -1;
	return *(uint8_t *)gpa(b, st_gpa);
}

/* The same front end drives a vhost-user-blk back end nobody here wrote:
 * QEMU's qemu-storage-daemon, connected the way hyve-jail connects
 * helpers (sock=fd:N).  Reads and writes reach the image. */
static void blk_rw_check(struct bus *b, const char *img)
{
	uint8_t *data = gpa(b, BUF_GPA);
	uint8_t sector[512];
	uint8_t status;
	int fd;

	driver_up(b, &status);
	assert_int_equal(status, 0x0f);
	/* read sector 3: the pattern the test put there */
	memset(data, 0, 512);
	assert_int_equal(blk_request(b, 0, 0 /* IN */, 3, BUF_GPA, 512), 0);
	for (int i = 0; i < 512; i++)
		assert_int_equal(data[i], (uint8_t)(i ^ 3));
	/* write sector 5 */
	for (int i = 0; i < 512; i++)
		data[i] = (uint8_t)(0xa5 ^ i);
	assert_int_equal(blk_request(b, 1, 1 /* OUT */, 5, BUF_GPA, 512), 0);
	fd = open(img, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, sector, 512, 5 * 512), 512);
	close(fd);
	assert_memory_equal(sector, data, 512);
	mwr(b, VCOMMON_STATUS, 1, 0);
	assert_int_equal(mrd(b, VCOMMON_STATUS, 1), 0);
}

static void make_image(const char *path)
{
	uint8_t s[512];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	for (int i = 0; i < 512; i++)
		s[i] = (uint8_t)(i ^ 3);
	assert_int_equal(pwrite(fd, s, 512, 3 * 512), 512);
	close(fd);
}

static void test_blk_io_hyve_blk(void **state)
{
	struct bus b;
	char err[256], img[] = "/tmp/test_pci_virtio_img.XXXXXX";
	int fd;

	(void)state;
	fd = mkstemp(img);
	assert_true(fd >= 0);
	close(fd);
	make_image(img);
	bus_up(&b);
	set(&b, "pci.0.4.0.device", "virtio-blk");
	set(&b, "pci.0.4.0.path", img);
	assert_int_equal(bus_add(&b, "virtio-blk", err, sizeof(err)), 0);
	blk_rw_check(&b, img);
	bus_down(&b);
	unlink(img);
}

static void test_blk_io_qemu(void **state)
{
	char dir[] = "/tmp/test_pci_virtio_qsd.XXXXXX", img[64], sock[64];
	char bdev[256], exp[256], err[256], spec[32];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct bus b;
	pid_t pid;
	int s = -1, st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(img, sizeof(img), "%s/disk.img", dir);
	snprintf(sock, sizeof(sock), "%s/vu.sock", dir);
	make_image(img);
	snprintf(bdev, sizeof(bdev), "driver=file,node-name=disk,filename=%s",
	    img);
	snprintf(exp, sizeof(exp), "type=vhost-user-blk,id=exp0,num-queues=2,"
	    "node-name=disk,writable=on,addr.type=unix,addr.path=%s", sock);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execlp("qemu-storage-daemon", "qemu-storage-daemon",
		    "--blockdev", bdev, "--export", exp, (char *)NULL);
		_exit(127);
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	for (int i = 0; i < 500 && s < 0; i++) {
		s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_true(s >= 0);
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			close(s);
			s = -1;
			usleep(20000);
		}
	}
	if (s < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_msg("qemu-storage-daemon did not listen on %s "
		    "(is qemu-system-common installed?)", sock);
	}
	bus_up(&b);
	snprintf(spec, sizeof(spec), "fd:%d", s);
	set(&b, "pci.0.4.0.device", "virtio-blk");
	set(&b, "pci.0.4.0.path", img);		/* not opened with sock */
	set(&b, "pci.0.4.0.sock", spec);
	assert_int_equal(bus_add(&b, "virtio-blk", err, sizeof(err)), 0);
	assert_true((mrd(&b, VPCI_DEVCFG_OFF, 4) |
	    mrd(&b, VPCI_DEVCFG_OFF + 4, 4) << 32) == (1 << 20) / 512);
	assert_int_equal(mrd(&b, VCOMMON_NUMQ, 2), 2);
	blk_rw_check(&b, img);
	/* a start that fails half-way (queue 0 handed over, queue 1 outside
	 * RAM) is undone by the next reset: the device works again */
	{
		uint8_t status;

		driver_up(&b, &status);		/* queue 0 set up and enabled */
		mwr(&b, VCOMMON_STATUS, 1, 0);
		mwr(&b, VCOMMON_STATUS, 1, 0x03);
		mwr(&b, VCOMMON_GFSELECT, 4, 1);
		mwr(&b, VCOMMON_GF, 4, 1);
		mwr(&b, VCOMMON_STATUS, 1, 0x0b);
		mwr(&b, VCOMMON_Q_SELECT, 2, 0);
		mwr(&b, VCOMMON_Q_SIZE, 2, 8);
		mwr(&b, VCOMMON_Q_DESCLO, 4, DESC_GPA);
		mwr(&b, VCOMMON_Q_AVAILLO, 4, AVAIL_GPA);
		mwr(&b, VCOMMON_Q_USEDLO, 4, USED_GPA);
		mwr(&b, VCOMMON_Q_ENABLE, 2, 1);
		mwr(&b, VCOMMON_Q_SELECT, 2, 1);
		mwr(&b, VCOMMON_Q_DESCHI, 4, 0x100);
		mwr(&b, VCOMMON_Q_ENABLE, 2, 1);
		mwr(&b, VCOMMON_STATUS, 1, 0x0f);
		assert_true(mrd(&b, VCOMMON_STATUS, 1) &
		    VIRTIO_STATUS_NEEDS_RESET);
	}
	blk_rw_check(&b, img);
	bus_down(&b);
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	unlink(img);
	unlink(sock);
	rmdir(dir);
}

/* Helpers are found next to the binary, then in PATH; names only. */
static void test_helper_find(void **state)
{
	char path[4096];

	(void)state;
	assert_int_equal(vhelper_find("hyve-rng", path, sizeof(path)), 0);
	assert_non_null(strstr(path, "/hyve-rng"));
	assert_int_equal(access(path, X_OK), 0);
	/* not next to this binary: PATH */
	assert_int_equal(vhelper_find("sh", path, sizeof(path)), 0);
	assert_int_equal(access(path, X_OK), 0);
	assert_int_equal(vhelper_find("no-such-hyve-helper", path,
	    sizeof(path)), -ENOENT);
	assert_int_equal(vhelper_find("../hyve-rng", path, sizeof(path)),
	    -EINVAL);
	assert_int_equal(vhelper_find("/bin/sh", path, sizeof(path)),
	    -EINVAL);
}

static void test_msi_table(void **state)
{
	struct vm vm;
	int g1, g2;

	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = -1;
	g1 = vmsi_alloc(&vm);
	g2 = vmsi_alloc(&vm);
	assert_int_equal(g1, VMSI_GSI_BASE);
	assert_int_equal(g2, VMSI_GSI_BASE + 1);
	/* 24 I/O APIC + 16 PIC default routes are always there */
	assert_int_equal(vmsi_route(&vm, (unsigned int)g1, true, 0xfee00000,
	    0x41), -EBADF);
	assert_int_equal(vmsi_last_table_size(), 41);
	assert_int_equal(vmsi_route(&vm, 5, true, 0, 0), -EINVAL);
	assert_int_equal(vmsi_route(&vm, VMSI_GSI_BASE + VMSI_MAX, true, 0, 0),
	    -EINVAL);
	{
		struct vm other;

		memset(&other, 0, sizeof(other));
		assert_int_equal(vmsi_alloc(&other), -EBUSY);
	}
	vmsi_free(&vm, (unsigned int)g1);
	vmsi_free(&vm, (unsigned int)g2);
	assert_int_equal(vmsi_last_table_size(), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_bounds),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_features_need_driver),
		cmocka_unit_test(test_status_machine),
		cmocka_unit_test(test_queue_registers),
		cmocka_unit_test(test_ring_alignment),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_bad_access),
		cmocka_unit_test(test_notify_isr),
		cmocka_unit_test(test_write_storm),
		cmocka_unit_test(test_helper_find),
		cmocka_unit_test(test_msi_table),
		cmocka_unit_test(test_pci_header),
		cmocka_unit_test(test_rng_bare),
		cmocka_unit_test(test_monitor_gate),
		cmocka_unit_test(test_rng_sock),
		cmocka_unit_test(test_bad_sock),
		cmocka_unit_test(test_blk_config),
		cmocka_unit_test(test_net_not_a_tap),
		cmocka_unit_test(test_blk_io_hyve_blk),
		cmocka_unit_test(test_blk_io_qemu),
	};

	/* the helpers are found next to this binary, like next to hyve */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
