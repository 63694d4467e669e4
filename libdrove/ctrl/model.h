/* The controller, layer by layer (docs/controller.md, "Layout"): the pure layer: §5.1 as tables,
 * SCALE planning, the event store, the in-memory records and the JSON views (fsm.c, events.c,
 * views.c). No I/O. Everything here runs on the loop thread. A file includes the header of its own
 * layer, which includes the layers below it; nothing includes a header above its layer. */
#ifndef DROVE_CTRL_MODEL_H
#define DROVE_CTRL_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <drove/auth.h>
#include <drove/controller.h>
#include <drove/loop.h>
#include <drove/model.h>
#include <drove/sched.h>
#include <drove/store.h>

#include "core/internal.h"
#include "model/message.h"
#include "model/model.h"

struct json_object;
struct event;
struct drove__http_server;
struct drove__http_client;
struct drove__http_req;

/* ---- the application state machine (§5.1), as tables (fsm.c) ---- */

/* Operation kinds as the state machine sees them: Drove's internal names. */
enum drove__ctrl_op {
	DROVE__CTRL_OP_CREATE = 0,
	DROVE__CTRL_OP_START_INSTANCES,
	DROVE__CTRL_OP_STOP_INSTANCES,
	DROVE__CTRL_OP_SCALE_INSTANCES,
	DROVE__CTRL_OP_REPLACE_INSTANCES,
	DROVE__CTRL_OP_SUSPEND,
	DROVE__CTRL_OP_RECOVER,
	DROVE__CTRL_OP_DESTROY,
	DROVE__CTRL_OP__COUNT
};
#define DROVE__CTRL_OP_BIT(op) (1u << (unsigned)(op))

/* Drove's internal name of an op ("SCALE_INSTANCES"). */
const char *drove__ctrl_op_name(int op);
/* The state-machine op of an API operation type (DROVE_APP_OP_SCALE -> SCALE_INSTANCES). */
int drove__ctrl_op_from_api(int app_op_type);
/* Ops allowed in `state` (bit set of DROVE__CTRL_OP_BIT). */
unsigned drove__ctrl_allowed_ops(int state);
/* 1 when the machine may move from `from` to `to`. */
int drove__ctrl_transition_ok(int from, int to);
/* 0 when `op` may be submitted for `app_id` in `state`; else DROVE_EINVAL with Drove's
 * message ("Only [SCALE_INSTANCES] allowed for app X as it is in S state" or "No operations
 * allowed for X as it is in S state"). */
int drove__ctrl_check_op(int state, int op, const char *app_id);

/* ---- SCALE planning (§4.2.1), pure ---- */

/* With `healthy` fresh HEALTHY instances and `required` wanted: how many to start (*start)
 * and which to stop: *stop gets min(n, healthy - required) indexes into [0, healthy) chosen at
 * random (ctx), distinct. `stop_idx` must hold `healthy` entries. */
void drove__ctrl_plan_scale(drove_ctx *ctx, size_t healthy, int64_t required, size_t *start,
                            size_t *stop_idx, size_t *n_stop);

/* ---- the event store (§7.2), events.c ---- */

typedef struct drove__ctrl_events {
	drove_event **v; /* ascending time (insertion order; times never go back) */
	size_t n, cap;
	size_t head; /* first live entry (purged ones before it are freed) */
} drove__ctrl_events;

/* Append (takes `ev`; freed on error). @return 0 or DROVE_ENOMEM. */
int drove__ctrl_events_add(drove__ctrl_events *s, drove_event *ev);
/* Events with time > last_sync, newest first, at most `size` of them (borrowed); *sync_out
 * gets the newest event time in the store, or last_sync when the store is empty.
 * @return the count, or DROVE_ENOMEM. */
int drove__ctrl_events_latest(const drove__ctrl_events *s, int64_t last_sync, size_t size,
                              const drove_event ***out, int64_t *sync_out);
/* Counts per event type (counts[DROVE_EVENT_...], 14 entries) of events newer than last_sync;
 * same sync rule. */
void drove__ctrl_events_summary(const drove__ctrl_events *s, int64_t last_sync, size_t *counts,
                                size_t ncounts, int64_t *sync_out);
/* Drop events older than `before_ms`. */
void drove__ctrl_events_purge(drove__ctrl_events *s, int64_t before_ms);
void drove__ctrl_events_clear(drove__ctrl_events *s);
size_t drove__ctrl_events_count(const drove__ctrl_events *s);

/* ---- in-memory state ---- */

struct drove__ctrl_job;

typedef struct drove__ctrl_inst {
	drove_instance_info *info; /* owned */
	int64_t seen_ms;           /* wall ms of the last report or snapshot naming it */
	char *json;                /* cached rendering of `info`, valid while json_updated */
	int64_t json_updated;      /* == info->updated and the state is unchanged */
	int json_state;
	struct drove__ctrl_bxbucket *bx; /* its executor's bucket in the index (byexec.c) */
	size_t bx_pos;                   /* and its place there */
} drove__ctrl_inst;

