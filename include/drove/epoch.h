/*
 * Epoch (DROVE_API.md §12): topologies of tasks run on Drove on a schedule. This header has
 * the pure pieces the scheduler is built from: the topology spec (parsed and validated the way
 * the REST API must before anything is stored), the run ids that make a scheduled time fire at
 * most once, and the misfire rule after downtime.
 *
 * Threads: a drove_epoch_topology is shared read-only once built.
 */
#ifndef DROVE_EPOCH_H
#define DROVE_EPOCH_H

#include <drove/client.h>
#include <drove/common.h>
#include <drove/cron.h>
#include <drove/ctx.h>
#include <drove/store.h>
#include <drove/strlist.h>

DROVE_BEGIN_DECLS

/** Largest topology document accepted, in bytes. @since 0.1 */
#define DROVE_EPOCH_TOPOLOGY_MAX (256 * 1024)
/** Most leaf tasks in one topology. @since 0.1 */
#define DROVE_EPOCH_TASKS_MAX 64

/** Trigger types. @since 0.1 */
enum drove_epoch_trigger {
	DROVE_EPOCH_TRIGGER_CRON = 1,
	DROVE_EPOCH_TRIGGER_AT = 2,
};

/** A validated EpochTopology. Opaque. @since 0.1 */
typedef struct drove_epoch_topology drove_epoch_topology;

/** Parse and validate an EpochTopology: `name` ([0-9a-zA-Z_-], 1-255), `task`
 *  (CONTAINER_EXECUTION, checked with Drove's task spec rules as the controller would, or
 *  COMPOSITE with `tasks` and `compositionType` ALL | ANY; task names unique), `trigger`
 *  (CRON with a Quartz `timeSpec` and optional `timeZone`, or AT with `time` in ms after
 *  `now_ms`), `notify` (optional: BLACKHOLE, or MAIL with `emails`). Unknown fields are
 *  errors. `json` is copied.
 *  @return 0; DROVE_EINVAL, with every problem in `*errors_out` (when not NULL; one
 *  "path: message" each, free with drove_strlist_free) and the first as the thread's error
 *  message; DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_epoch_topology_from_json(drove_epoch_topology **out, drove_ctx *ctx,
                                             const char *json, size_t len, int64_t now_ms,
                                             drove_strlist **errors_out);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_epoch_topology_free(drove_epoch_topology *t);
/** The name, which is also the topology id; borrowed. @since 0.1 */
DROVE_API const char *drove_epoch_topology_name(const drove_epoch_topology *t);
/** enum drove_epoch_trigger. @since 0.1 */
DROVE_API int drove_epoch_topology_trigger(const drove_epoch_topology *t);
/** The CRON trigger's parsed expression (NULL for AT); borrowed. @since 0.1 */
DROVE_API const drove_cron *drove_epoch_topology_cron(const drove_epoch_topology *t);
/** The AT trigger's time in ms (0 for CRON). @since 0.1 */
DROVE_API int64_t drove_epoch_topology_at(const drove_epoch_topology *t);
/** Number of CONTAINER_EXECUTION tasks (1 unless COMPOSITE). @since 0.1 */
DROVE_API size_t drove_epoch_topology_task_count(const drove_epoch_topology *t);
/** The i-th task's name, depth first; borrowed; NULL when out of range. @since 0.1 */
DROVE_API const char *drove_epoch_topology_task_name(const drove_epoch_topology *t, size_t i);
/** The i-th task's spec as Drove's task CREATE `spec` for a run: the task's fields plus
 *  `sourceAppName` and `taskId` "{topologyId}-{runId}-{taskName}". Caller frees with
 *  drove_free(). @return 0, DROVE_EINVAL (bad index or run id) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_epoch_topology_task_spec(const drove_epoch_topology *t, size_t i,
                                             const char *source_app, const char *run_id,
                                             char **out);
/** The topology as stored and returned by the API (compact JSON). Caller frees with
 *  drove_free(). @return 0 or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_epoch_topology_to_json(const drove_epoch_topology *t, char **out);

/** The run id of a scheduled time: the same topology and time always give the same id
 *  ("SR-" and the time in seconds), so a new leader that finds it stored knows the time has
 *  fired. Caller frees with drove_free(). @return 0, DROVE_EINVAL or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_epoch_run_id(int64_t scheduled_ms, char **out);

/** The misfire rule. Given the last scheduled time that was handled (fired or skipped;
 *  for a new topology its creation time) and `now_ms`, set `*fire_ms` to the scheduled time
 *  to fire now (0 when none is due), and count in `*skipped` the due times older than
 *  `misfire_ms` before now, which are recorded SKIPPED rather than replayed; their first
 *  `cap` times go to `skipped_ms` (may be NULL when `cap` is 0). Only the newest due time
 *  within `misfire_ms` fires; older ones within it are skipped too. `*next_ms` gets the
 *  first scheduled time after now (0 when there is none). The count stops at 10,000: past
 *  that, older misses are jumped over uncounted.
 *  @return 0 or DROVE_EINVAL. @since 0.1 */
