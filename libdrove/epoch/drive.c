/*
 * Driving Drove for a run (DROVE_API.md §12): task CREATE through the client (leader
 * tracking and retries are the client's), "Task already exists" taken as started, and the
 * task's state read back and mapped. The request bodies and the reading of the answers are
 * shared with the engine's asynchronous exchanges (drive.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/client.h>
#include <drove/epoch.h>
#include "client/client_internal.h"
#include "core/internal.h"
#include "epoch/drive.h"
#include "epoch/status.h"

int drove__epoch_task_create_body(const drove_epoch_topology *t, size_t i, const char *source_app,
                                  const char *run_id, int64_t timeout_s, char **out)
{
	char *spec = NULL;
	int rc;
	if ((rc = drove_epoch_topology_task_spec(t, i, source_app, run_id, &spec)) < 0)
		return rc;
	*out = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s,\"opSpec\":{\"timeout\":\"%" PRId64
	                       " seconds\",\"parallelism\":1,\"failureStrategy\":\"STOP\"}}",
	                       spec, timeout_s);
	drove_free(spec);
	return *out ? 0 : DROVE_ENOMEM;
}

int drove__epoch_task_create_result(const drove_epoch_topology *t, size_t i, const char *run_id,
                                    int status, const char *body, size_t len, int *already_out)
{
	drove__client_envelope env;
	int is_env = len && drove__client_envelope_parse(body, len, &env) == 0;
	int rc = 0;
	drove_error_clear();
	if (status == 200 && is_env && env.success) {
		*already_out = 0;
	} else if (status == 400 && drove_epoch_is_task_exists(body, len)) {
		*already_out = 1; /* sent before (by us or an earlier leader): started */
	} else { /* the controller's reasons: data.validationErrors when it gives them */
		const char *why = is_env ? env.validation : NULL;
		drove_error_clear();
		rc = drove__error(status == 400 ? DROVE_EINVAL : DROVE_ERROR,
		                  "task %s-%s-%s: create answered HTTP %d: %s%s%s",
		                  drove_epoch_topology_name(t), run_id,
		                  drove_epoch_topology_task_name(t, i), status,
		                  is_env && env.message ? env.message : "", why ? ": " : "",
		                  why ? why : "");
	}
	if (is_env)
		drove__client_envelope_clear(&env);
	return rc;
}

int drove_epoch_task_start(drove_client *client, const drove_epoch_topology *t, size_t i,
                           const char *source_app, const char *run_id, int64_t timeout_s,
                           int *already_out)
{
	drove_client_response *resp = NULL;
	char *body = NULL;
	int rc;

	DROVE_CHECK_ARG(client && t && already_out && timeout_s > 0);
	if ((rc = drove__epoch_task_create_body(t, i, source_app, run_id, timeout_s, &body)) < 0)
		return rc;
	rc = drove_client_request(client, "POST", DROVE__EPOCH_TASK_OPS, NULL, body, &resp);
	free(body);
	if (rc < 0)
		return rc;
	size_t len = 0;
	const char *text = drove_client_response_body(resp, &len);
	rc = drove__epoch_task_create_result(t, i, run_id, drove_client_response_status(resp), text,
	                                     len, already_out);
	drove_client_response_free(resp);
	return rc;
}

char *drove__epoch_task_path(const char *source_app, const char *task_id)
{
	drove__buf b = DROVE_BUF_INIT;
	if (drove__buf_puts(&b, "/apis/v1/tasks/") < 0 ||
	    drove__client_escape(&b, source_app) < 0 || drove__buf_puts(&b, "/instances/") < 0 ||
	    drove__client_escape(&b, task_id) < 0) {
		drove__buf_free(&b);
		return NULL;
	}
	return drove__buf_steal(&b);
}

char *drove__epoch_task_kill_body(const char *source_app, const char *task_id)
{
	struct json_object *o = json_object_new_object(), *s = json_object_new_object();
	char *text = NULL;
	if (o && s) {
		json_object_object_add(o, "type", json_object_new_string("KILL"));
		json_object_object_add(o, "sourceAppName", json_object_new_string(source_app));
		json_object_object_add(o, "taskId", json_object_new_string(task_id));
		json_object_object_add(s, "timeout", json_object_new_string("5m"));
		json_object_object_add(s, "parallelism", json_object_new_int(1));
		json_object_object_add(s, "failureStrategy", json_object_new_string("STOP"));
		json_object_object_add(o, "opSpec", s);
		s = NULL;
		text = strdup(json_object_to_json_string_ext(
		        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	json_object_put(s);
	json_object_put(o);
	return text;
}

int drove__epoch_task_op_result(int status, const char *body, size_t len, const char *path)
{
	return drove__client_map_error(status, body, len, path);
}

/* A task's record (`data` as parsed, borrowed: a TaskInfo; NULL (JSON null or absent): none)
 * read as Epoch does: its state and result mapped, its errorMessage. A state or result newer
 * than this build is not an error (drove__task_decode_jobj): it reads as UNKNOWN, or on STOPPED
 * as FAILED. */
static int task_state(struct json_object *data, const char *task_id, int *state_out,
                      char **error_out)
{
	drove_task *t = NULL;
	unsigned news = 0;
	int rc;

	if (!data)
		return drove__error(DROVE_ERROR, "task %s: data: missing from the answer", task_id);
	if ((rc = drove__task_decode_jobj(data, &t, &news)) < 0)
		return rc == DROVE_ERROR ? drove__error(rc, "task %s: %s", task_id,
		                                        drove_error_last()->message)
		                         : rc;
	*state_out = drove__epoch_task_state_map(
	        drove_task_state(t), news & DROVE__TASK_NEW_RESULT ? DROVE__EPOCH_RESULT_NEW
	                                                           : drove_task_result_status(t));
	if (error_out) {
		const char *err = drove_task_error_message(t);
		*error_out = NULL;
		if (err && *err && !(*error_out = drove__strdup(err)))
			rc = DROVE_ENOMEM;
	}
	drove_task_free(t);
	return rc;
}

/* One parse of the body: the envelope, its error mapping and the record from its `data`. */
int drove__epoch_task_state_result(int status, const char *body, size_t len, const char *path,
                                   const char *task_id, int *state_out, char **error_out)
{
	drove__client_envelope env;
	int is_env =
	        len && drove__client_envelope_parse_ex(body, len, DROVE__ENV_KEEP_DATA, &env) == 0;
	int rc;

	if (!is_env && len && drove_error_last()->code == DROVE_ENOMEM)
		return DROVE_ENOMEM;
	rc = drove__client_map_error_env(status, body, len, path, is_env ? &env : NULL);
	if (rc == 0) /* 200 + SUCCESS: an envelope */
		rc = task_state(env.jdata, task_id, state_out, error_out);
	if (is_env)
		drove__client_envelope_clear(&env);
	return rc;
}

int drove_epoch_task_poll(drove_client *client, const char *source_app, const char *task_id,
                          int *state_out, char **error_out)
{
	struct json_object *data = NULL;
	int rc;

	DROVE_CHECK_ARG(client && source_app && task_id && state_out);
	if ((rc = drove__client_task_get(client, source_app, task_id, NULL, &data)) < 0)
		return rc;
	rc = task_state(data, task_id, state_out, error_out);
	json_object_put(data);
	return rc;
}
