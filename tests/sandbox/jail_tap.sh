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
grep -q 'c10:200' "$O" && fail "the VMM holds the tap: $(grep ^fds= "$O")"
HN=$(helper hyve-net) || exit 1
[ "$(stat -L -c '%t:%T' "/proc/$HN/fd/4")" = "a:c8" ] || fail "hyve-net's fd 4 is not the tap"
grep -q "^iff:.*$tap" "/proc/$HN/fdinfo/4" || fail "hyve-net's fd 4 is not $tap: $(cat "/proc/$HN/fdinfo/4")"
stop
jail_clean

ip tuntap add dev "$tap" mode tap vnet_hdr || fail "ip tuntap add"
start "$P" "$O"
stop
ip link show "$tap" >/dev/null 2>&1 || fail "the operator's tap was removed"
ip link del "$tap"
jail_clean
