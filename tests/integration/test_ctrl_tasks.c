/* Tasks on a real cluster (tests/harness/cluster.h): drove-controller + drove-executor as child
 * processes, podman behind the Docker Engine API, ZooKeeper for the fail-over case. Covers
 * §2.5 and §4.3: CREATE / KILL, the results of finished tasks, duplicates, bad specs, lookups,
 * DELETE, the active list, events, and a task that survives a kill -9 of the leader. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include <drove/clock.h>

#include "core/internal.h"
#include "cluster.h"
#include "harness.h"

#define APP "TAPP"

static char *spec_json(const char *task_id, const char *cmd)
{
	return drove__asprintf(
	        "{\"sourceAppName\":\"" APP "\",\"taskId\":\"%s\","
	        "\"executable\":{\"type\":\"DOCKER\",\"url\":\"localhost/drove-test:latest\","
	        "\"dockerPullTimeout\":\"100 seconds\"},"
	        "\"resources\":[{\"type\":\"CPU\",\"count\":1},{\"type\":\"MEMORY\",\"sizeInMB\":"
	        "32}],\"placementPolicy\":{\"type\":\"ANY\"},\"env\":{\"X\":\"1\"},"
	        "\"args\":[\"sh\",\"-c\",\"%s\"]}",
	        task_id, cmd);
}

/* POST a task CREATE; the HTTP status, *out the body. */
static long create(const char *task_id, const char *cmd, char **out)
{
	char *spec = spec_json(task_id, cmd);
	char *body = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s," DTC_OPSPEC "}", spec);
	long code = dtc_http("POST", "/apis/v1/tasks/operations", body, out);
	free(spec);
	free(body);
	return code;
}

static void create_ok(const char *task_id, const char *cmd)
{
	char *b = NULL, *want = drove__asprintf("\"taskId\":\"" APP "-%s\"", task_id);
	long code = create(task_id, cmd, &b);
	ck_assert_msg(code == 200 && strstr(b, want), "create %s -> %ld %s", task_id, code, b);
	free(want);
	free(b);
}

static long kill_task(const char *task_id, char **out)
{
	char *body = drove__asprintf("{\"type\":\"KILL\",\"sourceAppName\":\"" APP
	                             "\",\"taskId\":\"%s\"," DTC_OPSPEC "}",
	                             task_id);
	long code = dtc_http("POST", "/apis/v1/tasks/operations", body, out);
	free(body);
	return code;
}

/* The TaskInfo of `task_id` (a new reference) or NULL on a miss / no answer. */
static struct json_object *get_task(const char *task_id)
{
	char path[256], *b = NULL;
	struct json_object *root, *d = NULL;
	snprintf(path, sizeof(path), "/apis/v1/tasks/" APP "/instances/%s", task_id);
	if (dtc_http("GET", path, NULL, &b) != 200 || !(root = json_tokener_parse(b))) {
		free(b);
		return NULL;
	}
	free(b);
	if (!strcmp(json_object_get_string(json_object_object_get(root, "status")), "SUCCESS"))
		d = json_object_get(json_object_object_get(root, "data"));
	json_object_put(root);
	return d;
}

static const char *sget(struct json_object *o, const char *k)
{
	struct json_object *v = json_object_object_get(o, k);
	return v ? json_object_get_string(v) : "";
}

/* Wait for `task_id` to reach `state`; returns its TaskInfo (json_object_put()). */
static struct json_object *wait_task(const char *task_id, const char *state, int64_t ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	struct json_object *t = NULL;
	for (;;) {
		t = get_task(task_id);
		if (t && !strcmp(sget(t, "state"), state))
			return t;
		if (drove_time_mono_ms() >= end)
			break;
		json_object_put(t);
		usleep(200 * 1000);
	}
	ck_abort_msg("task %s not %s within %lld ms: %s", task_id, state, (long long)ms,
	             t ? json_object_to_json_string(t) : "(none)");
	return NULL;
}

static void check_result(struct json_object *t, const char *status, int code)
{
	struct json_object *r = json_object_object_get(t, "taskResult");
	ck_assert_msg(r != NULL, "no taskResult: %s", json_object_to_json_string(t));
	ck_assert_str_eq(sget(r, "status"), status);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(r, "exitCode")), code);
}

