/*
 * pci_hostbridge: the PCI host bridge in slot 0 (bhyve's "hostbridge" and
 * "amd_hostbridge").  Only identity registers: the bridge has no BARs and
 * nothing a guest can write changes its behaviour.
 */
#include <stddef.h>

#include "vmm/pci.h"

static int pci_hostbridge_ids(struct pci_devinst *pi, uint16_t vendor,
    uint16_t device)
{
	pci_set_cfg16(pi, PCIR_VENDOR, vendor);
	pci_set_cfg16(pi, PCIR_DEVICE, device);
	pci_set_cfg8(pi, PCIR_CLASS, 0x06);	/* bridge */
	pci_set_cfg8(pi, PCIR_SUBCLASS, 0x00);	/* host */
	return 0;
}

static int pci_hostbridge_init(struct pci_devinst *pi, const struct cfg *cfg,
    const char *prefix, char *err, size_t errlen)
{
	(void)cfg;
	(void)prefix;
	(void)err;
	(void)errlen;
	/* NetApp's ids, as bhyve uses for its host bridge. */
	return pci_hostbridge_ids(pi, 0x1275, 0x1275);
}

static int pci_amd_hostbridge_init(struct pci_devinst *pi,
    const struct cfg *cfg, const char *prefix, char *err, size_t errlen)
{
	(void)cfg;
	(void)prefix;
	(void)err;
	(void)errlen;
	return pci_hostbridge_ids(pi, 0x1022, 0x7432);
}

static const struct pci_devemu pci_de_hostbridge = {
	.name = "hostbridge",
	.init = pci_hostbridge_init,
};
PCI_EMUL_SET(pci_de_hostbridge);

static const struct pci_devemu pci_de_amd_hostbridge = {
	.name = "amd_hostbridge",
	.init = pci_amd_hostbridge_init,
};
PCI_EMUL_SET(pci_de_amd_hostbridge);
