/*
 * gate: the start gate of hyve's input threads (see gate.h).
 *
 * Must never let a waiter through before gate_release(), nor make one
 * wait on a gate that was never held.
 */
#include "vmm/gate.h"

#include <errno.h>
#include <stddef.h>

int gate_hold(struct gate *g)
{
	int r;

	if (g == NULL || g->held)
		return -EINVAL;
	if ((r = pthread_mutex_init(&g->lock, NULL)) != 0)
		return -r;
	if ((r = pthread_cond_init(&g->cv, NULL)) != 0) {
		pthread_mutex_destroy(&g->lock);
		return -r;
	}
	g->state = 0;
	/* Read by the waiters without the lock: set before the threads
	 * that read it are created (pthread_create orders it). */
	g->held = true;
	return 0;
}

void gate_release(struct gate *g, int status)
{
	if (g == NULL || !g->held)
		return;
	pthread_mutex_lock(&g->lock);
	if (g->state == 0)
		g->state = status < 0 ? status : 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->lock);
}

int gate_wait(struct gate *g)
{
	int s;

	if (g == NULL || !g->held)
		return 0;
	pthread_mutex_lock(&g->lock);
	while ((s = g->state) == 0)
		pthread_cond_wait(&g->cv, &g->lock);
	pthread_mutex_unlock(&g->lock);
	return s < 0 ? s : 0;
}

void gate_fini(struct gate *g)
{
	if (g == NULL || !g->held)
		return;
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->lock);
	g->held = false;
	g->state = 0;
}
