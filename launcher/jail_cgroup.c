/*
 * jail_cgroup: one cgroup per VM, with the profile's limits and a device
 * allowlist.
 *
 * cgroup v2 (controllers on the unified hierarchy, as in the lab): a leaf
 * /sys/fs/cgroup/PARENT/NAME with cpu.max, cpu.weight, memory.max,
 * memory.swap.max, pids.max, io.max and cpuset.*, and a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to it.
 *
 * cgroup v1 (controllers on v1 hierarchies, as on the build machines): the
 * same limits through cpu, memory, pids, cpuset and blkio files and the
 * devices controller's devices.deny/devices.allow.  If a cgroup2 hierarchy
 * is mounted beside them (/sys/fs/cgroup/unified), the VM also gets a leaf
 * there with the same BPF device program: the kernel runs both checks.
 *
 * Must never: remove a directory it did not make, or leave the leaf
 * without its device filter.
 */
#define _GNU_SOURCE
#include "jail_cgroup.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "jail.h"

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_UNIFIED	"/sys/fs/cgroup/unified"

enum { V1_CPU, V1_MEMORY, V1_PIDS, V1_DEVICES, V1_CPUSET, V1_BLKIO };
static const char *const v1_ctrl[JAIL_CG_V1_CTRLS] = {
	"cpu", "memory", "pids", "devices", "cpuset", "blkio",
};

/* One file write, computed once and used by both run and plan. */
struct cg_write {
	int ctrl;			/* v1: index into v1_ctrl; v2: -1 */
	char file[64];
	char val[160];
};
#define MAX_WRITES	(24 + 4 * JAIL_MAX_DISKS + JAIL_MAX_DEVS)

/* ------------------------------------------------------------------ BPF */

static struct bpf_insn
insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i;

	memset(&i, 0, sizeof(i));
	i.code = code;
	i.dst_reg = dst & 0xf;
	i.src_reg = src & 0xf;
	i.off = off;
	i.imm = imm;
	return i;
}

#define LDX_W(d, s, o)	insn(BPF_LDX | BPF_W | BPF_MEM, d, s, o, 0)
#define MOV_X(d, s)	insn(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_K(d, k)	insn(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, k)
#define AND_K(d, k)	insn(BPF_ALU64 | BPF_AND | BPF_K, d, 0, 0, k)
#define RSH_K(d, k)	insn(BPF_ALU64 | BPF_RSH | BPF_K, d, 0, 0, k)
#define JNE_K(d, k, o)	insn(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, k)
#define EXIT()		insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static unsigned int
bpf_access(unsigned int a)
{
	return ((a & JAIL_DEV_READ) ? BPF_DEVCG_ACC_READ : 0) |
	    ((a & JAIL_DEV_WRITE) ? BPF_DEVCG_ACC_WRITE : 0) |
	    ((a & JAIL_DEV_MKNOD) ? BPF_DEVCG_ACC_MKNOD : 0);
}

int
jail_cgroup_bpf_build(const struct jail_dev *devs, int ndevs,
    struct bpf_insn *p, size_t max)
{
	enum { PER_RULE = 8 };
	size_t n = 0;

