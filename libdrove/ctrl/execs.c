/* Executors: snapshots and reports (docs/protocol.md), liveness, blacklisting, and messages
 * to executors with retries and the leader's term. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <drove/clock.h>
#include <drove/ids.h>

#include "core/loop_internal.h"
#include "ctrl/ctrl.h"
#include "http/client.h"

#define MOD "ctrl"

/* How much older than a snapshot a soft lock may be and still be kept (see sched_update). */
#define SOFT_LOCK_MARGIN_MS 3000

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

static void exec_free(drove__ctrl_exec *e)
{
	if (e) {
		drove__node_data_free(e->nd);
		free(e->id);
		free(e);
	}
}

void drove__ctrl_execs_clear(drove_controller *c)
{
	for (size_t i = 0; i < c->n_execs; i++)
		exec_free(c->execs[i]);
	free(c->execs);
	c->execs = NULL;
	c->n_execs = c->cap_execs = 0;
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

static void exec_event(drove_controller *c, int type, const drove__ctrl_exec *e)
{
	drove_event *ev = drove__ctrl_event_new(c->ctx, type);
	char port[16];
	if (!ev)
		return;
	drove_strmap_set(ev->metadata, "EXECUTOR_ID", e->id);
	if (type != DROVE_EVENT_EXECUTOR_REMOVED && e->nd) {
		snprintf(port, sizeof(port), "%d", e->nd->port);
		if (e->nd->hostname)
			drove_strmap_set(ev->metadata, "HOSTNAME", e->nd->hostname);
		drove_strmap_set(ev->metadata, "PORT", port);
	}
	drove__ctrl_publish(c, ev);
}

static void sched_update(drove_controller *c, drove__ctrl_exec *e)
{
	drove_sched_snapshot *snap = NULL;
	if (!c->sched || !e->nd)
		return;
	if (drove__ctrl_sched_snapshot(e->id, e->nd, &snap) < 0) {
		drove__warn(c->ctx, MOD, "executor %s: bad snapshot: %s", e->id,
		            drove_error_last()->message);
		return;
	}
	if (e->ctrl_state >= 0)
		drove_sched_snapshot_set_state(snap, e->ctrl_state);
	/* Soft locks stamped before a snapshot are dropped by the scheduler; a START sent just
	 * before the executor took the snapshot may not have reached it yet, and its cores would
	 * look free again. Keep the locks a little longer (confirmed ones cost nothing; failed
	 * starts release theirs explicitly). */
	if (e->nd->updated > SOFT_LOCK_MARGIN_MS)
		drove_sched_snapshot_set_time(snap, e->nd->updated - SOFT_LOCK_MARGIN_MS);
	if (drove_sched_executor_update(c->sched, snap) < 0)
		drove__warn(c->ctx, MOD, "executor %s: view not updated: %s", e->id,
		            drove_error_last()->message);
	drove_sched_snapshot_free(snap);
}

/* Takes `nd`. */
static void on_snapshot(drove_controller *c, drove_node_data *nd)
{
	char idbuf[DROVE_UUID_LEN + 1];
	const char *id;
	drove__ctrl_exec *e;
	bool added = false;

	if (nd->state && nd->state->executor_id && *nd->state->executor_id) {
		id = nd->state->executor_id;
	} else if (nd->hostname &&
	           drove_executor_id(nd->hostname, nd->port, idbuf, sizeof(idbuf)) == 0) {
		id = idbuf;
	} else {
		drove__node_data_free(nd);
		return;
	}
	if (!(e = drove__ctrl_exec_find(c, id))) {
		if (!(e = calloc(1, sizeof(*e))) || !(e->id = drove__strdup(id)) ||
		    drove__grow(&c->execs, &c->cap_execs, c->n_execs + 1, sizeof(*c->execs)) < 0) {
			exec_free(e);
			drove__node_data_free(nd);
			return;
		}
		e->ctrl_state = -1;
		c->execs[c->n_execs++] = e;
		added = true;
	} else if (e->removed) {
		e->removed = false;
		e->ctrl_state = -1;
		added = true;
	}
	for (size_t i = 0; i < nd->n_instances; i++)
		drove__ctrl_apply_instance(c, &nd->instances[i]);
	for (size_t i = 0; i < nd->n_tasks; i++)
		drove__ctrl_task_apply(c, &nd->tasks[i]);
	for (size_t i = 0; i < nd->n_service_instances; i++)
		drove__ctrl_lsvc_apply(c, &nd->service_instances[i]);
	drove__node_data_free(e->nd);
	e->nd = nd;
	e->seen_mono = drove_time_mono_ms();
	if (added) {
		drove__info(c->ctx, MOD, "executor %s (%s:%d) added", e->id,
		            nd->hostname ? nd->hostname : "?", nd->port);
		exec_event(c, DROVE_EVENT_EXECUTOR_ADDED, e);
	}
	sched_update(c, e);
	if (added)
		drove__ctrl_lsvc_executor_changed(c, e->id);
}

static void on_report(drove_controller *c, const drove_message *m)
{
	drove__ctrl_exec *e = NULL;

	if (m->snapshot && m->snapshot->executor_id)
		e = drove__ctrl_exec_of(c, m->snapshot->executor_id);
	if (!e && m->instance && m->instance->executor_id)
		e = drove__ctrl_exec_of(c, m->instance->executor_id);
	if (!e && m->task && m->task->executor_id)
		e = drove__ctrl_exec_of(c, m->task->executor_id);
	if (!e && m->ls_instance && m->ls_instance->executor_id)
		e = drove__ctrl_exec_of(c, m->ls_instance->executor_id);
	if (e && m->snapshot) {
		drove_resource_snapshot *rs = NULL;
		if (drove__resource_snapshot_copy(m->snapshot, &rs) == 0) {
			drove__resource_snapshot_free(e->nd->state);
			e->nd->state = rs;
			e->nd->updated = m->header.message_time;
			sched_update(c, e);
		}
		e->seen_mono = drove_time_mono_ms();
	}
	if (m->instance)
		drove__ctrl_apply_instance(c, m->instance);
	if (m->task)
		drove__ctrl_task_apply(c, m->task);
	if (m->ls_instance)
		drove__ctrl_lsvc_apply(c, m->ls_instance);
}

void drove__ctrl_handle_message(drove_controller *c, drove_message *m)
{
	switch (m->type) {
	case DROVE_MSG_EXECUTOR_SNAPSHOT:
		if (m->node_data) {
			on_snapshot(c, m->node_data);
			m->node_data = NULL; /* taken */
		}
		break;
	case DROVE_MSG_INSTANCE_STATE_REPORT:
	case DROVE_MSG_TASK_STATE_REPORT:
	case DROVE_MSG_LOCAL_SERVICE_INSTANCE_STATE_REPORT:
		on_report(c, m);
		break;
	default:
		break;
	}
}

void drove__ctrl_exec_sweep(drove_controller *c)
{
	int64_t now = drove_time_mono_ms(), wall = drove_time_wall_ms();

	for (size_t i = 0; i < c->n_execs; i++) {
		drove__ctrl_exec *e = c->execs[i];
		if (e->removed) {
			if (wall - e->removed_at > 2LL * 24 * 3600 * 1000) {
				exec_free(e);
				memmove(c->execs + i, c->execs + i + 1,
				        (c->n_execs - i - 1) * sizeof(*c->execs));
				c->n_execs--;
				i--;
			}
			continue;
		}
		if (now - e->seen_mono <= c->stale_exec_ms)
			continue;
		drove__warn(c->ctx, MOD, "executor %s: silent for %lld ms: lost", e->id,
		            (long long)(now - e->seen_mono));
		e->removed = true;
		e->removed_at = wall;
		if (c->sched)
			drove_sched_executor_remove(c->sched, e->id);
		exec_event(c, DROVE_EVENT_EXECUTOR_REMOVED, e);
		drove__ctrl_lose_executor_instances(c, e->id);
		/* replace them now rather than at the next reconciliation */
		for (size_t a = 0; a < c->n_apps; a++)
			drove__ctrl_check_app(c, c->apps[a]);
	}
}

/* ---- blacklisting: drain executors in BLACKLIST_REQUESTED ---- */

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

void drove__ctrl_blacklist_tick(drove_controller *c)
{
	for (size_t i = 0; i < c->n_execs; i++) {
		drove__ctrl_exec *e = c->execs[i];
		bool any = false;

		if (e->removed || e->ctrl_state != DROVE_EXECUTOR_BLACKLIST_REQUESTED)
			continue;
		for (size_t a = 0; a < c->n_apps; a++) {
			drove__ctrl_app *app = c->apps[a];
			char **ids = NULL;
			size_t n = 0, cap = 0;
			for (size_t k = 0; k < app->n_insts; k++) {
				drove_instance_info *in = app->insts[k]->info;
				if (in->state != DROVE_INST_HEALTHY ||
				    !drove__streq(in->executor_id, e->id))
					continue;
				any = true;
				if (drove__grow(&ids, &cap, n + 1, sizeof(*ids)) == 0)
					ids[n++] = in->instance_id;
			}
			if (n && app->state == DROVE_APP_RUNNING && !app->job) {
				drove_cluster_op_spec ops = {0};
				int64_t per = drove__ctrl_max_start_ms(app->info->spec) +
				              drove__ctrl_max_stop_ms(app->info->spec);
				int64_t par = c->op_parallelism;
				int64_t rounds = (int64_t)n / par > 1 ? (int64_t)n / par : 1;
				ops.timeout = drove_duration_from_ms(rounds * per);
				ops.has_timeout = true;
				ops.parallelism = (int)par;
				ops.has_parallelism = true;
				drove__info(c->ctx, MOD, "executor %s: moving %zu instances of %s",
				            e->id, n, app->id);
				drove__ctrl_app_set_state(c, app,
				                          DROVE_APP_REPLACE_INSTANCES_REQUESTED);
				drove__ctrl_job_replace(c, app, ids, n, false, &ops);
			}
			free(ids);
		}
		if (!any) {
			e->ctrl_state = DROVE_EXECUTOR_BLACKLISTED;
			if (c->sched)
				drove_sched_executor_set_state(c->sched, e->id,
				                               DROVE_EXECUTOR_BLACKLISTED);
			drove__ctrl_send_simple(c, e->id, DROVE_MSG_BLACKLIST, NULL, 30000);
			drove__ctrl_lsvc_executor_changed(c, e->id);
			exec_event(c, DROVE_EVENT_EXECUTOR_BLACKLISTED, e);
			drove__info(c->ctx, MOD, "executor %s: blacklisted", e->id);
		}
	}
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
	    !(s->hdr_node = drove__asprintf("NodeId: %s", c->hostname)))
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

void drove__ctrl_sends_free(drove_controller *c)
{
	while (c->sends) {
		drove__ctrl_send *s = c->sends;
		if (s->inflight)
			drove__http_cancel(s->inflight);
		send_unlink_free(s);
	}
}
