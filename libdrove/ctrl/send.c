/* Talking to executors, below every kind: finding an executor and its state, and messages to
 * executors with retries and the leader's term (docs/protocol.md). Calls only state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <drove/clock.h>
#include <drove/ids.h>

#include "core/loop_internal.h"
#include "ctrl/mech.h"
#include "http/client.h"

#define MOD "ctrl"

drove__ctrl_exec *drove__ctrl_exec_find(drove_controller *c, const char *id)
{
	for (size_t i = 0; id && i < c->n_execs; i++)
		if (!strcmp(c->execs[i]->id, id))
			return c->execs[i];
	return NULL;
}

drove__ctrl_exec *drove__ctrl_exec_of(drove_controller *c, const char *id)
{
	drove__ctrl_exec *e = drove__ctrl_exec_find(c, id);
	return e && !e->removed ? e : NULL;
}

int drove__ctrl_exec_state(const drove__ctrl_exec *e)
{
	if (e->removed)
		return DROVE_EXECUTOR_REMOVED;
	if (e->ctrl_state >= 0)
		return e->ctrl_state;
	return e->nd && e->nd->has_executor_state ? (int)e->nd->executor_state
	                                          : DROVE_EXECUTOR_ACTIVE;
}

void drove__ctrl_send_simple(drove_controller *c, const char *exec_id, int type,
                             const char *instance_id, int64_t retry_for_ms)
{
	drove__ctrl_exec *e = drove__ctrl_exec_of(c, exec_id);
	drove_message *m;
	if (!e || !(m = calloc(1, sizeof(*m))))
		return;
	m->type = (enum drove_message_type)type;
	if (instance_id && !(m->instance_id = drove__strdup(instance_id))) {
		free(m);
		return;
	}
	drove__ctrl_send_msg(c, e, m, retry_for_ms, NULL, NULL, NULL);
}

/* ---- messages to executors ---- */

struct drove__ctrl_send {
	drove__ctrl_send *prev, *next;
	drove_controller *c;
	char *url;
	char *body;
	size_t len;
	char *hdr_auth, *hdr_node;
	int64_t deadline;
	drove__ctrl_send_fn done;
	void *ud;
	drove__http_req *inflight;
	struct event *retry;
	char *exec_id; /* the executor it goes to */
};

static void send_unlink_free(drove__ctrl_send *s)
{
	drove_controller *c = s->c;
	if (s->prev)
		s->prev->next = s->next;
	else
		c->sends = s->next;
	if (s->next)
		s->next->prev = s->prev;
	if (s->retry)
		event_free(s->retry);
	free(s->url);
	free(s->body);
	free(s->hdr_auth);
	free(s->hdr_node);
	free(s->exec_id);
	free(s);
}

static void send_finish(drove__ctrl_send *s, int status, const char *message)
{
	drove__ctrl_send_fn fn = s->done;
	void *ud = s->ud;
	drove_controller *c = s->c;
	send_unlink_free(s);
	if (fn)
		fn(c, status, message, ud);
}

static void send_now(drove__ctrl_send *s);

static void on_retry(evutil_socket_t fd, short what, void *ud)
{
	(void)fd;
	(void)what;
	send_now(ud);
}

static void on_sent(const drove__http_response *resp, void *ud)
{
	drove__ctrl_send *s = ud;
	drove_message_response *r = NULL;

	s->inflight = NULL;
	if (resp->error == 0 && resp->status == 200 &&
	    drove__message_response_decode(resp->body, resp->body_len, &r) == 0) {
		int st = (int)r->status;
		char *msg = r->message;
		r->message = NULL;
		drove__message_response_free(r);
		send_finish(s, st, msg ? msg : "");
		free(msg);
		return;
	}
	if (drove_time_mono_ms() + 1000 < s->deadline) {
		struct timeval tv = {1, 0};
		if (!s->retry)
			s->retry = evtimer_new(drove__loop_base(s->c->loop), on_retry, s);
		if (s->retry && evtimer_add(s->retry, &tv) == 0)
			return;
	}
	send_finish(s, -1, resp->error ? resp->errtext : resp->body);
}

