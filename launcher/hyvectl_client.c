/*
 * hyvectl_client: run directories and control sockets (see the header).
 *
 * Every socket is non-blocking and every wait is a poll() with a deadline.
 * The run directory of a bare hyve belongs to whoever ran it: files in it
 * are opened with O_NOFOLLOW relative to the directory's fd, so that a
 * symlink planted there cannot make root read or remove anything else.
 */
#define _GNU_SOURCE
#include "hyvectl_client.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hyvectl_args.h"
#include "procfs.h"

long long
hv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Copy with truncation, always terminated (names are shown, not used as
 * paths, once cut). */
static void
copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ------------------------------------------------------------ request */

int
hv_request(const char *path, uint16_t type, void *reply, size_t replen,
    int timeout_ms, long *peer_pid, char *err, size_t errlen)
{
	static char buf[CTL_MSG_MAX + 1];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_hdr h;
	const void *payload;
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	long long deadline = hv_now_ms() + timeout_ms;
	uint32_t seq = (uint32_t)getpid() ^ (uint32_t)hv_now_ms();
	ssize_t n;
	int fd, r, e;

	err[0] = '\0';
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: path too long for a socket", path);
		return -ENAMETOOLONG;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "socket: %s", strerror(e));
		return -e;
	}
	/* EAGAIN: the backlog is full; hyve may be busy with other
	 * clients, so try again until the deadline. */
	while ((r = connect(fd, (struct sockaddr *)&sa, sizeof(sa))) < 0 &&
	    errno == EAGAIN && hv_now_ms() < deadline)
		nanosleep(&(struct timespec){ 0, 20 * 1000000 }, NULL);
	if (r < 0) {
		e = errno;
		close(fd);
		switch (e) {
		case ENOENT:
			snprintf(err, errlen, "%s: no control socket", path);
			return -ENOENT;
		case ECONNREFUSED:
			snprintf(err, errlen, "%s: nobody listens (hyve is "
			    "gone)", path);
			return -ECONNREFUSED;
		case EAGAIN:
			/* Still full at the deadline: not accepting. */
			snprintf(err, errlen, "%s: not answering (no room "
			    "to connect in %d ms)", path, timeout_ms);
			return -ETIMEDOUT;
		case EACCES:
		case EPERM:
			snprintf(err, errlen, "%s: %s (only root and the VM's "
			    "owner may connect)", path, strerror(e));
			return -EACCES;
		default:
			snprintf(err, errlen, "%s: connect: %s", path,
			    strerror(e));
			return -e;
		}
	}
	if (peer_pid != NULL) {
		*peer_pid = -1;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == 0 &&
		    cr.pid > 0)
			*peer_pid = cr.pid;
	}
	r = (int)ctl_msg_build(buf, sizeof(buf), type, seq, NULL, 0);
	/* A refusing hyve may already have closed: EPIPE, no signal. */
	if (r < 0 || send(fd, buf, (size_t)r, MSG_NOSIGNAL) != r) {
		e = r < 0 ? -r : errno;
		if (e != EPIPE && e != ECONNRESET) {
			close(fd);
			snprintf(err, errlen, "%s: send: %s", path,
			    strerror(e));
			return -e;
		}
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - hv_now_ms();

		if (left <= 0) {
			close(fd);
			snprintf(err, errlen, "%s: no answer in %d ms", path,
			    timeout_ms);
			return -ETIMEDOUT;
		}
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			close(fd);
			snprintf(err, errlen, "poll: %s", strerror(e));
			return -e;
		}
		if (r == 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		break;
	}
	e = errno;
	close(fd);
	if (n <= 0) {
		snprintf(err, errlen, "%s: hyve hung up without answering%s%s",
		    path, n < 0 ? ": " : "", n < 0 ? strerror(e) : "");
		return -EPROTO;
	}
	r = ctl_msg_parse(buf, (size_t)n, &h, &payload);
	if (r == -EPROTONOSUPPORT) {
		snprintf(err, errlen, "%s: hyve speaks protocol version %u, "
		    "this hyvectl %u", path, h.version, CTL_VERSION);
		return -EPROTO;
	}
	if (r < 0) {
		snprintf(err, errlen, "%s: malformed answer (%s)", path,
		    strerror(-r));
		return -EPROTO;
	}
	if (h.type == CTL_REP_ERROR) {
		struct ctl_error ce;

		memcpy(&ce, payload, sizeof(ce));
		ctl_error_sanitize(&ce);
		e = ce.err > 0 && ce.err < 4096 ? ce.err : EPROTO;
		snprintf(err, errlen, "%s", ce.msg);
		return -e;
	}
	if (h.seq != seq || h.type != (type | CTL_REPLY) || h.len != replen) {
		snprintf(err, errlen, "%s: answer to another request", path);
		return -EPROTO;
	}
	if (replen > 0)
		memcpy(reply, payload, replen);
	return 0;
}

