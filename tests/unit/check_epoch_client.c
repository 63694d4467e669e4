/* Driving Drove for a run, against the canned-response controller of the client tests:
 * CREATE body, "Task already exists" taken as started, refusals, state read back. */
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "epoch/drive.h"
#include "harness.h"
#include "check_client_mock.h"

static drove_ctx *ctx;
static drove_client *cl;
static struct mock *m;
static drove_epoch_topology *topo;

#define TOPO                                                                                      \
	"{\"name\":\"nightly\",\"task\":{\"type\":\"CONTAINER_EXECUTION\",\"taskName\":\"t\","    \
	"\"executable\":{\"type\":\"DOCKER\",\"url\":\"localhost/drove-test:latest\","            \
	"\"dockerPullTimeout\":\"100 seconds\"},\"resources\":[{\"type\":\"CPU\",\"count\":1},"   \
	"{\"type\":\"MEMORY\",\"sizeInMB\":32}],\"placementPolicy\":{\"type\":\"ANY\"},"          \
	"\"logging\":{\"type\":\"LOCAL\",\"maxSize\":\"10m\",\"maxFiles\":3,\"compress\":true}}," \
	"\"trigger\":{\"type\":\"CRON\",\"timeSpec\":\"0 0 * * * ?\"}}"

static void setup(void)
{
	char url[64];
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_client_new(&cl, ctx), 0);
	m = mock_start();
	mock_url(m, url, sizeof(url));
	ck_assert_int_eq(drove_client_add_endpoint(cl, url), 0);
	ck_assert_int_eq(drove_client_set_retries(cl, 0, 10, 10), 0);
	ck_assert_int_eq(drove_epoch_topology_from_json(&topo, ctx, TOPO, strlen(TOPO), 0, NULL),
	                 0);
}

static void teardown(void)
{
	drove_epoch_topology_free(topo);
	drove_client_free(cl);
	mock_stop(m);
	drove_ctx_free(ctx);
}

START_TEST(test_start)
{
	char method[16], uri[1024], body[4096];
	int already = -1;

	mock_add(m, "POST", "/apis/v1/tasks/operations", 200,
	         "{\"status\":\"SUCCESS\",\"data\":{\"taskId\":\"nightly-SR-100-t\"},"
	         "\"message\":\"success\"}");
	ck_assert_int_eq(drove_epoch_task_start(cl, topo, 0, "EPOCH", "SR-100", 300, &already), 0);
	ck_assert_int_eq(already, 0);
	mock_last(m, method, sizeof(method), uri, sizeof(uri), body, sizeof(body));
	ck_assert_str_eq(method, "POST");
	ck_assert_str_eq(uri, "/apis/v1/tasks/operations");
	ck_assert_ptr_nonnull(strstr(body, "\"type\":\"CREATE\""));
	ck_assert_ptr_nonnull(strstr(body, "\"sourceAppName\":\"EPOCH\""));
	ck_assert_ptr_nonnull(strstr(body, "\"taskId\":\"nightly-SR-100-t\""));
	ck_assert_ptr_nonnull(strstr(body, "\"opSpec\":{\"timeout\":\"300 seconds\""));
	ck_assert_int_eq(drove_epoch_task_start(cl, topo, 0, "EPOCH", "SR-100", 0, &already),
	                 DROVE_EINVAL);
	ck_assert_int_eq(drove_epoch_task_start(cl, topo, 1, "EPOCH", "SR-100", 30, &already),
	                 DROVE_EINVAL);
}
END_TEST

START_TEST(test_already_and_refused)
{
	int already = -1;

	mock_add(m, "POST", "/apis/v1/tasks/operations", 400,
	         "{\"status\":\"FAILED\",\"data\":{\"validationErrors\":[\"Task already exists "
	         "for EPOCH/nightly-SR-100-t\"]},\"message\":\"Validation failure\"}");
	ck_assert_int_eq(drove_epoch_task_start(cl, topo, 0, "EPOCH", "SR-100", 300, &already), 0);
	ck_assert_int_eq(already, 1);

	mock_stop(m);
	m = mock_start();
	char url[64];
	mock_url(m, url, sizeof(url));
	drove_client_free(cl);
	ck_assert_int_eq(drove_client_new(&cl, ctx), 0);
	ck_assert_int_eq(drove_client_add_endpoint(cl, url), 0);
	mock_add(m, "POST", "/apis/v1/tasks/operations", 400,
	         "{\"status\":\"FAILED\",\"data\":{\"validationErrors\":[\"resources: no executor "
	         "has 1 free core\"]},\"message\":\"Validation failure\"}");
	drove_assert_error(drove_epoch_task_start(cl, topo, 0, "EPOCH", "SR-101", 300, &already),
	                   DROVE_EINVAL, "task nightly-SR-101-t: create answered HTTP 400");
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message,
	                             "Validation failure: resources: no executor has 1 free core"));
}
END_TEST

