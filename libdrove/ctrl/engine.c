/* The controller engine: lifecycle, leadership, state loaded from the store, instance records,
 * reconciliation and the periodic timers (docs/controller.md). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <json-c/json.h>

#include <drove/clock.h>
#include <drove/config.h>
#include <drove/ids.h>

#include "config/config.h"
#include "core/loop_internal.h"
#include "ctrl/ctrl.h"
#include "store/store_internal.h"
#include "http/client.h"
#include "http/server.h"

#define MOD "ctrl"

/* ---- small helpers ---- */

static int app_cmp_key(const char *id, const drove__ctrl_app *a)
{
	return strcmp(id, a->id);
}

static size_t app_lower(drove_controller *c, const char *id)
{
	size_t lo = 0, hi = c->n_apps;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (app_cmp_key(id, c->apps[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

drove__ctrl_app *drove__ctrl_app_find(drove_controller *c, const char *id)
{
	size_t i;
	if (!id)
		return NULL;
	i = app_lower(c, id);
	return i < c->n_apps && !strcmp(c->apps[i]->id, id) ? c->apps[i] : NULL;
}

static int app_insert(drove_controller *c, drove__ctrl_app *app)
{
	size_t i = app_lower(c, app->id);
	if (drove__grow(&c->apps, &c->cap_apps, c->n_apps + 1, sizeof(*c->apps)) < 0)
		return DROVE_ENOMEM;
	memmove(c->apps + i + 1, c->apps + i, (c->n_apps - i) * sizeof(*c->apps));
	c->apps[i] = app;
	c->n_apps++;
	return 0;
}

drove__ctrl_inst *drove__ctrl_inst_find(drove__ctrl_app *app, const char *instance_id)
{
	for (size_t i = app->n_insts; i > 0; i--)
		if (!strcmp(app->insts[i - 1]->info->instance_id, instance_id))
			return app->insts[i - 1];
	return NULL;
}

#define inst_free drove__ctrl_inst_free

void drove__ctrl_app_free(drove_controller *c, drove__ctrl_app *app)
{
	if (!app)
		return;
	if (app->job)
		drove__ctrl_job_free(c, app->job);
	for (size_t i = 0; i < app->n_insts; i++)
		inst_free(app->insts[i]);
	free(app->insts);
	drove__app_info_free(app->info);
	drove_sched_policy_free(app->policy);
	free(app->id);
	free(app);
}

/* A new in-memory app for `info` (taken). */
static int app_new(drove_controller *c, drove_app_info *info, drove__ctrl_app **out)
{
	drove__ctrl_app *app = calloc(1, sizeof(*app));
	int rc;

	if (!app) {
		drove__app_info_free(info);
		return drove__enomem();
	}
	app->info = info;
	app->state = DROVE_APP_INIT;
	if (!(app->id = drove__strdup(info->app_id))) {
		drove__ctrl_app_free(c, app);
		return DROVE_ENOMEM;
	}
	if ((rc = drove__ctrl_policy_convert(info->spec->placement_policy, &app->policy)) < 0) {
		drove__ctrl_app_free(c, app);
		return rc;
	}
	app->cpus = drove__resources_cpus(info->spec->resources, info->spec->n_resources);
	app->mem_mb = drove__resources_memory_mb(info->spec->resources, info->spec->n_resources);
	*out = app;
	return 0;
}

int drove__ctrl_app_adopt(drove_controller *c, drove_app_info *info, drove__ctrl_app **out)
{
	drove__ctrl_app *app = NULL;
	int rc;
	if ((rc = app_new(c, info, &app)) < 0)
		return rc;
	if ((rc = app_insert(c, app)) < 0) {
		drove__ctrl_app_free(c, app);
		return rc;
	}
	*out = app;
	return 0;
}

static int app_add_inst(drove__ctrl_app *app, drove_instance_info *info, int64_t seen)
{
	drove__ctrl_inst *in = calloc(1, sizeof(*in));
	if (!in ||
	    drove__grow(&app->insts, &app->cap_insts, app->n_insts + 1, sizeof(*app->insts)) < 0) {
		free(in);
		drove__instance_info_free(info);
		return drove__enomem();
	}
	in->info = info;
	in->seen_ms = seen;
	app->insts[app->n_insts++] = in;
	return 0;
}

bool drove__ctrl_in_window(drove_controller *c)
{
	return c->cluster_state == DROVE_CLUSTER_MAINTENANCE ||
	       drove_time_wall_ms() - c->cluster_updated < c->window_tail_ms;
}

void drove__ctrl_publish(drove_controller *c, drove_event *ev)
{
	if (!ev)
		return;
	if (!c->leader) {
		drove__event_free(ev);
		return;
	}
	drove__ctrl_events_add(&c->events, ev);
}

void drove__ctrl_app_set_state(drove_controller *c, drove__ctrl_app *app, int state)
{
	drove_event *ev;

	if (!drove__ctrl_transition_ok(app->state, state))
		drove__warn(c->ctx, MOD, "app %s: unexpected transition %s -> %s", app->id,
		            drove_app_state_name(app->state), drove_app_state_name(state));
	drove__debug(c->ctx, MOD, "app %s: %s -> %s", app->id, drove_app_state_name(app->state),
	             drove_app_state_name(state));
	app->state = state;
	if ((ev = drove__ctrl_event_new(c->ctx, DROVE_EVENT_APP_STATE_CHANGE)) &&
	    drove__ctrl_event_app(ev, app) < 0) {
		drove__event_free(ev);
		ev = NULL;
	}
	drove__ctrl_publish(c, ev);
}

int drove__ctrl_app_persist(drove_controller *c, drove__ctrl_app *app)
{
	char *json = NULL;
	int rc;

	app->info->updated = drove_time_wall_ms();
	if ((rc = drove__app_info_encode(app->info, &json)) < 0)
		return rc;
	rc = drove_record_put(c->store, DROVE_RECORD_APPLICATION, NULL, app->id, json,
	                      strlen(json));
	free(json);
	return rc;
}

void drove__ctrl_inst_persist(drove_controller *c, const drove_instance_info *info)
{
	char *json = NULL;
	if (!c->store || drove__instance_info_encode(info, &json) < 0)
		return;
	if (drove_record_put_async(c->store, DROVE_RECORD_INSTANCE, info->app_id, info->instance_id,
	                           json, strlen(json), NULL, NULL) < 0)
		drove__warn(c->ctx, MOD, "instance %s: not stored: %s", info->instance_id,
		            drove_error_last()->message);
	free(json);
}

static void inst_event(drove_controller *c, const drove_instance_info *info)
{
	drove_event *ev = drove__ctrl_event_new(c->ctx, DROVE_EVENT_INSTANCE_STATE_CHANGE);
	if (ev && drove__ctrl_event_instance(ev, info) < 0) {
		drove__event_free(ev);
		ev = NULL;
	}
	drove__ctrl_publish(c, ev);
}

void drove__ctrl_apply_instance(drove_controller *c, const drove_instance_info *info)
{
	drove__ctrl_app *app;
	drove__ctrl_inst *in;
	drove_instance_info *copy = NULL;
	int64_t now = drove_time_wall_ms();
	bool changed;

	if (!info->instance_id || !(app = drove__ctrl_app_find(c, info->app_id)))
		return; /* unknown app: EXPECTED_INSTANCES marks it stale */
	in = drove__ctrl_inst_find(app, info->instance_id);
	if (in && info->updated <= in->info->updated)
		return;
	if (in && in->info->state == info->state &&
	    (!in->info->local_info) == (!info->local_info)) {
		/* the common case (snapshots): only freshness changes */
		in->info->updated = info->updated;
		in->seen_ms = now;
		return;
	}
	if (drove__instance_info_copy(info, &copy) < 0)
		return;
	if (!in) {
		if (app_add_inst(app, copy, now) < 0)
			return;
		changed = true;
	} else {
		changed = in->info->state != copy->state ||
		          (!in->info->local_info) != (!copy->local_info);
		drove__instance_info_free(in->info);
		in->info = copy;
		in->seen_ms = now;
	}
	if (changed) {
		drove__ctrl_inst_persist(c, copy);
		inst_event(c, copy);
		if (app->job)
			drove__ctrl_job_step(c, app);
	}
}

static void mark_lost(drove_controller *c, drove__ctrl_inst *in, const char *why)
{
	char *msg = drove__strdup(why);
	if (!msg)
		return;
	in->info->state = DROVE_INST_LOST;
	free(in->info->error_message);
	in->info->error_message = msg;
	in->info->updated = drove_time_wall_ms();
	drove__ctrl_inst_persist(c, in->info);
	inst_event(c, in->info);
}

void drove__ctrl_lose_executor_instances(drove_controller *c, const char *exec_id)
{
	for (size_t a = 0; a < c->n_apps; a++) {
		drove__ctrl_app *app = c->apps[a];
		bool any = false;
		for (size_t i = 0; i < app->n_insts; i++) {
			drove__ctrl_inst *in = app->insts[i];
			if (drove__streq(in->info->executor_id, exec_id) &&
			    drove_instance_state_is_active((int)in->info->state)) {
				mark_lost(c, in, "Instance lost");
				any = true;
			}
		}
		if (any && app->job)
			drove__ctrl_job_step(c, app);
	}
	drove__ctrl_tasks_executor_lost(c, exec_id);
	drove__ctrl_lsvc_executor_lost(c, exec_id);
}

/* Keep at most max_old_instances non-active records per app (oldest go). */
static void prune_old(drove_controller *c, drove__ctrl_app *app)
{
	size_t old = 0;
	for (size_t i = 0; i < app->n_insts; i++)
		if (!drove_instance_state_is_active((int)app->insts[i]->info->state))
			old++;
	while (old > (size_t)c->max_old_instances) {
		size_t victim = SIZE_MAX;
		for (size_t i = 0; i < app->n_insts; i++) {
			drove__ctrl_inst *in = app->insts[i];
			if (drove_instance_state_is_active((int)in->info->state))
				continue;
			if (victim == SIZE_MAX ||
			    in->info->updated < app->insts[victim]->info->updated)
				victim = i;
		}
		if (victim == SIZE_MAX)
			break;
		drove_record_delete_async(c->store, DROVE_RECORD_INSTANCE, app->id,
		                          app->insts[victim]->info->instance_id, NULL, NULL);
		inst_free(app->insts[victim]);
		memmove(app->insts + victim, app->insts + victim + 1,
		        (app->n_insts - victim - 1) * sizeof(*app->insts));
		app->n_insts--;
		old--;
	}
}

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
}

/* EXPECTED_INSTANCES to every live executor (the executor's zombie reaper). */
static void send_expected(drove_controller *c)
{
	drove__ctrl_known_fns fns;

	drove__ctrl_known_fns_init(c, &fns);
	for (size_t e = 0; e < c->n_execs; e++) {
		drove__ctrl_exec *ex = c->execs[e];
		drove_strlist *extra = NULL;
		drove_message *m;

		if (ex->removed || !ex->nd)
			continue;
		if (drove_strlist_new(&extra) < 0)
			return;
		/* our own active records there, and starts in flight, are known */
		for (size_t a = 0; a < c->n_apps; a++) {
			drove__ctrl_app *app = c->apps[a];
			if (app->info->instances <= 0 && !app->job)
				continue;
			for (size_t i = 0; i < app->n_insts; i++) {
				const drove_instance_info *in = app->insts[i]->info;
				if (drove__streq(in->executor_id, ex->id) &&
				    drove_instance_state_is_active((int)in->state) &&
				    (app->info->instances > 0 || in->state != DROVE_INST_HEALTHY))
					drove_strlist_add(extra, in->instance_id);
			}
		}
		drove__ctrl_jobs_starting_on(c, ex->id, extra);
		if (!(m = calloc(1, sizeof(*m)))) {
			drove_strlist_free(extra);
			return;
		}
		m->type = DROVE_MSG_EXPECTED_INSTANCES;
		if (drove__ctrl_known_instances(ex->nd, &fns, extra, &m->known) == 0)
			drove__ctrl_send_msg(c, ex, m, 0, NULL, NULL, NULL);
		else
			drove__message_free(m);
		drove_strlist_free(extra);
	}
}

/* RUNNING/MONITORING app whose fresh HEALTHY count differs from the expected: RECOVER. */
static void check_app(drove_controller *c, drove__ctrl_app *app, int64_t now)
{
	int64_t healthy = 0;
	drove_cluster_op_spec ops = {0};

	if (app->job || (app->state != DROVE_APP_RUNNING && app->state != DROVE_APP_MONITORING))
		return;
	for (size_t i = 0; i < app->n_insts; i++)
		if (app->insts[i]->info->state == DROVE_INST_HEALTHY &&
		    drove__ctrl_inst_fresh(app->insts[i], now, c->stale_inst_ms))
			healthy++;
	if (healthy == app->info->instances)
		return;
	drove__info(c->ctx, MOD, "app %s: %lld healthy, %lld expected: recovering", app->id,
	            (long long)healthy, (long long)app->info->instances);
	drove__ctrl_app_set_state(c, app, DROVE_APP_OUTAGE_DETECTED);
	drove__ctrl_app_set_state(c, app, DROVE_APP_SCALING_REQUESTED);
	ops.timeout = drove_duration_from_ms(c->op_timeout_ms);
	ops.has_timeout = true;
	ops.parallelism = (int)c->op_parallelism;
	ops.has_parallelism = true;
	drove__ctrl_job_scale(c, app, app->info->instances, &ops);
}

void drove__ctrl_check_app(drove_controller *c, drove__ctrl_app *app)
{
	if (c->ready && !drove__ctrl_in_window(c))
		check_app(c, app, drove_time_wall_ms());
}

void drove__ctrl_reconcile(drove_controller *c)
{
	int64_t now = drove_time_wall_ms();

	if (!c->ready)
		return;
	if (!drove__ctrl_in_window(c)) {
		for (size_t a = 0; a < c->n_apps; a++) {
			drove__ctrl_app *app = c->apps[a];
			for (size_t i = 0; i < app->n_insts; i++) {
				drove__ctrl_inst *in = app->insts[i];
				if (drove_instance_state_is_active((int)in->info->state) &&
				    !drove__ctrl_inst_fresh(in, now, c->stale_inst_ms))
					mark_lost(c, in, "Instance lost");
			}
			prune_old(c, app);
			check_app(c, app, now);
		}
		drove__ctrl_tasks_reconcile(c);
		drove__ctrl_lsvc_reconcile(c);
	}
	send_expected(c);
}

/* ---- timers ---- */

static struct event *timer_new(drove_controller *c, int64_t ms, event_callback_fn fn)
{
	struct event *ev = event_new(drove__loop_base(c->loop), -1, EV_PERSIST, fn, c);
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
	if (ev)
		event_add(ev, &tv);
	return ev;
}

static void timer_free(struct event **ev)
{
	if (*ev) {
		event_free(*ev);
		*ev = NULL;
	}
}

/* Recovery: a new leader acts once the executors it knows have reported, or after one
 * staleness period. */
static void check_ready(drove_controller *c)
{
	bool all = true;
	if (!c->leader || c->ready)
		return;
	for (size_t i = 0; i < c->n_execs; i++)
		if (!c->execs[i]->removed && c->execs[i]->seen_mono < c->acquired_mono)
			all = false;
	if ((all && (c->n_execs > 0 || c->n_apps == 0)) ||
	    drove_time_mono_ms() - c->acquired_mono >= c->stale_exec_ms) {
		c->ready = true;
		drove__info(c->ctx, MOD,
		            "leader of term %lld: state recovered (%zu apps, %zu executors)",
		            (long long)c->term, c->n_apps, c->n_execs);
		drove__ctrl_reconcile(c);
	}
}

static void on_jobs_tick(evutil_socket_t fd, short what, void *ud)
{
	drove_controller *c = ud;
	(void)fd;
	(void)what;
	check_ready(c);
	if (c->ready) {
		drove__ctrl_jobs_tick(c);
		drove__ctrl_tasks_tick(c);
		drove__ctrl_lsvc_tick(c);
	}
}

static void on_reconcile_tick(evutil_socket_t fd, short what, void *ud)
{
	(void)fd;
	(void)what;
	drove__ctrl_reconcile(ud);
}

static void on_execs_tick(evutil_socket_t fd, short what, void *ud)
{
	drove_controller *c = ud;
	(void)fd;
	(void)what;
	if (!c->leader)
		return;
	drove__ctrl_exec_sweep(c);
	if (c->ready)
		drove__ctrl_blacklist_tick(c);
}

static void on_purge_tick(evutil_socket_t fd, short what, void *ud)
{
	drove_controller *c = ud;
	(void)fd;
	(void)what;
	drove__ctrl_events_purge(&c->events, drove_time_wall_ms() - c->events_keep_ms);
}

/* ---- leadership ---- */

static void write_node(drove_controller *c)
{
	drove_node_data nd = {0};
	struct json_object *j;
	const char *txt;

	if (!c->store)
		return;
	nd.type = DROVE_NODEDATA_CONTROLLER;
	nd.hostname = c->hostname;
	nd.port = c->port;
	nd.transport_type = DROVE_TRANSPORT_HTTP;
	nd.updated = drove_time_wall_ms();
	nd.leader = c->leader != 0;
	if (!(j = drove__node_data_to_jobj(&nd)))
		return;
	json_object_object_add(j, "term", json_object_new_int64(c->leader ? c->term : 0));
	txt = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
	                                                JSON_C_TO_STRING_NOSLASHESCAPE);
	if (drove_record_put(c->store, DROVE_RECORD_CONTROLLER, NULL, c->node_name, txt,
	                     strlen(txt)) < 0)
		drove__warn(c->ctx, MOD, "controller node: %s", drove_error_last()->message);
	json_object_put(j);
}

static void clear_state(drove_controller *c)
{
	for (size_t i = 0; i < c->n_apps; i++)
		drove__ctrl_app_free(c, c->apps[i]);
	free(c->apps);
	c->apps = NULL;
	c->n_apps = c->cap_apps = 0;
	drove__ctrl_tasks_clear(c);
	drove__ctrl_lsvc_clear(c);
	drove__ctrl_execs_clear(c);
	drove__ctrl_events_clear(&c->events);
	drove__ctrl_sends_free(c);
	drove__ctrl_blacklist_abort(c);
	drove_sched_free(c->sched);
	c->sched = NULL;
}

static void load_cluster_state(drove_controller *c)
{
	char *json = NULL;
	size_t len;
	drove_cluster_state_data *cs = NULL;

	if (drove_record_get(c->store, DROVE_RECORD_CLUSTER_STATE, NULL, NULL, &json, &len) == 0 &&
	    drove__cluster_state_data_decode(json, len, 0, &cs, NULL, NULL) == 0) {
		c->cluster_state = (int)cs->state;
		c->cluster_updated = cs->updated;
	} else {
		/* A fresh cluster: NORMAL, never changed. `updated` 0 opens no maintenance window:
		 * the window follows a maintenance unset only, not the first start (Drove writes
		 * "now" here and so refuses every operation for 40 s on a new cluster). */
		drove_cluster_state_data d = {DROVE_CLUSTER_NORMAL, 0};
		char *out = NULL;
		c->cluster_state = DROVE_CLUSTER_NORMAL;
		c->cluster_updated = d.updated;
		if (drove__cluster_state_data_encode(&d, &out) == 0)
			drove_record_put(c->store, DROVE_RECORD_CLUSTER_STATE, NULL, NULL, out,
			                 strlen(out));
		free(out);
	}
	drove__cluster_state_data_free(cs);
	free(json);
}

static void load_app(drove_controller *c, const char *id, int64_t now)
{
	char *json = NULL;
	size_t len;
	drove_app_info *info = NULL;
	drove__ctrl_app *app = NULL;
	drove_strlist *ids = NULL;

	if (drove_record_get(c->store, DROVE_RECORD_APPLICATION, NULL, id, &json, &len) < 0 ||
	    drove__app_info_decode(json, len, 0, &info, NULL, NULL) < 0 ||
	    drove__app_spec_apply_defaults(info->spec) < 0) {
		drove__warn(c->ctx, MOD, "application %s: not loaded: %s", id,
		            drove_error_last()->message);
		drove__app_info_free(info);
		free(json);
		return;
	}
	free(json);
	if (app_new(c, info, &app) < 0 || app_insert(c, app) < 0) {
		drove__ctrl_app_free(c, app);
		return;
	}
	if (drove_record_list(c->store, DROVE_RECORD_INSTANCE, id, &ids) == 0) {
		for (size_t i = 0; i < drove_strlist_count(ids); i++) {
			drove_instance_info *ii = NULL;
			json = NULL;
			if (drove_record_get(c->store, DROVE_RECORD_INSTANCE, id,
			                     drove_strlist_get(ids, i), &json, &len) == 0 &&
			    drove__instance_info_decode(json, len, 0, &ii, NULL, NULL) == 0)
				app_add_inst(app, ii, now); /* fresh until proven otherwise */
			free(json);
		}
	}
	drove_strlist_free(ids);
	/* Drove re-creates every stored app on fail-over (§5.1) */
	drove__ctrl_app_set_state(
	        c, app, app->info->instances > 0 ? DROVE_APP_RUNNING : DROVE_APP_MONITORING);
}

static void load_executors(drove_controller *c)
{
	drove_strlist *names = NULL;
	if (drove_store_backend(c->store) != DROVE_STORE_ZK ||
	    drove_record_list(c->store, DROVE_RECORD_EXECUTOR, NULL, &names) < 0)
		return;
	for (size_t i = 0; i < drove_strlist_count(names); i++) {
		char *json = NULL;
		size_t len;
		drove_message m = {0};
		if (drove_record_get(c->store, DROVE_RECORD_EXECUTOR, NULL,
		                     drove_strlist_get(names, i), &json, &len) == 0 &&
		    drove__node_data_decode(json, len, 0, &m.node_data, NULL, NULL) == 0) {
			drove__ctrl_exec *e;
			char *id = m.node_data->state
			                   ? drove__strdup(m.node_data->state->executor_id)
			                   : NULL;
			m.type = DROVE_MSG_EXECUTOR_SNAPSHOT;
			drove__ctrl_handle_message(c, &m); /* takes the node data */
			/* known, but it has not reported to this leader yet */
			if (id && (e = drove__ctrl_exec_find(c, id)))
				e->seen_mono = c->acquired_mono - 1;
			free(id);
			drove__node_data_free(m.node_data);
		}
		free(json);
	}
	drove_strlist_free(names);
}

static void on_acquired(drove_controller *c, int64_t term)
{
	drove_strlist *ids = NULL;
	int64_t now = drove_time_wall_ms();
	drove_event *ev;

	clear_state(c);
	if (drove_sched_new(&c->sched, c->ctx) < 0)
		return;
	c->term = term;
	c->leader = 1;
	c->ready = false;
	c->acquired_mono = drove_time_mono_ms();
	drove__info(c->ctx, MOD, "leadership acquired, term %lld", (long long)term);
	if ((ev = drove__ctrl_event_new(c->ctx, DROVE_EVENT_LEADERSHIP_ACQUIRED))) {
		drove_strmap_set(ev->metadata, "HOSTNAME", c->hostname);
		drove__ctrl_publish(c, ev);
	}
	write_node(c);
	load_cluster_state(c);
	if (drove_record_list(c->store, DROVE_RECORD_APPLICATION, NULL, &ids) == 0)
		for (size_t i = 0; i < drove_strlist_count(ids); i++)
			load_app(c, drove_strlist_get(ids, i), now);
	drove_strlist_free(ids);
	drove__ctrl_tasks_load(c);
	drove__ctrl_lsvc_load(c);
	load_executors(c);
	check_ready(c);
}

static void on_lost(drove_controller *c)
{
	drove__warn(c->ctx, MOD, "leadership lost (term %lld)", (long long)c->term);
	c->leader = 0;
	c->ready = false;
	clear_state(c);
	if (drove_store_is_connected(c->store))
		write_node(c);
}

static void on_election(drove_election *e, int event, int64_t term, void *ud)
{
	drove_controller *c = ud;
	(void)e;
	if (event == DROVE_STORE_LEADER_ACQUIRED)
		on_acquired(c, term);
	else if (event == DROVE_STORE_LEADER_LOST)
		on_lost(c);
}

/* The store turns the election's flag off at once (from its own thread) when the session is
 * lost, before our LEADER_LOST callback runs: check both. */
static int is_leader_fn(void *ud)
{
	drove_controller *c = ud;
	return c->leader && c->election && drove_election_is_leader(c->election);
}

static void on_audit(const char *method, const char *path, const char *user, int status, void *ud)
{
	drove_controller *c = ud;
	drove__log(c->ctx, DROVE_LOG_INFO, MOD, "ACCESS_AUDIT: Api [%s] %s called by %s: %d",
	           method, path, user ? user : "(unauthenticated)", status);
}

/* ---- public API ---- */

static int build_auth(drove_controller *c)
{
	const drove_config *cfg = c->cfg;
	int rc;

	if ((rc = drove_auth_new(&c->auth, c->ctx)) < 0)
		return rc;
	for (size_t i = 0; i < cfg->n_secrets; i++)
		if ((rc = drove_auth_add_cluster_secret(
		             c->auth,
		             cfg->secrets[i].node_type == DROVE_NODE_EXECUTOR ? "EXECUTOR"
		                                                              : "CONTROLLER",
		             cfg->secrets[i].secret)) < 0)
			return rc;
	drove_auth_set_no_auth(c->auth, !cfg->ctrl.user_auth_enabled);
	drove_auth_set_disable_read_auth(c->auth, cfg->ctrl.options.disable_read_auth);
	for (size_t i = 0; cfg->ctrl.user_auth_enabled && i < cfg->ctrl.n_users; i++) {
		const drove__cfg_user *u = &cfg->ctrl.users[i];
		int role;
		if ((rc = drove_auth_role_parse(drove__config_role_string(u->role), &role)) < 0 ||
		    (rc = drove_auth_add_user(c->auth, u->username, u->password,
		                              cfg->ctrl.user_auth_crypt ? DROVE_AUTH_CRYPT
		                                                        : DROVE_AUTH_PLAIN,
		                              role)) < 0)
			return rc;
	}
	return 0;
}

int drove_controller_new(drove_controller **out, drove_loop *loop, const drove_config *config)
{
	drove_controller *c;
	const drove__cfg_controller_options *o;
	char host[256];
	int rc;

	DROVE_CHECK_ARG(out && loop && config);
	if (config->kind != DROVE_CONFIG_CONTROLLER)
		return drove__error(DROVE_EINVAL, "config: not a controller configuration");
	if (config->store.type != DROVE_CONFIG_STORE_ZOOKEEPER &&
	    config->store.type != DROVE_CONFIG_STORE_LOCAL)
		return drove__error(DROVE_EINVAL, "config: the controller needs a store");
	if (!(c = calloc(1, sizeof(*c))))
		return drove__enomem();
	c->ctx = drove_loop_ctx(loop);
	c->loop = loop;
	c->cfg = config;
	c->port = -1;
	o = &config->ctrl.options;
	c->reconcile_ms = o->reconcile_interval_ms;
	c->exec_check_ms = o->executor_check_interval_ms;
	c->stale_exec_ms = o->stale_executor_age_ms;
	c->stale_inst_ms = o->stale_instance_report_ms;
	c->window_tail_ms = o->maintenance_window_tail_ms;
	c->op_timeout_ms = o->cluster_op_timeout_ms;
	c->op_parallelism = o->cluster_op_parallelism > 0 ? o->cluster_op_parallelism : 1;
	c->job_retries = o->job_retry_count;
	c->job_retry_ms = o->job_retry_interval_ms;
	c->events_keep_ms = o->max_events_storage_ms;
	c->max_old_instances =
	        o->max_stale_instances_count > 0 ? o->max_stale_instances_count : 100;
	c->spec_opts.allowed_mount_dirs = o->allowed_mount_dirs;
	c->spec_opts.disable_cmdl_args = o->disable_cmdl_args;
	c->spec_opts.enable_raw_device_access = o->enable_raw_device_access;
	c->cluster_state = DROVE_CLUSTER_NORMAL;
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	if (!(c->hostname = drove__strdup(host)) ||
	    !(c->secret = drove__strdup(
	              drove_config_cluster_secret(config, DROVE_NODE_CONTROLLER)
	                      ? drove_config_cluster_secret(config, DROVE_NODE_CONTROLLER)
	                      : "DefaultControllerSecret"))) {
		drove_controller_free(c);
		return DROVE_ENOMEM;
	}
	if ((rc = build_auth(c)) < 0) {
		drove_controller_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int drove_controller_set_hostname(drove_controller *c, const char *hostname)
{
	char *h;
	DROVE_CHECK_ARG(c && hostname && *hostname && !c->started);
	if (!(h = drove__strdup(hostname)))
		return DROVE_ENOMEM;
	free(c->hostname);
	c->hostname = h;
	return 0;
}

int drove_controller_start(drove_controller *c)
{
	const drove_config *cfg;
	drove_store_opts *so = NULL;
	int rc;

	DROVE_CHECK_ARG(c && !c->started);
	cfg = c->cfg;
	c->started = 1;
	if ((rc = drove__http_client_new(&c->client, c->loop)) < 0 ||
	    (rc = drove__http_server_new(&c->http, c->loop, c->auth)) < 0)
		goto fail;
	drove__http_server_set_leader_fn(c->http, is_leader_fn, c);
	{
		unsigned methods = 0;
		const drove_strlist *m = cfg->ctrl.options.audited_http_methods;
		for (size_t i = 0; i < drove_strlist_count(m); i++) {
			const char *s = drove_strlist_get(m, i);
			for (int b = 0; b < 7; b++)
				if (drove__http_method_name(1 << b) &&
				    drove__streq_nocase(s, drove__http_method_name(1 << b)))
					methods |= 1u << b;
		}
		drove__http_server_set_audit(
		        c->http, m ? methods : (DROVE_HTTP_POST | DROVE_HTTP_PUT), on_audit, c);
	}
	if ((rc = drove__ctrl_api_routes(c)) < 0 || (rc = drove__ctrl_decoder_start(c)) < 0)
		goto fail;
	if ((rc = drove__http_server_bind(
	             c->http, cfg->server.bind_host ? cfg->server.bind_host : "127.0.0.1",
	             cfg->server.port)) < 0)
		goto fail;
	c->port = drove__http_server_port(c->http);
	if (!(c->node_name = drove__asprintf("%s-%d", c->hostname, c->port)) ||
	    !(c->leader_hp = drove__asprintf("%s:%d", c->hostname, c->port))) {
		rc = DROVE_ENOMEM;
		goto fail;
	}
	/* the store */
	if ((rc = drove__store_opts_from_config(cfg, &so)) < 0)
		goto fail;
	if ((rc = drove_store_open(&c->store, c->loop, so)) < 0)
		goto fail;
	drove_store_opts_free(so);
	so = NULL;
	write_node(c);
	/* timers */
	c->t_jobs = timer_new(c, 100, on_jobs_tick);
	c->t_reconcile = timer_new(c, c->reconcile_ms, on_reconcile_tick);
	c->t_execs = timer_new(c, c->exec_check_ms, on_execs_tick);
	c->t_purge = timer_new(c, 60000, on_purge_tick);
	if (!c->t_jobs || !c->t_reconcile || !c->t_execs || !c->t_purge) {
		rc = drove__enomem();
		goto fail;
	}
	if ((rc = drove_store_elect(c->store, c->leader_hp, strlen(c->leader_hp), on_election, c,
	                            &c->election)) < 0)
		goto fail;
	drove__info(c->ctx, MOD, "controller %s listening on port %d", c->node_name, c->port);
	return 0;
fail:
	drove_store_opts_free(so);
	return rc;
}

int drove_controller_port(const drove_controller *c)
{
	return c ? c->port : -1;
}

int drove_controller_is_leader(const drove_controller *c)
{
	return c && c->leader && c->election && drove_election_is_leader(c->election);
}

void drove_controller_stop(drove_controller *c)
{
	if (!c)
		return;
	timer_free(&c->t_jobs);
	timer_free(&c->t_reconcile);
	timer_free(&c->t_execs);
	timer_free(&c->t_purge);
	timer_free(&c->t_node);
	if (c->election) {
		drove_election_cancel(c->election);
		c->election = NULL;
	}
	c->leader = 0;
	c->ready = false;
	clear_state(c);
	drove__ctrl_decoder_stop(c);
	if (c->http) {
		drove__http_server_stop(c->http);
		drove__http_server_free(c->http);
		c->http = NULL;
	}
	drove__http_client_free(c->client);
	c->client = NULL;
	drove_store_close(c->store);
	c->store = NULL;
}

void drove_controller_free(drove_controller *c)
{
	if (!c)
		return;
	drove_controller_stop(c);
	drove_auth_free(c->auth);
	free(c->hostname);
	free(c->node_name);
	free(c->leader_hp);
	free(c->secret);
	free(c);
}