	if (max < 7 + (size_t)ndevs * PER_RULE)
		return -E2BIG;
	/* ctx: access_type = (access << 16) | type, major, minor. */
	p[n++] = LDX_W(BPF_REG_2, BPF_REG_1, 0);
	p[n++] = MOV_X(BPF_REG_3, BPF_REG_2);
	p[n++] = AND_K(BPF_REG_3, 0xffff);		/* r3 = type */
	p[n++] = RSH_K(BPF_REG_2, 16);			/* r2 = access */
	p[n++] = LDX_W(BPF_REG_4, BPF_REG_1, 4);	/* r4 = major */
	p[n++] = LDX_W(BPF_REG_5, BPF_REG_1, 8);	/* r5 = minor */
	for (int i = 0; i < ndevs; i++) {
		const struct jail_dev *d = &devs[i];
		int32_t type = d->type == 'b' ? BPF_DEVCG_DEV_BLOCK :
		    BPF_DEVCG_DEV_CHAR;
		int32_t deny = (int32_t)(~bpf_access(d->access) & 7u);
		/* Each jump skips to the next rule: PER_RULE - (k + 1). */
		p[n++] = JNE_K(BPF_REG_3, type, PER_RULE - 1);
		p[n++] = JNE_K(BPF_REG_4, (int32_t)d->major, PER_RULE - 2);
		p[n++] = JNE_K(BPF_REG_5, (int32_t)d->minor, PER_RULE - 3);
		p[n++] = MOV_X(BPF_REG_6, BPF_REG_2);
		p[n++] = AND_K(BPF_REG_6, deny);	/* asked for more? */
		p[n++] = JNE_K(BPF_REG_6, 0, PER_RULE - 6);
		p[n++] = MOV_K(BPF_REG_0, 1);
		p[n++] = EXIT();
	}
	p[n++] = MOV_K(BPF_REG_0, 0);			/* default: deny */
	p[n++] = EXIT();
	return (int)n;
}

static int
bpf_attach(struct jail *j, const char *dir)
{
	struct bpf_insn prog[7 + JAIL_MAX_DEVS * 8];
	char log[4096];
	int n, dfd, r;

	n = jail_cgroup_bpf_build(j->devs, j->ndevs, prog,
	    sizeof(prog) / sizeof(prog[0]));
	if (n < 0)
		return jail_err(j, n, "device filter: too many devices");
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log,
	    .log_size = sizeof(log), .log_level = 0);
	log[0] = '\0';
	j->bpf_fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, "hyve_devices",
	    "GPL", prog, (size_t)n, &opts);
	if (j->bpf_fd < 0)
		return jail_err(j, -errno, "device filter: BPF load: %m %s",
		    log);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return jail_err(j, -errno, "%s: %m", dir);
	/* No BPF_F_ALLOW_OVERRIDE/MULTI: nothing below the leaf may widen
	 * the list.  The attachment holds the program; our fd can go. */
	r = bpf_prog_attach(j->bpf_fd, dfd, BPF_CGROUP_DEVICE, 0);
	r = r < 0 ? -errno : 0;
	close(dfd);
	close(j->bpf_fd);
	j->bpf_fd = -1;
	if (r < 0)
		return jail_err(j, r, "%s: attach device filter: %s", dir,
		    strerror(-r));
	return 0;
}

/* ------------------------------------------------------------ the layout */

static bool
is_fs(const char *path, long magic)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && (long)sf.f_type == magic;
}

static enum jail_cg_mode
detect(bool *unified)
{
	*unified = false;
	if (is_fs(CG_ROOT, CGROUP2_SUPER_MAGIC))
		return JAIL_CG_V2;
	*unified = is_fs(CG_UNIFIED, CGROUP2_SUPER_MAGIC);
	return JAIL_CG_V1;
}

unsigned long
jail_cgroup_weight_to_shares(unsigned long weight)
{
	/* v2 weight 100 is v1 shares 1024 (both the default). */
	unsigned long s = weight * 1024 / 100;

	return s < 2 ? 2 : s;
}

