/*
 * test_pci: PCI config mechanism #1, the config header's read-only and
 * writable fields, BAR sizing and moving (through inout/mmio), MSI-X table,
 * masking and PBA, slot errors; and the lpc platform's reset paths (0xcf9,
 * i8042 0xfe).  Driven through the same port/MMIO dispatch a vCPU uses,
 * with a fake VM (no KVM: MSI delivery fails quietly, as it must).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/cfg.h"
#include "vmm/inout.h"
#include "vmm/mmio.h"
#include "vmm/pci.h"
#include "vmm/pci_lpc.h"
#include "vmm/vm.h"

/* ------------------------------------------------ a device under test */

static uint64_t last_write_off, last_write_val;
static int last_write_bar = -1, maps, unmaps;

static int tdev_init(struct pci_devinst *pi, const struct cfg *cfg,
    const char *prefix, char *err, size_t errlen)
{
	(void)cfg;
	(void)prefix;
	(void)err;
	(void)errlen;
	pci_set_cfg16(pi, PCIR_VENDOR, 0x1af4);
	pci_set_cfg16(pi, PCIR_DEVICE, 0x1234);
	pci_set_cfg8(pi, PCIR_CLASS, 0xff);
	pci_set_cfg8(pi, PCIR_INTPIN, 0);
	pci_set_writable(pi, 0x80, 4);
	if (pci_emul_alloc_bar(pi, 0, PCI_BAR_IO, 32) < 0 ||
	    pci_emul_alloc_bar(pi, 1, PCI_BAR_MEM32, 8192) < 0 ||
	    pci_emul_alloc_bar(pi, 2, PCI_BAR_MEM64, 1 << 20) < 0 ||
	    pci_emul_add_msixcap(pi, 4, 4) < 0)
		return -EINVAL;
	return 0;
}

static int tdev_barread(struct pci_devinst *pi, int bar, uint64_t off,
    int bytes, uint64_t *val)
{
	(void)pi;
	(void)bytes;
	*val = ((uint64_t)bar << 16) | off;
	return 0;
}

static int tdev_barwrite(struct pci_devinst *pi, int bar, uint64_t off,
    int bytes, uint64_t val)
{
	(void)pi;
	(void)bytes;
	last_write_bar = bar;
	last_write_off = off;
	last_write_val = val;
	return 0;
}

static void tdev_barmap(struct pci_devinst *pi, int bar, bool enabled,
    uint64_t addr)
{
	(void)pi;
	(void)bar;
	(void)addr;
	if (enabled)
		maps++;
	else
		unmaps++;
}

static int tdev_fail_init(struct pci_devinst *pi, const struct cfg *cfg,
    const char *prefix, char *err, size_t errlen)
{
	(void)cfg;
	(void)pi;
	snprintf(err, errlen, "%s: refused", prefix);
	return -EINVAL;
}

static const struct pci_devemu tdev = {
	.name = "test-dev",
	.init = tdev_init,
	.barread = tdev_barread,
	.barwrite = tdev_barwrite,
	.barmap = tdev_barmap,
};
PCI_EMUL_SET(tdev);

static const struct pci_devemu tdev_fail = {
	.name = "test-fail",
	.init = tdev_fail_init,
};
PCI_EMUL_SET(tdev_fail);

/* --------------------------------------------------------- the bus */

struct bus {
	struct vm vm;
	struct inout io;
	struct mmio mmio;
	struct pci pci;
	char err[512];
};

