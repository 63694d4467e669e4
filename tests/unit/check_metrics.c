/* The metrics registry and its Prometheus text rendering (include/drove/metrics.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drove/metrics.h>

#include "harness.h"

static drove_metrics *m;
static void setup(void)
{
	ck_assert_int_eq(drove_metrics_new(&m), 0);
}
static void teardown(void)
{
	drove_metrics_free(m);
	m = NULL;
}

static char *render(void)
{
	char *out = NULL;
	size_t len = 0;
	ck_assert_int_eq(drove_metrics_render(m, &out, &len), 0);
	ck_assert_uint_eq(len, strlen(out));
	return out;
}

static void assert_has(const char *text, const char *needle)
{
	ck_assert_msg(strstr(text, needle), "missing \"%s\" in:\n%s", needle, text);
}

START_TEST(test_counter_and_gauge_render)
{
	drove_metric *c, *g, *again;
	const char *v1[] = {"/apis/v1/ping", "GET", "200"};
	const char *v2[] = {"/apis/v1/ping", "GET", "500"};
	double x;
	char *t;
	ck_assert_int_eq(drove_metrics_counter(m, &c, "drove_api_requests_total", "API requests.",
	                                       "route,method,status"),
	                 0);
	ck_assert_int_eq(drove_metrics_gauge(m, &g, "drove_leader", "1 while leading.", NULL), 0);
	ck_assert_int_eq(drove_metric_add(c, v1, 1), 0);
	ck_assert_int_eq(drove_metric_add(c, v1, 2), 0);
	ck_assert_int_eq(drove_metric_add(c, v2, 1), 0);
	ck_assert_int_eq(drove_metric_set(g, NULL, 1), 0);
	ck_assert_int_eq(drove_metric_add(g, NULL, -0.5), 0);
	ck_assert_int_eq(drove_metric_get(c, v1, &x, NULL), 0);
	ck_assert(x == 3);
	ck_assert_int_eq(drove_metric_get(g, NULL, &x, NULL), 0);
	ck_assert(x == 0.5);
	/* the same registration finds the same family */
	ck_assert_int_eq(drove_metrics_counter(m, &again, "drove_api_requests_total", "x",
	                                       "route,method,status"),
	                 0);
	ck_assert_ptr_eq(again, c);
	t = render();
	ck_assert_str_eq(t, "# HELP drove_api_requests_total API requests.\n"
	                    "# TYPE drove_api_requests_total counter\n"
	                    "drove_api_requests_total{route=\"/apis/v1/ping\",method=\"GET\","
	                    "status=\"200\"} 3\n"
	                    "drove_api_requests_total{route=\"/apis/v1/ping\",method=\"GET\","
	                    "status=\"500\"} 1\n"
	                    "# HELP drove_leader 1 while leading.\n"
	                    "# TYPE drove_leader gauge\n"
	                    "drove_leader 0.5\n");
	drove_free(t);
}
END_TEST

START_TEST(test_histogram_buckets)
{
	drove_metric *h;
	const double b[] = {0.01, 0.1, 1};
	const char *v[] = {"GET"};
	double n, sum;
	char *t;
	ck_assert_int_eq(drove_metrics_histogram(m, &h, "drove_api_request_duration_seconds",
	                                         "Latency.", "method", b, 3),
	                 0);
	ck_assert_int_eq(drove_metric_observe(h, v, 0.005), 0);
	ck_assert_int_eq(drove_metric_observe(h, v, 0.1), 0); /* le is inclusive */
	ck_assert_int_eq(drove_metric_observe(h, v, 5), 0);
	ck_assert_int_eq(drove_metric_get(h, v, &n, &sum), 0);
	ck_assert(n == 3 && fabs(sum - 5.105) < 1e-9);
	t = render();
	assert_has(t, "# TYPE drove_api_request_duration_seconds histogram\n");
	assert_has(t, "drove_api_request_duration_seconds_bucket{method=\"GET\",le=\"0.01\"} 1\n");
	assert_has(t, "drove_api_request_duration_seconds_bucket{method=\"GET\",le=\"0.1\"} 2\n");
	assert_has(t, "drove_api_request_duration_seconds_bucket{method=\"GET\",le=\"1\"} 2\n");
	assert_has(t, "drove_api_request_duration_seconds_bucket{method=\"GET\",le=\"+Inf\"} 3\n");
	assert_has(t, "drove_api_request_duration_seconds_sum{method=\"GET\"} 5.105\n");
	assert_has(t, "drove_api_request_duration_seconds_count{method=\"GET\"} 3\n");
	drove_free(t);
}
END_TEST

