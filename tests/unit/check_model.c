/* Model: JSON codec round trips of every reference example, records, enums, caps, strictness. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/model.h>
#include <drove/spec.h>
#include <drove/strlist.h>
#include "core/internal.h"
#include "model/codec.h"
#include "model/model.h"
#include "harness.h"

#define DATA "tests/data/model/"

static char *fixture(const char *name, size_t *len)
{
	char path[256];
	snprintf(path, sizeof(path), DATA "%s", name);
	return drove_test_read_source_file(path, len);
}

/* Every member of `a` is in `b` with an equal value (objects recursively, arrays element-wise
 * with the same length); so nothing of the input is lost or changed. */
static int json_subset(struct json_object *a, struct json_object *b, char *where, size_t wlen)
{
	if (json_object_is_type(a, json_type_object)) {
		if (!json_object_is_type(b, json_type_object)) {
			snprintf(where, wlen, "not an object");
			return 0;
		}
		json_object_object_foreach(a, k, va)
		{
			struct json_object *vb = NULL;
			if (!json_object_object_get_ex(b, k, &vb)) {
				snprintf(where, wlen, "missing key %s", k);
				return 0;
			}
			if (!json_subset(va, vb, where, wlen)) {
				size_t n = strlen(where);
				snprintf(where + n, wlen - n, " <- %s", k);
				return 0;
			}
		}
		return 1;
	}
	if (json_object_is_type(a, json_type_array)) {
		size_t n = json_object_array_length(a);
		if (!json_object_is_type(b, json_type_array) || json_object_array_length(b) != n) {
			snprintf(where, wlen, "array differs");
			return 0;
		}
		for (size_t i = 0; i < n; i++)
			if (!json_subset(json_object_array_get_idx(a, i),
			                 json_object_array_get_idx(b, i), where, wlen))
				return 0;
		return 1;
	}
	if (!json_object_equal(a, b)) {
		snprintf(where, wlen, "value %s != %s", json_object_get_string(a),
		         json_object_get_string(b));
		return 0;
	}
	return 1;
}

/* decode, encode, decode again, encode again: both encodings equal; the input is contained in
 * the output when `canonical` (the input already uses canonical durations). */
static void roundtrip(const struct mtype *t, const char *file, int canonical)
{
	size_t len;
	char *json = fixture(file, &len), *enc1 = NULL, *enc2 = NULL, where[512] = "";
	void *v1 = NULL, *v2 = NULL;
	drove_strlist *unknown = NULL;
	struct json_object *in, *o1, *o2;

	ck_assert_int_eq(drove_strlist_new(&unknown), 0);
	ck_assert_msg(drove__mcodec_decode_text(t, json, len, DROVE_MODEL_STRICT, &v1, NULL,
	                                        unknown) == 0,
	              "%s: %s", file, drove_error_last()->message);
	ck_assert_uint_eq(drove_strlist_count(unknown), 0);
	ck_assert_int_eq(drove__mcodec_encode(t, v1, &enc1), 0);
	ck_assert_msg(drove__mcodec_decode_text(t, enc1, strlen(enc1), DROVE_MODEL_STRICT, &v2,
	                                        NULL, NULL) == 0,
	              "%s: %s", file, drove_error_last()->message);
	ck_assert_int_eq(drove__mcodec_encode(t, v2, &enc2), 0);
	o1 = json_tokener_parse(enc1);
	o2 = json_tokener_parse(enc2);
	in = json_tokener_parse(json);
	ck_assert_ptr_nonnull(o1);
	ck_assert_msg(json_object_equal(o1, o2), "%s: %s != %s", file, enc1, enc2);
	if (canonical)
		ck_assert_msg(json_subset(in, o1, where, sizeof(where)), "%s: %s\n%s", file, where,
		              enc1);
	json_object_put(in);
	json_object_put(o1);
	json_object_put(o2);
	drove__mcodec_free(t, v1);
	drove__mcodec_free(t, v2);
	drove_strlist_free(unknown);
	free(enc1);
	free(enc2);
	free(json);
}

/* ---- round trips ---- */

START_TEST(test_roundtrip_samples)
{
	roundtrip(&drove__mt_app_spec, "application.json", 1);
	roundtrip(&drove__mt_task_spec, "task.json", 1);
	roundtrip(&drove__mt_ls_spec, "localservice.json", 1);
	roundtrip(&drove__mt_app_spec, "app_condensed.json", 1);
	roundtrip(&drove__mt_app_spec, "app_rich.json", 1);
}
END_TEST

START_TEST(test_roundtrip_records)
{
	roundtrip(&drove__mt_instance_info, "instance_info.json", 1);
	roundtrip(&drove__mt_ls_instance_info, "ls_instance_info.json", 1);
	roundtrip(&drove__mt_task_info, "task_info.json", 1);
	roundtrip(&drove__mt_node_data, "executor_node.json", 1);
	roundtrip(&drove__mt_node_data, "controller_node.json", 1);
	roundtrip(&drove__mt_resource_snapshot, "resource_snapshot.json", 1);
	roundtrip(&drove__mt_event, "event.json", 1);
	roundtrip(&drove__mt_cluster_state_data, "cluster_state.json", 1);
	roundtrip(&drove__mt_known_instances, "known_instances.json", 1);
	roundtrip(&drove__mt_app_info, "app_info.json", 1);
	roundtrip(&drove__mt_ls_info, "ls_info.json", 1);
	roundtrip(&drove__mt_app_instance_spec, "app_instance_spec.json", 1);
	roundtrip(&drove__mt_task_instance_spec, "task_instance_spec.json", 1);
	roundtrip(&drove__mt_ls_instance_spec, "ls_instance_spec.json", 1);
}
END_TEST

static const char *const app_op_files[] = {
        "app_op_0_create.json",
        "app_op_1_scale.json",
        "app_op_2_start_instances.json",
        "app_op_3_stop_instances.json",
        "app_op_4_replace_instances.json",
        "app_op_5_suspend.json",
        "app_op_6_destroy.json",
        "app_op_7_recover.json",
        "app_op_8_create.json",
        "app_op_9_scale.json",
};
static const char *const ls_op_files[] = {
        "ls_op_0_create.json",
        "ls_op_1_activate.json",
        "ls_op_2_deploy_test_instance.json",
        "ls_op_3_deactivate.json",
        "ls_op_4_update_instance_count.json",
        "ls_op_5_adjust_instances.json",
        "ls_op_6_replace_instances.json",
        "ls_op_7_restart.json",
        "ls_op_8_stop_instances.json",
        "ls_op_9_destroy.json",
};

