/* Deploy overhead: SCALE 0 -> 1 through drove-controller and a real drove-executor (child
 * processes, embedded store, podman) until the API shows the instance HEALTHY, against a bare
 * create + start of the same container through the runtime module until its HTTP port answers,
 * interleaved in one run (docs/benchmarks.md, "Controller").
 *
 *   DROVE_TEST_DOCKER_SOCK=/path/podman.sock bench_ctrl_deploy [rounds]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <drove/clock.h>
#include <drove/ctx.h>
#include <drove/loop.h>
#include <drove/runtime.h>

#include "core/internal.h"

#define APP "DEPLOY_BENCH-1"

static int port;
static drove_loop *loop;

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
	if (ud)
		drove__buf_append(ud, p, sz * n);
	return sz * n;
}

static long http_url(const char *method, const char *url, const char *body, char **out)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hl = NULL;
	drove__buf b = DROVE_BUF_INIT;
	long code = 0;

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		hl = curl_slist_append(hl, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	}
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	if (out)
		*out = drove__buf_steal(&b);
	drove__buf_free(&b);
	return code;
}

static long http(const char *method, const char *path, const char *body, char **out)
{
	char url[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	return http_url(method, url, body, out);
}

static int free_port(void)
{
	struct sockaddr_in a = {0};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), p;
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	p = ntohs(a.sin_port);
	close(fd);
	return p;
}

static pid_t spawn(const char *bin, const char *cfg, const char *log)
{
	pid_t pid = fork();
	if (pid == 0) {
		FILE *f = fopen(log, "ae");
		if (f) {
			dup2(fileno(f), 1);
			dup2(fileno(f), 2);
		}
		execl(bin, bin, "-c", cfg, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int healthy_is(int n)
{
	char *b = NULL, want[48];
	int ok;
	snprintf(want, sizeof(want), "\"healthyInstances\":%d,", n);
	ok = http("GET", "/apis/v1/applications/" APP, NULL, &b) == 200 && strstr(b, want);
	free(b);
	return ok;
}

static int active_instances(void)
{
	char *b = NULL;
	int n = 0;
	const char *p;
	if (http("GET", "/apis/v1/applications/" APP "/instances", NULL, &b) == 200)
		for (p = b; (p = strstr(p, "\"instanceId\"")); p++)
			n++;
	free(b);
	return n;
}

/* ---- the bare runtime path ---- */

static int rt_done, rt_code;
static char rt_id[128];

static void on_rt(const drove_runtime_result *r, void *ud)
{
	(void)ud;
	rt_done = 1;
	rt_code = drove_runtime_result_code(r);
	if (drove_runtime_result_id(r))
		snprintf(rt_id, sizeof(rt_id), "%s", drove_runtime_result_id(r));
}

static int rt_wait(void)
{
	while (!rt_done)
		drove_loop_run_for(loop, 5);
	rt_done = 0;
	return rt_code;
}

