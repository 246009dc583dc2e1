#!/bin/bash
# The cgroup v2 path (this machine's controllers are on v1): run
# jail_cgroup_v2.lab in the lab's L1, whose kernel mounts cgroup2 only.
# Limits in the v2 files, the BPF device filter alone, /dev/kvm as fd 3,
# cleanup.  Needs the lab (scripts/deps.sh); fails loudly without it.
set -uo pipefail
: "${BUILD:?BUILD must name the build directory}"
cd "$(dirname "$0")/../.."
out=$(timeout 280 tests/lab/run --build "$BUILD" --timeout 120 \
	tests/sandbox/jail_cgroup_v2.lab 2>&1)
rc=$?
echo "$out" | grep -E 'FAIL|jail cgroup v2|lab:' >&2
[ "$rc" = 0 ] && grep -q 'jail cgroup v2: ok' <<<"$out"
