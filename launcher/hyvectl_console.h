/*
 * hyvectl_console: attach to a VM's serial console, like `cu -l
 * /dev/nmdm0B`.
 *
 * The console is the pty slave that RUNDIR/console points to (hyve-jail
 * keeps the slave open, so what the guest wrote while nobody was attached
 * waits in the pty).  One attach at a time: a POSIX write lock on the
 * pty itself; a second attach is refused with the holder's pid.
 * "~." at the start of a line detaches, "~~" sends one "~", "~?" lists
 * the escapes.  Without a terminal (a script), input is read until its
 * end, then output is copied until the guest has been quiet for linger_ms.
 *
 * Must never open anything the console link points to unless it is a pty
 * slave under /dev/pts (the run directory of a bare hyve belongs to its
 * user, and root may be the one attaching), and never leave the operator's
 * terminal in raw mode.
 */
#ifndef HYVE_HYVECTL_CONSOLE_H
#define HYVE_HYVECTL_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

struct hv_console_opts {
	const char *dir;	/* run directory */
	const char *name;	/* for messages */
	int in_fd, out_fd;	/* normally 0 and 1 */
	bool quiet;		/* no banner, no "detached" line */
	int linger_ms;
};

/* Escape state machine (exported for the tests). */
enum hv_esc_state { HV_ESC_LINE_START, HV_ESC_MID_LINE, HV_ESC_TILDE };
enum hv_esc_action { HV_ESC_NONE, HV_ESC_DETACH, HV_ESC_HELP };
/* Feed n input bytes; bytes for the guest go to out (room for 2n), their
 * count to *nout.  Stops at an action and returns it with *used set. */
enum hv_esc_action hv_esc_feed(enum hv_esc_state *st, const char *in,
    size_t n, char *out, size_t *nout, size_t *used);

/* Check that a console link target is a pty slave path. */
bool hv_console_target_ok(const char *target);

/* 0 when detached, the input ended or the VM went away; -errno with err
 * set otherwise (-EBUSY: attached elsewhere, -ENODEV: no console). */
int hv_console(const struct hv_console_opts *o, char *err, size_t errlen);

#endif
