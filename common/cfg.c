/*
 * cfg: the one configuration key tree (bhyve_config(5) style) and its schema.
 *
 * A sorted array of (key, value, origin) entries: small (tens of keys), so a
 * binary search and memmove are simpler and faster than a real tree, and
 * cfg_foreach walks keys in sorted order for free.
 *
 * The schema (cfg_validate) is the one place that knows which keys exist and
 * what their values look like; hyve, hyve-jail and the man page hyve.conf(5)
 * follow it.  Every message is "<origin>: <key>: <reason>".
 *
 * It parses operator input only (never guest data) and must never exit or
 * print: errors go back as -errno with a message in the caller's buffer.
 */
#include "cfg.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CFG_KEY_MAX	255
#define CFG_VALUE_MAX	4095
#define CFG_LINE_MAX	4096
#define CFG_FILE_MAX	(1 << 20)
#define CFG_ENTRIES_MAX	4096	/* a profile is tens of keys; cap the rest */

struct cfg_entry {
	char *key;
	char *value;
	char *origin;
	unsigned load_id;	/* which cfg_load_* set it (0 = cfg_set) */
};

struct cfg {
	struct cfg_entry *e;
	size_t n, cap;
	unsigned load_seq;
};

static void __attribute__((format(printf, 3, 4)))
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

struct cfg *
cfg_new(void)
{
	return calloc(1, sizeof(struct cfg));
}

void
cfg_free(struct cfg *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].key);
		free(c->e[i].value);
		free(c->e[i].origin);
	}
	free(c->e);
	free(c);
}