static void send_now(drove__ctrl_send *s)
{
	const char *headers[] = {"Content-Type: application/json", s->hdr_auth, s->hdr_node, NULL};
	drove__http_request req = {0};

	req.method = "POST";
	req.url = s->url;
	req.headers = headers;
	req.body = s->body;
	req.body_len = s->len;
	req.connect_timeout_ms = 1000;
	req.timeout_ms = 5000;
	req.max_body = 1024 * 1024;
	req.on_done = on_sent;
	req.userdata = s;
	if (drove__http_send(s->c->client, &req, &s->inflight) < 0)
		send_finish(s, -1, drove_error_last()->message);
}

int drove__ctrl_send_msg(drove_controller *c, const drove__ctrl_exec *e, drove_message *m,
                         int64_t retry_for_ms, drove__ctrl_send_fn done, void *userdata,
                         drove__ctrl_send **out)
{
	drove__ctrl_send *s = NULL;
	drove_executor_address *a = NULL;
	int rc = DROVE_ENOMEM;

	if (!c->client || !e->nd) {
		drove__message_free(m);
		return drove__error(DROVE_EUNAVAIL, "executor %s: no address", e->id);
	}
	if (!c->election || !drove_election_is_leader(c->election)) {
		/* leadership is gone (the callback may not have run yet): do not act */
		drove__message_free(m);
		return drove__error(DROVE_EUNAVAIL, "not the leader");
	}
	drove__message_header_init(&m->header, c->ctx, DROVE_SENDER_CONTROLLER, c->term);
	if (!m->address) {
		if (!(a = calloc(1, sizeof(*a))) || !(a->executor_id = drove__strdup(e->id)) ||
		    !(a->hostname =
		              drove__strdup(e->nd->hostname ? e->nd->hostname : "localhost"))) {
			if (a) {
				free(a->executor_id);
				free(a);
			}
			goto fail;
		}
		a->port = e->nd->port;
		a->transport_type = e->nd->transport_type;
		m->address = a;
	}
	if (!(s = calloc(1, sizeof(*s))))
		goto fail;
	s->c = c;
	if ((rc = drove__message_encode(m, &s->body)) < 0)
		goto fail;
	rc = DROVE_ENOMEM;
	s->len = strlen(s->body);
	if (!(s->url = drove__asprintf("%s://%s:%d/apis/v1/messages",
	                               e->nd->transport_type == DROVE_TRANSPORT_HTTPS ? "https"
	                                                                              : "http",
	                               m->address->hostname, m->address->port)) ||
	    !(s->hdr_auth = drove__asprintf("Cluster-Authorization: %s", c->secret)) ||
	    !(s->hdr_node = drove__asprintf("NodeId: %s", c->hostname)) ||
	    !(s->exec_id = drove__strdup(e->id)))
		goto fail;
	drove__message_free(m);
	s->deadline = drove_time_mono_ms() + retry_for_ms;
	s->done = done;
	s->ud = userdata;
	s->next = c->sends;
	if (c->sends)
		c->sends->prev = s;
	c->sends = s;
	if (out)
		*out = s;
	send_now(s); /* may finish (and free s) at once on a local error */
	return 0;
fail:
	drove__message_free(m);
	if (s) {
		free(s->url);
		free(s->body);
		free(s->hdr_auth);
		free(s->hdr_node);
		free(s);
	}
	return rc < 0 ? rc : DROVE_ENOMEM;
}

void drove__ctrl_send_detach(drove__ctrl_send *s)
{
	if (s) {
		s->done = NULL;
		s->ud = NULL;
	}
}

void drove__ctrl_sends_fail_exec(drove_controller *c, const char *exec_id, const char *why)
{
	for (;;) {
		drove__ctrl_send *s = c->sends;
		while (s && !drove__streq(s->exec_id, exec_id))
			s = s->next;
		if (!s)
			return;
		if (s->inflight)
			drove__http_cancel(s->inflight);
		s->inflight = NULL;
		send_finish(s, -1, why); /* its callback may send more, never to this executor */
	}
}

void drove__ctrl_sends_free(drove_controller *c)
{
	while (c->sends) {
		drove__ctrl_send *s = c->sends;
		if (s->inflight)
			drove__http_cancel(s->inflight);
		send_unlink_free(s);
	}
}
