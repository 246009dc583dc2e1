#!/bin/bash
# A supervisor killed with SIGKILL takes its box with it (PDEATHSIG); the
# run directory and cgroup it could not remove are stale, and the next
# hyve-jail for that VM removes them and starts normally.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
profile "$P" "jail.seccomp=log" "jail.exec_args=--term-exit 1 --sleep 30"
start "$P" "$O"
[ "$(cat "/run/hyve/$NAME/pid")" = "$SUP" ] ||
	fail "pid file $(cat "/run/hyve/$NAME/pid"), supervisor $SUP"
kill -KILL "$SUP"
wait "$SUP" 2>/dev/null
for i in $(seq 50); do
	kill -0 "$BOX" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$BOX" 2>/dev/null && fail "the box outlived its killed supervisor"
[ -d "/run/hyve/$NAME" ] || fail "expected a stale run directory"
"$J" --profile "$P" --dry-run >"$T/plan" 2>&1 || fail "dry-run: $(cat "$T/plan")"
grep -qF "is stale (its hyve-jail, pid $SUP, is gone)" "$T/plan" ||
	fail "dry-run does not see the stale state: $(cat "$T/plan")"
start "$P" "$O"
stop
[ "$RC" = 1 ] || fail "exit status $RC"
jail_clean
