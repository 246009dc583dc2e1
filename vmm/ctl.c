/*
 * ctl: the control socket server (see ctl.h).
 *
 * One thread, one client at a time: the clients are root and the VM's
 * owner, requests are tiny and answered at once, so serialising them costs
 * nothing and keeps the hooks free of concurrency between requests.  A
 * client gets CTL_IDLE_MS of silence before it is dropped, so a stuck or
 * hostile client delays the next one by at most that.
 *
 * Must never: accept a client before its start gate opens (hyve's filter
 * first), act on a message ctl_msg_parse() refused, answer a peer whose
 * uid is neither 0 nor hyve's, block on a client write, or remove a file
 * it did not create.
 */
#define _GNU_SOURCE
#include "vmm/ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/cfg.h"
#include "vmm/gate.h"

#define CTL_IDLE_MS		2000	/* a quiet client is dropped */
#define CTL_MAX_REQS		64	/* per connection */
#define CTL_BACKLOG		8
#define CTL_REFUSE_MS		500	/* a refused peer's request */

struct ctl {
	struct ctl_hooks hooks;
	int lfd;		/* listening socket */
	int stop_efd;		/* ctl_stop wakes the thread */
	struct gate *gate;	/* the thread waits there first, or NULL */
	pthread_t thread;
	bool thread_up;
	uid_t owner;		/* hyve's uid: the only non-root peer */
	char name[CTL_NAME_MAX];
	unsigned int ncpus;
	uint64_t memory;
	struct timespec t0;	/* CLOCK_MONOTONIC at start */
	uint64_t started;	/* wall clock at start */
	uint32_t state;		/* enum ctl_state, only the thread writes */
	/* What to remove at stop: the socket path (path or default mode),
	 * and in default mode the pid file and the run directory, relative
	 * to base_fd so that no path is looked up again. */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool own_path;
	int base_fd;		/* run base (default mode) or -1 */
	int dir_fd;		/* run directory (default mode) or -1 */
	/* The thread's buffers (5 KB each: not on its stack). */
	struct ctl_stats st;
	char out[CTL_MSG_MAX];
};

int
ctl_peer_allowed(uid_t peer, uid_t owner)
{
	return peer == 0 || peer == owner;
}

const char *
ctl_path(const struct ctl *c)
{
	return c->path;
}

static uint64_t
elapsed_ms(const struct ctl *c)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - c->t0.tv_sec) * 1000 +
	    (uint64_t)((now.tv_nsec - c->t0.tv_nsec) / 1000000);
}

/* ------------------------------------------------------------ replies */

static void
send_msg(struct ctl *c, int fd, uint16_t type, uint32_t seq,
    const void *payload, uint32_t plen)
{
	long n = ctl_msg_build(c->out, sizeof(c->out), type, seq, payload,
	    plen);

	/* Non-blocking: a client that does not read loses its answer. */
	if (n > 0)
		(void)!write(fd, c->out, (size_t)n);
}

