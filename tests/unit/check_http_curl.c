/* The asynchronous HTTP client against a tiny evhttp server on 127.0.0.1:0 (own thread). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include <drove/clock.h>
#include <drove/ctx.h>
#include <drove/loop.h>
#include "core/internal.h"
#include "http/client.h"
#include "harness.h"

/* ---- the server ---- */

static struct event_base *srv_base;
static struct evhttp *srv_http;
static pthread_t srv_thread;
static int srv_port;
static char url[128];
static char srv_sock[108]; /* the same server on a unix socket */

struct chunker {
	struct chunker *next;
	struct evhttp_request *req;
	struct event *ev;
	int left;
};
static struct chunker *chunkers; /* active chunked replies (server thread only) */
static int nchunkers;            /* their number (atomic: read by the test thread) */
static int srv_exited;

static void chunker_free(struct chunker *ch)
{
	struct chunker **pp = &chunkers;
	while (*pp && *pp != ch)
		pp = &(*pp)->next;
	if (*pp)
		*pp = ch->next;
	__atomic_sub_fetch(&nchunkers, 1, __ATOMIC_SEQ_CST);
	event_free(ch->ev);
	free(ch);
}

static void send_text(struct evhttp_request *req, int code, const char *text)
{
	struct evbuffer *b = evbuffer_new();
	evbuffer_add(b, text, strlen(text));
	evhttp_add_header(evhttp_request_get_output_headers(req), "X-Test", "yes");
	evhttp_send_reply(req, code, code == 200 ? "OK" : "Err", b);
	evbuffer_free(b);
}

static void slow_reply(evutil_socket_t fd, short what, void *arg)
{
	send_text(arg, 200, "late");
}

static void chunk_tick(evutil_socket_t fd, short what, void *arg)
{
	struct chunker *ch = arg;
	struct timeval tv = {0, 20000};
	if (!evhttp_request_get_connection(ch->req)) {
		/* the client went away: libevent left the request to us; this frees it */
		evhttp_send_reply_end(ch->req);
		chunker_free(ch);
		return;
	}
	if (ch->left-- > 0) {
		struct evbuffer *b = evbuffer_new();
		evbuffer_add_printf(b, "chunk%d;", 4 - ch->left);
		evhttp_send_reply_chunk(ch->req, b);
		evbuffer_free(b);
		evtimer_add(ch->ev, &tv);
		return;
	}
	evhttp_send_reply_end(ch->req);
	chunker_free(ch);
}

static void shut_write(evutil_socket_t unused, short what, void *arg)
{
	shutdown((int)(intptr_t)arg, SHUT_WR);
}