static int
add_write(struct cg_write *w, int *n, int ctrl, const char *file,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
add_write(struct cg_write *w, int *n, int ctrl, const char *file,
    const char *fmt, ...)
{
	va_list ap;

	if (*n >= MAX_WRITES)
		return -E2BIG;
	w[*n].ctrl = ctrl;
	snprintf(w[*n].file, sizeof(w[*n].file), "%s", file);
	va_start(ap, fmt);
	vsnprintf(w[*n].val, sizeof(w[*n].val), fmt, ap);
	va_end(ap);
	(*n)++;
	return 0;
}

static uint64_t
size_of(const char *v)
{
	uint64_t s = 0;

	(void)cfg_parse_size(v, false, &s);
	return s;
}

/* "max" stays, a size becomes bytes. */
static const char *
size_str(const char *v, char *buf, size_t len)
{
	if (strcmp(v, "max") == 0)
		return v;
	snprintf(buf, len, "%" PRIu64, size_of(v));
	return buf;
}

/*
 * jail.cgroup.io.max is cgroup v2's syntax, "MAJ:MIN rbps=N wbps=N riops=N
 * wiops=N" entries separated by ';' (cfg_validate checked it).  v2 takes
 * each entry as it is; v1 has one blkio.throttle file per key.
 */
static const char *
v1_io_file(const char *k)
{
	return strcmp(k, "rbps") == 0 ? "blkio.throttle.read_bps_device" :
	    strcmp(k, "wbps") == 0 ? "blkio.throttle.write_bps_device" :
	    strcmp(k, "riops") == 0 ? "blkio.throttle.read_iops_device" :
	    "blkio.throttle.write_iops_device";
}

static int
io_writes(const char *v, bool v2, struct cg_write *w, int *nw)
{
	char buf[512], *save = NULL;
	int r = 0;

	snprintf(buf, sizeof(buf), "%s", v);
	for (char *e = strtok_r(buf, ";", &save); e != NULL;
	    e = strtok_r(NULL, ";", &save)) {
		char *save2 = NULL, *dev;
		while (*e == ' ')
			e++;
		if (*e == '\0')
			continue;
		if (v2) {
			r |= add_write(w, nw, -1, "io.max", "%s", e);
			continue;
		}
		dev = strtok_r(e, " ", &save2);
		for (char *t = strtok_r(NULL, " ", &save2); t != NULL;
		    t = strtok_r(NULL, " ", &save2)) {
			char *eq = strchr(t, '=');
			if (eq == NULL)
				continue;
			*eq = '\0';
			/* v1: 0 removes a limit, as max does in v2. */
			r |= add_write(w, nw, V1_BLKIO, v1_io_file(t), "%s %s",
			    dev, strcmp(eq + 1, "max") == 0 ? "0" : eq + 1);
		}
	}
	return r;
}

static int
build_writes(struct jail *j, struct cg_write *w, int *nw)
{
	const char *v;
	char num[32];
	int r = 0;
	bool v2 = j->cg_mode == JAIL_CG_V2;

	*nw = 0;
	if (v2) {
		if ((v = cfg_get(j->cfg, "jail.cgroup.cpuset.cpus")) != NULL)
			r |= add_write(w, nw, -1, "cpuset.cpus", "%s", v);
		if ((v = cfg_get(j->cfg, "jail.cgroup.cpuset.mems")) != NULL)
			r |= add_write(w, nw, -1, "cpuset.mems", "%s", v);
		if ((v = cfg_get(j->cfg, "jail.cgroup.cpu.max")) != NULL)
			r |= add_write(w, nw, -1, "cpu.max", "%s", v);
		if ((v = cfg_get(j->cfg, "jail.cgroup.cpu.weight")) != NULL)
			r |= add_write(w, nw, -1, "cpu.weight", "%s", v);
		if ((v = cfg_get(j->cfg, "jail.cgroup.memory.max")) != NULL)
			r |= add_write(w, nw, -1, "memory.max", "%s",
			    size_str(v, num, sizeof(num)));
		if ((v = cfg_get(j->cfg, "jail.cgroup.memory.swap.max")) !=
		    NULL)
			r |= add_write(w, nw, -1, "memory.swap.max", "%s",
			    size_str(v, num, sizeof(num)));
		if ((v = cfg_get(j->cfg, "jail.cgroup.pids.max")) != NULL)
			r |= add_write(w, nw, -1, "pids.max", "%s", v);
		if ((v = cfg_get(j->cfg, "jail.cgroup.io.max")) != NULL)
			r |= io_writes(v, true, w, nw);
		return r ? -E2BIG : 0;
	}

	/* cgroup v1: cpuset first, a v1 cpuset with no cpus takes no
	 * tasks; the parent's values when the profile says nothing. */
	v = cfg_get(j->cfg, "jail.cgroup.cpuset.cpus");
	r |= add_write(w, nw, V1_CPUSET, "cpuset.cpus", "%s", v ? v : "");
	v = cfg_get(j->cfg, "jail.cgroup.cpuset.mems");
	r |= add_write(w, nw, V1_CPUSET, "cpuset.mems", "%s", v ? v : "");
	if ((v = cfg_get(j->cfg, "jail.cgroup.cpu.max")) != NULL) {
		char q[32] = "";
		const char *sp = strchr(v, ' ');
		snprintf(q, sizeof(q), "%.*s", (int)(sp ? (size_t)(sp - v) :
		    strlen(v)), v);
		r |= add_write(w, nw, V1_CPU, "cpu.cfs_period_us", "%s",
		    sp ? sp + 1 : "100000");
		r |= add_write(w, nw, V1_CPU, "cpu.cfs_quota_us", "%s",
		    strcmp(q, "max") == 0 ? "-1" : q);
	}
	if ((v = cfg_get(j->cfg, "jail.cgroup.cpu.weight")) != NULL)
		r |= add_write(w, nw, V1_CPU, "cpu.shares", "%lu",
		    jail_cgroup_weight_to_shares(strtoul(v, NULL, 10)));
	const char *mem = cfg_get(j->cfg, "jail.cgroup.memory.max");
	if (mem != NULL)
		r |= add_write(w, nw, V1_MEMORY, "memory.limit_in_bytes", "%s",
		    strcmp(mem, "max") == 0 ? "-1" :
		    size_str(mem, num, sizeof(num)));
	if ((v = cfg_get(j->cfg, "jail.cgroup.memory.swap.max")) != NULL) {
		/* v1 limits memory+swap together. */
		if (strcmp(v, "max") == 0)
			r |= add_write(w, nw, V1_MEMORY,
			    "memory.memsw.limit_in_bytes", "-1");
		else if (mem == NULL || strcmp(mem, "max") == 0)
			return jail_err(j, -EINVAL, "jail.cgroup.memory."
			    "swap.max: on cgroup v1 it needs a "
			    "jail.cgroup.memory.max");
		else
			r |= add_write(w, nw, V1_MEMORY,
			    "memory.memsw.limit_in_bytes", "%" PRIu64,
			    size_of(mem) + size_of(v));
	}
	if ((v = cfg_get(j->cfg, "jail.cgroup.pids.max")) != NULL)
		r |= add_write(w, nw, V1_PIDS, "pids.max", "%s", v);
	if ((v = cfg_get(j->cfg, "jail.cgroup.io.max")) != NULL)
		r |= io_writes(v, false, w, nw);
	/* Devices: deny everything, then allow the VM's list. */
	r |= add_write(w, nw, V1_DEVICES, "devices.deny", "a");
	for (int i = 0; i < j->ndevs; i++) {
		const struct jail_dev *d = &j->devs[i];
		r |= add_write(w, nw, V1_DEVICES, "devices.allow",
		    "%c %u:%u %s%s%s", d->type, d->major, d->minor,
		    (d->access & JAIL_DEV_READ) ? "r" : "",
		    (d->access & JAIL_DEV_WRITE) ? "w" : "",
		    (d->access & JAIL_DEV_MKNOD) ? "m" : "");
	}
	return r ? -E2BIG : 0;
}

/* ------------------------------------------------------------------ make */

static int
read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (f == NULL)
		return -errno;
	if (fgets(buf, (int)len, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* v1 cpuset: a new directory starts with no cpus and mems; inherit. */
static void
cpuset_inherit(const char *dir)
{
	static const char *const f[] = { "cpuset.cpus", "cpuset.mems" };
	char p[PATH_MAX + 32], up[PATH_MAX + 32], val[256];

	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, f[i]);
		if (read_line(p, val, sizeof(val)) == 0 && val[0] != '\0')
			continue;
		snprintf(up, sizeof(up), "%s/../%s", dir, f[i]);
		if (read_line(up, val, sizeof(val)) == 0 && val[0] != '\0')
			(void)jail_write_file(AT_FDCWD, p, val);
	}
}

/* mkdir -p of root/parent; the parent directories are shared by every VM
 * and are left in place. */
static int
make_parents(struct jail *j, const char *root, bool v1_cpuset)
{
	char p[PATH_MAX], buf[256], *save = NULL;

	snprintf(p, sizeof(p), "%s", root);
	snprintf(buf, sizeof(buf), "%s", j->cg_parent);
	for (char *t = strtok_r(buf, "/", &save); t != NULL;
	    t = strtok_r(NULL, "/", &save)) {
		size_t l = strlen(p);
		snprintf(p + l, sizeof(p) - l, "/%s", t);
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return jail_err(j, -errno, "%s: %m", p);
		if (v1_cpuset)
			cpuset_inherit(p);
	}
	return 0;
}

/* v2: controllers must be enabled in every ancestor's subtree_control. */
static int
enable_v2_controllers(struct jail *j, const char *root)
{
	static const char *const want[] = { "cpu", "cpuset", "io", "memory",
	    "pids" };
	char p[PATH_MAX], avail[512], f[PATH_MAX + 32], buf[256];
	char *save = NULL, *t = NULL;

	snprintf(p, sizeof(p), "%s", root);
	snprintf(buf, sizeof(buf), "%s", j->cg_parent);
	t = strtok_r(buf, "/", &save);
	for (;;) {
		snprintf(f, sizeof(f), "%s/cgroup.controllers", p);
		read_line(f, avail, sizeof(avail));
		snprintf(f, sizeof(f), "%s/cgroup.subtree_control", p);
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			char tok[32], padded[520];
			snprintf(padded, sizeof(padded), " %s ", avail);
			snprintf(tok, sizeof(tok), " %s ", want[i]);
			if (strstr(padded, tok) == NULL)
				continue;
			snprintf(tok, sizeof(tok), "+%s", want[i]);
			int r = jail_write_file(AT_FDCWD, f, tok);
			if (r < 0 && r != -EBUSY)
				return jail_err(j, r, "%s: %s: %s", f, tok,
				    strerror(-r));
		}
		if (t == NULL)
			break;
		size_t l = strlen(p);
		snprintf(p + l, sizeof(p) - l, "/%s", t);
		t = strtok_r(NULL, "/", &save);
	}
	return 0;
}

