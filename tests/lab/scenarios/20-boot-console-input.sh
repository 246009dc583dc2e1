#!/bin/sh
# Host input reaches the guest through COM1 (stdio back end, 16550 RX FIFO
# and its interrupt on IRQ 4): the guest reads a line from its console.
# lab-timeout: 240
. "$LAB_KIT/lib.sh"
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
stty -echo
echo "@@READY"
read -r line
echo "@@GOT <$line>"
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
mkfifo "$LAB_TMP/in"
hyve -A -s 0,hostbridge -s 31,lpc -l com1,stdio \
	-o boot.kernel="$LAB_KIT/vmlinuz" -o boot.initrd="$LAB_TMP/initrd.gz" \
	-o boot.cmdline="console=ttyS0 quiet panic=-1" vm0 \
	<"$LAB_TMP/in" >"$LAB_TMP/console" 2>&1 &
pid=$!
exec 3>"$LAB_TMP/in"
if ! lab_wait_for "$LAB_TMP/console" '@@READY' 150; then
	kill -KILL $pid
	cat "$LAB_TMP/console"
	lab_fail "guest never got ready to read"
fi
sleep 0.5
echo "hello from the host, a line longer than the sixteen byte FIFO" >&3
# a guest that never stops fails here, not at the lab's timeout
(sleep 60; kill -KILL $pid 2>/dev/null) &
dog=$!
wait $pid
rc=$?
kill $dog 2>/dev/null
exec 3>&-
cat "$LAB_TMP/console"
[ "$rc" = 137 ] && lab_fail "hyve did not exit within 60 s"
lab_expect "$LAB_TMP/console" '@@GOT <hello from the host, a line longer than the sixteen byte FIFO>' \
	"the guest did not read the host's line"
[ "$rc" = 1 ] || lab_fail "hyve exit status $rc, expected 1"
echo "ok: a line typed on the host reached the guest"