/* Task ids in GET /tasks, comma-joined. */
static char *active_ids(void)
{
	struct json_object *root, *d = dtc_get_data("/apis/v1/tasks", &root);
	drove__buf b = DROVE_BUF_INIT;
	for (size_t i = 0; i < json_object_array_length(d); i++)
		drove__buf_printf(&b, "%s%s", i ? "," : "",
		                  sget(json_object_array_get_idx(d, i), "taskId"));
	drove__buf_puts(&b, "");
	json_object_put(root);
	return drove__buf_steal(&b);
}

static void expect_400(long code, char *body, const char *msg)
{
	ck_assert_msg(code == 400 && body && strstr(body, msg), "want 400 with '%s', got %ld %s",
	              msg, code, body);
	free(body);
}

START_TEST(test_tasks_lifecycle)
{
	struct json_object *t;
	char *b = NULL, *ids, *spec;
	long code;

	dtc_start_controller(0, 0, NULL);
	dtc_wait_ping(10000);
	dtc_start_executor(0, 1, NULL);
	dtc_wait_execs(1, 30000);

	/* bad specs: 400 naming the field, nothing stored */
	b = NULL;
	code = dtc_http("POST", "/apis/v1/tasks/operations",
	                "{\"type\":\"CREATE\",\"spec\":{\"sourceAppName\":\"" APP
	                "\",\"taskId\":\"BAD\",\"executable\":{\"type\":\"DOCKER\",\"url\":\"x\"},"
	                "\"resources\":[{\"type\":\"CPU\",\"count\":0},{\"type\":\"MEMORY\","
	                "\"sizeInMB\":32}]}," DTC_OPSPEC "}",
	                &b);
	expect_400(code, b, "spec.resources[0].count");
	b = NULL;
	code = dtc_http("POST", "/apis/v1/tasks/operations",
	                "{\"type\":\"CREATE\",\"spec\":{\"sourceAppName\":\"" APP
	                "\",\"taskId\":\"BAD\"}," DTC_OPSPEC "}",
	                &b);
	expect_400(code, b, "spec.executable");
	b = NULL;
	code = dtc_http("POST", "/apis/v1/tasks/operations", "{\"type\":\"CREATE\",", &b);
	expect_400(code, b, "JSON validation failure");
	b = NULL;
	code = dtc_http("POST", "/apis/v1/tasks/operations",
	                "{\"type\":\"KILL\",\"sourceAppName\":\"" APP "\",\"taskId\":\"X\"}", &b);
	expect_400(code, b, "opSpec");
	ck_assert_ptr_null(get_task("BAD"));
	b = NULL;
	ck_assert_int_eq(dtc_http("GET", "/apis/v1/tasks/" APP "/instances/BAD", NULL, &b), 200);
	ck_assert_msg(strstr(b, "\"status\":\"FAILED\"") &&
	                      strstr(b, "No such task instance " APP "/BAD"),
	              "%s", b);
	free(b);
	/* not enough resources: 400 with the scheduler's message, nothing stored */
	{
		char *big = spec_json("BIG", "true"), *body, *p = strstr(big, "\"count\":1");
		ck_assert_ptr_nonnull(p);
		memcpy(p, "\"count\":9", 9);
		body = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s," DTC_OPSPEC "}", big);
		b = NULL;
		code = dtc_http("POST", "/apis/v1/tasks/operations", body, &b);
		expect_400(code, b, "Cluster does not have enough CPU");
		free(body);
		free(big);
		ck_assert_ptr_null(get_task("BIG"));
	}

	/* validate/spec */
	spec = spec_json("V1", "true");
	b = NULL;
	ck_assert_int_eq(dtc_http("POST", "/apis/v1/tasks/validate/spec", spec, &b), 200);
	ck_assert_msg(strstr(b, "\"status\":\"SUCCESS\"") && !strstr(b, "\"data\""), "%s", b);
	free(b);
	free(spec);
	b = NULL;
	code = dtc_http("POST", "/apis/v1/tasks/validate/spec",
	                "{\"sourceAppName\":\"" APP "\",\"taskId\":\"a b\"}", &b);
	expect_400(code, b, "taskId");
	ck_assert_ptr_null(get_task("V1"));

	/* exit 0 and exit 3, side by side */
	create_ok("OK", "echo hello; exit 0");
	create_ok("FAIL", "exit 3");
	t = wait_task("OK", "STOPPED", 60000);
	check_result(t, "SUCCESSFUL", 0);
	ck_assert_str_eq(sget(t, "sourceAppName"), APP);
	ck_assert_msg(!strncmp(sget(t, "instanceId"), "TI-", 3), "%s", sget(t, "instanceId"));
	ck_assert_str_ne(sget(t, "executorId"), "");
	ck_assert_str_eq(sget(t, "hostname"), "localhost");
	ck_assert_ptr_nonnull(json_object_object_get(t, "resources"));
	json_object_put(t);
	t = wait_task("FAIL", "STOPPED", 60000);
	check_result(t, "FAILED", 3);
	ck_assert_str_eq(sget(t, "errorMessage"), "Task instance exited with status: 3");
	json_object_put(t);

	/* a finished task stays stored: its id cannot be reused */
	b = NULL;
	code = create("OK", "true", &b);
	expect_400(code, b, "Task already exists for " APP "/OK with taskID: " APP "-OK");

	/* a long task: listed, duplicate refused, killed -> CANCELLED */
	create_ok("LONG", "sleep 300");
	json_object_put(wait_task("LONG", "RUNNING", 60000));
	ids = active_ids();
	ck_assert_str_eq(ids, "LONG"); /* finished ones are not listed */
	free(ids);
	b = NULL;
	code = create("LONG", "sleep 1", &b);
	expect_400(code, b, "Task already exists for " APP "/LONG with taskID: " APP "-LONG");
	{
		struct json_object *root, *d = dtc_get_data("/apis/v1/cluster", &root);
		ck_assert_int_eq(json_object_get_int(json_object_object_get(d, "numActiveTasks")),
		                 1);
		json_object_put(root);
		/* the dashboard sees it on the real executors (§6.6) */
		d = dtc_get_data("/apis/v1/cluster/dashboard", &root);
		d = json_object_object_get(d, "taskStats");
		ck_assert_int_eq(json_object_get_int(json_object_object_get(
		                         json_object_object_get(d, "taskCountByState"), "RUNNING")),
		                 1);
		d = json_object_array_get_idx(json_object_object_get(d, "topTasks"), 0);
		ck_assert_str_eq(sget(d, "taskId"), "LONG");
		json_object_put(root);
		ck_assert_int_eq(dtc_http("GET",
		                          "/apis/v1/tasks/search?taskSearchAppName=" APP
		                          "&taskSearchTaskID=LONG",
		                          NULL, NULL),
		                 303);
	}
	b = NULL;
	ck_assert_int_eq(kill_task("LONG", &b), 200);
	ck_assert_msg(strstr(b, "\"taskId\":\"LONG\""), "%s", b);
	free(b);
	t = wait_task("LONG", "STOPPED", 30000);
	check_result(t, "CANCELLED", -1);
	json_object_put(t);
	ids = active_ids();
	ck_assert_str_eq(ids, "");
	free(ids);
	b = NULL;
	code = kill_task("LONG", &b);
	expect_400(code, b, "Either task does not exist or has already finished for " APP "/LONG");
	b = NULL;
	code = kill_task("NOPE", &b);
	expect_400(code, b, "Either task does not exist or has already finished for " APP "/NOPE");

	/* events */
	b = NULL;
	ck_assert_int_eq(dtc_http("GET", "/apis/v1/cluster/events/summary", NULL, &b), 200);
	ck_assert_msg(strstr(b, "\"TASK_STATE_CHANGE\""), "%s", b);
	free(b);
	b = NULL;
	ck_assert_int_eq(dtc_http("GET", "/apis/v1/cluster/events/latest?size=1000", NULL, &b),
	                 200);
	ck_assert_msg(strstr(b, "\"TASK_ID\":\"FAIL\"") && strstr(b, "\"RESULT_EXIT_CODE\":3") &&
	                      strstr(b, "\"RESULT_STATUS\":\"CANCELLED\""),
	              "%.2000s", b);
	free(b);

	/* DELETE: the record goes, the id can be used again */
	b = NULL;
	ck_assert_int_eq(dtc_http("DELETE", "/apis/v1/tasks/" APP "/instances/OK", NULL, &b), 200);
	ck_assert_msg(strstr(b, "\"deleted\":true") && strstr(b, "SUCCESS"), "%s", b);
	free(b);
	ck_assert_ptr_null(get_task("OK"));
	b = NULL;
	ck_assert_int_eq(dtc_http("DELETE", "/apis/v1/tasks/" APP "/instances/OK", NULL, &b), 200);
	ck_assert_msg(strstr(b, "\"deleted\":false") && strstr(b, "Could not delete " APP "/OK"),
	              "%s", b);
	free(b);
	create_ok("OK", "exit 0");
	t = wait_task("OK", "STOPPED", 60000);
	check_result(t, "SUCCESSFUL", 0);
	json_object_put(t);

	/* the records survive a controller restart (the embedded store) */
	dtc_stop(&dtc.cpid[0], SIGTERM);
	{
		char path[256], log[256];
		snprintf(path, sizeof(path), "%s/controller0.yml", dtc.dir);
		snprintf(log, sizeof(log), "%s/controller0.log", dtc.dir);
		dtc.cpid[0] = dtc_spawn(DTC_CTRL_BIN, path, log);
	}
	dtc_wait_ping(10000);
	t = get_task("FAIL");
	ck_assert_ptr_nonnull(t);
	check_result(t, "FAILED", 3);
	json_object_put(t);
}
END_TEST

