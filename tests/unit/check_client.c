/* client: the REST client against canned Drove controllers (check_client_mock.h): leader
 * tracking, failover, retries and backoff, error mapping, timeouts, typed helpers, logs,
 * the ~/.drove INI parser. */
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <time.h>
#include <unistd.h>

#include <drove/client.h>
#include <drove/ctx.h>
#include "client/client_internal.h"
#include "harness.h"
#include "check_client_mock.h"

#define OK_ENV(d) "{\"status\":\"SUCCESS\",\"data\":" d ",\"message\":\"success\"}"

static drove_ctx *ctx;
static drove_client *cl;

static void setup(void)
{
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_client_new(&cl, ctx), 0);
	ck_assert_int_eq(drove_client_set_retries(cl, 2, 20, 40), 0);
	ck_assert_int_eq(drove_client_set_timeouts(cl, 1000, 5000), 0);
}

static void teardown(void)
{
	drove_client_free(cl);
	drove_ctx_free(ctx);
}

static void add_ep(struct mock *m)
{
	char url[64];
	mock_url(m, url, sizeof(url));
	ck_assert_int_eq(drove_client_add_endpoint(cl, url), 0);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- leader tracking ---- */

START_TEST(test_leader_is_the_one_that_pongs)
{
	struct mock *a = mock_start(), *b = mock_start(), *c = mock_start();
	char url[64], *data = NULL;

	a->not_leader = 1;
	b->not_leader = 1;
	mock_add(c, "GET", "/apis/v1/applications", 200, OK_ENV("{\"A-1\":{\"id\":\"A-1\"}}"));
	add_ep(a);
	add_ep(b);
	add_ep(c);
	ck_assert_ptr_null(drove_client_leader(cl));
	ck_assert_int_eq(drove_client_app_list_json(cl, &data), 0);
	ck_assert_str_eq(data, "{\"A-1\":{\"id\":\"A-1\"}}");
	mock_url(c, url, sizeof(url));
	ck_assert_str_eq(drove_client_leader(cl), url);
	ck_assert_int_eq(mock_get(a, &a->requests), 1);
	ck_assert_int_eq(mock_get(b, &b->requests), 1);
	ck_assert_int_eq(mock_get(c, &c->pings), 1);
	drove_free(data);
	/* the leader is remembered: no more pings */
	ck_assert_int_eq(drove_client_app_list_json(cl, NULL), 0);
	ck_assert_int_eq(mock_get(c, &c->pings), 1);
	ck_assert_int_eq(mock_get(a, &a->requests), 1);
	mock_stop(a);
	mock_stop(b);
	mock_stop(c);
}
END_TEST

START_TEST(test_failover_when_leader_goes_away)
{
	struct mock *a = mock_start(), *b = mock_start();
	char url[64], *data = NULL;

	b->not_leader = 1;
	mock_add(a, "GET", "/apis/v1/cluster", 200, OK_ENV("{\"leader\":\"a\"}"));
	mock_add(b, "GET", "/apis/v1/cluster", 200, OK_ENV("{\"leader\":\"b\"}"));
	add_ep(a);
	add_ep(b);
	ck_assert_int_eq(drove_client_cluster_get_json(cl, &data), 0);
	ck_assert_str_eq(data, "{\"leader\":\"a\"}");
	drove_free(data);
	data = NULL;
	mock_stop(a); /* the leader dies; b takes over */
	mock_set(b, &b->not_leader, 0);
	ck_assert_int_eq(drove_client_cluster_get_json(cl, &data), 0);
	ck_assert_str_eq(data, "{\"leader\":\"b\"}");
	mock_url(b, url, sizeof(url));
	ck_assert_str_eq(drove_client_leader(cl), url);
	drove_free(data);
	mock_stop(b);
}
END_TEST

START_TEST(test_not_leader_answer_re_resolves)
{
	struct mock *a = mock_start(), *b = mock_start();
	char url[64], *data = NULL;

	b->not_leader = 1;
	mock_add(a, "GET", "/apis/v1/tasks", 200, OK_ENV("[1]"));
	mock_add(b, "GET", "/apis/v1/tasks", 200, OK_ENV("[2]"));
	add_ep(a);
	add_ep(b);
	ck_assert_int_eq(drove_client_task_list_json(cl, &data), 0);
	ck_assert_str_eq(data, "[1]");
	drove_free(data);
	data = NULL;
	/* leadership moves while both stay up */
	mock_set(a, &a->not_leader, 1);
	mock_set(b, &b->not_leader, 0);
	ck_assert_int_eq(drove_client_task_list_json(cl, &data), 0);
	ck_assert_str_eq(data, "[2]");
	mock_url(b, url, sizeof(url));
	ck_assert_str_eq(drove_client_leader(cl), url);
	drove_free(data);
	mock_stop(a);
	mock_stop(b);
}
END_TEST

START_TEST(test_no_leader_anywhere)
{
	struct mock *a = mock_start();
	char url[64];
	int64_t t0;
	int rc;

	a->not_leader = 1;
	add_ep(a);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", mock_dead_port());
	ck_assert_int_eq(drove_client_add_endpoint(cl, url), 0);
	ck_assert_int_eq(drove_client_set_retries(cl, 2, 100, 150), 0);
	t0 = now_ms();
	rc = drove_client_ping(cl);
	drove_assert_error(rc, DROVE_EUNAVAIL, "This node is not the leader controller");
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "no leader controller"));
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "connect"));
	/* bounded backoff: 100 + 150 ms of sleeps, and 3 rounds of pings */
	ck_assert_int_ge(now_ms() - t0, 250);
	ck_assert_int_lt(now_ms() - t0, 3000);
	ck_assert_int_eq(mock_get(a, &a->requests), 3);
	mock_stop(a);
}
END_TEST