static int
make_leaf(struct jail *j, struct jail_cgdir *d, const char *root)
{
	char f[PATH_MAX + 32];

	snprintf(d->path, sizeof(d->path), "%s/%s/%s", root, j->cg_parent,
	    j->name);
	if (mkdir(d->path, 0755) < 0)
		return jail_err(j, -errno, "%s: %m%s", d->path,
		    errno == EEXIST ? " (left over from a VM that was "
		    "killed? remove it with rmdir)" : "");
	d->made = true;
	snprintf(f, sizeof(f), "%s/cgroup.procs", d->path);
	d->procs_fd = open(f, O_WRONLY | O_CLOEXEC);
	if (d->procs_fd < 0)
		return jail_err(j, -errno, "%s: %m", f);
	return 0;
}

static int
do_writes(struct jail *j, const struct cg_write *w, int nw)
{
	char f[PATH_MAX + 96];

	for (int i = 0; i < nw; i++) {
		const struct jail_cgdir *d = w[i].ctrl < 0 ? &j->cg_v2 :
		    &j->cg_v1[w[i].ctrl];
		if (w[i].val[0] == '\0')
			continue;
		snprintf(f, sizeof(f), "%s/%s", d->path, w[i].file);
		int r = jail_write_file(AT_FDCWD, f, w[i].val);
		if (r < 0)
			return jail_err(j, r, "%s = %s: %s", f, w[i].val,
			    strerror(-r));
	}
	return 0;
}