/* create + start + first 200 on its port, ms; -1 on failure */
static double bare_round(drove_runtime *rt, const char *image, int n)
{
	drove_container_spec *s = NULL;
	const char *args[] = {"httpd", "-f", "-p", "8000", "-h", "/www"};
	char name[64], url[64];
	int hp = 0;
	int64_t t0;
	double ms = -1;

	snprintf(name, sizeof(name), "drove-bench-bare-%d-%d", (int)getpid(), n);
	if (drove_container_spec_new(&s, name, image) < 0)
		return -1;
	for (size_t i = 0; i < DROVE_ARRAY_LEN(args); i++)
		drove_container_spec_add_arg(s, args[i]);
	drove_container_spec_set_memory(s, 64LL * 1024 * 1024);
	drove_container_spec_add_port(s, 8000, 0, &hp);
	drove_container_spec_add_file(s, "/www/index.html", "ok\n", 3, 0644);
	t0 = drove_time_mono_us();
	if (drove_runtime_create(rt, s, on_rt, NULL) < 0 || rt_wait() != 0)
		goto out;
	if (drove_runtime_start(rt, rt_id, on_rt, NULL) < 0 || rt_wait() != 0)
		goto out;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", hp);
	for (int i = 0; i < 5000; i++) {
		if (http_url("GET", url, NULL, NULL) == 200) {
			ms = (double)(drove_time_mono_us() - t0) / 1000.0;
			break;
		}
		usleep(2000);
	}
out:
	if (rt_id[0]) {
		drove_runtime_remove(rt, rt_id, on_rt, NULL);
		rt_wait();
		rt_id[0] = '\0';
	}
	drove_container_spec_free(s);
	return ms;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 5;
	const char *sock = getenv("DROVE_TEST_DOCKER_SOCK");
	const char *image = getenv("DROVE_TEST_IMAGE") ? getenv("DROVE_TEST_IMAGE")
	                                               : "localhost/drove-test:latest";
	char self[1024], ctrl_bin[1200], exec_bin[1200], dir[] = "/tmp/drove-bench-deploy-XXXXXX";
	char path[1300], log[1300], *body;
	double deploy[32], bare[32];
	drove_ctx *ctx = NULL;
	drove_runtime *rt = NULL;
	pid_t cpid, epid;
	int eport, n_ok = 0, status;
	ssize_t n;
	FILE *f;

	if (!sock) {
		fprintf(stderr, "bench_ctrl_deploy: needs DROVE_TEST_DOCKER_SOCK\n");
		return 77;
	}
	if (rounds > 32)
		rounds = 32;
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
		return 1;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(ctrl_bin, sizeof(ctrl_bin), "%s/../daemons/drove-controller/drove-controller",
	         self);
	snprintf(exec_bin, sizeof(exec_bin), "%s/../daemons/drove-executor/drove-executor", self);
	if (access(ctrl_bin, X_OK) || access(exec_bin, X_OK) || !mkdtemp(dir)) {
		fprintf(stderr, "bench_ctrl_deploy: needs %s and %s\n", ctrl_bin, exec_bin);
		return 77;
	}
	port = free_port();
	eport = free_port();
	snprintf(path, sizeof(path), "%s/controller.yml", dir);
	f = fopen(path, "we");
	fprintf(f,
	        "server: { applicationConnectors: [{type: http, port: %d}], adminConnectors: [] }\n"
	        "logging: { level: WARN }\n"
	        "store: { type: local, dataDir: %s/data }\n"
	        "clusterAuth: { secrets: [ {nodeType: CONTROLLER, secret: cs}, "
	        "{nodeType: EXECUTOR, secret: es} ] }\n"
	        "options: { maintenanceWindowTail: 0s, reconcileInterval: 1s, "
	        "staleExecutorAge: 5s, executorCheckInterval: 500ms }\n",
	        port, dir);
	fclose(f);
	snprintf(log, sizeof(log), "%s/controller.log", dir);
	cpid = spawn(ctrl_bin, path, log);
	snprintf(path, sizeof(path), "%s/executor.yml", dir);
	f = fopen(path, "we");
	fprintf(f,
	        "server:\n  applicationConnectors: [{type: http, port: %d, bindHost: 127.0.0.1}]\n"
	        "  adminConnectors: []\n"
	        "logging:\n  level: WARN\n  appenders:\n    - {type: drove, logPath: %s/logs}\n"
	        "clusterAuth:\n  secrets:\n    - {nodeType: CONTROLLER, secret: cs}\n"
	        "    - {nodeType: EXECUTOR, secret: es}\n"
	        "options:\n  hostname: localhost\n  dockerSocketPath: %s\n  remoteUpdateMode: RPC\n"
	        "  cacheImages: true\n  maxOpenFiles: 1024\n  snapshotInterval: 1s\n"
	        "  leaderLookupInterval: 500ms\n  zombieCheckInterval: 30s\n"
	        "controllers:\n  endpoints: [\"http://127.0.0.1:%d\"]\n",
	        eport, dir, sock, port);
	fclose(f);
	snprintf(log, sizeof(log), "%s/executor.log", dir);
	epid = spawn(exec_bin, path, log);
	for (int i = 0; i < 300; i++) {
		char *b = NULL;
		int up = http("GET", "/apis/v1/cluster", NULL, &b) == 200 &&
		         strstr(b, "\"numExecutors\":1,");
		free(b);
		if (up)
			break;
		usleep(100 * 1000);
	}
	body = drove__asprintf(
	        "{\"type\":\"CREATE\",\"instances\":0,\"opSpec\":{\"timeout\":\"1m\","
	        "\"parallelism\":1,"
	        "\"failureStrategy\":\"STOP\"},\"spec\":{\"name\":\"DEPLOY_BENCH\",\"version\":"
	        "\"1\","
	        "\"executable\":{\"type\":\"DOCKER\",\"url\":\"%s\",\"dockerPullTimeout\":\"100 "
	        "seconds\"},\"exposedPorts\":[{\"name\":\"main\",\"port\":8000,\"type\":\"HTTP\"}],"
	        "\"volumes\":[],\"configs\":[{\"type\":\"INLINE\",\"localFilename\":"
	        "\"/www/"
	        "index.html\",\"data\":\"b2sK\"}],\"resources\":[{\"type\":\"CPU\",\"count\":1},"
	        "{\"type\":\"MEMORY\",\"sizeInMB\":64}],\"placementPolicy\":{\"type\":\"ANY\"},"
	        "\"readiness\":{\"mode\":{\"type\":\"HTTP\",\"protocol\":\"HTTP\",\"portName\":"
	        "\"main\","
	        "\"path\":\"/\",\"verb\":\"GET\",\"successCodes\":[200],\"connectionTimeout\":\"1 "
	        "second\"},\"timeout\":\"1 second\",\"interval\":\"10 "
	        "milliseconds\",\"attempts\":100,"
	        "\"initialDelay\":\"0 seconds\"},\"healthcheck\":{\"mode\":{\"type\":\"HTTP\","
	        "\"protocol\":\"HTTP\",\"portName\":\"main\",\"path\":\"/\",\"verb\":\"GET\","
	        "\"successCodes\":[200],\"connectionTimeout\":\"1 second\"},\"timeout\":\"1 "
	        "second\","
	        "\"interval\":\"10 milliseconds\",\"attempts\":3,\"initialDelay\":\"0 seconds\"},"
	        "\"args\":[\"httpd\",\"-f\",\"-p\",\"8000\",\"-h\",\"/www\"]}}",
	        image);
	{
		char *out = NULL;
		if (http("POST", "/apis/v1/applications/operations", body, &out) != 200) {
			fprintf(stderr, "bench_ctrl_deploy: CREATE refused: %s\n", out ? out : "");
			free(out);
			goto stop;
		}
		free(out);
	}
	drove_ctx_new(&ctx);
	drove_loop_new(&loop, ctx);
	drove_runtime_docker_new(&rt, loop, sock);
	for (int r = 0; r < rounds; r++) {
		int64_t t0;
		double b = bare_round(rt, image, r);
		t0 = drove_time_mono_us();
		http("POST", "/apis/v1/applications/operations",
		     "{\"type\":\"SCALE\",\"appId\":\"" APP "\",\"requiredInstances\":1,\"opSpec\":"
		     "{\"timeout\":\"1m\",\"parallelism\":1,\"failureStrategy\":\"STOP\"}}",
		     NULL);
		while (!healthy_is(1) && drove_time_mono_us() - t0 < 60000000)
			usleep(1000);
		deploy[n_ok] = (double)(drove_time_mono_us() - t0) / 1000.0;
		bare[n_ok] = b;
		printf("round %d: deploy to HEALTHY %.1f ms, bare create+start+serving %.1f ms\n",
		       r, deploy[n_ok], b);
		if (b > 0)
			n_ok++;
		http("POST", "/apis/v1/applications/operations",
		     "{\"type\":\"SCALE\",\"appId\":\"" APP "\",\"requiredInstances\":0,\"opSpec\":"
		     "{\"timeout\":\"1m\",\"parallelism\":1,\"failureStrategy\":\"STOP\"}}",
		     NULL);
		for (int i = 0; i < 600 && active_instances() > 0; i++)
			usleep(50 * 1000);
		sleep(1);
	}
	if (n_ok) {
		qsort(deploy, (size_t)n_ok, sizeof(double), cmp_d);
		qsort(bare, (size_t)n_ok, sizeof(double), cmp_d);
		printf("ctrl: rounds=%d deploy_median_ms=%.1f bare_median_ms=%.1f "
		       "overhead_median_ms=%.1f\n",
		       n_ok, deploy[n_ok / 2], bare[n_ok / 2], deploy[n_ok / 2] - bare[n_ok / 2]);
	}
stop:
	free(body);
	kill(epid, SIGTERM);
	waitpid(epid, &status, 0);
	kill(cpid, SIGTERM);
	waitpid(cpid, &status, 0);
	drove_runtime_free(rt);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	if (!getenv("DROVE_KEEP_TEST_DIR")) {
		snprintf(path, sizeof(path), "rm -rf '%s'", dir);
		if (system(path) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
	}
	return n_ok ? 0 : 1;
}
