/* The Epoch engine's asynchronous exchanges with the controller (libdrove/epoch/ctl.c and
 * runs.c):
 *  - the link finds the leader past a dead endpoint, answers GETs and POSTs, and gives up on a
 *    controller that keeps answering "not the leader" after its retries;
 *  - 300 topologies firing in the same seconds are each created once per scheduled time;
 *  - CREATEs the controller never answers do not hold up the other topologies' CREATEs (the
 *    blocking workers of before were all stuck behind them);
 *  - a new leader reads the stored topologies and runs (pipelined, epoch/load.c), goes on
 *    firing them and follows a run left RUNNING again, and one a fire record fenced.
 * The controller is a libevent evhttp stub on its own thread that answers a "slow" task's
 * CREATE never (a timer far away), the others at once, and counts CREATEs per task id. */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "epoch/ctl.h"
#include "epoch/engine.h"
#include "drove_stub.h"
#include "harness.h"
#include "check_client_mock.h"

/* ---- the stub controller ---- */

#define MAXIDS 8192

static struct {
	struct event_base *base;
	struct evhttp *http;
	pthread_t thr;
	int port;
	pthread_mutex_t mu;
	char *ids[MAXIDS];
	int counts[MAXIDS];
	size_t nids;
	int slow_creates, fast_creates, dup;
	/* hang: nothing but a ping is ever answered (the connection is held open); hung counts
	 * the POSTs left so. exists: a CREATE of a task id seen before answers "Task already
	 * exists" (as Drove does) */
	int hang, hung, exists;
	int running; /* a task's status answers RUNNING (it never ends) */
	int early;   /* CREATEs of a scheduled time (an "SR-<seconds>" run) before that time */
} stub;

static int stub_get(int *field);

static void slow_reply(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	drove_stub_reply(arg, DROVE_STUB_CREATED);
}

/* @return how many CREATEs task `id` got, this one included. */
static int count_create(const char *id, size_t len)
{
	pthread_mutex_lock(&stub.mu);
	size_t i;
	int n = 0;
	for (i = 0; i < stub.nids; i++)
		if (strlen(stub.ids[i]) == len && !strncmp(stub.ids[i], id, len))
			break;
	if (i == stub.nids && stub.nids < MAXIDS)
		stub.ids[stub.nids++] = strndup(id, len);
	if (i < MAXIDS && (n = ++stub.counts[i]) > 1)
		stub.dup++;
	char tid[160];
	snprintf(tid, sizeof(tid), "%.*s", (int)len, id);
	const char *sr = strstr(tid, "-SR-");
	if (sr && drove_time_wall_ms() < strtoll(sr + 4, NULL, 10) * 1000)
		stub.early++; /* fired ahead of its time, the CREATE must still wait for it */
	if (!strncmp(id, "slow", 4))
		stub.slow_creates++;
	else
		stub.fast_creates++;
	pthread_mutex_unlock(&stub.mu);
	return n;
}

#define TASK_EXISTS                                                                          \
	"{\"status\":\"FAILED\",\"data\":{\"validationErrors\":[\"Task already exists \"]}," \
	"\"message\":\"Validation failed\"}"

static void on_request(struct evhttp_request *req, void *ud)
{
	(void)ud;
	int hang = stub_get(&stub.hang), exists = stub_get(&stub.exists);
	if (hang && strcmp(evhttp_request_get_uri(req), "/apis/v1/ping") != 0) {
		pthread_mutex_lock(&stub.mu);
		stub.hung += evhttp_request_get_command(req) == EVHTTP_REQ_POST;
		pthread_mutex_unlock(&stub.mu);
		if (evhttp_request_get_command(req) != EVHTTP_REQ_POST)
			return; /* never answered; freed with its connection */
	}
	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		size_t len = evbuffer_get_length(in);
		char *body = calloc(1, len + 1), *id, *end;
		evbuffer_copyout(in, body, len);
		if ((id = strstr(body, "\"taskId\":\"")) && (end = strchr(id + 10, '"'))) {
			id += 10;
			int n = count_create(id, (size_t)(end - id));
			if (hang) {
				free(body);
				return;
			}
			if (exists && n > 1) {
				free(body);
				struct evbuffer *b = evbuffer_new();
				evbuffer_add(b, TASK_EXISTS, strlen(TASK_EXISTS));
				evhttp_send_reply(req, 400, "Bad Request", b);
				evbuffer_free(b);
				return;
			}
			if (!strncmp(id, "slow", 4)) {
				struct timeval tv = {600, 0};
				event_base_once(stub.base, -1, EV_TIMEOUT, slow_reply, req, &tv);
				free(body);
				return;
			}
		}
		free(body);
		if (hang)
			return;
		drove_stub_reply(req, DROVE_STUB_CREATED);
	} else if (stub_get(&stub.running) && evhttp_request_get_command(req) == EVHTTP_REQ_GET &&
	           strstr(evhttp_request_get_uri(req), "/instances/")) {
		drove_stub_reply(req, "{\"status\":\"SUCCESS\",\"data\":{\"state\":\"RUNNING\"},"
		                      "\"message\":\"success\"}");
	} else {
		drove_stub_answer(req);
	}
}

