#!/bin/sh
# make demo (scripts/demo.sh): the demo VM of profiles/vm0.conf (copied in
# as $LAB_FILES/vm0.conf) boots under hyve-jail, its console is read and
# written through /run/hyve/vm0/console, a command runs in the guest, the
# guest powers off, and the script says what it showed.  It never fakes a
# boot: every line it reports was read from the guest's console, and any
# step that did not happen fails the demo.
# The profile's kernel, initrd and disk (/var/lib/hyve/vm0/...) are made
# here from the lab's guest kit.  The only override is jail.restart=no
# (one boot, then the demo ends).
# lab-timeout: 400
. "$LAB_KIT/lib.sh"
PROFILE=${LAB_FILES:-}/vm0.conf
[ -r "$PROFILE" ] || lab_fail "demo: profiles/vm0.conf was not copied in"
say() { echo "demo: $*"; }

# 1. What the profile points at.
mkdir -p /var/lib/hyve/vm0 /etc/hyve
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
# The demo guest: a banner, then run each line typed on the console until
# "poweroff"; /init powers off when this returns.
stty -echo 2>/dev/null
echo "@@DEMO banner: hyve demo guest $(uname -r), $(grep -c ^processor /proc/cpuinfo) vCPU(s), disk $(cat /sys/block/vda/size 2>/dev/null) sectors, nics: $(ls /sys/class/net | tr '\n' ' ')"
echo "@@DEMO ready"
while read -r line; do
	case $line in
	poweroff) echo "@@DEMO powering off"; break;;
	'') ;;
	*) echo "@@DEMO \$ $line"; sh -c "$line" 2>&1 | sed 's/^/@@DEMO > /'; echo "@@DEMO done";;
	esac
done
G
lab_guest_initrd /var/lib/hyve/vm0/initrd.img "$LAB_TMP/init"
cp "$LAB_KIT/vmlinuz" /var/lib/hyve/vm0/vmlinuz
lab_mkdisk /var/lib/hyve/vm0/disk.img 64M
cp "$PROFILE" /etc/hyve/vm0.conf
chown 0:0 /etc/hyve/vm0.conf && chmod 0644 /etc/hyve/vm0.conf
say "profile /etc/hyve/vm0.conf (profiles/vm0.conf); the plan:"
hyve-jail --profile /etc/hyve/vm0.conf --dry-run >"$LAB_TMP/plan" 2>&1 ||
	{ cat "$LAB_TMP/plan"; lab_fail "demo: hyve-jail refused the profile"; }
grep -E '^step|helper pci|execveat' "$LAB_TMP/plan" | cut -c1-160

# 2. The box.
: >"$LAB_TMP/console"
hyve-jail --profile /etc/hyve/vm0.conf -o jail.restart=no --foreground \
	>"$LAB_TMP/jail.out" 2>"$LAB_TMP/jail.err" &
sup=$!
i=0
while [ ! -L /run/hyve/vm0/console ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -L /run/hyve/vm0/console ] || { cat "$LAB_TMP/jail.err"; lab_fail "demo: no /run/hyve/vm0/console"; }
cat /run/hyve/vm0/console >"$LAB_TMP/console" 2>/dev/null &
catp=$!
say "hyve-jail (pid $sup) runs vm0; in its box:"
sleep 1
for k in $(grep -l "^PPid:	$sup\$" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3); do
	say "  $(cat /proc/$k/comm) uid $(awk '/^Uid/ {print $2}' /proc/$k/status), $(grep NoNewPrivs /proc/$k/status | tr '\t' ' '), $(grep ^Seccomp: /proc/$k/status | tr '\t' ' ')"
done
ip link show hv0tap0 >/dev/null 2>&1 && say "tap hv0tap0 made by hyve-jail"

# 3. The console: banner, a command, poweroff.
lab_wait_for "$LAB_TMP/console" '@@DEMO ready' 240 ||
	{ kill $sup; tail -5 "$LAB_TMP/console"; cat "$LAB_TMP/jail.err"; lab_fail "demo: the guest did not boot to its banner"; }
printf 'uname -a\r' >/run/hyve/vm0/console
lab_wait_for "$LAB_TMP/console" '@@DEMO done' 60 ||
	{ kill $sup; lab_fail "demo: the command typed on the console did not run"; }
printf 'poweroff\r' >/run/hyve/vm0/console
wait $sup
rc=$?
sleep 0.3
kill $catp 2>/dev/null
echo "---- the guest's console (lines it printed for the demo):"
grep -a '@@DEMO' "$LAB_TMP/console" | sed 's/^.*@@DEMO /  /' | tr -d '\r'
cat "$LAB_TMP/jail.out" "$LAB_TMP/jail.err"
echo "----"
lab_expect "$LAB_TMP/console" '@@DEMO banner: hyve demo guest' "demo: no boot banner"
lab_expect "$LAB_TMP/console" '@@DEMO > Linux .* x86_64' "demo: no output of uname -a"
lab_expect "$LAB_TMP/console" '@@DEMO powering off' "demo: the guest did not power off"
[ "$rc" = 1 ] || lab_fail "demo: hyve-jail exit status $rc, expected 1 (poweroff)"
[ -e /run/hyve/vm0 ] && lab_fail "demo: /run/hyve/vm0 left behind"
ip link show hv0tap0 >/dev/null 2>&1 && lab_fail "demo: tap hv0tap0 left behind"
[ -e /sys/fs/cgroup/hyve/vm0 ] && lab_fail "demo: cgroup hyve/vm0 left behind"
pidof hyve hyve-blk hyve-net hyve-rng >/dev/null && lab_fail "demo: a process of vm0 is left"
say "shown: vm0 booted under hyve-jail (hyve and its helpers hyve-blk,"
say "hyve-net, hyve-rng in one box, each under its own uid), printed its"
say "banner on /run/hyve/vm0/console, ran 'uname -a' typed on that console,"
say "powered off (exit status 1), and hyve-jail removed its run directory,"
say "tap and cgroup."
