# devices/blk.mk: hyve-blk, the virtio-blk back end helper, and its tests.
# (Read BEFORE devices/module.mk, which defines VU_SRCS, and policy/module.mk
# comes last: hence "=" wherever they are named, so they expand late.)

BLK_SRCS := devices/blk.c

PROGS += hyve-blk
hyve-blk_SRCS = devices/hyve_blk_main.c devices/helper_fd.c devices/helper_args.c $(BLK_SRCS) $(VU_SRCS) $(POLICY_SRCS)
hyve-blk_LIBS = $(POLICY_LIBS)
# jailed into an empty root: no shared libraries there (ASan cannot link
# statically, so the sanitizer build stays dynamic)
ifneq ($(SANITIZE),1)
hyve-blk_LDFLAGS := -static-pie
endif

UNIT_TESTS += test_blk
test_blk_SRCS = tests/unit/test_blk.c $(BLK_SRCS) $(VU_SRCS)
test_blk_LIBS := -lpthread
# the test also runs the real helper binary from the same build directory
$(BUILD)/test_blk: | $(BUILD)/hyve-blk

MAN_PAGES += docs/hyve-blk.8

# vu-listen: accept one vhost-user connection on a path and exec a helper
# with it (QEMU interop in tests/sandbox/blk_qemu_interop.sh)
TOOLS += vu-listen
vu-listen_SRCS := tests/sandbox/blk_vu_listen.c

# The fuzz target for virtio-blk requests (tests/fuzz/fuzz_blk.c) is listed
# with the others in devices/module.mk: make fuzz.

# blk-bench: the guest's I/O timer for tests/bench/scenarios/40-blk-qemu.sh
# (static: it runs inside the guest's busybox initramfs)
TOOLS += blk-bench
blk-bench_SRCS := tests/bench/blk_bench.c
ifneq ($(SANITIZE),1)
blk-bench_LDFLAGS := -static-pie
endif
