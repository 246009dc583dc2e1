#!/bin/sh
# SIGTERM to hyve presses the ACPI power button: the guest's button driver
# reports it on its evdev node, the guest's handler (what busybox acpid
# would run) powers off through ACPI S5, and hyve exits 1.  This machine
# has ACPI only (-Y: no MP table) and the AMD host bridge.
# lab-timeout: 240
. "$LAB_KIT/lib.sh"
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
dev=
for e in /sys/class/input/event*; do
	grep -q "Power Button" "$e/device/name" 2>/dev/null && dev=/dev/input/${e##*/}
done
[ -n "$dev" ] || { echo "@@NO_POWER_BUTTON"; ls /sys/class/input; exit 1; }
echo "@@BUTTON_READY $(cat /sys/bus/pci/devices/0000:00:00.0/vendor)"
# one input event (24 bytes on x86-64) is the press
dd if="$dev" of=/dev/null bs=24 count=1 2>/dev/null
echo "@@BUTTON_PRESSED"
poweroff -f
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
hyve -A -Y -s 0,amd_hostbridge -s 31,lpc -l com1,stdio \
	-o boot.kernel="$LAB_KIT/vmlinuz" -o boot.initrd="$LAB_TMP/initrd.gz" \
	-o boot.cmdline="console=ttyS0 quiet panic=-1" vm0 \
	</dev/null >"$LAB_TMP/console" 2>&1 &
pid=$!
if ! lab_wait_for "$LAB_TMP/console" '@@BUTTON_READY|@@NO_POWER_BUTTON' 150; then
	kill -KILL $pid
	cat "$LAB_TMP/console"
	lab_fail "guest never got its power button handler ready"
fi
sleep 1
kill -TERM $pid
# a guest that never stops fails here, not at the lab's timeout
(sleep 60; kill -KILL $pid 2>/dev/null) &
dog=$!
wait $pid
rc=$?
kill $dog 2>/dev/null
cat "$LAB_TMP/console"
[ "$rc" = 137 ] && lab_fail "hyve did not exit within 60 s"
lab_expect "$LAB_TMP/console" '@@BUTTON_READY 0x1022' "no AMD host bridge in slot 0"
lab_expect "$LAB_TMP/console" '@@BUTTON_PRESSED' "the guest saw no power button press"
[ "$rc" = 1 ] || lab_fail "SIGTERM: hyve exit status $rc, expected 1"
echo "ok: SIGTERM -> ACPI power button -> guest poweroff -> exit 1"
