/* Controller API reads under wrk with 100 apps and 3,000 instances on simulated executors, and
 * the controller's RSS idle and loaded (docs/benchmarks.md, "Controller").
 *
 *   bench_ctrl_reads [seconds-per-endpoint] [path-to-drove-controller]
 *
 * The real daemon runs as a child process on the embedded store; ten simulated executors
 * (tests/integration/test_ctrl_fake.h, 300 cores each) run in this process. wrk (Debian's
 * package) drives GET requests with one thread and 16 connections. BENCH_CTRL_SCRAPE_MS=1000
 * scrapes the admin port's /metrics every second meanwhile. */
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <drove/ctx.h>
#include <drove/loop.h>

#include "../tests/integration/test_ctrl_fake.h"
#include "bench_ctrl_common.h"

#define N_EXEC  10
#define N_APPS  100
#define PER_APP 30

static drove_loop *loop;
static int aport; /* the admin port (the API's: port, bench_ctrl_common.h) */

/* BENCH_CTRL_SCRAPE_MS: a Prometheus-like scrape of the admin port's /metrics at that period
 * while wrk runs (issue 16: what scraping costs the API). */
static volatile int scraping;
static long scrapes, scrape_bytes, scrape_us_max;

static size_t count_bytes(char *p, size_t sz, size_t n, void *ud)
{
	(void)p;
	*(long *)ud += (long)(sz * n);
	return sz * n;
}

static void *scrape_main(void *ud)
{
	long period_ms = (long)(intptr_t)ud;
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", aport);
	while (scraping) {
		CURL *h = curl_easy_init();
		long bytes = 0, code = 0;
		int64_t t0 = drove_time_mono_us(), us;
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, count_bytes);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &bytes);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
		if (curl_easy_perform(h) == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_cleanup(h);
		us = drove_time_mono_us() - t0;
		if (code == 200) {
			scrapes++;
			scrape_bytes = bytes;
			if (us > scrape_us_max)
				scrape_us_max = (long)us;
		}
		usleep((useconds_t)period_ms * 1000);
	}
	return NULL;
}

