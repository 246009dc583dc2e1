#!/bin/sh
# Two vCPUs and two virtio devices at once (virtio-rnd in slot 4,
# virtio-blk in slot 5, each with its own helper): the guest moves its
# virtio interrupts between CPUs (MSI-X table rewrites while the queues
# run, which re-route the irqfds) and keeps both devices working.
# lab-timeout: 240
. "$LAB_KIT/lib.sh"
lab_mkdisk "$LAB_TMP/disk.img" 8M
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@SMP cpus=$(grep -c ^processor /proc/cpuinfo)"
ok=0
for round in 1 2 3 4; do
	for irq in $(grep virtio /proc/interrupts | cut -d: -f1); do
		echo $((round % 2 + 1)) >/proc/irq/$irq/smp_affinity 2>/dev/null
	done
	dd if=/dev/hwrng bs=64 count=4 2>/dev/null | wc -c | grep -qx 256 &&
	dd if=/dev/urandom of=/tmp/d bs=4k count=16 2>/dev/null &&
	dd if=/tmp/d of=/dev/vda bs=4k seek=$round conv=fsync 2>/dev/null &&
	echo 3 >/proc/sys/vm/drop_caches &&
	dd if=/dev/vda bs=4k skip=$round count=16 2>/dev/null | cmp -s - /tmp/d &&
	ok=$((ok + 1))
done
echo "@@SMP rounds ok=$ok"
n=$(grep virtio /proc/interrupts | awk '{ s += $2 + $3 } END { print s }')
echo "@@SMP virtio interrupts=$n"
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
: >"$LAB_TMP/console"
hyve -A -c 2 -m 256M -s 0,hostbridge -s 31,lpc -s 4,virtio-rnd \
	-s 5,virtio-blk,"$LAB_TMP/disk.img" -l com1,fd:3 \
	-o boot.kernel="$LAB_KIT/vmlinuz" -o boot.initrd="$LAB_TMP/initrd.gz" \
	-o boot.cmdline="console=ttyS0 quiet panic=-1" vm0 \
	3<>"$LAB_TMP/console" </dev/null 2>"$LAB_TMP/stderr"
rc=$?
cat "$LAB_TMP/console" "$LAB_TMP/stderr"
lab_expect "$LAB_TMP/console" '@@SMP cpus=2' "the guest does not have 2 CPUs"
lab_expect "$LAB_TMP/console" '@@SMP rounds ok=4' \
	"a device stopped working while its interrupts moved"
lab_expect "$LAB_TMP/console" '@@SMP virtio interrupts=[1-9]' \
	"the guest counted no virtio interrupts"
[ "$rc" = 1 ] || lab_fail "guest poweroff: hyve exit status $rc, expected 1"
[ -s "$LAB_TMP/stderr" ] && lab_fail "hyve printed on stderr"
echo "ok: 2 vCPUs, virtio-rnd and virtio-blk, interrupts moved between CPUs"
