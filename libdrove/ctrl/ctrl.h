/*
 * Internal interface of the controller engine (docs/controller.md). Everything here runs on
 * the loop's thread. The pure parts (fsm.c, events.c, views.c) are unit-tested alone; the
 * engine (engine.c, jobs.c, execs.c) and the REST handlers (api.c) use them.
 */
#ifndef DROVE_CTRL_CTRL_H
#define DROVE_CTRL_CTRL_H

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
} drove__ctrl_app;

typedef struct drove__ctrl_exec {
	char *id;
	drove_node_data *nd;             /* the last snapshot (owned) */
	int64_t seen_mono;               /* when it last reported */
	int ctrl_state;                  /* blacklist state the leader asked for; -1: none */
	int probe_fails;                 /* liveness pings failed in a row (execs.c) */
	struct drove__ctrl_probe *probe; /* the ping in flight, or NULL */
	bool removed;
	int64_t removed_at; /* wall ms */
} drove__ctrl_exec;

/* ---- pure views (views.c) ---- */

/* Fresh: reported within `stale_ms` of `now`. */
bool drove__ctrl_inst_fresh(const drove__ctrl_inst *in, int64_t now, int64_t stale_ms);
/* InstanceInfo as a json-c value that serialises from a cached rendering (re-rendered when the
 * record changed). NULL on ENOMEM. */
struct json_object *drove__ctrl_inst_jobj(drove__ctrl_inst *in);
void drove__ctrl_inst_free(drove__ctrl_inst *in);
/* AppSummary (§2.2). `now`/`stale_ms` decide healthyInstances. */
struct json_object *drove__ctrl_app_summary(const drove__ctrl_app *app, int64_t now,
                                            int64_t stale_ms);
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
typedef struct drove__ctrl_known_fns {
	drove__ctrl_expected_fn app_expected;
	drove__ctrl_task_known_fn task_known; /* NULL: active tasks are known */
	drove__ctrl_lsi_known_fn lsi_known;   /* NULL: every LS instance is stale */
	void *userdata;
} drove__ctrl_known_fns;
/* KnownInstancesData for the instances of a node (§8.5 classification): app instances of an
 * app with expected > 0 are known, the rest stale; tasks and local-service instances as the
 * fns say. `extra` (may be NULL) adds app instance ids the leader is starting there right
 * now (known). */
int drove__ctrl_known_instances(const drove_node_data *nd, const drove__ctrl_known_fns *fns,
                                const drove_strlist *extra, drove_known_instances **out);
/* Convert a spec placement policy (NULL: ANY) to the scheduler's. @return 0, DROVE_EINVAL or
 * DROVE_ENOMEM. */
int drove__ctrl_policy_convert(const drove_placement_policy *p, drove_sched_policy **out);
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

/* ---- the engine (engine.c) ---- */

/* What a standby knows of the leader it watches (standby.c). */
struct drove__ctrl_standby {
	char *leader_hp; /* "host:port" from the leader's election node, or NULL */
	char *url;       /* its ping */
	int64_t term;
	int fails; /* pings failed in a row */
	bool busy; /* a lookup, ping or depose in flight */
	struct drove__http_req *req;
};

