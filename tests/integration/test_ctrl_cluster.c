/* The real thing as child processes: drove-controller (embedded store, or two on ZooKeeper),
 * two drove-executor processes on this host with disjoint cores (resources.osCores, two
 * v-cores per core) in RPC mode, podman behind the Docker Engine API, and the sample app. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <check.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include <drove/clock.h>

#include "core/internal.h"
#include "cluster.h"
#include "harness.h"

#define APP    "DROVE_TEST_APP-1"
#define OPSPEC DTC_OPSPEC

static void op(const char *json)
{
	char *b = NULL;
	long code = dtc_http("POST", "/apis/v1/applications/operations", json, &b);
	ck_assert_msg(code == 200, "%s -> %ld %s", json, code, b);
	free(b);
}

static void simple_op(const char *type, const char *fields)
{
	char *body = drove__asprintf("{\"type\":\"%s\",\"appId\":\"" APP "\"%s%s," OPSPEC "}", type,
	                             fields ? "," : "", fields ? fields : "");
	op(body);
	free(body);
}

static int app_is(const char *state, int healthy)
{
	char *b = NULL, *want = drove__asprintf("\"healthyInstances\":%d,", healthy);
	char *st = drove__asprintf("\"state\":\"%s\"", state);
	int ok = dtc_http("GET", "/apis/v1/applications/" APP, NULL, &b) == 200 &&
	         strstr(b, want) && strstr(b, st);
	free(b);
	free(want);
	free(st);
	return ok;
}

static void wait_app(const char *state, int healthy, int64_t ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	while (drove_time_mono_ms() < end) {
		if (app_is(state, healthy))
			return;
		usleep(100 * 1000);
	}
	{
		char *b = NULL;
		dtc_http("GET", "/apis/v1/applications/" APP, NULL, &b);
		ck_abort_msg("app not %s/%d within %lld ms: %s", state, healthy, (long long)ms, b);
	}
}

/* What the last serving() saw: the endpoints and each host's answer, for failure messages. */
static char seen[2048];

/* The app answers on every endpoint host:port the controller lists; returns how many. */
static int serving(void)
{
	struct json_object *root, *d = dtc_get_data("/apis/v1/endpoints", &root), *hosts;
	int n = 0, off;

	off = snprintf(seen, sizeof(seen), "endpoints %s;",
	               json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN));
	if (json_object_array_length(d) == 0) {
		json_object_put(root);
		return 0;
	}
	hosts = json_object_object_get(json_object_array_get_idx(d, 0), "hosts");
	for (size_t i = 0; i < json_object_array_length(hosts); i++) {
		struct json_object *h = json_object_array_get_idx(hosts, i);
		char url[256], *b = NULL;
		long code;
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/",
		         json_object_get_int(json_object_object_get(h, "port")));
		code = dtc_http_url("GET", url, NULL, &b);
		if (code == 200 && strstr(b, "ok"))
			n++;
		if (off > 0 && (size_t)off < sizeof(seen))
			off += snprintf(seen + off, sizeof(seen) - (size_t)off, " %s -> %ld %.40s;",
			                url, code, b);
		free(b);
	}
	json_object_put(root);
	return n;
}

/* At least `min` and at most `max` of the endpoints answer. */
static void expect_serving(int min, int max)
{
	int n = serving();
	ck_assert_msg(n >= min && n <= max, "%d serving, want %d..%d: %s", n, min, max, seen);
}

static char *healthy_ids(void)
{
	struct json_object *root,
	        *d = dtc_get_data("/apis/v1/applications/" APP "/instances?state=HEALTHY", &root);
	drove__buf b = DROVE_BUF_INIT;
	for (size_t i = 0; i < json_object_array_length(d); i++)
		drove__buf_printf(&b, "%s%s", i ? "," : "",
		                  json_object_get_string(json_object_object_get(
		                          json_object_array_get_idx(d, i), "instanceId")));
	json_object_put(root);
	drove__buf_puts(&b, "");
	return drove__buf_steal(&b);
}

