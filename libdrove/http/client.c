/* Asynchronous HTTP client: libcurl multi driven by the drove_loop's libevent base. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>
#include <curl/curl.h>
#include <event2/event.h>

#include "core/internal.h"
#include "core/loop_internal.h"
#include "http/client.h"

#define DEFAULT_CONNECT_MS 10000
#define DEFAULT_MAX_BODY   (16u << 20)
#define MAX_HEADERS        (64u << 10)
#define POOL_MAX           64 /* finished easy handles a client keeps for its next requests */

/* A socket libcurl told us about, with its libevent event. Indexed by descriptor in the
 * client's table. A socket the client opened itself (on_open: every connection) stays
 * registered while its connection idles in libcurl's cache between two exchanges, so that the
 * next exchange on it costs no epoll_ctl: on_close drops the registration before the socket
 * closes, and on_event drops it if the idle socket becomes ready (the peer closed). Other
 * sockets (the resolver's) are dropped at CURL_POLL_REMOVE, as libcurl closes them itself. */
struct sockctx {
	drove__http_client *c;
	struct event *ev;
	curl_socket_t fd;
	short kind; /* events registered with libevent; 0: none */
	int wanted; /* libcurl watches it (from its first request until CURL_POLL_REMOVE) */
	int ours;   /* opened by on_open, closed by on_close */
};

struct drove__http_req {
	drove__http_req *prev, *next;
	drove__http_client *c;
	CURL *easy;
	struct curl_slist *hdrs; /* in this allocation, or the shared "Expect:" node */
	drove__buf body, headers;
	size_t max_body;
	drove__http_chunk_fn on_chunk;
	drove__http_done_fn on_done;
	void *userdata;
	long status;
	int cancelled, capped, aborted, oom, done;
	char errbuf[CURL_ERROR_SIZE];
	char tlsbuf[CURL_ERROR_SIZE + 128];
	/* the request's own header list follows, nodes then strings */
};

struct drove__http_client {
	drove_loop *loop;
	CURLM *multi;
	struct event *timer;
	drove__http_req *reqs;
	struct sockctx **socks; /* by descriptor */
	size_t nsocks;
	CURL *pool[POOL_MAX]; /* finished easy handles, reset */
	size_t npool;
	size_t nreqs;
	size_t ncancelled; /* cancelled but still attached to the multi handle */
	int busy;          /* > 0 while inside libcurl or our callbacks */
	int in_curl;       /* > 0 while inside curl_multi_socket_action */
	int dying;
};

/* Ends every request's header list: no "Expect: 100-continue" wait before a body. Shared and
 * never written (libcurl only reads a header list). */
static struct curl_slist expect_none = {(char *)"Expect:", NULL};

static struct sockctx *sock_get(drove__http_client *c, curl_socket_t fd, int make);
static void sock_free(drove__http_client *c, struct sockctx *s);

int drove__http_map_curl_error(int code)
{
	switch (code) {
	case CURLE_OK:
		return 0;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_GOT_NOTHING:
		return DROVE_EUNAVAIL;
	case CURLE_OPERATION_TIMEDOUT:
		return DROVE_ETIMEOUT;
	case CURLE_OUT_OF_MEMORY:
		return DROVE_ENOMEM;
	default:
		return DROVE_EIO;
	}
}

/* ---- requests ---- */

static void req_unlink(drove__http_req *r)
{
	drove__http_client *c = r->c;

	if (r->prev)
		r->prev->next = r->next;
	else
		c->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	c->nreqs--;
}

/* A finished easy handle back to the client's pool, its options reset (connections stay in
 * the multi handle's cache either way), or cleaned up when the pool is full. */
static void easy_put(drove__http_client *c, CURL *e)
{
	if (!e)
		return;
	if (c->npool < POOL_MAX && !c->dying) {
		curl_easy_reset(e);
		c->pool[c->npool++] = e;
	} else {
		curl_easy_cleanup(e);
	}
}

/* Not attached to the multi handle. */
static void req_free(drove__http_req *r)
{
	easy_put(r->c, r->easy);
	drove__buf_free(&r->body);
	drove__buf_free(&r->headers);
	free(r);
}

/* Detach from the multi handle and free without calling back. Not inside libcurl. */
static void req_drop(drove__http_req *r)
{
	drove__http_client *c = r->c;

	curl_multi_remove_handle(c->multi, r->easy);
	req_unlink(r);
	if (r->cancelled)
		c->ncancelled--;
	req_free(r);
}

