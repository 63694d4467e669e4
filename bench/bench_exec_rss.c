/* Executor memory: RSS (VmRSS of /proc/<pid>/status) of the drove-executor daemon idle and
 * with N running containers (default 20) with HTTP readiness and health checks every second.
 *
 *   DROVE_TEST_DOCKER_SOCK=... DROVE_TEST_IMAGE=localhost/drove-test:latest \
 *     bench_exec_rss build/exec/daemons/drove-executor/drove-executor [N]
 *
 * A fake leader in this process answers the executor's messages (RPC mode). The executor is
 * over-provisioned (cpuMultiplier 20) so that N containers fit on a small machine. Starts go
 * out in waves of BENCH_EXEC_RSS_WAVE (default 10), each waiting (up to 120 s) for the last to be
 * HEALTHY: a small VM's podman times out creating 100 containers at once. Container statistics
 * are sampled every 2 s (options.statsInterval), so the peak covers five samplings of all. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "http/client.h"
#include "http/server.h"
#include "model/message.h"

#include "bench_common.h"

static drove_loop *loop;
static drove__http_client *http;
static int healthy, stopped, nsnap;
/* the instances started, and what each has reported (1 HEALTHY, 2 STOPPED): an instance is
 * counted once, however often its state is reported */
static char ids[256][48];
static int seen[256];
static int n_ids;

static void count_state(const drove_instance_info *in)
{
	int mark = in->state == DROVE_INST_HEALTHY ? 1 : in->state == DROVE_INST_STOPPED ? 2 : 0;
	for (int k = 0; mark && in->instance_id && k < n_ids; k++)
		if (!strcmp(ids[k], in->instance_id)) {
			if (seen[k] < mark) {
				healthy += mark == 1;
				stopped += mark == 2;
				seen[k] = mark;
			}
			return;
		}
}

static int vcores[256];
/* N above the machine's v-cores (2 cores x 20 here) run without a CPU allocation. */
static size_t nvcores;

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
	if (m->instance)
		count_state(m->instance);
	if (m->node_data && m->node_data->state && !nvcores) {
		const drove_cpu_snapshot *c = m->node_data->state->cpus;
		for (size_t k = 0; c && k < c->n_free_cores; k++)
			for (size_t j = 0; j < c->free_cores[k].n_cores && nvcores < 256; j++)
				vcores[nvcores++] = c->free_cores[k].cores[j];
	}
	nsnap += m->node_data != NULL;
	r.header = m->header;
	r.status = DROVE_MSG_ACCEPTED;
	drove__message_response_encode(&r, &out);
	drove__http_reply_raw(req, 200, "application/json", out, out ? strlen(out) : 0);
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
	drove__http_reply_not_found(req, "unknown");
}

/* A line of /proc/<pid>/status in KiB ("VmRSS:", "RssAnon:"). */
static long rss_kb(pid_t pid)
{
	return bench_proc_status_kb(pid, "VmRSS:");
}

static int done_flag;
static void on_done(const drove__http_response *resp, void *ud)
{
	(void)resp;
	(*(int *)ud)++;
}

static void post(int port, const char *body)
{
	char url[128];
	const char *hdrs[] = {"Content-Type: application/json", "Cluster-Authorization: bench-c",
	                      NULL};
	drove__http_request req;
	int before = done_flag;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/apis/v1/messages", port);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.headers = hdrs;
	req.body = body;
	req.body_len = strlen(body);
	req.timeout_ms = 10000;
	req.on_done = on_done;
	req.userdata = &done_flag;
	if (drove__http_send(http, &req, NULL) == 0)
		while (done_flag == before)
			drove_loop_run_for(loop, 20);
}

static void on_metrics(const drove__http_response *resp, void *ud)
{
	int *n = ud;
	const char *p = resp->body, *end = resp->body + resp->body_len;
	*n = 0;
	while (!resp->error && p && p < end) { /* count the instances' CPU series */
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!strncmp(p, "drove_instance_cpu_seconds_total{", 33))
			++*n;
		p = nl ? nl + 1 : end;
	}
}

