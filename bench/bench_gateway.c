/* drove-gateway: how long from an instance state change in the controller to nginx reloaded
 * with it, over scale changes of the sample app, and requests through nginx against the same
 * instance directly with wrk (docs/benchmarks.md, "Gateway").
 *
 *   scripts/cluster.sh up   (or any cluster running DROVE_TEST_APP-1 with exposure)
 *   bench_gateway http://127.0.0.1:4000 [scale changes, default 50] [poll ms, default 2000]
 *
 * The gateway engine runs in this process on its own loop thread with the built-in template
 * and an nginx it starts in a temporary prefix on a free port. Each scale change alternates
 * the app between 1 and 2 instances and waits until nginx has the new upstream. Latency of an
 * event = the first successful apply (nginx -t passed, reload signalled) at or after the
 * controller's event time; both clocks are this machine's wall clock. */
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include <drove/client.h>
#include <drove/clock.h>
#include <drove/gateway.h>
#include <drove/loop.h>

#include "core/internal.h"
#include "bench_common.h"

#define APP         "DROVE_TEST_APP-1"
#define VHOST       "testapp.local"
#define MAX_APPLIES 4096

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t applies[MAX_APPLIES];
static int apply_servers[MAX_APPLIES]; /* servers in the app's upstream after each apply */
static size_t n_applies;
static char dir[64], conf[128];

static int servers(void);

static void on_applied(drove_gateway *gw, int rc, void *ud)
{
	int n;
	(void)gw;
	(void)ud;
	if (rc != 0)
		return;
	n = servers();
	pthread_mutex_lock(&mu);
	if (n_applies < MAX_APPLIES) {
		apply_servers[n_applies] = n;
		applies[n_applies++] = drove_time_wall_ms();
	}
	pthread_mutex_unlock(&mu);
}

static void *run_loop(void *loop)
{
	drove_loop_run(loop);
	return NULL;
}

/* Servers in the app's upstream of the live file. */
static int servers(void)
{
	FILE *f = fopen(conf, "re");
	char line[512];
	int n = 0, in = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "upstream drove_testapp_local {"))
			in = 1;
		else if (in && strchr(line, '}'))
			in = 0;
		else if (in && strstr(line, "server "))
			n++;
	}
	fclose(f);
	return n;
}

