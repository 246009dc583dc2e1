# Shared by tests/sandbox/blk_qemu_*.sh (sourced, not a test: no .sh
# suffix): boot the lab's guest kernel under Debian's QEMU (plain TCG) with
# hyve-blk as the vhost-user-blk back end, and check the result.
#
#   blk_image            64 MiB sparse $IMG: random seed in MiB 0, random
#                        fill in MiB 12-13, zeroes elsewhere
#   blk_boot DISK INIT [HYVE-BLK ARGS...]
#                        DISK is vu-listen's MODE:FILE (rw:$IMG,
#                        rw,direct:/dev/loop0, ro:$IMG); INIT the guest's
#                        /etc/lab-init. Sets QRC, HRC; the guest's "@@"
#                        lines end up in $W/said.
#   blk_expect LINE      the guest said exactly LINE
#   bad WHY              count a failure (blk_done prints everything)
#   blk_done WHAT        exit 1 with console and stderr on any failure
# hyve-blk runs with its seccomp policy loaded (the default), so a syscall
# outside policy/hyve-blk.policy kills it and fails the test.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
BLK=$BUILD/hyve-blk
LISTEN=$BUILD/vu-listen
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root (loop devices)"
[ -x "$BLK" ] || fail "$BLK not built"
[ -x "$LISTEN" ] || fail "$LISTEN not built"
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 missing (qemu-system-x86)"
KITDIR=$("$ROOT/tests/lab/kit.sh") || fail "no lab kit (tests/lab/kit.sh)"
export LAB_KIT=$KITDIR/kit
[ -r "$LAB_KIT/vmlinuz" ] && [ -r "$LAB_KIT/initramfs.cpio.gz" ] || fail "kit incomplete: $LAB_KIT"
. "$ROOT/tests/lab/lib.sh"

W=$(mktemp -d /tmp/hyve-blk-qemu.XXXXXX)
export LAB_TMP=$W
QPID= HPID=
LOOPS=()
blk_cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null
	[ -n "$HPID" ] && kill "$HPID" 2>/dev/null
	for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null; done
	rm -rf "$W"
}
trap blk_cleanup EXIT

MiB=1048576
IMG=$W/disk.img
errors=0
bad() { echo "FAIL: $*" >&2; errors=$((errors + 1)); }

blk_image() {
	rm -f "$IMG"
	truncate -s $((64 * MiB)) "$IMG"
	head -c $MiB /dev/urandom >"$W/seed.bin"
	head -c $MiB /dev/urandom >"$W/pattern.bin"
	head -c $((2 * MiB)) /dev/urandom >"$W/fill.bin"
	dd if="$W/seed.bin" of="$IMG" conv=notrunc status=none
	dd if="$W/fill.bin" of="$IMG" bs=$MiB seek=12 conv=notrunc status=none
}

# blk_loop [losetup options]: a loop device over $IMG, printed
blk_loop() {
	local l
	l=$(losetup -f --show "$@" "$IMG") || fail "losetup $*"
	LOOPS+=("$l")
	echo "$l"
}

# The guest's read/write flow: what it reads and writes is checked by
# blk_check_rw on the host.
blk_init_rw() {
	cat >"$W/lab-init" <<'EOI'
#!/bin/sh
D=/dev/vda
[ -b $D ] || { echo "@@ no $D"; exit 1; }
Q=/sys/block/vda/queue
echo "@@ size $(cat /sys/block/vda/size)"
echo "@@ serial $(cat /sys/block/vda/serial)"
echo "@@ ro $(cat /sys/block/vda/ro)"
echo "@@ bs $(cat $Q/logical_block_size) $(cat $Q/physical_block_size)"
echo "@@ discard $(cat $Q/discard_max_bytes)"
echo "@@ seed $(dd if=$D bs=65536 count=16 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)"
dd if=/files/pattern.bin of=$D bs=65536 seek=64 oflag=direct conv=notrunc,fsync 2>/dev/null &&
	echo "@@ direct write ok"
dd if=/files/pattern.bin of=$D bs=4096 seek=2048 conv=notrunc 2>/dev/null && sync &&
	echo "@@ buffered write ok"
echo 3 >/proc/sys/vm/drop_caches
dd if=$D bs=65536 skip=64 count=16 iflag=direct 2>/dev/null | cmp - /files/pattern.bin &&
	echo "@@ readback 4M ok"
dd if=$D bs=65536 skip=128 count=16 iflag=direct 2>/dev/null | cmp - /files/pattern.bin &&
	echo "@@ readback 8M ok"
blkdiscard -o 12582912 -l 1048576 $D && echo "@@ discard ok"
sync
echo "@@ done"
EOI
}

