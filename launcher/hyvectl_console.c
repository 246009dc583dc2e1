/*
 * hyvectl_console: the console session (see the header).
 *
 * Why a lock on the pty and not a lock file in the run directory: the run
 * directory is root's (hyve-jail) and the VM's owner may not create files
 * there, the lock must vanish with the process that held it, and F_GETLK
 * names the holder.
 */
#define _GNU_SOURCE
#include "hyvectl_console.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "hyvectl_client.h"

#define UNIX98_PTY_SLAVE_MAJOR_FIRST	136
#define UNIX98_PTY_SLAVE_MAJOR_LAST	143

enum hv_esc_action
hv_esc_feed(enum hv_esc_state *st, const char *in, size_t n, char *out,
    size_t *nout, size_t *used)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = in[i];

		switch (*st) {
		case HV_ESC_TILDE:
			if (c == '.') {
				*nout = o;
				*used = i + 1;
				*st = HV_ESC_LINE_START;
				return HV_ESC_DETACH;
			}
			if (c == '?') {
				*nout = o;
				*used = i + 1;
				*st = HV_ESC_LINE_START;
				return HV_ESC_HELP;
			}
			/* "~~" is one '~'; "~x" is both, as cu(1) does. */
			out[o++] = '~';
			if (c != '~')
				out[o++] = c;
			*st = c == '\r' || c == '\n' ? HV_ESC_LINE_START :
			    HV_ESC_MID_LINE;
			break;
		case HV_ESC_LINE_START:
			if (c == '~') {
				*st = HV_ESC_TILDE;
				break;
			}
			out[o++] = c;
			*st = c == '\r' || c == '\n' ? HV_ESC_LINE_START :
			    HV_ESC_MID_LINE;
			break;
		case HV_ESC_MID_LINE:
			out[o++] = c;
			*st = c == '\r' || c == '\n' ? HV_ESC_LINE_START :
			    HV_ESC_MID_LINE;
			break;
		}
	}
	*nout = o;
	*used = n;
	return HV_ESC_NONE;
}

bool
hv_console_target_ok(const char *t)
{
	const char *p = t + 9;

	if (strncmp(t, "/dev/pts/", 9) != 0 || *p == '\0' || strlen(p) > 9)
		return false;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static int
write_all(int fd, const char *buf, size_t n, int timeout_ms)
{
	long long deadline = hv_now_ms() + timeout_ms;

	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w > 0) {
			buf += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		long long left = deadline - hv_now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		(void)poll(&p, 1, (int)left);
	}
	return 0;
}

static void
say(const struct hv_console_opts *o, const char *msg)
{
	if (!o->quiet)
		(void)!write(STDERR_FILENO, msg, strlen(msg));
}

static int
open_console(const struct hv_console_opts *o, char *target, size_t tlen,
    char *err, size_t errlen)
{
	char link[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd, e;

	if (snprintf(link, sizeof(link), "%s/console", o->dir) >=
	    (int)sizeof(link)) {
		snprintf(err, errlen, "%s: path too long", o->dir);
		return -ENAMETOOLONG;
	}
	n = readlink(link, target, tlen - 1);
	if (n < 0) {
		e = errno;
		if (e == ENOENT) {
			snprintf(err, errlen, "VM \"%s\" has no console (%s "
			    "does not exist: its COM1 is not "
			    "lpc.com1.path=console under hyve-jail)", o->name,
			    link);
			return -ENODEV;
		}
		snprintf(err, errlen, "%s: %s", link, strerror(e));
		return -e;
	}
	target[n] = '\0';
	if (!hv_console_target_ok(target)) {
		snprintf(err, errlen, "%s points to %s, which is not a pty; "
		    "refusing to open it", link, target);
		return -EPERM;
	}
	fd = open(target, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK |
	    O_NOFOLLOW);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s%s", target, strerror(e),
		    e == EACCES ? " (only root and the VM's owner may attach)" :
		    "");
		return -e;
	}
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    major(st.st_rdev) < UNIX98_PTY_SLAVE_MAJOR_FIRST ||
	    major(st.st_rdev) > UNIX98_PTY_SLAVE_MAJOR_LAST) {
		close(fd);
		snprintf(err, errlen, "%s is not a pty slave", target);
		return -EPERM;
	}
	return fd;
}

static int
lock_console(int fd, const struct hv_console_opts *o, const char *target,
    char *err, size_t errlen)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	if (fcntl(fd, F_SETLK, &fl) == 0)
		return 0;
	if (errno != EAGAIN && errno != EACCES) {
		int e = errno;

		snprintf(err, errlen, "%s: lock: %s", target, strerror(e));
		return -e;
	}
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK &&
	    fl.l_pid > 0)
		snprintf(err, errlen, "the console of \"%s\" is already "
		    "attached (pid %ld); detach it there with ~.", o->name,
		    (long)fl.l_pid);
	else
		snprintf(err, errlen, "the console of \"%s\" is already "
		    "attached; detach it there with ~.", o->name);
	return -EBUSY;
}