typedef struct drove__ctrl_app {
	char *id;
	drove_app_info *info; /* owned: spec, expected instances, created, updated */
	int state;            /* enum drove_app_state */
	drove__ctrl_inst **insts;
	size_t n_insts, cap_insts;
	struct drove__ctrl_job *job;
	drove_sched_policy *policy; /* the spec's policy, converted */
	int64_t cpus, mem_mb;
	int64_t retry_at; /* mono ms: a SCALE to re-issue after this */
	/* cached AppSummary text (vcache.c), valid while these match the record */
	char *view_json;
	int64_t view_healthy, view_instances, view_updated;
	int view_state;
} drove__ctrl_app;

typedef struct drove__ctrl_exec {
	char *id;
	drove_node_data *nd;             /* the last snapshot (owned) */
	int64_t seen_mono;               /* when it last reported */
	int ctrl_state;                  /* blacklist state the leader asked for; -1: none */
	int probe_fails;                 /* liveness pings failed in a row (execs.c) */
	int64_t probe_fail_since;        /* mono: when the first of them was sent */
	struct drove__ctrl_probe *probe; /* the ping in flight, or NULL */
	uint64_t probe_hash;             /* of id: its ping's offset in the interval */
	uint64_t exp_pass; /* the reconcile pass that sent it EXPECTED_INSTANCES (engine.c) */
	bool removed;
	int64_t removed_at; /* wall ms */
	/* bumped with every change an executor list shows (nd, its state, removed, ctrl_state),
	 * with the controller's execs_gen: drove__ctrl_exec_changed() */
	uint64_t view_ver;
	char *view_json; /* cached ExecutorSummary text (vcache.c) of view_json_ver */
	uint64_t view_json_ver;
} drove__ctrl_exec;

/* ---- the apps' instance records by executor (byexec.c) ---- */

/* The index (NULL until the first record is added). */
typedef struct drove__ctrl_byexec drove__ctrl_byexec;
typedef struct drove__ctrl_bxent {
	struct drove__ctrl_app *app;
	drove__ctrl_inst *in;
} drove__ctrl_bxent;
/* Add app record `in` under its executor id, creating *x on first use; again after its info
 * was replaced (moved when the id differs, nothing when it is the same; out when it has none).
 * @return 0 or DROVE_ENOMEM (not indexed). */
int drove__ctrl_byexec_add(drove__ctrl_byexec **x, struct drove__ctrl_app *app,
                           drove__ctrl_inst *in);
/* Take `in` out of the index it is in (drove__ctrl_inst_free does). */
void drove__ctrl_byexec_del(drove__ctrl_inst *in);
/* The records on `exec_id` (*n of them; borrowed, valid until the next add or del); NULL and
 * *n = 0 for none. Order: none promised. */
const drove__ctrl_bxent *drove__ctrl_byexec_of(const drove__ctrl_byexec *x, const char *exec_id,
                                               size_t *n);
/* Free the index; records still in it are unlinked (NULL allowed). */
void drove__ctrl_byexec_free(drove__ctrl_byexec *x);
/* A stable hash of an id (FNV-1a 64): the same on every controller and run. */
uint64_t drove__ctrl_id_hash(const char *id);

/* ---- pure views (views.c) ---- */

/* Fresh: reported within `stale_ms` of `now`. */
bool drove__ctrl_inst_fresh(const drove__ctrl_inst *in, int64_t now, int64_t stale_ms);
/* A json-c value that serialises as `txt` (copied), already JSON. NULL on ENOMEM. */
struct json_object *drove__ctrl_raw_jobj(const char *txt);
/* InstanceInfo as a json-c value that serialises from a cached rendering (re-rendered when the
 * record changed). NULL on ENOMEM. */
struct json_object *drove__ctrl_inst_jobj(drove__ctrl_inst *in);
void drove__ctrl_inst_free(drove__ctrl_inst *in);
/* AppSummary (§2.2). `now`/`stale_ms` decide healthyInstances. */
struct json_object *drove__ctrl_app_summary(const drove__ctrl_app *app, int64_t now,
                                            int64_t stale_ms);
/* Fresh HEALTHY instances of `app` at `now` (the summary's healthyInstances). */
int64_t drove__ctrl_app_healthy(const drove__ctrl_app *app, int64_t now, int64_t stale_ms);
/* The dashboard's ranking (§6.6): dominant resource share of `cpus`/`mem_mb` in the cluster's
 * totals, in millionths. */
int64_t drove__ctrl_drf_score(int64_t cpus, int64_t mem_mb, int64_t total_cores, int64_t total_mb);
typedef struct drove__ctrl_scored {
	int64_t score;
	const void *item;
	size_t order; /* set by drove__ctrl_top */
} drove__ctrl_scored;
/* Sort `v` by score, highest first (ties keep their order); @return min(n, max). */
size_t drove__ctrl_top(drove__ctrl_scored *v, size_t n, size_t max);
/* {"<name(0)>": counts[0], ...} for the first `n` values of an enum (stops at a NULL name). */
struct json_object *drove__ctrl_counts_jobj(const char *(*name)(int), const int64_t *counts,
                                            size_t n);