static int setup(void **state)
{
	struct bus *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	b->vm.kvm_fd = b->vm.vm_fd = b->vm.mem_fd = -1;
	b->vm.stop_code = -1;
	b->vm.phys_bits = 40;
	b->vm.stop_efd = eventfd(0, EFD_NONBLOCK);
	inout_init(&b->io, false);
	mmio_init(&b->mmio);
	assert_int_equal(pci_init(&b->pci, &b->vm, &b->io, &b->mmio, b->err,
	    sizeof(b->err)), 0);
	assert_int_equal(pci_add_device(&b->pci, pci_emul_find("hostbridge"),
	    0, 0, 0, NULL, b->err, sizeof(b->err)), 0);
	assert_int_equal(pci_add_device(&b->pci, pci_emul_find("test-dev"),
	    0, 3, 0, NULL, b->err, sizeof(b->err)), 0);
	maps = unmaps = 0;
	*state = b;
	return 0;
}

static int teardown(void **state)
{
	struct bus *b = *state;

	pci_fini(&b->pci);
	mmio_fini(&b->mmio);
	inout_fini(&b->io);
	close(b->vm.stop_efd);
	free(b);
	return 0;
}

static uint32_t cfg_rd(struct bus *b, unsigned slot, unsigned func, int off,
    int bytes)
{
	uint32_t a = 0x80000000U | slot << 11 | func << 8 | (off & 0xfc);
	uint32_t v = 0;

	assert_int_equal(inout_handle(&b->io, 0xcf8, 4, false, &a), 0);
	assert_int_equal(inout_handle(&b->io, (uint16_t)(0xcfc + (off & 3)),
	    bytes, true, &v), 0);
	return v;
}

static void cfg_wr(struct bus *b, unsigned slot, unsigned func, int off,
    int bytes, uint32_t v)
{
	uint32_t a = 0x80000000U | slot << 11 | func << 8 | (off & 0xfc);

	assert_int_equal(inout_handle(&b->io, 0xcf8, 4, false, &a), 0);
	assert_int_equal(inout_handle(&b->io, (uint16_t)(0xcfc + (off & 3)),
	    bytes, false, &v), 0);
}

static void test_conf1(void **state)
{
	struct bus *b = *state;
	uint32_t a, v;

	assert_int_equal(cfg_rd(b, 0, 0, 0, 4), 0x12751275);
	assert_int_equal(cfg_rd(b, 0, 0, PCIR_SUBCLASS, 2), 0x0600);
	assert_int_equal(cfg_rd(b, 3, 0, 0, 2), 0x1af4);
	assert_int_equal(cfg_rd(b, 3, 0, 2, 2), 0x1234);
	assert_int_equal(cfg_rd(b, 3, 0, 3, 1), 0x12);
	/* empty slot, other function, out-of-range register: all ones */
	assert_int_equal(cfg_rd(b, 5, 0, 0, 4), 0xffffffff);
	assert_int_equal(cfg_rd(b, 3, 1, 0, 4), 0xffffffff);
	/* enable bit clear: nothing answers */
	a = 0x00001800;
	assert_int_equal(inout_handle(&b->io, 0xcf8, 4, false, &a), 0);
	assert_int_equal(inout_handle(&b->io, 0xcfc, 4, true, &v), 0);
	assert_int_equal(v, 0xffffffff);
	/* bus 1 does not exist */
	a = 0x80011800;
	assert_int_equal(inout_handle(&b->io, 0xcf8, 4, false, &a), 0);
	assert_int_equal(inout_handle(&b->io, 0xcfc, 4, true, &v), 0);
	assert_int_equal(v, 0xffffffff);
	/* the latch reads back without its reserved bits */
	a = 0xffffffff;
	assert_int_equal(inout_handle(&b->io, 0xcf8, 4, false, &a), 0);
	assert_int_equal(inout_handle(&b->io, 0xcf8, 4, true, &v), 0);
	assert_int_equal(v, 0x80fffffc);
	/* byte access to 0xcf8 is not the latch */
	assert_int_equal(inout_handle(&b->io, 0xcf8, 1, true, &v), 0);
	assert_int_equal(v, 0xff);
}

