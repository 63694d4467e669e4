/* The cluster summary (GET /cluster, §2.7) and the dashboard (GET /cluster/dashboard, §6.6
 * DashboardData): figures over the leader's memory, computed per request. Edge: called by
 * api.c, calls only down. */
#include <math.h>
#include <stdlib.h>

#include <json-c/json.h>

#include <drove/clock.h>

#include "ctrl/engine.h"
#include "ctrl/lsvc.h"
#include "http/server.h"

#define V1      "/apis/v1"
#define TOP_N   5  /* entries in each top list, as Drove */
#define N_STATE 32 /* more than any state enum has */

void drove__ctrl_cluster_totals(drove_controller *c, drove__ctrl_totals *t)
{
	*t = (drove__ctrl_totals){0};
	for (size_t i = 0; i < c->n_execs; i++) {
		int64_t a, b, x, y;
		if (drove__ctrl_exec_state(c->execs[i]) != DROVE_EXECUTOR_ACTIVE)
			continue;
		t->executors++;
		drove__ctrl_node_totals(c->execs[i]->nd, &a, &b, &x, &y);
		t->free_cores += a;
		t->used_cores += b;
		t->free_mb += x;
		t->used_mb += y;
	}
	for (size_t i = 0; i < c->n_apps; i++)
		if (drove_app_state_is_active(c->apps[i]->state))
			t->active_apps++;
	t->active_tasks = (int64_t)drove__ctrl_tasks_active(c);
	drove__ctrl_lsvc_counts(c, &t->lsvcs, &t->active_lsvcs);
}

struct json_object *drove__ctrl_cluster_summary(drove_controller *c, int64_t *total_cores,
                                                int64_t *total_mb)
{
	struct json_object *o = json_object_new_object();
	drove__ctrl_totals t;

	drove__ctrl_cluster_totals(c, &t);
	json_object_object_add(o, "leader", drove__ctrl_jstr(c->leader_hp));
	json_object_object_add(o, "state",
	                       drove__ctrl_jstr(drove_cluster_state_name(c->cluster_state)));
	json_object_object_add(o, "numExecutors", json_object_new_int64(t.executors));
	json_object_object_add(o, "numApplications", json_object_new_int64((int64_t)c->n_apps));
	json_object_object_add(o, "numActiveApplications", json_object_new_int64(t.active_apps));
	json_object_object_add(o, "numActiveTasks", json_object_new_int64(t.active_tasks));
	json_object_object_add(o, "numLocalServices", json_object_new_int64((int64_t)t.lsvcs));
	json_object_object_add(o, "numActiveLocalServices",
	                       json_object_new_int64((int64_t)t.active_lsvcs));
	json_object_object_add(o, "freeCores", json_object_new_int64(t.free_cores));
	json_object_object_add(o, "usedCores", json_object_new_int64(t.used_cores));
	json_object_object_add(o, "totalCores", json_object_new_int64(t.free_cores + t.used_cores));
	json_object_object_add(o, "freeMemory", json_object_new_int64(t.free_mb));
	json_object_object_add(o, "usedMemory", json_object_new_int64(t.used_mb));
	json_object_object_add(o, "totalMemory", json_object_new_int64(t.free_mb + t.used_mb));
	if (total_cores)
		*total_cores = t.free_cores + t.used_cores;
	if (total_mb)
		*total_mb = t.free_mb + t.used_mb;
	return o;
}

/* appStats: apps per state, the TOP_N with expected instances by resource share, and the
 * HEALTHY instances of all of them. */
static struct json_object *app_stats(drove_controller *c, int64_t cores, int64_t mb, int64_t now)
{
	struct json_object *o = json_object_new_object(), *top = json_object_new_array();
	drove__ctrl_scored *v = calloc(c->n_apps + 1, sizeof(*v));
	int64_t counts[N_STATE] = {0}, healthy = 0;
	size_t n = 0, k;

	if (!v)
		return o;
	for (size_t i = 0; i < c->n_apps; i++) {
		const drove__ctrl_app *a = c->apps[i];
		if (a->state >= 0 && a->state < N_STATE)
			counts[a->state]++;
		healthy += drove__ctrl_app_healthy(a, now, c->stale_inst_ms);
		if (a->info->instances > 0)
			v[n++] = (drove__ctrl_scored){
			        drove__ctrl_drf_score(a->info->instances * a->cpus,
			                              a->info->instances * a->mem_mb, cores, mb),
			        a, 0};
	}
	k = drove__ctrl_top(v, n, TOP_N);
	for (size_t i = 0; i < k; i++)
		json_object_array_add(top,
		                      drove__ctrl_app_summary(v[i].item, now, c->stale_inst_ms));
	free(v);
	json_object_object_add(o, "appCountByState",
	                       drove__ctrl_counts_jobj(drove_app_state_name, counts, N_STATE));
	json_object_object_add(o, "topApps", top);
	json_object_object_add(o, "totalHealthyInstances", json_object_new_int64(healthy));
	return o;
}

