#!/bin/bash
# Taps: one that does not exist is created (IFF_TAP, no PI, vnet_hdr) and
# removed at exit; one the operator made is attached and left in place.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
tap=${TAPP}t0
profile "$P" "jail.seccomp=log" "jail.exec_args=--sleep 30"
start "$P" "$O"
d=$(ip -d link show "$tap") || fail "tap $tap not created"
grep -q "tun type tap pi off vnet_hdr on persist off" <<<"$d" || fail "tap flags: $d"
grep -q ' 7:c10:200 ' "$O" || fail "the box has no tap fd: $(grep ^fds= "$O")"
stop
jail_clean

ip tuntap add dev "$tap" mode tap vnet_hdr || fail "ip tuntap add"
start "$P" "$O"
stop
ip link show "$tap" >/dev/null 2>&1 || fail "the operator's tap was removed"
ip link del "$tap"
jail_clean
