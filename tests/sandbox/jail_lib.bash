# Shared by tests/sandbox/jail_*.sh (sourced, not a test: no .sh suffix).
#
# Each test builds its own profile in a fresh directory with a unique VM
# name, runs hyve-jail-test (the launcher built to exec jail-probe instead of
# hyve) and checks one thing.  jail_clean checks that nothing is left:
# run directory, cgroups, taps, mounts, processes.
set -uo pipefail

: "${BUILD:?BUILD must name the build directory}"
J=$BUILD/hyve-jail-test
JPROD=$BUILD/hyve-jail
PROBE=$BUILD/jail-probe
[ -x "$J" ] && [ -x "$PROBE" ] && [ -x "$JPROD" ] || {
	echo "FAIL: build $J, $JPROD and $PROBE first" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "FAIL: needs root" >&2; exit 1; }

ID=$$
NAME=jt$ID
TAPP=jt$ID
T=$(mktemp -d /tmp/jail-test.XXXXXX)
chmod 755 "$T"
head -c 8192 /dev/zero >"$T/vmlinuz"
truncate -s 1M "$T/disk.img"
SUPS=()

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

jail_cleanup() {
	local p i
	# SIGTERM first: the supervisor then removes what it made.
	for p in "${SUPS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${SUPS[@]}"; do
		for i in $(seq 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap jail_cleanup EXIT

# profile FILE [key=value ...]: a probe profile; a given key replaces the
# base line in place (cfg refuses a key set twice in one file), a new key
# is appended.
profile() {
	local f=$1 kv
	shift
	{
		echo "name=$NAME"
		echo "memory.size=256M"
		echo "boot.kernel=$T/vmlinuz"
		echo "pci.0.0.0.device=hostbridge"
		echo "pci.0.1.0.device=lpc"
		echo "lpc.com1.path=console"
		echo "pci.0.2.0.device=virtio-blk"
		echo "pci.0.2.0.path=$T/disk.img"
		echo "pci.0.3.0.device=virtio-net"
		echo "pci.0.3.0.backend=${TAPP}t0"
		echo "jail.tap_prefix=$TAPP"
		echo "jail.uid=auto"
		echo "jail.cgroup.memory.max=64M"
		echo "jail.cgroup.pids.max=16"
		echo "jail.stop_timeout=2"
		echo "jail.exec=$PROBE"
	} >"$f"
	for kv in "$@"; do
		KV=$kv awk 'BEGIN { kv = ENVIRON["KV"]; k = substr(kv, 1,
			index(kv, "=")); done = 0 }
		    substr($0, 1, length(k)) == k { print kv; done = 1; next }
		    { print }
		    END { if (!done) print kv }' "$f" >"$f.new" && mv "$f.new" "$f"
	done
	chmod 644 "$f"
	chown root:root "$f"
}

# line FILE KEY: the line number of KEY= in FILE (the last one).
line() {
	grep -n "^$2=" "$1" | tail -1 | cut -d: -f1
}

# jail_clean [NAME [TAP]]: nothing of the VM is left on the host.
jail_clean() {
	local n=${1:-$NAME} tap=${2:-${TAPP}t0} d
	[ -e "/run/hyve/$n" ] && fail "/run/hyve/$n left behind"
	for d in /sys/fs/cgroup/*/hyve/"$n" /sys/fs/cgroup/hyve/"$n"; do
		[ -e "$d" ] && fail "cgroup $d left behind"
	done
	ip link show "$tap" >/dev/null 2>&1 && fail "tap $tap left behind"
	grep -q "/run/hyve/$n" /proc/self/mountinfo && fail "mount left behind"
	# With no argument this is the test's only VM: none of its
	# processes may be left either.
	[ $# = 0 ] && pgrep -f "profile $T/" >/dev/null &&
		fail "process left behind"
	return 0
}

# refuse PROFILE EXPECTED [hyve-jail args...]: exit 4, exactly this
# message, and nothing created.
refuse() {
	local p=$1 want=$2 got rc
	shift 2
	got=$("$J" --profile "$p" --foreground "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 4 ] || fail "exit status $rc, expected 4 (output: $got)"
	[ "$got" = "$want" ] || fail "message:
  got:  $got
  want: $want"
	jail_clean
}

# start PROFILE OUT [args]: run a box in the background; sets SUP (the
# supervisor) and BOX (the box's pid 1, host pid) once the probe sleeps.
start() {
	local p=$1 out=$2 i
	shift 2
	"$J" --profile "$p" --foreground "$@" >"$out" 2>"$out.err" &
	SUP=$!
	SUPS+=("$SUP")
	for i in $(seq 100); do
		grep -q '^sleeping=' "$out" && break
		kill -0 "$SUP" 2>/dev/null || fail "box exited: $(cat "$out.err")"
		sleep 0.1
	done
	grep -q '^sleeping=' "$out" || fail "box did not start"
	BOX=$(cat "/proc/$SUP/task/$SUP/children")
	BOX=${BOX%% *}
	[ -n "$BOX" ] || fail "no box process"
}

# stop: SIGTERM to the supervisor, wait for it; sets RC.
stop() {
	kill -TERM "$SUP"
	wait "$SUP"
	RC=$?
	kill -0 "$BOX" 2>/dev/null && fail "box process $BOX outlived its supervisor"
	return 0
}

# want OUT KEY VALUE: the probe printed KEY=VALUE.
want() {
	grep -qxF "$2=$3" "$1" || fail "$2: expected \"$3\", got \"$(grep "^$2=" "$1")\""
}

# helper PROG: the host pid of the supervisor's child that runs PROG (a
# device helper, hyve-jail(8) step 7); fails when there is none.
helper() {
	local c i
	for i in $(seq 30); do
		for c in $(cat "/proc/$SUP/task/$SUP/children" 2>/dev/null); do
			[ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$1" ] &&
				{ echo "$c"; return 0; }
		done
		sleep 0.1
	done
	fail "no $1 helper under supervisor $SUP"
}

# novirtio FILE: drop the profile's virtio devices (no helpers: the box is
# alone in its pid namespace).
novirtio() {
	sed -i '/^pci\.0\.[234]\.0\./d' "$1"
}
