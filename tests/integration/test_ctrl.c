/* The controller engine end to end: the real engine in-process (embedded store, and ZooKeeper
 * when DROVE_TEST_ZK is set), its REST API over loopback with libcurl, and simulated executors
 * speaking docs/protocol.md (test_ctrl_fake.h). */

#include "test_ctrl_env.h"

/* ---- tests ---- */

START_TEST(test_ping_and_lookups)
{
	char *b = NULL;
	ck_assert_int_eq(http("GET", "/apis/v1/ping", NULL, &b), 200);
	ck_assert_str_eq(b, "{\"status\":\"SUCCESS\",\"data\":\"pong\",\"message\":\"success\"}");
	free(b);
	ck_assert_int_eq(http("GET", "/apis/v1/applications/NOPE-1", NULL, &b), 200);
	ck_assert_str_eq(b, "{\"status\":\"FAILED\",\"message\":\"App NOPE-1 not found\"}");
	free(b);
	ck_assert_int_eq(http("GET", "/apis/v1/applications/NOPE-1/spec", NULL, &b), 200);
	ck_assert_ptr_nonnull(strstr(b, "App NOPE-1 not found"));
	free(b);
	ck_assert_int_eq(http("GET", "/apis/v1/applications/NOPE-1/instances/AI-x", NULL, &b), 200);
	ck_assert_str_eq(b, "{\"status\":\"FAILED\",\"message\":\"No such application instance "
	                    "NOPE-1/AI-x\"}");
	free(b);
	ck_assert_int_eq(http("GET", "/apis/v1/applications/NOPE-1/instances", NULL, &b), 200);
	ck_assert_str_eq(b, "{\"status\":\"SUCCESS\",\"data\":[],\"message\":\"success\"}");
	free(b);
	ck_assert_int_eq(http("GET", "/apis/v1/cluster/executors/nope", NULL, &b), 200);
	ck_assert_ptr_nonnull(strstr(b, "No executor found with id: nope"));
	ck_assert_ptr_null(strstr(b, "\"data\""));
	free(b);
	ck_assert_int_eq(http("GET", "/apis/v1/nothing/here", NULL, &b), 404);
	free(b);
	/* adminConnectors: [] opens no admin port; the registry still counts the API */
	ck_assert_int_eq(drove_controller_admin_port(ctrl), -1);
	ck_assert_int_eq(drove_metrics_render(drove_controller_metrics(ctrl), &b, NULL), 0);
	ck_assert_msg(strstr(b, "drove_api_requests_total{route=\"/apis/v1/ping\",method=\"GET\","
	                        "status=\"200\"} 1\n"),
	              "%s", b);
	ck_assert_ptr_nonnull(strstr(b,
	                             "drove_api_requests_total{route=\"unmatched\",method=\"GET\","
	                             "status=\"404\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(b, "drove_leader 1\n"));
	drove_free(b);
	ck_assert_int_eq(drove_controller_admin_port(NULL), -1);
	ck_assert_ptr_null(drove_controller_metrics(NULL));
}
END_TEST

START_TEST(test_bad_input)
{
	char *b = NULL, *big;
	size_t n = 3 * 1024 * 1024;
	struct json_object *root, *d;

	/* malformed JSON */
	ck_assert_int_eq(post_op("{\"type\":\"SCALE\",", &b), 400);
	ck_assert_ptr_nonnull(strstr(b, "\"message\":\"JSON validation failure\""));
	ck_assert_ptr_nonnull(strstr(b, "validationErrors"));
	free(b);
	/* unknown op type */
	ck_assert_int_eq(post_op("{\"type\":\"EXPLODE\",\"appId\":\"X-1\"}", &b), 400);
	ck_assert_ptr_nonnull(strstr(b, "validation failure"));
	free(b);
	/* invalid spec: the message names the field */
	ck_assert_int_eq(post_op("{\"type\":\"CREATE\",\"spec\":{\"name\":\"A\",\"version\":\"1\","
	                         "\"executable\":{\"type\":\"DOCKER\",\"url\":\"x\"},"
	                         "\"resources\":[{\"type\":\"CPU\",\"count\":0},{\"type\":"
	                         "\"MEMORY\",\"sizeInMB\":64}]}," OPSPEC "}",
	                         &b),
	                 400);
	ck_assert_ptr_nonnull(strstr(b, "Command validation failure"));
	ck_assert_ptr_nonnull(strstr(b, "count"));
	free(b);
	/* unknown app */
	ck_assert_int_eq(
	        post_op("{\"type\":\"SCALE\",\"appId\":\"NOPE-1\",\"requiredInstances\":1," OPSPEC
	                "}",
	                &b),
	        400);
	ck_assert_ptr_nonnull(strstr(b, "No state found for app: NOPE-1"));
	free(b);
	/* too large */
	big = malloc(n + 1);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\0';
	ck_assert_int_eq(post_op(big, &b), 413);
	free(b);
	free(big);
	/* nothing stored */
	d = get_data("/apis/v1/applications", &root);
	ck_assert_int_eq(json_object_object_length(d), 0);
	json_object_put(root);
	/* an op not allowed in the state */
	create_app(0);
	ck_assert_int_eq(post_op("{\"type\":\"STOP_INSTANCES\",\"appId\":\"" APP "\","
	                         "\"instanceIds\":[\"AI-1\"]," OPSPEC "}",
	                         &b),
	                 400);
	ck_assert_ptr_nonnull(strstr(b, "Only [START_INSTANCES, SCALE_INSTANCES, RECOVER, DESTROY] "
	                                "allowed for app " APP " as it is in MONITORING state"));
	free(b);
	/* CREATE twice */
	{
		size_t len;
		char *spec = drove_test_read_source_file("tests/data/model/application.json", &len);
		char *body = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s," OPSPEC "}", spec);
		ck_assert_int_eq(post_op(body, &b), 400);
		ck_assert_ptr_nonnull(strstr(b, "App " APP " already exists"));
		free(b);
		free(body);
		free(spec);
	}
	/* scale beyond the cluster */
	ck_assert_int_eq(post_op("{\"type\":\"SCALE\",\"appId\":\"" APP
	                         "\",\"requiredInstances\":100," OPSPEC "}",
	                         &b),
	                 400);
	ck_assert_ptr_nonnull(strstr(b, "Cluster does not have enough CPU. Required: 100"));
	free(b);
	ck_assert_int_eq(fx[0]->starts + fx[1]->starts, 0);
	/* spec masking and validate */
	d = get_data("/apis/v1/applications/" APP "/spec", &root);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(
	                         json_object_array_get_idx(json_object_object_get(d, "configs"), 0),
	                         "data")),
	                 "");
	json_object_put(root);
}
END_TEST

