/* The controller engine end to end: the real engine in-process (embedded store, and ZooKeeper
 * when DROVE_TEST_ZK is set), its REST API over loopback with libcurl, and simulated executors
 * speaking docs/protocol.md (test_ctrl_fake.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include <drove/config.h>
#include <drove/controller.h>
#include <drove/ctx.h>
#include <drove/loop.h>

#include "cluster.h"
#include "harness.h"
#include "ctrl/engine.h"
#include "test_ctrl_fake.h"

static drove_ctx *ctx;
static drove_loop *loop;
static drove_config *cfg, *cfg2;
static drove_controller *ctrl, *ctrl2;
static struct fake_exec *fx[2];
static pthread_t loop_thr;
static int running;
static char dir[256];
static int port;

#define APP "DROVE_TEST_APP-1"

/* ---- the controller under test ---- */

static const char *opts_yaml = "clusterAuth:\n"
                               "  secrets:\n"
                               "    - { nodeType: CONTROLLER, secret: ctrl-secret }\n"
                               "    - { nodeType: EXECUTOR, secret: exec-secret }\n"
                               "options:\n"
                               "  staleExecutorAge: 2s\n"
                               "  executorCheckInterval: 250ms\n"
                               "  reconcileInterval: 1s\n"
                               "  staleInstanceReportAge: 4s\n"
                               "  jobRetryInterval: 1s\n"
                               "  clusterOpParallelism: 4\n";
/* 0s for most tests; the window tests use the default (40 s) */
static const char *window_tail = "0s";

static const char *users_yaml =
        "userAuth:\n"
        "  enabled: true\n"
        "  encoding: PLAIN\n"
        "  users:\n"
        "    - { username: admin, password: adminpw, role: EXTERNAL_READ_WRITE }\n"
        "    - { username: guest, password: guestpw, role: EXTERNAL_READ_ONLY }\n"
        "    - { username: ops, password: opspw, role: DROVE_EXTERNAL_MAINTENANCE }\n";

static drove_config *make_config(const char *store_yaml, int with_users)
{
	char *y = drove__asprintf("server: { applicationConnectors: [{type: http, port: 0}], "
	                          "adminConnectors: [] }\n%s%s"
	                          "  maintenanceWindowTail: %s\n%s",
	                          store_yaml, opts_yaml, window_tail, with_users ? users_yaml : "");
	drove_config *c = NULL;
	ck_assert_msg(drove_config_load_controller_buf(&c, ctx, "controller.yml", y, strlen(y)) ==
	                      0,
	              "%s", drove_error_last()->message);
	free(y);
	return c;
}

static void *loop_main(void *ud)
{
	(void)ud;
	drove_loop_run(loop);
	return NULL;
}

static void run_loop(void)
{
	running = 1;
	ck_assert_int_eq(pthread_create(&loop_thr, NULL, loop_main, NULL), 0);
}

static void stop_loop(void)
{
	if (running) {
		drove_loop_stop(loop);
		pthread_join(loop_thr, NULL);
		running = 0;
	}
}

