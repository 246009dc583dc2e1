#!/bin/sh
# What the jail costs (issue 5, "Measured").
#  1. hyve-jail-test start to the exec of jail-probe --minimal in the box
#     (the probe reads CLOCK_REALTIME first thing; jail-time subtracts its
#     own clock read taken just before fork), and the CPU time (user+sys)
#     of the supervisor, the box and the probe from start to the end of the
#     supervisor's cleanup; reference: the same probe run directly.
#     Median of JAIL_RUNS (10).
#  2. The same with 100 and 1000 extra tmpfs mounts in L1's root mount
#     namespace (under a scratch tmpfs of our own, detached afterwards);
#     reference: the 0-mount figure.  Firecracker's jailer slows 2-10x here.
#  3. Real guests under the production hyve-jail, JAIL_VMS (5) one after
#     the other, with a minimal profile (console only, no disk or net): the
#     guest's init prints a marker and powers off; start to hyve-jail's exit
#     (cleanup included), as VMs per minute; reference: bare hyve, same
#     guest, same machine options.
# Every run must exit with the probe's or hyve's status 1; after each jailed
# run no run directory or cgroup may be left; at the end no mount.
# lab-timeout: 900
. "$LAB_KIT/lib.sh"
RUNS=${JAIL_RUNS:-10}
VMS=${JAIL_VMS:-5}
PROBE=$HYVE_BIN/jail-probe
N=jb50
MNT=$LAB_TMP/mnt
VM_PIDS=""

# On a failure: SIGTERM to jail-time reaches hyve-jail (ACPI power-off,
# then a kill after jail.stop_timeout), whose supervisor removes its cgroup
# and run directory; wait for that before the lab kills what is left.
cleanup() {
	for p in $VM_PIDS; do
		kill -TERM "$p" 2>/dev/null
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1; i=$((i + 1))
		done
	done
	grep -q " $MNT " /proc/self/mountinfo && umount -l "$MNT"
}
trap cleanup EXIT

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# field FILE KEY: the values of KEY= in jail-time's lines of FILE
field() { sed -n "s/.*$2=\\(-*[0-9]*\\).*/\\1/p" "$1"; }

# nothing_left NAME: the supervisor removed what it made
nothing_left() {
	[ -e "/run/hyve/$1" ] && lab_fail "/run/hyve/$1 left behind"
	[ -e "/sys/fs/cgroup/hyve/$1" ] && lab_fail "cgroup hyve/$1 left behind"
	grep -q "/run/hyve/$1" /proc/self/mountinfo && lab_fail "mount of $1 left behind"
	return 0
}

# series TAG CMD...: RUNS timed runs of CMD into $LAB_TMP/r.TAG; each must
# exit 1 (the probe's status, passed on by hyve-jail) and reach the probe.
series() {
	tag=$1
	shift
	: >"$LAB_TMP/r.$tag"
	r=0
	while [ "$r" -lt "$RUNS" ]; do
		jail-time "$@" >"$LAB_TMP/one" 2>"$LAB_TMP/one.err" ||
			{ cat "$LAB_TMP/one.err"; lab_fail "$tag: jail-time failed"; }
		line=$(cat "$LAB_TMP/one")
		case $line in
		*" rc=1") ;;
		*) cat "$LAB_TMP/one.err"; lab_fail "$tag run $r: the start failed ($line)";;
		esac
		case $line in
		exec_us=-1*) cat "$LAB_TMP/one.err"; lab_fail "$tag run $r: the probe never ran";;
		esac
		grep -qx 'Seccomp=2' "$LAB_TMP/one.err" || [ "$tag" = direct ] ||
			{ cat "$LAB_TMP/one.err"; lab_fail "$tag run $r: the probe ran without the box's filter"; }
		nothing_left $N
		echo "$line" >>"$LAB_TMP/r.$tag"
		r=$((r + 1))
	done
	echo "$tag: exec_us $(field "$LAB_TMP/r.$tag" exec_us | tr '\n' ' ')"
	echo "$tag: cpu_us  $(field "$LAB_TMP/r.$tag" cpu_us | tr '\n' ' ')"
}
med() { field "$LAB_TMP/r.$1" "$2" | median; }

