/*
 * hyvectl_args: the command line (see hyvectl_args.h).
 *
 * Must never accept a name that could leave the run directory (a '/' is
 * only allowed as an explicit path the operator typed, never "..").
 */
#include "hyvectl_args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_proto.h"

bool
hyvectl_name_ok(const char *s)
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

/* "5" -> 5 within [lo, hi]; -EINVAL otherwise. */
static int
num(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
bad(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Option "opt" of the form "--opt=VALUE" or "--opt VALUE" / "-o VALUE":
 * returns its value (advancing *i for the separate form), or NULL. */
static const char *
optval(int argc, char *const argv[], int *i, const char *lng,
    const char *shrt, bool *matched)
{
	const char *a = argv[*i];
	size_t n = strlen(lng);

	*matched = false;
	if (strncmp(a, lng, n) == 0 && a[n] == '=') {
		*matched = true;
		return a + n + 1;
	}
	if (strcmp(a, lng) == 0 || (shrt != NULL && strcmp(a, shrt) == 0)) {
		*matched = true;
		if (*i + 1 >= argc)
			return NULL;
		return argv[++*i];
	}
	return NULL;
}

static int
set_name(struct hyvectl_args *a, const char *s, char *err, size_t errlen)
{
	if (a->name != NULL)
		return bad(err, errlen, "more than one VM given (%s)", s);
	if (strchr(s, '/') != NULL) {
		/* An explicit path (a run directory or a socket). */
		if (strstr(s, "/../") != NULL || strncmp(s, "../", 3) == 0)
			return bad(err, errlen, "%s: give the path without "
			    "\"..\"", s);
	} else if (!hyvectl_name_ok(s)) {
		return bad(err, errlen, "\"%s\" is not a VM name (letters, "
		    "digits, '-', '_', '.'; at most 63)", s);
	}
	a->name = s;
	return 0;
}

/* bhyvectl's spelling: --destroy / --get-stats and --vm=NAME. */
static int
parse_bhyvectl(int argc, char *const argv[], int i, struct hyvectl_args *a,
    char *err, size_t errlen)
{
	bool have_cmd = false, m;

	for (; i < argc; i++) {
		const char *v;

		if (strcmp(argv[i], "--destroy") == 0 ||
		    strcmp(argv[i], "--get-stats") == 0) {
			if (have_cmd)
				return bad(err, errlen, "%s: only one of "
				    "--destroy and --get-stats", argv[i]);
			have_cmd = true;
			a->cmd = argv[i][2] == 'd' ? HYVECTL_DESTROY :
			    HYVECTL_STATS;
			continue;
		}
		v = optval(argc, argv, &i, "--vm", NULL, &m);
		if (m) {
			if (v == NULL)
				return bad(err, errlen, "%s: needs a VM name",
				    "--vm");
			if (set_name(a, v, err, errlen) < 0)
				return -EINVAL;
			continue;
		}
		return bad(err, errlen, "%s: unknown in bhyvectl form "
		    "(--destroy|--get-stats --vm=NAME)", argv[i]);
	}
	if (!have_cmd)
		return bad(err, errlen, "%s", "--vm needs --destroy or "
		    "--get-stats");
	if (a->name == NULL)
		return bad(err, errlen, "%s", "--destroy/--get-stats need "
		    "--vm=NAME");
	if (a->cmd == HYVECTL_DESTROY)
		a->wait_s = HYVECTL_DESTROY_WAIT_S;
	return 0;
}

static const struct {
	const char *word;
	enum hyvectl_cmd cmd;
} commands[] = {
	{ "list", HYVECTL_LIST },
	{ "ls", HYVECTL_LIST },
	{ "poweroff", HYVECTL_POWEROFF },
	{ "reboot", HYVECTL_REBOOT },
	{ "destroy", HYVECTL_DESTROY },
	{ "console", HYVECTL_CONSOLE },
	{ "stats", HYVECTL_STATS },
	{ "help", HYVECTL_HELP },
};

int
hyvectl_parse_args(int argc, char *const argv[], struct hyvectl_args *a,
    char *err, size_t errlen)
{
	int i = 1;
	bool found = false, m;
	long v;

	memset(a, 0, sizeof(*a));
	a->cmd = HYVECTL_HELP;
	a->run_base = CTL_RUN_BASE;
	a->timeout_ms = HYVECTL_TIMEOUT_MS;
	a->linger_ms = HYVECTL_LINGER_MS;
	err[0] = '\0';

	/* Global options. */
	for (; i < argc; i++) {
		const char *s;

		s = optval(argc, argv, &i, "--run-dir", "-r", &m);
		if (m) {
			if (s == NULL || s[0] != '/')
				return bad(err, errlen, "%s: needs an absolute "
				    "directory", "--run-dir");
			a->run_base = s;
			continue;
		}
		s = optval(argc, argv, &i, "--timeout", "-t", &m);
		if (m) {
			if (num(s, 1, 600, &v) < 0)
				return bad(err, errlen, "--timeout %s: give "
				    "1-600 seconds", s ? s : "");
			a->timeout_ms = (int)v * 1000;
			continue;
		}
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			a->cmd = HYVECTL_HELP;
			return 0;
		}
		break;
	}
	if (i >= argc)
		return bad(err, errlen, "%s", "no command (try: hyvectl help)");
	if (strncmp(argv[i], "--", 2) == 0)
		return parse_bhyvectl(argc, argv, i, a, err, errlen);

	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (strcmp(argv[i], commands[k].word) == 0) {
			a->cmd = commands[k].cmd;
			found = true;
		}
	if (!found)
		return bad(err, errlen, "unknown command \"%s\" (try: hyvectl "
		    "help)", argv[i]);
	if (a->cmd == HYVECTL_DESTROY)
		a->wait_s = HYVECTL_DESTROY_WAIT_S;

	for (i++; i < argc; i++) {
		const char *arg = argv[i], *s;

		if (arg[0] != '-' || strcmp(arg, "-") == 0) {
			if (a->cmd == HYVECTL_LIST || a->cmd == HYVECTL_HELP)
				return bad(err, errlen, "%s: this command "
				    "takes no VM", arg);
			if (set_name(a, arg, err, errlen) < 0)
				return -EINVAL;
			continue;
		}
		if (strcmp(arg, "--json") == 0 &&
		    (a->cmd == HYVECTL_LIST || a->cmd == HYVECTL_STATS)) {
			a->json = true;
			continue;
		}
		if (a->cmd == HYVECTL_POWEROFF || a->cmd == HYVECTL_DESTROY) {
			if (strcmp(arg, "--wait") == 0) {
				/* --wait alone: up to a minute. */
				a->wait_s = HYVECTL_DESTROY_WAIT_S * 6;
				continue;
			}
			s = optval(argc, argv, &i, "--wait", "-w", &m);
			if (m) {
				if (num(s, 0, HYVECTL_MAX_WAIT_S, &v) < 0)
					return bad(err, errlen, "--wait %s: "
					    "give 0-3600 seconds", s ? s : "");
				a->wait_s = (int)v;
				continue;
			}
		}
		if (a->cmd == HYVECTL_CONSOLE) {
			if (strcmp(arg, "-q") == 0 ||
			    strcmp(arg, "--quiet") == 0) {
				a->quiet = true;
				continue;
			}
			s = optval(argc, argv, &i, "--linger", "-l", &m);
			if (m) {
				if (num(s, 0, 600000, &v) < 0)
					return bad(err, errlen, "--linger %s: "
					    "give 0-600000 ms", s ? s : "");
				a->linger_ms = (int)v;
				continue;
			}
		}
		return bad(err, errlen, "%s: unknown option for this command",
		    arg);
	}
	if (a->cmd != HYVECTL_LIST && a->cmd != HYVECTL_HELP &&
	    a->name == NULL)
		return bad(err, errlen, "%s", "which VM? (give its name)");
	return 0;
}