/* -------------------------------------------------------------- probe */

/* One read() of a small file (relative to dfd, or AT_FDCWD) into buf,
 * terminated: its length, or -1 if it cannot be opened or read or is
 * empty.  flags are added to O_RDONLY | O_CLOEXEC. */
static ssize_t
read_text(int dfd, const char *file, int flags, char *buf, size_t len)
{
	ssize_t n;
	int fd = openat(dfd, file, O_RDONLY | O_CLOEXEC | flags);

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return n;
}

static long
read_num(int dfd, const char *file)
{
	char buf[32];
	char *end;
	long v;

	/* The run directory is its owner's: no link, no FIFO to hang on. */
	if (read_text(dfd, file, O_NOFOLLOW | O_NONBLOCK, buf,
	    sizeof(buf)) < 0)
		return -1;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0') ||
	    v < 0 || v > 0x7fffffffL)
		return -1;
	return v;
}

/* A zombie (hyve exited, its parent has not reaped it yet) is gone, and
 * pid 1 is never a VM's. */
static bool
pid_alive(long pid)
{
	return pid > 1 && pid <= INT_MAX && procfs_alive((pid_t)pid);
}

int
hv_probe(const char *base, const char *name, int timeout_ms,
    struct hv_vm *vm, char *err, size_t errlen)
{
	struct stat st;
	char rerr[160];
	int dfd = -1, r;

	memset(vm, 0, sizeof(*vm));
	vm->pidfile = vm->uid = vm->host_pid = -1;
	err[0] = '\0';
	if (strchr(name, '/') != NULL) {
		/* An explicit socket or run directory. */
		if (stat(name, &st) < 0) {
			snprintf(err, errlen, "%s: %s", name, strerror(errno));
			return -ENOENT;
		}
		if (S_ISSOCK(st.st_mode)) {
			snprintf(vm->sock, sizeof(vm->sock), "%s", name);
			const char *b = strrchr(name, '/');
			copy_str(vm->name, sizeof(vm->name), b + 1);
		} else if (S_ISDIR(st.st_mode)) {
			snprintf(vm->dir, sizeof(vm->dir), "%s", name);
		} else {
			snprintf(err, errlen, "%s: neither a run directory nor "
			    "a control socket", name);
			return -EINVAL;
		}
	} else {
		if (!hyvectl_name_ok(name)) {
			snprintf(err, errlen, "\"%s\" is not a VM name", name);
			return -EINVAL;
		}
		snprintf(vm->dir, sizeof(vm->dir), "%s/%s", base, name);
	}
	if (vm->dir[0] != '\0') {
		size_t l = strlen(vm->dir);

		while (l > 1 && vm->dir[l - 1] == '/')
			vm->dir[--l] = '\0';
		const char *b = strrchr(vm->dir, '/');
		copy_str(vm->name, sizeof(vm->name), b ? b + 1 : vm->dir);
		dfd = open(vm->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
		    O_NOFOLLOW);
		if (dfd < 0) {
			r = errno;
			if (r == ENOENT || r == ENOTDIR) {
				snprintf(err, errlen, "no VM named \"%s\" (no "
				    "%s)", vm->name, vm->dir);
				return -ENOENT;
			}
			if (r != EACCES) {
				snprintf(err, errlen, "%s: %s", vm->dir,
				    strerror(r));
				return -r;
			}
			/* Search-only access (0711): files by name still
			 * work through paths, not through dfd. */
		}
		if (snprintf(vm->sock, sizeof(vm->sock), "%s/%s", vm->dir,
		    CTL_SOCK_NAME) >= (int)sizeof(vm->sock)) {
			if (dfd >= 0)
				close(dfd);
			snprintf(err, errlen, "%s: path too long for a socket",
			    vm->dir);
			return -ENAMETOOLONG;
		}
		if (dfd >= 0) {
			vm->pidfile = read_num(dfd, "pid");
			vm->uid = read_num(dfd, "uid");
			vm->jailed = vm->uid >= 0;
			if (vm->uid < 0 && fstat(dfd, &st) == 0)
				vm->uid = st.st_uid;
			close(dfd);
		}
		vm->pidfile_alive = pid_alive(vm->pidfile);
	}

