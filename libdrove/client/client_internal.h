/* Internal parts of the client module (libdrove/client): envelope parsing, path escaping and
 * the INI parser, shared by its files, its unit tests and its fuzz targets. */
#ifndef DROVE_CLIENT_INTERNAL_H
#define DROVE_CLIENT_INTERNAL_H

#include <stddef.h>

#include <drove/client.h>
#include "core/internal.h"

/* Largest response body kept in memory, and deepest JSON accepted. */
#define DROVE_CLIENT_BODY_MAX   (64u << 20)
#define DROVE_CLIENT_JSON_DEPTH 64

struct json_object;

/* A parsed response envelope ({status, message, data}); every string owned, NULL if absent. */
typedef struct drove__client_envelope {
	int success;  /* status == "SUCCESS" */
	char *status; /* "SUCCESS", "FAILED" ... */
	char *message;
	char *data;       /* compact JSON text of `data` (not with DROVE__ENV_KEEP_DATA) */
	char *validation; /* data.validationErrors joined with "; " */
	char *failure;    /* data.failure (500) */
	/* DROVE__ENV_KEEP_DATA: `data` as parsed (a reference the envelope holds), NULL when
	 * absent or null; decode it from here rather than parse `data`'s text again */
	struct json_object *jdata;
} drove__client_envelope;

/* The compact JSON text of `j` as the envelope's `data` text reads (NULL: "null"), malloc()ed;
 * NULL on ENOMEM. */
char *drove__client_json_text(struct json_object *j);

/* drove__client_envelope_parse_ex() flag: keep `data` parsed (env->jdata) instead of
 * serializing it (env->data NULL). */
#define DROVE__ENV_KEEP_DATA 0x1u

/* Parse an envelope. @return 0, DROVE_EINVAL (not JSON, too deep, no "status" string) or
 * DROVE_ENOMEM; on error *env is left zeroed. */
int drove__client_envelope_parse(const char *body, size_t len, drove__client_envelope *env);
int drove__client_envelope_parse_ex(const char *body, size_t len, unsigned flags,
                                    drove__client_envelope *env);
void drove__client_envelope_clear(drove__client_envelope *env);

/* Map an HTTP status and body to the client's error codes (see client.h), setting the
 * thread's error. @return 0 for 200 + SUCCESS. */
int drove__client_map_error(int status, const char *body, size_t len, const char *path);
/* The same with the body's envelope already parsed: `env`, or NULL when the body is not one
 * (then the body is read for an executor's {"error": ...}). No parse of an envelope again. */
int drove__client_map_error_env(int status, const char *body, size_t len, const char *path,
                                const drove__client_envelope *env);

/* drove_client_call() handing out `data` as parsed (*data_out a new reference, NULL when the
 * answer has no `data` or null; json_object_put() it) instead of as text: the caller decodes
 * it without a second parse (client.c). */
int drove__client_call_jobj(drove_client *c, const char *method, const char *path,
                            const char *query, const char *body, struct json_object **data_out);

/* The single-record GETs behind drove_client_X_get_json() (ops.c): `data` into `*text` as
 * that function hands it out, or (text NULL) as parsed into `*obj` as drove__client_call_jobj()
 * does, for the typed client and Epoch's poll to decode without a second parse. */
int drove__client_task_get(drove_client *c, const char *source_app, const char *task_id,
                           char **text, struct json_object **obj);
int drove__client_app_get(drove_client *c, const char *app_id, char **text,
                          struct json_object **obj);
int drove__client_app_instance_get(drove_client *c, const char *app_id, const char *instance_id,
                                   char **text, struct json_object **obj);
int drove__client_local_service_get(drove_client *c, const char *service_id, char **text,
                                    struct json_object **obj);
int drove__client_local_service_instance_get(drove_client *c, const char *service_id,
                                             const char *instance_id, char **text,
                                             struct json_object **obj);
int drove__client_cluster_get(drove_client *c, char **text, struct json_object **obj);
int drove__client_executor_get(drove_client *c, const char *executor_id, char **text,
                               struct json_object **obj);
int drove__client_event_summary_get(drove_client *c, int64_t last_sync_time, char **text,
                                    struct json_object **obj);

/* The "Authorization: ..." line for a token (sent as given) or else for Basic `user` and
 * `password` (NULL is empty); *out NULL when neither is set. @return 0, DROVE_EINVAL (a ':' in
 * the user, a line break in the token) or DROVE_ENOMEM. */
int drove__client_auth_line(const char *token, const char *user, const char *password, char **out);

/* Append `s` percent-encoded as one path segment (or query value). */
int drove__client_escape(drove__buf *b, const char *s);

/* Parse "true"/"yes"/"on"/"1" (case-insensitive) as 1, else 0; NULL is 0. */
int drove__client_bool(const char *s);

/* Raw (non-envelope) GET, for the log API: 0 with the body (NUL-terminated) on 200, else the
 * mapped error (204 -> DROVE_ENOTFOUND, {"error"} bodies quoted). */
int drove__client_get_raw(drove_client *c, const char *path, const char *query, char **out,
                          size_t *len_out);
/* GET whose 200 body is written to `fd`. */
int drove__client_download(drove_client *c, const char *path, const char *query, int fd,
                           int64_t *bytes_out);

/* drove_endpoint_list_decode() with DROVE_EINVAL for a bad body ("[2].vhost: required",
 * "status: FAILED") and at most `max_apps` apps, for the gateway (records.c). */
int drove__endpoint_list_decode(const char *body, size_t len, size_t max_apps,
                                drove_endpoint_list **out);

/* drove_event_summary_decode() with DROVE_EINVAL for a bad body (records.c). */
int drove__event_summary_decode(const char *body, size_t len, drove_event_summary **out);

/* drove__task_decode()'s *news_out: values newer than this build (Drove may add task states and
 * results; Epoch reads a task it cannot place as UNKNOWN rather than as broken). */
#define DROVE__TASK_NEW_STATE \
	0x1u /* `state` not a name this build knows: reads DROVE_TASK_UNKNOWN */
#define DROVE__TASK_NEW_RESULT 0x2u /* `taskResult.status` not known: reads -1, the result kept */

/* A task record (TaskInfo, e.g. an envelope's `data` text) from `json`, taken: the record keeps
 * it, freed on error. Tolerant where Drove may grow (the codec's DROVE_MODEL_NEW_NAMES): a
 * `state` or `taskResult.status` string that names no value of enum drove_task_state /
 * drove_task_result_status is not an error; drove_task_state() then reads DROVE_TASK_UNKNOWN,
 * drove_task_result_status() -1 (as when there is no result: `*news_out` tells the two apart)
 * and the bit is set in `*news_out` (may be NULL; 0 when every value is known, and on error).
 * Anything else the decoder refuses (a number for the state, a string for taskResult, not an
 * object, not JSON) is an error as for drove_client_task_get(): DROVE_ERROR "TaskInfo: state:
 * expected a string, got int". Cost: one JSON parse and decode (records.c).
 * @return 0, DROVE_ERROR, DROVE_EINVAL (NULL argument) or DROVE_ENOMEM. */
int drove__task_decode(char *json, drove_task **out, unsigned *news_out);
/* The same from `data` as parsed (borrowed; NULL is JSON null, an error): no parse, the
 * record's text (drove_task_json()) serialized once from it. */
int drove__task_decode_jobj(struct json_object *data, drove_task **out, unsigned *news_out);

#endif
