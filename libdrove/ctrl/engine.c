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
#include "ctrl/engine.h"
#include "store/store_internal.h"
#include "http/client.h"
#include "http/server.h"

#define MOD "ctrl"

/* The instances each executor of one EXPECTED_INSTANCES slice should know of: (executor id,
 * instance id) pairs, both borrowed from the records and jobs, sorted by executor id. The
 * records come from the index by executor (byexec.c), so a slice costs its own executors'
 * records, not a walk over every record (issue 21: 5-10 ms a slice at 30,000 instances). */
struct exp_pair {
	const char *exec_id, *inst_id;
};

struct exp_index {
	struct exp_pair *v;
	size_t n, cap;
	int rc;
	const char **only; /* sorted: the executors of this slice */
	size_t n_only;
};

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void exp_add(void *ud, const char *exec_id, const char *inst_id)
{
	struct exp_index *x = ud;
	if (x->rc < 0 || !exec_id || !inst_id ||
	    !bsearch(&exec_id, x->only, x->n_only, sizeof(*x->only), cmp_strp))
		return;
	if ((x->rc = drove__grow(&x->v, &x->cap, x->n + 1, sizeof(*x->v))) == 0)
		x->v[x->n++] = (struct exp_pair){exec_id, inst_id};
}

static int exp_cmp(const void *a, const void *b)
{
	return strcmp(((const struct exp_pair *)a)->exec_id, ((const struct exp_pair *)b)->exec_id);
}

/* Our own active records on each executor of the slice, and starts in flight, are known. */
static int exp_build(drove_controller *c, struct exp_index *x)
{
	for (size_t e = 0; e < x->n_only; e++) {
		size_t n;
		const drove__ctrl_bxent *v = drove__ctrl_byexec_of(c->byexec, x->only[e], &n);
		for (size_t i = 0; i < n; i++) {
			const drove__ctrl_app *app = v[i].app;
			const drove_instance_info *in = v[i].in->info;
			if ((app->info->instances > 0 || app->job) &&
			    drove_instance_state_is_active((int)in->state) &&
			    (app->info->instances > 0 || in->state != DROVE_INST_HEALTHY))
				exp_add(x, in->executor_id, in->instance_id);
		}
	}
	drove__ctrl_jobs_starting(c, exp_add, x);
	if (x->rc == 0 && x->n > 1)
		qsort(x->v, x->n, sizeof(*x->v), exp_cmp);
	return x->rc;
}

