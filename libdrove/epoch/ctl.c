/*
 * The Epoch engine's asynchronous link to the Drove controller (ctl.h): a bounded number of
 * exchanges in flight on the loop's HTTP client, the leader found by pinging the endpoints in
 * turn, and the retry rules of drove_client's blocking request loop (client.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <drove/clock.h>
#include "core/internal.h"
#include "core/loop_internal.h"
#include "epoch/ctl.h"
#include "http/client.h"

#define MOD            "client"
#define NOT_LEADER_MSG "This node is not the leader controller"
#define INFLIGHT_DEF   64
/* No exchange (nor ping) waits longer than this for its answer, whatever operationTimeout
 * says: a controller answers a task operation or status in milliseconds, and an exchange
 * without an answer holds one of the few slots. */
#define DEADLINE_MAX_MS 30000

struct ereq {
	struct ereq *qnext;         /* the queue: waiting for a leader or a slot */
	struct ereq *aprev, *anext; /* every exchange not finished */
	drove__ectl *c;
	char *method, *path, *body;
	int idempotent, attempt, leader_used, urgent;
	int64_t not_before; /* wall ms: not sent before (a CREATE fired ahead of its time) */
	drove__ectl_fn fn;
	void *ud;
	struct event *timer; /* backing off before it is sent again */
	drove__http_req *h;  /* in flight */
	/* in flight: the list in the order sent (so by deadline), and when it is given up */
	struct ereq *iprev, *inext;
	int64_t deadline;
};

struct drove__ectl {
	drove_ctx *ctx;
	drove_loop *loop;
	drove__http_client *hc;
	char **eps;
	size_t neps;
	char *auth;
	drove__ectl_opts o;
	int leader;         /* index into eps, -1 when unknown */
	int64_t checked_ms; /* when the leader was last found (monotonic) */
	/* finding the leader */
	int finding, find_auth, find_timeouts, find_fails;
	size_t find_i;
	drove__buf find_why;
	struct event *find_timer;
	drove__http_req *ping_h;                /* the ping in flight */
	struct event *ping_timer;               /* its deadline */
	struct ereq *qhead[2], *qtail[2], *all; /* queues: [0] urgent, [1] the rest */
	size_t ninflight, npending;
	size_t nqueued[2]; /* waiting in qhead[k] */
	/* the exchanges in flight, oldest first; one timer for the oldest one's deadline */
	struct ereq *ihead, *itail;
	struct event *deadline_timer;
	struct event *hold_timer; /* the urgent queue's head may go (not_before) */
	int64_t deadline_ms;      /* request_ms, at most DEADLINE_MAX_MS */
	size_t max_routine;       /* slots the exchanges that are not urgent may hold */
	int dying;
};

static void pump(drove__ectl *c);

static void req_free(struct ereq *r)
{
	if (r->timer)
		event_free(r->timer);
	free(r->method);
	free(r->path);
	free(r->body);
	free(r);
}

/* The exchange is over: unlinked, reported, freed. */
static void complete(struct ereq *r, int rc, int status, const char *body, size_t len,
                     const char *why, int cancelled)
{
	drove__ectl *c = r->c;
	if (r->aprev)
		r->aprev->anext = r->anext;
	else
		c->all = r->anext;
	if (r->anext)
		r->anext->aprev = r->aprev;
	c->npending--;
	r->fn(rc, status, body ? body : "", len, why ? why : "", cancelled, r->ud);
	req_free(r);
}

static void enqueue(drove__ectl *c, struct ereq *r)
{
	int k = r->urgent ? 0 : 1;
	c->nqueued[k]++;
	r->qnext = NULL;
	if (c->qtail[k])
		c->qtail[k]->qnext = r;
	else
		c->qhead[k] = r;
	c->qtail[k] = r;
}

static struct ereq *dequeue(drove__ectl *c, int k)
{
	struct ereq *r = c->qhead[k];
	if (r) {
		if (!(c->qhead[k] = r->qnext))
			c->qtail[k] = NULL;
		c->nqueued[k]--;
	}
	return r;
}

static int queued(const drove__ectl *c)
{
	return c->qhead[0] || c->qhead[1];
}

