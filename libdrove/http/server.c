/* HTTP server on libevent's evhttp: routing, the filter chain (authentication 401 -> leader
 * check 400 -> role check 403 -> handler), Drove's envelope, async and streaming replies,
 * access audit. docs/http.md. */
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <json-c/json.h>
#include <openssl/ssl.h>

#include <drove/clock.h>

#include "auth/auth.h"
#include "core/internal.h"
#include "core/loop_internal.h"
#include "http/server.h"

#define MOD "http"

#define DEFAULT_MAX_BODY (2u * 1024 * 1024)
#define DEFAULT_TIMEOUT  30
#define JSON_DEPTH_MAX   64
#define JSON_FLAGS       (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

struct route {
	struct route *next;
	unsigned access;
	int leader_only;
	drove__http_handler fn;
	void *userdata;
	char *pattern;
};

struct listener {
	struct listener *next;
	struct evhttp_bound_socket *handle;
};

struct drove__http_server {
	drove_loop *loop;
	drove_ctx *ctx;
	struct evhttp *http;
	drove_auth *auth;
	drove_auth *own_auth; /* the no-auth authenticator made when none was given */
	drove__http_router *router;
	struct route *routes;
	struct listener *listeners;
	int port;
	size_t max_body;
	int timeout_s;
	drove__http_leader_fn leader_fn;
	void *leader_ud;
	unsigned audit_methods;
	drove__http_audit_fn audit_fn;
	void *audit_ud;
	drove__http_observe_fn observe_fn;
	void *observe_ud;
	drove__http_req *live; /* requests not yet finished */
	size_t pending;
	int freeing;
	SSL_CTX *tls; /* HTTPS when set */
};

struct drove__http_req {
	drove__http_server *srv;
	drove__http_req *prev, *next;
	struct evhttp_request *ev; /* NULL once the client is gone */
	int method;
	char *path;
	drove__http_match match;
	int matched;
	struct evkeyvalq query;
	int query_parsed;
	char *body;
	size_t body_len;
	drove_principal *principal;
	void *userdata;
	drove__http_gone_fn gone_fn;
	void *gone_ud;
	drove__http_gone_fn drained_fn;
	void *drained_ud;
	int gone;
	int streaming;
	int finished;
	int status;
	int64_t start_us;
};

/* ---- small helpers ---- */

const char *drove__http_method_name(int m)
{
	switch (m) {
	case DROVE_HTTP_GET:
		return "GET";
	case DROVE_HTTP_POST:
		return "POST";
	case DROVE_HTTP_PUT:
		return "PUT";
	case DROVE_HTTP_DELETE:
		return "DELETE";
	case DROVE_HTTP_PATCH:
		return "PATCH";
	case DROVE_HTTP_OPTIONS:
		return "OPTIONS";
	case DROVE_HTTP_HEAD:
		return "HEAD";
	default:
		return NULL;
	}
}

static int method_from_ev(enum evhttp_cmd_type t)
{
	switch (t) {
	case EVHTTP_REQ_GET:
		return DROVE_HTTP_GET;
	case EVHTTP_REQ_POST:
		return DROVE_HTTP_POST;
	case EVHTTP_REQ_PUT:
		return DROVE_HTTP_PUT;
	case EVHTTP_REQ_DELETE:
		return DROVE_HTTP_DELETE;
	case EVHTTP_REQ_PATCH:
		return DROVE_HTTP_PATCH;
	case EVHTTP_REQ_OPTIONS:
		return DROVE_HTTP_OPTIONS;
	case EVHTTP_REQ_HEAD:
		return DROVE_HTTP_HEAD;
	default:
		return 0;
	}
}

static void unlink_req(drove__http_req *r)
{
	drove__http_server *srv = r->srv;

	if (r->prev)
		r->prev->next = r->next;
	else if (srv->live == r)
		srv->live = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	srv->pending--;
}

static void req_free(drove__http_req *r)
{
	drove__http_match_clear(&r->match);
	if (r->query_parsed)
		evhttp_clear_headers(&r->query);
	drove_principal_free(r->principal);
	free(r->body);
	free(r->path);
	free(r);
}

