/* The controller at scale (issue 21, docs/benchmarks.md "Controller at scale"): the real
 * drove-controller (a child process) with simulated executors (tests/integration/
 * test_ctrl_fake.h, 2 NUMA nodes x 32 cores each, all in this process on one loop thread,
 * snapshots spread evenly over the interval), apps of N instances created through the API.
 *
 *   bench_ctrl_scale [path-to-drove-controller]
 *
 * Sizes and knobs (environment):
 *   BENCH_SCALE_EXECUTORS  simulated executors (1000)
 *   BENCH_SCALE_APPS       applications (1000)       BENCH_SCALE_PER_APP  instances each (30)
 *   BENCH_SCALE_SNAPSHOT_MS  executor snapshot interval (20000: Drove's; 2000 is 10x)
 *   BENCH_SCALE_STORE      local (embedded store, default) or zk (needs DROVE_TEST_ZK;
 *                          then a second controller stands by for the takeover)
 *   BENCH_SCALE_ZK_SESSION_S  ZooKeeper session timeout of the controllers (3)
 *   BENCH_SCALE_RECONCILE_MS  the leader's reconcileInterval (30000, Drove's)
 *   BENCH_SCALE_STEADY_S   the quiet window where CPU, snapshot apply, reconcile and loop
 *                          stalls are measured (max(10, 2 x snapshot interval))
 *   BENCH_SCALE_WRK_S      seconds of wrk per read endpoint (5)
 *   BENCH_SCALE_CTRL_OPTIONS  more entries of the controllers' `options:` map, e.g.
 *                          "executorProbeInterval: 10s" (docs/benchmarks.md says why)
 *
 * Phases: controllers up; executors registered; apps created (one CREATE each, parallelism
 * 32) until every instance is HEALTHY (deploy_all_s); a quiet window of snapshots only
 * (controller CPU, snapshot_apply_p99_us = p99 of the server time of POST /apis/v1/messages
 * from the controller's own histogram, interpolated in its buckets; reconcile_p99_ms likewise;
 * loop_stall_ms = the slowest of a GET /apis/v1/ping every 2 ms, an upper bound of the
 * longest loop stall; the steady line also counts the pings over 5, 20 and 100 ms); wrk on each
 * read endpoint while snapshots flow (api_p99_ms: the worst endpoint's p99, api_rps: the slowest
 * endpoint's rate); RSS; then the leader is SIGKILLed and takeover_s runs until the standby (zk) or
 * a restarted controller on the same data (local) shows every instance HEALTHY again. The last line
 * is the issue's. */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drove/ctx.h>
#include <drove/loop.h>

#include "../tests/integration/test_ctrl_fake.h"
#include "bench_ctrl_common.h"

#define MAX_BUCKETS 32

static drove_loop *loop;
static int n_exec, n_apps, per_app, snap_ms;

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);
	return v && *v ? atoi(v) : def;
}

static void *loop_main(void *ud)
{
	(void)ud;
	drove_loop_run(loop);
	return NULL;
}

/* utime + stime of a process in seconds */
static double cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "re")))
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p || !(p = strrchr(buf, ')')))
		return -1;
	/* after ") ": state(3) ... utime(14) stime(15) */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* ---- the controller's Prometheus histograms (admin port) ---- */

struct hist {
	double le[MAX_BUCKETS], cnt[MAX_BUCKETS];
	int n;
};

static char *scrape(int aport)
{
	char *b = NULL;
	int saved = port;
	port = aport;
	if (http("GET", "/metrics", NULL, &b) != 200) {
		free(b);
		b = NULL;
	}
	port = saved;
	return b;
}

