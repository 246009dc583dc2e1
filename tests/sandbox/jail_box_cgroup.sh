#!/bin/bash
# The box is in its VM's cgroup with the profile's limits: a memory hog is
# killed at memory.max, forks stop at pids.max.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
profile "$P" "jail.seccomp=log" "jail.cgroup.cpu.max=50000 100000" \
	"jail.cgroup.cpu.weight=50" "jail.exec_args=--hog 200 --forks 40 --sleep 30"
start "$P" "$O"
want "$O" hog killed:KILL
# 16 pids: the probe, its two helpers (hyve-blk, hyve-net) and 13 forks
want "$O" forks "13 then EAGAIN"
cg=/proc/$BOX/cgroup
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	grep -qx "0::/hyve/$NAME" "$cg" || fail "cgroup: $(cat "$cg")"
	L=/sys/fs/cgroup/hyve/$NAME
	[ "$(cat $L/memory.max)" = 67108864 ] || fail "memory.max $(cat $L/memory.max)"
	[ "$(cat $L/pids.max)" = 16 ] || fail "pids.max"
	[ "$(cat $L/cpu.max)" = "50000 100000" ] || fail "cpu.max"
	[ "$(cat $L/cpu.weight)" = 50 ] || fail "cpu.weight"
else
	for c in memory pids devices cpuset cpu; do
		grep -qE "^[0-9]+:([a-z,]*,)?$c(,[a-z,]*)?:/hyve/$NAME\$" "$cg" ||
			fail "not in the $c cgroup: $(cat "$cg")"
	done
	[ "$(cat /sys/fs/cgroup/memory/hyve/$NAME/memory.limit_in_bytes)" = 67108864 ] ||
		fail "memory.limit_in_bytes"
	[ "$(cat /sys/fs/cgroup/pids/hyve/$NAME/pids.max)" = 16 ] || fail "pids.max"
	[ "$(cat /sys/fs/cgroup/cpu/hyve/$NAME/cpu.cfs_quota_us)" = 50000 ] || fail "cfs_quota"
	[ "$(cat /sys/fs/cgroup/cpu/hyve/$NAME/cpu.shares)" = 512 ] || fail "cpu.shares"
	[ "$(awk '$1 == "oom_kill" { print $2 }' /sys/fs/cgroup/memory/hyve/$NAME/memory.oom_control)" -ge 1 ] ||
		fail "no OOM kill counted"
	if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		grep -qx "0::/hyve/$NAME" "$cg" || fail "not in the unified leaf: $(cat "$cg")"
	fi
fi
stop
jail_clean
