#!/bin/bash
# Sandbox test for hyve-net on a real tap (root, no KVM): a fresh network
# namespace gets a tap (IFF_TAP|IFF_NO_PI|IFF_VNET_HDR) with 10.199.77.1/24
# on the host side; net-front-test plays the guest (10.199.77.2) through
# hyve-net, which runs under its seccomp policy: ARP and ICMP echo must be
# answered by the namespace's stack, then a few MB go each way over UDP
# and are counted and checked. Only addresses inside the namespace made
# here are used; the namespace (and with it the tap) is removed on exit,
# whatever happens.
set -euo pipefail
BUILD=${BUILD:-build}
for b in hyve-net net-front-test; do
	[ -x "$BUILD/$b" ] || { echo "net_tap: $BUILD/$b not built" >&2; exit 1; }
done
if nm "$BUILD/hyve-net" 2>/dev/null | grep -q __asan_init; then
	echo "net_tap: $BUILD/hyve-net is an ASan build; run without SANITIZE=1" >&2
	exit 1
fi
[ -c /dev/net/tun ] || { echo "net_tap: no /dev/net/tun" >&2; exit 1; }

ns=hyve-net-test-$$
tap=hvnt0
cleanup() {
	ip -n "$ns" link del "$tap" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" tuntap add dev "$tap" mode tap vnet_hdr
# no IPv6 chatter (router solicitations, DAD) on the test link
ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$tap.disable_ipv6=1"
ip -n "$ns" addr add 10.199.77.1/24 dev "$tap"
ip -n "$ns" link set "$tap" up

timeout -s KILL 120 ip netns exec "$ns" "$BUILD/net-front-test" \
	--helper "$BUILD/hyve-net" --tap "$tap" \
	--host-ip 10.199.77.1 --guest-ip 10.199.77.2 --mb 4
echo "net_tap: ok"