int
jail_cgroup_make(struct jail *j)
{
	struct cg_write w[MAX_WRITES];
	bool unified;
	int nw, r;

	j->cg_mode = detect(&unified);
	if ((r = build_writes(j, w, &nw)) < 0)
		return r == -E2BIG && j->err[0] == '\0' ?
		    jail_err(j, r, "too many cgroup settings") : r;

	if (j->cg_mode == JAIL_CG_V2) {
		if ((r = make_parents(j, CG_ROOT, false)) < 0 ||
		    (r = enable_v2_controllers(j, CG_ROOT)) < 0 ||
		    (r = make_leaf(j, &j->cg_v2, CG_ROOT)) < 0 ||
		    (r = do_writes(j, w, nw)) < 0)
			return r;
		/* The filter last, once the leaf has every limit: the box
		 * only joins after this step returns. */
		return bpf_attach(j, j->cg_v2.path);
	}

	/* v1: one leaf per hierarchy that has something to enforce. */
	bool need[JAIL_CG_V1_CTRLS] = { false };
	need[V1_DEVICES] = need[V1_CPUSET] = need[V1_PIDS] = true;
	need[V1_MEMORY] = true;
	for (int i = 0; i < nw; i++)
		need[w[i].ctrl] = true;
	for (int c = 0; c < JAIL_CG_V1_CTRLS; c++) {
		char root[64];
		if (!need[c])
			continue;
		snprintf(root, sizeof(root), "%s/%s", CG_ROOT, v1_ctrl[c]);
		if (!is_fs(root, CGROUP_SUPER_MAGIC))
			return jail_err(j, -ENOENT, "cgroup v1 %s controller "
			    "not mounted at %s", v1_ctrl[c], root);
		if ((r = make_parents(j, root, c == V1_CPUSET)) < 0 ||
		    (r = make_leaf(j, &j->cg_v1[c], root)) < 0)
			return r;
		if (c == V1_CPUSET)
			cpuset_inherit(j->cg_v1[c].path);
	}
	if ((r = do_writes(j, w, nw)) < 0)
		return r;
	/* A cgroup2 hierarchy beside v1 carries no controllers here but
	 * still runs device programs: a second, independent filter. */
	if (unified) {
		if ((r = make_parents(j, CG_UNIFIED, false)) < 0 ||
		    (r = make_leaf(j, &j->cg_v2, CG_UNIFIED)) < 0 ||
		    (r = bpf_attach(j, j->cg_v2.path)) < 0)
			return r;
	}
	return 0;
}

