/* Typed helpers over drove_client_call(): one per API the CLI, Epoch and the bindings use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "client/client_internal.h"

#define API "/apis/v1"

/* API + lit1 + esc(s1) + lit2 + esc(s2) + lit3 (NULL parts skipped). NULL on ENOMEM. */
static char *mkpath(const char *lit1, const char *s1, const char *lit2, const char *s2,
                    const char *lit3)
{
	drove__buf b = DROVE_BUF_INIT;
	if (drove__buf_puts(&b, API) < 0 || (lit1 && drove__buf_puts(&b, lit1) < 0) ||
	    (s1 && drove__client_escape(&b, s1) < 0) || (lit2 && drove__buf_puts(&b, lit2) < 0) ||
	    (s2 && drove__client_escape(&b, s2) < 0) || (lit3 && drove__buf_puts(&b, lit3) < 0)) {
		drove__buf_free(&b);
		return NULL;
	}
	return drove__buf_steal(&b);
}

/* GET `path`: `data` as text into *out, or (out NULL) as parsed into *obj. */
static int get(drove_client *c, const char *path, const char *query, char **out, json_object **obj)
{
	if (!path)
		return DROVE_ENOMEM;
	if (!out && obj)
		return drove__client_call_jobj(c, "GET", path, query, NULL, obj);
	return drove_client_call(c, "GET", path, query, NULL, out);
}

#define CHECK_ID(name, v)                                                                   \
	do {                                                                                \
		if (!(v) || !*(v))                                                          \
			return drove__error(DROVE_EINVAL, "%s: must not be empty", (name)); \
	} while (0)

static int get1_ex(drove_client *c, const char *lit1, const char *s1, const char *lit2,
                   const char *s2, const char *lit3, const char *query, char **out,
                   json_object **obj)
{
	char *p = mkpath(lit1, s1, lit2, s2, lit3);
	int rc;
	if (!p)
		return DROVE_ENOMEM;
	rc = get(c, p, query, out, obj);
	free(p);
	return rc;
}

static int get1(drove_client *c, const char *lit1, const char *s1, const char *lit2, const char *s2,
                const char *lit3, const char *query, char **out)
{
	return get1_ex(c, lit1, s1, lit2, s2, lit3, query, out, NULL);
}

/* ---- operation bodies ---- */

