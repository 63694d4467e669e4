/*
 * Local services of the controller (DROVE_API.md §2.6, §4.4, §5.4; docs/local-services.md):
 * internal declarations of lsvc.c (engine and REST) and lsvc_pure.c (the pure parts: the
 * §5.4 tables, the per-executor plan, the JSON views, the instance spec, event metadata).
 * Everything runs on the controller's loop thread.
 */
#ifndef DROVE_CTRL_LSVC_H
#define DROVE_CTRL_LSVC_H

#include "ctrl/kinds.h"

/* ---- the §5.4 state machine, as tables (lsvc_pure.c) ---- */

#define DROVE__LS_OP_BIT(op) (1u << (unsigned)(op))
/* Operations (DROVE_LS_OP_*) allowed in `state` (enum drove_ls_state), as a bit set. */
unsigned drove__lsvc_allowed_ops(int state);
/* 1 when a service may move from `from` to `to`. */
int drove__lsvc_transition_ok(int from, int to);
/* 0 when `op` may be submitted for `service_id` in `state`; else DROVE_EINVAL with the
 * message "Only [ACTIVATE, ...] allowed for local service X as it is in S state" or "No
 * operations allowed for local service X as it is in S state". */
int drove__lsvc_check_op(int state, int op, const char *service_id);
/* The stable state of an activation state (ACTIVE -> ACTIVE, ...). */
int drove__lsvc_stable_state(int activation);
/* The host-level flag of a LOCAL policy (itself or a COMPOSITE member). */
bool drove__lsvc_host_level(const drove_placement_policy *p);

/* ---- decoding an operation (POST /localservices/operations) ---- */

/* Decode and validate a LocalServiceOperation body: 0 with *out, 1 (malformed JSON, bad type
 * or enum: "JSON validation failure") or 2 (validation: "Command validation failure") with
 * the problems in `errors`, or DROVE_ENOMEM. */
int drove__lsvc_op_decode(const char *body, size_t len, const struct drove_spec_opts *opts,
                          drove_ls_op **out, drove_strlist *errors);

/* ---- the per-executor plan (§11 item 4), pure ---- */

/* A live instance of a service as the planner sees it: active, fresh, not being stopped or
 * replaced; or a start in flight (no record yet). */
typedef struct drove__lsvc_live {
	const char *exec_id;
	bool healthy;
	bool starting; /* a start in flight: never chosen to stop */
} drove__lsvc_live;

typedef struct drove__lsvc_plan {
	size_t *starts; /* per eligible executor (n_execs entries): instances to start there */
	size_t any;     /* CONFIG_TESTING: instances to start on any eligible executor */
	size_t *stops;  /* indexes into `live` of the instances to stop */
	size_t n_stops;
} drove__lsvc_plan;

/* What to start and stop so that `live` matches the activation state: ACTIVE wants
 * `per_host` on each of the `n_execs` eligible executors and none elsewhere; CONFIG_TESTING
 * one on any eligible executor; INACTIVE none. Extras to stop are chosen among the recorded
 * ones, unhealthy first, then the latest in `live` order. @return 0 or DROVE_ENOMEM; free the
 * plan with drove__lsvc_plan_free(). */
int drove__lsvc_plan_make(int activation, int64_t per_host, const char *const *execs,
                          size_t n_execs, const drove__lsvc_live *live, size_t n_live,
                          drove__lsvc_plan *out);
void drove__lsvc_plan_free(drove__lsvc_plan *p);

/* ---- views ---- */

/* LocalServiceSummary (§2.6): `healthy` fresh HEALTHY instances, `active` fresh instances in
 * active states (totals). NULL on ENOMEM. */
struct json_object *drove__lsvc_summary(const drove_ls_info *info, int state, int64_t healthy,
                                        int64_t active);
/* LOCAL_SERVICE_STATE_CHANGE / LOCAL_SERVICE_INSTANCE_STATE_CHANGE metadata (§7.1). */
int drove__lsvc_event_service(drove_event *ev, const drove_ls_info *info, int state);
int drove__lsvc_event_instance(drove_event *ev, const drove_ls_instance_info *in);
/* The LocalServiceInstanceSpec (§8.4) of `instance_id` on allocation (node, cores, mb) with
 * `token` (copied; NULL: ""). */
