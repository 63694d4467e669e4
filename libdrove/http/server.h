/*
 * Internal HTTP server (libevent evhttp) for the controller's /apis/v1 and the executor's
 * internal API: routing with named path parameters, Drove's response envelope, the filter
 * chain (authentication 401 -> leader check 400 -> role check 403 -> handler), access audit,
 * synchronous, later (asynchronous) and streaming (chunked) replies. docs/http.md.
 *
 * Threads: everything runs on the loop's thread, including every drove__http_reply_*() and
 * drove__http_stream_*() call; from another thread, hand the work back with drove_loop_post().
 */
#ifndef DROVE_HTTP_SERVER_H
#define DROVE_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <drove/auth.h>
#include <drove/loop.h>
#include <drove/metrics.h>
#include <drove/strlist.h>

struct json_object;

typedef struct drove__http_server drove__http_server;
typedef struct drove__http_req drove__http_req;

/* Methods, as a bit set for routes. HEAD requests are served by GET routes. */
enum drove__http_method {
	DROVE_HTTP_GET = 1 << 0,
	DROVE_HTTP_POST = 1 << 1,
	DROVE_HTTP_PUT = 1 << 2,
	DROVE_HTTP_DELETE = 1 << 3,
	DROVE_HTTP_PATCH = 1 << 4,
	DROVE_HTTP_OPTIONS = 1 << 5,
	DROVE_HTTP_HEAD = 1 << 6,
};
/* "GET", "POST"...; NULL for anything else. */
const char *drove__http_method_name(int method);

/* Route access: a role set (DROVE_ROLES_*, DROVE_ROLE_BIT(...), DROVE_ROLES_ANY for any
 * authenticated principal) or DROVE_HTTP_PUBLIC for no authentication at all. */
#define DROVE_HTTP_PUBLIC 0u

/* A request handler. It must answer `req` exactly once, now or later on the loop thread, with
 * one drove__http_reply_*() or drove__http_stream_start() ... drove__http_stream_end(). */
typedef void (*drove__http_handler)(drove__http_req *req, void *userdata);
/* 1 when this node is the leader (the controller sets it; without one every node leads). */
typedef int (*drove__http_leader_fn)(void *userdata);
/* Access audit: called after the final reply to a request whose method is audited. `user` is
 * NULL when the request was not authenticated. */
typedef void (*drove__http_audit_fn)(const char *method, const char *path, const char *user,
                                     int status, void *userdata);
/* Request accounting: called once per finished request, on the loop thread. `route` is the
 * matched route's pattern ("/apis/v1/applications/{appId}") or NULL when none matched;
 * `status` is 0 when the client went away before the reply; `seconds` from the request's
 * arrival to its end. */
typedef void (*drove__http_observe_fn)(int method, const char *route, int status, double seconds,
                                       void *userdata);
/* The client of a pending or streaming request went away (or the server is being freed).
 * The handler must still finish the request (any reply or drove__http_stream_end() then only
 * releases it), except when the server is being freed: then `req` is freed right after this
 * call and must be forgotten. */
typedef void (*drove__http_gone_fn)(drove__http_req *req, void *userdata);

/* ---- the server ---- */

/* A server on `loop`. `auth` is borrowed (it must outlive the server); NULL means no-auth
 * mode (every request is default-user / DROVE_EXTERNAL_ROOT).
 * @return 0, DROVE_EINVAL, DROVE_ENOMEM or DROVE_ERROR. */
int drove__http_server_new(drove__http_server **out, drove_loop *loop, drove_auth *auth);
/* Closes listeners and connections; pending requests get their gone callback, then are freed.
 * NULL is fine. */
void drove__http_server_free(drove__http_server *srv);
/* Largest request body (default 2 MiB). Larger bodies get 413 with a JSON envelope; bodies
 * beyond twice the limit plus 64 KiB are refused by libevent while reading (413, its own
 * HTML page). @return 0 or DROVE_EINVAL. */