START_TEST(test_retries_zero_means_one_try)
{
	char url[64];
	int64_t t0 = now_ms();
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", mock_dead_port());
	ck_assert_int_eq(drove_client_add_endpoint(cl, url), 0);
	ck_assert_int_eq(drove_client_set_retries(cl, 0, 1000, 1000), 0);
	drove_assert_error(drove_client_app_list_json(cl, NULL), DROVE_EUNAVAIL,
	                   "no leader controller");
	ck_assert_int_lt(now_ms() - t0, 900);
}
END_TEST

START_TEST(test_post_is_not_resent_after_a_timeout)
{
	struct mock *a = mock_start();
	add_ep(a);
	mock_add_raw(a, "POST", "/apis/v1/applications/operations", 200,
	             OK_ENV("{\"appId\":\"A-1\"}"), NULL, 700);
	ck_assert_int_eq(drove_client_set_timeouts(cl, 1000, 300), 0);
	drove_assert_error(drove_client_app_scale(cl, "A-1", 2, NULL, 1), DROVE_ETIMEOUT,
	                   "timed out");
	/* one ping + one POST: the POST was not retried */
	ck_assert_int_eq(mock_get(a, &a->requests), 2);
	mock_stop(a);
}
END_TEST

START_TEST(test_get_timeout)
{
	struct mock *a = mock_start();
	add_ep(a);
	mock_add_raw(a, "GET", "/apis/v1/cluster", 200, OK_ENV("{}"), NULL, 800);
	ck_assert_int_eq(drove_client_set_timeouts(cl, 1000, 250), 0);
	ck_assert_int_eq(drove_client_set_retries(cl, 1, 10, 10), 0);
	drove_assert_error(drove_client_cluster_get_json(cl, NULL), DROVE_ETIMEOUT, "timed out");
	mock_stop(a);
}
END_TEST

/* ---- error mapping ---- */

START_TEST(test_auth_line)
{
	char *l = NULL;
	ck_assert_int_eq(drove__client_auth_line(NULL, NULL, NULL, &l), 0);
	ck_assert_ptr_null(l);
	ck_assert_int_eq(drove__client_auth_line("O-Bearer x", "u", "p", &l), 0);
	ck_assert_str_eq(l, "Authorization: O-Bearer x"); /* a token wins */
	free(l);
	ck_assert_int_eq(drove__client_auth_line(NULL, "admin", "admin", &l), 0);
	ck_assert_str_eq(l, "Authorization: Basic YWRtaW46YWRtaW4=");
	free(l);
	ck_assert_int_eq(drove__client_auth_line(NULL, "u", NULL, &l), 0);
	ck_assert_str_eq(l, "Authorization: Basic dTo="); /* "u:" */
	free(l);
	ck_assert_int_eq(drove__client_auth_line(NULL, "a:b", "p", &l), DROVE_EINVAL);
	ck_assert_ptr_null(l);
	ck_assert_int_eq(drove__client_auth_line("x\r\nEvil: 1", NULL, NULL, &l), DROVE_EINVAL);
	ck_assert_ptr_null(l);
}
END_TEST