struct drove_controller {
	drove_ctx *ctx;
	drove_loop *loop;
	const drove_config *cfg;
	drove_auth *auth;
	struct drove__http_server *http;
	struct drove__http_client *client;
	drove_store *store;
	drove_election *election;
	drove_sched *sched;
	char *hostname;
	char *node_name; /* {hostname}-{port} */
	char *leader_hp; /* {hostname}:{port} */
	char *secret;    /* the CONTROLLER cluster secret we send */
	int port;
	int started;
	volatile int leader;
	int64_t term;
	int64_t acquired_mono;
	bool ready; /* leader and recovered (acts) */
	/* options (ms) */
	int64_t reconcile_ms, exec_check_ms, stale_exec_ms, stale_inst_ms, window_tail_ms;
	int64_t probe_ms, probe_failures;
	int64_t op_timeout_ms, job_retry_ms, events_keep_ms;
	int64_t op_parallelism, job_retries, max_old_instances;
	struct drove_spec_opts spec_opts;
	/* state */
	drove__ctrl_app **apps; /* sorted by id */
	size_t n_apps, cap_apps;
	drove__ctrl_exec **execs;
	size_t n_execs, cap_execs;
	drove__ctrl_events events;
	int cluster_state;
	int64_t cluster_updated;
	bool blacklist_busy;
	void *bl_pending;               /* the blacklist request waiting for executors (api.c) */
	struct drove__ctrl_send *sends; /* messages in flight */
	struct drove__ctrl_decoder *decoder;
	struct drove__ctrl_tasks *tasks; /* tasks.c */
	struct drove__ctrl_lsvcs *lsvcs; /* lsvc.c */
	/* set by the engine: frees an app's job (jobs.c) for state.c, which sits below jobs */
	void (*free_job)(drove_controller *c, struct drove__ctrl_job *job);
	struct drove__ctrl_standby standby;
	/* timers */
	struct event *t_jobs, *t_reconcile, *t_execs, *t_purge, *t_node, *t_probe, *t_stale;
	int64_t next_reconcile_mono;
};

/* ---- state (state.c): the bottom layer; calls nothing above it ---- */

drove__ctrl_app *drove__ctrl_app_find(drove_controller *c, const char *id);
/* Add an app for `info` (taken) to the leader's state, in state INIT. */
int drove__ctrl_app_adopt(drove_controller *c, drove_app_info *info, drove__ctrl_app **out);
/* Append an instance record for `info` (taken), seen at `seen` (ms). */
int drove__ctrl_app_add_inst(drove__ctrl_app *app, drove_instance_info *info, int64_t seen);
drove__ctrl_inst *drove__ctrl_inst_find(drove__ctrl_app *app, const char *instance_id);
/* Free an app and its records; its job through c->free_job. */
void drove__ctrl_app_free(drove_controller *c, drove__ctrl_app *app);
bool drove__ctrl_in_window(drove_controller *c);
/* Publish an event (takes it). */
void drove__ctrl_publish(drove_controller *c, drove_event *ev);
/* Move an app to `state` with an APP_STATE_CHANGE event. */
void drove__ctrl_app_set_state(drove_controller *c, drove__ctrl_app *app, int state);
/* Persist ApplicationInfo (synchronous). @return 0 or the store's error. */
int drove__ctrl_app_persist(drove_controller *c, drove__ctrl_app *app);
/* Store an instance record (asynchronous, fire and forget). */
void drove__ctrl_inst_persist(drove_controller *c, const drove_instance_info *info);

/* ---- instance tokens (token.c) ---- */

/* The token of an instance (app id or service id), signed with instanceAuth.secret, for START
 * messages. @return a new string (free()) or NULL (error set). */
char *drove__ctrl_instance_token(drove_controller *c, const char *app_id, const char *instance_id,
                                 const char *executor_id);
/* instanceAuth.secret, or Drove's default (borrowed). */
const char *drove__ctrl_instance_secret(const drove_controller *c);

/* ---- executors and messages to them (send.c): above state, below every kind ---- */

drove__ctrl_exec *drove__ctrl_exec_find(drove_controller *c, const char *id);
drove__ctrl_exec *drove__ctrl_exec_of(drove_controller *c, const char *id);
int drove__ctrl_exec_state(const drove__ctrl_exec *e);
/* Sending a message to an executor with retries. `done` gets the reply status
 * (DROVE_MSG_*, or -1 when the transport failed until the deadline) and message. */
typedef void (*drove__ctrl_send_fn)(drove_controller *c, int status, const char *message,
                                    void *userdata);
typedef struct drove__ctrl_send drove__ctrl_send;
int drove__ctrl_send_msg(drove_controller *c, const drove__ctrl_exec *e, drove_message *m,
                         int64_t retry_for_ms, drove__ctrl_send_fn done, void *userdata,
                         drove__ctrl_send **out);
/* Fire and forget: a message of `type` (with `instance_id`, may be NULL) to executor
 * `exec_id` (nothing when unknown), retried for `retry_for_ms`. */
void drove__ctrl_send_simple(drove_controller *c, const char *exec_id, int type,
                             const char *instance_id, int64_t retry_for_ms);