int
jail_cgroup_join(struct jail *j)
{
	struct jail_cgdir *all[1 + JAIL_CG_V1_CTRLS];
	int n = 0;

	all[n++] = &j->cg_v2;
	for (int c = 0; c < JAIL_CG_V1_CTRLS; c++)
		all[n++] = &j->cg_v1[c];
	for (int i = 0; i < n; i++) {
		if (all[i]->procs_fd < 0)
			continue;
		/* "0" is the writer itself, whatever its pid is in the
		 * namespace it already lives in. */
		if (write(all[i]->procs_fd, "0", 1) != 1)
			return jail_err(j, -errno, "join %s: %m",
			    all[i]->path);
	}
	return 0;
}

/* ---------------------------------------------------------------- undo */

static void
kill_members(const char *dir)
{
	char f[PATH_MAX + 32];
	FILE *fp;
	long pid;

	/* v2 has cgroup.kill; v1 needs a walk of cgroup.procs. */
	snprintf(f, sizeof(f), "%s/cgroup.kill", dir);
	if (jail_write_file(AT_FDCWD, f, "1") == 0)
		return;
	snprintf(f, sizeof(f), "%s/cgroup.procs", dir);
	if ((fp = fopen(f, "re")) == NULL)
		return;
	while (fscanf(fp, "%ld", &pid) == 1)
		if (pid > 1)
			kill((pid_t)pid, SIGKILL);
	fclose(fp);
}

