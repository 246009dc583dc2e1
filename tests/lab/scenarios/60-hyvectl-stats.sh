#!/bin/sh
# hyvectl stats: vCPU exits (per vCPU and by reason) and console bytes grow
# while the guest works;
# JSON has every section; cgroup usage comes from the VM's cgroup.
# (Per-device counters: 60-hyvectl-devstats.sh.)
# lab-timeout: 200
. "$LAB_KIT/lib.sh"
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@UP"
i=0
while :; do i=$((i + 1)); echo "tick $i"; sleep 1; done
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
mkdir -p /sys/fs/cgroup/hyvectl-stats
hyve -A -c 2 -s 0,hostbridge -s 31,lpc -l com1,stdio \
	-o boot.kernel="$LAB_KIT/vmlinuz" -o boot.initrd="$LAB_TMP/initrd.gz" \
	-o boot.cmdline="console=ttyS0 quiet panic=-1" st0 \
	</dev/null >"$LAB_TMP/console" 2>&1 &
pid=$!
echo $pid >/sys/fs/cgroup/hyvectl-stats/cgroup.procs
lab_wait_for "$LAB_TMP/console" '@@UP' 120 || {
	kill -KILL $pid; cat "$LAB_TMP/console"; lab_fail "guest not up"; }
total() { sed -n 's/.*"exits":{"total":\([0-9]*\).*/\1/p' "$1"; }
tx() { sed -n 's/.*"console":{"tx":\([0-9]*\).*/\1/p' "$1"; }
hyvectl stats --json st0 >"$LAB_TMP/s1" || lab_fail "stats: exit $?"
sleep 4
hyvectl stats --json st0 >"$LAB_TMP/s2" || lab_fail "stats: exit $?"
hyvectl stats st0 || lab_fail "stats (table)"
cat "$LAB_TMP/s1" "$LAB_TMP/s2"
a=$(total "$LAB_TMP/s1") b=$(total "$LAB_TMP/s2")
[ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ] || lab_fail "exits did not grow ($a -> $b)"
a=$(tx "$LAB_TMP/s1") b=$(tx "$LAB_TMP/s2")
[ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ] || lab_fail "console bytes did not grow ($a -> $b)"
lab_expect "$LAB_TMP/s2" '"per_vcpu":\[[0-9]+,[0-9]+\]' "two vCPUs expected"
lab_expect "$LAB_TMP/s2" '"by_reason":\{[^}]*"io":[0-9]+' "no exits by reason (io)"
lab_expect "$LAB_TMP/s2" '"cgroup":\{"path":"/hyvectl-stats","version":2,"cpu_usec":[0-9]+,"memory":[0-9]+' "cgroup usage"
hyvectl destroy st0 >/dev/null
wait $pid
rmdir /sys/fs/cgroup/hyvectl-stats
echo "ok: stats counters grow"
