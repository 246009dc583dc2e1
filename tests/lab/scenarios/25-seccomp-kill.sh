#!/bin/sh
# A forbidden system call kills hyve (default seccomp=kill): the test build
# hyve-seccomp-test (same sources as hyve plus HYVE_SECCOMP_TEST; hyve
# itself has no such trigger) calls mount(2) on its main thread when it
# gets SIGUSR2, after its filter is in.  It must die of SIGSYS (exit status
# 159 from the shell) and never return from the call; the kernel's audit
# line (type=1326, syscall=165) is shown when the lab's kernel prints it.
# lab-timeout: 200
. "$LAB_KIT/lib.sh"
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@UP"
while :; do sleep 1; done
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
rm -rf /run/hyve/sk0
: >"$LAB_TMP/console"
hyve-seccomp-test -c 2 -s 0,hostbridge -s 31,lpc -l com1,fd:3 \
	-o boot.kernel="$LAB_KIT/vmlinuz" -o boot.initrd="$LAB_TMP/initrd.gz" \
	-o boot.cmdline="console=ttyS0 quiet panic=-1" \
	sk0 3<>"$LAB_TMP/console" </dev/null 2>"$LAB_TMP/stderr" &
pid=$!
if ! lab_wait_for "$LAB_TMP/console" '@@UP' 150; then
	kill -KILL $pid
	cat "$LAB_TMP/console" "$LAB_TMP/stderr"
	lab_fail "guest never came up"
fi
grep -q '^Seccomp:[[:space:]]*2' /proc/$pid/status || lab_fail "no filter on hyve's main thread"
kill -USR2 $pid
(sleep 30; kill -KILL $pid 2>/dev/null) &
dog=$!
wait $pid
rc=$?
kill $dog 2>/dev/null
# killed, it could not remove its run directory (hyvectl would call it stale)
rm -rf /run/hyve/sk0
cat "$LAB_TMP/stderr"
lab_expect "$LAB_TMP/stderr" 'hyve-seccomp-test: calling mount\(2\), syscall 165' "the trigger did not run"
grep -q 'still alive' "$LAB_TMP/stderr" && lab_fail "mount(2) returned to hyve under seccomp=kill"
[ "$rc" = 159 ] || lab_fail "hyve exit status $rc, expected 159 (SIGSYS)"
if dmesg | grep 'type=1326' | grep "pid=$pid " | grep -q 'syscall=165'; then
	dmesg | grep 'type=1326' | grep "pid=$pid " | tail -1
else
	echo "note: no audit line for pid $pid in this kernel log (the exit status shows SIGSYS)"
fi
echo "ok: mount(2) after the filter killed hyve with SIGSYS (exit 159)"