START_TEST(test_roundtrip_operations)
{
	/* op-spec durations like "5m" are re-rendered ("5 minutes"): not canonical input */
	for (size_t i = 0; i < DROVE_ARRAY_LEN(app_op_files); i++)
		roundtrip(&drove__mt_app_op, app_op_files[i], 0);
	for (size_t i = 0; i < DROVE_ARRAY_LEN(ls_op_files); i++)
		roundtrip(&drove__mt_ls_op, ls_op_files[i], 0);
	roundtrip(&drove__mt_task_op, "task_op_0_create.json", 0);
	roundtrip(&drove__mt_task_op, "task_op_1_kill.json", 0);
}
END_TEST

START_TEST(test_operations_validate)
{
	for (size_t i = 0; i < DROVE_ARRAY_LEN(app_op_files); i++) {
		size_t len;
		char *json = fixture(app_op_files[i], &len);
		drove_app_op *op = NULL;
		drove_strlist *errs = NULL;
		ck_assert_int_eq(drove__app_op_decode(json, len, 0, &op, NULL, NULL), 0);
		ck_assert_int_eq(drove_strlist_new(&errs), 0);
		ck_assert_msg(drove__app_op_validate(op, NULL, errs) == 0, "%s: %s",
		              app_op_files[i], drove_strlist_get(errs, 0));
		drove__app_op_free(op);
		drove_strlist_free(errs);
		free(json);
	}
	for (size_t i = 0; i < DROVE_ARRAY_LEN(ls_op_files); i++) {
		size_t len;
		char *json = fixture(ls_op_files[i], &len);
		drove_ls_op *op = NULL;
		drove_strlist *errs = NULL;
		ck_assert_int_eq(drove__ls_op_decode(json, len, 0, &op, NULL, NULL), 0);
		ck_assert_int_eq(drove_strlist_new(&errs), 0);
		ck_assert_msg(drove__ls_op_validate(op, NULL, errs) == 0, "%s: %s", ls_op_files[i],
		              drove_strlist_get(errs, 0));
		drove__ls_op_free(op);
		drove_strlist_free(errs);
		free(json);
	}
}
END_TEST

START_TEST(test_operation_fields)
{
	size_t len;
	char *json = fixture("app_op_3_stop_instances.json", &len), *enc = NULL;
	drove_app_op *op = NULL;
	drove_ls_op *lop = NULL;
	drove_task_op *top = NULL;
	const char *stop = "{\"type\":\"stop\",\"serviceId\":\"S-1\"}";
	const char *restart = "{\"type\":\"RESTART\",\"serviceId\":\"S-1\",\"stopFirst\":true,"
	                      "\"clusterOpSpec\":{\"timeout\":\"1m\",\"parallelism\":2,"
	                      "\"failureStrategy\":\"stop\"}}";
	const char *kill = "{\"type\":\"KILL\",\"sourceAppName\":\"A\",\"taskId\":\"T1\","
	                   "\"opSpec\":{\"timeout\":\"30s\",\"parallelism\":1,"
	                   "\"failureStrategy\":\"ROLLBACK\"}}";

	ck_assert_int_eq(drove__app_op_decode(json, len, 0, &op, NULL, NULL), 0);
	ck_assert_int_eq(op->type, DROVE_APP_OP_STOP_INSTANCES);
	ck_assert_str_eq(op->app_id, "TEST_APP-1");
	ck_assert_uint_eq(op->n_instance_ids, 1);
	ck_assert(op->skip_respawn);
	ck_assert_ptr_nonnull(op->op_spec);
	ck_assert_int_eq(op->op_spec->parallelism, 1);
	ck_assert_int_eq(drove_duration_ms(&op->op_spec->timeout), 300000);
	ck_assert_str_eq(drove__app_op_type_name(op->type), "STOP_INSTANCES");
	drove__app_op_free(op);
	free(json);

	/* STOP is an alias of DEACTIVATE; written back as DEACTIVATE */
	ck_assert_int_eq(drove__ls_op_decode(stop, strlen(stop), 0, &lop, NULL, NULL), 0);
	ck_assert_int_eq(lop->type, DROVE_LS_OP_DEACTIVATE);
	ck_assert_int_eq(drove__ls_op_encode(lop, &enc), 0);
	ck_assert_str_eq(enc, "{\"type\":\"DEACTIVATE\",\"serviceId\":\"S-1\"}");
	free(enc);
	drove__ls_op_free(lop);

	/* RESTART reads its op-spec from "clusterOpSpec" */
	ck_assert_int_eq(
	        drove__ls_op_decode(restart, strlen(restart), DROVE_MODEL_STRICT, &lop, NULL, NULL),
	        0);
	ck_assert_ptr_nonnull(lop->op_spec);
	ck_assert_int_eq(lop->op_spec->parallelism, 2);
	ck_assert(lop->stop_first);
	ck_assert_int_eq(drove__ls_op_encode(lop, &enc), 0);
	ck_assert_ptr_nonnull(strstr(enc, "\"clusterOpSpec\":{\"timeout\":\"1 minute\""));
	ck_assert_ptr_null(strstr(enc, "\"opSpec\""));
	free(enc);
	drove__ls_op_free(lop);

	ck_assert_int_eq(drove__task_op_decode(kill, strlen(kill), 0, &top, NULL, NULL), 0);
	ck_assert_int_eq(top->type, DROVE_TASK_OP_KILL);
	ck_assert_str_eq(top->task_id, "T1");
	ck_assert_int_eq(top->op_spec->failure_strategy, DROVE_FAIL_ROLLBACK);
	drove__task_op_free(top);
}
END_TEST