static int64_t backoff_ms(const drove__ectl *c, int attempt)
{
	int64_t ms = c->o.backoff_ms;
	for (int i = 0; i < attempt && ms < c->o.max_backoff_ms; i++)
		ms *= 2;
	return ms > c->o.max_backoff_ms ? c->o.max_backoff_ms : ms;
}

static void arm(struct event *ev, int64_t ms)
{
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
	event_add(ev, &tv);
}

/* ---- finding the leader ---- */

static void find_next(drove__ectl *c);

static void on_find_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pump(arg);
}

/* No endpoint answered the ping: every waiting exchange has used one attempt (as a failed
 * drove_client_find_leader in the blocking loop); those out of attempts fail. */
static void find_failed(drove__ectl *c)
{
	char why[DROVE_ERROR_MSG_MAX];
	int rc = c->find_auth                       ? DROVE_EAUTH
	         : c->find_timeouts == (int)c->neps ? DROVE_ETIMEOUT
	                                            : DROVE_EUNAVAIL;
	snprintf(why, sizeof(why), "no leader controller: %s",
	         c->find_why.data ? c->find_why.data : "");
	c->finding = 0;
	c->find_fails++;
	struct ereq *q[2] = {c->qhead[0], c->qhead[1]};
	c->qhead[0] = c->qhead[1] = c->qtail[0] = c->qtail[1] = NULL;
	c->nqueued[0] = c->nqueued[1] = 0;
	for (int k = 0; k < 2; k++)
		while (q[k]) {
			struct ereq *next = q[k]->qnext;
			if (rc == DROVE_EAUTH || q[k]->attempt >= c->o.retries) {
				complete(q[k], rc, 0, NULL, 0, why, 0);
			} else {
				q[k]->attempt++;
				enqueue(c, q[k]); /* after what callbacks queued: order is kept
				                     within */
			}
			q[k] = next;
		}
	if (queued(c) && !c->dying)
		arm(c->find_timer, backoff_ms(c, c->find_fails - 1));
}

static void on_ping(const drove__http_response *resp, void *ud)
{
	drove__ectl *c = ud;
	const char *ep = c->eps[c->find_i];
	c->ping_h = NULL;
	evtimer_del(c->ping_timer);
	if (resp->error == 0 && resp->status == 200) {
		c->finding = 0;
		c->find_fails = 0;
		c->leader = (int)c->find_i;
		c->checked_ms = drove_time_mono_ms();
		drove__debug(c->ctx, MOD, "leader is %s", ep);
		pump(c);
		return;
	}
	if (c->find_why.len)
		drove__buf_puts(&c->find_why, "; ");
	if (resp->error) {
		if (resp->error == DROVE_ETIMEOUT)
			c->find_timeouts++;
		drove__buf_printf(&c->find_why, "%s: %s", ep, resp->errtext);
	} else {
		if (resp->status == 401 || resp->status == 403)
			c->find_auth = 1;
		drove__buf_printf(&c->find_why, "%s: HTTP %d from /apis/v1/ping", ep, resp->status);
	}
	c->find_i++;
	find_next(c);
}

static int send_http(drove__ectl *c, const char *base, const char *method, const char *path,
                     const char *body, drove__http_done_fn fn, void *ud, drove__http_req **h)
{
	const char *hdrs[5];
	size_t n = 0;
	if (c->auth)
		hdrs[n++] = c->auth;
	hdrs[n++] = "Accept: application/json";
	if (body)
		hdrs[n++] = "Content-Type: application/json";
	hdrs[n++] = "Expect:";
	hdrs[n] = NULL;
	char *url = drove__asprintf("%s%s", base, path);
	if (!url)
		return DROVE_ENOMEM;
	drove__http_request rq = {.method = method,
	                          .url = url,
	                          .headers = hdrs,
	                          .body = body,
	                          .body_len = body ? strlen(body) : 0,
	                          .connect_timeout_ms = c->o.connect_ms,
	                          /* curl's own timeout is the backstop of ours */
	                          .timeout_ms = c->deadline_ms + 1000,
	                          .on_done = fn,
	                          .userdata = ud,
	                          .insecure = c->o.insecure,
	                          .ca_file = drove__tls_ca_file()};
	int rc = drove__http_send(c->hc, &rq, h);
	free(url);
	return rc;
}