DROVE_API int drove_epoch_due(const drove_cron *cron, int64_t last_ms, int64_t now_ms,
                              int64_t misfire_ms, int64_t *fire_ms, int64_t *skipped_ms, size_t cap,
                              size_t *skipped, int64_t *next_ms);

/* ---- records in the store: /topologies/{id}, /runs/{id}/{runId}, /epoch/term ----
 * Synchronous store calls: any thread (see store.h). Documents are JSON text in Epoch's
 * shapes (EpochTopologyDetails, EpochTopologyRunInfo). */

/** Topology states. @since 0.1 */
enum drove_epoch_state {
	DROVE_EPOCH_ACTIVE = 1,
	DROVE_EPOCH_PAUSED = 2,
	DROVE_EPOCH_DELETED = 3,
};

/** Run states and run types. @since 0.1 */
enum drove_epoch_run_state {
	DROVE_EPOCH_RUN_RUNNING = 1,
	DROVE_EPOCH_RUN_COMPLETED = 2,
	DROVE_EPOCH_RUN_SUCCESSFUL = 3,
	DROVE_EPOCH_RUN_SKIPPED = 4,
	DROVE_EPOCH_RUN_FAILED = 5,
};
/** @since 0.1 */
enum drove_epoch_run_type {
	DROVE_EPOCH_RUN_SCHEDULED = 1,
	DROVE_EPOCH_RUN_INSTANT = 2,
};

/** Store EpochTopologyDetails {id, topology, state, created, updated} for `t`. With
 *  `create_only`, DROVE_EEXISTS when the id is taken; otherwise a replace that keeps
 *  `created`. @return 0, DROVE_EEXISTS, DROVE_EINVAL or a store error. @since 0.1 */
DROVE_API int drove_epoch_topology_save(drove_store *st, const drove_epoch_topology *t, int state,
                                        int64_t now_ms, int create_only);
/** The stored EpochTopologyDetails of `id` (free with drove_free()).
 *  @return 0, DROVE_ENOTFOUND, DROVE_EINVAL or a store error. @since 0.1 */
DROVE_API int drove_epoch_topology_load(drove_store *st, const char *id, char **out);
/** Set the state (compare-and-set on the record). @since 0.1 */
DROVE_API int drove_epoch_topology_set_state(drove_store *st, const char *id, int state,
                                             int64_t now_ms);
/** Every stored topology id, sorted (free with drove_strlist_free()). @since 0.1 */
DROVE_API int drove_epoch_topology_ids(drove_store *st, drove_strlist **out);
/** Delete a topology and all its runs. @return 0, DROVE_ENOTFOUND or a store error.
 *  @since 0.1 */
DROVE_API int drove_epoch_topology_remove(drove_store *st, const char *id);

/** Take the fence for a leader of `term` (the election's term): /epoch/term is raised to
 *  `term`, and `*fence_out` gets its version, which drove_epoch_run_begin() checks, so a run
 *  recorded by a deposed leader fails. @return 0; DROVE_ESTALE when a newer term holds the
 *  fence; a store error. @since 0.1 */
