# tests/bench/net.mk: net-bench, the TCP sender/receiver timed on both ends
# of tests/bench/scenarios/45-net.sh (guest and L1 host). Static: it runs
# inside the guest's busybox initramfs. A test tool, never installed.
TOOLS += net-bench
net-bench_SRCS := tests/bench/net_bench.c
ifneq ($(SANITIZE),1)
net-bench_LDFLAGS := -static-pie
endif
