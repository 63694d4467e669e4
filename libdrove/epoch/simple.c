/* Epoch's simple create / edit requests (SimpleTopologyCreateRequest, SimpleTopologyEditRequest:
 * name, cron, docker, cpus 1-40, memory 128-100000, notifyEmail, env, volumes) turned into an
 * EpochTopology document, which drove_epoch_topology_from_json() then validates fully. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/epoch.h>
#include "core/internal.h"
#include "epoch/simple.h"
#include "model/codec.h"

/* SimpleTopologyCreateRequest / SimpleTopologyEditRequest -> an EpochTopology document. */
int drove__epoch_simple_topology(const char *body, size_t len, const char *path_id,
                                 drove_strlist *errs, char **out_doc)
{
	static const char *const keys[] = {"name",        "cron", "docker",  "cpus", "memory",
	                                   "notifyEmail", "env",  "volumes", NULL};
	struct json_object *in = NULL, *v, *t = NULL, *task, *res, *r, *ex;
	char *out = NULL;
	char msg[160];

	*out_doc = NULL;
	if (len > DROVE_EPOCH_TOPOLOGY_MAX) {
		drove_strlist_add(errs, "body: larger than 256 KiB");
		goto done;
	}
	if (drove__mcodec_parse(body, len, &in) < 0 || !json_object_is_type(in, json_type_object)) {
		drove_strlist_add(errs, "body: must be a JSON object");
		drove_error_clear();
		goto done;
	}
	json_object_object_foreach(in, key, val)
	{
		int ok = 0;
		(void)val;
		for (size_t i = 0; keys[i]; i++)
			ok |= !strcmp(keys[i], key);
		if (!ok) {
			snprintf(msg, sizeof(msg), "%.64s: unknown field", key);
			drove_strlist_add(errs, msg);
		}
	}
	const char *name = path_id;
	if (json_object_object_get_ex(in, "name", &v)) {
		if (!json_object_is_type(v, json_type_string))
			drove_strlist_add(errs, "name: must be a string");
		else if (path_id && strcmp(path_id, json_object_get_string(v)))
			drove_strlist_add(errs, "name: differs from the topology id of the path");
		else
			name = json_object_get_string(v);
	}
	if (!name)
		drove_strlist_add(errs, "name: required");
	const char *strs[] = {"cron", "docker"};
	for (size_t i = 0; i < 2; i++)
		if (!json_object_object_get_ex(in, strs[i], &v) ||
		    !json_object_is_type(v, json_type_string)) {
			snprintf(msg, sizeof(msg), "%s: required string", strs[i]);
			drove_strlist_add(errs, msg);
		}
	int64_t cpus = 1, mem = 128;
	if (json_object_object_get_ex(in, "cpus", &v) &&
	    (!json_object_is_type(v, json_type_int) || (cpus = json_object_get_int64(v)) < 1 ||
	     cpus > 40))
		drove_strlist_add(errs, "cpus: must be 1-40");
	if (json_object_object_get_ex(in, "memory", &v) &&
	    (!json_object_is_type(v, json_type_int) || (mem = json_object_get_int64(v)) < 128 ||
	     mem > 100000))
		drove_strlist_add(errs, "memory: must be 128-100000");
	if (drove_strlist_count(errs))
		goto done;
	if (!(t = json_object_new_object()) || !(task = json_object_new_object()) ||
	    !(res = json_object_new_array()) || !(ex = json_object_new_object()))
		goto done;
	json_object_object_add(t, "name", json_object_new_string(name));
	json_object_object_add(task, "type", json_object_new_string("CONTAINER_EXECUTION"));
	json_object_object_add(task, "taskName", json_object_new_string(name));
	json_object_object_get_ex(in, "docker", &v);
	json_object_object_add(ex, "type", json_object_new_string("DOCKER"));
	json_object_object_add(ex, "url", json_object_get(v));
	json_object_object_add(ex, "dockerPullTimeout", json_object_new_string("100 seconds"));
	json_object_object_add(task, "executable", ex);
	r = json_object_new_object();
	json_object_object_add(r, "type", json_object_new_string("CPU"));
	json_object_object_add(r, "count", json_object_new_int64(cpus));
	json_object_array_add(res, r);
	r = json_object_new_object();
	json_object_object_add(r, "type", json_object_new_string("MEMORY"));
	json_object_object_add(r, "sizeInMB", json_object_new_int64(mem));
	json_object_array_add(res, r);
	json_object_object_add(task, "resources", res);
	r = json_object_new_object();
	json_object_object_add(r, "type", json_object_new_string("ANY"));
	json_object_object_add(task, "placementPolicy", r);
	if (json_object_object_get_ex(in, "env", &v))
		json_object_object_add(task, "env", json_object_get(v));
	if (json_object_object_get_ex(in, "volumes", &v))
		json_object_object_add(task, "volumes", json_object_get(v));
	json_object_object_add(t, "task", task);
	r = json_object_new_object();
	json_object_object_add(r, "type", json_object_new_string("CRON"));
	json_object_object_get_ex(in, "cron", &v);
	json_object_object_add(r, "timeSpec", json_object_get(v));
	json_object_object_add(t, "trigger", r);
	r = json_object_new_object();
	if (json_object_object_get_ex(in, "notifyEmail", &v) && json_object_get_string(v) &&
	    *json_object_get_string(v)) {
		struct json_object *em = json_object_new_array();
		json_object_object_add(r, "type", json_object_new_string("MAIL"));
		json_object_array_add(em, json_object_get(v));
		json_object_object_add(r, "emails", em);
	} else {
		json_object_object_add(r, "type", json_object_new_string("BLACKHOLE"));
	}
	json_object_object_add(t, "notify", r);
	out = strdup(json_object_to_json_string_ext(t, JSON_C_TO_STRING_PLAIN));
done:
	json_object_put(t);
	json_object_put(in);
	if (!out && !drove_strlist_count(errs))
		return drove__enomem();
	*out_doc = out;
	return drove_strlist_count(errs) ? DROVE_EINVAL : 0;
}
