/* drove-gateway against the real thing: a controller and two executors (podman), Debian's
 * nginx run unprivileged in a temporary prefix on a free port, and the drove-gateway daemon
 * with DNS on a free loopback port, queried with dig. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include <drove/clock.h>
#include <drove/gateway.h>

#include "core/internal.h"
#include "cluster.h"
#include "harness.h"

#define APP      "DROVE_TEST_APP-1"
#define VHOST    "testapp.local"
#define GW_BIN   DROVE_BINARY_DIR "/daemons/drove-gateway/drove-gateway"
#define UPSTREAM "upstream drove_testapp_local {"

static pid_t gw_pid;
static char prefix[200], conf[256], tmpl[256], gwlog[256];
static int nport, dport;

/* Stop the nginx the gateway started: SIGTERM, then its whole session (nginx daemonizes
 * with setsid) with SIGKILL if it is still there after 3 s. */
static void nginx_stop(void)
{
	char path[300], *text;
	int pid;
	snprintf(path, sizeof(path), "%s/nginx.pid", prefix);
	if (!(text = dtc_read_file(path)))
		return;
	pid = atoi(text);
	free(text);
	if (pid <= 1 || kill(pid, SIGTERM) < 0)
		return;
	for (int i = 0; i < 30 && kill(pid, 0) == 0; i++)
		usleep(100 * 1000);
	if (kill(pid, 0) == 0)
		kill(-pid, SIGKILL);
}

static void setup(void)
{
	dtc_setup();
}

static void teardown(void)
{
	if (gw_pid > 0)
		dtc_stop(&gw_pid, SIGTERM);
	if (prefix[0])
		nginx_stop();
	usleep(200 * 1000);
	dtc_teardown();
}

static void op(const char *json)
{
	char *b = NULL;
	long code = dtc_http("POST", "/apis/v1/applications/operations", json, &b);
	ck_assert_msg(code == 200, "%s -> %ld %s", json, code, b);
	free(b);
}

static int healthy(void)
{
	char *b = NULL;
	int n = -1;
	if (dtc_http("GET", "/apis/v1/applications/" APP, NULL, &b) == 200 &&
	    strstr(b, "RUNNING")) {
		const char *p = strstr(b, "\"healthyInstances\":");
		if (p)
			n = atoi(p + strlen("\"healthyInstances\":"));
	}
	free(b);
	return n;
}

static void wait_healthy(int n, int64_t ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	while (healthy() != n) {
		ck_assert_msg(drove_time_mono_ms() < end, "app not RUNNING with %d healthy", n);
		usleep(100 * 1000);
	}
}

/* Servers of the app's upstream in the live nginx file, as "host:port," text. */
static int upstream_servers(char *out, size_t cap)
{
	char *text = dtc_read_file(conf), *p, *end;
	int n = 0;
	out[0] = '\0';
	if (!text || !(p = strstr(text, UPSTREAM))) {
		free(text);
		return 0;
	}
	end = strchr(p, '}');
	while ((p = strstr(p, "server ")) && p < end) {
		char *semi = strchr(p, ';');
		size_t l = strlen(out);
		snprintf(out + l, cap - l, "%.*s,", (int)(semi - p - 7), p + 7);
		n++;
		p = semi;
	}
	free(text);
	return n;
}

static int64_t wait_servers(int n, int64_t ms)
{
	char s[1024];
	int64_t t0 = drove_time_mono_ms();
	while (upstream_servers(s, sizeof(s)) != n) {
		ck_assert_msg(drove_time_mono_ms() - t0 < ms, "upstream has not %d servers: %s", n,
		              s);
		usleep(50 * 1000);
	}
	return drove_time_mono_ms() - t0;
}

/* GET `path` through nginx with a Host header: the status, the body in *body (may be NULL).
 * With `up`, one request by curl instead, and nginx's X-Upstream (the backend that answered)
 * in `up`. */
static long via_nginx(const char *host, const char *path, char **body, char *up, size_t cap)
{
	char url[128], hdr[160], *out = NULL;
	const char *headers[] = {hdr, NULL};
	long code = 0;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", nport, path);
	snprintf(hdr, sizeof(hdr), "Host: %s", host);
	if (up) {
		char *cmd = drove__asprintf("curl -s -o /dev/null -D - -H '%s' %s", hdr, url),
		     line[256];
		FILE *f = popen(cmd, "r");
		up[0] = '\0';
		ck_assert_ptr_nonnull(f);
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\r\n")] = '\0';
			if (!strncmp(line, "HTTP/1.1 ", 9))
				code = atol(line + 9);
			else if (!strncasecmp(line, "X-Upstream: ", 12)) {
				size_t n = strlen(line + 12);
				n = n < cap ? n : cap - 1;
				memcpy(up, line + 12, n);
				up[n] = '\0';
			}
		}
		pclose(f);
		free(cmd);
		return code;
	}
	code = dtc_http_full("GET", url, NULL, headers, NULL, &out);
	if (body)
		*body = out;
	else
		free(out);
	return code;
}

