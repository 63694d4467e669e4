/* The executor's metrics, container statistics and admin port (issue 16; docs/operations.md).
 * The top of the engine's layers beside api.c: it reads the table of instances and the
 * resource locks, calls the runtime, and nothing in executor.c or api.c calls back into it
 * except start (api.c) and free (executor.c).
 *
 * Statistics: every options.statsInterval the engine is pinged (the "engine" health check),
 * then each running container's one-shot stats are fetched, a few at a time, and
 * cached; the scrape renders the cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/admin.h>
#include <drove/metrics.h>

#include "exec/engine.h"

#define MOD "exec"

struct stat_entry {
	char *id, *app; /* instance (or task) id and its app / source app / service id */
	int kind;
	int64_t v[DROVE_STAT_COUNT];
	int seen; /* in the round in flight */
};

struct sample_slot {
	struct drove__exec_metrics *m;
	size_t idx;
};

struct drove__exec_metrics {
	struct drove_executor *ex;
	drove_metrics *reg;
	drove_admin *admin;
	struct event *timer;
	int64_t interval_ms;
	struct stat_entry *cache;
	size_t n, cap;
	/* the round in flight: ids and containers to sample; calls are started in order
	 * (round_i: the next to start), stats_in_flight() at most at once, each with its slot */
	char **ids, **containers;
	struct sample_slot *slots;
	size_t round_n, round_i, in_flight;
	int busy;
	int engine_ok; /* -1: not asked yet */
	char engine_msg[256];
	drove_metric *cpu, *mem, *mem_limit, *rx, *tx, *samples, *checks;
	unsigned store_gen; /* the executor's store whose operations are recorded */
};

/* Stats calls in flight at once in a round. dockerd answers a one-shot call from its
 * collector's next 1 s tick, so calls overlap for free (4 containers: 3.1 s one after the other,
 * 1.0 s at once); podman computes each call on the spot (about 30-50 ms of its CPU), so more at
 * once only queues there. */
static size_t stats_in_flight(const struct drove__exec_metrics *m)
{
	return !strcmp(drove_runtime_engine(m->ex->rt), "docker") ? 16 : 2;
}

static const char *kind_name(int kind)
{
	return kind == DROVE__EXEC_TASK ? "task" : kind == DROVE__EXEC_LS ? "local_service" : "app";
}

/* ---- the statistics cache ---- */

static struct stat_entry *entry_find(struct drove__exec_metrics *m, const char *id)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->cache[i].id, id))
			return &m->cache[i];
	return NULL;
}

static void round_clear(struct drove__exec_metrics *m)
{
	for (size_t i = 0; i < m->round_n; i++) {
		free(m->ids[i]);
		free(m->containers[i]);
	}
	free(m->ids);
	free(m->containers);
	free(m->slots);
	m->ids = m->containers = NULL;
	m->slots = NULL;
	m->round_n = m->round_i = m->in_flight = 0;
}

/* Drop the cache entries of instances not sampled in this round (gone or stopped). */
static void cache_prune(struct drove__exec_metrics *m)
{
	size_t k = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (m->cache[i].seen) {
			m->cache[i].seen = 0;
			m->cache[k++] = m->cache[i];
			continue;
		}
		free(m->cache[i].id);
		free(m->cache[i].app);
	}
	m->n = k;
}

static void sample_next(struct drove__exec_metrics *m);

static void on_stats(const drove_runtime_result *res, void *ud)
{
	struct sample_slot *slot = ud;
	struct drove__exec_metrics *m = slot->m;
	const char *id = m->ids[slot->idx];
	struct stat_entry *e = entry_find(m, id);
	exec_inst *i = drove__exec_find(m->ex, id);
	if (drove_runtime_result_code(res) == 0 && i) {
		if (!e && drove__grow(&m->cache, &m->cap, m->n + 1, sizeof(*m->cache)) == 0) {
			e = &m->cache[m->n];
			memset(e, 0, sizeof(*e));
			e->id = drove__strdup(id);
			e->app = drove__strdup(i->id1 ? i->id1 : "");
			e->kind = (int)i->kind;
			if (e->id && e->app)
				m->n++;
			else {
				free(e->id);
				free(e->app);
				e = NULL;
			}
		}
		if (e)
			for (int k = 0; k < DROVE_STAT_COUNT; k++)
				e->v[k] = drove_runtime_result_stat(res, k);
		drove_metric_add(m->samples, NULL, 1);
	}
	if (e)
		e->seen = 1;
	m->in_flight--;
	sample_next(m);
}