/* How many instances the executor's /metrics (admin port) has CPU statistics for, or -1. */
static int with_stats(int port)
{
	char url[96];
	drove__http_request req;
	int n = -1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", port);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = url;
	req.timeout_ms = 10000;
	req.on_done = on_metrics;
	req.userdata = &n;
	if (drove__http_send(http, &req, NULL) == 0)
		for (int64_t end = drove_time_mono_ms() + 11000;
		     n < 0 && drove_time_mono_ms() < end;)
			drove_loop_run_for(loop, 20);
	return n;
}

static void run_until(int *counter, int want, int64_t ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	while (*counter < want && drove_time_mono_ms() < end)
		drove_loop_run_for(loop, 100);
}

int main(int argc, char **argv)
{
	const char *sock = getenv("DROVE_TEST_DOCKER_SOCK"), *image = getenv("DROVE_TEST_IMAGE");
	int n = argc > 2 ? atoi(argv[2]) : 20, lport, eport, aport;
	int wave = getenv("BENCH_EXEC_RSS_WAVE") ? atoi(getenv("BENCH_EXEC_RSS_WAVE")) : 10;
	char dir[] = "/tmp/bench_exec_XXXXXX", cfgpath[128], *y;
	drove_ctx *ctx;
	drove__http_server *srv;
	long idle, loaded = 0, after, anon = 0;
	pid_t pid;
	FILE *f;

	if (argc < 2 || !sock || !image || n < 1 || n > 200 || wave < 1) {
		fprintf(stderr,
		        "usage: DROVE_TEST_DOCKER_SOCK=.. DROVE_TEST_IMAGE=.. %s "
		        "path/to/drove-executor [N]\n",
		        argv[0]);
		return 2;
	}
	if (!mkdtemp(dir) || drove_ctx_new(&ctx) < 0 || drove_loop_new(&loop, ctx) < 0 ||
	    drove__http_client_new(&http, loop) < 0 || drove__http_server_new(&srv, loop, NULL) < 0)
		return 1;
	drove__http_server_route(srv, DROVE_HTTP_POST, "/apis/v1/messages", 0, 0, l_messages, NULL);
	drove__http_server_route(srv, DROVE_HTTP_GET, "/apis/v1/ping", 0, 0, l_ping, NULL);
	drove__http_server_route(srv, DROVE_HTTP_GET,
	                         "/apis/v1/internal/cluster/executors/{id}/instances/{which}", 0, 0,
	                         l_failed, NULL);
	drove__http_server_route(srv, DROVE_HTTP_GET,
	                         "/apis/v1/internal/cluster/resources/reserved", 0, 0, l_failed,
	                         NULL);
	if (drove__http_server_bind(srv, "127.0.0.1", 0) < 0)
		return 1;
	lport = drove__http_server_port(srv);
	eport = bench_free_port();
	aport = bench_free_port();
	y = drove__asprintf(
	        "server:\n  applicationConnectors: [{type: http, port: %d, bindHost: 127.0.0.1}]\n"
	        "  adminConnectors: [{type: http, port: %d, bindHost: 127.0.0.1}]\nlogging:\n  "
	        "level: WARN\n  appenders:\n"
	        "    - {type: drove, logPath: %s/logs}\n"
	        "clusterAuth:\n  secrets:\n    - {nodeType: CONTROLLER, secret: bench-c}\n"
	        "    - {nodeType: EXECUTOR, secret: bench-e}\n"
	        "resources:\n  overProvisioning: {enabled: true, cpuMultiplier: 20, "
	        "memoryMultiplier: 2}\n"
	        "options:\n  hostname: localhost\n  dockerSocketPath: %s\n  remoteUpdateMode: RPC\n"
	        "  cacheImages: true\n  maxOpenFiles: 1024\n  snapshotInterval: 1s\n  "
	        "zombieCheckInterval: 30s\n  statsInterval: 2s\n"
	        "controllers:\n  endpoints: [\"http://127.0.0.1:%d\"]\n",
	        eport, aport, dir, sock, lport);
	snprintf(cfgpath, sizeof(cfgpath), "%s/executor.yml", dir);
	f = fopen(cfgpath, "we");
	fputs(y, f);
	fclose(f);
	free(y);
	if ((pid = fork()) == 0) {
		int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		dup2(fd, 1);
		execl(argv[1], "drove-executor", "-c", cfgpath, (char *)NULL);
		_exit(127);
	}
	run_until(&nsnap, 2, 20000);
	drove_loop_run_for(loop, 3000);
	idle = rss_kb(pid);
	printf("executor idle: VmRSS %ld KiB (RssAnon %ld KiB, RssFile %ld KiB)\n", idle,
	       bench_proc_status_kb(pid, "RssAnon:"), bench_proc_status_kb(pid, "RssFile:"));
	for (int k = 0; k < n; k++) {
		char *iid = NULL, *msg, cores[32] = "";
		if (k && k % wave == 0)
			run_until(&healthy, k, 120000);
		drove_instance_id_new(ctx, DROVE_KIND_APP, &iid);
		snprintf(ids[k], sizeof(ids[k]), "%s", iid);
		n_ids = k + 1;
		/* beyond the v-cores of a small machine: no CPU allocation (no pinning) */
		if ((size_t)k < nvcores)
			snprintf(cores, sizeof(cores), "\"0\":[%d]", vcores[k]);
		msg = drove__asprintf(
		        "{\"type\":\"START_INSTANCE\",\"header\":{\"id\":\"b%d\",\"senderType\":"
		        "\"CONTROLLER\",\"messageTime\":1,\"term\":1},\"spec\":{\"appId\":\"BENCH-"
		        "1\","
		        "\"appName\":\"BENCH\",\"instanceId\":\"%s\",\"executable\":{\"type\":"
		        "\"DOCKER\","
		        "\"url\":\"%s\"},\"resources\":[{\"type\":\"CPU\",\"cores\":{%s}},"
		        "{\"type\":\"MEMORY\",\"memoryInMB\":{\"0\":16}}],\"ports\":[{\"name\":"
		        "\"main\","
		        "\"port\":8000,\"type\":\"HTTP\"}],\"configs\":[{\"type\":\"INLINE\","
		        "\"localFilename\":\"/www/index.html\",\"data\":\"b2sK\"}],"
		        "\"readiness\":{\"mode\":{\"type\":\"HTTP\",\"portName\":\"main\",\"path\":"
		        "\"/\"},"
		        "\"timeout\":\"1 second\",\"interval\":\"1 second\",\"attempts\":30},"
		        "\"healthcheck\":{\"mode\":{\"type\":\"HTTP\",\"portName\":\"main\","
		        "\"path\":\"/\"},"
		        "\"timeout\":\"1 second\",\"interval\":\"1 second\",\"attempts\":3},"
		        "\"args\":[\"httpd\",\"-f\",\"-p\",\"8000\",\"-h\",\"/www\"]}}",
		        k, iid, image, cores);
		post(eport, msg);
		free(msg);
		drove_free(iid);
	}
	run_until(&healthy, n, 180000);
	printf("healthy instances: %d of %d\n", healthy, n);
	for (int s = 0; s < 10; s++) { /* 10 s of health checks: keep the peak */
		long v;
		drove_loop_run_for(loop, 1000);
		v = rss_kb(pid);
		if (v > loaded)
			loaded = v;
		v = bench_proc_status_kb(pid, "RssAnon:");
		if (v > anon)
			anon = v;
	}
	printf("executor with %d containers (HTTP health checks every 1 s, statistics every 2 s): "
	       "VmRSS %ld KiB, RssAnon %ld KiB (peaks over 10 s); /metrics: %d instances with CPU "
	       "statistics\n",
	       healthy, loaded, anon, with_stats(aport));
	for (int k = 0; k < n; k++) {
		char *msg;
		if (k && k % wave == 0)
			run_until(&stopped, k, 120000);
		msg = drove__asprintf(
		        "{\"type\":\"STOP_INSTANCE\",\"header\":{\"id\":\"s%d\",\"senderType\":"
		        "\"CONTROLLER\",\"messageTime\":1,\"term\":1},\"instanceId\":\"%s\"}",
		        k, ids[k]);
		post(eport, msg);
		free(msg);
	}
	run_until(&stopped, n, 180000);
	after = rss_kb(pid);
	printf("executor after stopping them: VmRSS %ld KiB, RssAnon %ld KiB (%d stopped)\n", after,
	       bench_proc_status_kb(pid, "RssAnon:"), stopped);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	drove__http_server_free(srv);
	drove__http_client_free(http);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		(void)!system(cmd);
	}
	return healthy == n ? 0 : 1;
}
