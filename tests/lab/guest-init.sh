#!/bin/busybox sh
# /init of the lab's guest ("L2") initramfs: mounts the basics, loads the
# virtio, ACPI button and evdev modules, then runs the scenario's own init
# (/etc/lab-init, put there by lab_guest_initrd) or, without one, says it is
# up and powers off.  Output is kept small: every console byte of a nested
# guest is expensive.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules.list); do
	insmod /lib/modules/$m.ko 2>/dev/null || echo "guest: insmod $m failed"
done
if [ -x /etc/lab-init ]; then
	/etc/lab-init
	echo "guest: /etc/lab-init returned $?"
else
	echo "@@GUEST_UP $(cut -d' ' -f1 /proc/uptime)"
fi
poweroff -f
