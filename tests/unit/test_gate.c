/*
 * test_gate: hyve's start gate (vmm/gate.c).  A held gate lets no waiter
 * through until it is released, lets all of them through at once, gives
 * them the cancel status when cancelled, keeps the first release; a gate
 * never held (zeroed, or NULL) does not make anyone wait.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "vmm/gate.h"

#define NWAITERS	4

struct waiter {
	struct gate *g;
	pthread_t thread;
	int passed;		/* atomic: gate_wait() returned */
	int status;		/* what it returned */
};

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void *
waiter_main(void *arg)
{
	struct waiter *w = arg;

	w->status = gate_wait(w->g);
	__atomic_store_n(&w->passed, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void
start_waiters(struct gate *g, struct waiter *w, int n)
{
	for (int i = 0; i < n; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].g = g;
		assert_int_equal(pthread_create(&w[i].thread, NULL,
		    waiter_main, &w[i]), 0);
	}
}

static int
count_passed(const struct waiter *w, int n)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += __atomic_load_n(&w[i].passed, __ATOMIC_SEQ_CST);
	return k;
}

static void
join_waiters(struct waiter *w, int n, int want)
{
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].thread, NULL);
		assert_int_equal(w[i].status, want);
	}
}

/* Zeroed (what a unit test's or a bare struct vm holds) or NULL: no
 * wait; release and fini do nothing. */
static void
test_never_held(void **state)
{
	struct gate g;
	struct waiter w[NWAITERS];

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(gate_wait(&g), 0);
	assert_int_equal(gate_wait(NULL), 0);
	gate_release(&g, -ECANCELED);
	gate_release(NULL, 0);
	assert_int_equal(gate_wait(&g), 0);	/* still not held */
	start_waiters(&g, w, NWAITERS);
	join_waiters(w, NWAITERS, 0);
	gate_fini(&g);
	gate_fini(NULL);
}

/* Held: nobody passes until the release, then everybody does. */
static void
test_hold_then_open(void **state)
{
	struct gate g;
	struct waiter w[NWAITERS];

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(gate_hold(&g), 0);
	assert_int_equal(gate_hold(&g), -EINVAL);	/* once */
	start_waiters(&g, w, NWAITERS);
	sleep_ms(200);
	assert_int_equal(count_passed(w, NWAITERS), 0);
	gate_release(&g, 0);
	join_waiters(w, NWAITERS, 0);
	/* The first release counts: a later cancel does not close it, and
	 * a thread that comes late passes at once. */
	gate_release(&g, -ECANCELED);
	assert_int_equal(gate_wait(&g), 0);
	gate_fini(&g);
	assert_int_equal(gate_wait(&g), 0);	/* fini: not held any more */
}

/* Cancelled: the waiters return the status, and a later open does not
 * let anyone through. */
static void
test_hold_then_cancel(void **state)
{
	struct gate g;
	struct waiter w[NWAITERS];

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(gate_hold(&g), 0);
	start_waiters(&g, w, NWAITERS);
	sleep_ms(100);
	assert_int_equal(count_passed(w, NWAITERS), 0);
	gate_release(&g, -ECANCELED);
	join_waiters(w, NWAITERS, -ECANCELED);
	gate_release(&g, 0);
	assert_int_equal(gate_wait(&g), -ECANCELED);
	gate_fini(&g);
}

/* Released before anyone waits: no wait, the status is kept. */
static void
test_release_before_wait(void **state)
{
	struct gate g;

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(gate_hold(&g), 0);
	gate_release(&g, 0);
	assert_int_equal(gate_wait(&g), 0);
	gate_fini(&g);
	assert_int_equal(gate_hold(&g), 0);	/* held again after fini */
	gate_release(&g, -EPERM);
	assert_int_equal(gate_wait(&g), -EPERM);
	gate_fini(&g);
	assert_int_equal(gate_hold(NULL), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_never_held),
		cmocka_unit_test(test_hold_then_open),
		cmocka_unit_test(test_hold_then_cancel),
		cmocka_unit_test(test_release_before_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
