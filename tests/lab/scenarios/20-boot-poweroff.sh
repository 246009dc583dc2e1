#!/bin/sh
# hyve boots Debian's kernel with the busybox initramfs to its /init, the
# guest prints on COM1, and its `poweroff -f` (ACPI S5) makes hyve exit 1.
# lab-timeout: 150
. "$LAB_KIT/lib.sh"
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@GUEST_INIT cpus=$(grep -c ^processor /proc/cpuinfo)"
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
hyve -A -s 0,hostbridge -s 31,lpc -l com1,stdio \
	-o boot.kernel="$LAB_KIT/vmlinuz" -o boot.initrd="$LAB_TMP/initrd.gz" \
	-o boot.cmdline="console=ttyS0 quiet panic=-1" vm0 \
	</dev/null >"$LAB_TMP/console" 2>"$LAB_TMP/stderr"
rc=$?
cat "$LAB_TMP/console" "$LAB_TMP/stderr"
lab_expect "$LAB_TMP/console" '@@GUEST_INIT cpus=1' "guest did not reach its init"
[ "$rc" = 1 ] || lab_fail "guest poweroff: hyve exit status $rc, expected 1"
echo "ok: guest reached init on COM1, poweroff -> exit 1"