/* The callback of `s` will not run (its message may still go out). */
void drove__ctrl_send_detach(drove__ctrl_send *s);
void drove__ctrl_sends_free(drove_controller *c);

/* ---- the application kind above its jobs (apps.c) ---- */

/* Apply an instance report (copied): newer `updated` only; events on state change. */
void drove__ctrl_apply_instance(drove_controller *c, const drove_instance_info *info);
/* An instance record becomes LOST with `why`. */
void drove__ctrl_mark_lost(drove_controller *c, drove__ctrl_inst *in, const char *why);
/* Keep at most max_old_instances non-active records of `app`. */
void drove__ctrl_prune_old(drove_controller *c, drove__ctrl_app *app);
/* App instances on executor `exec_id` become LOST (it is gone). */
void drove__ctrl_apps_executor_lost(drove_controller *c, const char *exec_id);
/* RECOVER the app if its fresh healthy count is off (no checks of leadership or window). */
void drove__ctrl_check_app_at(drove_controller *c, drove__ctrl_app *app, int64_t now);
/* The same, only when leader, ready and outside the window. */
void drove__ctrl_check_app(drove_controller *c, drove__ctrl_app *app);
/* §11 item 5 at `now`: DESTROY MONITORING apps not updated for staleAppAge; drop
 * non-active instance records older than staleInstanceAge. */
void drove__ctrl_apps_clean_stale(drove_controller *c, int64_t now);

/* ---- executors' messages and tracking (execs.c): above every kind ---- */

/* Apply a message from an executor; parts of `m` may be taken (set to NULL). */
void drove__ctrl_handle_message(drove_controller *c, drove_message *m);
/* Answer an executor's POST /messages once its body is decoded (`m` NULL: `error`). */
void drove__ctrl_message_decoded(drove_controller *c, struct drove__http_req *req, drove_message *m,
                                 const char *error);
void drove__ctrl_exec_sweep(drove_controller *c);
/* Ping every live executor that has no ping in flight (options.executorProbeInterval); one
 * that fails executorProbeFailures pings in a row is lost at once (docs/operations.md). */
void drove__ctrl_exec_probe_tick(drove_controller *c);
void drove__ctrl_blacklist_tick(drove_controller *c);
void drove__ctrl_execs_clear(drove_controller *c);

/* ---- blacklisting through the API (blacklist.c) ---- */

void drove__ctrl_h_blacklist(struct drove__http_req *req, void *ud);
void drove__ctrl_h_unblacklist(struct drove__http_req *req, void *ud);

/* ---- the engine (engine.c), for the edge (api.c) ---- */

/* Run reconciliation now (leader). */
void drove__ctrl_reconcile(drove_controller *c);
/* The stale-data cleaner (§11 item 5) as of `now_ms` (wall): leader, ready and outside the
 * window only. @return 1 when it ran, 0 when it did not. */
int drove__ctrl_clean_stale(drove_controller *c, int64_t now_ms);
/* A standby's watch of the leader (standby.c): ping it, depose it after probe_failures
 * failures in a row. Called on every probe tick while not leading. */
void drove__ctrl_standby_tick(drove_controller *c);
/* Forget the watched leader and cancel a ping in flight (before the client is freed). */
void drove__ctrl_standby_clear(drove_controller *c);
/* The HTTP client and server (no routes yet). */
int drove__ctrl_engine_http(drove_controller *c);
/* After the routes: decoder, listener, store, timers, election. */
int drove__ctrl_engine_start(drove_controller *c);

/* ---- jobs (jobs.c) ---- */

/* Submit a validated operation (op: DROVE__CTRL_OP_*). */
int drove__ctrl_job_scale(drove_controller *c, drove__ctrl_app *app, int64_t required,
                          const drove_cluster_op_spec *ops);
int drove__ctrl_job_stop(drove_controller *c, drove__ctrl_app *app, char **ids, size_t n,
                         bool skip_respawn, const drove_cluster_op_spec *ops);
int drove__ctrl_job_replace(drove_controller *c, drove__ctrl_app *app, char **ids, size_t n,
                            bool stop_first, const drove_cluster_op_spec *ops);
