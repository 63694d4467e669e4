/* TLS end to end (issue 22), certificates made at test time with the openssl CLI:
 * tcase "server": libdrove's HTTP server with a PKCS12 key store and the async HTTP client
 *   (the transport of checks, config fetches and controller <-> executor calls) over loopback:
 *   verified with the CA, refused without it (a clear message), accepted with `insecure`;
 *   JKS key stores, wrong passwords and bad connector keys refused at start.
 * tcase "cluster": drove-controller and drove-executor processes with `type: https`
 *   connectors (application and admin) and the executor reaching the controller over https
 *   (trusting the test CA through SSL_CERT_FILE); drove_client and the drove CLI verify the
 *   controller's certificate (fail without the CA, work with it or with --insecure); an app
 *   whose EXECUTOR_HTTP_FETCH config is served by a self-signed `openssl s_server` fails to
 *   start with insecure: false and runs with insecure: true; drove-epoch serves https and
 *   drives the https controller. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include <drove/drove.h>

#include "cluster.h"
#include "config/config.h"
#include "core/internal.h"
#include "harness.h"
#include "http/client.h"
#include "http/server.h"
#include "cli_run.h"

#define STOREPW "store-pw"

static char certdir[160];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

/* A CA, a server certificate it signs (localhost, 127.0.0.1) in srv.p12 (password STOREPW),
 * and an unrelated self-signed certificate other.pem/other.key, all under `dir`. */
static void make_certs(const char *dir)
{
	snprintf(certdir, sizeof(certdir), "%s", dir);
	sh("cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
	   "-keyout ca.key -out ca.pem -days 2 -subj /CN=drove-test-ca "
	   "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign "
	   ">/dev/null 2>&1",
	   dir);
	sh("cd %s && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
	   "-keyout srv.key -out srv.csr -subj /CN=localhost >/dev/null 2>&1 && "
	   "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' "
	   "> ext.cnf && openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
	   "-out srv.pem -days 2 -extfile ext.cnf >/dev/null 2>&1 && "
	   "openssl pkcs12 -export -in srv.pem -inkey srv.key -certfile ca.pem -out srv.p12 "
	   "-passout pass:" STOREPW " >/dev/null 2>&1",
	   dir);
	sh("cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
	   "-keyout other.key -out other.pem -days 2 -subj /CN=127.0.0.1 "
	   "-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
	   dir);
}

static char *cpath(const char *name)
{
	return drove__asprintf("%s/%s", certdir, name);
}

/* ---- tcase server: in-process server and client ---- */

static drove_ctx *ctx;
static drove_loop *loop;
static char tmp[64];