static void *stub_thread(void *arg)
{
	(void)arg;
	event_base_loop(stub.base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

static void stub_start(void)
{
	memset(&stub, 0, sizeof(stub));
	pthread_mutex_init(&stub.mu, NULL);
	evthread_use_pthreads();
	ck_assert_ptr_nonnull(stub.base = event_base_new());
	ck_assert_ptr_nonnull(stub.http = evhttp_new(stub.base));
	struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(stub.http, "127.0.0.1", 0);
	ck_assert_ptr_nonnull(bs);
	evhttp_set_gencb(stub.http, on_request, NULL);
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&sin, &sl);
	stub.port = ntohs(sin.sin_port);
	ck_assert_int_eq(pthread_create(&stub.thr, NULL, stub_thread, NULL), 0);
}

static void stub_stop(void)
{
	event_base_loopbreak(stub.base);
	pthread_join(stub.thr, NULL);
	evhttp_free(stub.http);
	event_base_free(stub.base);
	for (size_t i = 0; i < stub.nids; i++)
		free(stub.ids[i]);
}

static int stub_get(int *field)
{
	pthread_mutex_lock(&stub.mu);
	int v = *field;
	pthread_mutex_unlock(&stub.mu);
	return v;
}

static void stub_set(int *field, int v)
{
	pthread_mutex_lock(&stub.mu);
	*field = v;
	pthread_mutex_unlock(&stub.mu);
}

/* ---- the link alone ---- */

struct answers {
	drove_loop *loop;
	int want, got, cancelled;
	int rc[4], status[4];
};

static void on_answer(int rc, int status, const char *body, size_t len, const char *why,
                      int cancelled, void *ud)
{
	struct answers *a = ud;
	(void)body;
	(void)len;
	(void)why;
	if (cancelled) {
		a->cancelled++;
		return;
	}
	a->rc[a->got] = rc;
	a->status[a->got] = status;
	if (++a->got == a->want)
		drove_loop_stop(a->loop);
}

START_TEST(test_link_leader_and_retries)
{
	drove_ctx *ctx = NULL;
	drove_loop *loop = NULL;
	drove_strlist *eps = NULL;
	drove__ectl *c = NULL;
	struct mock *m = mock_start();
	char url[64], dead[64];
	ck_assert_ptr_nonnull(m);
	mock_url(m, url, sizeof(url));
	snprintf(dead, sizeof(dead), "http://127.0.0.1:%d", mock_dead_port());
	mock_add(m, "POST", "/apis/v1/tasks/operations", 200,
	         "{\"status\":\"SUCCESS\",\"data\":{\"taskId\":\"x\"},\"message\":\"success\"}");
	mock_add(m, "GET", "/apis/v1/tasks", 200,
	         "{\"status\":\"SUCCESS\",\"data\":[],\"message\":\"success\"}");
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	ck_assert_int_eq(drove_strlist_new(&eps), 0);
	drove__ectl_opts o = {.endpoints = eps,
	                      .connect_ms = 1000,
	                      .request_ms = 5000,
	                      .retries = 2,
	                      .backoff_ms = 10,
	                      .max_backoff_ms = 40};
	ck_assert_int_eq(drove__ectl_new(&c, ctx, loop, &o), DROVE_EINVAL); /* no endpoint */
	drove_error_clear();
	ck_assert_int_eq(drove_strlist_add(eps, dead), 0);
	ck_assert_int_eq(drove_strlist_add(eps, url), 0);
	ck_assert_int_eq(drove__ectl_new(&c, ctx, loop, &o), 0);

	/* past the dead endpoint to the leader */
	struct answers a = {.loop = loop, .want = 2};
	ck_assert_int_eq(drove__ectl_send(c, "GET", "/apis/v1/tasks", NULL, 0, on_answer, &a), 0);
	ck_assert_int_eq(
	        drove__ectl_send(c, "POST", "/apis/v1/tasks/operations", "{}", 1, on_answer, &a),
	        0);
	ck_assert_uint_eq(drove__ectl_pending(c), 2);
	ck_assert_int_eq(drove_loop_run_for(loop, 10000), 0);
	ck_assert_int_eq(a.got, 2);
	ck_assert_int_eq(a.rc[0], 0);
	ck_assert_int_eq(a.status[0], 200);
	ck_assert_int_eq(a.rc[1], 0);
	ck_assert_uint_eq(drove__ectl_pending(c), 0);

	/* "not the leader" on every endpoint: the POST is tried again, then given up */
	mock_set(m, &m->not_leader, 1);
	int before = mock_get(m, &m->requests);
	struct answers b = {.loop = loop, .want = 1};
	ck_assert_int_eq(
	        drove__ectl_send(c, "POST", "/apis/v1/tasks/operations", "{}", 1, on_answer, &b),
	        0);
	ck_assert_int_eq(drove_loop_run_for(loop, 10000), 0);
	ck_assert_int_eq(b.got, 1);
	ck_assert_int_lt(b.rc[0], 0);
	ck_assert_int_gt(mock_get(m, &m->requests) - before, 1);

	/* a CREATE held until its time (fired ahead): it is not sent before, and a GET queued
	 * after it goes meanwhile */
	mock_set(m, &m->not_leader, 0);
	struct answers hp = {.loop = loop, .want = 1}, hg = {.loop = loop, .want = 1};
	int64_t t0 = drove_time_wall_ms();
	before = mock_get(m, &m->requests);
	ck_assert_int_eq(drove__ectl_send_at(c, "POST", "/apis/v1/tasks/operations", "{}", 1,
	                                     t0 + 3000, on_answer, &hp),
	                 0);
	ck_assert_int_eq(drove__ectl_send(c, "GET", "/apis/v1/tasks", NULL, 0, on_answer, &hg), 0);
	ck_assert_int_eq(drove_loop_run_for(loop, 10000), 0); /* until the GET's answer */
	ck_assert_int_eq(hg.got, 1);
	ck_assert_int_eq(hp.got, 0);
	ck_assert_uint_eq(drove__ectl_pending(c), 1);
	ck_assert_int_eq(drove_loop_run_for(loop, 10000), 0); /* until the POST's */
	ck_assert_int_eq(hp.got, 1);
	ck_assert_int_eq(hp.rc[0], 0);
	ck_assert_int_ge(drove_time_wall_ms(), t0 + 3000);
	ck_assert_int_ge(mock_get(m, &m->requests) - before, 2);

	/* freeing answers what is left, cancelled */
	struct answers d = {.loop = loop, .want = 100};
	ck_assert_int_eq(drove__ectl_send(c, "GET", "/apis/v1/tasks", NULL, 0, on_answer, &d), 0);
	drove__ectl_free(NULL);
	drove__ectl_free(c);
	ck_assert_int_eq(d.cancelled, 1);
	ck_assert_int_eq(d.got, 0);
	drove_strlist_free(eps);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	mock_stop(m);
}
END_TEST

/* A listener that takes connections (the kernel completes them) and never reads or answers:
 * a controller hung for good. @return its port; `*fd` to close. */
static int hung_listener(int *fd)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	ck_assert_int_ge(*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), 0);
	ck_assert_int_eq(bind(*fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(*fd, 64), 0);
	ck_assert_int_eq(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

struct late {
	drove_loop *loop;
	int want, got, timeouts;
	char why[256];
};

static void on_late(int rc, int status, const char *body, size_t len, const char *why,
                    int cancelled, void *ud)
{
	struct late *a = ud;
	(void)status;
	(void)body;
	(void)len;
	ck_assert_int_eq(cancelled, 0);
	if (rc == DROVE_ETIMEOUT) {
		a->timeouts++;
		snprintf(a->why, sizeof(a->why), "%s", why);
	}
	if (++a->got == a->want)
		drove_loop_stop(a->loop);
}

/* Every exchange has a deadline: a controller that never answers frees the slots it took
 * (before: until curl's operationTimeout + 5 s, which a 600 s operationTimeout made 605 s,
 * and 64 of them stopped every task CREATE), a CREATE is not sent twice by the link, and the
 * link goes on with the next ones; a ping never answered ends too. */
START_TEST(test_link_deadline_frees_slots)
{
	drove_ctx *ctx = NULL;
	drove_loop *loop = NULL;
	drove_strlist *eps = NULL;
	drove__ectl *c = NULL;
	char url[64];
	int lfd = -1;
	stub_start();
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);

	/* nothing answered, the ping included: the GET ends (no leader found) */
	ck_assert_int_eq(drove_strlist_new(&eps), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", hung_listener(&lfd));
	ck_assert_int_eq(drove_strlist_add(eps, url), 0);
	drove__ectl_opts o = {.endpoints = eps,
	                      .connect_ms = 1000,
	                      .request_ms = 300,
	                      .retries = 1,
	                      .backoff_ms = 10,
	                      .max_backoff_ms = 20,
	                      .max_inflight = 4};
	ck_assert_int_eq(drove__ectl_new(&c, ctx, loop, &o), 0);
	struct late a = {.loop = loop, .want = 1};
	ck_assert_int_eq(drove__ectl_send(c, "GET", "/apis/v1/tasks", NULL, 0, on_late, &a), 0);
	ck_assert_int_eq(drove_loop_run_for(loop, 20000), 0);
	ck_assert_int_eq(a.got, 1);
	ck_assert_int_eq(a.timeouts, 1);
	ck_assert_ptr_nonnull(strstr(a.why, "no answer in 300 ms"));
	ck_assert_uint_eq(drove__ectl_pending(c), 0);
	drove__ectl_free(c);
	drove_strlist_free(eps);
	close(lfd);

	/* the leader answers pings but no task operation: 10 CREATEs through 4 slots all end
	 * timed out, each sent once, none left in flight */
	ck_assert_int_eq(drove_strlist_new(&eps), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", stub.port);
	ck_assert_int_eq(drove_strlist_add(eps, url), 0);
	o.endpoints = eps;
	ck_assert_int_eq(drove__ectl_new(&c, ctx, loop, &o), 0);
	stub_set(&stub.hang, 1);
	struct late b = {.loop = loop, .want = 10};
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(drove__ectl_send(c, "POST", "/apis/v1/tasks/operations", "{}", 1,
		                                  on_late, &b),
		                 0);
	ck_assert_uint_le(drove__ectl_inflight(c), 4);
	ck_assert_int_eq(drove_loop_run_for(loop, 30000), 0);
	ck_assert_int_eq(b.got, 10);
	ck_assert_int_eq(b.timeouts, 10);
	ck_assert_int_eq(stub_get(&stub.hung), 10); /* once each */
	ck_assert_uint_eq(drove__ectl_inflight(c), 0);
	ck_assert_uint_eq(drove__ectl_pending(c), 0);

	/* the controller answers again: so does the link, with every slot free */
	stub_set(&stub.hang, 0);
	struct late d = {.loop = loop, .want = 4};
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(drove__ectl_send(c, "POST", "/apis/v1/tasks/operations", "{}", 1,
		                                  on_late, &d),
		                 0);
	ck_assert_int_eq(drove_loop_run_for(loop, 30000), 0);
	ck_assert_int_eq(d.got, 4);
	ck_assert_int_eq(d.timeouts, 0);
	drove__ectl_free(c);
	drove_strlist_free(eps);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	stub_stop();
}
END_TEST

/* ---- the engine ---- */

static drove_ctx *ectx;
static drove_loop *eloop;
static drove_epoch_config *ecfg;
static drove_epoch *ep;
static pthread_t ethr;
static char edir[64];

#define LEAF(name)                                                                              \
	"{\"type\":\"CONTAINER_EXECUTION\",\"taskName\":\"" name "\",\"executable\":{\"type\":" \
	"\"DOCKER\",\"url\":\"localhost/drove-test:latest\",\"dockerPullTimeout\":"             \
	"\"100 seconds\"},\"resources\":[{\"type\":\"CPU\",\"count\":1},{\"type\":\"MEMORY\","  \
	"\"sizeInMB\":32}],\"placementPolicy\":{\"type\":\"ANY\"}}"

static void *run_loop(void *arg)
{
	(void)arg;
	drove_loop_run(eloop);
	return NULL;
}

static size_t on_body(char *p, size_t s, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return s * n;
}

/* A topology firing every second, or once at `at_ms` (AT) when that is not 0. */
static long post_topology(const char *name, int64_t at_ms)
{
	char url[128], body[1024], trig[96];
	long code = 0;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/apis/v1/topologies", drove_epoch_port(ep));
	if (at_ms)
		snprintf(trig, sizeof(trig), "{\"type\":\"AT\",\"time\":%lld}", (long long)at_ms);
	else
		snprintf(trig, sizeof(trig), "{\"type\":\"CRON\",\"timeSpec\":\"* * * * * ?\"}");
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"task\":" LEAF("t") ",\"trigger\":%s}",
	         name, trig);
	CURL *h = curl_easy_init();
	struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	return code;
}

/* An engine on the store in `edir` (kept across engine_close() and engine_open()), polling
 * its runs every `poll_interval`. */
static const char *poll_interval = "300ms";
static const char *op_timeout = "600s"; /* the link's deadline: this + 5 s, at most 30 s */
static const char *more_options = "";   /* further lines of `options:` */

static void engine_open(void)
{
	char *yml = drove__asprintf(
	        "server:\n  applicationConnectors:\n    - type: http\n      port: 0\n"
	        "  adminConnectors: []\nstore:\n  dataDir: %s/store\n"
	        "drove:\n  endpoints:\n    - http://127.0.0.1:%d\n  operationTimeout: %s\n"
	        "options:\n  pollInterval: %s\n  misfireWindow: 30s\n  numRunsPerJob: 2\n%s",
	        edir, stub.port, op_timeout, poll_interval, more_options);
	ck_assert_int_eq(drove_ctx_new(&ectx), 0);
	if (getenv("EPOCH_TEST_LOG"))
		drove_ctx_set_log(ectx, DROVE_LOG_INFO, drove_log_stderr, NULL);
	ck_assert_int_eq(drove_epoch_config_load_buf(&ecfg, ectx, "epoch.yml", yml, strlen(yml)),
	                 0);
	free(yml);
	ck_assert_int_eq(drove_loop_new(&eloop, ectx), 0);
	ck_assert_int_eq(drove_epoch_new(&ep, eloop, ecfg), 0);
	ck_assert_int_eq(drove_epoch_start(ep), 0);
	ck_assert_int_eq(pthread_create(&ethr, NULL, run_loop, NULL), 0);
	for (int i = 0; i < 250 && !drove_epoch_is_leader(ep); i++)
		usleep(20 * 1000);
	ck_assert_int_eq(drove_epoch_is_leader(ep), 1);
}

static void engine_start(void)
{
	stub_start();
	snprintf(edir, sizeof(edir), "/tmp/check-epoch-async-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(edir));
	engine_open();
}

static void engine_close(void)
{
	drove_loop_stop(eloop);
	pthread_join(ethr, NULL);
	drove_epoch_stop(ep); /* the CREATEs still in flight come back cancelled */
	drove_epoch_free(ep);
	drove_loop_free(eloop);
	drove_epoch_config_free(ecfg);
	drove_ctx_free(ectx);
}

static void engine_stop(void)
{
	char cmd[128];
	engine_close();
	stub_stop();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", edir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Distinct scheduled seconds CREATEd for topology `name` ("name-SR-..."). */
static int seconds_of(const char *name)
{
	char pre[64];
	int n = 0;
	snprintf(pre, sizeof(pre), "%s-SR-", name);
	pthread_mutex_lock(&stub.mu);
	for (size_t i = 0; i < stub.nids; i++)
		n += !strncmp(stub.ids[i], pre, strlen(pre));
	pthread_mutex_unlock(&stub.mu);
	return n;
}

/* Wait (up to `ms`) until each of topologies `prefix`0 .. `prefix`n-1 has CREATEs for `want`
 * seconds;
 * @return the fewest seconds any of them has. */
static int wait_seconds(const char *prefix, int n, int want, int64_t ms)
{
	char name[32];
	int64_t deadline = drove_time_mono_ms() + ms;
	int low = 0;
	while (drove_time_mono_ms() < deadline) {
		low = 1 << 30;
		for (int i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "%s%d", prefix, i);
			int s = seconds_of(name);
			if (s < low)
				low = s;
		}
		if (low >= want)
			break;
		usleep(200 * 1000);
	}
	return low;
}

START_TEST(test_many_in_one_second_created_once)
{
	/* under valgrind (scripts/test.sh sets DROVE_UNDER_VALGRIND) everything runs ~30x slower:
	 * fewer topologies and a longer bound, the same property */
	const bool slow = getenv("DROVE_UNDER_VALGRIND") != NULL;
	const int N = slow ? 20 : 300;
	char name[32];
	engine_start();
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "many-%d", i);
		ck_assert_int_eq(post_topology(name, 0), 200);
	}
	/* every topology fires in the same seconds: wait for three of each */
	ck_assert_int_ge(wait_seconds("many-", N, 3, slow ? 100000 : 60000), 3);
	ck_assert_int_eq(stub_get(&stub.dup), 0);   /* no task id CREATEd twice */
	ck_assert_int_eq(stub_get(&stub.early), 0); /* nor before its scheduled time */
	engine_stop();
}
END_TEST

START_TEST(test_slow_creates_do_not_hold_up_others)
{
	char name[32];
	engine_start();
	/* more unanswered CREATEs than the 4 blocking workers of before (AT: once each) */
	int64_t at = drove_time_wall_ms() + 1500;
	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "slow-%d", i);
		ck_assert_int_eq(post_topology(name, at), 200);
	}
	int64_t deadline = drove_time_mono_ms() + 30000;
	while (stub_get(&stub.slow_creates) < 8 && drove_time_mono_ms() < deadline)
		usleep(100 * 1000);
	ck_assert_int_ge(stub_get(&stub.slow_creates), 8);
	/* with those in flight (unanswered), other topologies are still created every second */
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "fast-%d", i);
		ck_assert_int_eq(post_topology(name, 0), 200);
	}
	ck_assert_int_ge(wait_seconds("fast-", 20, 3, 30000), 3);
	/* the slow ones still wait for their answer, and were not sent twice */
	ck_assert_int_eq(stub_get(&stub.slow_creates), 8);
	ck_assert_int_eq(stub_get(&stub.dup), 0);
	engine_stop();
}
END_TEST

