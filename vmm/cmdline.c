/*
 * cmdline: bhyve(8)'s flags, mapped onto cfg keys exactly as bhyve's main()
 * does (see cmdline.h).  Each flag's argument becomes the origin of the keys
 * it sets ("-s 2,virtio-blk,/x"), so cfg_validate's messages point at the
 * flag the operator typed.
 *
 * Must never print, exit, or open anything but the -k file.
 */
#include "cmdline.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

#define ORIGIN_MAX 128

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

/* Strict decimal, no sign, no blanks; false on overflow past max. */
static bool
dec(const char *s, size_t len, unsigned max, unsigned *out)
{
	unsigned x = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		x = x * 10 + (unsigned)(s[i] - '0');
		if (x > max)
			return false;
	}
	*out = x;
	return true;
}

/* -c [[cpus=]n][,sockets=n][,cores=n][,threads=n]  (bhyve topology_parse) */
static int
parse_topology(struct cfg *c, const char *arg, const char *origin, char *err,
    size_t errlen)
{
	static const char *const names[] = { "cpus", "sockets", "cores",
		"threads" };
	char *dup, *p, *tok;
	int r = 0;

	if (*arg == '\0') {
		for (size_t i = 0; i < 4 && r == 0; i++)
			r = cfg_set(c, names[i], "1", origin, err, errlen);
		return r;
	}
	dup = strdup(arg);
	if (dup == NULL) {
		errf(err, errlen, "%s: out of memory", origin);
		return -ENOMEM;
	}
	for (p = dup; r == 0 && (tok = strsep(&p, ",")) != NULL;) {
		char *eq = strchr(tok, '=');
		size_t i;

		if (eq == NULL) {
			if (*tok == '\0') {
				errf(err, errlen, "%s: empty element", origin);
				r = -EINVAL;
				break;
			}
			r = cfg_set(c, "cpus", tok, origin, err, errlen);
			continue;
		}
		*eq = '\0';
		for (i = 0; i < 4; i++)
			if (strcmp(tok, names[i]) == 0)
				break;
		if (i == 4) {
			errf(err, errlen, "%s: unknown topology item \"%s\" "
			    "(cpus, sockets, cores, threads)", origin, tok);
			r = strcmp(tok, "maxcpus") == 0 ? -ENOTSUP : -EINVAL;
			break;
		}
		r = cfg_set(c, names[i], eq + 1, origin, err, errlen);
	}
	free(dup);
	return r;
}

/* Generic bhyve pci_parse_legacy_config(): "k=v,flag,..." (flag = true). */
static int
parse_dev_opts(struct cfg *c, const struct cfg_pci_emul *em,
    const char *prefix, char *opts, const char *origin, char *err,
    size_t errlen)
{
	char *tok, key[96];
	int r = 0;

	while (r == 0 && (tok = strsep(&opts, ",")) != NULL) {
		char *eq = strchr(tok, '=');
		const char *val = "true";
		bool known = false;

		if (*tok == '\0') {
			errf(err, errlen, "%s: empty option", origin);
			return -EINVAL;
		}
		if (eq) {
			*eq = '\0';
			val = eq + 1;
		}
		for (size_t i = 0; em->keys[i]; i++)
			if (strcmp(em->keys[i], tok) == 0)
				known = true;
		if (!known) {
			size_t off = 0;
			char have[128] = "none";

			for (size_t i = 0; em->keys[i] && off < sizeof(have);
			    i++)
				off += (size_t)snprintf(have + off,
				    sizeof(have) - off, "%s%s", i ? ", " : "",
				    em->keys[i]);
			errf(err, errlen, "%s: %s has no option \"%.32s\" "
			    "(options: %s)", origin, em->name, tok, have);
			return -EINVAL;
		}
		snprintf(key, sizeof(key), "%s.%s", prefix, tok);
		r = cfg_set(c, key, val, origin, err, errlen);
	}
	return r;
}

