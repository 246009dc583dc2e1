# vmm/virtio.mk: hyve's virtio-pci devices (virtio-blk, virtio-net,
# virtio-rnd) and the vhost-user front end that drives their helpers.
# Read after vmm/module.mk (name order), so '+=' adds to its ':='.
VPCI_SRCS := vmm/pci_virtio.c vmm/virtio_regs.c vmm/virtio_msi.c \
	vmm/virtio_helper.c devices/vu_front.c devices/vu_io.c devices/net_mac.c \
	common/procfs.c

hyve_SRCS += $(VPCI_SRCS)

UNIT_TESTS += test_pci_virtio
test_pci_virtio_SRCS := tests/unit/test_pci_virtio.c $(VPCI_SRCS) \
	vmm/pci.c vmm/inout.c vmm/mmio.c vmm/vm.c vmm/gate.c common/cfg.c
test_pci_virtio_LIBS := -lpthread
# the test runs the real helpers from the same build directory
$(BUILD)/test_pci_virtio: | $(BUILD)/hyve-rng $(BUILD)/hyve-blk \
	$(BUILD)/hyve-net
