/*
 * The whole Epoch firing path: the drove_epoch engine (embedded store in a temporary
 * directory) with N CRON topologies on 1 s schedules, against a stub Drove controller in the
 * same process (libevent evhttp on its own thread: CREATE 200, status STOPPED/SUCCESSFUL,
 * DELETE). Lateness = the stub receiving the task CREATE minus the scheduled time (from the
 * run id SR-<seconds> in the taskId). Each fire also records its run in the store, and each
 * run is polled, cleaned up and trimmed, as in production. The topologies are stored (in
 * batches) as created a few seconds ahead, so that the engine starts with no misfires.
 *
 *   bench_epoch_fire [topologies] [seconds]     (defaults 10000 and 5)
 *   DROVE_BENCH_ZK=host:port bench_epoch_fire ... (ZooKeeper instead of the embedded store)
 *   BENCH_LOG=INFO bench_epoch_fire ...          (the engine's log level; WARN)
 *   BENCH_FLOOR=K bench_epoch_fire ...           (no engine: the floor, see below)
 *
 * BENCH_FLOOR measures what any client could do against this stub on this machine: instead
 * of the engine, one thread with K kept-alive connections (plain sockets, one request in
 * flight on each, like the engine's link with its 64) sends, from each second on, N CREATEs
 * already built (the engine's body) for that second, and nothing else (no polls, no
 * DELETEs, no store). Its lateness is a lower bound for the engine's. Both modes print the
 * stub thread's CPU per request it answered (stub_us_per_req).
 *
 * It also prints (stderr) when the first task CREATE reached the stub, from the engine's
 * start: the time a new leader takes to read the stored topologies and fire.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>

#include <drove/drove.h>

#include "../tests/harness/drove_stub.h"
#include "bench_common.h"
#include <drove/epoch_server.h>
#include "core/internal.h"

#define TOPO                                                                      \
	"{\"name\":\"t%d\",\"task\":{\"type\":\"CONTAINER_EXECUTION\","           \
	"\"taskName\":\"main\",\"executable\":{\"type\":\"DOCKER\","              \
	"\"url\":\"localhost/drove-test:latest\",\"dockerPullTimeout\":"          \
	"\"100 seconds\"},\"resources\":[{\"type\":\"CPU\",\"count\":1},"         \
	"{\"type\":\"MEMORY\",\"sizeInMB\":32}],\"placementPolicy\":"             \
	"{\"type\":\"ANY\"},\"args\":[\"true\"]},\"trigger\":{\"type\":\"CRON\"," \
	"\"timeSpec\":\"* * * * * ?\"}}"

#define AHEAD 8000 /* ms: the topologies' creation time, from the start of storing them */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t *late;
static size_t nlate, cap, creates;
static int64_t measure_from, measure_to, window_ms;
static size_t per_sec[64]; /* CREATEs received per scheduled second of the window */
static int64_t engine_t0;  /* drove_epoch_start() returned */

static size_t stub_requests; /* answered by the stub (its thread only) */
static double stub_cpu_s;    /* the stub thread's CPU time, when it ended */

static void on_request(struct evhttp_request *req, void *ud)
{
	(void)ud;
	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST) {
		int64_t t = bench_now_ms();
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		size_t len = evbuffer_get_length(in);
		char *body = malloc(len + 1), *sr;
		if (body) {
			evbuffer_copyout(in, body, len);
			body[len] = '\0';
			if ((sr = strstr(body, "-SR-"))) {
				int64_t at = strtoll(sr + 4, NULL, 10) * 1000;
				pthread_mutex_lock(&mu);
				creates++;
				if (creates == 1) /* how long the engine took to load and fire */
					fprintf(stderr,
					        "first CREATE (%zu bytes) %lld ms after the engine "
					        "started (for the time %lld ms after)\n",
					        len, (long long)(t - engine_t0),
					        (long long)(at - engine_t0));
				if (!measure_from) { /* the engine has loaded: measure from 3 s on
					              */
					measure_from = (at / 1000 + 3) * 1000;
					measure_to = measure_from + window_ms;
				}
				if (at >= measure_from && at < measure_to && nlate < cap) {
					late[nlate++] = t - at;
					per_sec[(at - measure_from) / 1000]++;
				}
				pthread_mutex_unlock(&mu);
			}
			free(body);
		}
		drove_stub_reply(req, DROVE_STUB_CREATED);
	} else {
		drove_stub_answer(req);
	}
	stub_requests++;
}

static struct event_base *stub_base;

static void *stub_thread(void *arg)
{
	struct timespec ts;
	(void)arg;
	event_base_loop(stub_base, EVLOOP_NO_EXIT_ON_EMPTY);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	stub_cpu_s = ts.tv_sec + ts.tv_nsec / 1e9;
	return NULL;
}