static void start_local(int with_users)
{
	char *store;
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	snprintf(dir, sizeof(dir), "/tmp/drove-ctrl-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	store = drove__asprintf("store: { type: local, dataDir: %s/data }\n", dir);
	cfg = make_config(store, with_users);
	free(store);
	ck_assert_int_eq(drove_controller_new(&ctrl, loop, cfg), 0);
	ck_assert_int_eq(drove_controller_set_hostname(ctrl, "127.0.0.1"), 0);
	ck_assert_msg(drove_controller_start(ctrl) == 0, "%s", drove_error_last()->message);
	port = drove_controller_port(ctrl);
	for (int i = 0; i < 2; i++) {
		fx[i] = fake_new(loop, 8, 8192, 300);
		fake_add_controller(fx[i], port);
	}
	run_loop();
}

static long http(const char *method, const char *path, const char *body, char **out);

/* Wait until the leader counts `n` ACTIVE executors. */
static void wait_execs(int n)
{
	for (int i = 0; i < 200; i++) {
		char *b = NULL, *want = drove__asprintf("\"numExecutors\":%d,", n);
		int ok = http("GET", "/apis/v1/cluster", NULL, &b) == 200 && strstr(b, want);
		free(b);
		free(want);
		if (ok)
			return;
		usleep(25 * 1000);
	}
	ck_abort_msg("executors did not report");
}

static void setup(void)
{
	start_local(0);
	wait_execs(2);
}

static void setup_window(void)
{
	window_tail = "40s";
	setup();
}

static void setup_users(void)
{
	start_local(1);
}

static void teardown(void)
{
	char *cmd;
	stop_loop();
	drove_controller_free(ctrl);
	drove_controller_free(ctrl2);
	ctrl = ctrl2 = NULL;
	for (int i = 0; i < 2; i++) {
		fake_free(fx[i]);
		fx[i] = NULL;
	}
	drove_config_free(cfg);
	drove_config_free(cfg2);
	cfg = cfg2 = NULL;
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	if (dir[0] && (cmd = drove__asprintf("rm -rf '%s'", dir))) {
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
		free(cmd);
	}
	dir[0] = '\0';
}

/* Run `fn(ud)` on the loop thread and wait for it. */
struct onloop {
	void (*fn)(void *);
	void *ud;
	pthread_mutex_t m;
	pthread_cond_t cv;
	int done;
};

static void onloop_cb(void *ud)
{
	struct onloop *o = ud;
	o->fn(o->ud);
	pthread_mutex_lock(&o->m);
	o->done = 1;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->m);
}

static void on_loop(void (*fn)(void *), void *ud)
{
	struct onloop o = {fn, ud, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
	ck_assert_int_eq(drove_loop_post(loop, onloop_cb, &o), 0);
	pthread_mutex_lock(&o.m);
	while (!o.done)
		pthread_cond_wait(&o.cv, &o.m);
	pthread_mutex_unlock(&o.m);
}

/* ---- HTTP ---- */

static long http_to(int p, const char *method, const char *path, const char *body,
                    const char *userpass, const char *header, char **out)
{
	const char *hdrs[] = {header, NULL};
	char url[512];
	long code;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", p, path);
	code = dtc_http_full(method, url, body, hdrs, userpass, out);
	ck_assert_msg(code != 0, "%s %s: no answer", method, url);
	return code;
}

static long http(const char *method, const char *path, const char *body, char **out)
{
	return http_to(port, method, path, body, NULL, NULL, out);
}

/* GET an enveloped path expecting 200 SUCCESS; returns `data` (caller puts the root). */
static struct json_object *get_data(const char *path, struct json_object **root)
{
	char *b = NULL;
	struct json_object *j, *d = NULL;
	ck_assert_int_eq(http("GET", path, NULL, &b), 200);
	j = json_tokener_parse(b);
	ck_assert_msg(j != NULL, "not json: %s", b);
	ck_assert_msg(
	        !strcmp(json_object_get_string(json_object_object_get(j, "status")), "SUCCESS"),
	        "%s: %s", path, b);
	json_object_object_get_ex(j, "data", &d);
	free(b);
	*root = j;
	return d;
}

#define OPSPEC \
	"\"opSpec\":{\"timeout\":\"30 seconds\",\"parallelism\":4,\"failureStrategy\":\"STOP\"}"

static long post_op(const char *json, char **out)
{
	return http("POST", "/apis/v1/applications/operations", json, out);
}

static void create_app(int instances)
{
	size_t len;
	char *spec = drove_test_read_source_file("tests/data/model/application.json", &len);
	char *body = drove__asprintf(
	        "{\"type\":\"CREATE\",\"spec\":%s,\"instances\":%d," OPSPEC "}", spec, instances);
	char *out = NULL;
	ck_assert_int_eq(post_op(body, &out), 200);
	ck_assert_ptr_nonnull(strstr(out, "\"appId\":\"" APP "\""));
	free(out);
	free(body);
	free(spec);
}

static void simple_op(const char *type, const char *fields)
{
	char *body = drove__asprintf("{\"type\":\"%s\",\"appId\":\"" APP "\"%s%s," OPSPEC "}", type,
	                             fields && *fields ? "," : "", fields ? fields : "");
	char *out = NULL;
	long code = post_op(body, &out);
	ck_assert_msg(code == 200, "%s: %ld %s", body, code, out);
	free(out);
	free(body);
}

static int64_t app_field(const char *field)
{
	struct json_object *root, *d = get_data("/apis/v1/applications/" APP, &root);
	int64_t v = json_object_get_int64(json_object_object_get(d, field));
	json_object_put(root);
	return v;
}

static int app_state_is(const char *state)
{
	struct json_object *root, *d = get_data("/apis/v1/applications/" APP, &root);
	int r = !strcmp(json_object_get_string(json_object_object_get(d, "state")), state);
	json_object_put(root);
	return r;
}

/* Wait until the app is `state` with `healthy` HEALTHY instances. */
static void wait_app(const char *state, int healthy, int64_t timeout_ms)
{
	int64_t end = drove_time_mono_ms() + timeout_ms;
	while (drove_time_mono_ms() < end) {
		if (app_state_is(state) && app_field("healthyInstances") == healthy)
			return;
		usleep(50 * 1000);
	}
	ck_abort_msg("app not %s with %d healthy (state check %d, healthy %lld)", state, healthy,
	             app_state_is(state), (long long)app_field("healthyInstances"));
}

/* Instance ids (HEALTHY) of the app, joined with ','. */
static char *healthy_ids(void)
{
	struct json_object *root,
	        *d = get_data("/apis/v1/applications/" APP "/instances?state=HEALTHY", &root);
	drove__buf b = DROVE_BUF_INIT;
	for (size_t i = 0; i < json_object_array_length(d); i++) {
		struct json_object *in = json_object_array_get_idx(d, i);
		drove__buf_printf(&b, "%s%s", i ? "," : "",
		                  json_object_get_string(json_object_object_get(in, "instanceId")));
	}
	json_object_put(root);
	drove__buf_puts(&b, "");
	return drove__buf_steal(&b);
}

static int count_on(struct fake_exec *f)
{
	int n = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->insts[i].state == DROVE_INST_HEALTHY)
			n++;
	return n;
}

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

