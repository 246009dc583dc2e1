#!/bin/sh
# A guest that ignores the ACPI power button: hyvectl poweroff -w gives up
# with a clear message, hyvectl destroy stops it at once (exit 4) and
# cleans up.  A hyve whose control thread is stopped (SIGSTOP) is reported
# as not answering within the timeout, never a hang, and destroy kills it.
# lab-timeout: 240
. "$LAB_KIT/lib.sh"
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@UP"
while :; do sleep 1; done
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
boot() {
	# The old transcript must not satisfy the wait below.
	rm -f "$LAB_TMP/console"
	hyve -A -s 0,hostbridge -s 31,lpc -l com1,stdio \
		-o boot.kernel="$LAB_KIT/vmlinuz" \
		-o boot.initrd="$LAB_TMP/initrd.gz" \
		-o boot.cmdline="console=ttyS0 quiet panic=-1" dst0 \
		</dev/null >"$LAB_TMP/console" 2>&1 &
	pid=$!
	lab_wait_for "$LAB_TMP/console" '@@UP' 120 || {
		kill -KILL $pid; cat "$LAB_TMP/console"; lab_fail "guest not up"; }
}
boot
hyvectl poweroff -w 5 dst0 2>"$LAB_TMP/err" && lab_fail "poweroff of a deaf guest reported success"
lab_expect "$LAB_TMP/err" "still running after 5 s" "no clear message"
hyvectl destroy dst0 >"$LAB_TMP/out" || lab_fail "destroy: exit $?"
lab_expect "$LAB_TMP/out" "dst0: destroyed" "destroy did not report"
wait $pid; rc=$?
[ "$rc" = 4 ] || lab_fail "hyve exit status $rc after destroy, expected 4"
lab_expect "$LAB_TMP/console" "destroyed by hyvectl" "hyve did not say why it stopped"
[ -e /run/hyve/dst0 ] && lab_fail "/run/hyve/dst0 left behind"

boot
kill -STOP $pid
t0=$(date +%s)
hyvectl -t 2 stats dst0 2>"$LAB_TMP/err" && lab_fail "stats of a stopped hyve succeeded"
[ $(($(date +%s) - t0)) -le 5 ] || lab_fail "stats hung on a stopped hyve"
lab_expect "$LAB_TMP/err" "not answering" "no clear message for a deaf socket"
hyvectl -t 2 list | grep -E '^dst0 .* no-answer ' || lab_fail "list: not no-answer"
hyvectl -t 2 destroy dst0 >"$LAB_TMP/out" 2>&1 || {
	cat "$LAB_TMP/out"; lab_fail "destroy of a stopped hyve"; }
cat "$LAB_TMP/out"
lab_expect "$LAB_TMP/out" "killed hyve \\(pid $pid\\)" "destroy did not say it killed hyve"
wait $pid; rc=$?
[ "$rc" = 137 ] || lab_fail "hyve status $rc, expected 137 (SIGKILL)"
[ -e /run/hyve/dst0 ] && lab_fail "/run/hyve/dst0 left behind after the kill"

# A run directory left by a hyve that died: stale, and destroy removes it.
mkdir -p /run/hyve/dst1 && echo 999999 >/run/hyve/dst1/pid
hyvectl list | grep -E '^dst1 .* stale ' || lab_fail "dead hyve: not stale"
hyvectl destroy dst1 || lab_fail "destroy of the stale directory"
[ -e /run/hyve/dst1 ] && lab_fail "/run/hyve/dst1 left behind"
echo "ok: destroy stops a guest that ignores ACPI, and a deaf hyve"
