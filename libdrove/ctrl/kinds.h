/* The controller, layer by layer (docs/controller.md, "Layout"): the deployable kinds: app jobs
 * (jobs.c) and the app kind above them (apps.c), tasks (tasks.c), local services (lsvc.c). They
 * never call each other. Everything here runs on the loop thread. A file includes the header of its
 * own layer, which includes the layers below it; nothing includes a header above its layer. */
#ifndef DROVE_CTRL_KINDS_H
#define DROVE_CTRL_KINDS_H

#include "ctrl/life.h"

/* ---- the application kind above its jobs (apps.c) ---- */

/* Apply an instance report (copied): newer `updated` only; events on state change. */
void drove__ctrl_apply_instance(drove_controller *c, const drove_instance_info *info);
/* An instance record becomes LOST with `why`. */
void drove__ctrl_mark_lost(drove_controller *c, drove__ctrl_inst *in, const char *why);
/* Keep at most max_old_instances non-active records of `app`. */
void drove__ctrl_prune_old(drove_controller *c, drove__ctrl_app *app);
/* App instances on executor `exec_id` become LOST (it is gone). */
void drove__ctrl_apps_executor_lost(drove_controller *c, const char *exec_id);
/* For KnownInstancesData: true when the leader holds `in` as LOST (it was replaced). */
bool drove__ctrl_app_inst_lost(const drove_instance_info *in, void *c);
/* For KnownInstancesData: true when the leader holds an active record of `in` (an instance of
 * an app scaled to none that the leader's own job is still stopping). */
bool drove__ctrl_app_inst_live(const drove_instance_info *in, void *c);
/* Call `fn` with the executor id of every active app instance record (recovery waits for
 * those executors to report). */
void drove__ctrl_apps_hosts(drove_controller *c, void (*fn)(const char *exec_id, void *ud),
                            void *ud);
/* Call `fn` with the id of every app instance record on executor `exec_id` held as LOST (the
 * leader replaced it): what a restarted executor must not adopt. */
void drove__ctrl_apps_lost_on(drove_controller *c, const char *exec_id,
                              void (*fn)(const char *instance_id, void *ud), void *ud);
/* RECOVER the app if its fresh healthy count is off (no checks of leadership or window). */
void drove__ctrl_check_app_at(drove_controller *c, drove__ctrl_app *app, int64_t now);
/* The same, only when leader, ready and outside the window. */
void drove__ctrl_check_app(drove_controller *c, drove__ctrl_app *app);
/* §11 item 5 at `now`: DESTROY MONITORING apps not updated for staleAppAge; drop
 * non-active instance records older than staleInstanceAge. */
void drove__ctrl_apps_clean_stale(drove_controller *c, int64_t now);

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
/* The DROVE__CTRL_OP_* a job runs; -1 for NULL (no job). For the console. */
int drove__ctrl_job_type(const struct drove__ctrl_job *job);
/* Every instance the leader is starting right now (known instances): fn(ud, executor id,
 * instance id), both borrowed for the call. */
typedef void (*drove__ctrl_starting_fn)(void *ud, const char *exec_id, const char *inst_id);
void drove__ctrl_jobs_starting(drove_controller *c, drove__ctrl_starting_fn fn, void *ud);

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
/* Call `fn` with the executor id of every active task. */
void drove__ctrl_tasks_hosts(drove_controller *c, void (*fn)(const char *exec_id, void *ud),
                             void *ud);
/* For KnownInstancesData: 1 when the leader tracks this task. */
bool drove__ctrl_task_known(const drove_task_info *t, void *c);
/* The i-th task record (sorted by sourceAppName, taskId; borrowed, valid until the next report,
 * tick or request), NULL past the end. For the console. */
const drove_task_info *drove__ctrl_task_nth(drove_controller *c, size_t i);
/* Call `fn` with the state of every task the leader tracks (metrics). */
void drove__ctrl_tasks_states(drove_controller *c, void (*fn)(int state, void *ud), void *ud);
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
/* Call `fn` with the executor id of every active local-service instance. */
void drove__ctrl_lsvc_hosts(drove_controller *c, void (*fn)(const char *exec_id, void *ud),
                            void *ud);
/* Executor `exec_id` was added, blacklisted or unblacklisted: adjust soon. */
void drove__ctrl_lsvc_executor_changed(drove_controller *c, const char *exec_id);
bool drove__ctrl_lsvc_known(const drove_ls_instance_info *li, void *c);
/* Call `svc` with the state of every local service and `inst` with the state of each of
 * their instances (metrics). */
void drove__ctrl_lsvc_states(drove_controller *c, void (*svc)(int state, void *ud),
                             void (*inst)(int state, void *ud), void *ud);
/* Services, and those ACTIVE or CONFIG_TESTING (cluster summary). */
void drove__ctrl_lsvc_counts(drove_controller *c, size_t *total, size_t *active);
/* The executor id holding LS instance {service_id}/{instance_id} (borrowed, as above). */
const char *drove__ctrl_lsvc_instance_executor(drove_controller *c, const char *service_id,
                                               const char *instance_id);

#endif
