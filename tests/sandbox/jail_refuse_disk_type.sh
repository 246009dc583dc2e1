#!/bin/bash
# A disk that is neither a regular file nor a block device (here a
# character device, a directory and a fifo) is refused.
. "$(dirname "$0")/jail_lib.bash"
P=$T/p.conf
mkfifo "$T/fifo"
for d in /dev/null "$T" "$T/fifo"; do
	profile "$P" "pci.0.2.0.path=$d"
	refuse "$P" "hyve-jail: $P:$(line "$P" pci.0.2.0.path): pci.0.2.0.path: $d is neither a regular file nor a block device"
done
profile "$P" "pci.0.2.0.path=$T/missing.img"
refuse "$P" "hyve-jail: $P:$(line "$P" pci.0.2.0.path): pci.0.2.0.path: $T/missing.img: No such file or directory"
