#!/bin/bash
# Sandbox check (root, no KVM): hyvectl console
# on a hyve-jail box whose jail-probe writes to the console pty (fd 5)
# before anyone attaches: the early output is read, a second attach is
# refused with the first one's pid, list shows the VM (as not answering:
# the probe never listens on the control socket hyve-jail bound).
# Run: BUILD=$PWD/build tests/sandbox/hyvectl_console.sh
. "$(dirname "$0")/jail_lib.bash"
H=$BUILD/hyvectl
[ -x "$H" ] || fail "build $H first"
P=$T/p.conf
O=$T/out
profile "$P" "jail.seccomp=log" "jail.exec_args=--console 5 --sleep 30"
start "$P" "$O"
timeout 10 "$H" list >"$T/list" || fail "list: exit $?"
grep -qE "^$NAME +[0-9]+ +[0-9]+ +no-answer " "$T/list" ||
	fail "list: $(cat "$T/list")"
# Written by the box before we attach; nothing on stdin: read until quiet.
timeout 10 "$H" console -q -l 500 "$NAME" </dev/null >"$T/c1" ||
	fail "console: exit $?"
grep -q "hello from the box" "$T/c1" || fail "early console output lost: $(cat "$T/c1")"
# One attach at a time.
sleep 5 | timeout 10 "$H" console -q "$NAME" >/dev/null &
holder=$!
sleep 1
timeout 10 "$H" console "$NAME" </dev/null 2>"$T/c2" && fail "second attach accepted"
grep -qE 'already attached \(pid [0-9]+\)' "$T/c2" || fail "refusal: $(cat "$T/c2")"
wait $holder
stop
jail_clean
echo "ok: hyvectl console reads early output and refuses a second attach"