static volatile sig_atomic_t stop_sig;

static void
on_stop(int sig)
{
	stop_sig = sig;
}

static const char help_text[] =
    "\r\n[hyvectl escapes: ~. detach (the guest keeps running), "
    "~~ send ~, ~? this help]\r\n";

int
hv_console(const struct hv_console_opts *o, char *err, size_t errlen)
{
	char target[64], buf[4096], fwd[2 * sizeof(buf)], msg[160];
	struct termios saved, raw;
	bool tty = isatty(o->in_fd), in_open = true;
	enum hv_esc_state esc = HV_ESC_LINE_START;
	long long quiet_since = 0;
	struct sigaction sa = { .sa_handler = on_stop }, old_term, old_hup,
	    old_int;
	int fd, r = 0;

	fd = open_console(o, target, sizeof(target), err, errlen);
	if (fd < 0)
		return fd;
	/* No SA_RESTART: a signal ends poll() with EINTR and we restore
	 * the terminal on the way out. */
	sigemptyset(&sa.sa_mask);
	stop_sig = 0;
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sigaction(SIGINT, &sa, &old_int);
	if ((r = lock_console(fd, o, target, err, errlen)) < 0) {
		close(fd);
		goto restore;
	}
	if (tty && tcgetattr(o->in_fd, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		(void)tcsetattr(o->in_fd, TCSADRAIN, &raw);
	} else {
		tty = false;
	}
	snprintf(msg, sizeof(msg), "[connected to %s (%s); ~. detaches]\r\n",
	    o->name, target);
	say(o, msg);

	while (!stop_sig) {
		struct pollfd p[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = in_open ? o->in_fd : -1, .events = POLLIN },
		};
		int tmo = -1;

		if (!in_open) {
			long long left = quiet_since + o->linger_ms -
			    hv_now_ms();

			if (left <= 0)
				break;
			tmo = (int)left;
		}
		int n = poll(p, 2, tmo);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			snprintf(err, errlen, "poll: %s", strerror(-r));
			break;
		}
		if (p[0].revents & POLLIN) {
			ssize_t got = read(fd, buf, sizeof(buf));

			if (got > 0) {
				if (write_all(o->out_fd, buf, (size_t)got,
				    10000) < 0) {
					/* Our reader went away: stop quietly,
					 * the guest keeps running. */
					break;
				}
				quiet_since = hv_now_ms();
				continue;
			}
			if (got < 0 && errno == EAGAIN)
				continue;
			snprintf(msg, sizeof(msg), "\r\n[%s: console closed, "
			    "the VM stopped]\r\n", o->name);
			say(o, msg);
			break;
		}
		if (p[0].revents & (POLLHUP | POLLERR)) {
			snprintf(msg, sizeof(msg), "\r\n[%s: console closed, "
			    "the VM stopped]\r\n", o->name);
			say(o, msg);
			break;
		}
		if (in_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			size_t nout, used, off = 0;
			ssize_t got = read(o->in_fd, buf, sizeof(buf));

			if (got < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (got <= 0) {
				/* End of input: a pending '~' was a '~'. */
				if (esc == HV_ESC_TILDE)
					(void)write_all(fd, "~", 1, 2000);
				in_open = false;
				quiet_since = hv_now_ms();
				continue;
			}
			while (off < (size_t)got) {
				enum hv_esc_action a = hv_esc_feed(&esc,
				    buf + off, (size_t)got - off, fwd, &nout,
				    &used);

				off += used;
				if (nout > 0 && (r = write_all(fd, fwd, nout,
				    5000)) < 0) {
					snprintf(err, errlen, "writing to the "
					    "console: %s%s", strerror(-r),
					    r == -ETIMEDOUT ? " (the guest "
					    "does not read its input)" : "");
					goto out;
				}
				if (a == HV_ESC_HELP)
					(void)!write(STDERR_FILENO, help_text,
					    sizeof(help_text) - 1);
				if (a == HV_ESC_DETACH) {
					snprintf(msg, sizeof(msg), "\r\n[%s: "
					    "detached; the VM keeps running]"
					    "\r\n", o->name);
					say(o, msg);
					goto out;
				}
			}
		}
	}
out:
	if (tty)
		(void)tcsetattr(o->in_fd, TCSADRAIN, &saved);
	close(fd);
restore:
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGINT, &old_int, NULL);
	return r;
}