/* How many CREATEs task id `id` got. */
static int creates_of(const char *id)
{
	int n = 0;
	pthread_mutex_lock(&stub.mu);
	for (size_t i = 0; i < stub.nids; i++)
		if (!strcmp(stub.ids[i], id))
			n = stub.counts[i];
	pthread_mutex_unlock(&stub.mu);
	return n;
}

/* A new leader reads the stored topologies and their runs in a pipeline (epoch/load.c): it
 * reports itself leader only once all are read, every topology goes on firing, and a run
 * left RUNNING (its leader died before its final record) is followed again. */
START_TEST(test_new_leader_reads_topologies_and_runs)
{
	const bool slow = getenv("DROVE_UNDER_VALGRIND") != NULL;
	const int N = slow ? 10 : 50;
	char name[32], path[256];
	engine_start();
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "load-%d", i);
		ck_assert_int_eq(post_topology(name, 0), 200);
	}
	int before = wait_seconds("load-", N, 2, slow ? 100000 : 60000);
	ck_assert_int_ge(before, 2);
	engine_close();

	/* a run a dead leader left RUNNING, written into the store while no engine runs */
	drove_ctx *ctx = NULL;
	drove_loop *loop = NULL;
	drove_store_opts *so = NULL;
	drove_store *st = NULL;
	const char *run = "{\"topologyId\":\"load-0\",\"runId\":\"SR-1000\",\"state\":"
	                  "\"RUNNING\",\"tasks\":{},\"runType\":\"SCHEDULED\",\"created\":"
	                  "1000000,\"updated\":1000000}";
	snprintf(path, sizeof(path), "%s/store", edir);
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	ck_assert_int_eq(drove_store_opts_new(&so), 0);
	ck_assert_int_eq(drove_store_opts_set_local(so, path), 0);
	ck_assert_int_eq(drove_store_open(&st, loop, so), 0);
	ck_assert_int_eq(drove_store_create(st, "/runs/load-0/SR-1000", run, strlen(run),
	                                    DROVE_STORE_PERSISTENT, NULL),
	                 0);
	/* and a run it fenced in a fire record (for a time 5 s into its downtime) but had not
	 * recorded on its own yet: the new leader follows it, and neither fires that time
	 * again nor records it SKIPPED */
	char fired[64], fired_id[64];
	long long fired_s = drove_time_wall_ms() / 1000 + 5;
	snprintf(fired, sizeof(fired), "[\"load-2/SR-%lld\"]", fired_s);
	snprintf(fired_id, sizeof(fired_id), "load-2-SR-%lld-t", fired_s);
	ck_assert_int_eq(drove_store_create(st, "/epoch/fired/F9-1-0", fired, strlen(fired),
	                                    DROVE_STORE_PERSISTENT | DROVE_STORE_PARENTS, NULL),
	                 0);
	drove_store_close(st);

	/* 10 s without a leader: each topology's missed times within the misfire window are
	 * recorded SKIPPED but the newest, which fires */
	sleep(10);
	engine_open(); /* leader: every topology read */
	ck_assert_int_ge(wait_seconds("load-", N, before + 2, slow ? 100000 : 60000), before + 2);
	int64_t deadline = drove_time_mono_ms() + 30000;
	while (!creates_of("load-0-SR-1000-t") && drove_time_mono_ms() < deadline)
		usleep(100 * 1000);
	ck_assert_int_eq(creates_of("load-0-SR-1000-t"), 1);
	while (!creates_of(fired_id) && drove_time_mono_ms() < deadline)
		usleep(100 * 1000);
	ck_assert_int_eq(creates_of(fired_id), 1);
	/* retention (numRunsPerJob 2) counts the SKIPPED runs too: a few runs later they are
	 * gone, not left for the hourly trim (before: 9 or more SKIPPED records stayed) */
	ck_assert_int_ge(wait_seconds("load-", N, before + 5, slow ? 100000 : 60000), before + 5);
	usleep(500 * 1000); /* the last record flush */
	engine_close();
	drove_strlist *runs = NULL;
	ck_assert_int_eq(drove_store_open(&st, loop, so), 0);
	ck_assert_int_eq(drove_store_children(st, "/runs/load-1", &runs), 0);
	ck_assert_msg(drove_strlist_count(runs) < 8, "%zu runs kept for load-1",
	              drove_strlist_count(runs));
	drove_strlist_free(runs);
	/* the run the dead leader's fire record named has its own record by now: the fire
	 * record is gone (those of this leader's last ticks may not be yet) */
	ck_assert_int_eq(creates_of(fired_id), 1);
	ck_assert_int_eq(drove_store_children(st, "/epoch/fired", &runs), 0);
	ck_assert(!drove_strlist_contains(runs, "F9-1-0"));
	drove_strlist_free(runs);
	drove_store_close(st);
	drove_store_opts_free(so);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	stub_stop();
	snprintf(path, sizeof(path), "rm -rf '%s'", edir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

/* Another leader's fence: /epoch/term written again (same term, a new version), as a leader
 * taking over does; the engine's next fire record write is refused and it steps down. */
static void move_fence(void)
{
	char *term = NULL;
	ck_assert_int_eq(drove_store_get(ep->store, "/epoch/term", &term, NULL, NULL), 0);
	ck_assert_int_eq(drove_store_set(ep->store, "/epoch/term", term, strlen(term), -1, NULL),
	                 0);
	drove_free(term);
}

/* The fence moved under a leader firing every second (fire records outstanding, run records
 * queued and being written, CREATEs and polls in flight, CREATEs never answered): each time
 * it drops every run (drove__eruns_drop) with all of that in flight, contends again, leads
 * again and goes on firing. Under ASan: a run, record or fire record used or freed after the
 * drop fails here. */
START_TEST(test_fence_moves_while_firing)
{
	const bool slow = getenv("DROVE_UNDER_VALGRIND") != NULL;
	const int N = slow ? 10 : 100;
	char name[32];
	engine_start();
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "moved-%d", i);
		ck_assert_int_eq(post_topology(name, 0), 200);
	}
	/* never answered: START jobs stay in flight (once each: they hold the link's slots) */
	int64_t at = drove_time_wall_ms() + 1000;
	for (int i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "slow-m%d", i);
		ck_assert_int_eq(post_topology(name, at), 200);
	}
	ck_assert_int_ge(wait_seconds("moved-", N, 2, slow ? 100000 : 60000), 2);
	for (int k = 0; k < 6; k++) {
		int led = 0;
		move_fence();
		/* stepped down on its next fire record, then leads again. drove_epoch_is_leader()
		 * reads the flag the loop publishes: a step-down and a new lead between two of its
		 * publications is not seen here, so the wait for the drop is short (with 30 s, six
		 * unseen drops outlasted the case's timeout in CI) */
		int64_t deadline = drove_time_mono_ms() + 3000;
		while (drove_epoch_is_leader(ep) && drove_time_mono_ms() < deadline)
			usleep(5 * 1000);
		deadline = drove_time_mono_ms() + 30000;
		while (!(led = drove_epoch_is_leader(ep)) && drove_time_mono_ms() < deadline)
			usleep(20 * 1000);
		ck_assert_msg(led, "not leading again after the fence moved (%d)", k);
		usleep((useconds_t)(100 + 150 * k) * 1000); /* a different moment in the tick */
	}
	int now = wait_seconds("moved-", N, 1 << 30, 1);
	ck_assert_int_ge(wait_seconds("moved-", N, now + 2, slow ? 100000 : 60000), now + 2);
	engine_stop();
}
END_TEST

