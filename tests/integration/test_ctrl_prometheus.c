/* A real Prometheus server (Debian's prometheus package) scrapes a real controller's admin
 * port (issue 16): the target is up and the controller's series are queryable through
 * Prometheus' own HTTP API. */
#include <fcntl.h>
#include <signal.h>
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

#define PROMETHEUS "/usr/bin/prometheus"

static pid_t prom_pid;

static void teardown(void)
{
	if (prom_pid > 0) {
		kill(prom_pid, SIGTERM);
		waitpid(prom_pid, NULL, 0);
		prom_pid = 0;
	}
	dtc_teardown();
}

static pid_t start_prometheus(int web_port, int target_port)
{
	char cfg[256], data[256], log[256], listen[64], cfgarg[300], dataarg[300], *y;
	pid_t pid;
	snprintf(cfg, sizeof(cfg), "%s/prometheus.yml", dtc.dir);
	snprintf(data, sizeof(data), "%s/prometheus-data", dtc.dir);
	snprintf(log, sizeof(log), "%s/prometheus.log", dtc.dir);
	y = drove__asprintf("global: {scrape_interval: 1s, scrape_timeout: 1s}\n"
	                    "scrape_configs:\n"
	                    "  - job_name: drove\n"
	                    "    static_configs: [{targets: [\"127.0.0.1:%d\"]}]\n",
	                    target_port);
	dtc_write_file(cfg, y);
	free(y);
	snprintf(listen, sizeof(listen), "--web.listen-address=127.0.0.1:%d", web_port);
	snprintf(cfgarg, sizeof(cfgarg), "--config.file=%s", cfg);
	snprintf(dataarg, sizeof(dataarg), "--storage.tsdb.path=%s", data);
	{
		char *argv[] = {(char *)PROMETHEUS, cfgarg, dataarg, listen, NULL};
		pid = dtc_spawn_argv(argv, log);
	}
	return pid;
}

/* The value of an instant query's first sample, or -1 when there is none yet. */
static double query(int web_port, const char *q)
{
	char url[512], *b = NULL;
	double v = -1;
	struct json_object *o, *data, *result, *first, *value;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/query?query=%s", web_port, q);
	if (dtc_http_url("GET", url, NULL, &b) == 200 && (o = json_tokener_parse(b))) {
		if (json_object_object_get_ex(o, "data", &data) &&
		    json_object_object_get_ex(data, "result", &result) &&
		    json_object_array_length(result) > 0 &&
		    (first = json_object_array_get_idx(result, 0)) &&
		    json_object_object_get_ex(first, "value", &value) &&
		    json_object_array_length(value) == 2)
			v = strtod(json_object_get_string(json_object_array_get_idx(value, 1)),
			           NULL);
		json_object_put(o);
	}
	free(b);
	return v;
}

static void wait_query(int web_port, const char *q, double min, int64_t ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	double v;
	while ((v = query(web_port, q)) < min) {
		ck_assert_msg(drove_time_mono_ms() < end, "prometheus: %s = %g, want >= %g", q, v,
		              min);
		usleep(300 * 1000);
	}
}

START_TEST(test_prometheus_scrapes_the_controller)
{
	int web = dtc_free_port();
	dtc_start_controller(0, 0, NULL);
	dtc_wait_ping(30000);
	prom_pid = start_prometheus(web, dtc.caport[0]);
	/* the target is up: Prometheus parsed the exposition without an error */
	wait_query(web, "up%7Bjob%3D%22drove%22%7D", 1, 60000);
	wait_query(web, "drove_leader", 1, 10000);
	wait_query(web, "process_resident_memory_bytes", 1024 * 1024, 10000);
	wait_query(web, "drove_admin_requests_total%7Broute%3D%22%2Fmetrics%22%7D", 1, 10000);
	/* no sample was dropped for a bad line or a duplicate series */
	ck_assert(query(web, "scrape_samples_post_metric_relabeling%7Bjob%3D%22drove%22%7D") ==
	          query(web, "scrape_samples_scraped%7Bjob%3D%22drove%22%7D"));
}
END_TEST

Suite *ctrl_prometheus_suite(void)
{
	Suite *s;
	TCase *tc;

	dtc_require("test_ctrl_prometheus");
	if (access(PROMETHEUS, X_OK) != 0) {
		fprintf(stderr,
		        "test_ctrl_prometheus: %s missing (Debian's prometheus package; "
		        "scripts/deps.sh)\n",
		        PROMETHEUS);
		exit(getenv("DROVE_REQUIRE_COMPONENTS") ? 1 : 77);
	}
	s = suite_create("ctrl_prometheus");
	tc = tcase_create("prometheus");
	tcase_add_checked_fixture(tc, dtc_setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_prometheus_scrapes_the_controller);
	suite_add_tcase(s, tc);
	return s;
}
