# launcher/: hyve-jail, the profile-driven sandbox launcher (hyve-jail(8)).

JAIL_STEP_SRCS := launcher/jail.c launcher/jail_env.c launcher/jail_res.c \
	launcher/jail_cgroup.c launcher/jail_ns.c launcher/jail_root.c \
	launcher/jail_priv.c launcher/jail_run.c launcher/jail_helper.c \
	devices/net_mac.c common/cfg.c common/procfs.c
JAIL_LIBS := -lcap-ng -lbpf

# The box's seccomp filter comes from policy/ (role "launcher", installed
# just before execveat).  Recursive variables: policy/module.mk is read
# after this file.
JAIL_POLICY = $(POLICY_SRCS)

PROGS += hyve-jail
hyve-jail_SRCS = launcher/main.c launcher/jail_profile.c $(JAIL_STEP_SRCS) \
	$(JAIL_POLICY)
hyve-jail_LIBS = $(JAIL_LIBS) $(POLICY_LIBS)

# The sandbox tests' launcher: the same steps, but jail_profile_probe.c
# accepts jail.exec (the probe instead of hyve) and a host without /dev/kvm.
# A tool: built, never installed.
TOOLS += hyve-jail-test jail-probe
hyve-jail-test_SRCS = launcher/main.c launcher/jail_profile_probe.c \
	$(JAIL_STEP_SRCS) $(JAIL_POLICY)
hyve-jail-test_LIBS = $(JAIL_LIBS) $(POLICY_LIBS)
jail-probe_SRCS := launcher/jail_probe.c
# Static: the box has no dynamic loader and no libraries (hyve must be too).
jail-probe_LDFLAGS := -static-pie

UNIT_TESTS += test_jail_profile test_jail_cgroup
test_jail_profile_SRCS = tests/unit/test_jail_profile.c launcher/jail_profile.c \
	$(JAIL_STEP_SRCS) $(JAIL_POLICY)
test_jail_profile_LIBS = $(JAIL_LIBS) $(POLICY_LIBS)
test_jail_cgroup_SRCS = tests/unit/test_jail_cgroup.c launcher/jail_profile.c \
	$(JAIL_STEP_SRCS) $(JAIL_POLICY)
test_jail_cgroup_LIBS = $(JAIL_LIBS) $(POLICY_LIBS)

# Root-only checks of the box on this machine (scripts/run-sandbox.sh runs
# every tests/sandbox/*.sh; listed here for the record).
CHECK_SANDBOX += $(wildcard tests/sandbox/jail_*.sh)
MAN_PAGES += docs/hyve-jail.8
