/* Deploys at the engine's floor (issue 21, docs/benchmarks.md "Executor at scale"): SCALE 0 -> N
 * of a one-core app through drove-controller and one real drove-executor (child processes,
 * embedded store) until the API shows N HEALTHY, against N create + start calls of the same
 * containers made directly on the engine API through the runtime module, at most P at a time,
 * each done when its port answers HTTP 200. Rounds alternate the two paths.
 *
 *   DROVE_TEST_DOCKER_SOCK=/path/engine.sock [DROVE_TEST_IMAGE=...] bench_exec_scale [rounds]
 *
 *   BENCH_EXEC_SCALE_N (100)  instances;  BENCH_EXEC_SCALE_PARALLELISM (10)  P: the deploy's
 *   opSpec.parallelism and the bare path's concurrency;  BENCH_EXEC_SCALE_CPU_MULTIPLIER (20)
 *   the executor's resources.overProvisioning.cpuMultiplier (N one-core instances need
 *   N / multiplier cores: 100 needs 5 at the maximum multiplier of 20; N is cut to what fits).
 *
 * Prints `exec_scale: engine=... n=... p=... deploy_median_s=... bare_median_s=... ratio=...`. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drove/clock.h>
#include <drove/ctx.h>
#include <drove/loop.h>
#include <drove/runtime.h>

#include "core/internal.h"
#include "http/client.h"
#include "bench_ctrl_common.h"

#define APP    "SCALE_BENCH-1"
#define MAX_N  400
#define ROUNDS 16

static drove_loop *loop;
static drove_runtime *rt;
static drove__http_client *cli;
static const char *image;
static int n_want, par;

/* ---- the bare path: N jobs, P at a time, create -> start -> first 200 ---- */

struct job {
	int i, host_port, done, failed;
	char id[128], name[80];
	drove_container_spec *spec;
};

static struct job jobs[MAX_N];
static int next_job, n_done, n_running;

static void job_next(void);

static void job_finish(struct job *j, int failed)
{
	j->done = 1;
	j->failed = failed;
	n_done++;
	n_running--;
	job_next();
}

static void job_poll(void *ud);

static void on_probe(const drove__http_response *resp, void *ud)
{
	struct job *j = ud;
	if (resp->status == 200)
		job_finish(j, 0);
	else
		drove_loop_after(loop, 10, job_poll, j); /* the deploy's readiness interval */
}

static void job_poll(void *ud)
{
	struct job *j = ud;
	char url[64];
	drove__http_request req = {0};
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", j->host_port);
	req.method = "GET";
	req.url = url;
	req.connect_timeout_ms = 1000;
	req.timeout_ms = 1000;
	req.on_done = on_probe;
	req.userdata = j;
	drove__http_send(cli, &req, NULL);
}

static void on_started(const drove_runtime_result *r, void *ud)
{
	struct job *j = ud;
	if (drove_runtime_result_code(r) != 0) {
		fprintf(stderr, "bare start %d: %s\n", j->i, drove_runtime_result_message(r));
		job_finish(j, 1);
		return;
	}
	job_poll(j);
}

static void on_created(const drove_runtime_result *r, void *ud)
{
	struct job *j = ud;
	if (drove_runtime_result_code(r) != 0 || !drove_runtime_result_id(r)) {
		fprintf(stderr, "bare create %d: %s\n", j->i, drove_runtime_result_message(r));
		job_finish(j, 1);
		return;
	}
	snprintf(j->id, sizeof(j->id), "%s", drove_runtime_result_id(r));
	drove_runtime_start(rt, j->id, on_started, j);
}

static void job_next(void)
{
	while (n_running < par && next_job < n_want) {
		struct job *j = &jobs[next_job++];
		n_running++;
		drove_runtime_create(rt, j->spec, on_created, j);
	}
}

/* The same container the executor makes: one cpu (a cpuset of one core), 64 MB, port 8000
 * published on a free host port, the index file, httpd as the command. */
static int job_prepare(struct job *j, int i, int round, int ncpu)
{
	const char *args[] = {"httpd", "-f", "-p", "8000", "-h", "/www"};
	char cpus[16];
	memset(j, 0, sizeof(*j));
	j->i = i;
	snprintf(j->name, sizeof(j->name), "drove-bench-scale-%d-%d-%d", (int)getpid(), round, i);
	snprintf(cpus, sizeof(cpus), "%d", i % ncpu);
	if (drove_container_spec_new(&j->spec, j->name, image) < 0)
		return -1;
	for (size_t k = 0; k < DROVE_ARRAY_LEN(args); k++)
		drove_container_spec_add_arg(j->spec, args[k]);
	drove_container_spec_set_memory(j->spec, 64LL * 1024 * 1024);
	drove_container_spec_set_cpuset(j->spec, cpus, NULL);
	drove_container_spec_set_cpu_count(j->spec, 1);
	drove_container_spec_add_port(j->spec, 8000, 0, &j->host_port);
	drove_container_spec_add_file(j->spec, "/www/index.html", "ok\n", 3, 0644);
	return 0;
}

