/* The task engine's pure parts (libdrove/ctrl/tasks.h): TaskOperation decoding and validation,
 * the START_TASK spec, the first TaskInfo, TASK_STATE_CHANGE metadata and LOST marking. */
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "ctrl/tasks.h"
#include "harness.h"

static drove_task_op *decode_file(const char *rel)
{
	size_t len;
	char *body = drove_test_read_source_file(rel, &len);
	drove_strlist *errors = NULL;
	drove_task_op *op = NULL;
	ck_assert_int_eq(drove_strlist_new(&errors), 0);
	ck_assert_int_eq(drove__ctrl_taskop_decode(body, len, NULL, &op, errors), 0);
	ck_assert_uint_eq(drove_strlist_count(errors), 0);
	drove_strlist_free(errors);
	free(body);
	return op;
}

/* Decode `body`: expect `rc` and an error containing `msg`; nothing handed out. */
static void decode_bad(const char *body, int rc, const char *msg)
{
	drove_strlist *errors = NULL;
	drove_task_op *op = (drove_task_op *)0x1;
	char *all;
	ck_assert_int_eq(drove_strlist_new(&errors), 0);
	ck_assert_int_eq(drove__ctrl_taskop_decode(body, strlen(body), NULL, &op, errors), rc);
	ck_assert_ptr_null(op);
	all = drove_strlist_join(errors, " | ");
	ck_assert_msg(all && strstr(all, msg), "want '%s' in '%s'", msg, all);
	drove_free(all);
	drove_strlist_free(errors);
}

START_TEST(test_decode_create_and_kill)
{
	drove_task_op *op = decode_file("tests/data/model/task_op_0_create.json");
	ck_assert_int_eq(op->type, DROVE_TASK_OP_CREATE);
	ck_assert_str_eq(op->spec->source_app_name, "DROVE_TEST_APP");
	ck_assert_str_eq(op->spec->task_id, "T0001");
	ck_assert_ptr_nonnull(op->spec->placement_policy);
	ck_assert_int_eq(drove_duration_ms(&op->op_spec->timeout), 120000);
	drove__task_op_free(op);

	op = decode_file("tests/data/model/task_op_1_kill.json");
	ck_assert_int_eq(op->type, DROVE_TASK_OP_KILL);
	ck_assert_str_eq(op->source_app_name, "DROVE_TEST_APP");
	ck_assert_str_eq(op->task_id, "T0001");
	drove__task_op_free(op);
}
END_TEST

START_TEST(test_decode_placement_default)
{
	const char *body =
	        "{\"type\":\"CREATE\",\"spec\":{\"sourceAppName\":\"A\",\"taskId\":\"T\","
	        "\"executable\":{\"type\":\"DOCKER\",\"url\":\"img\",\"dockerPullTimeout\":\"1s\"},"
	        "\"resources\":"
	        "[{\"type\":\"CPU\",\"count\":1},{\"type\":\"MEMORY\",\"sizeInMB\":8}]},"
	        "\"opSpec\":{\"timeout\":\"1s\",\"parallelism\":1,\"failureStrategy\":"
	        "\"STOP\"}}";
	drove_strlist *errors = NULL;
	drove_task_op *op = NULL;
	ck_assert_int_eq(drove_strlist_new(&errors), 0);
	ck_assert_int_eq(drove__ctrl_taskop_decode(body, strlen(body), NULL, &op, errors), 0);
	ck_assert_ptr_nonnull(op->spec->placement_policy);
	ck_assert_int_eq(op->spec->placement_policy->type, DROVE_PLACE_ANY);
	drove__task_op_free(op);
	drove_strlist_free(errors);
}
END_TEST

