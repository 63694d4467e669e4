/* The Epoch engine (epoch_server.h) on the embedded store against the canned-response Drove
 * controller of the client tests: lifecycle, REST validation and roles, a run fired by the
 * schedule and one started through the API followed to SUCCESSFUL, pause, delete. The loop
 * runs on a second thread; the test talks HTTP to it over loopback. The real-cluster version
 * is tests/integration/test_epoch_daemon.c. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "harness.h"
#include "check_client_mock.h"

static drove_ctx *ctx;
static drove_loop *loop;
static drove_epoch_config *cfg;
static drove_epoch *ep;
static struct mock *m;
static pthread_t thr;
static char dir[64];

#define LEAF                                                                                   \
	"{\"type\":\"CONTAINER_EXECUTION\",\"taskName\":\"t\",\"executable\":{\"type\":"       \
	"\"DOCKER\",\"url\":\"localhost/drove-test:latest\",\"dockerPullTimeout\":"            \
	"\"100 seconds\"},\"resources\":[{\"type\":\"CPU\",\"count\":1},{\"type\":\"MEMORY\"," \
	"\"sizeInMB\":32}],\"placementPolicy\":{\"type\":\"ANY\"}}"
#define TOPO(name, cron)                        \
	"{\"name\":\"" name "\",\"task\":" LEAF \
	",\"trigger\":{\"type\":\"CRON\",\"timeSpec\":\"" cron "\"}}"

static void *run_loop(void *arg)
{
	(void)arg;
	drove_loop_run(loop);
	return NULL;
}

static size_t on_body(char *p, size_t s, size_t n, void *ud)
{
	drove__buf *b = ud;
	drove__buf_append(b, p, s * n);
	return s * n;
}

static long http(const char *method, const char *path, const char *body, const char *userpass,
                 char **out)
{
	char url[256];
	CURL *h = curl_easy_init();
	struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
	drove__buf b = DROVE_BUF_INIT;
	long code = 0;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/apis/v1%s", drove_epoch_port(ep), path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	if (userpass)
		curl_easy_setopt(h, CURLOPT_USERPWD, userpass);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	drove__buf_puts(&b, "");
	*out = drove__buf_steal(&b);
	drove__buf_free(&b);
	return code;
}

static void setup(void)
{
	char url[64], *yml;
	snprintf(dir, sizeof(dir), "/tmp/check-epoch-server-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	m = mock_start();
	mock_url(m, url, sizeof(url));
	mock_add(m, "POST", "/apis/v1/tasks/operations", 200,
	         "{\"status\":\"SUCCESS\",\"data\":{\"taskId\":\"x\"},\"message\":\"success\"}");
	mock_add(m, "GET", "/apis/v1/tasks/EPOCH/instances/*", 200,
	         "{\"status\":\"SUCCESS\",\"data\":{\"state\":\"STOPPED\",\"taskResult\":"
	         "{\"status\":\"SUCCESSFUL\"}},\"message\":\"success\"}");
	mock_add(m, "DELETE", "/apis/v1/tasks/EPOCH/instances/*", 200,
	         "{\"status\":\"SUCCESS\",\"data\":{\"deleted\":true},\"message\":\"success\"}");
	mock_add(m, "GET", "/apis/v1/ping", 200,
	         "{\"status\":\"SUCCESS\",\"data\":\"pong\",\"message\":\"success\"}");
	yml = drove__asprintf("server:\n  applicationConnectors:\n    - type: http\n      port: 0\n"
	                      "  adminConnectors: []\nstore:\n  dataDir: %s/store\n"
	                      "drove:\n  endpoints:\n    - %s\n  checkInterval: 100ms\n"
	                      "options:\n  pollInterval: 300ms\n  misfireWindow: 30s\n"
	                      "  taskTimeout: 42 seconds\n"
	                      "userAuth:\n  enabled: true\n  users:\n"
	                      "    - {username: rw, password: rwpw, role: READ_WRITE}\n"
	                      "    - {username: ro, password: ropw, role: READ_ONLY}\n",
	                      dir, url);
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_epoch_config_load_buf(&cfg, ctx, "epoch.yml", yml, strlen(yml)), 0);
	free(yml);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	ck_assert_int_eq(drove_epoch_new(&ep, loop, cfg), 0);
	ck_assert_int_eq(drove_epoch_port(ep), -1);
	ck_assert_int_eq(drove_epoch_start(ep), 0);
	ck_assert_int_gt(drove_epoch_port(ep), 0);
	ck_assert_int_eq(pthread_create(&thr, NULL, run_loop, NULL), 0);
	for (int i = 0; i < 100 && !drove_epoch_is_leader(ep); i++)
		usleep(20 * 1000);
	ck_assert_int_eq(drove_epoch_is_leader(ep), 1);
}

static void teardown(void)
{
	char cmd[128];
	drove_loop_stop(loop);
	pthread_join(thr, NULL);
	drove_epoch_stop(ep);
	drove_epoch_stop(ep); /* idempotent */
	ck_assert_int_eq(drove_epoch_is_leader(ep), 0);
	drove_epoch_free(ep);
	drove_loop_free(loop);
	drove_epoch_config_free(cfg);
	drove_ctx_free(ctx);
	mock_stop(m);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_new_rejects_null)
{
	drove_epoch *e = NULL;
	ck_assert_int_eq(drove_epoch_new(&e, NULL, cfg), DROVE_EINVAL);
	ck_assert_ptr_null(e);
	drove_epoch_free(NULL);
	ck_assert_int_eq(drove_epoch_port(NULL), -1);
	ck_assert_int_eq(drove_epoch_is_leader(NULL), 0);
	ck_assert_int_eq(drove_epoch_start(ep), DROVE_EINVAL); /* started already */
}
END_TEST

