#!/bin/bash
# A block device as a read-only disk: opened O_RDONLY, handed over as an
# fd to its helper (hyve-blk, fd 4; the VMM never holds it), allowed
# read-only in the device filter, throttled with io.max.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
truncate -s 4M "$T/blk.img"
L=$(losetup -f --show "$T/blk.img") || fail "losetup"
trap 'losetup -d "$L"; jail_cleanup' EXIT
mm=$(stat -c '%t:%T' "$L")
mm=$((16#${mm%:*})):$((16#${mm#*:}))
profile "$P" "pci.0.2.0.path=$L" "pci.0.2.0.ro=true" "jail.seccomp=log" \
	"jail.cgroup.io.max=$mm rbps=1048576 wiops=max" "jail.exec_args=--sleep 30"
start "$P" "$O"
grep -q ":b$mm" "$O" && fail "the VMM holds the disk: $(grep ^fds= "$O")"
HB=$(helper hyve-blk) || exit 1
got=$(stat -L -c '%t:%T' "/proc/$HB/fd/4")
[ "$((16#${got%:*})):$((16#${got#*:}))" = "$mm" ] || fail "hyve-blk's fd 4 is not the disk: $got"
flags=$(awk '/^flags/ {print $2}' "/proc/$HB/fdinfo/4")
[ -n "$flags" ] || fail fdinfo
[ $((8#$flags & 3)) = 0 ] || fail "disk fd is not O_RDONLY (flags $flags)"
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	grep -q "^$mm rbps=1048576" "/sys/fs/cgroup/hyve/$NAME/io.max" || fail "io.max"
else
	grep -qx "b $mm r" "/sys/fs/cgroup/devices/hyve/$NAME/devices.list" || fail "devices.list: $(cat "/sys/fs/cgroup/devices/hyve/$NAME/devices.list")"
	grep -qx "$mm 1048576" "/sys/fs/cgroup/blkio/hyve/$NAME/blkio.throttle.read_bps_device" || fail "blkio"
fi
stop
jail_clean
