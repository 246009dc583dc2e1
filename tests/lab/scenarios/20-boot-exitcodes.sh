#!/bin/sh
# bhyve's exit status for the ways a guest can stop: `reboot -f` -> 0
# (ACPI reset register 0xcf9, and the i8042 0xfe pulse with reboot=k),
# `halt -f` (every vCPU in HLT with interrupts off) -> 2, a triple fault
# (the kernel's reboot=t method) -> 3.
# lab-timeout: 480
. "$LAB_KIT/lib.sh"

# boot NAME CMD EXTRA_CMDLINE [FLAG]: run hyve (with FLAG instead of -A)
# with a guest whose init runs CMD
boot() {
	printf '#!/bin/sh\necho "@@GUEST_INIT %s"\n%s\n' "$1" "$2" >"$LAB_TMP/init.$1"
	lab_guest_initrd "$LAB_TMP/initrd.$1" "$LAB_TMP/init.$1"
	timeout -k 5 110 hyve ${4--A} -s 0,hostbridge -s 31,lpc -l com1,stdio \
		-o boot.kernel="$LAB_KIT/vmlinuz" \
		-o boot.initrd="$LAB_TMP/initrd.$1" \
		-o boot.cmdline="console=ttyS0 quiet panic=-1 $3" vm0 \
		</dev/null >"$LAB_TMP/console.$1" 2>&1
	rc=$?
	cat "$LAB_TMP/console.$1"
	lab_expect "$LAB_TMP/console.$1" "@@GUEST_INIT $1" "$1: guest did not reach its init"
}

boot reboot "reboot -f" ""
[ "$rc" = 0 ] || lab_fail "reboot -f: hyve exit status $rc, expected 0"
echo "ok: reboot -f -> 0"

boot kbdreset "reboot -f" "reboot=k"
[ "$rc" = 0 ] || lab_fail "reboot=k: hyve exit status $rc, expected 0"
echo "ok: reboot -f through the i8042 (reboot=k) -> 0"

boot halt "halt -f" ""
[ "$rc" = 2 ] || lab_fail "halt -f: hyve exit status $rc, expected 2"
echo "ok: halt -f -> 2"

boot triple "reboot -f" "reboot=t"
[ "$rc" = 3 ] || lab_fail "triple fault: hyve exit status $rc, expected 3"
echo "ok: triple fault -> 3"
