#!/bin/bash
# The device allowlist: a root process put into the VM's cgroup can open
# /dev/null but not /dev/full or /dev/mem, through the BPF device program
# (cgroup2 leaf) and, on a cgroup v1 host, through devices.allow as well.
# Each filter is checked on its own.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
profile "$P" "jail.seccomp=log" "jail.exec_args=--sleep 30"
start "$P" "$O"
# try LEAF_PROCS_FILE DEVICE: open DEVICE for reading from inside the leaf.
try() {
	bash -c 'echo $$ >"$1" && exec head -c1 "$2" >/dev/null' _ "$1" "$2" 2>&1
}
leaves=()
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	leaves+=("/sys/fs/cgroup/hyve/$NAME/cgroup.procs")
else
	leaves+=("/sys/fs/cgroup/devices/hyve/$NAME/cgroup.procs")
	grep -qx "a \*:\* rwm" "/sys/fs/cgroup/devices/hyve/$NAME/devices.list" &&
		fail "v1 devices.list allows everything"
	[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] &&
		leaves+=("/sys/fs/cgroup/unified/hyve/$NAME/cgroup.procs")
fi
for l in "${leaves[@]}"; do
	out=$(try "$l" /dev/null) || fail "$l: /dev/null refused: $out"
	out=$(try "$l" /dev/urandom) || fail "$l: /dev/urandom refused: $out"
	for d in /dev/full /dev/mem /dev/tty; do
		[ -e $d ] || continue
		out=$(try "$l" $d) && fail "$l: $d allowed"
		grep -q "Operation not permitted" <<<"$out" || fail "$l: $d: $out"
	done
done
stop
jail_clean