# ---- 1. the box around a static program
mkdir -p "$LAB_TMP/vm" && chmod 755 "$LAB_TMP" "$LAB_TMP/vm"
cp "$LAB_KIT/vmlinuz" "$LAB_TMP/vm/"
cat >"$LAB_TMP/probe.conf" <<P
name=$N
memory.size=128M
boot.kernel=$LAB_TMP/vm/vmlinuz
jail.uid=auto
jail.cgroup.memory.max=64M
jail.cgroup.pids.max=16
jail.exec=$PROBE
jail.exec_args=--minimal
P
chmod 644 "$LAB_TMP/probe.conf"
# One discarded run of each first: page cache, cgroup and uid-range
# set-up of the first start are not what is measured.
RUNS=1 series warm hyve-jail-test --profile "$LAB_TMP/probe.conf" --foreground
series direct "$PROBE" --minimal
series jail0 hyve-jail-test --profile "$LAB_TMP/probe.conf" --foreground

# ---- 2. with many mounts on the host
mkdir -p "$MNT"
mount -t tmpfs -o size=64k bench50 "$MNT" || lab_fail "scratch tmpfs"
have=0
for want in 100 1000; do
	while [ "$have" -lt "$want" ]; do
		mkdir "$MNT/$have" && mount -t tmpfs -o size=4k "m$have" "$MNT/$have" ||
			lab_fail "mount $have of $want"
		have=$((have + 1))
	done
	got=$(grep -c " $MNT/" /proc/self/mountinfo)
	[ "$got" = "$want" ] || lab_fail "$got extra mounts, expected $want"
	echo "host: $(wc -l </proc/self/mountinfo) mounts in all"
	series "jail$want" hyve-jail-test --profile "$LAB_TMP/probe.conf" --foreground
done
umount -l "$MNT" || lab_fail "could not detach the scratch mounts"
grep -q " $MNT" /proc/self/mountinfo && lab_fail "scratch mounts left behind"
# 0 mounts again, after: the reference is the median of both 0-mount series,
# so a drift of the shared machine during the series does not look like a
# cost of mounts.
series jail0b hyve-jail-test --profile "$LAB_TMP/probe.conf" --foreground
cat "$LAB_TMP/r.jail0b" >>"$LAB_TMP/r.jail0both"
cat "$LAB_TMP/r.jail0" >>"$LAB_TMP/r.jail0both"

# ---- 3. real guests, one after the other
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@UP50"
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
cp "$LAB_TMP/initrd.gz" "$LAB_TMP/vm/"
APPEND="console=ttyS0 quiet panic=-1"
cat >"$LAB_TMP/vm.conf" <<P
name=$N
memory.size=128M
boot.kernel=$LAB_TMP/vm/vmlinuz
boot.initrd=$LAB_TMP/vm/initrd.gz
boot.cmdline=$APPEND
acpi_tables=true
pci.0.0.0.device=hostbridge
pci.0.31.0.device=lpc
lpc.com1.path=console
jail.uid=auto
jail.stop_timeout=5
P
chmod 644 "$LAB_TMP/vm.conf"

