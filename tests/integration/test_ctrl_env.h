/* The fixture of the controller tests (test_ctrl.c, test_ctrl_recovery.c): the real engine
 * in-process on the embedded store or ZooKeeper, two simulated executors
 * (test_ctrl_fake.h), the loop on a thread of its own, and helpers for the REST API over
 * loopback. Header-only: each test program includes it once. */
#ifndef TEST_CTRL_ENV_H
#define TEST_CTRL_ENV_H

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
                               "  executorCheckInterval: 250ms\n"
                               "  reconcileInterval: 1s\n"
                               "  staleInstanceReportAge: 4s\n"
                               "  jobRetryInterval: 1s\n"
                               "  clusterOpParallelism: 4\n";
/* 0s for most tests; the window tests use the default (40 s) */
static const char *window_tail = "0s";
/* options.staleExecutorAge: short, so that most tests need no pings to lose an executor */
static const char *stale_age = "2s";
/* more lines of `options` (each "  key: value\n") for one test's setup */
static const char *opts_extra = "";

static const char *users_yaml =
        "userAuth:\n"
        "  enabled: true\n"
        "  encoding: PLAIN\n"
        "  users:\n"
        "    - { username: admin, password: adminpw, role: EXTERNAL_READ_WRITE }\n"
        "    - { username: guest, password: guestpw, role: EXTERNAL_READ_ONLY }\n"
        "    - { username: ops, password: opspw, role: DROVE_EXTERNAL_MAINTENANCE }\n";

static inline drove_config *make_config(const char *store_yaml, int with_users)
{
	char *y = drove__asprintf("server: { applicationConnectors: [{type: http, port: 0}], "
	                          "adminConnectors: [] }\n%s%s"
	                          "  maintenanceWindowTail: %s\n  staleExecutorAge: %s\n%s%s",
	                          store_yaml, opts_yaml, window_tail, stale_age, opts_extra,
	                          with_users ? users_yaml : "");
	drove_config *c = NULL;
	ck_assert_msg(drove_config_load_controller_buf(&c, ctx, "controller.yml", y, strlen(y)) ==
	                      0,
	              "%s", drove_error_last()->message);
	free(y);
	return c;
}

static inline void *loop_main(void *ud)
{
	(void)ud;
	drove_loop_run(loop);
	return NULL;
}

static inline void run_loop(void)
{
	running = 1;
	ck_assert_int_eq(pthread_create(&loop_thr, NULL, loop_main, NULL), 0);
}

static inline void stop_loop(void)
{
	if (running) {
		drove_loop_stop(loop);
		pthread_join(loop_thr, NULL);
		running = 0;
	}
}

static inline void start_local(int with_users)
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

static inline long http(const char *method, const char *path, const char *body, char **out);

/* Wait until the leader counts `n` ACTIVE executors. */
static inline void wait_execs(int n)
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

static inline void setup(void)
{
	start_local(0);
	wait_execs(2);
}

static inline void setup_window(void)
{
	window_tail = "40s";
	setup();
}

static inline long http_to(int p, const char *method, const char *path, const char *body,
                           const char *userpass, const char *hdr, char **out);

/* A controller with users; the filter chain answers 400 "not the leader" before the role
 * check (as Drove's), so the tests' 401/403/200 need it to lead first. */
static inline void setup_users(void)
{
	start_local(1);
	for (int i = 0; i < 400; i++) {
		char *b = NULL;
		long code = http_to(port, "GET", "/apis/v1/ping", NULL, "guest:guestpw", NULL, &b);
		free(b);
		if (code == 200)
			return;
		usleep(25 * 1000);
	}
	ck_abort_msg("the controller did not lead");
}

static inline void teardown(void)
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

static inline void onloop_cb(void *ud)
{
	struct onloop *o = ud;
	o->fn(o->ud);
	pthread_mutex_lock(&o->m);
	o->done = 1;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->m);
}

static inline void on_loop(void (*fn)(void *), void *ud)
{
	struct onloop o = {fn, ud, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
	ck_assert_int_eq(drove_loop_post(loop, onloop_cb, &o), 0);
	pthread_mutex_lock(&o.m);
	while (!o.done)
		pthread_cond_wait(&o.cv, &o.m);
	pthread_mutex_unlock(&o.m);
}

/* ---- HTTP ---- */

static inline long http_to(int p, const char *method, const char *path, const char *body,
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

static inline long http(const char *method, const char *path, const char *body, char **out)
{
	return http_to(port, method, path, body, NULL, NULL, out);
}

/* GET an enveloped path expecting 200 SUCCESS; returns `data` (caller puts the root). */
static inline struct json_object *get_data(const char *path, struct json_object **root)
{
	char *b = NULL;
	struct json_object *j, *d = NULL;
	long code = http("GET", path, NULL, &b);
	ck_assert_msg(code == 200, "GET %s: %ld %s", path, code, b ? b : "");
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

static inline long post_op(const char *json, char **out)
{
	return http("POST", "/apis/v1/applications/operations", json, out);
}

static inline void create_app(int instances)
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

static inline void simple_op(const char *type, const char *fields)
{
	char *body = drove__asprintf("{\"type\":\"%s\",\"appId\":\"" APP "\"%s%s," OPSPEC "}", type,
	                             fields && *fields ? "," : "", fields ? fields : "");
	char *out = NULL;
	long code = post_op(body, &out);
	ck_assert_msg(code == 200, "%s: %ld %s", body, code, out);
	free(out);
	free(body);
}

static inline int64_t app_field(const char *field)
{
	struct json_object *root, *d = get_data("/apis/v1/applications/" APP, &root);
	int64_t v = json_object_get_int64(json_object_object_get(d, field));
	json_object_put(root);
	return v;
}

static inline int app_state_is(const char *state)
{
	struct json_object *root, *d = get_data("/apis/v1/applications/" APP, &root);
	int r = !strcmp(json_object_get_string(json_object_object_get(d, "state")), state);
	json_object_put(root);
	return r;
}

/* Wait until the app is `state` with `healthy` HEALTHY instances. */
static inline void wait_app(const char *state, int healthy, int64_t timeout_ms)
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
static inline char *healthy_ids(void)
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

static inline int count_on(struct fake_exec *f)
{
	int n = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->insts[i].state == DROVE_INST_HEALTHY)
			n++;
	return n;
}

/* Restart the controller on the same store (loop thread); the executors learn its new port. */
static inline void restart_ctrl(void *ud)
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

/* Restart the controller (restart_ctrl) and wait until it leads: the embedded store completes
 * its election's writes once they are on disk, after the restart returns. */
static inline void restart_leader(void)
{
	int64_t t0;
	on_loop(restart_ctrl, NULL);
	for (t0 = drove_time_mono_ms();; usleep(10 * 1000)) {
		char *b = NULL;
		long code = http("GET", "/apis/v1/ping", NULL, &b);
		free(b);
		if (code == 200)
			break;
		ck_assert_msg(drove_time_mono_ms() - t0 < 8000, "no leader 8 s after the restart");
	}
}

#endif
