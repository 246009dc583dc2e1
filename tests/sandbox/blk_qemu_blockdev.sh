#!/bin/bash
# blk_qemu_blockdev.sh - hyve-blk on a block device (a loop device) opened
# the ways hyve-jail opens disks: with O_DIRECT (bhyve's nocache) on 512-byte
# sectors, and with O_SYNC (bhyve's direct) on a 4096-byte-sector device
# with sectorsize=4096. Each time QEMU's guest runs the same read, write,
# discard flow and the backing image is checked byte for byte. Also: an
# O_DIRECT fd on the 4Kn device with sectorsize 512 is refused at start
# with a clear message (every request would fail otherwise). Exit 0 = pass.
. "$(dirname "$0")/blk_lib.bash"

blk_image
blk_init_rw
L=$(blk_loop)
blk_boot "rw,direct:$L" --serial loop-direct --sectorsize 512/4096
losetup -d "$L"
blk_check_rw loop-direct 512 4096
[ $errors = 0 ] || blk_done "unreached"
echo "--- nocache on a 512-byte-sector loop device: ok"

blk_image
L=$(blk_loop --sector-size 4096)
rc=0
out=$("$LISTEN" -f "3:rw,direct:$L" - "$BLK" --fd @fd --disk-fd 3 --sectorsize 512 2>&1) || rc=$?
[ $rc = 1 ] || bad "512-byte sectors on a 4Kn O_DIRECT disk: exit $rc, want 1"
case $out in
*"needs a bigger --sectorsize"*) ;;
*) bad "no clear refusal: $out" ;;
esac
# and with the right size it starts (and sees the hang-up: exit 0)
rc=0
"$LISTEN" -f "3:rw,direct:$L" - "$BLK" --fd @fd --disk-fd 3 --sectorsize 4096 || rc=$?
[ $rc = 0 ] || bad "4096-byte sectors on a 4Kn O_DIRECT disk: exit $rc, want 0"
echo "--- sectorsize 512 on a 4Kn O_DIRECT disk refused: ok"

blk_boot "rw,sync:$L" --serial loop-4k-sync --sectorsize 4096
losetup -d "$L"
blk_check_rw loop-4k-sync 4096 4096
blk_done "block devices: nocache (O_DIRECT) on 512-byte sectors, direct (O_SYNC) on 4Kn"