static void
send_error(struct ctl *c, int fd, uint32_t seq, int e, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
send_error(struct ctl *c, int fd, uint32_t seq, int e, const char *fmt, ...)
{
	struct ctl_error ce;
	va_list ap;

	memset(&ce, 0, sizeof(ce));
	ce.err = e;
	va_start(ap, fmt);
	vsnprintf(ce.msg, sizeof(ce.msg), fmt, ap);
	va_end(ap);
	send_msg(c, fd, CTL_REP_ERROR, seq, &ce, sizeof(ce));
}

/* ----------------------------------------------------------- requests */

/* Returns false when the connection should be closed. */
static bool
handle(struct ctl *c, int fd, const void *buf, size_t n)
{
	struct ctl_stats *st = &c->st;
	struct ctl_hdr h;
	const void *payload;
	int r = ctl_msg_parse(buf, n, &h, &payload);

	if (r < 0) {
		/* A broken frame: say why once, then hang up (the stream
		 * cannot be trusted any more). */
		switch (r) {
		case -EPROTONOSUPPORT:
			send_error(c, fd, h.seq, -r, "protocol version %u, "
			    "hyve speaks %u", h.version, CTL_VERSION);
			break;
		case -EOPNOTSUPP:
			send_error(c, fd, h.seq, -r, "unknown request %u",
			    h.type);
			break;
		case -EMSGSIZE:
			send_error(c, fd, h.seq, -r, "request %u with %u "
			    "payload bytes", h.type, h.len);
			break;
		default:
			send_error(c, fd, 0, -r, "malformed message (%zu "
			    "bytes)", n);
			break;
		}
		return false;
	}
	if (h.type & CTL_REPLY) {
		send_error(c, fd, h.seq, EINVAL, "a reply is not a request");
		return false;
	}
	switch (h.type) {
	case CTL_REQ_INFO: {
		struct ctl_info in;

		memset(&in, 0, sizeof(in));
		snprintf(in.name, sizeof(in.name), "%s", c->name);
		in.pid = (uint32_t)getpid();
		in.uid = (uint32_t)c->owner;
		in.state = c->state;
		in.ncpus = c->ncpus;
		in.memory = c->memory;
		in.uptime_ms = elapsed_ms(c);
		in.started = c->started;
		in.proto = CTL_VERSION;
		send_msg(c, fd, h.type | CTL_REPLY, h.seq, &in, sizeof(in));
		return true;
	}
	case CTL_REQ_POWEROFF:
		c->hooks.power_button(c->hooks.arg);
		if (c->state == CTL_STATE_RUNNING)
			c->state = CTL_STATE_POWERING_OFF;
		break;
	case CTL_REQ_REBOOT:
		c->hooks.reset(c->hooks.arg);
		c->state = CTL_STATE_STOPPING;
		break;
	case CTL_REQ_DESTROY:
		c->hooks.destroy(c->hooks.arg);
		c->state = CTL_STATE_STOPPING;
		break;
	case CTL_REQ_STATS:
		memset(st, 0, sizeof(*st));
		if (c->hooks.stats != NULL)
			c->hooks.stats(c->hooks.arg, st);
		st->uptime_ms = elapsed_ms(c);
		ctl_stats_sanitize(st);
		send_msg(c, fd, h.type | CTL_REPLY, h.seq, st, sizeof(*st));
		return true;
	default:
		/* ctl_msg_parse knows every type this switch knows. */
		send_error(c, fd, h.seq, EOPNOTSUPP, "unknown request %u",
		    h.type);
		return false;
	}
	send_msg(c, fd, h.type | CTL_REPLY, h.seq, NULL, 0);
	return true;
}

static void
serve(struct ctl *c, int fd)
{
	/* A request is a header: anything longer than this plus one byte
	 * is refused without reading the rest (SEQPACKET drops it). */
	char buf[sizeof(struct ctl_hdr) + 64];
	struct ucred cr;
	socklen_t crlen = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) < 0 ||
	    crlen != sizeof(cr))
		return;
	if (!ctl_peer_allowed(cr.uid, c->owner)) {
		/* Take the request first (briefly): closing a unix socket
		 * with unread data makes the peer's read fail with
		 * ECONNRESET, and the refusal would never be seen.  Nothing
		 * of it is acted on; only a well-formed seq is echoed. */
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct ctl_hdr h = { .seq = 0 };
		const void *payload;
		uint32_t seq = 0;

		if (poll(&p, 1, CTL_REFUSE_MS) == 1) {
			ssize_t got = read(fd, buf, sizeof(buf));

			if (got > 0 && ctl_msg_parse(buf, (size_t)got, &h,
			    &payload) == 0)
				seq = h.seq;
		}
		send_error(c, fd, seq, EACCES, "uid %u may not control VM "
		    "\"%s\" (only root and uid %u)", (unsigned)cr.uid,
		    c->name, (unsigned)c->owner);
		return;
	}
	for (int i = 0; i < CTL_MAX_REQS; i++) {
		struct pollfd p[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = c->stop_efd, .events = POLLIN },
		};
		int n = poll(p, 2, CTL_IDLE_MS);
		ssize_t got;

		if (n <= 0 || p[1].revents)
			return;
		got = read(fd, buf, sizeof(buf));
		if (got <= 0)
			return;
		if (!handle(c, fd, buf, (size_t)got))
			return;
	}
}

