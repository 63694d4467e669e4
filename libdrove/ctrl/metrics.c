/* The controller's metrics and its admin port (issue 16; docs/operations.md lists the
 * families). Engine layer: the engine calls in here; this file reads the state below it and
 * calls nothing above. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "ctrl/engine.h"
#include "http/server.h"

#define MOD "ctrl"

int drove__ctrl_metrics_new(drove_controller *c)
{
	static const double lat[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	                             0.1,    0.25,  0.5,    1,     2.5,  5,     10};
	struct drove__ctrl_metrics *m = &c->m;
	int rc;
	if ((rc = drove_metrics_new(&m->reg)) < 0 || (rc = drove_metrics_add_process(m->reg)) < 0 ||
	    (rc = drove_metrics_counter(m->reg, &m->api_requests, "drove_api_requests_total",
	                                "HTTP requests served by the API port, by route pattern, "
	                                "method and status (0: the client went away).",
	                                "route,method,status")) < 0 ||
	    (rc = drove_metrics_histogram(m->reg, &m->api_seconds,
	                                  "drove_api_request_duration_seconds",
	                                  "Time from a request's arrival to the end of its reply.",
	                                  "route,method", lat, sizeof(lat) / sizeof(lat[0]))) < 0 ||
	    (rc = drove_metrics_counter(m->reg, &m->placements, "drove_scheduler_placements_total",
	                                "Placement attempts of the scheduler by kind (app, task, "
	                                "local_service) and result (placed, no_resources, error).",
	                                "kind,result")) < 0 ||
	    (rc = drove_metrics_counter(m->reg, &m->events, "drove_events_total",
	                                "Cluster events published, by type.", "type")) < 0 ||
	    (rc = drove_metrics_histogram(m->reg, &m->reconcile_seconds,
	                                  "drove_reconcile_duration_seconds",
	                                  "Duration of one reconciliation pass of the leader.",
	                                  NULL, lat, sizeof(lat) / sizeof(lat[0]))) < 0)
		return rc;
	return 0;
}

/* ---- API requests ---- */

static void on_request(int method, const char *route, int status, double seconds, void *ud)
{
	drove_controller *c = ud;
	char st[16];
	const char *mname = drove__http_method_name(method);
	const char *v[] = {route ? route : "unmatched", mname ? mname : "OTHER", st};
	snprintf(st, sizeof(st), "%d", status);
	drove_metric_add(c->m.api_requests, v, 1);
	drove_metric_observe(c->m.api_seconds, v, seconds);
}

void drove__ctrl_metrics_http(drove_controller *c)
{
	drove__http_server_set_observer(c->http, on_request, c);
}

/* ---- gauges computed at scrape time (loop thread: the admin port renders there) ---- */

struct gauges {
	drove_metric *apps, *insts, *tasks, *lsvcs, *lsvc_insts, *execs;
	drove_metric *leader, *term, *cores, *memory, *events_kept, *store_up;
};

static int gauges_get(drove_metrics *r, struct gauges *g)
{
	int rc;
	if ((rc = drove_metrics_gauge(r, &g->apps, "drove_applications",
	                              "Applications known to the leader, by state.", "state")) <
	            0 ||
	    (rc = drove_metrics_gauge(r, &g->insts, "drove_application_instances",
	                              "Application instance records of the leader, by state.",
	                              "state")) < 0 ||
	    (rc = drove_metrics_gauge(r, &g->tasks, "drove_tasks",
	                              "Tasks tracked by the leader, by state.", "state")) < 0 ||
	    (rc = drove_metrics_gauge(r, &g->lsvcs, "drove_local_services",
	                              "Local services known to the leader, by state.", "state")) <
	            0 ||
	    (rc = drove_metrics_gauge(r, &g->lsvc_insts, "drove_local_service_instances",
	                              "Local service instance records of the leader, by state.",
	                              "state")) < 0 ||
	    (rc = drove_metrics_gauge(r, &g->execs, "drove_executors",
	                              "Executors known to the leader, by state.", "state")) < 0 ||
	    (rc = drove_metrics_gauge(r, &g->leader, "drove_leader",
	                              "1 while this controller is the leader.", NULL)) < 0 ||
	    (rc = drove_metrics_gauge(r, &g->term, "drove_leader_term",
	                              "The leadership term of this controller (0 unless leading).",
	                              NULL)) < 0 ||
	    (rc = drove_metrics_gauge(r, &g->cores, "drove_cluster_cores",
	                              "Cores of active executors, free or used.", "state")) < 0 ||
	    (rc = drove_metrics_gauge(r, &g->memory, "drove_cluster_memory_bytes",
	                              "Memory of active executors, free or used.", "state")) < 0 ||
	    (rc = drove_metrics_gauge(r, &g->events_kept, "drove_events_stored",
	                              "Events kept in the leader's event store.", NULL)) < 0 ||
	    (rc = drove_metrics_gauge(r, &g->store_up, "drove_store_connected",
	                              "1 while the store session is usable.", NULL)) < 0)
		return rc;
	return 0;
}

/* Every state of an enum at 0, so that a state with nothing in it still shows. */
static void zero_states(drove_metric *f, const char *(*name)(int))
{
	drove_metric_clear(f);
	for (int s = 0; s < 64; s++) {
		const char *v[] = {name(s)};
		if (v[0])
			drove_metric_set(f, v, 0);
	}
}

