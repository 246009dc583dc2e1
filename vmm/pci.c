/*
 * pci: PCI bus 0 on configuration mechanism #1 and the device framework.
 *
 * bhyve's model: one const descriptor per emulation, found by name in a
 * linker set; the framework keeps each function's 256-byte config space
 * and a per-byte write mask, so a guest write can only change what the
 * device declared writable.  BARs are placed by a bump allocator in fixed
 * windows (the ones the ACPI _CRS describes) and mapped into inout/mmio
 * while the guest enables decoding.  MSI-X table and PBA are served here.
 *
 * Never trusts a config offset, access size, BAR value or MSI-X table
 * index from the guest; never crashes on any of them.
 */
#include "vmm/pci.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfg.h"

#define CONF1_ADDR_PORT	0xcf8
#define CONF1_DATA_PORT	0xcfc
#define CONF1_ENABLE	0x80000000U

#define PCI_IO_BASE	0x2000ULL
#define PCI_IO_LIMIT	0x10000ULL
#define PCI_CAP_START	0x40

extern const struct pci_devemu *const __start_hyve_pci_devemu[]
    __attribute__((weak));
extern const struct pci_devemu *const __stop_hyve_pci_devemu[]
    __attribute__((weak));

const struct pci_devemu *pci_emul_find(const char *name)
{
	const struct pci_devemu *const *p;

	if (__start_hyve_pci_devemu == NULL)
		return NULL;
	for (p = __start_hyve_pci_devemu; p < __stop_hyve_pci_devemu; p++)
		if (strcmp((*p)->name, name) == 0)
			return *p;
	return NULL;
}

size_t pci_emul_list(const char **names, size_t max)
{
	const struct pci_devemu *const *p;
	size_t n = 0;

	if (__start_hyve_pci_devemu == NULL)
		return 0;
	for (p = __start_hyve_pci_devemu; p < __stop_hyve_pci_devemu; p++) {
		if (n < max)
			names[n] = (*p)->name;
		n++;
	}
	return n;
}

/* ---------------------------------------------------------- raw config */

void pci_set_cfg8(struct pci_devinst *pi, int off, uint8_t v)
{
	if (off >= 0 && off < PCI_CFG_SIZE)
		pi->cfg[off] = v;
}

void pci_set_cfg16(struct pci_devinst *pi, int off, uint16_t v)
{
	pci_set_cfg8(pi, off, (uint8_t)v);
	pci_set_cfg8(pi, off + 1, (uint8_t)(v >> 8));
}

void pci_set_cfg32(struct pci_devinst *pi, int off, uint32_t v)
{
	pci_set_cfg16(pi, off, (uint16_t)v);
	pci_set_cfg16(pi, off + 2, (uint16_t)(v >> 16));
}

uint8_t pci_get_cfg8(const struct pci_devinst *pi, int off)
{
	return off >= 0 && off < PCI_CFG_SIZE ? pi->cfg[off] : 0xff;
}

uint16_t pci_get_cfg16(const struct pci_devinst *pi, int off)
{
	return (uint16_t)(pci_get_cfg8(pi, off) |
	    pci_get_cfg8(pi, off + 1) << 8);
}

uint32_t pci_get_cfg32(const struct pci_devinst *pi, int off)
{
	return (uint32_t)pci_get_cfg16(pi, off) |
	    (uint32_t)pci_get_cfg16(pi, off + 2) << 16;
}

void pci_set_writable(struct pci_devinst *pi, int off, int len)
{
	int i;

	for (i = off; i < off + len; i++)
		if (i >= 0 && i < PCI_CFG_SIZE)
			pi->cfg_wmask[i] = 0xff;
}

/* ---------------------------------------------------------------- BARs */