static void arm(struct drove__exec_metrics *m)
{
	struct timeval tv = {(time_t)(m->interval_ms / 1000),
	                     (suseconds_t)(m->interval_ms % 1000) * 1000};
	evtimer_add(m->timer, &tv);
}

/* Start calls up to stats_in_flight(); when none is left to start or in flight, the round is
 * over: prune the cache and arm the next tick. */
static void sample_next(struct drove__exec_metrics *m)
{
	while (m->round_i < m->round_n && m->in_flight < stats_in_flight(m)) {
		struct sample_slot *slot = &m->slots[m->round_i];
		slot->m = m;
		slot->idx = m->round_i++;
		if (drove_runtime_stats(m->ex->rt, m->containers[slot->idx], on_stats, slot) == 0)
			m->in_flight++;
	}
	if (m->in_flight)
		return;
	cache_prune(m);
	round_clear(m);
	m->busy = 0;
	if (!m->ex->stopped)
		arm(m);
}

static int running(const exec_inst *i)
{
	return i->container && !i->removed &&
	       (i->kind == DROVE__EXEC_TASK ? i->state == DROVE_TASK_RUNNING
	                                    : drove_instance_state_is_running(i->state));
}

/* A new round: the containers of every running instance. */
static void round_start(struct drove__exec_metrics *m)
{
	size_t n = 0;
	for (exec_inst *i = m->ex->insts; i; i = i->next)
		n += running(i);
	if (n && (!(m->ids = calloc(n, sizeof(char *))) ||
	          !(m->containers = calloc(n, sizeof(char *))) ||
	          !(m->slots = calloc(n, sizeof(*m->slots))))) {
		round_clear(m);
		n = 0;
	}
	for (exec_inst *i = m->ex->insts; i && m->round_n < n; i = i->next) {
		if (!running(i))
			continue;
		m->ids[m->round_n] = drove__strdup(i->id);
		m->containers[m->round_n] = drove__strdup(i->container);
		if (!m->ids[m->round_n] || !m->containers[m->round_n]) {
			free(m->ids[m->round_n]);
			free(m->containers[m->round_n]);
			break;
		}
		m->round_n++;
	}
	sample_next(m);
}

static void on_version(const drove_runtime_result *res, void *ud)
{
	struct drove__exec_metrics *m = ud;
	m->engine_ok = drove_runtime_result_code(res) == 0;
	if (m->engine_ok)
		snprintf(m->engine_msg, sizeof(m->engine_msg), "%s API %s",
		         drove_runtime_result_engine(res) ? drove_runtime_result_engine(res)
		                                          : "engine",
		         drove_runtime_result_api_version(res)
		                 ? drove_runtime_result_api_version(res)
		                 : "?");
	else
		snprintf(m->engine_msg, sizeof(m->engine_msg), "%s",
		         drove_runtime_result_message(res));
	if (m->engine_ok && m->interval_ms > 0)
		round_start(m);
	else
		sample_next(m); /* nothing to sample: re-arm */
}

static void on_tick(evutil_socket_t fd, short what, void *ud)
{
	struct drove__exec_metrics *m = ud;
	(void)fd;
	(void)what;
	if (m->busy || m->ex->stopped)
		return;
	m->busy = 1;
	if (drove_runtime_version(m->ex->rt, on_version, m) < 0) {
		m->engine_ok = 0;
		snprintf(m->engine_msg, sizeof(m->engine_msg), "%s", drove_error_last()->message);
		sample_next(m);
	}
}

/* ---- scrape time ---- */

static void set_node(drove_metric *f, int node, const char *state, double v)
{
	char n[16];
	const char *lv[] = {n, state};
	snprintf(n, sizeof(n), "%d", node);
	drove_metric_set(f, lv, v);
}

