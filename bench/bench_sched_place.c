/* Scheduler benchmark (docs/benchmarks.md, "Scheduler").
 *
 * A simulated cluster of 1,000 executors x 2 NUMA nodes x 32 cores x 256 GiB (200 of them
 * tagged "ssd"). 100,000 placements of 1-8 cores and 1-16 GiB with mixed policies (55% any,
 * 15% one-per-host, 15% max-2-per-host, 15% tag match), with churn: once 10,000 instances
 * run, a random one is released before each placement (not timed). Per strategy: placements
 * per second, p50/p99 per placement, failures, and the cores stranded at the end (free cores
 * on nodes with fewer than 4 free). Then a full replan of 30,000 instances (1-2 cores,
 * 1-4 GiB, same policy mix) from an empty view, and the same churn run through a naive
 * linear-scan first-fit (shuffle every executor, scan) implemented here as the baseline.
 *
 * Usage: bench_sched_place [placements]   (default 100000)
 * The last line is: sched: placements_per_s=N p99_us=X replan_30k_s=Y   (default strategy)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <drove/drove.h>
#include <drove/sched.h>

#define NEXEC   1000
#define NNODE   2
#define NCORE   32
#define NODEMB  (128 * 1024) /* 256 GiB per executor */
#define NTAGGED 200
#define NAPPS   2000
#define LIVEMAX 10000

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rs;
static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

enum { P_ANY, P_ONE, P_MAX2, P_TAG };