/* Detach our close callback from the request's connection (if it still has one). */
static void detach_closecb(drove__http_req *r)
{
	struct evhttp_connection *evcon;

	if (r->ev && (evcon = evhttp_request_get_connection(r->ev)))
		evhttp_connection_set_closecb(evcon, NULL, NULL);
}

/* The request is answered (or abandoned): audit, then release our state. */
static void finish(drove__http_req *r)
{
	drove__http_server *srv = r->srv;

	r->finished = 1;
	if (srv->freeing)
		return; /* drove__http_server_free() releases it */
	if (!r->gone && r->matched && srv->audit_fn && (srv->audit_methods & (unsigned)r->method))
		srv->audit_fn(drove__http_method_name(r->method), r->path,
		              r->principal ? drove_principal_name(r->principal) : NULL, r->status,
		              srv->audit_ud);
	if (srv->observe_fn)
		srv->observe_fn(
		        r->method, r->matched ? ((struct route *)r->match.route)->pattern : NULL,
		        r->gone ? 0 : r->status, (double)(drove_time_mono_us() - r->start_us) / 1e6,
		        srv->observe_ud);
	unlink_req(r);
	req_free(r);
}

static void on_close(struct evhttp_connection *evcon, void *arg)
{
	drove__http_req *r = arg;
	drove__http_gone_fn fn;

	evhttp_connection_set_closecb(evcon, NULL, NULL);
	if (r->ev && !evhttp_request_get_connection(r->ev))
		evhttp_request_free(r->ev); /* detached by libevent: ours to free */
	r->ev = NULL;
	r->gone = 1;
	drove__debug(r->srv->ctx, MOD, "client of %s %s went away",
	             drove__http_method_name(r->method), r->path);
	if ((fn = r->gone_fn)) {
		r->gone_fn = NULL;
		fn(r, r->gone_ud); /* may finish (and free) r */
	}
}

/* Send a complete reply; consumes nothing but copies `body`. */
static void send_reply(drove__http_req *r, int status, const char *content_type, const void *body,
                       size_t len)
{
	struct evbuffer *buf;

	if (r->finished || r->streaming) {
		drove__warn(r->srv->ctx, MOD, "%s %s: answered twice (ignored)",
		            drove__http_method_name(r->method), r->path);
		return;
	}
	r->status = status;
	if (r->ev) {
		struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
		if (content_type)
			evhttp_add_header(h, "Content-Type", content_type);
		buf = evbuffer_new();
		if (buf && len)
			evbuffer_add(buf, body, len);
		detach_closecb(r);
		evhttp_send_reply(r->ev, status, NULL, buf);
		r->ev = NULL; /* libevent owns it now */
		if (buf)
			evbuffer_free(buf);
	}
	finish(r);
}

static void send_string(drove__http_req *r, int status, const char *content_type, char *s)
{
	if (!s) {
		static const char oom[] = "{\"status\":\"FAILED\",\"data\":{\"failure\":\"out of "
		                          "memory\"},\"message\":\"Unexpected Server error\"}";
		send_reply(r, 500, "application/json", oom, sizeof(oom) - 1);
		return;
	}
	send_reply(r, status, content_type, s, strlen(s));
	free(s);
}

/* ---- replies ---- */

void drove__http_reply_raw(drove__http_req *r, int status, const char *content_type,
                           const void *body, size_t len)
{
	if (r)
		send_reply(r, status, content_type, body ? body : "", body ? len : 0);
}

void drove__http_reply_json(drove__http_req *r, int status, struct json_object *body)
{
	char *s;

	if (!r) {
		json_object_put(body);
		return;
	}
	s = drove__strdup(body ? json_object_to_json_string_ext(body, JSON_FLAGS) : "null");
	json_object_put(body);
	send_string(r, status, "application/json", s);
}

void drove__http_reply_success(drove__http_req *r, struct json_object *data)
{
	char *s = drove__http_envelope(1, NULL, data);
	if (r)
		send_string(r, 200, "application/json", s);
	else
		free(s);
}

void drove__http_reply_failed(drove__http_req *r, int status, const char *message,
                              struct json_object *data)
{
	char *s = drove__http_envelope(0, message, data);
	if (r)
		send_string(r, status, "application/json", s);
	else
		free(s);
}