/* drove_epoch_is_leader() from another thread while the loop loses and regains leadership
 * (the fence moves: the engine cancels and frees its election, contends again). Before, it
 * read the election object the loop frees: under ASan a use after free, under TSan a race.
 * Now it reads a flag the loop publishes. */
static struct {
	volatile int stop;
	long calls, lost, regained;
} watcher;

static void *watch_leader(void *arg)
{
	int last = 1;
	(void)arg;
	while (!__atomic_load_n(&watcher.stop, __ATOMIC_ACQUIRE)) {
		int now = drove_epoch_is_leader(ep);
		ck_assert(now == 0 || now == 1);
		if (last && !now)
			watcher.lost++;
		else if (!last && now)
			watcher.regained++;
		last = now;
		watcher.calls++;
		sched_yield();
	}
	return NULL;
}

START_TEST(test_is_leader_from_another_thread)
{
	pthread_t thr;
	char name[32];
	engine_start();
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "watched-%d", i);
		ck_assert_int_eq(post_topology(name, 0), 200);
	}
	memset(&watcher, 0, sizeof(watcher));
	ck_assert_int_eq(pthread_create(&thr, NULL, watch_leader, NULL), 0);
	for (int k = 0; k < 4; k++) {
		int led = 0;
		move_fence(); /* stepped down on the next fire record, then leads again */
		/* this thread sees the loss and the return */
		int64_t deadline = drove_time_mono_ms() + 30000;
		while (drove_epoch_is_leader(ep) && drove_time_mono_ms() < deadline)
			usleep(2 * 1000);
		while (!(led = drove_epoch_is_leader(ep)) && drove_time_mono_ms() < deadline)
			usleep(5 * 1000);
		ck_assert_msg(led, "not leading again after the fence moved (%d)", k);
	}
	__atomic_store_n(&watcher.stop, 1, __ATOMIC_RELEASE);
	ck_assert_int_eq(pthread_join(thr, NULL), 0);
	/* it called all along (how many losses it caught depends on the scheduler: not asserted) */
	ck_assert_int_gt(watcher.calls, 0);
	ck_assert_int_le(watcher.lost, watcher.regained + 1);
	engine_stop();
}
END_TEST

