/*
 * cmdline: bhyve(8)'s command line, mapped onto the cfg key tree.
 *
 * Every flag only sets keys, in argv order (later wins; -k loads its file at
 * that point), exactly as bhyve does; the machine is built from the tree, so
 * `-m 512M` and `-o memory.size=512M` are the same thing.  Flags hyve does not
 * implement are refused with a message naming them, never ignored.
 *
 * This code never prints and never exits: main.c reports the error once and
 * prints help when asked to (cmdline_help()).
 */
#ifndef HYVE_CMDLINE_H
#define HYVE_CMDLINE_H

#include <stddef.h>
#include <stdio.h>

struct cfg;

/* What main.c should do after a successful parse. */
enum cmdline_action {
	CMDLINE_RUN,		/* build and run the VM from the tree */
	CMDLINE_HELP,		/* -h: usage on stdout, exit 0 */
	CMDLINE_HELP_PCI,	/* -s help: PCI emulations, exit 0 */
	CMDLINE_HELP_LPC,	/* -l help: LPC devices and back ends, exit 0 */
};

/*
 * Parse argv[1..argc-1] into c.  Options come first (no permutation, like
 * bhyve's getopt), then exactly one VM name (sets "name"); the name may be
 * omitted when a -k file or -o set it.  On error returns -errno (-EINVAL
 * usage, -EEXIST slot taken, -ENOTSUP flag not supported, or a cfg error)
 * with a one-line message in err that names the flag and its argument.
 * Does not call cfg_validate(): main.c does that next, so that errors in
 * keys set by -o/-k are reported the same way.
 */
int cmdline_parse(struct cfg *c, int argc, char *const argv[],
    enum cmdline_action *action, char *err, size_t errlen);

/* Print the text for a CMDLINE_HELP* action (usage, -s help, -l help). */
void cmdline_help(FILE *f, enum cmdline_action action, const char *progname);

#endif
