/* Epoch's metrics and its admin port (issue 22; docs/operations.md lists the families): the
 * same admin port as the controller's and the executor's (http/admin.c). Engine layer: it
 * reads the engine's state at scrape time and calls nothing above it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/admin.h>
#include <drove/epoch.h>

#include "core/internal.h"
#include "epoch/ctl.h"
#include "epoch/engine.h"
#include "epoch/records.h"
#include "http/server.h"

#define MOD "epoch"

/* ---- gauges computed at scrape time (loop thread: the admin port renders there) ---- */

struct gauges {
	drove_metric *topos, *leader, *term, *store_up, *active, *backlog, *waits;
};

static int gauges_get(drove_metrics *r, struct gauges *g)
{
	int rc;
	if ((rc = drove_metrics_gauge(r, &g->topos, "drove_epoch_topologies",
	                              "Topologies known to the leader, by state.", "state")) < 0 ||
	    (rc = drove_metrics_gauge(r, &g->leader, "drove_epoch_leader",
	                              "1 while this Epoch node is the leader.", NULL)) < 0 ||
	    (rc = drove_metrics_gauge(r, &g->term, "drove_epoch_leader_term",
	                              "The leadership term of this node (0 unless leading).",
	                              NULL)) < 0 ||
	    (rc = drove_metrics_gauge(r, &g->store_up, "drove_store_connected",
	                              "1 while the store session is usable.", NULL)) < 0 ||
	    (rc = drove_metrics_gauge(r, &g->active, "drove_epoch_runs_active",
	                              "Runs this leader follows (fired, not finished).", NULL)) <
	            0 ||
	    (rc = drove_metrics_gauge(r, &g->backlog, "drove_epoch_backlog",
	                              "What waits on the leader: run records for the store "
	                              "(records), task CREATEs (creates) and polls or cleanups "
	                              "(requests) for the controller.",
	                              "queue")) < 0 ||
	    (rc = drove_metrics_gauge(r, &g->waits, "drove_epoch_firing_waits",
	                              "1 while firing waits for a backlog to drain "
	                              "(options.maxActiveRuns runs not finished, or 32768 run "
	                              "records for the store).",
	                              NULL)) < 0)
		return rc;
	return 0;
}

static int store_up(const drove_epoch *e)
{
	return e->store && drove_store_is_connected(e->store);
}

static void collect(drove_metrics *r, void *ud)
{
	drove_epoch *e = ud;
	struct gauges g;
	int leads = drove__epoch_leads(e);
	if (gauges_get(r, &g) < 0)
		return;
	drove_metric_clear(g.topos);
	for (int s = DROVE_EPOCH_ACTIVE; s <= DROVE_EPOCH_PAUSED; s++) {
		const char *v[] = {drove__epoch_state_name(s)};
		drove_metric_set(g.topos, v, 0);
	}
	for (size_t i = 0; i < e->ntopos; i++) {
		const char *v[] = {drove__epoch_state_name(e->topos[i]->state)};
		if (v[0])
			drove_metric_add(g.topos, v, 1);
	}
	drove_metric_set(g.leader, NULL, leads ? 1 : 0);
	drove_metric_set(g.term, NULL, leads ? (double)e->term : 0);
	drove_metric_set(g.store_up, NULL, store_up(e) ? 1 : 0);
	drove_metric_set(g.active, NULL, leads ? (double)e->nlive : 0);
	drove_metric_set(g.backlog, (const char *[]){"records"},
	                 leads ? (double)(e->nrq + e->nrq_busy) : 0);
	drove_metric_set(g.backlog, (const char *[]){"creates"},
	                 leads && e->ctl ? (double)drove__ectl_queued(e->ctl, 1) : 0);
	drove_metric_set(g.backlog, (const char *[]){"requests"},
	                 leads && e->ctl ? (double)drove__ectl_queued(e->ctl, 0) : 0);
	drove_metric_set(g.waits, NULL, leads && e->throttled_ms ? 1 : 0);
}

int drove__epoch_metrics_new(drove_epoch *e)
{
	struct gauges g;
	int rc;
	if ((rc = drove_metrics_new(&e->m.reg)) < 0 ||
	    (rc = drove_metrics_add_process(e->m.reg)) < 0 ||
	    (rc = drove_metrics_counter(e->m.reg, &e->m.fired, "drove_epoch_runs_fired_total",
	                                "Runs this node fired as leader, by type (SCHEDULED, "
	                                "INSTANT).",
	                                "type")) < 0 ||
	    (rc = drove_metrics_counter(e->m.reg, &e->m.finished, "drove_epoch_runs_finished_total",
	                                "Runs this node followed to their end, by final state "
	                                "(SUCCESSFUL, COMPLETED, FAILED).",
	                                "state")) < 0 ||
	    (rc = gauges_get(e->m.reg, &g)) < 0 ||
	    (rc = drove_metrics_on_collect(e->m.reg, collect, e)) < 0)
		return rc;
	/* both run types and the failure count show from the start, at 0 */
	drove_metric_add(e->m.fired, (const char *[]){"SCHEDULED"}, 0);
	drove_metric_add(e->m.fired, (const char *[]){"INSTANT"}, 0);
	drove_metric_add(e->m.finished, (const char *[]){"FAILED"}, 0);
	return 0;
}

/* ---- the admin port ---- */

static int check_store(char *msg, size_t size, void *ud)
{
	int ok = store_up(ud);
	snprintf(msg, size, "%s", ok ? "connected" : "the store session is not usable");
	return ok;
}

static int check_leader(char *msg, size_t size, void *ud)
{
	drove_epoch *e = ud;
	if (drove__epoch_leads(e)) {
		snprintf(msg, size, "this node leads (term %lld)", (long long)e->term);
		return 1;
	}
	/* a follower: whoever the election named at the last poll tick (engine.c) */
	if (store_up(e) && e->seen_leader && strcmp(e->seen_leader, e->leader_hp) != 0) {
		snprintf(msg, size, "leader %s", e->seen_leader);
		return 1;
	}
	snprintf(msg, size, "no leader known");
	return 0;
}

int drove__epoch_admin_start(drove_epoch *e)
{
	static const struct drove__admin_check checks[] = {{"store", check_store},
	                                                   {"leader", check_leader}};
	const drove_epoch_config *cfg = e->cfg;
	int rc;
	if (drove_epoch_config_admin_port(cfg) <= 0)
		return 0; /* adminConnectors: [] */
	if ((rc = drove__admin_open(
	             &e->m.admin, e->loop, e->m.reg, checks, DROVE_ARRAY_LEN(checks), e,
	             drove_epoch_config_get_string(cfg, "server.adminConnectors.bindHost"),
	             drove_epoch_config_admin_port(cfg),
	             drove_epoch_config_get_string(cfg, "server.adminConnectors.keyStorePath"),
	             drove_epoch_config_get_string(cfg, "server.adminConnectors.keyStorePassword"),
	             drove_epoch_config_get_string(cfg, "server.adminConnectors.keyStoreType"))) <
	    0)
		return rc;
	drove__info(e->ctx, MOD, "admin port %d", drove_admin_port(e->m.admin));
	return 0;
}

void drove__epoch_admin_stop(drove_epoch *e)
{
	drove_admin_free(e->m.admin);
	e->m.admin = NULL;
}

void drove__epoch_metrics_free(drove_epoch *e)
{
	drove__epoch_admin_stop(e);
	if (e->m.reg)
		drove_metrics_off_collect(e->m.reg, collect, e);
	drove_metrics_free(e->m.reg);
	e->m.reg = NULL;
}
