/* The executor engine against real podman (DROVE_TEST_DOCKER_SOCK, DROVE_TEST_IMAGE), with a
 * tiny fake leader in the test (messages, ping, instances/last|current, resources/reserved)
 * reached through controllers.endpoints (RPC mode). The executor runs in-process on the
 * test's loop, or as a child process of the built drove-executor for the kill -9 test. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <json-c/json.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "exec/engine.h"
#include "http/client.h"
#include "http/server.h"
#include "model/codec.h"
#include "model/message.h"
#include "model/model.h"
#include "harness.h"

#define SECRET_C "ctrl-secret-t"
#define SECRET_E "exec-secret-t"

static const char *image, *sock;
static drove_ctx *ctx;
static drove_loop *loop;
static drove_runtime *rt;
static drove__http_client *http;
static drove__http_server *leader;
static int leader_port;
static char tmpdir[64];
static char run_id[16];

/* ---- the fake leader ---- */

struct rec {
	int type;
	char id[64];
	int state;
	char err[512];
	int has_result, rstatus;
	int64_t exit_code;
	int64_t term_seen;
};
#define MAX_RECS 4096
static struct rec recs[MAX_RECS];
static int nrecs, nsnaps;
static char last_exec_id[64];

static void l_messages(drove__http_req *req, void *ud)
{
	size_t len;
	const char *body = drove__http_req_body(req, &len);
	drove_message *m = NULL;
	drove_message_response r;
	char *out = NULL;
	(void)ud;
	memset(&r, 0, sizeof(r));
	if (drove__message_decode(body, len, &m) < 0) {
		drove__http_reply_raw(req, 400, "text/plain", "bad", 3);
		return;
	}
	if (nrecs < MAX_RECS) {
		struct rec *x = &recs[nrecs];
		memset(x, 0, sizeof(*x));
		x->type = m->type;
		if (m->instance) {
			snprintf(x->id, sizeof(x->id), "%s", m->instance->instance_id);
			x->state = m->instance->state;
			snprintf(x->err, sizeof(x->err), "%s",
			         m->instance->error_message ? m->instance->error_message : "");
		} else if (m->ls_instance) {
			snprintf(x->id, sizeof(x->id), "%s", m->ls_instance->instance_id);
			x->state = m->ls_instance->state;
		} else if (m->task) {
			snprintf(x->id, sizeof(x->id), "%s", m->task->instance_id);
			x->state = m->task->state;
			snprintf(x->err, sizeof(x->err), "%s",
			         m->task->error_message ? m->task->error_message : "");
			if (m->task->task_result) {
				x->has_result = 1;
				x->rstatus = m->task->task_result->status;
				x->exit_code = m->task->task_result->exit_code;
			}
		} else if (m->node_data) {
			nsnaps++;
			if (m->node_data->state && m->node_data->state->executor_id)
				snprintf(last_exec_id, sizeof(last_exec_id), "%s",
				         m->node_data->state->executor_id);
		}
		if (m->type != DROVE_MSG_EXECUTOR_SNAPSHOT)
			nrecs++;
	}
	r.header = m->header;
	r.status = DROVE_MSG_ACCEPTED;
	ck_assert_int_eq(drove__message_response_encode(&r, &out), 0);
	drove__http_reply_raw(req, 200, "application/json", out, strlen(out));
	free(out);
	drove__message_free(m);
}

static void l_ping(drove__http_req *req, void *ud)
{
	(void)ud;
	drove__http_reply_success(req, json_object_new_string("pong"));
}

static void l_failed(drove__http_req *req, void *ud)
{
	(void)ud;
	drove__http_reply_not_found(req, "unknown executor");
}

static void l_reserved(drove__http_req *req, void *ud)
{
	struct json_object *j = json_object_new_object();
	(void)ud;
	json_object_object_add(j, "cpus", json_object_new_int(0));
	json_object_object_add(j, "memory", json_object_new_int(0));
	json_object_object_add(j, "requiredInstances", json_object_new_object());
	drove__http_reply_success(req, j);
}

static void l_config(drove__http_req *req, void *ud)
{
	(void)ud;
	drove__http_reply_raw(req, 200, "text/plain", "fetched-over-http\n", 18);
}

static int find_rec(int from, const char *id, int type, int state)
{
	for (int k = from; k < nrecs; k++)
		if (recs[k].type == type && !strcmp(recs[k].id, id) && recs[k].state == state)
			return k;
	return -1;
}

static void spin(int64_t ms)
{
	drove_loop_run_for(loop, ms);
}

/* Spin the loop until `cond` holds or `ms` pass. */
#define WAIT_FOR(cond, ms, what)                                           \
	do {                                                               \
		int64_t end_ = drove_time_mono_ms() + (ms);                \
		while (!(cond) && drove_time_mono_ms() < end_)             \
			spin(50);                                          \
		ck_assert_msg((cond), "timed out waiting for %s", (what)); \
	} while (0)

/* ---- HTTP to the executor ---- */

struct hres {
	int done, status;
	char body[16384];
};

static void on_hres(const drove__http_response *resp, void *ud)
{
	struct hres *h = ud;
	h->done = 1;
	h->status = resp->error ? -1 : resp->status;
	snprintf(h->body, sizeof(h->body), "%s", resp->body);
}

static void call(const char *method, int port, const char *path, const char *body,
                 const char *secret, struct hres *h)
{
	char url[512], auth[128];
	const char *hdrs[3] = {"Content-Type: application/json", NULL, NULL};
	drove__http_request req;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	if (secret) {
		snprintf(auth, sizeof(auth), "Cluster-Authorization: %s", secret);
		hdrs[1] = auth;
	}
	memset(h, 0, sizeof(*h));
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = hdrs;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.timeout_ms = 10000;
	req.on_done = on_hres;
	req.userdata = h;
	ck_assert_int_eq(drove__http_send(http, &req, NULL), 0);
	WAIT_FOR(h->done, 15000, path);
}

static int64_t term = 7;

/* POST a message to the executor; returns the reply's status name in h->body. */
static void send_msg(int port, const char *type, const char *extra, struct hres *h)
{
	char *body = drove__asprintf("{\"type\":\"%s\",\"header\":{\"id\":\"m-%d\",\"senderType\":"
	                             "\"CONTROLLER\",\"messageTime\":1,\"term\":%lld}%s%s}",
	                             type, rand(), (long long)term, extra ? "," : "",
	                             extra ? extra : "");
	call("POST", port, "/apis/v1/messages", body, SECRET_C, h);
	free(body);
}

