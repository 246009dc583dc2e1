# hyve: the one entry point.
#
#   make                 build every program into build/
#   make check           install dependencies, then unit, sandbox and lab tests
#   make check-unit      cmocka unit tests (add SANITIZE=1 for ASan+UBSan in build-san/)
#   make check-sandbox   root-only sandbox tests that need no KVM
#   make check-lab       lab scenarios on a real /dev/kvm (nested under TCG if needed)
#   make bench           benchmarks, printed beside their reference runs
#   make demo            boot the demo VM (natively or in the lab) and show its console
#   make install         PREFIX=/usr/local DESTDIR= : programs, man pages, policies, profiles
#
# Each folder adds its programs and tests in its own module.mk or other *.mk
# files (all read in name order, policy/module.mk last; use '=' to name a
# variable another .mk file defines):
#   PROGS += name         name_SRCS := a.c b.c   name_LIBS := -lfoo
#   UNIT_TESTS += name    (same variables; linked with cmocka, run by check-unit)
#   TOOLS += name         (built helpers for tests and benches, not installed)
# Objects are shared between programs that list the same source.

PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/hyve
SYSCONFDIR ?= /etc

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wimplicit-fallthrough -Wvla -Wcast-qual -Wwrite-strings
ifneq ($(WERROR),0)
WARN += -Werror
endif
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
OPT ?= -O2 -g

ifeq ($(SANITIZE),1)
BUILD ?= build-san
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT := -O1 -g
else
BUILD ?= build
SAN :=
endif

ALL_CFLAGS = -std=gnu11 $(WARN) $(HARDEN) $(OPT) $(SAN) -I. -Icommon $(CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(SAN) $(LDFLAGS)

PROGS :=
UNIT_TESTS :=
TOOLS :=
MAN_PAGES :=
CHECK_SANDBOX :=

# Every folder's *.mk, policy/ last: it defines POLICY_SRCS, which programs
# name with '=' so that it expands late.
MODULES := $(filter-out policy/module.mk,$(sort $(wildcard */*.mk tests/*/*.mk))) \
	$(wildcard policy/module.mk)
# A bare `make` builds everything: without this the first rule in a module
# file (devices/blk.mk's order-only one for test_blk) became the default
# goal, and `make` left a stale hyve behind without a word.
.DEFAULT_GOAL := all
include $(MODULES)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

all: $(addprefix $(BUILD)/,$(PROGS) $(TOOLS))

define LINK_template
$(BUILD)/$(1): $$(call obj,$$($(1)_SRCS))
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_LDFLAGS) $$($(1)_LDFLAGS) -o $$@ $$^ $$($(1)_LIBS)
endef
$(foreach p,$(PROGS) $(TOOLS),$(eval $(call LINK_template,$(p))))
$(foreach t,$(UNIT_TESTS),$(eval $(t)_LIBS += -lcmocka))
$(foreach t,$(UNIT_TESTS),$(eval $(call LINK_template,$(t))))

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CFLAGS_$(subst /,_,$*)) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ------------------------------------------------------------------ tests
.PHONY: all deps check check-unit check-sandbox check-lab bench demo install \
	clean lint-man

deps:
	scripts/deps.sh

check: deps
	$(MAKE) all
	$(MAKE) check-unit
	$(MAKE) check-sandbox
	$(MAKE) check-lab
	$(MAKE) lint-man

UNIT_BINS = $(addprefix $(BUILD)/,$(UNIT_TESTS))
check-unit: $(UNIT_BINS)
	@scripts/run-unit.sh $(UNIT_BINS)

check-sandbox: all
	@scripts/run-sandbox.sh $(BUILD)

check-lab: all
	tests/lab/run --build $(BUILD) --suite tests/lab/scenarios/*.sh

bench: all
	tests/bench/run --build $(BUILD)

demo: deps
	$(MAKE) all
	scripts/demo.sh $(BUILD)

lint-man:
	@set -e; for m in docs/*.[1-8]; do [ -e "$$m" ] || continue; \
		mandoc -Tlint -W warning "$$m"; done; echo "mandoc -Tlint: clean"
	@scripts/check-docs.sh

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(DATADIR)/policy $(DESTDIR)$(DATADIR)/profiles
	for p in $(PROGS); do install -m 0755 $(BUILD)/$$p $(DESTDIR)$(SBINDIR)/$$p; done
	for m in docs/*.5; do [ -e "$$m" ] && install -m 0644 $$m $(DESTDIR)$(MANDIR)/man5/ || true; done
	for m in docs/*.8; do [ -e "$$m" ] && install -m 0644 $$m $(DESTDIR)$(MANDIR)/man8/ || true; done
	for f in policy/*.policy; do [ -e "$$f" ] && install -m 0644 $$f $(DESTDIR)$(DATADIR)/policy/ || true; done
	for f in profiles/*.conf; do [ -e "$$f" ] && install -m 0644 $$f $(DESTDIR)$(DATADIR)/profiles/ || true; done

clean:
	rm -rf build build-san build-fuzz