/* Index of key, or of where it would be inserted (*found = false). */
static size_t
cfg_find(const struct cfg *c, const char *key, bool *found)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(c->e[mid].key, key);

		if (r == 0) {
			*found = true;
			return mid;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static const struct cfg_entry *
cfg_entry(const struct cfg *c, const char *key)
{
	bool found;
	size_t i;

	if (c == NULL || key == NULL)
		return NULL;
	i = cfg_find(c, key, &found);
	return found ? &c->e[i] : NULL;
}

const char *
cfg_get(const struct cfg *c, const char *key)
{
	const struct cfg_entry *e = cfg_entry(c, key);

	return e ? e->value : NULL;
}

const char *
cfg_origin(const struct cfg *c, const char *key)
{
	const struct cfg_entry *e = cfg_entry(c, key);

	return e ? e->origin : NULL;
}

int
cfg_unset(struct cfg *c, const char *key)
{
	bool found;
	size_t i;

	if (c == NULL || key == NULL)
		return -EINVAL;
	i = cfg_find(c, key, &found);
	if (!found)
		return -ENOENT;
	free(c->e[i].key);
	free(c->e[i].value);
	free(c->e[i].origin);
	memmove(&c->e[i], &c->e[i + 1], (c->n - i - 1) * sizeof(c->e[0]));
	c->n--;
	return 0;
}

/* Dotted components of [A-Za-z0-9_-], none empty. */
static bool
cfg_key_ok(const char *key)
{
	size_t len = strlen(key), comp = 0;

	if (len == 0 || len > CFG_KEY_MAX)
		return false;
	for (const char *p = key; *p; p++) {
		if (*p == '.') {
			if (comp == 0)
				return false;
			comp = 0;
		} else if (isalnum((unsigned char)*p) || *p == '_' ||
		    *p == '-') {
			comp++;
		} else {
			return false;
		}
	}
	return comp > 0;
}

static bool
cfg_is_device_key(const char *key)
{
	const char *rest;
	unsigned b, s, f;

	return cfg_pci_split(key, &b, &s, &f, &rest) == 0 &&
	    strcmp(rest, "device") == 0;
}

static int
cfg_set_id(struct cfg *c, const char *key, const char *value,
    const char *origin, unsigned load_id, char *err, size_t errlen)
{
	struct cfg_entry *e;
	char *k, *v, *o;
	bool found;
	size_t i;

	if (origin == NULL)
		origin = "?";
	if (c == NULL || key == NULL || value == NULL) {
		errf(err, errlen, "%s: missing key or value", origin);
		return -EINVAL;
	}
	if (!cfg_key_ok(key)) {
		errf(err, errlen, "%s: \"%.64s\": not a valid key (dotted "
		    "names of letters, digits, '_' and '-')", origin, key);
		return -EINVAL;
	}
	if (strlen(value) > CFG_VALUE_MAX) {
		errf(err, errlen, "%s: %s: value longer than %d bytes",
		    origin, key, CFG_VALUE_MAX);
		return -EINVAL;
	}
	for (const char *p = value; *p; p++) {
		if (*p == '\n' || *p == '\r') {
			errf(err, errlen, "%s: %s: value contains a line break",
			    origin, key);
			return -EINVAL;
		}
	}
	i = cfg_find(c, key, &found);
	if (found) {
		e = &c->e[i];
		if (load_id != 0 && e->load_id == load_id) {
			errf(err, errlen, "%s: %s: set twice in one file "
			    "(first at %s)", origin, key, e->origin);
			return -EEXIST;
		}
		if (cfg_is_device_key(key)) {
			unsigned b, s, f;
			const char *rest;

			cfg_pci_split(key, &b, &s, &f, &rest);
			errf(err, errlen, "%s: %s: pci slot %u:%u:%u already "
			    "holds %s (from %s)", origin, key, b, s, f,
			    e->value, e->origin);
			return -EEXIST;
		}
	} else if (c->n >= CFG_ENTRIES_MAX) {
		errf(err, errlen, "%s: %s: more than %d keys", origin, key,
		    CFG_ENTRIES_MAX);
		return -E2BIG;
	}
	v = strdup(value);
	o = strdup(origin);
	k = found ? NULL : strdup(key);
	if (v == NULL || o == NULL || (!found && k == NULL)) {
		free(v);
		free(o);
		free(k);
		errf(err, errlen, "%s: %s: out of memory", origin, key);
		return -ENOMEM;
	}
	if (found) {
		e = &c->e[i];
		free(e->value);
		free(e->origin);
		e->value = v;
		e->origin = o;
		e->load_id = load_id;
		return 0;
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 32;
		struct cfg_entry *ne = reallocarray(c->e, ncap, sizeof(*ne));

		if (ne == NULL) {
			free(v);
			free(o);
			free(k);
			errf(err, errlen, "%s: %s: out of memory", origin, key);
			return -ENOMEM;
		}
		c->e = ne;
		c->cap = ncap;
	}
	memmove(&c->e[i + 1], &c->e[i], (c->n - i) * sizeof(c->e[0]));
	c->e[i] = (struct cfg_entry){ k, v, o, load_id };
	c->n++;
	return 0;
}

int
cfg_set(struct cfg *c, const char *key, const char *value, const char *origin,
    char *err, size_t errlen)
{
	return cfg_set_id(c, key, value, origin, 0, err, errlen);
}

int
cfg_set_kv(struct cfg *c, const char *kv, const char *origin, char *err,
    size_t errlen)
{
	const char *eq;
	char key[CFG_KEY_MAX + 1];
	size_t klen;

	if (origin == NULL)
		origin = "-o";
	if (kv == NULL || (eq = strchr(kv, '=')) == NULL) {
		errf(err, errlen, "%s: \"%.64s\": expected key=value", origin,
		    kv ? kv : "");
		return -EINVAL;
	}
	klen = (size_t)(eq - kv);
	if (klen == 0 || klen > CFG_KEY_MAX) {
		errf(err, errlen, "%s: \"%.64s\": expected key=value", origin,
		    kv);
		return -EINVAL;
	}
	memcpy(key, kv, klen);
	key[klen] = '\0';
	return cfg_set_id(c, key, eq + 1, origin, 0, err, errlen);
}

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/*
 * One line: blank, "# comment", or "key = value [# comment]".  A comment
 * starts at a '#' that begins the line or follows blank space, so values
 * such as "tap#1" survive; a value that needs " #" is written in double
 * quotes ("..." with \" and \\ escapes).
 */
static int
cfg_parse_line(struct cfg *c, char *line, const char *origin, unsigned id,
    char *err, size_t errlen)
{
	char *eq, *key, *val, *p;

	line = trim(line);
	if (*line == '\0' || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (eq == NULL) {
		errf(err, errlen, "%s: \"%.64s\": expected key=value", origin,
		    line);
		return -EINVAL;
	}
	*eq = '\0';
	key = trim(line);
	val = eq + 1;
	while (*val == ' ' || *val == '\t')
		val++;
	if (*key == '\0') {
		errf(err, errlen, "%s: missing key before '='", origin);
		return -EINVAL;
	}
	if (*val == '"') {
		char *r = val + 1, *w = val;

		for (;;) {
			if (*r == '\0') {
				errf(err, errlen, "%s: %s: unterminated quote",
				    origin, key);
				return -EINVAL;
			}
			if (*r == '"')
				break;
			if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
				r++;
			*w++ = *r++;
		}
		*w = '\0';
		r = trim(r + 1);
		if (*r != '\0' && *r != '#') {
			errf(err, errlen, "%s: %s: text after closing quote",
			    origin, key);
			return -EINVAL;
		}
	} else {
		for (p = val; *p; p++) {
			if (*p == '#' && (p == val || p[-1] == ' ' ||
			    p[-1] == '\t')) {
				*p = '\0';
				break;
			}
		}
		val = trim(val);
	}
	return cfg_set_id(c, key, val, origin, id, err, errlen);
}

int
cfg_load_buf(struct cfg *c, const char *name, const char *buf, char *err,
    size_t errlen)
{
	char line[CFG_LINE_MAX + 1], origin[PATH_MAX + 32];
	const char *p = buf;
	unsigned lineno = 0, id;
	int r;

	if (c == NULL || name == NULL || buf == NULL) {
		errf(err, errlen, "%s: no input", name ? name : "?");
		return -EINVAL;
	}
	id = ++c->load_seq;
	if (id == 0)
		id = ++c->load_seq;
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		lineno++;
		snprintf(origin, sizeof(origin), "%s:%u", name, lineno);
		if (len > CFG_LINE_MAX) {
			errf(err, errlen, "%s: line longer than %d bytes",
			    origin, CFG_LINE_MAX);
			return -EINVAL;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		r = cfg_parse_line(c, line, origin, id, err, errlen);
		if (r < 0)
			return r;
		p += len;
		if (*p == '\n')
			p++;
	}
	return 0;
}

int
cfg_load_file(struct cfg *c, const char *path, char *err, size_t errlen)
{
	char *buf;
	size_t len = 0;
	int fd, r;

	if (path == NULL) {
		errf(err, errlen, "no file name");
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		errf(err, errlen, "%s: cannot open: %s", path, strerror(-r));
		return r;
	}
	buf = malloc(CFG_FILE_MAX + 1);
	if (buf == NULL) {
		close(fd);
		errf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, CFG_FILE_MAX + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			errf(err, errlen, "%s: read: %s", path, strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CFG_FILE_MAX) {
			r = -EFBIG;
			errf(err, errlen, "%s: larger than %d bytes", path,
			    CFG_FILE_MAX);
			goto out;
		}
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL) {
		r = -EINVAL;
		errf(err, errlen, "%s: contains a NUL byte (not a text file)",
		    path);
		goto out;
	}
	r = cfg_load_buf(c, path, buf, err, errlen);
out:
	free(buf);
	close(fd);
	return r;
}

/* ------------------------------------------------------------ values */

static bool
parse_bool(const char *v, bool *out)
{
	static const char *const t[] = { "true", "on", "yes", "1" };
	static const char *const f[] = { "false", "off", "no", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, t[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(v, f[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* Decimal or 0x hex, no sign, no blanks, no overflow. */
static bool
parse_u64(const char *v, uint64_t *out)
{
	uint64_t x = 0;
	unsigned base = 10, d;
	const char *p = v;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (*p == '\0')
		return false;
	for (; *p; p++) {
		if (isdigit((unsigned char)*p))
			d = (unsigned)(*p - '0');
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
		else
			return false;
		if (x > (UINT64_MAX - d) / base)
			return false;
		x = x * base + d;
	}
	*out = x;
	return true;
}

int
cfg_parse_size(const char *s, bool mb_default, uint64_t *out)
{
	uint64_t x = 0, mul = 1;
	const char *p = s;

	if (s == NULL || !isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		if (x > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		x = x * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '\0') {
		if (mb_default && x < (1u << 20))
			mul = 1u << 20;
	} else {
		switch (toupper((unsigned char)*p)) {
		case 'K': mul = 1ULL << 10; break;
		case 'M': mul = 1ULL << 20; break;
		case 'G': mul = 1ULL << 30; break;
		case 'T': mul = 1ULL << 40; break;
		case 'B': mul = 1; p--; break;
		default: return -EINVAL;
		}
		p++;
		if (mul != 1 && (*p == 'i') && (p[1] == 'B' || p[1] == 'b'))
			p += 2;
		else if (*p == 'B' || *p == 'b')
			p++;
		if (*p != '\0')
			return -EINVAL;
	}
	if (x > UINT64_MAX / mul)
		return -ERANGE;
	*out = x * mul;
	return 0;
}

int
cfg_get_bool(const struct cfg *c, const char *key, bool def, bool *out,
    char *err, size_t errlen)
{
	const struct cfg_entry *e = cfg_entry(c, key);

	*out = def;
	if (e == NULL)
		return -ENOENT;
	if (!parse_bool(e->value, out)) {
		*out = def;
		errf(err, errlen, "%s: %s: \"%.64s\" is not a boolean (true, "
		    "false, yes, no, on, off, 1, 0)", e->origin, key,
		    e->value);
		return -EINVAL;
	}
	return 0;
}

int
cfg_get_u64(const struct cfg *c, const char *key, uint64_t def,
    uint64_t *out, char *err, size_t errlen)
{
	const struct cfg_entry *e = cfg_entry(c, key);

	*out = def;
	if (e == NULL)
		return -ENOENT;
	if (!parse_u64(e->value, out)) {
		*out = def;
		errf(err, errlen, "%s: %s: \"%.64s\" is not an unsigned "
		    "number", e->origin, key, e->value);
		return -EINVAL;
	}
	return 0;
}

int
cfg_get_size(const struct cfg *c, const char *key, bool mb_default,
    uint64_t def, uint64_t *out, char *err, size_t errlen)
{
	const struct cfg_entry *e = cfg_entry(c, key);
	int r;

	*out = def;
	if (e == NULL)
		return -ENOENT;
	r = cfg_parse_size(e->value, mb_default, out);
	if (r < 0) {
		*out = def;
		errf(err, errlen, "%s: %s: \"%.64s\" is not a size (a number "
		    "with an optional K, M, G or T suffix)", e->origin, key,
		    e->value);
		return -EINVAL;
	}
	return 0;
}

int
cfg_foreach(const struct cfg *c, const char *prefix,
    int (*fn)(const char *key, const char *value, const char *origin,
    void *arg), void *arg)
{
	size_t plen = prefix ? strlen(prefix) : 0;

	if (c == NULL)
		return 0;
	for (size_t i = 0; i < c->n; i++) {
		int r;

		if (plen && strncmp(c->e[i].key, prefix, plen) != 0)
			continue;
		r = fn(c->e[i].key, c->e[i].value, c->e[i].origin, arg);
		if (r != 0)
			return r;
	}
	return 0;
}

/* ----------------------------------------------------------- pci keys */

static const char *const keys_none[] = { NULL };
/* "sock": an already connected vhost-user socket to the device's helper,
 * passed in by hyve-jail (fd:N only); without it hyve starts the helper. */
static const char *const keys_blk[] = { "path", "ro", "nocache", "direct",
	"sectorsize", "ser", "sock", NULL };
static const char *const keys_net[] = { "backend", "mac", "mtu", "sock",
	NULL };
static const char *const keys_rnd[] = { "sock", NULL };

static const struct cfg_pci_emul pci_emuls[] = {
	{ "hostbridge", "PCI host bridge (Intel-style ids)", keys_none, NULL },
	{ "amd_hostbridge", "PCI host bridge (AMD ids)", keys_none, NULL },
	{ "lpc", "LPC/ISA bridge: COM1/COM2 (-l), RTC, power", keys_none,
	  NULL },
	{ "virtio-blk", "virtio block: path[,ro][,nocache][,direct]"
	  "[,sectorsize=L[/P]][,ser=ID]", keys_blk, "path" },
	{ "virtio-net", "virtio network: tapN|fd:N[,mac=xx:..][,mtu=N]",
	  keys_net, "backend" },
	{ "virtio-rnd", "virtio entropy source", keys_rnd, NULL },
};

const struct cfg_pci_emul *
cfg_pci_emuls(size_t *n)
{
	*n = sizeof(pci_emuls) / sizeof(pci_emuls[0]);
	return pci_emuls;
}

const struct cfg_pci_emul *
cfg_pci_emul_find(const char *name)
{
	for (size_t i = 0; i < sizeof(pci_emuls) / sizeof(pci_emuls[0]); i++)
		if (name && strcmp(pci_emuls[i].name, name) == 0)
			return &pci_emuls[i];
	return NULL;
}

/* One decimal component, no leading zero, <= max; advances *pp. */
static bool
dec_comp(const char **pp, unsigned max, unsigned *out)
{
	const char *p = *pp;
	unsigned x = 0;

	if (!isdigit((unsigned char)*p))
		return false;
	if (*p == '0' && isdigit((unsigned char)p[1]))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		x = x * 10 + (unsigned)(*p - '0');
		if (x > max)
			return false;
	}
	*out = x;
	*pp = p;
	return true;
}

int
cfg_pci_split(const char *key, unsigned *bus, unsigned *slot,
    unsigned *func, const char **rest)
{
	const char *p = key;

	if (strncmp(p, "pci.", 4) != 0)
		return -EINVAL;
	p += 4;
	if (!dec_comp(&p, 255, bus) || *p++ != '.' ||
	    !dec_comp(&p, 31, slot) || *p++ != '.' ||
	    !dec_comp(&p, 7, func))
		return -EINVAL;
	if (*p == '.')
		p++;
	else if (*p != '\0')
		return -EINVAL;
	*rest = p;
	return 0;
}

/* ----------------------------------------------------------- topology */

static int
topo_one(const struct cfg *c, const char *key, unsigned def, unsigned *out,
    bool *set, char *err, size_t errlen)
{
	uint64_t v;
	int r = cfg_get_u64(c, key, def, &v, err, errlen);

	*set = r == 0;
	if (r == -EINVAL)
		return r;
	if (r == 0 && (v < 1 || v > CFG_MAX_CPUS)) {
		errf(err, errlen, "%s: %s: %" PRIu64 " is out of range "
		    "1..%d", cfg_origin(c, key), key, v, CFG_MAX_CPUS);
		return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

int
cfg_get_topology(const struct cfg *c, struct cfg_topology *t, char *err,
    size_t errlen)
{
	bool cpus_set, set;
	uint64_t n;
	int r;

	/* bhyve's calc_topology(): sockets defaults to cpus. */
	if ((r = topo_one(c, "cpus", 1, &t->cpus, &cpus_set, err, errlen)) ||
	    (r = topo_one(c, "cores", 1, &t->cores, &set, err, errlen)) ||
	    (r = topo_one(c, "threads", 1, &t->threads, &set, err, errlen)) ||
	    (r = topo_one(c, "sockets", t->cpus, &t->sockets, &set, err,
	    errlen)))
		return r;
	n = (uint64_t)t->sockets * t->cores * t->threads;
	if (cpus_set && n != t->cpus) {
		errf(err, errlen, "%s: cpus: topology (%u sockets, %u cores, "
		    "%u threads) does not match %u vCPUs",
		    cfg_origin(c, "cpus"), t->sockets, t->cores, t->threads,
		    t->cpus);
		return -EINVAL;
	}
	if (n > CFG_MAX_CPUS) {
		const char *k = cfg_get(c, "sockets") ? "sockets" :
		    cfg_get(c, "cores") ? "cores" : "threads";

		errf(err, errlen, "%s: %s: topology gives %" PRIu64 " vCPUs, "
		    "more than %d", cfg_origin(c, k), k, n, CFG_MAX_CPUS);
		return -EINVAL;
	}
	t->cpus = (unsigned)n;
	return 0;
}

/* ------------------------------------------------------------- schema */

enum vtype {
	V_BOOL, V_UINT, V_NAME, V_UUID, V_PATHFD, V_FDONLY, V_SERIAL,
	V_REFUSED, V_CPULIST, V_ENUM, V_ID, V_CG_CPUMAX, V_SIZE_OR_MAX,
	V_UINT_OR_MAX, V_CG_IO, V_CG_PATH, V_NETNS, V_IFNAME, V_MEMSIZE,
	V_CMDLINE, V_EMUL, V_SECTSZ, V_SER, V_NETBE, V_MAC, V_NUMID, V_IDRANGE,
};

struct keydef {
	const char *key;
	enum vtype type;
	uint64_t min, max;	/* V_UINT, V_UINT_OR_MAX, V_STR max length */
	const char *extra;	/* V_ENUM: "a|b|c"; V_REFUSED: why */
	bool jail;		/* only in CFG_ROLE_JAIL */
};

static const struct keydef keydefs[] = {
	{ "name", V_NAME, 0, 0, NULL, false },
	{ "cpus", V_UINT, 1, CFG_MAX_CPUS, NULL, false },
	{ "sockets", V_UINT, 1, CFG_MAX_CPUS, NULL, false },
	{ "cores", V_UINT, 1, CFG_MAX_CPUS, NULL, false },
	{ "threads", V_UINT, 1, CFG_MAX_CPUS, NULL, false },
	{ "memory.size", V_MEMSIZE, 0, 0, NULL, false },
	{ "memory.wired", V_BOOL, 0, 0, NULL, false },
	{ "memory.guest_in_core", V_BOOL, 0, 0, NULL, false },
	{ "acpi_tables", V_BOOL, 0, 0, NULL, false },
	{ "x86.mptable", V_BOOL, 0, 0, NULL, false },
	{ "x86.strictmsr", V_BOOL, 0, 0, NULL, false },
	{ "x86.strictio", V_BOOL, 0, 0, NULL, false },
	{ "x86.vmexit_on_hlt", V_BOOL, 0, 0, NULL, false },
	{ "x86.vmexit_on_pause", V_BOOL, 0, 0, NULL, false },
	{ "x86.x2apic", V_BOOL, 0, 0, NULL, false },
	{ "rtc.use_localtime", V_BOOL, 0, 0, NULL, false },
	{ "uuid", V_UUID, 0, 0, NULL, false },
	{ "destroy_on_poweroff", V_BOOL, 0, 0, NULL, false },
	/* hyve's own seccomp filters: kill (default) or log (debugging) */
	{ "seccomp", V_ENUM, 0, 0, "kill|log", false },
	{ "ctl.path", V_PATHFD, 0, 0, NULL, false },
	/* the KVM device: /dev/kvm (default) or fd:N from hyve-jail */
	{ "kvm.path", V_PATHFD, 0, 0, NULL, false },
	{ "boot.kernel", V_PATHFD, 0, 0, NULL, false },
	{ "boot.initrd", V_PATHFD, 0, 0, NULL, false },
	{ "boot.cmdline", V_CMDLINE, 0, 2047, NULL, false },
	{ "lpc.com1.path", V_SERIAL, 0, 0, NULL, false },
	{ "lpc.com2.path", V_SERIAL, 0, 0, NULL, false },
	{ "lpc.bootrom", V_REFUSED, 0, 0, "boot ROMs (UEFI) are not "
	  "supported; hyve boots a kernel directly (boot.kernel)", false },
	{ "bootrom", V_REFUSED, 0, 0, "boot ROMs (UEFI) are not "
	  "supported; hyve boots a kernel directly (boot.kernel)", false },
	{ "virtio_msix", V_REFUSED, 0, 0, "hyve's virtio devices always "
	  "use MSI-X (-W is not supported)", false },
	{ "jail.uid", V_ID, 0, 0, NULL, true },
	{ "jail.gid", V_NUMID, 0, 0, NULL, true },
	{ "jail.uid_range", V_IDRANGE, 0, 0, NULL, true },
	{ "jail.tap_prefix", V_IFNAME, 1, 12, NULL, true },
	{ "jail.restart", V_ENUM, 0, 0, "no|on-reboot|always", true },
	{ "jail.stop_timeout", V_UINT, 1, 3600, NULL, true },
	{ "jail.netns", V_NETNS, 0, 0, NULL, true },
	{ "jail.cgroup.parent", V_CG_PATH, 0, 0, NULL, true },
	{ "jail.cgroup.cpu.max", V_CG_CPUMAX, 0, 0, NULL, true },
	{ "jail.cgroup.cpu.weight", V_UINT, 1, 10000, NULL, true },
	{ "jail.cgroup.memory.max", V_SIZE_OR_MAX, 0, 0, NULL, true },
	{ "jail.cgroup.memory.swap.max", V_SIZE_OR_MAX, 0, 0, NULL, true },
	{ "jail.cgroup.pids.max", V_UINT_OR_MAX, 1, 4194304, NULL, true },
	{ "jail.cgroup.io.max", V_CG_IO, 0, 0, NULL, true },
	{ "jail.cgroup.cpuset.cpus", V_CPULIST, 0, 0, NULL, true },
	{ "jail.cgroup.cpuset.mems", V_CPULIST, 0, 0, NULL, true },
	{ "jail.seccomp", V_ENUM, 0, 0, "kill|log", true },
};

/* Per-device keys under pci.B.S.F. */
static const struct keydef pcidefs[] = {
	{ "device", V_EMUL, 0, 0, NULL, false },
	{ "path", V_PATHFD, 0, 0, NULL, false },
	{ "ro", V_BOOL, 0, 0, NULL, false },
	{ "nocache", V_BOOL, 0, 0, NULL, false },
	{ "direct", V_BOOL, 0, 0, NULL, false },
	{ "sectorsize", V_SECTSZ, 0, 0, NULL, false },
	{ "ser", V_SER, 0, 20, NULL, false },
	{ "backend", V_NETBE, 0, 0, NULL, false },
	{ "mac", V_MAC, 0, 0, NULL, false },
	{ "mtu", V_UINT, 68, 65535, NULL, false },
	{ "sock", V_FDONLY, 0, 0, NULL, false },
};

static const struct keydef vcpu_cpuset = { "vcpu.N.cpuset", V_CPULIST, 0, 0,
	NULL, false };

static bool
is_fd_spec(const char *v)
{
	uint64_t n;

	return strncmp(v, "fd:", 3) == 0 && isdigit((unsigned char)v[3]) &&
	    parse_u64(v + 3, &n) && n <= INT_MAX;
}

static bool
all_chars(const char *v, const char *extra)
{
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr(extra, *p) == NULL)
			return false;
	return true;
}

/* "0-3,5,7-8": pieces in any order (bhyve's -p appends), numbers < 4096. */
static bool
cpulist_ok(const char *v)
{
	const char *p = v;

	if (*p == '\0')
		return false;
	for (;;) {
		unsigned a, b;

		if (!dec_comp(&p, 4095, &a))
			return false;
		b = a;
		if (*p == '-') {
			p++;
			if (!dec_comp(&p, 4095, &b) || b < a)
				return false;
		}
		if (*p == '\0')
			return true;
		if (*p++ != ',')
			return false;
	}
}

static bool
sectsz_one(const char **pp, unsigned *out)
{
	unsigned v;

	if (!dec_comp(pp, 65536, &v) || v < 512 || (v & (v - 1)) != 0)
		return false;
	*out = v;
	return true;
}

static bool
uuid_ok(const char *v)
{
	static const int groups[] = { 8, 4, 4, 4, 12 };
	const char *p = v;

	for (size_t g = 0; g < 5; g++) {
		for (int i = 0; i < groups[g]; i++, p++)
			if (!isxdigit((unsigned char)*p))
				return false;
		if (g < 4 && *p++ != '-')
			return false;
	}
	return *p == '\0';
}

static bool
mac_ok(const char *v, const char **why)
{
	unsigned char b[6];
	const char *p = v;

	for (int i = 0; i < 6; i++) {
		unsigned x = 0;

		for (int j = 0; j < 2; j++, p++) {
			if (!isxdigit((unsigned char)*p)) {
				*why = "expected xx:xx:xx:xx:xx:xx";
				return false;
			}
			x = x * 16 + (unsigned)(isdigit((unsigned char)*p) ?
			    *p - '0' : tolower((unsigned char)*p) - 'a' + 10);
		}
		b[i] = (unsigned char)x;
		if (i < 5 && *p++ != ':') {
			*why = "expected xx:xx:xx:xx:xx:xx";
			return false;
		}
	}
	if (*p != '\0') {
		*why = "expected xx:xx:xx:xx:xx:xx";
		return false;
	}
	if (b[0] & 1) {
		*why = "a multicast address cannot be a NIC's address";
		return false;
	}
	if ((b[0] | b[1] | b[2] | b[3] | b[4] | b[5]) == 0) {
		*why = "the all-zero address is not valid";
		return false;
	}
	return true;
}

/* cgroup v2 io.max: "MAJ:MIN key=val ..." entries separated by ';'. */
static bool
cgio_ok(const char *v)
{
	const char *p = v;

	for (;;) {
		unsigned maj, min;
		int nkeys = 0;

		while (*p == ' ')
			p++;
		if (!dec_comp(&p, 4095, &maj) || *p++ != ':' ||
		    !dec_comp(&p, 1048575, &min))
			return false;
		(void)maj;
		(void)min;
		while (*p == ' ') {
			static const char *const k[] = { "rbps=", "wbps=",
				"riops=", "wiops=" };
			size_t i;

			while (*p == ' ')
				p++;
			if (*p == ';' || *p == '\0')
				break;
			for (i = 0; i < 4; i++)
				if (strncmp(p, k[i], strlen(k[i])) == 0)
					break;
			if (i == 4)
				return false;
			p += strlen(k[i]);
			if (strncmp(p, "max", 3) == 0) {
				p += 3;
			} else {
				if (!isdigit((unsigned char)*p))
					return false;
				while (isdigit((unsigned char)*p))
					p++;
			}
			nkeys++;
		}
		if (nkeys == 0)
			return false;
		if (*p == '\0')
			return true;
		if (*p++ != ';')
			return false;
	}
}

static bool
enum_ok(const char *v, const char *list)
{
	size_t n = strlen(v);

	for (const char *p = list; *p;) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);

		if (l == n && strncmp(p, v, n) == 0)
			return true;
		p += l;
		if (*p == '|')
			p++;
	}
	return false;
}

/* Check a value against its definition: NULL or the reason it is wrong
 * (a static string, or written into buf). */
static const char *
value_check(const struct keydef *d, const char *v, enum cfg_role role,
    char *buf, size_t blen)
{
	uint64_t x;
	bool b;
	const char *why = NULL, *p;

	switch (d->type) {
	case V_BOOL:
		if (!parse_bool(v, &b))
			return "not a boolean (true, false, yes, no, on, off, "
			    "1, 0)";
		return NULL;
	case V_UINT:
		if (!parse_u64(v, &x))
			return "not an unsigned number";
		if (x < d->min || x > d->max) {
			snprintf(buf, blen, "%" PRIu64 " is out of range "
			    "%" PRIu64 "..%" PRIu64, x, d->min, d->max);
			return buf;
		}
		return NULL;
	case V_UINT_OR_MAX:
		if (strcmp(v, "max") == 0)
			return NULL;
		if (!parse_u64(v, &x) || x < d->min || x > d->max) {
			snprintf(buf, blen, "expected \"max\" or a number "
			    "%" PRIu64 "..%" PRIu64, d->min, d->max);
			return buf;
		}
		return NULL;
	case V_MEMSIZE:
		if (cfg_parse_size(v, true, &x) < 0)
			return "not a size (a number with an optional K, M, G "
			    "or T suffix; no suffix means MB)";
		if (x < (32ULL << 20) || x > (1ULL << 40))
			return "out of range 32M..1T";
		if (x % 4096)
			return "not a multiple of 4K";
		return NULL;
	case V_SIZE_OR_MAX:
		if (strcmp(v, "max") == 0)
			return NULL;
		if (cfg_parse_size(v, false, &x) < 0)
			return "expected \"max\" or a size (K, M, G, T)";
		return NULL;
	case V_CMDLINE:
		if (strlen(v) > d->max) {
			snprintf(buf, blen, "longer than %" PRIu64 " bytes "
			    "(Linux's COMMAND_LINE_SIZE)", d->max);
			return buf;
		}
		for (p = v; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return "contains a control character";
		return NULL;
	case V_NAME:
		if (*v == '\0' || strlen(v) > 31 || !isalnum((unsigned char)*v)
		    || !all_chars(v, "_.-"))
			return "a VM name is 1-31 letters, digits, '_', '.' or "
			    "'-', starting with a letter or digit";
		return NULL;
	case V_UUID:
		if (!uuid_ok(v))
			return "not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-"
			    "xxxxxxxxxxxx)";
		return NULL;
	case V_PATHFD:
		if (*v == '\0')
			return "empty path";
		if (strncmp(v, "fd:", 3) == 0 && !is_fd_spec(v))
			return "fd:N needs a descriptor number";
		return NULL;
	case V_FDONLY:
		if (!is_fd_spec(v))
			return "must be fd:N, an inherited descriptor";
		return NULL;
	case V_SERIAL:
		if (strcmp(v, "stdio") == 0 || is_fd_spec(v) || v[0] == '/')
			return NULL;
		if (strcmp(v, "console") == 0)
			return role == CFG_ROLE_JAIL ? NULL :
			    "\"console\" is hyve-jail's console pty; hyve "
			    "itself takes stdio, fd:N or a tty path";
		if (strncmp(v, "fd:", 3) == 0)
			return "fd:N needs a descriptor number";
		return "expected stdio, fd:N or an absolute tty/pty path";
	case V_REFUSED:
		return d->extra;
	case V_CPULIST:
		if (!cpulist_ok(v))
			return "expected a CPU list such as 0-3,6 (numbers "
			    "< 4096, ranges low-high)";
		return NULL;
	case V_ENUM:
		if (!enum_ok(v, d->extra)) {
			snprintf(buf, blen, "expected one of %s", d->extra);
			return buf;
		}
		return NULL;
	case V_ID:
		if (strcmp(v, "auto") == 0)
			return NULL;
		if (!parse_u64(v, &x) || x >= UINT32_MAX)
			return "expected \"auto\" or a numeric id";
		if (x == 0)
			return "0 is root: a VM never runs as root";
		return NULL;
	case V_NUMID:
		if (!parse_u64(v, &x) || x >= UINT32_MAX)
			return "expected a numeric id";
		if (x == 0)
			return "0 is root's: a VM never runs as root";
		return NULL;
	case V_IDRANGE: {
		uint64_t lo, hi;
		const char *dash = strchr(v, '-');
		char a[16];

		if (dash == NULL || (size_t)(dash - v) >= sizeof(a))
			return "expected LOW-HIGH (0 < LOW <= HIGH)";
		memcpy(a, v, (size_t)(dash - v));
		a[dash - v] = '\0';
		if (!parse_u64(a, &lo) || !parse_u64(dash + 1, &hi) ||
		    lo == 0 || lo > hi || hi >= UINT32_MAX)
			return "expected LOW-HIGH (0 < LOW <= HIGH)";
		return NULL;
	}
	case V_CG_CPUMAX:
		/* cgroup v2 cpu.max: "max|QUOTA [PERIOD]" */
		p = v;
		if (strncmp(p, "max", 3) == 0) {
			p += 3;
		} else {
			unsigned q;

			if (!dec_comp(&p, 1000000000, &q) || q < 1000)
				return "expected \"max\" or QUOTA [PERIOD] in "
				    "microseconds (quota >= 1000)";
		}
		if (*p == ' ') {
			unsigned per;

			p++;
			if (!dec_comp(&p, 1000000, &per) || per < 1000)
				return "period must be 1000..1000000 "
				    "microseconds";
		}
		if (*p != '\0')
			return "expected \"max\" or QUOTA [PERIOD] in "
			    "microseconds";
		return NULL;
	case V_CG_IO:
		if (!cgio_ok(v))
			return "expected MAJ:MIN rbps=N wbps=N riops=N wiops=N "
			    "(N or max), entries separated by ';'";
		return NULL;
	case V_CG_PATH:
		/* relative to the cgroup root, no "..", no empty parts */
		if (*v == '\0' || *v == '/' || !all_chars(v, "_.-/@:"))
			return "expected a relative cgroup path (letters, "
			    "digits, _ . - @ : and /)";
		for (p = v; *p; ) {
			size_t l = strcspn(p, "/");

			if (l == 0 || (l == 1 && p[0] == '.') ||
			    (l == 2 && p[0] == '.' && p[1] == '.'))
				return "empty, \".\" or \"..\" path component";
			p += l;
			if (*p == '/')
				p++;
			if (*p == '\0' && p[-1] == '/')
				return "trailing '/'";
		}
		return NULL;
	case V_NETNS:
		if (v[0] == '/' || (*v != '\0' && strlen(v) <= 64 &&
		    all_chars(v, "_.-") && v[0] != '.'))
			return NULL;
		return "expected a network namespace name (/run/netns/NAME) "
		    "or an absolute path";
	case V_IFNAME:
		if (*v == '\0' || strlen(v) > d->max || !all_chars(v, "_-"))
			return "expected 1-12 letters, digits, '_' or '-'";
		return NULL;
	case V_EMUL:
		if (cfg_pci_emul_find(v) == NULL) {
			size_t n, off = 0;
			const struct cfg_pci_emul *em = cfg_pci_emuls(&n);

			off += (size_t)snprintf(buf, blen, "unknown or "
			    "unsupported emulation \"%.32s\" (hyve has:", v);
			for (size_t i = 0; i < n && off < blen; i++)
				off += (size_t)snprintf(buf + off, blen - off,
				    " %s", em[i].name);
			if (off < blen)
				snprintf(buf + off, blen - off, ")");
			return buf;
		}
		return NULL;
	case V_SECTSZ: {
		unsigned l, ph;

		p = v;
		if (!sectsz_one(&p, &l))
			return "expected LOGICAL[/PHYSICAL], powers of two "
			    "512..65536";
		ph = l;
		if (*p == '/') {
			p++;
			if (!sectsz_one(&p, &ph))
				return "expected LOGICAL[/PHYSICAL], powers of "
				    "two 512..65536";
		}
		if (*p != '\0')
			return "expected LOGICAL[/PHYSICAL], powers of two "
			    "512..65536";
		if (ph < l)
			return "physical sector size smaller than logical";
		return NULL;
	}
	case V_SER:
		if (strlen(v) > d->max)
			return "a virtio-blk serial is at most 20 bytes";
		for (p = v; *p; p++)
			if (!isprint((unsigned char)*p))
				return "serial must be printable ASCII";
		return NULL;
	case V_NETBE:
		if (is_fd_spec(v))
			return NULL;
		if (strncmp(v, "fd:", 3) == 0)
			return "fd:N needs a descriptor number";
		if (*v == '\0' || strlen(v) > 15 || !all_chars(v, "_-"))
			return "expected a tap interface name (1-15 letters, "
			    "digits, '_' or '-') or fd:N";
		return NULL;
	case V_MAC:
		if (!mac_ok(v, &why))
			return why;
		return NULL;
	}
	return "internal: unknown value type";
}

static const struct keydef *
keydef_find(const struct keydef *t, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].key, key) == 0)
			return &t[i];
	return NULL;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct vstate {
	const struct cfg *c;
	enum cfg_role role;
	char *err;
	size_t errlen;
	const char *lpc_key;	/* the one lpc device */
	unsigned ncpus;
	bool have_net_tap;
	const char *net_tap_key;
};

static int
validate_key(const char *key, const char *value, const char *origin,
    void *arg)
{
	struct vstate *vs = arg;
	const struct keydef *d;
	char buf[256];
	const char *why, *rest;
	unsigned b, s, f;

	if (cfg_pci_split(key, &b, &s, &f, &rest) == 0) {
		char dk[64];
		const char *dev;
		const struct cfg_pci_emul *em;
		bool allowed = false;

		d = keydef_find(pcidefs, NELEM(pcidefs), rest);
		if (d == NULL) {
			errf(vs->err, vs->errlen, "%s: %s: unknown key",
			    origin, key);
			return -EINVAL;
		}
		if ((why = value_check(d, value, vs->role, buf, sizeof(buf)))) {
			errf(vs->err, vs->errlen, "%s: %s: %s", origin, key,
			    why);
			return -EINVAL;
		}
		snprintf(dk, sizeof(dk), "pci.%u.%u.%u.device", b, s, f);
		dev = cfg_get(vs->c, dk);
		if (strcmp(rest, "device") == 0) {
			if (strcmp(value, "lpc") == 0) {
				if (b != 0) {
					errf(vs->err, vs->errlen, "%s: %s: the "
					    "LPC bridge must be on bus 0",
					    origin, key);
					return -EINVAL;
				}
				if (vs->lpc_key && strcmp(vs->lpc_key, key)) {
					errf(vs->err, vs->errlen, "%s: %s: a "
					    "second LPC bridge (the first is "
					    "%s from %s)", origin, key,
					    vs->lpc_key,
					    cfg_origin(vs->c, vs->lpc_key));
					return -EINVAL;
				}
				vs->lpc_key = key;
			}
			if (f != 0) {
				char f0[64];

				snprintf(f0, sizeof(f0), "pci.%u.%u.0.device",
				    b, s);
				if (cfg_get(vs->c, f0) == NULL) {
					errf(vs->err, vs->errlen, "%s: %s: "
					    "slot %u:%u has no function 0, so "
					    "the guest would never see this "
					    "device", origin, key, b, s);
					return -EINVAL;
				}
			}
			em = cfg_pci_emul_find(value);
			if (em->first_key) {
				char fk[64];

				snprintf(fk, sizeof(fk), "pci.%u.%u.%u.%s", b,
				    s, f, em->first_key);
				if (cfg_get(vs->c, fk) == NULL) {
					errf(vs->err, vs->errlen, "%s: %s: %s "
					    "needs %s", origin, key, value,
					    fk);
					return -EINVAL;
				}
			}
			return 0;
		}
		if (dev == NULL) {
			errf(vs->err, vs->errlen, "%s: %s: no device in slot "
			    "%u:%u:%u (set %s first)", origin, key, b, s, f,
			    dk);
			return -EINVAL;
		}
		em = cfg_pci_emul_find(dev);
		for (size_t i = 0; em && em->keys[i]; i++)
			if (strcmp(em->keys[i], rest) == 0)
				allowed = true;
		if (!allowed) {
			errf(vs->err, vs->errlen, "%s: %s: %s has no option "
			    "\"%s\"", origin, key, dev, rest);
			return -EINVAL;
		}
		if (strcmp(rest, "backend") == 0 && !is_fd_spec(value) &&
		    !vs->have_net_tap) {
			vs->have_net_tap = true;
			vs->net_tap_key = key;
		}
		return 0;
	}
	if (strncmp(key, "vcpu.", 5) == 0) {
		const char *p = key + 5;
		unsigned n;

		if (!dec_comp(&p, 4095, &n) || strcmp(p, ".cpuset") != 0) {
			errf(vs->err, vs->errlen, "%s: %s: unknown key (vcpu "
			    "keys are vcpu.N.cpuset)", origin, key);
			return -EINVAL;
		}
		if ((why = value_check(&vcpu_cpuset, value, vs->role, buf,
		    sizeof(buf)))) {
			errf(vs->err, vs->errlen, "%s: %s: %s", origin, key,
			    why);
			return -EINVAL;
		}
		if (n >= vs->ncpus) {
			errf(vs->err, vs->errlen, "%s: %s: the VM has only %u "
			    "vCPU%s (0..%u)", origin, key, vs->ncpus,
			    vs->ncpus == 1 ? "" : "s", vs->ncpus - 1);
			return -EINVAL;
		}
		return 0;
	}
	d = keydef_find(keydefs, NELEM(keydefs), key);
	if (d == NULL) {
		errf(vs->err, vs->errlen, "%s: %s: unknown key", origin, key);
		return -EINVAL;
	}
	if (d->jail && vs->role != CFG_ROLE_JAIL) {
		errf(vs->err, vs->errlen, "%s: %s: jail.* keys are read by "
		    "hyve-jail only, not by hyve", origin, key);
		return -EINVAL;
	}
	if ((why = value_check(d, value, vs->role, buf, sizeof(buf)))) {
		errf(vs->err, vs->errlen, "%s: %s: %s", origin, key, why);
		return -EINVAL;
	}
	if (strncmp(key, "lpc.com", 7) == 0 && vs->lpc_key == NULL) {
		errf(vs->err, vs->errlen, "%s: %s: COM ports live on the LPC "
		    "bridge: add one (-s 31,lpc or pci.0.31.0.device=lpc)",
		    origin, key);
		return -EINVAL;
	}
	if ((strcmp(key, "boot.initrd") == 0 ||
	    strcmp(key, "boot.cmdline") == 0) &&
	    cfg_get(vs->c, "boot.kernel") == NULL) {
		errf(vs->err, vs->errlen, "%s: %s: set without boot.kernel",
		    origin, key);
		return -EINVAL;
	}
	return 0;
}

/* Find the lpc device before checking lpc.* keys ("lpc" < "pci"). */
static int
find_lpc(const char *key, const char *value, const char *origin, void *arg)
{
	struct vstate *vs = arg;
	const char *rest;
	unsigned b, s, f;

	(void)origin;
	if (cfg_pci_split(key, &b, &s, &f, &rest) == 0 &&
	    strcmp(rest, "device") == 0 && strcmp(value, "lpc") == 0 &&
	    vs->lpc_key == NULL)
		vs->lpc_key = key;
	return 0;
}

int
cfg_validate(const struct cfg *c, enum cfg_role role, char *err,
    size_t errlen)
{
	struct vstate vs = { .c = c, .role = role, .err = err,
	    .errlen = errlen };
	struct cfg_topology t;
	int r;

	if (c == NULL)
		return -EINVAL;
	r = cfg_get_topology(c, &t, err, errlen);
	if (r < 0)
		return r;
	vs.ncpus = t.cpus;
	cfg_foreach(c, "pci.", find_lpc, &vs);
	r = cfg_foreach(c, "", validate_key, &vs);
	if (r < 0)
		return r;
	if (cfg_get(c, "name") == NULL) {
		errf(err, errlen, "name: not set (give the VM name as the last "
		    "argument, or name=NAME in the profile)");
		return -EINVAL;
	}
	if (cfg_get(c, "boot.kernel") == NULL) {
		errf(err, errlen, "boot.kernel: not set: hyve boots a Linux "
		    "kernel directly (-o boot.kernel=PATH)");
		return -EINVAL;
	}
	if (role == CFG_ROLE_JAIL && vs.have_net_tap) {
		if (cfg_get(c, "jail.tap_prefix") == NULL) {
			errf(err, errlen, "%s: %s: a tap interface needs "
			    "jail.tap_prefix, the only taps the VM may use",
			    cfg_origin(c, vs.net_tap_key), vs.net_tap_key);
			return -EINVAL;
		}
	}
	if (role == CFG_ROLE_JAIL) {
		const char *pfx = cfg_get(c, "jail.tap_prefix");

		for (size_t i = 0; pfx && i < c->n; i++) {
			const char *rest;
			unsigned b, s, f;

			if (cfg_pci_split(c->e[i].key, &b, &s, &f, &rest) ||
			    strcmp(rest, "backend") != 0 ||
			    is_fd_spec(c->e[i].value))
				continue;
			if (strncmp(c->e[i].value, pfx, strlen(pfx)) != 0) {
				errf(err, errlen, "%s: %s: tap \"%s\" is "
				    "outside jail.tap_prefix \"%s\" (from %s)",
				    c->e[i].origin, c->e[i].key,
				    c->e[i].value, pfx,
				    cfg_origin(c, "jail.tap_prefix"));
				return -EPERM;
			}
		}
	}
	return 0;
}