DROVE_API int drove_epoch_fence(drove_store *st, int64_t term, int *fence_out);
/** Record a new run (EpochTopologyRunInfo with no tasks yet) atomically with a check of the
 *  fence. This is what makes a scheduled time fire at most once: create it before any task
 *  is started. @return 0; DROVE_EEXISTS (the run is recorded already: do not start it
 *  again); DROVE_ESTALE (the fence moved: this process no longer leads); DROVE_EINVAL; a
 *  store error. @since 0.1 */
DROVE_API int drove_epoch_run_begin(drove_store *st, int fence, const char *topology_id,
                                    const char *run_id, int run_type, int state,
                                    const char *message, int64_t now_ms);
/** Replace an existing run's record with `json` (a JSON object). @return 0, DROVE_ENOTFOUND,
 *  DROVE_EINVAL or a store error. @since 0.1 */
DROVE_API int drove_epoch_run_put(drove_store *st, const char *topology_id, const char *run_id,
                                  const char *json);
/** A run's record (free with drove_free()). @return 0, DROVE_ENOTFOUND or a store error.
 *  @since 0.1 */
DROVE_API int drove_epoch_run_get(drove_store *st, const char *topology_id, const char *run_id,
                                  char **out);
/** The run ids of a topology, newest `created` first (an empty list when none).
 *  @since 0.1 */
DROVE_API int drove_epoch_runs_list(drove_store *st, const char *topology_id, drove_strlist **out);
/** Retention (`options.numRunsPerJob`): delete all but the newest `keep` runs, except runs
 *  still RUNNING; `*deleted` (may be NULL) gets how many went. @since 0.1 */
DROVE_API int drove_epoch_runs_trim(drove_store *st, const char *topology_id, size_t keep,
                                    size_t *deleted);

/** One scheduling step of topology `t` for the leader holding `fence`: applies the misfire
 *  rule (drove_epoch_due, or the AT time) to the scheduled times after `last_ms`, records
 *  the missed ones as SKIPPED runs (the first 64 per step) and the due one as a RUNNING run,
 *  all before any task starts. `*run_id_out` gets the run to start now (free with
 *  drove_free()), or NULL when none is due or it was recorded before (by this or an earlier
 *  leader: never started twice); `*handled_ms_out` the newest scheduled time handled (pass it
 *  as `last_ms` next time); `*next_ms_out` the next scheduled time (0: none).
 *  @return 0; DROVE_ESTALE (the fence moved: stop firing); DROVE_EINVAL; a store error.
 *  @since 0.1 */
DROVE_API int drove_epoch_step(drove_store *st, int fence, const drove_epoch_topology *t,
                               int64_t last_ms, int64_t now_ms, int64_t misfire_ms,
                               char **run_id_out, int64_t *handled_ms_out, int64_t *next_ms_out);

/* ---- the timetable: next fire times of many CRON topologies ---- */

/** A min-heap of topologies by next fire time (one thread at a time). Opaque. @since 0.1 */
typedef struct drove_epoch_timetable drove_epoch_timetable;
/** @return 0 or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_epoch_timetable_new(drove_epoch_timetable **out);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_epoch_timetable_free(drove_epoch_timetable *tt);
/** Add topology `id` firing on `cron` from the first time after `after_ms`. The timetable
 *  shares `cron` (the caller may free its own at any time; a cron is immutable).
 *  O(log n), as are remove and pop.
 *  @return 0; DROVE_EEXISTS (in already); DROVE_ENOTFOUND (it never fires again);
 *  DROVE_EINVAL; DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_epoch_timetable_add(drove_epoch_timetable *tt, const char *id,
                                        const drove_cron *cron, int64_t after_ms);
/** Take `id` out (paused or deleted). @return 0 or DROVE_ENOTFOUND. @since 0.1 */
DROVE_API int drove_epoch_timetable_remove(drove_epoch_timetable *tt, const char *id);
/** Number of topologies in. @since 0.1 */
DROVE_API size_t drove_epoch_timetable_count(const drove_epoch_timetable *tt);
/** The earliest next fire time (0 when empty): how long the loop may sleep. @since 0.1 */
DROVE_API int64_t drove_epoch_timetable_next(const drove_epoch_timetable *tt);
/** Pop one topology due at `now_ms`: `*id_out` (free with drove_free()) and the scheduled
 *  time it is due for; the topology moves on to its following time (or leaves when its
 *  schedule has ended). @return 1 (popped), 0 (nothing due), DROVE_EINVAL or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_epoch_timetable_pop(drove_epoch_timetable *tt, int64_t now_ms, char **id_out,
                                        int64_t *scheduled_out);

/* ---- reading Drove ---- */