/* Instances on executor `i` (by its executor detail). */
static int on_exec(int i)
{
	struct json_object *root, *d = dtc_get_data("/apis/v1/cluster/executors", &root);
	char want[32];
	int n = -1;
	snprintf(want, sizeof(want), "%d", dtc.eport[i]);
	for (size_t k = 0; k < json_object_array_length(d); k++) {
		struct json_object *e = json_object_array_get_idx(d, k);
		if (json_object_get_int(json_object_object_get(e, "port")) == dtc.eport[i] &&
		    strcmp(json_object_get_string(json_object_object_get(e, "state")), "REMOVED"))
			n = json_object_get_int(json_object_object_get(e, "usedCores"));
	}
	json_object_put(root);
	return n;
}

static void create_app(int instances)
{
	size_t len;
	char *spec = drove_test_read_source_file("tests/data/model/application.json", &len);
	char *body = drove__asprintf(
	        "{\"type\":\"CREATE\",\"spec\":%s,\"instances\":%d," OPSPEC "}", spec, instances);
	op(body);
	free(body);
	free(spec);
}

START_TEST(test_deploy_single_node)
{
	char *ids, *ids2 = NULL, *b;
	int victim, status = 0;
	int64_t t0;

	dtc_start_controller(0, 0, NULL);
	dtc.port = dtc.cport[0];
	for (int i = 0; i < 100 && dtc_http("GET", "/apis/v1/ping", NULL, NULL) != 200; i++)
		usleep(100 * 1000);
	dtc_start_executor(0, 1, NULL);
	dtc_start_executor(1, 1, NULL);
	dtc_wait_execs(2, 30000);

	/* deploy; scale 0 -> 3 -> 1 */
	create_app(0);
	ck_assert(app_is("MONITORING", 0));
	simple_op("SCALE", "\"requiredInstances\":3");
	wait_app("RUNNING", 3, 60000);
	expect_serving(3, 3);
	simple_op("SCALE", "\"requiredInstances\":1");
	wait_app("RUNNING", 1, 30000);
	expect_serving(1, 1);

	/* replace: a new instance id */
	ids = healthy_ids();
	simple_op("REPLACE_INSTANCES", "\"instanceIds\":[]");
	for (int i = 0; i < 600; i++) {
		ids2 = healthy_ids();
		if (*ids2 && strcmp(ids, ids2) && !strchr(ids2, ',') && app_is("RUNNING", 1))
			break;
		free(ids2);
		ids2 = NULL;
		usleep(100 * 1000);
	}
	ck_assert_msg(ids2 != NULL, "not replaced");
	ck_assert_str_ne(ids, ids2);
	free(ids);
	free(ids2);

	/* suspend and recover */
	simple_op("SUSPEND", NULL);
	wait_app("MONITORING", 0, 30000);
	expect_serving(0, 0);
	simple_op("START_INSTANCES", "\"instances\":2");
	wait_app("RUNNING", 2, 60000);

	/* kill -9 an executor with instances: replaced on the other within 8 s. The harness keeps
	 * Drove's staleExecutorAge (45 s): only the leader's liveness pings can find it that fast
	 */
	victim = on_exec(0) > 0 ? 0 : 1;
	t0 = drove_time_mono_ms();
	kill(dtc.epid[victim], SIGKILL);
	waitpid(dtc.epid[victim], NULL, 0);
	dtc.epid[victim] = 0;
	for (;;) {
		/* in this order: once the executor is gone its instances are LOST (the same loop
		 * turn), so a count of 2 read after that is of the replacements */
		if (on_exec(victim) < 0 && app_is("RUNNING", 2))
			break;
		ck_assert_msg(drove_time_mono_ms() - t0 < 30000, "not replaced within 30 s");
		usleep(100 * 1000);
	}
	fprintf(stderr, "test_ctrl_cluster: replaced after kill -9 in %lld ms\n",
	        (long long)(drove_time_mono_ms() - t0));
	expect_serving(2, 100); /* the dead executor's containers may still answer */

	/* It comes back while its old containers still run. What it ran was replaced, so
	 * instances/last lists those stale: it adopts none (they would hold its cores while they
	 * stop, 13 s with busybox ignoring SIGTERM) and its reaper kills them. Its first snapshot
	 * comes after that answer, so the leader cannot re-add it (and drop that list) first. */
	dtc_restart_executor(victim);
	t0 = drove_time_mono_ms();
	while (on_exec(victim) < 0) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 30000, "executor %d not back", victim);
		usleep(100 * 1000);
	}
	ck_assert_int_eq(on_exec(victim), 0);
	{
		char path[256], *log;
		snprintf(path, sizeof(path), "%s/executor%d.log", dtc.dir, victim);
		log = dtc_read_file(path);
		ck_assert_msg(log && !strstr(log, "recovered AI-"),
		              "executor %d adopted a replaced instance: %s", victim,
		              log ? strstr(log, "recovered AI-") : "(no log)");
		/* and removes their containers at once (they are pinned to cores it now counts
		 * free), not at its reaper's next pass */
		for (t0 = drove_time_mono_ms(); !strstr(log, "not adopted (stale), reaping now");) {
			ck_assert_msg(drove_time_mono_ms() - t0 < 30000,
			              "executor %d did not reap what it left out", victim);
			usleep(100 * 1000);
			free(log);
			log = dtc_read_file(path);
			ck_assert_ptr_nonnull(log);
		}
		free(log);
	}
	wait_app("RUNNING", 2, 30000);

	/* destroy */
	simple_op("SUSPEND", NULL);
	wait_app("MONITORING", 0, 30000);
	simple_op("DESTROY", NULL);
	for (int i = 0; i < 100; i++) {
		b = NULL;
		dtc_http("GET", "/apis/v1/applications/" APP, NULL, &b);
		if (strstr(b, "not found")) {
			free(b);
			break;
		}
		free(b);
		ck_assert_int_lt(i, 99);
		usleep(100 * 1000);
	}

	/* graceful stop: exit 0 */
	kill(dtc.cpid[0], SIGTERM);
	waitpid(dtc.cpid[0], &status, 0);
	dtc.cpid[0] = 0;
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

