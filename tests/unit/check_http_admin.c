/* The admin port (include/drove/admin.h): a real listener on 127.0.0.1:0 driven by a
 * drove_loop, requests made with libcurl from a second thread. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include <drove/drove.h>

#include "core/internal.h"
#include "harness.h"

static drove_ctx *ctx;
static drove_loop *loop;
static drove_metrics *reg;
static drove_admin *adm;
static int store_ok = 1;

static void setup(void)
{
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	ck_assert_int_eq(drove_metrics_new(&reg), 0);
	ck_assert_int_eq(drove_admin_new(&adm, loop, reg), 0);
	ck_assert_int_eq(drove_admin_start(adm, "127.0.0.1", 0), 0);
	ck_assert_int_gt(drove_admin_port(adm), 0);
}

static void teardown(void)
{
	drove_admin_free(adm);
	drove_metrics_free(reg);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
}

struct call {
	const char *path;
	long code;
	drove__buf body;
	char ctype[128];
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	drove__buf_append(ud, p, sz * n);
	return sz * n;
}

static void *client(void *arg)
{
	struct call *c = arg;
	CURL *h = curl_easy_init();
	char url[256];
	char *ct = NULL;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", drove_admin_port(adm), c->path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &c->body);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (curl_easy_perform(h) == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->code);
		curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
		snprintf(c->ctype, sizeof(c->ctype), "%s", ct ? ct : "");
	}
	curl_easy_cleanup(h);
	drove__buf_puts(&c->body, "");
	drove_loop_stop(loop);
	return NULL;
}

/* GET `path`; the body is returned (free()). */
static char *get(const char *path, long *code, char *ctype)
{
	struct call c = {path, 0, DROVE_BUF_INIT, ""};
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, client, &c), 0);
	drove_loop_run(loop);
	pthread_join(t, NULL);
	*code = c.code;
	if (ctype)
		snprintf(ctype, 128, "%s", c.ctype);
	return drove__buf_steal(&c.body);
}

static int check_store(char *msg, size_t size, void *ud)
{
	snprintf(msg, size, "%s", store_ok ? "connected" : "not connected: session expired");
	ck_assert_ptr_eq(ud, &store_ok);
	return store_ok;
}

static int check_quiet(char *msg, size_t size, void *ud)
{
	return 1;
}

START_TEST(test_ping)
{
	long code;
	char ct[128];
	char *b = get("/ping", &code, ct);
	ck_assert_int_eq(code, 200);
	ck_assert_str_eq(b, "pong\n");
	ck_assert_ptr_nonnull(strstr(ct, "text/plain"));
	free(b);
	b = get("/nothing", &code, NULL);
	ck_assert_int_eq(code, 404);
	free(b);
}
END_TEST

START_TEST(test_healthcheck_follows_checks)
{
	long code;
	char *b = get("/healthcheck", &code, NULL);
	json_object *o, *e, *v;
	ck_assert_int_eq(code, 501); /* Dropwizard: no health checks registered */
	free(b);
	ck_assert_int_eq(drove_admin_add_check(adm, "store", check_store, &store_ok), 0);
	ck_assert_int_eq(drove_admin_add_check(adm, "engine", check_quiet, NULL), 0);
	drove_assert_error(drove_admin_add_check(adm, "store", check_quiet, NULL), DROVE_EEXISTS,
	                   "store");
	drove_assert_error(drove_admin_add_check(adm, "bad name", check_quiet, NULL), DROVE_EINVAL,
	                   "bad name");
	b = get("/healthcheck", &code, NULL);
	ck_assert_int_eq(code, 200);
	ck_assert_ptr_nonnull(o = json_tokener_parse(b));
	ck_assert_msg(strstr(b, "{\"engine\":") == b, "sorted by name: %s", b);
	ck_assert(json_object_object_get_ex(o, "store", &e));
	ck_assert(json_object_object_get_ex(e, "healthy", &v) && json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(e, "message", &v));
	ck_assert_str_eq(json_object_get_string(v), "connected");
	ck_assert(json_object_object_get_ex(o, "engine", &e));
	ck_assert(!json_object_object_get_ex(e, "message", &v)); /* empty message: left out */
	json_object_put(o);
	free(b);
	ck_assert_int_eq(drove_admin_is_healthy(adm), 1);

	store_ok = 0;
	b = get("/healthcheck", &code, NULL);
	ck_assert_int_eq(code, 500);
	ck_assert_ptr_nonnull(
	        strstr(b, "\"store\":{\"healthy\":false,\"message\":\"not connected"));
	free(b);
	ck_assert_int_eq(drove_admin_is_healthy(adm), 0);
	store_ok = 1;
}
END_TEST

START_TEST(test_metrics_scrape_counts_requests)
{
	long code;
	char ct[128], *b;
	drove_metric *g;
	ck_assert_int_eq(drove_metrics_gauge(reg, &g, "drove_test_value", "A test value.", NULL),
	                 0);
	ck_assert_int_eq(drove_metric_set(g, NULL, 42), 0);
	free(get("/ping", &code, NULL));
	b = get("/metrics", &code, ct);
	ck_assert_int_eq(code, 200);
	ck_assert_str_eq(ct, DROVE_METRICS_CONTENT_TYPE);
	ck_assert_ptr_nonnull(strstr(b, "drove_test_value 42\n"));
	ck_assert_msg(strstr(b, "drove_admin_requests_total{route=\"/ping\",method=\"GET\","
	                        "status=\"200\"} 1\n"),
	              "%s", b);
	free(b);
}
END_TEST

START_TEST(test_rejects_bad_arguments)
{
	drove_admin *a = NULL;
	ck_assert_int_eq(drove_admin_new(&a, NULL, NULL), DROVE_EINVAL);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(drove_admin_port(NULL), -1);
	ck_assert_int_eq(drove_admin_new(&a, loop, NULL), 0); /* metrics are optional */
	ck_assert_int_eq(drove_admin_port(a), -1);
	ck_assert_int_lt(drove_admin_start(a, "not-an-address", 0), 0);
	drove_admin_free(a);
	drove_admin_free(NULL);
}
END_TEST

Suite *http_admin_suite(void)
{
	Suite *s = suite_create("http_admin");
	TCase *tc = tcase_create("admin");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ping);
	tcase_add_test(tc, test_healthcheck_follows_checks);
	tcase_add_test(tc, test_metrics_scrape_counts_requests);
	tcase_add_test(tc, test_rejects_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}
