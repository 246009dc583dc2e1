# devices/net.mk: hyve-net, the virtio-net back end helper (tap fd over
# vhost-user), its unit test and the sandbox test's fake-guest front end.
# (policy/module.mk comes last, hence '=' where $(POLICY_SRCS) is named.)

# hyve links only devices/net_mac.c (default MAC, mac= parser)
NET_MAC_SRCS := devices/net_mac.c
NET_SRCS := devices/net.c $(NET_MAC_SRCS)

PROGS += hyve-net
hyve-net_SRCS = devices/hyve_net_main.c devices/helper_fd.c devices/helper_args.c $(NET_SRCS) $(VU_SRCS) $(POLICY_SRCS)
hyve-net_LIBS = $(POLICY_LIBS)
# jailed into an empty root: no shared libraries there (ASan cannot link
# statically, so the sanitizer build stays dynamic)
ifneq ($(SANITIZE),1)
hyve-net_LDFLAGS := -static-pie
endif

UNIT_TESTS += test_net
test_net_SRCS = tests/unit/test_net.c devices/net_guest.c $(NET_SRCS) $(VU_SRCS)
test_net_LIBS := -lpthread
# the test also runs the real helper binary from the same build directory
$(BUILD)/test_net: | $(BUILD)/hyve-net

# The fake guest of tests/sandbox/net_tap.sh (rings in a memfd, vu_front).
TOOLS += net-front-test
net-front-test_SRCS = devices/net_front_test.c devices/net_guest.c $(VU_SRCS)
CHECK_SANDBOX += tests/sandbox/net_tap.sh
