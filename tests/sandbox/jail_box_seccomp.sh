#!/bin/bash
# A forbidden syscall kills the box: mount and ptrace die with SIGSYS under
# the launcher policy (kill mode, the default).  open of a path is answered
# ENOENT by that policy (crosvm style: jailed programs get fds), which the
# probe reports.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
for call in mount ptrace; do
	profile "$P" "jail.exec_args=--minimal --call $call"
	"$J" --profile "$P" --foreground >"$O" 2>"$O.err"
	rc=$?
	[ "$rc" = 4 ] || fail "$call: exit status $rc"
	want "$O" Seccomp 2
	want "$O" calling "$call"
	grep -q '^survived=' "$O" && fail "$call: the probe survived"
	grep -qxF "hyve-jail: $NAME: the VM was killed by SIGSYS" "$O.err" ||
		fail "$call: not killed by SIGSYS: $(cat "$O.err")"
	jail_clean
done
profile "$P" "jail.exec_args=--minimal --call open"
"$J" --profile "$P" --foreground >"$O" 2>"$O.err"
[ "$?" = 1 ] || fail "open: exit status"
want "$O" survived "open errno=ENOENT"
jail_clean
