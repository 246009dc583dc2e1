/*
 * jail_res: open /dev/kvm, the disks, the taps, the console pty pair, the
 * boot files and the program to exec, and list the device numbers the
 * box's device filter must allow.
 *
 * Everything the VM will ever touch is opened here, by root, on the host,
 * with the narrowest mode (disks O_RDONLY when ro); the box gets fds and
 * never a path.  This is the point of the jail: after this step nothing
 * new can be opened by name.
 *
 * Must never: accept a disk that is not a regular file or block device (a
 * fifo or a device node would hang or hand the guest a host device), or a
 * tap whose name is outside jail.tap_prefix (checked in jail_profile, the
 * name is only used here).
 */
#define _GNU_SOURCE
#include "jail_res.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "jail.h"
#include "jail_helper.h"

static void
add_dev(struct jail *j, char type, dev_t dev, unsigned int access,
    const char *why)
{
	if (j->ndevs >= JAIL_MAX_DEVS)
		return;
	j->devs[j->ndevs++] = (struct jail_dev){ .type = type,
	    .major = major(dev), .minor = minor(dev), .access = access,
	    .why = why };
}

/* The device nodes every box gets (made in jail_root). */
static void
base_devs(struct jail *j)
{
	unsigned int rwm = JAIL_DEV_READ | JAIL_DEV_WRITE | JAIL_DEV_MKNOD;

	add_dev(j, 'c', makedev(10, 232), rwm, "/dev/kvm");
	add_dev(j, 'c', makedev(1, 3), rwm, "/dev/null");
	add_dev(j, 'c', makedev(1, 5), rwm, "/dev/zero");
	add_dev(j, 'c', makedev(1, 9), rwm, "/dev/urandom");
	add_dev(j, 'c', makedev(10, 200), JAIL_DEV_READ | JAIL_DEV_WRITE,
	    "/dev/net/tun (taps, as fds)");
}

static int
tap_open(struct jail_tap *t, bool *created)
{
	struct ifreq ifr;
	int fd;

	/* Attach to an existing tap the operator prepared, or create a
	 * non-persistent one: it then vanishes with the last fd, so even a
	 * SIGKILLed supervisor leaves no tap behind. */
	*created = if_nametoindex(t->name) == 0;
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
	/* IFF_VNET_HDR: the virtio-net header travels with each frame so
	 * checksum and segmentation offloads reach the host stack. */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

static void
tap_remove(const char *name)
{
	struct ifreq ifr;
	int fd;

	/* Closing our fd removed a non-persistent tap; if somebody made it
	 * persistent meanwhile, take that back so it goes too. */
	if (if_nametoindex(name) == 0)
		return;
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) == 0)
		(void)ioctl(fd, TUNSETPERSIST, 0);
	close(fd);
}