START_TEST(test_error_mapping)
{
	struct mock *a = mock_start();
	add_ep(a);
	mock_add(a, "GET", "/apis/v1/applications/NOPE-1", 200,
	         "{\"status\":\"FAILED\",\"message\":\"App NOPE-1 not found\"}");
	mock_add(a, "GET", "/apis/v1/tasks/A/instances/T", 200,
	         "{\"status\":\"FAILED\",\"message\":\"No such task instance A/T\"}");
	mock_add(a, "POST", "/apis/v1/applications/operations", 400,
	         "{\"status\":\"FAILED\",\"data\":{\"validationErrors\":[\"spec.name must not be "
	         "empty\",\"opSpec.parallelism 0 < 1\"]},\"message\":\"Command validation "
	         "failure\"}");
	mock_add(
	        a, "POST", "/apis/v1/applications/operations/A-1/cancel", 400,
	        "{\"status\":\"FAILED\",\"message\":\"Current operation could not be cancelled\"}");
	mock_add(a, "POST", "/apis/v1/cluster/maintenance/set", 403, "");
	mock_add(a, "GET", "/apis/v1/cluster", 500,
	         "{\"status\":\"FAILED\",\"data\":{\"failure\":\"boom\"},\"message\":\"Unexpected "
	         "Server "
	         "error\"}");
	mock_add(a, "DELETE", "/apis/v1/tasks/A/instances/T2", 200,
	         "{\"status\":\"FAILED\",\"data\":{\"deleted\":false},\"message\":\"Could not "
	         "delete "
	         "A/T2\"}");
	mock_add(a, "GET", "/apis/v1/localservices", 200, "not json");

	drove_assert_error(drove_client_app_get_json(cl, "NOPE-1", NULL), DROVE_ENOTFOUND,
	                   "App NOPE-1 not found");
	drove_assert_error(drove_client_task_get_json(cl, "A", "T", NULL), DROVE_ENOTFOUND,
	                   "No such task instance A/T");
	drove_assert_error(drove_client_app_scale(cl, "A-1", 1, NULL, 1), DROVE_EINVAL,
	                   "Command validation failure: spec.name must not be empty; "
	                   "opSpec.parallelism 0 < 1");
	/* the 400's data as sent, for bindings that list the validation errors */
	ck_assert_int_eq(drove_client_last_status(cl), 400);
	ck_assert_str_eq(drove_client_last_error_data(cl),
	                 "{\"validationErrors\":[\"spec.name must not be empty\",\"opSpec."
	                 "parallelism 0 < 1\"]}");
	drove_assert_error(drove_client_app_cancel(cl, "A-1"), DROVE_EINVAL,
	                   "Current operation could not be cancelled");
	ck_assert_int_eq(drove_client_last_status(cl), 400);
	ck_assert_ptr_null(drove_client_last_error_data(cl)); /* no data in that envelope */
	drove_assert_error(drove_client_cluster_maintenance_set_json(cl, 1, NULL), DROVE_EAUTH,
	                   "403");
	drove_assert_error(drove_client_cluster_get_json(cl, NULL), DROVE_ERROR,
	                   "Unexpected Server error (HTTP 500): boom");
	drove_assert_error(drove_client_task_delete(cl, "A", "T2"), DROVE_ERROR,
	                   "Could not delete A/T2");
	ck_assert_int_eq(drove_client_last_status(cl), 200);
	ck_assert_str_eq(drove_client_last_error_data(cl), "{\"deleted\":false}");
	drove_assert_error(drove_client_local_service_list_json(cl, NULL), DROVE_ERROR,
	                   "invalid response");
	drove_assert_error(drove_client_executor_list_json(cl, NULL), DROVE_ENOTFOUND,
	                   "404 not found: /apis/v1/cluster/executors");
	ck_assert_int_eq(drove_client_last_status(cl), 404);
	ck_assert_ptr_null(drove_client_last_error_data(cl));
	drove_assert_error(drove_client_app_get_json(cl, "NOPE-1", NULL), DROVE_ENOTFOUND,
	                   "not found");
	ck_assert_int_eq(drove_client_last_status(cl), 200);
	ck_assert_ptr_null(drove_client_last_error_data(cl));
	ck_assert_int_eq(drove_client_last_status(NULL), 0);
	ck_assert_ptr_null(drove_client_last_error_data(NULL));
	drove_assert_error(drove_client_app_get_json(cl, "", NULL), DROVE_EINVAL, "app id");
	mock_stop(a);
}
END_TEST

START_TEST(test_auth_basic_and_header)
{
	struct mock *a = mock_start();
	add_ep(a);
	a->require_auth = "Basic YWRtaW46c2VjcmV0"; /* admin:secret */
	ck_assert_int_eq(drove_client_set_basic_auth(cl, "admin", "wrong"), 0);
	drove_assert_error(drove_client_ping(cl), DROVE_EAUTH,
	                   "401 unauthorized: Credentials are required to access this resource.");
	ck_assert_int_eq(mock_get(a, &a->requests), 1); /* an auth failure is not retried */
	ck_assert_int_eq(drove_client_set_basic_auth(cl, "admin", "secret"), 0);
	ck_assert_int_eq(drove_client_ping(cl), 0);

	pthread_mutex_lock(&a->lock);
	a->require_auth = "O-Bearer tok";
	pthread_mutex_unlock(&a->lock);
	ck_assert_int_eq(drove_client_set_auth_header(cl, "O-Bearer tok"), 0);
	ck_assert_int_eq(drove_client_ping(cl), 0);
	drove_assert_error(drove_client_set_auth_header(cl, "a\r\nX: y"), DROVE_EINVAL,
	                   "line break");
	drove_assert_error(drove_client_set_basic_auth(cl, "a:b", "c"), DROVE_EINVAL, "username");
	mock_stop(a);
}
END_TEST

START_TEST(test_raw_request_response)
{
	struct mock *a = mock_start();
	drove_client_response *r = NULL;
	size_t len;
	add_ep(a);
	mock_add(a, "POST", "/apis/v1/tasks/operations", 400,
	         "{\"status\":\"FAILED\",\"data\":{\"validationErrors\":[\"Task already exists for "
	         "A/T1 with taskID: A-T1\"]},\"message\":\"Command validation failure\"}");
	ck_assert_int_eq(
	        drove_client_request(cl, "POST", "/apis/v1/tasks/operations", NULL, "{}", &r), 0);
	ck_assert_int_eq(drove_client_response_status(r), 400);
	ck_assert_int_eq(drove_client_response_ok(r), 0);
	ck_assert_str_eq(drove_client_response_message(r), "Command validation failure");
	ck_assert_ptr_nonnull(strstr(drove_client_response_data(r), "Task already exists "));
	ck_assert_ptr_nonnull(strstr(drove_client_response_body(r, &len), "validationErrors"));
	ck_assert_uint_gt(len, 50);
	drove_client_response_free(r);
	drove_assert_error(drove_client_request(cl, "GET", "no-slash", NULL, NULL, &r),
	                   DROVE_EINVAL, "path");
	mock_stop(a);
}
END_TEST

