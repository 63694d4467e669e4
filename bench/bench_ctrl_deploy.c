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
#include "bench_ctrl_common.h"

#define APP "DEPLOY_BENCH-1"

static drove_loop *loop;

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
	char dir[] = "/tmp/drove-bench-deploy-XXXXXX", path[1300], *body;
	double deploy[32], bare[32];
	drove_ctx *ctx = NULL;
	drove_runtime *rt = NULL;
	pid_t cpid = 0, epid = 0;
	int n_ok = 0, status;

	if (!sock) {
		fprintf(stderr, "bench_ctrl_deploy: needs DROVE_TEST_DOCKER_SOCK\n");
		return 77;
	}
	if (rounds > 32)
		rounds = 32;
	if (!mkdtemp(dir))
		return 1;
	if (bench_start_pair(dir, sock, NULL, &cpid, &epid) != 0)
		return 77;
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
