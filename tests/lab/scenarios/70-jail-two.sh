#!/bin/sh
# Two VMs at once under hyve-jail, each with a disk, a tap and entropy:
# every process (hyve and its three helpers, per VM) has its own uid; each
# VM's processes are in its own pid namespace and box root; neither VM
# holds or reaches the other's disk, tap, console or run directory.  Both
# are stopped with SIGTERM and leave nothing behind.
# lab-timeout: 300
. "$LAB_KIT/lib.sh"
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@UP"
while :; do sleep 1; done
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
mkdir -p "$LAB_TMP/vm" && chmod 755 "$LAB_TMP" "$LAB_TMP/vm"
cp "$LAB_KIT/vmlinuz" "$LAB_TMP/initrd.gz" "$LAB_TMP/vm/"
for v in a b; do
	lab_mkdisk "$LAB_TMP/vm/$v.img" 8M
	cat >"$LAB_TMP/$v.conf" <<P
name=vm70$v
memory.size=128M
boot.kernel=$LAB_TMP/vm/vmlinuz
boot.initrd=$LAB_TMP/vm/initrd.gz
boot.cmdline=console=ttyS0 quiet panic=-1
acpi_tables=true
pci.0.0.0.device=hostbridge
pci.0.31.0.device=lpc
lpc.com1.path=console
pci.0.2.0.device=virtio-blk
pci.0.2.0.path=$LAB_TMP/vm/$v.img
pci.0.3.0.device=virtio-net
pci.0.3.0.backend=hv7${v}tap0
pci.0.4.0.device=virtio-rnd
jail.uid=auto
jail.tap_prefix=hv7${v}tap
jail.stop_timeout=3
P
	chmod 644 "$LAB_TMP/$v.conf"
	hyve-jail --profile "$LAB_TMP/$v.conf" --foreground >"$LAB_TMP/$v.out" \
		2>"$LAB_TMP/$v.err" &
	eval "sup_$v=\$!"
	i=0
	while [ ! -L /run/hyve/vm70$v/console ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -L /run/hyve/vm70$v/console ] || { cat "$LAB_TMP/$v.err"; lab_fail "vm70$v: no console"; }
	cat /run/hyve/vm70$v/console >"$LAB_TMP/$v.console" 2>/dev/null &
done
for v in a b; do
	lab_wait_for "$LAB_TMP/$v.console" '@@UP' 150 ||
		{ cat "$LAB_TMP/$v.err"; lab_fail "vm70$v did not boot"; }
done
# procs SUP: the pids of the box (children of the supervisor)
procs() { grep -l "^PPid:	$1\$" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3; }
uid_of() { awk '/^Uid/ {print $2}' /proc/$1/status; }
pa=$(procs $sup_a) pb=$(procs $sup_b)
[ "$(echo $pa | wc -w)" = 4 ] || lab_fail "vm70a: $(echo $pa | wc -w) processes, expected hyve + 3 helpers"
[ "$(echo $pb | wc -w)" = 4 ] || lab_fail "vm70b: $(echo $pb | wc -w) processes, expected hyve + 3 helpers"
uids=""
for p in $pa $pb; do
	u=$(uid_of $p)
	case " $uids " in *" $u "*) lab_fail "uid $u is used twice";; esac
	uids="$uids $u"
done
echo "uids:$uids"
nsa=$(readlink /proc/$(echo $pa | cut -d' ' -f1)/ns/pid)
nsb=$(readlink /proc/$(echo $pb | cut -d' ' -f1)/ns/pid)
[ "$nsa" != "$nsb" ] || lab_fail "the VMs share a pid namespace"
for p in $pa; do [ "$(readlink /proc/$p/ns/pid)" = "$nsa" ] || lab_fail "vm70a's $p is outside its pid ns"; done
for p in $pb; do [ "$(readlink /proc/$p/ns/pid)" = "$nsb" ] || lab_fail "vm70b's $p is outside its pid ns"; done
# What each VM holds: its own disk and tap, nothing of the other's.
for v in a b; do
	o=b; [ $v = b ] && o=a
	eval "mine=\$p$v"
	for p in $mine; do
		for f in /proc/$p/fd/*; do
			l=$(readlink "$f")
			case $l in *"/$o.img") lab_fail "vm70$v's $(cat /proc/$p/comm) holds vm70$o's disk";; esac
			grep -q "^iff:.*hv7${o}tap0" /proc/$p/fdinfo/${f##*/} 2>/dev/null &&
				lab_fail "vm70$v's $(cat /proc/$p/comm) holds vm70$o's tap"
		done
		# nothing of the host (run directories, consoles, disks) in its root
		for x in /run/hyve "/run/hyve/vm70$o" /dev/pts "$LAB_TMP/vm/$o.img" /proc/1; do
			[ -e "/proc/$p/root$x" ] && lab_fail "vm70$v's $(cat /proc/$p/comm) reaches $x"
		done
	done
	blk="" net=""
	for p in $mine; do
		case $(cat /proc/$p/comm) in hyve-blk) blk=$p;; hyve-net) net=$p;; esac
	done
	[ "$(readlink /proc/$blk/fd/4)" = "$LAB_TMP/vm/$v.img" ] || lab_fail "vm70$v's hyve-blk lacks its disk"
	grep -q "^iff:.*hv7${v}tap0" /proc/$net/fdinfo/4 || lab_fail "vm70$v's hyve-net lacks its tap"
done
[ "$(readlink /run/hyve/vm70a/console)" != "$(readlink /run/hyve/vm70b/console)" ] || lab_fail "one console for both"
[ "$(stat -c %a /run/hyve/vm70a)" = 700 ] || lab_fail "run directory mode"
kill -TERM $sup_a $sup_b
wait $sup_a $sup_b
sleep 0.5
for v in a b; do
	cat "$LAB_TMP/$v.err"
	[ -e /run/hyve/vm70$v ] && lab_fail "/run/hyve/vm70$v left behind"
	[ -e /sys/fs/cgroup/hyve/vm70$v ] && lab_fail "vm70$v's cgroup left behind"
	[ -e /sys/class/net/hv7${v}tap0 ] && lab_fail "tap hv7${v}tap0 left behind"
	grep -q "/run/hyve/vm70$v" /proc/self/mountinfo && lab_fail "vm70$v: mount left behind"
done
for p in $pa $pb; do [ -e /proc/$p ] && lab_fail "process $p left behind"; done
echo "ok: two jailed VMs, eight uids, no shared process, disk, tap, console or run directory; nothing left"