START_TEST(test_bad_arguments)
{
	drove_assert_error(drove_client_add_endpoint(cl, "ftp://x"), DROVE_EINVAL, "ftp://x");
	drove_assert_error(drove_client_add_endpoint(cl, "http://"), DROVE_EINVAL, "no host");
	drove_assert_error(drove_client_set_timeouts(cl, 0, 10), DROVE_EINVAL, "timeouts");
	drove_assert_error(drove_client_set_retries(cl, 101, 1, 2), DROVE_EINVAL, "retries");
	drove_assert_error(drove_client_set_retries(cl, 1, 5, 2), DROVE_EINVAL, "backoff");
	drove_assert_error(drove_client_find_leader(cl), DROVE_EINVAL, "no controller endpoint");
	drove_client_set_insecure(cl, 1);
}
END_TEST

/* ---- typed helpers: the request each one sends ---- */

struct expect {
	const char *method, *uri, *body_has;
};

START_TEST(test_typed_helpers_send_drove_requests)
{
	struct mock *a = mock_start();
	static const char *ids[] = {"AI-1", "AI-2"};
	char m[16], u[1024], b[4096], *id = NULL, *data = NULL;
	int i = 0;

	add_ep(a);
	mock_add(a, NULL, "/apis/v1/*", 200,
	         OK_ENV("{\"appId\":\"APP-1\",\"taskId\":\"APP-T1\",\"serviceId\":\"LS-1\"}"));
#define EXPECT(call, meth, uri_, has)                                                      \
	do {                                                                               \
		ck_assert_msg((call) == 0, "call %d: %s", i, drove_error_last()->message); \
		mock_last(a, m, sizeof(m), u, sizeof(u), b, sizeof(b));                    \
		ck_assert_str_eq(m, meth);                                                 \
		ck_assert_str_eq(u, uri_);                                                 \
		ck_assert_msg(strstr(b, has) != NULL, "body '%s' lacks '%s'", b, has);     \
		i++;                                                                       \
	} while (0)
	EXPECT(drove_client_app_spec_get_json(cl, "APP-1", NULL), "GET",
	       "/apis/v1/applications/APP-1/spec", "");
	EXPECT(drove_client_app_instance_list_json(cl, "APP 1", "HEALTHY,UNHEALTHY", NULL), "GET",
	       "/apis/v1/applications/APP%201/instances?state=HEALTHY&state=UNHEALTHY", "");
	EXPECT(drove_client_app_instance_list_old_json(cl, "APP-1", NULL), "GET",
	       "/apis/v1/applications/APP-1/instances/old", "");
	EXPECT(drove_client_app_instance_get_json(cl, "APP-1", "AI-1", NULL), "GET",
	       "/apis/v1/applications/APP-1/instances/AI-1", "");
	EXPECT(drove_client_app_create(cl, "{\"name\":\"APP\",\"version\":\"1\"}", 2, "1m", 3, &id),
	       "POST", "/apis/v1/applications/operations",
	       "{\"type\":\"CREATE\",\"spec\":{\"name\":\"APP\",\"version\":\"1\"},\"instances\":2,"
	       "\"opSpec\":{\"timeout\":\"1m\",\"parallelism\":3,\"failureStrategy\":\"STOP\"}}");
	ck_assert_str_eq(id, "APP-1");
	drove_free(id);
	EXPECT(drove_client_app_scale(cl, "APP-1", 4, NULL, 0), "POST",
	       "/apis/v1/applications/operations",
	       "{\"type\":\"SCALE\",\"appId\":\"APP-1\",\"requiredInstances\":4,\"opSpec\":{"
	       "\"timeout\":"
	       "\"5m\",\"parallelism\":1,");
	EXPECT(drove_client_app_instance_start(cl, "APP-1", 2, NULL, 1), "POST",
	       "/apis/v1/applications/operations",
	       "\"type\":\"START_INSTANCES\",\"appId\":\"APP-1\",\"instances\":2");
	EXPECT(drove_client_app_suspend(cl, "APP-1", NULL, 1), "POST",
	       "/apis/v1/applications/operations", "\"type\":\"SUSPEND\"");
	EXPECT(drove_client_app_recover(cl, "APP-1"), "POST", "/apis/v1/applications/operations",
	       "{\"type\":\"RECOVER\",\"appId\":\"APP-1\"}");
	EXPECT(drove_client_app_restart(cl, "APP-1", 0, "2m", 2), "POST",
	       "/apis/v1/applications/operations",
	       "\"type\":\"REPLACE_INSTANCES\",\"appId\":\"APP-1\",\"instanceIds\":[],"
	       "\"stopFirst\":false");
	EXPECT(drove_client_app_destroy(cl, "APP-1"), "POST", "/apis/v1/applications/operations",
	       "\"type\":\"DESTROY\",\"appId\":\"APP-1\"");
	EXPECT(drove_client_app_cancel(cl, "APP-1"), "POST",
	       "/apis/v1/applications/operations/APP-1/cancel", "");
	EXPECT(drove_client_app_operation_json(cl, "{\"type\":\"RECOVER\",\"appId\":\"X-1\"}",
	                                       NULL),
	       "POST", "/apis/v1/applications/operations", "X-1");
	EXPECT(drove_client_app_instance_replace(cl, "APP-1", ids, 2, 1, NULL, 1), "POST",
	       "/apis/v1/applications/operations",
	       "\"instanceIds\":[\"AI-1\",\"AI-2\"],\"stopFirst\":true");
	EXPECT(drove_client_app_instance_kill(cl, "APP-1", ids, 1, 1, NULL, 1), "POST",
	       "/apis/v1/applications/operations",
	       "\"type\":\"STOP_INSTANCES\",\"appId\":\"APP-1\",\"instanceIds\":[\"AI-1\"],"
	       "\"skipRespawn\":true");
	EXPECT(drove_client_task_create(cl, "{\"sourceAppName\":\"APP\",\"taskId\":\"T1\"}", NULL,
	                                &id),
	       "POST", "/apis/v1/tasks/operations",
	       "{\"type\":\"CREATE\",\"spec\":{\"sourceAppName\"");
	ck_assert_str_eq(id, "APP-T1");
	drove_free(id);
	EXPECT(drove_client_task_get_json(cl, "APP", "T1", NULL), "GET",
	       "/apis/v1/tasks/APP/instances/T1", "");
	EXPECT(drove_client_task_kill(cl, "APP", "T1", NULL), "POST", "/apis/v1/tasks/operations",
	       "{\"type\":\"KILL\",\"sourceAppName\":\"APP\",\"taskId\":\"T1\",\"opSpec\"");
	EXPECT(drove_client_task_delete(cl, "APP", "T1"), "DELETE",
	       "/apis/v1/tasks/APP/instances/T1", "");
	EXPECT(drove_client_local_service_get_json(cl, "LS-1", NULL), "GET",
	       "/apis/v1/localservices/LS-1", "");
	EXPECT(drove_client_local_service_spec_get_json(cl, "LS-1", NULL), "GET",
	       "/apis/v1/localservices/LS-1/spec", "");
	EXPECT(drove_client_local_service_instance_list_json(cl, "LS-1", NULL, NULL), "GET",
	       "/apis/v1/localservices/LS-1/instances", "");
	EXPECT(drove_client_local_service_instance_list_old_json(cl, "LS-1", NULL), "GET",
	       "/apis/v1/localservices/LS-1/instances/old", "");
	EXPECT(drove_client_local_service_instance_get_json(cl, "LS-1", "SI-1", NULL), "GET",
	       "/apis/v1/localservices/LS-1/instances/SI-1", "");
	EXPECT(drove_client_local_service_create(cl, "{\"name\":\"LS\"}", 2, &id), "POST",
	       "/apis/v1/localservices/operations", "\"instancesPerHost\":2");
	ck_assert_str_eq(id, "LS-1");
	drove_free(id);
	EXPECT(drove_client_local_service_op(cl, DROVE_CLIENT_LOCAL_SERVICE_ACTIVATE, "LS-1"),
	       "POST", "/apis/v1/localservices/operations",
	       "{\"type\":\"ACTIVATE\",\"serviceId\":\"LS-1\"}");
	EXPECT(drove_client_local_service_update_instances(cl, "LS-1", 3), "POST",
	       "/apis/v1/localservices/operations",
	       "\"type\":\"UPDATE_INSTANCE_COUNT\",\"serviceId\":\"LS-1\",\"instancesPerHost\":3");
	EXPECT(drove_client_local_service_restart(cl, "LS-1", 1, NULL, 1), "POST",
	       "/apis/v1/localservices/operations", "\"stopFirst\":true,\"clusterOpSpec\"");
	EXPECT(drove_client_local_service_cancel(cl, "LS-1"), "POST",
	       "/apis/v1/localservices/operations/LS-1/cancel", "");
	EXPECT(drove_client_local_service_instance_op(cl, "LS-1", ids, 2,
	                                              DROVE_CLIENT_INSTANCE_KILL, NULL, 1),
	       "POST", "/apis/v1/localservices/operations", "\"type\":\"STOP_INSTANCES\"");
	EXPECT(drove_client_local_service_operation_json(
	               cl, "{\"type\":\"DESTROY\",\"serviceId\":\"LS-1\"}", NULL),
	       "POST", "/apis/v1/localservices/operations", "DESTROY");
	EXPECT(drove_client_cluster_maintenance_set_json(cl, 0, NULL), "POST",
	       "/apis/v1/cluster/maintenance/unset", "");
	EXPECT(drove_client_event_list_json(cl, 17, 10, NULL), "GET",
	       "/apis/v1/cluster/events?lastSyncTime=17&size=10", "");
	EXPECT(drove_client_event_summary_get_json(cl, 0, NULL), "GET",
	       "/apis/v1/cluster/events/summary?lastSyncTime=0", "");
	EXPECT(drove_client_executor_get_json(cl, "ex-1", NULL), "GET",
	       "/apis/v1/cluster/executors/ex-1", "");
	EXPECT(drove_client_executor_blacklist_json(cl, ids, 2, 1, NULL), "POST",
	       "/apis/v1/cluster/executors/blacklist?id=AI-1&id=AI-2", "");
	EXPECT(drove_client_executor_blacklist_json(cl, ids, 1, 0, &data), "POST",
	       "/apis/v1/cluster/executors/unblacklist?id=AI-1", "");
	ck_assert_ptr_nonnull(strstr(data, "appId"));
	drove_free(data);
	EXPECT(drove_client_endpoint_list_json(cl, "APP", NULL), "GET",
	       "/apis/v1/endpoints?app=APP", "");
	EXPECT(drove_client_endpoint_list_json(cl, NULL, NULL), "GET", "/apis/v1/endpoints", "");
#undef EXPECT
	drove_assert_error(drove_client_local_service_op(cl, 0, "LS-1"), DROVE_EINVAL,
	                   "unknown value 0");
	drove_assert_error(drove_client_local_service_op(cl, 6, "LS-1"), DROVE_EINVAL,
	                   "unknown value 6");
	drove_assert_error(drove_client_local_service_instance_op(cl, "LS-1", ids, 1, 2, NULL, 1),
	                   DROVE_EINVAL, "unknown value 2");
	drove_assert_error(drove_client_app_create(cl, "[1]", 1, NULL, 1, NULL), DROVE_EINVAL,
	                   "application spec: not a JSON object");
	drove_assert_error(drove_client_task_create(cl, "{\"a\":", NULL, NULL), DROVE_EINVAL,
	                   "task spec");
	drove_assert_error(drove_client_app_instance_kill(cl, "A-1", ids, 0, 0, NULL, 1),
	                   DROVE_EINVAL, "none given");
	mock_stop(a);
}
END_TEST