START_TEST(test_escaping_and_numbers)
{
	drove_metric *g;
	const char *v[] = {"a\"b\\c\nd"};
	char *t;
	ck_assert_int_eq(drove_metrics_gauge(m, &g, "x_bytes", "back\\slash\nnewline", "k"), 0);
	ck_assert_int_eq(drove_metric_set(g, v, 0.1), 0);
	t = render();
	assert_has(t, "# HELP x_bytes back\\\\slash\\nnewline\n");
	assert_has(t, "x_bytes{k=\"a\\\"b\\\\c\\nd\"} 0.1\n");
	drove_free(t);
	ck_assert_int_eq(drove_metric_set(g, v, INFINITY), 0);
	t = render();
	assert_has(t, "} +Inf\n");
	drove_free(t);
	ck_assert_int_eq(drove_metric_set(g, v, 1e20), 0);
	t = render();
	assert_has(t, "} 1e+20\n");
	drove_free(t);
}
END_TEST

START_TEST(test_remove_and_clear)
{
	drove_metric *g;
	const char *a[] = {"a"}, *b[] = {"b"};
	double x;
	char *t;
	ck_assert_int_eq(drove_metrics_gauge(m, &g, "g", "", "k"), 0);
	ck_assert_int_eq(drove_metric_set(g, a, 1), 0);
	ck_assert_int_eq(drove_metric_set(g, b, 2), 0);
	ck_assert_int_eq(drove_metric_remove(g, a), 0);
	drove_assert_error(drove_metric_remove(g, a), DROVE_ENOTFOUND, "no such series");
	drove_assert_error(drove_metric_get(g, a, &x, NULL), DROVE_ENOTFOUND, "g");
	ck_assert_int_eq(drove_metric_get(g, b, &x, NULL), 0);
	ck_assert(x == 2);
	drove_metric_clear(g);
	ck_assert_int_eq(drove_metric_get(g, b, &x, NULL), DROVE_ENOTFOUND);
	t = render();
	ck_assert_str_eq(t, "# HELP g \n# TYPE g gauge\n");
	drove_free(t);
	drove_metric_clear(NULL);
}
END_TEST

START_TEST(test_rejects_bad_input)
{
	drove_metric *f = NULL, *c;
	const double bad[] = {1, 0.5}, ok[] = {1};
	const char *v[] = {"x"};
	drove_assert_error(drove_metrics_counter(m, &f, "9bad", "", NULL), DROVE_EINVAL, "9bad");
	drove_assert_error(drove_metrics_counter(m, &f, "a-b", "", NULL), DROVE_EINVAL, "a-b");
	drove_assert_error(drove_metrics_counter(m, &f, "ok", "", "a,,b"), DROVE_EINVAL, "label");
	drove_assert_error(drove_metrics_counter(m, &f, "ok", "", "__x"), DROVE_EINVAL, "label");
	drove_assert_error(drove_metrics_counter(m, &f, "ok", "", "a,a"), DROVE_EINVAL, "twice");
	drove_assert_error(drove_metrics_counter(m, &f, "ok", "", "a,b,c,d,e,f,g,h,i"),
	                   DROVE_EINVAL, "labels");
	drove_assert_error(drove_metrics_histogram(m, &f, "h", "", "le", ok, 1), DROVE_EINVAL,
	                   "reserved");
	drove_assert_error(drove_metrics_histogram(m, &f, "h", "", NULL, bad, 2), DROVE_EINVAL,
	                   "increasing");
	drove_assert_error(drove_metrics_histogram(m, &f, "h", "", NULL, ok, 0), DROVE_EINVAL,
	                   "buckets");
	ck_assert_ptr_null(f);
	ck_assert_int_eq(drove_metrics_counter(m, &c, "c_total", "", "k"), 0);
	drove_assert_error(drove_metrics_gauge(m, &f, "c_total", "", "k"), DROVE_EEXISTS,
	                   "c_total");
	drove_assert_error(drove_metrics_counter(m, &f, "c_total", "", "j"), DROVE_EEXISTS,
	                   "c_total");
	drove_assert_error(drove_metric_add(c, v, -1), DROVE_EINVAL, "cannot go down");
	drove_assert_error(drove_metric_add(c, NULL, 1), DROVE_EINVAL, "label values");
	drove_assert_error(drove_metric_add(c, v, NAN), DROVE_EINVAL, "NaN");
	drove_assert_error(drove_metric_observe(c, v, 1), DROVE_EINVAL, "wrong update");
	ck_assert_ptr_null(f);
}
END_TEST