static int rm_done;

static void on_removed(const drove_runtime_result *r, void *ud)
{
	(void)r;
	(void)ud;
	rm_done++;
}

/* seconds until all N answer, -1 when one failed */
static double bare_round(int round, int ncpu)
{
	int64_t t0;
	int failed = 0, n_rm = 0;
	for (int i = 0; i < n_want; i++)
		if (job_prepare(&jobs[i], i, round, ncpu) < 0)
			return -1;
	next_job = n_done = n_running = 0;
	t0 = drove_time_mono_us();
	job_next();
	while (n_done < n_want)
		drove_loop_run_for(loop, 5);
	t0 = drove_time_mono_us() - t0;
	rm_done = 0;
	for (int i = 0; i < n_want; i++) {
		failed |= jobs[i].failed;
		/* by name when the create timed out: the engine may still have made it */
		drove_runtime_remove(rt, jobs[i].id[0] ? jobs[i].id : jobs[i].name, on_removed,
		                     NULL);
		n_rm++;
		drove_container_spec_free(jobs[i].spec);
	}
	while (rm_done < n_rm)
		drove_loop_run_for(loop, 5);
	return failed ? -1 : (double)t0 / 1e6;
}

/* ---- the Drove path ---- */

static int app_count(const char *field)
{
	char *b = NULL, key[48];
	const char *p;
	int n = -1;
	snprintf(key, sizeof(key), "\"%s\":", field);
	if (http("GET", "/apis/v1/applications/" APP, NULL, &b) == 200 && (p = strstr(b, key)))
		n = atoi(p + strlen(key));
	free(b);
	return n;
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

static void scale_to(int n)
{
	char body[256];
	snprintf(body, sizeof(body),
	         "{\"type\":\"SCALE\",\"appId\":\"" APP "\",\"requiredInstances\":%d,\"opSpec\":"
	         "{\"timeout\":\"10m\",\"parallelism\":%d,\"failureStrategy\":\"STOP\"}}",
	         n, par);
	if (http("POST", "/apis/v1/applications/operations", body, NULL) != 200)
		fprintf(stderr, "SCALE to %d refused\n", n);
}

static double deploy_round(void)
{
	int64_t t0 = drove_time_mono_us();
	scale_to(n_want);
	while (app_count("healthyInstances") != n_want) {
		if (drove_time_mono_us() - t0 > 600LL * 1000000)
			return -1;
		usleep(5000);
	}
	return (double)(drove_time_mono_us() - t0) / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 3, n_ok = 0, status;
	const char *sock = getenv("DROVE_TEST_DOCKER_SOCK");
	const char *engine =
	        getenv("BENCH_EXEC_SCALE_ENGINE") ? getenv("BENCH_EXEC_SCALE_ENGINE") : "podman";
	int mult = getenv("BENCH_EXEC_SCALE_CPU_MULTIPLIER")
	                   ? atoi(getenv("BENCH_EXEC_SCALE_CPU_MULTIPLIER"))
	                   : 20;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char dir[] = "/tmp/drove-bench-xscale-XXXXXX", extra[160], path[1300], *body, *out = NULL;
	double deploy[ROUNDS], bare[ROUNDS];
	drove_ctx *ctx = NULL;
	pid_t cpid = 0, epid = 0;

	setvbuf(stdout, NULL, _IOLBF, 0); /* rounds reach a log at once */
	image = getenv("DROVE_TEST_IMAGE") ? getenv("DROVE_TEST_IMAGE")
	                                   : "localhost/drove-test:latest";
	n_want = getenv("BENCH_EXEC_SCALE_N") ? atoi(getenv("BENCH_EXEC_SCALE_N")) : 100;
	par = getenv("BENCH_EXEC_SCALE_PARALLELISM") ? atoi(getenv("BENCH_EXEC_SCALE_PARALLELISM"))
	                                             : 10;
	if (!sock) {
		fprintf(stderr, "bench_exec_scale: needs DROVE_TEST_DOCKER_SOCK\n");
		return 77;
	}
	if (n_want > ncpu * mult) {
		printf("bench_exec_scale: %d one-core instances do not fit %ld cores x %d; N=%ld\n",
		       n_want, ncpu, mult, ncpu * mult);
		n_want = (int)(ncpu * mult);
	}
	if (n_want > MAX_N)
		n_want = MAX_N;
	if (rounds > ROUNDS)
		rounds = ROUNDS;
	if (par < 1)
		par = 1;
	if (!mkdtemp(dir))
		return 1;
	snprintf(extra, sizeof(extra),
	         "resources:\n  overProvisioning: {enabled: true, cpuMultiplier: %d, "
	         "memoryMultiplier: 1}\n",
	         mult);
	if (bench_start_pair(dir, sock, extra, &cpid, &epid) != 0)
		return 77;
	body = drove__asprintf(
	        "{\"type\":\"CREATE\",\"instances\":0,\"opSpec\":{\"timeout\":\"1m\","
	        "\"parallelism\":1,\"failureStrategy\":\"STOP\"},\"spec\":{\"name\":\"SCALE_"
	        "BENCH\","
	        "\"version\":\"1\",\"executable\":{\"type\":\"DOCKER\",\"url\":\"%s\","
	        "\"dockerPullTimeout\":\"100 seconds\"},\"exposedPorts\":[{\"name\":\"main\","
	        "\"port\":8000,\"type\":\"HTTP\"}],\"volumes\":[],\"configs\":[{\"type\":"
	        "\"INLINE\",\"localFilename\":\"/www/index.html\",\"data\":\"b2sK\"}],"
	        "\"resources\":[{\"type\":\"CPU\",\"count\":1},{\"type\":\"MEMORY\","
	        "\"sizeInMB\":64}],\"placementPolicy\":{\"type\":\"ANY\"},\"readiness\":{\"mode\":"
	        "{\"type\":\"HTTP\",\"protocol\":\"HTTP\",\"portName\":\"main\",\"path\":\"/\","
	        "\"verb\":\"GET\",\"successCodes\":[200],\"connectionTimeout\":\"1 second\"},"
	        "\"timeout\":\"1 second\",\"interval\":\"10 milliseconds\",\"attempts\":100,"
	        "\"initialDelay\":\"0 seconds\"},\"healthcheck\":{\"mode\":{\"type\":\"HTTP\","
	        "\"protocol\":\"HTTP\",\"portName\":\"main\",\"path\":\"/\",\"verb\":\"GET\","
	        "\"successCodes\":[200],\"connectionTimeout\":\"1 second\"},\"timeout\":\"1 "
	        "second\",\"interval\":\"5 seconds\",\"attempts\":3,\"initialDelay\":\"0 "
	        "seconds\"},\"args\":[\"httpd\",\"-f\",\"-p\",\"8000\",\"-h\",\"/www\"]}}",
	        image);
	if (http("POST", "/apis/v1/applications/operations", body, &out) != 200) {
		fprintf(stderr, "bench_exec_scale: CREATE refused: %s\n", out ? out : "");
		goto stop;
	}
	drove_ctx_new(&ctx);
	drove_loop_new(&loop, ctx);
	drove_runtime_docker_new(&rt, loop, sock);
	drove__http_client_new(&cli, loop);
	printf("exec_scale: engine %s on %s, %d instances, %d at a time, %ld cpus\n", engine, sock,
	       n_want, par, ncpu);
	for (int r = 0; r < rounds; r++) {
		double b = bare_round(r, (int)ncpu), d;
		sleep(1);
		d = deploy_round();
		printf("round %d: Drove SCALE 0->%d HEALTHY %.2f s, bare create+start+serving %.2f "
		       "s\n",
		       r, n_want, d, b);
		fflush(stdout);
		if (b > 0 && d > 0) {
			deploy[n_ok] = d;
			bare[n_ok++] = b;
		}
		scale_to(0);
		for (int i = 0; i < 1200 && active_instances() > 0; i++)
			usleep(100 * 1000);
		sleep(1);
	}
	if (n_ok) {
		qsort(deploy, (size_t)n_ok, sizeof(double), cmp_d);
		qsort(bare, (size_t)n_ok, sizeof(double), cmp_d);
		printf("exec_scale: engine=%s n=%d p=%d rounds=%d deploy_median_s=%.2f "
		       "bare_median_s=%.2f ratio=%.2f\n",
		       engine, n_want, par, n_ok, deploy[n_ok / 2], bare[n_ok / 2],
		       deploy[n_ok / 2] / bare[n_ok / 2]);
	}
stop:
	free(out);
	free(body);
	kill(epid, SIGTERM);
	waitpid(epid, &status, 0);
	kill(cpid, SIGTERM);
	waitpid(cpid, &status, 0);
	drove__http_client_free(cli);
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