static void kill_fake(void *ud)
{
	((struct fake_exec *)ud)->dead = 1;
}

static void revive_fake(void *ud)
{
	struct fake_exec *f = ud;
	f->dead = 0;
	fake_snapshot(f);
}

START_TEST(test_executor_lost)
{
	int64_t t0;
	struct json_object *root, *d;
	int removed = 0, stops;

	struct fake_exec *victim, *other;

	create_app(4);
	wait_app("RUNNING", 4, 8000);
	victim = count_on(fx[0]) > 0 ? fx[0] : fx[1];
	other = victim == fx[0] ? fx[1] : fx[0];
	ck_assert_int_gt(count_on(victim), 0);
	t0 = drove_time_mono_ms();
	on_loop(kill_fake, victim);
	/* its instances are replaced on the other executor within 8 s */
	for (;;) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 8000, "not replaced within 8 s");
		if (count_on(other) == 4 && app_field("healthyInstances") == 4 &&
		    app_state_is("RUNNING"))
			break;
		usleep(50 * 1000);
	}
	d = get_data("/apis/v1/cluster/executors", &root);
	for (size_t i = 0; i < json_object_array_length(d); i++)
		if (!strcmp(json_object_get_string(json_object_object_get(
		                    json_object_array_get_idx(d, i), "state")),
		            "REMOVED"))
			removed++;
	ck_assert_int_eq(removed, 1);
	json_object_put(root);
	d = get_data("/apis/v1/cluster/events/summary", &root);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(
	                         json_object_object_get(d, "eventsCount"), "EXECUTOR_REMOVED")),
	                 1);
	json_object_put(root);
	/* The executor comes back (a healed partition) still running the instances that were
	 * declared LOST and replaced: they stay LOST, it is told they are stale and stops them,
	 * and nothing on the other executor is touched. */
	stops = other->stops + other->stale_stops;
	on_loop(revive_fake, victim);
	t0 = drove_time_mono_ms();
	while (count_on(victim) > 0) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 8000,
		              "the returning executor still runs %d replaced instances",
		              count_on(victim));
		usleep(50 * 1000);
	}
	ck_assert_int_gt(victim->stale_stops, 0);
	sleep(2);
	ck_assert_int_eq(count_on(other), 4);
	ck_assert_int_eq(other->stops + other->stale_stops, stops);
	ck_assert_int_eq(app_field("healthyInstances"), 4);
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
	ck_assert_ptr_nonnull(strstr(b, "No executor found with id: "));
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