static json_object *op_new(const char *type, const char *id_key, const char *id)
{
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	if (json_object_object_add(o, "type", json_object_new_string(type)) < 0 ||
	    (id_key && json_object_object_add(o, id_key, json_object_new_string(id)) < 0)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int add_opspec(json_object *o, const char *key, const char *timeout, int parallelism)
{
	json_object *s = json_object_new_object();
	if (!s)
		return -1;
	json_object_object_add(s, "timeout", json_object_new_string(timeout ? timeout : "5m"));
	json_object_object_add(s, "parallelism",
	                       json_object_new_int(parallelism < 1 ? 1 : parallelism));
	json_object_object_add(s, "failureStrategy", json_object_new_string("STOP"));
	return json_object_object_add(o, key, s);
}

static int add_ids(json_object *o, const char *key, const char *const *ids, size_t n)
{
	json_object *a = json_object_new_array();
	if (!a)
		return -1;
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(ids[i]));
	return json_object_object_add(o, key, a);
}

/* POST `op` (consumed) to `path`; `*id_out` gets data[id_key] when both are given. */
static int post_op(drove_client *c, const char *path, json_object *op, const char *id_key,
                   char **id_out, char **out)
{
	char *data = NULL;
	const char *body;
	int rc;

	if (!op)
		return drove__enomem();
	body = json_object_to_json_string_ext(op, JSON_C_TO_STRING_PLAIN |
	                                                  JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = drove_client_call(c, "POST", path, NULL, body, (id_out || out) ? &data : NULL);
	json_object_put(op);
	if (rc < 0)
		return rc;
	if (id_out) {
		json_object *d = json_tokener_parse(data), *v;
		const char *s = NULL;
		if (d && json_object_object_get_ex(d, id_key, &v) &&
		    json_object_is_type(v, json_type_string))
			s = json_object_get_string(v);
		if (!s) {
			json_object_put(d);
			free(data);
			return drove__error(DROVE_ERROR, "response: data.%s missing", id_key);
		}
		*id_out = drove__strdup(s);
		json_object_put(d);
		if (!*id_out) {
			free(data);
			return DROVE_ENOMEM;
		}
	}
	if (out)
		*out = data;
	else
		free(data);
	return 0;
}

static int post_raw(drove_client *c, const char *path, const char *op_json, char **out)
{
	return drove_client_call(c, "POST", path, NULL, op_json, out);
}

/* Parse a JSON object text into an object (for embedding specs). */
static int parse_spec(const char *what, const char *json, json_object **out)
{
	json_tokener *tok;
	json_object *o;
	size_t len;

	if (!json)
		return drove__error(DROVE_EINVAL, "%s: missing", what);
	len = strlen(json);
	if (len > DROVE_CLIENT_BODY_MAX)
		return drove__error(DROVE_EINVAL, "%s: too large (%zu bytes)", what, len);
	if (!(tok = json_tokener_new_ex(DROVE_CLIENT_JSON_DEPTH)))
		return drove__enomem();
	o = json_tokener_parse_ex(tok, json, (int)len);
	if (!o || !json_object_is_type(o, json_type_object)) {
		enum json_tokener_error e = json_tokener_get_error(tok);
		json_object_put(o);
		json_tokener_free(tok);
		return drove__error(DROVE_EINVAL, "%s: not a JSON object (%s)", what,
		                    e == json_tokener_success    ? "wrong type"
		                    : e == json_tokener_continue ? "truncated"
		                                                 : json_tokener_error_desc(e));
	}
	json_tokener_free(tok);
	*out = o;
	return 0;
}

/* ---- cluster ---- */

int drove_client_ping(drove_client *c)
{
	DROVE_CHECK_ARG(c);
	return drove_client_call(c, "GET", API "/ping", NULL, NULL, NULL);
}

int drove__client_cluster_get(drove_client *c, char **text, json_object **obj)
{
	DROVE_CHECK_ARG(c);
	return get(c, API "/cluster", NULL, text, obj);
}

int drove_client_cluster_get_json(drove_client *c, char **out)
{
	return drove__client_cluster_get(c, out, NULL);
}

int drove_client_cluster_maintenance_set_json(drove_client *c, int on, char **out)
{
	DROVE_CHECK_ARG(c);
	return drove_client_call(
	        c, "POST", on ? API "/cluster/maintenance/set" : API "/cluster/maintenance/unset",
	        NULL, NULL, out);
}

int drove_client_event_list_json(drove_client *c, int64_t last_sync_time, int size, char **out)
{
	char q[96];
	DROVE_CHECK_ARG(c && last_sync_time >= 0 && size >= 0);
	snprintf(q, sizeof(q), "lastSyncTime=%lld&size=%d", (long long)last_sync_time, size);
	return drove_client_call(c, "GET", API "/cluster/events", q, NULL, out);
}

int drove__client_event_summary_get(drove_client *c, int64_t last_sync_time, char **text,
                                    json_object **obj)
{
	char q[64];
	DROVE_CHECK_ARG(c && last_sync_time >= 0);
	snprintf(q, sizeof(q), "lastSyncTime=%lld", (long long)last_sync_time);
	return get(c, API "/cluster/events/summary", q, text, obj);
}

int drove_client_event_summary_get_json(drove_client *c, int64_t last_sync_time, char **out)
{
	return drove__client_event_summary_get(c, last_sync_time, out, NULL);
}

int drove_client_executor_list_json(drove_client *c, char **out)
{
	DROVE_CHECK_ARG(c);
	return drove_client_call(c, "GET", API "/cluster/executors", NULL, NULL, out);
}

int drove__client_executor_get(drove_client *c, const char *executor_id, char **text,
                               json_object **obj)
{
	DROVE_CHECK_ARG(c);
	CHECK_ID("executor id", executor_id);
	return get1_ex(c, "/cluster/executors/", executor_id, NULL, NULL, NULL, NULL, text, obj);
}

int drove_client_executor_get_json(drove_client *c, const char *executor_id, char **out)
{
	return drove__client_executor_get(c, executor_id, out, NULL);
}

int drove_client_executor_blacklist_json(drove_client *c, const char *const *ids, size_t n, int on,
                                         char **out)
{
	drove__buf q = DROVE_BUF_INIT;
	int rc;

	DROVE_CHECK_ARG(c && (ids || n == 0));
	if (n == 0)
		return drove__error(DROVE_EINVAL, "executor ids: none given");
	for (size_t i = 0; i < n; i++) {
		CHECK_ID("executor id", ids[i]);
		if ((i && drove__buf_putc(&q, '&') < 0) || drove__buf_puts(&q, "id=") < 0 ||
		    drove__client_escape(&q, ids[i]) < 0) {
			drove__buf_free(&q);
			return DROVE_ENOMEM;
		}
	}
	rc = drove_client_call(c, "POST",
	                       on ? API "/cluster/executors/blacklist"
	                          : API "/cluster/executors/unblacklist",
	                       q.data, NULL, out);
	drove__buf_free(&q);
	return rc;
}

int drove_client_endpoint_list_json(drove_client *c, const char *app_name, char **out)
{
	drove__buf q = DROVE_BUF_INIT;
	int rc;
	DROVE_CHECK_ARG(c);
	if (app_name &&
	    (drove__buf_puts(&q, "app=") < 0 || drove__client_escape(&q, app_name) < 0)) {
		drove__buf_free(&q);
		return DROVE_ENOMEM;
	}
	rc = drove_client_call(c, "GET", API "/endpoints", q.data, NULL, out);
	drove__buf_free(&q);
	return rc;
}

/* ---- applications ---- */

int drove_client_app_list_json(drove_client *c, char **out)
{
	DROVE_CHECK_ARG(c);
	return drove_client_call(c, "GET", API "/applications", NULL, NULL, out);
}

int drove__client_app_get(drove_client *c, const char *app_id, char **text, json_object **obj)
{
	DROVE_CHECK_ARG(c);
	CHECK_ID("app id", app_id);
	return get1_ex(c, "/applications/", app_id, NULL, NULL, NULL, NULL, text, obj);
}

int drove_client_app_get_json(drove_client *c, const char *app_id, char **out)
{
	return drove__client_app_get(c, app_id, out, NULL);
}

int drove_client_app_spec_get_json(drove_client *c, const char *app_id, char **out)
{
	DROVE_CHECK_ARG(c);
	CHECK_ID("app id", app_id);
	return get1(c, "/applications/", app_id, "/spec", NULL, NULL, NULL, out);
}

/* "A,B" -> "state=A&state=B" */
static int states_query(drove__buf *q, const char *states)
{
	const char *p = states;
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n) {
			char *one = drove__strndup(p, n);
			if (!one || (q->len && drove__buf_putc(q, '&') < 0) ||
			    drove__buf_puts(q, "state=") < 0 || drove__client_escape(q, one) < 0) {
				free(one);
				return DROVE_ENOMEM;
			}
			free(one);
		}
		p = e ? e + 1 : NULL;
	}
	return 0;
}

