#!/bin/bash
# Sandbox test for policy/: every role's compiled seccomp filter, installed
# as the real programs install it (launcher.policy first, execveat of a
# static program, the role's own policy, vCPU threads on top of hyve's),
# lets every allowed rule through and kills calls outside it with SIGSYS.
# See policy/policy_prove.c.  Runs as root (the probes drop to nobody) and
# needs no KVM: KVM and tap ioctls are made on a bad fd and must get EBADF
# from the kernel, not SIGSYS from the filter.
set -euo pipefail
BUILD=${BUILD:-build}
prove="$BUILD/policy-prove"
[ -x "$prove" ] || { echo "policy_prove: $prove not built" >&2; exit 1; }
# A SANITIZE=1 build cannot link policy-prove statically (ASan), and its
# runtime makes calls no policy allows: the proof is for the real binaries.
if nm "$prove" 2>/dev/null | grep -q __asan_init; then
	echo "policy_prove: $prove is an ASan build; run 'make check-sandbox' without SANITIZE=1" >&2
	exit 1
fi
timeout -s KILL 120 "$prove"