void drove__http_reply_not_found(drove__http_req *r, const char *message)
{
	drove__http_reply_failed(r, 200, message, NULL);
}

void drove__http_reply_validation(drove__http_req *r, const drove_strlist *errors)
{
	if (r)
		send_string(r, 400, "application/json",
		            drove__http_envelope_validation("Command validation failure", errors));
}

void drove__http_reply_json_invalid(drove__http_req *r, const char *parser_message)
{
	drove_strlist *l = NULL;

	if (!r)
		return;
	if (drove_strlist_new(&l) < 0 ||
	    drove_strlist_add(l, parser_message ? parser_message : "") < 0) {
		drove_strlist_free(l);
		send_string(r, 500, "application/json", NULL);
		return;
	}
	send_string(r, 400, "application/json",
	            drove__http_envelope_validation("JSON validation failure", l));
	drove_strlist_free(l);
}

void drove__http_reply_not_leader(drove__http_req *r)
{
	drove__http_reply_failed(r, 400, "This node is not the leader controller", NULL);
}

void drove__http_reply_unauthorized(drove__http_req *r)
{
	static const char msg[] = "Credentials are required to access this resource.";

	if (!r)
		return;
	if (r->ev && !r->finished && !r->streaming)
		evhttp_add_header(evhttp_request_get_output_headers(r->ev), "WWW-Authenticate",
		                  "Basic realm=\"realm\"");
	send_reply(r, 401, "text/plain", msg, sizeof(msg) - 1);
}

void drove__http_reply_forbidden(drove__http_req *r)
{
	if (r)
		send_reply(r, 403, NULL, "", 0);
}

void drove__http_reply_server_error(drove__http_req *r, const char *failure)
{
	json_object *data = json_object_new_object();

	if (data)
		json_object_object_add(data, "failure",
		                       json_object_new_string(failure ? failure : ""));
	drove__http_reply_failed(r, 500, "Unexpected Server error", data);
}

/* ---- streaming ---- */

static struct bufferevent *req_bev(drove__http_req *r)
{
	struct evhttp_connection *evcon = r->ev ? evhttp_request_get_connection(r->ev) : NULL;
	return evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
}

int drove__http_stream_start(drove__http_req *r, int status, const char *content_type)
{
	struct bufferevent *bev;
	struct timeval wtv;

	DROVE_CHECK_ARG(r);
	if (r->finished || r->streaming)
		return drove__error(DROVE_EINVAL, "http stream: request already answered");
	r->streaming = 1;
	r->status = status;
	if (!r->ev)
		return drove__error(DROVE_EIO, "http stream: the client went away");
	if (content_type)
		evhttp_add_header(evhttp_request_get_output_headers(r->ev), "Content-Type",
		                  content_type);
	evhttp_send_reply_start(r->ev, status, NULL);
	/* Watch the socket for the client closing (libevent stops reading while a handler
	 * answers), and do not let an idle stream hit the read timeout. */
	if ((bev = req_bev(r))) {
		wtv.tv_sec = r->srv->timeout_s;
		wtv.tv_usec = 0;
		bufferevent_set_timeouts(bev, NULL, &wtv);
		bufferevent_enable(bev, EV_READ);
	}
	return 0;
}

static void chunk_written(struct evhttp_connection *evcon, void *arg)
{
	drove__http_req *r = arg;
	drove__http_gone_fn fn = r->drained_fn;

	if (fn && !r->finished) {
		r->drained_fn = NULL;
		fn(r, r->drained_ud);
	}
}

int drove__http_stream_write(drove__http_req *r, const void *data, size_t len,
                             drove__http_gone_fn drained, void *userdata)
{
	struct evbuffer *buf;

	DROVE_CHECK_ARG(r && (data || !len));
	if (!r->streaming || r->finished)
		return drove__error(DROVE_EINVAL, "http stream: not started or already ended");
	if (!r->ev)
		return drove__error(DROVE_EIO, "http stream: the client went away");
	if (!len) {
		if (drained)
			drained(r, userdata);
		return 0;
	}
	if (!(buf = evbuffer_new()))
		return drove__enomem();
	if (evbuffer_add(buf, data, len) < 0) {
		evbuffer_free(buf);
		return drove__enomem();
	}
	r->drained_fn = drained;
	r->drained_ud = userdata;
	evhttp_send_reply_chunk_with_cb(r->ev, buf, chunk_written, r);
	evbuffer_free(buf);
	return 0;
}

