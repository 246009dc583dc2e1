/*
 * hyvectl_args: hyvectl's command line, parsed into one struct.
 *
 * Accepts hyvectl's own spelling (`hyvectl [-r DIR] [-t S] COMMAND ...`)
 * and bhyvectl's (`--destroy --vm=NAME`, `--get-stats --vm=NAME`).  It
 * only parses: it opens nothing and prints nothing, so every rule here is
 * unit-tested from argv arrays.
 */
#ifndef HYVE_HYVECTL_ARGS_H
#define HYVE_HYVECTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>

enum hyvectl_cmd {
	HYVECTL_HELP,
	HYVECTL_LIST,
	HYVECTL_POWEROFF,
	HYVECTL_REBOOT,
	HYVECTL_DESTROY,
	HYVECTL_CONSOLE,
	HYVECTL_STATS,
};

#define HYVECTL_TIMEOUT_MS	2000	/* per request */
#define HYVECTL_DESTROY_WAIT_S	10
#define HYVECTL_LINGER_MS	1000	/* console: after end of input */
#define HYVECTL_MAX_WAIT_S	3600

struct hyvectl_args {
	enum hyvectl_cmd cmd;
	const char *name;	/* VM name, or a path with a '/' */
	const char *run_base;	/* -r DIR; default /run/hyve */
	int timeout_ms;		/* -t SECONDS */
	bool json;		/* list, stats */
	int wait_s;		/* poweroff/destroy: -w S; 0 = do not wait */
	bool quiet;		/* console: no banner */
	int linger_ms;		/* console */
};

/* 0, or -EINVAL with err naming the bad argument. */
int hyvectl_parse_args(int argc, char *const argv[], struct hyvectl_args *a,
    char *err, size_t errlen);

/* Is s a VM name hyvectl accepts (also used as a path component)? */
bool hyvectl_name_ok(const char *s);

#endif
