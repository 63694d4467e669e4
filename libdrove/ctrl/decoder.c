/* Executor messages are decoded off the loop: a 300-instance EXECUTOR_SNAPSHOT is ~130 KB of
 * JSON and takes ~2 ms to decode, long enough to show in the API's tail latency. One worker
 * thread decodes bodies in arrival order (so reports and snapshots keep their order) and hands
 * the results back to the loop through a libevent user event; the loop applies them and
 * answers the request (DROVE_API.md §8.4: ACCEPTED once queued). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/loop_internal.h"
#include "ctrl/intake.h"
#include "http/server.h"

struct item {
	struct item *next;
	drove__http_req *req;
	char *body;
	size_t len;
	drove_message *m;
	char *error;
};

struct drove__ctrl_decoder {
	drove_controller *c;
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct item *in_head, *in_tail;   /* to decode */
	struct item *out_head, *out_tail; /* decoded, for the loop */
	struct item *busy;                /* being decoded */
	struct event *wake;
	bool quit;
};

static void item_free(struct item *it)
{
	free(it->body);
	drove__message_free(it->m);
	free(it->error);
	free(it);
}

static void push(struct item **head, struct item **tail, struct item *it)
{
	it->next = NULL;
	if (*tail)
		(*tail)->next = it;
	else
		*head = it;
	*tail = it;
}

static void *worker(void *arg)
{
	struct drove__ctrl_decoder *d = arg;
	/* one tokener for the worker's life, reset per message (NULL: a fresh one each time) */
	struct json_tokener *tok = drove__message_tokener_new();
	pthread_mutex_lock(&d->mu);
	for (;;) {
		struct item *it;
		while (!d->quit && !d->in_head)
			pthread_cond_wait(&d->cv, &d->mu);
		if (d->quit)
			break;
		it = d->in_head;
		if (!(d->in_head = it->next))
			d->in_tail = NULL;
		d->busy = it;
		pthread_mutex_unlock(&d->mu);
		if (drove__message_decode_with(tok, it->body, it->len, &it->m) < 0) {
			it->m = NULL;
			it->error = strdup(drove_error_last()->message);
		}
		free(it->body);
		it->body = NULL;
		pthread_mutex_lock(&d->mu);
		d->busy = NULL;
		push(&d->out_head, &d->out_tail, it);
		event_active(d->wake, EV_READ, 0);
	}
	pthread_mutex_unlock(&d->mu);
	drove__message_tokener_free(tok);
	return NULL;
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct drove__ctrl_decoder *d = arg;
	struct item *list;
	(void)fd;
	(void)what;
	pthread_mutex_lock(&d->mu);
	list = d->out_head;
	d->out_head = d->out_tail = NULL;
	pthread_mutex_unlock(&d->mu);
	while (list) {
		struct item *it = list;
		list = it->next;
		drove__ctrl_message_decoded(d->c, it->req, it->m, it->error);
		it->req = NULL;
		item_free(it);
	}
}

int drove__ctrl_decoder_start(drove_controller *c)
{
	struct drove__ctrl_decoder *d = calloc(1, sizeof(*d));
	if (!d)
		return drove__enomem();
	d->c = c;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	if (!(d->wake = event_new(drove__loop_base(c->loop), -1, EV_PERSIST, on_wake, d)) ||
	    pthread_create(&d->thr, NULL, worker, d) != 0) {
		if (d->wake)
			event_free(d->wake);
		pthread_mutex_destroy(&d->mu);
		pthread_cond_destroy(&d->cv);
		free(d);
		return drove__error(DROVE_ERROR, "ctrl: cannot start the decoder thread");
	}
	c->decoder = d;
	return 0;
}

void drove__ctrl_decoder_stop(drove_controller *c)
{
	struct drove__ctrl_decoder *d = c->decoder;
	struct item *lists[2];
	if (!d)
		return;
	pthread_mutex_lock(&d->mu);
	d->quit = true;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->thr, NULL);
	event_free(d->wake);
	lists[0] = d->in_head;
	lists[1] = d->out_head;
	for (int i = 0; i < 2; i++)
		while (lists[i]) {
			struct item *it = lists[i];
			lists[i] = it->next;
			/* the requests are answered (or freed) by the server's own shutdown */
			item_free(it);
		}
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cv);
	free(d);
	c->decoder = NULL;
}

int drove__ctrl_decode_async(drove_controller *c, drove__http_req *req, const char *body,
                             size_t len)
{
	struct drove__ctrl_decoder *d = c->decoder;
	struct item *it;
	if (!d)
		return DROVE_EINVAL;
	if (!(it = calloc(1, sizeof(*it))) || !(it->body = malloc(len + 1))) {
		free(it);
		return drove__enomem();
	}
	memcpy(it->body, body, len);
	it->body[len] = '\0';
	it->len = len;
	it->req = req; /* valid until answered: the decoder stops before the server is freed */
	pthread_mutex_lock(&d->mu);
	push(&d->in_head, &d->in_tail, it);
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	return 0;
}