int drove__lsvc_instance_spec(const drove_ls_spec *spec, const char *service_id,
                              const char *instance_id, int node, const int *cores, size_t n_cores,
                              int64_t mb, const char *token, drove_ls_instance_spec **out);
/* The HOPE rule that pins a placement to executor `exec_id` ("/executorNodeId" == '<id>').
 * NULL (error set) when the id cannot be quoted or on ENOMEM. */
char *drove__lsvc_pin_rule(const char *exec_id);

/* ---- the engine's records, shared with the REST edge (lsvc.c, lsvc_rest.c) ---- */

struct svc;

struct lsi {
	drove_ls_instance_info *info; /* owned */
	int64_t seen_ms;              /* wall ms of the last report naming it */
	bool stopping;                /* we want it stopped */
	bool retiring;                /* a replace target waiting for its replacement */
	int64_t retire_deadline;      /* mono */
	drove__ctrl_life stop;        /* the lifecycle engine's stop (life.h), once stopping */
	struct svc *svc;
};

/* A start in flight: the lifecycle engine's (life.h) instance id, executor, placement, START
 * or config fetch in flight, phase, deadline and why it failed. */
struct lstart {
	struct svc *svc;
	drove__ctrl_life life;
};

enum { OP_NONE = 0, OP_REPLACE, OP_STOP };
enum { TG_PENDING = 0, TG_BEGUN, TG_DONE };

struct svc {
	drove_controller *c;
	char *id;
	drove_ls_info *info; /* owned */
	int state;           /* enum drove_ls_state */
	int64_t cpus, mem_mb;
	struct lsi **insts;
	size_t n_insts, cap_insts;
	struct lstart **starts;
	size_t n_starts, cap_starts;
	/* the operation under way (REPLACE_INSTANCES / RESTART / STOP_INSTANCES) */
	int op;
	char **op_ids;
	int *op_status;
	size_t n_op;
	bool stop_first;
	int parallelism;
	int64_t op_timeout_ms;
	int64_t op_deadline; /* mono */
	/* the monitor */
	bool dirty;
	int64_t next_start; /* mono: no start before (after a failed one) */
};

struct drove__ctrl_lsvcs {
	struct svc **v; /* sorted by id */
	size_t n, cap;
};

/* lsvc.c, for lsvc_rest.c */
struct svc *drove__lsvc_svc_find(drove_controller *c, const char *id);
struct lsi *drove__lsvc_lsi_find(struct svc *s, const char *iid);
bool drove__lsvc_fresh(drove_controller *c, const struct lsi *in, int64_t now);
bool drove__lsvc_is_active(const struct lsi *in);
void drove__lsvc_op_clear(struct svc *s);
/* We want `in` stopped: the lifecycle engine's stop begins (or its next STOP is due now). */
void drove__lsvc_lsi_stop(struct lsi *in);
int drove__lsvc_svc_adopt(drove_controller *c, drove_ls_info *info, struct svc **out);
void drove__lsvc_svc_remove(drove_controller *c, struct svc *s);
void drove__lsvc_svc_set_state(drove_controller *c, struct svc *s, int state);
int drove__lsvc_svc_persist(drove_controller *c, struct svc *s);

/* lsvc_rest.c, for the console: fresh instances of `s` in active states (*active) and HEALTHY
 * (*healthy) at wall time `now`. */
void drove__lsvc_instance_counts(drove_controller *c, const struct svc *s, int64_t now,
                                 int64_t *healthy, int64_t *active);

/* lsvc_rest.c, for the dashboard (§6.6): serviceStats, shares of `cores`/`mb` (the cluster's
 * totals) ranking the top services; instances fresh at wall time `now`. */
struct json_object *drove__lsvc_dashboard_stats(drove_controller *c, int64_t cores, int64_t mb,
                                                int64_t now);

/* Destroy `s`: its records leave the store, then it leaves memory (`s` is freed).
 * @return 0, or the store's error (the service stays INACTIVE). */
int drove__lsvc_destroy(drove_controller *c, struct svc *s);

#endif