size_t drove__http_stream_queued(const drove__http_req *r)
{
	struct bufferevent *bev = r ? req_bev((drove__http_req *)r) : NULL;
	return bev ? evbuffer_get_length(bufferevent_get_output(bev)) : 0;
}

void drove__http_stream_end(drove__http_req *r)
{
	struct bufferevent *bev;

	if (!r || r->finished)
		return;
	if (!r->streaming) {
		drove__warn(r->srv->ctx, MOD, "%s %s: stream_end without stream_start",
		            drove__http_method_name(r->method), r->path);
		r->streaming = 1;
		r->status = 500;
		if (r->ev)
			evhttp_send_reply_start(r->ev, 500, NULL);
	}
	r->drained_fn = NULL;
	if (r->ev) {
		if ((bev = req_bev(r))) {
			struct timeval tv = {r->srv->timeout_s, 0};
			bufferevent_set_timeouts(bev, &tv, &tv);
		}
		detach_closecb(r);
		evhttp_send_reply_end(r->ev);
		r->ev = NULL;
	}
	finish(r);
}

/* ---- request accessors ---- */

int drove__http_req_method(const drove__http_req *r)
{
	return r->method;
}

const char *drove__http_req_path(const drove__http_req *r)
{
	return r->path;
}

int drove__http_req_fd(const drove__http_req *r)
{
	struct evhttp_connection *conn;
	struct bufferevent *bev;
	if (!r->ev || !(conn = evhttp_request_get_connection(r->ev)) ||
	    !(bev = evhttp_connection_get_bufferevent(conn)))
		return -1;
	return (int)bufferevent_getfd(bev);
}

const char *drove__http_req_param(const drove__http_req *r, const char *name)
{
	for (size_t i = 0; name && i < r->match.nparams; i++)
		if (strcmp(r->match.names[i], name) == 0)
			return r->match.values[i];
	return NULL;
}

const char *drove__http_req_query(const drove__http_req *r, const char *name)
{
	return r->query_parsed && name ? evhttp_find_header(&r->query, name) : NULL;
}

int drove__http_req_query_all(const drove__http_req *r, const char *name, drove_strlist *out)
{
	struct evkeyval *kv;
	int n = 0, rc;

	if (!r->query_parsed || !name || !out)
		return 0;
	for (kv = r->query.tqh_first; kv; kv = kv->next.tqe_next) {
		if (strcmp(kv->key, name) != 0)
			continue;
		if ((rc = drove_strlist_add(out, kv->value)) < 0)
			return rc;
		n++;
	}
	return n;
}

const char *drove__http_req_header(const drove__http_req *r, const char *name)
{
	if (!r->ev || !name)
		return NULL;
	return evhttp_find_header(evhttp_request_get_input_headers(r->ev), name);
}

const char *drove__http_req_body(const drove__http_req *r, size_t *len)
{
	if (len)
		*len = r->body_len;
	return r->body ? r->body : "";
}

const drove_principal *drove__http_req_principal(const drove__http_req *r)
{
	return r->principal;
}

void drove__http_req_set_userdata(drove__http_req *r, void *userdata)
{
	r->userdata = userdata;
}

void *drove__http_req_userdata(const drove__http_req *r)
{
	return r->userdata;
}

void drove__http_req_on_gone(drove__http_req *r, drove__http_gone_fn fn, void *userdata)
{
	r->gone_fn = fn;
	r->gone_ud = userdata;
}

int drove__http_req_is_gone(const drove__http_req *r)
{
	return r->gone;
}

int drove__http_req_add_header(drove__http_req *r, const char *name, const char *value)
{
	DROVE_CHECK_ARG(r && name && value);
	if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
		return drove__error(DROVE_EINVAL, "header '%s': bad name or value", name);
	if (r->finished || r->streaming)
		return drove__error(DROVE_EINVAL, "header '%s': reply already started", name);
	if (!r->ev)
		return 0; /* nobody to send it to */
	if (evhttp_add_header(evhttp_request_get_output_headers(r->ev), name, value) < 0)
		return drove__enomem();
	return 0;
}

