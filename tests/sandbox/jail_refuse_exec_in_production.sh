#!/bin/bash
# The production hyve-jail cannot be made to exec anything but hyve: it
# refuses the test build's jail.exec.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
profile "$P"
got=$("$JPROD" --profile "$P" --foreground 2>&1 >/dev/null)
[ "$?" = 4 ] || fail "production hyve-jail accepted jail.exec"
want="hyve-jail: $P:$(line "$P" jail.exec): jail.exec: unknown key (only the test build hyve-jail-test accepts it)"
[ "$got" = "$want" ] || fail "message:
  got:  $got
  want: $want"
jail_clean
grep -qa "jail-probe" "$JPROD" && fail "production binary mentions the probe"
exit 0
