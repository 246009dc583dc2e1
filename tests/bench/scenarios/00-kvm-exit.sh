#!/bin/sh
# The lab's exit costs, which every other figure of the lab rests on: a port
# I/O exit to userspace (what every emulated device register access costs)
# beside a CPUID exit that KVM handles in the kernel, in the same guest.
# lab-timeout: 120
. "$LAB_KIT/lib.sh"
kvmprobe -n 20000 >"$LAB_TMP/out" 2>&1 || { cat "$LAB_TMP/out"; lab_fail "kvmprobe"; }
cat "$LAB_TMP/out"
u=$(sed -n 's/^BENCH kvm_exit_user_us \([0-9.]*\).*/\1/p' "$LAB_TMP/out")
k=$(sed -n 's/^BENCH kvm_exit_kernel_us \([0-9.]*\).*/\1/p' "$LAB_TMP/out")
[ -n "$u" ] && [ -n "$k" ] || lab_fail "no figures"
echo "BENCH|KVM exit to userspace (port I/O)|$u|us|in-kernel exit (CPUID)|$k"