static int app_policy(int app)
{
	int k = app % 20;
	return k <= 10 ? P_ANY : k <= 13 ? P_ONE : k <= 16 ? P_MAX2 : P_TAG;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void die(const char *what)
{
	fprintf(stderr, "bench_sched_place: %s: %s\n", what, drove_error_last()->message);
	exit(1);
}

static void build_cluster(drove_sched *s)
{
	int ids[NCORE];
	for (int e = 0; e < NEXEC; e++) {
		drove_sched_snapshot *snap;
		char id[32], host[32];
		snprintf(id, sizeof(id), "exec-%04d", e);
		snprintf(host, sizeof(host), "host-%04d", e);
		if (drove_sched_snapshot_new(&snap, id, host, 3000) < 0)
			die("snapshot");
		for (int n = 0; n < NNODE; n++) {
			for (int c = 0; c < NCORE; c++)
				ids[c] = n * NCORE + c;
			if (drove_sched_snapshot_set_free_cores(snap, n, ids, NCORE) < 0 ||
			    drove_sched_snapshot_set_memory(snap, n, NODEMB, 0) < 0 ||
			    drove_sched_snapshot_set_layout(snap, n, ids, NCORE, NODEMB) < 0)
				die("snapshot node");
		}
		if (e % (NEXEC / NTAGGED) == 0 && drove_sched_snapshot_add_tag(snap, "ssd") < 0)
			die("tag");
		if (drove_sched_executor_update(s, snap) < 0)
			die("update");
		drove_sched_snapshot_free(snap);
	}
}

struct live {
	drove_sched_alloc *a;
	int app;
};

struct result {
	double pps, p50, p99, secs;
	long fails, stranded;
};

static drove_sched_policy *policies[4];

static void make_policies(void)
{
	if (drove_sched_policy_any(&policies[P_ANY]) < 0 ||
	    drove_sched_policy_one_per_host(&policies[P_ONE]) < 0 ||
	    drove_sched_policy_max_per_host(&policies[P_MAX2], 2) < 0 ||
	    drove_sched_policy_match_tag(&policies[P_TAG], "ssd") < 0)
		die("policy");
}

static long stranded(drove_sched *s)
{
	long total = 0;
	for (int e = 0; e < NEXEC; e++) {
		char id[32];
		snprintf(id, sizeof(id), "exec-%04d", e);
		for (int n = 0; n < NNODE; n++) {
			int fc;
			if (drove_sched_executor_node_free(s, id, n, &fc, NULL) < 0)
				die("node_free");
			if (fc < 4)
				total += fc;
		}
	}
	return total;
}

static struct result run_library(int strategy, int n, double *lat)
{
	drove_ctx *ctx;
	drove_sched *s;
	drove_sched_session **sess = calloc(NAPPS, sizeof(*sess));
	struct live *live = calloc(LIVEMAX + 1, sizeof(*live));
	struct result r = {0};
	int nlive = 0;

	if (drove_ctx_new(&ctx) < 0 || drove_sched_new(&s, ctx) < 0)
		die("new");
	drove_ctx_set_seed(ctx, 1234);
	drove_sched_set_time(s, 1000);
	if (drove_sched_set_strategy(s, strategy) < 0)
		die("strategy");
	build_cluster(s);
	for (int a = 0; a < NAPPS; a++) {
		char id[32];
		snprintf(id, sizeof(id), "APP_%d-1", a);
		if (drove_sched_session_new(&sess[a], s, DROVE_KIND_APP, id) < 0)
			die("session");
	}
	rs = 0x9e3779b97f4a7c15ULL;
	double total = 0;
	for (int i = 0; i < n; i++) {
		if (nlive >= LIVEMAX) {
			int k = (int)(rnd() % (uint64_t)nlive);
			if (drove_sched_release(s, sess[live[k].app], live[k].a) < 0)
				die("release");
			drove_sched_alloc_free(live[k].a);
			live[k] = live[--nlive];
		}
		int app = (int)(rnd() % NAPPS);
		int cores = 1 + (int)(rnd() % 8);
		int64_t mb = 1024 * (1 + (int64_t)(rnd() % 16));
		drove_sched_alloc *a = NULL;
		double t0 = now_s();
		int rc = drove_sched_place(s, sess[app], policies[app_policy(app)], cores, mb, &a);
		double dt = now_s() - t0;
		lat[i] = dt;
		total += dt;
		if (rc == 0) {
			live[nlive].a = a;
			live[nlive].app = app;
			nlive++;
		} else if (rc == DROVE_ENORESOURCE) {
			r.fails++;
		} else {
			die("place");
		}
	}
	r.stranded = stranded(s);
	r.pps = n / total;
	qsort(lat, (size_t)n, sizeof(double), cmp_d);
	r.p50 = lat[n / 2] * 1e6;
	r.p99 = lat[(size_t)((double)n * 0.99)] * 1e6;
	for (int k = 0; k < nlive; k++)
		drove_sched_alloc_free(live[k].a);
	for (int a = 0; a < NAPPS; a++)
		drove_sched_session_free(sess[a]);
	free(sess);
	free(live);
	drove_sched_free(s);
	drove_ctx_free(ctx);
	return r;
}

static double replan(int strategy, long *fails)
{
	drove_ctx *ctx;
	drove_sched *s;
	drove_sched_session **sess = calloc(NAPPS, sizeof(*sess));
	drove_sched_alloc **all = calloc(30000, sizeof(*all));
	double t0, t;

	if (drove_ctx_new(&ctx) < 0 || drove_sched_new(&s, ctx) < 0)
		die("new");
	drove_ctx_set_seed(ctx, 99);
	drove_sched_set_time(s, 1000);
	if (drove_sched_set_strategy(s, strategy) < 0)
		die("strategy");
	build_cluster(s);
	rs = 0x1234567ULL;
	*fails = 0;
	t0 = now_s();
	for (int a = 0; a < NAPPS; a++) {
		char id[32];
		snprintf(id, sizeof(id), "APP_%d-1", a);
		if (drove_sched_session_new(&sess[a], s, DROVE_KIND_APP, id) < 0)
			die("session");
	}
	for (int i = 0; i < 30000; i++) {
		int app = i % NAPPS;
		int cores = 1 + (int)(rnd() % 2);
		int64_t mb = 1024 * (1 + (int64_t)(rnd() % 4));
		int rc = drove_sched_place(s, sess[app], policies[app_policy(app)], cores, mb,
		                           &all[i]);
		if (rc == DROVE_ENORESOURCE)
			(*fails)++;
		else if (rc < 0)
			die("replan place");
	}
	t = now_s() - t0;
	for (int i = 0; i < 30000; i++)
		drove_sched_alloc_free(all[i]);
	for (int a = 0; a < NAPPS; a++)
		drove_sched_session_free(sess[a]);
	free(sess);
	free(all);
	drove_sched_free(s);
	drove_ctx_free(ctx);
	return t;
}

/* ---- the naive baseline: shuffle all executors, scan linearly, first fit ---- */

struct nexec {
	int tagged;
	uint64_t freebits[NNODE];
	int nfree[NNODE];
	int64_t free_mb[NNODE];
};

struct nalloc {
	int exec, node, app;
	uint64_t bits;
	int64_t mb;
};

static struct result run_naive(int n, double *lat)
{
	struct nexec *ex = calloc(NEXEC, sizeof(*ex));
	unsigned char *counts = calloc((size_t)NAPPS * NEXEC, 1);
	struct nalloc *live = calloc(LIVEMAX + 1, sizeof(*live));
	int order[NEXEC], nlive = 0;
	uint64_t nr = 42;
	struct result r = {0};
	double total = 0;

	for (int e = 0; e < NEXEC; e++) {
		ex[e].tagged = e % (NEXEC / NTAGGED) == 0;
		for (int k = 0; k < NNODE; k++) {
			ex[e].freebits[k] = (1ULL << NCORE) - 1;
			ex[e].nfree[k] = NCORE;
			ex[e].free_mb[k] = NODEMB;
		}
		order[e] = e;
	}
	rs = 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < n; i++) {
		if (nlive >= LIVEMAX) {
			int k = (int)(rnd() % (uint64_t)nlive);
			struct nalloc *x = &live[k];
			ex[x->exec].freebits[x->node] |= x->bits;
			ex[x->exec].nfree[x->node] += __builtin_popcountll(x->bits);
			ex[x->exec].free_mb[x->node] += x->mb;
			counts[(size_t)x->app * NEXEC + (size_t)x->exec]--;
			live[k] = live[--nlive];
		}
		int app = (int)(rnd() % NAPPS);
		int cores = 1 + (int)(rnd() % 8);
		int64_t mb = 1024 * (1 + (int64_t)(rnd() % 16));
		int pol = app_policy(app), done = 0;
		double t0 = now_s();
		for (int e = NEXEC - 1; e > 0; e--) {
			nr ^= nr << 13;
			nr ^= nr >> 7;
			nr ^= nr << 17;
			int j = (int)(nr % (uint64_t)(e + 1)), t = order[e];
			order[e] = order[j];
			order[j] = t;
		}
		for (int k = 0; k < NEXEC && !done; k++) {
			int e = order[k];
			unsigned char c = counts[(size_t)app * NEXEC + (size_t)e];
			if ((pol == P_TAG) != (ex[e].tagged != 0))
				continue;
			if ((pol == P_ONE && c >= 1) || (pol == P_MAX2 && c >= 2))
				continue;
			for (int nd = 0; nd < NNODE; nd++) {
				if (ex[e].nfree[nd] < cores || ex[e].free_mb[nd] < mb)
					continue;
				uint64_t b = ex[e].freebits[nd], got = 0;
				for (int q = 0; q < cores; q++) {
					uint64_t low = b & -b;
					got |= low;
					b &= b - 1;
				}
				ex[e].freebits[nd] &= ~got;
				ex[e].nfree[nd] -= cores;
				ex[e].free_mb[nd] -= mb;
				counts[(size_t)app * NEXEC + (size_t)e]++;
				live[nlive++] = (struct nalloc){e, nd, app, got, mb};
				done = 1;
				break;
			}
		}
		double dt = now_s() - t0;
		lat[i] = dt;
		total += dt;
		if (!done)
			r.fails++;
	}
	for (int e = 0; e < NEXEC; e++)
		for (int k = 0; k < NNODE; k++)
			if (ex[e].nfree[k] < 4)
				r.stranded += ex[e].nfree[k];
	r.pps = n / total;
	qsort(lat, (size_t)n, sizeof(double), cmp_d);
	r.p50 = lat[n / 2] * 1e6;
	r.p99 = lat[(size_t)((double)n * 0.99)] * 1e6;
	free(ex);
	free(counts);
	free(live);
	return r;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100000;
	static const char *names[] = {"random-first-fit", "best-fit", "spread"};
	struct result res[3], naive;
	double *lat;
	double rp[3];
	long rpf[3];

	if (n < 100)
		n = 100;
	if (!(lat = malloc((size_t)n * sizeof(double))))
		return 1;
	make_policies();
	printf("cluster: %d executors x %d NUMA nodes x %d cores x %d GiB; %d tagged\n", NEXEC,
	       NNODE, NCORE, NNODE * NODEMB / 1024, NTAGGED);
	printf("workload: %d placements, 1-8 cores, 1-16 GiB, policies any/one-per-host/"
	       "max-2-per-host/tag = 55/15/15/15%%, churn at %d live instances\n",
	       n, LIVEMAX);
	printf("%-18s %12s %8s %8s %8s %10s %12s\n", "strategy", "placements/s", "p50_us", "p99_us",
	       "failed", "stranded", "replan_30k_s");
	for (int k = 0; k < 3; k++) {
		res[k] = run_library(k, n, lat);
		rp[k] = replan(k, &rpf[k]);
		printf("%-18s %12.0f %8.2f %8.2f %8ld %10ld %12.4f\n", names[k], res[k].pps,
		       res[k].p50, res[k].p99, res[k].fails, res[k].stranded, rp[k]);
		if (rpf[k])
			printf("  (replan: %ld of 30000 did not fit)\n", rpf[k]);
	}
	naive = run_naive(n, lat);
	printf("%-18s %12.0f %8.2f %8.2f %8ld %10ld %12s\n", "naive-linear-scan", naive.pps,
	       naive.p50, naive.p99, naive.fails, naive.stranded, "-");
	printf("ratio random-first-fit / naive: %.1fx placements/s\n", res[0].pps / naive.pps);
	free(lat);
	for (int k = 0; k < 4; k++)
		drove_sched_policy_free(policies[k]);
	printf("sched: placements_per_s=%.0f p99_us=%.2f replan_30k_s=%.4f\n", res[0].pps,
	       res[0].p99, rp[0]);
	return 0;
}
