#!/bin/sh
# hyvectl poweroff presses the ACPI power button (as SIGTERM does): the
# guest powers off, hyve exits 1, its run directory is gone.  hyvectl
# reboot resets: hyve exits 0.
# lab-timeout: 240
. "$LAB_KIT/lib.sh"
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
dev=
for e in /sys/class/input/event*; do
	grep -q "Power Button" "$e/device/name" 2>/dev/null && dev=/dev/input/${e##*/}
done
[ -n "$dev" ] || { echo "@@NO_POWER_BUTTON"; exit 1; }
echo "@@BUTTON_READY"
dd if="$dev" of=/dev/null bs=24 count=1 2>/dev/null
echo "@@BUTTON_PRESSED"
poweroff -f
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
boot() {
	# The old transcript must not satisfy the wait below.
	rm -f "$LAB_TMP/console"
	hyve -A -s 0,hostbridge -s 31,lpc -l com1,stdio \
		-o boot.kernel="$LAB_KIT/vmlinuz" \
		-o boot.initrd="$LAB_TMP/initrd.gz" \
		-o boot.cmdline="console=ttyS0 quiet panic=-1" pwr0 \
		</dev/null >"$LAB_TMP/console" 2>&1 &
	pid=$!
	lab_wait_for "$LAB_TMP/console" '@@BUTTON_READY|@@NO_POWER_BUTTON' 120 || {
		kill -KILL $pid; cat "$LAB_TMP/console"
		lab_fail "guest not ready"; }
	[ -S /run/hyve/pwr0/ctl.sock ] || lab_fail "no /run/hyve/pwr0/ctl.sock"
	[ "$(cat /run/hyve/pwr0/pid)" = "$pid" ] || lab_fail "pid file"
}
boot
sleep 1
hyvectl poweroff -w 60 pwr0 >"$LAB_TMP/out" 2>&1; rc=$?
cat "$LAB_TMP/out"
[ "$rc" = 0 ] || lab_fail "hyvectl poweroff: exit $rc"
lab_expect "$LAB_TMP/out" "pwr0: powered off" "poweroff did not wait for the end"
wait $pid; rc=$?
cat "$LAB_TMP/console"
lab_expect "$LAB_TMP/console" '@@BUTTON_PRESSED' "the guest saw no power button press"
[ "$rc" = 1 ] || lab_fail "hyve exit status $rc after poweroff, expected 1"
[ -e /run/hyve/pwr0 ] && lab_fail "/run/hyve/pwr0 left behind"

boot
hyvectl reboot pwr0 || lab_fail "hyvectl reboot"
wait $pid; rc=$?
[ "$rc" = 0 ] || lab_fail "hyve exit status $rc after reboot, expected 0"
[ -e /run/hyve/pwr0 ] && lab_fail "/run/hyve/pwr0 left behind after reboot"
hyvectl poweroff pwr0 2>"$LAB_TMP/err" && lab_fail "poweroff of a gone VM succeeded"
lab_expect "$LAB_TMP/err" 'no VM named "pwr0"' "gone VM: no clear message"
echo "ok: poweroff -> ACPI -> exit 1 and cleanup; reboot -> exit 0"