START_TEST(test_operation_errors)
{
	drove_app_op *op = NULL;
	drove_task_op *top = NULL;
	drove_ls_op *lop = NULL;
	drove_strlist *errs = NULL;
	const char *bad_type = "{\"type\":\"EXPLODE\",\"appId\":\"A-1\"}";
	const char *scale = "{\"type\":\"SCALE\",\"appId\":\"A-1\",\"requiredInstances\":4000,"
	                    "\"opSpec\":{\"timeout\":\"1m\",\"parallelism\":0}}";
	const char *stop = "{\"type\":\"STOP_INSTANCES\",\"appId\":\"\",\"instanceIds\":[]}";
	const char *kill = "{\"type\":\"KILL\",\"sourceAppName\":\"A\"}";
	const char *ls = "{\"type\":\"UPDATE_INSTANCE_COUNT\",\"serviceId\":\"S\","
	                 "\"instancesPerHost\":300}";

	drove_assert_error(drove__app_op_decode(bad_type, strlen(bad_type), 0, &op, NULL, NULL),
	                   DROVE_EINVAL, "type: unknown type \"EXPLODE\"");
	ck_assert_ptr_null(op);

	ck_assert_int_eq(drove__app_op_decode(scale, strlen(scale), 0, &op, NULL, NULL), 0);
	ck_assert_int_eq(drove_strlist_new(&errs), 0);
	ck_assert_int_eq(drove__app_op_validate(op, NULL, errs), 3);
	ck_assert(
	        drove_strlist_contains(errs, "requiredInstances: must be at most 2048, got 4000"));
	ck_assert(drove_strlist_contains(errs, "opSpec.parallelism: must be at least 1, got 0"));
	ck_assert(drove_strlist_contains(errs, "opSpec.failureStrategy: is required"));
	drove__app_op_free(op);
	drove_strlist_free(errs);

	ck_assert_int_eq(drove__app_op_decode(stop, strlen(stop), 0, &op, NULL, NULL), 0);
	ck_assert_int_eq(drove_strlist_new(&errs), 0);
	ck_assert_int_eq(drove__app_op_validate(op, NULL, errs), 3);
	ck_assert(drove_strlist_contains(errs, "appId: is required"));
	ck_assert(drove_strlist_contains(errs, "instanceIds: must not be empty"));
	ck_assert(drove_strlist_contains(errs, "opSpec: is required"));
	drove__app_op_free(op);
	drove_strlist_free(errs);

	ck_assert_int_eq(drove__task_op_decode(kill, strlen(kill), 0, &top, NULL, NULL), 0);
	ck_assert_int_eq(drove_strlist_new(&errs), 0);
	ck_assert_int_eq(drove__task_op_validate(top, NULL, errs), 2);
	ck_assert(drove_strlist_contains(errs, "taskId: is required"));
	ck_assert(drove_strlist_contains(errs, "opSpec: is required"));
	drove__task_op_free(top);
	drove_strlist_free(errs);

	ck_assert_int_eq(drove__ls_op_decode(ls, strlen(ls), 0, &lop, NULL, NULL), 0);
	ck_assert_int_eq(drove_strlist_new(&errs), 0);
	ck_assert_int_eq(drove__ls_op_validate(lop, NULL, errs), 1);
	ck_assert_str_eq(drove_strlist_get(errs, 0),
	                 "instancesPerHost: must be at most 256, got 300");
	drove__ls_op_free(lop);
	drove_strlist_free(errs);
}
END_TEST

START_TEST(test_ls_host_level_instances)
{
	size_t len;
	char *json = fixture("localservice.json", &len);
	drove__buf b = DROVE_BUF_INIT;
	drove_ls_op *op = NULL;
	drove_strlist *errs = NULL;
	char *p = strstr(json, "\"hostLevel\": false");

	ck_assert_ptr_nonnull(p);
	memcpy(p, "\"hostLevel\":  true", 18);
	drove__buf_printf(&b, "{\"type\":\"CREATE\",\"instancesPerHost\":2,\"spec\":%s}", json);
	ck_assert_int_eq(drove__ls_op_decode(b.data, b.len, 0, &op, NULL, NULL), 0);
	ck_assert(op->spec->placement_policy->host_level);
	ck_assert_int_eq(drove_strlist_new(&errs), 0);
	ck_assert_int_eq(drove__ls_op_validate(op, NULL, errs), 1);
	ck_assert_str_eq(drove_strlist_get(errs, 0),
	                 "instancesPerHost: Host level service cannot have more than one instance");
	drove_strlist_free(errs);
	drove__ls_op_free(op);
	drove__buf_free(&b);
	free(json);
}
END_TEST

/* ---- records ---- */

START_TEST(test_instance_info_fields)
{
	size_t len;
	char *json = fixture("instance_info.json", &len);
	drove_instance_info *ii = NULL;

	ck_assert_int_eq(drove__instance_info_decode(json, len, 0, &ii, NULL, NULL), 0);
	ck_assert_str_eq(ii->app_id, "TEST_APP-1");
	ck_assert_int_eq(ii->state, DROVE_INST_HEALTHY);
	ck_assert_ptr_nonnull(ii->local_info);
	ck_assert_uint_eq(ii->local_info->n_ports, 1);
	ck_assert_str_eq(ii->local_info->ports[0].name, "main");
	ck_assert_int_eq(ii->local_info->ports[0].host_port, 33857);
	ck_assert_int_eq(ii->local_info->ports[0].port_type, DROVE_PORT_HTTP);
	ck_assert_uint_eq(ii->n_resources, 2);
	ck_assert_int_eq(ii->resources[0].type, DROVE_RES_CPU);
	ck_assert_uint_eq(ii->resources[0].n_cores, 1);
	ck_assert_int_eq(ii->resources[0].cores[0].node, 0);
	ck_assert_int_eq(ii->resources[0].cores[0].cores[0], 2);
	ck_assert_int_eq(ii->resources[1].memory[0].mb, 128);
	ck_assert_int_eq(ii->created, 1719892354194LL);
	ck_assert_str_eq(ii->error_message, "");
	drove__instance_info_free(ii);
	free(json);
}
END_TEST

START_TEST(test_node_data_fields)
{
	size_t len;
	char *json = fixture("executor_node.json", &len), *enc = NULL;
	drove_node_data *nd = NULL, *copy = NULL;

	ck_assert_int_eq(drove__node_data_decode(json, len, DROVE_MODEL_STRICT, &nd, NULL, NULL),
	                 0);
	ck_assert_int_eq(nd->type, DROVE_NODEDATA_EXECUTOR);
	ck_assert_int_eq(nd->port, 3000);
	ck_assert_int_eq(nd->executor_state, DROVE_EXECUTOR_ACTIVE);
	ck_assert_uint_eq(nd->state->cpus->n_free_cores, 1);
	ck_assert_uint_eq(nd->state->cpus->free_cores[0].n_cores, 3);
	ck_assert_int_eq(nd->state->cpus->free_cores[0].cores[2], 5);
	ck_assert_int_eq(nd->state->memory->free_memory[0].mb, 18898);
	ck_assert_int_eq(nd->state->layout->memory[0].mb, 19026);
	ck_assert_uint_eq(nd->n_instances, 1);
	ck_assert_str_eq(nd->tags[0], "ppessdev");
	ck_assert_int_eq(drove__node_data_copy(nd, &copy), 0);
	ck_assert_int_eq(drove__node_data_encode(copy, &enc), 0);
	ck_assert_ptr_nonnull(strstr(enc, "\"freeCores\":{\"0\":[3,4,5]}"));
	ck_assert_ptr_nonnull(strstr(enc, "\"cpus\":{\"type\":\"CPU\""));
	ck_assert_ptr_null(strstr(enc, "leader"));
	free(enc);
	drove__node_data_free(nd);
	drove__node_data_free(copy);
	free(json);
}
END_TEST