static void find_next(drove__ectl *c)
{
	if (c->find_i >= c->neps) {
		find_failed(c);
		return;
	}
	if (send_http(c, c->eps[c->find_i], "GET", "/apis/v1/ping", NULL, on_ping, c, &c->ping_h) <
	    0) {
		drove_error_clear();
		c->find_i = c->neps;
		find_failed(c);
		return;
	}
	arm(c->ping_timer, c->deadline_ms);
}

/* What an exchange given up at its deadline reports (as curl's own timeout would). */
static drove__http_response timed_out(const drove__ectl *c, char *text, size_t size)
{
	snprintf(text, size, "no answer in %lld ms", (long long)c->deadline_ms);
	return (drove__http_response){.error = DROVE_ETIMEOUT, .errtext = text, .body = ""};
}

/* The ping is not answered by its deadline (curl's timeout did not end it first). */
static void on_ping_deadline(evutil_socket_t fd, short what, void *arg)
{
	drove__ectl *c = arg;
	char text[64];
	(void)fd;
	(void)what;
	if (!c->ping_h)
		return;
	drove__http_cancel(c->ping_h);
	c->ping_h = NULL;
	drove__http_response resp = timed_out(c, text, sizeof(text));
	on_ping(&resp, c);
}

static void find_start(drove__ectl *c)
{
	c->finding = 1;
	c->find_i = 0;
	c->find_auth = c->find_timeouts = 0;
	drove__buf_reset(&c->find_why);
	find_next(c);
}

/* ---- exchanges ---- */

static void on_backoff(evutil_socket_t fd, short what, void *arg)
{
	struct ereq *r = arg;
	(void)fd;
	(void)what;
	enqueue(r->c, r);
	pump(r->c);
}

/* Out of the in-flight list (its slot is free). */
static void inflight_remove(drove__ectl *c, struct ereq *r)
{
	if (r->iprev)
		r->iprev->inext = r->inext;
	else
		c->ihead = r->inext;
	if (r->inext)
		r->inext->iprev = r->iprev;
	else
		c->itail = r->iprev;
	r->iprev = r->inext = NULL;
	r->h = NULL;
	c->ninflight--;
}

static void on_done(const drove__http_response *resp, void *ud)
{
	struct ereq *r = ud;
	drove__ectl *c = r->c;
	char why[DROVE_ERROR_MSG_MAX];
	int not_leader = resp->error == 0 && resp->status == 400 &&
	                 strstr(resp->body, NOT_LEADER_MSG) != NULL;

	inflight_remove(c, r);
	if (resp->error == 0 && !not_leader) {
		complete(r, 0, resp->status, resp->body, resp->body_len, NULL, 0);
		pump(c);
		return;
	}
	int rc = resp->error == DROVE_ENOMEM     ? DROVE_ENOMEM
	         : resp->error == DROVE_ETIMEOUT ? DROVE_ETIMEOUT
	                                         : DROVE_EUNAVAIL;
	snprintf(why, sizeof(why), "%s: %s", c->eps[r->leader_used],
	         not_leader ? NOT_LEADER_MSG : resp->errtext);
	if (rc != DROVE_ENOMEM) {
		drove__info(c->ctx, MOD, "%s %s: %s; finding the leader again", r->method, r->path,
		            why);
		if (c->leader == r->leader_used)
			c->leader = -1;
	}
	if (rc == DROVE_ENOMEM || (!r->idempotent && !resp->unsent && !not_leader) ||
	    r->attempt >= c->o.retries) {
		/* a CREATE or DELETE that may have reached a controller is not sent twice */
		complete(r, rc, 0, NULL, 0, why, 0);
	} else {
		int64_t ms = backoff_ms(c, r->attempt);
		r->attempt++;
		if (!r->timer)
			r->timer = event_new(drove__loop_base(c->loop), -1, 0, on_backoff, r);
		if (r->timer)
			arm(r->timer, ms);
		else
			enqueue(c, r);
	}
	pump(c);
}

