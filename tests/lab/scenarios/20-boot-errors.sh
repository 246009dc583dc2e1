#!/bin/sh
# Every refusal is one clear line on stderr and exit status 4, before a
# guest runs: missing kernel, not a kernel, bad flag, a slot used twice,
# guest memory the host cannot give.
# lab-timeout: 60
. "$LAB_KIT/lib.sh"
K="$LAB_KIT/vmlinuz"

# refuse WHAT PATTERN HYVE-ARGS...: expect status 4 and one matching line
refuse() {
	what=$1 pat=$2
	shift 2
	timeout 30 hyve "$@" </dev/null >"$LAB_TMP/out" 2>"$LAB_TMP/err"
	rc=$?
	cat "$LAB_TMP/err"
	[ "$rc" = 4 ] || lab_fail "$what: exit status $rc, expected 4"
	[ "$(wc -l <"$LAB_TMP/err")" = 1 ] || lab_fail "$what: not one line of error"
	grep -q -E -e "$pat" "$LAB_TMP/err" || lab_fail "$what: message does not match '$pat'"
	[ -s "$LAB_TMP/out" ] && lab_fail "$what: output on stdout"
	echo "ok: $what"
}

refuse "missing kernel" "boot.kernel=/nonexistent.*No such file" \
	-o boot.kernel=/nonexistent vm0
refuse "not a kernel" "not a Linux bzImage" \
	-s 0,hostbridge -o boot.kernel="$LAB_KIT/initramfs.cpio.gz" vm0
refuse "bad flag" "unknown flag" -Z -o boot.kernel="$K" vm0
refuse "slot used twice" "slot .*already" \
	-s 3,hostbridge -s 3,amd_hostbridge -o boot.kernel="$K" vm0
refuse "unknown emulation" "no-such-dev" -s 3,no-such-dev -o boot.kernel="$K" vm0
refuse "memory the host lacks" "cannot allocate" -m 900G -o boot.kernel="$K" vm0
refuse "too many vCPUs for the topology" "cpus|sockets" \
	-c cpus=3,sockets=2 -o boot.kernel="$K" vm0
refuse "guest RAM too small for the kernel" "kernel needs .* low memory" \
	-m 32M -o boot.kernel="$K" vm0
truncate -s 120M "$LAB_TMP/big.img"
refuse "initrd larger than guest RAM" "initrd of .* does not fit" -m 128M \
	-o boot.kernel="$K" -o boot.initrd="$LAB_TMP/big.img" vm0