static int instances(drove_client *c, const char *prefix, const char *id, const char *states,
                     char **out)
{
	drove__buf q = DROVE_BUF_INIT;
	int rc;
	if (states_query(&q, states) < 0) {
		drove__buf_free(&q);
		return DROVE_ENOMEM;
	}
	rc = get1(c, prefix, id, "/instances", NULL, NULL, q.data, out);
	drove__buf_free(&q);
	return rc;
}

int drove_client_app_instance_list_json(drove_client *c, const char *app_id, const char *states,
                                        char **out)
{
	DROVE_CHECK_ARG(c);
	CHECK_ID("app id", app_id);
	return instances(c, "/applications/", app_id, states, out);
}

int drove_client_app_instance_list_old_json(drove_client *c, const char *app_id, char **out)
{
	DROVE_CHECK_ARG(c);
	CHECK_ID("app id", app_id);
	return get1(c, "/applications/", app_id, "/instances/old", NULL, NULL, NULL, out);
}

int drove__client_app_instance_get(drove_client *c, const char *app_id, const char *instance_id,
                                   char **text, json_object **obj)
{
	DROVE_CHECK_ARG(c);
	CHECK_ID("app id", app_id);
	CHECK_ID("instance id", instance_id);
	return get1_ex(c, "/applications/", app_id, "/instances/", instance_id, NULL, NULL, text,
	               obj);
}