START_TEST(test_numa_key_errors)
{
	const char *bad = "{\"executorId\":\"e\",\"cpus\":{\"type\":\"CPU\",\"freeCores\":"
	                  "{\"x\":[1]},\"usedCores\":{\"0\":[\"a\"]}}}";
	drove_resource_snapshot *rs = NULL;
	drove_strlist *errs = NULL;

	ck_assert_int_eq(drove_strlist_new(&errs), 0);
	drove_assert_error(drove__resource_snapshot_decode(bad, strlen(bad), 0, &rs, errs, NULL),
	                   DROVE_EINVAL, "cpus.freeCores.x: NUMA node key \"x\"");
	ck_assert_ptr_null(rs);
	ck_assert_uint_eq(drove_strlist_count(errs), 2);
	ck_assert_str_eq(drove_strlist_get(errs, 1),
	                 "cpus.usedCores.0[0]: expected an integer, got string");
	drove_strlist_free(errs);
}
END_TEST

START_TEST(test_task_info_fields)
{
	size_t len;
	char *json = fixture("task_info.json", &len);
	drove_task_info *ti = NULL;

	ck_assert_int_eq(drove__task_info_decode(json, len, 0, &ti, NULL, NULL), 0);
	ck_assert_int_eq(ti->state, DROVE_TASK_STOPPED);
	ck_assert_ptr_nonnull(ti->task_result);
	ck_assert_int_eq(ti->task_result->status, DROVE_TASK_RESULT_SUCCESSFUL);
	ck_assert_int_eq(ti->task_result->exit_code, 0);
	ck_assert_str_eq(ti->executable->url, "ghcr.io/appform-io/test-task");
	ck_assert_int_eq(ti->logging_spec->max_files, 3);
	ck_assert_str_eq(drove_strmap_get(ti->env, "ITERATIONS"), "10");
	drove__task_info_free(ti);
	free(json);
}
END_TEST

START_TEST(test_event_metadata_numbers)
{
	size_t len;
	char *json = fixture("event.json", &len), *enc = NULL;
	drove_event *ev = NULL;
	const char *mixed = "{\"type\":\"executor_added\",\"id\":\"x\",\"time\":5,\"metadata\":"
	                    "{\"PORT\":3000,\"HOSTNAME\":\"h\",\"EXECUTOR_ID\":null,\"X\":true}}";

	ck_assert_int_eq(drove__event_decode(json, len, 0, &ev, NULL, NULL), 0);
	ck_assert_int_eq(ev->type, DROVE_EVENT_INSTANCE_STATE_CHANGE);
	ck_assert_int_eq(ev->time, 1719977631534LL);
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "CREATED"), "1719977629042");
	ck_assert_int_eq(drove__event_encode(ev, &enc), 0);
	ck_assert_ptr_nonnull(strstr(enc, "\"CREATED\":1719977629042"));
	ck_assert_ptr_nonnull(strstr(enc, "\"PORTS\":\"main:44315:http\""));
	free(enc);
	drove__event_free(ev);
	free(json);

	ck_assert_int_eq(drove__event_decode(mixed, strlen(mixed), 0, &ev, NULL, NULL), 0);
	ck_assert_int_eq(ev->type, DROVE_EVENT_EXECUTOR_ADDED);
	ck_assert_uint_eq(drove_strmap_count(ev->metadata), 3); /* null dropped */
	ck_assert_int_eq(drove__event_encode(ev, &enc), 0);
	ck_assert_str_eq(enc, "{\"type\":\"EXECUTOR_ADDED\",\"id\":\"x\",\"time\":5,\"metadata\":"
	                      "{\"PORT\":3000,\"HOSTNAME\":\"h\",\"X\":\"true\"}}");
	free(enc);
	drove__event_free(ev);
}
END_TEST

/* ---- JSON conventions ---- */

START_TEST(test_enums_case_insensitive_and_durations)
{
	const char *in = "{\"type\":\"max_n_per_host\",\"max\":3}";
	const char *cs =
	        "{\"mode\":{\"type\":\"http\",\"protocol\":\"https\",\"portName\":\"main\","
	        "\"path\":\"/\",\"verb\":\"post\",\"successCodes\":[200]},"
	        "\"timeout\":\"1m\",\"interval\":\"100ms\",\"attempts\":2}";
	drove_placement_policy *p = NULL;
	drove_check_spec *c = NULL;
	char *enc = NULL;

	ck_assert_int_eq(drove__placement_policy_decode(in, strlen(in), 0, &p, NULL, NULL), 0);
	ck_assert_int_eq(p->type, DROVE_PLACE_MAX_N_PER_HOST);
	ck_assert_int_eq(drove__placement_policy_encode(p, &enc), 0);
	ck_assert_str_eq(enc, "{\"type\":\"MAX_N_PER_HOST\",\"max\":3}");
	free(enc);
	drove__placement_policy_free(p);

	ck_assert_int_eq(drove__check_spec_decode(cs, strlen(cs), 0, &c, NULL, NULL), 0);
	ck_assert_int_eq(c->mode->verb, DROVE_VERB_POST);
	ck_assert_int_eq(drove__check_spec_encode(c, &enc), 0);
	/* nulls omitted (no initialDelay, no payload), enums upper case, durations canonical */
	ck_assert_str_eq(enc, "{\"mode\":{\"type\":\"HTTP\",\"protocol\":\"HTTPS\",\"portName\":"
	                      "\"main\",\"path\":\"/\",\"verb\":\"POST\",\"successCodes\":[200],"
	                      "\"insecure\":false},\"timeout\":\"1 minute\",\"interval\":"
	                      "\"100 milliseconds\",\"attempts\":2}");
	free(enc);
	drove__check_spec_free(c);
}
END_TEST