/* The floor (BENCH_FLOOR=K): K connections to the stub, each with one CREATE in flight. */
struct floor_conn {
	int fd;
	size_t got;     /* bytes of the answer read so far */
	char buf[1024]; /* the answer (the stub's are ~200 bytes) */
};

static int floor_k, floor_n, floor_port, floor_secs;
static volatile int floor_stop;
static double floor_cpu_s; /* the sender thread's CPU time */

/* The CREATE of topology i for the second `sec`: the engine's body, its size and taskId. */
static int floor_request(char *out, size_t cap_, int i, long long sec)
{
	char body[512];
	int bl = snprintf(body, sizeof(body),
	                  "{\"type\":\"CREATE\",\"spec\":{\"executable\":{\"type\":\"DOCKER\","
	                  "\"url\":\"localhost\\/drove-test:latest\",\"dockerPullTimeout\":"
	                  "\"100 seconds\"},\"resources\":[{\"type\":\"CPU\",\"count\":1},"
	                  "{\"type\":\"MEMORY\",\"sizeInMB\":32}],\"placementPolicy\":{\"type\":"
	                  "\"ANY\"},\"args\":[\"true\"],\"sourceAppName\":\"EPOCH\",\"taskId\":"
	                  "\"t%d-SR-%lld-main\"},\"opSpec\":{\"timeout\":\"300 seconds\","
	                  "\"parallelism\":1,\"failureStrategy\":\"STOP\"}}",
	                  i, sec);
	return snprintf(out, cap_,
	                "POST /apis/v1/tasks/operations HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	                "Accept: application/json\r\nContent-Type: application/json\r\n"
	                "Content-Length: %d\r\n\r\n%s",
	                floor_port, bl, body);
}

/* The answer in c->buf is whole (headers and Content-Length bytes of body). */
static int floor_answered(struct floor_conn *c)
{
	char *h;
	c->buf[c->got] = '\0';
	if (!(h = strstr(c->buf, "\r\n\r\n")))
		return 0;
	char *cl = strcasestr(c->buf, "Content-Length:");
	size_t len = cl ? strtoul(cl + 15, NULL, 10) : 0;
	return c->got >= (size_t)(h + 4 - c->buf) + len;
}