static int pci_bar_io(void *arg, uint16_t port, int bytes, bool in,
    uint32_t *val)
{
	struct pci_barref *ref = arg;
	struct pci_devinst *pi = ref->pi;
	uint64_t off = port - pi->bar[ref->idx].addr;
	uint64_t v = *val;
	int r;

	if (in) {
		if (pi->emu->barread == NULL) {
			*val = 0xffffffff;
			return 0;
		}
		r = pi->emu->barread(pi, ref->idx, off, bytes, &v);
		*val = (uint32_t)v;
		return r;
	}
	if (pi->emu->barwrite == NULL)
		return 0;
	return pi->emu->barwrite(pi, ref->idx, off, bytes, v);
}

static int pci_msix_bar_access(struct pci_devinst *pi, uint64_t off,
    int bytes, bool write, uint64_t *val);

static int pci_bar_mem(void *arg, uint64_t addr, int bytes, bool write,
    uint64_t *val)
{
	struct pci_barref *ref = arg;
	struct pci_devinst *pi = ref->pi;
	uint64_t off = addr - pi->bar[ref->idx].addr;

	if (pi->msix.cap && ref->idx == pi->msix.bar)
		return pci_msix_bar_access(pi, off, bytes, write, val);
	if (write)
		return pi->emu->barwrite ?
		    pi->emu->barwrite(pi, ref->idx, off, bytes, *val) : 0;
	if (pi->emu->barread == NULL) {
		*val = ~0ULL;
		return 0;
	}
	return pi->emu->barread(pi, ref->idx, off, bytes, val);
}

static bool pci_bar_decoding(const struct pci_devinst *pi, int idx)
{
	uint16_t cmd = pci_get_cfg16(pi, PCIR_COMMAND);

	if (pi->bar[idx].type == PCI_BAR_IO)
		return cmd & PCIM_CMD_PORTEN;
	return cmd & PCIM_CMD_MEMEN;
}

static void pci_bar_unmap(struct pci_devinst *pi, int idx)
{
	struct pci_bar *b = &pi->bar[idx];

	if (!b->mapped)
		return;
	if (b->type == PCI_BAR_IO)
		inout_unregister(pi->pci->io, (uint16_t)b->addr);
	else
		mmio_unregister(pi->pci->mmio, b->addr);
	b->mapped = false;
	if (pi->emu->barmap)
		pi->emu->barmap(pi, idx, false, b->addr);
}

static void pci_bar_map(struct pci_devinst *pi, int idx)
{
	struct pci_bar *b = &pi->bar[idx];
	int r;

	if (b->mapped || b->addr == 0)
		return;
	if (b->type == PCI_BAR_IO) {
		if (b->addr + b->size > 0x10000)
			return;
		r = inout_register(pi->pci->io, (uint16_t)b->addr,
		    (uint16_t)b->size, pci_bar_io, &pi->barref[idx], pi->name);
	} else {
		if (b->addr + b->size < b->addr)
			return;
		r = mmio_register(pi->pci->mmio, b->addr, b->size,
		    pci_bar_mem, &pi->barref[idx], pi->name);
	}
	/* A guest may place a BAR over another device's; that BAR then
	 * decodes nothing until it moves, as on a real bus with a conflict. */
	if (r < 0)
		return;
	b->mapped = true;
	if (pi->emu->barmap)
		pi->emu->barmap(pi, idx, true, b->addr);
}

static void pci_bar_update(struct pci_devinst *pi, int idx)
{
	pci_bar_unmap(pi, idx);
	if (pci_bar_decoding(pi, idx))
		pci_bar_map(pi, idx);
}

