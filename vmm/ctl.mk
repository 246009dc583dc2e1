# vmm/ctl.mk: hyve's control socket server (vmm/ctl.c, hyvectl(8)'s other
# end) and its unit test, which drives it with hyvectl's client code.
# Read before vmm/module.mk (name order): it appends with "+=" too.
hyve_SRCS += vmm/ctl.c common/ctl_proto.c

UNIT_TESTS += test_ctl_server
test_ctl_server_SRCS := tests/unit/test_ctl_server.c vmm/ctl.c vmm/gate.c \
	launcher/hyvectl_client.c launcher/hyvectl_args.c \
	common/ctl_proto.c common/cfg.c common/procfs.c
test_ctl_server_LIBS := -lpthread