static void *floor_thread(void *arg)
{
	struct floor_conn *cs = calloc((size_t)floor_k, sizeof(*cs));
	struct epoll_event ev, *evs = calloc((size_t)floor_k, sizeof(*evs));
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons(floor_port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int ep = epoll_create1(EPOLL_CLOEXEC);
	char req[2048];
	(void)arg;
	if (!cs || !evs || ep < 0)
		abort();
	for (int k = 0; k < floor_k; k++) {
		if ((cs[k].fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
		    connect(cs[k].fd, (struct sockaddr *)&a, sizeof(a)) != 0)
			abort();
		ev = (struct epoll_event){.events = EPOLLIN, .data.u32 = (uint32_t)k};
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[k].fd, &ev);
	}
	/* from the second after the next on: N CREATEs per second, K in flight */
	long long sec = bench_now_ms() / 1000 + 2;
	for (int s = 0; s < floor_secs && !floor_stop; s++, sec++) {
		while (bench_now_ms() < sec * 1000) {
			struct timespec ts = {0, 1000000};
			nanosleep(&ts, NULL);
		}
		int next = 0, idle = floor_k;
		for (int k = 0; k < floor_k && next < floor_n; k++, next++, idle--) {
			int l = floor_request(req, sizeof(req), next, sec);
			if (write(cs[k].fd, req, (size_t)l) != l)
				abort();
		}
		while (idle < floor_k) {
			int ne = epoll_wait(ep, evs, floor_k, 1000);
			for (int j = 0; j < ne; j++) {
				struct floor_conn *c = &cs[evs[j].data.u32];
				ssize_t r =
				        read(c->fd, c->buf + c->got, sizeof(c->buf) - 1 - c->got);
				if (r <= 0)
					abort();
				c->got += (size_t)r;
				if (!floor_answered(c))
					continue;
				c->got = 0;
				if (next < floor_n) {
					int l = floor_request(req, sizeof(req), next++, sec);
					if (write(c->fd, req, (size_t)l) != l)
						abort();
				} else {
					idle++;
				}
			}
		}
	}
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	floor_cpu_s = ts.tv_sec + ts.tv_nsec / 1e9;
	for (int k = 0; k < floor_k; k++)
		close(cs[k].fd);
	close(ep);
	free(cs);
	free(evs);
	return NULL;
}

static drove_loop *loop;

static void on_log(int level, const char *module, const char *msg, void *ud)
{
	(void)ud;
	fprintf(stderr, "%lld %s %s: %s\n", (long long)bench_now_ms(), drove_log_level_name(level),
	        module, msg);
}

static void *loop_thread(void *arg)
{
	(void)arg;
	drove_loop_run(loop);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000, secs = argc > 2 ? atoi(argv[2]) : 5;
	char dir[64] = "/tmp/bench-epoch-fire-XXXXXX", json[2048], store[128], *yml;
	drove_ctx *ctx = NULL;
	drove_store_opts *so = NULL;
	drove_store *st = NULL;
	drove_epoch_config *cfg = NULL;
	drove_epoch *ep = NULL;
	pthread_t sthr, lthr;
	const char *zk = getenv("DROVE_BENCH_ZK");

	if (n < 1 || secs < 1 || secs > 60 || !mkdtemp(dir) || drove_ctx_new(&ctx) != 0 ||
	    drove_loop_new(&loop, ctx) != 0)
		return 1;
	if (getenv("BENCH_LOG")) /* the engine's log on stderr */
		drove_ctx_set_log(ctx,
		                  !strcmp(getenv("BENCH_LOG"), "DEBUG")  ? DROVE_LOG_DEBUG
		                  : !strcmp(getenv("BENCH_LOG"), "INFO") ? DROVE_LOG_INFO
		                                                         : DROVE_LOG_WARN,
		                  on_log, NULL);
	cap = (size_t)n * (size_t)(secs + 2);
	if (!(late = calloc(cap, sizeof(*late))))
		return 1;
	/* the stub controller */
	evthread_use_pthreads();
	stub_base = event_base_new();
	struct evhttp *http = evhttp_new(stub_base);
	struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	if (!bs)
		return 1;
	evhttp_set_gencb(http, on_request, NULL);
	int sport = 0;
	{
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &sl);
		sport = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	pthread_create(&sthr, NULL, stub_thread, NULL);
	window_ms = secs * 1000LL;
	if ((floor_k = getenv("BENCH_FLOOR") ? atoi(getenv("BENCH_FLOOR")) : 0) > 0) {
		floor_n = n;
		floor_port = sport;
		floor_secs = secs + 4; /* the window starts at the third second */
		pthread_create(&lthr, NULL, floor_thread, NULL);
		goto wait;
	}
	/* the topologies, stored before the engine starts (it loads them as leader) */
	snprintf(store, sizeof(store), "%s/store", dir);
	char ns[64];
	snprintf(ns, sizeof(ns), "/bench-epoch-%d", (int)getpid());
	if (drove_store_opts_new(&so) ||
	    (zk ? drove_store_opts_set_zk(so, zk) || drove_store_opts_set_namespace(so, ns)
	        : drove_store_opts_set_local(so, store)) ||
	    drove_store_open(&st, loop, so))
		return 1;
	int64_t t0 = bench_now_ms();
	/* EpochTopologyDetails written in batches of 500, created AHEAD ms from now */
	int64_t created = t0 + AHEAD;
	drove_store_ops *ops = NULL;
	if (drove_store_create(st, "/topologies", "", 0,
	                       DROVE_STORE_PERSISTENT | DROVE_STORE_PARENTS, NULL))
		return 1;
	for (int i = 0; i < n; i++) {
		drove_epoch_topology *t = NULL;
		char *doc = NULL, *det, path[64];
		snprintf(json, sizeof(json), TOPO, i);
		if (drove_epoch_topology_from_json(&t, ctx, json, strlen(json), t0, NULL) ||
		    drove_epoch_topology_to_json(t, &doc) ||
		    !(det = drove__asprintf("{\"id\":\"t%d\",\"topology\":%s,\"state\":\"ACTIVE\","
		                            "\"created\":%lld,\"updated\":%lld}",
		                            i, doc, (long long)created, (long long)created)) ||
		    (!ops && drove_store_ops_new(&ops))) {
			fprintf(stderr, "topology %d: %s\n", i, drove_error_last()->message);
			return 1;
		}
		snprintf(path, sizeof(path), "/topologies/t%d", i);
		if (drove_store_ops_create(ops, path, det, strlen(det), DROVE_STORE_PERSISTENT))
			return 1;
		free(det);
		drove_free(doc);
		drove_epoch_topology_free(t);
		if (drove_store_ops_count(ops) == 500 || i == n - 1) {
			if (drove_store_multi(st, ops)) {
				fprintf(stderr, "store: %s\n", drove_error_last()->message);
				return 1;
			}
			drove_store_ops_free(ops);
			ops = NULL;
		}
	}
	drove_store_close(st);
	drove_store_opts_free(so);
	char storecfg[256];
	if (zk)
		snprintf(storecfg, sizeof(storecfg),
		         "zookeeper:\n  connectionString: %s\n  nameSpace: %s\n", zk, ns + 1);
	else
		snprintf(storecfg, sizeof(storecfg), "store:\n  dataDir: %s\n", store);
	fprintf(stderr, "stored %d topologies in %lld ms\n", n, (long long)(bench_now_ms() - t0));
	yml = drove__asprintf("server:\n  applicationConnectors:\n    - type: http\n      port: 0\n"
	                      "  adminConnectors: []\nlogging:\n  level: %s\n%s"
	                      "drove:\n  endpoints:\n    - http://127.0.0.1:%d\n"
	                      "options:\n  numRunsPerJob: 3\n",
	                      getenv("BENCH_LOG") ? getenv("BENCH_LOG") : "WARN", storecfg, sport);
	if (!yml || drove_epoch_config_load_buf(&cfg, ctx, "bench.yml", yml, strlen(yml)) ||
	    drove_epoch_new(&ep, loop, cfg) || drove_epoch_start(ep)) {
		fprintf(stderr, "engine: %s\n", drove_error_last()->message);
		return 1;
	}
	free(yml);
	engine_t0 = bench_now_ms();
	if (bench_now_ms() > created)
		fprintf(stderr, "storing took longer than %d ms: misfires at the start\n", AHEAD);
	pthread_create(&lthr, NULL, loop_thread, NULL);
wait:
	for (int64_t give_up = bench_now_ms() + 120000;;) {
		struct timespec ts = {0, 50000000};
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&mu);
		int64_t to = measure_to;
		pthread_mutex_unlock(&mu);
		if ((to && bench_now_ms() >= to + 1000) || bench_now_ms() > give_up)
			break;
	}
	floor_stop = 1;
	drove_loop_stop(loop);
	pthread_join(lthr, NULL);
	long rss = bench_rss_kb();
	{ /* what malloc holds of it: in use, and free but not given back */
		struct mallinfo2 mi = mallinfo2();
		fprintf(stderr,
		        "malloc: in use %.1f MiB, free in the heap %.1f MiB, mmapped %.1f MiB\n",
		        mi.uordblks / 1048576.0, mi.fordblks / 1048576.0, mi.hblkhd / 1048576.0);
	}
	drove_epoch_free(ep);
	if (!floor_k &&
	    zk) { /* leave ZooKeeper as found: the namespace goes (one node at a time) */
		so = NULL;
		st = NULL;
		if (drove_store_opts_new(&so) || drove_store_opts_set_zk(so, zk) ||
		    drove_store_open(&st, loop, so) || drove_store_delete_recursive(st, ns))
			fprintf(stderr, "cleaning up %s: %s\n", ns, drove_error_last()->message);
		drove_store_close(st);
		drove_store_opts_free(so);
	}
	event_base_loopbreak(stub_base);
	pthread_join(sthr, NULL);
	pthread_mutex_lock(&mu);
	/* a fire not sent by the end counts as late as the end (a lower bound) */
	size_t sent = nlate;
	int64_t t_end = bench_now_ms();
	if (!measure_from)
		fprintf(stderr, "no task CREATE reached the stub in 120 s\n");
	for (int sec = 0; measure_from && sec < secs; sec++)
		for (size_t k = per_sec[sec]; k < (size_t)n && nlate < cap; k++)
			late[nlate++] = t_end - (measure_from + sec * 1000LL);
	fprintf(stderr, "CREATEs per scheduled second of the window:");
	for (int sec = 0; sec < secs; sec++)
		fprintf(stderr, " %zu", per_sec[sec]);
	fprintf(stderr, " (of %d; all seconds: %zu)\n", n, creates);
	qsort(late, nlate, sizeof(*late), bench_cmp64);
	if (floor_k)
		fprintf(stderr, "floor: the sender thread's CPU %.1f µs per CREATE\n",
		        floor_cpu_s * 1e6 / (double)(creates ? creates : 1));
	printf("%s: schedules=%d lateness_p50_ms=%lld lateness_p99_ms=%lld rss_mib=%.1f "
	       "stub_us_per_req=%.1f (%s; creates=%zu in %d s, expected %lld)\n",
	       floor_k ? "epoch_floor" : "epoch", n, nlate ? (long long)late[nlate / 2] : -1,
	       nlate ? (long long)late[nlate * 99 / 100] : -1, rss / 1024.0,
	       stub_cpu_s * 1e6 / (double)(stub_requests ? stub_requests : 1),
	       floor_k ? "no engine: prebuilt CREATEs on BENCH_FLOOR connections to the stub"
	       : zk    ? "engine + ZooKeeper store + HTTP CREATE to an in-process stub"
	               : "engine + embedded store + HTTP CREATE to an in-process stub",
	       sent, secs, (long long)n * secs);
	pthread_mutex_unlock(&mu);
	evhttp_free(http);
	event_base_free(stub_base);
	drove_epoch_config_free(cfg);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	free(late);
	snprintf(json, sizeof(json), "rm -rf '%s'", dir);
	return system(json) == 0 ? 0 : 1;
}
