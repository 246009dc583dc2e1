# Shell helpers for lab scenarios: `. "$LAB_KIT/lib.sh"`.  POSIX sh (busybox
# ash in L1, dash or bash on a host with /dev/kvm).
#
#   $LAB_KIT/vmlinuz            guest kernel (Debian's)
#   $LAB_KIT/initramfs.cpio.gz  guest busybox initramfs (tests/lab/guest-init.sh)
#   $HYVE_BIN                   the built programs (also in PATH)
#   $LAB_FILES                  extra files given to tests/lab/run
#   $LAB_TMP                    this scenario's scratch directory
#   $LAB_IN_L1                  1 inside the nested L1, 0 on a native host

# lab_fail MESSAGE: say why and fail the scenario
lab_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# lab_guest_initrd OUT.cpio.gz INIT_SCRIPT [FILE...]
# The guest initramfs with INIT_SCRIPT as /etc/lab-init (run by the guest's
# /init after the modules are loaded) and each FILE under /files/.
lab_guest_initrd() {
	_out=$1 _init=$2
	shift 2
	[ -r "$_init" ] || lab_fail "lab_guest_initrd: no init script $_init"
	_d=$(mktemp -d "${LAB_TMP:-/tmp}/initrd.XXXXXX")
	mkdir -p "$_d/etc" "$_d/files"
	cp "$_init" "$_d/etc/lab-init"
	chmod 755 "$_d/etc/lab-init"
	for _f in "$@"; do cp "$_f" "$_d/files/"; done
	(cd "$_d" && find . | sort | cpio -o -H newc 2>/dev/null | gzip -1) >"$_d.ov" ||
		lab_fail "lab_guest_initrd: cpio failed"
	cat "$LAB_KIT/initramfs.cpio.gz" "$_d.ov" >"$_out"
	rm -rf "$_d" "$_d.ov"
}

# lab_mkdisk FILE SIZE: a sparse raw disk image (SIZE as truncate takes it)
lab_mkdisk() {
	rm -f "$1"
	truncate -s "$2" "$1" || lab_fail "lab_mkdisk: cannot create $1"
}

# lab_wait_for FILE PATTERN SECONDS: wait until FILE contains PATTERN (grep -E)
lab_wait_for() {
	_i=0
	while [ "$_i" -lt "$(($3 * 5))" ]; do
		grep -q -E "$2" "$1" 2>/dev/null && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}

# lab_expect FILE PATTERN WHAT: fail the scenario unless FILE matches PATTERN
lab_expect() {
	grep -q -E "$2" "$1" || {
		echo "--- last lines of $1:" >&2
		tail -n 20 "$1" >&2
		lab_fail "$3"
	}
}

# lab_pid_of COMM: the pid of a process named COMM (the last /proc lists),
# or nothing
lab_pid_of() {
	_pid=
	for _p in /proc/[0-9]*; do
		[ "$(cat "$_p/comm" 2>/dev/null)" = "$1" ] && _pid=${_p#/proc/}
	done
	echo "$_pid"
}

# lab_wait_tap TAP: wait up to 10 s for hyve to create TAP, fail if it did not
lab_wait_tap() {
	_i=0
	while [ ! -e "/sys/class/net/$1" ] && [ "$_i" -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -e "/sys/class/net/$1" ] || lab_fail "hyve did not create $1"
}

# lab_median FILE: per column, the median of FILE's lines (one line per
# round; the mean of the middle two when the count is even)
lab_median() {
	awk '{ for (i = 1; i <= NF; i++) v[i, NR] = $i; nf = NF }
	     END {
		for (i = 1; i <= nf; i++) {
			for (r = 1; r <= NR; r++) s[r] = v[i, r] + 0
			for (r = 2; r <= NR; r++)	# insertion sort: NR is small
				for (k = r; k > 1 && s[k - 1] > s[k]; k--) {
					t = s[k]; s[k] = s[k - 1]; s[k - 1] = t
				}
			m = (NR % 2) ? s[(NR + 1) / 2] : (s[NR / 2] + s[NR / 2 + 1]) / 2
			printf "%s%s", (i > 1 ? " " : ""), m
		}
		print ""
	     }' "$1"
}
