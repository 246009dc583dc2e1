#!/bin/bash
# The console pty pair: the VM writes to the master it was handed, the
# slave is published as /run/hyve/NAME/console.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
O=$T/out
# fd 5: /dev/kvm is 3, boot.kernel 4, the console 5 (hyve-jail(8)).
profile "$P" "jail.seccomp=log" "jail.exec_args=--console 5 --sleep 30"
start "$P" "$O"
want "$O" console 1
c=/run/hyve/$NAME/console
[ -L "$c" ] || fail "$c is not a symlink"
case $(readlink "$c") in /dev/pts/[0-9]*) ;; *) fail "$c -> $(readlink "$c")" ;; esac
got=$(timeout 2 head -c 18 "$c")
[ "$got" = "hello from the box" ] || fail "console read: '$got'"
stop
jail_clean