/* -s [bus:]slot[:func],emulation[,conf] (bhyve pci_parse_slot) */
static int
parse_slot(struct cfg *c, const char *arg, const char *origin, char *err,
    size_t errlen)
{
	const char *comma = strchr(arg, ','), *p, *colon;
	unsigned n[3], nn = 0, bus = 0, slot, func = 0;
	static const unsigned max[3] = { 255, 31, 7 };
	const struct cfg_pci_emul *em;
	char prefix[48], key[64], *emul, *conf, *dup;
	int r;

	/* Up to three ':'-separated decimals before the first ','. */
	for (p = arg; ; ) {
		size_t len;

		colon = strchr(p, ':');
		if (colon == NULL || (comma && colon > comma))
			len = comma ? (size_t)(comma - p) : strlen(p);
		else
			len = (size_t)(colon - p);
		if (nn == 3 || !dec(p, len, 255, &n[nn])) {
			errf(err, errlen, "%s: bad slot (expected slot, "
			    "slot:func or bus:slot:func, then ,emulation)",
			    origin);
			return -EINVAL;
		}
		nn++;
		p += len;
		if (*p != ':')
			break;
		p++;
	}
	if (nn == 1) {
		slot = n[0];
	} else if (nn == 2) {
		slot = n[0];
		func = n[1];
	} else {
		bus = n[0];
		slot = n[1];
		func = n[2];
	}
	if (bus > max[0] || slot > max[1] || func > max[2]) {
		errf(err, errlen, "%s: slot %u:%u:%u out of range (bus 0-255, "
		    "slot 0-31, function 0-7)", origin, bus, slot, func);
		return -EINVAL;
	}
	if (comma == NULL || comma[1] == '\0' || comma[1] == ',') {
		errf(err, errlen, "%s: missing emulation (-s slot,emulation"
		    "[,conf]; -s help lists them)", origin);
		return -EINVAL;
	}
	dup = strdup(comma + 1);
	if (dup == NULL) {
		errf(err, errlen, "%s: out of memory", origin);
		return -ENOMEM;
	}
	conf = dup;
	emul = strsep(&conf, ",");
	em = cfg_pci_emul_find(emul);
	if (em == NULL) {
		errf(err, errlen, "%s: emulation \"%.32s\" is unknown or not "
		    "supported by hyve (-s help lists them)", origin, emul);
		free(dup);
		return -ENOTSUP;
	}
	snprintf(prefix, sizeof(prefix), "pci.%u.%u.%u", bus, slot, func);
	snprintf(key, sizeof(key), "%s.device", prefix);
	r = cfg_set(c, key, em->name, origin, err, errlen);
	if (r == 0 && conf != NULL) {
		if (em->first_key != NULL) {
			/* bhyve's blockif/netbe legacy config: the first
			 * element is the path/backend, the rest options. */
			char *first = strsep(&conf, ",");

			if (*first == '\0') {
				errf(err, errlen, "%s: empty %s", origin,
				    em->first_key);
				r = -EINVAL;
			} else {
				snprintf(key, sizeof(key), "%s.%s", prefix,
				    em->first_key);
				r = cfg_set(c, key, first, origin, err,
				    errlen);
			}
		}
		if (r == 0 && conf != NULL)
			r = parse_dev_opts(c, em, prefix, conf, origin, err,
			    errlen);
	}
	free(dup);
	return r;
}

/* -l com1,backend  (bhyve lpc_device_parse) */
static int
parse_lpc(struct cfg *c, const char *arg, const char *origin, char *err,
    size_t errlen)
{
	static const char *const unsupported[] = { "com3", "com4", "fwcfg",
		"tpm", "pc-testdev", "bootvars" };
	const char *comma = strchr(arg, ',');
	size_t len = comma ? (size_t)(comma - arg) : strlen(arg);
	char key[32];

	if ((len == 4 && strncmp(arg, "com1", 4) == 0) ||
	    (len == 4 && strncmp(arg, "com2", 4) == 0)) {
		if (comma == NULL || comma[1] == '\0') {
			errf(err, errlen, "%s: missing back end (stdio, fd:N "
			    "or a tty path)", origin);
			return -EINVAL;
		}
		snprintf(key, sizeof(key), "lpc.%.4s.path", arg);
		return cfg_set(c, key, comma + 1, origin, err, errlen);
	}
	if (len == 7 && strncmp(arg, "bootrom", 7) == 0) {
		errf(err, errlen, "%s: boot ROMs (UEFI) are not supported; hyve "
		    "boots a kernel directly (-o boot.kernel=PATH)", origin);
		return -ENOTSUP;
	}
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(*unsupported);
	    i++) {
		if (strlen(unsupported[i]) == len &&
		    strncmp(arg, unsupported[i], len) == 0) {
			errf(err, errlen, "%s: LPC device %s is not supported "
			    "by hyve (-l help lists what is)", origin,
			    unsupported[i]);
			return -ENOTSUP;
		}
	}
	errf(err, errlen, "%s: unknown LPC device \"%.*s\" (-l help lists "
	    "them)", origin, (int)(len > 32 ? 32 : len), arg);
	return -EINVAL;
}