int drove_client_app_instance_get_json(drove_client *c, const char *app_id, const char *instance_id,
                                       char **out)
{
	return drove__client_app_instance_get(c, app_id, instance_id, out, NULL);
}

int drove_client_app_operation_json(drove_client *c, const char *op_json, char **out)
{
	DROVE_CHECK_ARG(c && op_json);
	return post_raw(c, API "/applications/operations", op_json, out);
}

static int app_op(drove_client *c, json_object *op, char **id_out)
{
	return post_op(c, API "/applications/operations", op, "appId", id_out, NULL);
}

int drove_client_app_create(drove_client *c, const char *spec_json, int64_t instances_,
                            const char *timeout, int parallelism, char **app_id_out)
{
	json_object *spec = NULL, *op;
	int rc;
	DROVE_CHECK_ARG(c);
	if (instances_ < 0)
		return drove__error(DROVE_EINVAL, "instances: %lld is below 0",
		                    (long long)instances_);
	if ((rc = parse_spec("application spec", spec_json, &spec)) < 0)
		return rc;
	if (!(op = op_new("CREATE", NULL, NULL))) {
		json_object_put(spec);
		return drove__enomem();
	}
	json_object_object_add(op, "spec", spec);
	json_object_object_add(op, "instances", json_object_new_int64(instances_));
	add_opspec(op, "opSpec", timeout, parallelism);
	return app_op(c, op, app_id_out);
}

int drove_client_app_scale(drove_client *c, const char *app_id, int64_t required,
                           const char *timeout, int parallelism)
{
	json_object *op;
	DROVE_CHECK_ARG(c);
	CHECK_ID("app id", app_id);
	if (required < 0)
		return drove__error(DROVE_EINVAL, "instances: %lld is below 0",
		                    (long long)required);
	if (!(op = op_new("SCALE", "appId", app_id)))
		return drove__enomem();
	json_object_object_add(op, "requiredInstances", json_object_new_int64(required));
	add_opspec(op, "opSpec", timeout, parallelism);
	return app_op(c, op, NULL);
}

int drove_client_app_instance_start(drove_client *c, const char *app_id, int64_t count,
                                    const char *timeout, int parallelism)
{
	json_object *op;
	DROVE_CHECK_ARG(c);
	CHECK_ID("app id", app_id);
	if (count < 1)
		return drove__error(DROVE_EINVAL, "instances: %lld is below 1", (long long)count);
	if (!(op = op_new("START_INSTANCES", "appId", app_id)))
		return drove__enomem();
	json_object_object_add(op, "instances", json_object_new_int64(count));
	add_opspec(op, "opSpec", timeout, parallelism);
	return app_op(c, op, NULL);
}

int drove_client_app_suspend(drove_client *c, const char *app_id, const char *timeout,
                             int parallelism)
{
	json_object *op;
	DROVE_CHECK_ARG(c);
	CHECK_ID("app id", app_id);
	if (!(op = op_new("SUSPEND", "appId", app_id)))
		return drove__enomem();
	add_opspec(op, "opSpec", timeout, parallelism);
	return app_op(c, op, NULL);
}

int drove_client_app_recover(drove_client *c, const char *app_id)
{
	DROVE_CHECK_ARG(c);
	CHECK_ID("app id", app_id);
	return app_op(c, op_new("RECOVER", "appId", app_id), NULL);
}

int drove_client_app_restart(drove_client *c, const char *app_id, int stop_first,
                             const char *timeout, int parallelism)
{
	return drove_client_app_instance_replace(c, app_id, NULL, 0, stop_first, timeout,
	                                         parallelism);
}