static void s_setup(void)
{
	unsetenv("SSL_CERT_FILE");
	unsetenv("CURL_CA_BUNDLE");
	snprintf(tmp, sizeof(tmp), "/tmp/drove-tls-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	make_certs(tmp);
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
}

static void s_teardown(void)
{
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	if (!getenv("DROVE_KEEP_TEST_DIR"))
		sh("rm -rf %s", tmp);
}

static void h_hello(drove__http_req *req, void *ud)
{
	(void)ud;
	drove__http_reply_raw(req, 200, "text/plain", "hello over tls\n", 15);
}

struct got {
	int done, status, error, unverified;
	char text[1024], body[256];
};

static void on_got(const drove__http_response *resp, void *ud)
{
	struct got *g = ud;
	g->done = 1;
	g->status = resp->status;
	g->error = resp->error;
	g->unverified = resp->tls_unverified;
	snprintf(g->text, sizeof(g->text), "%s", resp->errtext);
	snprintf(g->body, sizeof(g->body), "%s", resp->body);
}

static void get(drove__http_client *c, const char *url, int insecure, const char *ca, struct got *g)
{
	drove__http_request req = {0};
	int64_t end = drove_time_mono_ms() + 15000;
	memset(g, 0, sizeof(*g));
	req.url = url;
	req.timeout_ms = 30000;
	req.insecure = insecure;
	req.ca_file = ca;
	req.on_done = on_got;
	req.userdata = g;
	ck_assert_int_eq(drove__http_send(c, &req, NULL), 0);
	while (!g->done && drove_time_mono_ms() < end)
		drove_loop_run_for(loop, 50);
	ck_assert_msg(g->done, "no answer from %s", url);
}

START_TEST(test_server_client)
{
	drove__http_server *srv = NULL;
	drove__http_client *c = NULL;
	char *p12 = cpath("srv.p12"), *ca = cpath("ca.pem"), *other = cpath("other.pem");
	char url[128], purl[128];
	struct got g;

	ck_assert_int_eq(drove__http_server_new(&srv, loop, NULL), 0);
	ck_assert_int_eq(drove__http_server_route(srv, DROVE_HTTP_GET, "/hello", DROVE_HTTP_PUBLIC,
	                                          0, h_hello, NULL),
	                 0);
	ck_assert_int_eq(drove__http_server_is_tls(srv), 0);
	ck_assert_int_eq(drove__http_server_set_tls(srv, p12, STOREPW, "PKCS12"), 0);
	ck_assert_int_eq(drove__http_server_is_tls(srv), 1);
	ck_assert_int_eq(drove__http_server_bind(srv, "127.0.0.1", 0), 0);
	ck_assert_int_eq(drove__http_client_new(&c, loop), 0);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/hello", drove__http_server_port(srv));
	snprintf(purl, sizeof(purl), "http://127.0.0.1:%d/hello", drove__http_server_port(srv));

	/* trusted through the CA */
	get(c, url, 0, ca, &g);
	ck_assert_msg(g.error == 0, "%s", g.text);
	ck_assert_int_eq(g.status, 200);
	ck_assert_str_eq(g.body, "hello over tls\n");
	/* the same through $SSL_CERT_FILE */
	setenv("SSL_CERT_FILE", ca, 1);
	get(c, url, 0, NULL, &g);
	unsetenv("SSL_CERT_FILE");
	ck_assert_msg(g.error == 0 && g.status == 200, "%s", g.text);
	/* not trusted: the system store, and a CA that did not sign it */
	get(c, url, 0, NULL, &g);
	ck_assert_int_eq(g.error, DROVE_EIO);
	ck_assert_int_eq(g.status, 0);
	ck_assert_int_eq(g.unverified, 1);
	ck_assert_msg(strstr(g.text, "TLS certificate verification failed"), "%s", g.text);
	ck_assert_msg(strstr(g.text, "insecure"), "%s", g.text);
	get(c, url, 0, other, &g);
	ck_assert_int_eq(g.unverified, 1);
	/* insecure: no verification */
	get(c, url, 1, NULL, &g);
	ck_assert_msg(g.error == 0 && g.status == 200, "%s", g.text);
	ck_assert_str_eq(g.body, "hello over tls\n");
	/* plain HTTP to the TLS port gets no HTTP answer */
	get(c, purl, 0, NULL, &g);
	ck_assert_int_ne(g.error, 0);
	ck_assert_int_ne(g.status, 200);
	ck_assert_int_eq(g.unverified, 0);
	/* still serving after that */
	get(c, url, 0, ca, &g);
	ck_assert_int_eq(g.status, 200);

	drove__http_client_free(c);
	drove__http_server_free(srv);
	free(p12);
	free(ca);
	free(other);
}
END_TEST

START_TEST(test_bad_key_stores)
{
	drove__http_server *srv = NULL;
	char *p12 = cpath("srv.p12"), *jks = cpath("store.jks"), *pem = cpath("srv.pem");
	static const unsigned char jks_magic[] = {0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2};
	FILE *f = fopen(jks, "we");

	ck_assert_ptr_nonnull(f);
	fwrite(jks_magic, 1, sizeof(jks_magic), f);
	fclose(f);
	ck_assert_int_eq(drove__http_server_new(&srv, loop, NULL), 0);
	/* a JKS store (by its magic, whatever the type says) */
	ck_assert_int_eq(drove__http_server_set_tls(srv, jks, "x", NULL), DROVE_EINVAL);
	ck_assert_msg(strstr(drove_error_last()->message, "convert it to PKCS12"), "%s",
	              drove_error_last()->message);
	ck_assert_int_eq(drove__http_server_set_tls(srv, p12, STOREPW, "JKS"), DROVE_EINVAL);
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "PKCS12"));
	ck_assert_int_eq(drove__http_server_set_tls(srv, p12, STOREPW, "BKS"), DROVE_EINVAL);
	/* wrong password, not PKCS12, missing file */
	ck_assert_int_eq(drove__http_server_set_tls(srv, p12, "wrong", NULL), DROVE_EINVAL);
	ck_assert_msg(strstr(drove_error_last()->message, "keyStorePassword"), "%s",
	              drove_error_last()->message);
	ck_assert_int_eq(drove__http_server_set_tls(srv, pem, STOREPW, NULL), DROVE_EINVAL);
	ck_assert_msg(strstr(drove_error_last()->message, "not a PKCS12 file"), "%s",
	              drove_error_last()->message);
	ck_assert_int_eq(drove__http_server_set_tls(srv, "/nonexistent/x.p12", STOREPW, NULL),
	                 DROVE_EIO);
	ck_assert_int_eq(drove__http_server_is_tls(srv), 0);
	drove__http_server_free(srv);
	free(p12);
	free(jks);
	free(pem);
}
END_TEST