int drove__http_server_set_max_body(drove__http_server *srv, size_t bytes);
/* Idle read/write timeout of connections, seconds (default 30). @return 0 or DROVE_EINVAL. */
int drove__http_server_set_timeout(drove__http_server *srv, int seconds);
void drove__http_server_set_leader_fn(drove__http_server *srv, drove__http_leader_fn fn,
                                      void *userdata);
/* Audited methods (default DROVE_HTTP_POST | DROVE_HTTP_PUT) and the hook (NULL: none). */
void drove__http_server_set_audit(drove__http_server *srv, unsigned methods,
                                  drove__http_audit_fn fn, void *userdata);
/* The request accounting hook (NULL: none). */
void drove__http_server_set_observer(drove__http_server *srv, drove__http_observe_fn fn,
                                     void *userdata);
/* Add a route: `methods` a bit set, `pattern` like "/apis/v1/applications/{appId}" (literal
 * segments and whole-segment {name} parameters), `access` a role set or DROVE_HTTP_PUBLIC,
 * `leader_only` 1 to answer 400 "This node is not the leader controller" on non-leaders.
 * @return 0, DROVE_EINVAL (bad pattern, the message names it), DROVE_EEXISTS (same pattern
 * and method twice) or DROVE_ENOMEM. */
int drove__http_server_route(drove__http_server *srv, unsigned methods, const char *pattern,
                             unsigned access, int leader_only, drove__http_handler fn,
                             void *userdata);
/* Listen on `address` ("127.0.0.1", "0.0.0.0", "::") and `port` (0: an ephemeral port).
 * Several binds are allowed. @return 0, DROVE_EINVAL or DROVE_EIO (the message says why). */
int drove__http_server_bind(drove__http_server *srv, const char *address, int port);
/* Serve HTTPS on every listener of `srv` (call before drove__http_server_bind): the key and
 * certificate (plus any chain) come from the PKCS12 key store at `key_store_path` opened with
 * `password` (NULL: ""); `type` NULL or "PKCS12" ("JKS" is refused: convert it). TLS 1.2+.
 * @return 0, DROVE_EINVAL (the message names the file and says what is wrong), DROVE_EIO
 * (cannot read it) or DROVE_ENOMEM. */
int drove__http_server_set_tls(drove__http_server *srv, const char *key_store_path,
                               const char *password, const char *type);
/* drove__http_server_set_tls() for a drove_admin's server (admin.c), before
 * drove_admin_start(). */
struct drove_admin;
int drove__admin_set_tls(struct drove_admin *a, const char *key_store_path, const char *password,
                         const char *type);
/* One health check of drove__admin_open(); a NULL `fn` is left out. */
struct drove__admin_check {
	const char *name;
	int (*fn)(char *message, size_t size, void *userdata); /* drove_health_fn */
};
/* A daemon's admin port in one call (controller, executor, Epoch): drove_admin_new() on
 * `metrics`, the `n` checks (each called with `userdata`), HTTPS from the PKCS12 key store
 * when `key_store_path` is set, then drove_admin_start() on `address` (NULL: 127.0.0.1) and
 * `port`. On error nothing is left: *out stays NULL. */
int drove__admin_open(struct drove_admin **out, drove_loop *loop, drove_metrics *metrics,
                      const struct drove__admin_check *checks, size_t n, void *userdata,
                      const char *address, int port, const char *key_store_path,
                      const char *password, const char *type);
/* 1 when the server serves HTTPS. */
int drove__http_server_is_tls(const drove__http_server *srv);
/* The actual port of the first listener (after bind with port 0); -1 when not bound. */
int drove__http_server_port(const drove__http_server *srv);
/* Graceful stop, step one: close every listener so that no new connection is accepted;
 * requests in flight go on. Free the server once drove__http_server_pending() is 0. */
void drove__http_server_stop(drove__http_server *srv);
/* Requests accepted and not yet finished (pending, async or streaming). */
size_t drove__http_server_pending(const drove__http_server *srv);

