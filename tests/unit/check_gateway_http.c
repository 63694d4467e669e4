/* The gateway engine against stand-in controllers served by the library's HTTP server on
 * loopback: leader choice by ping order, credentials, the events cursor, refetch only on app /
 * instance changes, coalesced applies, leader switch, and nginx -t refusing a file (with
 * /bin/false as nginx) so the last good one stays. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include <drove/clock.h>
#include <drove/drove.h>
#include "core/internal.h"
#include "http/server.h"
#include "harness.h"

struct fake {
	drove__http_server *srv;
	int leader;
	const char *endpoints;
	const char *counts; /* eventsCount JSON */
	int64_t sync;       /* lastSyncTime to answer */
	char last_query[32];
	char auth[128];
	int fetches;
};

static drove_ctx *ctx;
static drove_loop *loop;
static struct fake fa, fb;
static int applied, last_rc;
static int64_t apply_ms[16];
static char dir[64], conf[128];

static void h_ping(drove__http_req *req, void *ud)
{
	struct fake *f = ud;
	const char *a = drove__http_req_header(req, "Authorization");
	snprintf(f->auth, sizeof(f->auth), "%s", a ? a : "");
	if (f->leader)
		drove__http_reply_success(req, json_object_new_string("pong"));
	else
		drove__http_reply_not_leader(req);
}

static void h_summary(drove__http_req *req, void *ud)
{
	struct fake *f = ud;
	json_object *d = json_object_new_object();
	const char *q = drove__http_req_query(req, "lastSyncTime");
	snprintf(f->last_query, sizeof(f->last_query), "%s", q ? q : "");
	json_object_object_add(d, "eventsCount", json_tokener_parse(f->counts));
	json_object_object_add(d, "lastSyncTime", json_object_new_int64(f->sync));
	f->counts = "{}"; /* each change is reported once */
	drove__http_reply_success(req, d);
}

static void h_endpoints(drove__http_req *req, void *ud)
{
	struct fake *f = ud;
	f->fetches++;
	drove__http_reply_success(req, json_tokener_parse(f->endpoints));
}

static void fake_start(struct fake *f)
{
	ck_assert_int_eq(drove__http_server_new(&f->srv, loop, NULL), 0);
	ck_assert_int_eq(drove__http_server_route(f->srv, DROVE_HTTP_GET, "/apis/v1/ping",
	                                          DROVE_HTTP_PUBLIC, 0, h_ping, f),
	                 0);
	ck_assert_int_eq(drove__http_server_route(f->srv, DROVE_HTTP_GET,
	                                          "/apis/v1/cluster/events/summary",
	                                          DROVE_HTTP_PUBLIC, 0, h_summary, f),
	                 0);
	ck_assert_int_eq(drove__http_server_route(f->srv, DROVE_HTTP_GET, "/apis/v1/endpoints",
	                                          DROVE_HTTP_PUBLIC, 0, h_endpoints, f),
	                 0);
	ck_assert_int_eq(drove__http_server_bind(f->srv, "127.0.0.1", 0), 0);
	f->counts = "{}";
}

static void setup(void)
{
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	memset(&fa, 0, sizeof(fa));
	memset(&fb, 0, sizeof(fb));
	fake_start(&fa);
	fake_start(&fb);
	applied = 0;
	snprintf(dir, sizeof(dir), "/tmp/gw-engine-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/nginx.conf", dir);
}

static void teardown(void)
{
	char *cmd = drove__asprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	drove__http_server_free(fa.srv);
	drove__http_server_free(fb.srv);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
}

static void on_applied(drove_gateway *gw, int rc, void *ud)
{
	(void)gw;
	(void)ud;
	last_rc = rc;
	if (applied < 16)
		apply_ms[applied] = drove_time_mono_ms();
	applied++;
}

static drove_gateway_config *config(const char *nginx_extra)
{
	drove_gateway_config *c = NULL;
	char *yaml = drove__asprintf(
	        "drove:\n  endpoints: [http://127.0.0.1:%d, http://127.0.0.1:%d]\n"
	        "  username: u\n  password: p\n  pingInterval: 100 milliseconds\n"
	        "  eventRefreshInterval: 100 milliseconds\n"
	        "routing:\n  leaderVhost: drove.local\n"
	        "nginx:\n  config: %s\n  reload: false\n  reloadInterval: 500 milliseconds\n%s",
	        drove__http_server_port(fa.srv), drove__http_server_port(fb.srv), conf,
	        nginx_extra);
	int rc = drove_gateway_config_load_buf(&c, ctx, "gw.yml", yaml, strlen(yaml));
	ck_assert_msg(rc == 0, "%s", drove_error_last()->message);
	free(yaml);
	return c;
}

static void run_until(int *counter, int want, int64_t ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	while (*counter < want && drove_time_mono_ms() < end)
		drove_loop_run_for(loop, 20);
	ck_assert_msg(*counter >= want, "only %d of %d within %lld ms", *counter, want,
	              (long long)ms);
}

