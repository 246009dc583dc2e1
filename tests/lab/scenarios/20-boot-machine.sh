#!/bin/sh
# The machine the guest sees: -c 2 gives 2 CPUs, -m 512M about 512 MiB,
# and the CMOS RTC (with -u: UTC) reads the host's time.  The same boot
# carries the remaining machine flags: -x (x2APIC), -p (vCPU pinning),
# -w (unknown MSRs ignored), -H/-P (KVM's default HLT/PAUSE exits), -U,
# and COM2 (-l com2, IRQ 3) on an already-open descriptor.
# lab-timeout: 240
. "$LAB_KIT/lib.sh"
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@CPUS $(grep -c ^processor /proc/cpuinfo)"
echo "@@MEM $(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)"
echo "@@RTC $(cat /sys/class/rtc/rtc0/since_epoch 2>/dev/null || echo none)"
grep -q x2apic /proc/cpuinfo && echo "@@X2APIC"
echo "@@COM2 says hello" >/dev/ttyS1
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
: >"$LAB_TMP/com2"
t0=$(date +%s)
hyve -A -u -x -w -H -P -c 2 -m 512M -p 0:0 -p 1:0 \
	-U 6ba7b810-9dad-11d1-80b4-00c04fd430c8 -s 0,hostbridge -s 31,lpc \
	-l com1,stdio -l com2,fd:4 4<>"$LAB_TMP/com2" \
	-o boot.kernel="$LAB_KIT/vmlinuz" -o boot.initrd="$LAB_TMP/initrd.gz" \
	-o boot.cmdline="console=ttyS0 quiet panic=-1" vm0 \
	</dev/null >"$LAB_TMP/console" 2>&1
rc=$?
t1=$(date +%s)
cat "$LAB_TMP/console"
[ "$rc" = 1 ] || lab_fail "hyve exit status $rc, expected 1 (poweroff)"
lab_expect "$LAB_TMP/console" '@@CPUS 2' "-c 2: the guest does not see 2 CPUs"
lab_expect "$LAB_TMP/console" '@@X2APIC' "-x: the guest does not see x2APIC"
lab_expect "$LAB_TMP/com2" '@@COM2 says hello' "nothing arrived on COM2"
mem=$(sed -n 's/.*@@MEM \([0-9]*\).*/\1/p' "$LAB_TMP/console" | tr -d '\r')
# 512 MiB = 524288 kB; the kernel keeps some for itself
[ -n "$mem" ] && [ "$mem" -gt 440000 ] && [ "$mem" -le 524288 ] ||
	lab_fail "-m 512M: guest MemTotal is '$mem' kB"
echo "ok: MemTotal $mem kB"
rtc=$(sed -n 's/.*@@RTC \([0-9]*\).*/\1/p' "$LAB_TMP/console" | tr -d '\r')
[ -n "$rtc" ] || lab_fail "the guest has no readable RTC"
[ "$rtc" -ge $((t0 - 2)) ] && [ "$rtc" -le $((t1 + 2)) ] ||
	lab_fail "guest RTC $rtc is not the host's time ($t0..$t1)"
echo "ok: 2 CPUs, MemTotal $mem kB, RTC $rtc within host $t0..$t1"
