/*
 * jail_run: the run directory, the supervisor and the final exec.
 *
 * Must never: leave /run/hyve/NAME behind, or exec anything but the fd
 * opened in jail_res.
 */
#ifndef HYVE_JAIL_RUN_H
#define HYVE_JAIL_RUN_H

#include <stdbool.h>
#include <stddef.h>

struct jail;

/* Step "rundir": /run/hyve/NAME under the run lock, the auto uid. */
int jail_run_dir_make(struct jail *j);
void jail_run_dir_undo(struct jail *j);
void jail_run_dir_plan(struct jail *j);

/* Run the box (restarting it on reboot when asked) until it is done.
 * Returns hyve's exit status (0 reboot, 1 poweroff, 2 halt, 3 triple
 * fault, 4 error).  *in_box is set in the box's process when a box step
 * failed (j->err says why): the caller must then _exit, not clean up.
 * ready_fd >= 0: write one byte there once the first box is started. */
int jail_run_supervise(struct jail *j, int ready_fd, bool *in_box);
void jail_run_plan(struct jail *j);
void jail_run_exec_plan(struct jail *j);

/* Build the VMM's argv from the profile: "-o key=value" for every key but
 * jail.*, with paths of resources replaced by "fd:N".  fdmap: for index i,
 * the fd that becomes i + 3 (-1 = none).  Returns argc or -E2BIG. */
int jail_run_argv(struct jail *j, char **argv, int max, char *strs,
    size_t strslen, int *fdmap, int nfdmap, int *nfds);

#endif