	r = hv_request(vm->sock, CTL_REQ_INFO, &vm->info, sizeof(vm->info),
	    timeout_ms, &vm->host_pid, rerr, sizeof(rerr));
	switch (r) {
	case 0:
		ctl_info_sanitize(&vm->info);
		vm->status = HV_UP;
		vm->uid = vm->info.uid;
		return 0;
	case -ENOENT:
		if (vm->pidfile_alive) {
			vm->status = HV_NOSOCK;
			snprintf(vm->why, sizeof(vm->why), "pid %ld runs but "
			    "there is no control socket (starting, or started "
			    "without one)", vm->pidfile);
		} else {
			vm->status = HV_STALE;
			if (vm->pidfile > 0)
				snprintf(vm->why, sizeof(vm->why), "stale run "
				    "directory: its process (pid %ld) is gone",
				    vm->pidfile);
			else
				snprintf(vm->why, sizeof(vm->why), "stale run "
				    "directory: no pid, no control socket");
		}
		return 0;
	case -ECONNREFUSED:
		vm->status = vm->pidfile_alive ? HV_NOANSWER : HV_STALE;
		snprintf(vm->why, sizeof(vm->why), vm->pidfile_alive ?
		    "pid %ld runs but its control socket is dead" :
		    "stale run directory: nobody listens on its control "
		    "socket (pid %ld is gone)", vm->pidfile);
		return 0;
	case -ETIMEDOUT:
		vm->status = HV_NOANSWER;
		snprintf(vm->why, sizeof(vm->why), "not answering within "
		    "%d ms", timeout_ms);
		return 0;
	case -EACCES:
	case -EPERM:
		vm->status = HV_DENIED;
		snprintf(vm->why, sizeof(vm->why), "%s", rerr);
		return 0;
	default:
		vm->status = HV_NOANSWER;
		snprintf(vm->why, sizeof(vm->why), "%s", rerr);
		return 0;
	}
}

static int
vm_cmp(const void *a, const void *b)
{
	return strcmp(((const struct hv_vm *)a)->name,
	    ((const struct hv_vm *)b)->name);
}

int
hv_scan(const char *base, int timeout_ms, struct hv_vm **out, int *n,
    char *err, size_t errlen)
{
	struct hv_vm *v = NULL;
	struct dirent *de;
	int cap = 0, cnt = 0;
	char perr[256];
	DIR *d;

	*out = NULL;
	*n = 0;
	d = opendir(base);
	if (d == NULL) {
		int e = errno;

		if (e == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s%s", base, strerror(e),
		    e == EACCES ? " (only root can list every VM; ask for "
		    "one by name)" : "");
		return -e;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !hyvectl_name_ok(de->d_name))
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (cnt == cap) {
			int ncap = cap ? cap * 2 : 8;
			struct hv_vm *nv = realloc(v, (size_t)ncap *
			    sizeof(*v));

			if (nv == NULL) {
				free(v);
				closedir(d);
				snprintf(err, errlen, "out of memory");
				return -ENOMEM;
			}
			v = nv;
			cap = ncap;
		}
		if (hv_probe(base, de->d_name, timeout_ms, &v[cnt], perr,
		    sizeof(perr)) == 0)
			cnt++;
	}
	closedir(d);
	if (cnt > 1)
		qsort(v, (size_t)cnt, sizeof(*v), vm_cmp);
	*out = v;
	*n = cnt;
	return 0;
}

/* --------------------------------------------------------------- wait */