/* ---- specs ---- */

/* tests/data/model/application.json as an ApplicationInstanceSpec on `core`, with a fresh
 * instance id; `health_json` (a CheckSpec) replaces its health check when not NULL. */
static char *app_instance_spec(int core, const char *health_json, int extra_configs, char *id_out,
                               size_t id_len)
{
	size_t len;
	char *json = drove_test_read_source_file("tests/data/model/application.json", &len);
	drove_app_spec *a = NULL;
	drove_app_instance_spec s;
	char *out = NULL, *iid = NULL, *alloc;
	drove_allocation *al = NULL;
	ck_assert_int_eq(drove__app_spec_decode(json, len, 0, &a, NULL, NULL), 0);
	free(json);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(drove_app_id(a->name, a->version, &s.app_id), 0);
	s.app_name = a->name;
	ck_assert_int_eq(drove_instance_id_new(ctx, DROVE_INSTANCE_APP, &iid), 0);
	snprintf(id_out, id_len, "%s", iid);
	s.instance_id = iid;
	s.executable = a->executable;
	ck_assert_str_eq(a->executable->url, image);
	alloc = drove__asprintf("{\"type\":\"CPU\",\"cores\":{\"0\":[%d]}}", core);
	al = calloc(2, sizeof(*al));
	{
		drove_allocation *c = NULL, *m = NULL;
		ck_assert_int_eq(drove__allocation_decode(alloc, strlen(alloc), 0, &c, NULL, NULL),
		                 0);
		ck_assert_int_eq(drove__allocation_decode(
		                         "{\"type\":\"MEMORY\",\"memoryInMB\":{\"0\":64}}",
		                         strlen("{\"type\":\"MEMORY\",\"memoryInMB\":{\"0\":64}}"),
		                         0, &m, NULL, NULL),
		                 0);
		al[0] = *c;
		al[1] = *m;
		free(c);
		free(m);
	}
	free(alloc);
	s.resources = al;
	s.n_resources = 2;
	s.ports = a->exposed_ports;
	s.n_ports = a->n_exposed_ports;
	/* plus an EXECUTOR_LOCAL_FILE and an EXECUTOR_HTTP_FETCH config (served by the fake
	 * leader) when extra_configs is set */
	drove_config_spec *cfgs = calloc(a->n_configs + 2, sizeof(*cfgs));
	size_t ncfg = a->n_configs;
	memcpy(cfgs, a->configs, a->n_configs * sizeof(*cfgs));
	if (extra_configs) {
		char *local = drove__asprintf("%s/local.txt", tmpdir);
		char *lj = drove__asprintf("{\"type\":\"EXECUTOR_LOCAL_FILE\",\"localFilename\":"
		                           "\"/www/local.txt\",\"filePathOnHost\":\"%s\"}",
		                           local);
		char *hj = drove__asprintf(
		        "{\"type\":\"EXECUTOR_HTTP_FETCH\",\"localFilename\":\"/www/fetched.txt\","
		        "\"http\":{\"protocol\":\"HTTP\",\"hostname\":\"127.0.0.1\",\"port\":%d,"
		        "\"path\":\"/config/fetched\",\"verb\":\"GET\"}}",
		        leader_port);
		drove_config_spec *c = NULL;
		FILE *lf = fopen(local, "we");
		ck_assert_ptr_nonnull(lf);
		fputs("from-a-local-file\n", lf);
		fclose(lf);
		ck_assert_int_eq(drove__config_spec_decode(lj, strlen(lj), 0, &c, NULL, NULL), 0);
		cfgs[ncfg++] = *c;
		free(c);
		ck_assert_int_eq(drove__config_spec_decode(hj, strlen(hj), 0, &c, NULL, NULL), 0);
		cfgs[ncfg++] = *c;
		free(c);
		free(local);
		free(lj);
		free(hj);
	}
	s.configs = cfgs;
	s.n_configs = ncfg;
	s.readiness = a->readiness;
	s.healthcheck = a->healthcheck;
	if (health_json)
		ck_assert_int_eq(drove__check_spec_decode(health_json, strlen(health_json), 0,
		                                          &s.healthcheck, NULL, NULL),
		                 0);
	s.env = a->env;
	s.args = a->args;
	s.n_args = a->n_args;
	s.pre_shutdown = a->pre_shutdown;
	s.instance_auth_token = (char *)"token";
	ck_assert_int_eq(drove__app_instance_spec_encode(&s, &out), 0);
	for (size_t k = a->n_configs; k < ncfg; k++)
		drove__mcodec_clear(&drove__mt_config_spec, &cfgs[k]);
	free(cfgs);
	if (health_json)
		drove__check_spec_free(s.healthcheck);
	for (size_t k = 0; k < 2; k++) {
		for (size_t j = 0; j < al[k].n_cores; j++)
			free(al[k].cores[j].cores);
		free(al[k].cores);
		free(al[k].memory);
	}
	free(al);
	free(s.app_id);
	free(iid);
	drove__app_spec_free(a);
	return out;
}

static char *task_spec(const char *cmd, int core, char *id_out, size_t id_len, const char *tid)
{
	char *iid = NULL, *out;
	ck_assert_int_eq(drove_instance_id_new(ctx, DROVE_INSTANCE_TASK, &iid), 0);
	snprintf(id_out, id_len, "%s", iid);
	out = drove__asprintf(
	        "{\"taskId\":\"%s-%s\",\"sourceAppName\":\"EXEC_TEST\",\"instanceId\":\"%s\","
	        "\"executable\":{\"type\":\"DOCKER\",\"url\":\"%s\",\"dockerPullTimeout\":\"60 "
	        "seconds\"},"
	        "\"resources\":[{\"type\":\"CPU\",\"cores\":{\"0\":[%d]}},{\"type\":\"MEMORY\","
	        "\"memoryInMB\":{\"0\":32}}],\"volumes\":[],\"configs\":[],\"env\":{\"X\":\"1\"},"
	        "\"args\":[\"sh\",\"-c\",\"%s\"]}",
	        tid, run_id, iid, image, core, cmd);
	free(iid);
	return out;
}

/* ---- executor config ---- */

