#!/bin/bash
# The box is pid 1 of its own pid namespace and sees no other process; it
# has its own mount, pid, net, ipc, uts and cgroup namespaces and an empty
# network (lo only).
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
profile "$P" "jail.seccomp=log" "jail.exec_args=--pid $$ --pid 1 --sleep 30"
# no virtio device, no helper: pid 1 is alone (jail_helpers.sh has them)
novirtio "$P"
start "$P" "$O"
want "$O" pid 1
want "$O" ppid 0
want "$O" kill_all ESRCH
want "$O" "pid $$" ESRCH
want "$O" hostname "$NAME"
want "$O" netifs lo
grep -qxP "NSpid:\t$BOX\t1" "/proc/$BOX/status" || fail "NSpid: $(grep NSpid "/proc/$BOX/status")"
for ns in mnt pid net ipc uts cgroup; do
	[ "$(readlink "/proc/$BOX/ns/$ns")" != "$(readlink /proc/self/ns/$ns)" ] ||
		fail "the box shares the host's $ns namespace"
done
stop
jail_clean