static int load_ctrl(const char *connector, drove_config **out)
{
	char *y = drove__asprintf("server: { applicationConnectors: [%s] }\n"
	                          "store: { type: local, dataDir: /tmp/x }\n",
	                          connector);
	int rc = drove_config_load_controller_buf(out, ctx, "controller.yml", y, strlen(y));
	free(y);
	return rc;
}

START_TEST(test_connector_config)
{
	drove_config *cfg = NULL;
	drove_epoch_config *ec = NULL;
	char *y;

	ck_assert_int_eq(load_ctrl("{type: https, port: 1, keyStorePath: /k.p12, "
	                           "keyStorePassword: pw, keyStoreType: pkcs12}",
	                           &cfg),
	                 0);
	ck_assert_int_eq(cfg->server.tls.enabled, 1);
	ck_assert_str_eq(cfg->server.tls.key_store_path, "/k.p12");
	ck_assert_str_eq(cfg->server.tls.key_store_password, "pw");
	ck_assert_int_eq(cfg->server.admin_tls.enabled, 0);
	drove_config_free(cfg);
	cfg = NULL;
	ck_assert_int_eq(load_ctrl("{type: https, port: 1}", &cfg), DROVE_EINVAL);
	ck_assert_msg(strstr(drove_error_last()->message,
	                     "server.applicationConnectors[0].keyStorePath: required"),
	              "%s", drove_error_last()->message);
	ck_assert_int_eq(
	        load_ctrl("{type: https, port: 1, keyStorePath: /k.jks, keyStoreType: JKS}", &cfg),
	        DROVE_EINVAL);
	ck_assert_msg(strstr(drove_error_last()->message,
	                     "server.applicationConnectors[0].keyStoreType: JKS key stores are "
	                     "not supported; convert"),
	              "%s", drove_error_last()->message);
	ck_assert_int_eq(load_ctrl("{type: http, port: 1, keyStorePath: /k.p12}", &cfg),
	                 DROVE_EINVAL);
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "keyStorePath"));
	ck_assert_int_eq(load_ctrl("{type: h2, port: 1}", &cfg), DROVE_EINVAL);
	ck_assert_ptr_null(cfg);
	/* Epoch reads the same keys */
	y = drove__asprintf("server: { applicationConnectors: [{type: https, port: 1, "
	                    "keyStorePath: /e.p12, keyStorePassword: epw}] }\n"
	                    "drove: { endpoints: [\"https://127.0.0.1:1\"], insecure: true }\n");
	ck_assert_int_eq(drove_epoch_config_load_buf(&ec, ctx, "epoch.yml", y, strlen(y)), 0);
	ck_assert_str_eq(
	        drove_epoch_config_get_string(ec, "server.applicationConnectors.keyStorePath"),
	        "/e.p12");
	ck_assert_str_eq(
	        drove_epoch_config_get_string(ec, "server.applicationConnectors.keyStorePassword"),
	        "epw");
	drove_epoch_config_free(ec);
	free(y);
}
END_TEST

