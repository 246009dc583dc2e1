#!/bin/sh
# Only root and the VM's owner may use a VM's control socket: another uid
# is refused (socket mode, and hyve's SO_PEERCRED check when the mode is
# opened up), with a clear message and no effect on the VM.
# lab-timeout: 200
. "$LAB_KIT/lib.sh"
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@UP"
while :; do sleep 1; done
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
hyve -A -s 0,hostbridge -s 31,lpc -l com1,stdio \
	-o boot.kernel="$LAB_KIT/vmlinuz" -o boot.initrd="$LAB_TMP/initrd.gz" \
	-o boot.cmdline="console=ttyS0 quiet panic=-1" ref0 \
	</dev/null >"$LAB_TMP/console" 2>&1 &
pid=$!
lab_wait_for "$LAB_TMP/console" '@@UP' 120 || {
	kill -KILL $pid; cat "$LAB_TMP/console"; lab_fail "guest not up"; }
# su as root asks no password.  L1 has no account for 65534: add one
# there (its /etc is a tmpfs); a native host has "nobody".
if [ "$LAB_IN_L1" = 1 ]; then
	who=hvnobody
	grep -q '^hvnobody:' /etc/passwd 2>/dev/null ||
		echo 'hvnobody:x:65534:65534:hyvectl test:/:/bin/sh' >>/etc/passwd
else
	who=nobody
fi
as_nobody() { su -s /bin/sh "$who" -c "$HYVE_BIN/hyvectl $*"; }
uidn=$(su -s /bin/sh "$who" -c 'id -u')
[ -n "$uidn" ] && [ "$uidn" != 0 ] || lab_fail "cannot run as $who"

as_nobody destroy ref0 2>"$LAB_TMP/err" && lab_fail "uid 65534 could destroy"
cat "$LAB_TMP/err"
lab_expect "$LAB_TMP/err" "Permission denied" "no clear refusal (directory mode)"
# Open the way on the file system: hyve itself must still refuse.
chmod 0755 /run/hyve/ref0
chmod 0666 /run/hyve/ref0/ctl.sock
as_nobody destroy ref0 2>"$LAB_TMP/err" && lab_fail "uid 65534 could destroy"
cat "$LAB_TMP/err"
lab_expect "$LAB_TMP/err" "uid $uidn may not control VM \"ref0\"" "hyve did not refuse by uid"
hyvectl stats ref0 >/dev/null || lab_fail "root refused"
kill -0 $pid || lab_fail "the VM died"
hyvectl destroy ref0 >/dev/null
wait $pid
echo "ok: a non-owner is refused"