/* -p vcpu:hostcpu, appended to vcpu.N.cpuset (bhyve pincpu_parse) */
static int
parse_pin(struct cfg *c, const char *arg, const char *origin, char *err,
    size_t errlen)
{
	const char *colon = strchr(arg, ':');
	unsigned vcpu, host;
	char key[32], val[4096 + 8];
	const char *old;

	if (colon == NULL || !dec(arg, (size_t)(colon - arg), 4095, &vcpu) ||
	    !dec(colon + 1, strlen(colon + 1), 4095, &host)) {
		errf(err, errlen, "%s: expected vcpu:hostcpu (numbers below "
		    "4096)", origin);
		return -EINVAL;
	}
	snprintf(key, sizeof(key), "vcpu.%u.cpuset", vcpu);
	old = cfg_get(c, key);
	if (old != NULL) {
		if (strlen(old) > 4000) {
			errf(err, errlen, "%s: %s: too many host CPUs", origin,
			    key);
			return -EINVAL;
		}
		snprintf(val, sizeof(val), "%s,%u", old, host);
	} else {
		snprintf(val, sizeof(val), "%u", host);
	}
	return cfg_set(c, key, val, origin, err, errlen);
}

struct flag_bool {
	char flag;
	const char *key;
	const char *value;
};

/* The no-argument flags that set one boolean key, as in bhyve's main(). */
static const struct flag_bool flag_bools[] = {
	{ 'A', "acpi_tables", "true" },
	{ 'a', "x86.x2apic", "false" },
	{ 'C', "memory.guest_in_core", "true" },
	{ 'D', "destroy_on_poweroff", "true" },
	{ 'e', "x86.strictio", "true" },
	{ 'H', "x86.vmexit_on_hlt", "true" },
	{ 'P', "x86.vmexit_on_pause", "true" },
	{ 'S', "memory.wired", "true" },
	{ 'u', "rtc.use_localtime", "false" },
	{ 'w', "x86.strictmsr", "false" },
	{ 'x', "x86.x2apic", "true" },
	{ 'Y', "x86.mptable", "false" },
};

/* bhyve flags hyve refuses, and why. */
static const struct {
	char flag;
	bool has_arg;
	const char *why;
} flag_refused[] = {
	{ 'B', true, "SMBIOS tables are not supported" },
	{ 'f', true, "fw_cfg is not supported" },
	{ 'G', true, "the gdb stub is not supported" },
	{ 'K', true, "there is no keyboard or framebuffer to set a layout "
	  "for" },
	{ 'M', true, "machine types are not supported" },
	{ 'r', true, "snapshot restore is not supported" },
	{ 'W', false, "virtio devices always use MSI-X" },
};

static const char ARG_FLAGS[] = "cmslkopU";

int
cmdline_parse(struct cfg *c, int argc, char *const argv[],
    enum cmdline_action *action, char *err, size_t errlen)
{
	char origin[ORIGIN_MAX];
	int i, r;

	*action = CMDLINE_RUN;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		for (const char *f = a + 1; *f; f++) {
			const char *arg = NULL;
			bool known = false;
			size_t k;

			for (k = 0; k < sizeof(flag_refused) /
			    sizeof(*flag_refused); k++) {
				if (flag_refused[k].flag == *f) {
					errf(err, errlen, "-%c: not supported "
					    "by hyve: %s", *f,
					    flag_refused[k].why);
					return -ENOTSUP;
				}
			}
			for (k = 0; k < sizeof(flag_bools) /
			    sizeof(*flag_bools); k++) {
				if (flag_bools[k].flag != *f)
					continue;
				snprintf(origin, sizeof(origin), "-%c", *f);
				r = cfg_set(c, flag_bools[k].key,
				    flag_bools[k].value, origin, err, errlen);
				if (r < 0)
					return r;
				known = true;
			}
			if (known)
				continue;
			if (*f == 'h') {
				*action = CMDLINE_HELP;
				return 0;
			}
			if (*f == 'I')	/* bhyve: deprecated, IOAPIC always */
				continue;
			if (strchr(ARG_FLAGS, *f) == NULL) {
				errf(err, errlen, "-%c: unknown flag (hyve -h "
				    "lists them)", *f);
				return -EINVAL;
			}
			if (f[1] != '\0') {
				arg = f + 1;
			} else if (i + 1 < argc) {
				arg = argv[++i];
			} else {
				errf(err, errlen, "-%c: missing argument", *f);
				return -EINVAL;
			}
			snprintf(origin, sizeof(origin), "-%c %s", *f, arg);
			switch (*f) {
			case 'c':
				r = parse_topology(c, arg, origin, err, errlen);
				break;
			case 'm': {
				uint64_t sz;

				/* Checked here too so the message says -m. */
				if (cfg_parse_size(arg, true, &sz) < 0) {
					errf(err, errlen, "%s: not a size (a "
					    "number with K, M, G or T; no "
					    "suffix means MB)", origin);
					return -EINVAL;
				}
				r = cfg_set(c, "memory.size", arg, origin, err,
				    errlen);
				break;
			}
			case 's':
				if (strcmp(arg, "help") == 0) {
					*action = CMDLINE_HELP_PCI;
					return 0;
				}
				r = parse_slot(c, arg, origin, err, errlen);
				break;
			case 'l':
				if (strcmp(arg, "help") == 0) {
					*action = CMDLINE_HELP_LPC;
					return 0;
				}
				r = parse_lpc(c, arg, origin, err, errlen);
				break;
			case 'k':
				r = cfg_load_file(c, arg, err, errlen);
				break;
			case 'o':
				r = cfg_set_kv(c, arg, "-o", err, errlen);
				break;
			case 'p':
				r = parse_pin(c, arg, origin, err, errlen);
				break;
			case 'U':
				r = cfg_set(c, "uuid", arg, origin, err,
				    errlen);
				break;
			default:
				r = -EINVAL;	/* unreachable: ARG_FLAGS */
				errf(err, errlen, "-%c: internal error", *f);
				break;
			}
			if (r < 0)
				return r;
			break;	/* the argument used the rest of argv[i] */
		}
	}
	if (argc - i > 1) {
		errf(err, errlen, "%s: unexpected argument after the VM name "
		    "\"%s\" (options come before the name)", argv[i + 1],
		    argv[i]);
		return -EINVAL;
	}
	if (argc - i == 1)
		return cfg_set(c, "name", argv[i], "command line", err, errlen);
	return 0;
}