static void handle(struct evhttp_request *req, void *arg)
{
	const char *uri = evhttp_request_get_uri(req);

	if (strcmp(uri, "/ok") == 0) {
		send_text(req, 200, "hello");
	} else if (strcmp(uri, "/echo") == 0) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		struct evbuffer *b = evbuffer_new();
		evbuffer_add_printf(b, "%d:", (int)evhttp_request_get_command(req));
		evbuffer_add_buffer(b, in);
		evhttp_send_reply(req, 200, "OK", b);
		evbuffer_free(b);
	} else if (strcmp(uri, "/slow") == 0) {
		struct timeval tv = {3, 0};
		event_base_once(srv_base, -1, EV_TIMEOUT, slow_reply, req, &tv);
	} else if (strcmp(uri, "/stream") == 0 || strcmp(uri, "/forever") == 0) {
		struct chunker *ch = calloc(1, sizeof(*ch));
		struct timeval tv = {0, 20000};
		ch->req = req;
		ch->left = strcmp(uri, "/stream") == 0 ? 5 : 50; /* "forever": 1 s */
		ch->ev = evtimer_new(srv_base, chunk_tick, ch);
		ch->next = chunkers;
		chunkers = ch;
		__atomic_add_fetch(&nchunkers, 1, __ATOMIC_SEQ_CST);
		evhttp_send_reply_start(req, 200, "OK");
		evtimer_add(ch->ev, &tv);
	} else if (strcmp(uri, "/probe") == 0) {
		/* what reached the server: method, X-Custom, transport, body length */
		struct evhttp_connection *conn = evhttp_request_get_connection(req);
		int fd = bufferevent_getfd(evhttp_connection_get_bufferevent(conn));
		const char *x =
		        evhttp_find_header(evhttp_request_get_input_headers(req), "X-Custom");
		struct sockaddr_storage sa;
		socklen_t len = sizeof(sa);
		char text[128];
		sa.ss_family = AF_UNSPEC;
		getsockname(fd, (struct sockaddr *)&sa, &len);
		snprintf(text, sizeof(text), "%d:%s:%s:%zu", (int)evhttp_request_get_command(req),
		         x ? x : "none", sa.ss_family == AF_UNIX ? "unix" : "tcp",
		         evbuffer_get_length(evhttp_request_get_input_buffer(req)));
		send_text(req, 200, text);
	} else if (strcmp(uri, "/close") == 0) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		send_text(req, 200, "bye");
	} else if (strcmp(uri, "/close-later") == 0) {
		/* the connection stays open after the reply, then the server ends it while it
		 * idles in the client's cache */
		struct evhttp_connection *conn = evhttp_request_get_connection(req);
		intptr_t fd = bufferevent_getfd(evhttp_connection_get_bufferevent(conn));
		struct timeval tv = {0, 20000};
		send_text(req, 200, "later");
		event_base_once(srv_base, -1, EV_TIMEOUT, shut_write, (void *)fd, &tv);
	} else if (strcmp(uri, "/big") == 0) {
		char *big = malloc(100001);
		memset(big, 'b', 100000);
		big[100000] = '\0';
		send_text(req, 200, big);
		free(big);
	} else {
		send_text(req, 404, "nope");
	}
}