/* ---- the request (borrowed from the server; valid until it is finished) ---- */

int drove__http_req_method(const drove__http_req *req);
/* The path as received (still percent-encoded, without the query). */
const char *drove__http_req_path(const drove__http_req *req);
/* The connection's socket, or -1 once the client is gone (for socket options and tests). */
int drove__http_req_fd(const drove__http_req *req);
/* A path parameter, percent-decoded; NULL when the route has no such parameter. */
const char *drove__http_req_param(const drove__http_req *req, const char *name);
/* The first value of query parameter `name` (decoded, '+' is a space); NULL when absent.
 * The fields of a POST's application/x-www-form-urlencoded body count as query parameters
 * (after the URL's); a body that does not parse is answered 400 before the handler. */
const char *drove__http_req_query(const drove__http_req *req, const char *name);
/* Every value of query parameter `name` (state=A&state=B) appended to `out`.
 * @return the number appended, or DROVE_ENOMEM. */
int drove__http_req_query_all(const drove__http_req *req, const char *name, drove_strlist *out);
/* A request header (case-insensitive); NULL when absent. */
const char *drove__http_req_header(const drove__http_req *req, const char *name);
/* The body, NUL-terminated (so "" when there is none); `len` may be NULL. */
const char *drove__http_req_body(const drove__http_req *req, size_t *len);
/* Who asked: NULL on a DROVE_HTTP_PUBLIC route. */
const drove_principal *drove__http_req_principal(const drove__http_req *req);
/* A slot for the handler's own state. */
void drove__http_req_set_userdata(drove__http_req *req, void *userdata);
void *drove__http_req_userdata(const drove__http_req *req);
/* Be told when the client goes away (see drove__http_gone_fn). */
void drove__http_req_on_gone(drove__http_req *req, drove__http_gone_fn fn, void *userdata);
/* 1 once the client went away. */
int drove__http_req_is_gone(const drove__http_req *req);
/* Add a response header (before the reply). @return 0, DROVE_EINVAL or DROVE_ENOMEM. */
int drove__http_req_add_header(drove__http_req *req, const char *name, const char *value);
/* Parse the body as JSON (size and depth capped). @return 0 with *out (json_object_put() it)
 * or DROVE_EINVAL with the parser's message. */
int drove__http_req_json(const drove__http_req *req, struct json_object **out);
/* drove__http_req_json(), answering 400 "JSON validation failure" itself on failure (the
 * request is then finished). @return 0 or DROVE_EINVAL. */
int drove__http_req_json_or_reply(drove__http_req *req, struct json_object **out);

/* ---- replies: each finishes the request; `data`/`body` json objects are consumed ---- */

/* 200 {"status":"SUCCESS","data":<data>,"message":"success"} (data omitted when NULL). */
void drove__http_reply_success(drove__http_req *req, struct json_object *data);
/* `status` {"status":"FAILED","data":<data>,"message":<message>}; data omitted when NULL. */
void drove__http_reply_failed(drove__http_req *req, int status, const char *message,
                              struct json_object *data);
/* Lookup miss: 200 {"status":"FAILED","message":<message>}. */
void drove__http_reply_not_found(drove__http_req *req, const char *message);
/* 400 {"status":"FAILED","data":{"validationErrors":[...]},"message":"Command validation
 * failure"}. */
void drove__http_reply_validation(drove__http_req *req, const drove_strlist *errors);
/* 400 ... "message":"JSON validation failure" with the parser message as the only error. */
void drove__http_reply_json_invalid(drove__http_req *req, const char *parser_message);
/* 400 {"status":"FAILED","message":"This node is not the leader controller"}. */
void drove__http_reply_not_leader(drove__http_req *req);
/* 401 text/plain "Credentials are required to access this resource." and
 * WWW-Authenticate: Basic realm="realm". */
