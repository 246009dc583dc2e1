#!/bin/bash
# Build (or reuse) the lab's cached parts for the current kernel package:
#   $KIT/l1-base.cpio.gz   L1 initramfs base: busybox, KVM + tun/veth/loop/ext4
#                          modules, and the guest kit under /kit
#   $KIT/kit/vmlinuz       the guest ("L2") kernel: Debian's, same as L1's
#   $KIT/kit/initramfs.cpio.gz
#                          the guest's busybox initramfs with the virtio, ACPI
#                          button and evdev modules and tests/lab/guest-init.sh
# Prints the kit directory.  Rebuilt only when the kernel package or one of
# the inputs (this file, guest-init.sh) changes.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${HYVE_LAB_CACHE:-/var/cache/hyve-lab}
KPKG=$(cat "$CACHE/kernel-package" 2>/dev/null || true)
KROOT=$CACHE/kroot
if [ -z "$KPKG" ] || [ ! -e "$KROOT/.done-$KPKG" ]; then
	echo "lab: no kernel in $CACHE (run scripts/deps.sh, or make deps)" >&2
	exit 1
fi
KV=$(ls "$KROOT/lib/modules" | head -1)
key=$( (echo "$KPKG"; cat "$HERE/kit.sh" "$HERE/guest-init.sh") | sha256sum | cut -c1-16)
KIT=$CACHE/kit-$key
if [ -e "$KIT/.done" ]; then
	echo "$KIT"
	exit 0
fi
rm -rf "$KIT.tmp"
mkdir -p "$KIT.tmp/kit"
command -v busybox >/dev/null || { echo "lab: busybox missing (busybox-static)" >&2; exit 1; }
BB=$(command -v busybox)
if ldd "$BB" >/dev/null 2>&1; then
	echo "lab: $BB is not static (install busybox-static)" >&2
	exit 1
fi

# add_modules ROOT MODULE...: copy MODULEs and their dependencies in load order
# into ROOT/lib/modules as plain .ko (busybox insmod wants uncompressed ELF)
# and append their names to ROOT/modules.list once each.
add_modules() {
	local root=$1 m cmd f name
	shift
	mkdir -p "$root/lib/modules"
	touch "$root/modules.list"
	for m in "$@"; do
		modprobe -d "$KROOT" -S "$KV" --show-depends "$m" | while read -r cmd f _; do
			[ "$cmd" = insmod ] || continue
			name=$(basename "$f")
			name=${name%%.ko*}
			name=${name//-/_}
			grep -qx "$name" "$root/modules.list" && continue
			case "$f" in
			*.ko.xz) xz -dc "$f" >"$root/lib/modules/$name.ko" ;;
			*.ko.zst) zstd -qdc "$f" >"$root/lib/modules/$name.ko" ;;
			*.ko.gz) gzip -dc "$f" >"$root/lib/modules/$name.ko" ;;
			*) cp "$f" "$root/lib/modules/$name.ko" ;;
			esac
			echo "$name" >>"$root/modules.list"
		done
	done
}

mkcpio() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1); }

# the guest's initramfs
G=$KIT.tmp/l2root
mkdir -p "$G"/{bin,proc,sys,dev,tmp,etc,files}
cp "$BB" "$G/bin/busybox"
cp "$HERE/guest-init.sh" "$G/init"
chmod 755 "$G/init"
add_modules "$G" virtio_pci virtio_blk virtio_net virtio_rng button evdev
mkcpio "$G" >"$KIT.tmp/kit/initramfs.cpio.gz"
cp "$KROOT/boot/vmlinuz-$KV" "$KIT.tmp/kit/vmlinuz"

# L1's base initramfs (tests/lab/run adds /init, the programs and scenarios)
R=$KIT.tmp/l1root
mkdir -p "$R"/{bin,sbin,usr/bin,proc,sys,dev,tmp,run,mnt,kit}
cp "$BB" "$R/bin/busybox"
add_modules "$R" kvm_amd tun veth loop brd ext4
cp "$KIT.tmp/kit/vmlinuz" "$KIT.tmp/kit/initramfs.cpio.gz" "$R/kit/"
mkcpio "$R" >"$KIT.tmp/l1-base.cpio.gz"
cp "$KROOT/boot/vmlinuz-$KV" "$KIT.tmp/l1-vmlinuz"
rm -rf "$G" "$R"
touch "$KIT.tmp/.done"
rm -rf "$KIT"
mv "$KIT.tmp" "$KIT"
echo "$KIT"