static void collect(drove_metrics *reg, void *ud)
{
	struct drove__exec_metrics *m = ud;
	struct drove_executor *ex = m->ex;
	drove_metric *insts, *cores, *memory, *leader_known;
	if (drove_metrics_gauge(reg, &insts, "drove_executor_instances",
	                        "Instances and tasks on this executor, by kind and state.",
	                        "kind,state") < 0 ||
	    drove_metrics_gauge(reg, &cores, "drove_executor_cores",
	                        "Cores this executor offers, per NUMA node, free or used.",
	                        "numa_node,state") < 0 ||
	    drove_metrics_gauge(reg, &memory, "drove_executor_memory_bytes",
	                        "Memory this executor offers, per NUMA node, free or used.",
	                        "numa_node,state") < 0 ||
	    drove_metrics_gauge(reg, &leader_known, "drove_executor_leader_known",
	                        "1 while the executor knows the leader controller.", NULL) < 0)
		return;
	drove_metric_clear(insts);
	for (exec_inst *i = ex->insts; i; i = i->next) {
		const char *st = i->kind == DROVE__EXEC_TASK ? drove_task_state_name(i->state)
		                                             : drove_instance_state_name(i->state);
		const char *v[] = {kind_name((int)i->kind), st ? st : "UNKNOWN"};
		if (!i->removed)
			drove_metric_add(insts, v, 1);
	}
	for (size_t k = 0; k < ex->res.n_nodes; k++) {
		const drove__exec_node *nd = &ex->res.nodes[k];
		size_t used = 0;
		for (size_t c = 0; c < nd->n_cores; c++)
			used += nd->owner[c] != NULL;
		set_node(cores, nd->id, "free", (double)(nd->n_cores - used));
		set_node(cores, nd->id, "used", (double)used);
		set_node(memory, nd->id, "free", (double)(nd->mb - nd->used_mb) * 1024 * 1024);
		set_node(memory, nd->id, "used", (double)nd->used_mb * 1024 * 1024);
	}
	drove_metric_set(leader_known, NULL, ex->leader ? 1 : 0);
	/* a store opened since (a new session after expiry) records into the same families */
	if (ex->store && ex->store_gen != m->store_gen &&
	    drove_store_set_metrics(ex->store, reg) == 0)
		m->store_gen = ex->store_gen;
	/* check results, per instance still on this executor */
	drove_metric_clear(m->checks);
	for (exec_inst *i = ex->insts; i; i = i->next) {
		static const char *const check[] = {"readiness", "health"}, *const result[] = {
		                                                                    "fail", "pass"};
		if (i->removed)
			continue;
		for (int w = 0; w < 2; w++)
			for (int r = 0; r < 2; r++) {
				const char *v[] = {kind_name((int)i->kind), i->id1 ? i->id1 : "",
				                   i->id, check[w], result[r]};
				if (i->checks[w][r])
					drove_metric_add(m->checks, v, (double)i->checks[w][r]);
			}
	}
	/* container statistics from the cache, for instances still on this executor */
	drove_metric_clear(m->cpu);
	drove_metric_clear(m->mem);
	drove_metric_clear(m->mem_limit);
	drove_metric_clear(m->rx);
	drove_metric_clear(m->tx);
	for (size_t k = 0; k < m->n; k++) {
		const struct stat_entry *e = &m->cache[k];
		const char *v[] = {kind_name(e->kind), e->app, e->id};
		if (!drove__exec_find(ex, e->id))
			continue;
		drove_metric_set(m->cpu, v, (double)e->v[DROVE_STAT_CPU_TOTAL_NS] / 1e9);
		drove_metric_set(m->mem, v, (double)e->v[DROVE_STAT_MEM_USAGE]);
		drove_metric_set(m->mem_limit, v, (double)e->v[DROVE_STAT_MEM_LIMIT]);
		drove_metric_set(m->rx, v, (double)e->v[DROVE_STAT_NET_RX]);
		drove_metric_set(m->tx, v, (double)e->v[DROVE_STAT_NET_TX]);
	}
}

/* ---- health checks ---- */

static int check_engine(char *msg, size_t size, void *ud)
{
	struct drove__exec_metrics *m = ud;
	if (m->engine_ok < 0) {
		snprintf(msg, size, "not checked yet");
		return 1;
	}
	snprintf(msg, size, "%s", m->engine_msg);
	return m->engine_ok;
}

static int check_leader(char *msg, size_t size, void *ud)
{
	struct drove__exec_metrics *m = ud;
	snprintf(msg, size, "%s", m->ex->leader ? m->ex->leader : "no leader known");
	return m->ex->leader != NULL;
}

static int check_store(char *msg, size_t size, void *ud)
{
	struct drove__exec_metrics *m = ud;
	int ok = drove_store_is_connected(m->ex->store);
	snprintf(msg, size, "%s", ok ? "connected" : "the store session is not usable");
	return ok;
}

/* ---- life ---- */

