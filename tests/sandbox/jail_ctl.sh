#!/bin/bash
# hyve's control socket: hyve-jail binds /run/hyve/NAME/ctl.sock on the
# host (root only), listens, and hands the listening socket to the box as
# its last fd with -o ctl.path=fd:N; it goes with the run directory.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
profile "$P" "jail.seccomp=log" "jail.exec_args=--sleep 30"
start "$P" "$O"
s=/run/hyve/$NAME/ctl.sock
[ "$(stat -c '%F %a %u' "$s")" = "socket 600 0" ] || fail "$s: $(stat -c '%F %a %u' "$s")"
ss -xl | grep -qE "^u_seq +LISTEN .* $s " || fail "nobody listens on $s: $(ss -xl | grep hyve)"
want "$O" opt ctl.path=fd:8
grep -q '^fds=.* 8:sock$' "$O" || fail "fd 8 is not the socket: $(grep ^fds= "$O")"
stop
jail_clean
