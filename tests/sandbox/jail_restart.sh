#!/bin/bash
# jail.restart=on-reboot: exit 0 (guest reboot) starts a new box, any other
# status ends hyve-jail with it.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
profile "$P" "jail.restart=on-reboot" "jail.exec_args=--minimal"
"$J" --profile "$P" --foreground >"$O" 2>"$O.err"
[ "$?" = 1 ] || fail "exit status"
[ "$(grep -c '^pid=1$' "$O")" = 1 ] || fail "restarted after a power-off"
jail_clean

# The probe exits 0 right away: the supervisor restarts it (at most once a
# second) until it gets SIGTERM.
profile "$P" "jail.restart=on-reboot" "jail.seccomp=log" "jail.exec_args=--exit 0"
"$J" --profile "$P" --foreground >"$O" 2>"$O.err" &
SUP=$!
SUPS+=("$SUP")
sleep 2.5
kill -TERM "$SUP"
wait "$SUP"
n=$(grep -c '^pid=1$' "$O")
[ "$n" -ge 2 ] || fail "started $n times in 2.5 s"
jail_clean
