#!/bin/sh
# The lab itself: /dev/kvm is there and a KVM program of hyve's runs guest code.
# lab-timeout: 60
set -e
. "$LAB_KIT/lib.sh"
[ -c /dev/kvm ] || lab_fail "/dev/kvm is missing"
kvmprobe >"$LAB_TMP/out" 2>&1 || { cat "$LAB_TMP/out"; lab_fail "kvmprobe failed"; }
cat "$LAB_TMP/out"
lab_expect "$LAB_TMP/out" 'sum 1..100 = 5050, COM1 "hyve"' "guest code did not run"
[ -r "$LAB_KIT/vmlinuz" ] && [ -r "$LAB_KIT/initramfs.cpio.gz" ] || lab_fail "guest kit missing"
echo "ok: kvm probe ran guest code; guest kit present"