static void count_state(drove_metric *f, const char *name)
{
	const char *v[] = {name ? name : "UNKNOWN"};
	drove_metric_add(f, v, 1);
}

static void task_state(int state, void *ud)
{
	count_state(((struct gauges *)ud)->tasks, drove_task_state_name(state));
}

static void lsvc_state(int state, void *ud)
{
	count_state(((struct gauges *)ud)->lsvcs, drove_ls_state_name(state));
}

static void lsvc_inst_state(int state, void *ud)
{
	count_state(((struct gauges *)ud)->lsvc_insts, drove_instance_state_name(state));
}

static void collect(drove_metrics *r, void *ud)
{
	drove_controller *c = ud;
	struct gauges g;
	int64_t fc = 0, uc = 0, fm = 0, um = 0;
	if (gauges_get(r, &g) < 0)
		return;
	zero_states(g.apps, drove_app_state_name);
	zero_states(g.insts, drove_instance_state_name);
	zero_states(g.tasks, drove_task_state_name);
	zero_states(g.lsvcs, drove_ls_state_name);
	zero_states(g.lsvc_insts, drove_instance_state_name);
	zero_states(g.execs, drove_executor_state_name);
	for (size_t i = 0; i < c->n_apps; i++) {
		drove__ctrl_app *app = c->apps[i];
		count_state(g.apps, drove_app_state_name(app->state));
		for (size_t k = 0; k < app->n_insts; k++)
			count_state(g.insts,
			            drove_instance_state_name((int)app->insts[k]->info->state));
	}
	drove__ctrl_tasks_states(c, task_state, &g);
	drove__ctrl_lsvc_states(c, lsvc_state, lsvc_inst_state, &g);
	for (size_t i = 0; i < c->n_execs; i++) {
		int64_t a, b, x, y;
		int st = drove__ctrl_exec_state(c->execs[i]);
		count_state(g.execs, drove_executor_state_name(st));
		if (st != DROVE_EXECUTOR_ACTIVE)
			continue;
		drove__ctrl_node_totals(c->execs[i]->nd, &a, &b, &x, &y);
		fc += a;
		uc += b;
		fm += x;
		um += y;
	}
	{
		const char *fr[] = {"free"}, *us[] = {"used"};
		drove_metric_set(g.cores, fr, (double)fc);
		drove_metric_set(g.cores, us, (double)uc);
		drove_metric_set(g.memory, fr, (double)fm * 1024 * 1024);
		drove_metric_set(g.memory, us, (double)um * 1024 * 1024);
	}
	drove_metric_set(g.leader, NULL, c->leader ? 1 : 0);
	drove_metric_set(g.term, NULL, c->leader ? (double)c->term : 0);
	drove_metric_set(g.events_kept, NULL, (double)drove__ctrl_events_count(&c->events));
	drove_metric_set(g.store_up, NULL, c->store && drove_store_is_connected(c->store) ? 1 : 0);
}

/* ---- the admin port ---- */

static int check_store(char *msg, size_t size, void *ud)
{
	drove_controller *c = ud;
	int ok = c->store && drove_store_is_connected(c->store);
	snprintf(msg, size, "%s", ok ? "connected" : "the store session is not usable");
	return ok;
}

static int check_leader(char *msg, size_t size, void *ud)
{
	drove_controller *c = ud;
	if (c->leader) {
		snprintf(msg, size, "this controller leads (term %lld)", (long long)c->term);
		return 1;
	}
	if (c->standby.leader_hp) {
		snprintf(msg, size, "leader %s", c->standby.leader_hp);
		return 1;
	}
	snprintf(msg, size, "no leader known");
	return 0;
}

int drove__ctrl_admin_start(drove_controller *c)
{
	static const struct drove__admin_check checks[] = {{"store", check_store},
	                                                   {"leader", check_leader}};
	const drove_config *cfg = c->cfg;
	int rc;
	if ((rc = drove_metrics_on_collect(c->m.reg, collect, c)) < 0)
		return rc;
	if (c->store && (rc = drove_store_set_metrics(c->store, c->m.reg)) < 0)
		return rc;
	if (cfg->server.admin_port <= 0)
		return 0; /* adminConnectors: [] */
	if ((rc = drove__admin_open(
	             &c->m.admin, c->loop, c->m.reg, checks, DROVE_ARRAY_LEN(checks), c,
	             cfg->server.admin_bind_host, cfg->server.admin_port,
	             cfg->server.admin_tls.enabled ? cfg->server.admin_tls.key_store_path : NULL,
	             cfg->server.admin_tls.key_store_password,
	             cfg->server.admin_tls.key_store_type)) < 0)
		return rc;
	drove__info(c->ctx, MOD, "admin port %d", drove_admin_port(c->m.admin));
	return 0;
}

void drove__ctrl_metrics_free(drove_controller *c)
{
	drove_admin_free(c->m.admin);
	c->m.admin = NULL;
	drove_metrics_off_collect(c->m.reg, collect, c);
}

int drove_controller_admin_port(const drove_controller *c)
{
	return c && c->m.admin ? drove_admin_port(c->m.admin) : -1;
}

drove_metrics *drove_controller_metrics(drove_controller *c)
{
	return c ? c->m.reg : NULL;
}
