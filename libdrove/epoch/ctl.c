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

struct ereq {
	struct ereq *qnext;         /* the queue: waiting for a leader or a slot */
	struct ereq *aprev, *anext; /* every exchange not finished */
	drove__ectl *c;
	char *method, *path, *body;
	int idempotent, attempt, leader_used, urgent;
	drove__ectl_fn fn;
	void *ud;
	struct event *timer; /* backing off before it is sent again */
	drove__http_req *h;  /* in flight */
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
	struct ereq *qhead[2], *qtail[2], *all; /* queues: [0] urgent, [1] the rest */
	size_t ninflight, npending;
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
	r->qnext = NULL;
	if (c->qtail[k])
		c->qtail[k]->qnext = r;
	else
		c->qhead[k] = r;
	c->qtail[k] = r;
}

static struct ereq *dequeue(drove__ectl *c)
{
	for (int k = 0; k < 2; k++) {
		struct ereq *r = c->qhead[k];
		if (r) {
			if (!(c->qhead[k] = r->qnext))
				c->qtail[k] = NULL;
			return r;
		}
	}
	return NULL;
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
	                          .timeout_ms = c->o.request_ms,
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
	if (send_http(c, c->eps[c->find_i], "GET", "/apis/v1/ping", NULL, on_ping, c, NULL) < 0) {
		drove_error_clear();
		c->find_i = c->neps;
		find_failed(c);
	}
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

static void on_done(const drove__http_response *resp, void *ud)
{
	struct ereq *r = ud;
	drove__ectl *c = r->c;
	char why[DROVE_ERROR_MSG_MAX];
	int not_leader = resp->error == 0 && resp->status == 400 &&
	                 strstr(resp->body, NOT_LEADER_MSG) != NULL;

	r->h = NULL;
	c->ninflight--;
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
	while (c->ninflight < c->o.max_inflight && c->leader >= 0 && queued(c))
		dispatch(c, dequeue(c));
}

int drove__ectl_send(drove__ectl *c, const char *method, const char *path, const char *body,
                     int urgent, drove__ectl_fn fn, void *userdata)
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
	if (!(c->find_timer = event_new(drove__loop_base(loop), -1, 0, on_find_timer, c)))
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
	if (c->find_timer)
		event_free(c->find_timer);
	for (size_t i = 0; i < c->neps; i++)
		free(c->eps[i]);
	free(c->eps);
	free(c->auth);
	drove__buf_free(&c->find_why);
	free(c);
}
