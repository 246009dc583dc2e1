#!/bin/sh
# virtio-net through hyve-net: hyve opens tap hv0tap0 (bare mode) and
# passes it to the helper; the guest gets the MAC derived from slot 5 and
# VM name vm0, pings the host end of the tap and sends 2 MiB through it
# while the host serves 2 MiB back (busybox httpd, wget in the guest).
# lab-timeout: 300
. "$LAB_KIT/lib.sh"
TAP=hv0tap0
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@NET mac=$(cat /sys/class/net/eth0/address)"
ip addr add 10.99.0.2/24 dev eth0
ip link set eth0 up
i=0
until ping -c 1 -W 1 10.99.0.1 >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -ge 30 ] && break
done
ping -c 3 -W 2 10.99.0.1 >/tmp/ping 2>&1 && echo "@@NET ping ok"
tail -2 /tmp/ping
# 2 MiB to the host, then 2 MiB back
dd if=/dev/zero bs=64k count=32 2>/dev/null | nc 10.99.0.1 5001 &&
	echo "@@NET sent"
n=$(wget -q -O - http://10.99.0.1:8080/to-guest | wc -c)
echo "@@NET received=$n"
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
: >"$LAB_TMP/console"
hyve -A -m 256M -s 0,hostbridge -s 31,lpc -s 5,virtio-net,$TAP -l com1,fd:3 \
	-o boot.kernel="$LAB_KIT/vmlinuz" -o boot.initrd="$LAB_TMP/initrd.gz" \
	-o boot.cmdline="console=ttyS0 quiet panic=-1" vm0 \
	3<>"$LAB_TMP/console" </dev/null 2>"$LAB_TMP/stderr" &
hpid=$!
lab_wait_tap $TAP
ip addr add 10.99.0.1/24 dev $TAP
ip link set $TAP up
# stdin that never ends: busybox nc half-closes when its stdin does, and
# the guest's nc would then stop sending
(sleep 200 | nc -l -p 5001 >"$LAB_TMP/from-guest") &
mkdir -p "$LAB_TMP/www"
dd if=/dev/zero bs=64k count=32 2>/dev/null >"$LAB_TMP/www/to-guest"
httpd -p 10.99.0.1:8080 -h "$LAB_TMP/www"
wait $hpid
rc=$?
cat "$LAB_TMP/console" "$LAB_TMP/stderr"
lab_expect "$LAB_TMP/console" '@@NET mac=58:9c:fc:46:19:61' \
	"the guest's MAC is not the one derived from slot 5 and vm0"
lab_expect "$LAB_TMP/console" '@@NET ping ok' "the guest cannot ping the tap"
lab_expect "$LAB_TMP/console" '@@NET sent' "the guest could not send"
lab_expect "$LAB_TMP/console" '@@NET received=2097152' \
	"the guest did not receive 2 MiB"
got=$(wc -c <"$LAB_TMP/from-guest")
[ "$got" = 2097152 ] || lab_fail "the host received $got bytes, not 2 MiB"
[ "$rc" = 1 ] || lab_fail "guest poweroff: hyve exit status $rc, expected 1"
[ -s "$LAB_TMP/stderr" ] && lab_fail "hyve printed on stderr"
echo "ok: virtio-net through hyve-net: ping and 2 MiB each way"