START_TEST(test_bad_input_and_roles)
{
	char *out;
	ck_assert_int_eq(http("POST", "/topologies", TOPO("x", "0 61 * * * ?"), "rw:rwpw", &out),
	                 400);
	ck_assert_ptr_nonnull(strstr(out, "trigger.timeSpec: minutes: 61"));
	free(out);
	ck_assert_int_eq(http("POST", "/topologies", "[1,", "rw:rwpw", &out), 400);
	free(out);
	ck_assert_int_eq(http("POST", "/topologies/simple",
	                      "{\"name\":\"s\",\"cron\":\"* * * * * ?\",\"memory\":64}", "rw:rwpw",
	                      &out),
	                 400);
	ck_assert_ptr_nonnull(strstr(out, "memory: must be 128-100000"));
	ck_assert_ptr_nonnull(strstr(out, "docker: required"));
	free(out);
	ck_assert_int_eq(http("GET", "/topologies/bad%20id", NULL, "ro:ropw", &out), 400);
	ck_assert_ptr_nonnull(strstr(out, "id: must match"));
	free(out);
	ck_assert_int_eq(http("GET", "/topologies", NULL, "ro:ropw", &out), 200);
	ck_assert_ptr_nonnull(strstr(out, "\"data\":[]"));
	free(out);
	ck_assert_int_eq(http("POST", "/topologies", TOPO("x", "0 0 * * * ?"), "ro:ropw", &out),
	                 403);
	free(out);
	ck_assert_int_eq(http("GET", "/topologies", NULL, "ro:wrong", &out), 401);
	free(out);
	ck_assert_int_eq(http("GET", "/topologies/none", NULL, "ro:ropw", &out), 200);
	ck_assert_ptr_nonnull(strstr(out, "No such topology: none"));
	free(out);
}
END_TEST

static int wait_for(const char *path, const char *needle, int64_t ms)
{
	int64_t deadline = drove_time_mono_ms() + ms;
	do {
		char *out = NULL;
		int found = http("GET", path, NULL, "ro:ropw", &out) == 200 && strstr(out, needle);
		free(out);
		if (found)
			return 1;
		usleep(100 * 1000);
	} while (drove_time_mono_ms() < deadline);
	return 0;
}

