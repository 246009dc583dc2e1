/*
 * gate: a one-shot start gate for hyve's threads that read peers' input.
 *
 * hyve installs hyve.policy on every thread at once (TSYNC), after the
 * threads exist (a filtered hyve cannot create one).  The threads that
 * read bytes from a peer -- the UART back ends (pty input), the control
 * socket (hyvectl clients), the virtio devices' monitors (helper sockets
 * and eventfds) -- wait here, before their first read or accept, until
 * main has the filter in and opens the gate; if the install fails, main
 * cancels the gate and they return without having read anything.
 *
 * A zeroed struct gate was never held: gate_wait() returns 0 at once, so
 * a module whose caller has no sandbox (unit tests) needs nothing.
 * Waiting takes a mutex and a condition variable (futex), which
 * hyve.policy allows, so the wait behaves the same before and after the
 * filter.  It must never let a waiter through before gate_release().
 */
#ifndef HYVE_VMM_GATE_H
#define HYVE_VMM_GATE_H

#include <pthread.h>
#include <stdbool.h>

struct gate {
	bool held;		/* gate_hold() was called: waiters wait */
	int state;		/* 0 closed, 1 open, < 0 -errno: cancelled */
	pthread_mutex_t lock;
	pthread_cond_t cv;
};

/* Close the gate.  Call before the first thread that waits on it is
 * created, and once.  0 or -errno. */
int gate_hold(struct gate *g);
/*
 * Open the gate (STATUS 0) or cancel it (STATUS -errno): the waiters
 * return STATUS.  Only the first call counts; on a gate never held it
 * does nothing.  Call it before joining a thread that may be waiting.
 */
void gate_release(struct gate *g, int status);
/* Wait until the gate is released: 0 when open (or never held), -errno
 * when cancelled (the caller then returns without reading anything).
 * NULL is a gate never held. */
int gate_wait(struct gate *g);
/* Free what gate_hold() made, once no thread waits any more. */
void gate_fini(struct gate *g);

#endif