int
hv_wait_gone(const struct hv_vm *vm, int wait_ms)
{
	long long deadline = hv_now_ms() + wait_ms;
	char e[160];
	struct stat st;

	for (;;) {
		struct ctl_info in;
		int r;
		bool sock_dead, proc_dead;

		/* A run directory that is gone is the end: hyve (bare) or
		 * hyve-jail's supervisor removes it last. */
		if (vm->dir[0] != '\0' && lstat(vm->dir, &st) < 0)
			return 0;
		r = hv_request(vm->sock, CTL_REQ_INFO, &in, sizeof(in), 500,
		    NULL, e, sizeof(e));
		sock_dead = r == -ENOENT || r == -ECONNREFUSED;
		proc_dead = vm->pidfile < 0 || !pid_alive(vm->pidfile);
		if (sock_dead && proc_dead && vm->dir[0] == '\0')
			return 0;
		if (hv_now_ms() >= deadline)
			return sock_dead && proc_dead ? -ENOTEMPTY : -ETIMEDOUT;
		nanosleep(&(struct timespec){ 0, 100 * 1000000 }, NULL);
	}
}

int
hv_wait_dead(long pid, int wait_ms)
{
	long long deadline = hv_now_ms() + wait_ms;

	while (pid_alive(pid)) {
		if (hv_now_ms() >= deadline)
			return -ETIMEDOUT;
		nanosleep(&(struct timespec){ 0, 50 * 1000000 }, NULL);
	}
	return 0;
}

/* ------------------------------------------------------------ cleanup */