static int families(struct drove__exec_metrics *m)
{
	static const char labels[] = "kind,app_id,instance_id";
	drove_metrics *r = m->reg;
	int rc;
	if ((rc = drove_metrics_add_process(r)) < 0 ||
	    (rc = drove_runtime_set_metrics(m->ex->rt, r)) < 0 ||
	    (m->ex->store && (rc = drove_store_set_metrics(m->ex->store, r)) < 0) ||
	    (rc = drove_metrics_counter(r, &m->cpu, "drove_instance_cpu_seconds_total",
	                                "CPU time used by the instance's container.", labels)) <
	            0 ||
	    (rc = drove_metrics_gauge(r, &m->mem, "drove_instance_memory_usage_bytes",
	                              "Memory used by the instance's container.", labels)) < 0 ||
	    (rc = drove_metrics_gauge(r, &m->mem_limit, "drove_instance_memory_limit_bytes",
	                              "Memory limit of the instance's container.", labels)) < 0 ||
	    (rc = drove_metrics_counter(r, &m->rx, "drove_instance_network_receive_bytes_total",
	                                "Bytes received by the instance's container.", labels)) <
	            0 ||
	    (rc = drove_metrics_counter(r, &m->tx, "drove_instance_network_transmit_bytes_total",
	                                "Bytes sent by the instance's container.", labels)) < 0 ||
	    (rc = drove_metrics_counter(
	             r, &m->checks, "drove_instance_check_results_total",
	             "Readiness and health check results the executor acted on, by check "
	             "(readiness, health) and result (pass, fail).",
	             "kind,app_id,instance_id,check,result")) < 0 ||
	    (rc = drove_metrics_counter(r, &m->samples, "drove_container_stats_samples_total",
	                                "Container statistics samples taken from the engine.",
	                                NULL)) < 0 ||
	    (rc = drove_metrics_on_collect(r, collect, m)) < 0)
		return rc;
	m->store_gen = m->ex->store_gen;
	return 0;
}

int drove__exec_metrics_start(struct drove_executor *ex)
{
	struct drove__exec_metrics *m;
	const drove_config *cfg = ex->cfg;
	int rc;
	if (!(m = calloc(1, sizeof(*m))))
		return drove__enomem();
	ex->metrics = m;
	m->ex = ex;
	m->engine_ok = -1;
	m->interval_ms = ex->ec->stats_interval_ms;
	if (m->interval_ms > 0 && m->interval_ms < 100)
		m->interval_ms = 100;
	if ((rc = drove_metrics_new(&m->reg)) < 0 || (rc = families(m)) < 0)
		return rc;
	if (!(m->timer = evtimer_new(drove__loop_base(ex->loop), on_tick, m)))
		return drove__enomem();
	/* the first sample soon, then every interval (the engine check runs even when the
	 * statistics are off) */
	{
		struct timeval tv = {0, 200 * 1000};
		evtimer_add(m->timer, &tv);
	}
	if (m->interval_ms <= 0)
		m->interval_ms = 10000;
	if (cfg->server.admin_port <= 0)
		return 0;
	{
		const struct drove__admin_check checks[] = {
		        {"engine", check_engine},
		        {"leader", check_leader},
		        {"store", ex->store ? check_store : NULL}};
		if ((rc = drove__admin_open(
		             &m->admin, ex->loop, m->reg, checks, DROVE_ARRAY_LEN(checks), m,
		             cfg->server.admin_bind_host ? cfg->server.admin_bind_host : "0.0.0.0",
		             cfg->server.admin_port,
		             cfg->server.admin_tls.enabled ? cfg->server.admin_tls.key_store_path
		                                           : NULL,
		             cfg->server.admin_tls.key_store_password,
		             cfg->server.admin_tls.key_store_type)) < 0)
			return rc;
	}
	drove__info(ex->ctx, MOD, "admin port %d", drove_admin_port(m->admin));
	return 0;
}

void drove__exec_metrics_free(struct drove_executor *ex)
{
	struct drove__exec_metrics *m = ex->metrics;
	if (!m)
		return;
	ex->metrics = NULL;
	drove_admin_free(m->admin);
	if (m->timer)
		event_free(m->timer);
	round_clear(m);
	for (size_t i = 0; i < m->n; i++) {
		free(m->cache[i].id);
		free(m->cache[i].app);
	}
	free(m->cache);
	drove_metrics_free(m->reg);
	free(m);
}

int drove_executor_admin_port(const drove_executor *ex)
{
	return ex && ex->metrics && ex->metrics->admin ? drove_admin_port(ex->metrics->admin) : -1;
}

drove_metrics *drove_executor_metrics(drove_executor *ex)
{
	return ex && ex->metrics ? ex->metrics->reg : NULL;
}