int drove__http_req_json(const drove__http_req *r, struct json_object **out)
{
	struct json_tokener *tok;
	json_object *o;
	enum json_tokener_error err;
	size_t off;

	DROVE_CHECK_ARG(r && out);
	if (!r->body_len)
		return drove__error(DROVE_EINVAL, "No content to map due to end-of-input");
	if (!(tok = json_tokener_new_ex(JSON_DEPTH_MAX)))
		return drove__enomem();
	o = json_tokener_parse_ex(tok, r->body, (int)r->body_len);
	err = json_tokener_get_error(tok);
	off = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (err == json_tokener_continue)
		err = json_tokener_error_parse_eof;
	if (err != json_tokener_success) {
		json_object_put(o);
		return drove__error(DROVE_EINVAL, "malformed JSON at offset %zu: %s", off,
		                    json_tokener_error_desc(err));
	}
	for (size_t i = off; i < r->body_len; i++) {
		char c = r->body[i];
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			json_object_put(o);
			return drove__error(DROVE_EINVAL,
			                    "malformed JSON at offset %zu: trailing data", i);
		}
	}
	*out = o;
	return 0;
}

int drove__http_req_json_or_reply(drove__http_req *r, struct json_object **out)
{
	int rc = drove__http_req_json(r, out);

	if (rc < 0)
		drove__http_reply_json_invalid(r, drove_error_last()->message);
	return rc;
}

/* ---- dispatch ---- */

static const char *header_lookup(const char *name, void *userdata)
{
	return evhttp_find_header(evhttp_request_get_input_headers(userdata), name);
}

/* A POST with an application/x-www-form-urlencoded body (HTML forms): its fields join the
 * query parameters, after those of the URL. -1 when it does not parse. */
static int form_body(drove__http_req *r)
{
	static const char form[] = "application/x-www-form-urlencoded";
	const char *ct = drove__http_req_header(r, "Content-Type");
	struct evkeyvalq fields;
	struct evkeyval *kv;

	if (r->method != DROVE_HTTP_POST || !ct || !r->body_len ||
	    evutil_ascii_strncasecmp(ct, form, sizeof(form) - 1) != 0)
		return 0;
	fields.tqh_first = NULL;
	fields.tqh_last = &fields.tqh_first;
	if (evhttp_parse_query_str(r->body, &fields) < 0)
		return -1;
	while ((kv = TAILQ_FIRST(&fields))) {
		TAILQ_REMOVE(&fields, kv, next);
		TAILQ_INSERT_TAIL(&r->query, kv, next);
	}
	return 0;
}

