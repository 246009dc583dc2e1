#!/bin/bash
# uid 0 for the VM is refused.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
profile "$P" "jail.uid=0"
refuse "$P" "hyve-jail: $P:$(line "$P" jail.uid): jail.uid: 0 is root: a VM never runs as root"
