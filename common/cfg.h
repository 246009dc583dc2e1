/*
 * cfg: the one configuration key tree (bhyve_config(5) style).
 *
 * hyve's flags, `-k file`, `-o key=value` and hyve-jail's profile all fill the
 * same flat tree of dotted keys ("pci.0.2.0.device" = "virtio-blk").  Every
 * value remembers where it came from ("vm0.conf:12", "-o", "-s") so that an
 * error can name the file, the line and the key.
 *
 * This code parses operator input only; it never sees guest-controlled data.
 */
#ifndef HYVE_CFG_H
#define HYVE_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cfg;

/* Who reads the tree: hyve ignores nothing; hyve-jail also accepts jail.*. */
enum cfg_role {
	CFG_ROLE_VMM,	/* hyve: jail.* keys are refused */
	CFG_ROLE_JAIL,	/* hyve-jail: every key, jail.* included */
};

/* Errors are returned as -errno with a message in a caller buffer. */
#define CFG_ERRLEN 512

struct cfg *cfg_new(void);
void cfg_free(struct cfg *c);

/* Set one key. origin: "file:line", "-o", "-s 2,virtio-blk" ... A later set
 * of the same key replaces the earlier one (as bhyve does), with two
 * exceptions that are refused with -EEXIST and a message naming both
 * origins: a second pci.B.S.F.device (two devices in one slot), and the
 * same key twice in one file (cfg_load_*).  The key must be a well-formed
 * dotted name ([A-Za-z0-9_-] components); whether it is known is checked by
 * cfg_validate, so that -o ordering does not matter. */
int cfg_set(struct cfg *c, const char *key, const char *value,
    const char *origin, char *err, size_t errlen);
/* "key=value" as given to -o. */
int cfg_set_kv(struct cfg *c, const char *kv, const char *origin,
    char *err, size_t errlen);
/* A config file: key=value lines, '#' comments, blank lines. */
int cfg_load_file(struct cfg *c, const char *path, char *err, size_t errlen);
int cfg_load_buf(struct cfg *c, const char *name, const char *buf,
    char *err, size_t errlen);

const char *cfg_get(const struct cfg *c, const char *key);	/* NULL: unset */
const char *cfg_origin(const struct cfg *c, const char *key);	/* NULL: unset */
int cfg_unset(struct cfg *c, const char *key);

/* Typed getters: 0 and *out set, -ENOENT when unset (*out = def),
 * -EINVAL with a message naming the key and its origin when malformed. */
int cfg_get_bool(const struct cfg *c, const char *key, bool def, bool *out,
    char *err, size_t errlen);
int cfg_get_u64(const struct cfg *c, const char *key, uint64_t def,
    uint64_t *out, char *err, size_t errlen);
/* "512M", "2G" (K/M/G/T, either case, optional "B"/"iB": powers of 1024).
 * No suffix = bytes unless mb_default; with mb_default a bare number below
 * 1048576 is megabytes and a larger one bytes, exactly bhyve's
 * vm_parse_memsize() rule, so "-m 512" and "-m 536870912" both mean 512M.
 * -EINVAL on syntax, -ERANGE on overflow. */
int cfg_parse_size(const char *s, bool mb_default, uint64_t *out);
/* Typed size getter (memory.size: mb_default=true). Same returns as above. */
int cfg_get_size(const struct cfg *c, const char *key, bool mb_default,
    uint64_t def, uint64_t *out, char *err, size_t errlen);

/* Visit every key under prefix ("" = all) in sorted order; stop on non-zero. */
int cfg_foreach(const struct cfg *c, const char *prefix,
    int (*fn)(const char *key, const char *value, const char *origin,
    void *arg), void *arg);

/* Check every key against the schema (known keys, value syntax, one device
 * per slot, ...).  The message names origin, key and reason. */
int cfg_validate(const struct cfg *c, enum cfg_role role, char *err,
    size_t errlen);

/* The vCPU topology after bhyve's calc_topology(): any of cpus, sockets,
 * cores, threads may be unset; unset ones default to 1, except that cpus
 * defaults to sockets*cores*threads and sockets to cpus when cpus is the
 * only one given.  -EINVAL (message names the keys) when cpus does not equal
 * sockets*cores*threads or a value is out of range (1..CFG_MAX_CPUS). */
#define CFG_MAX_CPUS 255	/* 8-bit APIC ids in MADT/MP table, 255 = bcast */
struct cfg_topology {
	unsigned cpus, sockets, cores, threads;
};
int cfg_get_topology(const struct cfg *c, struct cfg_topology *t,
    char *err, size_t errlen);

/* PCI device emulations hyve knows, for -s parsing, -s help and validation.
 * keys: the per-device keys allowed under pci.B.S.F. (NULL-terminated). */
struct cfg_pci_emul {
	const char *name;
	const char *help;		/* one line for "-s help" */
	const char *const *keys;
	const char *first_key;		/* -s slot,emul,VALUE,...: VALUE's key */
};
const struct cfg_pci_emul *cfg_pci_emul_find(const char *name);
const struct cfg_pci_emul *cfg_pci_emuls(size_t *n);

/* "pci.B.S.F" (no trailing dot) of a device key like "pci.0.2.0.path":
 * fills bus/slot/func and returns 0, -EINVAL when key is not that shape
 * (decimal, no leading zeros, bus<256, slot<32, func<8). */
int cfg_pci_split(const char *key, unsigned *bus, unsigned *slot,
    unsigned *func, const char **rest);

#endif
