#!/bin/sh
# A forbidden system call kills the jailed VMM: hyve-jail-test (the test
# build of the launcher, the only one that takes jail.exec) runs
# hyve-seccomp-test (hyve plus a SIGUSR2 trigger that calls mount(2) after
# its filters are in) in the box, with a virtio-rnd helper.  On SIGUSR2 it
# must die of SIGSYS; the supervisor says so, exits 4, its helper goes with
# it and nothing is left behind.
# lab-timeout: 200
. "$LAB_KIT/lib.sh"
N=vm70s
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@UP"
while :; do sleep 1; done
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
mkdir -p "$LAB_TMP/vm" && chmod 755 "$LAB_TMP" "$LAB_TMP/vm"
cp "$LAB_KIT/vmlinuz" "$LAB_TMP/initrd.gz" "$LAB_TMP/vm/"
cat >"$LAB_TMP/$N.conf" <<P
name=$N
memory.size=128M
boot.kernel=$LAB_TMP/vm/vmlinuz
boot.initrd=$LAB_TMP/vm/initrd.gz
boot.cmdline=console=ttyS0 quiet panic=-1
acpi_tables=true
pci.0.0.0.device=hostbridge
pci.0.31.0.device=lpc
lpc.com1.path=console
pci.0.4.0.device=virtio-rnd
jail.uid=auto
jail.stop_timeout=5
jail.exec=$HYVE_BIN/hyve-seccomp-test
P
chmod 644 "$LAB_TMP/$N.conf"
hyve-jail-test --profile "$LAB_TMP/$N.conf" --foreground >"$LAB_TMP/jail.out" \
	2>"$LAB_TMP/jail.err" &
sup=$!
i=0
while [ ! -L /run/hyve/$N/console ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -L /run/hyve/$N/console ] || { cat "$LAB_TMP/jail.err"; lab_fail "no console link"; }
cat /run/hyve/$N/console >"$LAB_TMP/console" 2>/dev/null &
if ! lab_wait_for "$LAB_TMP/console" '@@UP' 150; then
	kill $sup; cat "$LAB_TMP/console" "$LAB_TMP/jail.err"
	lab_fail "guest never came up under hyve-jail"
fi
box="" rng=""
for k in $(grep -l "^PPid:	$sup\$" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3); do
	case $(cat /proc/$k/comm) in
	hyve-seccomp-te) box=$k;;
	hyve-rng) rng=$k;;
	esac
done
[ -n "$box" ] || lab_fail "no hyve-seccomp-test under hyve-jail"
[ -n "$rng" ] || lab_fail "no hyve-rng under hyve-jail"
grep -q '^Seccomp:[[:space:]]*2' /proc/$box/status || lab_fail "no filter on the VMM"
kill -USR2 $box
(sleep 30; kill -KILL $sup 2>/dev/null) &
dog=$!
wait $sup
rc=$?
kill $dog 2>/dev/null
cat "$LAB_TMP/jail.out" "$LAB_TMP/jail.err"
lab_expect "$LAB_TMP/jail.err" 'calling mount\(2\)' "the trigger did not run"
grep -q 'still alive' "$LAB_TMP/jail.err" && lab_fail "mount(2) returned under the jail's filters"
lab_expect "$LAB_TMP/jail.err" "hyve-jail: $N: the VM was killed by SIGSYS" \
	"the supervisor did not report the SIGSYS"
[ "$rc" = 4 ] || lab_fail "hyve-jail exit status $rc, expected 4"
[ -e /proc/$rng ] && lab_fail "hyve-rng outlived the VM"
[ -e /run/hyve/$N ] && lab_fail "/run/hyve/$N left behind"
[ -e /sys/fs/cgroup/hyve/$N ] && lab_fail "cgroup left behind"
grep -q "/run/hyve/$N" /proc/self/mountinfo && lab_fail "mount left behind"
echo "ok: mount(2) in the jailed VMM killed it (SIGSYS), reported, nothing left"
