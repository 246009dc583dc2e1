#!/bin/bash
# An explicit uid that a running VM already has is refused.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
profile "$P" "jail.seccomp=log" "jail.exec_args=--sleep 30" "jail.uid=3999001"
start "$P" "$T/out"
Q=$T/q.conf
NAME=${NAME}b TAPP=${TAPP}b profile "$Q" "jail.uid=3999001"
got=$("$J" --profile "$Q" --foreground 2>&1 >/dev/null)
[ "$?" = 4 ] || fail "second VM started"
want="hyve-jail: $Q:$(line "$Q" jail.uid): jail.uid: uid 3999001 is already used by running VM \"$NAME\""
[ "$got" = "$want" ] || fail "message:
  got:  $got
  want: $want"
jail_clean "${NAME}b" "${TAPP}bt0"
stop
jail_clean