static void *
ctl_thread(void *arg)
{
	struct ctl *c = arg;

	/* No accept, no client byte before hyve's filter is in force on
	 * this thread (clients queue in the backlog meanwhile); cancelled:
	 * hyve is failing, leave without serving anyone. */
	if (gate_wait(c->gate) < 0)
		return NULL;
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = c->lfd, .events = POLLIN },
			{ .fd = c->stop_efd, .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (p[0].revents & (POLLERR | POLLNVAL))
			break;
		if (p[0].revents & POLLIN) {
			int fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC |
			    SOCK_NONBLOCK);

			if (fd < 0)
				continue;
			serve(c, fd);
			close(fd);
		}
	}
	return NULL;
}

/* ------------------------------------------------------------ sockets */

static int
check_passed_fd(int fd, char *err, size_t errlen)
{
	int v;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) < 0 ||
	    v != AF_UNIX) {
		snprintf(err, errlen, "ctl.path=fd:%d: not a unix socket", fd);
		return -ENOTSOCK;
	}
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) < 0 ||
	    v != SOCK_SEQPACKET) {
		snprintf(err, errlen, "ctl.path=fd:%d: not a SOCK_SEQPACKET "
		    "socket", fd);
		return -EPROTOTYPE;
	}
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

/* Is there a live server on path?  A socket file nobody listens on is
 * left by a hyve that died; one that answers belongs to a live VM. */
static bool
sock_alive(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return true;	/* cannot tell: do not touch it */
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	/* EAGAIN: a listener with a full backlog is alive. */
	r = r == 0 || errno == EAGAIN || errno == EINPROGRESS;
	close(fd);
	return r;
}

static int
bind_path(struct ctl *c, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, e;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "ctl.path=%s: longer than %zu bytes",
		    path, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	/* Replace only a dead socket: never another VM's live one, never
	 * a file that is not a socket. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "ctl.path=%s: exists and is not "
			    "a socket", path);
			return -EEXIST;
		}
		if (sock_alive(path)) {
			snprintf(err, errlen, "ctl.path=%s: another process "
			    "listens there", path);
			return -EADDRINUSE;
		}
		(void)unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "control socket: %s", strerror(e));
		return -e;
	}
	/* 0660 from the start: fchmod of an unbound unix socket sets the
	 * mode bind() gives the file (less the umask), so there is no
	 * moment with wider permissions. */
	(void)fchmod(fd, 0660);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		close(fd);
		snprintf(err, errlen, "ctl.path=%s: bind: %s", path,
		    strerror(e));
		return -e;
	}
	(void)chmod(path, 0660);
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->own_path = true;
	c->lfd = fd;
	return 0;
}

/* ------------------------------------------------------ run directory */

