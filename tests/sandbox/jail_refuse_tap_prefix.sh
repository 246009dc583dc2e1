#!/bin/bash
# A tap outside jail.tap_prefix is refused before anything is created.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
profile "$P" "pci.0.3.0.backend=eth0"
refuse "$P" "hyve-jail: $P:$(line "$P" pci.0.3.0.backend): pci.0.3.0.backend: tap \"eth0\" is outside jail.tap_prefix \"$TAPP\" (from $P:$(line "$P" jail.tap_prefix))"
ip link show eth0 >/dev/null 2>&1 && [ "$(cat /sys/class/net/eth0/tun_flags 2>/dev/null)" != "" ] && fail "eth0 became a tap"
exit 0