/* ---- tcase cluster: daemons over https ---- */

#define EPOCH_BIN DROVE_BINARY_DIR "/daemons/drove-epoch/drove-epoch"

static pid_t s_server_pid, epoch_pid;

static void c_setup(void)
{
	dtc_setup();
	unsetenv("SSL_CERT_FILE");
	unsetenv("CURL_CA_BUNDLE");
	make_certs(dtc.dir);
	snprintf(cli_bin, sizeof(cli_bin), "%s", DTC_CLI_BIN);
	snprintf(cli_home, sizeof(cli_home), "%s/home", dtc.dir);
	ck_assert_int_eq(mkdir(cli_home, 0700), 0);
	cli_deadline_s = 60;
}

static void c_teardown(void)
{
	if (s_server_pid > 0) {
		kill(s_server_pid, SIGTERM);
		waitpid(s_server_pid, NULL, 0);
		s_server_pid = 0;
	}
	if (epoch_pid > 0)
		dtc_stop(&epoch_pid, SIGTERM);
	unsetenv("SSL_CERT_FILE");
	dtc_teardown();
}

static drove_client *client(const char *ep, int insecure)
{
	drove_client *cl = NULL;
	ck_assert_int_eq(drove_client_new(&cl, ctx), 0);
	ck_assert_int_eq(drove_client_add_endpoint(cl, ep), 0);
	ck_assert_int_eq(drove_client_set_retries(cl, 0, 1, 1), 0);
	drove_client_set_insecure(cl, insecure);
	return cl;
}

static void add_fetch(json_object *cfgs, const char *type, const char *file, int port, int insecure)
{
	json_object *c = json_object_new_object(), *h = json_object_new_object();
	json_object_object_add(c, "type", json_object_new_string(type));
	json_object_object_add(c, "localFilename", json_object_new_string(file));
	json_object_object_add(h, "protocol", json_object_new_string("HTTPS"));
	json_object_object_add(h, "hostname", json_object_new_string("127.0.0.1"));
	json_object_object_add(h, "port", json_object_new_int(port));
	json_object_object_add(h, "path", json_object_new_string("/"));
	json_object_object_add(h, "verb", json_object_new_string("GET"));
	json_object_object_add(h, "operationTimeout", json_object_new_string("5 seconds"));
	json_object_object_add(h, "insecure", json_object_new_boolean(insecure));
	json_object_object_add(c, "http", h);
	json_object_array_add(cfgs, c);
}

/* The app spec of tests/data/model as version `version` with an EXECUTOR_HTTP_FETCH and / or a
 * CONTROLLER_HTTP_FETCH config (insecure as given; -1: none) from https://127.0.0.1:port/. */
static char *fetch_app(int version, int port, int exec_insecure, int ctrl_insecure)
{
	size_t len;
	char *spec = drove_test_read_source_file("tests/data/model/application.json", &len);
	json_object *j = json_tokener_parse(spec), *cfgs;
	char *out, v[16];
	free(spec);
	ck_assert_ptr_nonnull(j);
	snprintf(v, sizeof(v), "%d", version);
	json_object_object_add(j, "version", json_object_new_string(v));
	ck_assert(json_object_object_get_ex(j, "configs", &cfgs));
	if (exec_insecure >= 0)
		add_fetch(cfgs, "EXECUTOR_HTTP_FETCH", "/www/e.html", port, exec_insecure);
	if (ctrl_insecure >= 0)
		add_fetch(cfgs, "CONTROLLER_HTTP_FETCH", "/www/c.html", port, ctrl_insecure);
	out = strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
	json_object_put(j);
	return out;
}

/* CREATE fetch_app(...) with one instance. */
static void create_fetch_app(drove_client *cl, int version, int port, int exec_insecure,
                             int ctrl_insecure)
{
	char *spec = fetch_app(version, port, exec_insecure, ctrl_insecure);
	ck_assert_msg(drove_client_app_create(cl, spec, 1, "60 seconds", 1, NULL) == 0, "%s",
	              drove_error_last()->message);
	free(spec);
}