/* GET `path` on the engine: the HTTP status, the body in `*out` (free it). */
struct body {
	char *p;
	size_t n;
};

static size_t keep_body(char *p, size_t s, size_t n, void *ud)
{
	struct body *b = ud;
	char *q = realloc(b->p, b->n + s * n + 1);
	if (!q)
		return 0;
	memcpy(q + b->n, p, s * n);
	b->n += s * n;
	q[b->n] = '\0';
	b->p = q;
	return s * n;
}

static long get(const char *path, char **out)
{
	char url[256];
	struct body b = {NULL, 0};
	long code = 0;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/apis/v1%s", drove_epoch_port(ep), path);
	CURL *h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	*out = b.p;
	return code;
}

/* A run fenced by a fire record has no record of its own until its first poll (a minute
 * here): the leader answers it from memory, in the list and on its own, as RUNNING with its
 * task (before: "No run exists" and missing from the list until the record was written). */
START_TEST(test_fired_run_readable_at_once)
{
	char *out = NULL, path[160], task[96];
	poll_interval = "60s";
	engine_start();
	ck_assert_int_eq(post_topology("early", 0), 200);
	int64_t deadline = drove_time_mono_ms() + 30000;
	while (!seconds_of("early") && drove_time_mono_ms() < deadline)
		usleep(20 * 1000);
	ck_assert_int_ge(seconds_of("early"), 1);
	pthread_mutex_lock(&stub.mu);
	for (size_t i = 0; i < stub.nids; i++)
		if (!strncmp(stub.ids[i], "early-SR-", 9))
			snprintf(task, sizeof(task), "%s", stub.ids[i]);
	pthread_mutex_unlock(&stub.mu);
	/* "early-SR-<s>-t": the run is SR-<s> */
	char *rid = task + 6;
	*strrchr(rid, '-') = '\0';
	snprintf(path, sizeof(path), "/topologies/early/runs/%s", rid);
	ck_assert_int_eq(get(path, &out), 200);
	ck_assert_ptr_nonnull(strstr(out, "\"status\":\"SUCCESS\""));
	ck_assert_ptr_nonnull(strstr(out, "\"state\":\"RUNNING\""));
	ck_assert_ptr_nonnull(strstr(out, "\"runType\":\"SCHEDULED\""));
	ck_assert_ptr_nonnull(strstr(out, "\"taskId\":\"early-SR-"));
	ck_assert_ptr_nonnull(strstr(out, rid));
	free(out);
	ck_assert_int_eq(get("/topologies/early/runs", &out), 200);
	ck_assert_ptr_nonnull(strstr(out, rid));
	free(out);
	ck_assert_int_eq(get("/topologies/early/runs?state=RUNNING", &out), 200);
	ck_assert_ptr_nonnull(strstr(out, rid));
	free(out);
	ck_assert_int_eq(get("/topologies/early/runs?state=FAILED", &out), 200);
	ck_assert_ptr_null(strstr(out, rid));
	free(out);
	snprintf(path, sizeof(path), "/topologies/early/runs/%s-no", rid);
	ck_assert_int_eq(get(path, &out), 200); /* Drove's "not found": FAILED in a 200 */
	ck_assert_ptr_nonnull(strstr(out, "\"status\":\"FAILED\""));
	free(out);
	engine_stop();
	poll_interval = "300ms";
}
END_TEST