int drove_client_app_destroy(drove_client *c, const char *app_id)
{
	json_object *op;
	DROVE_CHECK_ARG(c);
	CHECK_ID("app id", app_id);
	if (!(op = op_new("DESTROY", "appId", app_id)))
		return drove__enomem();
	add_opspec(op, "opSpec", NULL, 1);
	return app_op(c, op, NULL);
}

int drove_client_app_cancel(drove_client *c, const char *app_id)
{
	char *p;
	int rc;
	DROVE_CHECK_ARG(c);
	CHECK_ID("app id", app_id);
	if (!(p = mkpath("/applications/operations/", app_id, "/cancel", NULL, NULL)))
		return DROVE_ENOMEM;
	rc = drove_client_call(c, "POST", p, NULL, NULL, NULL);
	free(p);
	return rc;
}

int drove_client_app_instance_replace(drove_client *c, const char *app_id,
                                      const char *const *instance_ids, size_t n, int stop_first,
                                      const char *timeout, int parallelism)
{
	json_object *op;
	DROVE_CHECK_ARG(c && (instance_ids || n == 0));
	CHECK_ID("app id", app_id);
	if (!(op = op_new("REPLACE_INSTANCES", "appId", app_id)))
		return drove__enomem();
	add_ids(op, "instanceIds", instance_ids, n);
	json_object_object_add(op, "stopFirst", json_object_new_boolean(stop_first ? 1 : 0));
	add_opspec(op, "opSpec", timeout, parallelism);
	return app_op(c, op, NULL);
}

int drove_client_app_instance_kill(drove_client *c, const char *app_id,
                                   const char *const *instance_ids, size_t n, int skip_respawn,
                                   const char *timeout, int parallelism)
{
	json_object *op;
	DROVE_CHECK_ARG(c && (instance_ids || n == 0));
	CHECK_ID("app id", app_id);
	if (n == 0)
		return drove__error(DROVE_EINVAL, "instance ids: none given");
	if (!(op = op_new("STOP_INSTANCES", "appId", app_id)))
		return drove__enomem();
	add_ids(op, "instanceIds", instance_ids, n);
	json_object_object_add(op, "skipRespawn", json_object_new_boolean(skip_respawn ? 1 : 0));
	add_opspec(op, "opSpec", timeout, parallelism);
	return app_op(c, op, NULL);
}

/* ---- tasks ---- */

int drove_client_task_create(drove_client *c, const char *spec_json, const char *timeout,
                             char **task_id_out)
{
	json_object *spec = NULL, *op;
	int rc;
	DROVE_CHECK_ARG(c);
	if ((rc = parse_spec("task spec", spec_json, &spec)) < 0)
		return rc;
	if (!(op = op_new("CREATE", NULL, NULL))) {
		json_object_put(spec);
		return drove__enomem();
	}
	json_object_object_add(op, "spec", spec);
	add_opspec(op, "opSpec", timeout, 1);
	return post_op(c, API "/tasks/operations", op, "taskId", task_id_out, NULL);
}

int drove_client_task_list_json(drove_client *c, char **out)
{
	DROVE_CHECK_ARG(c);
	return drove_client_call(c, "GET", API "/tasks", NULL, NULL, out);
}

int drove__client_task_get(drove_client *c, const char *source_app, const char *task_id,
                           char **text, json_object **obj)
{
	DROVE_CHECK_ARG(c);
	CHECK_ID("source app name", source_app);
	CHECK_ID("task id", task_id);
	return get1_ex(c, "/tasks/", source_app, "/instances/", task_id, NULL, NULL, text, obj);
}

int drove_client_task_get_json(drove_client *c, const char *source_app, const char *task_id,
                               char **out)
{
	return drove__client_task_get(c, source_app, task_id, out, NULL);
}

int drove_client_task_kill(drove_client *c, const char *source_app, const char *task_id,
                           const char *timeout)
{
	json_object *op;
	DROVE_CHECK_ARG(c);
	CHECK_ID("source app name", source_app);
	CHECK_ID("task id", task_id);
	if (!(op = op_new("KILL", "sourceAppName", source_app)))
		return drove__enomem();
	json_object_object_add(op, "taskId", json_object_new_string(task_id));
	add_opspec(op, "opSpec", timeout, 1);
	return post_op(c, API "/tasks/operations", op, NULL, NULL, NULL);
}