static size_t on_write(char *data, size_t size, size_t n, void *userdata)
{
	drove__http_req *r = userdata;
	size_t len = size * n;

	if (r->cancelled)
		return 0;
	if (!r->status)
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->on_chunk && r->status >= 200 && r->status < 300) {
		int stop = r->on_chunk(data, len, r->userdata);
		if (r->cancelled)
			return 0;
		if (stop) {
			r->aborted = 1;
			return 0;
		}
		return len;
	}
	if (r->body.len + len > r->max_body) {
		r->capped = 1;
		return 0;
	}
	if (drove__buf_append(&r->body, data, len) < 0) {
		r->oom = 1;
		return 0;
	}
	return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *userdata)
{
	drove__http_req *r = userdata;
	size_t len = size * n;

	if (r->cancelled)
		return 0;
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		drove__buf_reset(&r->headers);
		r->status = 0;
	}
	if (r->headers.len + len > MAX_HEADERS)
		return len; /* keep what fits; the rest is dropped */
	if (drove__buf_append(&r->headers, data, len) < 0) {
		r->oom = 1;
		return 0;
	}
	return len;
}

/* Connection sockets: opened close-on-exec, and known to the socket table as ours. */
static curl_socket_t on_open(void *userdata, curlsocktype purpose, struct curl_sockaddr *a)
{
	drove__http_client *c = userdata;
	struct sockctx *s;
	curl_socket_t fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);

	if (fd == CURL_SOCKET_BAD)
		return fd;
	if ((s = sock_get(c, fd, 0)))
		sock_free(c, s); /* cannot be: libcurl closed its socket without telling */
	if (!(s = sock_get(c, fd, 1))) {
		close(fd);
		return CURL_SOCKET_BAD;
	}
	s->ours = 1;
	return fd;
}

static int on_close(void *userdata, curl_socket_t fd)
{
	drove__http_client *c = userdata;

	if (fd >= 0 && (size_t)fd < c->nsocks && c->socks[fd])
		sock_free(c, c->socks[fd]);
	return close(fd);
}

static void finish(drove__http_client *c, drove__http_req *r, CURLcode res)
{
	drove__http_response resp;

	curl_multi_remove_handle(c->multi, r->easy);
	req_unlink(r);
	if (r->cancelled) {
		c->ncancelled--;
		req_free(r);
		return;
	}
	memset(&resp, 0, sizeof(resp));
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
	resp.status = (int)r->status;
	if (r->oom) {
		resp.error = DROVE_ENOMEM;
		resp.errtext = (char *)"out of memory";
	} else if (r->capped) {
		resp.error = DROVE_EIO;
		resp.errtext = (char *)"response body exceeds the size cap";
	} else if (r->aborted) {
		resp.error = DROVE_EIO;
		resp.errtext = (char *)"transfer aborted by the receiver";
	} else if (res == CURLE_PEER_FAILED_VERIFICATION || res == CURLE_SSL_CACERT_BADFILE) {
		resp.error = DROVE_EIO;
		resp.tls_unverified = 1;
		snprintf(r->tlsbuf, sizeof(r->tlsbuf),
		         "TLS certificate verification failed: %s (trust the issuing CA, or set "
		         "insecure to skip verification)",
		         r->errbuf[0] ? r->errbuf : curl_easy_strerror(res));
		resp.errtext = r->tlsbuf;
	} else if (res != CURLE_OK) {
		resp.error = drove__http_map_curl_error(res);
		resp.errtext = r->errbuf[0] ? r->errbuf : (char *)curl_easy_strerror(res);
		resp.unsent = res == CURLE_COULDNT_CONNECT || res == CURLE_COULDNT_RESOLVE_HOST ||
		              res == CURLE_COULDNT_RESOLVE_PROXY;
	} else {
		resp.errtext = (char *)"";
	}
	resp.body = r->body.data ? r->body.data : (char *)"";
	resp.body_len = r->body.len;
	resp.headers = r->headers.data ? r->headers.data : (char *)"";
	r->done = 1;
	r->on_done(&resp, r->userdata);
	req_free(r);
}

static void process(drove__http_client *c)
{
	CURLMsg *msg;
	int left;

	while (!c->dying && (msg = curl_multi_info_read(c->multi, &left))) {
		drove__http_req *r = NULL;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		finish(c, r, msg->data.result);
	}
	if (c->ncancelled && !c->in_curl) {
		drove__http_req *r = c->reqs;
		while (r) {
			drove__http_req *next = r->next;
			if (r->cancelled)
				req_drop(r);
			r = next;
		}
	}
}