static void
remove_leaf(struct jail_cgdir *d)
{
	if (d->procs_fd >= 0)
		close(d->procs_fd);
	d->procs_fd = -1;
	if (!d->made)
		return;
	/* The box is dead by now; a leftover process (or a v1 memcg still
	 * draining) makes rmdir EBUSY for a moment: kill and retry. */
	for (int i = 0; i < 200; i++) {
		if (rmdir(d->path) == 0 || errno == ENOENT)
			break;
		if (errno == EBUSY)
			kill_members(d->path);
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	d->made = false;
}

void
jail_cgroup_remove_stale(struct jail *j)
{
	struct jail_cgdir d = { .procs_fd = -1, .made = true };

	/* Every place a leaf of this VM can be, whatever the host's layout
	 * was when it was made. */
	snprintf(d.path, sizeof(d.path), "%s/%s/%s", CG_ROOT, j->cg_parent,
	    j->name);
	remove_leaf(&d);
	d.made = true;
	snprintf(d.path, sizeof(d.path), "%s/%s/%s", CG_UNIFIED, j->cg_parent,
	    j->name);
	remove_leaf(&d);
	for (int c = 0; c < JAIL_CG_V1_CTRLS; c++) {
		d.made = true;
		snprintf(d.path, sizeof(d.path), "%s/%s/%s/%s", CG_ROOT,
		    v1_ctrl[c], j->cg_parent, j->name);
		remove_leaf(&d);
	}
}

void
jail_cgroup_undo(struct jail *j)
{
	remove_leaf(&j->cg_v2);
	for (int c = 0; c < JAIL_CG_V1_CTRLS; c++)
		remove_leaf(&j->cg_v1[c]);
	if (j->bpf_fd >= 0)
		close(j->bpf_fd);
	j->bpf_fd = -1;
}

/* ---------------------------------------------------------------- plan */

void
jail_cgroup_plan(struct jail *j)
{
	struct cg_write w[MAX_WRITES];
	bool unified;
	int nw;

	j->cg_mode = detect(&unified);
	if (build_writes(j, w, &nw) < 0) {
		jail_plan(j, "  (refused: %s)", j->err);
		return;
	}
	if (j->cg_mode == JAIL_CG_V2)
		jail_plan(j, "  cgroup v2: mkdir %s/%s/%s (enable cpu cpuset "
		    "io memory pids in the ancestors' subtree_control)",
		    CG_ROOT, j->cg_parent, j->name);
	else
		jail_plan(j, "  cgroup v1: mkdir %s/{cpu,memory,pids,devices,"
		    "cpuset,blkio}/%s/%s", CG_ROOT, j->cg_parent, j->name);
	for (int i = 0; i < nw; i++)
		jail_plan(j, "  write %s/%s%s%s/%s/%s = %s", CG_ROOT,
		    w[i].ctrl < 0 ? "" : v1_ctrl[w[i].ctrl],
		    w[i].ctrl < 0 ? "" : "/", j->cg_parent, j->name,
		    w[i].file, w[i].val[0] != '\0' ? w[i].val :
		    "(the parent's)");
	if (j->cg_mode == JAIL_CG_V2 || unified) {
		jail_plan(j, "  BPF_PROG_TYPE_CGROUP_DEVICE on %s/%s/%s, "
		    "allow only:", j->cg_mode == JAIL_CG_V2 ? CG_ROOT :
		    CG_UNIFIED, j->cg_parent, j->name);
		for (int i = 0; i < j->ndevs; i++)
			jail_plan(j, "    %c %u:%u %s%s%s (%s)",
			    j->devs[i].type, j->devs[i].major,
			    j->devs[i].minor,
			    (j->devs[i].access & JAIL_DEV_READ) ? "r" : "",
			    (j->devs[i].access & JAIL_DEV_WRITE) ? "w" : "",
			    (j->devs[i].access & JAIL_DEV_MKNOD) ? "m" : "",
			    j->devs[i].why);
	}
	if (j->console)
		jail_plan(j, "    c 136:N rw (the console pty slave, known once "
		    "opened)");
}
