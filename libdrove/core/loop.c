/* The event loop: libevent's event_base plus a thread-safe queue of posted callbacks. */
#include <stdlib.h>
#include <sys/time.h>
#include <event2/event.h>

#include <drove/loop.h>
#include "core/internal.h"
#include "core/loop_internal.h"

struct posted {
	struct posted *next;
	drove_loop_fn fn;
	void *userdata;
};

struct timer {
	struct timer *prev, *next;
	struct event *ev;
	drove_loop *loop;
	drove_loop_fn fn;
	void *userdata;
};

struct drove_loop {
	drove_ctx *ctx;
	struct timer *timers; /* pending one-shot timers, freed with the loop */
	struct event_base *base;
	struct event *wake; /* activated from any thread to drain `head` */
	pthread_mutex_t lock;
	struct posted *head, *tail;
	int stop; /* a drove_loop_stop() not yet consumed by a run (atomic) */
};

/* Consume a pending stop request: 1 if there was one. */
static int take_stop(drove_loop *loop)
{
	return __atomic_exchange_n(&loop->stop, 0, __ATOMIC_ACQ_REL);
}

static void drain(evutil_socket_t fd, short what, void *arg)
{
	drove_loop *loop = arg;
	struct posted *p;

	pthread_mutex_lock(&loop->lock);
	p = loop->head;
	loop->head = loop->tail = NULL;
	pthread_mutex_unlock(&loop->lock);
	while (p) {
		struct posted *next = p->next;
		p->fn(p->userdata);
		free(p);
		p = next;
	}
	/* a stop that raced with the start of a run: libevent clears its break flag when a run
	 * starts, but this wake-up was still pending, so the stop is honoured here */
	if (__atomic_load_n(&loop->stop, __ATOMIC_ACQUIRE))
		event_base_loopbreak(loop->base);
}

int drove_loop_new(drove_loop **out, drove_ctx *ctx)
{
	drove_loop *loop;
	int rc;

	DROVE_CHECK_ARG(out && ctx);
	if ((rc = drove__global_init()) < 0)
		return rc;
	if (!(loop = calloc(1, sizeof(*loop))))
		return drove__enomem();
	loop->ctx = ctx;
	pthread_mutex_init(&loop->lock, NULL);
	if (!(loop->base = event_base_new()) ||
	    !(loop->wake = event_new(loop->base, -1, 0, drain, loop))) {
		drove_loop_free(loop);
		return drove__error(DROVE_ERROR, "event loop: libevent could not create a base");
	}
	*out = loop;
	return 0;
}

void drove_loop_free(drove_loop *loop)
{
	struct posted *p;

	if (!loop)
		return;
	while (loop->timers) {
		struct timer *t = loop->timers;
		loop->timers = t->next;
		event_free(t->ev);
		free(t);
	}
	if (loop->wake)
		event_free(loop->wake);
	if (loop->base)
		event_base_free(loop->base);
	for (p = loop->head; p;) {
		struct posted *next = p->next;
		free(p);
		p = next;
	}
	pthread_mutex_destroy(&loop->lock);
	free(loop);
}

int drove_loop_run(drove_loop *loop)
{
	int rc;

	DROVE_CHECK_ARG(loop);
	if (take_stop(loop))
		return 0;
	rc = event_base_loop(loop->base, EVLOOP_NO_EXIT_ON_EMPTY);
	(void)take_stop(loop);
	if (rc < 0)
		return drove__error(DROVE_ERROR, "event loop: dispatch failed");
	return 0;
}

int drove_loop_run_for(drove_loop *loop, int64_t ms)
{
	struct timeval tv;

	int rc;

	DROVE_CHECK_ARG(loop && ms >= 0);
	if (take_stop(loop))
		return 0;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	event_base_loopexit(loop->base, &tv);
	rc = event_base_loop(loop->base, EVLOOP_NO_EXIT_ON_EMPTY);
	(void)take_stop(loop);
	if (rc < 0)
		return drove__error(DROVE_ERROR, "event loop: dispatch failed");
	return 0;
}

void drove_loop_stop(drove_loop *loop)
{
	if (!loop)
		return;
	__atomic_store_n(&loop->stop, 1, __ATOMIC_RELEASE);
	event_base_loopbreak(loop->base);
	event_active(loop->wake, EV_READ, 0);
}

int drove_loop_post(drove_loop *loop, drove_loop_fn fn, void *userdata)
{
	struct posted *p;

	DROVE_CHECK_ARG(loop && fn);
	if (!(p = malloc(sizeof(*p))))
		return drove__enomem();
	p->next = NULL;
	p->fn = fn;
	p->userdata = userdata;
	pthread_mutex_lock(&loop->lock);
	if (loop->tail)
		loop->tail->next = p;
	else
		loop->head = p;
	loop->tail = p;
	pthread_mutex_unlock(&loop->lock);
	event_active(loop->wake, EV_READ, 0);
	return 0;
}

static void timer_unlink(struct timer *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		t->loop->timers = t->next;
	if (t->next)
		t->next->prev = t->prev;
}

static void timer_fire(evutil_socket_t fd, short what, void *arg)
{
	struct timer *t = arg;
	drove_loop_fn fn = t->fn;
	void *userdata = t->userdata;

	timer_unlink(t);
	event_free(t->ev);
	free(t);
	fn(userdata);
}

int drove_loop_after(drove_loop *loop, int64_t ms, drove_loop_fn fn, void *userdata)
{
	struct timeval tv;
	struct timer *t;

	DROVE_CHECK_ARG(loop && fn && ms >= 0);
	if (!(t = calloc(1, sizeof(*t))))
		return drove__enomem();
	t->loop = loop;
	t->fn = fn;
	t->userdata = userdata;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	if (!(t->ev = evtimer_new(loop->base, timer_fire, t)) || evtimer_add(t->ev, &tv) < 0) {
		if (t->ev)
			event_free(t->ev);
		free(t);
		return drove__error(DROVE_ERROR, "event loop: could not add a timer");
	}
	t->next = loop->timers;
	if (t->next)
		t->next->prev = t;
	loop->timers = t;
	return 0;
}

drove_ctx *drove_loop_ctx(const drove_loop *loop)
{
	return loop ? loop->ctx : NULL;
}

struct event_base *drove__loop_base(drove_loop *loop)
{
	return loop->base;
}
