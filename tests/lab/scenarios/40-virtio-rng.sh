#!/bin/sh
# virtio-rnd: hyve starts hyve-rng itself (bare mode), the guest's
# virtio_rng driver becomes the current hwrng and /dev/hwrng gives bytes
# that are not all zero.  The data path is hyve-rng writing guest memory
# and interrupting through an irqfd; hyve never sees a request.
# lab-timeout: 150
. "$LAB_KIT/lib.sh"
cat >"$LAB_TMP/init" <<'G'
#!/bin/sh
echo "@@RNG current=$(cat /sys/class/misc/hw_random/rng_current 2>&1)"
hex=$(dd if=/dev/hwrng bs=64 count=4 2>/dev/null | od -An -tx1 | tr -d ' \n')
echo "@@RNG bytes=$((${#hex} / 2)) head=$(echo "$hex" | cut -c1-16)"
case "$hex" in *[1-9a-f]*) echo "@@RNG nonzero" ;; esac
G
lab_guest_initrd "$LAB_TMP/initrd.gz" "$LAB_TMP/init"
: >"$LAB_TMP/console"
hyve -A -m 256M -s 0,hostbridge -s 31,lpc -s 4,virtio-rnd -l com1,fd:3 \
	-o boot.kernel="$LAB_KIT/vmlinuz" -o boot.initrd="$LAB_TMP/initrd.gz" \
	-o boot.cmdline="console=ttyS0 quiet panic=-1" \
	vm0 3<>"$LAB_TMP/console" </dev/null 2>"$LAB_TMP/stderr"
rc=$?
cat "$LAB_TMP/console" "$LAB_TMP/stderr"
lab_expect "$LAB_TMP/console" '@@RNG current=virtio_rng' \
	"the guest's current hwrng is not virtio_rng"
lab_expect "$LAB_TMP/console" '@@RNG bytes=256 ' \
	"the guest did not read 256 bytes from /dev/hwrng"
lab_expect "$LAB_TMP/console" '@@RNG nonzero' "/dev/hwrng gave only zeros"
[ "$rc" = 1 ] || lab_fail "guest poweroff: hyve exit status $rc, expected 1"
[ -s "$LAB_TMP/stderr" ] && lab_fail "hyve printed on stderr"
# the helper went away with hyve
for p in /proc/[0-9]*; do
	[ "$(cat "$p/comm" 2>/dev/null)" = hyve-rng ] &&
		lab_fail "hyve-rng (${p#/proc/}) outlived hyve"
done
echo "ok: virtio-rnd through hyve-rng, guest read /dev/hwrng"