static int
open_regular(struct jail *j, const char *key, const char *path, int *out)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return jail_err(j, -errno, "%s %s: %m", key, path);
	/* The profile step checked the path; this checks what we opened. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return jail_err(j, -EINVAL, "%s %s: not a regular file", key,
		    path);
	}
	*out = fd;
	return 0;
}

static int
open_disk(struct jail *j, struct jail_disk *d)
{
	struct stat st;
	/* bhyve's blockif flags: nocache = O_DIRECT, direct = O_SYNC (the
	 * helper does its I/O on this very fd). */
	int flags = (d->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY |
	    (d->nocache ? O_DIRECT : 0) | (d->direct ? O_SYNC : 0);

	/* O_EXCL on a block device opened for writing fails when the host
	 * has it mounted: a VM must not write under a live filesystem. */
	if (d->blk && !d->ro)
		flags |= O_EXCL;
	d->fd = open(d->path, flags);
	if (d->fd < 0)
		return jail_err(j, -errno, "%s %s: %m", d->key, d->path);
	if (fstat(d->fd, &st) < 0 || (!S_ISREG(st.st_mode) &&
	    !S_ISBLK(st.st_mode)))
		return jail_err(j, -EINVAL, "%s: %s is neither a regular file "
		    "nor a block device", d->key, d->path);
	/* Two VMs writing one disk corrupt it: one writer or many readers,
	 * held for as long as the supervisor keeps this fd. */
	if (flock(d->fd, (d->ro ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0)
		return jail_err(j, -errno, "%s %s: in use by another VM (%m)",
		    d->key, d->path);
	d->blk = S_ISBLK(st.st_mode);
	d->rdev = d->blk ? st.st_rdev : 0;
	d->fsdev = st.st_dev;
	if (d->blk)
		add_dev(j, 'b', d->rdev, d->ro ? JAIL_DEV_READ :
		    JAIL_DEV_READ | JAIL_DEV_WRITE, "disk");
	return 0;
}

static int
open_console(struct jail *j)
{
	char link[PATH_MAX + 16];
	struct termios tio;
	struct stat st;

	/* The pty pair plays nmdm's role: hyve gets the master, the slave
	 * is published for `hyvectl console` or any terminal program. */
	j->pty_master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (j->pty_master < 0)
		return jail_err(j, -errno, "posix_openpt: %m");
	if (grantpt(j->pty_master) < 0 || unlockpt(j->pty_master) < 0 ||
	    ptsname_r(j->pty_master, j->pty_path, sizeof(j->pty_path)) != 0)
		return jail_err(j, -errno, "console pty: %m");
	/* We keep the slave open: with no reader the master would see a
	 * hangup (EIO) and the guest's console would stop. */
	j->pty_slave = open(j->pty_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (j->pty_slave < 0)
		return jail_err(j, -errno, "%s: %m", j->pty_path);
	if (fstat(j->pty_slave, &st) < 0)
		return jail_err(j, -errno, "%s: %m", j->pty_path);
	/* The guest drives its own line discipline; a cooked tty would
	 * echo and translate its output. */
	if (tcgetattr(j->pty_slave, &tio) == 0) {
		cfmakeraw(&tio);
		(void)tcsetattr(j->pty_slave, TCSANOW, &tio);
	}
	add_dev(j, 'c', st.st_rdev, JAIL_DEV_READ | JAIL_DEV_WRITE,
	    "console pty slave");
	snprintf(link, sizeof(link), "%s/console", j->rundir);
	if (symlink(j->pty_path, link) < 0)
		return jail_err(j, -errno, "%s: %m", link);
	return 0;
}

static int
open_ctl(struct jail *j)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	/* hyve's control socket (hyvectl(8)) lives on the host, in the run
	 * directory; inside the box there is nowhere to bind it.  We bind
	 * it here and hand hyve the fd (ctl.path=fd:N); hyve itself calls
	 * listen(), because the kernel records the listener's credentials
	 * for SO_PEERCRED there and hyvectl must see hyve, not root.  The
	 * file is 0660 and the VM's: its owner may use hyvectl, hyve checks
	 * every peer as well. */
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl.sock",
	    j->rundir) >= sizeof(sa.sun_path))
		return jail_err(j, -ENAMETOOLONG, "%s/ctl.sock: path too long "
		    "for a unix socket", j->rundir);
	j->ctl_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (j->ctl_fd < 0)
		return jail_err(j, -errno, "control socket: %m");
	if (bind(j->ctl_fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(sa.sun_path, 0660) < 0 ||
	    chown(sa.sun_path, j->uid, j->gid) < 0)
		return jail_err(j, -errno, "%s: %m", sa.sun_path);
	return 0;
}

static int
open_exec(struct jail *j)
{
	struct stat st;

	/* The binary we exec is opened now, by root, and executed later
	 * through this fd (execveat): no path is looked up in the box. */
	j->exec_fd = open(j->exec_path, O_RDONLY | O_CLOEXEC);
	if (j->exec_fd < 0)
		return jail_err(j, -errno, "%s: %m", j->exec_path);
	if (fstat(j->exec_fd, &st) < 0)
		return jail_err(j, -errno, "%s: %m", j->exec_path);
	if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0)
		return jail_err(j, -EACCES, "%s: not an executable file",
		    j->exec_path);
	/* Whoever can replace the VMM binary runs code in every box. */
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return jail_err(j, -EPERM, "%s: must be owned by root and not "
		    "writable by group or others", j->exec_path);
	return 0;
}

