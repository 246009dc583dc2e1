#!/bin/bash
# Two VMs at once get different uids and cannot see each other's
# processes, disks, taps, consoles or run directories.
. "$(dirname "$0")/jail_lib.bash"
A=$T/a.conf B=$T/b.conf
cp "$T/disk.img" "$T/b.img"
NAME=${NAME}b TAPP=${TAPP}b profile "$B" "pci.0.2.0.path=$T/b.img" \
	"jail.seccomp=log" "jail.exec_args=--sleep 30"
NAME=${NAME}b start "$B" "$T/b.out"
SUPB=$SUP BOXB=$BOX
profile "$A" "jail.seccomp=log" "jail.exec_args=--pid $BOXB --see $T/b.img --see /run/hyve/${NAME}b --sleep 30"
start "$A" "$T/a.out"
ua=$(grep '^uid=' "$T/a.out") ub=$(grep '^uid=' "$T/b.out")
[ "$ua" != "$ub" ] || fail "same uid: $ua"
want "$T/a.out" "pid $BOXB" ESRCH
want "$T/a.out" netifs lo
want "$T/b.out" netifs lo
for r in "/proc/$BOX/root" "/proc/$BOXB/root"; do
	for p in "$T/b.img" "$T/disk.img" "/run/hyve" "/dev/pts" "/sys/class/net"; do
		[ -e "$r$p" ] && fail "$r$p is reachable"
	done
done
# The boxes hold no tap; each VM's hyve-net holds exactly its own, under
# a uid of its own, in its VM's pid namespace.
grep -q 'c10:200' "$T/a.out" "$T/b.out" && fail "a box holds a tap"
HA=$(helper hyve-net) || exit 1
HBB=$(SUP=$SUPB helper hyve-net) || exit 1
grep -q "^iff:.*${TAPP}t0" "/proc/$HA/fdinfo/4" || fail "a's hyve-net fd 4"
grep -q "^iff:.*${TAPP}bt0" "/proc/$HBB/fdinfo/4" || fail "b's hyve-net fd 4"
[ "$(stat -c %u "/proc/$HA")" != "$(stat -c %u "/proc/$HBB")" ] || fail "helpers share a uid"
[ "$(readlink /proc/$HA/ns/pid)" = "$(readlink /proc/$BOX/ns/pid)" ] || fail "a's helper not in a's pid ns"
[ "$(readlink /proc/$HBB/ns/pid)" = "$(readlink /proc/$BOXB/ns/pid)" ] || fail "b's helper not in b's pid ns"
[ "$(nsenter -t "$BOX" -n ip -o link | awk '{print $2}')" = "lo:" ] || fail "a's network"
[ "$(readlink /proc/$BOX/ns/net)" != "$(readlink /proc/$BOXB/ns/net)" ] || fail "shared net ns"
[ "$(readlink /proc/$BOX/ns/pid)" != "$(readlink /proc/$BOXB/ns/pid)" ] || fail "shared pid ns"
stop
SUP=$SUPB BOX=$BOXB stop
jail_clean
jail_clean "${NAME}b" "${TAPP}bt0"