START_TEST(test_lifecycle)
{
	char *ids, *ids2, *b = NULL;
	struct json_object *root, *d;
	int64_t sync;

	create_app(0);
	ck_assert(app_state_is("MONITORING"));
	simple_op("SCALE", "\"requiredInstances\":3");
	wait_app("RUNNING", 3, 8000);
	ck_assert_int_eq(count_on(fx[0]) + count_on(fx[1]), 3);
	/* endpoints */
	d = get_data("/apis/v1/endpoints?app=DROVE_TEST_APP", &root);
	ck_assert_int_eq(json_object_array_length(d), 1);
	d = json_object_array_get_idx(d, 0);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(d, "vhost")),
	                 "testapp.local");
	ck_assert_int_eq(json_object_array_length(json_object_object_get(d, "hosts")), 3);
	json_object_put(root);
	d = get_data("/apis/v1/endpoints/app/OTHER", &root);
	ck_assert_int_eq(json_object_array_length(d), 0);
	json_object_put(root);
	/* cluster summary */
	d = get_data("/apis/v1/cluster", &root);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(d, "numExecutors")), 2);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(d, "numActiveApplications")),
	                 1);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(d, "totalCores")), 16);
	json_object_put(root);
	/* scale down */
	simple_op("SCALE", "\"requiredInstances\":1");
	wait_app("RUNNING", 1, 8000);
	d = get_data("/apis/v1/applications/" APP "/instances/old", &root);
	ck_assert_int_eq(json_object_array_length(d), 2);
	json_object_put(root);
	/* replace: a new id */
	ids = healthy_ids();
	simple_op("REPLACE_INSTANCES", "\"instanceIds\":[]");
	for (int i = 0; i < 160; i++) {
		ids2 = healthy_ids();
		if (*ids2 && strcmp(ids, ids2) && !strchr(ids2, ',') && app_state_is("RUNNING"))
			break;
		free(ids2);
		ids2 = NULL;
		usleep(50 * 1000);
	}
	ck_assert_ptr_nonnull(ids2);
	ck_assert_str_ne(ids, ids2);
	free(ids);
	free(ids2);
	/* suspend, then start again */
	simple_op("SUSPEND", NULL);
	wait_app("MONITORING", 0, 8000);
	ck_assert_int_eq(app_field("requiredInstances"), 0);
	simple_op("START_INSTANCES", "\"instances\":2");
	wait_app("RUNNING", 2, 8000);
	/* stop one with skipRespawn */
	ids = healthy_ids();
	*strchr(ids, ',') = '\0';
	b = drove__asprintf("\"instanceIds\":[\"%s\"],\"skipRespawn\":true", ids);
	simple_op("STOP_INSTANCES", b);
	free(b);
	free(ids);
	wait_app("RUNNING", 1, 8000);
	ck_assert_int_eq(app_field("requiredInstances"), 1);
	/* events: summary and latest */
	d = get_data("/apis/v1/cluster/events/summary?lastSyncTime=0", &root);
	ck_assert_int_gt(json_object_get_int(json_object_object_get(
	                         json_object_object_get(d, "eventsCount"), "APP_STATE_CHANGE")),
	                 5);
	ck_assert_int_gt(
	        json_object_get_int(json_object_object_get(json_object_object_get(d, "eventsCount"),
	                                                   "INSTANCE_STATE_CHANGE")),
	        5);
	sync = json_object_get_int64(json_object_object_get(d, "lastSyncTime"));
	json_object_put(root);
	b = drove__asprintf("/apis/v1/cluster/events/latest?lastSyncTime=%lld&size=5",
	                    (long long)sync);
	d = get_data(b, &root);
	free(b);
	ck_assert_int_eq(json_object_array_length(json_object_object_get(d, "events")), 0);
	ck_assert_int_eq(json_object_get_int64(json_object_object_get(d, "lastSyncTime")), sync);
	json_object_put(root);
	d = get_data("/apis/v1/cluster/events/latest?lastSyncTime=0&size=3", &root);
	ck_assert_int_eq(json_object_array_length(json_object_object_get(d, "events")), 3);
	ck_assert_int_eq(
	        json_object_get_int64(json_object_object_get(
	                json_object_array_get_idx(json_object_object_get(d, "events"), 0), "time")),
	        sync);
	json_object_put(root);
	/* destroy */
	simple_op("SUSPEND", NULL);
	wait_app("MONITORING", 0, 8000);
	simple_op("DESTROY", NULL);
	for (int i = 0; i < 100; i++) {
		ck_assert_int_eq(http("GET", "/apis/v1/applications/" APP, NULL, &b), 200);
		if (strstr(b, "not found"))
			break;
		free(b);
		b = NULL;
		usleep(50 * 1000);
	}
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(strstr(b, "App " APP " not found"));
	free(b);
	ck_assert_int_eq(count_on(fx[0]) + count_on(fx[1]), 0);
}
END_TEST