START_TEST(test_fire_run_pause_delete)
{
	char *out;
	/* scheduled every second: a run is fired, started, found STOPPED/SUCCESSFUL, cleaned */
	ck_assert_int_eq(http("POST", "/topologies", TOPO("tick", "* * * * * ?"), "rw:rwpw", &out),
	                 200);
	ck_assert_ptr_nonnull(strstr(out, "\"state\":\"ACTIVE\""));
	free(out);
	ck_assert(wait_for("/topologies/tick/runs?state=SUCCESSFUL", "\"runId\":\"SR-", 10000));
	ck_assert(wait_for("/topologies/tick/runs", "\"state\":\"COMPLETED\"", 1000)); /* task */
	/* pause: no more runs */
	ck_assert_int_eq(http("PUT", "/topologies/tick/pause", NULL, "rw:rwpw", &out), 200);
	ck_assert_ptr_nonnull(strstr(out, "\"state\":\"PAUSED\""));
	free(out);
	usleep(1500 * 1000);
	char *before = NULL, *after = NULL;
	http("GET", "/topologies/tick/runs", NULL, "ro:ropw", &before);
	usleep(2000 * 1000);
	http("GET", "/topologies/tick/runs", NULL, "ro:ropw", &after);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* run now */
	ck_assert_int_eq(http("PUT", "/topologies/tick/run", NULL, "rw:rwpw", &out), 200);
	ck_assert_ptr_nonnull(strstr(out, "\"runId\":\"IR-"));
	free(out);
	ck_assert(wait_for("/topologies/tick/runs?state=SUCCESSFUL", "\"runType\":\"INSTANT\"",
	                   10000));
	ck_assert_int_ge(drove_epoch_runs_fired(ep), 2);
	/* drove.checkInterval (100 ms): the workers asked which controller leads again before
	 * their later jobs, not only once each (4 workers) */
	pthread_mutex_lock(&m->lock);
	int pings = m->pings;
	pthread_mutex_unlock(&m->lock);
	ck_assert_msg(pings > 4, "pings %d", pings);
	/* the Drove side: CREATE, status, DELETE (cleanup) were sent */
	char method[16], uri[1024], body[4096];
	mock_last(m, method, sizeof(method), uri, sizeof(uri), body, sizeof(body));
	ck_assert_msg(!strcmp(method, "DELETE") || !strcmp(method, "GET"), "%s %s", method, uri);
	/* kill and log link of a task the run does not have: FAILED, nothing sent */
	ck_assert_int_eq(
	        http("POST", "/topologies/tick/runs/IR-0-0/tasks/t/kill", NULL, "rw:rwpw", &out),
	        200);
	ck_assert_ptr_nonnull(strstr(out, "\"success\":false"));
	ck_assert_ptr_nonnull(strstr(out, "No task exists for tick/IR-0-0/t"));
	free(out);
	ck_assert_int_eq(
	        http("GET", "/topologies/tick/runs/IR-0-0/tasks/t/log", NULL, "ro:ropw", &out),
	        200);
	ck_assert_ptr_nonnull(strstr(out, "No log exists for tick/IR-0-0/t"));
	free(out);
	/* an AT trigger fires once at its time */
	char at[512];
	snprintf(at, sizeof(at),
	         "{\"name\":\"once\",\"task\":" LEAF
	         ",\"trigger\":{\"type\":\"AT\",\"time\":%lld}}",
	         (long long)(drove_time_wall_ms() + 1500));
	ck_assert_int_eq(http("POST", "/topologies", at, "rw:rwpw", &out), 200);
	free(out);
	ck_assert(wait_for("/topologies/once/runs?state=SUCCESSFUL", "\"runId\":\"SR-", 10000));

	/* simple edit keeps the state; delete removes topology and runs */
	ck_assert_int_eq(
	        http("PUT", "/topologies/tick",
	             "{\"cron\":\"0 0 * * * ?\",\"docker\":\"localhost/drove-test:latest\","
	             "\"cpus\":1,\"memory\":128}",
	             "rw:rwpw", &out),
	        200);
	ck_assert_ptr_nonnull(strstr(out, "\"state\":\"PAUSED\""));
	ck_assert_ptr_nonnull(strstr(out, "0 0 * * * ?"));
	free(out);
	ck_assert_int_eq(http("DELETE", "/topologies/tick", NULL, "rw:rwpw", &out), 200);
	ck_assert_ptr_nonnull(strstr(out, "\"data\":true"));
	free(out);
	ck_assert_int_eq(http("GET", "/topologies/tick/runs", NULL, "ro:ropw", &out), 200);
	ck_assert_ptr_nonnull(strstr(out, "FAILED"));
	free(out);
}
END_TEST

Suite *epoch_server_suite(void)
{
	Suite *s = suite_create("epoch_server");
	TCase *tc = tcase_create("engine");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_new_rejects_null);
	tcase_add_test(tc, test_bad_input_and_roles);
	tcase_add_test(tc, test_fire_run_pause_delete);
	suite_add_tcase(s, tc);
	return s;
}