/* Task `id` polls as `want` with errorMessage `want_err` (NULL: none). */
static void poll_is(const char *id, int want, const char *want_err)
{
	int state = 0;
	char *err = (char *)"x";

	ck_assert_msg(drove_epoch_task_poll(cl, "EPOCH", id, &state, &err) == 0, "%s: %s", id,
	              drove_error_last()->message);
	ck_assert_int_eq(state, want);
	if (want_err)
		ck_assert_str_eq(err, want_err);
	else
		ck_assert_ptr_null(err);
	drove_free(err);
}

START_TEST(test_poll)
{
	int state = 0;

	mock_add(m, "GET", "/apis/v1/tasks/EPOCH/instances/nightly-SR-100-t", 200,
	         "{\"status\":\"SUCCESS\",\"data\":{\"taskId\":\"nightly-SR-100-t\","
	         "\"state\":\"STOPPED\",\"taskResult\":{\"status\":\"FAILED\",\"exitCode\":3},"
	         "\"errorMessage\":\"exit 3\"},\"message\":\"success\"}");
	mock_add(m, "GET", "/apis/v1/tasks/EPOCH/instances/nightly-SR-101-t", 200,
	         "{\"status\":\"SUCCESS\",\"data\":{\"taskId\":\"nightly-SR-101-t\","
	         "\"state\":\"RUNNING\"},\"message\":\"success\"}");
	mock_add(m, "GET", "/apis/v1/tasks/EPOCH/instances/gone", 200,
	         "{\"status\":\"FAILED\",\"message\":\"No such task\"}");
	poll_is("nightly-SR-100-t", DROVE_EPOCH_TASK_FAILED, "exit 3");
	poll_is("nightly-SR-101-t", DROVE_EPOCH_TASK_RUNNING, NULL);
	ck_assert_int_eq(drove_epoch_task_poll(cl, "EPOCH", "nightly-SR-101-t", &state, NULL), 0);
	ck_assert_int_lt(drove_epoch_task_poll(cl, "EPOCH", "gone", &state, NULL), 0);
	ck_assert_int_eq(drove_epoch_task_poll(cl, "EPOCH", NULL, &state, NULL), DROVE_EINVAL);
}
END_TEST

#define TASK_ENV(d) "{\"status\":\"SUCCESS\",\"data\":" d ",\"message\":\"success\"}"

/* A state or result newer than this build polls as UNKNOWN (on STOPPED: FAILED), not as an
 * error; the errorMessage is carried. */
START_TEST(test_poll_new_states)
{
	mock_add(m, "GET", "/apis/v1/tasks/EPOCH/instances/new-state", 200,
	         TASK_ENV("{\"taskId\":\"new-state\",\"state\":\"SOMETHING_NEW\","
	                  "\"errorMessage\":\"still here\"}"));
	mock_add(m, "GET", "/apis/v1/tasks/EPOCH/instances/new-result", 200,
	         TASK_ENV("{\"taskId\":\"new-result\",\"state\":\"STOPPED\",\"taskResult\":"
	                  "{\"status\":\"EVAPORATED\",\"exitCode\":-1}}"));
	mock_add(
	        m, "GET", "/apis/v1/tasks/EPOCH/instances/run-failed", 200,
	        TASK_ENV("{\"taskId\":\"run-failed\",\"state\":\"RUN_FAILED\",\"taskResult\":"
	                 "{\"status\":\"FAILED\",\"exitCode\":-1},\"errorMessage\":\"no image\"}"));
	poll_is("new-state", DROVE_EPOCH_TASK_UNKNOWN, "still here");
	poll_is("new-result", DROVE_EPOCH_TASK_FAILED, NULL);
	poll_is("run-failed", DROVE_EPOCH_TASK_FAILED, "no image");
}
END_TEST

/* A record that is not a task: an error naming the field, for the task, nothing out. */
START_TEST(test_poll_malformed)
{
	int state = -5;
	char *err = (char *)"untouched";

	mock_add(m, "GET", "/apis/v1/tasks/EPOCH/instances/num", 200,
	         TASK_ENV("{\"taskId\":\"num\",\"state\":4}"));
	mock_add(m, "GET", "/apis/v1/tasks/EPOCH/instances/arr", 200, TASK_ENV("[\"RUNNING\"]"));
	mock_add(m, "GET", "/apis/v1/tasks/EPOCH/instances/nodata", 200,
	         "{\"status\":\"SUCCESS\",\"message\":\"success\"}");
	drove_assert_error(drove_epoch_task_poll(cl, "EPOCH", "num", &state, &err), DROVE_ERROR,
	                   "task num: TaskInfo: state: expected a string");
	drove_assert_error(drove_epoch_task_poll(cl, "EPOCH", "arr", &state, &err), DROVE_ERROR,
	                   "task arr: TaskInfo: (document): expected an object");
	drove_assert_error(drove_epoch_task_poll(cl, "EPOCH", "nodata", &state, &err), DROVE_ERROR,
	                   "task nodata: data: missing from the answer");
	ck_assert_int_eq(state, -5);
	ck_assert_str_eq(err, "untouched");
}
END_TEST

