#!/bin/bash
# Without --foreground hyve-jail returns once the box runs; the supervisor
# stays, named by /run/hyve/NAME/pid, logs to /run/hyve/NAME/log, and
# cleans up after SIGTERM.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
profile "$P" "jail.seccomp=log" "jail.exec_args=--term-exit 1 --sleep 30"
timeout 10 "$J" --profile "$P" || fail "hyve-jail did not start the VM"
pidf=/run/hyve/$NAME/pid
[ -s "$pidf" ] || fail "no $pidf"
sup=$(cat "$pidf")
SUPS+=("$sup")
grep -q hyve-jail "/proc/$sup/cmdline" || fail "pid $sup is not hyve-jail"
for i in $(seq 50); do
	grep -q '^sleeping=' "/run/hyve/$NAME/log" 2>/dev/null && break
	sleep 0.1
done
grep -qx 'pid=1' "/run/hyve/$NAME/log" || fail "no probe output in the log"
kill -TERM "$sup"
for i in $(seq 50); do
	kill -0 "$sup" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$sup" 2>/dev/null && fail "supervisor still running"
jail_clean