START_TEST(test_blacklist)
{
	char *path, *b = NULL;
	struct json_object *root, *d;
	int64_t t0;

	struct fake_exec *a, *o;

	create_app(4);
	wait_app("RUNNING", 4, 8000);
	/* blacklist the executor with instances */
	a = count_on(fx[0]) > 0 ? fx[0] : fx[1];
	o = a == fx[0] ? fx[1] : fx[0];
	ck_assert_int_gt(count_on(a), 0);
	path = drove__asprintf("/apis/v1/cluster/executors/blacklist?id=%s&id=unknown", a->id);
	ck_assert_int_eq(http("POST", path, NULL, &b), 200);
	free(path);
	d = json_object_object_get(root = json_tokener_parse(b), "data");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(
	                         json_object_object_get(d, "successful"), 0)),
	                 a->id);
	ck_assert_str_eq(json_object_get_string(
	                         json_object_array_get_idx(json_object_object_get(d, "failed"), 0)),
	                 "unknown");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(d, "message")),
	                 "Blacklisting successful and app movement scheduled");
	json_object_put(root);
	free(b);
	t0 = drove_time_mono_ms();
	for (;;) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 15000, "not moved");
		if (count_on(a) == 0 && count_on(o) == 4 &&
		    a->state == DROVE_EXECUTOR_BLACKLISTED && app_state_is("RUNNING"))
			break;
		usleep(50 * 1000);
	}
	path = drove__asprintf("/apis/v1/cluster/executors/%s", a->id);
	d = get_data(path, &root);
	free(path);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(d, "executorState")),
	                 "BLACKLISTED");
	json_object_put(root);
	path = drove__asprintf("/apis/v1/cluster/executors/%s/unblacklist", a->id);
	ck_assert_int_eq(http("POST", path, NULL, &b), 200);
	ck_assert_ptr_nonnull(strstr(b, a->id));
	free(b);
	free(path);
	ck_assert_int_eq(a->state, DROVE_EXECUTOR_ACTIVE);
}
END_TEST