static int file_has(const char *needle)
{
	char *t = NULL;
	size_t n;
	FILE *f = fopen(conf, "r");
	int has;
	if (!f)
		return 0;
	t = calloc(1, 1 << 16);
	n = fread(t, 1, (1 << 16) - 1, f);
	fclose(f);
	t[n] = '\0';
	has = strstr(t, needle) != NULL;
	free(t);
	return has;
}

#define EPS(host)                                                                                  \
	"[{\"appId\":\"A-1\",\"appName\":\"A\",\"vhost\":\"a.local\",\"hosts\":[{\"host\":\"" host \
	"\",\"port\":1000,\"portType\":\"HTTP\"}]}]"

START_TEST(test_follow_and_apply)
{
	drove_gateway_config *c = config("  check: false\n");
	drove_gateway *gw = NULL;
	char url[64];
	int64_t v = 0;
	int fetches;

	fb.leader = 1; /* the second endpoint leads */
	fb.endpoints = EPS("h1");
	fb.sync = 77;
	ck_assert_int_eq(drove_gateway_new(&gw, loop, c), 0);
	drove_gateway_on_applied(gw, on_applied, NULL);
	ck_assert_int_eq(drove_gateway_start(gw), 0);
	run_until(&applied, 1, 5000);
	ck_assert_int_eq(last_rc, 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", drove__http_server_port(fb.srv));
	ck_assert_str_eq(drove_gateway_leader(gw), url);
	ck_assert_str_eq(fb.auth, "Basic dTpw"); /* u:p */
	ck_assert_int_eq(drove_gateway_model_vhost_count(drove_gateway_model_current(gw)), 1);
	ck_assert(file_has("server h1:1000;"));
	ck_assert(file_has("server_name drove.local;"));
	snprintf(url, sizeof(url), "server 127.0.0.1:%d;", drove__http_server_port(fb.srv));
	ck_assert(file_has(url));
	ck_assert_int_eq(fa.fetches, 0); /* the follower is never asked for endpoints */

	/* the cursor: the next poll passes back lastSyncTime */
	fetches = fb.fetches;
	drove_loop_run_for(loop, 300);
	ck_assert_str_eq(fb.last_query, "77");
	/* events that do not touch endpoints: no refetch, nothing applied */
	fb.counts = "{\"EXECUTOR_ADDED\":1}";
	drove_loop_run_for(loop, 300);
	ck_assert_int_eq(fb.fetches, fetches);
	ck_assert_int_eq(applied, 1);

	/* an instance change: refetch, applied no sooner than the reload interval allows */
	fb.endpoints = EPS("h2");
	fb.counts = "{\"INSTANCE_STATE_CHANGE\":2}";
	run_until(&applied, 2, 5000);
	ck_assert_int_eq(last_rc, 0);
	ck_assert(file_has("server h2:1000;"));
	ck_assert_int_ge(apply_ms[1] - apply_ms[0], 450);
	ck_assert_int_eq(drove_gateway_stat(gw, "reloads", &v), 0);
	ck_assert_int_eq(v, 2);
	ck_assert_int_eq(drove_gateway_stat(gw, "polls", &v), 0);
	ck_assert_int_ge(v, 3);

	/* the first endpoint becomes the leader: its endpoints and its URL are applied */
	fa.leader = 1;
	fa.endpoints = EPS("h3");
	run_until(&applied, 3, 5000);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", drove__http_server_port(fa.srv));
	ck_assert_str_eq(drove_gateway_leader(gw), url);
	ck_assert(file_has("server h3:1000;"));
	ck_assert_int_ge(fa.fetches, 1);
	drove_gateway_free(gw);
	drove_gateway_config_free(c);
}
END_TEST

START_TEST(test_rejected_keeps_last_good)
{
	drove_gateway_config *c = config("  check: true\n  binary: /bin/false\n");
	drove_gateway *gw = NULL;
	int64_t v = 0;
	char new_path[160];

	fb.leader = 1;
	fb.endpoints = EPS("h1");
	{
		FILE *f = fopen(conf, "w");
		ck_assert_ptr_nonnull(f);
		fputs("# the last good one\n", f);
		fclose(f);
	}
	ck_assert_int_eq(drove_gateway_new(&gw, loop, c), 0);
	drove_gateway_on_applied(gw, on_applied, NULL);
	ck_assert_int_eq(drove_gateway_start(gw), 0);
	run_until(&applied, 1, 5000);
	ck_assert_int_eq(last_rc, DROVE_EINVAL);
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "nginx -t rejected"));
	ck_assert(file_has("# the last good one"));
	snprintf(new_path, sizeof(new_path), "%s.new", conf);
	ck_assert_int_ne(access(new_path, F_OK), 0); /* the candidate is gone */
	ck_assert_int_eq(drove_gateway_stat(gw, "rejected", &v), 0);
	ck_assert_int_eq(v, 1);
	/* the same text is not tried again */
	drove_loop_run_for(loop, 800);
	ck_assert_int_eq(applied, 1);
	drove_gateway_free(gw);
	drove_gateway_config_free(c);
}
END_TEST

Suite *gateway_http_suite(void)
{
	Suite *s = suite_create("gateway_http");
	TCase *tc = tcase_create("engine");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_follow_and_apply);
	tcase_add_test(tc, test_rejected_keeps_last_good);
	suite_add_tcase(s, tc);
	return s;
}
