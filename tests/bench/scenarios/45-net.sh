#!/bin/sh
# virtio-net TCP throughput, guest->host and host->guest over a tap in L1:
# hyve (bare, -s 3,virtio-net,TAP served by hyve-net) beside Debian's QEMU
# with KVM and its own in-process virtio-net (-netdev tap,vhost=off: the
# userspace reference; romfile= because L1 has no option ROMs and -kernel
# boots need none), and with vhost=on only if /dev/vhost-net exists in
# L1 (it does not unless vhost_net is loaded; then that column is skipped
# and the output says so). Same kernel, initramfs, 256M and one vCPU.
# Each transfer is NET_MB (64) MiB through net-bench (tests/bench/net_bench.c,
# static, in the guest's initramfs and run in L1), timed by the receiving
# end: guest->host by the L1 side, host->guest by the guest.
# Also hyve-net's peak RSS (VmHWM; it counts the guest pages the helper
# touched) beside the growth of QEMU's own memory (RSS outside guest RAM)
# over the transfers.
#
# Rounds: on the 2-core lab host, load from elsewhere can slow one run by
# several times, so the VMMs run BENCH_ROUNDS (3) times, interleaved (hyve,
# QEMU, [QEMU vhost=on,] hyve, ...), so that a burst of load hits every
# VMM's figures alike rather than one VMM's only; each throughput BENCH
# figure is the median across rounds, and each round's raw figures are
# printed too ("net round N/M: ...") so the spread is visible. The memory
# figures are the largest across rounds: they are peaks, and load does not
# shrink them. Nested lab: about 40 s per round with the defaults, 2
# minutes in all (environment variables do not reach L1, so there the
# defaults apply).
# lab-timeout: 600
. "$LAB_KIT/lib.sh"
command -v qemu-system-x86_64 >/dev/null || lab_fail "no qemu in the lab (run with --with-qemu)"
command -v net-bench >/dev/null || lab_fail "no net-bench in $HYVE_BIN (make build/net-bench)"
MB=${NET_MB:-64}
ROUNDS=${BENCH_ROUNDS:-3}
case $ROUNDS in '' | *[!0-9]* | 0*) lab_fail "BENCH_ROUNDS=$ROUNDS: want a positive integer" ;; esac
MEM_MB=256
TMO=150		# seconds for one transfer
HOST=10.0.2.1
GUEST=10.0.2.2

cat >"$LAB_TMP/init" <<G
#!/bin/sh
ip addr add $GUEST/24 dev eth0
ip link set eth0 up
i=0
until ping -c 1 -W 1 $HOST >/dev/null 2>&1; do
	i=\$((i + 1))
	[ \$i -lt 60 ] || { echo "@@NET no ping"; exit 1; }
done
echo "@@NET up"
/files/net-bench connect $HOST 5001 send $MB $TMO || echo "@@NET g2h failed"
/files/net-bench connect $HOST 5002 recv $MB $TMO || echo "@@NET h2g failed"
echo "@@NET done"
sleep 2
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init" "$HYVE_BIN/net-bench"
APPEND="console=ttyS0 quiet panic=-1"

# own_kb PID: RSS in kB outside guest RAM (the one mapping of at least
# MEM_MB), as in 20-boot.sh
own_kb() {
	awk -v big=$((MEM_MB * 1024)) '
		/^[0-9a-f]+-[0-9a-f]+ / { size = 0; next }
		/^Size:/ { size = $2 }
		/^Rss:/ { if (size < big) own += $2 }
		END { print own + 0 }' "/proc/$1/smaps" 2>/dev/null
}

# wait_console NAME PATTERN: until the guest prints PATTERN while VM $VPID runs
wait_console() {
	i=0
	until grep -q "$2" "$LAB_TMP/c.$1" 2>/dev/null; do
		if ! kill -0 "$VPID" 2>/dev/null; then
			tail -20 "$LAB_TMP/c.$1" "$LAB_TMP/e.$1" >&2
			lab_fail "$1: the VMM exited before the guest printed '$2'"
		fi
		[ $i -lt 1500 ] || {
			tail -20 "$LAB_TMP/c.$1" "$LAB_TMP/e.$1" >&2
			lab_fail "$1: the guest did not print '$2' within 300 s"
		}
		guest_ok "$1"
		sleep 0.2
		i=$((i + 1))
	done
	guest_ok "$1"
}

