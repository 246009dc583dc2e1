#!/bin/sh
# Time from VMM start to the guest's init, hyve beside Debian's QEMU
# (-enable-kvm, -M pc and -M microvm) with the same kernel, initramfs, memory
# and vCPU count, in the same lab run; median of BOOT_RUNS (3) each.  Also
# each VMM's own memory: RSS minus the guest RAM it has touched, sampled while
# the guest idles at its init.
# lab-timeout: 900
. "$LAB_KIT/lib.sh"
RUNS=${BOOT_RUNS:-3}
MEM_MB=256
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@BOOTED"
sleep 3
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
APPEND="console=ttyS0 quiet panic=-1"

# centiseconds since L1 boot (busybox date has no %N)
cs() { sed 's/^\([0-9]*\)\.\([0-9]*\).*/\1\2/' /proc/uptime; }

# own_kb PID: RSS in kB of every mapping except guest RAM (the one mapping of
# at least MEM_MB, the memfd for hyve, an anonymous block for QEMU)
own_kb() {
	awk -v big=$((MEM_MB * 1024)) '
		/^[0-9a-f]+-[0-9a-f]+ / { size = 0; next }
		/^Size:/ { size = $2 }
		/^Rss:/ { if (size >= big) guest += $2; else own += $2 }
		END { print own + 0 }' "/proc/$1/smaps" 2>/dev/null
}

# boot_once NAME CMD...: runs CMD with the console in $LAB_TMP/c.NAME,
# prints "centiseconds own_kb"
boot_once() {
	n=$1
	shift
	: >"$LAB_TMP/c.$n"
	t0=$(cs)
	"$@" </dev/null >/dev/null 2>"$LAB_TMP/e.$n" 3<>"$LAB_TMP/c.$n" &
	pid=$!
	i=0
	while ! grep -q '@@BOOTED' "$LAB_TMP/c.$n" 2>/dev/null; do
		if ! [ -d "/proc/$pid" ] || [ "$(cut -d' ' -f3 "/proc/$pid/stat")" = Z ]; then
			cat "$LAB_TMP/c.$n" "$LAB_TMP/e.$n" >&2
			lab_fail "$n: the VMM exited before the guest's init"
		fi
		i=$((i + 1))
		[ "$i" -lt 6000 ] || lab_fail "$n: no guest init after 120s"
		sleep 0.02
	done
	t1=$(cs)
	sleep 1
	kb=$(own_kb "$pid")
	wait "$pid"
	echo "$((t1 - t0)) $kb"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

run() { # NAME CMD...
	n=$1
	shift
	: >"$LAB_TMP/t.$n"
	: >"$LAB_TMP/m.$n"
	r=0
	while [ "$r" -lt "$RUNS" ]; do
		out=$(boot_once "$n" "$@") || exit 1
		echo "$out" | cut -d' ' -f1 >>"$LAB_TMP/t.$n"
		echo "$out" | cut -d' ' -f2 >>"$LAB_TMP/m.$n"
		echo "$n run $r: $(echo "$out" | cut -d' ' -f1)0 ms, own memory $(echo "$out" | cut -d' ' -f2) kB"
		r=$((r + 1))
	done
}

run hyve hyve -m ${MEM_MB}M -A -s 0,hostbridge -s 31,lpc -l com1,fd:3 \
	-o boot.kernel="$LAB_KIT/vmlinuz" -o boot.initrd="$LAB_TMP/initrd.gz" \
	-o boot.cmdline="$APPEND" benchvm
QEMU="qemu-system-x86_64 -enable-kvm -cpu host -m $MEM_MB -smp 1 -nodefaults -display none
	-no-reboot -kernel $LAB_KIT/vmlinuz -initrd $LAB_TMP/initrd.gz"
# shellcheck disable=SC2086
run qemu-pc $QEMU -M pc -serial "file:$LAB_TMP/c.qemu-pc" -append "$APPEND"
# shellcheck disable=SC2086
run qemu-microvm $QEMU -M microvm -serial "file:$LAB_TMP/c.qemu-microvm" -append "$APPEND"

ms() { echo "$(($(median <"$LAB_TMP/t.$1") * 10))"; }
kb() { median <"$LAB_TMP/m.$1"; }
echo "BENCH|boot to guest init, ms (median of $RUNS)|$(ms hyve)|ms|qemu -M pc -enable-kvm|$(ms qemu-pc)"
echo "BENCH|boot to guest init, ms (median of $RUNS)|$(ms hyve)|ms|qemu -M microvm -enable-kvm|$(ms qemu-microvm)"
echo "BENCH|VMM memory without guest RAM, kB|$(kb hyve)|kB|qemu -M pc|$(kb qemu-pc)"
echo "BENCH|VMM memory without guest RAM, kB|$(kb hyve)|kB|qemu -M microvm|$(kb qemu-microvm)"