static void dispatch(struct evhttp_request *ev, void *arg)
{
	drove__http_server *srv = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
	struct evbuffer *in = evhttp_request_get_input_buffer(ev);
	struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
	drove__http_req *r;
	const char *path, *query;
	struct route *route;
	size_t blen;
	int rc;

	if (!(r = calloc(1, sizeof(*r)))) {
		evhttp_send_error(ev, 500, NULL);
		return;
	}
	r->srv = srv;
	r->ev = ev;
	r->start_us = drove_time_mono_us();
	r->next = srv->live;
	if (srv->live)
		srv->live->prev = r;
	srv->live = r;
	srv->pending++;
	r->method = method_from_ev(evhttp_request_get_command(ev));
	path = uri ? evhttp_uri_get_path(uri) : NULL;
	if (!path || !*path)
		path = "/";
	if (!(r->path = drove__strdup(path))) {
		send_string(r, 500, NULL, NULL);
		return;
	}
	if (evcon)
		evhttp_connection_set_closecb(evcon, on_close, r);

	/* routing: 400 bad path, 404 unknown, 405 wrong method */
	rc = drove__http_router_match(srv->router, r->method, r->path, &r->match);
	if (rc == DROVE_EINVAL) {
		drove__http_reply_failed(r, 400, drove_error_last()->message, NULL);
		return;
	}
	if (rc == DROVE_ENOTFOUND || (rc == DROVE_ECONFLICT && !r->method)) {
		static const char nf[] = "{\"code\":404,\"message\":\"HTTP 404 Not Found\"}";
		send_reply(r, 404, "application/json", nf, sizeof(nf) - 1);
		return;
	}
	if (rc == DROVE_ECONFLICT) {
		static const char na[] =
		        "{\"code\":405,\"message\":\"HTTP 405 Method Not Allowed\"}";
		drove__buf allow = DROVE_BUF_INIT;
		for (unsigned m = 1; m <= DROVE_HTTP_HEAD; m <<= 1)
			if (r->match.allowed & m)
				drove__buf_printf(&allow, "%s%s", allow.len ? ", " : "",
				                  drove__http_method_name((int)m));
		if (allow.data)
			evhttp_add_header(evhttp_request_get_output_headers(ev), "Allow",
			                  allow.data);
		drove__buf_free(&allow);
		send_reply(r, 405, "application/json", na, sizeof(na) - 1);
		return;
	}
	if (rc < 0) {
		drove__http_reply_server_error(r, drove_error_last()->message);
		return;
	}
	r->matched = 1;
	route = r->match.route;

	/* the body: over the limit is 413 (libevent refuses far larger ones itself) */
	blen = evbuffer_get_length(in);
	if (blen > srv->max_body) {
		char *msg = drove__asprintf("Request entity too large: %zu bytes, the limit is %zu",
		                            blen, srv->max_body);
		drove__http_reply_failed(r, 413, msg ? msg : "Request entity too large", NULL);
		free(msg);
		return;
	}
	if (!(r->body = malloc(blen + 1))) {
		send_string(r, 500, NULL, NULL);
		return;
	}
	evbuffer_copyout(in, r->body, blen);
	r->body[blen] = '\0';
	r->body_len = blen;

	/* the query string */
	query = uri ? evhttp_uri_get_query(uri) : NULL;
	r->query.tqh_first = NULL;
	r->query.tqh_last = &r->query.tqh_first;
	r->query_parsed = 1;
	if (query && evhttp_parse_query_str(query, &r->query) < 0) {
		drove__http_reply_failed(r, 400, "Malformed query string", NULL);
		return;
	}
	if (form_body(r) < 0) {
		drove__http_reply_failed(r, 400, "Malformed form body", NULL);
		return;
	}

	/* the filter chain, in Drove's order */
	if (route->access != DROVE_HTTP_PUBLIC) {
		rc = drove_auth_authenticate_headers(srv->auth, header_lookup, ev, &r->principal);
		if (rc == DROVE_EAUTH) {
			drove__debug(srv->ctx, MOD, "%s %s: 401: %s",
			             drove__http_method_name(r->method), r->path,
			             drove_error_last()->message);
			drove__http_reply_unauthorized(r);
			return;
		}
		if (rc < 0) {
			drove__http_reply_server_error(r, drove_error_last()->message);
			return;
		}
	}
	if (route->leader_only && srv->leader_fn && !srv->leader_fn(srv->leader_ud)) {
		drove__http_reply_not_leader(r);
		return;
	}
	if (route->access != DROVE_HTTP_PUBLIC &&
	    drove_auth_authorise(srv->auth, r->principal, route->access) < 0) {
		drove__debug(srv->ctx, MOD, "%s %s: 403: %s", drove__http_method_name(r->method),
		             r->path, drove_error_last()->message);
		drove__http_reply_forbidden(r);
		return;
	}
	route->fn(r, route->userdata);
}

/* ---- the server ---- */