START_TEST(test_decode_errors)
{
	decode_bad("{\"type\":\"CREATE\",", 1, "");
	decode_bad("{\"type\":\"EXPLODE\"}", 1, "type");
	decode_bad("[]", 1, "");
	decode_bad("{\"type\":\"KILL\",\"sourceAppName\":\"A\",\"taskId\":\"T\"}", 2,
	           "opSpec: is required");
	decode_bad("{\"type\":\"KILL\",\"sourceAppName\":\"A\",\"opSpec\":{\"timeout\":\"1s\","
	           "\"parallelism\":1,\"failureStrategy\":\"STOP\"}}",
	           2, "taskId");
	decode_bad("{\"type\":\"CREATE\",\"spec\":{\"sourceAppName\":\"A\",\"taskId\":\"T\","
	           "\"executable\":{\"type\":\"DOCKER\",\"url\":\"img\",\"dockerPullTimeout\":"
	           "\"1s\"},\"resources\":"
	           "[{\"type\":\"CPU\",\"count\":0},{\"type\":\"MEMORY\",\"sizeInMB\":8}]},"
	           "\"opSpec\":{\"timeout\":\"1s\",\"parallelism\":1,\"failureStrategy\":"
	           "\"STOP\"}}",
	           2, "spec.resources[0].count");
	decode_bad("{\"type\":\"CREATE\",\"spec\":{\"sourceAppName\":\"A\",\"taskId\":\"T\","
	           "\"executable\":{\"type\":\"DOCKER\",\"url\":\"img\",\"dockerPullTimeout\":"
	           "\"1s\"},\"resources\":"
	           "[{\"type\":\"CPU\",\"count\":1},{\"type\":\"MEMORY\",\"sizeInMB\":8}],"
	           "\"placementPolicy\":{\"type\":\"LOCAL\"}},"
	           "\"opSpec\":{\"timeout\":\"1s\",\"parallelism\":1,\"failureStrategy\":"
	           "\"STOP\"}}",
	           2, "Local service placement is not allowed for tasks");
}
END_TEST

START_TEST(test_instance_spec_and_info)
{
	drove_task_op *op = decode_file("tests/data/model/task_op_0_create.json");
	drove_task_instance_spec *is = NULL;
	drove_task_info *t = NULL;
	int cores[] = {4, 5};
	char *json = NULL;

	ck_assert_int_eq(drove__ctrl_task_instance_spec(op->spec, "TI-1", 0, cores, 2, 32, &is), 0);
	ck_assert_str_eq(is->task_id, "T0001");
	ck_assert_str_eq(is->source_app_name, "DROVE_TEST_APP");
	ck_assert_str_eq(is->instance_id, "TI-1");
	ck_assert_str_eq(is->executable->url, "localhost/drove-test:latest");
	ck_assert_uint_eq(is->n_resources, 2);
	ck_assert_int_eq(is->resources[0].type, DROVE_RES_CPU);
	ck_assert_uint_eq(is->resources[0].cores[0].n_cores, 2);
	ck_assert_int_eq(is->resources[0].cores[0].cores[1], 5);
	ck_assert_int_eq(is->resources[1].memory[0].mb, 32);
	ck_assert_uint_eq(is->n_configs, 1);
	ck_assert_uint_eq(is->n_args, 3);
	ck_assert_str_eq(drove_strmap_get(is->env, "ITERATIONS"), "3");
	ck_assert_ptr_nonnull(is->logging_spec);
	/* the source spec is untouched */
	ck_assert_uint_eq(op->spec->n_configs, 1);
	ck_assert_ptr_nonnull(op->spec->executable);
	ck_assert_int_eq(drove__task_instance_spec_encode(is, &json), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"cores\":{\"0\":[4,5]}"));
	free(json);

	ck_assert_int_eq(drove__ctrl_task_info_new(is, "exec-1", 1234, &t), 0);
	ck_assert_int_eq(t->state, DROVE_TASK_PENDING);
	ck_assert_str_eq(t->instance_id, "TI-1");
	ck_assert_str_eq(t->executor_id, "exec-1");
	ck_assert_str_eq(t->task_id, "T0001");
	ck_assert_int_eq(t->created, 1234);
	ck_assert_int_eq(t->updated, 1234);
	ck_assert_ptr_null(t->hostname);
	ck_assert_ptr_null(t->task_result);
	ck_assert_str_eq(t->error_message, "");
	ck_assert_int_eq(drove__task_info_encode(t, &json), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"state\":\"PENDING\""));
	ck_assert_ptr_nonnull(strstr(json, "\"metadata\":{}"));
	ck_assert_ptr_null(strstr(json, "taskResult"));
	free(json);
	/* the instance spec is untouched */
	ck_assert_ptr_nonnull(is->executable);
	ck_assert_uint_eq(is->n_resources, 2);

	/* LOST */
	ck_assert_int_eq(drove__ctrl_task_mark_lost(t, "Task lost", 99), 0);
	ck_assert_int_eq(t->state, DROVE_TASK_LOST);
	ck_assert_int_eq(t->task_result->status, DROVE_TASK_RESULT_LOST);
	ck_assert_int_eq(t->task_result->exit_code, -1);
	ck_assert_str_eq(t->error_message, "Task lost");
	ck_assert_int_eq(t->updated, 99);

	drove__task_info_free(t);
	drove__task_instance_spec_free(is);
	drove__task_op_free(op);
}
END_TEST