static char *exec_yaml(int port, int zombie_s)
{
	return drove__asprintf(
	        "server:\n  applicationConnectors: [{type: http, port: %d, bindHost: 127.0.0.1}]\n"
	        "  adminConnectors: []\n"
	        "logging:\n  level: DEBUG\n  appenders:\n    - {type: drove, logPath: %s/logs, "
	        "archivedFileCount: 2, maxFileSize: 1MiB}\n"
	        "clusterAuth:\n  secrets:\n    - {nodeType: CONTROLLER, secret: %s}\n"
	        "    - {nodeType: EXECUTOR, secret: %s}\n"
	        "options:\n  hostname: localhost\n  dockerSocketPath: %s\n  remoteUpdateMode: RPC\n"
	        "  cacheImages: true\n  maxOpenFiles: 1024\n"
	        "  snapshotInterval: 200ms\n  leaderLookupInterval: 500ms\n  zombieCheckInterval: "
	        "%ds\n"
	        "controllers:\n  endpoints: [\"http://127.0.0.1:%d\"]\n",
	        port, tmpdir, SECRET_C, SECRET_E, sock, zombie_s, leader_port);
}

static drove_config *cfg;
static drove_executor *ex;

static void start_executor(void)
{
	char *y = exec_yaml(0, 1);
	ck_assert_int_eq(drove_config_load_executor_buf(&cfg, ctx, "executor.yml", y, strlen(y)),
	                 0);
	free(y);
	ck_assert_int_eq(drove_executor_new(&ex, loop, cfg), 0);
	ck_assert_int_eq(drove_executor_start(ex), 0);
	WAIT_FOR(drove_executor_state(ex) == DROVE_EXECUTOR_ACTIVE, 15000, "executor ACTIVE");
	WAIT_FOR(nsnaps > 0, 5000, "a snapshot");
	ck_assert_str_eq(last_exec_id, drove_executor_node_id(ex));
}

/* ---- runtime helpers ---- */

struct rres {
	int done, code, running, exit_code;
	int64_t started_at;
	char output[8192], id[128];
};

static void on_rres(const drove_runtime_result *r, void *ud)
{
	struct rres *o = ud;
	const drove_container_info *c = drove_runtime_result_container(r);
	o->done = 1;
	o->code = drove_runtime_result_code(r);
	o->exit_code = drove_runtime_result_exit_code(r);
	snprintf(o->output, sizeof(o->output), "%s", drove_runtime_result_output(r, NULL));
	if (drove_runtime_result_id(r))
		snprintf(o->id, sizeof(o->id), "%s", drove_runtime_result_id(r));
	if (c) {
		o->running = drove_container_info_running(c);
		o->started_at = drove_container_info_started_at(c);
	}
}

static void inspect(const char *name, struct rres *r)
{
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(drove_runtime_inspect(rt, name, on_rres, r), 0);
	WAIT_FOR(r->done, 30000, "inspect");
}

static void exec_in(const char *name, const char *cmd, struct rres *r)
{
	drove_strlist *argv;
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(drove_strlist_new(&argv), 0);
	drove_strlist_add(argv, "sh");
	drove_strlist_add(argv, "-c");
	drove_strlist_add(argv, cmd);
	ck_assert_int_eq(drove_runtime_exec(rt, name, argv, 10000, on_rres, r), 0);
	drove_strlist_free(argv);
	WAIT_FOR(r->done, 30000, "exec");
}

static void force_remove(const char *name)
{
	struct rres r;
	memset(&r, 0, sizeof(r));
	if (drove_runtime_remove(rt, name, on_rres, &r) == 0)
		WAIT_FOR(r.done, 30000, "remove");
}

/* ---- fixture ---- */

static void log_stderr(int level, const char *module, const char *msg, void *ud)
{
	(void)ud;
	fprintf(stderr, "%d [%s] %s\n", level, module, msg);
}

/* Containers to remove at the end whatever happens. */
static char cleanup[16][160];
static int ncleanup;

static void track(const char *prefix, const char *id)
{
	if (ncleanup < 16)
		snprintf(cleanup[ncleanup++], sizeof(cleanup[0]), "%s%s", prefix, id);
}