/* The buckets of `name` whose line also holds `filter` (NULL: any). */
static void hist_read(const char *text, const char *name, const char *filter, struct hist *h)
{
	char key[128];
	const char *p = text;
	h->n = 0;
	snprintf(key, sizeof(key), "%s_bucket{", name);
	while (p && (p = strstr(p, key)) && h->n < MAX_BUCKETS) {
		const char *eol = strchr(p, '\n'), *le = strstr(p, "le=\""), *sp;
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)(len < 511 ? len : 511), p);
		if ((!filter || strstr(line, filter)) && le && le < p + len &&
		    (sp = strrchr(line, ' '))) {
			h->le[h->n] = strncmp(le + 4, "+Inf", 4) ? strtod(le + 4, NULL) : 1e30;
			h->cnt[h->n] = strtod(sp + 1, NULL);
			h->n++;
		}
		p += len;
	}
}

/* p-quantile of (b - a) in seconds, linear inside the bucket; -1 when empty. */
static double hist_quantile(const struct hist *a, const struct hist *b, double q, double *count)
{
	double total, prev_le = 0, prev_c = 0;
	if (b->n == 0)
		return -1;
	total = b->cnt[b->n - 1] - (a->n ? a->cnt[a->n - 1] : 0);
	*count = total;
	if (total <= 0)
		return -1;
	for (int i = 0; i < b->n; i++) {
		double c = b->cnt[i] - (a->n == b->n ? a->cnt[i] : 0);
		if (c >= q * total) {
			if (b->le[i] > 1e29)
				return prev_le; /* beyond the last bound: report that bound */
			return prev_le + (b->le[i] - prev_le) * (q * total - prev_c) /
			                         (c - prev_c > 0 ? c - prev_c : 1);
		}
		prev_le = b->le[i];
		prev_c = c;
	}
	return prev_le;
}

/* ---- loop stall probe: GET /apis/v1/ping every 2 ms on a kept-alive connection ---- */

static volatile int probing;
static double probe_max_ms;
static long probes;
/* pings slower than 5, 20 and 100 ms: the single slowest is mostly this machine's noise */
static const double probe_over_ms[3] = {5, 20, 100};
static long probes_over[3];

static size_t discard(char *p, size_t sz, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return sz * n;
}

static void *probe_main(void *ud)
{
	char url[64];
	CURL *h = curl_easy_init();
	(void)ud;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/apis/v1/ping", port);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	while (probing) {
		int64_t t0 = drove_time_mono_us();
		double ms;
		if (curl_easy_perform(h) == CURLE_OK) {
			ms = (double)(drove_time_mono_us() - t0) / 1000.0;
			probes++;
			if (ms > probe_max_ms)
				probe_max_ms = ms;
			for (int i = 0; i < 3; i++)
				probes_over[i] += ms > probe_over_ms[i];
		}
		usleep(2000);
	}
	curl_easy_cleanup(h);
	return NULL;
}

/* ---- executors: the snapshot timers spread evenly over the interval ---- */

static void restagger(void *ud)
{
	struct fake_exec *f = ud;
	struct timeval tv = {f->snap_ms / 1000, (f->snap_ms % 1000) * 1000};
	event_add(f->snap_timer, &tv); /* re-adding resets the period's phase */
}

struct ctl {
	pid_t pid;
	int port, aport;
	char cfg[1300], log[1300];
};

static void ctl_write(struct ctl *c, const char *dir, const char *name, const char *store)
{
	const char *opts = getenv("BENCH_SCALE_CTRL_OPTIONS"); /* more `options:` entries */
	FILE *f;
	snprintf(c->cfg, sizeof(c->cfg), "%s/%s.yml", dir, name);
	snprintf(c->log, sizeof(c->log), "%s/%s.log", dir, name);
	f = fopen(c->cfg, "we");
	fprintf(f,
	        "server: { applicationConnectors: [{type: http, port: %d}],"
	        " adminConnectors: [{type: http, port: %d}] }\n"
	        "logging: { level: %s }\n%s\n"
	        "clusterAuth: { secrets: [ {nodeType: CONTROLLER, secret: ctrl-secret}, "
	        "{nodeType: EXECUTOR, secret: exec-secret} ] }\n"
	        "options: { reconcileInterval: %dms, maintenanceWindowTail: 0s, "
	        "clusterOpParallelism: 32%s%s }\n",
	        c->port, c->aport, getenv("BENCH_CTRL_LOG") ? getenv("BENCH_CTRL_LOG") : "WARN",
	        store, env_int("BENCH_SCALE_RECONCILE_MS", 30000), opts ? ", " : "",
	        opts ? opts : "");
	fclose(f);
}