void
cmdline_help(FILE *f, enum cmdline_action action, const char *progname)
{
	size_t n;
	const struct cfg_pci_emul *em;

	switch (action) {
	case CMDLINE_HELP_PCI:
		em = cfg_pci_emuls(&n);
		fprintf(f, "PCI emulations (-s slot,emulation[,conf]):\n");
		for (size_t i = 0; i < n; i++)
			fprintf(f, "  %-15s %s\n", em[i].name, em[i].help);
		return;
	case CMDLINE_HELP_LPC:
		fprintf(f, "LPC devices (-l device,backend):\n"
		    "  com1            16550 UART at 0x3f8, IRQ 4\n"
		    "  com2            16550 UART at 0x2f8, IRQ 3\n"
		    "serial back ends:\n"
		    "  stdio           hyve's standard input and output\n"
		    "  /dev/pts/N      a tty or pty path (raw mode)\n"
		    "  fd:N            an already-open descriptor (hyve-jail)\n");
		return;
	case CMDLINE_RUN:
	case CMDLINE_HELP:
		break;
	}
	fprintf(f,
	    "usage: %s [-aACDeHhIPSuwxY] [-c [[cpus=]n][,sockets=n][,cores=n]"
	    "[,threads=n]]\n"
	    "       [-k config_file] [-l lpc] [-m mem] [-o var=value]\n"
	    "       [-p vcpu:hostcpu] [-s pci] [-U uuid] [vmname]\n"
	    "  -A: create ACPI tables\n"
	    "  -a: local APIC in xAPIC mode (x86.x2apic=false)\n"
	    "  -C: include guest memory in core files\n"
	    "  -c: number of vCPUs and topology\n"
	    "  -D: destroy the VM on guest power-off\n"
	    "  -e: exit on unhandled I/O port accesses\n"
	    "  -H: vmexit on HLT\n"
	    "  -h: this help\n"
	    "  -I: accepted for bhyve compatibility (an I/O APIC is always "
	    "present)\n"
	    "  -k: load configuration keys from a file\n"
	    "  -l: LPC device configuration (-l help)\n"
	    "  -m: memory size (K, M, G, T; no suffix means MB; default "
	    "256M)\n"
	    "  -o: set a configuration key (see hyve.conf(5))\n"
	    "  -P: vmexit on PAUSE\n"
	    "  -p: pin a vCPU to a host CPU\n"
	    "  -S: wire (lock) guest memory\n"
	    "  -s: PCI slot configuration (-s help)\n"
	    "  -U: UUID\n"
	    "  -u: RTC keeps UTC\n"
	    "  -w: ignore unimplemented MSRs\n"
	    "  -x: local APIC in x2APIC mode\n"
	    "  -Y: no MP table\n"
	    "boot: -o boot.kernel=PATH [-o boot.initrd=PATH] "
	    "[-o boot.cmdline=STRING]\n", progname);
}