/* ---- restart on the same embedded store: state rebuilt, nothing restarted ---- */

static void restart_ctrl(void *ud)
{
	(void)ud;
	drove_controller_free(ctrl);
	ck_assert_int_eq(drove_controller_new(&ctrl, loop, cfg), 0);
	ck_assert_int_eq(drove_controller_set_hostname(ctrl, "127.0.0.1"), 0);
	ck_assert_int_eq(drove_controller_start(ctrl), 0);
	port = drove_controller_port(ctrl);
	for (int i = 0; i < 2; i++)
		fake_add_controller(fx[i], port);
}

START_TEST(test_restart_recovers)
{
	int starts;
	create_app(3);
	wait_app("RUNNING", 3, 8000);
	starts = fx[0]->starts + fx[1]->starts;
	on_loop(restart_ctrl, NULL);
	wait_app("RUNNING", 3, 8000);
	sleep(2);
	ck_assert_int_eq(app_field("healthyInstances"), 3);
	ck_assert_int_eq(fx[0]->starts + fx[1]->starts, starts);
}
END_TEST

/* ---- restart while an executor holding instances is silent: recovery waits for it ---- */

struct readiness {
	struct fake_exec *reported; /* has this one reported to the new leader? */
	int seen, ready;
	int64_t since_acquired, stale_ms;
};

static void read_readiness(void *ud)
{
	struct readiness *r = ud;
	drove__ctrl_exec *e = drove__ctrl_exec_find(ctrl, r->reported->id);
	r->seen = e && !e->removed && e->seen_mono >= ctrl->acquired_mono;
	r->ready = ctrl->ready;
	r->since_acquired = drove_time_mono_ms() - ctrl->acquired_mono;
	r->stale_ms = ctrl->stale_exec_ms;
}

START_TEST(test_restart_waits_for_every_executor)
{
	struct fake_exec *silent, *other;
	struct readiness r = {0};
	int starts;
	int64_t t0;

	create_app(4);
	wait_app("RUNNING", 4, 8000);
	silent = count_on(fx[0]) > 0 ? fx[0] : fx[1];
	other = silent == fx[0] ? fx[1] : fx[0];
	starts = fx[0]->starts + fx[1]->starts;
	on_loop(kill_fake, silent);
	on_loop(restart_ctrl, NULL);
	/* the other executor reports to the new leader; the silent one's instances are in the
	 * records, so the leader must not act yet (unless a staleness period has passed) */
	r.reported = other;
	t0 = drove_time_mono_ms();
	do {
		ck_assert_msg(drove_time_mono_ms() - t0 < 8000, "the other executor never reported");
		usleep(20 * 1000);
		on_loop(read_readiness, &r);
	} while (!r.seen);
	usleep(500 * 1000); /* several recovery checks (every 100 ms) after that report */
	on_loop(read_readiness, &r);
	if (r.since_acquired < r.stale_ms)
		ck_assert_msg(!r.ready, "recovered %lld ms after taking over, before executor %s "
		                        "holding instances reported",
		              (long long)r.since_acquired, silent->id);
	on_loop(revive_fake, silent);
	r.reported = silent;
	t0 = drove_time_mono_ms();
	do {
		ck_assert_msg(drove_time_mono_ms() - t0 < 8000, "never recovered");
		usleep(20 * 1000);
		on_loop(read_readiness, &r);
	} while (!r.ready);
	wait_app("RUNNING", 4, 8000);
	sleep(2);
	ck_assert_int_eq(app_field("healthyInstances"), 4);
	ck_assert_int_eq(fx[0]->starts + fx[1]->starts, starts);
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
	on_loop(restart_ctrl, NULL);
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
	on_loop(restart_ctrl, NULL);
	wait_execs(2);
	ck_assert_int_eq(post_op("{\"type\":\"SCALE\",\"appId\":\"" APP
	                         "\",\"requiredInstances\":2," OPSPEC "}",
	                         &b),
	                 400);
	free(b);
}
END_TEST