/* The guest wrote dword v to BAR register idx. */
static void pci_bar_write(struct pci_devinst *pi, int idx, uint32_t v)
{
	struct pci_bar *b = &pi->bar[idx];
	int off = PCIR_BAR0 + 4 * idx;
	uint64_t mask;

	/* Unmap at the old address before the address changes. */
	if (b->type == PCI_BAR_MEMHI64)
		pci_bar_unmap(pi, idx - 1);
	else if (b->type != PCI_BAR_NONE)
		pci_bar_unmap(pi, idx);
	switch (b->type) {
	case PCI_BAR_NONE:
		return;
	case PCI_BAR_IO:
		mask = ~(b->size - 1) & 0xfffc;
		pci_set_cfg32(pi, off, (uint32_t)(v & mask) | 0x1);
		b->addr = v & mask;
		pci_bar_update(pi, idx);
		return;
	case PCI_BAR_MEM32:
		mask = ~(b->size - 1) & 0xfffffff0U;
		pci_set_cfg32(pi, off, (uint32_t)(v & mask));
		b->addr = v & mask;
		pci_bar_update(pi, idx);
		return;
	case PCI_BAR_MEM64:
		mask = ~(b->size - 1) & 0xfffffff0U;
		pci_set_cfg32(pi, off, (uint32_t)(v & mask) | 0x4);
		b->addr = (b->addr & ~0xffffffffULL) | (v & mask);
		pci_bar_update(pi, idx);
		return;
	case PCI_BAR_MEMHI64:
		/* idx >= 1 is guaranteed by pci_emul_alloc_bar. */
		mask = ~(pi->bar[idx - 1].size - 1) >> 32;
		pci_set_cfg32(pi, off, (uint32_t)(v & mask));
		pi->bar[idx - 1].addr = (pi->bar[idx - 1].addr & 0xffffffffULL) |
		    ((uint64_t)(v & mask) << 32);
		pci_bar_update(pi, idx - 1);
		return;
	}
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int pci_emul_alloc_bar(struct pci_devinst *pi, int idx,
    enum pci_bar_type type, uint64_t size)
{
	struct pci *pci = pi->pci;
	uint64_t *next, limit, addr;
	uint16_t cmd;

	if (idx < 0 || idx > PCI_BARMAX || pi->bar[idx].type != PCI_BAR_NONE ||
	    size == 0 || (size & (size - 1)) != 0)
		return -EINVAL;
	switch (type) {
	case PCI_BAR_IO:
		if (size < 4 || size > 256)
			return -EINVAL;
		next = &pci->io_next;
		limit = PCI_IO_LIMIT;
		break;
	case PCI_BAR_MEM32:
		if (size < 4096 || size > VM_PCI_MEM32_SIZE / 2)
			return -EINVAL;
		next = &pci->mem32_next;
		limit = VM_PCI_MEM32_BASE + VM_PCI_MEM32_SIZE;
		break;
	case PCI_BAR_MEM64:
		if (size < 4096 || idx == PCI_BARMAX ||
		    pi->bar[idx + 1].type != PCI_BAR_NONE)
			return -EINVAL;
		next = &pci->mem64_next;
		limit = pci->mem64_end;
		break;
	default:
		return -EINVAL;
	}
	addr = align_up(*next, size);
	if (addr + size > limit || addr + size < addr)
		return -ENOSPC;
	*next = addr + size;

	pi->bar[idx].type = type;
	pi->bar[idx].size = size;
	pi->bar[idx].addr = addr;
	if (type == PCI_BAR_IO) {
		pci_set_cfg32(pi, PCIR_BAR0 + 4 * idx, (uint32_t)addr | 0x1);
		cmd = PCIM_CMD_PORTEN;
	} else if (type == PCI_BAR_MEM32) {
		pci_set_cfg32(pi, PCIR_BAR0 + 4 * idx, (uint32_t)addr);
		cmd = PCIM_CMD_MEMEN;
	} else {
		pci_set_cfg32(pi, PCIR_BAR0 + 4 * idx, (uint32_t)addr | 0x4);
		pci_set_cfg32(pi, PCIR_BAR0 + 4 * (idx + 1),
		    (uint32_t)(addr >> 32));
		pi->bar[idx + 1].type = PCI_BAR_MEMHI64;
		cmd = PCIM_CMD_MEMEN;
	}
	/* Decoding on from the start, as firmware would leave it. */
	pci_set_cfg16(pi, PCIR_COMMAND, pci_get_cfg16(pi, PCIR_COMMAND) | cmd);
	pci_bar_update(pi, idx);
	return 0;
}

/* --------------------------------------------------------- capabilities */

int pci_emul_add_capability(struct pci_devinst *pi, const uint8_t *data,
    int len)
{
	int off = align_up((uint64_t)(pi->cap_end ? pi->cap_end :
	    PCI_CAP_START), 4);

	if (len < 2 || off + len > PCI_CFG_SIZE)
		return -ENOSPC;
	memcpy(&pi->cfg[off], data, (size_t)len);
	pi->cfg[off + 1] = 0;
	if (pi->cap_last)
		pi->cfg[pi->cap_last + 1] = (uint8_t)off;
	else
		pi->cfg[PCIR_CAP_PTR] = (uint8_t)off;
	pci_set_cfg16(pi, PCIR_STATUS, pci_get_cfg16(pi, PCIR_STATUS) |
	    PCIM_STATUS_CAPPRESENT);
	pi->cap_last = off;
	pi->cap_end = off + len;
	return off;
}

/* ---------------------------------------------------------------- MSI-X */

static void pci_msix_deliver(struct pci_devinst *pi, int v)
{
	struct pci_msix_entry *e = &pi->msix.table[v];

	pi->msix.pba[v / 64] &= ~(1ULL << (v % 64));
	(void)vm_msi(pi->pci->vm, e->addr, e->data);
}

/* Deliver what became deliverable (lock held). */
static void pci_msix_flush_pending(struct pci_devinst *pi)
{
	int v;

	if (!pi->msix.enabled || pi->msix.fmask)
		return;
	for (v = 0; v < pi->msix.nvec; v++) {
		if ((pi->msix.pba[v / 64] & (1ULL << (v % 64))) &&
		    !(pi->msix.table[v].vctrl & PCI_MSIX_VCTRL_MASK))
			pci_msix_deliver(pi, v);
	}
}

int pci_msix_notify(struct pci_devinst *pi, int v)
{
	int r = 0;

	pthread_mutex_lock(&pi->lock);
	if (pi->msix.cap == 0 || v < 0 || v >= pi->msix.nvec) {
		r = -EINVAL;
	} else if (!pi->msix.enabled) {
		r = -ENOTCONN;
	} else if (pi->msix.fmask ||
	    (pi->msix.table[v].vctrl & PCI_MSIX_VCTRL_MASK)) {
		pi->msix.pba[v / 64] |= 1ULL << (v % 64);
	} else {
		pci_msix_deliver(pi, v);
	}
	pthread_mutex_unlock(&pi->lock);
	return r;
}

static uint32_t pci_msix_table_read32(struct pci_devinst *pi, uint64_t off)
{
	struct pci_msix_entry *e = &pi->msix.table[off / 16];

	switch (off % 16) {
	case 0:
		return (uint32_t)e->addr;
	case 4:
		return (uint32_t)(e->addr >> 32);
	case 8:
		return e->data;
	default:
		return e->vctrl;
	}
}

static void pci_msix_table_write32(struct pci_devinst *pi, uint64_t off,
    uint32_t v)
{
	struct pci_msix_entry *e = &pi->msix.table[off / 16];

	switch (off % 16) {
	case 0:
		e->addr = (e->addr & ~0xffffffffULL) | (v & ~3U);
		break;
	case 4:
		e->addr = (e->addr & 0xffffffffULL) | ((uint64_t)v << 32);
		break;
	case 8:
		e->data = v;
		break;
	default:
		e->vctrl = v & PCI_MSIX_VCTRL_MASK;
		break;
	}
}

static int pci_msix_bar_access(struct pci_devinst *pi, uint64_t off,
    int bytes, bool write, uint64_t *val)
{
	uint64_t tsize = (uint64_t)pi->msix.nvec * 16;
	uint64_t psize = (uint64_t)((pi->msix.nvec + 63) / 64) * 8;
	int vec;

	/* The spec allows only aligned dword and qword accesses. */
	if ((bytes != 4 && bytes != 8) || (off & (uint64_t)(bytes - 1))) {
		if (!write)
			*val = 0;
		return 0;
	}
	pthread_mutex_lock(&pi->lock);
	if (off < tsize) {
		vec = (int)(off / 16);
		if (write) {
			pci_msix_table_write32(pi, off, (uint32_t)*val);
			if (bytes == 8)
				pci_msix_table_write32(pi, off + 4,
				    (uint32_t)(*val >> 32));
			pci_msix_flush_pending(pi);
		} else {
			*val = pci_msix_table_read32(pi, off);
			if (bytes == 8)
				*val |= (uint64_t)pci_msix_table_read32(pi,
				    off + 4) << 32;
		}
		pthread_mutex_unlock(&pi->lock);
		if (write && pi->emu->msix_changed)
			pi->emu->msix_changed(pi, vec);
		return 0;
	}
	if (off >= pi->msix.pba_off && off - pi->msix.pba_off < psize) {
		if (!write) {
			uint64_t p = pi->msix.pba[(off - pi->msix.pba_off) / 8];

			*val = (off & 4) ? p >> 32 : (bytes == 8 ? p :
			    (uint32_t)p);
		}
		/* PBA writes are ignored (read-only by spec). */
	} else if (!write) {
		*val = 0;
	}
	pthread_mutex_unlock(&pi->lock);
	return 0;
}

int pci_emul_add_msixcap(struct pci_devinst *pi, int nvec, int bar)
{
	uint8_t cap[12];
	uint64_t tsize, psize, size;
	int off, r;

	if (nvec < 1 || nvec > PCI_MSIX_MAX_VECTORS || pi->msix.cap)
		return -EINVAL;
	tsize = (uint64_t)nvec * 16;
	psize = (uint64_t)((nvec + 63) / 64) * 8;
	pi->msix.pba_off = (uint32_t)align_up(tsize, 4096);
	size = 4096;
	while (size < pi->msix.pba_off + psize)
		size <<= 1;
	pi->msix.table = calloc((size_t)nvec, sizeof(*pi->msix.table));
	pi->msix.pba = calloc((size_t)(nvec + 63) / 64, sizeof(uint64_t));
	if (!pi->msix.table || !pi->msix.pba)
		return -ENOMEM;
	for (r = 0; r < nvec; r++)
		pi->msix.table[r].vctrl = PCI_MSIX_VCTRL_MASK;
	pi->msix.nvec = nvec;
	pi->msix.bar = bar;

	memset(cap, 0, sizeof(cap));
	cap[0] = PCIY_MSIX;
	cap[2] = (uint8_t)(nvec - 1);
	cap[3] = (uint8_t)((nvec - 1) >> 8);
	cap[4] = (uint8_t)bar;				/* table at offset 0 */
	cap[8] = (uint8_t)(pi->msix.pba_off | (uint32_t)bar);
	cap[9] = (uint8_t)(pi->msix.pba_off >> 8);
	cap[10] = (uint8_t)(pi->msix.pba_off >> 16);
	cap[11] = (uint8_t)(pi->msix.pba_off >> 24);
	off = pci_emul_add_capability(pi, cap, sizeof(cap));
	if (off < 0)
		return off;
	pi->msix.cap = off;
	/* Set cap before mapping: the BAR handler checks it. */
	r = pci_emul_alloc_bar(pi, bar, PCI_BAR_MEM32, size);
	if (r < 0) {
		pi->msix.cap = 0;
		return r;
	}
	return 0;
}

/* ------------------------------------------------------- config access */

uint32_t pci_cfg_read(struct pci_devinst *pi, int off, int bytes)
{
	uint32_t v = 0;
	int i;

	if (off < 0 || (bytes != 1 && bytes != 2 && bytes != 4) ||
	    off + bytes > PCI_CFG_SIZE)
		return 0xffffffff;
	pthread_mutex_lock(&pi->lock);
	/* The header (ids, BARs, capability pointer) is the framework's. */
	if (off < PCI_CAP_START || pi->emu->cfgread == NULL ||
	    pi->emu->cfgread(pi, off, bytes, &v) != 0) {
		v = 0;
		for (i = 0; i < bytes; i++) {
			uint8_t b = pi->cfg[off + i];

			/* Function 0 says whether its slot has more. */
			if (off + i == PCIR_HDRTYPE && pi->func == 0) {
				int f;

				for (f = 1; f <= PCI_FUNCMAX; f++)
					if (pi->pci->dev[pi->slot][f])
						b |= PCIM_HDRTYPE_MFDEV;
			}
			v |= (uint32_t)b << (8 * i);
		}
	}
	pthread_mutex_unlock(&pi->lock);
	return v;
}

static void pci_cmd_write(struct pci_devinst *pi, uint16_t new)
{
	uint16_t old = pci_get_cfg16(pi, PCIR_COMMAND);
	uint16_t wmask = PCIM_CMD_PORTEN | PCIM_CMD_MEMEN |
	    PCIM_CMD_BUSMASTEREN | PCIM_CMD_INTXDIS | 0x0040 | 0x0100;
	uint16_t v = (uint16_t)((old & ~wmask) | (new & wmask));
	int i;

	pci_set_cfg16(pi, PCIR_COMMAND, v);
	if ((old ^ v) & (PCIM_CMD_PORTEN | PCIM_CMD_MEMEN)) {
		for (i = 0; i <= PCI_BARMAX; i++) {
			if (pi->bar[i].type == PCI_BAR_NONE ||
			    pi->bar[i].type == PCI_BAR_MEMHI64)
				continue;
			pci_bar_update(pi, i);
		}
	}
}

static void pci_msix_ctrl_write(struct pci_devinst *pi, uint16_t ctrl)
{
	int off = pi->msix.cap + 2;
	uint16_t old = pci_get_cfg16(pi, off);
	uint16_t v = (uint16_t)((old & 0x07ff) |
	    (ctrl & (PCIM_MSIXCTRL_ENABLE | PCIM_MSIXCTRL_FMASK)));

	pci_set_cfg16(pi, off, v);
	pi->msix.enabled = v & PCIM_MSIXCTRL_ENABLE;
	pi->msix.fmask = v & PCIM_MSIXCTRL_FMASK;
	pci_msix_flush_pending(pi);
}

void pci_cfg_write(struct pci_devinst *pi, int off, int bytes, uint32_t val)
{
	int d = off & ~3, i;
	uint32_t old, mask, new;
	bool msix_changed = false;

	if (off < 0 || (bytes != 1 && bytes != 2 && bytes != 4) ||
	    off + bytes > PCI_CFG_SIZE || (off & 3) + bytes > 4)
		return;
	pthread_mutex_lock(&pi->lock);
	if (off >= PCI_CAP_START && pi->emu->cfgwrite &&
	    !(pi->msix.cap && d >= pi->msix.cap && d < pi->msix.cap + 12) &&
	    pi->emu->cfgwrite(pi, off, bytes, val) == 0)
		goto out;

	old = pci_get_cfg32(pi, d);
	mask = (bytes == 4 ? 0xffffffffU : ((1U << (8 * bytes)) - 1)) <<
	    (8 * (off & 3));
	new = (old & ~mask) | ((val << (8 * (off & 3))) & mask);

	if (d >= PCIR_BAR0 && d <= PCIR_BAR0 + 4 * PCI_BARMAX) {
		pci_bar_write(pi, (d - PCIR_BAR0) / 4, new);
	} else if (d == PCIR_COMMAND) {
		/* The status half is write-1-to-clear and we set none. */
		if (mask & 0xffff)
			pci_cmd_write(pi, (uint16_t)new);
	} else if (pi->msix.cap && d == pi->msix.cap) {
		if (mask & 0xffff0000U) {
			pci_msix_ctrl_write(pi, (uint16_t)(new >> 16));
			msix_changed = true;
		}
	} else {
		for (i = off; i < off + bytes; i++) {
			uint8_t b = (uint8_t)(val >> (8 * (i - off)));

			pi->cfg[i] = (uint8_t)((pi->cfg[i] & ~pi->cfg_wmask[i]) |
			    (b & pi->cfg_wmask[i]));
		}
	}
out:
	pthread_mutex_unlock(&pi->lock);
	if (msix_changed && pi->emu->msix_changed)
		pi->emu->msix_changed(pi, -1);
}

static struct pci_devinst *pci_lookup(struct pci *pci, uint32_t addr)
{
	unsigned int bus = (addr >> 16) & 0xff;
	unsigned int slot = (addr >> 11) & 0x1f;
	unsigned int func = (addr >> 8) & 0x7;

	if (!(addr & CONF1_ENABLE) || bus != 0)
		return NULL;
	return pci->dev[slot][func];
}

int pci_cfg_io(void *arg, uint16_t port, int bytes, bool in, uint32_t *val)
{
	struct pci *pci = arg;
	struct pci_devinst *pi;
	uint32_t addr;
	int off;

	if (port >= CONF1_ADDR_PORT && port < CONF1_ADDR_PORT + 4) {
		if (port == CONF1_ADDR_PORT && bytes == 4) {
			pthread_mutex_lock(&pci->addr_lock);
			if (in)
				*val = pci->addr;
			else
				pci->addr = *val & 0x80fffffcU;
			pthread_mutex_unlock(&pci->addr_lock);
		} else if (port == CONF1_ADDR_PORT + 1 && bytes == 1 &&
		    !in && pci->cf9_write) {
			pci->cf9_write(pci->cf9_arg, (uint8_t)*val);
		} else if (in) {
			*val = 0xffffffff;
		}
		return 0;
	}
	pthread_mutex_lock(&pci->addr_lock);
	addr = pci->addr;
	pthread_mutex_unlock(&pci->addr_lock);
	pi = pci_lookup(pci, addr);
	off = (int)(addr & 0xfc) + (port - CONF1_DATA_PORT);
	if (pi == NULL) {
		if (in)
			*val = 0xffffffff;
		return 0;
	}
	if (in)
		*val = pci_cfg_read(pi, off, bytes);
	else
		pci_cfg_write(pi, off, bytes, *val);
	return 0;
}

/* --------------------------------------------------------- bus set-up */

int pci_init(struct pci *pci, struct vm *vm, struct inout *io,
    struct mmio *mmio, char *err, size_t errlen)
{
	int r;

	memset(pci, 0, sizeof(*pci));
	pci->vm = vm;
	pci->io = io;
	pci->mmio = mmio;
	pthread_mutex_init(&pci->addr_lock, NULL);
	pci->io_next = PCI_IO_BASE;
	pci->mem32_next = VM_PCI_MEM32_BASE;
	/* Placed after RAM, so sized now that memory is. */
	pci->mem64_base = vm_pci_mem64_base(vm);
	pci->mem64_end = pci->mem64_base ? pci->mem64_base + VM_PCI_MEM64_SIZE :
	    0;
	pci->mem64_next = pci->mem64_base;
	r = inout_register(io, CONF1_ADDR_PORT, 4, pci_cfg_io, pci,
	    "pci-conf1-addr");
	if (r == 0)
		r = inout_register(io, CONF1_DATA_PORT, 4, pci_cfg_io, pci,
		    "pci-conf1-data");
	if (r < 0)
		snprintf(err, errlen, "PCI config ports: %s", strerror(-r));
	return r;
}

int pci_add_device(struct pci *pci, const struct pci_devemu *emu,
    unsigned int bus, unsigned int slot, unsigned int func,
    const struct cfg *cfg, char *err, size_t errlen)
{
	struct pci_devinst *pi;
	char prefix[32];
	int i, r;

	if (bus != 0) {
		snprintf(err, errlen, "pci.%u.%u.%u: only PCI bus 0 exists",
		    bus, slot, func);
		return -EINVAL;
	}
	if (slot > PCI_SLOTMAX || func > PCI_FUNCMAX) {
		snprintf(err, errlen, "pci.%u.%u.%u: no such slot", bus, slot,
		    func);
		return -EINVAL;
	}
	if (pci->dev[slot][func]) {
		snprintf(err, errlen, "pci.%u.%u.%u: slot already holds %s",
		    bus, slot, func, pci->dev[slot][func]->emu->name);
		return -EEXIST;
	}
	pi = calloc(1, sizeof(*pi));
	if (pi == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pi->emu = emu;
	pi->pci = pci;
	pi->bus = bus;
	pi->slot = slot;
	pi->func = func;
	snprintf(prefix, sizeof(prefix), "pci.%u.%u.%u", bus, slot, func);
	snprintf(pi->name, sizeof(pi->name), "%s", prefix);
	pthread_mutex_init(&pi->lock, NULL);
	for (i = 0; i <= PCI_BARMAX; i++) {
		pi->barref[i].pi = pi;
		pi->barref[i].idx = i;
	}
	/* The generic writable header fields. */
	pci_set_writable(pi, PCIR_CACHELNSZ, 2);
	pci_set_writable(pi, PCIR_INTLINE, 1);
	/* Visible before init so BAR mapping sees a consistent bus. */
	pci->dev[slot][func] = pi;
	r = emu->init(pi, cfg, prefix, err, errlen);
	if (r < 0) {
		pci->dev[slot][func] = NULL;
		for (i = 0; i <= PCI_BARMAX; i++)
			pci_bar_unmap(pi, i);
		free(pi->msix.table);
		free(pi->msix.pba);
		pthread_mutex_destroy(&pi->lock);
		free(pi);
		return r;
	}
	return 0;
}

struct pci_cfg_walk {
	struct pci *pci;
	const struct cfg *cfg;
	char *err;
	size_t errlen;
};

static int pci_cfg_device(const char *key, const char *value,
    const char *origin, void *arg)
{
	struct pci_cfg_walk *w = arg;
	const struct pci_devemu *emu;
	const char *rest;
	unsigned int bus, slot, func;
	int r;

	if (cfg_pci_split(key, &bus, &slot, &func, &rest) < 0 ||
	    strcmp(rest, "device") != 0)
		return 0;
	emu = pci_emul_find(value);
	if (emu == NULL) {
		snprintf(w->err, w->errlen, "%s: %s: unknown PCI emulation "
		    "\"%s\" (see -s help)", origin, key, value);
		return -ENOENT;
	}
	r = pci_add_device(w->pci, emu, bus, slot, func, w->cfg, w->err,
	    w->errlen);
	if (r < 0) {
		char tmp[384];

		snprintf(tmp, sizeof(tmp), "%s", w->err);
		snprintf(w->err, w->errlen, "%s: %s", origin, tmp);
	}
	return r;
}

int pci_create_from_cfg(struct pci *pci, const struct cfg *cfg, char *err,
    size_t errlen)
{
	struct pci_cfg_walk w = { pci, cfg, err, errlen };
	unsigned int s, f;
	int r;

	r = cfg_foreach(cfg, "pci.", pci_cfg_device, &w);
	if (r < 0)
		return r;
	/* Linux looks at function 0 first: without it the slot is empty. */
	for (s = 0; s <= PCI_SLOTMAX; s++) {
		for (f = 1; f <= PCI_FUNCMAX; f++) {
			if (pci->dev[s][f] && !pci->dev[s][0]) {
				snprintf(err, errlen, "pci.0.%u.%u: slot %u has "
				    "no function 0, the guest would not see it",
				    s, f, s);
				return -EINVAL;
			}
		}
	}
	return 0;
}

void pci_fini(struct pci *pci)
{
	unsigned int s, f;
	int i;

	for (s = 0; s <= PCI_SLOTMAX; s++) {
		for (f = 0; f <= PCI_FUNCMAX; f++) {
			struct pci_devinst *pi = pci->dev[s][f];

			if (pi == NULL)
				continue;
			if (pi->emu->deinit)
				pi->emu->deinit(pi);
			for (i = 0; i <= PCI_BARMAX; i++)
				pci_bar_unmap(pi, i);
			free(pi->msix.table);
			free(pi->msix.pba);
			pthread_mutex_destroy(&pi->lock);
			free(pi);
			pci->dev[s][f] = NULL;
		}
	}
	pthread_mutex_destroy(&pci->addr_lock);
}
