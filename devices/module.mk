# devices/: virtqueue, guest memory map and vhost-user code shared by the
# device helpers (hyve-blk, hyve-net, hyve-rng) and hyve's virtio-pci front end.

VIRTQ_SRCS := devices/gmem.c devices/virtq.c

UNIT_TESTS += test_virtq
test_virtq_SRCS := tests/unit/test_virtq.c $(VIRTQ_SRCS)

VU_SRCS := $(VIRTQ_SRCS) devices/vu.c devices/vu_front.c devices/vu_io.c \
	devices/evloop.c

UNIT_TESTS += test_vu
test_vu_SRCS := tests/unit/test_vu.c $(VU_SRCS)
test_vu_LIBS := -lpthread

# The helpers' command-line numbers (hyve-blk, hyve-net, hyve-rng).
UNIT_TESTS += test_helper_args
test_helper_args_SRCS := tests/unit/test_helper_args.c devices/helper_args.c

# ------------------------------------------------------------------ hyve-rng
PROGS += hyve-rng
hyve-rng_SRCS = devices/hyve_rng_main.c devices/helper_fd.c devices/helper_args.c devices/rng.c $(VU_SRCS) $(POLICY_SRCS)
hyve-rng_LIBS = $(POLICY_LIBS)
# static: hyve-jail runs it in an empty root without libraries
ifneq ($(SANITIZE),1)
hyve-rng_LDFLAGS := -static-pie
endif

UNIT_TESTS += test_rng
test_rng_SRCS := tests/unit/test_rng.c devices/rng.c $(VU_SRCS)
test_rng_LIBS := -lpthread
# the test also runs the real helper binary from the same build directory
$(BUILD)/test_rng: | $(BUILD)/hyve-rng

# ------------------------------------------------------------------ fuzz
# `make fuzz`: libFuzzer targets built with clang into build-fuzz/, each run
# for FUZZ_TIME seconds (default 60) on its own corpus directory.
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_DIR := build-fuzz
FUZZ_CFLAGS := -std=gnu11 -g -O1 -I. -Icommon $(WARN) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS := fuzz_virtq fuzz_vu fuzz_blk
fuzz_virtq_FUZZ_SRCS := tests/fuzz/fuzz_virtq.c $(VIRTQ_SRCS)
fuzz_vu_FUZZ_SRCS := tests/fuzz/fuzz_vu.c $(VU_SRCS)
fuzz_blk_FUZZ_SRCS := tests/fuzz/fuzz_blk.c devices/blk.c $(VIRTQ_SRCS)

define FUZZ_template
$(FUZZ_DIR)/$(1): $$($(1)_FUZZ_SRCS) $$(wildcard devices/*.h)
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ $$(filter %.c,$$^)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_template,$(t))))

.PHONY: fuzz fuzz-build
fuzz-build: $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))

fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t; \
		echo "== $$t for $(FUZZ_TIME)s (log: $(FUZZ_DIR)/$$t.log)"; \
		rc=0; $(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_TIME) -max_len=16384 \
			-print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/$$t- \
			$(FUZZ_DIR)/corpus/$$t tests/fuzz/seeds/$$t \
			> $(FUZZ_DIR)/$$t.log 2>&1 || rc=$$?; \
		grep -E 'stat::number_of_executed_units|stat::peak_rss|Done' \
			$(FUZZ_DIR)/$$t.log || true; \
		if [ $$rc != 0 ]; then tail -40 $(FUZZ_DIR)/$$t.log; \
			echo "fuzz: $$t FAILED (artifact in $(FUZZ_DIR)/)"; exit 1; fi; \
	done