START_TEST(test_decode_type_errors)
{
	const char *bad = "{\"type\":\"INLINE\",\"localFilename\":7,\"data\":\"!!\"}";
	const char *no_type = "{\"localFilename\":\"/a\"}";
	const char *nested = "{\"type\":\"COMPOSITE\",\"policies\":[{\"type\":\"ANY\"},"
	                     "{\"type\":\"MAX_N_PER_HOST\",\"max\":\"two\"},{\"type\":5}]}";
	drove_config_spec *c = NULL;
	drove_placement_policy *p = NULL;
	drove_strlist *errs = NULL;

	ck_assert_int_eq(drove_strlist_new(&errs), 0);
	drove_assert_error(drove__config_spec_decode(bad, strlen(bad), 0, &c, errs, NULL),
	                   DROVE_EINVAL, "localFilename: expected a string, got int (and 1 more)");
	ck_assert_ptr_null(c);
	ck_assert_uint_eq(drove_strlist_count(errs), 2);
	ck_assert_str_eq(drove_strlist_get(errs, 1), "data: invalid base64");
	drove_strlist_free(errs);

	drove_assert_error(drove__config_spec_decode(no_type, strlen(no_type), 0, &c, NULL, NULL),
	                   DROVE_EINVAL, "type: missing");

	ck_assert_int_eq(drove_strlist_new(&errs), 0);
	ck_assert_int_eq(drove__placement_policy_decode(nested, strlen(nested), 0, &p, errs, NULL),
	                 DROVE_EINVAL);
	ck_assert_uint_eq(drove_strlist_count(errs), 2);
	ck_assert_str_eq(drove_strlist_get(errs, 0),
	                 "policies[1].max: expected an integer, got string");
	ck_assert_str_eq(drove_strlist_get(errs, 1),
	                 "policies[2].type: expected a string, got int");
	drove_strlist_free(errs);
}
END_TEST

/* Extensible enums (codec.h, DROVE_MODEL_NEW_NAMES): a name newer than this build reads the
 * enum's `other` value and is reported by bit, wherever the field is; closed enums and every
 * other error are as without the flag. The tables are the test's own. */
static const char *const tst_color_names[] = {"RED", "GREEN", "UNKNOWN"};
static const struct menum tst_color = {tst_color_names, 3, NULL, 0x10u, 2}; /* extensible */
static const char *const tst_size_names[] = {"S", "M"};
static const struct menum tst_size = {tst_size_names, 2, NULL, 0, 0}; /* closed */
static const char *const tst_shape_names[] = {"ROUND"};
static const struct menum tst_shape = {tst_shape_names, 1, NULL, 0x20u, -1}; /* no UNKNOWN */

struct tst_leaf {
	int color, shape, n;
	bool has_shape;
};
struct tst_root {
	int color, size;
	struct tst_leaf *leaf, *leaves;
	size_t n_leaves;
};
static const struct mfield tst_leaf_f[] = {
        {"color", MK_ENUM, offsetof(struct tst_leaf, color), 0, 0, &tst_color, 0},
        {"shape", MK_ENUM, offsetof(struct tst_leaf, shape), 0,
         offsetof(struct tst_leaf, has_shape) + 1, &tst_shape, 0},
        {"n", MK_INT, offsetof(struct tst_leaf, n), 0, 0, NULL, 0},
};
static const struct mtype tst_leaf_t = {"leaf", sizeof(struct tst_leaf), tst_leaf_f, 3, NULL, 0, -1,
                                        0};
static const struct mfield tst_root_f[] = {
        {"color", MK_ENUM, offsetof(struct tst_root, color), 0, 0, &tst_color, 0},
        {"size", MK_ENUM, offsetof(struct tst_root, size), 0, 0, &tst_size, 0},
        {"leaf", MK_OBJ, offsetof(struct tst_root, leaf), 0, 0, &tst_leaf_t, 0},
        {"leaves", MK_OBJARR, offsetof(struct tst_root, leaves),
         offsetof(struct tst_root, n_leaves), 0, &tst_leaf_t, 0},
};
static const struct mtype tst_root_t = {"root", sizeof(struct tst_root), tst_root_f, 4, NULL, 0, -1,
                                        0};

/* Decode `json` as tst_root_t with `flags`; the object (if any) in *out, the report in *news. */
static int tst_decode(const char *json, unsigned flags, struct tst_root **out, unsigned *news,
                      drove_strlist *errs)
{
	struct json_object *j = NULL;
	void *v = NULL;
	int rc;

	*out = NULL;
	ck_assert_int_eq(drove__mcodec_parse(json, strlen(json), &j), 0);
	rc = drove__mcodec_decode_news(&tst_root_t, j, flags, &v, errs, NULL, news);
	json_object_put(j);
	*out = v;
	return rc;
}

