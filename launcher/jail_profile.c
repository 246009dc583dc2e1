/*
 * jail_profile: load the profile, check it, and turn it into a plan.
 *
 * Everything that can be refused is refused here, before the host is
 * touched: an untrusted profile file, an unknown key, a bad value, a tap
 * outside jail.tap_prefix, a disk that is neither a regular file nor a block
 * device, a VM name that is already running, uid 0.  Every message names
 * the origin (file:line or -o), the key and the reason.
 *
 * cfg_validate(CFG_ROLE_JAIL) checks every key as hyve would, jail.*
 * included; the few keys only the launcher knows (jail.uid_range and the
 * test build's jail.exec, jail.exec_args) are checked here.
 *
 * Must never: create or change anything on the host.  The test build
 * (JAIL_TEST_PROBE, hyve-jail-test) is the only one that accepts jail.exec.
 */
#define _GNU_SOURCE
#include "jail_profile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "jail.h"
#include "procfs.h"

#define PROFILE_MAX	(1u << 20)

/* ------------------------------------------------------------ value syntax */

static bool
is_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (out != NULL)
		*out = v;
	return true;
}

static bool
is_name(const char *s, size_t max, const char *extra)
{
	size_t n = strlen(s);

	if (n == 0 || n > max || s[0] == '.' || s[0] == '-')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL)
			return false;
	return true;
}

static int
check_uid_range(const char *v, uid_t *lo, uid_t *hi)
{
	char a[16];
	const char *dash = strchr(v, '-');
	uint64_t l, h;

	if (dash == NULL || (size_t)(dash - v) >= sizeof(a))
		return -EINVAL;
	snprintf(a, sizeof(a), "%.*s", (int)(dash - v), v);
	if (!is_uint(a, UINT32_MAX - 1, &l) || !is_uint(dash + 1,
	    UINT32_MAX - 1, &h) || l == 0 || l > h)
		return -EINVAL;
	if (lo != NULL)
		*lo = (uid_t)l;
	if (hi != NULL)
		*hi = (uid_t)h;
	return 0;
}

/*
 * The jail.* keys that only the launcher knows (cfg's schema has the rest
 * and cfg_validate checks them).  test_only keys exist only in
 * hyve-jail-test, so the production binary can exec nothing but hyve.
 */
struct jail_key {
	const char *key;
	bool test_only;
	const char *what;		/* "is not WHAT" */
	bool (*ok)(const char *v);
};

static bool
ok_range(const char *v)
{
	return check_uid_range(v, NULL, NULL) == 0;
}

static bool
ok_path(const char *v)
{
	return v[0] == '/' && strlen(v) < PATH_MAX;
}

static bool
ok_args(const char *v)
{
	return strlen(v) < 256;
}

static const struct jail_key jail_keys[] = {
	{ "jail.uid_range", false, "LOW-HIGH (uids, 0 < LOW <= HIGH)",
	  ok_range },
	{ "jail.exec", true, "an absolute path", ok_path },
	{ "jail.exec_args", true, "shorter than 256 bytes", ok_args },
};

#ifdef JAIL_TEST_PROBE
#define TEST_BUILD true
#else
#define TEST_BUILD false
#endif

static const struct jail_key *
jail_key_find(const char *key)
{
	for (size_t i = 0; i < sizeof(jail_keys) / sizeof(jail_keys[0]); i++)
		if (strcmp(jail_keys[i].key, key) == 0)
			return &jail_keys[i];
	return NULL;
}

int
jail_profile_check_key(const char *key, const char *value, char *err,
    size_t errlen)
{
	const struct jail_key *k = jail_key_find(key);

	if (k == NULL) {
		snprintf(err, errlen, "unknown key");
		return -ENOENT;
	}
	if (k->test_only && !TEST_BUILD) {
		snprintf(err, errlen, "unknown key (only the test build "
		    "hyve-jail-test accepts it)");
		return -EINVAL;
	}
	if (!k->ok(value)) {
		snprintf(err, errlen, "\"%s\" is not %s", value, k->what);
		return -EINVAL;
	}
	return 0;
}