int drove_client_task_delete(drove_client *c, const char *source_app, const char *task_id)
{
	char *p;
	int rc;
	DROVE_CHECK_ARG(c);
	CHECK_ID("source app name", source_app);
	CHECK_ID("task id", task_id);
	if (!(p = mkpath("/tasks/", source_app, "/instances/", task_id, NULL)))
		return DROVE_ENOMEM;
	rc = drove_client_call(c, "DELETE", p, NULL, NULL, NULL);
	free(p);
	return rc;
}

/* ---- local services ---- */

int drove_client_local_service_list_json(drove_client *c, char **out)
{
	DROVE_CHECK_ARG(c);
	return drove_client_call(c, "GET", API "/localservices", NULL, NULL, out);
}

int drove__client_local_service_get(drove_client *c, const char *service_id, char **text,
                                    json_object **obj)
{
	DROVE_CHECK_ARG(c);
	CHECK_ID("service id", service_id);
	return get1_ex(c, "/localservices/", service_id, NULL, NULL, NULL, NULL, text, obj);
}

int drove_client_local_service_get_json(drove_client *c, const char *service_id, char **out)
{
	return drove__client_local_service_get(c, service_id, out, NULL);
}

int drove_client_local_service_spec_get_json(drove_client *c, const char *service_id, char **out)
{
	DROVE_CHECK_ARG(c);
	CHECK_ID("service id", service_id);
	return get1(c, "/localservices/", service_id, "/spec", NULL, NULL, NULL, out);
}

int drove_client_local_service_instance_list_json(drove_client *c, const char *service_id,
                                                  const char *states, char **out)
{
	DROVE_CHECK_ARG(c);
	CHECK_ID("service id", service_id);
	return instances(c, "/localservices/", service_id, states, out);
}

int drove_client_local_service_instance_list_old_json(drove_client *c, const char *service_id,
                                                      char **out)
{
	DROVE_CHECK_ARG(c);
	CHECK_ID("service id", service_id);
	return get1(c, "/localservices/", service_id, "/instances/old", NULL, NULL, NULL, out);
}

int drove__client_local_service_instance_get(drove_client *c, const char *service_id,
                                             const char *instance_id, char **text,
                                             json_object **obj)
{
	DROVE_CHECK_ARG(c);
	CHECK_ID("service id", service_id);
	CHECK_ID("instance id", instance_id);
	return get1_ex(c, "/localservices/", service_id, "/instances/", instance_id, NULL, NULL,
	               text, obj);
}

int drove_client_local_service_instance_get_json(drove_client *c, const char *service_id,
                                                 const char *instance_id, char **out)
{
	return drove__client_local_service_instance_get(c, service_id, instance_id, out, NULL);
}

int drove_client_local_service_operation_json(drove_client *c, const char *op_json, char **out)
{
	DROVE_CHECK_ARG(c && op_json);
	return post_raw(c, API "/localservices/operations", op_json, out);
}

static int ls_op(drove_client *c, json_object *op, char **id_out)
{
	return post_op(c, API "/localservices/operations", op, "serviceId", id_out, NULL);
}

int drove_client_local_service_create(drove_client *c, const char *spec_json,
                                      int instances_per_host, char **service_id_out)
{
	json_object *spec = NULL, *op;
	int rc;
	DROVE_CHECK_ARG(c);
	if (instances_per_host < 1)
		return drove__error(DROVE_EINVAL, "instances per host: %d is below 1",
		                    instances_per_host);
	if ((rc = parse_spec("local service spec", spec_json, &spec)) < 0)
		return rc;
	if (!(op = op_new("CREATE", NULL, NULL))) {
		json_object_put(spec);
		return drove__enomem();
	}
	json_object_object_add(op, "spec", spec);
	json_object_object_add(op, "instancesPerHost", json_object_new_int(instances_per_host));
	return ls_op(c, op, service_id_out);
}

