/* The controller, layer by layer (docs/controller.md, "Layout"): the engine (engine.c) and what the
 * REST edge registers (api.c, logs.c, iapi.c, lsvc_rest.c). Everything here runs on the loop
 * thread. A file includes the header of its own layer, which includes the layers below it; nothing
 * includes a header above its layer. */
#ifndef DROVE_CTRL_ENGINE_H
#define DROVE_CTRL_ENGINE_H

#include "ctrl/intake.h"

/* ---- the engine (engine.c), for the edge (api.c) ---- */

/* Run reconciliation now (leader). */
void drove__ctrl_reconcile(drove_controller *c);
/* The stale-data cleaner (§11 item 5) as of `now_ms` (wall): leader, ready and outside the
 * window only. @return 1 when it ran, 0 when it did not. */
int drove__ctrl_clean_stale(drove_controller *c, int64_t now_ms);
/* The HTTP client and server (no routes yet). */
int drove__ctrl_engine_http(drove_controller *c);
/* After the routes: decoder, listener, store, timers, election. */
int drove__ctrl_engine_start(drove_controller *c);

/* ---- metrics and the admin port (metrics.c) ---- */
/* The registry with the process families and the families the lower layers update (new). */
int drove__ctrl_metrics_new(drove_controller *c);
/* Count the API port's requests (after drove__ctrl_engine_http). */
void drove__ctrl_metrics_http(drove_controller *c);
/* Right after the store opens: store metrics, the scrape-time collector and the admin port on
 * server.adminConnectors[0] (none when the list is empty). @return 0, DROVE_EIO or ENOMEM. */
int drove__ctrl_admin_start(drove_controller *c);
/* Close the admin port and drop the collector (stop); the registry stays until free. */
void drove__ctrl_metrics_free(drove_controller *c);

/* ---- log files proxied to executors (logs.c): §2.9 ---- */
int drove__ctrl_log_routes(drove_controller *c);

/* ---- the read-only web console (console.c): / and /ui/... on every controller; Bootstrap 5
 * from options.consoleAssetsPath (docs/console.md) ---- */
int drove__ctrl_console_routes(drove_controller *c);

/* ---- the app-instance API (iapi.c): §2.10 ---- */
int drove__ctrl_iapi_routes(drove_controller *c);

/* ---- the cluster summary and the dashboard (dashboard.c): §2.7, §6.6 ---- */
/* The ClusterSummary figures: ACTIVE executors and their cores / MB, active apps, tasks and
 * local services (also the console's cluster page). */
typedef struct drove__ctrl_totals {
	int64_t executors, free_cores, used_cores, free_mb, used_mb;
	int64_t active_apps, active_tasks;
	size_t lsvcs, active_lsvcs;
} drove__ctrl_totals;
void drove__ctrl_cluster_totals(drove_controller *c, drove__ctrl_totals *t);
/* ClusterSummary; *total_cores / *total_mb (may be NULL) get the ACTIVE executors' totals. */
struct json_object *drove__ctrl_cluster_summary(drove_controller *c, int64_t *total_cores,
                                                int64_t *total_mb);
/* GET /cluster/dashboard. */
int drove__ctrl_dashboard_routes(drove_controller *c);

/* ---- cached renderings of the large list reads (vcache.c) ---- */
/* GET /applications?from=&size= (AppSummary by id), from the kept body while nothing it
 * shows changed. */
void drove__ctrl_vc_apps(drove_controller *c, struct drove__http_req *req, int64_t from,
                         int64_t size);
/* GET /endpoints for `names` (all when empty). */
void drove__ctrl_vc_endpoints(drove_controller *c, struct drove__http_req *req,
                              const drove_strlist *names);
/* GET /cluster/executors. */
void drove__ctrl_vc_executors(drove_controller *c, struct drove__http_req *req);
void drove__ctrl_vcache_free(drove_controller *c);

/* ---- REST (api.c) ---- */
/* Decode and validate an ApplicationOperation body (POST /applications/operations): 0 with
 * *out, 1 (malformed JSON, bad type or enum: "JSON validation failure") or 2 (validation:
 * "Command validation failure") with the problems in `errors`, or DROVE_ENOMEM. */
int drove__ctrl_op_decode(const char *body, size_t len, const struct drove_spec_opts *opts,
                          drove_app_op **out, drove_strlist *errors);
/* Decode a DryRunRuleInfo (§3.9) parsed from a request body: *pp the RULE_BASED policy (HOPE,
 * with a rule; free with drove__placement_policy_free) and the schedulingInfo set on `info`.
 * 0; 1 (bad shape or type: "JSON validation failure") or 2 (a member missing, no rule or
 * ruleType, MVEL: "Command validation failure") with the problems in `errors` and *pp NULL;
 * or DROVE_ENOMEM. The rule itself is not parsed here. */
int drove__ctrl_dryrun_decode(struct json_object *j, drove_placement_policy **pp,
                              drove_sched_info *info, drove_strlist *errors);
int drove__ctrl_api_routes(drove_controller *c);

#endif
