/* The gateway's pure pieces: gateway.yml, the model from /endpoints (filters, routing-tag
 * groups, caps), the template language, the events summary, and the engine's set-up errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "gateway/gateway_internal.h"
#include "gateway/nginx.h"
#include "harness.h"

static drove_ctx *ctx;
static void setup(void)
{
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
}
static void teardown(void)
{
	drove_ctx_free(ctx);
}

#define MIN_YAML \
	"drove:\n  endpoints: [http://c1:4000, http://c2:4000]\nnginx:\n  config: /tmp/x.conf\n"

static drove_gateway_config *load(const char *yaml)
{
	drove_gateway_config *c = NULL;
	int rc = drove_gateway_config_load_buf(&c, ctx, "gw.yml", yaml, strlen(yaml));
	ck_assert_msg(rc == 0, "%s", drove_error_last()->message);
	return c;
}

/* ---- config ---- */

START_TEST(test_config_defaults)
{
	drove_gateway_config *c = load(MIN_YAML);
	int64_t v = 0;

	ck_assert_int_eq(drove_gateway_config_endpoint_count(c), 2);
	ck_assert_str_eq(drove_gateway_config_endpoint(c, 1), "http://c2:4000");
	ck_assert_ptr_null(drove_gateway_config_endpoint(c, 2));
	ck_assert_str_eq(drove_gateway_config_get_string(c, "nginx.binary"), "nginx");
	ck_assert_str_eq(drove_gateway_config_get_string(c, "nginx.listen"), "80");
	ck_assert_ptr_null(drove_gateway_config_get_string(c, "routing.leaderVhost"));
	ck_assert_ptr_null(drove_gateway_config_get_string(c, "no.such"));
	ck_assert_int_eq(drove_gateway_config_get_int(c, "drove.pingInterval", &v), 0);
	ck_assert_int_eq(v, 2000);
	ck_assert_int_eq(drove_gateway_config_get_int(c, "nginx.reloadInterval", &v), 0);
	ck_assert_int_eq(v, 1000);
	ck_assert_int_eq(drove_gateway_config_get_int(c, "dns.enabled", &v), 0);
	ck_assert_int_eq(v, 0);
	drove_assert_error(drove_gateway_config_get_int(c, "nope", &v), DROVE_ENOTFOUND, "nope");
	drove_gateway_config_free(c);
	drove_gateway_config_free(NULL);
}
END_TEST