int drove_client_local_service_op(drove_client *c, int op, const char *service_id)
{
	static const char *const types[] = {
	        [DROVE_CLIENT_LOCAL_SERVICE_ACTIVATE] = "ACTIVATE",
	        [DROVE_CLIENT_LOCAL_SERVICE_DEACTIVATE] = "DEACTIVATE",
	        [DROVE_CLIENT_LOCAL_SERVICE_DEPLOY_TEST_INSTANCE] = "DEPLOY_TEST_INSTANCE",
	        [DROVE_CLIENT_LOCAL_SERVICE_DESTROY] = "DESTROY",
	        [DROVE_CLIENT_LOCAL_SERVICE_ADJUST_INSTANCES] = "ADJUST_INSTANCES",
	};
	DROVE_CHECK_ARG(c);
	CHECK_ID("service id", service_id);
	if (op < DROVE_CLIENT_LOCAL_SERVICE_ACTIVATE ||
	    op > DROVE_CLIENT_LOCAL_SERVICE_ADJUST_INSTANCES)
		return drove__error(DROVE_EINVAL, "local service operation: unknown value %d", op);
	return ls_op(c, op_new(types[op], "serviceId", service_id), NULL);
}

int drove_client_local_service_update_instances(drove_client *c, const char *service_id,
                                                int instances_per_host)
{
	json_object *op;
	DROVE_CHECK_ARG(c);
	CHECK_ID("service id", service_id);
	if (instances_per_host < 1)
		return drove__error(DROVE_EINVAL, "instances per host: %d is below 1",
		                    instances_per_host);
	if (!(op = op_new("UPDATE_INSTANCE_COUNT", "serviceId", service_id)))
		return drove__enomem();
	json_object_object_add(op, "instancesPerHost", json_object_new_int(instances_per_host));
	return ls_op(c, op, NULL);
}

int drove_client_local_service_restart(drove_client *c, const char *service_id, int stop_first,
                                       const char *timeout, int parallelism)
{
	json_object *op;
	DROVE_CHECK_ARG(c);
	CHECK_ID("service id", service_id);
	if (!(op = op_new("RESTART", "serviceId", service_id)))
		return drove__enomem();
	json_object_object_add(op, "stopFirst", json_object_new_boolean(stop_first ? 1 : 0));
	add_opspec(op, "clusterOpSpec", timeout, parallelism);
	return ls_op(c, op, NULL);
}

int drove_client_local_service_cancel(drove_client *c, const char *service_id)
{
	char *p;
	int rc;
	DROVE_CHECK_ARG(c);
	CHECK_ID("service id", service_id);
	if (!(p = mkpath("/localservices/operations/", service_id, "/cancel", NULL, NULL)))
		return DROVE_ENOMEM;
	rc = drove_client_call(c, "POST", p, NULL, NULL, NULL);
	free(p);
	return rc;
}

int drove_client_local_service_instance_op(drove_client *c, const char *service_id,
                                           const char *const *instance_ids, size_t n, int what,
                                           const char *timeout, int parallelism)
{
	json_object *op;
	int kill = what == DROVE_CLIENT_INSTANCE_KILL;
	DROVE_CHECK_ARG(c && (instance_ids || n == 0));
	CHECK_ID("service id", service_id);
	if (what != DROVE_CLIENT_INSTANCE_REPLACE && !kill)
		return drove__error(DROVE_EINVAL, "instance operation: unknown value %d", what);
	if (kill && n == 0)
		return drove__error(DROVE_EINVAL, "instance ids: none given");
	if (!(op = op_new(kill ? "STOP_INSTANCES" : "REPLACE_INSTANCES", "serviceId", service_id)))
		return drove__enomem();
	add_ids(op, "instanceIds", instance_ids, n);
	if (!kill)
		json_object_object_add(op, "stopFirst", json_object_new_boolean(0));
	add_opspec(op, "opSpec", timeout, parallelism);
	return ls_op(c, op, NULL);
}

/* ---- log files ---- */

