#!/bin/bash
# A block device as a read-only disk: opened O_RDONLY, handed over as an
# fd, allowed read-only in the device filter, throttled with io.max.
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
grep -q " 6:b$mm " "$O" || grep -q " 6:b$mm\$" "$O" || fail "no disk fd: $(grep ^fds= "$O")"
[ "$(stat -L -c %a "/proc/$BOX/fdinfo/6" >/dev/null; awk '/^flags/ {print $2}' "/proc/$BOX/fdinfo/6")" ] || fail fdinfo
flags=$(awk '/^flags/ {print $2}' "/proc/$BOX/fdinfo/6")
[ $((8#$flags & 3)) = 0 ] || fail "disk fd is not O_RDONLY (flags $flags)"
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	grep -q "^$mm rbps=1048576" "/sys/fs/cgroup/hyve/$NAME/io.max" || fail "io.max"
else
	grep -qx "b $mm r" "/sys/fs/cgroup/devices/hyve/$NAME/devices.list" || fail "devices.list: $(cat "/sys/fs/cgroup/devices/hyve/$NAME/devices.list")"
	grep -qx "$mm 1048576" "/sys/fs/cgroup/blkio/hyve/$NAME/blkio.throttle.read_bps_device" || fail "blkio"
fi
stop
jail_clean