START_TEST(test_maintenance)
{
	char *b = NULL;
	create_app(0);
	ck_assert_int_eq(http("POST", "/apis/v1/cluster/maintenance/set", NULL, &b), 200);
	ck_assert_ptr_nonnull(strstr(b, "\"state\":\"MAINTENANCE\""));
	free(b);
	ck_assert_int_eq(post_op("{\"type\":\"SCALE\",\"appId\":\"" APP
	                         "\",\"requiredInstances\":1," OPSPEC "}",
	                         &b),
	                 400);
	ck_assert_ptr_nonnull(strstr(b, "Cluster is in maintenance mode"));
	free(b);
	ck_assert_int_eq(http("POST", "/apis/v1/cluster/executors/blacklist?id=x", NULL, &b), 200);
	ck_assert_str_eq(b,
	                 "{\"status\":\"FAILED\",\"message\":\"Cluster is in maintenance mode\"}");
	free(b);
	ck_assert_int_eq(http("POST", "/apis/v1/cluster/maintenance/unset", NULL, &b), 200);
	ck_assert_ptr_nonnull(strstr(b, "\"state\":\"NORMAL\""));
	free(b);
	simple_op("SCALE", "\"requiredInstances\":1");
	wait_app("RUNNING", 1, 8000);
}
END_TEST

