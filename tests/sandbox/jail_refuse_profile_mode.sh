#!/bin/bash
# A profile writable by group or others is refused.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
profile "$P"
chmod 0664 "$P"
refuse "$P" "hyve-jail: $P: profile must not be writable by group or others (mode 0664)"
chmod 0646 "$P"
refuse "$P" "hyve-jail: $P: profile must not be writable by group or others (mode 0646)"
