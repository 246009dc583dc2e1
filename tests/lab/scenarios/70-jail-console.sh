#!/bin/sh
# hyvectl console on a jailed VM (the pty hyve-jail publishes as
# /run/hyve/NAME/console): the banner the guest printed before anyone
# attached is read, a command is sent and its output read, ~. detaches and
# the guest keeps running, a second attach is refused.
# (Was tests/lab/drafts/60-hyvectl-console.sh; passes since hyve runs
# static under hyve-jail with kvm.path=fd:3 and ctl.path=fd:N.)
# lab-timeout: 240
. "$LAB_KIT/lib.sh"
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
stty -echo
echo "@@BANNER hello"
while read -r line; do
	case $line in
	cmd) echo "@@OUT $(uname -s)";;
	esac
done
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
mkdir -p "$LAB_TMP/vm" && chmod 755 "$LAB_TMP" "$LAB_TMP/vm"
cp "$LAB_KIT/vmlinuz" "$LAB_TMP/initrd.gz" "$LAB_TMP/vm/"
cat >"$LAB_TMP/con0.conf" <<P
name=con0
memory.size=128M
boot.kernel=$LAB_TMP/vm/vmlinuz
boot.initrd=$LAB_TMP/vm/initrd.gz
boot.cmdline=console=ttyS0 quiet panic=-1
acpi_tables=true
pci.0.0.0.device=hostbridge
pci.0.1.0.device=lpc
lpc.com1.path=console
jail.uid=auto
P
chmod 644 "$LAB_TMP/con0.conf"
hyve-jail --profile "$LAB_TMP/con0.conf" --foreground >"$LAB_TMP/jail.out" 2>&1 &
sup=$!
i=0
while [ ! -L /run/hyve/con0/console ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
[ -L /run/hyve/con0/console ] || { cat "$LAB_TMP/jail.out"; lab_fail "no console link"; }
# Nobody attached while the guest boots and prints its banner.
sleep 20
{ sleep 2; printf 'cmd\r'; sleep 5; printf '~.'; } |
	hyvectl console -l 3000 con0 >"$LAB_TMP/c1" 2>"$LAB_TMP/c1.err"
rc=$?
cat "$LAB_TMP/c1" "$LAB_TMP/c1.err"
[ "$rc" = 0 ] || lab_fail "console: exit $rc"
lab_expect "$LAB_TMP/c1" '@@BANNER hello' "banner written before the attach was lost"
lab_expect "$LAB_TMP/c1" '@@OUT Linux' "command output not read"
lab_expect "$LAB_TMP/c1.err" 'detached; the VM keeps running' "~. did not detach"
kill -0 $sup || lab_fail "the VM stopped after a detach"
# A second attach while one is on.
sleep 10 | hyvectl console -q con0 >/dev/null 2>&1 &
holder=$!
sleep 1
hyvectl console con0 </dev/null 2>"$LAB_TMP/c2.err" && lab_fail "second attach accepted"
lab_expect "$LAB_TMP/c2.err" 'already attached \(pid [0-9]+\)' "second attach: no clear refusal"
kill $holder
kill -TERM $sup
wait $sup
[ -e /run/hyve/con0 ] && lab_fail "/run/hyve/con0 left behind"
echo "ok: console banner, command, detach, single attach"
