#!/bin/sh
# hyve runs under its own seccomp filters (hyve-policy(5)), default mode
# kill: while the guest runs, every thread of hyve (main, both vCPUs, the
# UART back end, the control socket, the virtio device monitor) shows
# "Seccomp: 2" (filter mode) and "NoNewPrivs: 1"; the vCPU threads carry
# two filters (hyve.policy + hyve-vcpu.policy), the others one.  Under the
# filters hyvectl talks to the control thread, the virtio-rnd helper feeds
# the guest, SIGTERM powers the guest off (exit 1), nothing is printed on
# stderr, no seccomp violation is logged, and the run directory is removed.
# lab-timeout: 240
. "$LAB_KIT/lib.sh"
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
dev=
for e in /sys/class/input/event*; do
	grep -q "Power Button" "$e/device/name" 2>/dev/null && dev=/dev/input/${e##*/}
done
[ -n "$dev" ] || { echo "@@NO_POWER_BUTTON"; exit 1; }
echo "@@UP cpus=$(grep -c ^processor /proc/cpuinfo) rng=$(cat /sys/class/misc/hw_random/rng_current)"
dd if=/dev/hwrng bs=16 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n' | sed 's/^/@@RNG /'
echo
dd if="$dev" of=/dev/null bs=24 count=1 2>/dev/null
echo "@@BUTTON_PRESSED"
poweroff -f
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
rm -rf /run/hyve/sc0
n1326=$(dmesg | grep -c 'type=1326')
: >"$LAB_TMP/console"
hyve -A -c 2 -s 0,hostbridge -s 31,lpc -s 4,virtio-rnd -l com1,fd:3 \
	-o boot.kernel="$LAB_KIT/vmlinuz" -o boot.initrd="$LAB_TMP/initrd.gz" \
	-o boot.cmdline="console=ttyS0 quiet panic=-1" \
	sc0 3<>"$LAB_TMP/console" </dev/null 2>"$LAB_TMP/stderr" &
pid=$!
if ! lab_wait_for "$LAB_TMP/console" '@@UP|@@NO_POWER_BUTTON' 150; then
	kill -KILL $pid
	cat "$LAB_TMP/console" "$LAB_TMP/stderr"
	lab_fail "guest never came up"
fi
sleep 1
threads=0 bad=0
for t in /proc/$pid/task/*; do
	threads=$((threads + 1))
	comm=$(cat "$t/comm")
	sc=$(sed -n 's/^Seccomp:[[:space:]]*//p' "$t/status")
	nnp=$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' "$t/status")
	nf=$(sed -n 's/^Seccomp_filters:[[:space:]]*//p' "$t/status")
	echo "thread ${t##*/} '$comm': Seccomp=$sc NoNewPrivs=$nnp filters=$nf"
	[ "$sc" = 2 ] && [ "$nnp" = 1 ] || bad=$((bad + 1))
	case "$comm" in
	vcpu*) want=2 ;;
	*) want=1 ;;
	esac
	[ -z "$nf" ] || [ "$nf" = "$want" ] ||
		lab_fail "thread '$comm' has $nf filters, expected $want"
done
# main, 2 vCPUs, COM1 back end, control socket, virtio-rnd monitor
[ "$threads" -ge 6 ] || lab_fail "only $threads threads (expected at least 6)"
[ "$bad" = 0 ] || lab_fail "$bad of $threads threads without filter or no_new_privs"
hyvectl stats sc0 >"$LAB_TMP/stats" 2>&1 || { cat "$LAB_TMP/stats"; lab_fail "hyvectl stats under the filter: exit $?"; }
hyvectl list >"$LAB_TMP/list" 2>&1 || { cat "$LAB_TMP/list"; lab_fail "hyvectl list: exit $?"; }
cat "$LAB_TMP/stats" "$LAB_TMP/list"
kill -TERM $pid
(sleep 60; kill -KILL $pid 2>/dev/null) &
dog=$!
wait $pid
rc=$?
kill $dog 2>/dev/null
cat "$LAB_TMP/console" "$LAB_TMP/stderr"
[ "$rc" = 159 ] && { dmesg | grep 'type=1326' | tail -5; lab_fail "hyve was killed by SIGSYS (see the audit lines above)"; }
[ "$rc" = 1 ] || lab_fail "SIGTERM: hyve exit status $rc, expected 1"
lab_expect "$LAB_TMP/console" '@@UP cpus=2 rng=virtio_rng' "guest: 2 CPUs and virtio_rng expected"
lab_expect "$LAB_TMP/console" '@@RNG [0-9a-f]{32}' "guest read nothing from /dev/hwrng"
lab_expect "$LAB_TMP/console" '@@BUTTON_PRESSED' "guest saw no power button press"
[ -s "$LAB_TMP/stderr" ] && lab_fail "hyve printed on stderr"
[ -e /run/hyve/sc0 ] && lab_fail "/run/hyve/sc0 left behind (unlinkat under the filter)"
n=$(dmesg | grep -c 'type=1326')
[ "$n" = "$n1326" ] || { dmesg | grep 'type=1326' | tail -5; lab_fail "seccomp violations were logged"; }
echo "ok: all $threads threads of hyve under seccomp (mode 2, no_new_privs), vCPUs with 2 filters; hyvectl, virtio-rnd, SIGTERM -> exit 1 under the filters"
