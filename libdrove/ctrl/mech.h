/* The controller, layer by layer (docs/controller.md, "Layout"): mechanisms below the kinds:
 * executors and messages to them (send.c), reply helpers (rest.c), CONTROLLER_HTTP_FETCH configs
 * (fetch.c), instance tokens (token.c). Everything here runs on the loop thread. A file includes
 * the header of its own layer, which includes the layers below it; nothing includes a header above
 * its layer. */
#ifndef DROVE_CTRL_MECH_H
#define DROVE_CTRL_MECH_H

#include "ctrl/state.h"

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
/* Messages in flight to executor `exec_id` (just lost) fail now with status -1 and `why`
 * instead of retrying for their whole window: a start sent there is placed elsewhere at
 * once. */
void drove__ctrl_sends_fail_exec(drove_controller *c, const char *exec_id, const char *why);

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

#endif