/* PUT `path` on the engine (no body): the HTTP status. */
static long put(const char *path)
{
	char url[256];
	long code = 0;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/apis/v1%s", drove_epoch_port(ep), path);
	CURL *h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	return code;
}

/* A controller that takes the engine's requests and answers none but pings: more task
 * CREATEs than the link's 64 slots hang. Past the deadline (operationTimeout 1 s + 5 s) the
 * slots are free again and CREATEs go on being sent (before, with 64 unanswered, none ever
 * was again); once the controller answers, each hung CREATE is sent again, "Task already
 * exists" counts as started, the runs end SUCCESSFUL, and no slot is left taken. */
START_TEST(test_unanswered_creates_free_their_slots)
{
	/* under valgrind each POST takes most of a second: the AT time is further out */
	const bool slow = getenv("DROVE_UNDER_VALGRIND") != NULL;
	const int N = 70;
	char name[32], path[96], *out = NULL;
	op_timeout = "1s";
	engine_start();
	stub_set(&stub.hang, 1);
	stub_set(&stub.exists, 1);
	int64_t at = drove_time_wall_ms() + (slow ? 150000 : 3000);
	for (int i = 0; i < N; i++) { /* AT: one run each */
		snprintf(name, sizeof(name), "hung-%d", i);
		ck_assert_int_eq(post_topology(name, at), 200);
	}
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "steady-%d", i);
		ck_assert_int_eq(post_topology(name, 0), 200);
	}
	/* every hung CREATE reached the controller, the steady ones' go on after them: more
	 * POSTs than slots were sent, so slots were freed */
	int64_t deadline = drove_time_mono_ms() + (slow ? 400000 : 60000);
	while (stub_get(&stub.hung) < 64 + 2 * N && drove_time_mono_ms() < deadline)
		usleep(100 * 1000);
	ck_assert_int_ge(stub_get(&stub.hung), 64 + 2 * N);
	stub_set(&stub.hang, 0);
	int now = wait_seconds("steady-", 3, 1 << 30, 1);
	ck_assert_int_ge(wait_seconds("steady-", 3, now + 3, slow ? 200000 : 60000), now + 3);
	/* the AT runs: CREATE sent again, "Task already exists", followed to SUCCESSFUL (not
	 * under valgrind: there a run may use its 10 CREATE tries while the controller hangs,
	 * and end FAILED, as it should) */
	for (int i = 0; i < N && !slow; i++) {
		int ok = 0;
		snprintf(path, sizeof(path), "/topologies/hung-%d/runs?state=SUCCESSFUL", i);
		for (deadline = drove_time_mono_ms() + 30000;
		     !ok && drove_time_mono_ms() < deadline;) {
			ck_assert_int_eq(get(path, &out), 200);
			ok = strstr(out, "\"runId\"") != NULL;
			free(out);
			if (!ok)
				usleep(100 * 1000);
		}
		ck_assert_msg(ok, "hung-%d: no SUCCESSFUL run", i);
	}
	ck_assert_int_gt(stub_get(&stub.dup), 0); /* sent again */
	/* paused, the steady runs end; then nothing is left in flight or queued */
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/topologies/steady-%d/pause", i);
		ck_assert_int_eq(put(path), 200);
	}
	size_t left = 1;
	for (deadline = drove_time_mono_ms() + (slow ? 200000 : 30000);
	     left && drove_time_mono_ms() < deadline;) {
		usleep(300 * 1000);
		drove_loop_stop(eloop); /* read on no thread but this one */
		pthread_join(ethr, NULL);
		left = drove__ectl_inflight(ep->ctl) + drove__ectl_pending(ep->ctl);
		ck_assert_int_eq(pthread_create(&ethr, NULL, run_loop, NULL), 0);
	}
	ck_assert_uint_eq(left, 0);
	engine_stop();
	op_timeout = "600s";
}
END_TEST