static void *srv_run(void *arg)
{
	event_base_loop(srv_base, EVLOOP_NO_EXIT_ON_EMPTY);
	__atomic_store_n(&srv_exited, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void srv_start(void)
{
	struct evhttp_bound_socket *bs;
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	ck_assert_int_eq(drove__global_init(), 0);
	/* a late reply (/slow) to a client that gave up must not kill the test process */
	signal(SIGPIPE, SIG_IGN);
	srv_exited = 0;
	srv_base = event_base_new();
	srv_http = evhttp_new(srv_base);
	bs = evhttp_bind_socket_with_handle(srv_http, "127.0.0.1", 0);
	ck_assert_ptr_nonnull(bs);
	getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&sa, &len);
	srv_port = ntohs(sa.sin_port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv_port);
	evhttp_set_gencb(srv_http, handle, NULL);
	{
		struct sockaddr_un su = {.sun_family = AF_UNIX};
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		snprintf(srv_sock, sizeof(srv_sock), "/tmp/drove-check-http-%d.sock",
		         (int)getpid());
		snprintf(su.sun_path, sizeof(su.sun_path), "%s", srv_sock);
		unlink(srv_sock);
		ck_assert_int_eq(bind(fd, (struct sockaddr *)&su, sizeof(su)), 0);
		ck_assert_int_eq(listen(fd, 16), 0);
		ck_assert_ptr_nonnull(evhttp_accept_socket_with_handle(srv_http, fd));
	}
	pthread_create(&srv_thread, NULL, srv_run, NULL);
}

static void srv_stop(void)
{
	/* let streamed replies end (or notice their client left), so nothing leaks */
	for (int i = 0; i < 500 && __atomic_load_n(&nchunkers, __ATOMIC_SEQ_CST); i++)
		usleep(10000);
	while (!__atomic_load_n(&srv_exited, __ATOMIC_SEQ_CST)) {
		event_base_loopbreak(srv_base); /* lost if the loop had not started yet: retry */
		usleep(1000);
	}
	pthread_join(srv_thread, NULL);
	while (chunkers) { /* replies still streaming to a live client: end them */
		struct chunker *ch = chunkers;
		evhttp_send_reply_end(ch->req);
		chunker_free(ch);
	}
	evhttp_free(srv_http);
	event_base_free(srv_base);
	unlink(srv_sock);
}

/* "/forever": a plain socket server (own thread) that streams chunks until the client
 * leaves, so that a cancelled stream leaves nothing half-done inside libevent. */
static int raw_fd = -1, raw_port, raw_stop;
static pthread_t raw_thread;

static void *raw_run(void *arg)
{
	while (!__atomic_load_n(&raw_stop, __ATOMIC_SEQ_CST)) {
		struct pollfd p = {.fd = raw_fd, .events = POLLIN};
		char req[1024];
		int c;
		if (poll(&p, 1, 20) <= 0)
			continue;
		if ((c = accept4(raw_fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			continue;
		(void)!read(c, req, sizeof(req));
		static const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
		if (send(c, head, sizeof(head) - 1, MSG_NOSIGNAL) < 0) {
			close(c);
			continue;
		}
		for (int i = 0; i < 200 && !__atomic_load_n(&raw_stop, __ATOMIC_SEQ_CST); i++) {
			char chunk[32];
			int n = snprintf(chunk, sizeof(chunk), "7\r\ntick%02d;\r\n", i % 100);
			if (send(c, chunk, (size_t)n, MSG_NOSIGNAL) < 0)
				break;
			usleep(20000);
		}
		close(c);
	}
	return NULL;
}

static void raw_start(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	raw_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(raw_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(raw_fd, 8), 0);
	getsockname(raw_fd, (struct sockaddr *)&sa, &len);
	raw_port = ntohs(sa.sin_port);
	raw_stop = 0;
	pthread_create(&raw_thread, NULL, raw_run, NULL);
}

static void raw_end(void)
{
	__atomic_store_n(&raw_stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(raw_thread, NULL);
	close(raw_fd);
}

/* ---- client fixture ---- */

static drove_ctx *ctx;
static drove_loop *loop;
static drove__http_client *client;

static void setup(void)
{
	srv_start();
	raw_start();
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	ck_assert_int_eq(drove__http_client_new(&client, loop), 0);
}

static void teardown(void)
{
	drove__http_client_free(client);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	raw_end();
	srv_stop();
}

static char *mkurl(const char *path)
{
	static char bufs[4][256];
	static int next;
	char *buf = bufs[next++ % 4];
	if (strcmp(path, "/forever") == 0)
		snprintf(buf, sizeof(bufs[0]), "http://127.0.0.1:%d/forever", raw_port);
	else
		snprintf(buf, sizeof(bufs[0]), "%s%s", url, path);
	return buf;
}

struct result {
	int calls, status, error;
	char body[256];
	char errtext[256];
	char xtest[16];
	drove__buf chunks;
	int chunk_calls;
	int cancel_after; /* cancel the request from the chunk callback after this many chunks */
	drove__http_req *handle;
	int free_client; /* free the client inside the completion */
};

static void on_done(const drove__http_response *resp, void *ud)
{
	struct result *r = ud;
	char *x = drove__http_response_header(resp, "x-TEST");
	r->calls++;
	r->status = resp->status;
	r->error = resp->error;
	snprintf(r->body, sizeof(r->body), "%s", resp->body);
	snprintf(r->errtext, sizeof(r->errtext), "%s", resp->errtext);
	snprintf(r->xtest, sizeof(r->xtest), "%s", x ? x : "");
	free(x);
	if (r->free_client) {
		drove__http_client_free(client);
		client = NULL;
	}
	drove_loop_stop(loop);
}

static int on_chunk(const char *data, size_t len, void *ud)
{
	struct result *r = ud;
	r->chunk_calls++;
	drove__buf_append(&r->chunks, data, len);
	if (r->cancel_after && r->chunk_calls >= r->cancel_after) {
		drove__http_cancel(r->handle);
		drove_loop_stop(loop);
	}
	return 0;
}

static void run_until_done(struct result *r, int64_t max_ms)
{
	int64_t end = drove_time_mono_ms() + max_ms;
	while (!r->calls && drove_time_mono_ms() < end)
		drove_loop_run_for(loop, 100);
}

/* One request to completion; its body into r.body. */
static void exchange(struct result *r, const drove__http_request *req)
{
	drove__http_request copy = *req;
	memset(r, 0, sizeof(*r));
	copy.on_done = on_done;
	copy.userdata = r;
	if (!copy.timeout_ms)
		copy.timeout_ms = 5000;
	ck_assert_int_eq(drove__http_send(client, &copy, NULL), 0);
	run_until_done(r, 5000);
	ck_assert_int_eq(r->calls, 1);
}

START_TEST(test_get_ok_with_header)
{
	struct result r = {0};
	drove__http_request req = {
	        .url = mkurl("/ok"), .timeout_ms = 5000, .on_done = on_done, .userdata = &r};
	ck_assert_int_eq(drove__http_send(client, &req, NULL), 0);
	ck_assert_int_eq(r.calls, 0); /* never inside the send */
	run_until_done(&r, 5000);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.error, 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "hello");
	ck_assert_str_eq(r.xtest, "yes");
	ck_assert_str_eq(r.errtext, "");
	ck_assert_uint_eq(drove__http_client_pending(client), 0);
}
END_TEST

START_TEST(test_post_body_and_404)
{
	struct result r = {0}, r2 = {0};
	const char *hdrs[] = {"Content-Type: text/plain", NULL};
	drove__http_request req = {.method = "POST",
	                           .url = mkurl("/echo"),
	                           .headers = hdrs,
	                           .body = "payload",
	                           .body_len = 7,
	                           .on_done = on_done,
	                           .userdata = &r};
	drove__http_request req2 = {
	        .method = "DELETE", .url = mkurl("/nothing"), .on_done = on_done, .userdata = &r2};
	ck_assert_int_eq(drove__http_send(client, &req, NULL), 0);
	run_until_done(&r, 5000);
	ck_assert_msg(r.status == 200, "%d %s %s", r.status, r.body, r.errtext);
	ck_assert_str_eq(r.body, "2:payload"); /* EVHTTP_REQ_POST == 2 */
	ck_assert_int_eq(drove__http_send(client, &req2, NULL), 0);
	run_until_done(&r2, 5000);
	ck_assert_int_eq(r2.error, 0);
	ck_assert_int_eq(r2.status, 404);
	ck_assert_str_eq(r2.body, "nope");
}
END_TEST

START_TEST(test_timeout)
{
	struct result r = {0};
	int64_t t0 = drove_time_mono_ms();
	drove__http_request req = {
	        .url = mkurl("/slow"), .timeout_ms = 300, .on_done = on_done, .userdata = &r};
	ck_assert_int_eq(drove__http_send(client, &req, NULL), 0);
	run_until_done(&r, 5000);
	ck_assert_int_eq(r.error, DROVE_ETIMEOUT);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.errtext, "imed out"));
	ck_assert_int_lt(drove_time_mono_ms() - t0, 2000);
}
END_TEST

START_TEST(test_connection_refused_and_missing_socket)
{
	struct result r = {0}, r2 = {0};
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	char u[64];
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	snprintf(u, sizeof(u), "http://127.0.0.1:%d/", ntohs(sa.sin_port));
	close(fd); /* nothing listens there now */
	drove__http_request req = {.url = u, .on_done = on_done, .userdata = &r};
	ck_assert_int_eq(drove__http_send(client, &req, NULL), 0);
	run_until_done(&r, 5000);
	ck_assert_int_eq(r.error, DROVE_EUNAVAIL);
	ck_assert_ptr_nonnull(strstr(r.errtext, "onnect"));

	drove__http_request req2 = {.url = "http://d/_ping",
	                            .unix_socket = "/nonexistent/drove-test.sock",
	                            .on_done = on_done,
	                            .userdata = &r2};
	ck_assert_int_eq(drove__http_send(client, &req2, NULL), 0);
	run_until_done(&r2, 5000);
	ck_assert_int_eq(r2.error, DROVE_EUNAVAIL);
}
END_TEST

START_TEST(test_streaming)
{
	struct result r = {0};
	drove__http_request req = {.url = mkurl("/stream"),
	                           .timeout_ms = 5000,
	                           .on_chunk = on_chunk,
	                           .on_done = on_done,
	                           .userdata = &r};
	ck_assert_int_eq(drove__http_send(client, &req, NULL), 0);
	run_until_done(&r, 5000);
	ck_assert_int_eq(r.error, 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_ge(r.chunk_calls, 2); /* pieces arrive as they are sent */
	ck_assert_str_eq(r.chunks.data, "chunk0;chunk1;chunk2;chunk3;chunk4;");
	ck_assert_str_eq(r.body, ""); /* streamed, not accumulated */
	drove__buf_free(&r.chunks);
}
END_TEST

START_TEST(test_cancel_from_chunk_and_from_outside)
{
	struct result r = {0}, r2 = {0};
	drove__http_request req = {
	        .url = mkurl("/forever"), .on_chunk = on_chunk, .on_done = on_done, .userdata = &r};
	r.cancel_after = 3;
	ck_assert_int_eq(drove__http_send(client, &req, &r.handle), 0);
	drove_loop_run_for(loop, 3000); /* on_chunk stops the loop after the cancel */
	ck_assert_int_eq(r.chunk_calls, 3);
	drove_loop_run_for(loop, 200);
	ck_assert_int_eq(r.chunk_calls, 3); /* no more data */
	ck_assert_int_eq(r.calls, 0);       /* and no completion */
	ck_assert_uint_eq(drove__http_client_pending(client), 0);

	drove__http_request req2 = {.url = mkurl("/forever"),
	                            .headers = (const char *[]){"X-Custom: forever", NULL},
	                            .on_chunk = on_chunk,
	                            .on_done = on_done,
	                            .userdata = &r2};
	ck_assert_int_eq(drove__http_send(client, &req2, &r2.handle), 0);
	drove_loop_run_for(loop, 150);
	ck_assert_int_gt(r2.chunk_calls, 0);
	drove__http_cancel(r2.handle);
	ck_assert_uint_eq(drove__http_client_pending(client), 0);
	drove_loop_run_for(loop, 100);
	ck_assert_int_eq(r2.calls, 0);
	drove__buf_free(&r.chunks);
	drove__buf_free(&r2.chunks);

	/* the cancelled requests' easy handle serves the next request, with nothing of theirs */
	ck_assert_uint_eq(drove__http_client_idle(client), 1);
	exchange(&r, &(drove__http_request){.url = mkurl("/probe")});
	ck_assert_str_eq(r.body, "1:none:tcp:0");
}
END_TEST

START_TEST(test_body_cap)
{
	struct result r = {0};
	drove__http_request req = {
	        .url = mkurl("/big"), .max_body = 1000, .on_done = on_done, .userdata = &r};
	ck_assert_int_eq(drove__http_send(client, &req, NULL), 0);
	run_until_done(&r, 5000);
	ck_assert_int_eq(r.error, DROVE_EIO);
	ck_assert_ptr_nonnull(strstr(r.errtext, "size cap"));
}
END_TEST

START_TEST(test_free_client_in_callback_and_pending)
{
	struct result r = {0};
	drove__http_request req = {.url = mkurl("/ok"), .on_done = on_done, .userdata = &r};
	drove__http_request req2 = {.url = mkurl("/forever"), .on_done = on_done, .userdata = &r};
	r.free_client = 1;
	ck_assert_int_eq(drove__http_send(client, &req2, NULL), 0);
	ck_assert_int_eq(drove__http_send(client, &req, NULL), 0);
	ck_assert_uint_eq(drove__http_client_pending(client), 2);
	run_until_done(&r, 5000);
	ck_assert_msg(r.calls == 1, "%d %s %s", r.status, r.body,
	              r.errtext); /* the streaming one was dropped with the client */
	ck_assert_ptr_null(client);
	drove_loop_run_for(loop, 100);
	ck_assert_int_eq(r.calls, 1);
}
END_TEST

START_TEST(test_sync_wrapper)
{
	drove__http_response *resp = NULL;
	drove__http_request req = {.url = mkurl("/ok"), .timeout_ms = 5000};
	drove__http_request bad = {.url = "http://d/x", .unix_socket = "/nonexistent/x.sock"};
	ck_assert_int_eq(drove__http_request_sync(ctx, &req, &resp), 0);
	ck_assert_int_eq(resp->status, 200);
	ck_assert_str_eq(resp->body, "hello");
	drove__http_response_free(resp);
	resp = NULL;
	drove_assert_error(drove__http_request_sync(ctx, &bad, &resp), DROVE_EUNAVAIL,
	                   "http://d/x");
	ck_assert_ptr_null(resp);
	drove_assert_error(drove__http_send(client, &(drove__http_request){.url = NULL}, NULL),
	                   DROVE_EINVAL, "drove__http_send");
}
END_TEST

START_TEST(test_error_mapping)
{
	ck_assert_int_eq(drove__http_map_curl_error(0), 0);
	ck_assert_int_eq(drove__http_map_curl_error(7 /* COULDNT_CONNECT */), DROVE_EUNAVAIL);
	ck_assert_int_eq(drove__http_map_curl_error(28 /* OPERATION_TIMEDOUT */), DROVE_ETIMEOUT);
	ck_assert_int_eq(drove__http_map_curl_error(18 /* PARTIAL_FILE */), DROVE_EIO);
}
END_TEST

/* A finished request's easy handle serves the next one: nothing of the first request (its
 * headers, method, body, unix socket) reaches the server with the second. */
START_TEST(test_reused_handle_carries_nothing_over)
{
	struct result r;
	const char *custom[] = {"X-Custom: one", "Content-Type: text/plain", NULL};

	exchange(&r, &(drove__http_request){.url = mkurl("/probe"), .headers = custom});
	ck_assert_str_eq(r.body, "1:one:tcp:0"); /* EVHTTP_REQ_GET == 1 */
	ck_assert_uint_eq(drove__http_client_idle(client), 1);
	exchange(&r, &(drove__http_request){.url = mkurl("/probe")});
	ck_assert_str_eq(r.body, "1:none:tcp:0");
	ck_assert_uint_eq(drove__http_client_idle(client), 1); /* the same handle again */

	exchange(&r, &(drove__http_request){.method = "POST",
	                                    .url = mkurl("/probe"),
	                                    .headers = custom,
	                                    .body = "12345",
	                                    .body_len = 5});
	ck_assert_str_eq(r.body, "2:one:tcp:5");
	exchange(&r, &(drove__http_request){.url = mkurl("/probe")});
	ck_assert_str_eq(r.body, "1:none:tcp:0");
	exchange(&r, &(drove__http_request){.method = "HEAD", .url = mkurl("/probe")});
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "");
	exchange(&r, &(drove__http_request){.method = "DELETE", .url = mkurl("/probe")});
	ck_assert_str_eq(r.body, "16:none:tcp:0"); /* EVHTTP_REQ_DELETE == 16 */
	exchange(&r, &(drove__http_request){.url = mkurl("/probe")});
	ck_assert_str_eq(r.body, "1:none:tcp:0");

	/* a unix socket request, then a TCP one on the same handle, and back */
	exchange(&r, &(drove__http_request){
	                     .url = "http://d/probe", .unix_socket = srv_sock, .headers = custom});
	ck_assert_str_eq(r.body, "1:one:unix:0");
	exchange(&r, &(drove__http_request){.url = mkurl("/probe")});
	ck_assert_str_eq(r.body, "1:none:tcp:0");
	exchange(&r, &(drove__http_request){.url = "http://d/probe", .unix_socket = srv_sock});
	ck_assert_str_eq(r.body, "1:none:unix:0");
	ck_assert_uint_eq(drove__http_client_idle(client), 1);
}
END_TEST

/* Handles of requests that timed out or failed to connect are reused correctly: the next
 * requests on them succeed with nothing of the old one (cancelled ones: above). */
START_TEST(test_reuse_after_timeout_and_refusal)
{
	struct result r, rs[3];
	const char *custom[] = {"X-Custom: slow", NULL};
	drove__http_req *h[3];

	exchange(&r, &(drove__http_request){
	                     .url = mkurl("/slow"), .headers = custom, .timeout_ms = 300});
	ck_assert_int_eq(r.error, DROVE_ETIMEOUT);
	ck_assert_uint_eq(drove__http_client_idle(client), 1);
	exchange(&r, &(drove__http_request){.url = mkurl("/probe")});
	ck_assert_int_eq(r.error, 0);
	ck_assert_str_eq(r.body, "1:none:tcp:0");

	/* a missing unix socket, then TCP */
	exchange(&r, &(drove__http_request){.url = "http://d/probe",
	                                    .unix_socket = "/nonexistent/drove-test.sock"});
	ck_assert_int_eq(r.error, DROVE_EUNAVAIL);
	exchange(&r, &(drove__http_request){.url = mkurl("/probe")});
	ck_assert_str_eq(r.body, "1:none:tcp:0");

	/* three at once: three handles, all kept */
	for (int i = 0; i < 3; i++) {
		drove__http_request q = {.url = mkurl("/probe"),
		                         .timeout_ms = 5000,
		                         .on_done = on_done,
		                         .userdata = &rs[i]};
		memset(&rs[i], 0, sizeof(rs[i]));
		ck_assert_int_eq(drove__http_send(client, &q, &h[i]), 0);
	}
	for (int i = 0; i < 3; i++) {
		run_until_done(&rs[i], 5000);
		ck_assert_str_eq(rs[i].body, "1:none:tcp:0");
	}
	ck_assert_uint_eq(drove__http_client_idle(client), 3);
	ck_assert_uint_eq(drove__http_client_pending(client), 0);
}
END_TEST

/* Many exchanges over kept-alive connections, some of which the server closes between
 * exchanges: every one completes (the idle sockets' registrations follow the connections). */
START_TEST(test_many_exchanges_over_kept_connections)
{
	struct result r;
	for (int i = 0; i < 50; i++) {
		const char *path = i % 10 == 9 ? "/close" : i % 10 == 4 ? "/close-later" : "/probe";
		exchange(&r, &(drove__http_request){.url = mkurl(path)});
		ck_assert_msg(r.error == 0 && r.status == 200, "exchange %d: %d %s", i, r.status,
		              r.errtext);
		if (i % 10 == 4)
			drove_loop_run_for(loop, 100); /* the server ends the idle connection */
	}
}
END_TEST

Suite *http_curl_suite(void)
{
	Suite *s = suite_create("http_client");
	TCase *tc = tcase_create("client");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_get_ok_with_header);
	tcase_add_test(tc, test_post_body_and_404);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_connection_refused_and_missing_socket);
	tcase_add_test(tc, test_streaming);
	tcase_add_test(tc, test_cancel_from_chunk_and_from_outside);
	tcase_add_test(tc, test_body_cap);
	tcase_add_test(tc, test_free_client_in_callback_and_pending);
	tcase_add_test(tc, test_sync_wrapper);
	tcase_add_test(tc, test_error_mapping);
	tcase_add_test(tc, test_reused_handle_carries_nothing_over);
	tcase_add_test(tc, test_reuse_after_timeout_and_refusal);
	tcase_add_test(tc, test_many_exchanges_over_kept_connections);
	suite_add_tcase(s, tc);
	return s;
}