/* ---- log files ---- */

START_TEST(test_logs)
{
	struct mock *a = mock_start();
	char *data = NULL, path[] = "/tmp/drove-client-dl-XXXXXX", buf[64];
	int64_t off = -1, bytes = 0;
	size_t len = 0;
	int fd;

	add_ep(a);
	mock_add(a, "GET", "/apis/v1/logfiles/applications/A-1/AI-1/list", 200,
	         "{\"files\":[\"output.log\"]}");
	mock_add(a, "GET",
	         "/apis/v1/logfiles/applications/A-1/AI-1/read/output.log?offset=-1&length=-1", 200,
	         "{\"data\":\"\",\"offset\":100}");
	mock_add(a, "GET",
	         "/apis/v1/logfiles/applications/A-1/AI-1/read/output.log?offset=100&length=-1",
	         200, "{\"data\":\"hello\\n\",\"offset\":100}");
	mock_add_raw(a, "GET", "/apis/v1/logfiles/applications/A-1/AI-1/download/output.log", 200,
	             "line1\nline2\n", "text/plain", 0);
	mock_add(a, "GET", "/apis/v1/logfiles/tasks/A/T9/list", 204, NULL);
	mock_add(a, "GET", "/apis/v1/logfiles/tasks/A/T8/list", 400,
	         "{\"error\":\"drove log appender not configured\"}");

	ck_assert_int_eq(drove_client_log_list_json(cl, "applications", "A-1", "AI-1", &data), 0);
	ck_assert_str_eq(data, "{\"files\":[\"output.log\"]}");
	drove_free(data);
	ck_assert_int_eq(drove_client_log_read(cl, "applications", "A-1", "AI-1", "output.log",
	                                       &off, -1, &data, &len),
	                 0);
	ck_assert_int_eq(off, 100);
	ck_assert_str_eq(data, "");
	drove_free(data);
	ck_assert_int_eq(drove_client_log_read(cl, "applications", "A-1", "AI-1", "output.log",
	                                       &off, -1, &data, &len),
	                 0);
	ck_assert_str_eq(data, "hello\n");
	ck_assert_int_eq(off, 106); /* advanced by the bytes received */
	ck_assert_uint_eq(len, 6);
	drove_free(data);

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(drove_client_log_download(cl, "applications", "A-1", "AI-1", "output.log",
	                                           fd, &bytes),
	                 0);
	ck_assert_int_eq(bytes, 12);
	ck_assert_int_eq(pread(fd, buf, sizeof(buf), 0), 12);
	ck_assert_int_eq(memcmp(buf, "line1\nline2\n", 12), 0);
	close(fd);
	unlink(path);

	drove_assert_error(drove_client_log_list_json(cl, "tasks", "A", "T9", &data),
	                   DROVE_ENOTFOUND, "204");
	drove_assert_error(drove_client_log_list_json(cl, "tasks", "A", "T8", &data), DROVE_EINVAL,
	                   "drove log appender not configured");
	drove_assert_error(drove_client_log_list_json(cl, "bogus", "A", "T8", &data), DROVE_EINVAL,
	                   "bogus");
	mock_stop(a);
}
END_TEST