static void test_readonly_and_writable(void **state)
{
	struct bus *b = *state;

	cfg_wr(b, 3, 0, 0, 4, 0xdeadbeef);
	assert_int_equal(cfg_rd(b, 3, 0, 0, 4), 0x12341af4);
	cfg_wr(b, 3, 0, PCIR_CLASS, 1, 0x01);
	assert_int_equal(cfg_rd(b, 3, 0, PCIR_CLASS, 1), 0xff);
	/* interrupt line and the device register the device opened */
	cfg_wr(b, 3, 0, PCIR_INTLINE, 1, 0x0b);
	assert_int_equal(cfg_rd(b, 3, 0, PCIR_INTLINE, 1), 0x0b);
	cfg_wr(b, 3, 0, 0x81, 2, 0xa5a5);
	assert_int_equal(cfg_rd(b, 3, 0, 0x80, 4), 0x00a5a500);
	/* registers nobody opened stay zero */
	cfg_wr(b, 3, 0, 0xf0, 4, 0xffffffff);
	assert_int_equal(cfg_rd(b, 3, 0, 0xf0, 4), 0);
	/* status is not writable, capability list bit stays */
	cfg_wr(b, 3, 0, PCIR_STATUS, 2, 0);
	assert_true(cfg_rd(b, 3, 0, PCIR_STATUS, 2) & PCIM_STATUS_CAPPRESENT);
}

static void test_bar_sizing(void **state)
{
	struct bus *b = *state;
	uint32_t io0 = cfg_rd(b, 3, 0, PCIR_BAR0, 4);
	uint32_t m1 = cfg_rd(b, 3, 0, PCIR_BAR0 + 4, 4);
	uint32_t lo, hi;

	assert_int_equal(io0 & 1, 1);
	assert_true((io0 & ~3U) >= 0x2000);
	assert_int_equal(m1 & 0xf, 0);
	assert_true(m1 >= VM_PCI_MEM32_BASE);
	assert_int_equal(cfg_rd(b, 3, 0, PCIR_BAR0 + 8, 4) & 0x6, 0x4);

	/* Linux's sizing: disable decoding, write ones, read, restore. */
	cfg_wr(b, 3, 0, PCIR_COMMAND, 2, 0);
	cfg_wr(b, 3, 0, PCIR_BAR0, 4, 0xffffffff);
	assert_int_equal(cfg_rd(b, 3, 0, PCIR_BAR0, 4), 0x0000ffe1);
	cfg_wr(b, 3, 0, PCIR_BAR0 + 4, 4, 0xffffffff);
	assert_int_equal(cfg_rd(b, 3, 0, PCIR_BAR0 + 4, 4), 0xffffe000);
	cfg_wr(b, 3, 0, PCIR_BAR0 + 8, 4, 0xffffffff);
	cfg_wr(b, 3, 0, PCIR_BAR0 + 12, 4, 0xffffffff);
	lo = cfg_rd(b, 3, 0, PCIR_BAR0 + 8, 4);
	hi = cfg_rd(b, 3, 0, PCIR_BAR0 + 12, 4);
	assert_int_equal(lo, 0xfff00004);
	assert_int_equal(hi, 0xffffffff);
	/* a BAR that does not exist sizes to zero */
	cfg_wr(b, 3, 0, PCIR_BAR0 + 20, 4, 0xffffffff);
	assert_int_equal(cfg_rd(b, 3, 0, PCIR_BAR0 + 20, 4), 0);
	/* the ROM BAR is absent too */
	cfg_wr(b, 3, 0, 0x30, 4, 0xffffffff);
	assert_int_equal(cfg_rd(b, 3, 0, 0x30, 4), 0);

	cfg_wr(b, 3, 0, PCIR_BAR0, 4, io0);
	cfg_wr(b, 3, 0, PCIR_BAR0 + 4, 4, m1);
	assert_int_equal(cfg_rd(b, 3, 0, PCIR_BAR0, 4), io0);
	assert_int_equal(cfg_rd(b, 3, 0, PCIR_BAR0 + 4, 4), m1);
}