/* START_TASK for a new task running `cmd` (task_spec's arguments), expecting ACCEPTED. */
static void start_task(const char *cmd, int core, char *id, size_t n, const char *tid)
{
	struct hres h;
	char *spec = task_spec(cmd, core, id, n, tid), *extra;
	track("", id);
	extra = drove__asprintf("\"spec\":%s", spec);
	send_msg(drove_executor_port(ex), "START_TASK", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(spec);
	free(extra);
}

static void setup(void)
{
	image = drove_test_require_env("DROVE_TEST_IMAGE", "podman");
	sock = drove_test_require_env("DROVE_TEST_DOCKER_SOCK", "podman");
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	if (getenv("DROVE_TEST_VERBOSE"))
		drove_ctx_set_log(ctx, DROVE_LOG_DEBUG, log_stderr, NULL);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	ck_assert_int_eq(drove_runtime_docker_new(&rt, loop, sock), 0);
	ck_assert_int_eq(drove__http_client_new(&http, loop), 0);
	ck_assert_int_eq(drove__http_server_new(&leader, loop, NULL), 0);
	ck_assert_int_eq(drove__http_server_route(leader, DROVE_HTTP_POST, "/apis/v1/messages",
	                                          DROVE_HTTP_PUBLIC, 0, l_messages, NULL),
	                 0);
	ck_assert_int_eq(drove__http_server_route(leader, DROVE_HTTP_GET, "/apis/v1/ping",
	                                          DROVE_HTTP_PUBLIC, 0, l_ping, NULL),
	                 0);
	ck_assert_int_eq(
	        drove__http_server_route(leader, DROVE_HTTP_GET,
	                                 "/apis/v1/internal/cluster/executors/{id}/instances/last",
	                                 DROVE_HTTP_PUBLIC, 0, l_failed, NULL),
	        0);
	ck_assert_int_eq(drove__http_server_route(
	                         leader, DROVE_HTTP_GET,
	                         "/apis/v1/internal/cluster/executors/{id}/instances/current",
	                         DROVE_HTTP_PUBLIC, 0, l_failed, NULL),
	                 0);
	ck_assert_int_eq(drove__http_server_route(leader, DROVE_HTTP_GET,
	                                          "/apis/v1/internal/cluster/resources/reserved",
	                                          DROVE_HTTP_PUBLIC, 0, l_reserved, NULL),
	                 0);
	ck_assert_int_eq(drove__http_server_route(leader, DROVE_HTTP_GET, "/config/fetched",
	                                          DROVE_HTTP_PUBLIC, 0, l_config, NULL),
	                 0);
	ck_assert_int_eq(drove__http_server_bind(leader, "127.0.0.1", 0), 0);
	leader_port = drove__http_server_port(leader);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_exec_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(run_id, sizeof(run_id), "%d", (int)getpid());
	nrecs = nsnaps = 0;
	cfg = NULL;
	ex = NULL;
}

static void teardown(void)
{
	char cmd[128];
	drove_executor_free(ex);
	ex = NULL;
	for (int k = 0; k < ncleanup; k++)
		force_remove(cleanup[k]);
	ncleanup = 0;
	drove_config_free(cfg);
	drove__http_server_free(leader);
	drove__http_client_free(http);
	drove_runtime_free(rt);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (!getenv("DROVE_TEST_KEEP"))
		(void)system(cmd);
}

/* ---- scenarios ---- */

START_TEST(test_app_lifecycle)
{
	char id[64], name[700], path[512], *spec, *extra;
	struct hres h;
	struct rres r;
	int k, hp = -1;
	start_executor();
	spec = app_instance_spec(1, NULL, 1, id, sizeof(id));
	track("DROVE_TEST_APP-1-", id);
	extra = drove__asprintf("\"spec\":%s", spec);

	/* no secret: 401; stale term: REJECTED */
	call("POST", drove_executor_port(ex), "/apis/v1/messages", "{}", NULL, &h);
	ck_assert_int_eq(h.status, 401);
	call("GET", drove_executor_port(ex), "/apis/v1/ping", NULL, "wrong-secret", &h);
	ck_assert_int_eq(h.status, 401);
	call("GET", drove_executor_port(ex), "/apis/v1/ping", NULL, SECRET_C, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_ptr_nonnull(strstr(h.body, "pong"));
	send_msg(drove_executor_port(ex), "BLACKLIST_REQUESTED", NULL, &h); /* term 7 seen */
	send_msg(drove_executor_port(ex), "UNBLACKLIST", NULL, &h);
	term = 6;
	send_msg(drove_executor_port(ex), "START_INSTANCE", extra, &h);
	term = 7;
	ck_assert_ptr_nonnull(strstr(h.body, "\"status\":\"REJECTED\""));
	ck_assert_ptr_nonnull(strstr(h.body, "stale leader term 6 < 7"));
	ck_assert_uint_eq(drove_executor_instance_count(ex), 0);
	WAIT_FOR(drove_executor_state(ex) == DROVE_EXECUTOR_ACTIVE, 10000, "ACTIVE again");

	/* start; idempotent by id */
	send_msg(drove_executor_port(ex), "START_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	send_msg(drove_executor_port(ex), "START_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	ck_assert_uint_eq(drove_executor_instance_count(ex), 1);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_HEALTHY) >= 0, 60000,
	         "HEALTHY");
	ck_assert_int_ge(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_PENDING), 0);
	ck_assert_int_ge(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_UNREADY), 0);
	ck_assert_int_ge(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_READY), 0);

	/* pinned as allocated; env; the real port serves the injected config */
	snprintf(name, sizeof(name), "DROVE_TEST_APP-1-%s", id);
	exec_in(name,
	        "grep Cpus_allowed_list /proc/self/status; echo G=$GREETING I=$DROVE_INSTANCE_ID "
	        "P=$PORT_8000",
	        &r);
	ck_assert_int_eq(r.code, 0);
	ck_assert_msg(strstr(r.output, "Cpus_allowed_list:\t1\n"), "%s", r.output);
	ck_assert_ptr_nonnull(strstr(r.output, "G=hello"));
	ck_assert_ptr_nonnull(strstr(r.output, id));
	sscanf(strstr(r.output, "P=") + 2, "%d", &hp);
	ck_assert_int_gt(hp, 0);
	snprintf(path, sizeof(path), "/index.html");
	call("GET", hp, path, NULL, NULL, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_str_eq(h.body, "ok\n");
	call("GET", hp, "/local.txt", NULL, NULL, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_str_eq(h.body, "from-a-local-file\n");
	call("GET", hp, "/fetched.txt", NULL, NULL, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_str_eq(h.body, "fetched-over-http\n");
	{
		char *snap = NULL;
		char want[64];
		ck_assert_int_eq(drove_executor_snapshot_json(ex, &snap), 0);
		ck_assert_ptr_nonnull(strstr(snap, id));
		ck_assert_ptr_nonnull(strstr(snap, "\"usedCores\":{\"0\":[1]}"));
		snprintf(want, sizeof(want), "\"hostPort\":%d", hp);
		ck_assert_ptr_nonnull(strstr(snap, want));
		drove_free(snap);
	}

	/* overlapping cores fail cleanly */
	{
		char id2[64], *spec2 = app_instance_spec(1, NULL, 0, id2, sizeof(id2));
		char *extra2 = drove__asprintf("\"spec\":%s", spec2);
		char want[160];
		send_msg(drove_executor_port(ex), "START_INSTANCE", extra2, &h);
		ck_assert_msg(strstr(h.body, "\"status\":\"FAILED\""), "%s", h.body);
		snprintf(want, sizeof(want), "cores 1 on node 0 are in use by %s", id);
		ck_assert_msg(strstr(h.body, want), "%s", h.body);
		free(spec2);
		free(extra2);
	}

	/* log endpoints: confined, Drove's read semantics */
	snprintf(path, sizeof(path), "/apis/v1/logs/filestream/DROVE_TEST_APP-1/%s/list", id);
	call("GET", drove_executor_port(ex), path, NULL, NULL, &h);
	ck_assert_int_eq(h.status, 401);
	call("GET", drove_executor_port(ex), path, NULL, SECRET_C, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_str_eq(h.body, "{\"files\":[\"output.log\"]}");
	snprintf(path, sizeof(path), "/apis/v1/logs/filestream/DROVE_TEST_APP-1/%s/read/output.log",
	         id);
	call("GET", drove_executor_port(ex), path, NULL, SECRET_C, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_ptr_nonnull(strstr(h.body, "\"data\":\"\""));
	snprintf(
	        path, sizeof(path),
	        "/apis/v1/logs/filestream/DROVE_TEST_APP-1/%s/read/..%%2F..%%2F..%%2Fetc%%2Fpasswd",
	        id);
	call("GET", drove_executor_port(ex), path, NULL, SECRET_C, &h);
	ck_assert_int_eq(h.status, 400);
	ck_assert_ptr_nonnull(strstr(h.body, "\"error\""));

	/* stop: pre-shutdown hook, then the container goes */
	extra = (free(extra), drove__asprintf("\"instanceId\":\"%s\"", id));
	send_msg(drove_executor_port(ex), "STOP_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPED) >= 0, 60000,
	         "STOPPED");
	ck_assert_int_ge(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPING), 0);
	ck_assert_int_ge(
	        find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_DEPROVISIONING), 0);
	inspect(name, &r);
	ck_assert_int_eq(r.code, DROVE_ENOTFOUND);
	ck_assert_uint_eq(drove_executor_instance_count(ex), 0);
	{
		char *data = NULL;
		size_t len;
		snprintf(path, sizeof(path), "logs/DROVE_TEST_APP-1/%s/output.log", id);
		(void)len;
		snprintf(name, sizeof(name), "%s/%s", tmpdir, path);
		FILE *f = fopen(name, "re");
		ck_assert_ptr_nonnull(f);
		data = calloc(1, 65536);
		len = fread(data, 1, 65535, f);
		fclose(f);
		ck_assert_msg(strstr(data, "pre-shutdown hook done: exit code 0: shutting down"),
		              "%s", data);
		free(data);
	}
	/* the log file outlives the instance: read with offsets, download */
	snprintf(path, sizeof(path),
	         "/apis/v1/logs/filestream/DROVE_TEST_APP-1/%s/read/output.log?offset=0&length=22",
	         id);
	call("GET", drove_executor_port(ex), path, NULL, SECRET_C, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_str_eq(h.body, "{\"data\":\"pre-shutdown hook done\",\"offset\":0}");
	snprintf(path, sizeof(path),
	         "/apis/v1/logs/filestream/DROVE_TEST_APP-1/%s/read/output.log?offset=-1&length=5",
	         id);
	call("GET", drove_executor_port(ex), path, NULL, SECRET_C, &h);
	ck_assert_int_eq(h.status, 400);
	ck_assert_ptr_nonnull(strstr(h.body, "offset: -1 needs length -1"));
	snprintf(path, sizeof(path),
	         "/apis/v1/logs/filestream/DROVE_TEST_APP-1/%s/download/output.log", id);
	call("GET", drove_executor_port(ex), path, NULL, SECRET_C, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_ptr_nonnull(strstr(h.body, "shutting down"));
	/* the cores are free again */
	{
		char *snap = NULL;
		ck_assert_int_eq(drove_executor_snapshot_json(ex, &snap), 0);
		ck_assert_ptr_null(strstr(snap, "usedCores\":{\"0\""));
		drove_free(snap);
	}
	k = find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPED);
	ck_assert_int_ge(k, 0);
	free(extra);
	free(spec);
}
END_TEST

START_TEST(test_unhealthy)
{
	char id[64], name[160], *spec, *extra;
	struct hres h;
	struct rres r;
	int k;
	const char *health = "{\"mode\":{\"type\":\"CMD\",\"command\":\"test ! -f /tmp/sick\"},"
	                     "\"timeout\":\"2 seconds\",\"interval\":\"500 milliseconds\","
	                     "\"attempts\":2,\"initialDelay\":\"0 seconds\"}";
	start_executor();
	spec = app_instance_spec(0, health, 0, id, sizeof(id));
	track("DROVE_TEST_APP-1-", id);
	extra = drove__asprintf("\"spec\":%s", spec);
	send_msg(drove_executor_port(ex), "START_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_HEALTHY) >= 0, 60000,
	         "HEALTHY");
	snprintf(name, sizeof(name), "DROVE_TEST_APP-1-%s", id);
	exec_in(name, "touch /tmp/sick", &r);
	ck_assert_int_eq(r.code, 0);
	WAIT_FOR((k = find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_UNHEALTHY)) >= 0,
	         30000, "UNHEALTHY");
	ck_assert_msg(strstr(recs[k].err, "Healthcheck failed:"), "%s", recs[k].err);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPED) >= 0, 60000,
	         "STOPPED after UNHEALTHY");
	inspect(name, &r);
	ck_assert_int_eq(r.code, DROVE_ENOTFOUND);
	free(spec);
	free(extra);
}
END_TEST