int drove__http_server_new(drove__http_server **out, drove_loop *loop, drove_auth *auth)
{
	drove__http_server *srv;
	int rc;

	DROVE_CHECK_ARG(out && loop);
	if (!(srv = calloc(1, sizeof(*srv))))
		return drove__enomem();
	srv->loop = loop;
	srv->ctx = drove_loop_ctx(loop);
	srv->port = -1;
	srv->max_body = DEFAULT_MAX_BODY;
	srv->timeout_s = DEFAULT_TIMEOUT;
	srv->audit_methods = DROVE_HTTP_POST | DROVE_HTTP_PUT;
	srv->auth = auth;
	if (!auth) {
		if ((rc = drove_auth_new(&srv->own_auth, srv->ctx)) < 0)
			goto fail;
		drove_auth_set_no_auth(srv->own_auth, 1);
		srv->auth = srv->own_auth;
	}
	if ((rc = drove__http_router_new(&srv->router)) < 0)
		goto fail;
	if (!(srv->http = evhttp_new(drove__loop_base(loop)))) {
		rc = drove__error(DROVE_ERROR, "http server: libevent could not create evhttp");
		goto fail;
	}
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
	                                              EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
	                                              EVHTTP_REQ_OPTIONS | EVHTTP_REQ_HEAD);
	evhttp_set_default_content_type(srv->http, NULL);
	evhttp_set_gencb(srv->http, dispatch, srv);
	drove__http_server_set_max_body(srv, DEFAULT_MAX_BODY);
	drove__http_server_set_timeout(srv, DEFAULT_TIMEOUT);
	*out = srv;
	return 0;
fail:
	drove__http_server_free(srv);
	return rc;
}

void drove__http_server_free(drove__http_server *srv)
{
	drove__http_req *r;

	if (!srv)
		return;
	srv->freeing = 1;
	/* Take every pending request away from libevent first, then tell its handler. */
	for (r = srv->live; r; r = r->next) {
		if (r->ev) {
			if (evhttp_request_get_connection(r->ev))
				detach_closecb(r); /* evhttp_free() frees it with its connection */
			else
				evhttp_request_free(r->ev);
			r->ev = NULL;
		}
		r->gone = 1;
	}
	for (r = srv->live; r; r = r->next) {
		drove__http_gone_fn fn = r->gone_fn;
		r->gone_fn = NULL;
		if (fn && !r->finished)
			fn(r, r->gone_ud);
	}
	while ((r = srv->live)) {
		unlink_req(r);
		req_free(r);
	}
	while (srv->listeners) {
		struct listener *l = srv->listeners;
		srv->listeners = l->next;
		free(l); /* evhttp_free() closes the sockets */
	}
	if (srv->http)
		evhttp_free(srv->http);
	SSL_CTX_free(srv->tls);
	while (srv->routes) {
		struct route *x = srv->routes;
		srv->routes = x->next;
		free(x->pattern);
		free(x);
	}
	drove__http_router_free(srv->router);
	drove_auth_free(srv->own_auth);
	free(srv);
}

int drove__http_server_set_max_body(drove__http_server *srv, size_t bytes)
{
	size_t hard;

	DROVE_CHECK_ARG(srv && bytes > 0 && bytes <= (size_t)1 << 30);
	srv->max_body = bytes;
	hard = bytes * 2 + 65536;
	evhttp_set_max_body_size(srv->http, (ev_ssize_t)hard);
	return 0;
}

int drove__http_server_set_timeout(drove__http_server *srv, int seconds)
{
	DROVE_CHECK_ARG(srv && seconds > 0 && seconds <= 86400);
	srv->timeout_s = seconds;
	evhttp_set_timeout(srv->http, seconds);
	return 0;
}

void drove__http_server_set_leader_fn(drove__http_server *srv, drove__http_leader_fn fn,
                                      void *userdata)
{
	srv->leader_fn = fn;
	srv->leader_ud = userdata;
}

void drove__http_server_set_audit(drove__http_server *srv, unsigned methods,
                                  drove__http_audit_fn fn, void *userdata)
{
	srv->audit_methods = methods;
	srv->audit_fn = fn;
	srv->audit_ud = userdata;
}

void drove__http_server_set_observer(drove__http_server *srv, drove__http_observe_fn fn,
                                     void *userdata)
{
	srv->observe_fn = fn;
	srv->observe_ud = userdata;
}

