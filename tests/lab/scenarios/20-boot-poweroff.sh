#!/bin/sh
# hyve boots Debian's kernel with the busybox initramfs to its /init, the
# guest prints on COM1, and its `poweroff -f` (ACPI S5) makes hyve exit 1.
# The whole machine comes from a -k config file (bhyve_config(5) keys,
# boot.* taking bhyveload's role), and COM1 is an already-open descriptor
# (fd:N, what hyve-jail passes for the console).  Without -x the guest
# gets no x2APIC (bhyve's default).
# lab-timeout: 240
. "$LAB_KIT/lib.sh"
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@GUEST_INIT cpus=$(grep -c ^processor /proc/cpuinfo)"
grep -q x2apic /proc/cpuinfo && echo "@@X2APIC"
grep -q hypervisor /proc/cpuinfo && echo "@@HYPERVISOR"
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
cat >"$LAB_TMP/vm0.conf" <<EOF2
# the lab's first VM
name=vm0
memory.size=256M
acpi_tables=true
pci.0.0.0.device=hostbridge
pci.0.31.0.device=lpc
lpc.com1.path=fd:3
boot.kernel=$LAB_KIT/vmlinuz
boot.initrd=$LAB_TMP/initrd.gz
boot.cmdline=console=ttyS0 quiet panic=-1
EOF2
: >"$LAB_TMP/console"
hyve -k "$LAB_TMP/vm0.conf" 3<>"$LAB_TMP/console" </dev/null 2>"$LAB_TMP/stderr"
rc=$?
cat "$LAB_TMP/console" "$LAB_TMP/stderr"
lab_expect "$LAB_TMP/console" '@@GUEST_INIT cpus=1' "guest did not reach its init"
[ "$rc" = 1 ] || lab_fail "guest poweroff: hyve exit status $rc, expected 1"
lab_expect "$LAB_TMP/console" '@@HYPERVISOR' "CPUID does not say hypervisor"
grep -q '@@X2APIC' "$LAB_TMP/console" && lab_fail "x2APIC offered without -x"
[ -s "$LAB_TMP/stderr" ] && lab_fail "hyve printed on stderr"
echo "ok: guest reached init on COM1 (fd:3, -k file), poweroff -> exit 1"