static int wait_text(drove_client *cl, const char *path, const char *needle, int64_t ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	while (drove_time_mono_ms() < end) {
		drove_client_response *r = NULL;
		if (drove_client_request(cl, "GET", path, NULL, NULL, &r) == 0) {
			const char *b = drove_client_response_body(r, NULL);
			int hit = b && strstr(b, needle);
			drove_client_response_free(r);
			if (hit)
				return 1;
		}
		usleep(300 * 1000);
	}
	return 0;
}

START_TEST(test_cluster_https)
{
	char path[256], log[256], ep[64], aurl[96], *y, *ca = cpath("ca.pem");
	char *p12 = cpath("srv.p12"), *b = NULL;
	drove_client *cl;
	struct run r;
	int sport;

	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	/* the controller: https on both connectors */
	dtc.cport[0] = dtc_free_port();
	dtc.caport[0] = dtc_free_port();
	y = drove__asprintf("server:\n"
	                    "  applicationConnectors: [{type: https, port: %d, keyStorePath: %s, "
	                    "keyStorePassword: " STOREPW ", keyStoreType: PKCS12}]\n"
	                    "  adminConnectors: [{type: https, port: %d, keyStorePath: %s, "
	                    "keyStorePassword: " STOREPW "}]\n"
	                    "store: { type: local, dataDir: %s/ctrl-data }\n"
	                    "clusterAuth:\n  secrets:\n"
	                    "    - { nodeType: CONTROLLER, secret: " DTC_CONTROLLER_SECRET " }\n"
	                    "    - { nodeType: EXECUTOR, secret: " DTC_EXECUTOR_SECRET " }\n"
	                    "options: { executorCheckInterval: 500ms, reconcileInterval: 1s, "
	                    "maintenanceWindowTail: 0s, clusterOpParallelism: 4 }\n",
	                    dtc.cport[0], p12, dtc.caport[0], p12, dtc.dir);
	snprintf(path, sizeof(path), "%s/controller0.yml", dtc.dir);
	snprintf(log, sizeof(log), "%s/controller0.log", dtc.dir);
	dtc_write_file(path, y);
	free(y);
	/* the daemons trust the test CA */
	setenv("SSL_CERT_FILE", ca, 1);
	dtc.cpid[0] = dtc_spawn(DTC_CTRL_BIN, path, log);
	dtc.port = dtc.cport[0];
	snprintf(ep, sizeof(ep), "https://127.0.0.1:%d", dtc.cport[0]);

	/* drove_client: verified with the CA */
	cl = client(ep, 0);
	for (int i = 0; i < 100 && drove_client_ping(cl) < 0; i++)
		usleep(200 * 1000);
	ck_assert_msg(drove_client_ping(cl) == 0, "%s", drove_error_last()->message);
	drove_client_free(cl);
	/* without the CA: a clear refusal; insecure: fine */
	unsetenv("SSL_CERT_FILE");
	cl = client(ep, 0);
	ck_assert_int_lt(drove_client_ping(cl), 0);
	ck_assert_msg(strstr(drove_error_last()->message, "TLS certificate verification failed"),
	              "%s", drove_error_last()->message);
	drove_client_free(cl);
	cl = client(ep, 1);
	ck_assert_int_eq(drove_client_ping(cl), 0);
	/* plain http to it does not work */
	snprintf(aurl, sizeof(aurl), "http://127.0.0.1:%d/apis/v1/ping", dtc.cport[0]);
	ck_assert_int_ne(dtc_http_url("GET", aurl, NULL, NULL), 200);

	/* the CLI: refused without the CA, --insecure, then the CA through SSL_CERT_FILE */
	drove_run(&r, "-e", ep, "cluster", "ping", (const char *)NULL);
	ck_assert_msg(r.status != 0, "%s", r.out);
	ck_assert_msg(strstr(r.err, "TLS certificate verification failed"), "%s", r.err);
	drove_run(&r, "-e", ep, "--insecure", "cluster", "ping", (const char *)NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	setenv("SSL_CERT_FILE", ca, 1);
	drove_run(&r, "-e", ep, "cluster", "ping", (const char *)NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);

	/* the admin connector serves https too */
	{
		drove__http_response *resp = NULL;
		drove__http_request req = {0};
		snprintf(aurl, sizeof(aurl), "https://127.0.0.1:%d/ping", dtc.caport[0]);
		req.url = aurl;
		req.ca_file = ca;
		req.timeout_ms = 30000;
		ck_assert_int_eq(drove__http_request_sync(ctx, &req, &resp), 0);
		ck_assert_int_eq(resp->status, 200);
		drove__http_response_free(resp);
	}

	/* an executor on https reaching the controller over https (RPC mode) */
	dtc.eport[0] = dtc_free_port();
	snprintf(dtc.ehost[0], sizeof(dtc.ehost[0]), "localhost");
	y = drove__asprintf(
	        "server:\n  applicationConnectors: [{type: https, port: %d, bindHost: 127.0.0.1, "
	        "keyStorePath: %s, keyStorePassword: " STOREPW "}]\n"
	        "  adminConnectors: []\n"
	        "logging:\n  level: INFO\n  appenders:\n    - {type: drove, logPath: %s/logs0}\n"
	        "clusterAuth:\n  secrets:\n"
	        "    - {nodeType: CONTROLLER, secret: " DTC_CONTROLLER_SECRET "}\n"
	        "    - {nodeType: EXECUTOR, secret: " DTC_EXECUTOR_SECRET "}\n"
	        "resources:\n  osCores: [1]\n  overProvisioning: {enabled: true, cpuMultiplier: 2, "
	        "memoryMultiplier: 1}\n"
	        "options:\n  hostname: localhost\n  dockerSocketPath: %s\n  remoteUpdateMode: RPC\n"
	        "  cacheImages: true\n  maxOpenFiles: 1024\n  snapshotInterval: 500ms\n"
	        "  leaderLookupInterval: 500ms\n"
	        "controllers:\n  endpoints: [\"https://127.0.0.1:%d\"]\n",
	        dtc.eport[0], p12, dtc.dir, dtc.sock, dtc.cport[0]);
	snprintf(path, sizeof(path), "%s/executor0.yml", dtc.dir);
	snprintf(log, sizeof(log), "%s/executor0.log", dtc.dir);
	dtc_write_file(path, y);
	free(y);
	dtc.epid[0] = dtc_spawn(DTC_EXEC_BIN, path, log);
	ck_assert_msg(
	        wait_text(cl, "/apis/v1/cluster/executors", "\"transportType\":\"HTTPS\"", 60000),
	        "the executor did not register over https");

	/* a self-signed HTTPS server for config fetches */
	sport = dtc_free_port();
	{
		char other_pem[200], other_key[200], acc[16];
		snprintf(other_pem, sizeof(other_pem), "%s/other.pem", dtc.dir);
		snprintf(other_key, sizeof(other_key), "%s/other.key", dtc.dir);
		snprintf(acc, sizeof(acc), "%d", sport);
		char *argv[] = {(char *)"/usr/bin/openssl",
		                (char *)"s_server",
		                (char *)"-accept",
		                acc,
		                (char *)"-cert",
		                other_pem,
		                (char *)"-key",
		                other_key,
		                (char *)"-www",
		                (char *)"-quiet",
		                NULL};
		snprintf(log, sizeof(log), "%s/s_server.log", dtc.dir);
		s_server_pid = dtc_spawn_argv(argv, log);
	}
	/* insecure: false -> the executor's fetch fails with the verification message, and so
	 * does the controller's */
	create_fetch_app(cl, 1, sport, 0, -1);
	create_fetch_app(cl, 3, sport, -1, 0);
	ck_assert_msg(wait_text(cl, "/apis/v1/applications/DROVE_TEST_APP-1/instances/old",
	                        "TLS certificate verification failed", 60000),
	              "no instance failed on the self-signed certificate");
	{
		int64_t end = drove_time_mono_ms() + 60000;
		char clog[256], *text = NULL;
		snprintf(clog, sizeof(clog), "%s/controller0.log", dtc.dir);
		while (drove_time_mono_ms() < end) {
			free(text);
			text = dtc_read_file(clog);
			if (text && strstr(text, "TLS certificate verification failed"))
				break;
			usleep(300 * 1000);
		}
		ck_assert_msg(text && strstr(text, "TLS certificate verification failed"),
		              "the controller's fetch did not fail on the certificate");
		free(text);
	}
	/* insecure: true on both -> it runs */
	create_fetch_app(cl, 2, sport, 1, 1);
	ck_assert_msg(wait_text(cl, "/apis/v1/applications/DROVE_TEST_APP-2/instances",
	                        "\"state\":\"HEALTHY\"", 60000),
	              "the insecure fetches did not give a HEALTHY instance");
	/* drove-epoch serving https, driving the https controller (verified through the CA) */
	{
		drove__http_response *resp = NULL;
		drove__http_request req = {0};
		int eport = dtc_free_port(), code = 0;
		char *argv[] = {(char *)EPOCH_BIN, (char *)"-c", path, NULL};
		y = drove__asprintf(
		        "server:\n  applicationConnectors:\n    - {type: https, port: %d, "
		        "keyStorePath: %s, keyStorePassword: " STOREPW "}\n  adminConnectors: []\n"
		        "store:\n  dataDir: %s/epoch-store\n"
		        "drove:\n  endpoints: [\"https://127.0.0.1:%d\"]\n",
		        eport, p12, dtc.dir, dtc.cport[0]);
		snprintf(path, sizeof(path), "%s/epoch.yml", dtc.dir);
		snprintf(log, sizeof(log), "%s/epoch.log", dtc.dir);
		dtc_write_file(path, y);
		free(y);
		epoch_pid = dtc_spawn_argv(argv, log);
		snprintf(aurl, sizeof(aurl), "https://127.0.0.1:%d/apis/v1/topologies", eport);
		req.url = aurl;
		req.ca_file = ca;
		req.timeout_ms = 5000;
		for (int i = 0; i < 100 && code != 200; i++) {
			if (drove__http_request_sync(ctx, &req, &resp) == 0) {
				code = resp->status;
				drove__http_response_free(resp);
			}
			if (code != 200)
				usleep(200 * 1000);
		}
		ck_assert_msg(code == 200, "drove-epoch did not answer over https");
		req.ca_file = NULL;
		req.timeout_ms = 30000; /* a loaded machine */
		unsetenv("SSL_CERT_FILE");
		ck_assert_int_eq(drove__http_request_sync(ctx, &req, &resp), DROVE_EIO);
		ck_assert_ptr_nonnull(
		        strstr(drove_error_last()->message, "TLS certificate verification failed"));
		setenv("SSL_CERT_FILE", ca, 1);
	}
	/* the executor stayed (the controller reaches it over https) */
	ck_assert_int_eq(drove_client_executor_list_json(cl, &b), 0);
	ck_assert_ptr_nonnull(strstr(b, "\"transportType\":\"HTTPS\""));
	free(b);
	drove_client_free(cl);
	free(ca);
	free(p12);
	drove_ctx_free(ctx);
	ctx = NULL;
}
END_TEST

Suite *http_tls_suite(void)
{
	Suite *s = suite_create("http_tls");
	TCase *t = tcase_create("server");
	tcase_add_checked_fixture(t, s_setup, s_teardown);
	tcase_add_test(t, test_server_client);
	tcase_add_test(t, test_bad_key_stores);
	tcase_add_test(t, test_connector_config);
	suite_add_tcase(s, t);
	if (getenv("DROVE_TEST_DOCKER_SOCK") || getenv("DROVE_REQUIRE_COMPONENTS")) {
		dtc_require("test_http_tls");
		t = tcase_create("cluster");
		tcase_add_checked_fixture(t, c_setup, c_teardown);
		tcase_set_timeout(t, 240);
		tcase_add_test(t, test_cluster_https);
		suite_add_tcase(s, t);
	}
	return s;
}
