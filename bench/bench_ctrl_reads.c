/* Controller API reads under wrk with 100 apps and 3,000 instances on simulated executors, and
 * the controller's RSS idle and loaded (docs/benchmarks.md, "Controller").
 *
 *   bench_ctrl_reads [seconds-per-endpoint] [path-to-drove-controller]
 *
 * The real daemon runs as a child process on the embedded store; ten simulated executors
 * (tests/integration/test_ctrl_fake.h, 300 cores each) run in this process. wrk (Debian's
 * package) drives GET requests with one thread and 16 connections. BENCH_CTRL_SCRAPE_MS=1000
 * scrapes the admin port's /metrics every second meanwhile. BENCH_CTRL_SCRAPE_AB=10 runs
 * instead, on the same loaded controller, 10 rounds of (per endpoint) a wrk run without and
 * one with a scrape every BENCH_CTRL_SCRAPE_MS (default 1000), BENCH_CTRL_AB_SECS (default 2)
 * seconds each, in alternating order, and prints per endpoint the p99, req/s and controller
 * CPU per request of both settings with their spread, after the time of a lone scrape and the
 * controller's CPU time per scrape (docs/benchmarks.md, issue 16). */
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
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

/* Prometheus-like scrapes of the admin port's /metrics (issue 16: what scraping costs the
 * API): one kept-alive connection, the whole body read, one scrape per `scrape_ms` while
 * `scrape_on` is set, the first half a period after it is set. `scrape_mu` is held during a
 * scrape, so that taking it after clearing `scrape_on` waits for the last one to end. */
#define SCRAPES_MAX 32768
static volatile int scrape_on, scrape_quit, scrape_gen; /* gen: +1 per scrape_stop() */
static long scrape_ms = 1000;
static pthread_mutex_t scrape_mu = PTHREAD_MUTEX_INITIALIZER;
static long scrapes, scrape_bytes, scrape_fail;
static int64_t scrape_ttfb_us[SCRAPES_MAX], scrape_total_us[SCRAPES_MAX];

static size_t count_bytes(char *p, size_t sz, size_t n, void *ud)
{
	(void)p;
	*(long *)ud += (long)(sz * n);
	return sz * n;
}

/* One scrape on `h`, recorded (time to the first byte and to the end) under scrape_mu. */
static void scrape_once(CURL *h)
{
	long bytes = 0, code = 0;
	curl_off_t ttfb = 0;
	int64_t t0 = drove_time_mono_us(), us;
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &bytes);
	if (curl_easy_perform(h) == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_getinfo(h, CURLINFO_STARTTRANSFER_TIME_T, &ttfb);
	}
	us = drove_time_mono_us() - t0;
	if (code != 200) {
		scrape_fail++;
		return;
	}
	if (scrapes < SCRAPES_MAX) {
		scrape_ttfb_us[scrapes] = (int64_t)ttfb;
		scrape_total_us[scrapes] = us;
	}
	scrapes++;
	scrape_bytes = bytes;
}

static void *scrape_main(void *ud)
{
	char url[64];
	CURL *h = curl_easy_init();
	int64_t next = 0;
	int gen = scrape_gen;
	(void)ud;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", aport);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, count_bytes);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	while (!scrape_quit) {
		int64_t now = drove_time_mono_us();
		if (!scrape_on || gen != scrape_gen) {
			gen = scrape_gen;
			next = 0;
			usleep(5 * 1000);
			continue;
		}
		if (!next)
			next = now + scrape_ms * 500;
		if (now < next) {
			usleep((useconds_t)(next - now < 5000 ? next - now : 5000));
			continue;
		}
		pthread_mutex_lock(&scrape_mu);
		if (scrape_on)
			scrape_once(h);
		pthread_mutex_unlock(&scrape_mu);
		next += scrape_ms * 1000;
	}
	curl_easy_cleanup(h);
	return NULL;
}