START_TEST(test_config_full)
{
	drove_gateway_config *c;
	int64_t v = 0;

	setenv("GW_TEST_PW", "secret", 1);
	c = load(
	        "drove:\n  endpoints: [https://c1:4000]\n  username: u\n  password: ${GW_TEST_PW}\n"
	        "  pingInterval: 500 milliseconds\n  eventRefreshInterval: 1 second\n"
	        "  timeout: 3 seconds\n"
	        "routing:\n  leaderVhost: drove.local\n  vhosts: [a.local]\n"
	        "  vhostSuffix: .apps.local\n  routingTag: zone\n"
	        "nginx:\n  config: /tmp/n.conf\n  template: /tmp/t\n  binary: /usr/sbin/nginx\n"
	        "  prefix: /tmp/p\n  pidFile: /tmp/p/nginx.pid\n  listen: 127.0.0.1:8080\n"
	        "  check: false\n  reload: false\n  reloadInterval: 0 seconds\n"
	        "dns:\n  listen: 127.0.0.1:0\n  domain: drove.test\n  ttl: 10 seconds\n"
	        "logging:\n  level: DEBUG\n");
	ck_assert_str_eq(drove_gateway_config_get_string(c, "drove.password"), "secret");
	ck_assert_str_eq(drove_gateway_config_get_string(c, "routing.routingTag"), "zone");
	ck_assert_str_eq(drove_gateway_config_get_string(c, "nginx.listen"), "127.0.0.1:8080");
	ck_assert_str_eq(drove_gateway_config_get_string(c, "dns.domain"), "drove.test");
	ck_assert_int_eq(drove_gateway_config_get_int(c, "drove.pingInterval", &v), 0);
	ck_assert_int_eq(v, 500);
	ck_assert_int_eq(drove_gateway_config_get_int(c, "dns.ttl", &v), 0);
	ck_assert_int_eq(v, 10);
	ck_assert_int_eq(drove_gateway_config_get_int(c, "nginx.check", &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(drove_gateway_config_get_int(c, "routing.vhosts", &v), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(drove_gateway_config_get_int(c, "logging.level", &v), 0);
	ck_assert_int_eq(v, DROVE_LOG_DEBUG);
	drove_gateway_config_free(c);
}
END_TEST

static void config_rejects(const char *yaml, const char *needle)
{
	drove_gateway_config *c = NULL;
	drove_assert_error(drove_gateway_config_load_buf(&c, ctx, "gw.yml", yaml, strlen(yaml)),
	                   DROVE_EINVAL, needle);
	ck_assert_ptr_null(c);
}

START_TEST(test_config_errors)
{
	config_rejects("nginx:\n  config: /x\n", "drove");
	config_rejects("drove:\n  endpoints: []\nnginx:\n  config: /x\n", "endpoints");
	config_rejects("drove:\n  endpoints: [ftp://x]\nnginx:\n  config: /x\n", "ftp://x");
	config_rejects("drove:\n  endpoints: [http://x]\n", "nginx");
	config_rejects("drove:\n  endpoints: [http://x]\nnginx:\n  listen: 80\n", "nginx.config");
	config_rejects(MIN_YAML "extra: 1\n", "extra");
	config_rejects(MIN_YAML "routing:\n  leaderVhost: 'a;b'\n", "routing.leaderVhost");
	config_rejects("drove:\n  endpoints: [http://x]\n  username: u\nnginx:\n  config: /x\n",
	               "password");
	config_rejects("drove:\n  endpoints: [http://x]\n  pingInterval: 1 millisecond\n"
	               "nginx:\n  config: /x\n",
	               "pingInterval");
	config_rejects(MIN_YAML "dns:\n  domain: x\n", "dns.listen");
	config_rejects(MIN_YAML "dns:\n  listen: 127.0.0.1:0\n  domain: 'a b'\n", "dns.domain");
	config_rejects(MIN_YAML "nginx2: {}\n", "nginx2");
	config_rejects("- a\n", "map");
}
END_TEST

START_TEST(test_config_file)
{
	drove_gateway_config *c = NULL;
	char path[] = "/tmp/gw-cfg-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, MIN_YAML, strlen(MIN_YAML)), (ssize_t)strlen(MIN_YAML));
	close(fd);
	ck_assert_int_eq(drove_gateway_config_load(&c, ctx, path), 0);
	ck_assert_int_eq(drove_gateway_config_endpoint_count(c), 2);
	drove_gateway_config_free(c);
	unlink(path);
	drove_assert_error(drove_gateway_config_load(&c, ctx, path), DROVE_EIO, path);
}
END_TEST

/* ---- model ---- */

static const char *ENDPOINTS =
        "{\"status\":\"SUCCESS\",\"message\":\"success\",\"data\":["
        "{\"appId\":\"B-1\",\"appName\":\"B\",\"vhost\":\"b.local\",\"tags\":{\"zone\":\"z1\"},"
        "\"hosts\":[{\"host\":\"h2\",\"port\":2000,\"portType\":\"HTTP\"},"
        "{\"host\":\"h1\",\"port\":2001,\"portType\":\"HTTP\"}]},"
        "{\"appId\":\"B-2\",\"appName\":\"B\",\"vhost\":\"b.local\",\"tags\":{\"zone\":\"z2\"},"
        "\"hosts\":[{\"host\":\"h1\",\"port\":1500,\"portType\":\"HTTP\"}]},"
        "{\"appId\":\"A-1\",\"appName\":\"A\",\"vhost\":\"a.local\","
        "\"hosts\":[{\"host\":\"h3\",\"port\":3000,\"portType\":\"HTTPS\"}]},"
        "{\"appId\":\"E-1\",\"appName\":\"E\",\"vhost\":\"e.other\",\"hosts\":[]},"
        "{\"appId\":\"X-1\",\"appName\":\"X\",\"vhost\":\"x;evil\","
        "\"hosts\":[{\"host\":\"h9\",\"port\":1,\"portType\":\"HTTP\"}]},"
        "{\"appId\":\"C-1\",\"appName\":\"C\",\"vhost\":\"c.other\","
        "\"hosts\":[{\"host\":\"h4\",\"port\":4000,\"portType\":\"HTTP\"},"
        "{\"host\":\"bad host\",\"port\":4001,\"portType\":\"HTTP\"}]}]}";

static drove_gateway_model *model(const drove_gateway_config *c, const char *json)
{
	drove_gateway_model *m = NULL;
	int rc = drove_gateway_model_from_json(&m, ctx, c, json, strlen(json));
	ck_assert_msg(rc == 0, "%s", drove_error_last()->message);
	return m;
}

START_TEST(test_model_groups_and_sorting)
{
	drove_gateway_config *c = load(MIN_YAML "routing:\n  routingTag: zone\n");
	drove_gateway_model *m = model(c, ENDPOINTS);
	size_t n = 0;
	int port = 0;

	/* e.other has no hosts, x;evil is not one nginx token: both left out */
	ck_assert_int_eq(drove_gateway_model_vhost_count(m), 3);
	ck_assert_str_eq(drove_gateway_model_vhost(m, 0), "a.local");
	ck_assert_str_eq(drove_gateway_model_vhost(m, 1), "b.local");
	ck_assert_str_eq(drove_gateway_model_vhost(m, 2), "c.other");
	ck_assert_ptr_null(drove_gateway_model_vhost(m, 3));
	/* both B apps share b.local, sorted by host then port */
	ck_assert_int_eq(drove_gateway_model_host_count(m, 1), 3);
	ck_assert_str_eq(drove_gateway_model_host(m, 1, 0, &port), "h1");
	ck_assert_int_eq(port, 1500);
	ck_assert_str_eq(drove_gateway_model_host(m, 1, 1, &port), "h1");
	ck_assert_int_eq(port, 2001);
	ck_assert_str_eq(drove_gateway_model_host(m, 1, 2, &port), "h2");
	ck_assert_ptr_null(drove_gateway_model_host(m, 1, 3, &port));
	/* grouped by the zone tag */
	ck_assert_int_eq(drove_gateway_model_group_count(m, 1), 2);
	ck_assert_str_eq(drove_gateway_model_group(m, 1, 0, &n), "z1");
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(drove_gateway_model_group(m, 1, 1, &n), "z2");
	ck_assert_int_eq(n, 1);
	ck_assert_ptr_null(drove_gateway_model_group(m, 1, 2, &n));
	/* without the tag, the group is the vhost; the unsafe host is dropped */
	ck_assert_str_eq(drove_gateway_model_group(m, 0, 0, &n), "a.local");
	ck_assert_int_eq(drove_gateway_model_host_count(m, 2), 1);
	/* DNS sees apps by name */
	ck_assert_ptr_nonnull(drove__gw_find_app(m, "b"));
	ck_assert_int_eq(drove__gw_find_app(m, "B")->n, 3);
	ck_assert_ptr_null(drove__gw_find_app(m, "E"));
	ck_assert_ptr_nonnull(drove__gw_find_vhost(m, "A.LOCAL"));
	drove_gateway_model_free(m);
	drove_gateway_model_free(NULL);
	drove_gateway_config_free(c);
}
END_TEST

START_TEST(test_model_filters)
{
	drove_gateway_config *c = load(MIN_YAML "routing:\n  vhosts: [c.other]\n"
	                                        "  vhostSuffix: .local\n");
	drove_gateway_config *c2 = load(MIN_YAML "routing:\n  vhosts: [c.other]\n");
	drove_gateway_model *m = model(c, ENDPOINTS), *m2 = model(c2, ENDPOINTS),
	                    *m3 = model(NULL, ENDPOINTS);

	ck_assert_int_eq(drove_gateway_model_vhost_count(m), 3);
	ck_assert_int_eq(drove_gateway_model_vhost_count(m2), 1);
	ck_assert_str_eq(drove_gateway_model_vhost(m2, 0), "c.other");
	ck_assert_int_eq(drove_gateway_model_vhost_count(m3), 3);
	/* no routing tag: one group named after the vhost */
	ck_assert_int_eq(drove_gateway_model_group_count(m3, 1), 1);
	ck_assert_str_eq(drove_gateway_model_group(m3, 1, 0, NULL), "b.local");
	drove_gateway_model_free(m);
	drove_gateway_model_free(m2);
	drove_gateway_model_free(m3);
	drove_gateway_config_free(c);
	drove_gateway_config_free(c2);
}
END_TEST

static void model_rejects(const char *json, const char *needle)
{
	drove_gateway_model *m = NULL;
	drove_assert_error(drove_gateway_model_from_json(&m, ctx, NULL, json, strlen(json)),
	                   DROVE_EINVAL, needle);
	ck_assert_ptr_null(m);
}

START_TEST(test_model_errors)
{
	drove_gateway_model *m = NULL;
	char *big;

	model_rejects("{", "invalid json");
	model_rejects("[] x", "invalid json");
	model_rejects("{\"status\":\"FAILED\",\"message\":\"no\"}", "FAILED");
	model_rejects("{\"data\":{}}", "data");
	model_rejects("[1]", "data[0]");
	model_rejects("[{\"vhost\":\"a\"}]", "data[0].appName");
	model_rejects("[{\"appName\":\"a\"}]", "data[0].vhost");
	model_rejects("[{\"appName\":\"a\",\"vhost\":\"v\",\"hosts\":{}}]", "data[0].hosts");
	model_rejects("[{\"appName\":\"a\",\"vhost\":\"v\",\"tags\":[]}]", "data[0].tags");
	model_rejects("[{\"appName\":\"a\",\"vhost\":\"v\",\"hosts\":[{\"port\":1}]}]",
	              "data[0].hosts[0].host");
	model_rejects(
	        "[{\"appName\":\"a\",\"vhost\":\"v\",\"hosts\":[{\"host\":\"h\",\"port\":0}]}]",
	        "data[0].hosts[0].port");
	model_rejects("[{\"appName\":\"a\",\"vhost\":\"v\",\"hosts\":[{\"host\":\"h\","
	              "\"port\":\"1\"}]}]",
	              "data[0].hosts[0].port");
	model_rejects("[{\"appName\":1,\"vhost\":\"v\"}]", "data[0].appName");
	{ /* deeper than the model's cap (DROVE_MODEL_MAX_DEPTH, 32) */
		char deep[82];
		memset(deep, '[', 40);
		memset(deep + 40, ']', 40);
		deep[80] = '\0';
		model_rejects(deep, "invalid json");
	}
	model_rejects("[{\"appName\":\"a\",\"vhost\":\"v\",\"tags\":{\"k\":{}}}]", "data[0].tags");
	/* caps */
	ck_assert_ptr_nonnull(big = malloc(DROVE_GATEWAY_ENDPOINTS_MAX + 2));
	memset(big, ' ', DROVE_GATEWAY_ENDPOINTS_MAX + 1);
	big[DROVE_GATEWAY_ENDPOINTS_MAX + 1] = '\0';
	drove_assert_error(drove_gateway_model_from_json(&m, ctx, NULL, big, strlen(big)),
	                   DROVE_EINVAL, "limit");
	{
		drove__buf b = DROVE_BUF_INIT;
		drove__buf_puts(&b, "[");
		for (int i = 0; i <= DROVE_GATEWAY_APPS_MAX; i++)
			drove__buf_puts(&b, i ? ",{}" : "{}");
		drove__buf_puts(&b, "]");
		drove_assert_error(drove_gateway_model_from_json(&m, ctx, NULL, b.data, b.len),
		                   DROVE_EINVAL, "apps");
		drove__buf_free(&b);
	}
	free(big);
	/* the bare data array and an empty one are fine */
	ck_assert_int_eq(drove_gateway_model_from_json(&m, ctx, NULL, "[]", 2), 0);
	ck_assert_int_eq(drove_gateway_model_vhost_count(m), 0);
	drove_gateway_model_free(m);
}
END_TEST

/* ---- template ---- */

static drove_gateway_template *tpl(const char *text)
{
	drove_gateway_template *t = NULL;
	int rc = drove_gateway_template_new(&t, ctx, text, strlen(text));
	ck_assert_msg(rc == 0, "%s", drove_error_last()->message);
	return t;
}

static void tpl_rejects(const char *text, const char *needle)
{
	drove_gateway_template *t = NULL;
	drove_assert_error(drove_gateway_template_new(&t, ctx, text, strlen(text)), DROVE_EINVAL,
	                   needle);
	ck_assert_ptr_null(t);
}

START_TEST(test_template_render)
{
	drove_gateway_config *c;
	drove_gateway_model *m = NULL;
	drove_gateway_template *t;
	char *out = NULL;
	const char *want;

	c = load("drove:\n  endpoints: [http://c1:4000]\nrouting:\n  routingTag: zone\n"
	         "  leaderVhost: drove.local\nnginx:\n  config: /x\n  listen: 8080\n");
	m = model(c, ENDPOINTS);
	t = tpl("# listen {{ listen }}\n"
	        "{{! a comment line }}\n"
	        "{{#leader}}\n"
	        "leader {{leader_vhost}} -> {{leader_host}}:{{leader_port}} ({{leader_url}})\n"
	        "{{/leader}}\n"
	        "{{#vhosts}}\n"
	        "upstream {{upstream}} {\n"
	        "  {{#hosts}}\n"
	        "  server {{host}}:{{port}}; # {{port_type}} {{vhost}}\n"
	        "  {{/hosts}}\n"
	        "}\n"
	        "  {{#groups}}\n"
	        "group {{group}} {{group_upstream}}:{{#hosts}} {{port}}{{/hosts}}\n"
	        "  {{/groups}}\n"
	        "{{/vhosts}}\n"
	        "end {{leader_vhost}}");
	ck_assert_int_eq(drove_gateway_render(t, m, c, "http://c1:4000", &out), 0);
	want = "# listen 8080\n"
	       "leader drove.local -> c1:4000 (http://c1:4000)\n"
	       "upstream drove_a_local {\n"
	       "  server h3:3000; # https a.local\n"
	       "}\n"
	       "group a.local drove_a_local__a_local: 3000\n"
	       "upstream drove_b_local {\n"
	       "  server h1:1500; # http b.local\n"
	       "  server h1:2001; # http b.local\n"
	       "  server h2:2000; # http b.local\n"
	       "}\n"
	       "group z1 drove_b_local__z1: 2001 2000\n"
	       "group z2 drove_b_local__z2: 1500\n"
	       "upstream drove_c_other {\n"
	       "  server h4:4000; # http c.other\n"
	       "}\n"
	       "group c.other drove_c_other__c_other: 4000\n"
	       "end drove.local";
	ck_assert_str_eq(out, want);
	drove_free(out);
	/* no leader known: no leader block */
	ck_assert_int_eq(drove_gateway_render(t, m, c, NULL, &out), 0);
	ck_assert_ptr_null(strstr(out, "leader drove.local"));
	drove_free(out);
	drove_assert_error(drove_gateway_render(t, m, c, "http://a;b:1", &out), DROVE_EINVAL,
	                   "leader url");
	drove_gateway_template_free(t);
	drove_gateway_template_free(NULL);
	drove_gateway_model_free(m);
	drove_gateway_config_free(c);
}
END_TEST

START_TEST(test_template_default)
{
	drove_gateway_template *t = tpl(drove_gateway_template_default());
	drove_gateway_model *m = model(NULL, ENDPOINTS);
	char *out = NULL;

	ck_assert_int_eq(drove_gateway_render(t, m, NULL, "http://c1:4000", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "upstream drove_b_local {\n        server h1:1500;\n"));
	ck_assert_ptr_nonnull(strstr(out, "server_name b.local;"));
	ck_assert_ptr_nonnull(strstr(out, "listen 80 default_server;"));
	ck_assert_ptr_null(strstr(out, "drove_leader")); /* no leader vhost configured */
	ck_assert_ptr_null(strstr(out, "{{"));
	drove_free(out);
	drove_gateway_template_free(t);
	drove_gateway_model_free(m);
}
END_TEST

START_TEST(test_template_errors)
{
	tpl_rejects("a\n{{nope}}", "template:2: unknown variable nope");
	tpl_rejects("{{host}}", "unknown variable host");
	tpl_rejects("{{#vhosts}}{{leader_host}}{{/vhosts}}", "leader_host");
	tpl_rejects("{{#bogus}}{{/bogus}}", "unknown block bogus");
	tpl_rejects("{{#hosts}}{{/hosts}}", "{{#hosts}} is not allowed at the top");
	tpl_rejects("{{#vhosts}}{{#leader}}{{/leader}}{{/vhosts}}", "not allowed inside vhosts");
	tpl_rejects("{{#vhosts}}\n\n{{/hosts}}", "template:3: {{/hosts}} closes no open block");
	tpl_rejects("x\n{{#vhosts}}\n", "template:2: {{#vhosts}} is never closed");
	tpl_rejects("{{/vhosts}}", "closes no open block");
	tpl_rejects("{{ listen", "{{ without }}");
	{
		drove_gateway_template *t = NULL;
		drove_assert_error(drove_gateway_template_new(&t, ctx, "a\0b", 3), DROVE_EINVAL,
		                   "NUL");
		drove_assert_error(
		        drove_gateway_template_new(&t, ctx, "x", DROVE_GATEWAY_TEMPLATE_MAX + 1),
		        DROVE_EINVAL, "limit");
	}
}
END_TEST

/* ---- events summary ---- */

START_TEST(test_summary)
{
	int64_t ls = 5;
	int changed = -1;
	const char *a =
	        "{\"status\":\"SUCCESS\",\"data\":{\"eventsCount\":{\"INSTANCE_STATE_CHANGE\":2},"
	        "\"lastSyncTime\":1234}}";
	const char *b = "{\"status\":\"SUCCESS\",\"data\":{\"eventsCount\":{\"EXECUTOR_ADDED\":1},"
	                "\"lastSyncTime\":99}}";
	const char *e = "{\"status\":\"SUCCESS\",\"data\":{\"eventsCount\":{}}}";

	ck_assert_int_eq(drove__gw_parse_summary(a, strlen(a), &ls, &changed), 0);
	ck_assert_int_eq(ls, 1234);
	ck_assert_int_eq(changed, 1);
	ck_assert_int_eq(drove__gw_parse_summary(b, strlen(b), &ls, &changed), 0);
	ck_assert_int_eq(ls, 99);
	ck_assert_int_eq(changed, 0);
	ck_assert_int_eq(drove__gw_parse_summary(e, strlen(e), &ls, &changed), 0);
	ck_assert_int_eq(ls, 99);
	drove_assert_error(drove__gw_parse_summary("{\"status\":\"FAILED\"}", 19, &ls, &changed),
	                   DROVE_EINVAL, "SUCCESS");
	{
		const char *bad = "{\"status\":\"SUCCESS\",\"data\":{\"lastSyncTime\":\"x\"}}";
		drove_assert_error(drove__gw_parse_summary(bad, strlen(bad), &ls, &changed),
		                   DROVE_EINVAL, "lastSyncTime");
	}
}
END_TEST

/* ---- files and commands ---- */

START_TEST(test_write_and_run)
{
	char dir[] = "/tmp/gw-unit-XXXXXX", path[64], *txt, *out = NULL;
	const char *ok[] = {"sh", "-c", "echo hi; exit 3", NULL};
	const char *slow[] = {"sleep", "5", NULL};
	const char *none[] = {"/nonexistent/bin", NULL};
	int st = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.conf", dir);
	ck_assert_int_eq(drove__gw_write_file(path, "one", 3), 0);
	ck_assert_int_eq(drove__gw_write_file(path, "two\n", 4), 0);
	txt = drove__strndup("", 0);
	{
		FILE *f = fopen(path, "r");
		char buf[16] = {0};
		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(fread(buf, 1, sizeof(buf), f), 4);
		fclose(f);
		ck_assert_str_eq(buf, "two\n");
	}
	free(txt);
	unlink(path);
	snprintf(path, sizeof(path), "%s/no/such/a.conf", dir);
	drove_assert_error(drove__gw_write_file(path, "x", 1), DROVE_EIO, "cannot create");
	rmdir(dir);

	ck_assert_int_eq(drove__gw_run(ok, 5000, &st, &out), 0);
	ck_assert_int_eq(st, 3);
	ck_assert_str_eq(out, "hi\n");
	free(out);
	drove_assert_error(drove__gw_run(slow, 100, &st, NULL), DROVE_ETIMEOUT, "sleep");
	drove_assert_error(drove__gw_run(none, 5000, &st, NULL), DROVE_EIO, "cannot run");
}
END_TEST

/* ---- the engine's set-up ---- */

START_TEST(test_engine_setup)
{
	drove_loop *loop = NULL;
	drove_gateway *gw = NULL;
	drove_gateway_config *c;
	char tp[] = "/tmp/gw-tpl-XXXXXX", *yaml;
	int fd = mkstemp(tp);
	int64_t v = -1;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "{{#vhosts}}\n", 12), 12);
	close(fd);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);

	/* a bad template names its file and line */
	yaml = drove__asprintf(MIN_YAML "  template: %s\n", tp);
	c = load(yaml);
	drove_assert_error(drove_gateway_new(&gw, loop, c), DROVE_EINVAL, tp);
	ck_assert_ptr_null(gw);
	drove_gateway_config_free(c);
	free(yaml);
	unlink(tp);
	yaml = drove__asprintf(MIN_YAML "  template: %s\n", tp);
	c = load(yaml);
	drove_assert_error(drove_gateway_new(&gw, loop, c), DROVE_EIO, "cannot open");
	drove_gateway_config_free(c);
	free(yaml);

	/* the built-in template, DNS on a free port */
	c = load(MIN_YAML "dns:\n  listen: 127.0.0.1:0\n");
	ck_assert_msg(drove_gateway_new(&gw, loop, c) == 0, "%s", drove_error_last()->message);
	ck_assert_int_gt(drove_gateway_dns_port(gw), 0);
	ck_assert_ptr_null(drove_gateway_leader(gw));
	ck_assert_ptr_null(drove_gateway_model_current(gw));
	ck_assert_int_eq(drove_gateway_stat(gw, "reloads", &v), 0);
	ck_assert_int_eq(v, 0);
	drove_assert_error(drove_gateway_stat(gw, "x", &v), DROVE_ENOTFOUND, "x");
	ck_assert_int_eq(drove_gateway_reload_template(gw), 0);
	drove_gateway_on_applied(gw, NULL, NULL);
	ck_assert_int_eq(drove_gateway_start(gw), 0);
	drove_assert_error(drove_gateway_start(gw), DROVE_EINVAL, "started");
	/* nothing answers at c1/c2: no leader */
	drove_loop_run_for(loop, 200);
	ck_assert_ptr_null(drove_gateway_leader(gw));
	drove_gateway_free(gw);
	drove_gateway_free(NULL);
	drove_gateway_config_free(c);

	/* the nginx prefix is created when missing; one level only */
	{
		char pfx[64];
		snprintf(pfx, sizeof(pfx), "/tmp/gw-unit-prefix-%ld", (long)getpid());
		yaml = drove__asprintf(MIN_YAML "  prefix: %s\n", pfx);
		c = load(yaml);
		ck_assert_int_eq(drove_gateway_new(&gw, loop, c), 0);
		ck_assert_int_eq(access(pfx, F_OK), 0);
		drove_gateway_free(gw);
		gw = NULL;
		drove_gateway_config_free(c);
		free(yaml);
		rmdir(pfx);
		c = load(MIN_YAML "  prefix: /nonexistent-gw/a/b\n");
		drove_assert_error(drove_gateway_new(&gw, loop, c), DROVE_EIO, "nginx.prefix");
		drove_gateway_config_free(c);
	}

	c = load(MIN_YAML "dns:\n  listen: nonsense\n");
	drove_assert_error(drove_gateway_new(&gw, loop, c), DROVE_EINVAL, "dns.listen");
	drove_gateway_config_free(c);
	drove_loop_free(loop);
}
END_TEST

Suite *gateway_suite(void)
{
	Suite *s = suite_create("gateway");
	TCase *tc = tcase_create("config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_config_defaults);
	tcase_add_test(tc, test_config_full);
	tcase_add_test(tc, test_config_errors);
	tcase_add_test(tc, test_config_file);
	suite_add_tcase(s, tc);
	tc = tcase_create("model");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_model_groups_and_sorting);
	tcase_add_test(tc, test_model_filters);
	tcase_add_test(tc, test_model_errors);
	tcase_add_test(tc, test_summary);
	suite_add_tcase(s, tc);
	tc = tcase_create("template");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_template_render);
	tcase_add_test(tc, test_template_default);
	tcase_add_test(tc, test_template_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("engine");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_write_and_run);
	tcase_add_test(tc, test_engine_setup);
	suite_add_tcase(s, tc);
	return s;
}
