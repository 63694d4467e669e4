/*
 * The controller's task engine (tasks.c, docs/tasks.md): internal helpers. The pure parts
 * (decoding a TaskOperation, building the TaskInstanceSpec and the first TaskInfo, event
 * metadata) are unit-tested and fuzzed alone; the rest runs on the loop thread through the
 * hooks of ctrl.h.
 */
#ifndef DROVE_CTRL_TASKS_H
#define DROVE_CTRL_TASKS_H

#include "ctrl/kinds.h"

/* Decode and validate a TaskOperation body (POST /tasks/operations): 0 with *out (placement
 * defaults applied), 1 (malformed JSON, bad type or enum: "JSON validation failure") or 2
 * (validation: "Command validation failure") with the problems in `errors`, or DROVE_ENOMEM.
 * Bodies are capped by the model codec (size, depth). */
int drove__ctrl_taskop_decode(const char *body, size_t len, const struct drove_spec_opts *opts,
                              drove_task_op **out, drove_strlist *errors);

/* The TaskInstanceSpec of START_TASK for `instance_id` on an allocation (NUMA node `node`,
 * `n_cores` core ids, `mb` MB): the spec's executable, volumes, configs, logging, env, args,
 * devices and userSpec (copied). @return 0 or DROVE_ENOMEM. */
int drove__ctrl_task_instance_spec(const drove_task_spec *spec, const char *instance_id, int node,
                                   const int *cores, size_t n_cores, int64_t mb,
                                   drove_task_instance_spec **out);

/* The TaskInfo the leader stores before START_TASK: PENDING, from `is` (copied), on
 * `executor_id`, created = updated = `now_ms`, errorMessage "", metadata {}.
 * @return 0 or DROVE_ENOMEM. */
int drove__ctrl_task_info_new(const drove_task_instance_spec *is, const char *executor_id,
                              int64_t now_ms, drove_task_info **out);

/* TASK_STATE_CHANGE metadata (§7.1): APP_NAME, TASK_ID, INSTANCE_ID, EXECUTOR_ID,
 * EXECUTOR_HOST, EXECUTABLE, CREATED, CURRENT_STATE, ERROR, RESULT_STATUS,
 * RESULT_EXIT_CODE (absent values omitted). @return 0 or DROVE_ENOMEM. */
int drove__ctrl_event_task(drove_event *ev, const drove_task_info *t);

/* Give `t` a final `state` with taskResult {status, code} and `why` as its errorMessage,
 * updated `now_ms`. @return 0 or DROVE_ENOMEM (then `t` is unchanged). */
int drove__ctrl_task_set_result(drove_task_info *t, int state, int status, int64_t code,
                                const char *why, int64_t now_ms);

/* Mark `t` LOST now with taskResult {LOST, -1} and `why` as its errorMessage.
 * @return 0 or DROVE_ENOMEM (then `t` is unchanged). */
int drove__ctrl_task_mark_lost(drove_task_info *t, const char *why, int64_t now_ms);

/* The pull timeout of a task spec (dockerPullTimeout, default 15 minutes), ms. */
int64_t drove__ctrl_task_pull_ms(const drove_task_spec *spec);

#endif