/* Distinct backends that answer through nginx over `tries` requests. */
static int backends(int tries)
{
	char seen[16][64], up[64];
	int n = 0;
	for (int i = 0; i < tries; i++) {
		int dup = 0;
		ck_assert_int_eq(via_nginx(VHOST, "/", NULL, up, sizeof(up)), 200);
		for (int k = 0; k < n; k++)
			dup |= !strcmp(seen[k], up);
		if (getenv("GW_TEST_VERBOSE"))
			fprintf(stderr, "backend %s\n", up);
		if (!dup && n < 16 && up[0])
			snprintf(seen[n++], sizeof(seen[0]), "%s", up);
	}
	return n;
}

/* nginx reloads asynchronously after the file changed: wait for `n` backends. */
static void wait_backends(int n, int tries, int64_t ms)
{
	int64_t t0 = drove_time_mono_ms();
	int got;
	while ((got = backends(tries)) != n) {
		ck_assert_msg(drove_time_mono_ms() - t0 < ms, "%d backends answer, not %d", got, n);
		usleep(200 * 1000);
	}
}

static char *sh(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	drove__buf b = DROVE_BUF_INIT;
	char line[512];
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		drove__buf_puts(&b, line);
	pclose(f);
	drove__buf_puts(&b, "");
	return drove__buf_steal(&b);
}

static char *dig(const char *name, const char *type)
{
	char *cmd =
	        drove__asprintf("dig +time=2 +tries=1 @127.0.0.1 -p %d %s %s", dport, name, type);
	char *out = sh(cmd);
	free(cmd);
	return out;
}

static void write_template(const char *extra)
{
	/* the built-in template plus the answering backend in a header */
	char *t = drove__strdup(drove_gateway_template_default());
	char *at = strstr(t, "            proxy_pass http://{{upstream}};");
	char *full;
	ck_assert_ptr_nonnull(at);
	*at = '\0';
	full = drove__asprintf("%s            add_header X-Upstream $upstream_addr always;\n%s%s%s",
	                       t, extra, "            proxy_pass http://{{upstream}};",
	                       at + strlen("            proxy_pass http://{{upstream}};"));
	dtc_write_file(tmpl, full);
	free(full);
	free(t);
}