int
hv_remove_stale(const struct hv_vm *vm, char *err, size_t errlen)
{
	static const char *const files[] = { "pid", CTL_SOCK_NAME, "console" };
	int dfd, e;

	if (vm->dir[0] == '\0')
		return 0;
	if (vm->jailed) {
		snprintf(err, errlen, "%s was made by hyve-jail, whose "
		    "supervisor (pid %ld) is gone: the next hyve-jail for "
		    "\"%s\" removes it with the cgroup", vm->dir, vm->pidfile,
		    vm->name);
		return -EPERM;
	}
	dfd = open(vm->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0) {
		e = errno;
		if (e == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", vm->dir, strerror(e));
		return -e;
	}
	/* unlinkat never follows: a planted symlink is removed, not its
	 * target. */
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		(void)unlinkat(dfd, files[i], 0);
	close(dfd);
	if (rmdir(vm->dir) < 0 && errno != ENOENT) {
		e = errno;
		snprintf(err, errlen, "rmdir %s: %s", vm->dir, strerror(e));
		return -e;
	}
	return 0;
}

static bool
comm_is(long pid, const char *want)
{
	return pid > 0 && pid <= INT_MAX && procfs_comm_is((pid_t)pid, want);
}

int
hv_stop_supervisor(const struct hv_vm *vm)
{
	if (!vm->jailed || vm->pidfile <= 1 ||
	    !comm_is(vm->pidfile, "hyve-jail"))
		return -ESRCH;
	return kill((pid_t)vm->pidfile, SIGTERM) < 0 ? -errno : 0;
}

long
hv_kill_hyve(const struct hv_vm *vm, char *err, size_t errlen)
{
	long target = -1;

	if (vm->pidfile > 1 && comm_is(vm->pidfile, "hyve")) {
		target = vm->pidfile;
	} else if (vm->pidfile > 1 && comm_is(vm->pidfile, "hyve-jail")) {
		/* The supervisor's child is the box, which exec'ed hyve. */
		pid_t kids[64];
		int nkids = procfs_children((pid_t)vm->pidfile, kids, 64);

		for (int i = 0; i < nkids; i++) {
			if (kids[i] > 1 && comm_is(kids[i], "hyve")) {
				target = kids[i];
				break;
			}
		}
	}
	if (target < 0) {
		snprintf(err, errlen, "no hyve process found for \"%s\"",
		    vm->name);
		return -ESRCH;
	}
	if (kill((pid_t)target, SIGKILL) < 0) {
		int e = errno;

		snprintf(err, errlen, "kill %ld: %s", target, strerror(e));
		return -e;
	}
	return target;
}

/* ------------------------------------------------------------- cgroup */

static bool
cg_path_ok(const char *p)
{
	return p[0] == '/' && strstr(p, "/..") == NULL &&
	    strchr(p, '\n') == NULL;
}

int
hv_cgroup_parse(const char *text, char *v2, size_t v2len,
    char *cpu, char *mem, char *pids, size_t v1len)
{
	const char *line = text;
	bool any1 = false;

	v2[0] = cpu[0] = mem[0] = pids[0] = '\0';
	while (line != NULL && *line != '\0') {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char l[PATH_MAX + 128];
		char *c1, *c2;

		if (len < sizeof(l)) {
			memcpy(l, line, len);
			l[len] = '\0';
			c1 = strchr(l, ':');
			c2 = c1 ? strchr(c1 + 1, ':') : NULL;
			if (c2 != NULL && cg_path_ok(c2 + 1)) {
				const char *path = c2 + 1;

				*c2 = '\0';
				*c1 = '\0';
				if (strcmp(l, "0") == 0 && c1[1] == '\0') {
					snprintf(v2, v2len, "%s", path);
				} else {
					/* "4:cpu,cpuacct:/x": split the list */
					char *save = NULL;

					for (char *t = strtok_r(c1 + 1, ",",
					    &save); t; t = strtok_r(NULL, ",",
					    &save)) {
						char *dst = strcmp(t, "cpuacct")
						    == 0 ? cpu : strcmp(t,
						    "memory") == 0 ? mem :
						    strcmp(t, "pids") == 0 ?
						    pids : NULL;

						if (dst) {
							snprintf(dst, v1len,
							    "%s", path);
							any1 = true;
						}
					}
				}
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	/* On a hybrid host the "0::" line exists but the controllers are
	 * on v1: prefer v1 when it has them. */
	if (any1)
		return 1;
	return v2[0] != '\0' ? 2 : 0;
}

static long long
cg_read(const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX + 64], buf[4096];

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path) ||
	    read_text(AT_FDCWD, path, 0, buf, sizeof(buf)) < 0)
		return -1;
	if (key == NULL) {
		if (strncmp(buf, "max", 3) == 0)
			return -2;
		return strtoll(buf, NULL, 10);
	}
	for (char *p = buf; p != NULL && *p; ) {
		size_t kl = strlen(key);

		if (strncmp(p, key, kl) == 0 && p[kl] == ' ')
			return strtoll(p + kl + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

void
hv_cgroup_read(long pid, const char *root, struct hv_cgroup *cg)
{
	char text[4096], v2[PATH_MAX], cpu[PATH_MAX], mem[PATH_MAX],
	    pids[PATH_MAX], dir[PATH_MAX + 300];

	memset(cg, 0, sizeof(*cg));
	cg->cpu_usec = cg->mem_cur = cg->mem_max = -1;
	cg->pids_cur = cg->pids_max = -1;
	if (pid <= 0 || pid > INT_MAX ||
	    procfs_read((pid_t)pid, "cgroup", text, sizeof(text)) <= 0)
		return;
	cg->version = hv_cgroup_parse(text, v2, sizeof(v2), cpu, mem, pids,
	    sizeof(cpu));
	if (cg->version == 2) {
		snprintf(cg->path, sizeof(cg->path), "%s", v2);
		snprintf(dir, sizeof(dir), "%s%s", root, v2);
		cg->cpu_usec = cg_read(dir, "cpu.stat", "usage_usec");
		cg->mem_cur = cg_read(dir, "memory.current", NULL);
		cg->mem_max = cg_read(dir, "memory.max", NULL);
		cg->pids_cur = cg_read(dir, "pids.current", NULL);
		cg->pids_max = cg_read(dir, "pids.max", NULL);
	} else if (cg->version == 1) {
		snprintf(cg->path, sizeof(cg->path), "%s", mem[0] ? mem :
		    cpu[0] ? cpu : pids);
		if (cpu[0]) {
			long long ns;

			snprintf(dir, sizeof(dir), "%s/cpuacct%s", root, cpu);
			ns = cg_read(dir, "cpuacct.usage", NULL);
			if (ns < 0) {
				snprintf(dir, sizeof(dir), "%s/cpu,cpuacct%s",
				    root, cpu);
				ns = cg_read(dir, "cpuacct.usage", NULL);
			}
			cg->cpu_usec = ns >= 0 ? ns / 1000 : -1;
		}
		if (mem[0]) {
			snprintf(dir, sizeof(dir), "%s/memory%s", root, mem);
			cg->mem_cur = cg_read(dir, "memory.usage_in_bytes",
			    NULL);
			cg->mem_max = cg_read(dir, "memory.limit_in_bytes",
			    NULL);
		}
		if (pids[0]) {
			snprintf(dir, sizeof(dir), "%s/pids%s", root, pids);
			cg->pids_cur = cg_read(dir, "pids.current", NULL);
			cg->pids_max = cg_read(dir, "pids.max", NULL);
		}
	}
}