/* The CREATEs the stub took (every task id, each time). */
static int creates_total(void)
{
	pthread_mutex_lock(&stub.mu);
	int n = stub.fast_creates + stub.slow_creates;
	pthread_mutex_unlock(&stub.mu);
	return n;
}

/* Backpressure: while `maxActiveRuns` runs are not finished (here their tasks never end), the
 * leader fires nothing more, instead of following ever more runs (each holds memory until its
 * task is polled to its end and cleaned up); once they end, it fires again. */
START_TEST(test_active_runs_bound_firing)
{
	const bool slow = getenv("DROVE_UNDER_VALGRIND") != NULL;
	const int N = 40;
	char name[32];
	more_options = "  maxActiveRuns: 64\n";
	engine_start();
	stub_set(&stub.running, 1);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "busy-%d", i);
		ck_assert_int_eq(post_topology(name, 0), 200);
	}
	/* up to 40 runs a second (fewer while the topologies are being posted): the leader
	 * reaches 64 runs under way within a few ticks, then waits */
	const int BOUND = 64;
	int64_t deadline = drove_time_mono_ms() + (slow ? 120000 : 30000);
	while (creates_total() < BOUND && drove_time_mono_ms() < deadline)
		usleep(100 * 1000);
	ck_assert_int_ge(creates_total(), BOUND);
	usleep(slow ? 10000 * 1000 : 3000 * 1000); /* 3 more ticks at least */
	int held = creates_total();
	ck_assert_int_lt(held, BOUND + N); /* a tick fires only below the bound */
	usleep(slow ? 10000 * 1000 : 3000 * 1000);
	ck_assert_int_eq(creates_total(), held); /* nothing fired meanwhile */
	drove_loop_stop(eloop);                  /* read on no thread but this one */
	pthread_join(ethr, NULL);
	ck_assert_uint_eq(ep->nlive, (size_t)held);
	ck_assert_int_ne(ep->throttled_ms, 0);
	ck_assert_int_eq(pthread_create(&ethr, NULL, run_loop, NULL), 0);
	/* the tasks end: the runs finish and firing goes on (the times missed meanwhile
	 * follow the misfire rule) */
	stub_set(&stub.running, 0);
	ck_assert_int_ge(wait_seconds("busy-", N, 4, slow ? 200000 : 60000), 4);
	ck_assert_int_gt(creates_total(), held);
	ck_assert_int_eq(stub_get(&stub.dup), 0);
	engine_stop();
	more_options = "";
}
END_TEST