int drove__http_server_route(drove__http_server *srv, unsigned methods, const char *pattern,
                             unsigned access, int leader_only, drove__http_handler fn,
                             void *userdata)
{
	struct route *route;
	int rc;

	DROVE_CHECK_ARG(srv && pattern && fn && methods);
	if (methods & ~(unsigned)(DROVE_HTTP_GET | DROVE_HTTP_POST | DROVE_HTTP_PUT |
	                          DROVE_HTTP_DELETE | DROVE_HTTP_PATCH | DROVE_HTTP_OPTIONS))
		return drove__error(DROVE_EINVAL, "route '%s': unknown method bits 0x%x", pattern,
		                    methods);
	if (!(route = calloc(1, sizeof(*route))))
		return drove__enomem();
	route->access = access;
	route->leader_only = leader_only ? 1 : 0;
	route->fn = fn;
	route->userdata = userdata;
	if (!(route->pattern = drove__strdup(pattern))) {
		free(route);
		return DROVE_ENOMEM;
	}
	if ((rc = drove__http_router_add(srv->router, methods, pattern, route)) < 0) {
		free(route->pattern);
		free(route);
		return rc;
	}
	route->next = srv->routes;
	srv->routes = route;
	return 0;
}

int drove__http_server_bind(drove__http_server *srv, const char *address, int port)
{
	struct addrinfo hints, *res = NULL;
	struct evconnlistener *lev;
	struct evhttp_bound_socket *handle;
	struct listener *l;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char portstr[16];
	int rc;

	DROVE_CHECK_ARG(srv && address && port >= 0 && port <= 65535);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if ((rc = getaddrinfo(address, portstr, &hints, &res)) != 0)
		return drove__error(DROVE_EINVAL, "http bind: address '%s': %s", address,
		                    gai_strerror(rc));
	if (!(l = calloc(1, sizeof(*l)))) {
		freeaddrinfo(res);
		return drove__enomem();
	}
	lev = evconnlistener_new_bind(drove__loop_base(srv->loop), NULL, NULL,
	                              LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC |
	                                      LEV_OPT_REUSEABLE,
	                              128, res->ai_addr, (int)res->ai_addrlen);
	freeaddrinfo(res);
	if (!lev) {
		free(l);
		return drove__error(DROVE_EIO, "http bind: %s:%d: %s", address, port,
		                    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	}
	if (!(handle = evhttp_bind_listener(srv->http, lev))) {
		evconnlistener_free(lev);
		free(l);
		return drove__error(DROVE_EIO, "http bind: %s:%d: evhttp refused the listener",
		                    address, port);
	}
	/* Replies are written in one go and answered by a waiting client: Nagle plus delayed ACK
	 * would stall any reply of more than a couple of segments by 40 ms. Linux copies
	 * TCP_NODELAY from the listening socket to every socket it accepts. */
	{
		int one = 1;
		setsockopt(evconnlistener_get_fd(lev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	l->handle = handle;
	l->next = srv->listeners;
	srv->listeners = l;
	if (srv->port < 0 &&
	    getsockname(evhttp_bound_socket_get_fd(handle), (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			srv->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			srv->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	drove__info(srv->ctx, MOD, "listening on %s:%d%s", address, srv->port,
	            srv->tls ? " (https)" : "");
	return 0;
}

/* evhttp's per-connection bufferevent: a TLS one accepting the handshake. */
static struct bufferevent *tls_bev(struct event_base *base, void *arg)
{
	drove__http_server *srv = arg;
	SSL *ssl = SSL_new(srv->tls);
	struct bufferevent *bev;

	if (!ssl)
		return NULL;
	bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
	                                     BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		SSL_free(ssl);
		return NULL;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

int drove__http_server_set_tls(drove__http_server *srv, const char *key_store_path,
                               const char *password, const char *type)
{
	void *ctx = NULL;
	int rc;

	DROVE_CHECK_ARG(srv && key_store_path && !srv->tls);
	if ((rc = drove__http_tls_ctx_new(&ctx, key_store_path, password, type)) < 0)
		return rc;
	srv->tls = ctx;
	evhttp_set_bevcb(srv->http, tls_bev, srv);
	return 0;
}

int drove__http_server_is_tls(const drove__http_server *srv)
{
	return srv && srv->tls ? 1 : 0;
}

int drove__http_server_port(const drove__http_server *srv)
{
	return srv ? srv->port : -1;
}

void drove__http_server_stop(drove__http_server *srv)
{
	if (!srv)
		return;
	while (srv->listeners) {
		struct listener *l = srv->listeners;
		srv->listeners = l->next;
		evhttp_del_accept_socket(srv->http, l->handle);
		free(l);
	}
}

size_t drove__http_server_pending(const drove__http_server *srv)
{
	return srv ? srv->pending : 0;
}
