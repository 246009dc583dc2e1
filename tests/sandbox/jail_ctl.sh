#!/bin/bash
# hyve's control socket: hyve-jail binds /run/hyve/NAME/ctl.sock on the
# host (mode 0660, owned by the VM's uid), does not listen (hyve does, so
# that SO_PEERCRED names hyve), and hands it to the box as its last fd
# with -o ctl.path=fd:N; it goes with the run directory.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
profile "$P" "jail.seccomp=log" "jail.exec_args=--sleep 30"
start "$P" "$O"
s=/run/hyve/$NAME/ctl.sock
u=$(cat "/run/hyve/$NAME/uid")
[ "$(stat -c '%F %a %u %g' "$s")" = "socket 660 $u $u" ] || fail "$s: $(stat -c '%F %a %u %g' "$s")"
ss -xl | grep -qE "^u_seq +LISTEN .* $s " && fail "hyve-jail listens on $s (hyve must)"
want "$O" opt ctl.path=fd:8
grep -q '^fds=.* 8:sock$' "$O" || fail "fd 8 is not the socket: $(grep ^fds= "$O")"
stop
jail_clean