# The read-only flow: reads work, every way of writing fails.
blk_init_ro() {
	cat >"$W/lab-init" <<'EOI'
#!/bin/sh
D=/dev/vda
[ -b $D ] || { echo "@@ no $D"; exit 1; }
echo "@@ ro $(cat /sys/block/vda/ro)"
echo "@@ discard $(cat /sys/block/vda/queue/discard_max_bytes)"
echo "@@ seed $(dd if=$D bs=65536 count=16 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)"
dd if=/files/pattern.bin of=$D bs=65536 seek=64 oflag=direct conv=notrunc,fsync 2>/dev/null ||
	echo "@@ direct write refused"
blkdiscard -o 12582912 -l 1048576 $D 2>/dev/null || echo "@@ discard refused"
sync
echo "@@ done"
EOI
}

# blk_boot DISK [HYVE-BLK ARGS...] with $W/lab-init as the guest's init
blk_boot() {
	local disk=$1 sock=$W/vu.sock
	shift
	lab_guest_initrd "$W/initrd.gz" "$W/lab-init" "$W/pattern.bin"
	rm -f "$sock" "$W/said"
	# the disk as hyve-jail hands it over: an open fd (3)
	"$LISTEN" -t 60 -f "3:$disk" "$sock" "$BLK" --fd @fd --disk-fd 3 "$@" \
		2>"$W/hyve-blk.log" &
	HPID=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
	[ -S "$sock" ] || { cat "$W/hyve-blk.log"; fail "vu-listen did not create $sock"; }
	timeout 180 qemu-system-x86_64 -accel tcg -cpu max -m 256M -smp 1 \
		-nographic -no-reboot -net none \
		-object memory-backend-memfd,id=mem,size=256M,share=on \
		-numa node,memdev=mem \
		-chardev socket,id=c,path="$sock" \
		-device vhost-user-blk-pci,chardev=c,num-queues=1 \
		-kernel "$LAB_KIT/vmlinuz" -initrd "$W/initrd.gz" \
		-append 'console=ttyS0 panic=-1 quiet' </dev/null >"$W/console.log" 2>&1 &
	QPID=$!
	QRC=0; wait $QPID || QRC=$?
	QPID=
	# QEMU is gone: hyve-blk sees the hang-up and exits 0 on its own
	HRC=0
	for _ in $(seq 50); do kill -0 $HPID 2>/dev/null || break; sleep 0.1; done
	if kill -0 $HPID 2>/dev/null; then HRC=hung; kill $HPID; fi
	[ "$HRC" = hung ] || { wait $HPID || HRC=$?; }
	HPID=
	# the "@@" lines, without the firmware's escape sequences before them
	tr -d '\r' <"$W/console.log" | grep -o '@@ .*' >"$W/said" || true
	[ "$QRC" = 0 ] || bad "qemu exit status $QRC (124: timed out)"
	[ "$HRC" = 0 ] || bad "hyve-blk exit status $HRC"
}

blk_expect() { grep -qxF -- "$1" "$W/said" || bad "guest did not say '$1'"; }

# What blk_init_rw must have left: guest's view and the image, byte for byte.
blk_check_rw() {
	local serial=$1 lbs=$2 pbs=$3
	blk_expect "@@ size $((64 * MiB / 512))"
	blk_expect "@@ serial $serial"
	blk_expect "@@ ro 0"
	blk_expect "@@ bs $lbs $pbs"
	blk_expect "@@ seed $(md5sum <"$W/seed.bin" | cut -d' ' -f1)"
	blk_expect "@@ direct write ok"
	blk_expect "@@ buffered write ok"
	blk_expect "@@ readback 4M ok"
	blk_expect "@@ readback 8M ok"
	blk_expect "@@ discard ok"
	blk_expect "@@ done"
	grep -q '^@@ discard [1-9]' "$W/said" || bad "guest sees no discard support"
	cmp -n $MiB "$IMG" "$W/seed.bin" || bad "seeded first MiB changed"
	cmp -n $MiB -i $((4 * MiB)):0 "$IMG" "$W/pattern.bin" || bad "pattern at 4 MiB wrong"
	cmp -n $MiB -i $((8 * MiB)):0 "$IMG" "$W/pattern.bin" || bad "pattern at 8 MiB wrong"
	cmp -n $MiB -i $((12 * MiB)):0 "$IMG" /dev/zero || bad "discarded MiB at 12 MiB not zero"
	cmp -n $MiB -i $((13 * MiB)):$MiB "$IMG" "$W/fill.bin" || bad "guard MiB at 13 MiB changed"
	cmp -n $((3 * MiB)) -i $MiB:0 "$IMG" /dev/zero || bad "1-4 MiB not zero"
	cmp -n $((3 * MiB)) -i $((5 * MiB)):0 "$IMG" /dev/zero || bad "5-8 MiB not zero"
	cmp -n $((50 * MiB)) -i $((14 * MiB)):0 "$IMG" /dev/zero || bad "14-64 MiB not zero"
	[ "$(stat -c %s "$IMG")" = $((64 * MiB)) ] || bad "image size changed"
}

blk_done() {
	if [ $errors != 0 ]; then
		echo "--- guest console:"; tr -d '\r' <"$W/console.log" | tail -60
		echo "--- hyve-blk stderr:"; cat "$W/hyve-blk.log"
		exit 1
	fi
	cat "$W/said"
	echo "PASS: $*"
}