static void ctl_spawn(struct ctl *c, const char *daemon)
{
	if ((c->pid = fork()) == 0) {
		FILE *f = fopen(c->log, "ae");
		if (f) {
			dup2(fileno(f), 1);
			dup2(fileno(f), 2);
		}
		execl(daemon, daemon, "-c", c->cfg, (char *)NULL);
		_exit(127);
	}
}

static int ctl_wait_up(struct ctl *c)
{
	int saved = port, ok = 0;
	port = c->port;
	for (int i = 0; i < 300 && !ok; i++) {
		ok = http("GET", "/apis/v1/ping", NULL, NULL) > 0; /* a standby answers too */
		if (!ok)
			usleep(50 * 1000);
	}
	port = saved;
	return ok;
}

/* Until every instance is HEALTHY on `c` (polled once a second); seconds or -1. */
static double wait_all_healthy(struct ctl *c, int64_t t0_ms, int timeout_s, long want)
{
	port = c->port;
	while (drove_time_mono_ms() - t0_ms < (int64_t)timeout_s * 1000) {
		long h = healthy_total();
		if (h == want)
			return (double)(drove_time_mono_ms() - t0_ms) / 1000.0;
		usleep(h < 0 ? 50 * 1000 : (want > 3000 ? 500 : 100) * 1000);
	}
	return -1;
}

static void ctl_stop(struct ctl *c)
{
	int status;
	if (c->pid > 0) {
		kill(c->pid, SIGTERM);
		waitpid(c->pid, &status, 0);
		c->pid = 0;
	}
}

