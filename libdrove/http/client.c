/* Asynchronous HTTP client: libcurl multi driven by the drove_loop's libevent base. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include <event2/event.h>

#include "core/internal.h"
#include "core/loop_internal.h"
#include "http/client.h"

#define DEFAULT_CONNECT_MS 10000
#define DEFAULT_MAX_BODY   (16u << 20)
#define MAX_HEADERS        (64u << 10)

struct sockctx {
	struct sockctx *prev, *next;
	drove__http_client *c;
	struct event *ev;
	curl_socket_t fd;
};

struct drove__http_req {
	drove__http_req *prev, *next;
	drove__http_client *c;
	CURL *easy;
	struct curl_slist *hdrs;
	drove__buf body, headers;
	size_t max_body;
	drove__http_chunk_fn on_chunk;
	drove__http_done_fn on_done;
	void *userdata;
	long status;
	int cancelled, capped, aborted, oom, done;
	char errbuf[CURL_ERROR_SIZE];
	char tlsbuf[CURL_ERROR_SIZE + 128];
};

struct drove__http_client {
	drove_loop *loop;
	CURLM *multi;
	struct event *timer;
	drove__http_req *reqs;
	struct sockctx *socks;
	size_t nreqs;
	size_t ncancelled; /* cancelled but still attached to the multi handle */
	int busy;          /* > 0 while inside libcurl or our callbacks */
	int in_curl;       /* > 0 while inside curl_multi_socket_action */
	int dying;
};

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

static void req_free(drove__http_req *r)
{
	if (r->easy)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->hdrs);
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

static int on_sockopt(void *userdata, curl_socket_t fd, curlsocktype purpose)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl >= 0)
		(void)fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	return CURL_SOCKOPT_OK;
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

	drive(s->c, fd, action);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	drive(arg, CURL_SOCKET_TIMEOUT, 0);
}

static void sock_free(drove__http_client *c, struct sockctx *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		c->socks = s->next;
	if (s->next)
		s->next->prev = s->prev;
	if (s->ev)
		event_free(s->ev);
	free(s);
}

static int on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *sockp)
{
	drove__http_client *c = userp;
	struct sockctx *s = sockp;
	short kind;

	if (what == CURL_POLL_REMOVE) {
		if (s)
			sock_free(c, s);
		return 0;
	}
	kind = (short)(((what & CURL_POLL_IN) ? EV_READ : 0) |
	               ((what & CURL_POLL_OUT) ? EV_WRITE : 0) | EV_PERSIST);
	if (!s) {
		if (!(s = calloc(1, sizeof(*s))))
			return -1;
		s->c = c;
		s->fd = fd;
		s->next = c->socks;
		if (s->next)
			s->next->prev = s;
		c->socks = s;
		curl_multi_assign(c->multi, fd, s);
	}
	if (s->ev)
		event_free(s->ev);
	if (!(s->ev = event_new(drove__loop_base(c->loop), fd, kind, on_event, s)) ||
	    event_add(s->ev, NULL) < 0)
		return -1;
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
	while (c->reqs) {
		drove__http_req *r = c->reqs;
		curl_multi_remove_handle(c->multi, r->easy);
		req_unlink(r);
		req_free(r);
	}
	if (c->multi)
		curl_multi_cleanup(c->multi);
	while (c->socks)
		sock_free(c, c->socks);
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

int drove__http_send(drove__http_client *c, const drove__http_request *req,
                     drove__http_req **handle_out)
{
	drove__http_req *r;
	const char *method;
	CURL *e;
	int ok = 1;

	DROVE_CHECK_ARG(c && req && req->url && req->on_done && !c->dying);
	method = req->method ? req->method : "GET";
	if (!(r = calloc(1, sizeof(*r))))
		return drove__enomem();
	r->c = c;
	r->max_body = req->max_body ? req->max_body : DEFAULT_MAX_BODY;
	r->on_chunk = req->on_chunk;
	r->on_done = req->on_done;
	r->userdata = req->userdata;
	if (!(e = r->easy = curl_easy_init()))
		goto nomem;
	if (req->headers)
		for (const char *const *h = req->headers; *h; h++)
			if (!(r->hdrs = curl_slist_append(r->hdrs, *h)))
				goto nomem;
	if (!(r->hdrs = curl_slist_append(r->hdrs, "Expect:")))
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
	ok &= curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, on_sockopt) == CURLE_OK;
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