static int find_leader(void)
{
	for (int i = 0; i < 300; i++) {
		for (int k = 0; k < 2; k++) {
			dtc.port = dtc.cport[k];
			if (dtc_http("GET", "/apis/v1/ping", NULL, NULL) == 200)
				return k;
		}
		usleep(100 * 1000);
	}
	ck_abort_msg("no leader");
	return -1;
}

START_TEST(test_tasks_failover)
{
	struct json_object *t;
	char *b = NULL, *ids, *inst;
	int leader, other;
	int64_t t0;

	dtc_start_controller(0, 1, NULL);
	dtc_start_controller(1, 1, NULL);
	leader = find_leader();
	other = 1 - leader;
	dtc_start_executor(0, 2, NULL);
	dtc_wait_execs(1, 30000);
	create_ok("LONG", "sleep 300");
	t = wait_task("LONG", "RUNNING", 60000);
	inst = drove__strdup(sget(t, "instanceId"));
	json_object_put(t);

	t0 = drove_time_mono_ms();
	kill(dtc.cpid[leader], SIGKILL);
	waitpid(dtc.cpid[leader], NULL, 0);
	dtc.cpid[leader] = 0;
	dtc.port = dtc.cport[other];
	while (dtc_http("GET", "/apis/v1/ping", NULL, NULL) != 200) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 60000, "no takeover");
		usleep(200 * 1000);
	}
	fprintf(stderr, "test_ctrl_tasks: takeover after %lld ms\n",
	        (long long)(drove_time_mono_ms() - t0));
	t = wait_task("LONG", "RUNNING", 10000);
	ck_assert_str_eq(sget(t, "instanceId"), inst);
	json_object_put(t);
	ids = active_ids();
	ck_assert_str_eq(ids, "LONG");
	free(ids);
	/* past staleInstanceReportAge (5 s) and a zombie check (5 s): still the same, still
	 * running (neither marked LOST nor reaped) */
	usleep(7 * 1000 * 1000);
	t = wait_task("LONG", "RUNNING", 1000);
	ck_assert_str_eq(sget(t, "instanceId"), inst);
	json_object_put(t);
	free(inst);

	ck_assert_int_eq(kill_task("LONG", &b), 200);
	free(b);
	t = wait_task("LONG", "STOPPED", 30000);
	check_result(t, "CANCELLED", -1);
	json_object_put(t);
}
END_TEST

Suite *ctrl_tasks_suite(void)
{
	Suite *s;
	TCase *tc;

	dtc_require("test_ctrl_tasks");
	s = suite_create("ctrl_tasks");
	tc = tcase_create("cluster");
	tcase_add_checked_fixture(tc, dtc_setup, dtc_teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_tasks_lifecycle);
	tcase_add_test(tc, test_tasks_failover);
	suite_add_tcase(s, tc);
	return s;
}
