#!/bin/sh
# A helper killed in the middle of the guest's I/O: hyve-blk gets SIGKILL
# while the guest reads its disk in a loop.  hyve must stay up, say which
# device on which slot lost its back end, and let the guest go on (it
# prints, then powers off: exit status 1).
# lab-timeout: 240
. "$LAB_KIT/lib.sh"
lab_mkdisk "$LAB_TMP/disk.img" 64M
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
( while :; do
	dd if=/dev/vda of=/dev/null bs=64k 2>/dev/null
	echo 3 >/proc/sys/vm/drop_caches
done ) &
sleep 1
echo "@@KILL reading"
sleep 12
echo "@@KILL guest alive"
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
: >"$LAB_TMP/console"
hyve -A -m 256M -s 0,hostbridge -s 31,lpc -s 4,virtio-blk,"$LAB_TMP/disk.img" \
	-l com1,fd:3 -o boot.kernel="$LAB_KIT/vmlinuz" \
	-o boot.initrd="$LAB_TMP/initrd.gz" \
	-o boot.cmdline="console=ttyS0 quiet panic=-1" vm0 \
	3<>"$LAB_TMP/console" </dev/null 2>"$LAB_TMP/stderr" &
hpid=$!
lab_wait_for "$LAB_TMP/console" '@@KILL reading' 120 ||
	{ cat "$LAB_TMP/console"; lab_fail "the guest never started reading"; }
sleep 2
bpid=$(lab_pid_of hyve-blk)
[ -n "$bpid" ] || lab_fail "no hyve-blk process"
kill -9 "$bpid"
lab_wait_for "$LAB_TMP/stderr" 'back end' 10 ||
	{ cat "$LAB_TMP/stderr"; lab_fail "hyve did not notice"; }
kill -0 "$hpid" 2>/dev/null || lab_fail "hyve died with its helper"
wait $hpid
rc=$?
cat "$LAB_TMP/console" "$LAB_TMP/stderr"
lab_expect "$LAB_TMP/stderr" \
	"pci.0.4.0 virtio-blk: back end hyve-blk \\(pid $bpid\\) killed by signal 9; device marked NEEDS_RESET" \
	"hyve's message does not name the device, its slot, the helper and how it died"
lab_expect "$LAB_TMP/console" '@@KILL guest alive' \
	"the guest did not go on after its disk's helper died"
[ "$rc" = 1 ] || lab_fail "guest poweroff: hyve exit status $rc, expected 1"
echo "ok: hyve-blk killed mid-I/O, hyve said so and the VM went on"