void drove__http_reply_unauthorized(drove__http_req *req);
/* 403, empty body. */
void drove__http_reply_forbidden(drove__http_req *req);
/* 500 {"status":"FAILED","data":{"failure":<failure>},"message":"Unexpected Server error"}. */
void drove__http_reply_server_error(drove__http_req *req, const char *failure);
/* `status` with `body` serialised as is (no envelope; application/json). */
void drove__http_reply_json(drove__http_req *req, int status, struct json_object *body);
/* `status` with raw bytes (content_type NULL: none; body NULL or len 0: empty). */
void drove__http_reply_raw(drove__http_req *req, int status, const char *content_type,
                           const void *body, size_t len);

/* ---- streaming (chunked) replies ---- */

/* Send the status line and headers; then write chunks, then end.
 * @return 0, DROVE_EIO (the client is gone; still call drove__http_stream_end()) or
 * DROVE_EINVAL (already answered). */
int drove__http_stream_start(drove__http_req *req, int status, const char *content_type);
/* Queue one chunk (copied). `drained` (may be NULL) runs on the loop once everything queued so
 * far has been written, for back-pressure. @return 0, DROVE_EIO (client gone) or DROVE_EINVAL. */
int drove__http_stream_write(drove__http_req *req, const void *data, size_t len,
                             drove__http_gone_fn drained, void *userdata);
/* Bytes queued and not yet written to the socket. */
size_t drove__http_stream_queued(const drove__http_req *req);
/* End the stream and finish the request. */
void drove__http_stream_end(drove__http_req *req);

/* ---- envelope bodies (envelope.c), for tests and for other transports ---- */

/* Serialise the way the Java services do (plain, no slash escaping). New strings (free()),
 * NULL on ENOMEM. `data` is consumed. */
char *drove__http_envelope(int success, const char *message, struct json_object *data);
char *drove__http_envelope_validation(const char *message, const drove_strlist *errors);

/* ---- TLS contexts (tls.c) ---- */

/* 0 for NULL or "PKCS12"; DROVE_EINVAL with a message for "JKS" (convert it) and others. */
int drove__http_tls_check_type(const char *type);
/* A server SSL_CTX (as void *) from a PKCS12 key store; see drove__http_server_set_tls(). */
int drove__http_tls_ctx_new(void **out, const char *key_store_path, const char *password,
                            const char *type);
void drove__http_tls_ctx_free(void *ctx);

/* ---- router (router.c), pure ---- */

typedef struct drove__http_router drove__http_router;
typedef struct drove__http_match {
	void *route; /* the value given to drove__http_router_add */
	size_t nparams;
	char **names;     /* borrowed from the router */
	char **values;    /* decoded; owned by the match */
	unsigned allowed; /* methods allowed on the matched path (for 405 Allow) */
} drove__http_match;

/* Largest path accepted and most segments. */
#define DROVE_HTTP_PATH_MAX     8192
#define DROVE_HTTP_SEGMENTS_MAX 64

int drove__http_router_new(drove__http_router **out);
void drove__http_router_free(drove__http_router *r);
/* `route` is an opaque value handed back by lookups. */
int drove__http_router_add(drove__http_router *r, unsigned methods, const char *pattern,
                           void *route);
/* Match a raw (percent-encoded) path without query. @return 0 with *m filled (free with
 * drove__http_match_clear), DROVE_ENOTFOUND (no route: 404), DROVE_ECONFLICT (the path is known
 * but not for this method: 405, m->allowed says which are) or DROVE_EINVAL (bad encoding:
 * 400). */
int drove__http_router_match(const drove__http_router *r, int method, const char *path,
                             drove__http_match *m);
void drove__http_match_clear(drove__http_match *m);
/* Percent-decode `s` (n bytes); '+' stays '+'. Rejects bad escapes and %00.
 * @return 0 with *out (free()) or DROVE_EINVAL. */
int drove__http_pct_decode(const char *s, size_t n, char **out);

#endif