static void destroy(drove__http_client *c);

static void drive(drove__http_client *c, curl_socket_t fd, int action)
{
	int running = 0;

	c->busy++;
	c->in_curl++;
	curl_multi_socket_action(c->multi, fd, action, &running);
	c->in_curl--;
	process(c);
	c->busy--;
	if (!c->busy && c->dying)
		destroy(c);
}

static void on_event(evutil_socket_t fd, short what, void *arg)
{
	struct sockctx *s = arg;
	int action = ((what & EV_READ) ? CURL_CSELECT_IN : 0) |
	             ((what & EV_WRITE) ? CURL_CSELECT_OUT : 0);

	if (!s->wanted) {
		/* an idle connection's socket became ready (the peer closed it): stop watching;
		 * libcurl notices when it next picks the connection */
		event_del(s->ev);
		s->kind = 0;
		return;
	}
	drive(s->c, fd, action); /* may free s */
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	drive(arg, CURL_SOCKET_TIMEOUT, 0);
}

static void sock_free(drove__http_client *c, struct sockctx *s)
{
	c->socks[s->fd] = NULL;
	if (s->ev)
		event_free(s->ev);
	free(s);
}

/* The table's entry for `fd`, made when `make` and missing. NULL: none, or out of memory. */
static struct sockctx *sock_get(drove__http_client *c, curl_socket_t fd, int make)
{
	struct sockctx *s;

	if (fd < 0)
		return NULL;
	if ((size_t)fd < c->nsocks && c->socks[fd])
		return c->socks[fd];
	if (!make)
		return NULL;
	if ((size_t)fd >= c->nsocks) {
		size_t n = c->nsocks ? c->nsocks : 64;
		struct sockctx **t;
		while (n <= (size_t)fd)
			n *= 2;
		if (!(t = realloc(c->socks, n * sizeof(*t))))
			return NULL;
		memset(t + c->nsocks, 0, (n - c->nsocks) * sizeof(*t));
		c->socks = t;
		c->nsocks = n;
	}
	if (!(s = calloc(1, sizeof(*s))))
		return NULL;
	s->c = c;
	s->fd = fd;
	if (!(s->ev = event_new(drove__loop_base(c->loop), fd, EV_PERSIST, on_event, s))) {
		free(s);
		return NULL;
	}
	c->socks[fd] = s;
	return s;
}

static int on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *sockp)
{
	drove__http_client *c = userp;
	struct sockctx *s = sock_get(c, fd, what != CURL_POLL_REMOVE);
	short kind;

	if (what == CURL_POLL_REMOVE) {
		if (s) {
			s->wanted = 0;
			if (!s->ours)
				sock_free(c, s); /* libcurl closes it without telling on_close */
		}
		return 0;
	}
	if (!s)
		return -1;
	s->wanted = 1;
	kind = (short)(((what & CURL_POLL_IN) ? EV_READ : 0) |
	               ((what & CURL_POLL_OUT) ? EV_WRITE : 0) | EV_PERSIST);
	if (kind == s->kind)
		return 0; /* registered already (the connection's previous exchange) */
	if (s->kind)
		event_del(s->ev);
	s->kind = 0;
	if (event_assign(s->ev, drove__loop_base(c->loop), fd, kind, on_event, s) < 0 ||
	    event_add(s->ev, NULL) < 0)
		return -1;
	s->kind = kind;
	return 0;
}

static int on_timer_set(CURLM *m, long ms, void *userp)
{
	drove__http_client *c = userp;
	struct timeval tv;

	if (ms < 0) {
		evtimer_del(c->timer);
		return 0;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return evtimer_add(c->timer, &tv) < 0 ? -1 : 0;
}

/* ---- the client ---- */

int drove__http_client_new(drove__http_client **out, drove_loop *loop)
{
	drove__http_client *c;
	int rc;

	DROVE_CHECK_ARG(out && loop);
	if ((rc = drove__global_init()) < 0)
		return rc;
	if (!(c = calloc(1, sizeof(*c))))
		return drove__enomem();
	c->loop = loop;
	if (!(c->multi = curl_multi_init()) ||
	    !(c->timer = evtimer_new(drove__loop_base(loop), on_timeout, c))) {
		destroy(c);
		return drove__error(DROVE_ERROR,
		                    "http client: could not create the curl multi handle");
	}
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_timer_set);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	*out = c;
	return 0;
}

