/*
 * Driving Drove for a run (DROVE_API.md §12): task CREATE through the client (leader
 * tracking and retries are the client's), "Task already exists" taken as started, and the
 * task's state read back and mapped.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/client.h>
#include <drove/epoch.h>
#include "core/internal.h"
#include "model/codec.h"

int drove_epoch_task_start(drove_client *client, const drove_epoch_topology *t, size_t i,
                           const char *source_app, const char *run_id, int64_t timeout_s,
                           int *already_out)
{
	drove_client_response *resp = NULL;
	char *spec = NULL, *body = NULL;
	int rc;

	DROVE_CHECK_ARG(client && t && already_out && timeout_s > 0);
	if ((rc = drove_epoch_topology_task_spec(t, i, source_app, run_id, &spec)) < 0)
		return rc;
	body = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s,\"opSpec\":{\"timeout\":\"%" PRId64
	                       " seconds\",\"parallelism\":1,\"failureStrategy\":\"STOP\"}}",
	                       spec, timeout_s);
	drove_free(spec);
	if (!body)
		return DROVE_ENOMEM;
	rc = drove_client_request(client, "POST", "/apis/v1/tasks/operations", NULL, body, &resp);
	free(body);
	if (rc < 0)
		return rc;
	size_t len = 0;
	const char *text = drove_client_response_body(resp, &len);
	int status = drove_client_response_status(resp);
	if (status == 200 && drove_client_response_ok(resp)) {
		*already_out = 0;
	} else if (status == 400 && drove_epoch_is_task_exists(text, len)) {
		*already_out = 1; /* sent before (by us or an earlier leader): started */
	} else {
		/* the controller's reasons: data.validationErrors when it gives them */
		const char *msg = drove_client_response_message(resp);
		const char *data = drove_client_response_data(resp);
		struct json_object *d = NULL, *errs;
		const char *why = NULL;
		if (data && drove__mcodec_parse(data, strlen(data), &d) == 0 &&
		    json_object_is_type(d, json_type_object) &&
		    json_object_object_get_ex(d, "validationErrors", &errs))
			why = json_object_to_json_string_ext(errs, JSON_C_TO_STRING_PLAIN);
		drove_error_clear();
		rc = drove__error(status == 400 ? DROVE_EINVAL : DROVE_ERROR,
		                  "task %s-%s-%s: create answered HTTP %d: %s%s%s",
		                  drove_epoch_topology_name(t), run_id,
		                  drove_epoch_topology_task_name(t, i), status, msg ? msg : "",
		                  why ? " " : "", why ? why : "");
		json_object_put(d);
	}
	drove_client_response_free(resp);
	return rc;
}

int drove_epoch_task_poll(drove_client *client, const char *source_app, const char *task_id,
                          int *state_out, char **error_out)
{
	struct json_object *j = NULL, *v, *res;
	char *data = NULL;
	int rc;

	DROVE_CHECK_ARG(client && source_app && task_id && state_out);
	if ((rc = drove_client_task_get(client, source_app, task_id, &data)) < 0)
		return rc;
	if ((rc = drove__mcodec_parse(data, strlen(data), &j)) < 0 ||
	    !json_object_is_type(j, json_type_object)) {
		rc = rc < 0 ? rc : drove__error(DROVE_ERROR, "task %s: not a task record", task_id);
		goto out;
	}
	const char *state =
	        json_object_object_get_ex(j, "state", &v) ? json_object_get_string(v) : NULL;
	const char *result = NULL, *err = NULL;
	if (json_object_object_get_ex(j, "taskResult", &res) &&
	    json_object_is_type(res, json_type_object) &&
	    json_object_object_get_ex(res, "status", &v))
		result = json_object_get_string(v);
	if (json_object_object_get_ex(j, "errorMessage", &v) &&
	    json_object_is_type(v, json_type_string))
		err = json_object_get_string(v);
	*state_out = drove_epoch_task_state_from_drove(state, result);
	if (error_out) {
		*error_out = NULL;
		if (err && *err && !(*error_out = drove__strdup(err)))
			rc = DROVE_ENOMEM;
	}
out:
	json_object_put(j);
	drove_free(data);
	return rc;
}