int
jail_res_open(struct jail *j)
{
	int r;

	base_devs(j);
	j->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (j->kvm_fd < 0 && !(errno == ENOENT && j->kvm_optional))
		return jail_err(j, -errno, "/dev/kvm: %m");
	for (int i = 0; i < j->ndisks; i++)
		if ((r = open_disk(j, &j->disks[i])) < 0)
			return r;
	for (int i = 0; i < j->ntaps; i++) {
		struct jail_tap *t = &j->taps[i];
		int fd = tap_open(t, &t->created);
		if (fd < 0)
			return jail_err(j, fd, "%s %s: TUNSETIFF: %s", t->key,
			    t->name, strerror(-fd));
		t->fd = fd;
	}
	if (j->console && (r = open_console(j)) < 0)
		return r;
	if ((r = open_ctl(j)) < 0)
		return r;
	if (j->kernel[0] != '\0' &&
	    (r = open_regular(j, "boot.kernel", j->kernel, &j->kernel_fd)) < 0)
		return r;
	if (j->initrd[0] != '\0' &&
	    (r = open_regular(j, "boot.initrd", j->initrd, &j->initrd_fd)) < 0)
		return r;
	/* The box's stdin: it never gets the caller's terminal, which it
	 * could otherwise read or push input into (TIOCSTI); only a profile
	 * whose serial port is stdio hands the terminal over. */
	j->null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (j->null_fd < 0)
		return jail_err(j, -errno, "/dev/null: %m");
	if (j->netns[0] != '\0') {
		j->netns_fd = open(j->netns, O_RDONLY | O_CLOEXEC);
		if (j->netns_fd < 0)
			return jail_err(j, -errno, "jail.netns %s: %m",
			    j->netns);
	}
	if ((r = open_exec(j)) < 0)
		return r;
	return jail_helper_open(j);
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void
jail_res_undo(struct jail *j)
{
	char link[PATH_MAX + 16];

	close_fd(&j->kvm_fd);
	for (int i = 0; i < j->ndisks; i++)
		close_fd(&j->disks[i].fd);
	for (int i = 0; i < j->ntaps; i++) {
		bool had = j->taps[i].fd >= 0;
		close_fd(&j->taps[i].fd);
		if (had && j->taps[i].created)
			tap_remove(j->taps[i].name);
	}
	if (j->pty_master >= 0) {
		snprintf(link, sizeof(link), "%s/console", j->rundir);
		(void)unlink(link);
	}
	close_fd(&j->pty_master);
	close_fd(&j->pty_slave);
	close_fd(&j->kernel_fd);
	close_fd(&j->initrd_fd);
	close_fd(&j->netns_fd);
	close_fd(&j->null_fd);
	if (j->ctl_fd >= 0) {
		snprintf(link, sizeof(link), "%s/ctl.sock", j->rundir);
		(void)unlink(link);
	}
	close_fd(&j->ctl_fd);
	close_fd(&j->exec_fd);
	jail_helper_close(j);
	j->ndevs = 0;
}

void
jail_res_plan(struct jail *j)
{
	/* The device list the cgroup step prints; the console's minor is
	 * only known once the pty exists. */
	if (j->ndevs == 0) {
		base_devs(j);
		for (int i = 0; i < j->ndisks; i++)
			if (j->disks[i].blk)
				add_dev(j, 'b', j->disks[i].rdev,
				    j->disks[i].ro ? JAIL_DEV_READ :
				    JAIL_DEV_READ | JAIL_DEV_WRITE, "disk");
	}
	jail_plan(j, "  open /dev/kvm O_RDWR%s", j->kvm_optional ?
	    " (test build: skipped when absent)" : "");
	for (int i = 0; i < j->ndisks; i++) {
		const struct jail_disk *d = &j->disks[i];
		jail_plan(j, "  open %s %s%s%s%s, flock %s (%s, for its "
		    "helper)", d->path, d->ro ? "O_RDONLY" : "O_RDWR",
		    d->blk && !d->ro ? "|O_EXCL" : "", d->nocache ?
		    "|O_DIRECT" : "", d->direct ? "|O_SYNC" : "",
		    d->ro ? "LOCK_SH" : "LOCK_EX", d->key);
	}
	for (int i = 0; i < j->ntaps; i++)
		jail_plan(j, "  open /dev/net/tun, TUNSETIFF %s "
		    "IFF_TAP|IFF_NO_PI|IFF_VNET_HDR (%s if absent, attach if "
		    "present) (%s)", j->taps[i].name,
		    "create non-persistent", j->taps[i].key);
	if (j->console)
		jail_plan(j, "  posix_openpt: master to the VM (%s), slave "
		    "kept open, symlink %s/%s/console -> /dev/pts/N",
		    j->console_key, j->run_base, j->name);
	jail_plan(j, "  socket(AF_UNIX, SOCK_SEQPACKET), bind %s/%s/ctl.sock "
	    "mode 0660 owner %u:%u, not listening (hyve listens): hyve's "
	    "control socket (ctl.path)", j->run_base, j->name,
	    (unsigned)j->uid, (unsigned)j->gid);
	if (j->kernel[0] != '\0')
		jail_plan(j, "  open %s O_RDONLY (boot.kernel)", j->kernel);
	if (j->initrd[0] != '\0')
		jail_plan(j, "  open %s O_RDONLY (boot.initrd)", j->initrd);
	if (j->netns[0] != '\0')
		jail_plan(j, "  open %s (jail.netns)", j->netns);
	jail_plan(j, "  open %s O_RDONLY (exec through this fd; must be "
	    "root-owned, not group/world writable)", j->exec_path);
	bool seen[JAIL_HELPER_KINDS] = { false };
	for (int i = 0; i < j->nhelpers; i++) {
		enum jail_helper_kind k = j->helpers[i].kind;
		if (seen[k])
			continue;
		seen[k] = true;
		jail_plan(j, "  open %s next to it O_RDONLY (the same checks; "
		    "back end of %s)", jail_helper_prog(k),
		    j->helpers[i].slot);
	}
}