/* taskStats: tasks per state and the TOP_N longest-running non-terminal ones. */
static struct json_object *task_stats(drove_controller *c)
{
	struct json_object *o = json_object_new_object(), *top = json_object_new_array();
	const drove_task_info *t;
	drove__ctrl_scored *v = NULL;
	int64_t counts[N_STATE] = {0};
	size_t n = 0, cap = 0, k;

	for (size_t i = 0; (t = drove__ctrl_task_nth(c, i)); i++) {
		if ((int)t->state >= 0 && (int)t->state < N_STATE)
			counts[t->state]++;
		if (drove_task_state_is_terminal((int)t->state) ||
		    drove__grow(&v, &cap, n + 1, sizeof(*v)) < 0)
			continue;
		/* the oldest first: Drove ranks by the time since creation */
		v[n++] = (drove__ctrl_scored){-t->created, t, 0};
	}
	k = drove__ctrl_top(v, n, TOP_N);
	for (size_t i = 0; i < k; i++)
		json_object_array_add(top, drove__task_info_to_jobj(v[i].item));
	free(v);
	json_object_object_add(o, "taskCountByState",
	                       drove__ctrl_counts_jobj(drove_task_state_name, counts, N_STATE));
	json_object_object_add(o, "topTasks", top);
	return o;
}

/* executorStats: current executors per state; utilisation as each one's dominant share
 * (max of used/total cores and used/total memory), averaged, extremes, and the balance
 * score (coefficient of variation: lower is more even). */
static struct json_object *executor_stats(drove_controller *c)
{
	struct json_object *o = json_object_new_object(), *u = json_object_new_object();
	int64_t counts[N_STATE] = {0};
	double *util = calloc(c->n_execs + 1, sizeof(*util)), sum = 0, hi = 0, lo = 0, var = 0;
	double avg = 0, balance = 0;
	size_t n = 0;

	for (size_t i = 0; util && i < c->n_execs; i++) {
		const drove__ctrl_exec *e = c->execs[i];
		int64_t fc, uc, fm, um, st = drove__ctrl_exec_state(e);
		double cpu, mem;
		if (e->removed || !e->nd)
			continue;
		if (st >= 0 && st < N_STATE)
			counts[st]++;
		drove__ctrl_node_totals(e->nd, &fc, &uc, &fm, &um);
		cpu = fc + uc > 0 ? (double)uc / (double)(fc + uc) : 0;
		mem = fm + um > 0 ? (double)um / (double)(fm + um) : 0;
		util[n] = cpu > mem ? cpu : mem;
		sum += util[n];
		hi = util[n] > hi ? util[n] : hi;
		lo = n == 0 || util[n] < lo ? util[n] : lo;
		n++;
	}
	if (n) {
		avg = sum / (double)n;
		for (size_t i = 0; i < n; i++)
			var += (util[i] - avg) * (util[i] - avg);
		balance = avg > 0 ? sqrt(var / (double)n) / avg : 0;
	}
	free(util);
	json_object_object_add(o, "executorCountByState",
	                       drove__ctrl_counts_jobj(drove_executor_state_name, counts, N_STATE));
	json_object_object_add(u, "averageUtilization", json_object_new_double(avg));
	json_object_object_add(u, "highestUtilization", json_object_new_double(hi));
	json_object_object_add(u, "lowestUtilization", json_object_new_double(lo));
	json_object_object_add(u, "balanceScore", json_object_new_double(balance));
	json_object_object_add(o, "utilization", u);
	return o;
}

static void h_dashboard(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	struct json_object *d = json_object_new_object();
	int64_t cores = 0, mb = 0, now = drove_time_wall_ms();

	json_object_object_add(d, "clusterSummary", drove__ctrl_cluster_summary(c, &cores, &mb));
	json_object_object_add(d, "appStats", app_stats(c, cores, mb, now));
	json_object_object_add(d, "taskStats", task_stats(c));
	json_object_object_add(d, "serviceStats", drove__lsvc_dashboard_stats(c, cores, mb, now));
	json_object_object_add(d, "executorStats", executor_stats(c));
	json_object_object_add(d, "generatedAt", json_object_new_int64(now));
	drove__http_reply_success(req, d);
}

int drove__ctrl_dashboard_routes(drove_controller *c)
{
	return drove__http_server_route(c->http, DROVE_HTTP_GET, V1 "/cluster/dashboard",
	                                DROVE_ROLES_ANY, 1, h_dashboard, c);
}