# vm_once TAG I: one guest; appends jail-time's line to $LAB_TMP/v.TAG
vm_once() {
	c=$LAB_TMP/c.$1.$2
	: >"$c"
	if [ "$1" = jail ]; then
		jail-time hyve-jail --profile "$LAB_TMP/vm.conf" --foreground \
			>"$LAB_TMP/one" 2>"$LAB_TMP/one.err" &
		jt=$!
		VM_PIDS=$jt
		i=0
		while [ ! -L /run/hyve/$N/console ] && [ $i -lt 200 ]; do
			kill -0 $jt 2>/dev/null || break
			sleep 0.05; i=$((i + 1))
		done
		[ -L /run/hyve/$N/console ] ||
			{ cat "$LAB_TMP/one.err"; lab_fail "jail vm $2: no console link"; }
		# The pty keeps what the guest wrote before this opens it.
		cat /run/hyve/$N/console >"$c" 2>/dev/null &
		cat_pid=$!
		wait $jt
		VM_PIDS=""
		sleep 0.2
		kill $cat_pid 2>/dev/null
		wait $cat_pid 2>/dev/null
		nothing_left $N
	else
		jail-time hyve -m 128M -A -s 0,hostbridge -s 31,lpc -l com1,fd:3 \
			-o boot.kernel="$LAB_TMP/vm/vmlinuz" \
			-o boot.initrd="$LAB_TMP/vm/initrd.gz" \
			-o boot.cmdline="$APPEND" $N \
			</dev/null >"$LAB_TMP/one" 2>"$LAB_TMP/one.err" 3<>"$c"
	fi
	line=$(cat "$LAB_TMP/one")
	case $line in
	*" rc=1") ;;
	*) cat "$c" "$LAB_TMP/one.err"; lab_fail "$1 vm $2: the start failed ($line)";;
	esac
	grep -q '@@UP50' "$c" ||
		{ cat "$c" "$LAB_TMP/one.err"; lab_fail "$1 vm $2: the guest's init never ran"; }
	echo "$1 vm $2: $line"
	echo "$line" >>"$LAB_TMP/v.$1"
}
# Alternated, so that a drift of the shared machine hits both alike.
: >"$LAB_TMP/v.hyve"
: >"$LAB_TMP/v.jail"
k=0
while [ "$k" -lt "$VMS" ]; do
	vm_once hyve $k
	vm_once jail $k
	k=$((k + 1))
done
pidof hyve hyve-jail >/dev/null && lab_fail "a hyve or hyve-jail process is left"

# ---- figures
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
for t in jail0 jail0both jail100 jail1000 direct; do
	eval "E_$t=\$(med $t exec_us); C_$t=\$(med $t cpu_us); X_$t=\$(med $t end_us)"
done
echo "BENCH|jail start to exec, wall (median of $RUNS)|$(ms "$E_jail0")|ms|probe run directly|$(ms "$E_direct")"
echo "BENCH|jail start to exit, CPU user+sys (median of $RUNS)|$(ms "$C_jail0")|ms|probe run directly|$(ms "$C_direct")"
for m in 100 1000; do
	eval "e=\$E_jail$m c=\$C_jail$m"
	echo "BENCH|jail start to exec, $m host mounts|$(ms "$e")|ms|0 extra mounts, before+after|$(ms "$E_jail0both")"
	echo "BENCH|jail CPU user+sys, $m host mounts|$(ms "$c")|ms|0 extra mounts, before+after|$(ms "$C_jail0both")"
done
rate() { awk -v u="$1" -v per="$2" 'BEGIN { printf "%.1f", per * 1000000 / u }'; }
echo "BENCH|probe boxes per second, sequential, start to cleanup|$(rate "$X_jail0" 1)|/s|probe run directly|$(rate "$X_direct" 1)"
# VMs per minute: VMS guests one after the other, each start to exit.
tot() { field "$LAB_TMP/v.$1" end_us | awk '{ s += $1 } END { print s }'; }
echo "BENCH|guests per minute under hyve-jail ($VMS in a row)|$(awk -v s="$(tot jail)" -v n="$VMS" 'BEGIN { printf "%.1f", n * 60000000 / s }')|/min|bare hyve|$(awk -v s="$(tot hyve)" -v n="$VMS" 'BEGIN { printf "%.1f", n * 60000000 / s }')"
echo "BENCH|guest start to exit under hyve-jail (median of $VMS)|$(ms "$(field "$LAB_TMP/v.jail" end_us | median)")|ms|bare hyve|$(ms "$(field "$LAB_TMP/v.hyve" end_us | median)")"
echo "BENCH|guest start to exit CPU under hyve-jail (median of $VMS)|$(ms "$(field "$LAB_TMP/v.jail" cpu_us | median)")|ms|bare hyve|$(ms "$(field "$LAB_TMP/v.hyve" cpu_us | median)")"
