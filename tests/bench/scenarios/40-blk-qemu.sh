#!/bin/sh
# virtio-blk in the guest under hyve (whose disk is served by hyve-blk),
# beside Debian's QEMU with KVM and its own virtio-blk on the same image in
# the same lab run; and QEMU with -device vhost-user-blk-pci served by
# hyve-blk, which isolates the helper's share. The same guest runs
# blk-bench (tests/bench/blk_bench.c, static, in its initramfs): 1 MiB
# sequential reads and writes (MB/s) and 4 KiB random reads and writes
# (IOPS), O_DIRECT, queue depth 1, BLK_BENCH_SECS (3) seconds each. QEMU's
# drive uses cache=writeback, aio=threads: the host page cache, as hyve-blk
# does. Also hyve-blk's peak memory (VmHWM) under hyve.
#
# Rounds: on the 2-core lab host, load from elsewhere can slow one phase by
# up to 7x, and a single pass per VMM once made hyve look 4-5x slower than
# QEMU when it was on par. So the three VMMs run BENCH_ROUNDS (3) times,
# interleaved (hyve, QEMU+hyve-blk, QEMU, hyve, ...), so that a burst of
# load hits every VMM's figures alike rather than one VMM's only; each BENCH
# figure is the median across rounds, and each round's raw figures are
# printed too ("blk round N/M: ...") so the spread is visible. The VmHWM is
# the largest across rounds: it is a peak, and load does not shrink it.
# Nested lab: about 90 s per round with the defaults, 4.5 minutes in all
# (environment variables do not reach L1, so there the defaults apply).
# lab-timeout: 600
. "$LAB_KIT/lib.sh"
command -v qemu-system-x86_64 >/dev/null || lab_fail "no qemu in the lab (run with --with-qemu)"
IMG=$LAB_TMP/disk.img
lab_mkdisk "$IMG" 160M
dd if=/dev/zero of="$IMG" bs=1M count=160 conv=notrunc 2>/dev/null   # no holes: reads do I/O
SECS=${BLK_BENCH_SECS:-3}
ROUNDS=${BENCH_ROUNDS:-3}
case $ROUNDS in '' | *[!0-9]* | 0*) lab_fail "BENCH_ROUNDS=$ROUNDS: want a positive integer" ;; esac

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


# run_hyve R: hyve, which starts hyve-blk itself (bare mode); appends the
# figures to $LAB_TMP/all.hyve and hyve-blk's VmHWM (kB) to $LAB_TMP/hwm
run_hyve() {
	n=hyve.$1
	: >"$LAB_TMP/$n"
	hyve -A -m 256M -s 0,hostbridge -s 31,lpc -s 3,virtio-blk,"$IMG" -l com1,fd:3 \
		-o boot.kernel="$LAB_KIT/vmlinuz" -o boot.initrd="$LAB_TMP/initrd.gz" \
		-o boot.cmdline="console=ttyS0 quiet panic=-1" \
		vm0 3<>"$LAB_TMP/$n" </dev/null 2>"$LAB_TMP/$n.err" &
	VPID=$!
	io_done "$n"
	hwm=
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = hyve-blk ] &&
			hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "$p/status")
	done
	wait $VPID
	[ $? = 1 ] || lab_fail "$n: hyve did not power off cleanly: $(cat "$LAB_TMP/$n.err")"
	[ -n "$hwm" ] || lab_fail "$n: could not read hyve-blk's VmHWM under hyve"
	echo "$hwm" >>"$LAB_TMP/hwm"
	f=$(figures "$n") || { cat "$LAB_TMP/$n"; lab_fail "$n: no figures from hyve"; }
	echo "$f" >>"$LAB_TMP/all.hyve"
}

# run_vhost R: QEMU with hyve-blk as its vhost-user back end
run_vhost() {
	n=vhost.$1
	SOCK=$LAB_TMP/blk.sock
	rm -f "$SOCK"
	vu-listen -t 60 -f "3:rw:$IMG" "$SOCK" "$HYVE_BIN/hyve-blk" --fd @fd --disk-fd 3 \
		2>"$LAB_TMP/$n.err" &
	HPID=$!
	i=0
	while [ ! -S "$SOCK" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	qemu "$n" -chardev socket,id=c,path="$SOCK" -device vhost-user-blk-pci,chardev=c,num-queues=1
	io_done "$n"
	wait $VPID || lab_fail "$n: qemu (vhost-user-blk) failed: $(tail -5 "$LAB_TMP/$n")"
	wait $HPID || lab_fail "$n: hyve-blk exit status $?: $(cat "$LAB_TMP/$n.err")"
	f=$(figures "$n") || { cat "$LAB_TMP/$n"; lab_fail "$n: no figures from QEMU+hyve-blk"; }
	echo "$f" >>"$LAB_TMP/all.vhost"
}

# run_qemu R: QEMU's own virtio-blk: the reference
run_qemu() {
	n=qemu.$1
	qemu "$n" -drive file="$IMG",if=none,id=d,format=raw,cache=writeback,aio=threads \
		-device virtio-blk-pci,drive=d
	io_done "$n"
	wait $VPID || lab_fail "$n: qemu (virtio-blk) failed: $(tail -5 "$LAB_TMP/$n")"
	f=$(figures "$n") || { cat "$LAB_TMP/$n"; lab_fail "$n: no figures from QEMU"; }
	echo "$f" >>"$LAB_TMP/all.qemu"
}

echo "blk: $ROUNDS round(s), $SECS s per phase; per round: seqread seqwrite (MB/s) randread randwrite (IOPS)"
: >"$LAB_TMP/all.hyve"; : >"$LAB_TMP/all.vhost"; : >"$LAB_TMP/all.qemu"; : >"$LAB_TMP/hwm"
r=1
while [ $r -le "$ROUNDS" ]; do
	t0=$(date +%s)
	run_hyve $r
	run_vhost $r
	run_qemu $r
	echo "blk round $r/$ROUNDS: hyve $(tail -1 "$LAB_TMP/all.hyve")," \
		"QEMU+hyve-blk $(tail -1 "$LAB_TMP/all.vhost")," \
		"QEMU $(tail -1 "$LAB_TMP/all.qemu")," \
		"hyve-blk VmHWM $(tail -1 "$LAB_TMP/hwm") kB ($(($(date +%s) - t0)) s)"
	r=$((r + 1))
done

# shellcheck disable=SC2046 # split on purpose: one word per figure
set -- $(lab_median "$LAB_TMP/all.hyve") $(lab_median "$LAB_TMP/all.vhost") $(lab_median "$LAB_TMP/all.qemu")
hwm=$(sort -n "$LAB_TMP/hwm" | tail -1)
R="QEMU virtio-blk (KVM)"
echo "BENCH|blk seq read 1M, hyve|$1|MB/s|$R|$9"
echo "BENCH|blk seq write 1M, hyve|$2|MB/s|$R|${10}"
echo "BENCH|blk rand read 4k QD1, hyve|$3|IOPS|$R|${11}"
echo "BENCH|blk rand write 4k QD1, hyve|$4|IOPS|$R|${12}"
echo "BENCH|blk seq read 1M, QEMU+hyve-blk|$5|MB/s|$R|$9"
echo "BENCH|blk seq write 1M, QEMU+hyve-blk|$6|MB/s|$R|${10}"
echo "BENCH|blk rand read 4k QD1, QEMU+hyve-blk|$7|IOPS|$R|${11}"
echo "BENCH|blk rand write 4k QD1, QEMU+hyve-blk|$8|IOPS|$R|${12}"
echo "BENCH|hyve-blk peak RSS under hyve|$hwm|KiB|none|0"
