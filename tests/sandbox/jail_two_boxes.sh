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
want "$T/a.out" kill_all ESRCH
want "$T/b.out" kill_all ESRCH
want "$T/a.out" netifs lo
want "$T/b.out" netifs lo
for r in "/proc/$BOX/root" "/proc/$BOXB/root"; do
	for p in "$T/b.img" "$T/disk.img" "/run/hyve" "/dev/pts" "/sys/class/net"; do
		[ -e "$r$p" ] && fail "$r$p is reachable"
	done
done
# Each box holds exactly one tap fd: its own.
[ "$(grep '^fds=' "$T/a.out" | grep -o 'c10:200' | wc -l)" = 1 ] || fail "a's fds"
[ "$(nsenter -t "$BOX" -n ip -o link | awk '{print $2}')" = "lo:" ] || fail "a's network"
[ "$(readlink /proc/$BOX/ns/net)" != "$(readlink /proc/$BOXB/ns/net)" ] || fail "shared net ns"
[ "$(readlink /proc/$BOX/ns/pid)" != "$(readlink /proc/$BOXB/ns/pid)" ] || fail "shared pid ns"
stop
SUP=$SUPB BOX=$BOXB stop
jail_clean
jail_clean "${NAME}b" "${TAPP}bt0"