static void test_bar_move_and_decode(void **state)
{
	struct bus *b = *state;
	uint32_t io0 = cfg_rd(b, 3, 0, PCIR_BAR0, 4) & ~3U;
	uint32_t m1 = cfg_rd(b, 3, 0, PCIR_BAR0 + 4, 4);
	uint32_t v;
	uint64_t q;

	/* decoding is on from the start: the device answers */
	assert_int_equal(inout_handle(&b->io, (uint16_t)(io0 + 4), 2, true,
	    &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(mmio_handle(&b->mmio, m1 + 0x10, 4, true, &q), 0);
	assert_int_equal(last_write_bar, 1);
	assert_int_equal(last_write_off, 0x10);
	assert_int_equal(mmio_handle(&b->mmio, m1 + 0x18, 4, false, &q), 0);
	assert_int_equal(q, (1 << 16) | 0x18);

	/* memory decoding off: the BAR is gone, I/O stays */
	cfg_wr(b, 3, 0, PCIR_COMMAND, 2, PCIM_CMD_PORTEN);
	assert_int_equal(mmio_handle(&b->mmio, m1 + 0x18, 4, false, &q), 0);
	assert_int_equal(q, 0xffffffff);
	assert_int_equal(inout_handle(&b->io, (uint16_t)io0, 1, true, &v), 0);
	assert_int_equal(v, 0);

	/* move the I/O BAR; the old ports go silent, the new ones answer */
	cfg_wr(b, 3, 0, PCIR_BAR0, 4, 0x6000);
	assert_int_equal(inout_handle(&b->io, (uint16_t)io0, 1, true, &v), 0);
	assert_int_equal(v, 0xff);
	assert_int_equal(inout_handle(&b->io, 0x6008, 1, true, &v), 0);
	assert_int_equal(v, 8);
	/* an unaligned address is rounded down to the BAR size */
	cfg_wr(b, 3, 0, PCIR_BAR0, 4, 0x7013);
	assert_int_equal(cfg_rd(b, 3, 0, PCIR_BAR0, 4), 0x7001);

	/* memory back on, BAR moved: answered at the new address */
	cfg_wr(b, 3, 0, PCIR_BAR0 + 4, 4, 0xd0000000);
	cfg_wr(b, 3, 0, PCIR_COMMAND, 2, PCIM_CMD_PORTEN | PCIM_CMD_MEMEN);
	assert_int_equal(mmio_handle(&b->mmio, 0xd0000004, 4, false, &q), 0);
	assert_int_equal(q, (1 << 16) | 4);
	assert_true(maps > 0 && unmaps > 0);

	/* a BAR moved on top of another device's decodes nothing, no crash */
	cfg_wr(b, 3, 0, PCIR_BAR0 + 4, 4, m1);
	cfg_wr(b, 3, 0, PCIR_BAR0 + 8, 4, m1);
	cfg_wr(b, 3, 0, PCIR_BAR0 + 12, 4, 0);
	assert_int_equal(mmio_handle(&b->mmio, m1, 4, false, &q), 0);
	assert_int_equal(q, 1 << 16);
}

/* MSI-X: find the capability, program a vector, mask/unmask, PBA. */
static void test_msix(void **state)
{
	struct bus *b = *state;
	struct pci_devinst *pi = b->pci.dev[3][0];
	int cap = cfg_rd(b, 3, 0, PCIR_CAP_PTR, 1);
	uint32_t tbl, pba, bar4;
	uint64_t q;

	assert_int_equal(cfg_rd(b, 3, 0, cap, 1), PCIY_MSIX);
	assert_int_equal(cfg_rd(b, 3, 0, cap + 1, 1), 0);	/* last cap */
	assert_int_equal(cfg_rd(b, 3, 0, cap + 2, 2) & 0x7ff, 3);
	tbl = cfg_rd(b, 3, 0, cap + 4, 4);
	pba = cfg_rd(b, 3, 0, cap + 8, 4);
	assert_int_equal(tbl & 7, 4);
	assert_int_equal(pba & 7, 4);
	bar4 = cfg_rd(b, 3, 0, PCIR_BAR0 + 16, 4) & ~0xfU;
	assert_true(bar4 >= VM_PCI_MEM32_BASE);

	/* read-only parts of the capability stay */
	cfg_wr(b, 3, 0, cap + 4, 4, 0);
	assert_int_equal(cfg_rd(b, 3, 0, cap + 4, 4), tbl);

	/* vectors start masked */
	assert_int_equal(mmio_handle(&b->mmio, bar4 + 16 + 12, 4, false, &q),
	    0);
	assert_int_equal(q, 1);
	/* not enabled yet */
	assert_int_equal(pci_msix_notify(pi, 1), -ENOTCONN);
	cfg_wr(b, 3, 0, cap + 2, 2, PCIM_MSIXCTRL_ENABLE);
	assert_true(pi->msix.enabled);

	/* program vector 1 with a qword and a dword write */
	q = 0xfee01000;
	assert_int_equal(mmio_handle(&b->mmio, bar4 + 16, 8, true, &q), 0);
	q = 0x4041;
	assert_int_equal(mmio_handle(&b->mmio, bar4 + 16 + 8, 4, true, &q), 0);
	assert_int_equal(pi->msix.table[1].addr, 0xfee01000);
	assert_int_equal(pi->msix.table[1].data, 0x4041);

	/* masked: the notification is pending in the PBA */
	assert_int_equal(pci_msix_notify(pi, 1), 0);
	assert_int_equal(mmio_handle(&b->mmio, bar4 + (pba & ~7U), 8, false,
	    &q), 0);
	assert_int_equal(q, 2);
	/* unmasking delivers it (KVM absent here: dropped) and clears it */
	q = 0;
	assert_int_equal(mmio_handle(&b->mmio, bar4 + 16 + 12, 4, true, &q),
	    0);
	assert_int_equal(mmio_handle(&b->mmio, bar4 + (pba & ~7U), 4, false,
	    &q), 0);
	assert_int_equal(q, 0);
	/* function mask holds everything back */
	cfg_wr(b, 3, 0, cap + 2, 2, PCIM_MSIXCTRL_ENABLE | PCIM_MSIXCTRL_FMASK);
	assert_int_equal(pci_msix_notify(pi, 1), 0);
	assert_int_equal(pi->msix.pba[0], 2);
	cfg_wr(b, 3, 0, cap + 2, 2, PCIM_MSIXCTRL_ENABLE);
	assert_int_equal(pi->msix.pba[0], 0);

	/* hostile: no such vector, odd sizes and offsets, PBA writes */
	assert_int_equal(pci_msix_notify(pi, 4), -EINVAL);
	assert_int_equal(pci_msix_notify(pi, -1), -EINVAL);
	assert_int_equal(mmio_handle(&b->mmio, bar4 + 3, 1, false, &q), 0);
	assert_int_equal(q, 0);
	q = ~0ULL;
	assert_int_equal(mmio_handle(&b->mmio, bar4 + 2, 2, true, &q), 0);
	assert_int_equal(mmio_handle(&b->mmio, bar4 + (pba & ~7U), 8, true,
	    &q), 0);
	assert_int_equal(pi->msix.pba[0], 0);
	assert_int_equal(mmio_handle(&b->mmio, bar4 + 0xff8, 8, false, &q), 0);
	assert_int_equal(q, 0);
	/* writing the vector control keeps only the mask bit */
	q = 0xffffffff;
	assert_int_equal(mmio_handle(&b->mmio, bar4 + 12, 4, true, &q), 0);
	assert_int_equal(pi->msix.table[0].vctrl, 1);
}

static void test_hostile_config(void **state)
{
	struct bus *b = *state;
	struct pci_devinst *pi = b->pci.dev[3][0];
	int off, sz;

	/* every offset and size through the direct API: nothing breaks */
	for (off = -4; off < 300; off++) {
		for (sz = 0; sz <= 8; sz++) {
			(void)pci_cfg_read(pi, off, sz);
			if (off >= PCIR_BAR0 && off < PCIR_BAR0 + 24)
				continue;	/* keep the BARs in place */
			if (off >= PCIR_COMMAND && off < PCIR_COMMAND + 2)
				continue;
			pci_cfg_write(pi, off, sz, 0xffffffff);
		}
	}
	assert_int_equal(pci_cfg_read(pi, 300, 4), 0xffffffff);
	assert_int_equal(pci_cfg_read(pi, 0, 3), 0xffffffff);
	assert_int_equal(cfg_rd(b, 3, 0, 0, 4), 0x12341af4);
}

static void test_slots(void **state)
{
	struct bus *b = *state;
	struct cfg *c;

	assert_int_equal(pci_add_device(&b->pci, pci_emul_find("test-dev"),
	    0, 3, 0, NULL, b->err, sizeof(b->err)), -EEXIST);
	assert_non_null(strstr(b->err, "already"));
	assert_int_equal(pci_add_device(&b->pci, pci_emul_find("hostbridge"),
	    1, 0, 0, NULL, b->err, sizeof(b->err)), -EINVAL);
	assert_int_equal(pci_add_device(&b->pci, pci_emul_find("hostbridge"),
	    0, 32, 0, NULL, b->err, sizeof(b->err)), -EINVAL);
	assert_int_equal(pci_add_device(&b->pci, pci_emul_find("hostbridge"),
	    0, 4, 8, NULL, b->err, sizeof(b->err)), -EINVAL);
	/* a failing init leaves the slot empty */
	assert_int_equal(pci_add_device(&b->pci, pci_emul_find("test-fail"),
	    0, 6, 0, NULL, b->err, sizeof(b->err)), -EINVAL);
	assert_null(b->pci.dev[6][0]);
	assert_int_equal(cfg_rd(b, 6, 0, 0, 4), 0xffffffff);
	assert_null(pci_emul_find("no-such-device"));

	/* function 1 makes function 0 multi-function */
	assert_int_equal(cfg_rd(b, 0, 0, PCIR_HDRTYPE, 1), 0);
	assert_int_equal(pci_add_device(&b->pci, pci_emul_find("hostbridge"),
	    0, 0, 1, NULL, b->err, sizeof(b->err)), 0);
	assert_int_equal(cfg_rd(b, 0, 0, PCIR_HDRTYPE, 1), PCIM_HDRTYPE_MFDEV);

	/* from the tree: unknown emulation, and a function without func 0 */
	c = cfg_new();
	assert_non_null(c);
	assert_int_equal(cfg_set(c, "pci.0.9.0.device", "bogus", "-s 9",
	    b->err, sizeof(b->err)), 0);
	assert_int_equal(pci_create_from_cfg(&b->pci, c, b->err,
	    sizeof(b->err)), -ENOENT);
	assert_non_null(strstr(b->err, "bogus"));
	cfg_free(c);
	c = cfg_new();
	assert_int_equal(cfg_set(c, "pci.0.9.2.device", "hostbridge", "-s 9:2",
	    b->err, sizeof(b->err)), 0);
	assert_int_equal(pci_create_from_cfg(&b->pci, c, b->err,
	    sizeof(b->err)), -EINVAL);
	assert_non_null(strstr(b->err, "function 0"));
	cfg_free(c);
}

static void test_mem64_window(void **state)
{
	struct bus *b = *state;
	struct vm vm;
	uint32_t lo, hi;

	/* the test device's 64-bit BAR sits in the window, above RAM */
	lo = cfg_rd(b, 3, 0, PCIR_BAR0 + 8, 4);
	hi = cfg_rd(b, 3, 0, PCIR_BAR0 + 12, 4);
	assert_int_equal(((uint64_t)hi << 32 | (lo & ~0xfU)),
	    b->pci.mem64_base);
	assert_int_equal(b->pci.mem64_base, VM_PCI_MEM64_ALIGN);

	memset(&vm, 0, sizeof(vm));
	vm.phys_bits = 40;
	assert_int_equal(vm_pci_mem64_base(&vm), 64ULL << 30);
	vm.highmem = 100ULL << 30;
	assert_int_equal(vm_pci_mem64_base(&vm), 128ULL << 30);
	/* a guest that cannot address it gets no window at all */
	vm.phys_bits = 36;
	assert_int_equal(vm_pci_mem64_base(&vm), 0);
	vm.highmem = 0;
	assert_int_equal(vm_pci_mem64_base(&vm), 0);
}

static void test_lpc_resets(void **state)
{
	struct bus *b = *state;
	struct lpc_platform *lp = calloc(1, sizeof(*lp));
	uint32_t v;

	assert_non_null(lp);
	/* the platform without KVM: only the ioeventfd fails.  Build the
	 * parts the reset paths use by hand. */
	lp->vm = &b->vm;
	lp->kbd_cmd = -1;
	pthread_mutex_init(&lp->lock, NULL);
	b->pci.cf9_write = lpc_cf9_write;
	b->pci.cf9_arg = lp;

	/* 0xcf9 without RST_CPU only latches */
	v = 0x02;
	assert_int_equal(inout_handle(&b->io, 0xcf9, 1, false, &v), 0);
	assert_int_equal(vm_stop_code(&b->vm), -1);
	/* i8042: self test, command byte round trip */
	v = 0xaa;
	assert_int_equal(lpc_i8042_io(lp, 0x64, 1, false, &v), 0);
	assert_int_equal(lpc_i8042_io(lp, 0x64, 1, true, &v), 0);
	assert_true(v & 1);
	assert_int_equal(lpc_i8042_io(lp, 0x60, 1, true, &v), 0);
	assert_int_equal(v, 0x55);
	v = 0x60;
	assert_int_equal(lpc_i8042_io(lp, 0x64, 1, false, &v), 0);
	v = 0x47;
	assert_int_equal(lpc_i8042_io(lp, 0x60, 1, false, &v), 0);
	v = 0x20;
	assert_int_equal(lpc_i8042_io(lp, 0x64, 1, false, &v), 0);
	assert_int_equal(lpc_i8042_io(lp, 0x60, 1, true, &v), 0);
	assert_int_equal(v, 0x47);
	/* wide accesses are not an i8042's */
	assert_int_equal(lpc_i8042_io(lp, 0x64, 2, true, &v), 0);
	assert_int_equal(v, 0xffffffff);
	assert_int_equal(vm_stop_code(&b->vm), -1);
	/* 0xfe pulses reset: exit status 0 */
	v = 0xfe;
	assert_int_equal(lpc_i8042_io(lp, 0x64, 1, false, &v), 0);
	assert_int_equal(vm_stop_code(&b->vm), VM_EXIT_REBOOT);

	/* 0xcf9 with RST_CPU reboots too (first request wins) */
	b->vm.stop_code = -1;
	v = 0x06;
	assert_int_equal(inout_handle(&b->io, 0xcf9, 1, false, &v), 0);
	assert_int_equal(vm_stop_code(&b->vm), VM_EXIT_REBOOT);
	vm_request_stop(&b->vm, VM_EXIT_POWEROFF, NULL);
	assert_int_equal(vm_stop_code(&b->vm), VM_EXIT_REBOOT);
	pthread_mutex_destroy(&lp->lock);
	free(lp);
}

/* The whole platform through the port space: RTC, PM1, POST, and COM1
 * behind an lpc device whose back end is an inherited descriptor. */
static void test_lpc_platform(void **state)
{
	struct bus *b = *state;
	struct lpc_platform *lp = calloc(1, sizeof(*lp));
	struct cfg *c = cfg_new();
	char spec[32];
	uint32_t v, t1, t2;
	int fd = open("/dev/null", O_RDWR);

	assert_non_null(lp);
	assert_non_null(c);
	assert_true(fd >= 0);
	b->vm.lowmem = 256 << 20;
	assert_int_equal(lpc_platform_init(lp, &b->vm, &b->io, &b->pci, false,
	    b->err, sizeof(b->err)), 0);
	snprintf(spec, sizeof(spec), "fd:%d", fd);
	assert_int_equal(cfg_set(c, "lpc.com1.path", spec, "-l", b->err,
	    sizeof(b->err)), 0);
	assert_int_equal(pci_add_device(&b->pci, pci_emul_find("lpc"), 0, 31,
	    0, c, b->err, sizeof(b->err)), 0);
	/* a second lpc is refused */
	assert_int_equal(pci_add_device(&b->pci, pci_emul_find("lpc"), 0, 30,
	    0, c, b->err, sizeof(b->err)), -EEXIST);
	assert_int_equal(cfg_rd(b, 31, 0, 0, 4), 0x70008086);
	assert_int_equal(cfg_rd(b, 31, 0, PCIR_SUBCLASS, 2), 0x0601);
	assert_true(lpc_com_present(lp, 0));
	assert_false(lpc_com_present(lp, 1));
	assert_false(lpc_com_present(lp, 7));

	/* COM1 answers: LSR says transmitter empty; COM2 is absent */
	assert_int_equal(inout_handle(&b->io, 0x3fd, 1, true, &v), 0);
	assert_int_equal(v & 0x60, 0x60);
	v = 'x';
	assert_int_equal(inout_handle(&b->io, 0x3f8, 1, false, &v), 0);
	assert_int_equal(inout_handle(&b->io, 0x2fd, 1, true, &v), 0);
	assert_int_equal(v, 0xff);

	/* RTC: register 0x0b through index/data, and a 2-byte access */
	v = 0x0b;
	assert_int_equal(inout_handle(&b->io, 0x70, 1, false, &v), 0);
	assert_int_equal(inout_handle(&b->io, 0x71, 1, true, &v), 0);
	assert_true(v & 0x02);		/* 24-hour mode */
	v = 0x0a;
	assert_int_equal(inout_handle(&b->io, 0x70, 2, true, &v), 0);

	/* POST port: reads 0xff, writes vanish */
	v = 0x55;
	assert_int_equal(inout_handle(&b->io, 0x80, 1, false, &v), 0);
	assert_int_equal(inout_handle(&b->io, 0x80, 1, true, &v), 0);
	assert_int_equal(v, 0xff);

	/* PM timer runs; S5 through PM1a_CNT powers off */
	assert_int_equal(inout_handle(&b->io, 0x408, 4, true, &t1), 0);
	assert_int_equal(inout_handle(&b->io, 0x408, 4, true, &t2), 0);
	assert_true(t2 >= t1 || t1 - t2 > 0x800000);	/* 24-bit wrap */
	lpc_power_button(lp);			/* no SCI enabled: nothing */
	assert_int_equal(vm_stop_code(&b->vm), -1);
	v = (5 << 10) | (1 << 13);
	assert_int_equal(inout_handle(&b->io, 0x404, 2, false, &v), 0);
	assert_int_equal(vm_stop_code(&b->vm), VM_EXIT_POWEROFF);

	/* the lpc device has no deinit: teardown's pci_fini frees it alone */
	lpc_platform_fini(lp);
	free(lp);
	cfg_free(c);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_conf1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_and_writable,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_sizing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bar_move_and_decode,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_msix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_config, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem64_window, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lpc_platform, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lpc_resets, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