int main(int argc, char **argv)
{
	char daemon[1024], dir[] = "/tmp/drove-bench-scale-XXXXXX", store[512], cmd[1200];
	const char *store_kind =
	        getenv("BENCH_SCALE_STORE") ? getenv("BENCH_SCALE_STORE") : "local";
	const char *zk = getenv("DROVE_TEST_ZK");
	int zk_mode = !strcmp(store_kind, "zk"), wrk_s = env_int("BENCH_SCALE_WRK_S", 5);
	int steady_s, ok = 0;
	struct ctl a = {0}, b = {0};
	struct fake_exec **fx;
	drove_ctx *ctx = NULL;
	pthread_t thr, pthr;
	struct rlimit rl;
	long want, rss_kib = -1;
	double deploy_s = -1, takeover_s = -1, snap_p99_us = -1, snap_p50_us = -1, rec_p99_ms = -1;
	double api_p99 = 0, api_rps = 1e30, c0, s0, c1, s1, n_snap = 0, n_rec = 0;
	int64_t t0;
	size_t len;
	char *spec, *m0, *m1;

	setvbuf(stdout, NULL, _IOLBF, 0); /* progress lines reach a log at once */
	n_exec = env_int("BENCH_SCALE_EXECUTORS", 1000);
	n_apps = env_int("BENCH_SCALE_APPS", 1000);
	per_app = env_int("BENCH_SCALE_PER_APP", 30);
	snap_ms = env_int("BENCH_SCALE_SNAPSHOT_MS", 20000);
	steady_s =
	        env_int("BENCH_SCALE_STEADY_S", snap_ms * 2 / 1000 > 10 ? snap_ms * 2 / 1000 : 10);
	want = (long)n_apps * per_app;
	if (argc > 1) {
		snprintf(daemon, sizeof(daemon), "%s", argv[1]);
	} else {
		ssize_t n = readlink("/proc/self/exe", daemon, sizeof(daemon) - 64);
		if (n < 0)
			return 1;
		daemon[n] = '\0';
		*strrchr(daemon, '/') = '\0';
		strncat(daemon, "/../daemons/drove-controller/drove-controller",
		        sizeof(daemon) - strlen(daemon) - 1);
	}
	if (access(daemon, X_OK) != 0 || system("command -v wrk >/dev/null") != 0 ||
	    (zk_mode && !zk) || n_exec < 1 || n_exec * 64 < want) {
		fprintf(stderr,
		        "bench_ctrl_scale: needs %s, wrk, DROVE_TEST_ZK with "
		        "BENCH_SCALE_STORE=zk, and 64 cores per instance-slot\n",
		        daemon);
		return 77;
	}
	/* every executor holds a listening socket and connections both ways */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (!mkdtemp(dir) || !(spec = read_source("tests/data/model/application.json", &len)))
		return 1;
	if (zk_mode)
		snprintf(store, sizeof(store),
		         "zookeeper: { connectionString: \"%s\", nameSpace: scale%d,"
		         " sessionTimeout: %ds }",
		         zk, (int)getpid(), env_int("BENCH_SCALE_ZK_SESSION_S", 3));
	else
		snprintf(store, sizeof(store), "store: { type: local, dataDir: %s/data }", dir);
	a.port = bench_free_port();
	a.aport = bench_free_port();
	ctl_write(&a, dir, "ctrl-a", store);
	ctl_spawn(&a, daemon);
	if (!ctl_wait_up(&a))
		goto out;
	if (zk_mode) {
		sleep(2); /* a leads */
		b.port = bench_free_port();
		b.aport = bench_free_port();
		ctl_write(&b, dir, "ctrl-b", store);
		ctl_spawn(&b, daemon);
		if (!ctl_wait_up(&b))
			goto out;
	}
	port = a.port;
	printf("scale: store=%s executors=%d apps=%d x %d snapshot_ms=%d controller pid %d\n",
	       zk_mode ? "zookeeper" : "local", n_exec, n_apps, per_app, snap_ms, (int)a.pid);
	printf("controller idle: RSS %ld KiB\n", rss_kb(a.pid));

	drove_ctx_new(&ctx);
	drove_loop_new(&loop, ctx);
	fx = calloc((size_t)n_exec, sizeof(*fx));
	for (int i = 0; i < n_exec; i++) {
		fx[i] = fake_new(loop, 64, 256 * 1024, snap_ms);
		fx[i]->nodes = 2;
		fake_add_controller(fx[i], a.port);
		if (zk_mode)
			fake_add_controller(fx[i], b.port);
		drove_loop_after(loop, (int)((int64_t)snap_ms * i / n_exec), restagger, fx[i]);
	}
	pthread_create(&thr, NULL, loop_main, NULL);
	t0 = drove_time_mono_ms();
	for (int i = 0; i < 1200; i++) {
		char *c = NULL, wantc[48];
		int n;
		snprintf(wantc, sizeof(wantc), "\"numExecutors\":%d,", n_exec);
		http("GET", "/apis/v1/cluster", NULL, &c);
		n = c && strstr(c, wantc);
		free(c);
		if (n)
			break;
		usleep(100 * 1000);
	}
	printf("executors registered in %lld ms; controller RSS %ld KiB\n",
	       (long long)(drove_time_mono_ms() - t0), rss_kb(a.pid));

	/* ---- deploy every app through the API ---- */
	c0 = cpu_s(a.pid);
	s0 = cpu_s(getpid());
	t0 = drove_time_mono_ms();
	for (int i = 0; i < n_apps; i++) {
		char name[32], *s2, *body;
		snprintf(name, sizeof(name), "\"BENCH_APP_%04d\"", i % 10000);
		s2 = drove__asprintf("%s", spec);
		memcpy(strstr(s2, "\"DROVE_TEST_APP\""), name, strlen(name)); /* same length */
		body = drove__asprintf(
		        "{\"type\":\"CREATE\",\"spec\":%s,\"instances\":%d,\"opSpec\":"
		        "{\"timeout\":\"5m\",\"parallelism\":32,\"failureStrategy\":"
		        "\"STOP\"}}",
		        s2, per_app);
		if (http("POST", "/apis/v1/applications/operations", body, NULL) != 200)
			fprintf(stderr, "create %d failed\n", i);
		free(body);
		free(s2);
	}
	printf("deploy: %d CREATE calls answered in %lld ms\n", n_apps,
	       (long long)(drove_time_mono_ms() - t0));
	deploy_s = wait_all_healthy(&a, t0, env_int("BENCH_SCALE_DEPLOY_TIMEOUT_S", 1800), want);
	c1 = cpu_s(a.pid);
	s1 = cpu_s(getpid());
	printf("deploy: %ld instances HEALTHY in %.1f s; controller CPU %.1f s (%.0f%%), "
	       "simulated executors + bench CPU %.1f s (%.0f%%); controller RSS %ld KiB\n",
	       deploy_s < 0 ? healthy_total() : want, deploy_s, c1 - c0,
	       deploy_s > 0 ? 100 * (c1 - c0) / deploy_s : 0, s1 - s0,
	       deploy_s > 0 ? 100 * (s1 - s0) / deploy_s : 0, rss_kb(a.pid));
	if (deploy_s < 0)
		goto out;

	/* ---- quiet window: snapshots only ---- */
	sleep((unsigned)(snap_ms / 1000 + 1)); /* every executor snapshotted its full state */
	m0 = scrape(a.aport);
	c0 = cpu_s(a.pid);
	s0 = cpu_s(getpid());
	probing = 1;
	pthread_create(&pthr, NULL, probe_main, NULL);
	sleep((unsigned)steady_s);
	probing = 0;
	pthread_join(pthr, NULL);
	c1 = cpu_s(a.pid);
	s1 = cpu_s(getpid());
	m1 = scrape(a.aport);
	if (m0 && m1) {
		struct hist h0, h1;
		const char *f = "route=\"/apis/v1/messages\"";
		hist_read(m0, "drove_api_request_duration_seconds", f, &h0);
		hist_read(m1, "drove_api_request_duration_seconds", f, &h1);
		snap_p99_us = hist_quantile(&h0, &h1, 0.99, &n_snap);
		snap_p99_us = snap_p99_us < 0 ? -1 : snap_p99_us * 1e6;
		snap_p50_us = hist_quantile(&h0, &h1, 0.5, &n_snap);
		snap_p50_us = snap_p50_us < 0 ? -1 : snap_p50_us * 1e6;
		hist_read(m0, "drove_reconcile_duration_seconds", NULL, &h0);
		hist_read(m1, "drove_reconcile_duration_seconds", NULL, &h1);
		rec_p99_ms = hist_quantile(&h0, &h1, 0.99, &n_rec); /* -1: no pass */
		rec_p99_ms = rec_p99_ms < 0 ? -1 : rec_p99_ms * 1e3;
	}
	free(m0);
	free(m1);
	rss_kib = rss_kb(a.pid);
	printf("steady %d s: controller CPU %.2f s (%.1f%% of a core), bench CPU %.1f%%; "
	       "%.0f messages (p50 %.0f us, p99 %.0f us); %.0f reconciles (p99 %.2f ms); "
	       "%ld pings, slowest %.2f ms (%ld over 5 ms, %ld over 20 ms, %ld over 100 ms); "
	       "RSS %ld KiB (RssAnon %ld KiB)\n",
	       steady_s, c1 - c0, 100 * (c1 - c0) / steady_s, 100 * (s1 - s0) / steady_s, n_snap,
	       snap_p50_us, snap_p99_us, n_rec, rec_p99_ms, probes, probe_max_ms, probes_over[0],
	       probes_over[1], probes_over[2], rss_kib, rss_kb_of(a.pid, "RssAnon:"));

	/* ---- reads under wrk while snapshots flow ---- */
	{
		char app[80], insts[96], eps[80];
		struct {
			const char *label, *path;
		} ep[] = {{"ping", "/apis/v1/ping"},
		          {"one app", app},
		          {"instances of one app", insts},
		          {"cluster summary", "/apis/v1/cluster"},
		          {"endpoints, one app", eps},
		          {"executors (all)", "/apis/v1/cluster/executors"},
		          {"applications (all)", "/apis/v1/applications"}};
		const char *worst = "";
		int one = n_apps > 42 ? 42 : n_apps - 1;
		snprintf(app, sizeof(app), "/apis/v1/applications/BENCH_APP_%04d-1", one);
		snprintf(insts, sizeof(insts), "%s/instances", app);
		snprintf(eps, sizeof(eps), "/apis/v1/endpoints?app=BENCH_APP_%04d", one);
		c0 = cpu_s(a.pid);
		for (size_t i = 0; i < DROVE_ARRAY_LEN(ep); i++) {
			char *body = NULL;
			double e0, e1;
			struct wrk_result r;
			http("GET", ep[i].path, NULL, &body);
			e0 = cpu_s(a.pid);
			r = run_wrk(ep[i].label, ep[i].path, wrk_s);
			e1 = cpu_s(a.pid);
			/* the controller's CPU per answer: robust to a loaded machine's scheduling
			 * (snapshots applied meanwhile included) */
			printf("   body %zu bytes; controller CPU %.2f s, %.1f us per request\n",
			       body ? strlen(body) : 0, e1 - e0,
			       r.rps > 0 ? (e1 - e0) * 1e6 / (r.rps * wrk_s) : -1);
			free(body);
			if (i == 0)
				continue; /* ping is not a read of the state */
			if (r.p99_ms > api_p99) {
				api_p99 = r.p99_ms;
				worst = ep[i].label;
			}
			if (r.rps >= 0 && r.rps < api_rps)
				api_rps = r.rps;
		}
		printf("reads: worst p99 %.2f ms (%s), slowest %.0f req/s; controller CPU %.1f s; "
		       "RSS %ld KiB\n",
		       api_p99, worst, api_rps, cpu_s(a.pid) - c0, rss_kb(a.pid));
		if (rss_kb(a.pid) > rss_kib)
			rss_kib = rss_kb(a.pid);
	}

	/* ---- takeover ---- */
	{
		int status;
		kill(a.pid, SIGKILL);
		waitpid(a.pid, &status, 0);
		t0 = drove_time_mono_ms();
		a.pid = 0;
		if (!zk_mode) {
			ctl_spawn(&a, daemon); /* same port, same data */
			b = a;
			a.pid = 0;
		}
		takeover_s = wait_all_healthy(&b, t0, 300, want);
		printf("takeover: %s shows %ld instances HEALTHY %.2f s after the leader's "
		       "SIGKILL; RSS %ld KiB\n",
		       zk_mode ? "the standby" : "a restarted controller", want, takeover_s,
		       rss_kb(b.pid));
	}
	ok = 1;
	printf("scale: executors=%d instances=%ld deploy_all_s=%.1f api_p99_ms=%.2f api_rps=%.0f "
	       "ctrl_rss_mib=%.0f reconcile_p99_ms=%.2f takeover_s=%.2f "
	       "snapshot_apply_p99_us=%.0f store=%s snapshot_ms=%d loop_stall_ms=%.1f\n",
	       n_exec, want, deploy_s, api_p99, api_rps, (double)rss_kib / 1024.0, rec_p99_ms,
	       takeover_s, snap_p99_us, zk_mode ? "zookeeper" : "local", snap_ms, probe_max_ms);
	drove_loop_stop(loop);
	pthread_join(thr, NULL);
	for (int i = 0; i < n_exec; i++)
		fake_free(fx[i]);
	free(fx);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
out:
	ctl_stop(&a);
	ctl_stop(&b);
	free(spec);
	if (!ok)
		fprintf(stderr, "bench_ctrl_scale: failed; logs in %s\n", dir);
	else if (!getenv("DROVE_KEEP_TEST_DIR")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
	}
	return ok ? 0 : 1;
}
