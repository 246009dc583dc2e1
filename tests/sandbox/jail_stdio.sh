#!/bin/bash
# The box never holds the caller's terminal or files: stdin is /dev/null,
# stdout and stderr are pipes the supervisor relays.  Only a serial port on
# stdio (bhyve's -l com1,stdio) hands the caller's stdio over.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
profile "$P" "jail.seccomp=log" "jail.exec_args=--exit 1"
"$J" --profile "$P" --foreground >"$O" 2>"$O.err" </dev/zero
[ "$?" = 1 ] || fail "exit status"
grep -q '^fds=0:c1:3 1:fifo 2:fifo ' "$O" || fail "$(grep ^fds= "$O")"
grep -qx done "$O" || fail "output not relayed"
jail_clean
profile "$P" "jail.seccomp=log" "jail.exec_args=--exit 1" "lpc.com2.path=stdio"
"$J" --profile "$P" --foreground >"$O" 2>"$O.err" </dev/zero
[ "$?" = 1 ] || fail "exit status"
grep -q '^fds=0:c1:5 1:reg 2:reg ' "$O" || fail "stdio serial: $(grep ^fds= "$O")"
jail_clean
