/* The fixture of the executor tests (test_exec.c, test_exec_daemon.c): real podman
 * (DROVE_TEST_DOCKER_SOCK, DROVE_TEST_IMAGE), a tiny fake leader in the test (messages, ping,
 * instances/last|current, resources/reserved) reached through controllers.endpoints (RPC
 * mode), and helpers for messages, specs and containers. Header-only: each test program
 * includes it once. */
#ifndef TEST_EXEC_ENV_H
#define TEST_EXEC_ENV_H

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
/* Set snap_mark to nsnaps: the first snapshot after it records its instances + tasks here. */
static int snap_mark = -1, snap_first_n = -1;

static inline void l_messages(drove__http_req *req, void *ud)
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
			if (snap_mark >= 0 && snap_first_n < 0 && nsnaps > snap_mark)
				snap_first_n =
				        (int)(m->node_data->n_instances + m->node_data->n_tasks);
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

static inline void l_ping(drove__http_req *req, void *ud)
{
	(void)ud;
	drove__http_reply_success(req, json_object_new_string("pong"));
}

static inline void l_failed(drove__http_req *req, void *ud)
{
	(void)ud;
	drove__http_reply_not_found(req, "unknown executor");
}

static inline void l_reserved(drove__http_req *req, void *ud)
{
	struct json_object *j = json_object_new_object();
	(void)ud;
	json_object_object_add(j, "cpus", json_object_new_int(0));
	json_object_object_add(j, "memory", json_object_new_int(0));
	json_object_object_add(j, "requiredInstances", json_object_new_object());
	drove__http_reply_success(req, j);
}

static inline void l_config(drove__http_req *req, void *ud)
{
	(void)ud;
	drove__http_reply_raw(req, 200, "text/plain", "fetched-over-http\n", 18);
}

static inline int find_rec(int from, const char *id, int type, int state)
{
	for (int k = from; k < nrecs; k++)
		if (recs[k].type == type && !strcmp(recs[k].id, id) && recs[k].state == state)
			return k;
	return -1;
}

static inline void spin(int64_t ms)
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

static inline void on_hres(const drove__http_response *resp, void *ud)
{
	struct hres *h = ud;
	h->done = 1;
	h->status = resp->error ? -1 : resp->status;
	snprintf(h->body, sizeof(h->body), "%s", resp->body);
}

static inline void call(const char *method, int port, const char *path, const char *body,
                        const char *secret, struct hres *h)
{
	char url[1024], auth[128];
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
static inline void send_msg(int port, const char *type, const char *extra, struct hres *h)
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
static inline char *app_instance_spec(int core, const char *health_json, int extra_configs,
                                      char *id_out, size_t id_len)
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
	ck_assert_int_eq(drove_instance_id_new(ctx, DROVE_KIND_APP, &iid), 0);
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

static inline char *task_spec(const char *cmd, int core, char *id_out, size_t id_len,
                              const char *tid)
{
	char *iid = NULL, *out;
	ck_assert_int_eq(drove_instance_id_new(ctx, DROVE_KIND_TASK, &iid), 0);
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

/* What a test may change in the executor's config: options.cacheImages and top-level YAML
 * appended at the end (dockerAuth, resources ...). */
static const char *exec_cache_images = "true";
static const char *exec_yaml_tail = "";

static inline char *exec_yaml(int port, int zombie_s)
{
	return drove__asprintf(
	        "server:\n  applicationConnectors: [{type: http, port: %d, bindHost: 127.0.0.1}]\n"
	        "  adminConnectors: []\n"
	        "logging:\n  level: DEBUG\n  appenders:\n    - {type: drove, logPath: %s/logs, "
	        "archivedFileCount: 2, maxFileSize: 1MiB}\n"
	        "clusterAuth:\n  secrets:\n    - {nodeType: CONTROLLER, secret: %s}\n"
	        "    - {nodeType: EXECUTOR, secret: %s}\n"
	        "options:\n  hostname: localhost\n  dockerSocketPath: %s\n  remoteUpdateMode: RPC\n"
	        "  cacheImages: %s\n  maxOpenFiles: 1024\n"
	        "  snapshotInterval: 200ms\n  leaderLookupInterval: 500ms\n  zombieCheckInterval: "
	        "%ds\n"
	        "controllers:\n  endpoints: [\"http://127.0.0.1:%d\"]\n%s",
	        port, tmpdir, SECRET_C, SECRET_E, sock, exec_cache_images, zombie_s, leader_port,
	        exec_yaml_tail);
}

static drove_config *cfg;
static drove_executor *ex;

static inline void start_executor(void)
{
	char *y = exec_yaml(0, 1);
	ck_assert_int_eq(drove_config_load_executor_buf(&cfg, ctx, "executor.yml", y, strlen(y)),
	                 0);
	free(y);
	ck_assert_int_eq(drove_executor_new(&ex, loop, cfg), 0);
	ck_assert_int_eq(drove_executor_start(ex), 0);
	/* the engine's first answer (/version) alone took 8 s on a loaded machine */
	WAIT_FOR(drove_executor_state(ex) == DROVE_EXECUTOR_ACTIVE, 60000, "executor ACTIVE");
	WAIT_FOR(nsnaps > 0, 5000, "a snapshot");
	ck_assert_str_eq(last_exec_id, drove_executor_node_id(ex));
}

/* ---- runtime helpers ---- */

struct rres {
	int done, code, running, exit_code;
	int64_t started_at;
	char output[8192], id[128];
};

static inline void on_rres(const drove_runtime_result *r, void *ud)
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

static inline void inspect(const char *name, struct rres *r)
{
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(drove_runtime_inspect(rt, name, on_rres, r), 0);
	WAIT_FOR(r->done, 30000, "inspect");
}

static inline void exec_in(const char *name, const char *cmd, struct rres *r)
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

static inline void force_remove(const char *name)
{
	struct rres r;
	memset(&r, 0, sizeof(r));
	if (drove_runtime_remove(rt, name, on_rres, &r) == 0)
		WAIT_FOR(r.done, 30000, "remove");
}

/* ---- fixture ---- */

static inline void log_stderr(int level, const char *module, const char *msg, void *ud)
{
	(void)ud;
	fprintf(stderr, "%d [%s] %s\n", level, module, msg);
}

/* Containers to remove at the end whatever happens. */
static char cleanup[16][160];
static int ncleanup;

static inline void track(const char *prefix, const char *id)
{
	if (ncleanup < 16)
		snprintf(cleanup[ncleanup++], sizeof(cleanup[0]), "%s%s", prefix, id);
}

/* START_TASK for a new task running `cmd` (task_spec's arguments), expecting ACCEPTED. */
static inline void start_task(const char *cmd, int core, char *id, size_t n, const char *tid)
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

static inline void setup(void)
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

static inline void teardown(void)
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

#endif