/* The instance ids of executor `id` in the index (a new list; NULL on ENOMEM). */
static drove_strlist *exp_of(const struct exp_index *x, const char *id)
{
	size_t lo = 0, hi = x->n;
	drove_strlist *l = NULL;

	while (lo < hi) { /* the first pair whose executor id is >= id */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(x->v[mid].exec_id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (drove_strlist_new(&l) < 0)
		return NULL;
	for (; lo < x->n && !strcmp(x->v[lo].exec_id, id); lo++)
		if (drove_strlist_add(l, x->v[lo].inst_id) < 0) {
			drove_strlist_free(l);
			return NULL;
		}
	return l;
}

/* EXPECTED_INSTANCES (the executor's zombie reaper) goes to the live executors in slices of
 * 1/EXP_SLICES of them (at least EXP_SLICE_MIN), one slice per EXP_TICK_MS after the pass's
 * own: at 1,000 executors all of them in one turn held the loop for ~80 ms (issue 21). Each
 * slice's lists are built when it is sent, from the records and the starts in flight then, so
 * a late slice lists the instances started since the pass began (a list built at the pass
 * would leave out an instance the leader has just started, which an executor's reaper may
 * take for unknown). drove_reconcile_duration_seconds times the pass's own turn only. */
#define EXP_SLICES    50
#define EXP_SLICE_MIN 16
#define EXP_TICK_MS   20

/* The next slice of this pass; false when no executor is left for it. */
static bool send_expected_slice(drove_controller *c)
{
	size_t k = c->n_execs / EXP_SLICES + 1, n = 0;
	drove__ctrl_exec **pick;
	const char **ids;
	drove__ctrl_known_fns fns;
	struct exp_index x = {0};
	bool left = false;

	if (k < EXP_SLICE_MIN)
		k = EXP_SLICE_MIN;
	pick = calloc(k, sizeof(*pick));
	ids = calloc(k, sizeof(*ids));
	for (size_t e = 0; pick && ids && e < c->n_execs; e++) {
		drove__ctrl_exec *ex = c->execs[e];
		if (ex->removed || !ex->nd || ex->exp_pass == c->exp_pass)
			continue;
		if (n == k) {
			left = true;
			break;
		}
		ex->exp_pass = c->exp_pass; /* (also when out of memory below: no retry loop) */
		pick[n] = ex;
		ids[n++] = ex->id;
	}
	if (n > 1)
		qsort(ids, n, sizeof(*ids), cmp_strp);
	x.only = ids;
	x.n_only = n;
	drove__ctrl_known_fns_init(c, &fns);
	if (n && exp_build(c, &x) == 0)
		for (size_t e = 0; e < n; e++) {
			drove__ctrl_exec *ex = pick[e];
			drove_strlist *extra;
			drove_message *m;

			if (!(extra = exp_of(&x, ex->id)))
				break;
			if (!(m = calloc(1, sizeof(*m)))) {
				drove_strlist_free(extra);
				break;
			}
			m->type = DROVE_MSG_EXPECTED_INSTANCES;
			if (drove__ctrl_known_instances(ex->nd, &fns, extra, NULL, &m->known) == 0)
				drove__ctrl_send_msg(c, ex, m, 0, NULL, NULL, NULL);
			else
				drove__message_free(m);
			drove_strlist_free(extra);
		}
	free(x.v);
	free(pick);
	free(ids);
	return left;
}

static void send_expected(drove_controller *c)
{
	c->exp_pass++;
	c->exp_left = send_expected_slice(c);
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
					drove__ctrl_mark_lost(c, in, "Instance lost");
			}
			drove__ctrl_prune_old(c, app);
			drove__ctrl_check_app_at(c, app, now);
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

struct awaited {
	drove_controller *c;
	bool all;
};

/* An executor holding an active record must have reported to this leader (or be gone). */
static void await_host(const char *exec_id, void *ud)
{
	struct awaited *a = ud;
	drove__ctrl_exec *e;
	if (!a->all)
		return;
	e = drove__ctrl_exec_find(a->c, exec_id);
	if (!e || (!e->removed && e->seen_mono < a->c->acquired_mono))
		a->all = false;
}

/* Recovery: a new leader acts once every executor it knows has reported, and every executor
 * that the stored records place an active instance, task or local-service instance on, or
 * after one staleness period. The records matter where no executor is known from the store
 * (RPC mode): without them a leader that lost ZooKeeper and won again acted on the first
 * executor's snapshot, found the others' instances stale and replaced them. */
static void check_ready(drove_controller *c)
{
	struct awaited a = {c, true};
	if (!c->leader || c->ready)
		return;
	for (size_t i = 0; i < c->n_execs; i++)
		if (!c->execs[i]->removed && c->execs[i]->seen_mono < c->acquired_mono)
			a.all = false;
	if (a.all)
		drove__ctrl_apps_hosts(c, await_host, &a);
	if (a.all)
		drove__ctrl_tasks_hosts(c, await_host, &a);
	if (a.all)
		drove__ctrl_lsvc_hosts(c, await_host, &a);
	if ((a.all && (c->n_execs > 0 || c->n_apps == 0)) ||
	    drove_time_mono_ms() - c->acquired_mono >= c->stale_exec_ms) {
		c->ready = true;
		drove__info(c->ctx, MOD,
		            "leader of term %lld: state recovered (%zu apps, %zu executors)",
		            (long long)c->term, c->n_apps, c->n_execs);
		drove__ctrl_reconcile(c);
	}
}

/* A leader whose loop stalled (SIGSTOP, swapping, a debugger) may have been deposed meanwhile
 * while its ZooKeeper session stayed valid (a standby deletes the election node of a leader
 * that stops answering), and the deletion may reach it after its timers have fired: it would
 * act on state that aged during the stall (every instance stale, every executor silent) and
 * write LOST records over the new leader's. So every timer that acts checks the gap since the
 * last one (the jobs timer runs every 100 ms); after a stall of STALL_MS or more the leader
 * asks the store who leads (without blocking the loop) and acts again only once the answer is
 * its own term, or the election reports the loss. */
#define STALL_MS 1000

static void on_confirmed(int rc, const char *data, size_t len, int64_t term, void *ud)
{
	drove_controller *c = ud;
	(void)data;
	(void)len;
	c->confirming = false;
	if (rc < 0) {
		drove_error_clear(); /* asked again on the next tick */
		return;
	}
	if (c->suspect && c->leader && term == c->term) {
		drove__info(c->ctx, MOD, "leadership of term %lld confirmed", (long long)c->term);
		c->suspect = false;
	}
}

static bool leading(drove_controller *c)
{
	int64_t now = drove_time_mono_ms(), gap = c->tick_mono ? now - c->tick_mono : 0;

	c->tick_mono = now;
	/* the election's flag drops at once (from ZooKeeper's thread) on a lost connection or
	 * a deposal; our LEADER_LOST callback may still be queued behind this timer */
	if (!c->leader || !c->election || !drove_election_is_leader(c->election))
		return false;
	if (gap >= STALL_MS && !c->suspect && drove_store_backend(c->store) == DROVE_STORE_ZK) {
		c->suspect = true;
		drove__warn(c->ctx, MOD, "loop stalled for %lld ms: confirming leadership",
		            (long long)gap);
	}
	if (!c->suspect)
		return true;
	if (!c->confirming && drove_store_is_connected(c->store)) {
		if (drove_store_leader_async(c->store, on_confirmed, c) == 0)
			c->confirming = true;
		else
			drove_error_clear();
	}
	return false;
}

static void on_jobs_tick(evutil_socket_t fd, short what, void *ud)
{
	drove_controller *c = ud;
	(void)fd;
	(void)what;
	if (!leading(c))
		return;
	check_ready(c);
	if (c->ready) {
		drove__ctrl_jobs_tick(c);
		drove__ctrl_tasks_tick(c);
		drove__ctrl_lsvc_tick(c);
	}
}

static void on_reconcile_tick(evutil_socket_t fd, short what, void *ud)
{
	drove_controller *c = ud;
	int64_t t0 = drove_time_mono_us();
	(void)fd;
	(void)what;
	if (!leading(c))
		return;
	drove__ctrl_reconcile(c);
	if (c->leader)
		drove_metric_observe(c->m.reconcile_seconds, NULL,
		                     (double)(drove_time_mono_us() - t0) / 1e6);
}

static void on_execs_tick(evutil_socket_t fd, short what, void *ud)
{
	drove_controller *c = ud;
	(void)fd;
	(void)what;
	if (!leading(c))
		return;
	drove__ctrl_exec_sweep(c);
	if (c->ready)
		drove__ctrl_blacklist_tick(c);
}

static void on_exp_tick(evutil_socket_t fd, short what, void *ud)
{
	drove_controller *c = ud;
	(void)fd;
	(void)what;
	if (c->exp_left)
		c->exp_left = leading(c) && send_expected_slice(c);
}

static void on_probe_tick(evutil_socket_t fd, short what, void *ud)
{
	drove_controller *c = ud;
	(void)fd;
	(void)what;
	if (!c->leader)
		drove__ctrl_standby_tick(c);
}

static void on_ping_tick(evutil_socket_t fd, short what, void *ud)
{
	drove_controller *c = ud;
	(void)fd;
	(void)what;
	if (leading(c))
		drove__ctrl_exec_probe_tick(c);
	else /* the span moves on, so that leading again does not ping every executor at once */
		c->probe_last_mono = drove_time_mono_ms();
}

static void on_purge_tick(evutil_socket_t fd, short what, void *ud)
{
	drove_controller *c = ud;
	(void)fd;
	(void)what;
	drove__ctrl_events_purge(&c->events, drove_time_wall_ms() - c->events_keep_ms);
}

/* The stale-data cleaner (§11 item 5), every staleCheckInterval. */
static void on_stale_tick(evutil_socket_t fd, short what, void *ud)
{
	drove_controller *c = ud;
	(void)fd;
	(void)what;
	if (leading(c))
		drove__ctrl_clean_stale(c, drove_time_wall_ms());
}

int drove__ctrl_clean_stale(drove_controller *c, int64_t now_ms)
{
	DROVE_CHECK_ARG(c);
	if (!c->leader || !c->ready || drove__ctrl_in_window(c))
		return 0;
	drove__ctrl_apps_clean_stale(c, now_ms);
	drove__ctrl_lsvc_clean_stale(c, now_ms);
	return 1;
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
	nd.transport_type =
	        c->cfg->server.tls.enabled ? DROVE_TRANSPORT_HTTPS : DROVE_TRANSPORT_HTTP;
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
	drove__ctrl_byexec_free(c->byexec); /* after the records */
	c->byexec = NULL;
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
	drove__ctrl_apps_changed(c);
}

/* A new leader reads every record in pipelines (drove__record_get_many: about one round trip
 * per 256 records, where one read after the other cost one each: ~10 s for 31,000 records on
 * ZooKeeper, docs/benchmarks.md). */

/* The instance records of the adopted apps, all in three pipelines (records of an app that was
 * not adopted are left). */
static void load_instances(drove_controller *c, int64_t now)
{
	struct drove__record_rows *rows = NULL;

	if (drove__record_get_rows(c->store, DROVE_RECORD_INSTANCE, &rows) < 0) {
		drove__warn(c->ctx, MOD, "instances: not loaded: %s", drove_error_last()->message);
		return;
	}
	for (size_t j = 0; j < rows->n; j++) {
		const struct drove__record_row *w = &rows->row[j];
		drove__ctrl_app *app = w->rc == 0 ? drove__ctrl_app_find(c, w->parent) : NULL;
		drove_instance_info *ii = NULL;
		if (app && drove__instance_info_decode(w->data, w->len, 0, &ii, NULL, NULL) == 0)
			drove__ctrl_app_add_inst(c, app, ii,
			                         now); /* fresh until proven otherwise */
	}
	drove_error_clear();
	drove__record_rows_free(rows);
}

static void load_apps(drove_controller *c, int64_t now)
{
	drove_strlist *list = NULL;
	drove__ctrl_app **apps = NULL;
	struct drove__store_many *l = NULL;
	size_t n;

	if (drove__record_get_all(c->store, DROVE_RECORD_APPLICATION, NULL, &list, &l) < 0)
		return;
	n = l->n;
	if (!(apps = calloc(n ? n : 1, sizeof(*apps)))) {
		drove__warn(c->ctx, MOD, "applications: not loaded: out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		drove_app_info *info = NULL;
		int rc = l->item[i].rc;
		if (rc < 0 ||
		    drove__app_info_decode(l->item[i].data, l->item[i].len, 0, &info, NULL, NULL) <
		            0 ||
		    drove__app_spec_apply_defaults(info->spec) < 0) {
			drove__warn(c->ctx, MOD, "application %s: not loaded: %s",
			            drove_strlist_get(list, i),
			            rc < 0 ? drove_strerror(rc) : drove_error_last()->message);
			drove__app_info_free(info);
			continue;
		}
		if (drove__ctrl_app_adopt(c, info, &apps[i]) < 0)
			apps[i] = NULL;
	}
	load_instances(c, now);
	for (size_t i = 0; i < n; i++)
		if (apps[i]) /* Drove re-creates every stored app on fail-over (§5.1) */
			drove__ctrl_app_set_state(c, apps[i],
			                          apps[i]->info->instances > 0
			                                  ? DROVE_APP_RUNNING
			                                  : DROVE_APP_MONITORING);
out:
	drove__store_many_free(l);
	free(apps);
	drove_strlist_free(list);
}

static void load_executors(drove_controller *c)
{
	drove_strlist *names = NULL;
	struct drove__store_many *l = NULL;

	if (drove_store_backend(c->store) != DROVE_STORE_ZK ||
	    drove__record_get_all(c->store, DROVE_RECORD_EXECUTOR, NULL, &names, &l) < 0)
		return;
	for (size_t i = 0; i < l->n; i++) {
		drove_message m = {0};
		if (l->item[i].rc == 0 &&
		    drove__node_data_decode(l->item[i].data, l->item[i].len, 0, &m.node_data, NULL,
		                            NULL) == 0) {
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
	}
	drove__store_many_free(l);
	drove_strlist_free(names);
}

static void on_acquired(drove_controller *c, int64_t term)
{
	drove__ctrl_standby_clear(c); /* no leader to watch: it is us */
	int64_t now = drove_time_wall_ms();
	drove_event *ev;

	clear_state(c);
	if (drove_sched_new(&c->sched, c->ctx) < 0)
		return;
	c->term = term;
	c->leader = 1;
	c->ready = false;
	c->suspect = false;
	c->acquired_mono = c->tick_mono = drove_time_mono_ms();
	drove__info(c->ctx, MOD, "leadership acquired, term %lld", (long long)term);
	if ((ev = drove__ctrl_event_new(c->ctx, DROVE_EVENT_LEADERSHIP_ACQUIRED))) {
		drove_strmap_set(ev->metadata, "HOSTNAME", c->hostname);
		drove__ctrl_publish(c, ev);
	}
	write_node(c);
	load_cluster_state(c);
	load_apps(c, now);
	drove__ctrl_tasks_load(c);
	drove__ctrl_lsvc_load(c);
	load_executors(c);
	drove__ctrl_execs_load_known(c);
	{
		size_t n_insts = 0;
		for (size_t i = 0; i < c->n_apps; i++)
			n_insts += c->apps[i]->n_insts;
		drove__info(
		        c->ctx, MOD,
		        "state loaded in %lld ms: %zu applications, %zu instances, %zu executors",
		        (long long)(drove_time_mono_ms() - c->acquired_mono), c->n_apps, n_insts,
		        c->n_execs);
	}
	check_ready(c);
}

static void on_lost(drove_controller *c)
{
	drove__warn(c->ctx, MOD, "leadership lost (term %lld)", (long long)c->term);
	c->leader = 0;
	c->ready = false;
	c->suspect = false;
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
	/* userAuth.cachingPolicy */
	if ((rc = drove_auth_set_cache(c->auth, (size_t)cfg->ctrl.auth_cache_max,
	                               cfg->ctrl.auth_cache_ttl_ms)) < 0)
		return rc;
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
	if (config->store.type != DROVE_STORE_ZK && config->store.type != DROVE_STORE_LOCAL)
		return drove__error(DROVE_EINVAL, "config: the controller needs a store");
	if (!(c = calloc(1, sizeof(*c))))
		return drove__enomem();
	c->ctx = drove_loop_ctx(loop);
	c->loop = loop;
	c->cfg = config;
	c->free_job = drove__ctrl_job_free;
	c->port = -1;
	o = &config->ctrl.options;
	c->reconcile_ms = o->reconcile_interval_ms;
	c->exec_check_ms = o->executor_check_interval_ms;
	c->stale_exec_ms = o->stale_executor_age_ms;
	c->probe_ms = o->executor_probe_interval_ms;
	c->probe_failures = o->executor_probe_failures > 0 ? o->executor_probe_failures : 3;
	c->stale_inst_ms = o->stale_instance_report_ms;
	c->window_tail_ms = o->maintenance_window_tail_ms;
	c->op_timeout_ms = o->cluster_op_timeout_ms;
	c->op_parallelism = o->cluster_op_parallelism > 0 ? o->cluster_op_parallelism : 1;
	c->job_retries = o->job_retry_count;
	c->job_retry_ms = o->job_retry_interval_ms;
	c->state_check_ms = o->instance_state_check_ms;
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
	if ((rc = build_auth(c)) < 0 || (rc = drove__ctrl_metrics_new(c)) < 0) {
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

int drove__ctrl_engine_http(drove_controller *c)
{
	const drove_config *cfg = c->cfg;
	unsigned methods = 0;
	const drove_strlist *m = cfg->ctrl.options.audited_http_methods;
	int rc;

	if ((rc = drove__http_client_new(&c->client, c->loop)) < 0 ||
	    (rc = drove__http_server_new(&c->http, c->loop, c->auth)) < 0)
		return rc;
	drove__http_server_set_leader_fn(c->http, is_leader_fn, c);
	for (size_t i = 0; i < drove_strlist_count(m); i++) {
		const char *s = drove_strlist_get(m, i);
		for (int b = 0; b < 7; b++)
			if (drove__http_method_name(1 << b) &&
			    drove__streq_nocase(s, drove__http_method_name(1 << b)))
				methods |= 1u << b;
	}
	drove__http_server_set_audit(c->http, m ? methods : (DROVE_HTTP_POST | DROVE_HTTP_PUT),
	                             on_audit, c);
	drove__ctrl_metrics_http(c);
	return 0;
}

/* ---- ZooKeeper session expiry ----
 * The store renews an expired session (store/renew.c); meanwhile the controller steps down,
 * and with the new session it writes its node and contends again as a standby, as Curator
 * does for Drove. */
static void store_closing(void *ud)
{
	drove_controller *c = ud;
	drove__warn(c->ctx, MOD, "store: session expired: stepping down, starting a new session");
	if (c->election) {
		drove_election_cancel(c->election);
		c->election = NULL;
	}
	if (c->leader)
		on_lost(c);
	drove__ctrl_standby_clear(c);
}

static int store_opened(void *ud)
{
	drove_controller *c = ud;
	(void)drove_store_set_metrics(c->store, c->m.reg);
	write_node(c);
	if (drove_store_elect(c->store, c->leader_hp, strlen(c->leader_hp), on_election, c,
	                      &c->election) < 0) {
		drove__warn(c->ctx, MOD, "election: %s: retrying", drove_error_last()->message);
		return -1;
	}
	drove__info(c->ctx, MOD, "store: new session, contending for leadership again");
	return 0;
}

static void store_failed(void *ud, const char *why)
{
	drove_controller *c = ud;
	drove__warn(c->ctx, MOD, "store: no new session yet (%s): retrying", why);
}

static const struct drove__store_renew_ops renew_ops = {
        .closing = store_closing, .opened = store_opened, .failed = store_failed};

/* Drove keys accepted for compatibility without effect here: said once, at start. */
static void warn_inert(drove_controller *c)
{
	static const struct {
		unsigned bit;
		const char *key, *why;
	} keys[] = {
	        {DROVE__CFG_INERT_RULE_CACHE, "compiledRuleCacheCount",
	         "RULE_BASED rules are parsed once, when the spec is validated"},
	        {DROVE__CFG_INERT_RULE_IMPORTS, "allowedRuleImportPackages",
	         "MVEL rules are refused (HOPE only)"},
	};
	for (size_t i = 0; i < DROVE_ARRAY_LEN(keys); i++)
		if (c->cfg->ctrl.options.inert_set & keys[i].bit)
			drove__warn(c->ctx, MOD, "options.%s: accepted, has no effect here: %s",
			            keys[i].key, keys[i].why);
}

int drove__ctrl_engine_start(drove_controller *c)
{
	const drove_config *cfg = c->cfg;
	drove_store_opts *so = NULL;
	int rc;

	if ((rc = drove__ctrl_decoder_start(c)) < 0)
		goto fail;
	if (cfg->server.tls.enabled &&
	    (rc = drove__http_server_set_tls(c->http, cfg->server.tls.key_store_path,
	                                     cfg->server.tls.key_store_password,
	                                     cfg->server.tls.key_store_type)) < 0)
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
	rc = drove__store_open_renewing(&c->store, c->loop, so, &renew_ops, c, &c->renew);
	so = NULL; /* taken */
	if (rc < 0)
		goto fail;
	if ((rc = drove__ctrl_admin_start(c)) < 0)
		goto fail;
	write_node(c);
	/* timers */
	c->t_jobs = timer_new(c, 100, on_jobs_tick);
	c->t_reconcile = timer_new(c, c->reconcile_ms, on_reconcile_tick);
	c->t_execs = timer_new(c, c->exec_check_ms, on_execs_tick);
	c->t_purge = timer_new(c, 60000, on_purge_tick);
	c->t_stale = timer_new(c, cfg->ctrl.options.stale_check_interval_ms, on_stale_tick);
	c->t_exp = timer_new(c, EXP_TICK_MS, on_exp_tick);
	c->t_probe = c->probe_ms > 0 ? timer_new(c, c->probe_ms, on_probe_tick) : NULL;
	c->t_ping = c->probe_ms > 0
	                    ? timer_new(c, DROVE__CTRL_PROBE_TICK_MS(c->probe_ms), on_ping_tick)
	                    : NULL;
	if (!c->t_jobs || !c->t_reconcile || !c->t_execs || !c->t_purge || !c->t_stale ||
	    !c->t_exp || (c->probe_ms > 0 && (!c->t_probe || !c->t_ping))) {
		rc = drove__enomem();
		goto fail;
	}
	/* (no store yet when ZooKeeper is not up: store_opened elects once it is) */
	if (c->store && (rc = drove_store_elect(c->store, c->leader_hp, strlen(c->leader_hp),
	                                        on_election, c, &c->election)) < 0)
		goto fail;
	warn_inert(c);
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

void drove_controller_stop(drove_controller *c)
{
	if (!c)
		return;
	timer_free(&c->t_jobs);
	timer_free(&c->t_reconcile);
	timer_free(&c->t_execs);
	timer_free(&c->t_purge);
	timer_free(&c->t_probe);
	timer_free(&c->t_ping);
	timer_free(&c->t_exp);
	timer_free(&c->t_stale);
	timer_free(&c->t_node);
	if (c->election) {
		drove_election_cancel(c->election);
		c->election = NULL;
	}
	c->leader = 0;
	c->ready = false;
	clear_state(c);
	drove__ctrl_decoder_stop(c);
	drove__ctrl_standby_clear(c);
	drove__ctrl_metrics_free(c);
	if (c->http) {
		drove__http_server_stop(c->http);
		drove__http_server_free(c->http);
		c->http = NULL;
	}
	drove__http_client_free(c->client);
	c->client = NULL;
	drove_store_close(c->store);
	c->store = NULL;
	drove__store_renew_free(c->renew); /* after the close: it delivers no session event */
	c->renew = NULL;
}

void drove_controller_free(drove_controller *c)
{
	if (!c)
		return;
	drove_controller_stop(c);
	drove_metrics_free(c->m.reg);
	drove__ctrl_vcache_free(c);
	drove_auth_free(c->auth);
	free(c->hostname);
	free(c->node_name);
	free(c->leader_hp);
	free(c->secret);
	free(c);
}
