#!/bin/sh
# hyvectl list shows two running VMs (name, pid, uid, state, cpus, memory,
# uptime, also as JSON), then a stale run directory as stale, quickly;
# hyvectl destroy stops both and their run directories go away.
# lab-timeout: 240
. "$LAB_KIT/lib.sh"
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@UP"
while :; do sleep 1; done
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
boot() {	# NAME CPUS MEM
	hyve -A -c "$2" -m "$3" -s 0,hostbridge -s 31,lpc -l com1,stdio \
		-o boot.kernel="$LAB_KIT/vmlinuz" \
		-o boot.initrd="$LAB_TMP/initrd.gz" \
		-o boot.cmdline="console=ttyS0 quiet panic=-1" "$1" \
		</dev/null >"$LAB_TMP/$1.console" 2>&1 &
}
boot lva 1 128M
pa=$!
boot lvb 2 192M
pb=$!
for v in lva lvb; do
	lab_wait_for "$LAB_TMP/$v.console" '@@UP' 120 || {
		kill -KILL $pa $pb; cat "$LAB_TMP/$v.console"
		lab_fail "$v did not come up"; }
done
hyvectl list >"$LAB_TMP/list" || lab_fail "hyvectl list: exit $?"
cat "$LAB_TMP/list"
lab_expect "$LAB_TMP/list" "^lva +$pa +0 +running +1 +128M " "lva not listed right"
lab_expect "$LAB_TMP/list" "^lvb +$pb +0 +running +2 +192M " "lvb not listed right"
hyvectl list --json >"$LAB_TMP/json" || lab_fail "hyvectl list --json"
cat "$LAB_TMP/json"
lab_expect "$LAB_TMP/json" "\"name\":\"lva\",\"pid\":$pa,\"uid\":0,\"state\":\"running\",\"cpus\":1,\"memory\":134217728,\"uptime\":[0-9]+" "lva JSON"
lab_expect "$LAB_TMP/json" "\"name\":\"lvb\",\"pid\":$pb,.*\"cpus\":2,\"memory\":201326592" "lvb JSON"

# A run directory whose hyve died without cleaning up: stale, at once.
mkdir -p /run/hyve/lvdead && echo 999999 >/run/hyve/lvdead/pid
t0=$(date +%s)
hyvectl list >"$LAB_TMP/list2"
[ $(($(date +%s) - t0)) -le 3 ] || lab_fail "list took too long with a stale VM"
lab_expect "$LAB_TMP/list2" "^lvdead +999999 .* stale " "stale VM not shown as stale"
hyvectl stats lvdead 2>"$LAB_TMP/err" && lab_fail "stats on a stale VM succeeded"
lab_expect "$LAB_TMP/err" "stale run directory" "stale: no clear message"
hyvectl destroy lvdead || lab_fail "destroy of a stale run directory"
[ -e /run/hyve/lvdead ] && lab_fail "stale run directory left"
hyvectl stats nosuchvm 2>"$LAB_TMP/err" && lab_fail "unknown VM accepted"
lab_expect "$LAB_TMP/err" 'no VM named "nosuchvm"' "unknown VM: no clear message"

hyvectl destroy lva || lab_fail "destroy lva"
hyvectl --destroy --vm=lvb || lab_fail "bhyvectl spelling: destroy lvb"
wait $pa; ra=$?
wait $pb; rb=$?
[ "$ra" = 4 ] && [ "$rb" = 4 ] || lab_fail "exit status $ra/$rb after destroy, expected 4"
for v in lva lvb; do
	[ -e /run/hyve/$v ] && lab_fail "/run/hyve/$v left behind"
done
hyvectl list >"$LAB_TMP/list3"
grep -qE '^lv' "$LAB_TMP/list3" && lab_fail "VMs still listed"
echo "ok: list shows two VMs and a stale one; destroy cleans up"