/* ---- ZooKeeper: two controllers, the leader dies, the other takes over ---- */

static void stop_ctrl1(void *ud)
{
	(void)ud;
	drove_controller_stop(ctrl);
}

/* Two controllers on ZooKeeper namespace `ns`{pid} (the first leads) and two fake executors
 * reporting to both; the test talks to the leader. Ports in *p1, *p2. */
static void start_zk_pair(const char *ns, int *p1, int *p2)
{
	const char *zk = drove_test_require_env("DROVE_TEST_ZK", "ZooKeeper");
	char *store;

	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	store = drove__asprintf("zookeeper: { connectionString: \"%s\", nameSpace: %s%d }\n", zk,
	                        ns, (int)getpid());
	cfg = make_config(store, 0);
	cfg2 = make_config(store, 0);
	free(store);
	ck_assert_int_eq(drove_controller_new(&ctrl, loop, cfg), 0);
	ck_assert_int_eq(drove_controller_set_hostname(ctrl, "127.0.0.1"), 0);
	ck_assert_msg(drove_controller_start(ctrl) == 0, "%s", drove_error_last()->message);
	ck_assert_int_eq(drove_controller_new(&ctrl2, loop, cfg2), 0);
	ck_assert_int_eq(drove_controller_set_hostname(ctrl2, "127.0.0.1"), 0);
	ck_assert_int_eq(drove_controller_start(ctrl2), 0);
	*p1 = drove_controller_port(ctrl);
	*p2 = drove_controller_port(ctrl2);
	for (int i = 0; i < 2; i++) {
		fx[i] = fake_new(loop, 8, 8192, 300);
		fake_add_controller(fx[i], *p1);
		fake_add_controller(fx[i], *p2);
	}
	run_loop();
	for (int i = 0; i < 100 && !drove_controller_is_leader(ctrl); i++)
		usleep(50 * 1000);
	ck_assert(drove_controller_is_leader(ctrl));
	ck_assert(!drove_controller_is_leader(ctrl2));
	port = *p1;
	wait_execs(2);
}

START_TEST(test_zk_failover)
{
	char *b = NULL;
	int p1, p2, starts;
	int64_t t0;

	start_zk_pair("ctrltest", &p1, &p2);
	ck_assert_int_eq(http_to(p2, "GET", "/apis/v1/ping", NULL, NULL, NULL, &b), 400);
	ck_assert_str_eq(b, "{\"status\":\"FAILED\",\"message\":\"This node is not the leader "
	                    "controller\"}");
	free(b);
	ck_assert_int_eq(http_to(p2, "GET", "/apis/v1/applications", NULL, NULL, NULL, &b), 400);
	free(b);
	create_app(2);
	wait_app("RUNNING", 2, 8000);
	starts = fx[0]->starts + fx[1]->starts;
	t0 = drove_time_mono_ms();
	on_loop(stop_ctrl1, NULL);
	port = p2;
	for (;;) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 10000, "no takeover");
		if (drove_controller_is_leader(ctrl2) &&
		    http_to(p2, "GET", "/apis/v1/ping", NULL, NULL, NULL, NULL) == 200)
			break;
		usleep(50 * 1000);
	}
	wait_app("RUNNING", 2, 8000);
	sleep(2);
	ck_assert_int_eq(app_field("healthyInstances"), 2);
	ck_assert_int_eq(fx[0]->starts + fx[1]->starts, starts); /* nothing restarted */
	/* and it still acts */
	simple_op("SCALE", "\"requiredInstances\":3");
	wait_app("RUNNING", 3, 8000);
}
END_TEST

