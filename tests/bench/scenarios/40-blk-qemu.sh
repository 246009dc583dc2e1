#!/bin/sh
# virtio-blk in the guest under hyve (whose disk is served by hyve-blk),
# beside Debian's QEMU with KVM and its own virtio-blk on the same image in
# the same lab run; and QEMU with -device vhost-user-blk-pci served by
# hyve-blk, which isolates the helper's share. The same guest runs
# blk-bench (tests/bench/blk_bench.c, static, in its initramfs): 1 MiB
# sequential reads and writes (MB/s) and 4 KiB random reads and writes
# (IOPS), O_DIRECT, queue depth 1, a fixed time each. QEMU's drive uses
# cache=writeback, aio=threads: the host page cache, as hyve-blk does.
# Also hyve-blk's peak memory (VmHWM) under hyve.
# lab-timeout: 420
. "$LAB_KIT/lib.sh"
command -v qemu-system-x86_64 >/dev/null || lab_fail "no qemu in the lab (run with --with-qemu)"
IMG=$LAB_TMP/disk.img
lab_mkdisk "$IMG" 160M
dd if=/dev/zero of="$IMG" bs=1M count=160 conv=notrunc 2>/dev/null   # no holes: reads do I/O
SECS=${BLK_BENCH_SECS:-3}

cat >"$LAB_TMP/init" <<G
#!/bin/sh
for m in "seqread 1048576" "seqwrite 1048576" "randread 4096" "randwrite 4096"; do
	/files/blk-bench /dev/vda \$m $SECS || echo "@@B failed \$m"
done
echo "@@IO done"
sleep 3
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init" "$HYVE_BIN/blk-bench"

# qemu NAME DEVICE-ARGS...: start the guest, console in $LAB_TMP/NAME
qemu() {
	name=$1; shift
	: >"$LAB_TMP/$name"
	timeout 300 qemu-system-x86_64 -accel kvm -cpu host -m 256M -smp 1 \
		-nodefaults -display none -serial stdio -no-reboot -net none \
		-object memory-backend-memfd,id=mem,size=256M,share=on -numa node,memdev=mem \
		"$@" -kernel "$LAB_KIT/vmlinuz" -initrd "$LAB_TMP/initrd.gz" \
		-append 'console=ttyS0 quiet panic=-1' </dev/null >"$LAB_TMP/$name" 2>&1 &
	VPID=$!
}

# io_done NAME: wait until the guest has its figures (VM $VPID still up)
io_done() {
	i=0
	until grep -q '@@IO done' "$LAB_TMP/$1"; do
		kill -0 $VPID 2>/dev/null && [ $i -lt 1500 ] ||
			{ tail -20 "$LAB_TMP/$1"; lab_fail "$1: the guest did not finish"; }
		sleep 0.2; i=$((i + 1))
	done
}

# figures NAME: "seqread seqwrite randread randwrite" (MB/s MB/s IOPS IOPS)
figures() {
	tr -d '\r' <"$LAB_TMP/$1" | grep -o '@@B .*' | awk '
		/failed/ { bad = 1 }
		{ v[$2] = ($2 ~ /^seq/) ? $4 : $5 }
		END { if (bad || !("randwrite" in v)) exit 1
		      print v["seqread"], v["seqwrite"], v["randread"], v["randwrite"] }'
}

# 1. hyve, which starts hyve-blk itself (bare mode)
: >"$LAB_TMP/hyve"
hyve -A -m 256M -s 0,hostbridge -s 31,lpc -s 3,virtio-blk,"$IMG" -l com1,fd:3 \
	-o boot.kernel="$LAB_KIT/vmlinuz" -o boot.initrd="$LAB_TMP/initrd.gz" \
	-o boot.cmdline="console=ttyS0 quiet panic=-1" \
	vm0 3<>"$LAB_TMP/hyve" </dev/null 2>"$LAB_TMP/hyve.err" &
VPID=$!
io_done hyve
hwm=
for p in /proc/[0-9]*; do
	[ "$(cat "$p/comm" 2>/dev/null)" = hyve-blk ] &&
		hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "$p/status")
done
wait $VPID
[ $? = 1 ] || lab_fail "hyve did not power off cleanly: $(cat "$LAB_TMP/hyve.err")"
H=$(figures hyve) || { cat "$LAB_TMP/hyve"; lab_fail "no figures from hyve"; }

# 2. QEMU with hyve-blk as its vhost-user back end
SOCK=$LAB_TMP/blk.sock
vu-listen -t 60 -f "3:rw:$IMG" "$SOCK" "$HYVE_BIN/hyve-blk" --fd @fd --disk-fd 3 \
	2>"$LAB_TMP/hyve-blk.err" &
HPID=$!
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
qemu vhost -chardev socket,id=c,path="$SOCK" -device vhost-user-blk-pci,chardev=c,num-queues=1
io_done vhost
wait $VPID || lab_fail "qemu (vhost-user-blk) failed: $(tail -5 "$LAB_TMP/vhost")"
wait $HPID || lab_fail "hyve-blk exit status $?: $(cat "$LAB_TMP/hyve-blk.err")"
V=$(figures vhost) || { cat "$LAB_TMP/vhost"; lab_fail "no figures from QEMU+hyve-blk"; }

# 3. QEMU's own virtio-blk: the reference
qemu qemu -drive file="$IMG",if=none,id=d,format=raw,cache=writeback,aio=threads \
	-device virtio-blk-pci,drive=d
io_done qemu
wait $VPID || lab_fail "qemu (virtio-blk) failed: $(tail -5 "$LAB_TMP/qemu")"
Q=$(figures qemu) || { cat "$LAB_TMP/qemu"; lab_fail "no figures from QEMU"; }

set -- $H $V $Q
R="QEMU virtio-blk (KVM)"
echo "BENCH|blk seq read 1M, hyve|$1|MB/s|$R|$9"
echo "BENCH|blk seq write 1M, hyve|$2|MB/s|$R|${10}"
echo "BENCH|blk rand read 4k QD1, hyve|$3|IOPS|$R|${11}"
echo "BENCH|blk rand write 4k QD1, hyve|$4|IOPS|$R|${12}"
echo "BENCH|blk seq read 1M, QEMU+hyve-blk|$5|MB/s|$R|$9"
echo "BENCH|blk seq write 1M, QEMU+hyve-blk|$6|MB/s|$R|${10}"
echo "BENCH|blk rand read 4k QD1, QEMU+hyve-blk|$7|IOPS|$R|${11}"
echo "BENCH|blk rand write 4k QD1, QEMU+hyve-blk|$8|IOPS|$R|${12}"
[ -n "$hwm" ] || lab_fail "could not read hyve-blk's VmHWM under hyve"
echo "BENCH|hyve-blk peak RSS under hyve|$hwm|KiB|none|0"