int drove__ctrl_job_destroy(drove_controller *c, drove__ctrl_app *app);
/* Cancel the app's job if it is cancellable. @return 0 or DROVE_EINVAL. */
int drove__ctrl_job_cancel(drove_controller *c, drove__ctrl_app *app);
/* Step every job (timeouts, retries, progress). */
void drove__ctrl_jobs_tick(drove_controller *c);
void drove__ctrl_job_step(drove_controller *c, drove__ctrl_app *app);
void drove__ctrl_job_free(drove_controller *c, struct drove__ctrl_job *job);
/* Instance ids the leader is starting on executor `id` right now (known instances). */
int drove__ctrl_jobs_starting_on(drove_controller *c, const char *exec_id, drove_strlist *out);

/* ---- CONTROLLER_HTTP_FETCH configs (fetch.c) ---- */
bool drove__ctrl_spec_needs_fetch(const drove_app_spec *spec);
/* `spec` (borrowed for the call) with fetched configs as INLINE, or NULL and `error`. */
typedef void (*drove__ctrl_fetched_fn)(const drove_app_spec *spec, const char *error,
                                       void *userdata);
struct drove__ctrl_fetch;
/* Fetch every CONTROLLER_HTTP_FETCH config of `spec`, one after the other; `done` runs once
 * (possibly before this returns: then *out is already invalid). */
int drove__ctrl_fetch_configs(drove_controller *c, const drove_app_spec *spec,
                              drove__ctrl_fetched_fn done, void *userdata,
                              struct drove__ctrl_fetch **out);
/* Cancel a fetch in flight: `done` never runs. */
void drove__ctrl_fetch_cancel(struct drove__ctrl_fetch *f);

/* ---- decoding executor messages off the loop (decoder.c) ---- */
int drove__ctrl_decoder_start(drove_controller *c);
/* Join the worker and drop what is queued (without answering): before freeing the server. */
void drove__ctrl_decoder_stop(drove_controller *c);
/* Queue `body` (copied) of request `req`; drove__ctrl_message_decoded() answers it later on
 * the loop. @return 0, DROVE_EINVAL (no decoder) or DROVE_ENOMEM. */
int drove__ctrl_decode_async(drove_controller *c, struct drove__http_req *req, const char *body,
                             size_t len);

/* ---- tasks (tasks.c): §2.5, §4.3, §5.3 ----
 * State lives in c->tasks (created on demand, freed by drove__ctrl_tasks_clear). */
/* Register the task routes (/tasks/...). @return 0 or the server's error. */
int drove__ctrl_task_routes(drove_controller *c);
/* Leadership acquired (after apps): load the stored task records. */
void drove__ctrl_tasks_load(drove_controller *c);
/* Leadership lost / stop: drop every task in memory (no callbacks, nothing written). */
void drove__ctrl_tasks_clear(drove_controller *c);
/* A TaskInfo reported by an executor (TASK_STATE_REPORT or in a snapshot); copied. */
void drove__ctrl_task_apply(drove_controller *c, const drove_task_info *t);
/* Reconciliation (leader, ready): staleness, retention. */
void drove__ctrl_tasks_reconcile(drove_controller *c);
/* Jobs tick (leader, ready): starts, kills, timeouts. */
void drove__ctrl_tasks_tick(drove_controller *c);
/* Executor `exec_id` is gone: its running tasks are LOST. */
void drove__ctrl_tasks_executor_lost(drove_controller *c, const char *exec_id);
/* For KnownInstancesData: 1 when the leader tracks this task. */
bool drove__ctrl_task_known(const drove_task_info *t, void *c);
/* Tasks in an active state (cluster summary). */
size_t drove__ctrl_tasks_active(drove_controller *c);
/* The executor id holding task {source_app}/{task_id} (borrowed, valid until the next report
 * or tick); NULL when the leader knows no such task or where it runs. */
const char *drove__ctrl_task_executor(drove_controller *c, const char *source_app,
                                      const char *task_id);

/* ---- local services (lsvc.c): §2.6, §4.4, §5.4 ----
 * State lives in c->lsvcs (created on demand, freed by drove__ctrl_lsvc_clear). */