START_TEST(test_leader_kill9)
{
	int leader = -1, other;
	int64_t t0;

	dtc_start_controller(0, 1, NULL);
	dtc_start_controller(1, 1, NULL);
	for (int i = 0; i < 200 && leader < 0; i++) {
		for (int k = 0; k < 2; k++) {
			dtc.port = dtc.cport[k];
			if (dtc_http("GET", "/apis/v1/ping", NULL, NULL) == 200)
				leader = k;
		}
		usleep(100 * 1000);
	}
	ck_assert_int_ge(leader, 0);
	other = 1 - leader;
	dtc.port = dtc.cport[leader];
	dtc_start_executor(0, 2, NULL);
	dtc_start_executor(1, 2, NULL);
	dtc_wait_execs(2, 30000);
	create_app(2);
	wait_app("RUNNING", 2, 60000);
	expect_serving(2, 2);

	t0 = drove_time_mono_ms();
	kill(dtc.cpid[leader], SIGKILL);
	waitpid(dtc.cpid[leader], NULL, 0);
	dtc.cpid[leader] = 0;
	dtc.port = dtc.cport[other];
	/* The dead leader's ZooKeeper session lasts 30 s (Drove's default); the standby's pings
	 * find it dead and depose it in ~3 s: a takeover within 20 s can only come from that */
	while (dtc_http("GET", "/apis/v1/ping", NULL, NULL) != 200) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 20000, "no takeover within 20 s");
		usleep(200 * 1000);
	}
	fprintf(stderr, "test_ctrl_cluster: takeover after %lld ms\n",
	        (long long)(drove_time_mono_ms() - t0));
	wait_app("RUNNING", 2, 30000);
	{
		/* the containers kept serving; allow for one busy answer from busybox httpd */
		int ok = 0;
		for (int i = 0; i < 50 && ok != 2; i++) {
			if ((ok = serving()) != 2)
				usleep(200 * 1000);
		}
		ck_assert_msg(ok == 2, "%d serving: %s", ok, seen);
	}
}
END_TEST

