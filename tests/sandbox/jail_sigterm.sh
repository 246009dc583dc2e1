#!/bin/bash
# SIGTERM to hyve-jail reaches the VM (hyve turns it into an ACPI power
# button press) and the VM's exit status is hyve-jail's; a VM that ignores
# it is killed after jail.stop_timeout.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
profile "$P" "jail.seccomp=log" "jail.exec_args=--term-exit 1 --sleep 30"
start "$P" "$O"
stop
[ "$RC" = 1 ] || fail "powered-off VM: exit status $RC"
jail_clean

profile "$P" "jail.seccomp=log" "jail.stop_timeout=1" "jail.exec_args=--sleep 30"
start "$P" "$O"
t0=$(date +%s%N)
stop
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$RC" = 4 ] || fail "killed VM: exit status $RC"
grep -qxF "hyve-jail: $NAME: the VM was killed by SIGKILL" "$O.err" || fail "$(cat "$O.err")"
[ "$ms" -ge 900 ] && [ "$ms" -lt 4000 ] || fail "stopped after $ms ms, stop_timeout is 1 s"
jail_clean
