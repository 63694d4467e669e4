/*
 * The asynchronous HTTP client (libdrove/http/client.c) against a libevent evhttp server on
 * its own thread on 127.0.0.1 that answers every request 200 with a small JSON body: N
 * exchanges, K in flight, alternately a POST with a ~1 KiB JSON body and a GET, with the
 * headers Epoch's link to the controller sends (docs/benchmarks.md, "HTTP client").
 *
 *   bench_http_client [exchanges, default 100000] [in flight, default 64]
 *
 * Prints req_per_s (wall clock), cpu_us_per_req (getrusage of the whole process, the server
 * thread included), loop_cpu_us_per_req (CPU time of the client's loop thread alone, which is
 * what the client costs its users), the RSS at the end and heap_mib, the bytes malloc has
 * handed out once every exchange is done (the client and its idle connections still open).
 */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include <drove/drove.h>

#include "bench_common.h"
#include "core/internal.h"
#include "http/client.h"

#define REPLY "{\"status\":\"SUCCESS\",\"data\":{\"taskId\":\"t-1\"},\"message\":\"success\"}"

static struct event_base *srv_base;
static pthread_t srv_thread;
static int srv_exited;

static void on_request(struct evhttp_request *req, void *ud)
{
	struct evbuffer *b = evbuffer_new();
	(void)ud;
	evbuffer_add(b, REPLY, sizeof(REPLY) - 1);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	                  "application/json");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void *srv_run(void *arg)
{
	(void)arg;
	event_base_loop(srv_base, EVLOOP_NO_EXIT_ON_EMPTY);
	__atomic_store_n(&srv_exited, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

struct bench {
	drove_loop *loop;
	drove__http_client *client;
	char post_url[96], get_url[96];
	char body[1100];
	long total, sent, done, failed;
	int first_error;
};

static int send_one(struct bench *b);

static void on_done(const drove__http_response *resp, void *ud)
{
	struct bench *b = ud;

	b->done++;
	if (resp->error || resp->status != 200) {
		if (!b->failed++)
			fprintf(stderr, "exchange failed: status %d error %d %s\n", resp->status,
			        resp->error, resp->errtext);
	}
	if (b->sent < b->total && send_one(b) < 0 && !b->first_error)
		b->first_error = 1;
	if (b->done == b->total || b->first_error)
		drove_loop_stop(b->loop);
}

static int send_one(struct bench *b)
{
	static const char *const post_hdrs[] = {
	        "Authorization: Basic YWRtaW46YWRtaW4=", "Accept: application/json",
	        "Content-Type: application/json", NULL};
	static const char *const get_hdrs[] = {
	        "Authorization: Basic YWRtaW46YWRtaW4=", "Accept: application/json", NULL};
	int post = b->sent % 2 == 0;
	drove__http_request req = {.method = post ? "POST" : "GET",
	                           .url = post ? b->post_url : b->get_url,
	                           .headers = post ? post_hdrs : get_hdrs,
	                           .body = post ? b->body : NULL,
	                           .body_len = post ? strlen(b->body) : 0,
	                           .connect_timeout_ms = 5000,
	                           .timeout_ms = 30000,
	                           .on_done = on_done,
	                           .userdata = b};
	b->sent++;
	return drove__http_send(b->client, &req, NULL);
}

static int64_t thread_cpu_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t proc_cpu_us(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

int main(int argc, char **argv)
{
	struct bench b = {0};
	long inflight = argc > 2 ? atol(argv[2]) : 64;
	struct evhttp *http;
	drove_ctx *ctx;
	int64_t t0, c0, l0, wall, cpu, lcpu;
	int port;
	size_t n;

	b.total = argc > 1 ? atol(argv[1]) : 100000;
	if (b.total <= 0 || inflight <= 0) {
		fprintf(stderr, "usage: bench_http_client [exchanges] [in flight]\n");
		return 2;
	}
	if (drove__global_init() < 0 || (port = bench_free_port()) < 0)
		return 1;
	srv_base = event_base_new();
	http = evhttp_new(srv_base);
	if (!srv_base || !http || evhttp_bind_socket(http, "127.0.0.1", (uint16_t)port) < 0) {
		fprintf(stderr, "cannot listen on 127.0.0.1:%d\n", port);
		return 1;
	}
	evhttp_set_gencb(http, on_request, NULL);
	pthread_create(&srv_thread, NULL, srv_run, NULL);

	snprintf(b.post_url, sizeof(b.post_url), "http://127.0.0.1:%d/apis/v1/tasks/operations",
	         port);
	snprintf(b.get_url, sizeof(b.get_url),
	         "http://127.0.0.1:%d/apis/v1/tasks/EPOCH/t-12345-SR-1765000000", port);
	n = (size_t)snprintf(b.body, sizeof(b.body),
	                     "{\"type\":\"CREATE\",\"spec\":{\"type\":\"TASK\",\"sourceAppName\":"
	                     "\"EPOCH\",\"taskId\":\"t-12345-SR-1765000000\",\"args\":[");
	while (n < 1000)
		n += (size_t)snprintf(b.body + n, sizeof(b.body) - n, "\"arg%04zu\",", n);
	snprintf(b.body + n - 1, sizeof(b.body) - n + 1, "]}}");

	if (drove_ctx_new(&ctx) < 0 || drove_loop_new(&b.loop, ctx) < 0 ||
	    drove__http_client_new(&b.client, b.loop) < 0) {
		fprintf(stderr, "client setup failed: %s\n", drove_error_last()->message);
		return 1;
	}
	t0 = bench_now_ms();
	c0 = proc_cpu_us();
	l0 = thread_cpu_us(); /* this thread runs the client's loop */
	for (long i = 0; i < inflight && b.sent < b.total; i++)
		if (send_one(&b) < 0) {
			fprintf(stderr, "send failed: %s\n", drove_error_last()->message);
			return 1;
		}
	drove_loop_run(b.loop);
	lcpu = thread_cpu_us() - l0;
	cpu = proc_cpu_us() - c0;
	wall = bench_now_ms() - t0;
	if (b.first_error || b.done != b.total) {
		fprintf(stderr, "stopped after %ld of %ld exchanges\n", b.done, b.total);
		return 1;
	}
	printf("http_client: exchanges=%ld inflight=%ld req_per_s=%.0f cpu_us_per_req=%.1f "
	       "loop_cpu_us_per_req=%.1f rss_mib=%.1f heap_mib=%.1f failed=%ld\n",
	       b.total, inflight, wall > 0 ? (double)b.total * 1000.0 / (double)wall : 0.0,
	       (double)cpu / (double)b.total, (double)lcpu / (double)b.total,
	       (double)bench_rss_kb() / 1024.0, (double)mallinfo2().uordblks / 1048576.0, b.failed);

	drove__http_client_free(b.client);
	drove_loop_free(b.loop);
	drove_ctx_free(ctx);
	while (!__atomic_load_n(&srv_exited, __ATOMIC_SEQ_CST)) {
		event_base_loopbreak(srv_base);
		usleep(1000);
	}
	pthread_join(srv_thread, NULL);
	evhttp_free(http);
	event_base_free(srv_base);
	return b.failed ? 1 : 0;
}
