#!/bin/sh
# The start gate (vmm/gate.h, hyve-policy(5)): the threads of hyve that read
# peers' input -- the UART back end, the control socket, the virtio-rnd
# monitor -- read nothing before hyve.policy is in force on them.  The test
# build hyve-seccomp-test, with HYVE_SECCOMP_TEST_HOLD=N, holds its main
# thread N seconds between the last thread's start and the filter.  In that
# window every thread exists, none has a filter yet, and every thread but
# main waits in futex(2) (syscall 202: the gates), none in poll(2) on a
# peer's fd; a hyvectl request sent then gets no answer.
#   run 1: the filter goes in, the gate opens, the waiting request is
#          answered and the guest boots;
#   run 2 ("N,fail"): the install fails as a refused one would: hyve exits
#          4 with the error, the waiting client never got an answer, and the
#          run directory is gone.
# Without the gate the ctl, UART and monitor threads sit in poll(2) and the
# request is answered at once, before the filter.
# lab-timeout: 240
. "$LAB_KIT/lib.sh"
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@UP"
while :; do sleep 1; done
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"

start() {	# NAME HOLD
	rm -rf "/run/hyve/$1"
	: >"$LAB_TMP/$1.console"
	HYVE_SECCOMP_TEST_HOLD=$2 hyve-seccomp-test -c 1 -s 0,hostbridge \
		-s 31,lpc -s 4,virtio-rnd -l com1,fd:3 \
		-o boot.kernel="$LAB_KIT/vmlinuz" \
		-o boot.initrd="$LAB_TMP/initrd.gz" \
		-o boot.cmdline="console=ttyS0 quiet panic=-1" \
		"$1" 3<>"$LAB_TMP/$1.console" </dev/null \
		2>"$LAB_TMP/$1.stderr" &
	pid=$!
	lab_wait_for "$LAB_TMP/$1.stderr" 'holding [0-9]+ s before the filter' 60 ||
		{ kill -KILL $pid; cat "$LAB_TMP/$1.stderr"; lab_fail "$1: no hold"; }
}

# In the window: no thread filtered, every thread but main at a gate.
in_window() {	# NAME
	threads=0
	for t in /proc/$pid/task/*; do
		threads=$((threads + 1))
		comm=$(cat "$t/comm")
		sc=$(sed -n 's/^Seccomp:[[:space:]]*//p' "$t/status")
		call=$(cut -d' ' -f1 "$t/syscall")
		echo "$1: thread ${t##*/} '$comm': Seccomp=$sc syscall=$call"
		[ "$sc" = 0 ] || lab_fail "$1: thread '$comm' filtered already: the hold is not before the filter"
		[ "${t##*/}" = "$pid" ] && continue
		[ "$call" = 202 ] || lab_fail "$1: thread ${t##*/} '$comm' in syscall $call before the filter, not waiting at its gate (futex, 202)"
	done
	# main, 1 vCPU, COM1 back end, control socket, virtio-rnd monitor
	[ "$threads" -ge 5 ] || lab_fail "$1: only $threads threads (expected 5)"
}

# ---- run 1: the gate opens after the filter
start sg1 4
sleep 1
in_window sg1
hyvectl -t 10 stats sg1 >"$LAB_TMP/info1" 2>&1 &
cpid=$!
sleep 1
grep -q '^Seccomp:[[:space:]]*0' /proc/$pid/status ||
	lab_fail "sg1: the filter went in too early for the test"
kill -0 $cpid 2>/dev/null || { cat "$LAB_TMP/info1"; lab_fail "sg1: hyvectl finished before the filter (answered, or failed)"; }
wait $cpid || { cat "$LAB_TMP/info1" "$LAB_TMP/sg1.stderr"; lab_fail "sg1: hyvectl stats failed after the gate opened"; }
cat "$LAB_TMP/info1"
lab_expect "$LAB_TMP/info1" '^sg1: up' "sg1: hyvectl stats did not describe the VM"
for t in /proc/$pid/task/*; do
	grep -q '^Seccomp:[[:space:]]*2' "$t/status" ||
		lab_fail "sg1: thread ${t##*/} without filter after the gate"
done
lab_wait_for "$LAB_TMP/sg1.console" '@@UP' 150 ||
	{ kill -KILL $pid; cat "$LAB_TMP/sg1.console" "$LAB_TMP/sg1.stderr"; lab_fail "sg1: guest never came up"; }
hyvectl destroy sg1 || lab_fail "sg1: hyvectl destroy: exit $?"
wait $pid
rc=$?
cat "$LAB_TMP/sg1.stderr"
[ "$rc" = 4 ] || lab_fail "sg1: exit status $rc after destroy, expected 4"
[ -e /run/hyve/sg1 ] && lab_fail "sg1: run directory left behind"

# ---- run 2: the install fails; nothing was served
start sg2 3,fail
sleep 1
in_window sg2
hyvectl -t 10 stats sg2 >"$LAB_TMP/info2" 2>&1 &
cpid=$!
(sleep 60; kill -KILL $pid 2>/dev/null) &
dog=$!
wait $pid
rc=$?
kill $dog 2>/dev/null
cat "$LAB_TMP/sg2.stderr"
wait $cpid && { cat "$LAB_TMP/info2"; lab_fail "sg2: hyvectl was answered by a hyve that never had its filter"; }
cat "$LAB_TMP/info2"
[ "$rc" = 4 ] || lab_fail "sg2: exit status $rc, expected 4"
lab_expect "$LAB_TMP/sg2.stderr" 'hyve: seccomp: installing hyve.policy: Operation not permitted \(hyve-seccomp-test\)' "sg2: no install error"
[ -e /run/hyve/sg2 ] && lab_fail "sg2: run directory left behind"
grep -q '@@UP' "$LAB_TMP/sg2.console" && lab_fail "sg2: the guest ran"
echo "ok: before the filter every input thread waits at its gate (futex) and hyvectl gets no answer; after it the answer comes, and a failed install serves nobody"