/* GET /endpoints (§2.4): `apps` sorted by id; `names` NULL or the app names wanted. */
struct json_object *drove__ctrl_endpoints(drove__ctrl_app *const *apps, size_t n_apps,
                                          const drove_strlist *names, int64_t now, int64_t stale_ms,
                                          bool in_window);
/* The spec with §3.8 masking applied to a copy. NULL on ENOMEM. */
struct json_object *drove__ctrl_masked_spec(const drove_app_spec *spec);
/* Expected instances of an app id (-1: no such app); for the known-instances split. */
typedef int64_t (*drove__ctrl_expected_fn)(const char *app_id, void *userdata);
/* 1 when the leader tracks (expects) this task / local-service instance. */
typedef bool (*drove__ctrl_task_known_fn)(const drove_task_info *t, void *userdata);
typedef bool (*drove__ctrl_lsi_known_fn)(const drove_ls_instance_info *li, void *userdata);
typedef bool (*drove__ctrl_inst_lost_fn)(const drove_instance_info *in, void *userdata);
typedef struct drove__ctrl_known_fns {
	drove__ctrl_expected_fn app_expected;
	drove__ctrl_task_known_fn task_known; /* NULL: active tasks are known */
	drove__ctrl_lsi_known_fn lsi_known;   /* NULL: every LS instance is stale */
	void *userdata;
	/* NULL: none. An app instance the leader has declared LOST (and replaced) is stale even
	 * though its app expects instances: its executor came back after the replacement. */
	drove__ctrl_inst_lost_fn app_inst_lost;
	/* NULL: none. An app instance the leader holds an active record of is known even though
	 * its app expects none: the leader's scale-down job stops it (gracefully, at its pace);
	 * the executor kills what is listed stale at once (docs/executor.md). */
	drove__ctrl_inst_lost_fn app_inst_live;
} drove__ctrl_known_fns;
/* KnownInstancesData for the instances of a node (§8.5 classification): app instances of an
 * app with expected > 0 are known (unless app_inst_lost says the leader declared them LOST),
 * and those app_inst_live says the leader still stops itself, the rest stale; tasks and
 * local-service instances as the
 * fns say. `extra` (may be NULL) adds app instance ids the leader is starting there right
 * now (known); `extra_stale` (may be NULL) app instance ids its records hold as LOST there
 * (stale, after those of the node, each once). */
int drove__ctrl_known_instances(const drove_node_data *nd, const drove__ctrl_known_fns *fns,
                                const drove_strlist *extra, const drove_strlist *extra_stale,
                                drove_known_instances **out);
/* Convert a spec placement policy (NULL: ANY) to the scheduler's. @return 0, DROVE_EINVAL or
 * DROVE_ENOMEM. */
int drove__ctrl_policy_convert(const drove_placement_policy *p, drove_sched_policy **out);
/* Cores and memory (MB) free and used in a node's last resource snapshot (0 when absent). */
void drove__ctrl_node_totals(const drove_node_data *nd, int64_t *free_cores, int64_t *used_cores,
                             int64_t *free_mb, int64_t *used_mb);
/* Feed an ExecutorNodeData to a scheduler snapshot. */
int drove__ctrl_sched_snapshot(const char *executor_id, const drove_node_data *nd,
                               drove_sched_snapshot **out);
/* Event metadata builders. NULL on ENOMEM. */
drove_event *drove__ctrl_event_new(drove_ctx *ctx, int type);
int drove__ctrl_event_app(drove_event *ev, const drove__ctrl_app *app);
int drove__ctrl_event_instance(drove_event *ev, const drove_instance_info *in);
/* The instance part of event metadata, shared by app and local-service instances:
 * INSTANCE_ID, EXECUTOR_ID, CREATED, CURRENT_STATE, EXECUTOR_HOST, PORTS, ERROR. */
int drove__ctrl_event_instance_meta(drove_strmap *m, const char *instance_id,
                                    const char *executor_id, int64_t created, int state,
                                    const drove_local_info *local_info, const char *error);
/* An integer metadata value. @return 0 or DROVE_ENOMEM. */
int drove__ctrl_meta_setl(drove_strmap *m, const char *k, int64_t v);
/* "name:port:type,..." of exposed ports (new string, NULL on ENOMEM or no ports). */
char *drove__ctrl_ports_text(const drove_port_spec *p, size_t n);
/* A string map as a JSON object of strings. */
struct json_object *drove__ctrl_strmap_jobj(const drove_strmap *m);
/* maxStartTimeout (§3.6) of a spec, ms. */
int64_t drove__ctrl_max_start_ms(const drove_app_spec *spec);
int64_t drove__ctrl_max_stop_ms(const drove_app_spec *spec);
/* Build the ApplicationInstanceSpec for `instance_id` on allocation (node, cores, mb). */
int drove__ctrl_instance_spec(const drove_app_spec *spec, const char *app_id,
                              const char *instance_id, int node, const int *cores, size_t n_cores,
                              int64_t mb, drove_app_instance_spec **out);

#endif