START_TEST(test_extensible_enums)
{
	const unsigned NEW = DROVE_MODEL_NEW_NAMES;
	struct tst_root *r = NULL;
	drove_strlist *errs = NULL;
	unsigned news = 99;

	/* every name known: nothing reported, with or without the flag */
	ck_assert_int_eq(tst_decode("{\"color\":\"green\",\"size\":\"M\",\"leaf\":{\"shape\":"
	                            "\"ROUND\"}}",
	                            NEW, &r, &news, NULL),
	                 0);
	ck_assert_uint_eq(news, 0);
	ck_assert_int_eq(r->color, 1);
	ck_assert_int_eq(r->leaf->shape, 0);
	drove__mcodec_free(&tst_root_t, r);

	/* a new name in an extensible field: an error without the flag, as before */
	drove_assert_error(tst_decode("{\"color\":\"BLUE\"}", 0, &r, &news, NULL), DROVE_EINVAL,
	                   "color: unknown value \"BLUE\" (expected one of RED, GREEN, UNKNOWN)");
	ck_assert_ptr_null(r);
	ck_assert_uint_eq(news, 0);
	/* with it: `other`, reported, no error */
	drove_error_clear();
	ck_assert_int_eq(tst_decode("{\"color\":\"BLUE\",\"size\":\"S\"}", NEW, &r, &news, NULL),
	                 0);
	ck_assert_uint_eq(news, 0x10u);
	ck_assert_int_eq(r->color, 2);
	ck_assert_int_eq(drove_error_last()->code, 0);
	drove__mcodec_free(&tst_root_t, r);

	/* a new name in a closed field: an error with the flag too */
	drove_assert_error(tst_decode("{\"color\":\"RED\",\"size\":\"XL\"}", NEW, &r, &news, NULL),
	                   DROVE_EINVAL, "size: unknown value \"XL\" (expected one of S, M)");
	ck_assert_ptr_null(r);
	/* not a string is not a name: an error in an extensible field too */
	drove_assert_error(tst_decode("{\"color\":3}", NEW, &r, &news, NULL), DROVE_EINVAL,
	                   "color: expected a string, got int");

	/* nested in an object (the -1 sentinel, its has_ flag set) and in a list */
	ck_assert_int_eq(tst_decode("{\"leaf\":{\"shape\":\"SQUARE\",\"color\":\"RED\"},"
	                            "\"leaves\":[{\"color\":\"RED\"},{\"color\":\"PINK\"}]}",
	                            NEW, &r, &news, NULL),
	                 0);
	ck_assert_uint_eq(news, 0x30u);
	ck_assert_int_eq(r->leaf->shape, -1);
	ck_assert(r->leaf->has_shape);
	ck_assert_int_eq(r->leaf->color, 0);
	ck_assert_uint_eq(r->n_leaves, 2);
	ck_assert_int_eq(r->leaves[0].color, 0);
	ck_assert_int_eq(r->leaves[1].color, 2);
	drove__mcodec_free(&tst_root_t, r);

	/* other errors mixed in: each still fails, naming its field; the new names are not
	 * errors and are reported; PARTIAL still hands out the rest */
	ck_assert_int_eq(drove_strlist_new(&errs), 0);
	drove_assert_error(tst_decode("{\"color\":\"BLUE\",\"leaves\":[{\"color\":\"PINK\"},"
	                              "{\"n\":\"x\",\"shape\":\"CUBE\"}],\"size\":\"XL\"}",
	                              NEW | DROVE_MODEL_PARTIAL, &r, &news, errs),
	                   DROVE_EINVAL,
	                   "leaves[1].n: expected an integer, got string (and 1 more)");
	ck_assert_uint_eq(drove_strlist_count(errs), 2);
	ck_assert_str_eq(drove_strlist_get(errs, 1),
	                 "size: unknown value \"XL\" (expected one of S, M)");
	ck_assert_uint_eq(news, 0x30u);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->color, 2);
	ck_assert_int_eq(r->leaves[0].color, 2);
	ck_assert_int_eq(r->leaves[1].shape, -1);
	drove__mcodec_free(&tst_root_t, r);
	drove_strlist_free(errs);
}
END_TEST

/* The model's extensible enums: task state and result, instance state; the rest closed. */
START_TEST(test_extensible_model_enums)
{
	const char *task = "{\"state\":\"PAUSED\",\"taskResult\":{\"status\":\"EVAPORATED\","
	                   "\"exitCode\":3}}";
	const char *inst = "{\"state\":\"HIBERNATING\"}";
	const char *app = "{\"state\":\"SLEEPING\"}";
	struct json_object *j = NULL;
	drove_task_info *ti = NULL;
	drove_instance_info *ii = NULL;
	void *v = NULL;
	unsigned news = 0;

	ck_assert_int_eq(drove__mcodec_parse(task, strlen(task), &j), 0);
	ck_assert_int_eq(drove__mcodec_decode_news(&drove__mt_task_info, j, DROVE_MODEL_NEW_NAMES,
	                                           (void **)&ti, NULL, NULL, &news),
	                 0);
	json_object_put(j);
	ck_assert_uint_eq(news, DROVE__MNEW_TASK_STATE | DROVE__MNEW_TASK_RESULT_STATUS);
	ck_assert_int_eq(ti->state, DROVE_TASK_UNKNOWN);
	ck_assert_int_eq((int)ti->task_result->status, -1);
	ck_assert_int_eq(ti->task_result->exit_code, 3);
	drove__task_info_free(ti);
	drove_assert_error(drove__task_info_decode(task, strlen(task), 0, &ti, NULL, NULL),
	                   DROVE_EINVAL, "state: unknown value \"PAUSED\"");

	ck_assert_int_eq(drove__mcodec_parse(inst, strlen(inst), &j), 0);
	ck_assert_int_eq(drove__mcodec_decode_news(&drove__mt_instance_info, j,
	                                           DROVE_MODEL_NEW_NAMES, (void **)&ii, NULL, NULL,
	                                           &news),
	                 0);
	json_object_put(j);
	ck_assert_uint_eq(news, DROVE__MNEW_INSTANCE_STATE);
	ck_assert_int_eq(ii->state, DROVE_INST_UNKNOWN);
	drove__instance_info_free(ii);

	ck_assert_int_eq(drove__mcodec_parse(app, strlen(app), &j), 0);
	drove_assert_error(drove__mcodec_decode_news(&drove__mt_app_summary, j,
	                                             DROVE_MODEL_NEW_NAMES, &v, NULL, NULL, &news),
	                   DROVE_EINVAL, "state: unknown value \"SLEEPING\"");
	json_object_put(j);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(news, 0);
}
END_TEST

START_TEST(test_lenient_and_strict_unknown_fields)
{
	const char *in = "{\"type\":\"ANY\",\"instances\":1,\"policies\":[]}";
	drove_placement_policy *p = NULL;
	drove_strlist *unknown = NULL, *errs = NULL;

	ck_assert_int_eq(drove_strlist_new(&unknown), 0);
	ck_assert_int_eq(drove__placement_policy_decode(in, strlen(in), 0, &p, NULL, unknown), 0);
	ck_assert_uint_eq(drove_strlist_count(unknown), 2);
	ck_assert_str_eq(drove_strlist_get(unknown, 0), "instances: unknown field");
	/* a field of another variant is unknown too */
	ck_assert_str_eq(drove_strlist_get(unknown, 1), "policies: unknown field");
	drove__placement_policy_free(p);
	p = NULL;
	ck_assert_int_eq(drove_strlist_new(&errs), 0);
	drove_assert_error(
	        drove__placement_policy_decode(in, strlen(in), DROVE_MODEL_STRICT, &p, errs, NULL),
	        DROVE_EINVAL, "instances: unknown field");
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(drove_strlist_count(errs), 2);
	drove_strlist_free(errs);
	drove_strlist_free(unknown);
}
END_TEST

