#!/bin/bash
# A failing step undoes every step before it: a cgroup that already exists
# (host step 5, after the run dir, the tap and the pty were made), an
# executable that is not root's (step 4) and an exec that fails inside the
# box (a dynamic binary has no loader there) leave nothing behind.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	pre=/sys/fs/cgroup/hyve/$NAME
else
	pre=/sys/fs/cgroup/pids/hyve/$NAME
fi
mkdir -p "$pre"
profile "$P"
got=$("$J" --profile "$P" --foreground 2>&1 >/dev/null)
rmdir "$pre"
[ "$got" = "hyve-jail: cgroup: $pre: File exists (left over from a VM that was killed? remove it with rmdir)" ] ||
	fail "cgroup: $got"
jail_clean

cp "$PROBE" "$T/probe" && chown 4242 "$T/probe"
profile "$P" "jail.exec=$T/probe"
got=$("$J" --profile "$P" --foreground 2>&1 >/dev/null)
[ "$got" = "hyve-jail: res: $T/probe: must be owned by root and not writable by group or others" ] ||
	fail "exec owner: $got"
jail_clean

profile "$P" "jail.exec=/bin/true"
got=$("$J" --profile "$P" --foreground 2>&1 >/dev/null)
rc=$?
[ "$rc" = 4 ] || fail "exit status $rc"
[ "$got" = "hyve-jail: box: execveat /bin/true: No such file or directory" ] ||
	fail "box: $got"
jail_clean
