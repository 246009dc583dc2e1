#!/bin/bash
# jail.netns: the box joins the named network namespace instead of a new
# empty one (its taps are fds either way).
. "$(dirname "$0")/jail_lib.bash"
ns=jt$ID
ip netns add "$ns" || fail "ip netns add"
trap 'ip netns del "$ns"; jail_cleanup' EXIT
P=$T/p.conf
O=$T/out
profile "$P" "jail.netns=$ns" "jail.seccomp=log" "jail.exec_args=--sleep 30"
start "$P" "$O"
[ "$(stat -L -c %i "/proc/$BOX/ns/net")" = "$(stat -L -c %i "/run/netns/$ns")" ] ||
	fail "the box is not in $ns"
want "$O" netifs lo
stop
jail_clean
