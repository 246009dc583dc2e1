/*
 * pci: PCI bus 0 on configuration mechanism #1 and the device framework.
 *
 * As in bhyve, each emulation is one const struct pci_devemu found by name
 * (PCI_EMUL_SET() puts it in a linker set, so devices in other files
 * register themselves).  The framework owns the standard config header,
 * BAR sizing and placement (I/O, 32- and 64-bit memory windows), the
 * capability list and MSI-X (table and PBA in a BAR of their own), and maps
 * BARs into inout/mmio while the guest enables decoding.  Devices see only
 * accesses inside their BARs and config writes the framework does not own.
 *
 * Every config-space offset, size and value comes from the guest: the
 * framework bound-checks them before any device sees them and never lets a
 * guest write reach a read-only field.
 */
#ifndef HYVE_PCI_H
#define HYVE_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/inout.h"
#include "vmm/mmio.h"
#include "vmm/vm.h"

struct cfg;
struct pci;
struct pci_devinst;

#define PCI_SLOTMAX	31
#define PCI_FUNCMAX	7
#define PCI_BARMAX	5
#define PCI_CFG_SIZE	256

/* Config header offsets and bits used by the framework and devices. */
#define PCIR_VENDOR	0x00
#define PCIR_DEVICE	0x02
#define PCIR_COMMAND	0x04
#define PCIR_STATUS	0x06
#define PCIR_REVID	0x08
#define PCIR_PROGIF	0x09
#define PCIR_SUBCLASS	0x0a
#define PCIR_CLASS	0x0b
#define PCIR_CACHELNSZ	0x0c
#define PCIR_LATTIMER	0x0d
#define PCIR_HDRTYPE	0x0e
#define PCIR_BAR0	0x10
#define PCIR_SUBVEND	0x2c
#define PCIR_SUBDEV	0x2e
#define PCIR_CAP_PTR	0x34
#define PCIR_INTLINE	0x3c
#define PCIR_INTPIN	0x3d
#define PCIM_CMD_PORTEN	0x0001
#define PCIM_CMD_MEMEN	0x0002
#define PCIM_CMD_BUSMASTEREN 0x0004
#define PCIM_CMD_INTXDIS 0x0400
#define PCIM_STATUS_CAPPRESENT 0x0010
#define PCIM_HDRTYPE_MFDEV 0x80
#define PCIY_MSIX	0x11
#define PCIM_MSIXCTRL_ENABLE	0x8000
#define PCIM_MSIXCTRL_FMASK	0x4000
#define PCI_MSIX_VCTRL_MASK	0x1
#define PCI_MSIX_MAX_VECTORS	2048

enum pci_bar_type {
	PCI_BAR_NONE,
	PCI_BAR_IO,
	PCI_BAR_MEM32,
	PCI_BAR_MEM64,
	PCI_BAR_MEMHI64,	/* upper half of the previous MEM64 BAR */
};

struct pci_bar {
	enum pci_bar_type type;
	uint64_t addr;
	uint64_t size;
	bool mapped;		/* currently in inout/mmio */
};

struct pci_msix_entry {
	uint64_t addr;
	uint32_t data;
	uint32_t vctrl;
};

/*
 * Locking: cfgwrite, cfgread and barmap are called with the function's
 * pi->lock held (they must not call pci_msix_notify or pci_cfg_*, which
 * take it); barread, barwrite and msix_changed are called without it.
 */
struct pci_devemu {
	const char *name;
	/* Fill ids, class, BARs and capabilities.  prefix: "pci.B.S.F". */
	int (*init)(struct pci_devinst *pi, const struct cfg *cfg,
	    const char *prefix, char *err, size_t errlen);
	void (*deinit)(struct pci_devinst *pi);
	/* Config writes/reads at 0x40 and above the framework does not own
	 * (device-specific registers, capabilities other than MSI-X).
	 * Return 0 if handled, 1 to let the framework store a write (under
	 * the write mask) / return the stored bytes.  Optional. */
	int (*cfgwrite)(struct pci_devinst *pi, int off, int bytes,
	    uint32_t val);
	int (*cfgread)(struct pci_devinst *pi, int off, int bytes,
	    uint32_t *val);
	/* Accesses inside a BAR (offset from its start).  Not called for the
	 * MSI-X BAR, which the framework serves. */
	int (*barwrite)(struct pci_devinst *pi, int bar, uint64_t off,
	    int bytes, uint64_t val);
	int (*barread)(struct pci_devinst *pi, int bar, uint64_t off,
	    int bytes, uint64_t *val);
	/* Optional: a BAR was mapped (enabled=true, at addr) or unmapped
	 * (ioeventfds follow the BAR). */
	void (*barmap)(struct pci_devinst *pi, int bar, bool enabled,
	    uint64_t addr);
	/* Optional: MSI-X entry (or -1: all, enable/mask bits) changed
	 * (irqfd routes follow the table). */
	void (*msix_changed)(struct pci_devinst *pi, int vector);
};

