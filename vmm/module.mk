# vmm/: hyve, the VMM.  "+=" because vmm/ctl.mk (read first, name order)
# and vmm/virtio.mk (read after) add their sources to hyve too.
PROGS += hyve
hyve_SRCS += vmm/main.c vmm/vm.c vmm/vcpu.c vmm/boot.c vmm/inout.c \
	vmm/mmio.c vmm/pci.c vmm/pci_hostbridge.c vmm/pci_lpc.c \
	vmm/cmdline.c vmm/uart.c vmm/rtc.c vmm/acpi.c vmm/acpi_pm.c \
	vmm/mptable.c vmm/gate.c common/cfg.c
hyve_LIBS += -lpthread
# static: hyve-jail execs it in an empty root without libraries (ASan
# cannot link statically, so the sanitizer build stays dynamic)
ifneq ($(SANITIZE),1)
hyve_LDFLAGS := -static-pie
endif

UNIT_TESTS += test_boot
test_boot_SRCS := tests/unit/test_boot.c vmm/boot.c vmm/vm.c

UNIT_TESTS += test_pci
test_pci_SRCS := tests/unit/test_pci.c vmm/pci.c vmm/pci_hostbridge.c \
	vmm/pci_lpc.c vmm/inout.c vmm/mmio.c vmm/vm.c vmm/uart.c vmm/rtc.c \
	vmm/acpi_pm.c vmm/gate.c common/cfg.c
test_pci_LIBS := -lpthread

UNIT_TESTS += test_gate
test_gate_SRCS := tests/unit/test_gate.c vmm/gate.c
test_gate_LIBS := -lpthread

UNIT_TESTS += test_vcpu
test_vcpu_SRCS := tests/unit/test_vcpu.c vmm/vcpu.c vmm/vm.c vmm/inout.c \
	vmm/mmio.c
test_vcpu_LIBS := -lpthread