START_TEST(test_gateway_cluster)
{
	char *yaml, *spec, *body, *b = NULL, s1[1024], s2[1024], *d, *ids;
	size_t len;
	int64_t t0, ms;
	struct json_object *root, *data;

	/* the cluster and the app with 2 instances */
	dtc_start_controller(0, 0, NULL);
	dtc.port = dtc.cport[0];
	dtc_wait_ping(20000);
	dtc_start_executor(0, 1, NULL);
	dtc_start_executor(1, 1, NULL);
	dtc_wait_execs(2, 30000);
	spec = drove_test_read_source_file("tests/data/model/application.json", &len);
	body = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s,\"instances\":2," DTC_OPSPEC "}",
	                       spec);
	op(body);
	free(body);
	free(spec);
	op("{\"type\":\"SCALE\",\"appId\":\"" APP "\",\"requiredInstances\":2," DTC_OPSPEC "}");
	wait_healthy(2, 90000);

	/* the gateway: nginx started by it on a free port, DNS on another */
	snprintf(prefix, sizeof(prefix), "%s/gw", dtc.dir);
	ck_assert_int_eq(mkdir(prefix, 0755), 0);
	snprintf(conf, sizeof(conf), "%s/nginx.conf", prefix);
	snprintf(tmpl, sizeof(tmpl), "%s/nginx.tmpl", prefix);
	snprintf(gwlog, sizeof(gwlog), "%s/gateway.log", prefix);
	nport = dtc_free_port();
	dport = dtc_free_port();
	write_template("");
	yaml = drove__asprintf(
	        "drove:\n  endpoints: [http://127.0.0.1:%d]\n"
	        "  pingInterval: 500 milliseconds\n"
	        "  eventRefreshInterval: 500 milliseconds\n"
	        "routing:\n  leaderVhost: drove.local\n"
	        "nginx:\n  config: %s\n  template: %s\n  prefix: %s\n"
	        "  listen: 127.0.0.1:%d\n  start: true\n  reloadInterval: 1 second\n"
	        "dns:\n  listen: 127.0.0.1:%d\n  domain: drove.test\n  ttl: 7 seconds\n"
	        "logging:\n  level: DEBUG\n",
	        dtc.cport[0], conf, tmpl, prefix, nport, dport);
	{
		char cfgp[300];
		snprintf(cfgp, sizeof(cfgp), "%s/gateway.yml", prefix);
		dtc_write_file(cfgp, yaml);
		gw_pid = dtc_spawn(GW_BIN, cfgp, gwlog);
	}
	free(yaml);

	/* reachable through nginx with Host: <vhost>, both instances */
	t0 = drove_time_mono_ms();
	while (via_nginx(VHOST, "/", &b, NULL, 0) != 200) {
		free(b);
		b = NULL;
		ck_assert_msg(drove_time_mono_ms() - t0 < 20000, "no answer through nginx: %s",
		              dtc_read_file(gwlog));
		usleep(200 * 1000);
	}
	ck_assert_ptr_nonnull(strstr(b, "ok"));
	free(b);
	ck_assert_int_eq(upstream_servers(s1, sizeof(s1)), 2);
	wait_backends(2, 8, 5000);
	/* an unknown vhost gets the default server's 503 */
	ck_assert_int_eq(via_nginx("nobody.local", "/", NULL, NULL, 0), 503);

	/* DNS: A for the vhost and {appName}.{domain}, SRV with host ports, NXDOMAIN otherwise */
	d = dig(VHOST, "A");
	ck_assert_msg(strstr(d, "status: NOERROR") && strstr(d, "\t7\tIN\tA\t127.0.0.1"), "%s", d);
	ck_assert_msg(strstr(d, " aa"), "not authoritative: %s", d);
	free(d);
	d = dig("DROVE_TEST_APP.drove.test", "SRV");
	{
		/* every upstream port is in the SRV answer */
		char *p = s1;
		while (*p) {
			char *colon = strchr(p, ':'), *comma = strchr(p, ','), want[32];
			snprintf(want, sizeof(want), " %.*s localhost.", (int)(comma - colon - 1),
			         colon + 1);
			ck_assert_msg(strstr(d, want), "SRV lacks%s: %s", want, d);
			p = comma + 1;
		}
	}
	free(d);
	d = dig("other.drove.test", "A");
	ck_assert_msg(strstr(d, "status: NXDOMAIN"), "%s", d);
	free(d);

	/* the leader's vhost proxies the controller's API */
	ck_assert_int_eq(via_nginx("drove.local", "/apis/v1/ping", &b, NULL, 0), 200);
	ck_assert_ptr_nonnull(strstr(b, "pong"));
	free(b);

	/* scale to 4: upstreams follow once the controller reports them healthy */
	op("{\"type\":\"SCALE\",\"appId\":\"" APP "\",\"requiredInstances\":4," DTC_OPSPEC "}");
	wait_healthy(4, 90000);
	ms = wait_servers(4, 10000);
	fprintf(stderr, "test_gateway: 4 upstreams %lld ms after the controller showed 4 healthy\n",
	        (long long)ms);
	wait_backends(4, 16, 5000);

	/* kill one instance (no respawn): it leaves the upstream */
	root = NULL;
	data = dtc_get_data("/apis/v1/applications/" APP "/instances", &root);
	ids = drove__strdup(json_object_get_string(
	        json_object_object_get(json_object_array_get_idx(data, 0), "instanceId")));
	json_object_put(root);
	upstream_servers(s1, sizeof(s1));
	body = drove__asprintf("{\"type\":\"STOP_INSTANCES\",\"appId\":\"" APP
	                       "\",\"instanceIds\":[\"%s\"],\"skipRespawn\":true," DTC_OPSPEC "}",
	                       ids);
	op(body);
	free(body);
	free(ids);
	wait_servers(3, 30000);
	upstream_servers(s2, sizeof(s2));
	{
		/* what is left was there before */
		char *p = s2;
		while (*p) {
			char *comma = strchr(p, ',');
			char one[64];
			snprintf(one, sizeof(one), "%.*s,", (int)(comma - p + 1) - 1, p);
			ck_assert_msg(strstr(s1, one), "%s was not in %s", one, s1);
			p = comma + 1;
		}
	}
	wait_backends(3, 12, 5000);

	/* a template nginx rejects: the old configuration keeps serving */
	write_template("            bogus_directive on;\n");
	kill(gw_pid, SIGHUP);
	t0 = drove_time_mono_ms();
	for (;;) {
		char *log = dtc_read_file(gwlog);
		int seen = log && strstr(log, "keeping the last good configuration") &&
		           strstr(log, "bogus_directive");
		free(log);
		if (seen)
			break;
		ck_assert_msg(drove_time_mono_ms() - t0 < 10000, "rejection not logged");
		usleep(100 * 1000);
	}
	body = dtc_read_file(conf);
	ck_assert_ptr_null(strstr(body, "bogus_directive"));
	free(body);
	ck_assert_int_eq(backends(6), 3);
	ck_assert_int_eq(via_nginx("drove.local", "/apis/v1/ping", NULL, NULL, 0), 200);

	/* a good template again is taken */
	write_template("            add_header X-Gw fixed always;\n");
	kill(gw_pid, SIGHUP);
	t0 = drove_time_mono_ms();
	for (;;) {
		body = dtc_read_file(conf);
		if (body && strstr(body, "X-Gw fixed")) {
			free(body);
			break;
		}
		free(body);
		ck_assert_msg(drove_time_mono_ms() - t0 < 10000, "good template not applied");
		usleep(100 * 1000);
	}
}
END_TEST

Suite *gateway_suite(void)
{
	Suite *s = suite_create("gateway");
	TCase *tc = tcase_create("cluster");
	dtc_require("test_gateway");
	if (access("/usr/sbin/nginx", X_OK) != 0 || access("/usr/bin/dig", X_OK) != 0) {
		fprintf(stderr, "test_gateway: nginx or dig missing\n");
		exit(getenv("DROVE_REQUIRE_COMPONENTS") ? 1 : 77);
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_gateway_cluster);
	suite_add_tcase(s, tc);
	return s;
}