/* --------------------------------------------------------------- run state */

static int
read_small(int dirfd, const char *path, char *buf, size_t len)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len - 1);
	int e = n < 0 ? -errno : 0;
	close(fd);
	if (e < 0)
		return e;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* One uid per line in DIR/helper-uids (jail_helper.c writes it). */
static bool
helper_uses(int dfd, uid_t uid)
{
	char buf[JAIL_MAX_HELPERS * 12 + 1];
	uint64_t v;
	int fd = openat(dfd, "helper-uids", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *save = NULL, *t = strtok_r(buf, "\n", &save); t != NULL;
	    t = strtok_r(NULL, "\n", &save))
		if (is_uint(t, UINT32_MAX, &v) && v == uid)
			return true;
	return false;
}

bool
jail_profile_uid_used(const char *run_base, const char *self_name,
    uid_t uid, char *who, size_t wholen)
{
	DIR *d = opendir(run_base);
	struct dirent *e;
	bool used = false;

	if (d == NULL)
		return false;
	while (!used && (e = readdir(d)) != NULL) {
		char buf[32];
		uint64_t v;

		if (e->d_name[0] == '.' || (self_name != NULL &&
		    strcmp(e->d_name, self_name) == 0))
			continue;
		int dfd = openat(dirfd(d), e->d_name,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (dfd < 0)
			continue;
		if (read_small(dfd, "uid", buf, sizeof(buf)) == 0 &&
		    is_uint(buf, UINT32_MAX, &v) && v == uid)
			used = true;
		/* Its device helpers' uids are as taken as the VM's. */
		if (!used && helper_uses(dfd, uid))
			used = true;
		if (used)
			snprintf(who, wholen, "%s", e->d_name);
		close(dfd);
	}
	closedir(d);
	return used;
}

bool
jail_profile_stale(const char *run_base, const char *name, long *pid)
{
	char path[PATH_MAX], buf[32], comm[PROCFS_COMM_MAX];
	uint64_t v;
	int dfd;
	bool stale = false;

	*pid = 0;
	snprintf(path, sizeof(path), "%s/%s", run_base, name);
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return false;
	/* No pid file yet: a hyve-jail is between mkdir and its supervisor
	 * start.  Only a recorded pid that is no hyve-jail any more (gone,
	 * or reused by another program) makes the directory stale. */
	if (read_small(dfd, "pid", buf, sizeof(buf)) == 0 &&
	    is_uint(buf, INT32_MAX, &v) && v > 1) {
		/* Gone or unreadable: comm stays "". */
		(void)procfs_comm((pid_t)v, comm, sizeof(comm));
		/* The supervisor (hyve-jail), or hyve itself where a pid
		 * file names it: either means the VM is alive. */
		stale = strncmp(comm, "hyve-jail", 9) != 0 &&
		    strcmp(comm, "hyve") != 0;
		*pid = (long)v;
	}
	close(dfd);
	return stale;
}

int
jail_profile_pick_uid(const char *run_base, uid_t lo, uid_t hi, uid_t *out)
{
	return jail_profile_pick_uid_skip(run_base, lo, hi, NULL, 0, out);
}

int
jail_profile_pick_uid_skip(const char *run_base, uid_t lo, uid_t hi,
    const uid_t *skip, int nskip, uid_t *out)
{
	char who[JAIL_NAME_MAX];

	for (uint64_t u = lo; u <= hi; u++) {
		bool taken = false;
		for (int i = 0; i < nskip; i++)
			taken = taken || skip[i] == (uid_t)u;
		if (taken)
			continue;
		/* A host account's uid would let the VM share files and
		 * signals with that account: never hand it out. */
		if (getpwuid((uid_t)u) != NULL)
			continue;
		if (jail_profile_uid_used(run_base, NULL, (uid_t)u, who,
		    sizeof(who)))
			continue;
		*out = (uid_t)u;
		return 0;
	}
	return -EBUSY;
}

/* ------------------------------------------------------------------ load */

int
jail_profile_load(struct jail *j)
{
	struct stat st;
	char err[CFG_ERRLEN];
	char *buf = NULL;
	int fd, r;

	fd = open(j->profile, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return jail_err(j, -errno, "%s: %m", j->profile);
	/* Check the file we actually read (fstat on the open fd), not the
	 * path: a swap between check and read cannot sneak a file in. */
	if (fstat(fd, &st) < 0) {
		r = jail_err(j, -errno, "%s: %m", j->profile);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = jail_err(j, -EINVAL, "%s: profile is not a regular file",
		    j->profile);
		goto out;
	}
	/* The profile decides what the box may touch: whoever can write
	 * it owns the host, so only root may. */
	if (st.st_uid != 0) {
		r = jail_err(j, -EPERM, "%s: profile must be owned by root "
		    "(owner is uid %u)", j->profile, (unsigned)st.st_uid);
		goto out;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		r = jail_err(j, -EPERM, "%s: profile must not be writable by "
		    "group or others (mode %04o)", j->profile,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size > PROFILE_MAX) {
		r = jail_err(j, -EFBIG, "%s: profile larger than %u bytes",
		    j->profile, PROFILE_MAX);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		r = jail_err(j, -ENOMEM, "%s: out of memory", j->profile);
		goto out;
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = jail_err(j, -errno, "%s: %m", j->profile);
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (memchr(buf, '\0', got) != NULL) {
		r = jail_err(j, -EINVAL, "%s: profile contains a NUL byte",
		    j->profile);
		goto out;
	}

	j->cfg = cfg_new();
	if (j->cfg == NULL) {
		r = jail_err(j, -ENOMEM, "out of memory");
		goto out;
	}
	err[0] = '\0';
	r = cfg_load_buf(j->cfg, j->profile, buf, err, sizeof(err));
	if (r < 0) {
		jail_err(j, r, "%s", err);
		goto out;
	}
	for (int i = 0; i < j->noverrides; i++) {
		err[0] = '\0';
		r = cfg_set_kv(j->cfg, j->overrides[i], "-o", err,
		    sizeof(err));
		if (r < 0) {
			jail_err(j, r, "%s", err);
			goto out;
		}
	}
	r = 0;
out:
	free(buf);
	close(fd);
	return r;
}

/* --------------------------------------------------------------- apply */

struct split {
	struct cfg *rest;
	struct jail *j;
	int r;
};

/* The launcher's own keys are checked here; everything else is copied
 * (with its origin) into a tree for cfg_validate. */
static int
split_one(const char *key, const char *value, const char *origin, void *arg)
{
	struct split *s = arg;
	char err[CFG_ERRLEN];

	if (jail_key_find(key) != NULL) {
		if (jail_profile_check_key(key, value, err, sizeof(err)) < 0) {
			s->r = jail_err(s->j, -EINVAL, "%s: %s: %s", origin,
			    key, err);
			return 1;
		}
		return 0;
	}
	err[0] = '\0';
	if (cfg_set(s->rest, key, value, origin, err, sizeof(err)) < 0) {
		s->r = jail_err(s->j, -EINVAL, "%s", err);
		return 1;
	}
	return 0;
}

static const char *
origin_of(const struct jail *j, const char *key)
{
	const char *o = cfg_origin(j->cfg, key);

	return o != NULL ? o : j->profile;
}

static const char *
get(const struct jail *j, const char *key)
{
	return cfg_get(j->cfg, key);
}

/* A file the box will read or write through an fd we open: it must exist
 * now and be a regular file (or, for disks, a block device). */
static int
check_file(struct jail *j, const char *key, const char *path, bool blk_ok,
    struct stat *st)
{
	if (path[0] != '/')
		return jail_err(j, -EINVAL, "%s: %s: \"%s\" is not an "
		    "absolute path", origin_of(j, key), key, path);
	if (stat(path, st) < 0)
		return jail_err(j, -errno, "%s: %s: %s: %m",
		    origin_of(j, key), key, path);
	if (S_ISREG(st->st_mode) || (blk_ok && S_ISBLK(st->st_mode)))
		return 0;
	return jail_err(j, -EINVAL, "%s: %s: %s is neither a regular file%s",
	    origin_of(j, key), key, path, blk_ok ? " nor a block device" : "");
}

struct devscan {
	struct jail *j;
	int r;
};

/* Every virtio device gets its back end process (step 7, jail_helper.c). */
static int
add_helper(struct jail *j, const char *key, const char *slot,
    enum jail_helper_kind kind, int dev)
{
	if (j->nhelpers >= JAIL_MAX_HELPERS)
		return jail_err(j, -E2BIG, "%s: %s: more than %d virtio "
		    "devices", origin_of(j, key), key, JAIL_MAX_HELPERS);
	struct jail_helper *h = &j->helpers[j->nhelpers++];
	snprintf(h->slot, sizeof(h->slot), "%s", slot);
	h->kind = kind;
	h->dev = dev;
	h->pid = 0;
	return 0;
}

static int
scan_device(const char *key, const char *value, const char *origin, void *arg)
{
	struct devscan *ds = arg;
	struct jail *j = ds->j;
	char slot[48], k[64];
	const char *dot = strrchr(key, '.');

	(void)origin;
	if (dot == NULL || strcmp(dot, ".device") != 0 ||
	    (size_t)(dot - key) >= sizeof(slot))
		return 0;
	snprintf(slot, sizeof(slot), "%.*s", (int)(dot - key), key);

	if (strcmp(value, "virtio-blk") == 0) {
		struct stat st;
		bool ro = false;
		char err[CFG_ERRLEN];

		if (j->ndisks >= JAIL_MAX_DISKS) {
			ds->r = jail_err(j, -E2BIG, "%s: %s: more than %d "
			    "disks", origin_of(j, key), key, JAIL_MAX_DISKS);
			return 1;
		}
		snprintf(k, sizeof(k), "%s.path", slot);
		const char *path = get(j, k);
		if (path == NULL) {
			ds->r = jail_err(j, -EINVAL, "%s: %s: virtio-blk "
			    "without %s", origin_of(j, key), key, k);
			return 1;
		}
		ds->r = check_file(j, k, path, true, &st);
		if (ds->r < 0)
			return 1;
		struct jail_disk *d = &j->disks[j->ndisks++];
		snprintf(d->key, sizeof(d->key), "%s", k);
		snprintf(d->path, sizeof(d->path), "%s", path);
		snprintf(k, sizeof(k), "%s.ro", slot);
		err[0] = '\0';
		if (cfg_get_bool(j->cfg, k, false, &ro, err, sizeof(err)) ==
		    -EINVAL) {
			ds->r = jail_err(j, -EINVAL, "%s", err);
			return 1;
		}
		d->ro = ro;
		/* bhyve's blockif flags, applied when the disk is opened:
		 * the helper gets the fd as it must do its I/O on it. */
		snprintf(k, sizeof(k), "%s.nocache", slot);
		if (cfg_get_bool(j->cfg, k, false, &d->nocache, err,
		    sizeof(err)) == -EINVAL) {
			ds->r = jail_err(j, -EINVAL, "%s", err);
			return 1;
		}
		snprintf(k, sizeof(k), "%s.direct", slot);
		if (cfg_get_bool(j->cfg, k, false, &d->direct, err,
		    sizeof(err)) == -EINVAL) {
			ds->r = jail_err(j, -EINVAL, "%s", err);
			return 1;
		}
		d->blk = S_ISBLK(st.st_mode);
		d->rdev = d->blk ? st.st_rdev : 0;
		d->fsdev = st.st_dev;
		ds->r = add_helper(j, key, slot, JAIL_HELPER_BLK,
		    j->ndisks - 1);
		if (ds->r < 0)
			return 1;
	} else if (strcmp(value, "virtio-net") == 0) {
		if (j->ntaps >= JAIL_MAX_TAPS) {
			ds->r = jail_err(j, -E2BIG, "%s: %s: more than %d "
			    "taps", origin_of(j, key), key, JAIL_MAX_TAPS);
			return 1;
		}
		snprintf(k, sizeof(k), "%s.backend", slot);
		const char *tap = get(j, k);
		if (tap == NULL) {
			ds->r = jail_err(j, -EINVAL, "%s: %s: virtio-net "
			    "without %s", origin_of(j, key), key, k);
			return 1;
		}
		/* cfg_validate checked the prefix (the devfs ruleset of
		 * bhyve-in-a-jail, "unhide tap10*"); fd:N means nothing
		 * here, our fds were closed in step 1. */
		if (strlen(tap) >= IFNAMSIZ || !is_name(tap, IFNAMSIZ - 1,
		    "_-")) {
			ds->r = jail_err(j, -EINVAL, "%s: %s: \"%s\" is not "
			    "a tap name: hyve-jail opens the tap itself",
			    origin_of(j, k), k, tap);
			return 1;
		}
		for (int i = 0; i < j->ntaps; i++)
			if (strcmp(j->taps[i].name, tap) == 0) {
				ds->r = jail_err(j, -EINVAL, "%s: %s: tap "
				    "\"%s\" is already used by %s",
				    origin_of(j, k), k, tap, j->taps[i].key);
				return 1;
			}
		struct jail_tap *t = &j->taps[j->ntaps++];
		snprintf(t->key, sizeof(t->key), "%s", k);
		snprintf(t->name, sizeof(t->name), "%s", tap);
		ds->r = add_helper(j, key, slot, JAIL_HELPER_NET,
		    j->ntaps - 1);
		if (ds->r < 0)
			return 1;
	} else if (strcmp(value, "virtio-rnd") == 0) {
		ds->r = add_helper(j, key, slot, JAIL_HELPER_RNG, -1);
		if (ds->r < 0)
			return 1;
	}
	return 0;
}

static int
get_u64_key(struct jail *j, const char *key, uint64_t def, uint64_t *out)
{
	char err[CFG_ERRLEN];

	err[0] = '\0';
	int r = cfg_get_u64(j->cfg, key, def, out, err, sizeof(err));
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return jail_err(j, r, "%s", err);
	return 0;
}

int
jail_profile_apply(struct jail *j)
{
	struct split s = { .j = j };
	char err[CFG_ERRLEN], who[JAIL_NAME_MAX];
	const char *v;
	uint64_t u;
	int r;

	/* Everything below is derived from the tree: start from nothing. */
	j->ndisks = j->ntaps = j->nhelpers = 0;
	j->console = false;
	j->stdio_serial = false;
	j->kernel[0] = j->initrd[0] = j->netns[0] = '\0';

	/* 1. Syntax: the launcher's own keys here, the rest (jail.*
	 * included) by cfg_validate. */
	s.rest = cfg_new();
	if (s.rest == NULL)
		return jail_err(j, -ENOMEM, "out of memory");
	cfg_foreach(j->cfg, "", split_one, &s);
	if (s.r == 0) {
		err[0] = '\0';
		r = cfg_validate(s.rest, CFG_ROLE_JAIL, err, sizeof(err));
		if (r < 0)
			s.r = jail_err(j, r, "%s", err);
	}
	cfg_free(s.rest);
	if (s.r < 0)
		return s.r;

	/* 2. The VM's name (cfg_validate checked its syntax): it becomes a
	 * directory and a cgroup name. */
	snprintf(j->name, sizeof(j->name), "%s", get(j, "name"));

	/* 3. jail.* values into the plan. */
	if ((v = get(j, "jail.tap_prefix")) != NULL)
		snprintf(j->tap_prefix, sizeof(j->tap_prefix), "%s", v);
	snprintf(j->cg_parent, sizeof(j->cg_parent), "%s",
	    (v = get(j, "jail.cgroup.parent")) != NULL ? v : "hyve");
	v = get(j, "jail.restart");
	j->restart = v == NULL || strcmp(v, "no") == 0 ? JAIL_RESTART_NO :
	    strcmp(v, "always") == 0 ? JAIL_RESTART_ALWAYS :
	    JAIL_RESTART_ON_REBOOT;
	v = get(j, "jail.seccomp");
	j->seccomp_log = v != NULL && strcmp(v, "log") == 0;
	if ((v = get(j, "jail.stop_timeout")) != NULL)
		j->stop_timeout = (unsigned)strtoul(v, NULL, 10);
	if ((v = get(j, "jail.netns")) != NULL)
		snprintf(j->netns, sizeof(j->netns), "%s%s", v[0] == '/' ? "" :
		    "/run/netns/", v);
	if ((v = get(j, "jail.uid_range")) != NULL)
		check_uid_range(v, &j->uid_lo, &j->uid_hi);

	/* 4. Who the VM runs as. */
	v = get(j, "jail.uid");
	if (v == NULL || strcmp(v, "auto") == 0) {
		j->uid_auto = true;
		/* A first guess for the plan; the rundir step picks again
		 * under the run lock, which is what makes it unique. */
		if (jail_profile_pick_uid(j->run_base, j->uid_lo, j->uid_hi,
		    &j->uid) < 0)
			return jail_err(j, -EBUSY, "%s: jail.uid_range: no "
			    "free uid in %u-%u", origin_of(j,
			    "jail.uid_range"), (unsigned)j->uid_lo,
			    (unsigned)j->uid_hi);
	} else {
		/* cfg_validate refused 0 and anything not a number. */
		is_uint(v, UINT32_MAX - 1, &u);
		j->uid = (uid_t)u;
		if (jail_profile_uid_used(j->run_base, NULL, j->uid, who,
		    sizeof(who)))
			return jail_err(j, -EBUSY, "%s: jail.uid: uid %u is "
			    "already used by running VM \"%s\"",
			    origin_of(j, "jail.uid"), (unsigned)j->uid, who);
	}
	j->gid = (gid_t)j->uid;
	if ((v = get(j, "jail.gid")) != NULL) {
		is_uint(v, UINT32_MAX - 1, &u);
		j->gid = (gid_t)u;
	}

	/* 5. Is this VM already running?  The run directory is its lock;
	 * the rundir step takes it for real (mkdir is atomic).  A directory
	 * whose supervisor was killed (SIGKILL, a crash) is stale: the
	 * rundir step removes what it left. */
	char path[PATH_MAX + 64];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", j->run_base, j->name);
	if (lstat(path, &st) == 0 && !jail_profile_stale(j->run_base, j->name,
	    &j->stale_pid)) {
		char pid[32] = "?";
		int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			read_small(dfd, "pid", pid, sizeof(pid));
			close(dfd);
		}
		return jail_err(j, -EEXIST, "%s: name: VM \"%s\" is already "
		    "running (%s exists, pid %s)", origin_of(j, "name"),
		    j->name, path, pid);
	}

	/* 6. Memory, for MEMLOCK when the guest is wired (bhyve -S). */
	if ((v = get(j, "memory.size")) != NULL &&
	    cfg_parse_size(v, true, &j->mem_size) < 0)
		return jail_err(j, -EINVAL, "%s: memory.size: \"%s\" is not a "
		    "size", origin_of(j, "memory.size"), v);
	err[0] = '\0';
	r = cfg_get_bool(j->cfg, "memory.wired", false, &j->wired, err,
	    sizeof(err));
	if (r == -EINVAL)
		return jail_err(j, r, "%s", err);
	r = get_u64_key(j, "cpus", 1, &u);
	if (r < 0)
		return r;

	/* 7. Boot files. */
	if ((v = get(j, "boot.kernel")) != NULL) {
		if ((r = check_file(j, "boot.kernel", v, false, &st)) < 0)
			return r;
		snprintf(j->kernel, sizeof(j->kernel), "%s", v);
	}
	if ((v = get(j, "boot.initrd")) != NULL) {
		if ((r = check_file(j, "boot.initrd", v, false, &st)) < 0)
			return r;
		snprintf(j->initrd, sizeof(j->initrd), "%s", v);
	}

	/* 8. Serial ports: in the box only the console pty pair (bhyve's
	 * nmdm) or our stdio; a host path would be unreachable anyway. */
	for (int n = 1; n <= 4; n++) {
		char k[32];
		snprintf(k, sizeof(k), "lpc.com%d.path", n);
		if ((v = get(j, k)) == NULL)
			continue;
		if (strcmp(v, "stdio") == 0) {
			j->stdio_serial = true;
			continue;
		}
		if (strcmp(v, "console") != 0)
			return jail_err(j, -EINVAL, "%s: %s: \"%s\": in the "
			    "jail a serial port is \"console\" (the pty pair "
			    "published as %s/%s/console) or \"stdio\"",
			    origin_of(j, k), k, v, j->run_base, j->name);
		if (j->console)
			return jail_err(j, -EINVAL, "%s: %s: only one serial "
			    "port can be the console (%s is)",
			    origin_of(j, k), k, j->console_key);
		j->console = true;
		snprintf(j->console_key, sizeof(j->console_key), "%s", k);
	}

	/* 9. Devices: disks and taps. */
	struct devscan ds = { .j = j };
	cfg_foreach(j->cfg, "pci.", scan_device, &ds);
	if (ds.r < 0)
		return ds.r;

	/* 10. What to exec: hyve from next to hyve-jail, or (test build
	 * only: the production binary has no code for it) the probe the
	 * profile names. */
	j->exec_path[0] = j->exec_args[0] = '\0';
#ifdef JAIL_TEST_PROBE
	if ((v = get(j, "jail.exec")) != NULL) {
		snprintf(j->exec_path, sizeof(j->exec_path), "%s", v);
		if ((v = get(j, "jail.exec_args")) != NULL)
			snprintf(j->exec_args, sizeof(j->exec_args), "%s", v);
	}
#endif
	if (j->exec_path[0] == '\0') {
		char dir[PATH_MAX];
		r = procfs_self_exe_dir(dir, sizeof(dir));
		if (r < 0)
			return jail_err(j, r, "/proc/self/exe: %s",
			    strerror(-r));
		if (snprintf(j->exec_path, sizeof(j->exec_path), "%s/hyve",
		    dir) >= (int)sizeof(j->exec_path))
			return jail_err(j, -ENAMETOOLONG, "%s/hyve: path too "
			    "long", dir);
	}
	j->kvm_optional = TEST_BUILD;
	return 0;
}

int
jail_profile_run(struct jail *j)
{
	int r = jail_profile_load(j);

	return r < 0 ? r : jail_profile_apply(j);
}

void
jail_profile_plan(struct jail *j)
{
	jail_plan(j, "  profile %s: owned by root, not group/world writable, "
	    "valid", j->profile);
	jail_plan(j, "  vm %s, uid %u%s, gid %u", j->name, (unsigned)j->uid,
	    j->uid_auto ? " (auto: first free in range, taken under the run "
	    "lock)" : "", (unsigned)j->gid);
	for (int i = 0; i < j->ndisks; i++)
		jail_plan(j, "  disk %s %s (%s, %s)", j->disks[i].key,
		    j->disks[i].path, j->disks[i].blk ? "block device" :
		    "regular file", j->disks[i].ro ? "ro" : "rw");
	for (int i = 0; i < j->ntaps; i++)
		jail_plan(j, "  tap %s %s (prefix %s)", j->taps[i].key,
		    j->taps[i].name, j->tap_prefix);
	if (j->stale_pid != 0)
		jail_plan(j, "  %s/%s is stale (its hyve-jail, pid %ld, is gone): "
		    "the rundir step removes it and its cgroup", j->run_base,
		    j->name, j->stale_pid);
	jail_plan(j, "  exec %s%s%s", j->exec_path,
	    j->exec_args[0] != '\0' ? " " : "", j->exec_args);
}
