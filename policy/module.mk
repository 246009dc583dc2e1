# policy/: one seccomp policy per process role (*.policy), their compiler,
# the library programs link to install them, and the proof.
#
# A program that installs a policy adds the library to its sources and
# libseccomp to its libraries.  This file is read after vmm/, devices/ and
# launcher/, so use '=' or '+=' (not ':=') when you name $(POLICY_SRCS):
#     hyve_SRCS = vmm/main.c ... $(POLICY_SRCS)     hyve_LIBS += $(POLICY_LIBS)
# and call policy_load("hyve", flags) (see policy/policy.h, hyve-policy(5)).

POLICY_FILES := $(wildcard policy/*.policy)
POLICY_GEN := $(BUILD)/gen/policy/policy_text.c
POLICY_CORE_SRCS := policy/policy_lang.c policy/policy_consts.c \
	policy/policy_bpf.c policy/policy_roles.c
POLICY_SRCS = policy/policy.c $(POLICY_CORE_SRCS) $(POLICY_GEN)
POLICY_LIBS := -lseccomp

# The build-time compiler: checks every policy (syntax, helper rules, filter
# stacking, libseccomp accepts it) and embeds the texts as C strings.  A
# policy that fails the check fails the build.
TOOLS += policyc
policyc_SRCS := policy/policyc.c $(POLICY_CORE_SRCS)
policyc_LIBS := $(POLICY_LIBS)

$(POLICY_GEN): $(POLICY_FILES) $(BUILD)/policyc
	@mkdir -p $(@D)
	$(BUILD)/policyc emit-c $@ policy

# The proof: every allowed rule works under the installed filters, calls
# outside them die with SIGSYS (tests/sandbox/policy_prove.sh).
TOOLS += policy-prove
policy-prove_SRCS = policy/policy_prove.c $(POLICY_SRCS)
policy-prove_LIBS := $(POLICY_LIBS) -lpthread
# Static, like every program hyve-jail execs into an empty root: the proof
# execs itself under launcher.policy.  (ASan cannot link statically: in a
# SANITIZE=1 build the exec step fails and says so.)
ifneq ($(SANITIZE),1)
policy-prove_LDFLAGS := -static-pie
endif

UNIT_TESTS += test_policy
test_policy_SRCS = tests/unit/test_policy.c $(POLICY_SRCS)
test_policy_LIBS := $(POLICY_LIBS)

CHECK_SANDBOX += tests/sandbox/policy_prove.sh
MAN_PAGES += docs/hyve-policy.5

# Per role: syscalls allowed, how many only with argument conditions,
# beside Firecracker's and crosvm's numbers.
.PHONY: policy-report
policy-report: $(BUILD)/policyc
	@$(BUILD)/policyc report policy