static int healthy(drove_client *c)
{
	char *out = NULL;
	int n = -1;
	if (drove_client_app_get_json(c, APP, &out) == 0) {
		json_object *o = json_tokener_parse(out), *h;
		if (o && json_object_object_get_ex(o, "healthyInstances", &h))
			n = json_object_get_int(h);
		json_object_put(o);
	}
	drove_free(out);
	return n;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

struct ev {
	int64_t time;
	char id[64], state[32];
	int counts; /* changes the endpoints */
};

/* Per scale change i (asked at wall time op[i]; nginx got the new count by the apply at
 * ap[i]): the time from the last event in [op[i], ap[i]] that can change the endpoints (an app
 * state change, an instance entering or leaving HEALTHY) to ap[i]. `*none` counts changes
 * with no such event. */
static size_t latencies(drove_client *c, int64_t since, const int64_t *op, const int64_t *ap,
                        size_t rounds, int64_t *lat, size_t *none)
{
	char *out = NULL;
	json_object *o, *evs;
	struct ev *e;
	size_t n, k = 0, m = 0;

	*none = 0;
	if (drove_client_event_list_json(c, since, 100000, &out) < 0 ||
	    !(o = json_tokener_parse(out)))
		return 0;
	evs = json_object_is_type(o, json_type_array) ? o : json_object_object_get(o, "events");
	n = json_object_array_length(evs);
	e = calloc(n ? n : 1, sizeof(*e));
	for (size_t i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(evs, i), *md = NULL;
		const char *type = json_object_get_string(json_object_object_get(x, "type"));
		int app = !strcmp(type, "APP_STATE_CHANGE");
		if (!app && strcmp(type, "INSTANCE_STATE_CHANGE"))
			continue;
		e[k].counts = app ? 2 : 0;
		md = json_object_object_get(x, "metadata");
		e[k].time = json_object_get_int64(json_object_object_get(x, "time"));
		snprintf(e[k].id, sizeof(e[k].id), "%s",
		         json_object_get_string(json_object_object_get(md, "INSTANCE_ID")));
		snprintf(e[k].state, sizeof(e[k].state), "%s",
		         json_object_get_string(json_object_object_get(md, "CURRENT_STATE")));
		k++;
	}
	/* the API lists newest first: reverse, keeping the order of events of one millisecond */
	for (size_t i = 0; i < k / 2; i++) {
		struct ev t = e[i];
		e[i] = e[k - 1 - i];
		e[k - 1 - i] = t;
	}
	/* keep the events that change the endpoints */
	for (size_t i = 0; i < k; i++) {
		int was_healthy = 0;
		if (e[i].counts == 2) { /* an app state change may change the endpoints too */
			e[i].counts = 1;
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(e[j].id, e[i].id))
				was_healthy = !strcmp(e[j].state, "HEALTHY");
		e[i].counts = (strcmp(e[i].state, "HEALTHY") == 0) != was_healthy;
	}
	if (getenv("BENCH_DEBUG"))
		for (size_t i = 0; i < k; i++)
			fprintf(stderr, "ev %lld %s %s %d\n", (long long)e[i].time, e[i].id,
			        e[i].state, e[i].counts);
	for (size_t r = 0; r < rounds; r++) {
		const struct ev *last = NULL; /* the last relevant event before the apply */
		for (size_t i = 0; i < k; i++)
			if (e[i].counts && e[i].time >= op[r] && e[i].time <= ap[r])
				last = &e[i];
		if (last)
			lat[m++] = ap[r] - last->time;
		else
			++*none;
	}
	free(e);
	json_object_put(o);
	drove_free(out);
	return m;
}

/* wrk's Requests/sec and average latency for `url` with an optional Host header. */
static double wrk(const char *url, const char *host, double *lat_ms)
{
	char *cmd = drove__asprintf("wrk -t2 -c16 -d5s %s%s%s %s 2>&1", host ? "-H 'Host: " : "",
	                            host ? host : "", host ? "'" : "", url);
	char line[256];
	double rps = 0;
	FILE *f = popen(cmd, "r");
	*lat_ms = 0;
	while (f && fgets(line, sizeof(line), f)) {
		char unit[8] = "";
		double v;
		if (sscanf(line, " Requests/sec: %lf", &v) == 1)
			rps = v;
		else if (sscanf(line, " Latency %lf%7[a-z]", &v, unit) == 2)
			*lat_ms = !strcmp(unit, "us")  ? v / 1000
			          : !strcmp(unit, "s") ? v * 1000
			                               : v;
	}
	if (f)
		pclose(f);
	free(cmd);
	return rps;
}

static int host_port(drove_client *c)
{
	char *out = NULL;
	int port = 0;
	if (drove_client_endpoint_list_json(c, NULL, &out) == 0) {
		json_object *o = json_tokener_parse(out), *a = json_object_array_get_idx(o, 0);
		json_object *h = json_object_array_get_idx(json_object_object_get(a, "hosts"), 0);
		port = json_object_get_int(json_object_object_get(h, "port"));
		json_object_put(o);
	}
	drove_free(out);
	return port;
}

int main(int argc, char **argv)
{
	const char *ctrl = argc > 1 ? argv[1] : "http://127.0.0.1:4000";
	int rounds = argc > 2 ? atoi(argv[2]) : 50, poll = argc > 3 ? atoi(argv[3]) : 2000;
	if (rounds < 1 || rounds > 1024)
		rounds = rounds < 1 ? 1 : 1024;
	int nport = bench_free_port();
	drove_ctx *ctx = NULL;
	drove_loop *loop = NULL;
	drove_gateway_config *cfg = NULL;
	drove_gateway *gw = NULL;
	drove_client *c = NULL;
	pthread_t thr;
	char *yaml, url[128];
	int64_t since, lat[1024], t0, op[1024], ap[1024] = {0};
	size_t done = 0, none = 0;
	size_t n;
	double rps_gw, rps_direct, l_gw, l_direct;

	snprintf(dir, sizeof(dir), "/tmp/bench-gateway-XXXXXX");
	if (!mkdtemp(dir) || drove_ctx_new(&ctx) < 0 || drove_loop_new(&loop, ctx) < 0 ||
	    drove_client_new(&c, ctx) < 0 || drove_client_add_endpoint(c, ctrl) < 0) {
		fprintf(stderr, "bench_gateway: set-up failed\n");
		return 1;
	}
	snprintf(conf, sizeof(conf), "%s/nginx.conf", dir);
	yaml = drove__asprintf(
	        "drove:\n  endpoints: [%s]\n  eventRefreshInterval: %d milliseconds\n"
	        "nginx:\n  config: %s\n  prefix: %s\n  listen: 127.0.0.1:%d\n"
	        "  start: true\n",
	        ctrl, poll, conf, dir, nport);
	if (drove_gateway_config_load_buf(&cfg, ctx, "bench.yml", yaml, strlen(yaml)) < 0 ||
	    drove_gateway_new(&gw, loop, cfg) < 0) {
		fprintf(stderr, "bench_gateway: %s\n", drove_error_last()->message);
		return 1;
	}
	free(yaml);
	drove_gateway_on_applied(gw, on_applied, NULL);
	drove_gateway_start(gw);
	pthread_create(&thr, NULL, run_loop, loop);

	if (drove_client_app_scale(c, APP, 1, NULL, 4) < 0) {
		fprintf(stderr, "bench_gateway: %s (is %s running on %s?)\n",
		        drove_error_last()->message, APP, ctrl);
		return 1;
	}
	for (t0 = drove_time_mono_ms();
	     (healthy(c) != 1 || servers() != 1) && drove_time_mono_ms() - t0 < 120000;)
		usleep(100 * 1000);
	since = drove_time_wall_ms();
	printf("bench_gateway: %d scale changes 1 <-> 2, events polled every %d ms, reloads at "
	       "most 1/s\n",
	       rounds, poll);
	for (int i = 0; i < rounds; i++) {
		int want = i % 2 ? 1 : 2, rc;
		size_t before;
		pthread_mutex_lock(&mu);
		before = n_applies;
		pthread_mutex_unlock(&mu);
		op[i] = drove_time_wall_ms();
		/* a stopped instance's cores come back a moment after it leaves the app */
		for (t0 = drove_time_mono_ms();
		     (rc = drove_client_app_scale(c, APP, want, NULL, 4)) == DROVE_EINVAL &&
		     drove_time_mono_ms() - t0 < 30000;)
			usleep(200 * 1000);
		if (rc < 0) {
			fprintf(stderr, "bench_gateway: scale: %s\n", drove_error_last()->message);
			break;
		}
		for (t0 = drove_time_mono_ms(); (healthy(c) != want || servers() != want) &&
		                                drove_time_mono_ms() - t0 < 120000;)
			usleep(50 * 1000);
		/* the file is renamed before nginx is reloaded and the apply recorded */
		for (t0 = drove_time_mono_ms(); !ap[i] && drove_time_mono_ms() - t0 < 5000;
		     usleep(5000)) {
			pthread_mutex_lock(&mu);
			for (size_t a = before; a < n_applies && !ap[i]; a++)
				if (apply_servers[a] == want)
					ap[i] = applies[a];
			pthread_mutex_unlock(&mu);
		}
		done++;
	}
	if (getenv("BENCH_DEBUG"))
		for (size_t r = 0; r < done; r++)
			fprintf(stderr, "round %zu op %lld ap %lld\n", r, (long long)op[r],
			        (long long)ap[r]);
	n = latencies(c, since, op, ap, done, lat, &none);
	qsort(lat, n, sizeof(lat[0]), cmp64);
	if (n)
		printf("event -> nginx reloaded: n=%zu p50=%lld ms p99=%lld ms max=%lld ms "
		       "(applies %zu; %zu changes without an event before their apply)\n",
		       n, (long long)lat[n / 2],
		       (long long)lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1],
		       (long long)lat[n - 1], n_applies, none);

	/* requests: nginx -> the one instance, against the instance directly */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", nport);
	rps_gw = wrk(url, VHOST, &l_gw);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", host_port(c));
	rps_direct = wrk(url, NULL, &l_direct);
	printf("wrk -t2 -c16 -d5s, 1 instance: via nginx %.0f req/s (avg %.2f ms), direct %.0f "
	       "req/s (avg %.2f ms), ratio %.2f\n",
	       rps_gw, l_gw, rps_direct, l_direct, rps_direct > 0 ? rps_gw / rps_direct : 0);

	printf("gateway: events=%zu reload_p50_ms=%lld reload_p99_ms=%lld via_nginx_rps=%.0f "
	       "direct_rps=%.0f ratio=%.2f\n",
	       n, n ? (long long)lat[n / 2] : -1LL,
	       n ? (long long)lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] : -1LL, rps_gw,
	       rps_direct, rps_direct > 0 ? rps_gw / rps_direct : 0);
	drove_loop_stop(loop);
	pthread_join(thr, NULL);
	drove_gateway_free(gw);
	{
		char p[128];
		snprintf(p, sizeof(p), "%s/nginx.pid", dir);
		FILE *f = fopen(p, "re");
		char buf[32] = "";
		if (f && fgets(buf, sizeof(buf), f) && atoi(buf) > 1)
			kill(atoi(buf), SIGTERM);
		if (f)
			fclose(f);
	}
	drove_gateway_config_free(cfg);
	drove_client_free(c);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	return 0;
}
