/* A canned-response Drove controller for the client tests (check_client*.c and
 * test_client*.c): plain libevent evhttp on 127.0.0.1:0 in its own thread. Routes match the
 * method and the path (optionally "?query" exactly, or a trailing '*' for a prefix); the
 * last request is recorded. Header-only on purpose: both test programs include it. */
#ifndef DROVE_CHECK_CLIENT_MOCK_H
#define DROVE_CHECK_CLIENT_MOCK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/thread.h>

#define MOCK_ROUTES 128

struct mock_route {
	const char *method; /* NULL: any */
	const char *path;   /* "/apis/v1/x", "/apis/v1/x?a=b" or "/apis/v1/x*" */
	int status;
	const char *body;
	const char *content_type; /* NULL: application/json */
	int delay_ms;
};

struct mock {
	struct event_base *base;
	struct evhttp *http;
	pthread_t thread;
	int port;
	pthread_mutex_t lock;
	/* guarded by lock */
	int not_leader;           /* answer everything with 400 not-leader */
	const char *require_auth; /* full Authorization value required, or NULL */
	struct mock_route routes[MOCK_ROUTES];
	int nroutes;
	int requests, pings;
	char last_method[16];
	char last_uri[1024];
	char last_auth[256];
	char *last_body;
};

static __attribute__((unused)) void mock_add(struct mock *m, const char *method, const char *path,
                                             int status, const char *body)
{
	pthread_mutex_lock(&m->lock);
	if (m->nroutes < MOCK_ROUTES) {
		struct mock_route *r = &m->routes[m->nroutes++];
		memset(r, 0, sizeof(*r));
		r->method = method;
		r->path = path;
		r->status = status;
		r->body = body;
	}
	pthread_mutex_unlock(&m->lock);
}

static __attribute__((unused)) void mock_add_raw(struct mock *m, const char *method,
                                                 const char *path, int status, const char *body,
                                                 const char *content_type, int delay_ms)
{
	pthread_mutex_lock(&m->lock);
	if (m->nroutes < MOCK_ROUTES) {
		struct mock_route *r = &m->routes[m->nroutes++];
		r->method = method;
		r->path = path;
		r->status = status;
		r->body = body;
		r->content_type = content_type;
		r->delay_ms = delay_ms;
	}
	pthread_mutex_unlock(&m->lock);
}

static const char *mock_method_name(enum evhttp_cmd_type t)
{
	switch (t) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	default:
		return "OTHER";
	}
}

static int mock_match(const struct mock_route *r, const char *method, const char *uri)
{
	size_t n = strlen(r->path);
	const char *q;
	if (r->method && strcmp(r->method, method) != 0)
		return 0;
	if (n && r->path[n - 1] == '*')
		return strncmp(uri, r->path, n - 1) == 0;
	if (strchr(r->path, '?'))
		return strcmp(uri, r->path) == 0;
	q = strchr(uri, '?');
	return q ? (strlen(r->path) == (size_t)(q - uri) &&
	            strncmp(uri, r->path, (size_t)(q - uri)) == 0)
	         : strcmp(uri, r->path) == 0;
}

static void mock_reply(struct evhttp_request *req, int status, const char *ctype, const char *body)
{
	struct evbuffer *b = evbuffer_new();
	if (body)
		evbuffer_add(b, body, strlen(body));
	if (ctype)
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", ctype);
	evhttp_send_reply(req, status, status == 200 ? "OK" : "Status", b);
	evbuffer_free(b);
}

