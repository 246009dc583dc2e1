#!/bin/sh
# A real guest under `hyve-jail --profile`: virtio-blk on a disk image,
# virtio-net on a tap hyve-jail creates, virtio-rnd; each device served by
# its helper (hyve-blk, hyve-net, hyve-rng) that hyve-jail started in the
# box under a uid of its own.  The console is read through
# /run/hyve/NAME/console; the guest reads its disk, pings the tap's host
# side and reads /dev/hwrng; `hyvectl stats` through the jail shows each
# helper's counters; then the guest powers off.  Afterwards nothing is left:
# no run directory, cgroup, tap, mount or process.
# lab-timeout: 240
. "$LAB_KIT/lib.sh"
N=vm70
TAP=hv70tap0
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@J disk=$(dd if=/dev/vda bs=16 count=1 2>/dev/null)"
ip addr add 10.70.0.2/24 dev eth0
ip link set eth0 up
i=0
until ping -c 1 -W 1 10.70.0.1 >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -ge 30 ] && break
done
ping -c 2 -W 2 10.70.0.1 >/dev/null 2>&1 && echo "@@J ping ok"
n=$(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | wc -c)
echo "@@J rng=$n"
echo "@@J stats"
sleep 4
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
mkdir -p "$LAB_TMP/vm" && chmod 755 "$LAB_TMP" "$LAB_TMP/vm"
cp "$LAB_KIT/vmlinuz" "$LAB_TMP/initrd.gz" "$LAB_TMP/vm/"
lab_mkdisk "$LAB_TMP/vm/disk.img" 8M
printf 'hyve-jail-disk70' | dd of="$LAB_TMP/vm/disk.img" conv=notrunc 2>/dev/null
cat >"$LAB_TMP/$N.conf" <<P
name=$N
memory.size=256M
boot.kernel=$LAB_TMP/vm/vmlinuz
boot.initrd=$LAB_TMP/vm/initrd.gz
boot.cmdline=console=ttyS0 quiet panic=-1
acpi_tables=true
pci.0.0.0.device=hostbridge
pci.0.31.0.device=lpc
lpc.com1.path=console
pci.0.2.0.device=virtio-blk
pci.0.2.0.path=$LAB_TMP/vm/disk.img
pci.0.3.0.device=virtio-net
pci.0.3.0.backend=$TAP
pci.0.4.0.device=virtio-rnd
jail.uid=auto
jail.tap_prefix=hv70tap
jail.cgroup.memory.max=512M
jail.cgroup.pids.max=64
jail.stop_timeout=5
P
chmod 644 "$LAB_TMP/$N.conf"
hyve-jail --profile "$LAB_TMP/$N.conf" --foreground >"$LAB_TMP/jail.out" \
	2>"$LAB_TMP/jail.err" &
sup=$!
i=0
while { [ ! -L /run/hyve/$N/console ] || [ ! -e /sys/class/net/$TAP ]; } &&
    [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
[ -L /run/hyve/$N/console ] || { cat "$LAB_TMP/jail.err"; lab_fail "no console link"; }
[ -e /sys/class/net/$TAP ] || lab_fail "hyve-jail did not create $TAP"
cat /run/hyve/$N/console >"$LAB_TMP/console" 2>/dev/null &
cat_pid=$!
ip addr add 10.70.0.1/24 dev $TAP
ip link set $TAP up
# The box: hyve and its three helpers, each under its own uid, all
# children of the supervisor, hyve pid 1 of their pid namespace.
sleep 1
kill -0 $sup 2>/dev/null || { cat "$LAB_TMP/jail.err"; lab_fail "hyve-jail ended early"; }
kids=$(grep -l "^PPid:	$sup\$" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3)
echo "processes under the supervisor:"
for k in $kids; do
	echo "  $(cat /proc/$k/comm) uid=$(awk '/^Uid/ {print $2}' /proc/$k/status) $(grep NSpid /proc/$k/status | tr '\t' ' ')"
done
uids=""
for c in hyve hyve-blk hyve-net hyve-rng; do
	p=""
	for k in $kids; do
		[ "$(cat /proc/$k/comm)" = "$c" ] && p=$k
	done
	[ -n "$p" ] || lab_fail "no $c process under hyve-jail"
	u=$(awk '/^Uid/ {print $2}' /proc/$p/status)
	[ "$u" = 0 ] && lab_fail "$c runs as root"
	case " $uids " in *" $u "*) lab_fail "$c shares uid $u";; esac
	uids="$uids $u"
	grep -q '^CapEff:	0000000000000000' /proc/$p/status || lab_fail "$c has capabilities"
	grep -q '^NoNewPrivs:	1' /proc/$p/status || lab_fail "$c: no_new_privs"
	grep -q '^Seccomp:	2' /proc/$p/status || lab_fail "$c: no seccomp filter"
done
# The helpers' stats areas work in the box: every device reports counters.
lab_wait_for "$LAB_TMP/console" '@@J stats' 120 || lab_fail "the guest did not finish its I/O"
hyvectl stats --json $N >"$LAB_TMP/stats" || lab_fail "hyvectl stats: exit $?"
cat "$LAB_TMP/stats"
for d in "0:2:0\",\"device\":\"virtio-blk" "0:3:0\",\"device\":\"virtio-net" \
    "0:4:0\",\"device\":\"virtio-rnd"; do
	lab_expect "$LAB_TMP/stats" "\"slot\":\"$d\",\"state\":\"ok\",\"requests\":[1-9][0-9]*,\"bytes_in\":[1-9]" \
		"hyvectl stats under the jail: no counters for $d"
done
wait $sup
rc=$?
sleep 0.5
kill $cat_pid 2>/dev/null
cat "$LAB_TMP/console" "$LAB_TMP/jail.out" "$LAB_TMP/jail.err"
lab_expect "$LAB_TMP/console" '@@J disk=hyve-jail-disk70' "the guest did not read its disk"
lab_expect "$LAB_TMP/console" '@@J ping ok' "the guest cannot ping the tap's host side"
lab_expect "$LAB_TMP/console" '@@J rng=32' "the guest could not read /dev/hwrng"
[ "$rc" = 1 ] || lab_fail "guest poweroff: hyve-jail exit status $rc, expected 1"
# Nothing left behind.
[ -e /run/hyve/$N ] && lab_fail "/run/hyve/$N left behind"
[ -e /sys/fs/cgroup/hyve/$N ] && lab_fail "cgroup left behind"
[ -e /sys/class/net/$TAP ] && lab_fail "tap $TAP left behind"
grep -q "/run/hyve/$N" /proc/self/mountinfo && lab_fail "mount left behind"
for c in hyve hyve-blk hyve-net hyve-rng hyve-jail; do
	pidof $c >/dev/null && lab_fail "$c still running"
done
echo "ok: a guest under hyve-jail with hyve-blk, hyve-net and hyve-rng; nothing left"
