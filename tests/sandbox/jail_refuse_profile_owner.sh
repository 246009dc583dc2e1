#!/bin/bash
# A profile not owned by root is refused.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
profile "$P"
chown 4242 "$P"
refuse "$P" "hyve-jail: $P: profile must be owned by root (owner is uid 4242)"
