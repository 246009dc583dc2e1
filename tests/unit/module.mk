# Unit tests (cmocka): one binary per module, run from the repo root by
# `make check-unit`.
UNIT_TESTS += test_cfg
test_cfg_SRCS := tests/unit/test_cfg.c common/cfg.c

UNIT_TESTS += test_procfs
test_procfs_SRCS := tests/unit/test_procfs.c common/procfs.c

UNIT_TESTS += test_cmdline
test_cmdline_SRCS := tests/unit/test_cmdline.c vmm/cmdline.c common/cfg.c

UNIT_TESTS += test_uart
test_uart_SRCS := tests/unit/test_uart.c vmm/uart.c vmm/gate.c
test_uart_LIBS := -lpthread

UNIT_TESTS += test_rtc
test_rtc_SRCS := tests/unit/test_rtc.c vmm/rtc.c
test_rtc_LIBS := -lpthread

UNIT_TESTS += test_acpi
test_acpi_SRCS := tests/unit/test_acpi.c vmm/acpi.c vmm/acpi_pm.c
test_acpi_LIBS := -lpthread

UNIT_TESTS += test_mptable
test_mptable_SRCS := tests/unit/test_mptable.c vmm/mptable.c
