#!/bin/sh
# hyvectl stats, per device: a guest with virtio-blk, virtio-net and
# virtio-rnd (each served by its own helper, bare mode) writes and reads
# its disk, pings over its tap and reads /dev/hwrng.  Each device's
# requests and bytes, as its helper reports them in its stats area, grow
# by at least what the guest moved.  Then hyve-blk is killed: its device
# shows "gone" with one NEEDS_RESET event, its last counters kept, and the
# other devices are untouched.
# lab-timeout: 240
. "$LAB_KIT/lib.sh"
TAP=hv0tap7
lab_mkdisk "$LAB_TMP/disk.img" 32M
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
ip addr add 10.97.0.2/24 dev eth0
ip link set eth0 up
echo "@@UP"
sleep 5
dd if=/dev/urandom of=/dev/vda bs=64k count=64 conv=fsync 2>/dev/null &&
	echo "@@IO wrote"
dd if=/dev/vda of=/dev/null bs=64k count=64 iflag=direct 2>/dev/null &&
	echo "@@IO read"
ping -c 5 -i 0.2 -W 2 10.97.0.1 >/dev/null 2>&1 && echo "@@IO ping"
dd if=/dev/hwrng of=/dev/null bs=4k count=4 2>/dev/null && echo "@@IO rng"
echo "@@IO done"
while :; do sleep 1; done
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
: >"$LAB_TMP/console"
hyve -A -m 256M -s 0,hostbridge -s 31,lpc -s 4,virtio-blk,"$LAB_TMP/disk.img" \
	-s 5,virtio-net,$TAP -s 6,virtio-rnd -l com1,fd:3 \
	-o boot.kernel="$LAB_KIT/vmlinuz" -o boot.initrd="$LAB_TMP/initrd.gz" \
	-o boot.cmdline="console=ttyS0 quiet panic=-1" ds0 \
	3<>"$LAB_TMP/console" </dev/null 2>"$LAB_TMP/stderr" &
hpid=$!
lab_wait_tap $TAP
ip addr add 10.97.0.1/24 dev $TAP
ip link set $TAP up
lab_wait_for "$LAB_TMP/console" '@@UP' 120 || {
	kill -KILL $hpid; cat "$LAB_TMP/console" "$LAB_TMP/stderr"
	lab_fail "guest not up"; }
hyvectl stats --json ds0 >"$LAB_TMP/s1" || lab_fail "stats: exit $?"
lab_wait_for "$LAB_TMP/console" '@@IO done' 60 || {
	kill -KILL $hpid; cat "$LAB_TMP/console"; lab_fail "guest I/O did not finish"; }
for w in wrote read ping rng; do
	lab_expect "$LAB_TMP/console" "@@IO $w" "guest I/O step '$w' failed"
done
hyvectl stats --json ds0 >"$LAB_TMP/s2" || lab_fail "stats: exit $?"
hyvectl stats ds0 | tee "$LAB_TMP/t2" || lab_fail "stats (table)"
cat "$LAB_TMP/s1" "$LAB_TMP/s2"

# dev FILE SLOT: that device's JSON object; val OBJ KEY: one of its values
dev() {
	tr -d '\n' <"$1" | sed 's/.*"devices":\[\(.*\)\],"cgroup".*/\1/' |
		sed 's/},{/}\n{/g' | grep "\"slot\":\"$2\""
}
val() { echo "$1" | sed -n "s/.*\"$2\":\"*\([0-9a-z-]*\)\"*[,}].*/\1/p"; }
# grows SLOT KEY MIN: the value grew from s1 to s2 by at least MIN
grows() {
	a=$(val "$(dev "$LAB_TMP/s1" "$1")" "$2")
	b=$(val "$(dev "$LAB_TMP/s2" "$1")" "$2")
	[ -n "$a" ] && [ -n "$b" ] && [ "$b" -ge $((a + $3)) ] ||
		lab_fail "slot $1: $2 grew from '$a' to '$b', expected at least +$3"
	echo "slot $1 $2: $a -> $b"
}
# virtio-blk: 4 MiB written, then 4 MiB read back past the page cache
grows 0:4:0 requests 2
grows 0:4:0 bytes_out 4194304
grows 0:4:0 bytes_in 4194304
# virtio-net: 5 echo requests out, 5 replies in (frames of 98 bytes)
grows 0:5:0 requests 10
grows 0:5:0 bytes_out 490
grows 0:5:0 bytes_in 490
# virtio-rnd: 16 KiB read from /dev/hwrng
grows 0:6:0 requests 1
grows 0:6:0 bytes_in 16384
for s in 0:4:0 0:5:0 0:6:0; do
	o=$(dev "$LAB_TMP/s2" $s)
	[ "$(val "$o" state)" = ok ] || lab_fail "slot $s: state $(val "$o" state), expected ok"
	[ "$(val "$o" errors)" = 0 ] || lab_fail "slot $s: errors $(val "$o" errors)"
	[ "$(val "$o" needs_reset)" = 0 ] || lab_fail "slot $s: needs_reset $(val "$o" needs_reset)"
done
lab_expect "$LAB_TMP/t2" '^0:4:0 +virtio-blk +ok +[0-9]+ +[0-9.]+M +[0-9.]+M +0 +0$' \
	"the table has no virtio-blk line with its counters"

# The disk's helper dies: hyve notices, the device is gone, counted once.
bpid=$(lab_pid_of hyve-blk)
[ -n "$bpid" ] || lab_fail "no hyve-blk process"
kill -9 "$bpid"
lab_wait_for "$LAB_TMP/stderr" 'back end' 10 ||
	{ cat "$LAB_TMP/stderr"; lab_fail "hyve did not notice"; }
hyvectl stats --json ds0 >"$LAB_TMP/s3" || lab_fail "stats: exit $?"
cat "$LAB_TMP/s3"
o=$(dev "$LAB_TMP/s3" 0:4:0)
[ "$(val "$o" state)" = gone ] || lab_fail "killed helper: state $(val "$o" state), expected gone"
[ "$(val "$o" needs_reset)" = 1 ] || lab_fail "killed helper: needs_reset $(val "$o" needs_reset), expected 1"
[ "$(val "$o" bytes_out)" = "$(val "$(dev "$LAB_TMP/s2" 0:4:0)" bytes_out)" ] ||
	lab_fail "killed helper: its last counters were not kept"
o=$(dev "$LAB_TMP/s3" 0:5:0)
[ "$(val "$o" state)" = ok ] && [ "$(val "$o" needs_reset)" = 0 ] ||
	lab_fail "virtio-net was touched by hyve-blk's death: $o"
hyvectl destroy ds0 >/dev/null
wait $hpid
echo "ok: per-device stats grow with disk, network and rng I/O; a dead helper shows"