START_TEST(test_auth)
{
	char *b = NULL;
	const char *writes[] = {"/apis/v1/applications/operations",
	                        "/apis/v1/operations",
	                        "/apis/v1/applications/operations/X-1/cancel",
	                        "/apis/v1/cluster/maintenance/set",
	                        "/apis/v1/cluster/maintenance/unset",
	                        "/apis/v1/cluster/executors/blacklist?id=x",
	                        "/apis/v1/cluster/executors/unblacklist?id=x"};

	/* a read-only user gets 403 on every write, 200 on reads */
	for (size_t i = 0; i < DROVE_ARRAY_LEN(writes); i++) {
		ck_assert_int_eq(http_to(port, "POST", writes[i], "{}", "guest:guestpw", NULL, &b),
		                 403);
		free(b);
	}
	ck_assert_int_eq(
	        http_to(port, "GET", "/apis/v1/applications", NULL, "guest:guestpw", NULL, &b),
	        200);
	free(b);
	/* no credentials: 401 */
	ck_assert_int_eq(http_to(port, "GET", "/apis/v1/applications", NULL, NULL, NULL, &b), 401);
	free(b);
	/* read-write users cannot blacklist; maintenance users can */
	ck_assert_int_eq(http_to(port, "POST", "/apis/v1/cluster/maintenance/set", NULL,
	                         "admin:adminpw", NULL, &b),
	                 403);
	free(b);
	ck_assert_int_eq(http_to(port, "POST", "/apis/v1/cluster/maintenance/unset", NULL,
	                         "ops:opspw", NULL, &b),
	                 200);
	free(b);
	/* internal calls without the secret: 401; with it: fine */
	ck_assert_int_eq(http_to(port, "POST", "/apis/v1/messages", "{}", NULL, NULL, &b), 401);
	free(b);
	ck_assert_int_eq(http_to(port, "GET", "/apis/v1/internal/cluster/resources/reserved", NULL,
	                         NULL, NULL, &b),
	                 401);
	free(b);
	ck_assert_int_eq(http_to(port, "GET", "/apis/v1/internal/cluster/resources/reserved", NULL,
	                         NULL, "Cluster-Authorization: exec-secret", &b),
	                 200);
	free(b);
	/* users cannot post executor messages */
	ck_assert_int_eq(
	        http_to(port, "POST", "/apis/v1/messages", "{}", "admin:adminpw", NULL, &b), 403);
	free(b);
	/* the write works for the read-write user */
	{
		size_t len;
		char *spec = drove_test_read_source_file("tests/data/model/application.json", &len);
		char *body = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s," OPSPEC "}", spec);
		ck_assert_int_eq(http_to(port, "POST", "/apis/v1/applications/operations", body,
		                         "admin:adminpw", NULL, &b),
		                 200);
		free(b);
		free(body);
		free(spec);
	}
}
END_TEST

static void slow_health(void *ud)
{
	(void)ud;
	for (int i = 0; i < 2; i++)
		fx[i]->health_delay_ms = 3000;
}

/* cancel: only a running SCALE / REPLACE; the expected count falls back to the healthy one */
START_TEST(test_cancel_and_validate)
{
	char *b = NULL, *path;
	size_t len;
	char *spec = drove_test_read_source_file("tests/data/model/application.json", &len);

	/* validate spec: fine, then not (unknown app name chars) */
	ck_assert_int_eq(http("POST", "/apis/v1/applications/validate/spec", spec, &b), 200);
	ck_assert_str_eq(b, "{\"status\":\"SUCCESS\",\"data\":{\"valid\":true},\"message\":"
	                    "\"success\"}");
	free(b);
	ck_assert_int_eq(http("POST", "/apis/v1/applications/validate/spec",
	                      "{\"name\":\"bad name\",\"version\":\"1\"}", &b),
	                 400);
	ck_assert_ptr_nonnull(strstr(b, "Command validation failure"));
	ck_assert_ptr_nonnull(strstr(b, "name"));
	free(b);
	free(spec);

	create_app(0);
	ck_assert_int_eq(http("POST", "/apis/v1/applications/operations/" APP "/cancel", NULL, &b),
	                 400);
	ck_assert_str_eq(b, "{\"status\":\"FAILED\",\"message\":\"Current operation could not "
	                    "be cancelled\"}");
	free(b);
	on_loop(slow_health, NULL);
	ck_assert_int_eq(post_op("{\"type\":\"SCALE\",\"appId\":\"" APP "\","
	                         "\"requiredInstances\":3,\"opSpec\":{\"timeout\":\"30 seconds\","
	                         "\"parallelism\":1,\"failureStrategy\":\"STOP\"}}",
	                         &b),
	                 200);
	free(b);
	usleep(300 * 1000);
	ck_assert(app_state_is("SCALING_REQUESTED"));
	/* a SCALE during SCALING_REQUESTED is accepted; START_INSTANCES is not */
	ck_assert_int_eq(post_op("{\"type\":\"START_INSTANCES\",\"appId\":\"" APP "\","
	                         "\"instances\":1," OPSPEC "}",
	                         &b),
	                 400);
	ck_assert_ptr_nonnull(strstr(b, "Only [SCALE_INSTANCES] allowed for app " APP
	                                " as it is in SCALING_REQUESTED state"));
	free(b);
	ck_assert_int_eq(http("POST", "/apis/v1/operations/" APP "/cancel", NULL, &b), 200);
	ck_assert_str_eq(b, "{\"status\":\"SUCCESS\",\"message\":\"success\"}");
	free(b);
	/* the starts under way finish; the expected count becomes what is healthy */
	for (int i = 0; i < 200 && app_state_is("SCALING_REQUESTED"); i++)
		usleep(50 * 1000);
	ck_assert(!app_state_is("SCALING_REQUESTED"));
	/* one at a time: the first start finished, the two others never began */
	ck_assert_int_eq(app_field("healthyInstances"), 1);
	ck_assert_int_eq(app_field("requiredInstances"), 1);
	ck_assert(app_state_is("RUNNING"));

	/* the executors' endpoints */
	path = drove__asprintf("/apis/v1/internal/cluster/executors/%s/instances/current",
	                       fx[0]->id);
	ck_assert_int_eq(
	        http_to(port, "GET", path, NULL, NULL, "Cluster-Authorization: exec-secret", &b),
	        200);
	ck_assert_ptr_nonnull(strstr(b, "\"appInstanceIds\":["));
	free(b);
	free(path);
	path = drove__asprintf("/apis/v1/internal/cluster/executors/%s/instances/last", fx[0]->id);
	ck_assert_int_eq(
	        http_to(port, "GET", path, NULL, NULL, "Cluster-Authorization: exec-secret", &b),
	        200);
	/* a live executor that restarts asks this too: nothing is LOST there, so it adopts all */
	ck_assert_ptr_nonnull(strstr(b, "\"appInstanceIds\":[]"));
	ck_assert_ptr_nonnull(strstr(b, "\"staleAppInstanceIds\":[]"));
	free(b);
	free(path);
}
END_TEST