static void *loop_main(void *ud)
{
	(void)ud;
	drove_loop_run(loop);
	return NULL;
}

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 10;
	char daemon[1024], dir[] = "/tmp/drove-bench-ctrl-XXXXXX", cfgpath[1200], *b;
	drove_ctx *ctx = NULL;
	struct fake_exec *fx[N_EXEC];
	pthread_t thr;
	pid_t pid;
	FILE *f;
	long idle, loaded, t0;
	int status, ok = 0;
	int snap_ms =
	        getenv("BENCH_CTRL_SNAPSHOT_MS") ? atoi(getenv("BENCH_CTRL_SNAPSHOT_MS")) : 2000;
	size_t len;
	char *spec;

	if (argc > 2) {
		snprintf(daemon, sizeof(daemon), "%s", argv[2]);
	} else {
		ssize_t n = readlink("/proc/self/exe", daemon, sizeof(daemon) - 64);
		if (n < 0)
			return 1;
		daemon[n] = '\0';
		*strrchr(daemon, '/') = '\0';
		strncat(daemon, "/../daemons/drove-controller/drove-controller",
		        sizeof(daemon) - strlen(daemon) - 1);
	}
	if (access(daemon, X_OK) != 0 || system("command -v wrk >/dev/null") != 0) {
		fprintf(stderr, "bench_ctrl_reads: needs %s and wrk\n", daemon);
		return 77;
	}
	if (!mkdtemp(dir))
		return 1;
	port = free_port();
	aport = free_port();
	snprintf(cfgpath, sizeof(cfgpath), "%s/controller.yml", dir);
	f = fopen(cfgpath, "we");
	fprintf(f,
	        "server: { applicationConnectors: [{type: http, port: %d}],"
	        " adminConnectors: [{type: http, port: %d}] }\n"
	        "logging: { level: %s }\n"
	        "store: { type: local, dataDir: %s/data }\n"
	        "clusterAuth: { secrets: [ {nodeType: CONTROLLER, secret: ctrl-secret}, "
	        "{nodeType: EXECUTOR, secret: exec-secret} ] }\n"
	        "options: { staleExecutorAge: 60s, executorCheckInterval: 1s, reconcileInterval: "
	        "2s,"
	        " staleInstanceReportAge: 60s, maintenanceWindowTail: 0s, clusterOpParallelism: 32 "
	        "}\n",
	        port, aport, getenv("BENCH_CTRL_LOG") ? getenv("BENCH_CTRL_LOG") : "WARN", dir);
	fclose(f);
	if ((pid = fork()) == 0) {
		execl(daemon, daemon, "-c", cfgpath, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && http("GET", "/apis/v1/ping", NULL, NULL) != 200; i++)
		usleep(50 * 1000);
	sleep(1);
	idle = rss_kb(pid);
	printf("controller RSS idle: VmRSS %ld KiB, RssAnon %ld KiB\n", idle,
	       rss_kb_of(pid, "RssAnon:"));

	drove_ctx_new(&ctx);
	drove_loop_new(&loop, ctx);
	for (int i = 0; i < N_EXEC; i++) {
		fx[i] = fake_new(loop, 300, 300 * 1024, snap_ms);
		fake_add_controller(fx[i], port);
	}
	pthread_create(&thr, NULL, loop_main, NULL);
	for (int i = 0; i < 100; i++) {
		char *c = NULL;
		int n = 0;
		http("GET", "/apis/v1/cluster", NULL, &c);
		n = c && strstr(c, "\"numExecutors\":10,");
		free(c);
		if (n)
			break;
		usleep(100 * 1000);
	}
	if (!(spec = read_source("tests/data/model/application.json", &len))) {
		fprintf(stderr, "bench_ctrl_reads: cannot read the sample spec\n");
		kill(pid, SIGTERM);
		return 1;
	}
	t0 = (long)drove_time_mono_ms();
	for (int a = 0; a < N_APPS; a++) {
		char name[32], *s2;
		snprintf(name, sizeof(name), "\"BENCH_APP_%04d\"", a);
		s2 = drove__asprintf("%s", spec);
		memcpy(strstr(s2, "\"DROVE_TEST_APP\""), name, strlen(name)); /* same length */
		b = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s,\"instances\":%d,\"opSpec\":"
		                    "{\"timeout\":\"1m\",\"parallelism\":32,\"failureStrategy\":"
		                    "\"STOP\"}}",
		                    s2, PER_APP);
		if (http("POST", "/apis/v1/applications/operations", b, NULL) != 200)
			fprintf(stderr, "create %d failed\n", a);
		free(b);
		free(s2);
	}
	free(spec);
	for (int i = 0; i < 1200; i++) {
		if (healthy_total() == N_APPS * PER_APP) {
			ok = 1;
			break;
		}
		usleep(100 * 1000);
	}
	printf("controller: %d apps, %ld instances HEALTHY (%s) in %ld ms\n", N_APPS,
	       healthy_total(), ok ? "all" : "NOT ALL", (long)drove_time_mono_ms() - t0);
	sleep(2);
	loaded = rss_kb(pid);
	printf("controller RSS loaded: VmRSS %ld KiB, RssAnon %ld KiB\n", loaded,
	       rss_kb_of(pid, "RssAnon:"));
	printf("executor snapshots every %d ms (10 executors x 300 instances)\n", snap_ms);
	printf("controller RSS: idle %ld KiB, with %d instances %ld KiB\n", idle, N_APPS * PER_APP,
	       loaded);
	if (getenv("BENCH_CTRL_HOLD")) { /* for profiling: the loaded controller stays up */
		printf("holding: port %d pid %d\n", port, (int)pid);
		fflush(stdout);
		sleep((unsigned)atoi(getenv("BENCH_CTRL_HOLD")));
	}
	{
		struct wrk_result r[6];
		pthread_t sthr;
		long scrape_ms =
		        getenv("BENCH_CTRL_SCRAPE_MS") ? atol(getenv("BENCH_CTRL_SCRAPE_MS")) : 0;
		if (scrape_ms > 0) {
			scraping = 1;
			pthread_create(&sthr, NULL, scrape_main, (void *)(intptr_t)scrape_ms);
		}
		r[0] = run_wrk("ping", "/apis/v1/ping", secs);
		r[1] = run_wrk("one app", "/apis/v1/applications/BENCH_APP_0042-1", secs);
		r[2] = run_wrk("instances of one app (30)",
		               "/apis/v1/applications/BENCH_APP_0042-1/instances", secs);
		r[3] = run_wrk("cluster summary", "/apis/v1/cluster", secs);
		r[4] = run_wrk("endpoints, one app", "/apis/v1/endpoints?app=BENCH_APP_0042", secs);
		r[5] = run_wrk("all apps (100)", "/apis/v1/applications", secs);
		printf("ctrl: snapshot_ms=%d idle_rss_kib=%ld loaded_rss_kib=%ld ping_rps=%.0f "
		       "ping_p99_ms=%.2f app_rps=%.0f app_p99_ms=%.2f instances_rps=%.0f "
		       "instances_p99_ms=%.2f cluster_rps=%.0f cluster_p99_ms=%.2f "
		       "endpoints_rps=%.0f endpoints_p99_ms=%.2f apps_rps=%.0f apps_p99_ms=%.2f\n",
		       snap_ms, idle, loaded, r[0].rps, r[0].p99_ms, r[1].rps, r[1].p99_ms,
		       r[2].rps, r[2].p99_ms, r[3].rps, r[3].p99_ms, r[4].rps, r[4].p99_ms,
		       r[5].rps, r[5].p99_ms);
		if (scrape_ms > 0) {
			scraping = 0;
			pthread_join(sthr, NULL);
			printf("scrapes of /metrics every %ld ms: %ld, last %ld bytes, slowest "
			       "%.2f ms\n",
			       scrape_ms, scrapes, scrape_bytes, (double)scrape_us_max / 1000.0);
		}
	}

	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	printf("controller exit: %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	drove_loop_stop(loop);
	pthread_join(thr, NULL);
	for (int i = 0; i < N_EXEC; i++)
		fake_free(fx[i]);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	snprintf(cfgpath, sizeof(cfgpath), "rm -rf '%s'", dir);
	if (system(cfgpath) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return ok ? 0 : 1;
}
