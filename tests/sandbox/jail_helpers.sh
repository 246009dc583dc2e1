#!/bin/bash
# Step 7: one helper per virtio device (hyve-blk, hyve-net, hyve-rng), in
# the box (its namespaces, cgroup and empty root), each under a uid of its
# own (not the VM's, not another helper's, recorded in helper-uids), no
# capabilities, no_new_privs, the launcher's filter, exactly fds 0-4, a
# child of the supervisor; the VMM gets pci.B.S.F.sock=fd:N and cannot
# signal them.  A helper that dies is reported; nothing is left.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
profile "$P" "pci.0.4.0.device=virtio-rnd" "jail.seccomp=log" \
	"jail.exec_args=--sleep 30"
start "$P" "$O"
vmuid=$(cat "/run/hyve/$NAME/uid")
mapfile -t hu <"/run/hyve/$NAME/helper-uids"
[ "${#hu[@]}" = 3 ] || fail "helper-uids: ${hu[*]}"
seen=" $vmuid "
i=0
for prog in hyve-blk hyve-net hyve-rng; do
	h=$(helper "$prog") || exit 1
	st=/proc/$h/status
	u=$(awk '/^Uid/ {print $2 "/" $3 "/" $4 "/" $5}' "$st")
	[ "$u" = "${hu[$i]}/${hu[$i]}/${hu[$i]}/${hu[$i]}" ] || fail "$prog uid $u, expected ${hu[$i]}"
	case "$seen" in *" ${hu[$i]} "*) fail "$prog shares uid ${hu[$i]}";; esac
	seen="$seen${hu[$i]} "
	g=$(awk '/^Gid/ {print $2}' "$st")
	[ "$g" = "${hu[$i]}" ] || fail "$prog gid $g"
	[ "$(awk '/^Groups/ {print $2}' "$st")" = "" ] || fail "$prog has groups"
	for c in CapEff CapPrm CapBnd CapAmb CapInh; do
		grep -qx "$c:	0000000000000000" "$st" || fail "$prog $c: $(grep "^$c" "$st")"
	done
	grep -qx "NoNewPrivs:	1" "$st" || fail "$prog NoNewPrivs"
	grep -qx "Seccomp:	2" "$st" || fail "$prog Seccomp"
	[ "$(awk '/^PPid/ {print $2}' "$st")" = "$SUP" ] || fail "$prog's parent is not the supervisor"
	for ns in mnt pid net ipc uts cgroup; do
		[ "$(readlink "/proc/$h/ns/$ns")" = "$(readlink "/proc/$BOX/ns/$ns")" ] ||
			fail "$prog is not in the box's $ns namespace"
	done
	[ "$(cat "/proc/$h/cgroup")" = "$(cat "/proc/$BOX/cgroup")" ] || fail "$prog's cgroup"
	[ "$(ls "/proc/$h/root/")" = dev ] || fail "$prog's root: $(ls "/proc/$h/root/")"
	# What we handed over is 0-4; anything above is the helper's own
	# (its epoll and eventfds), never a file.
	fds=$(ls "/proc/$h/fd" | sort -n | tr '\n' ' ')
	want_fds="0 1 2 3 4 "
	[ "$prog" = hyve-rng ] && want_fds="0 1 2 3 "
	[ "${fds#"$want_fds"}" != "$fds" ] || fail "$prog fds: $fds"
	for f in ${fds#"$want_fds"}; do
		l=$(readlink "/proc/$h/fd/$f")
		case $l in anon_inode:*) ;; *) fail "$prog fd $f is $l";; esac
	done
	[ "$(stat -L -c %F "/proc/$h/fd/3")" = socket ] || fail "$prog fd 3"
	i=$((i + 1))
done
# hyve's side: one socket per device, the other ends of the helpers'.
want "$O" opt pci.0.2.0.sock=fd:6
want "$O" opt pci.0.3.0.sock=fd:7
want "$O" opt pci.0.4.0.sock=fd:8
want "$O" opt ctl.path=fd:9
# path and backend only as text (hyve's config check wants them; with a
# sock it never opens them): no fd for the disk or the tap.
want "$O" opt "pci.0.2.0.path=$T/disk.img"
want "$O" opt "pci.0.3.0.backend=${TAPP}t0"
# A helper that dies is reported by the supervisor.
h=$(helper hyve-rng) || exit 1
kill -KILL "$h"
for i in $(seq 50); do
	grep -q "helper hyve-rng (pci.0.4.0, pid $h) was killed by SIGKILL" "$O.err" && break
	sleep 0.1
done
grep -q "helper hyve-rng (pci.0.4.0, pid $h) was killed by SIGKILL" "$O.err" ||
	fail "the helper's death was not reported: $(cat "$O.err")"
[ -e "/proc/$h" ] && [ "$(awk '/^State/ {print $2}' "/proc/$h/status")" = Z ] &&
	fail "the dead helper was not reaped"
hb=$(helper hyve-blk) || exit 1
stop
kill -0 "$hb" 2>/dev/null && fail "hyve-blk outlived the box"
grep -q "helper hyve-blk" "$O.err" && fail "the helpers' end with the VM was reported as a failure: $(cat "$O.err")"
jail_clean