START_TEST(test_caps)
{
	size_t big = DROVE_MODEL_MAX_SIZE + 1;
	char *json = malloc(big + 1);
	char deep[200];
	drove_placement_policy *p = NULL;
	size_t n = 0;

	memset(json, ' ', big);
	json[0] = '{';
	json[big - 1] = '}';
	json[big] = '\0';
	drove_assert_error(drove__placement_policy_decode(json, big, 0, &p, NULL, NULL),
	                   DROVE_EINVAL, "document too large: 1048577 bytes");
	free(json);

	/* COMPOSITE nesting beyond the depth cap */
	n += (size_t)snprintf(deep + n, sizeof(deep) - n, "{\"type\":\"COMPOSITE\",\"policies\":");
	for (int i = 0; i < 40; i++)
		deep[n++] = '[';
	for (int i = 0; i < 40; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = '\0';
	drove_assert_error(drove__placement_policy_decode(deep, n, 0, &p, NULL, NULL), DROVE_EINVAL,
	                   "nested deeper than 32 levels");
	drove_assert_error(
	        drove__placement_policy_decode("{\"type\":\"ANY\"} x", 16, 0, &p, NULL, NULL),
	        DROVE_EINVAL, "invalid json at offset 15");
	drove_assert_error(drove__placement_policy_decode("{\"type\":", 8, 0, &p, NULL, NULL),
	                   DROVE_EINVAL, "unexpected end of input");
	drove_assert_error(drove__placement_policy_decode("[1]", 3, 0, &p, NULL, NULL),
	                   DROVE_EINVAL, "(document): expected an object, got array");
	drove_assert_error(drove__placement_policy_decode("{\"type\":}", 9, 0, &p, NULL, NULL),
	                   DROVE_EINVAL, "invalid json at offset");
	ck_assert_ptr_null(p);
}
END_TEST

START_TEST(test_integer_ranges)
{
	const char *big = "{\"name\":\"a\",\"port\":4294967296}";
	const char *huge = "{\"executorId\":\"e\",\"layout\":{\"memory\":{\"0\":"
	                   "99999999999999999999}}}";
	drove_app_instance_spec *s = NULL;
	drove_resource_snapshot *rs = NULL;
	char *json = NULL;

	json = drove__asprintf("{\"ports\":[%s]}", big);
	drove_assert_error(drove__app_instance_spec_decode(json, strlen(json), 0, &s, NULL, NULL),
	                   DROVE_EINVAL, "ports[0].port: 4294967296 is out of range");
	free(json);
	drove_assert_error(drove__resource_snapshot_decode(huge, strlen(huge), 0, &rs, NULL, NULL),
	                   DROVE_EINVAL, "layout.memory.0: ");
}
END_TEST

/* ---- defaults, masking and helpers ---- */

START_TEST(test_defaults_and_helpers)
{
	const char *in =
	        "{\"sourceAppName\":\"A\",\"taskId\":\"T\",\"resources\":[{\"type\":\"CPU\","
	        "\"count\":2},{\"type\":\"MEMORY\",\"sizeInMB\":512}]}";
	const char *pp =
	        "{\"type\":\"COMPOSITE\",\"policies\":[{\"type\":\"ANY\"},"
	        "{\"type\":\"COMPOSITE\",\"policies\":[{\"type\":\"MATCH_TAG\",\"tag\":\"x\"}]}]}";
	drove_task_spec *t = NULL;
	drove_placement_policy *p = NULL;

	ck_assert_int_eq(drove__task_spec_decode(in, strlen(in), 0, &t, NULL, NULL), 0);
	ck_assert_ptr_null(t->placement_policy);
	ck_assert_int_eq(drove__task_spec_apply_defaults(t), 0);
	ck_assert_ptr_nonnull(t->placement_policy);
	ck_assert_int_eq(t->placement_policy->type, DROVE_PLACE_ANY);
	ck_assert_int_eq(drove__resources_cpus(t->resources, t->n_resources), 2);
	ck_assert_int_eq(drove__resources_memory_mb(t->resources, t->n_resources), 512);
	drove__task_spec_free(t);

	ck_assert_int_eq(drove__placement_policy_decode(pp, strlen(pp), 0, &p, NULL, NULL), 0);
	ck_assert(drove__placement_contains(p, DROVE_PLACE_MATCH_TAG));
	ck_assert(!drove__placement_contains(p, DROVE_PLACE_LOCAL));
	ck_assert_str_eq(drove__placement_type_name(p->policies[1].policies[0].type), "MATCH_TAG");
	drove__placement_policy_free(p);
	ck_assert_str_eq(drove__port_type_name(DROVE_PORT_UDP), "UDP");
	ck_assert_str_eq(drove__check_mode_type_name(DROVE_CHECK_CMD), "CMD");
	ck_assert_str_eq(drove__config_type_name(DROVE_CONFIG_EXECUTOR_HTTP_FETCH),
	                 "EXECUTOR_HTTP_FETCH");
	ck_assert_str_eq(drove__ls_op_type_name(DROVE_LS_OP_DEACTIVATE), "DEACTIVATE");
	ck_assert_ptr_null(drove__port_type_name(99));
}
END_TEST

START_TEST(test_internal_masking_copy)
{
	size_t len;
	char *json = fixture("app_rich.json", &len), *enc = NULL, *orig = NULL;
	drove_app_spec *s = NULL, *c = NULL;

	ck_assert_int_eq(drove__app_spec_decode(json, len, 0, &s, NULL, NULL), 0);
	ck_assert_int_eq(drove__app_spec_copy(s, &c), 0);
	ck_assert_int_eq(drove__app_spec_mask(c), 0);
	ck_assert_uint_eq(c->configs[0].data_len, 0);
	ck_assert_str_eq(c->configs[2].http->username, "***");
	ck_assert_str_eq(c->configs[2].http->password, "***");
	ck_assert_ptr_null(c->configs[2].http->auth_header);
	ck_assert_str_eq(c->configs[3].http->auth_header, "***");
	ck_assert_int_eq(drove__app_spec_encode(c, &enc), 0);
	ck_assert_ptr_nonnull(strstr(enc, "\"data\":\"\""));
	/* the original is untouched */
	ck_assert_int_eq(drove__app_spec_encode(s, &orig), 0);
	ck_assert_ptr_nonnull(strstr(orig, "\"data\":\"b2sK\""));
	ck_assert_ptr_nonnull(strstr(orig, "\"password\":\"p\""));
	free(enc);
	free(orig);
	drove__app_spec_free(s);
	drove__app_spec_free(c);
	free(json);
}
END_TEST

/* ---- public state enums ---- */

START_TEST(test_state_names)
{
	int v = -1;
	ck_assert_str_eq(drove_app_state_name(DROVE_APP_SCALING_REQUESTED), "SCALING_REQUESTED");
	ck_assert_ptr_null(drove_app_state_name(100));
	ck_assert_ptr_null(drove_app_state_name(-1));
	ck_assert_int_eq(drove_instance_state_parse("healthy", &v), 0);
	ck_assert_int_eq(v, DROVE_INST_HEALTHY);
	ck_assert_str_eq(drove_instance_state_name(DROVE_INST_READINESS_CHECK_FAILED),
	                 "READINESS_CHECK_FAILED");
	ck_assert_ptr_null(drove_instance_state_name(-1));
	drove_assert_error(drove_instance_state_parse("SLEEPY", &v), DROVE_EINVAL,
	                   "unknown instance state \"SLEEPY\"");
	ck_assert_int_eq(drove_task_state_parse("Run_Completed", &v), 0);
	ck_assert_int_eq(v, DROVE_TASK_RUN_COMPLETED);
	ck_assert_str_eq(drove_task_state_name(DROVE_TASK_UNKNOWN), "UNKNOWN");
	ck_assert_int_eq(drove_task_result_status_parse("timed_out", &v), 0);
	ck_assert_str_eq(drove_task_result_status_name(v), "TIMED_OUT");
	ck_assert_int_eq(drove_ls_state_parse("EMERGENCY_DEACTIVATION_REQUESTED", &v), 0);
	ck_assert_str_eq(drove_ls_state_name(v), "EMERGENCY_DEACTIVATION_REQUESTED");
	ck_assert_int_eq(drove_ls_activation_state_parse("config_testing", &v), 0);
	ck_assert_str_eq(drove_ls_activation_state_name(v), "CONFIG_TESTING");
	ck_assert_int_eq(drove_executor_state_parse("blacklist_requested", &v), 0);
	ck_assert_str_eq(drove_executor_state_name(v), "BLACKLIST_REQUESTED");
	ck_assert_int_eq(drove_cluster_state_parse("maintenance", &v), 0);
	ck_assert_str_eq(drove_cluster_state_name(v), "MAINTENANCE");
	ck_assert_int_eq(drove_event_type_parse("leadership_lost", &v), 0);
	ck_assert_str_eq(drove_event_type_name(v), "LEADERSHIP_LOST");
	ck_assert_int_eq(drove_app_state_parse("destroyed", &v), 0);
	ck_assert_int_eq(v, DROVE_APP_DESTROYED);
	drove_assert_error(drove_event_type_parse(NULL, &v), DROVE_EINVAL, "invalid argument");
}
END_TEST

START_TEST(test_state_sets)
{
	int active = 0, running = 0;
	for (int s = DROVE_INST_PENDING; s <= DROVE_INST_UNKNOWN; s++) {
		active += drove_instance_state_is_active(s);
		running += drove_instance_state_is_running(s);
	}
	ck_assert_int_eq(active, 9);
	ck_assert_int_eq(running, 3);
	ck_assert(drove_instance_state_is_active(DROVE_INST_STOPPING));
	ck_assert(!drove_instance_state_is_active(DROVE_INST_UNKNOWN));
	ck_assert(drove_instance_state_is_running(DROVE_INST_READY));
	ck_assert(drove_instance_state_is_terminal(DROVE_INST_LOST));
	ck_assert(!drove_instance_state_is_terminal(DROVE_INST_UNHEALTHY));
	ck_assert(drove_instance_state_is_error(DROVE_INST_READINESS_CHECK_FAILED));
	ck_assert(!drove_instance_state_is_error(DROVE_INST_LOST));
	ck_assert(drove_task_state_is_active(DROVE_TASK_RUN_COMPLETED));
	ck_assert(!drove_task_state_is_active(DROVE_TASK_RUN_FAILED));
	ck_assert(drove_task_state_is_terminal(DROVE_TASK_STOPPED));
	ck_assert(drove_task_state_is_error(DROVE_TASK_RUN_FAILED));
	ck_assert(!drove_task_state_is_error(DROVE_TASK_RUNNING));
	ck_assert(drove_app_state_is_active(DROVE_APP_DESTROY_REQUESTED));
	ck_assert(!drove_app_state_is_active(DROVE_APP_MONITORING));
	ck_assert(drove_app_state_is_terminal(DROVE_APP_FAILED));
	ck_assert(!drove_app_state_is_terminal(DROVE_APP_RUNNING));
	ck_assert(drove_ls_state_is_terminal(DROVE_LS_DESTROYED));
	ck_assert(!drove_ls_state_is_terminal(DROVE_LS_ACTIVE));
	ck_assert(drove_ls_state_is_stable(DROVE_LS_CONFIG_TESTING));
	ck_assert(!drove_ls_state_is_stable(DROVE_LS_ADJUSTING_INSTANCES));
}
END_TEST

Suite *model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("roundtrip");
	tcase_add_test(tc, test_roundtrip_samples);
	tcase_add_test(tc, test_roundtrip_records);
	tcase_add_test(tc, test_roundtrip_operations);
	suite_add_tcase(s, tc);

	tc = tcase_create("operations");
	tcase_add_test(tc, test_operations_validate);
	tcase_add_test(tc, test_operation_fields);
	tcase_add_test(tc, test_operation_errors);
	tcase_add_test(tc, test_ls_host_level_instances);
	suite_add_tcase(s, tc);

	tc = tcase_create("records");
	tcase_add_test(tc, test_instance_info_fields);
	tcase_add_test(tc, test_node_data_fields);
	tcase_add_test(tc, test_numa_key_errors);
	tcase_add_test(tc, test_task_info_fields);
	tcase_add_test(tc, test_event_metadata_numbers);
	suite_add_tcase(s, tc);

	tc = tcase_create("conventions");
	tcase_add_test(tc, test_enums_case_insensitive_and_durations);
	tcase_add_test(tc, test_decode_type_errors);
	tcase_add_test(tc, test_extensible_enums);
	tcase_add_test(tc, test_extensible_model_enums);
	tcase_add_test(tc, test_lenient_and_strict_unknown_fields);
	tcase_add_test(tc, test_caps);
	tcase_add_test(tc, test_integer_ranges);
	tcase_add_test(tc, test_defaults_and_helpers);
	tcase_add_test(tc, test_internal_masking_copy);
	suite_add_tcase(s, tc);

	tc = tcase_create("states");
	tcase_add_test(tc, test_state_names);
	tcase_add_test(tc, test_state_sets);
	suite_add_tcase(s, tc);
	return s;
}