static void destroy(drove__http_client *c)
{
	c->dying = 1; /* the handles are cleaned up, not pooled */
	while (c->reqs) {
		drove__http_req *r = c->reqs;
		curl_multi_remove_handle(c->multi, r->easy);
		req_unlink(r);
		req_free(r);
	}
	while (c->npool)
		curl_easy_cleanup(c->pool[--c->npool]);
	if (c->multi)
		curl_multi_cleanup(c->multi); /* closes the cached connections through on_close */
	for (size_t i = 0; i < c->nsocks; i++)
		if (c->socks[i])
			sock_free(c, c->socks[i]);
	free(c->socks);
	if (c->timer)
		event_free(c->timer);
	free(c);
}

void drove__http_client_free(drove__http_client *c)
{
	if (!c)
		return;
	if (c->busy) {
		drove__http_req *r;
		c->dying = 1;
		for (r = c->reqs; r; r = r->next)
			if (!r->cancelled) {
				r->cancelled = 1;
				c->ncancelled++;
			}
		return;
	}
	destroy(c);
}

size_t drove__http_client_pending(const drove__http_client *c)
{
	return c ? c->nreqs - c->ncancelled : 0;
}

size_t drove__http_client_idle(const drove__http_client *c)
{
	return c ? c->npool : 0;
}

int drove__http_send(drove__http_client *c, const drove__http_request *req,
                     drove__http_req **handle_out)
{
	drove__http_req *r;
	const char *method;
	CURL *e;
	size_t nhdrs = 0, hbytes = 0;
	int ok = 1;

	DROVE_CHECK_ARG(c && req && req->url && req->on_done && !c->dying);
	method = req->method ? req->method : "GET";
	/* the request's header list lives in its own allocation: nodes, then the strings */
	for (const char *const *h = req->headers; h && *h; h++) {
		nhdrs++;
		hbytes += strlen(*h) + 1;
	}
	if (!(r = calloc(1, sizeof(*r) + nhdrs * sizeof(struct curl_slist) + hbytes)))
		return drove__enomem();
	r->c = c;
	r->max_body = req->max_body ? req->max_body : DEFAULT_MAX_BODY;
	r->on_chunk = req->on_chunk;
	r->on_done = req->on_done;
	r->userdata = req->userdata;
	r->hdrs = &expect_none;
	if (nhdrs) {
		struct curl_slist *node = (struct curl_slist *)(r + 1);
		char *str = (char *)(node + nhdrs);
		r->hdrs = node;
		for (size_t i = 0; i < nhdrs; i++) {
			size_t len = strlen(req->headers[i]) + 1;
			memcpy(str, req->headers[i], len);
			node[i].data = str;
			node[i].next = i + 1 < nhdrs ? &node[i + 1] : &expect_none;
			str += len;
		}
	}
	if (!(e = r->easy = c->npool ? c->pool[--c->npool] : curl_easy_init()))
		goto nomem;
	ok &= curl_easy_setopt(e, CURLOPT_URL, req->url) == CURLE_OK;
	if (req->unix_socket)
		ok &= curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, req->unix_socket) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_PRIVATE, r) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_WRITEDATA, r) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_HEADERDATA, r) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, c) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, on_close) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, c) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	                       (long)(req->connect_timeout_ms > 0 ? req->connect_timeout_ms
	                                                          : DEFAULT_CONNECT_MS)) ==
	      CURLE_OK;
	if (req->insecure) {
		ok &= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK;
		ok &= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK;
	} else if (req->ca_file || drove__tls_ca_file()) {
		ok &= curl_easy_setopt(e, CURLOPT_CAINFO,
		                       req->ca_file ? req->ca_file : drove__tls_ca_file()) ==
		      CURLE_OK;
	}
	if (req->timeout_ms > 0)
		ok &= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms) == CURLE_OK;
	if (strcmp(method, "GET") == 0) {
		/* the default */
	} else if (strcmp(method, "HEAD") == 0) {
		ok &= curl_easy_setopt(e, CURLOPT_NOBODY, 1L) == CURLE_OK;
	} else {
		ok &= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method) == CURLE_OK;
	}
	if (req->body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
		ok &= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		                       (curl_off_t)(req->body ? req->body_len : 0)) == CURLE_OK;
		ok &= curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, req->body ? req->body : "") ==
		      CURLE_OK;
	}
	if (!ok) {
		req_free(r);
		return drove__error(DROVE_EINVAL, "http request %s %s: rejected by libcurl", method,
		                    req->url);
	}
	r->next = c->reqs;
	if (r->next)
		r->next->prev = r;
	c->reqs = r;
	c->nreqs++;
	if (curl_multi_add_handle(c->multi, e) != CURLM_OK) {
		req_unlink(r);
		req_free(r);
		return drove__error(DROVE_ERROR, "http request %s %s: curl_multi_add_handle failed",
		                    method, req->url);
	}
	if (handle_out)
		*handle_out = r;
	return 0;