static bool
pid_alive(int dfd)
{
	char buf[32];
	ssize_t n;
	long pid;
	char *end;
	int fd = openat(dfd, "pid", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	pid = strtol(buf, &end, 10);
	if (end == buf || pid <= 1 || pid > INT_MAX)
		return false;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Default mode: RUN_BASE/NAME/{pid,ctl.sock}.  Returns 1 when there is to
 * be no socket (err says why), 0 when made, -errno on a real error. */
static int
make_rundir(struct ctl *c, const char *base, char *err, size_t errlen)
{
	char path[PATH_MAX], pid[24];
	int lfd = -1, fd, r, e;
	ssize_t len;

	if (mkdir(base, 0711) < 0 && errno != EEXIST) {
		e = errno;
		snprintf(err, errlen, "no control socket: %s: %s (give "
		    "-o ctl.path=PATH)", base, strerror(e));
		return 1;
	}
	c->base_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->base_fd < 0 || faccessat(c->base_fd, ".", W_OK | X_OK,
	    AT_EACCESS) < 0) {
		e = errno;
		snprintf(err, errlen, "no control socket: %s: %s (give "
		    "-o ctl.path=PATH)", base, strerror(e));
		return 1;
	}
	/* hyve-jail's lock: the name is taken atomically with respect to
	 * it and to other bare hyves. */
	lfd = openat(c->base_fd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (lfd >= 0)
		(void)flock(lfd, LOCK_EX);
	r = mkdirat(c->base_fd, c->name, 0700);
	if (r < 0 && errno != EEXIST) {
		e = errno;
		snprintf(err, errlen, "%s/%s: %s", base, c->name, strerror(e));
		r = -e;
		goto out;
	}
	c->dir_fd = openat(c->base_fd, c->name, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC | O_NOFOLLOW);
	if (c->dir_fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s/%s: %s", base, c->name, strerror(e));
		r = -e;
		goto out;
	}
	if (r < 0) {
		/* It existed: a live VM of that name, or one that died. */
		snprintf(path, sizeof(path), "%s/%s/%s", base, c->name,
		    CTL_SOCK_NAME);
		if (faccessat(c->dir_fd, "uid", F_OK,
		    AT_SYMLINK_NOFOLLOW) == 0) {
			/* hyve-jail's run directory: only it may clean it. */
			snprintf(err, errlen, "VM \"%s\" exists (%s/%s was "
			    "made by hyve-jail)", c->name, base, c->name);
			close(c->dir_fd);
			c->dir_fd = -1;
			r = -EEXIST;
			goto out;
		}
		if (pid_alive(c->dir_fd) || sock_alive(path)) {
			snprintf(err, errlen, "VM \"%s\" is already running "
			    "(%s/%s exists)", c->name, base, c->name);
			close(c->dir_fd);
			c->dir_fd = -1;
			r = -EEXIST;
			goto out;
		}
		(void)unlinkat(c->dir_fd, "pid", 0);
		(void)unlinkat(c->dir_fd, CTL_SOCK_NAME, 0);
	}
	fd = openat(c->dir_fd, "pid", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0644);
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (fd < 0 || write(fd, pid, (size_t)len) != len) {
		e = errno;
		snprintf(err, errlen, "%s/%s/pid: %s", base, c->name,
		    strerror(e));
		if (fd >= 0)
			close(fd);
		r = -e;
		goto out;
	}
	close(fd);
	snprintf(path, sizeof(path), "%s/%s/%s", base, c->name, CTL_SOCK_NAME);
	r = bind_path(c, path, err, errlen);
out:
	if (lfd >= 0)
		close(lfd);
	if (r < 0 && c->dir_fd >= 0) {
		/* Ours, just made: take it away again. */
		(void)unlinkat(c->dir_fd, "pid", 0);
		close(c->dir_fd);
		c->dir_fd = -1;
		(void)unlinkat(c->base_fd, c->name, AT_REMOVEDIR);
	}
	return r;
}

/* -------------------------------------------------------------- start */

static void
ctl_free(struct ctl *c)
{
	if (c->lfd >= 0)
		close(c->lfd);
	if (c->own_path)
		(void)unlink(c->path);
	if (c->dir_fd >= 0) {
		(void)unlinkat(c->dir_fd, "pid", 0);
		close(c->dir_fd);
		(void)unlinkat(c->base_fd, c->name, AT_REMOVEDIR);
	}
	if (c->base_fd >= 0)
		close(c->base_fd);
	if (c->stop_efd >= 0)
		close(c->stop_efd);
	free(c);
}

/* Names become path components: the cfg schema already checks "name", but
 * this module must not depend on that to stay inside the run base. */
static bool
name_ok(const char *s)
{
	if (*s == '\0' || *s == '.' || strlen(s) >= CTL_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		    *s == '.'))
			return false;
	return true;
}

int
ctl_start(struct ctl **out, const struct ctl_params *p, char *err,
    size_t errlen)
{
	const char *spec = cfg_get(p->cfg, "ctl.path");
	const char *name = cfg_get(p->cfg, "name");
	struct ctl *c;
	sigset_t all, old;
	int r;

	*out = NULL;
	err[0] = '\0';
	if (p->hooks.power_button == NULL || p->hooks.reset == NULL ||
	    p->hooks.destroy == NULL) {
		snprintf(err, errlen, "control socket: missing hooks");
		return -EINVAL;
	}
	if (spec != NULL && strcmp(spec, "none") == 0)
		return 0;
	if (name != NULL && !name_ok(name)) {
		snprintf(err, errlen, "control socket: name \"%s\" is not "
		    "usable as a file name", name);
		return -EINVAL;
	}
	if (spec == NULL && name == NULL) {
		snprintf(err, errlen, "no control socket: the VM has no name");
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "control socket: out of memory");
		return -ENOMEM;
	}
	c->lfd = c->stop_efd = c->base_fd = c->dir_fd = -1;
	c->hooks = p->hooks;
	c->gate = p->gate;
	c->owner = geteuid();
	c->ncpus = p->ncpus;
	c->memory = p->memory;
	c->state = CTL_STATE_RUNNING;
	snprintf(c->name, sizeof(c->name), "%s", name ? name : "");
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	c->started = (uint64_t)time(NULL);

	if (spec != NULL && strncmp(spec, "fd:", 3) == 0) {
		char *end;
		long n = strtol(spec + 3, &end, 10);

		if (end == spec + 3 || *end != '\0' || n < 0 || n > INT_MAX ||
		    fcntl((int)n, F_GETFD) < 0) {
			snprintf(err, errlen, "ctl.path=%s: not an open "
			    "descriptor", spec);
			r = -EBADF;
			goto fail;
		}
		if ((r = check_passed_fd((int)n, err, errlen)) < 0)
			goto fail;
		c->lfd = (int)n;
	} else if (spec != NULL) {
		if (spec[0] != '/') {
			snprintf(err, errlen, "ctl.path=%s: give an absolute "
			    "path, fd:N or none", spec);
			r = -EINVAL;
			goto fail;
		}
		if ((r = bind_path(c, spec, err, errlen)) < 0)
			goto fail;
	} else {
		r = make_rundir(c, p->run_base ? p->run_base : CTL_RUN_BASE,
		    err, errlen);
		if (r != 0)
			goto fail;
	}
	/* listen() here, in hyve, even on hyve-jail's socket: the kernel
	 * records the listener's credentials for SO_PEERCRED at listen(),
	 * and clients must see hyve, not the launcher. */
	if (listen(c->lfd, CTL_BACKLOG) < 0) {
		r = -errno;
		snprintf(err, errlen, "control socket: listen: %s",
		    strerror(-r));
		goto fail;
	}
	c->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->stop_efd < 0) {
		r = -errno;
		snprintf(err, errlen, "control socket: eventfd: %s",
		    strerror(-r));
		goto fail;
	}
	/* The thread takes no signal: main owns them (signalfd), the vCPU
	 * kick is only for vCPU threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = -pthread_create(&c->thread, NULL, ctl_thread, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		snprintf(err, errlen, "control socket: pthread_create: %s",
		    strerror(-r));
		goto fail;
	}
	c->thread_up = true;
	*out = c;
	return 0;
fail:
	ctl_free(c);
	return r > 0 ? 0 : r;
}

void
ctl_stop(struct ctl *c)
{
	uint64_t one = 1;

	if (c == NULL)
		return;
	if (c->thread_up) {
		(void)!write(c->stop_efd, &one, sizeof(one));
		pthread_join(c->thread, NULL);
	}
	ctl_free(c);
}