static void mock_cb(struct evhttp_request *req, void *ud)
{
	struct mock *m = ud;
	const char *uri = evhttp_request_get_uri(req);
	const char *method = mock_method_name(evhttp_request_get_command(req));
	const char *auth =
	        evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t blen = evbuffer_get_length(in);
	struct mock_route r;
	int found = 0, delay = 0;

	pthread_mutex_lock(&m->lock);
	m->requests++;
	if (strcmp(uri, "/apis/v1/ping") == 0)
		m->pings++;
	snprintf(m->last_method, sizeof(m->last_method), "%s", method);
	snprintf(m->last_uri, sizeof(m->last_uri), "%s", uri);
	snprintf(m->last_auth, sizeof(m->last_auth), "%s", auth ? auth : "");
	free(m->last_body);
	m->last_body = calloc(1, blen + 1);
	if (m->last_body)
		evbuffer_copyout(in, m->last_body, blen);
	if (m->require_auth && (!auth || strcmp(auth, m->require_auth) != 0)) {
		pthread_mutex_unlock(&m->lock);
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
		                  "Basic realm=\"realm\"");
		mock_reply(req, 401, "text/plain",
		           "Credentials are required to access this resource.");
		return;
	}
	if (m->not_leader) {
		pthread_mutex_unlock(&m->lock);
		mock_reply(req, 400, "application/json",
		           "{\"status\":\"FAILED\",\"message\":\"This node is not the leader "
		           "controller\"}");
		return;
	}
	for (int i = m->nroutes - 1; i >= 0; i--) { /* later routes win */
		if (mock_match(&m->routes[i], method, uri)) {
			r = m->routes[i];
			found = 1;
			delay = r.delay_ms;
			break;
		}
	}
	pthread_mutex_unlock(&m->lock);
	if (!found && strcmp(uri, "/apis/v1/ping") == 0) {
		mock_reply(req, 200, "application/json",
		           "{\"status\":\"SUCCESS\",\"data\":\"pong\",\"message\":\"success\"}");
		return;
	}
	if (!found) {
		mock_reply(req, 404, NULL, NULL);
		return;
	}
	if (delay > 0)
		usleep((useconds_t)delay * 1000);
	mock_reply(req, r.status, r.content_type ? r.content_type : "application/json", r.body);
}

static void *mock_thread(void *ud)
{
	struct mock *m = ud;
	event_base_loop(m->base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

/* Start a mock on 127.0.0.1:0. Returns NULL on failure. */
static __attribute__((unused)) struct mock *mock_start(void)
{
	struct mock *m = calloc(1, sizeof(*m));
	struct evhttp_bound_socket *bs;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	evthread_use_pthreads();
	pthread_mutex_init(&m->lock, NULL);
	m->base = event_base_new();
	m->http = evhttp_new(m->base);
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
	                                            EVHTTP_REQ_DELETE);
	evhttp_set_gencb(m->http, mock_cb, m);
	bs = evhttp_bind_socket_with_handle(m->http, "127.0.0.1", 0);
	if (!bs) {
		free(m);
		return NULL;
	}
	getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&sin, &sl);
	m->port = ntohs(sin.sin_port);
	pthread_create(&m->thread, NULL, mock_thread, m);
	return m;
}

static __attribute__((unused)) void mock_break(evutil_socket_t fd, short what, void *base)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(base);
}

static __attribute__((unused)) void mock_stop(struct mock *m)
{
	static const struct timeval now = {0, 0};
	if (!m)
		return;
	/* a break from inside the loop: event_base_loopbreak() from here is lost when the thread
	 * has not entered the loop yet (entering clears it), as in a test that makes no request */
	event_base_once(m->base, -1, EV_TIMEOUT, mock_break, m->base, &now);
	pthread_join(m->thread, NULL);
	evhttp_free(m->http);
	event_base_free(m->base);
	free(m->last_body);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static __attribute__((unused)) void mock_url(const struct mock *m, char *buf, size_t n)
{
	snprintf(buf, n, "http://127.0.0.1:%d", m->port);
}

static __attribute__((unused)) void mock_set(struct mock *m, int *field, int v)
{
	pthread_mutex_lock(&m->lock);
	*field = v;
	pthread_mutex_unlock(&m->lock);
}

static __attribute__((unused)) int mock_get(struct mock *m, const int *field)
{
	int v;
	pthread_mutex_lock(&m->lock);
	v = *field;
	pthread_mutex_unlock(&m->lock);
	return v;
}

/* Copy of the last request's fields, under the lock. */
static __attribute__((unused)) void mock_last(struct mock *m, char *method, size_t mn, char *uri,
                                              size_t un, char *body, size_t bn)
{
	pthread_mutex_lock(&m->lock);
	if (method)
		snprintf(method, mn, "%s", m->last_method);
	if (uri)
		snprintf(uri, un, "%s", m->last_uri);
	if (body)
		snprintf(body, bn, "%s", m->last_body ? m->last_body : "");
	pthread_mutex_unlock(&m->lock);
}

/* An unused port: bind, read it, close. */
static __attribute__((unused)) int mock_dead_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	getsockname(fd, (struct sockaddr *)&sin, &sl);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

#endif
