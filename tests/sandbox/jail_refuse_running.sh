#!/bin/bash
# A second hyve-jail for a VM that is running is refused, and leaves the
# running VM alone.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
profile "$P" "jail.seccomp=log" "jail.exec_args=--sleep 30"
start "$P" "$T/out"
got=$("$J" --profile "$P" --foreground 2>&1 >/dev/null)
rc=$?
[ "$rc" = 4 ] || fail "exit status $rc"
want="hyve-jail: $P:1: name: VM \"$NAME\" is already running (/run/hyve/$NAME exists, pid $SUP)"
[ "$got" = "$want" ] || fail "message:
  got:  $got
  want: $want"
kill -0 "$BOX" || fail "the running box was harmed"
[ -e "/run/hyve/$NAME/pid" ] || fail "the running VM's run dir was harmed"
stop
jail_clean