/** Task run states of EpochTopologyRunInfo.tasks. @since 0.1 */
enum drove_epoch_task_state {
	DROVE_EPOCH_TASK_PENDING = 1,
	DROVE_EPOCH_TASK_STARTING = 2,
	DROVE_EPOCH_TASK_UNKNOWN = 3,
	DROVE_EPOCH_TASK_RUNNING = 4,
	DROVE_EPOCH_TASK_COMPLETED = 5,
	DROVE_EPOCH_TASK_CANCELLED = 6,
	DROVE_EPOCH_TASK_FAILED = 7,
};
/** "PENDING" ... "FAILED" ("UNKNOWN" for other values); static. @since 0.1 */
DROVE_API const char *drove_epoch_task_state_name(int state);
/** Map a Drove task instance's `state` and `taskResult.status` (may be NULL) as Epoch does
 *  (§12): PENDING/PROVISIONING/STARTING -> STARTING; RUNNING/RUN_COMPLETED/DEPROVISIONING ->
 *  RUNNING; PROVISIONING_FAILED/RUN_FAILED/LOST -> FAILED; STOPPED -> COMPLETED (SUCCESSFUL
 *  or no result), CANCELLED, or FAILED (any other result, known or not); UNKNOWN and anything
 *  else UNKNOWN. Names as Drove spells them (upper case). Sets no error. @since 0.1 */
DROVE_API int drove_epoch_task_state_from_drove(const char *state, const char *result);
/** A run's state from its tasks' states (`task_states[i]` for task i, depth first, `n` the
 *  topology's task count), visiting the tasks in order as Epoch runs them: a COMPOSITE ALL
 *  fails at its first failed (or cancelled) child and succeeds when all succeed; ANY
 *  succeeds at its first COMPLETED child and fails when all fail; the children after the
 *  one that decides a composite (nested ones included) are not looked at.
 *  @return DROVE_EPOCH_RUN_RUNNING, _SUCCESSFUL or _FAILED; DROVE_EINVAL (wrong count).
 *  @since 0.1 */
DROVE_API int drove_epoch_topology_run_state(const drove_epoch_topology *t, const int *task_states,
                                             size_t n);
/** 1 when a task CREATE answer (the response body) says "Task already exists " in
 *  `data.validationErrors[0]`: the task was started before and counts as started.
 *  @since 0.1 */
DROVE_API int drove_epoch_is_task_exists(const char *body, size_t len);

/** Start task `i` of run `run_id` on Drove: task CREATE (`spec` from
 *  drove_epoch_topology_task_spec, opSpec `timeout_s` seconds, parallelism 1, STOP) through
 *  `client`, which finds the leader and retries. `*already_out` is 1 when Drove answered
 *  "Task already exists " (sent before: counts as started), else 0. Blocks for the HTTP call.
 *  @return 0; DROVE_EINVAL (the controller refused the spec; the message quotes it); the
 *  client's errors (DROVE_EUNAVAIL ...). @since 0.1 */
DROVE_API int drove_epoch_task_start(drove_client *client, const drove_epoch_topology *t, size_t i,
                                     const char *source_app, const char *run_id, int64_t timeout_s,
                                     int *already_out);
/** Read a task back: GET /tasks/{sourceAppName}/instances/{taskId}, mapped with
 *  drove_epoch_task_state_from_drove() into `*state_out`; `*error_out` (may be NULL; free
 *  with drove_free()) gets Drove's errorMessage or NULL. A state or result name newer than
 *  this library maps as unknown (not an error). Blocks for the HTTP call.
 *  @return 0; DROVE_ENOTFOUND (Drove has no such task); DROVE_ERROR (the answer is not a task
 *  record: the message names the field); the client's errors. @since 0.1 */
DROVE_API int drove_epoch_task_poll(drove_client *client, const char *source_app,
                                    const char *task_id, int *state_out, char **error_out);
DROVE_END_DECLS

#endif
