#!/bin/bash
# blk_qemu_ro.sh - a `ro` disk under QEMU's vhost-user-blk-pci: hyve-blk
# gets an O_RDONLY fd and --ro, offers VIRTIO_BLK_F_RO and no DISCARD; the
# guest sees a read-only disk that reads right, its writes and discards
# fail, and the image on the host is unchanged to the byte. (hyve-blk's own
# refusal of writes that ignore the RO bit is in tests/unit/test_blk.c: a
# Linux guest never sends them.) Exit 0 = pass.
. "$(dirname "$0")/blk_lib.bash"

blk_image
cp "$IMG" "$W/before.img"
blk_init_ro
blk_boot "ro:$IMG" --ro
blk_expect "@@ ro 1"
blk_expect "@@ discard 0"
blk_expect "@@ seed $(md5sum <"$W/seed.bin" | cut -d' ' -f1)"
blk_expect "@@ direct write refused"
blk_expect "@@ discard refused"
blk_expect "@@ done"
cmp "$IMG" "$W/before.img" || bad "the read-only image changed"
blk_done "read-only disk: guest reads, cannot write, image unchanged"