/* The leader's ZooKeeper session expires (ended on the server, as after a freeze longer than
 * the session timeout): the standby takes over; the old leader starts a new session and
 * contends again, so it leads once more when the new leader stops. Nothing is restarted. */
static void get_store(void *ud)
{
	*(drove_store **)ud = ctrl->store;
}

static void stop_ctrl2(void *ud)
{
	(void)ud;
	drove_controller_stop(ctrl2);
}

START_TEST(test_zk_session_expiry)
{
	const char *zk = drove_test_require_env("DROVE_TEST_ZK", "ZooKeeper");
	int p1, p2, starts;
	drove_store *old = NULL, *now = NULL;
	int64_t t0;

	start_zk_pair("ctrlexp", &p1, &p2);
	create_app(2);
	wait_app("RUNNING", 2, 8000);
	starts = fx[0]->starts + fx[1]->starts;

	on_loop(get_store, &old);
	now = old;
	for (int attempt = 0; attempt < 5 && now == old; attempt++) {
		drove_test_zk_end_session(old, zk);
		t0 = drove_time_mono_ms();
		while (drove_time_mono_ms() - t0 < 8000) {
			on_loop(get_store, &now);
			if (now != old)
				break;
			usleep(50 * 1000);
		}
	}
	ck_assert_msg(now != old, "the controller never started a new session");
	/* the standby leads now (the old leader's election node went with its session) */
	port = p2;
	t0 = drove_time_mono_ms();
	while (!drove_controller_is_leader(ctrl2) ||
	       http_to(p2, "GET", "/apis/v1/ping", NULL, NULL, NULL, NULL) != 200) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 15000, "no takeover after the expiry");
		usleep(50 * 1000);
	}
	wait_app("RUNNING", 2, 8000);
	ck_assert(!drove_controller_is_leader(ctrl));
	/* the old leader contends again: it takes over when the new one stops */
	on_loop(stop_ctrl2, NULL);
	port = p1;
	t0 = drove_time_mono_ms();
	while (!drove_controller_is_leader(ctrl) ||
	       http_to(p1, "GET", "/apis/v1/ping", NULL, NULL, NULL, NULL) != 200) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 45000,
		              "the controller with a new session never led again");
		usleep(100 * 1000);
	}
	wait_app("RUNNING", 2, 8000);
	sleep(2);
	ck_assert_int_eq(app_field("healthyInstances"), 2);
	ck_assert_int_eq(fx[0]->starts + fx[1]->starts, starts);
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
	tcase_add_test(tc, test_executor_lost);
	tcase_add_test(tc, test_blacklist);
	tcase_add_test(tc, test_maintenance);
	tcase_add_test(tc, test_restart_recovers);
	tcase_add_test(tc, test_restart_waits_for_every_executor);
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
	/* ZooKeeper when components.sh started one (always in CI: DROVE_REQUIRE_COMPONENTS=1
	 * makes a missing one a failure inside the test) */
	if (getenv("DROVE_TEST_ZK") || (getenv("DROVE_REQUIRE_COMPONENTS") &&
	                                !strcmp(getenv("DROVE_REQUIRE_COMPONENTS"), "1"))) {
		TCase *tz = tcase_create("zookeeper");
		tcase_add_checked_fixture(tz, NULL, teardown);
		tcase_set_timeout(tz, 90);
		tcase_add_test(tz, test_zk_failover);
		tcase_add_test(tz, test_zk_session_expiry);
		suite_add_tcase(s, tz);
	} else {
		fprintf(stderr, "test_ctrl: DROVE_TEST_ZK unset: the ZooKeeper fail-over test is "
		                "not run\n");
	}
	return s;
}