/* Register the local-service routes, and /internal/cluster/resources/reserved. */
int drove__ctrl_lsvc_routes(drove_controller *c);
void drove__ctrl_lsvc_load(drove_controller *c);
void drove__ctrl_lsvc_clear(drove_controller *c);
/* A LocalServiceInstanceInfo reported by an executor (report or snapshot); copied. */
void drove__ctrl_lsvc_apply(drove_controller *c, const drove_ls_instance_info *li);
/* Reconciliation (leader, ready): instances per executor, staleness. */
void drove__ctrl_lsvc_reconcile(drove_controller *c);
void drove__ctrl_lsvc_tick(drove_controller *c);
/* §11 item 5 at `now`: DESTROY INACTIVE local services not updated for staleServiceAge. */
void drove__ctrl_lsvc_clean_stale(drove_controller *c, int64_t now);
void drove__ctrl_lsvc_executor_lost(drove_controller *c, const char *exec_id);
/* Executor `exec_id` was added, blacklisted or unblacklisted: adjust soon. */
void drove__ctrl_lsvc_executor_changed(drove_controller *c, const char *exec_id);
bool drove__ctrl_lsvc_known(const drove_ls_instance_info *li, void *c);
/* Services, and those ACTIVE or CONFIG_TESTING (cluster summary). */
void drove__ctrl_lsvc_counts(drove_controller *c, size_t *total, size_t *active);
/* The executor id holding LS instance {service_id}/{instance_id} (borrowed, as above). */
const char *drove__ctrl_lsvc_instance_executor(drove_controller *c, const char *service_id,
                                               const char *instance_id);

/* ---- log files proxied to executors (logs.c): §2.9 ---- */
int drove__ctrl_log_routes(drove_controller *c);

/* ---- the app-instance API (iapi.c): §2.10 ---- */
int drove__ctrl_iapi_routes(drove_controller *c);

/* The known-instance classifier of the leader's state (execs.c; used by api.c, engine.c). */
void drove__ctrl_known_fns_init(drove_controller *c, drove__ctrl_known_fns *fns);

/* ---- REST helpers shared by the handlers (rest.c) ---- */
/* A JSON string ("" for NULL). */
struct json_object *drove__ctrl_jstr(const char *s);
/* Integer query parameter `name` in [0, max]; `def` when absent. @return 0, or -1 when bad. */
int drove__ctrl_query_i64(struct drove__http_req *req, const char *name, int64_t def, int64_t max,
                          int64_t *out);
/* 400 "Command validation failure" for a bad query parameter / with one message. */
void drove__ctrl_reply_bad_param(struct drove__http_req *req, const char *name);
void drove__ctrl_reply_one_error(struct drove__http_req *req, const char *msg);
/* 400 "JSON validation failure" listing every decode problem (or the last error). */
void drove__ctrl_reply_json_errors(struct drove__http_req *req, const drove_strlist *errors);

/* The shared start of POST .../operations: 400 in the maintenance window, a new error list.
 * @return the body (with *len; free *errors after) or NULL when the request was answered. */
const char *drove__ctrl_op_begin(drove_controller *c, struct drove__http_req *req, size_t *len,
                                 drove_strlist **errors);
/* Answer an operation decode that gave no operation: rc 1 (400 "JSON validation failure"),
 * 2 (400 "Command validation failure") or < 0 (500). */
void drove__ctrl_reply_decode_failed(struct drove__http_req *req, int rc,
                                     const drove_strlist *errors);

/* ---- REST (api.c) ---- */
/* Decode and validate an ApplicationOperation body (POST /applications/operations): 0 with
 * *out, 1 (malformed JSON, bad type or enum: "JSON validation failure") or 2 (validation:
 * "Command validation failure") with the problems in `errors`, or DROVE_ENOMEM. */
int drove__ctrl_op_decode(const char *body, size_t len, const struct drove_spec_opts *opts,
                          drove_app_op **out, drove_strlist *errors);
int drove__ctrl_api_routes(drove_controller *c);
/* Answer a blacklist request still waiting (its messages were dropped) (blacklist.c). */
void drove__ctrl_blacklist_abort(drove_controller *c);

#endif
