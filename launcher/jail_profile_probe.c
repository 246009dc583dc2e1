/*
 * jail_profile_probe: jail_profile.c as built into hyve-jail-test only.
 *
 * The sandbox tests run a probe program instead of hyve (jail.exec); the
 * production hyve-jail is built from jail_profile.c without
 * JAIL_TEST_PROBE and refuses that key, so it can exec nothing but hyve.
 * Must never be linked into an installed program.
 */
#define JAIL_TEST_PROBE 1
#include "jail_profile.c"