static int log_kind(const char *kind)
{
	if (!kind || (strcmp(kind, "applications") && strcmp(kind, "tasks") &&
	              strcmp(kind, "localservices")))
		return drove__error(DROVE_EINVAL,
		                    "log kind: '%s' is not applications, tasks or localservices",
		                    kind ? kind : "(null)");
	return 0;
}

static char *log_path(const char *kind, const char *id1, const char *id2, const char *op,
                      const char *file)
{
	drove__buf b = DROVE_BUF_INIT;
	if (drove__buf_printf(&b, API "/logfiles/%s/", kind) < 0 ||
	    drove__client_escape(&b, id1) < 0 || drove__buf_putc(&b, '/') < 0 ||
	    drove__client_escape(&b, id2) < 0 || drove__buf_printf(&b, "/%s", op) < 0 ||
	    (file && (drove__buf_putc(&b, '/') < 0 || drove__client_escape(&b, file) < 0))) {
		drove__buf_free(&b);
		return NULL;
	}
	return drove__buf_steal(&b);
}

#define LOG_ARGS_CHECK()                      \
	do {                                  \
		DROVE_CHECK_ARG(c);           \
		int krc_ = log_kind(kind);    \
		if (krc_ < 0)                 \
			return krc_;          \
		CHECK_ID("id", id1);          \
		CHECK_ID("instance id", id2); \
	} while (0)

int drove_client_log_list_json(drove_client *c, const char *kind, const char *id1, const char *id2,
                               char **out)
{
	char *p, *body = NULL;
	int rc;
	LOG_ARGS_CHECK();
	if (!(p = log_path(kind, id1, id2, "list", NULL)))
		return DROVE_ENOMEM;
	rc = drove__client_get_raw(c, p, NULL, &body, NULL);
	free(p);
	if (rc == 0 && out)
		*out = body;
	else
		free(body);
	return rc;
}

int drove_client_log_read(drove_client *c, const char *kind, const char *id1, const char *id2,
                          const char *file, int64_t *offset, int64_t length, char **out,
                          size_t *len_out)
{
	char *p, *body = NULL, q[96];
	json_object *o = NULL, *d, *off;
	size_t blen = 0;
	int rc;

	LOG_ARGS_CHECK();
	CHECK_ID("file name", file);
	DROVE_CHECK_ARG(offset && out && *offset >= -1 && length >= -1);
	if (!(p = log_path(kind, id1, id2, "read", file)))
		return DROVE_ENOMEM;
	if (*offset == -1)
		snprintf(q, sizeof(q), "offset=-1&length=-1");
	else
		snprintf(q, sizeof(q), "offset=%lld&length=%lld", (long long)*offset,
		         (long long)length);
	rc = drove__client_get_raw(c, p, q, &body, &blen);
	free(p);
	if (rc < 0)
		return rc;
	o = json_tokener_parse(body);
	free(body);
	if (!o || !json_object_object_get_ex(o, "data", &d) ||
	    !json_object_is_type(d, json_type_string) ||
	    !json_object_object_get_ex(o, "offset", &off)) {
		json_object_put(o);
		return drove__error(DROVE_ERROR, "log read: the response has no data/offset");
	}
	{
		size_t n = (size_t)json_object_get_string_len(d);
		char *s = drove__strndup(json_object_get_string(d), n);
		if (!s) {
			json_object_put(o);
			return DROVE_ENOMEM;
		}
		if (*offset == -1)
			*offset = json_object_get_int64(off);
		else
			*offset += (int64_t)n;
		*out = s;
		if (len_out)
			*len_out = n;
	}
	json_object_put(o);
	return 0;
}

int drove_client_log_download(drove_client *c, const char *kind, const char *id1, const char *id2,
                              const char *file, int fd, int64_t *bytes_out)
{
	char *p;
	int rc;
	LOG_ARGS_CHECK();
	CHECK_ID("file name", file);
	DROVE_CHECK_ARG(fd >= 0);
	if (!(p = log_path(kind, id1, id2, "download", file)))
		return DROVE_ENOMEM;
	rc = drove__client_download(c, p, NULL, fd, bytes_out);
	free(p);
	return rc;
}
