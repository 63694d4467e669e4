/*
 * The Epoch engine's link to the Drove controller (internal; ctl.c): asynchronous requests
 * over the loop's HTTP client (libcurl multi on libevent), with at most `max_inflight` in
 * flight and the rest queued in order. Leader tracking and retries are those of drove_client
 * (client.c): the leader is found by GET /apis/v1/ping on each endpoint in turn (again every
 * `check_ms`, and after a transport error or a "not the leader" answer); a failed exchange is
 * sent again after a bounded backoff up to `retries` times, except a non-GET that may have
 * reached a controller (sent, and not refused as "not the leader"): never twice.
 * Every exchange and ping has a deadline (`request_ms`, at most 30 s): one not answered by
 * then is cancelled, its slot freed, and it ends as DROVE_ETIMEOUT (a GET is retried as
 * above). Exchanges that are not `urgent` hold at most three quarters of the slots, so task
 * CREATEs always find one even when polls and deletes go unanswered.
 *
 * Threads: the loop's only. Every callback runs later on the loop, never inside a call here.
 */
#ifndef DROVE_EPOCH_CTL_H
#define DROVE_EPOCH_CTL_H

#include <stddef.h>
#include <stdint.h>

#include <drove/loop.h>
#include <drove/strlist.h>

typedef struct drove__ectl drove__ectl;

/* A finished exchange. rc 0: the controller answered `status` with `body` (any status); else
 * a transport error (DROVE_EUNAVAIL, DROVE_ETIMEOUT, DROVE_EAUTH, DROVE_ENOMEM ...) described
 * by `why`. `cancelled` 1: the link is being freed (rc DROVE_EUNAVAIL). */
typedef void (*drove__ectl_fn)(int rc, int status, const char *body, size_t len, const char *why,
                               int cancelled, void *userdata);

typedef struct drove__ectl_opts {
	const drove_strlist *endpoints; /* "http(s)://host:port" */
	const char *auth;               /* whole "Authorization: ..." line, or NULL */
	int insecure;
	int64_t connect_ms, request_ms; /* request_ms: the deadline (0 or over 30 s: 30 s) */
	int retries;
	int64_t backoff_ms, max_backoff_ms;
	int64_t check_ms;    /* 0: the leader is asked again only after a failure */
	size_t max_inflight; /* 0: 64 */
} drove__ectl_opts;

/* @return 0, DROVE_EINVAL (no endpoint) or DROVE_ENOMEM. */
int drove__ectl_new(drove__ectl **out, drove_ctx *ctx, drove_loop *loop, const drove__ectl_opts *o);
/* Queue `method path` with `body` (JSON, copied; NULL for none); an `urgent` one (a task
 * CREATE: its lateness is what Epoch promises) is sent before every other one queued, in
 * order among themselves. @return 0 (the callback runs
 * later, once), DROVE_EUNAVAIL (the link is being freed) or DROVE_ENOMEM (no callback then). */
int drove__ectl_send(drove__ectl *c, const char *method, const char *path, const char *body,
                     int urgent, drove__ectl_fn fn, void *userdata);
/* The same, an `urgent` one not sent before wall time `not_before` (ms; 0: at once): a task
 * CREATE fired ahead of its scheduled time waits for it. Urgent exchanges go in the order
 * queued, so one held holds the urgent ones queued after it (the others still go). */
int drove__ectl_send_at(drove__ectl *c, const char *method, const char *path, const char *body,
                        int urgent, int64_t not_before, drove__ectl_fn fn, void *userdata);
/* Exchanges queued or in flight. */
size_t drove__ectl_pending(const drove__ectl *c);
/* Exchanges waiting for a slot (not sent yet): the `urgent` ones, or the others. */
size_t drove__ectl_queued(const drove__ectl *c, int urgent);
/* Exchanges in flight (the slots taken, at most max_inflight). */
size_t drove__ectl_inflight(const drove__ectl *c);
/* Every exchange not finished gets its callback with `cancelled` 1, then the link goes.
 * NULL is fine. */
void drove__ectl_free(drove__ectl *c);

#endif