START_TEST(test_tasks)
{
	char ok_id[64], bad_id[64], long_id[64], *s, *extra;
	struct hres h;
	int k;
	start_executor();
	s = task_spec("echo task-says-hi; exit 0", 0, ok_id, sizeof(ok_id), "ok");
	extra = drove__asprintf("\"spec\":%s", s);
	send_msg(drove_executor_port(ex), "START_TASK", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(s);
	free(extra);
	s = task_spec("exit 3", 1, bad_id, sizeof(bad_id), "bad");
	extra = drove__asprintf("\"spec\":%s", s);
	send_msg(drove_executor_port(ex), "START_TASK", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(s);
	free(extra);
	WAIT_FOR(find_rec(0, ok_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0 &&
	                 find_rec(0, bad_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0,
	         60000, "both tasks STOPPED");
	k = find_rec(0, ok_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_RUN_COMPLETED);
	ck_assert_int_ge(k, 0);
	ck_assert(recs[k].has_result);
	ck_assert_int_eq(recs[k].rstatus, DROVE_TASK_RESULT_SUCCESSFUL);
	ck_assert_int_eq(recs[k].exit_code, 0);
	ck_assert_int_ge(find_rec(0, ok_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_RUNNING), 0);
	k = find_rec(0, bad_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_RUN_COMPLETED);
	ck_assert_int_ge(k, 0);
	ck_assert_int_eq(recs[k].rstatus, DROVE_TASK_RESULT_FAILED);
	ck_assert_int_eq(recs[k].exit_code, 3);
	ck_assert_str_eq(recs[k].err, "Task instance exited with status: 3");
	{
		char p[256];
		FILE *f;
		char buf[4096] = "";
		snprintf(p, sizeof(p), "%s/logs/EXEC_TEST/ok-%s/output.log", tmpdir, run_id);
		f = fopen(p, "re");
		ck_assert_ptr_nonnull(f);
		(void)!fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		ck_assert_msg(strstr(buf, "task-says-hi"), "%s", buf);
	}
	/* STOP_TASK kills: CANCELLED */
	start_task("sleep 300", 1, long_id, sizeof(long_id), "long");
	WAIT_FOR(find_rec(0, long_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_RUNNING) >= 0, 60000,
	         "RUNNING");
	extra = drove__asprintf("\"instanceId\":\"%s\"", long_id);
	send_msg(drove_executor_port(ex), "STOP_TASK", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(extra);
	WAIT_FOR((k = find_rec(0, long_id, DROVE_MSG_TASK_STATE_REPORT,
	                       DROVE_TASK_RUN_COMPLETED)) >= 0,
	         60000, "cancelled");
	ck_assert_int_eq(recs[k].rstatus, DROVE_TASK_RESULT_CANCELLED);
	WAIT_FOR(find_rec(0, long_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0, 60000,
	         "STOPPED");
}
END_TEST

START_TEST(test_unknown_image)
{
	char id[64], *s, *extra, *bad;
	struct hres h;
	int k;
	start_executor();
	s = task_spec("true", 0, id, sizeof(id), "img");
	bad = drove__asprintf("localhost/drove-no-such-image-%s:1", run_id);
	{
		/* swap the image url */
		char *p = strstr(s, image);
		char *t = drove__asprintf("%.*s%s%s", (int)(p - s), s, bad, p + strlen(image));
		free(s);
		s = t;
	}
	extra = drove__asprintf("\"spec\":%s", s);
	send_msg(drove_executor_port(ex), "START_TASK", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	WAIT_FOR((k = find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT,
	                       DROVE_TASK_PROVISIONING_FAILED)) >= 0,
	         120000, "PROVISIONING_FAILED");
	ck_assert_msg(strstr(recs[k].err, "Error while pulling image"), "%s", recs[k].err);
	ck_assert_msg(strstr(recs[k].err, bad), "%s", recs[k].err);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0, 10000,
	         "STOPPED");
	ck_assert_uint_eq(drove_executor_instance_count(ex), 0);
	free(bad);
	free(s);
	free(extra);
}
END_TEST

/* Creates and starts a `sleep 300` container carrying the executor's labels; `info` may be
 * NULL (no drove.instance.info label). */
static void start_labelled(const char *name, const char *instance_id, const char *info)
{
	drove_container_spec *cs;
	struct rres r;
	track("", name);
	ck_assert_int_eq(drove_container_spec_new(&cs, name, image), 0);
	drove_container_spec_add_arg(cs, "sleep");
	drove_container_spec_add_arg(cs, "300");
	drove_container_spec_set_label(cs, "drove.job.type", "SERVICE");
	drove_container_spec_set_label(cs, "drove.instance.id", instance_id);
	drove_container_spec_set_label(cs, "drove.instance.spec", "{}");
	if (info)
		drove_container_spec_set_label(cs, "drove.instance.info", info);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(drove_runtime_create(rt, cs, on_rres, &r), 0);
	drove_container_spec_free(cs);
	WAIT_FOR(r.done, 30000, "create");
	ck_assert_int_eq(r.code, 0);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(drove_runtime_start(rt, name, on_rres, &r), 0);
	WAIT_FOR(r.done, 30000, "start");
	ck_assert_int_eq(r.code, 0);
}

/* The reaper removes an unexpected container only when its labels name this executor: a
 * container with drove.instance.id but no owner (a test's, another tool's) and another
 * executor's container sharing the engine both survive (issue 14). */
START_TEST(test_zombie_reaped)
{
	struct rres r;
	struct hres h;
	char name[96], orphan[96], foreign[96], info[160];
	start_executor();
	snprintf(name, sizeof(name), "drove-exec-zombie-%s", run_id);
	snprintf(orphan, sizeof(orphan), "drove-exec-noowner-%s", run_id);
	snprintf(foreign, sizeof(foreign), "drove-exec-foreign-%s", run_id);
	snprintf(info, sizeof(info), "{\"executorId\":\"%s\"}", drove_executor_node_id(ex));
	start_labelled(name, "AI-zombie", info);
	start_labelled(orphan, "AI-noowner", NULL);
	start_labelled(foreign, "AI-foreign", "{\"executorId\":\"some-other-executor\"}");
	send_msg(drove_executor_port(ex), "EXPECTED_INSTANCES",
	         "\"knownInstances\":{\"appInstanceIds\":[],\"staleAppInstanceIds\":[],"
	         "\"taskInstanceIds\":[],\"staleTaskInstanceIds\":[],"
	         "\"localServiceInstanceIds\":[],\"staleLocalServiceInstanceIds\":[]}",
	         &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	{
		int64_t end = drove_time_mono_ms() + 30000;
		do {
			spin(300);
			inspect(name, &r);
		} while (r.code == 0 && drove_time_mono_ms() < end);
	}
	ck_assert_int_eq(r.code, DROVE_ENOTFOUND);
	/* the sweep that removed ours has passed over the others: both still run */
	spin(1000);
	inspect(orphan, &r);
	ck_assert_int_eq(r.code, 0);
	inspect(foreign, &r);
	ck_assert_int_eq(r.code, 0);
	force_remove(name);
	force_remove(orphan);
	force_remove(foreign);
}
END_TEST

/* ---- kill -9 and restart of the daemon ---- */

static pid_t spawn_daemon(const char *cfgpath, const char *logpath)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		execl(DROVE_BINARY_DIR "/daemons/drove-executor/drove-executor", "drove-executor",
		      "-c", cfgpath, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

START_TEST(test_kill9_recovery)
{
	char cfgpath[128], logpath[128], app_id[64], task_id[64], name[160], tname[96];
	char *y, *spec, *extra, *s;
	struct hres h;
	struct rres r;
	int64_t app_started, task_started;
	int port = free_port(), mark, status = 0;
	pid_t pid;
	FILE *f;

	snprintf(cfgpath, sizeof(cfgpath), "%s/executor.yml", tmpdir);
	snprintf(logpath, sizeof(logpath), "%s/executor.log", tmpdir);
	y = exec_yaml(port, 1);
	f = fopen(cfgpath, "we");
	ck_assert_ptr_nonnull(f);
	fputs(y, f);
	fclose(f);
	free(y);
	pid = spawn_daemon(cfgpath, logpath);
	WAIT_FOR(nsnaps > 0, 20000, "the daemon's first snapshot");
	/* wait for ACTIVE: a START is refused before */
	spec = app_instance_spec(1, NULL, 0, app_id, sizeof(app_id));
	track("DROVE_TEST_APP-1-", app_id);
	extra = drove__asprintf("\"spec\":%s", spec);
	{
		int64_t end = drove_time_mono_ms() + 20000;
		do {
			spin(200);
			send_msg(port, "START_INSTANCE", extra, &h);
		} while (!strstr(h.body, "ACCEPTED") && drove_time_mono_ms() < end);
		ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	}
	free(extra);
	free(spec);
	s = task_spec("sleep 300", 0, task_id, sizeof(task_id), "rec");
	track("", task_id);
	extra = drove__asprintf("\"spec\":%s", s);
	send_msg(port, "START_TASK", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(extra);
	free(s);
	WAIT_FOR(find_rec(0, app_id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_HEALTHY) >= 0 &&
	                 find_rec(0, task_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_RUNNING) >= 0,
	         60000, "HEALTHY app and RUNNING task");
	snprintf(name, sizeof(name), "DROVE_TEST_APP-1-%s", app_id);
	snprintf(tname, sizeof(tname), "%s", task_id);
	inspect(name, &r);
	ck_assert(r.running);
	app_started = r.started_at;
	inspect(tname, &r);
	ck_assert(r.running);
	task_started = r.started_at;

	/* kill -9, then restart */
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	mark = nrecs;
	spin(1500); /* the periodic reaper of a dead executor does nothing */
	pid = spawn_daemon(cfgpath, logpath);
	WAIT_FOR(find_rec(mark, app_id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_HEALTHY) >= 0 &&
	                 find_rec(mark, task_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_RUNNING) >=
	                         0,
	         60000, "recovered app HEALTHY and task RUNNING");
	ck_assert_int_ge(
	        find_rec(mark, app_id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_UNREADY), 0);
	ck_assert_int_lt(
	        find_rec(mark, app_id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STARTING), 0);
	spin(2500); /* a couple of reaper sweeps: tracked containers survive */
	inspect(name, &r);
	ck_assert(r.running);
	ck_assert_int_eq(r.started_at, app_started); /* not restarted */
	inspect(tname, &r);
	ck_assert(r.running);
	ck_assert_int_eq(r.started_at, task_started);
	ck_assert(alive(pid));

	/* the recovered executor still commands them: stop both */
	extra = drove__asprintf("\"instanceId\":\"%s\"", app_id);
	send_msg(port, "STOP_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(extra);
	extra = drove__asprintf("\"instanceId\":\"%s\"", task_id);
	send_msg(port, "STOP_TASK", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(extra);
	WAIT_FOR(find_rec(mark, app_id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPED) >= 0 &&
	                 find_rec(mark, task_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >=
	                         0,
	         60000, "both STOPPED");
	/* graceful stop: exit 0 */
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	force_remove(name);
	force_remove(tname);
}
END_TEST

START_TEST(test_daemon_bad_config)
{
	char cfgpath[128], logpath[128];
	int status;
	pid_t pid;
	FILE *f;
	snprintf(cfgpath, sizeof(cfgpath), "%s/bad.yml", tmpdir);
	snprintf(logpath, sizeof(logpath), "%s/bad.log", tmpdir);
	f = fopen(cfgpath, "we");
	fputs("options: {nosuchkey: 1}\n", f);
	fclose(f);
	pid = spawn_daemon(cfgpath, logpath);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 2);
	{
		char buf[2048] = "";
		f = fopen(logpath, "re");
		(void)!fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		ck_assert_msg(strstr(buf, "nosuchkey"), "%s", buf);
	}
}
END_TEST

/* The reaper notices a tracked instance whose container vanished. */
START_TEST(test_vanished_container)
{
	char id[64], name[160], *spec, *extra;
	struct hres h;
	int k;
	start_executor();
	spec = app_instance_spec(0, NULL, 0, id, sizeof(id));
	snprintf(name, sizeof(name), "DROVE_TEST_APP-1-%s", id);
	track("", name);
	extra = drove__asprintf("\"spec\":%s", spec);
	send_msg(drove_executor_port(ex), "START_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_HEALTHY) >= 0, 60000,
	         "HEALTHY");
	force_remove(name);
	WAIT_FOR((k = find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPED)) >= 0,
	         20000, "STOPPED after the container vanished");
	ck_assert_str_eq(recs[k].err, "Container vanished");
	ck_assert_uint_eq(drove_executor_instance_count(ex), 0);
	free(spec);
	free(extra);
}
END_TEST

/* A local-service instance: same lifecycle, LS reports and environment. */
START_TEST(test_local_service)
{
	char *iid = NULL, *extra, name[128];
	struct hres h;
	struct rres r;
	start_executor();
	ck_assert_int_eq(drove_instance_id_new(ctx, DROVE_INSTANCE_LOCAL_SVC, &iid), 0);
	snprintf(name, sizeof(name), "EXEC_LS-1-%s", iid);
	track("", name);
	extra = drove__asprintf(
	        "\"spec\":{\"serviceId\":\"EXEC_LS-1\",\"serviceName\":\"EXEC_LS\","
	        "\"instanceId\":\"%s\",\"executable\":{\"type\":\"DOCKER\",\"url\":\"%s\"},"
	        "\"resources\":[{\"type\":\"CPU\",\"cores\":{\"0\":[0]}},{\"type\":\"MEMORY\","
	        "\"memoryInMB\":{\"0\":32}}],\"ports\":[{\"name\":\"main\",\"port\":8000,"
	        "\"type\":\"HTTP\"}],\"hostLevelInstance\":false,\"configs\":[{\"type\":"
	        "\"INLINE\",\"localFilename\":\"/www/index.html\",\"data\":\"b2sK\"}],"
	        "\"readiness\":{\"mode\":{\"type\":\"HTTP\",\"portName\":\"main\",\"path\":"
	        "\"/\"},\"timeout\":\"1 second\",\"interval\":\"500 milliseconds\","
	        "\"attempts\":20},\"healthcheck\":{\"mode\":{\"type\":\"CMD\",\"command\":"
	        "\"wget -q -O - http://127.0.0.1:8000/\"},\"timeout\":\"5 seconds\","
	        "\"interval\":\"2 seconds\",\"attempts\":3},\"args\":[\"httpd\",\"-f\",\"-p\","
	        "\"8000\",\"-h\",\"/www\"],\"instanceAuthToken\":\"ls-token\"}",
	        iid, image);
	send_msg(drove_executor_port(ex), "START_LOCAL_SERVICE_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(extra);
	WAIT_FOR(find_rec(0, iid, DROVE_MSG_LOCAL_SERVICE_INSTANCE_STATE_REPORT,
	                  DROVE_INST_HEALTHY) >= 0,
	         60000, "LS HEALTHY");
	exec_in(name,
	        "echo S=$DROVE_SERVICE_ID N=$DROVE_SERVICE_NAME I=$DROVE_SERVICE_INSTANCE_ID "
	        "T=$DROVE_APP_INSTANCE_AUTH_TOKEN X=${DROVE_INSTANCE_ID:-none}",
	        &r);
	ck_assert_int_eq(r.code, 0);
	ck_assert_msg(strstr(r.output, "S=EXEC_LS-1 N=EXEC_LS I=SI-"), "%s", r.output);
	ck_assert_msg(strstr(r.output, "T=ls-token X=none"), "%s", r.output);
	/* STOP_INSTANCE does not stop a local-service instance */
	extra = drove__asprintf("\"instanceId\":\"%s\"", iid);
	send_msg(drove_executor_port(ex), "STOP_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"FAILED\""), "%s", h.body);
	send_msg(drove_executor_port(ex), "STOP_LOCAL_SERVICE_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(extra);
	WAIT_FOR(find_rec(0, iid, DROVE_MSG_LOCAL_SERVICE_INSTANCE_STATE_REPORT,
	                  DROVE_INST_STOPPED) >= 0,
	         60000, "LS STOPPED");
	drove_free(iid);
}
END_TEST

/* ZooKeeper mode: the leader comes from the /controller children, the node data goes to
 * /executor/{hostname}-{port}. */
START_TEST(test_zk_mode)
{
	const char *zk = drove_test_require_env("DROVE_TEST_ZK", "ZooKeeper");
	drove_store_opts *so;
	drove_store *store = NULL;
	char ns[64], *y, *json = NULL, *ctl, id[64], node[64];
	size_t len;
	snprintf(ns, sizeof(ns), "drove-exec-%s", run_id);
	ck_assert_int_eq(drove_store_opts_new(&so), 0);
	ck_assert_int_eq(drove_store_opts_set_zk(so, zk), 0);
	{
		char slash[80];
		snprintf(slash, sizeof(slash), "/%s", ns);
		ck_assert_int_eq(drove_store_opts_set_namespace(so, slash), 0);
	}
	ck_assert_int_eq(drove_store_open(&store, loop, so), 0);
	drove_store_opts_free(so);
	ctl = drove__asprintf("{\"type\":\"CONTROLLER\",\"hostname\":\"127.0.0.1\",\"port\":%d,"
	                      "\"transportType\":\"HTTP\",\"updated\":1,\"leader\":true}",
	                      leader_port);
	ck_assert_int_eq(drove_record_put(store, DROVE_RECORD_CONTROLLER, NULL, "fake-4000", ctl,
	                                  strlen(ctl)),
	                 0);
	free(ctl);
	y = drove__asprintf(
	        "server:\n  applicationConnectors: [{type: http, port: 0, bindHost: 127.0.0.1}]\n"
	        "  adminConnectors: []\n"
	        "logging:\n  appenders:\n    - {type: drove, logPath: %s/logs}\n"
	        "zookeeper: {connectionString: \"%s\", nameSpace: %s}\n"
	        "clusterAuth:\n  secrets:\n    - {nodeType: CONTROLLER, secret: %s}\n"
	        "    - {nodeType: EXECUTOR, secret: %s}\n"
	        "options:\n  hostname: localhost\n  dockerSocketPath: %s\n  maxOpenFiles: 1024\n"
	        "  snapshotInterval: 200ms\n  leaderLookupInterval: 500ms\n",
	        tmpdir, zk, ns, SECRET_C, SECRET_E, sock);
	ck_assert_int_eq(drove_config_load_executor_buf(&cfg, ctx, "executor.yml", y, strlen(y)),
	                 0);
	free(y);
	ck_assert_int_eq(drove_executor_new(&ex, loop, cfg), 0);
	ck_assert_int_eq(drove_executor_start(ex), 0);
	WAIT_FOR(drove_executor_state(ex) == DROVE_EXECUTOR_ACTIVE, 20000, "ACTIVE (zk leader)");
	spin(500);
	snprintf(node, sizeof(node), "localhost-%d", drove_executor_port(ex));
	ck_assert_int_eq(drove_record_get(store, DROVE_RECORD_EXECUTOR, NULL, node, &json, &len),
	                 0);
	ck_assert_ptr_nonnull(strstr(json, "\"executorState\":\"ACTIVE\""));
	ck_assert_ptr_nonnull(strstr(json, drove_executor_node_id(ex)));
	drove_free(json);
	start_task("exit 0", 0, id, sizeof(id), "zk");
	WAIT_FOR(find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0, 60000,
	         "task reported through the zk-found leader");
	/* its session expires (ended on the server): it starts a new one, publishes its node
	 * again (the old ephemeral went with the old session) and still finds the leader */
	{
		unsigned gen = ex->store_gen;
		for (int a = 0; a < 5 && ex->store_gen == gen; a++) {
			int64_t end = drove_time_mono_ms() + 8000;
			drove_test_zk_end_session(ex->store, zk);
			while (ex->store_gen == gen && drove_time_mono_ms() < end)
				spin(50);
		}
		ck_assert_msg(ex->store_gen != gen, "no new session after the expiry");
	}
	{
		int64_t end = drove_time_mono_ms() + 10000;
		int rc;
		do {
			spin(100);
			json = NULL;
			rc = drove_record_get(store, DROVE_RECORD_EXECUTOR, NULL, node, &json,
			                      &len);
			drove_free(json);
		} while (rc != 0 && drove_time_mono_ms() < end);
		ck_assert_int_eq(rc, 0);
	}
	start_task("exit 0", 0, id, sizeof(id), "zk2");
	WAIT_FOR(find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0, 60000,
	         "task reported through the leader found with the new session");
	/* the ephemeral node goes with the executor */
	drove_executor_free(ex);
	ex = NULL;
	{
		int64_t end = drove_time_mono_ms() + 10000;
		int rc;
		do {
			spin(100);
			json = NULL;
			rc = drove_record_get(store, DROVE_RECORD_EXECUTOR, NULL, node, &json,
			                      &len);
			drove_free(json);
		} while (rc == 0 && drove_time_mono_ms() < end);
		ck_assert_int_eq(rc, DROVE_ENOTFOUND);
	}
	drove_store_close(store);
}
END_TEST

Suite *exec_suite(void)
{
	Suite *s = suite_create("exec");
	TCase *tc = tcase_create("podman");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_app_lifecycle);
	tcase_add_test(tc, test_unhealthy);
	tcase_add_test(tc, test_tasks);
	tcase_add_test(tc, test_unknown_image);
	tcase_add_test(tc, test_zombie_reaped);
	tcase_add_test(tc, test_kill9_recovery);
	tcase_add_test(tc, test_daemon_bad_config);
	tcase_add_test(tc, test_zk_mode);
	tcase_add_test(tc, test_local_service);
	tcase_add_test(tc, test_vanished_container);
	suite_add_tcase(s, tc);
	return s;
}
