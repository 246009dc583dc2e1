#!/bin/bash
# qemu_rng_interop.sh - vhost-user interop check against a front end nobody
# here wrote: Debian's QEMU (-device vhost-user-rng-pci, plain TCG, memory
# from memory-backend-memfd,share=on) drives hyve-rng; a Linux guest loads
# virtio-rng and reads /dev/hwrng. Prints PASS (exit 0) or FAIL (exit 1);
# no guest kernel is a failure too (never a silent pass).  hyve-rng runs
# with its seccomp policy installed, as it does in production.
#
#   tests/sandbox/rng_qemu_interop.sh [build/hyve-rng]   ($BUILD/hyve-rng
#   when run by make check-sandbox)
#   KROOT=dir with boot/vmlinuz-* and lib/modules/* (default: the lab cache)
# Needs qemu-system-x86, busybox-static, cpio, python3. Takes about 10 s.
set -euo pipefail
HYVE=$(realpath "${1:-${BUILD:-build}/hyve-rng}")
K=${KROOT:-/var/cache/hyve-lab/kroot}
KV=$(ls "$K/lib/modules" 2>/dev/null | head -1 || true)
if [ -z "$KV" ] || [ ! -r "$K/boot/vmlinuz-$KV" ]; then
	echo "FAIL: no guest kernel in KROOT=$K (run scripts/deps.sh)"; exit 1
fi
[ -x "$HYVE" ] || { echo "FAIL: $HYVE not built"; exit 1; }
M=$K/lib/modules/$KV/kernel/drivers
W=$(mktemp -d /tmp/hyve-rng-interop.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p $W/root/{bin,proc,sys,dev,mod}
cp /usr/bin/busybox $W/root/bin/busybox
for m in virtio/virtio_ring virtio/virtio virtio/virtio_pci_legacy_dev \
	 virtio/virtio_pci_modern_dev virtio/virtio_pci char/hw_random/virtio-rng; do
	cp $M/$m.ko $W/root/mod/
done
cat > $W/root/init <<'EOI'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc p /proc; mount -t sysfs s /sys; mount -t devtmpfs d /dev
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio-rng; do
	insmod /mod/$m.ko || echo "insmod $m failed"
done
sleep 1
echo "@@ rng_current: $(cat /sys/class/misc/hw_random/rng_current)"
echo "@@ bytes: $(dd if=/dev/hwrng bs=64 count=4 2>/dev/null | wc -c)"
echo "@@ sample: $(dd if=/dev/hwrng bs=16 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')"
echo "@@ sample: $(dd if=/dev/hwrng bs=16 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')"
poweroff -f
EOI
chmod +x $W/root/init
(cd $W/root && find . | cpio -o -H newc 2>/dev/null | gzip) > $W/initrd.gz
SOCK=$W/vu.sock
timeout 180 qemu-system-x86_64 -accel tcg -cpu max -m 512M -smp 1 -nographic -no-reboot -net none \
	-object memory-backend-memfd,id=mem,size=512M,share=on -numa node,memdev=mem \
	-chardev socket,id=vu,path=$SOCK,server=on,wait=on \
	-device vhost-user-rng-pci,chardev=vu \
	-kernel $K/boot/vmlinuz-$KV -initrd $W/initrd.gz \
	-append 'console=ttyS0 panic=-1 quiet' </dev/null >$W/console.log 2>&1 &
QPID=$!
for i in $(seq 100); do [ -S $SOCK ] && break; sleep 0.1; done
python3 - "$SOCK" "$HYVE" <<'EOP' &
import socket, subprocess, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
p = subprocess.Popen([sys.argv[2], '--fd', str(s.fileno())], pass_fds=[s.fileno()])
s.close()
sys.exit(p.wait())
EOP
HPID=$!
wait $QPID || true
HRC=0; wait $HPID || HRC=$?
grep '@@' $W/console.log || true
echo "hyve-rng exit: $HRC"
if grep -q '@@ rng_current: virtio_rng' $W/console.log && grep -q '@@ bytes: 256' $W/console.log && [ $HRC = 0 ]; then
	echo PASS
else
	tail -30 $W/console.log; echo FAIL; exit 1
fi
