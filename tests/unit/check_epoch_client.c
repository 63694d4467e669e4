/* Driving Drove for a run, against the canned-response controller of the client tests:
 * CREATE body, "Task already exists" taken as started, refusals, state read back. */
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include "core/internal.h"
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
}
END_TEST

START_TEST(test_poll)
{
	int state = 0;
	char *err = (char *)"x";

	mock_add(m, "GET", "/apis/v1/tasks/EPOCH/instances/nightly-SR-100-t", 200,
	         "{\"status\":\"SUCCESS\",\"data\":{\"taskId\":\"nightly-SR-100-t\","
	         "\"state\":\"STOPPED\",\"taskResult\":{\"status\":\"FAILED\",\"exitCode\":3},"
	         "\"errorMessage\":\"exit 3\"},\"message\":\"success\"}");
	mock_add(m, "GET", "/apis/v1/tasks/EPOCH/instances/nightly-SR-101-t", 200,
	         "{\"status\":\"SUCCESS\",\"data\":{\"taskId\":\"nightly-SR-101-t\","
	         "\"state\":\"RUNNING\"},\"message\":\"success\"}");
	mock_add(m, "GET", "/apis/v1/tasks/EPOCH/instances/gone", 200,
	         "{\"status\":\"FAILED\",\"message\":\"No such task\"}");
	ck_assert_int_eq(drove_epoch_task_poll(cl, "EPOCH", "nightly-SR-100-t", &state, &err), 0);
	ck_assert_int_eq(state, DROVE_EPOCH_TASK_FAILED);
	ck_assert_str_eq(err, "exit 3");
	drove_free(err);
	ck_assert_int_eq(drove_epoch_task_poll(cl, "EPOCH", "nightly-SR-101-t", &state, &err), 0);
	ck_assert_int_eq(state, DROVE_EPOCH_TASK_RUNNING);
	ck_assert_ptr_null(err);
	ck_assert_int_eq(drove_epoch_task_poll(cl, "EPOCH", "nightly-SR-101-t", &state, NULL), 0);
	ck_assert_int_lt(drove_epoch_task_poll(cl, "EPOCH", "gone", &state, NULL), 0);
	ck_assert_int_eq(drove_epoch_task_poll(cl, "EPOCH", NULL, &state, NULL), DROVE_EINVAL);
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
	suite_add_tcase(s, tc);
	return s;
}
