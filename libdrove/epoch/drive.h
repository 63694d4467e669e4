/* The pieces of driving Drove shared by the blocking calls (drive.c: drove_epoch_task_start,
 * drove_epoch_task_poll) and the engine's asynchronous exchanges (runs.c). Internal. */
#ifndef DROVE_EPOCH_DRIVE_H
#define DROVE_EPOCH_DRIVE_H

#include <stddef.h>
#include <stdint.h>

#include <drove/epoch.h>

#define DROVE__EPOCH_TASK_OPS "/apis/v1/tasks/operations"

/* The task CREATE operation's JSON for task `i` of run `run_id`. @return 0 or an error. */
int drove__epoch_task_create_body(const drove_epoch_topology *t, size_t i, const char *source_app,
                                  const char *run_id, int64_t timeout_s, char **out);
/* The CREATE's answer: 0 (started; `*already_out` 1 for "Task already exists"), DROVE_EINVAL
 * (refused: the message quotes data.validationErrors) or DROVE_ERROR. */
int drove__epoch_task_create_result(const drove_epoch_topology *t, size_t i, const char *run_id,
                                    int status, const char *body, size_t len, int *already_out);
/* The path of a task: /apis/v1/tasks/{app}/instances/{taskId} (escaped). NULL: no memory. */
char *drove__epoch_task_path(const char *source_app, const char *task_id);
/* The answer of GET task `path`: mapped state and errorMessage (`*error_out` may be NULL).
 * @return 0, DROVE_ENOTFOUND (Drove has no such task) or another mapped error. */
int drove__epoch_task_state_result(int status, const char *body, size_t len, const char *path,
                                   const char *task_id, int *state_out, char **error_out);
/* The answer of a KILL or DELETE: 0 for 200 + SUCCESS, else the mapped error. */
int drove__epoch_task_op_result(int status, const char *body, size_t len, const char *path);
/* The KILL operation's JSON. NULL: no memory. */
char *drove__epoch_task_kill_body(const char *source_app, const char *task_id);

#endif