/* Scrapes stop; returns once the one under way, if any, has ended. */
static void scrape_stop(void)
{
	scrape_on = 0;
	scrape_gen++;
	pthread_mutex_lock(&scrape_mu);
	pthread_mutex_unlock(&scrape_mu);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median of v[0..n) (sorted in place). */
static double median(double *v, int n)
{
	if (n <= 0)
		return -1;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Scrape times [from, scrapes) in ms: median and max of the time to the first byte (the
 * controller's loop renders before it sends) and of the whole scrape. */
static void scrape_report(const char *label, long from)
{
	long n = (scrapes < SCRAPES_MAX ? scrapes : SCRAPES_MAX) - from;
	double *t = calloc((size_t)(n > 0 ? n : 1), sizeof(double)),
	       *u = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
	for (long i = 0; t && u && i < n; i++) {
		t[i] = (double)scrape_ttfb_us[from + i] / 1000.0;
		u[i] = (double)scrape_total_us[from + i] / 1000.0;
	}
	if (t && u && n > 0) {
		double mt = median(t, (int)n), mu = median(u, (int)n); /* sorts: then the max */
		printf("%s: %ld scrapes of %ld bytes (%ld failed): first byte median %.2f max %.2f "
		       "ms, whole scrape median %.2f max %.2f ms\n",
		       label, n, scrape_bytes, scrape_fail, mt, t[n - 1], mu, u[n - 1]);
	}
	free(t);
	free(u);
}

/* CPU time of the controller (`ctrl_pid`, every thread) in ns, from schedstat. */
static pid_t ctrl_pid;

static int64_t ctrl_cpu_ns(void)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	int64_t ns = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)ctrl_pid);
	if (!(d = opendir(path)))
		return -1;
	while ((e = readdir(d))) {
		char p2[400];
		long long v;
		FILE *f;
		if (e->d_name[0] == '.')
			continue;
		snprintf(p2, sizeof(p2), "%s/%s/schedstat", path, e->d_name);
		if ((f = fopen(p2, "re"))) {
			if (fscanf(f, "%lld", &v) == 1)
				ns += v;
			fclose(f);
		}
	}
	closedir(d);
	return ns;
}

/* wrk as run_wrk (bench_ctrl_common.h) without its output: req/s, p99 and the controller's
 * CPU time per request in us. */
struct ab_result {
	double rps, p99_ms, cpu_us;
};

static struct ab_result wrk_quiet(const char *path, int secs)
{
	char cmd[512], line[512];
	struct ab_result r = {-1, -1, -1};
	long requests = 0;
	int64_t cpu0 = ctrl_cpu_ns();
	FILE *f;
	snprintf(cmd, sizeof(cmd), "wrk -t1 -c16 -d%ds --latency http://127.0.0.1:%d%s 2>&1", secs,
	         port, path);
	if (!(f = popen(cmd, "r")))
		return r;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "99%"))
			r.p99_ms = parse_ms(line);
		if (strstr(line, "Requests/sec:"))
			r.rps = strtod(strstr(line, ":") + 1, NULL);
		if (strstr(line, " requests in "))
			requests = strtol(line, NULL, 10);
	}
	pclose(f);
	if (requests > 0 && cpu0 >= 0)
		r.cpu_us = (double)(ctrl_cpu_ns() - cpu0) / 1000.0 / (double)requests;
	return r;
}

static const struct {
	const char *label, *path;
} reads[] = {
        {"ping", "/apis/v1/ping"},
        {"one app", "/apis/v1/applications/BENCH_APP_0042-1"},
        {"instances of one app (30)", "/apis/v1/applications/BENCH_APP_0042-1/instances"},
        {"cluster summary", "/apis/v1/cluster"},
        {"endpoints, one app", "/apis/v1/endpoints?app=BENCH_APP_0042"},
        {"all apps (100)", "/apis/v1/applications"},
};
#define N_READS ((int)(sizeof(reads) / sizeof(reads[0])))

/* BENCH_CTRL_SCRAPE_AB=rounds: on this one loaded controller, per round and endpoint a pair
 * of `secs`-second wrk runs without and with the scrape every scrape_ms, in alternating
 * order; per endpoint the medians of the rounds' p99 and req/s, the p99 range (min-max) of
 * each setting, and the median of the pairs' p99 ratios (on/off). */