START_TEST(test_series_cap)
{
	drove_metric *g;
	char name[32];
	const char *v[] = {name};
	ck_assert_int_eq(drove_metrics_gauge(m, &g, "g", "", "k"), 0);
	for (int i = 0; i < DROVE_METRICS_SERIES_MAX; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		ck_assert_int_eq(drove_metric_set(g, v, i), 0);
	}
	snprintf(name, sizeof(name), "one-more");
	drove_assert_error(drove_metric_set(g, v, 1), DROVE_ENORESOURCE, "series");
	snprintf(name, sizeof(name), "s7");
	ck_assert_int_eq(drove_metric_set(g, v, 1), 0); /* existing series still update */
}
END_TEST

static int collected;
static void collector(drove_metrics *reg, void *ud)
{
	drove_metric *g;
	ck_assert_int_eq(drove_metrics_gauge(reg, &g, "collected", "", NULL), 0);
	ck_assert_int_eq(drove_metric_set(g, NULL, ++collected), 0);
	ck_assert_ptr_eq(ud, &collected);
}

START_TEST(test_collectors_and_process)
{
	char *t;
	double x;
	drove_metric *rss;
	ck_assert_int_eq(drove_metrics_on_collect(m, collector, &collected), 0);
	ck_assert_int_eq(drove_metrics_add_process(m), 0);
	ck_assert_int_eq(drove_metrics_add_process(m), 0); /* idempotent */
	t = render();
	assert_has(t, "collected 1\n");
	assert_has(t, "# TYPE process_cpu_seconds_total counter\n");
	assert_has(t, "process_open_fds ");
	assert_has(t, "process_threads ");
	drove_free(t);
	ck_assert_int_eq(drove_metrics_gauge(m, &rss, "process_resident_memory_bytes",
	                                     "Resident memory size in bytes.", NULL),
	                 0);
	ck_assert_int_eq(drove_metric_get(rss, NULL, &x, NULL), 0);
	ck_assert_msg(x > 1024 * 1024, "rss %f", x);
	drove_metrics_off_collect(m, collector, &collected);
	t = render();
	assert_has(t, "collected 1\n");
	drove_free(t);
}
END_TEST

/* The rendering of every kind of family passes Prometheus' own linter. */
START_TEST(test_promtool_accepts_output)
{
	drove_metric *c, *g, *h;
	const double b[] = {0.005, 0.05, 0.5, 5};
	const char *v[] = {"/apis/v1/applications/{appId}", "GET", "200"};
	const char *w[] = {"we\"ird\\ value\n"};
	char *t, path[] = "/tmp/check_metrics_XXXXXX", cmd[256];
	int fd, st;
	ck_assert_msg(access("/usr/bin/promtool", X_OK) == 0,
	              "promtool missing: install Debian's prometheus package (scripts/deps.sh)");
	ck_assert_int_eq(drove_metrics_counter(m, &c, "drove_api_requests_total", "API requests.",
	                                       "route,method,status"),
	                 0);
	ck_assert_int_eq(
	        drove_metrics_gauge(m, &g, "drove_cluster_free_cores", "Free \"cores\".", "label"),
	        0);
	ck_assert_int_eq(drove_metrics_histogram(m, &h, "drove_api_request_duration_seconds",
	                                         "API latency.", "route,method,status", b, 4),
	                 0);
	ck_assert_int_eq(drove_metric_add(c, v, 1), 0);
	ck_assert_int_eq(drove_metric_set(g, w, 3), 0);
	ck_assert_int_eq(drove_metric_observe(h, v, 0.2), 0);
	ck_assert_int_eq(drove_metrics_add_process(m), 0);
	t = render();
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_int_eq(write(fd, t, strlen(t)), (ssize_t)strlen(t));
	close(fd);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
	st = system(cmd);
	unlink(path);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "promtool rejected:\n%s", t);
	drove_free(t);
}
END_TEST

Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("registry");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_counter_and_gauge_render);
	tcase_add_test(tc, test_histogram_buckets);
	tcase_add_test(tc, test_escaping_and_numbers);
	tcase_add_test(tc, test_remove_and_clear);
	tcase_add_test(tc, test_rejects_bad_input);
	tcase_add_test(tc, test_series_cap);
	tcase_add_test(tc, test_collectors_and_process);
	tcase_add_test(tc, test_promtool_accepts_output);
	suite_add_tcase(s, tc);
	return s;
}