/* The engine's asynchronous path: the answer it fetched itself, read the same way. */
START_TEST(test_state_result)
{
	static const struct {
		const char *body;
		int want;
		const char *err;
	} ok[] = {
	        {TASK_ENV("{\"state\":\"RUNNING\"}"), DROVE_EPOCH_TASK_RUNNING, NULL},
	        {TASK_ENV("{\"state\":\"STOPPED\"}"), DROVE_EPOCH_TASK_COMPLETED, NULL},
	        {TASK_ENV("{\"state\":\"STOPPED\",\"taskResult\":{\"status\":\"CANCELLED\"}}"),
	         DROVE_EPOCH_TASK_CANCELLED, NULL},
	        {TASK_ENV("{\"state\":\"STOPPED\",\"taskResult\":{\"status\":\"FAILED\"},"
	                  "\"errorMessage\":\"Task instance exited with status: 3\"}"),
	         DROVE_EPOCH_TASK_FAILED, "Task instance exited with status: 3"},
	        {TASK_ENV("{\"state\":\"SOMETHING_NEW\"}"), DROVE_EPOCH_TASK_UNKNOWN, NULL},
	        {TASK_ENV("{\"state\":\"STOPPED\",\"taskResult\":{\"status\":\"NEW\"}}"),
	         DROVE_EPOCH_TASK_FAILED, NULL},
	};
	static const struct {
		int status;
		const char *body, *why;
		int rc;
	} bad[] = {
	        {200, TASK_ENV("{\"state\":4}"), "task t: TaskInfo: state: expected a string",
	         DROVE_ERROR},
	        {200, TASK_ENV("{\"state\":\"NEW\",\"taskResult\":7}"),
	         "task t: TaskInfo: taskResult: expected an object", DROVE_ERROR},
	        {200, TASK_ENV("\"RUNNING\""), "task t: TaskInfo: (document): expected an object",
	         DROVE_ERROR},
	        {200, "{\"status\":\"SUCCESS\",\"message\":\"success\"}",
	         "task t: data: missing from the answer", DROVE_ERROR},
	        {200, "", "", 0},
	        {200, "{\"status\":\"FAILED\",\"message\":\"No such task\"}", "No such task", 0},
	        {404, "", "", DROVE_ENOTFOUND},
	};
	const char *path = "/apis/v1/tasks/EPOCH/instances/t";

	for (size_t i = 0; i < DROVE_ARRAY_LEN(ok); i++) {
		int state = 0;
		char *err = (char *)"x";
		ck_assert_msg(drove__epoch_task_state_result(200, ok[i].body, strlen(ok[i].body),
		                                             path, "t", &state, &err) == 0,
		              "%zu: %s", i, drove_error_last()->message);
		ck_assert_int_eq(state, ok[i].want);
		if (ok[i].err)
			ck_assert_str_eq(err, ok[i].err);
		else
			ck_assert_ptr_null(err);
		drove_free(err);
		ck_assert_int_eq(drove__epoch_task_state_result(200, ok[i].body, strlen(ok[i].body),
		                                                path, "t", &state, NULL),
		                 0);
	}
	for (size_t i = 0; i < DROVE_ARRAY_LEN(bad); i++) {
		int state = -5;
		char *err = NULL;
		int rc = drove__epoch_task_state_result(
		        bad[i].status, bad[i].body, strlen(bad[i].body), path, "t", &state, &err);
		ck_assert_msg(rc < 0, "%zu: accepted", i);
		if (bad[i].rc)
			ck_assert_int_eq(rc, bad[i].rc);
		ck_assert_msg(strstr(drove_error_last()->message, bad[i].why) != NULL,
		              "%zu: '%s' lacks '%s'", i, drove_error_last()->message, bad[i].why);
		ck_assert_int_eq(state, -5);
		ck_assert_ptr_null(err);
	}
}
END_TEST

Suite *epoch_client_suite(void)
{
	Suite *s = suite_create("epoch_client");
	TCase *tc = tcase_create("drive");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_start);
	tcase_add_test(tc, test_already_and_refused);
	tcase_add_test(tc, test_poll);
	tcase_add_test(tc, test_poll_new_states);
	tcase_add_test(tc, test_poll_malformed);
	tcase_add_test(tc, test_state_result);
	suite_add_tcase(s, tc);
	return s;
}
