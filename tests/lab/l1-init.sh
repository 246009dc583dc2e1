#!/bin/busybox sh
# /init of the lab's L1 machine (Debian's kernel under TCG with an SVM CPU).
# Stage 0 moves the initramfs onto a real tmpfs root (pivot_root, which the
# jail needs, does not work on the initial rootfs).  Stage 1 makes a normal
# little host: proc, sys, devtmpfs, devpts, cgroup2 with every controller,
# KVM modules, loopback; then runs every scenario of /hyve/run.list with a
# timeout each, between @@LAB_BEGIN / @@LAB_END markers that tests/lab/run
# reads, and powers off.  A heartbeat goes to ttyS1 so the host can tell a
# frozen L1 from a slow one.
export PATH=/hyve/bin:/bin:/sbin:/usr/bin:/usr/sbin
if [ "$LAB_STAGE" != 1 ]; then
	/bin/busybox --install -s /bin
	mount -t proc proc /proc
	mkdir -p /newroot
	mount -t tmpfs -o mode=0755 root /newroot
	for d in /*; do
		case "$d" in /proc | /sys | /dev | /newroot) continue ;; esac
		cp -a "$d" /newroot/
	done
	mkdir -p /newroot/proc /newroot/sys /newroot/dev
	umount /proc
	export LAB_STAGE=1
	exec switch_root /newroot /init
fi

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /sys/fs/cgroup
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t tmpfs -o mode=0755 run /run
mount -t tmpfs -o mode=1777 tmp /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
ctrl=""
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do ctrl="$ctrl +$c"; done
echo "$ctrl" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null ||
	echo "@@LAB_WARN cannot enable cgroup controllers:$ctrl"
ln -sf /proc/self/fd /dev/fd
mkdir -p /etc
echo root:x:0:0:root:/root:/bin/sh >/etc/passwd
echo root:x:0: >/etc/group
hostname lab
ip link set lo up

up() { cut -d' ' -f1 /proc/uptime; }
# heartbeat for the host's stall detector (see tests/lab/README.md)
(while :; do echo "hb $(up)" >/dev/ttyS1; sleep 3; done) &
echo "@@LAB_L1_UP uptime=$(up)"
for m in $(cat /modules.list); do
	insmod /lib/modules/$m.ko 2>/tmp/insmod.err ||
		echo "@@LAB_WARN insmod $m: $(cat /tmp/insmod.err)"
done
if [ -c /dev/kvm ]; then
	echo "@@LAB_KVM $(ls -l /dev/kvm) cpu=$(grep -m1 vendor_id /proc/cpuinfo | sed 's/.*: //')"
else
	echo "@@LAB_NOKVM /dev/kvm did not appear; dmesg:"
	dmesg | grep -i -E 'kvm|svm' | tail -5
fi


. /hyve/env
export HYVE_BIN=/hyve/bin LAB_KIT=/kit LAB_FILES=/hyve/files LAB_IN_L1=1
for s in $(cat /hyve/run.list); do
	f=/hyve/scenarios/$s
	t=$(sed -n 's/^# lab-timeout: *\([0-9][0-9]*\).*/\1/p' "$f" | head -1)
	t=${t:-${LAB_TIMEOUT:-300}}
	echo "@@LAB_BEGIN $s timeout=$t uptime=$(up)"
	mkdir -p "/tmp/lab/$s"
	start=$(cut -d. -f1 /proc/uptime)
	if [ ! -c /dev/kvm ]; then
		echo "lab: /dev/kvm is missing in L1, scenario cannot run"
		rc=125
	else
		# own session, so everything the scenario started can be killed after it
		(cd "/tmp/lab/$s" && LAB_TMP=/tmp/lab/$s LAB_SCENARIO=$s \
			exec setsid timeout -s KILL "$t" sh "$f" </dev/null) &
		sid=$!
		wait $sid
		rc=$?
		for p in /proc/[0-9]*; do
			[ "$(cut -d' ' -f6 "$p/stat" 2>/dev/null)" = "$sid" ] &&
				kill -9 "${p#/proc/}" 2>/dev/null
		done
	fi
	now=$(cut -d. -f1 /proc/uptime)
	if [ "$rc" = 137 ] && [ $((now - start)) -ge "$t" ]; then
		echo "lab: scenario $s killed after its timeout of ${t}s"
	fi
	echo "@@LAB_END $s rc=$rc seconds=$((now - start)) uptime=$(up)"
done
echo "@@LAB_DONE uptime=$(up)"
poweroff -f