/* ---- envelope parsing (internal) ---- */

START_TEST(test_envelope_parse)
{
	drove__client_envelope env;
	const char *ok =
	        "{\"status\":\"SUCCESS\",\"data\":{\"a\":\"x/y\"},\"message\":\"success\"} \n";
	ck_assert_int_eq(drove__client_envelope_parse(ok, strlen(ok), &env), 0);
	ck_assert_int_eq(env.success, 1);
	ck_assert_str_eq(env.data, "{\"a\":\"x/y\"}");
	ck_assert_str_eq(env.message, "success");
	drove__client_envelope_clear(&env);
	drove_assert_error(drove__client_envelope_parse("{\"a\":1}", 7, &env), DROVE_EINVAL,
	                   "not an envelope");
	drove_assert_error(drove__client_envelope_parse("{\"status\":\"X\"} x", 16, &env),
	                   DROVE_EINVAL, "trailing");
	drove_assert_error(drove__client_envelope_parse("{\"status\":", 10, &env), DROVE_EINVAL,
	                   "truncated");
	drove_assert_error(drove__client_envelope_parse("", 0, &env), DROVE_EINVAL, "empty");
	{
		/* nesting beyond the cap */
		char deep[300];
		memset(deep, '[', sizeof(deep));
		drove_assert_error(drove__client_envelope_parse(deep, sizeof(deep), &env),
		                   DROVE_EINVAL, "not JSON");
	}
}
END_TEST

