/* The admin ports (issue 16) against a real cluster: a controller on ZooKeeper and an executor
 * on podman. While an app runs, both /metrics scrapes pass `promtool check metrics` and their
 * values move (instances by state, API requests, placements; the container's CPU seconds and
 * received bytes after traffic); the controller's /healthcheck turns 500 while ZooKeeper is
 * down and 200 once it is back. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include <drove/clock.h>

#include "cluster.h"
#include "core/internal.h"
#include "harness.h"

#define APP "DROVE_METRICS_APP-1"

/* GET http://127.0.0.1:port/path; the status (0: nothing answered), the body in *out. */
static long admin_get(int port, const char *path, char **out)
{
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	return dtc_http_url("GET", url, NULL, out);
}

/* Scrape /metrics on `port`, asserting 200 and that promtool accepts it. */
static char *scrape(int port)
{
	char *b = NULL, path[] = "/tmp/test_metrics_XXXXXX", *cmd;
	int fd, st;
	long code = admin_get(port, "/metrics", &b);
	ck_assert_msg(code == 200, "scrape of %d: %ld", port, code);
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_int_eq(write(fd, b, strlen(b)), (ssize_t)strlen(b));
	close(fd);
	cmd = drove__asprintf("promtool check metrics < %s", path);
	st = system(cmd);
	unlink(path);
	free(cmd);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "promtool rejected the scrape of %d",
	              port);
	return b;
}

/* The value of the sample whose line starts with `series` ("name{labels}" exactly as
 * rendered), or NAN when absent. */