# guest_ok NAME: fail if the guest reported a failed ping or transfer
guest_ok() {
	tr -d '\r' <"$LAB_TMP/c.$1" | grep -q '^@@NET \(no ping\|g2h failed\|h2g failed\)' || return 0
	tail -20 "$LAB_TMP/c.$1" "$LAB_TMP/g2h.$1" "$LAB_TMP/h2g.$1" >&2
	case $(tr -d '\r' <"$LAB_TMP/c.$1" | grep '^@@NET \(no ping\|g2h failed\|h2g failed\)' | head -1) in
	*"no ping") lab_fail "$1: the guest cannot ping $HOST over the tap" ;;
	*g2h*) lab_fail "$1: guest->host transfer did not complete (guest side)" ;;
	*) lab_fail "$1: host->guest transfer did not complete (guest side)" ;;
	esac
}

# mbps FILE: the MB/s figure of net-bench's line in FILE
mbps() { tr -d '\r' <"$1" | sed -n 's/.*@@N recv [0-9]* bytes [0-9.]* s \([0-9.]*\) MB\/s.*/\1/p' | tail -1; }


# max FILE: the largest number in FILE (one per line)
max() { sort -n "$1" | tail -1; }

# run NAME TAP CMD...: host listeners, the VM, the tap's address, the two
# transfers; appends "g2h h2g" to $LAB_TMP/all.NAME (NAME without the
# ".ROUND" suffix) and leaves the VMM pid in VPID
run() {
	n=$1 tap=$2
	shift 2
	: >"$LAB_TMP/c.$n"
	net-bench listen 0.0.0.0 5001 recv "$MB" $((TMO + 60)) >"$LAB_TMP/g2h.$n" 2>&1 &
	rpid=$!
	net-bench listen 0.0.0.0 5002 send "$MB" $((TMO + 60)) >"$LAB_TMP/h2g.$n" 2>&1 &
	spid=$!
	"$@" </dev/null >/dev/null 2>"$LAB_TMP/e.$n" 3<>"$LAB_TMP/c.$n" &
	VPID=$!
	i=0
	while [ ! -e "/sys/class/net/$tap" ] && [ $i -lt 200 ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ -e "/sys/class/net/$tap" ] || { cat "$LAB_TMP/e.$n" >&2; lab_fail "$n: no tap $tap"; }
	ip addr add $HOST/24 dev "$tap" || lab_fail "$n: cannot address $tap"
	ip link set "$tap" up
	wait_console "$n" '@@NET up'
	OWN0=$(own_kb "$VPID")
	wait_console "$n" '@@NET done'
	OWN1=$(own_kb "$VPID")
	HWM=
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = hyve-net ] &&
			HWM=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "$p/status")
	done
	wait "$rpid" || { cat "$LAB_TMP/g2h.$n" >&2; lab_fail "$n: guest->host transfer did not complete"; }
	wait "$spid" || { cat "$LAB_TMP/h2g.$n" >&2; lab_fail "$n: host->guest transfer did not complete"; }
	wait "$VPID"
	VRC=$?
	ip link del "$tap" 2>/dev/null
	g=$(mbps "$LAB_TMP/g2h.$n")
	h=$(mbps "$LAB_TMP/c.$n")
	[ -n "$g" ] && [ -n "$h" ] || { cat "$LAB_TMP/c.$n" >&2; lab_fail "$n: no figures"; }
	echo "$g $h" >>"$LAB_TMP/all.${n%.*}"
}

echo "net: $ROUNDS round(s), $MB MiB per transfer; per round: guest->host host->guest (MB/s)"
VHOST=
[ -c /dev/vhost-net ] && VHOST=1
[ -n "$VHOST" ] || echo "net: no /dev/vhost-net in L1 (vhost_net not loaded): no vhost=on column"
QEMU="qemu-system-x86_64 -enable-kvm -M pc -cpu host -m $MEM_MB -smp 1 -nodefaults -display none
	-no-reboot -kernel $LAB_KIT/vmlinuz -initrd $LAB_TMP/initrd.gz"