/* `data` kept parsed (one parse for envelope and record), and the error mapping from an
 * envelope parsed once: the same answers as from the body. */
START_TEST(test_envelope_keep_data)
{
	drove__client_envelope env;
	const char *ok = "{\"status\":\"SUCCESS\",\"data\":{\"a\":\"x/y\"},\"message\":\"m\"}";
	const char *none = "{\"status\":\"SUCCESS\",\"data\":null}";
	const char *bad = "{\"status\":\"FAILED\",\"message\":\"Invalid spec\",\"data\":"
	                  "{\"validationErrors\":[\"name: must not be empty\",7]}}";
	const char *failed = "{\"status\":\"FAILED\",\"message\":\"No such task\"}";
	struct json_object *a = NULL;

	ck_assert_int_eq(
	        drove__client_envelope_parse_ex(ok, strlen(ok), DROVE__ENV_KEEP_DATA, &env), 0);
	ck_assert_ptr_null(env.data);
	ck_assert(json_object_object_get_ex(env.jdata, "a", &a));
	ck_assert_str_eq(json_object_get_string(a), "x/y");
	ck_assert_int_eq(drove__client_map_error_env(200, ok, strlen(ok), "/p", &env), 0);
	drove__client_envelope_clear(&env);
	ck_assert_ptr_null(env.jdata);

	ck_assert_int_eq(
	        drove__client_envelope_parse_ex(none, strlen(none), DROVE__ENV_KEEP_DATA, &env), 0);
	ck_assert_ptr_null(env.jdata);
	drove__client_envelope_clear(&env);

	ck_assert_int_eq(
	        drove__client_envelope_parse_ex(bad, strlen(bad), DROVE__ENV_KEEP_DATA, &env), 0);
	ck_assert_str_eq(env.validation, "name: must not be empty; 7");
	drove_assert_error(drove__client_map_error_env(400, bad, strlen(bad), "/p", &env),
	                   DROVE_EINVAL, "Invalid spec: name: must not be empty; 7");
	drove_assert_error(drove__client_map_error(400, bad, strlen(bad), "/p"), DROVE_EINVAL,
	                   "Invalid spec: name: must not be empty; 7");
	drove__client_envelope_clear(&env);

	ck_assert_int_eq(
	        drove__client_envelope_parse_ex(failed, strlen(failed), DROVE__ENV_KEEP_DATA, &env),
	        0);
	drove_assert_error(drove__client_map_error_env(200, failed, strlen(failed), "/p", &env),
	                   DROVE_ENOTFOUND, "No such task");
	drove__client_envelope_clear(&env);

	/* not an envelope: the executor's {"error"} or an excerpt of the body */
	drove_assert_error(drove__client_map_error_env(500, "{\"error\":\"boom\"}", 16, "/p", NULL),
	                   DROVE_ERROR, "boom (HTTP 500)");
	drove_assert_error(drove__client_map_error_env(200, "<html>", 6, "/p", NULL), DROVE_ERROR,
	                   "invalid response from the controller: <html>");
	drove_assert_error(drove__client_map_error_env(401, "", 0, "/p", NULL), DROVE_EAUTH,
	                   "Credentials are required");
	drove_assert_error(drove__client_map_error_env(401, "go away", 7, "/p", NULL), DROVE_EAUTH,
	                   "401 unauthorized: go away");
}
END_TEST

/* ---- ~/.drove ---- */

static const char *INI = "# drove cli config\n"
                         "[DEFAULT]\n"
                         "current_cluster = prod\n"
                         "insecure = false\n"
                         "\n"
                         "[local]\n"
                         "endpoint = http://127.0.0.1:4000\n"
                         "; a comment\n"
                         "[prod]\n"
                         "Endpoint: https://drove.example.com\n"
                         "username = admin\n"
                         "password = a=b:c\n"
                         "insecure = true\n";

