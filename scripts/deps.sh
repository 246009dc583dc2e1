#!/bin/bash
# Install everything hyve's build, tests, lab and demo need on Debian 12, and
# fetch Debian's kernel package for the lab into a cache outside the git tree.
# Idempotent and quick when everything is there already (no apt-get update).
#
#   HYVE_LAB_CACHE=/var/cache/hyve-lab   where the lab's kernel and kits live
set -euo pipefail

PKGS=(
	# build
	gcc make libc6-dev linux-libc-dev pkg-config
	libseccomp-dev libcap-ng-dev libbpf-dev libelf-dev zlib1g-dev libcmocka-dev
	clang llvm             # libFuzzer target (make fuzz)
	mandoc                 # man page lint
	acpica-tools           # iasl: test_acpi disassembles and recompiles the tables
	# lab: nested KVM under TCG, guest kit
	qemu-system-x86 busybox-static cpio gzip kmod xz-utils zstd
	# sandbox tests
	iproute2 util-linux procps
)

need=()
for p in "${PKGS[@]}"; do
	case "$p" in \#*) continue ;; esac
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || { echo "deps: need root to install: ${need[*]}" >&2; exit 1; }
	echo "deps: installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

# The lab's kernel: Debian's linux-image-<abi>-amd64, unpacked (no /boot
# changes, no update-initramfs) into the cache and reused on the next run.
CACHE=${HYVE_LAB_CACHE:-/var/cache/hyve-lab}
mkdir -p "$CACHE"
kpkg_file=$CACHE/kernel-package
if [ ! -s "$kpkg_file" ] || [ ! -e "$CACHE/kroot/.done-$(cat "$kpkg_file")" ]; then
	KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	if [ -z "$KPKG" ]; then
		apt-get update -q >/dev/null
		KPKG=$(apt-cache depends linux-image-amd64 |
			awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	fi
	[ -n "$KPKG" ] || { echo "deps: cannot resolve linux-image-amd64" >&2; exit 1; }
	if [ ! -e "$CACHE/kroot/.done-$KPKG" ]; then
		echo "deps: fetching $KPKG for the lab"
		mkdir -p "$CACHE/dl"
		deb=$(ls "$CACHE"/dl/"${KPKG}"_*_amd64.deb /var/cache/apt/archives/"${KPKG}"_*_amd64.deb 2>/dev/null | tail -1 || true)
		if [ -z "$deb" ]; then
			(cd "$CACHE/dl" && apt-get download -q "$KPKG" 2>&1 | grep -v -i unsandboxed || true)
			deb=$(ls "$CACHE"/dl/"${KPKG}"_*_amd64.deb | tail -1)
		fi
		rm -rf "$CACHE/kroot"
		mkdir -p "$CACHE/kroot"
		dpkg-deb -x "$deb" "$CACHE/kroot"
		[ -d "$CACHE/kroot/lib/modules" ] || ln -s usr/lib "$CACHE/kroot/lib"
		kv=$(ls "$CACHE/kroot/lib/modules" | head -1)
		depmod -b "$CACHE/kroot" "$kv"
		touch "$CACHE/kroot/.done-$KPKG"
	fi
	echo "$KPKG" >"$kpkg_file"
fi
echo "deps: ok ($(cat "$kpkg_file") in $CACHE)"
