#!/bin/sh
# virtio-blk through hyve-blk (hyve starts it, bare mode): the guest writes
# known data at 1 MiB into /dev/vda, syncs and powers off, and the host
# finds exactly that data in the image.  Then the same image as `ro`: the
# guest sees a read-only disk, its write fails, and the image is unchanged.
# Last, data the guest flushed survives a SIGKILL of hyve-blk and hyve.
# lab-timeout: 300
. "$LAB_KIT/lib.sh"
lab_mkdisk "$LAB_TMP/disk.img" 16M
i=0
while [ $i -lt 128 ]; do
	printf 'hyve virtio-blk lab line %04d: the quick brown fox\n' $i
	i=$((i + 1))
done >"$LAB_TMP/data"
len=$(wc -c <"$LAB_TMP/data")

cat >"$LAB_TMP/init-rw" <<'G'
#!/bin/sh
[ -b /dev/vda ] || { echo "@@BLK no /dev/vda"; exit 1; }
echo "@@BLK sectors=$(cat /sys/block/vda/size) ro=$(cat /sys/block/vda/ro)"
dd if=/files/data of=/dev/vda bs=1M seek=1 conv=fsync 2>/dev/null &&
	echo "@@BLK wrote"
sync
echo 3 >/proc/sys/vm/drop_caches
n=$(wc -c </files/data)
dd if=/dev/vda bs=1M skip=1 count=1 2>/dev/null | head -c "$n" |
	cmp -s - /files/data && echo "@@BLK readback ok"
G
cat >"$LAB_TMP/init-ro" <<'G'
#!/bin/sh
echo "@@BLK sectors=$(cat /sys/block/vda/size) ro=$(cat /sys/block/vda/ro)"
if dd if=/files/data of=/dev/vda bs=1M seek=2 conv=fsync 2>/dev/null; then
	echo "@@BLK ro write went through"
else
	echo "@@BLK ro write refused"
fi
n=$(wc -c </files/data)
dd if=/dev/vda bs=1M skip=1 count=1 2>/dev/null | head -c "$n" |
	cmp -s - /files/data && echo "@@BLK ro read ok"
G
cat >"$LAB_TMP/init-crash" <<'G'
#!/bin/sh
dd if=/files/data of=/dev/vda bs=1M seek=3 conv=fsync 2>/dev/null &&
	echo "@@BLK flushed"
sleep 120
G
lab_guest_initrd "$LAB_TMP/crash.gz" "$LAB_TMP/init-crash" "$LAB_TMP/data"
lab_guest_initrd "$LAB_TMP/rw.gz" "$LAB_TMP/init-rw" "$LAB_TMP/data"
lab_guest_initrd "$LAB_TMP/ro.gz" "$LAB_TMP/init-ro" "$LAB_TMP/data"

run() {	# run NAME INITRD BLKOPTS
	: >"$LAB_TMP/$1.console"
	hyve -A -m 256M -s 0,hostbridge -s 31,lpc -s 4,virtio-blk,"$3" \
		-l com1,fd:3 -o boot.kernel="$LAB_KIT/vmlinuz" \
		-o boot.initrd="$2" \
		-o boot.cmdline="console=ttyS0 quiet panic=-1" vm0 \
		3<>"$LAB_TMP/$1.console" </dev/null 2>"$LAB_TMP/$1.stderr"
	rc=$?
	cat "$LAB_TMP/$1.console" "$LAB_TMP/$1.stderr"
	[ "$rc" = 1 ] || lab_fail "$1: hyve exit status $rc, expected 1"
	[ -s "$LAB_TMP/$1.stderr" ] && lab_fail "$1: hyve printed on stderr"
}

run rw "$LAB_TMP/rw.gz" "$LAB_TMP/disk.img"
lab_expect "$LAB_TMP/rw.console" '@@BLK sectors=32768 ro=0' \
	"the guest does not see a 16 MiB writable disk"
lab_expect "$LAB_TMP/rw.console" '@@BLK wrote' "the guest's write failed"
lab_expect "$LAB_TMP/rw.console" '@@BLK readback ok' \
	"the guest read back something else"
dd if="$LAB_TMP/disk.img" bs=1M skip=1 count=1 2>/dev/null | head -c "$len" |
	cmp -s - "$LAB_TMP/data" || lab_fail "the image does not hold the data"
# nothing else was written: the rest of the image is still zeros
dd if="$LAB_TMP/disk.img" bs=1M count=1 2>/dev/null | tr -d '\0' | wc -c |
	grep -qx 0 || lab_fail "bytes before the data changed"
echo "ok: guest data is in the image"

cp "$LAB_TMP/disk.img" "$LAB_TMP/before.img"
run ro "$LAB_TMP/ro.gz" "$LAB_TMP/disk.img,ro"
lab_expect "$LAB_TMP/ro.console" '@@BLK sectors=32768 ro=1' \
	"the guest does not see a read-only disk"
lab_expect "$LAB_TMP/ro.console" '@@BLK ro write refused' \
	"a write to the ro disk was not refused"
lab_expect "$LAB_TMP/ro.console" '@@BLK ro read ok' "reading the ro disk failed"
cmp -s "$LAB_TMP/disk.img" "$LAB_TMP/before.img" ||
	lab_fail "the ro image changed"
echo "ok: ro disk refused writes, image unchanged"

: >"$LAB_TMP/crash.console"
hyve -A -m 256M -s 0,hostbridge -s 31,lpc -s 4,virtio-blk,"$LAB_TMP/disk.img" \
	-l com1,fd:3 -o boot.kernel="$LAB_KIT/vmlinuz" \
	-o boot.initrd="$LAB_TMP/crash.gz" \
	-o boot.cmdline="console=ttyS0 quiet panic=-1" vm0 \
	3<>"$LAB_TMP/crash.console" </dev/null 2>"$LAB_TMP/crash.stderr" &
hpid=$!
lab_wait_for "$LAB_TMP/crash.console" '@@BLK flushed' 120 ||
	{ cat "$LAB_TMP/crash.console"; lab_fail "the guest could not flush"; }
for p in /proc/[0-9]*; do
	[ "$(cat "$p/comm" 2>/dev/null)" = hyve-blk ] && kill -9 "${p#/proc/}"
done
kill -9 "$hpid"
wait "$hpid"
dd if="$LAB_TMP/disk.img" bs=1M skip=3 count=1 2>/dev/null | head -c "$len" |
	cmp -s - "$LAB_TMP/data" ||
	lab_fail "flushed data lost after SIGKILL of hyve-blk and hyve"
echo "ok: flushed data survived SIGKILL of hyve-blk and hyve"
