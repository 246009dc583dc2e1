#!/bin/bash
# make demo: boot the demo VM (profiles/vm0.conf) under hyve-jail and show its
# console: natively where /dev/kvm exists, in the nested lab otherwise.
# It never fakes a boot: when a piece is missing it says which and fails;
# tests/lab/demo.sh checks every line it reports against the guest console.
set -uo pipefail
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
missing=()
for p in hyve hyve-jail hyve-blk hyve-net hyve-rng; do
	[ -x "$BUILD/$p" ] || missing+=("$p")
done
[ -r profiles/vm0.conf ] || missing+=("profiles/vm0.conf")
[ -r tests/lab/demo.sh ] || missing+=("tests/lab/demo.sh")
if [ ${#missing[@]} -gt 0 ]; then
	echo "demo: hyve cannot boot the demo VM yet: missing ${missing[*]}."
	echo "demo: see the open issues; nothing was started."
	exit 1
fi
exec tests/lab/run --build "$BUILD" --timeout 600 tests/lab/demo.sh profiles/vm0.conf
