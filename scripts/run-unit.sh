#!/bin/bash
# Run every cmocka unit test binary given; print each one's output and a
# total over all of them.  Fails when a test fails, a binary crashes, or there
# is no test at all.
set -uo pipefail
[ $# -gt 0 ] || { echo "unit: no unit test binaries: nothing was tested" >&2; exit 1; }
passed=0 failed=0 bad=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	echo "$out"
	p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" != 0 ] && [ -z "$f" ]; then
		echo "unit: $t exited with status $rc" >&2
		bad=$((bad + 1))
	fi
	if [ -z "$p" ] && [ -z "$f" ]; then
		echo "unit: $t ran no cmocka test" >&2
		bad=$((bad + 1))
	fi
done
echo "unit: $# binaries"
echo "unit: $passed passed, $((failed + bad)) failed"
[ "$failed" = 0 ] && [ "$bad" = 0 ] && [ "$passed" -gt 0 ]