static double sample(const char *text, const char *series)
{
	size_t n = strlen(series);
	for (const char *p = text; p && *p;) {
		if (!strncmp(p, series, n) && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NAN;
}

/* The first sample of family `prefix` whose labels contain `needle`; NAN when none. */
static double sample_like(const char *text, const char *prefix, const char *needle)
{
	size_t n = strlen(prefix);
	for (const char *p = text; p && *p;) {
		const char *e = strchr(p, '\n');
		if (!strncmp(p, prefix, n) && p[n] == '{') {
			const char *sp = strchr(p, ' ');
			char *line = drove__strndup(p, e ? (size_t)(e - p) : strlen(p));
			int hit = line && strstr(line, needle) && sp;
			free(line);
			if (hit)
				return strtod(sp + 1, NULL);
		}
		p = e ? e + 1 : NULL;
	}
	return NAN;
}

/* Scrape until `series` (exact) reaches at least `want`, for up to `ms`. */
/* Lines of the scrape that start with `prefix`. */
static int count_series(const char *text, const char *prefix)
{
	int n = 0;
	size_t len = strlen(prefix);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += !strncmp(p, prefix, len);
	return n;
}

/* Wait until the scrape has exactly `want` series starting with `prefix`. */
static void wait_series(int port, const char *prefix, int want, int64_t ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	for (;;) {
		char *b = NULL;
		int n = admin_get(port, "/metrics", &b) == 200 ? count_series(b, prefix) : -1;
		free(b);
		if (n == want)
			return;
		ck_assert_msg(drove_time_mono_ms() < end, "%s: %d series (want %d)", prefix, n,
		              want);
		usleep(250 * 1000);
	}
}

static void wait_sample(int port, const char *series, double want, int64_t ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	for (;;) {
		char *b = NULL;
		double v = admin_get(port, "/metrics", &b) == 200 ? sample(b, series) : NAN;
		free(b);
		if (v >= want)
			return;
		ck_assert_msg(drove_time_mono_ms() < end, "%s stayed at %g (want >= %g)", series, v,
		              want);
		usleep(250 * 1000);
	}
}

static void create_app(void)
{
	size_t len;
	char *spec = drove_test_read_source_file("tests/data/model/application.json", &len);
	struct json_object *o = json_tokener_parse(spec);
	char *body;
	ck_assert_ptr_nonnull(o);
	json_object_object_add(o, "name", json_object_new_string("DROVE_METRICS_APP"));
	json_object_object_del(o, "exposureSpec");
	body = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s,\"instances\":1," DTC_OPSPEC "}",
	                       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	dtc_post_ok("/apis/v1/applications/operations", body);
	free(body);
	free(spec);
	json_object_put(o);
}

/* The host port of the app's HEALTHY instance (waits for it); its id in `iid`. */
static int healthy_port(char *iid, size_t size)
{
	int64_t end = drove_time_mono_ms() + 120000;
	for (;;) {
		struct json_object *root, *d, *li, *ports, *main_port, *hp, *id;
		d = dtc_get_data("/apis/v1/applications/" APP "/instances?state=HEALTHY", &root);
		if (json_object_array_length(d) == 1) {
			struct json_object *in = json_object_array_get_idx(d, 0);
			int port;
			ck_assert(json_object_object_get_ex(in, "localInfo", &li) &&
			          json_object_object_get_ex(li, "ports", &ports) &&
			          json_object_object_get_ex(ports, "main", &main_port) &&
			          json_object_object_get_ex(main_port, "hostPort", &hp) &&
			          json_object_object_get_ex(in, "instanceId", &id));
			port = json_object_get_int(hp);
			snprintf(iid, size, "%s", json_object_get_string(id));
			json_object_put(root);
			return port;
		}
		json_object_put(root);
		ck_assert_msg(drove_time_mono_ms() < end, "no HEALTHY instance of " APP);
		usleep(250 * 1000);
	}
}

/* Wait until GET /healthcheck on `port` answers `status`; the body in *out (may be NULL). */
static void wait_health(int port, long status, int64_t ms, char **out)
{
	int64_t end = drove_time_mono_ms() + ms;
	for (;;) {
		char *b = NULL;
		long code = admin_get(port, "/healthcheck", &b);
		if (code == status) {
			if (out)
				*out = b;
			else
				free(b);
			return;
		}
		ck_assert_msg(drove_time_mono_ms() < end, "healthcheck of %d: %ld, want %ld: %s",
		              port, code, status, b ? b : "");
		free(b);
		usleep(200 * 1000);
	}
}

START_TEST(test_admin_ports_of_a_running_cluster)
{
	char iid[128], *c1, *e1, *e2, *b = NULL, *series, url[128], *cmd;
	double cpu1, rx1, v;
	int hport;
	const char *dir = drove_test_require_env("DROVE_TEST_COMPONENTS_DIR", "components");

	dtc_start_controller(0, 1, NULL);
	dtc_wait_ping(30000);
	dtc_start_executor(0, 1, "  statsInterval: 300ms\n");
	dtc_wait_execs(1, 30000);

	/* ping and health on both ports */
	ck_assert_int_eq(admin_get(dtc.caport[0], "/ping", &b), 200);
	ck_assert_str_eq(b, "pong\n");
	free(b);
	wait_health(dtc.caport[0], 200, 20000, &b);
	ck_assert_msg(strstr(b, "\"leader\":{\"healthy\":true") &&
	                      strstr(b, "\"store\":{\"healthy\":true"),
	              "%s", b);
	free(b);
	wait_health(dtc.eaport[0], 200, 20000, &b);
	ck_assert_msg(strstr(b, "\"engine\":{\"healthy\":true") &&
	                      strstr(b, "\"leader\":{\"healthy\":true"),
	              "%s", b);
	free(b);

	/* the controller before the app */
	c1 = scrape(dtc.caport[0]);
	ck_assert(sample(c1, "drove_leader") == 1);
	ck_assert(sample(c1, "drove_executors{state=\"ACTIVE\"}") == 1);
	ck_assert(sample(c1, "drove_application_instances{state=\"HEALTHY\"}") == 0);
	ck_assert(sample(c1, "drove_cluster_cores{state=\"free\"}") > 0);
	ck_assert(sample(c1, "drove_store_connected") == 1);
	ck_assert(sample(c1, "process_resident_memory_bytes") > 0);
	free(c1);

	/* an app runs: the controller's figures move */
	create_app();
	hport = healthy_port(iid, sizeof(iid));
	wait_sample(dtc.caport[0], "drove_application_instances{state=\"HEALTHY\"}", 1, 20000);
	c1 = scrape(dtc.caport[0]);
	ck_assert(sample(c1, "drove_applications{state=\"RUNNING\"}") == 1);
	ck_assert(sample(c1, "drove_scheduler_placements_total{kind=\"app\",result=\"placed\"}") >=
	          1);
	ck_assert(sample(c1, "drove_cluster_cores{state=\"used\"}") >= 1);
	v = sample(c1, "drove_api_requests_total{route=\"/apis/v1/applications/operations\","
	               "method=\"POST\",status=\"200\"}");
	ck_assert_msg(v == 1, "operations counted %g", v);
	ck_assert(sample(c1, "drove_api_request_duration_seconds_count{route=\"/apis/v1/"
	                     "applications/operations\",method=\"POST\"}") == 1);
	ck_assert(sample(c1, "drove_events_total{type=\"INSTANCE_STATE_CHANGE\"}") >= 1);
	ck_assert(sample_like(c1, "drove_store_operation_duration_seconds_count",
	                      "op=\"create\"") >= 1);
	free(c1);

	/* the executor: its container's statistics appear */
	series = drove__asprintf("drove_instance_cpu_seconds_total{kind=\"app\",app_id=\"" APP
	                         "\",instance_id=\"%s\"}",
	                         iid);
	wait_sample(dtc.eaport[0], series, 0, 20000);
	e1 = scrape(dtc.eaport[0]);
	cpu1 = sample(e1, series);
	rx1 = sample_like(e1, "drove_instance_network_receive_bytes_total", iid);
	ck_assert_msg(!isnan(rx1), "no rx bytes for %s", iid);
	ck_assert(sample_like(e1, "drove_instance_memory_usage_bytes", iid) > 0);
	ck_assert(sample_like(e1, "drove_instance_memory_limit_bytes", iid) == 64.0 * 1024 * 1024);
	ck_assert(sample(e1, "drove_executor_instances{kind=\"app\",state=\"HEALTHY\"}") == 1);
	ck_assert(sample_like(e1, "drove_executor_cores", "state=\"used\"") >= 1);
	ck_assert(sample_like(e1, "drove_engine_call_duration_seconds_count", "call=\"create\"") >=
	          1);

	/* traffic: the container receives bytes and spends CPU */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", hport);
	for (int i = 0; i < 200; i++) {
		ck_assert_int_eq(dtc_http_url("GET", url, NULL, &b), 200);
		free(b);
	}
	{
		int64_t end = drove_time_mono_ms() + 20000;
		double rx2 = rx1, cpu2 = cpu1;
		while ((rx2 <= rx1 || cpu2 <= cpu1) && drove_time_mono_ms() < end) {
			usleep(300 * 1000);
			e2 = scrape(dtc.eaport[0]);
			rx2 = sample_like(e2, "drove_instance_network_receive_bytes_total", iid);
			cpu2 = sample(e2, series);
			free(e2);
		}
		ck_assert_msg(rx2 > rx1, "rx bytes did not move: %g -> %g", rx1, rx2);
		ck_assert_msg(cpu2 > cpu1, "cpu seconds did not move: %g -> %g", cpu1, cpu2);
	}
	free(e1);
	free(series);

	/* check results: the readiness check passed once, the health checks keep passing
	 * (every 5 s in this spec) and the count moves */
	series = drove__asprintf("drove_instance_check_results_total{kind=\"app\",app_id=\"" APP
	                         "\",instance_id=\"%s\",check=\"readiness\",result=\"pass\"}",
	                         iid);
	wait_sample(dtc.eaport[0], series, 1, 20000);
	free(series);
	series = drove__asprintf("drove_instance_check_results_total{kind=\"app\",app_id=\"" APP
	                         "\",instance_id=\"%s\",check=\"health\",result=\"pass\"}",
	                         iid);
	wait_sample(dtc.eaport[0], series, 2, 30000);
	free(series);

	/* two instances are sampled in one round (calls in flight at once), and a stopped one's
	 * series leave with the next round */
	dtc_post_ok("/apis/v1/applications/operations",
	            "{\"type\":\"SCALE\",\"appId\":\"" APP "\",\"requiredInstances\":2," DTC_OPSPEC
	            "}");
	wait_series(dtc.eaport[0], "drove_instance_cpu_seconds_total{kind=\"app\"", 2, 60000);
	dtc_post_ok("/apis/v1/applications/operations",
	            "{\"type\":\"SCALE\",\"appId\":\"" APP "\",\"requiredInstances\":1," DTC_OPSPEC
	            "}");
	wait_series(dtc.eaport[0], "drove_instance_cpu_seconds_total{kind=\"app\"", 1, 60000);

	/* ZooKeeper goes away for a while: the controller's health follows it */
	cmd = drove__asprintf("%s/tests/harness/components.sh restart-zk '%s' 4 >/dev/null 2>&1 &",
	                      DROVE_SOURCE_DIR, dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	wait_health(dtc.caport[0], 500, 8000, &b);
	ck_assert_msg(strstr(b, "\"store\":{\"healthy\":false"), "%s", b);
	free(b);
	wait_health(dtc.caport[0], 200, 60000, NULL);
}
END_TEST

Suite *ctrl_exec_metrics_suite(void)
{
	Suite *s;
	TCase *tc;

	dtc_require("test_ctrl_exec_metrics");
	if (access("/usr/bin/promtool", X_OK) != 0) {
		fprintf(stderr, "test_ctrl_exec_metrics: promtool missing (Debian's prometheus "
		                "package; scripts/deps.sh)\n");
		exit(getenv("DROVE_REQUIRE_COMPONENTS") ? 1 : 77);
	}
	s = suite_create("ctrl_exec_metrics");
	tc = tcase_create("cluster");
	tcase_add_checked_fixture(tc, dtc_setup, dtc_teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_admin_ports_of_a_running_cluster);
	suite_add_tcase(s, tc);
	return s;
}