nomem:
	req_free(r);
	return drove__enomem();
}

void drove__http_cancel(drove__http_req *r)
{
	drove__http_client *c;

	if (!r || r->cancelled || r->done)
		return;
	c = r->c;
	r->cancelled = 1;
	c->ncancelled++;
	if (!c->in_curl)
		req_drop(r);
	/* else: dropped by process() once libcurl returns */
}

/* ---- responses ---- */

char *drove__http_response_header(const drove__http_response *resp, const char *name)
{
	const char *p;
	size_t n;

	if (!resp || !resp->headers || !name)
		return NULL;
	n = strlen(name);
	for (p = resp->headers; *p;) {
		const char *eol = strchr(p, '\n');
		size_t linelen = eol ? (size_t)(eol - p) : strlen(p);
		if (linelen > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			const char *end = p + linelen;
			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			while (end > v && (end[-1] == '\r' || end[-1] == ' '))
				end--;
			return drove__strndup(v, (size_t)(end - v));
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return NULL;
}

void drove__http_response_free(drove__http_response *resp)
{
	if (!resp)
		return;
	free(resp->errtext);
	free(resp->body);
	free(resp->headers);
	free(resp);
}

/* ---- synchronous wrapper ---- */

struct sync_state {
	drove_loop *loop;
	drove__http_response *resp;
	drove__http_chunk_fn chunk;
	void *userdata;
	int done;
};

static int sync_chunk(const char *data, size_t len, void *userdata)
{
	struct sync_state *st = userdata;
	return st->chunk(data, len, st->userdata);
}

static void sync_done(const drove__http_response *resp, void *userdata)
{
	struct sync_state *st = userdata;
	drove__http_response *r = calloc(1, sizeof(*r));

	st->done = 1;
	drove_loop_stop(st->loop);
	if (!r)
		return;
	r->status = resp->status;
	r->error = resp->error;
	r->tls_unverified = resp->tls_unverified;
	r->unsent = resp->unsent;
	r->errtext = strdup(resp->errtext);
	r->body = malloc(resp->body_len + 1);
	r->headers = strdup(resp->headers);
	if (!r->errtext || !r->body || !r->headers) {
		drove__http_response_free(r);
		return;
	}
	memcpy(r->body, resp->body, resp->body_len);
	r->body[resp->body_len] = '\0';
	r->body_len = resp->body_len;
	st->resp = r;
}

int drove__http_request_sync(drove_ctx *ctx, const drove__http_request *req,
                             drove__http_response **out)
{
	struct sync_state st = {0};
	drove__http_request copy;
	drove__http_client *c = NULL;
	int rc;

	DROVE_CHECK_ARG(ctx && req && out);
	if ((rc = drove_loop_new(&st.loop, ctx)) < 0)
		return rc;
	if ((rc = drove__http_client_new(&c, st.loop)) < 0)
		goto out;
	copy = *req;
	copy.on_done = sync_done;
	copy.userdata = &st;
	st.chunk = req->on_chunk;
	st.userdata = req->userdata;
	copy.on_chunk = req->on_chunk ? sync_chunk : NULL;
	if ((rc = drove__http_send(c, &copy, NULL)) < 0)
		goto out;
	while (!st.done)
		if ((rc = drove_loop_run(st.loop)) < 0)
			goto out;
	if (!st.resp) {
		rc = drove__enomem();
	} else if (st.resp->error) {
		rc = drove__error(st.resp->error, "%s %s: %s", req->method ? req->method : "GET",
		                  req->url, st.resp->errtext);
		drove__http_response_free(st.resp);
	} else {
		*out = st.resp;
		rc = 0;
	}
out:
	drove__http_client_free(c);
	drove_loop_free(st.loop);
	return rc;
}