Suite *epoch_async_suite(void)
{
	Suite *s = suite_create("epoch_async");
	TCase *tc = tcase_create("async");
	tcase_set_timeout(tc, 110);
	tcase_add_test(tc, test_link_leader_and_retries);
	tcase_add_test(tc, test_link_deadline_frees_slots);
	tcase_add_test(tc, test_many_in_one_second_created_once);
	tcase_add_test(tc, test_slow_creates_do_not_hold_up_others);
	tcase_add_test(tc, test_new_leader_reads_topologies_and_runs);
	suite_add_tcase(s, tc);
	tc = tcase_create("fence");
	tcase_set_timeout(tc, 240); /* 45-75 s alone here; CI's load doubles it */
	tcase_add_test(tc, test_fence_moves_while_firing);
	tcase_add_test(tc, test_is_leader_from_another_thread);
	suite_add_tcase(s, tc);
	tc = tcase_create("reads");
	tcase_set_timeout(tc, 110);
	tcase_add_test(tc, test_fired_run_readable_at_once);
	suite_add_tcase(s, tc);
	tc = tcase_create("deadline");
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_unanswered_creates_free_their_slots);
	suite_add_tcase(s, tc);
	tc = tcase_create("backpressure");
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_active_runs_bound_firing);
	suite_add_tcase(s, tc);
	return s;
}
