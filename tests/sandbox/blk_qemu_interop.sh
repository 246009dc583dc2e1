#!/bin/bash
# blk_qemu_interop.sh - hyve-blk as the back end of a front end nobody here
# wrote: Debian's QEMU (-device vhost-user-blk-pci, plain TCG, guest RAM
# from memory-backend-memfd,share=on) boots the lab's guest kernel on a raw
# image file. The guest reads what the host seeded, writes a random pattern
# with O_DIRECT and through the page cache + sync, reads it back, discards
# a range, and powers off. The host then checks the image byte for byte:
# the pattern where the guest put it, the seeded and untouched ranges
# unchanged, the discarded range zero, the size unchanged; and what the
# guest saw (size, serial, block sizes, seed checksum) matches what
# hyve-blk was told. Run by make check-sandbox (BUILD=build); exit 0 = pass.
. "$(dirname "$0")/blk_lib.bash"

blk_image
blk_init_rw
blk_boot "rw:$IMG" --serial hyve-interop-1 --sectorsize 512/4096
blk_check_rw hyve-interop-1 512 4096
blk_done "QEMU vhost-user-blk-pci against hyve-blk on an image file, checked byte for byte"