static long http_auth(const char *method, const char *path, const char *userpass,
                      const char *header)
{
	const char *hdrs[] = {header, NULL};
	char url[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", dtc.port, path);
	return dtc_http_full(method, url, !strcmp(method, "POST") ? "{}" : NULL, hdrs, userpass,
	                     NULL);
}

/* The daemon with users from its YAML: 403 for a read-only user on every write, 401 without
 * credentials, 401 on internal calls without the cluster secret. */
START_TEST(test_daemon_auth)
{
	const char *writes[] = {"/apis/v1/applications/operations",
	                        "/apis/v1/operations",
	                        "/apis/v1/applications/operations/A-1/cancel",
	                        "/apis/v1/operations/A-1/cancel",
	                        "/apis/v1/cluster/maintenance/set",
	                        "/apis/v1/cluster/maintenance/unset",
	                        "/apis/v1/cluster/executors/blacklist?id=x",
	                        "/apis/v1/cluster/executors/x/blacklist",
	                        "/apis/v1/cluster/executors/unblacklist?id=x",
	                        "/apis/v1/cluster/executors/x/unblacklist"};
	const char *internal[] = {"/apis/v1/internal/cluster/executors/x/instances/last",
	                          "/apis/v1/internal/cluster/executors/x/instances/current",
	                          "/apis/v1/internal/cluster/resources/reserved"};
	int status = 0;

	dtc_start_auth_controller(0);
	for (int i = 0; i < 100 && http_auth("GET", "/apis/v1/ping", "guest:guestpw", NULL) != 200;
	     i++)
		usleep(100 * 1000);
	ck_assert_int_eq(http_auth("GET", "/apis/v1/ping", "guest:guestpw", NULL), 200);
	ck_assert_int_eq(http_auth("GET", "/apis/v1/applications", "guest:guestpw", NULL), 200);
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
		ck_assert_msg(http_auth("POST", writes[i], "guest:guestpw", NULL) == 403, "%s",
		              writes[i]);
	ck_assert_int_eq(http_auth("GET", "/apis/v1/applications", NULL, NULL), 401);
	ck_assert_int_eq(http_auth("GET", "/apis/v1/applications", "guest:wrong", NULL), 401);
	ck_assert_int_eq(http_auth("POST", "/apis/v1/messages", NULL, NULL), 401);
	ck_assert_int_eq(http_auth("POST", "/apis/v1/messages", "admin:adminpw", NULL), 403);
	for (size_t i = 0; i < sizeof(internal) / sizeof(internal[0]); i++) {
		ck_assert_msg(http_auth("GET", internal[i], NULL, NULL) == 401, "%s", internal[i]);
		ck_assert_msg(http_auth("GET", internal[i], NULL, "Cluster-Authorization: wrong") ==
		                      401,
		              "%s", internal[i]);
		ck_assert_msg(http_auth("GET", internal[i], NULL, "Cluster-Authorization: es") ==
		                      200,
		              "%s", internal[i]);
	}
	ck_assert_int_eq(
	        http_auth("POST", "/apis/v1/cluster/maintenance/unset", "admin:adminpw", NULL),
	        200);
	/* the audit line of that write is in the daemon's log */
	kill(dtc.cpid[0], SIGTERM);
	waitpid(dtc.cpid[0], &status, 0);
	dtc.cpid[0] = 0;
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	{
		size_t n;
		FILE *f = fopen(dtc.auth_log, "re");
		char buf[65536];
		ck_assert_ptr_nonnull(f);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		ck_assert_ptr_nonnull(
		        strstr(buf, "ACCESS_AUDIT: Api [POST] /apis/v1/cluster/maintenance/"
		                    "unset called by admin: 200"));
		ck_assert_ptr_nonnull(
		        strstr(buf, "ACCESS_AUDIT: Api [POST] "
		                    "/apis/v1/applications/operations called by guest: 403"));
	}
}
END_TEST

/* A bad configuration exits 2. */
START_TEST(test_daemon_bad_config)
{
	char path[256], log[256];
	int status = 0;
	pid_t pid;
	snprintf(path, sizeof(path), "%s/bad.yml", dtc.dir);
	snprintf(log, sizeof(log), "%s/bad.log", dtc.dir);
	dtc_write_file(path, "server: { applicationConnectors: [{type: http, port: 99999}] }\n");
	pid = dtc_spawn(DTC_CTRL_BIN, path, log);
	waitpid(pid, &status, 0);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 2);
}
END_TEST

Suite *ctrl_cluster_suite(void)
{
	Suite *s;
	TCase *tc;

	/* the executor daemon is built with the exec module; without it, or without podman and
	 * ZooKeeper, the program is skipped (77), and fails in CI */
	dtc_require("test_ctrl_cluster");
	s = suite_create("ctrl_cluster");
	tc = tcase_create("processes");
	tcase_add_checked_fixture(tc, dtc_setup, dtc_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_deploy_single_node);
	tcase_add_test(tc, test_leader_kill9);
	tcase_add_test(tc, test_daemon_auth);
	tcase_add_test(tc, test_daemon_bad_config);
	suite_add_tcase(s, tc);
	return s;
}