/* The oldest exchanges in flight whose deadline has come are given up (cancelled: their slot
 * is free) and handled as timed out: a GET is sent again, a CREATE is reported (runs.c starts
 * it again on the next poll: "Task already exists" then means it had reached Drove). */
static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	drove__ectl *c = arg;
	char text[64];
	int64_t now = drove_time_mono_ms();
	(void)fd;
	(void)what;
	while (c->ihead && c->ihead->deadline <= now) {
		struct ereq *r = c->ihead;
		drove__http_cancel(r->h);
		drove__http_response resp = timed_out(c, text, sizeof(text));
		on_done(&resp, r); /* may send more (at the tail: later deadlines) */
	}
	if (c->ihead)
		arm(c->deadline_timer, c->ihead->deadline - now);
}

static void dispatch(drove__ectl *c, struct ereq *r)
{
	r->leader_used = c->leader;
	if (send_http(c, c->eps[c->leader], r->method, r->path, r->body, on_done, r, &r->h) < 0) {
		char why[DROVE_ERROR_MSG_MAX];
		snprintf(why, sizeof(why), "%s", drove_error_last()->message);
		drove_error_clear();
		complete(r, DROVE_ENOMEM, 0, NULL, 0, why, 0);
		return;
	}
	c->ninflight++;
	r->deadline = drove_time_mono_ms() + c->deadline_ms;
	r->inext = NULL;
	r->iprev = c->itail;
	if (c->itail)
		c->itail->inext = r;
	else
		c->ihead = r;
	c->itail = r;
	if (!evtimer_pending(c->deadline_timer, NULL))
		arm(c->deadline_timer, c->deadline_ms);
}

/* The next exchange to send: an urgent one whenever a slot is free (once its `not_before`
 * has come: the urgent queue is in that order, a tick's CREATEs after the earlier ones),
 * another only while fewer than `max_routine` are in flight (unanswered polls and deletes
 * never hold every slot a task CREATE needs). */
static struct ereq *next_to_send(drove__ectl *c)
{
	if (c->ninflight >= c->o.max_inflight)
		return NULL;
	struct ereq *u = c->qhead[0];
	if (u && u->not_before) {
		int64_t wait = u->not_before - drove_time_wall_ms();
		if (wait > 0) {
			if (!evtimer_pending(c->hold_timer, NULL))
				arm(c->hold_timer, wait);
			u = NULL; /* held: the others may go meanwhile */
		}
	}
	if (u)
		return dequeue(c, 0);
	if (c->qhead[1] && c->ninflight < c->max_routine)
		return dequeue(c, 1);
	return NULL;
}

static void on_hold(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pump(arg);
}

static void pump(drove__ectl *c)
{
	if (c->dying)
		return;
	if (c->leader >= 0 && c->o.check_ms > 0 &&
	    drove_time_mono_ms() - c->checked_ms >= c->o.check_ms)
		c->leader = -1; /* asked again before the next exchange, as the workers did */
	if (c->leader < 0) {
		if (queued(c) && !c->finding && !evtimer_pending(c->find_timer, NULL))
			find_start(c);
		return;
	}
	struct ereq *r;
	while (c->leader >= 0 && (r = next_to_send(c)))
		dispatch(c, r);
}

int drove__ectl_send(drove__ectl *c, const char *method, const char *path, const char *body,
                     int urgent, drove__ectl_fn fn, void *userdata)
{
	return drove__ectl_send_at(c, method, path, body, urgent, 0, fn, userdata);
}

int drove__ectl_send_at(drove__ectl *c, const char *method, const char *path, const char *body,
                        int urgent, int64_t not_before, drove__ectl_fn fn, void *userdata)
{
	DROVE_CHECK_ARG(c && method && path && fn);
	if (c->dying)
		return drove__error(DROVE_EUNAVAIL, "the controller link is closing");
	struct ereq *r = calloc(1, sizeof(*r));
	if (!r || !(r->method = strdup(method)) || !(r->path = strdup(path)) ||
	    (body && !(r->body = strdup(body)))) {
		if (r)
			req_free(r);
		return drove__enomem();
	}
	r->c = c;
	r->fn = fn;
	r->ud = userdata;
	r->idempotent = strcmp(method, "GET") == 0;
	r->urgent = urgent ? 1 : 0;
	r->not_before = r->urgent ? not_before : 0;
	r->anext = c->all;
	if (c->all)
		c->all->aprev = r;
	c->all = r;
	c->npending++;
	enqueue(c, r);
	pump(c);
	return 0;
}

