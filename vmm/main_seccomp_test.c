/*
 * main_seccomp_test: hyve-seccomp-test, hyve built with HYVE_SECCOMP_TEST
 * for the lab's seccomp scenarios (tests/lab/scenarios/25-seccomp-*.sh):
 * SIGUSR2 makes its main thread call a system call that hyve.policy does
 * not allow, after the filter is in (see seccomp_test_trigger() in main.c),
 * and HYVE_SECCOMP_TEST_HOLD=N[,fail] holds it before the filter, with
 * every thread at its gate (seccomp_test_hold()).
 *
 * A test tool (TOOLS, never installed): same sources as hyve, only this
 * object differs.  Must never be linked into hyve itself.
 */
#define HYVE_SECCOMP_TEST 1
#include "vmm/main.c"