static void scrape_ab(int rounds, int secs)
{
	double(*p99)[2] = calloc((size_t)(N_READS * rounds), sizeof(*p99));
	double(*rps)[2] = calloc((size_t)(N_READS * rounds), sizeof(*rps));
	double(*cpu)[2] = calloc((size_t)(N_READS * rounds), sizeof(*cpu));
	double *v = calloc((size_t)rounds, sizeof(double));
	long from;
	if (!p99 || !rps || !cpu || !v)
		goto out;
	from = scrapes;
	for (int i = 0; i < 20; i++) { /* a scrape alone: how long it holds the loop */
		scrape_on = 1;
		usleep((useconds_t)scrape_ms * 500 + 100 * 1000);
		scrape_stop();
	}
	scrape_report("scrape of the loaded controller, no other load", from);
	{ /* the controller's CPU time per scrape: 3 s idle, then 3 s of scrapes back to back */
		CURL *h = curl_easy_init();
		char url[64];
		int64_t c0 = ctrl_cpu_ns(), t0 = drove_time_mono_us(), idle, busy, el;
		usleep(3000 * 1000);
		idle = (ctrl_cpu_ns() - c0) * 1000000 / (drove_time_mono_us() - t0);
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", aport);
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, count_bytes);
		from = scrapes;
		c0 = ctrl_cpu_ns();
		t0 = drove_time_mono_us();
		while (drove_time_mono_us() - t0 < 3000000)
			scrape_once(h);
		el = drove_time_mono_us() - t0;
		busy = ctrl_cpu_ns() - c0 - idle * el / 1000000;
		curl_easy_cleanup(h);
		if (scrapes > from)
			printf("controller CPU per scrape (back to back, less its idle %.1f ms/s): "
			       "%.3f ms\n",
			       (double)idle / 1e6, (double)busy / 1e6 / (double)(scrapes - from));
		scrape_report("scrapes back to back", from);
	}
	from = scrapes;
	for (int r = 0; r < rounds; r++)
		for (int e = 0; e < N_READS; e++)
			for (int k = 0; k < 2; k++) {
				int on = (r + e) % 2 ? !k : k; /* off/on, then on/off */
				struct ab_result w;
				scrape_on = on;
				w = wrk_quiet(reads[e].path, secs);
				scrape_stop();
				p99[e * rounds + r][on] = w.p99_ms;
				rps[e * rounds + r][on] = w.rps;
				cpu[e * rounds + r][on] = w.cpu_us;
			}
	printf("scrape A/B: %d rounds x %d s per setting, scrape every %ld ms\n", rounds, secs,
	       scrape_ms);
	printf("%-26s %9s %9s %6s %6s %7s %7s %15s %15s %13s\n", "GET", "p99 off", "p99 on",
	       "on/off", "pairs", "rps off", "rps on", "p99 off range", "p99 on range",
	       "cpu us/req");
	for (int e = 0; e < N_READS; e++) {
		double m[2], q[2], lo[2], hi[2], u[2], ratio;
		for (int on = 0; on < 2; on++) {
			for (int r = 0; r < rounds; r++)
				v[r] = p99[e * rounds + r][on];
			m[on] = median(v, rounds);
			lo[on] = v[0];
			hi[on] = v[rounds - 1];
			for (int r = 0; r < rounds; r++)
				v[r] = rps[e * rounds + r][on];
			q[on] = median(v, rounds);
			for (int r = 0; r < rounds; r++)
				v[r] = cpu[e * rounds + r][on];
			u[on] = median(v, rounds);
		}
		for (int r = 0; r < rounds; r++)
			v[r] = p99[e * rounds + r][1] / p99[e * rounds + r][0];
		ratio = median(v, rounds);
		printf("%-26s %7.2fms %7.2fms %6.3f %6.3f %7.0f %7.0f %6.2f-%6.2fms %6.2f-%6.2fms "
		       "%6.1f/%6.1f\n",
		       reads[e].label, m[0], m[1], m[1] / m[0], ratio, q[0], q[1], lo[0], hi[0],
		       lo[1], hi[1], u[0], u[1]);
	}
	printf("(medians over the rounds; on/off: ratio of the p99 medians; pairs: median of the "
	       "rounds' p99 ratios; cpu: the controller's CPU time per request, off/on)\n");
	scrape_report("scrapes during the A/B", from);
out:
	free(p99);
	free(rps);
	free(cpu);
	free(v);
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

	setvbuf(stdout, NULL, _IOLBF, 0);
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
	port = bench_free_port();
	aport = bench_free_port();
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
	if ((ctrl_pid = pid = fork()) == 0) {
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
		struct wrk_result r[N_READS];
		pthread_t sthr;
		int ab = getenv("BENCH_CTRL_SCRAPE_AB") ? atoi(getenv("BENCH_CTRL_SCRAPE_AB")) : 0;
		int scrape_loop = getenv("BENCH_CTRL_SCRAPE_MS") != NULL;
		if (scrape_loop)
			scrape_ms = atol(getenv("BENCH_CTRL_SCRAPE_MS"));
		if (scrape_ms <= 0)
			scrape_ms = 1000;
		pthread_create(&sthr, NULL, scrape_main, NULL);
		if (ab > 0) {
			scrape_ab(ab, getenv("BENCH_CTRL_AB_SECS")
			                      ? atoi(getenv("BENCH_CTRL_AB_SECS"))
			                      : 2);
		} else {
			scrape_on = scrape_loop;
			for (int e = 0; e < N_READS; e++)
				r[e] = run_wrk(reads[e].label, reads[e].path, secs);
			scrape_stop();
			printf("ctrl: snapshot_ms=%d idle_rss_kib=%ld loaded_rss_kib=%ld "
			       "ping_rps=%.0f ping_p99_ms=%.2f app_rps=%.0f app_p99_ms=%.2f "
			       "instances_rps=%.0f instances_p99_ms=%.2f cluster_rps=%.0f "
			       "cluster_p99_ms=%.2f endpoints_rps=%.0f endpoints_p99_ms=%.2f "
			       "apps_rps=%.0f apps_p99_ms=%.2f\n",
			       snap_ms, idle, loaded, r[0].rps, r[0].p99_ms, r[1].rps, r[1].p99_ms,
			       r[2].rps, r[2].p99_ms, r[3].rps, r[3].p99_ms, r[4].rps, r[4].p99_ms,
			       r[5].rps, r[5].p99_ms);
			if (scrape_loop)
				scrape_report("scrapes of /metrics meanwhile", 0);
		}
		scrape_quit = 1;
		pthread_join(sthr, NULL);
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