START_TEST(test_event_metadata)
{
	size_t len;
	char *json = drove_test_read_source_file("tests/data/model/task_info.json", &len);
	drove_task_info *t = NULL;
	drove_event *ev = NULL;
	drove_ctx *ctx = NULL;

	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove__task_info_decode(json, len, 0, &t, NULL, NULL), 0);
	ck_assert_ptr_nonnull(ev = drove__ctrl_event_new(ctx, DROVE_EVENT_TASK_STATE_CHANGE));
	ck_assert_int_eq(drove__ctrl_event_task(ev, t), 0);
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "APP_NAME"), t->source_app_name);
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "TASK_ID"), t->task_id);
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "INSTANCE_ID"), t->instance_id);
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "CURRENT_STATE"),
	                 drove_task_state_name((int)t->state));
	ck_assert_ptr_nonnull(drove_strmap_get(ev->metadata, "CREATED"));
	ck_assert_ptr_null(drove_strmap_get(ev->metadata, "ERROR")); /* errorMessage "" */
	drove__event_free(ev);

	ck_assert_int_eq(drove__ctrl_task_mark_lost(t, "gone", 5), 0);
	ck_assert_ptr_nonnull(ev = drove__ctrl_event_new(ctx, DROVE_EVENT_TASK_STATE_CHANGE));
	ck_assert_int_eq(drove__ctrl_event_task(ev, t), 0);
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "ERROR"), "gone");
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "RESULT_STATUS"), "LOST");
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "RESULT_EXIT_CODE"), "-1");
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "CURRENT_STATE"), "LOST");
	drove__event_free(ev);
	drove__task_info_free(t);
	drove_ctx_free(ctx);
	free(json);
}
END_TEST

START_TEST(test_pull_timeout)
{
	drove_task_op *op = decode_file("tests/data/model/task_op_0_create.json");
	ck_assert_int_eq(drove__ctrl_task_pull_ms(op->spec), 100000);
	op->spec->executable->has_docker_pull_timeout = false;
	ck_assert_int_eq(drove__ctrl_task_pull_ms(op->spec), 15 * 60 * 1000);
	ck_assert_int_eq(drove__ctrl_task_pull_ms(NULL), 15 * 60 * 1000);
	drove__task_op_free(op);
}
END_TEST

Suite *ctrl_tasks_suite(void)
{
	Suite *s = suite_create("ctrl_tasks");
	TCase *tc = tcase_create("pure");
	tcase_add_test(tc, test_decode_create_and_kill);
	tcase_add_test(tc, test_decode_placement_default);
	tcase_add_test(tc, test_decode_errors);
	tcase_add_test(tc, test_instance_spec_and_info);
	tcase_add_test(tc, test_event_metadata);
	tcase_add_test(tc, test_pull_timeout);
	suite_add_tcase(s, tc);
	return s;
}