/* CONTROLLER_HTTP_FETCH configs reach the executor as INLINE with the fetched bytes */
START_TEST(test_config_fetch)
{
	size_t len;
	char *spec = drove_test_read_source_file("tests/data/model/application.json", &len);
	char *inl = strstr(spec, "{\n            \"type\": \"INLINE\"");
	char *end, *fetch, *body, *b = NULL;
	struct fake_exec *got;

	ck_assert_ptr_nonnull(inl);
	end = strchr(inl, '}');
	fetch = drove__asprintf("%.*s{\"type\":\"CONTROLLER_HTTP_FETCH\",\"localFilename\":\"/c\","
	                        "\"http\":{\"protocol\":\"HTTP\",\"hostname\":\"127.0.0.1\","
	                        "\"port\":%d,\"path\":\"/config\",\"verb\":\"GET\"}}%s",
	                        (int)(inl - spec), spec, fx[0]->port, end + 1);
	body = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s,\"instances\":1," OPSPEC "}",
	                       fetch);
	ck_assert_int_eq(post_op(body, &b), 200);
	free(b);
	wait_app("RUNNING", 1, 8000);
	got = count_on(fx[0]) ? fx[0] : fx[1];
	ck_assert_str_eq(got->last_config, "INLINE:fetched-config");
	/* the stored spec keeps the fetch config */
	ck_assert_int_eq(http("GET", "/apis/v1/applications/" APP "/spec", NULL, &b), 200);
	ck_assert_ptr_nonnull(strstr(b, "CONTROLLER_HTTP_FETCH"));
	free(b);
	free(body);
	free(fetch);
	free(spec);
}
END_TEST

/* The stale-data cleaner (§11 item 5): as of a week and a day from now, an app left
 * MONITORING is destroyed and an INACTIVE local service too; a RUNNING app stays. */

static int64_t clean_at;
static int clean_ran;

static void do_clean(void *ud)
{
	(void)ud;
	clean_ran = drove__ctrl_clean_stale(ctrl, clean_at);
}