for f in all.hyve all.qemu all.qemu-vhost hwm qgrow; do : >"$LAB_TMP/$f"; done
r=1
while [ $r -le "$ROUNDS" ]; do
	t0=$(date +%s)
	run hyve.$r hv0tap0 hyve -A -m ${MEM_MB}M -s 0,hostbridge -s 31,lpc -s 3,virtio-net,hv0tap0 \
		-l com1,fd:3 -o boot.kernel="$LAB_KIT/vmlinuz" -o boot.initrd="$LAB_TMP/initrd.gz" \
		-o boot.cmdline="$APPEND" benchvm
	[ "$VRC" = 1 ] || lab_fail "hyve.$r: hyve did not power off cleanly (status $VRC): $(cat "$LAB_TMP/e.hyve.$r")"
	[ -n "$HWM" ] || lab_fail "hyve.$r: could not read hyve-net's VmHWM under hyve"
	echo "$HWM" >>"$LAB_TMP/hwm"
	mem="hyve's own memory $OWN0 -> $OWN1 kB, hyve-net VmHWM $HWM kB"

	# shellcheck disable=SC2086
	run qemu.$r qmtap0 $QEMU -serial "file:$LAB_TMP/c.qemu.$r" -append "$APPEND" \
		-netdev tap,id=n,ifname=qmtap0,script=no,downscript=no,vhost=off \
		-device virtio-net-pci,netdev=n,romfile=
	[ "$VRC" = 0 ] || lab_fail "qemu.$r: qemu (vhost=off) exit status $VRC: $(tail -5 "$LAB_TMP/e.qemu.$r")"
	echo $((OWN1 - OWN0)) >>"$LAB_TMP/qgrow"
	mem="$mem, QEMU's own memory $OWN0 -> $OWN1 kB"

	vh=
	if [ -n "$VHOST" ]; then
		# shellcheck disable=SC2086
		run qemu-vhost.$r qvtap0 $QEMU -serial "file:$LAB_TMP/c.qemu-vhost.$r" -append "$APPEND" \
			-netdev tap,id=n,ifname=qvtap0,script=no,downscript=no,vhost=on \
			-device virtio-net-pci,netdev=n,romfile=
		[ "$VRC" = 0 ] || lab_fail "qemu-vhost.$r: qemu (vhost=on) exit status $VRC: $(tail -5 "$LAB_TMP/e.qemu-vhost.$r")"
		vh=", QEMU vhost=on $(tail -1 "$LAB_TMP/all.qemu-vhost")"
	fi
	echo "net round $r/$ROUNDS: hyve $(tail -1 "$LAB_TMP/all.hyve"), QEMU $(tail -1 "$LAB_TMP/all.qemu")$vh;" \
		"$mem ($(($(date +%s) - t0)) s)"
	r=$((r + 1))
done

# shellcheck disable=SC2046 # split on purpose: one word per figure
set -- $(lab_median "$LAB_TMP/all.hyve") $(lab_median "$LAB_TMP/all.qemu")
R="qemu virtio-net (vhost=off)"
echo "BENCH|net guest->host TCP, MB/s|$1|MB/s|$R|$3"
echo "BENCH|net host->guest TCP, MB/s|$2|MB/s|$R|$4"
if [ -n "$VHOST" ]; then
	# shellcheck disable=SC2046 # split on purpose: one word per figure
	set -- $(lab_median "$LAB_TMP/all.hyve") $(lab_median "$LAB_TMP/all.qemu-vhost")
	R="qemu virtio-net (vhost=on)"
	echo "BENCH|net guest->host TCP, MB/s|$1|MB/s|$R|$3"
	echo "BENCH|net host->guest TCP, MB/s|$2|MB/s|$R|$4"
fi
echo "BENCH|net hyve-net peak RSS (VmHWM), kB|$(max "$LAB_TMP/hwm")|kB|qemu own RSS growth over transfers|$(max "$LAB_TMP/qgrow")"
