# launcher/hyvectl.mk: hyvectl(8), the operator's tool for running VMs, and
# its unit tests.  It talks to hyve's control socket (vmm/ctl.c) with the
# protocol of common/ctl_proto.h.
HYVECTL_LIB_SRCS := launcher/hyvectl_args.c launcher/hyvectl_client.c \
	launcher/hyvectl_fmt.c launcher/hyvectl_console.c common/ctl_proto.c \
	common/procfs.c

PROGS += hyvectl
hyvectl_SRCS := launcher/hyvectl.c $(HYVECTL_LIB_SRCS)

UNIT_TESTS += test_ctl_proto test_hyvectl
test_ctl_proto_SRCS := tests/unit/test_ctl_proto.c common/ctl_proto.c
test_hyvectl_SRCS := tests/unit/test_hyvectl.c $(HYVECTL_LIB_SRCS)

MAN_PAGES += docs/hyvectl.8
