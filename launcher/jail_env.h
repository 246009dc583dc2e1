/*
 * jail_env: step 1 of hyve-jail, a clean process to start from.
 *
 * Must never: keep anything inherited from the caller (environment
 * variables, open fds above stderr, the caller's umask).
 */
#ifndef HYVE_JAIL_ENV_H
#define HYVE_JAIL_ENV_H

struct jail;

int jail_env_run(struct jail *j);
void jail_env_plan(struct jail *j);

#endif
