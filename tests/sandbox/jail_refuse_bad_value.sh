#!/bin/bash
# A bad value is refused with file:line: key: reason, nothing created.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
profile "$P" "jail.cgroup.pids.max=lots"
refuse "$P" "hyve-jail: $P:$(line "$P" jail.cgroup.pids.max): jail.cgroup.pids.max: expected \"max\" or a number 1..4194304"
