#!/bin/bash
# Run the sandbox tests (tests/sandbox/*.sh): root-only checks of the jail,
# the policies and the launcher on this machine, no KVM needed.  Each script
# gets the build directory in $BUILD and passes by exiting 0.
set -uo pipefail
BUILD=$(cd "${1:-build}" && pwd)
export BUILD
[ "$(id -u)" = 0 ] || { echo "sandbox: these tests need root" >&2; exit 1; }
shopt -s nullglob
tests=(tests/sandbox/*.sh)
[ ${#tests[@]} -gt 0 ] || { echo "sandbox: no sandbox tests: nothing was tested" >&2; exit 1; }
passed=0 failed=0
for t in "${tests[@]}"; do
	echo "=== sandbox: $t"
	if timeout -s KILL 300 bash "$t" </dev/null; then
		echo "--- PASS $t"
		passed=$((passed + 1))
	else
		echo "--- FAIL $t (status $?)"
		failed=$((failed + 1))
	fi
done
echo "sandbox: $passed passed, $failed failed"
[ "$failed" = 0 ]
