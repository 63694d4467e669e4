/* Executors: snapshots and reports (docs/protocol.md), liveness, blacklisting, and messages
 * to executors with retries and the leader's term. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <drove/clock.h>
#include <drove/ids.h>

#include "core/loop_internal.h"
#include "ctrl/intake.h"
#include "http/client.h"
#include "http/server.h"
#include "store/store_internal.h"

#define MOD "ctrl"

/* How much older than a snapshot a soft lock may be and still be kept (see sched_update). */
#define SOFT_LOCK_MARGIN_MS 3000

/* ---- liveness pings ---- */

struct drove__ctrl_probe {
	drove_controller *c;
	char *id; /* the executor's, looked up again when the answer comes */
	drove__http_req *req;
	char *url, *hdr_auth, *hdr_node;
	int64_t sent_mono;
};

static void probe_free(struct drove__ctrl_probe *p)
{
	if (!p)
		return;
	free(p->id);
	free(p->url);
	free(p->hdr_auth);
	free(p->hdr_node);
	free(p);
}

static void probe_cancel(drove__ctrl_exec *e)
{
	if (!e->probe)
		return;
	drove__http_cancel(e->probe->req);
	probe_free(e->probe);
	e->probe = NULL;
}

static void exec_free(drove__ctrl_exec *e)
{
	if (e) {
		probe_cancel(e);
		drove__node_data_free(e->nd);
		free(e->view_json);
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
	c->execs_gen++;
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

/* ---- executors known to the leader (recovery) ----
 * In RPC mode nothing in the store says where an executor listens, so a new leader could not
 * ping an executor that its records place instances on but that died before reporting to it:
 * it waited one staleExecutorAge for it. The leader records each executor it adds (its node
 * data without instances) under /knownexecutors/{executorId} and deletes the record when it
 * loses the executor; a new leader loads them as known but silent executors, which report
 * or are lost to its pings within seconds. A libdrove extension of the store's layout. */
#define KNOWN_DIR "/knownexecutors"

static void known_put(drove_controller *c, const drove__ctrl_exec *e)
{
	drove_node_data t = *e->nd; /* shallow: the same without what ran there */
	char *json = NULL, *path = NULL;
	t.instances = NULL;
	t.n_instances = 0;
	t.tasks = NULL;
	t.n_tasks = 0;
	t.service_instances = NULL;
	t.n_service_instances = 0;
	if (!c->store || !c->leader)
		return;
	if (!(path = drove__asprintf(KNOWN_DIR "/%s", e->id)) ||
	    drove__node_data_encode(&t, &json) < 0 ||
	    drove__store_put_async(c->store, path, json, strlen(json), DROVE_STORE_PERSISTENT, NULL,
	                           NULL) < 0) {
		drove__warn(c->ctx, MOD, "executor %s: not recorded as known: %s", e->id,
		            drove_error_last()->message);
		drove_error_clear();
	}
	free(json);
	free(path);
}

static void known_delete(drove_controller *c, const drove__ctrl_exec *e)
{
	char *path;
	if (!c->store || !(path = drove__asprintf(KNOWN_DIR "/%s", e->id)))
		return;
	if (drove_store_delete_async(c->store, path, -1, NULL, NULL) < 0)
		drove_error_clear();
	free(path);
}

static void on_snapshot(drove_controller *c, drove_node_data *nd, bool record);

void drove__ctrl_execs_load_known(drove_controller *c)
{
	drove_strlist *ids = NULL;
	char **paths = NULL;
	struct drove__store_many *l = NULL;
	size_t n;

	if (!c->store || drove_store_children(c->store, KNOWN_DIR, &ids) < 0) {
		drove_error_clear(); /* none recorded yet */
		return;
	}
	n = drove_strlist_count(ids);
	if (!(paths = calloc(n ? n : 1, sizeof(*paths))))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!(paths[i] = drove__asprintf(KNOWN_DIR "/%s", drove_strlist_get(ids, i))))
			goto out;
	/* one pipeline for all (a new leader's load, engine.c) */
	if (drove__store_get_many(c->store, (const char *const *)paths, n, &l) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const char *id = drove_strlist_get(ids, i);
		drove_node_data *nd = NULL;
		drove__ctrl_exec *e;
		if (l->item[i].rc == 0 && drove__node_data_decode(l->item[i].data, l->item[i].len,
		                                                  0, &nd, NULL, NULL) == 0) {
			if (!(e = drove__ctrl_exec_find(c, id))) {
				on_snapshot(c, nd, false); /* takes it */
				e = drove__ctrl_exec_find(c, id);
			} else {
				drove__node_data_free(nd);
			}
			/* known, but it has not reported to this leader yet */
			if (e && e->seen_mono >= c->acquired_mono)
				e->seen_mono = c->acquired_mono - 1;
		}
	}
out:
	drove_error_clear();
	for (size_t i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
	drove__store_many_free(l);
	drove_strlist_free(ids);
}

/* Takes `nd`; `record`: remember a new executor in the store (known_put). */
/* 1 when an executor list shows `a` and `b` alike (GET /cluster/executors: host, port,
 * transport, tags, the state it reports, core and memory totals): a snapshot that changes
 * none of these keeps the cached list (vcache.c). */
static bool same_view(const drove_node_data *a, const drove_node_data *b)
{
	int64_t x[4], y[4];

	if (!a || !b || !drove__streq(a->hostname, b->hostname) || a->port != b->port ||
	    a->transport_type != b->transport_type || a->n_tags != b->n_tags ||
	    a->has_executor_state != b->has_executor_state ||
	    (a->has_executor_state && a->executor_state != b->executor_state))
		return false;
	for (size_t i = 0; i < a->n_tags; i++)
		if (!drove__streq(a->tags[i], b->tags[i]))
			return false;
	drove__ctrl_node_totals(a, &x[0], &x[1], &x[2], &x[3]);
	drove__ctrl_node_totals(b, &y[0], &y[1], &y[2], &y[3]);
	return !memcmp(x, y, sizeof(x));
}

static void on_snapshot(drove_controller *c, drove_node_data *nd, bool record)
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
		e->probe_hash = drove__ctrl_id_hash(e->id);
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
	if (added || !same_view(e->nd, nd))
		drove__ctrl_exec_changed(c, e);
	drove__node_data_free(e->nd);
	e->nd = nd;
	e->seen_mono = drove_time_mono_ms();
	if (added) {
		drove__info(c->ctx, MOD, "executor %s (%s:%d) added", e->id,
		            nd->hostname ? nd->hostname : "?", nd->port);
		exec_event(c, DROVE_EVENT_EXECUTOR_ADDED, e);
		if (record)
			known_put(c, e);
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
			int64_t before[4], after[4];
			drove__ctrl_node_totals(e->nd, &before[0], &before[1], &before[2],
			                        &before[3]);
			drove__resource_snapshot_free(e->nd->state);
			e->nd->state = rs;
			e->nd->updated = m->header.message_time;
			drove__ctrl_node_totals(e->nd, &after[0], &after[1], &after[2], &after[3]);
			if (memcmp(before, after, sizeof(before)))
				drove__ctrl_exec_changed(c, e);
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
			on_snapshot(c, m->node_data, true);
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

/* The executor is gone: its instances everywhere become LOST and are replaced at once. */
static void exec_lost(drove_controller *c, drove__ctrl_exec *e, const char *why)
{
	drove__warn(c->ctx, MOD, "executor %s: %s: lost", e->id, why);
	probe_cancel(e);
	e->removed = true;
	e->removed_at = drove_time_wall_ms();
	drove__ctrl_exec_changed(c, e);
	e->probe_fails = 0;
	if (c->sched)
		drove_sched_executor_remove(c->sched, e->id);
	drove__ctrl_sends_fail_exec(c, e->id, "executor lost");
	known_delete(c, e);
	exec_event(c, DROVE_EVENT_EXECUTOR_REMOVED, e);
	drove__ctrl_apps_executor_lost(c, e->id);
	drove__ctrl_tasks_executor_lost(c, e->id);
	drove__ctrl_lsvc_executor_lost(c, e->id);
	/* replace them now rather than at the next reconciliation */
	for (size_t a = 0; a < c->n_apps; a++)
		drove__ctrl_check_app(c, c->apps[a]);
}

void drove__ctrl_exec_sweep(drove_controller *c)
{
	int64_t now = drove_time_mono_ms(), wall = drove_time_wall_ms();

	for (size_t i = 0; i < c->n_execs; i++) {
		drove__ctrl_exec *e = c->execs[i];
		char why[64];
		if (e->removed) {
			if (wall - e->removed_at > 2LL * 24 * 3600 * 1000) {
				exec_free(e);
				memmove(c->execs + i, c->execs + i + 1,
				        (c->n_execs - i - 1) * sizeof(*c->execs));
				c->n_execs--;
				c->execs_gen++;
				i--;
			}
			continue;
		}
		if (now - e->seen_mono <= c->stale_exec_ms)
			continue;
		snprintf(why, sizeof(why), "silent for %lld ms", (long long)(now - e->seen_mono));
		exec_lost(c, e, why);
	}
}

static void on_probe(const drove__http_response *resp, void *ud)
{
	struct drove__ctrl_probe *p = ud;
	drove_controller *c = p->c;
	drove__ctrl_exec *e = drove__ctrl_exec_of(c, p->id);
	int64_t sent;

	if (!e || e->probe != p) { /* cannot happen: a removed or freed executor cancels it */
		probe_free(p);
		return;
	}
	e->probe = NULL;
	sent = p->sent_mono;
	probe_free(p);
	/* any HTTP answer (even 401) proves the executor's loop is alive */
	if (!resp->error && resp->status > 0) {
		e->probe_fails = 0;
		return;
	}
	if (e->probe_fails++ == 0)
		e->probe_fail_since = sent;
	if (e->probe_fails < c->probe_failures || !c->leader)
		return;
	/* a message that arrived after the first failed ping was sent also proves it alive (a
	 * message from just before it proves nothing: comparing with "now - failures × interval"
	 * instead let the last snapshot before a kill -9 cost another round of pings) */
	if (e->seen_mono >= e->probe_fail_since) {
		e->probe_fails = 0;
		return;
	}
	{
		char why[96];
		snprintf(why, sizeof(why), "%d pings in a row failed", e->probe_fails);
		exec_lost(c, e, why);
	}
}

static void probe_one(drove_controller *c, drove__ctrl_exec *e)
{
	struct drove__ctrl_probe *p = calloc(1, sizeof(*p));
	const char *headers[3];
	drove__http_request req = {0};

	if (!p || !(p->id = drove__strdup(e->id)) ||
	    !(p->url = drove__asprintf(
	              "%s://%s:%d/apis/v1/ping",
	              e->nd->transport_type == DROVE_TRANSPORT_HTTPS ? "https" : "http",
	              e->nd->hostname ? e->nd->hostname : "localhost", e->nd->port)) ||
	    !(p->hdr_auth = drove__asprintf("Cluster-Authorization: %s", c->secret)) ||
	    !(p->hdr_node = drove__asprintf("NodeId: %s", c->hostname))) {
		probe_free(p);
		return;
	}
	p->c = c;
	p->sent_mono = drove_time_mono_ms();
	headers[0] = p->hdr_auth;
	headers[1] = p->hdr_node;
	headers[2] = NULL;
	req.url = p->url;
	req.headers = headers;
	/* an answer later than the next ping is as good as none */
	req.connect_timeout_ms = c->probe_ms;
	req.timeout_ms = c->probe_ms;
	req.max_body = 4096;
	req.on_done = on_probe;
	req.userdata = p;
	if (drove__http_send(c->client, &req, &p->req) < 0) {
		drove_error_clear();
		probe_free(p);
		return;
	}
	e->probe = p;
}

int64_t drove__ctrl_probe_offset(uint64_t hash, int64_t interval_ms)
{
	return interval_ms > 0 ? (int64_t)(hash % (uint64_t)interval_ms) : 0;
}

bool drove__ctrl_probe_due(int64_t offset, int64_t last, int64_t now, int64_t interval_ms)
{
	int64_t k, at;

	if (interval_ms <= 0 || now <= last)
		return false;
	if (now - last >= interval_ms)
		return true;
	/* the latest t <= now with t = offset (mod interval), floor division for now < offset */
	k = now - offset;
	k = (k >= 0 ? k : k - interval_ms + 1) / interval_ms;
	at = k * interval_ms + offset;
	return at > last;
}

void drove__ctrl_exec_probe_tick(drove_controller *c)
{
	int64_t now = drove_time_mono_ms(), last = c->probe_last_mono;

	c->probe_last_mono = now;
	if (!last || !c->leader || c->probe_ms <= 0 || drove__ctrl_in_window(c))
		return;
	for (size_t i = 0; i < c->n_execs; i++) {
		drove__ctrl_exec *e = c->execs[i];
		if (!e->removed && !e->probe && e->nd && e->nd->port > 0 &&
		    drove__ctrl_probe_due(drove__ctrl_probe_offset(e->probe_hash, c->probe_ms),
		                          last, now, c->probe_ms))
			probe_one(c, e);
	}
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
				drove_duration_from_ms(rounds * per, &ops.timeout);
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
			drove__ctrl_exec_changed(c, e);
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

/* ---- the intake of executors' messages (the decoder hands them here) ---- */

void drove__ctrl_message_decoded(drove_controller *c, drove__http_req *req, drove_message *m,
                                 const char *error)
{
	drove_message_response r = {0};
	char *out = NULL;

	if (!m) {
		drove_strlist *e = NULL;
		drove_strlist_new(&e);
		drove_strlist_add(e, error ? error : "bad message");
		drove__ctrl_reply_json_errors(req, e);
		drove_strlist_free(e);
		return;
	}
	r.header = m->header;
	if (!drove_controller_is_leader(c)) {
		r.status = DROVE_MSG_REJECTED;
		r.message = "This node is not the leader controller";
	} else {
		r.status = DROVE_MSG_ACCEPTED;
		drove__ctrl_handle_message(c, m);
	}
	if (drove__message_response_encode(&r, &out) < 0)
		return drove__http_reply_server_error(req, "out of memory");
	drove__http_reply_raw(req, 200, "application/json", out, strlen(out));
	free(out);
}

/* ---- what executors may keep (EXPECTED_INSTANCES, instances/current|last) ---- */

static int64_t expected_of(const char *app_id, void *ud)
{
	drove__ctrl_app *app = drove__ctrl_app_find(ud, app_id);
	if (!app || app->state == DROVE_APP_DESTROY_REQUESTED)
		return -1;
	return app->info->instances;
}

void drove__ctrl_known_fns_init(drove_controller *c, drove__ctrl_known_fns *fns)
{
	fns->app_expected = expected_of;
	fns->task_known = drove__ctrl_task_known;
	fns->lsi_known = drove__ctrl_lsvc_known;
	fns->userdata = c;
	fns->app_inst_lost = drove__ctrl_app_inst_lost;
	fns->app_inst_live = drove__ctrl_app_inst_live;
}
