#!/bin/bash
# An unknown key is refused with file:line: key: reason, nothing created.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
profile "$P" "jail.bogus=1"
refuse "$P" "hyve-jail: $P:$(line "$P" jail.bogus): jail.bogus: unknown key"