START_TEST(test_stale_cleaner)
{
	size_t len;
	char *b = NULL,
	     *ls = drove_test_read_source_file("tests/data/model/ls_op_0_create.json", &len);
	create_app(0);
	wait_app("MONITORING", 0, 8000);
	ck_assert_int_eq(http("POST", "/apis/v1/localservices/operations", ls, &b), 200);
	free(b);
	free(ls);
	/* nothing is stale today */
	clean_at = drove_time_wall_ms();
	on_loop(do_clean, NULL);
	ck_assert_int_eq(clean_ran, 1);
	ck_assert_int_eq(http("GET", "/apis/v1/applications/" APP, NULL, &b), 200);
	free(b);
	ck_assert_int_eq(http("GET", "/apis/v1/localservices/DROVE_TEST_LS-1", NULL, &b), 200);
	free(b);
	/* eight days on (staleAppAge and staleServiceAge are 7 days) */
	clean_at = drove_time_wall_ms() + 8LL * 24 * 3600 * 1000;
	on_loop(do_clean, NULL);
	ck_assert_int_eq(clean_ran, 1);
	for (int i = 0; i < 100; i++) {
		int gone;
		http("GET", "/apis/v1/applications/" APP, NULL, &b);
		gone = strstr(b, "not found") != NULL;
		free(b);
		if (gone)
			break;
		ck_assert_int_lt(i, 99);
		usleep(50 * 1000);
	}
	http("GET", "/apis/v1/localservices/DROVE_TEST_LS-1", NULL, &b);
	ck_assert_msg(strstr(b, "not found") || strstr(b, "Not found"), "%s", b);
	free(b);
}
END_TEST

/* No maintenance window on a fresh cluster nor after a plain leader change; one after a
 * maintenance unset, also across a leader change (issue 14). */
START_TEST(test_window_only_after_unset)
{
	char *b = NULL;
	create_app(0); /* fresh cluster, default 40 s tail: accepted at once */
	restart_leader();
	wait_execs(2);
	simple_op("SCALE", "\"requiredInstances\":1");
	wait_app("RUNNING", 1, 8000);
	ck_assert_int_eq(http("POST", "/apis/v1/cluster/maintenance/set", NULL, &b), 200);
	free(b);
	ck_assert_int_eq(http("POST", "/apis/v1/cluster/maintenance/unset", NULL, &b), 200);
	free(b);
	ck_assert_int_eq(post_op("{\"type\":\"SCALE\",\"appId\":\"" APP
	                         "\",\"requiredInstances\":2," OPSPEC "}",
	                         &b),
	                 400);
	ck_assert_ptr_nonnull(strstr(b, "Cluster is in maintenance mode"));
	free(b);
	restart_leader();
	wait_execs(2);
	ck_assert_int_eq(post_op("{\"type\":\"SCALE\",\"appId\":\"" APP
	                         "\",\"requiredInstances\":2," OPSPEC "}",
	                         &b),
	                 400);
	free(b);
}
END_TEST

Suite *ctrl_suite(void)
{
	Suite *s = suite_create("ctrl");
	TCase *tc = tcase_create("local");
	TCase *ta = tcase_create("auth");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ping_and_lookups);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_lifecycle);
	tcase_add_test(tc, test_blacklist);
	tcase_add_test(tc, test_maintenance);
	tcase_add_test(tc, test_config_fetch);
	tcase_add_test(tc, test_cancel_and_validate);
	tcase_add_test(tc, test_stale_cleaner);
	suite_add_tcase(s, tc);
	{
		TCase *tw = tcase_create("window");
		tcase_add_checked_fixture(tw, setup_window, teardown);
		tcase_set_timeout(tw, 60);
		tcase_add_test(tw, test_window_only_after_unset);
		suite_add_tcase(s, tw);
	}
	tcase_add_checked_fixture(ta, setup_users, teardown);
	tcase_set_timeout(ta, 60);
	tcase_add_test(ta, test_auth);
	suite_add_tcase(s, ta);
	return s;
}
