#!/bin/bash
# Inside the box: no capability in any set, no_new_privs, a seccomp filter,
# the VM's uid and gid and no supplementary group.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
profile "$P" "jail.seccomp=log" "jail.uid=3999101" "jail.gid=3999102" \
	"jail.exec_args=--exit 1"
"$J" --profile "$P" --foreground >"$O" 2>"$O.err"
rc=$?
[ "$rc" = 1 ] || fail "exit status $rc: $(cat "$O.err")"
for c in CapEff CapPrm CapInh CapBnd CapAmb; do
	want "$O" $c 0000000000000000
done
want "$O" NoNewPrivs 1
# 2 = a seccomp filter is installed (the launcher policy); 0 would mean the
# launcher was built without policy/ (never faked).
want "$O" Seccomp 2
want "$O" uid "3999101 euid=3999101 gid=3999102 egid=3999102"
want "$O" groups 0
jail_clean
