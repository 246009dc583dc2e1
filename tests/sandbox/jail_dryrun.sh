#!/bin/bash
# --dry-run prints the whole plan in order and changes nothing.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
profile "$P" "jail.uid=3999301"
"$J" --profile "$P" --dry-run >"$O" 2>"$O.err" || fail "dry-run failed: $(cat "$O.err")"
steps=$(grep -o '^step [0-9]*: [a-z]*' "$O" | cut -d' ' -f3 | tr '\n' ' ')
[ "$steps" = "env profile rundir res cgroup supervise ns root helpers priv exec " ] ||
	fail "steps: $steps"
for l in "  umask(077)" \
	"  write /run/hyve/$NAME/uid = 3999301" \
	"  open /dev/net/tun, TUNSETIFF ${TAPP}t0 IFF_TAP|IFF_NO_PI|IFF_VNET_HDR (create non-persistent if absent, attach if present) (pci.0.3.0.backend)" \
	"  mknod /dev/null c 1:3 mode 0666" \
	"  pivot_root(., .); umount2(old root, MNT_DETACH)" \
	"  setgroups(0), setresgid(3999301), setresuid(3999301)" \
	"  prctl(PR_SET_NO_NEW_PRIVS, 1)" \
	"  fd 6 = vhost-user socket to hyve-blk (pci.0.2.0.sock)" \
	"  fd 8 = control socket (ctl.path), bound, hyve listens" \
	"    c 10:232 rwm (/dev/kvm)"; do
	grep -qxF -- "$l" "$O" || fail "plan lacks: $l"
done
grep -q "pids.max = 16$" "$O" || fail "plan lacks pids.max"
# step 7: one helper per virtio device, its own uid, its fds, its argv
grep -qE "^  helper pci.0.2.0: uid [0-9]+, fd 3 = vhost-user socket \(hyve: pci.0.2.0.sock\), fd 4 = $T/disk.img, exec hyve-blk --fd 3 --disk-fd 4$" "$O" ||
	fail "plan lacks hyve-blk: $(grep 'helper pci.0.2.0' "$O")"
grep -qE "^  helper pci.0.3.0: uid [0-9]+, .* fd 4 = tap ${TAPP}t0, exec hyve-net --fd 3 --tap-fd 4 --mac 58:9c:fc:..:..:..$" "$O" ||
	fail "plan lacks hyve-net: $(grep 'helper pci.0.3.0' "$O")"
grep -q -- "-o pci.0.2.0.sock=fd:6 -o pci.0.3.0.sock=fd:7 -o ctl.path=fd:8$" "$O" ||
	fail "hyve's argv lacks the helpers' sockets"
# -o replaces a profile key.
"$J" --profile "$P" --dry-run -o jail.uid=3999302 >"$O" 2>"$O.err" || fail "-o"
grep -qxF "  setgroups(0), setresgid(3999302), setresuid(3999302)" "$O" ||
	fail "-o jail.uid did not replace the profile's"
grep -q "^  seccomp: " "$O" || fail "plan lacks the policy"
jail_clean