START_TEST(test_config_parse_and_get)
{
	drove_client_config *cfg = NULL;
	ck_assert_int_eq(drove_client_config_parse(&cfg, INI, strlen(INI)), 0);
	ck_assert_str_eq(drove_client_config_get(cfg, "DEFAULT", "current_cluster"), "prod");
	ck_assert_str_eq(drove_client_config_get(cfg, "prod", "endpoint"),
	                 "https://drove.example.com");
	ck_assert_str_eq(drove_client_config_get(cfg, "prod", "password"), "a=b:c");
	ck_assert_str_eq(drove_client_config_get(cfg, "prod", "insecure"), "true");
	ck_assert_str_eq(drove_client_config_get(cfg, "local", "insecure"),
	                 "false"); /* inherited */
	ck_assert_ptr_null(drove_client_config_get(cfg, "local", "username"));
	ck_assert_ptr_null(drove_client_config_get(cfg, "nope", "endpoint"));
	ck_assert_uint_eq(drove_client_config_section_count(cfg), 2);
	ck_assert_str_eq(drove_client_config_section(cfg, 0), "local");
	ck_assert_str_eq(drove_client_config_section(cfg, 1), "prod");
	ck_assert_ptr_null(drove_client_config_section(cfg, 2));
	ck_assert_int_eq(drove_client_config_has_section(cfg, "DEFAULT"), 1);
	ck_assert_int_eq(drove__client_bool(drove_client_config_get(cfg, "prod", "insecure")), 1);
	drove_client_config_free(cfg);
}
END_TEST

START_TEST(test_config_errors)
{
	drove_client_config *cfg = NULL;
	drove_assert_error(drove_client_config_parse(&cfg, "[a\nx=1\n", 7), DROVE_EINVAL,
	                   "line 1: bad section header");
	drove_assert_error(drove_client_config_parse(&cfg, "[a]\nnovalue\n", 12), DROVE_EINVAL,
	                   "line 2: expected key = value");
	drove_assert_error(drove_client_config_parse(&cfg, "x = 1\n", 6), DROVE_EINVAL,
	                   "line 1: a value before any [section]");
	drove_assert_error(drove_client_config_parse(&cfg, "[a]\n = 1\n", 9), DROVE_EINVAL,
	                   "line 2: empty key");
	ck_assert_ptr_null(cfg);
	drove_assert_error(drove_client_config_load(&cfg, "/nonexistent/drove"), DROVE_ENOTFOUND,
	                   "no such file");
}
END_TEST

START_TEST(test_config_set_save_load)
{
	drove_client_config *cfg = NULL, *back = NULL;
	char dir[] = "/tmp/drove-ini-XXXXXX", path[256], *text = NULL;
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/.drove", dir);
	ck_assert_int_eq(drove_client_config_new(&cfg), 0);
	ck_assert_int_eq(drove_client_config_set(cfg, "DEFAULT", "current_cluster", "local"), 0);
	ck_assert_int_eq(drove_client_config_set(cfg, "local", "endpoint", "http://127.0.0.1:4000"),
	                 0);
	ck_assert_int_eq(drove_client_config_set(cfg, "local", "password", "p w"), 0);
	ck_assert_int_eq(drove_client_config_set(cfg, "gone", "endpoint", "http://x"), 0);
	ck_assert_int_eq(drove_client_config_remove_section(cfg, "gone"), 0);
	drove_assert_error(drove_client_config_remove_section(cfg, "gone"), DROVE_ENOTFOUND,
	                   "gone");
	ck_assert_int_eq(drove_client_config_set(cfg, "local", "password", NULL), 0);
	drove_assert_error(drove_client_config_set(cfg, "local", "k", "a\nb"), DROVE_EINVAL,
	                   "line break");
	drove_assert_error(drove_client_config_set(cfg, "a]b", "k", "v"), DROVE_EINVAL, "section");
	ck_assert_int_eq(drove_client_config_to_string(cfg, &text), 0);
	ck_assert_str_eq(text, "[DEFAULT]\ncurrent_cluster = local\n\n[local]\nendpoint = "
	                       "http://127.0.0.1:4000\n\n");
	drove_free(text);
	ck_assert_int_eq(drove_client_config_save(cfg, path), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(drove_client_config_load(&back, path), 0);
	ck_assert_str_eq(drove_client_config_get(back, "local", "endpoint"),
	                 "http://127.0.0.1:4000");
	ck_assert_str_eq(drove_client_config_get(back, "local", "current_cluster"), "local");
	ck_assert_ptr_null(drove_client_config_get(back, "local", "password"));
	drove_client_config_free(cfg);
	drove_client_config_free(back);
	unlink(path);
	rmdir(dir);
}
END_TEST

Suite *client_suite(void)
{
	Suite *s = suite_create("client");
	TCase *tc = tcase_create("leader");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_leader_is_the_one_that_pongs);
	tcase_add_test(tc, test_failover_when_leader_goes_away);
	tcase_add_test(tc, test_not_leader_answer_re_resolves);
	tcase_add_test(tc, test_no_leader_anywhere);
	tcase_add_test(tc, test_retries_zero_means_one_try);
	tcase_add_test(tc, test_post_is_not_resent_after_a_timeout);
	tcase_add_test(tc, test_get_timeout);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_auth_line);
	tcase_add_test(tc, test_error_mapping);
	tcase_add_test(tc, test_auth_basic_and_header);
	tcase_add_test(tc, test_raw_request_response);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_envelope_parse);
	tcase_add_test(tc, test_envelope_keep_data);
	suite_add_tcase(s, tc);

	tc = tcase_create("api");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_typed_helpers_send_drove_requests);
	tcase_add_test(tc, test_logs);
	suite_add_tcase(s, tc);

	tc = tcase_create("config");
	tcase_add_test(tc, test_config_parse_and_get);
	tcase_add_test(tc, test_config_errors);
	tcase_add_test(tc, test_config_set_save_load);
	suite_add_tcase(s, tc);
	return s;
}
