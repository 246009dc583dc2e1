#!/bin/bash
# The box's root: one read-only tmpfs holding only dev/ with exactly the
# VM's device nodes; no host path is reachable.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
profile "$P" "jail.seccomp=log" "jail.exec_args=--sleep 30"
start "$P" "$O"
R=/proc/$BOX/root
[ "$(ls -A "$R")" = "dev" ] || fail "root holds: $(ls -A "$R")"
devs="null
urandom
zero"
[ -e /dev/kvm ] && devs="kvm
$devs"
[ "$(ls -A "$R/dev")" = "$devs" ] || fail "/dev holds: $(ls -A "$R/dev")"
[ "$(stat -c '%F %t:%T %a' "$R/dev/null")" = "character special file 1:3 666" ] ||
	fail "/dev/null is $(stat -c '%F %t:%T %a' "$R/dev/null")"
[ "$(stat -c '%F %t:%T %a' "$R/dev/urandom")" = "character special file 1:9 444" ] ||
	fail "/dev/urandom is wrong"
for p in etc/passwd proc/1/root run/hyve sys usr "$T"; do
	[ -e "$R/$p" ] && fail "host path $p reachable in the box"
done
# One mount in the box's namespace: its root.
n=$(wc -l <"/proc/$BOX/mountinfo")
[ "$n" = 1 ] || fail "$n mounts in the box: $(cat "/proc/$BOX/mountinfo")"
grep -q ' / / ro,' "/proc/$BOX/mountinfo" || fail "root not read-only: $(cat "/proc/$BOX/mountinfo")"
want "$O" root_writable EROFS
stop
jail_clean
