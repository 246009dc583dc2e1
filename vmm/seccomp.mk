# vmm/seccomp.mk: hyve under its own seccomp policies (vmm/main.c
# sandbox_*(), hyve-policy(5)), and hyve-seccomp-test, the test build whose
# main thread makes a forbidden call on SIGUSR2 (25-seccomp-* scenarios).
# '=' and '+=': POLICY_SRCS comes from policy/module.mk, read last.
hyve_SRCS += $(POLICY_SRCS)
hyve_LIBS += $(POLICY_LIBS)

TOOLS += hyve-seccomp-test
hyve-seccomp-test_SRCS = $(filter-out vmm/main.c,$(hyve_SRCS)) \
	vmm/main_seccomp_test.c
hyve-seccomp-test_LIBS = $(hyve_LIBS)
hyve-seccomp-test_LDFLAGS = $(hyve_LDFLAGS)