size_t drove__ectl_pending(const drove__ectl *c)
{
	return c ? c->npending : 0;
}

size_t drove__ectl_queued(const drove__ectl *c, int urgent)
{
	return c ? c->nqueued[urgent ? 0 : 1] : 0;
}

size_t drove__ectl_inflight(const drove__ectl *c)
{
	return c ? c->ninflight : 0;
}

int drove__ectl_new(drove__ectl **out, drove_ctx *ctx, drove_loop *loop, const drove__ectl_opts *o)
{
	DROVE_CHECK_ARG(out && ctx && loop && o);
	size_t n = drove_strlist_count(o->endpoints);
	if (!n)
		return drove__error(DROVE_EINVAL, "drove.endpoints: no controller endpoint");
	drove__ectl *c = calloc(1, sizeof(*c));
	if (!c)
		return drove__enomem();
	c->ctx = ctx;
	c->loop = loop;
	c->o = *o;
	c->o.endpoints = NULL;
	c->o.auth = NULL;
	if (!c->o.max_inflight)
		c->o.max_inflight = INFLIGHT_DEF;
	c->max_routine = c->o.max_inflight - c->o.max_inflight / 4;
	if (!c->max_routine)
		c->max_routine = 1;
	c->deadline_ms = c->o.request_ms > 0 && c->o.request_ms < DEADLINE_MAX_MS ? c->o.request_ms
	                                                                          : DEADLINE_MAX_MS;
	c->leader = -1;
	c->find_why = (drove__buf)DROVE_BUF_INIT;
	if (!(c->eps = calloc(n, sizeof(*c->eps))) || (o->auth && !(c->auth = strdup(o->auth))))
		goto nomem;
	for (; c->neps < n; c->neps++) {
		const char *ep = drove_strlist_get(o->endpoints, c->neps);
		size_t len = strlen(ep);
		while (len > 8 && ep[len - 1] == '/')
			len--;
		if (!(c->eps[c->neps] = strndup(ep, len)))
			goto nomem;
	}
	if (!(c->find_timer = event_new(drove__loop_base(loop), -1, 0, on_find_timer, c)) ||
	    !(c->ping_timer = evtimer_new(drove__loop_base(loop), on_ping_deadline, c)) ||
	    !(c->deadline_timer = evtimer_new(drove__loop_base(loop), on_deadline, c)) ||
	    !(c->hold_timer = evtimer_new(drove__loop_base(loop), on_hold, c)))
		goto nomem;
	int rc = drove__http_client_new(&c->hc, loop);
	if (rc < 0) {
		drove__ectl_free(c);
		return rc;
	}
	*out = c;
	return 0;
nomem:
	drove__ectl_free(c);
	return drove__enomem();
}

void drove__ectl_free(drove__ectl *c)
{
	if (!c)
		return;
	c->dying = 1;
	drove__http_client_free(c->hc); /* in flight: cancelled, no callback */
	c->hc = NULL;
	while (c->all)
		complete(c->all, DROVE_EUNAVAIL, 0, NULL, 0, "Epoch is stopping", 1);
	c->ihead = c->itail = NULL; /* cancelled with the client */
	c->ping_h = NULL;
	if (c->find_timer)
		event_free(c->find_timer);
	if (c->hold_timer)
		event_free(c->hold_timer);
	if (c->ping_timer)
		event_free(c->ping_timer);
	if (c->deadline_timer)
		event_free(c->deadline_timer);
	for (size_t i = 0; i < c->neps; i++)
		free(c->eps[i]);
	free(c->eps);
	free(c->auth);
	drove__buf_free(&c->find_why);
	free(c);
}