/* Put a descriptor in the set that pci_emul_find() searches. */
#define PCI_EMUL_SET(d) \
	static const struct pci_devemu *const pci_devemu_ptr_##d \
	__attribute__((section("hyve_pci_devemu"), used)) = &(d)

/* What a mapped BAR's inout/mmio handler gets as its argument. */
struct pci_barref {
	struct pci_devinst *pi;
	int idx;
};

struct pci_devinst {
	const struct pci_devemu *emu;
	struct pci *pci;
	unsigned int bus, slot, func;
	char name[32];			/* "pci.0.3.0 virtio-blk" style */
	pthread_mutex_t lock;		/* config space and MSI-X state */
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t cfg_wmask[PCI_CFG_SIZE];	/* writable bits of stored bytes */
	int cap_end;			/* where the next capability goes */
	int cap_last;			/* offset of the last capability */
	struct pci_bar bar[PCI_BARMAX + 1];
	struct pci_barref barref[PCI_BARMAX + 1];
	struct {
		int cap;		/* 0: no MSI-X */
		int bar;
		int nvec;
		uint32_t pba_off;
		bool enabled, fmask;
		struct pci_msix_entry *table;
		uint64_t *pba;
	} msix;
	void *softc;
};

struct pci {
	struct vm *vm;
	struct inout *io;
	struct mmio *mmio;
	pthread_mutex_t addr_lock;	/* the 0xcf8 latch */
	uint32_t addr;
	struct pci_devinst *dev[PCI_SLOTMAX + 1][PCI_FUNCMAX + 1];
	uint64_t io_next, mem32_next, mem64_next;
	uint64_t mem64_base, mem64_end;	/* 0, 0: no 64-bit window */
	/* A byte written to port 0xcf9, which shares its dword with the
	 * 0xcf8 address latch (the lpc's reset control register). */
	void (*cf9_write)(void *arg, uint8_t val);
	void *cf9_arg;
	bool has_lpc;
	void *platform;		/* struct lpc_platform, for the lpc device */
};

const struct pci_devemu *pci_emul_find(const char *name);
/* Each emulation's name in turn, for "-s help"-style listings. */
size_t pci_emul_list(const char **names, size_t max);

int pci_init(struct pci *pci, struct vm *vm, struct inout *io,
    struct mmio *mmio, char *err, size_t errlen);
/* Create every pci.0.S.F.device of the tree. */
int pci_create_from_cfg(struct pci *pci, const struct cfg *cfg, char *err,
    size_t errlen);
/* One device at bus/slot/func (tests, and pci_create_from_cfg). */
int pci_add_device(struct pci *pci, const struct pci_devemu *emu,
    unsigned int bus, unsigned int slot, unsigned int func,
    const struct cfg *cfg, char *err, size_t errlen);
void pci_fini(struct pci *pci);

/* Config mechanism #1 on ports 0xcf8-0xcff (also usable by tests). */
int pci_cfg_io(void *arg, uint16_t port, int bytes, bool in, uint32_t *val);
/* Direct config access to one device (config mechanism agnostic). */
uint32_t pci_cfg_read(struct pci_devinst *pi, int off, int bytes);
void pci_cfg_write(struct pci_devinst *pi, int off, int bytes, uint32_t val);

/* For device init: header fields and read-only defaults. */
void pci_set_cfg8(struct pci_devinst *pi, int off, uint8_t v);
void pci_set_cfg16(struct pci_devinst *pi, int off, uint16_t v);
void pci_set_cfg32(struct pci_devinst *pi, int off, uint32_t v);
uint8_t pci_get_cfg8(const struct pci_devinst *pi, int off);
uint16_t pci_get_cfg16(const struct pci_devinst *pi, int off);
uint32_t pci_get_cfg32(const struct pci_devinst *pi, int off);
/* Make len bytes at off guest-writable (device-specific registers). */
void pci_set_writable(struct pci_devinst *pi, int off, int len);

/* Give BAR idx a size (power of two; I/O >= 4, memory >= 4096) and an
 * address in its window, and enable decoding of its type. */
int pci_emul_alloc_bar(struct pci_devinst *pi, int idx,
    enum pci_bar_type type, uint64_t size);
/* Append a capability of len bytes (data[0] = id, data[1] is set to the
 * next pointer); returns its offset or -ENOSPC. */
int pci_emul_add_capability(struct pci_devinst *pi, const uint8_t *data,
    int len);
/* MSI-X with nvec vectors, table and PBA in BAR bar (allocated here). */
int pci_emul_add_msixcap(struct pci_devinst *pi, int nvec, int bar);
/* Signal MSI-X vector v (pending if masked).  -EINVAL: no such vector,
 * -ENOTCONN: MSI-X not enabled by the guest. */
int pci_msix_notify(struct pci_devinst *pi, int v);

#endif
