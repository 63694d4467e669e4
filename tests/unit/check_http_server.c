/* http server: a real server on 127.0.0.1:0 driven by a drove_loop, requests made with libcurl
 * easy handles from a second thread. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "http/server.h"
#include "harness.h"

static drove_ctx *ctx;
static drove_loop *loop;
static drove_auth *auth;
static drove__http_server *srv;
static int is_leader;
static int port;

/* ---- the client side ---- */

struct call {
	const char *method;
	const char *path;
	const char *user, *pass;
	const char *extra_header;
	const char *body;
	size_t body_len;
	int abort_after_bytes; /* > 0: hang up once this many body bytes arrived */
	long code;
	int curl_rc;
	drove__buf body_out;
	drove__buf headers;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct call *c = ud;
	drove__buf_append(&c->body_out, p, sz * n);
	if (c->abort_after_bytes > 0 && (int)c->body_out.len >= c->abort_after_bytes)
		return 0; /* abort the transfer */
	return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
	struct call *c = ud;
	drove__buf_append(&c->headers, p, sz * n);
	return sz * n;
}

static void perform(struct call *c)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hl = NULL;
	char url[1024];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, c->path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method ? c->method : "GET");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (c->user) {
		curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->pass);
	}
	if (c->body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE,
		                 (long)(c->body_len ? c->body_len : strlen(c->body)));
		hl = curl_slist_append(hl, "Content-Type: application/json");
	}
	if (c->extra_header)
		hl = curl_slist_append(hl, c->extra_header);
	hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	c->curl_rc = (int)curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->code);
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	if (!c->body_out.data)
		drove__buf_puts(&c->body_out, "");
	if (!c->headers.data)
		drove__buf_puts(&c->headers, "");
}

struct batch {
	struct call *calls;
	size_t n;
	int stop_loop;
};

static void *client_thread(void *arg)
{
	struct batch *b = arg;
	for (size_t i = 0; i < b->n; i++)
		perform(&b->calls[i]);
	if (b->stop_loop)
		drove_loop_stop(loop);
	return NULL;
}

static void stop_cb(void *ud)
{
	drove_loop_stop(loop);
}

/* Run `n` calls one after the other from a client thread while this thread runs the loop. */
static void run_calls(struct call *calls, size_t n)
{
	struct batch b = {calls, n, 1};
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, client_thread, &b), 0);
	drove_loop_run(loop);
	pthread_join(t, NULL);
}

static void call_free(struct call *c)
{
	drove__buf_free(&c->body_out);
	drove__buf_free(&c->headers);
}

static void one(struct call *c)
{
	run_calls(c, 1);
	ck_assert_msg(c->curl_rc == 0 || c->abort_after_bytes, "curl: %d", c->curl_rc);
}

static int has_header(const struct call *c, const char *line)
{
	return strcasestr(c->headers.data, line) != NULL;
}

/* ---- handlers ---- */

static void h_ping(drove__http_req *req, void *ud)
{
	drove__http_reply_success(req, json_object_new_string("pong"));
}

/* Reports whether the request's connection has TCP_NODELAY (a reply larger than a few
 * segments would otherwise wait 40 ms for the client's delayed ACK). */
static void h_nodelay(drove__http_req *req, void *ud)
{
	int fd = drove__http_req_fd(req), on = -1;
	socklen_t len = sizeof(on);
	if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) < 0)
		on = -1;
	drove__http_reply_success(req, json_object_new_int(on != 0 && on != -1 ? 1 : on));
}

static void h_instance(drove__http_req *req, void *ud)
{
	json_object *d = json_object_new_object();
	drove_strlist *states = NULL;
	char *joined;

	drove_strlist_new(&states);
	ck_assert_int_eq(drove__http_req_query_all(req, "state", states), 2);
	json_object_object_add(d, "appId",
	                       json_object_new_string(drove__http_req_param(req, "appId")));
	json_object_object_add(d, "instanceId",
	                       json_object_new_string(drove__http_req_param(req, "instanceId")));
	joined = drove_strlist_join(states, ",");
	json_object_object_add(d, "states", json_object_new_string(joined));
	drove_free(joined);
	json_object_object_add(d, "size",
	                       json_object_new_string(drove__http_req_query(req, "size")));
	json_object_object_add(
	        d, "user",
	        json_object_new_string(drove_principal_name(drove__http_req_principal(req))));
	ck_assert_ptr_null(drove__http_req_param(req, "nope"));
	ck_assert_ptr_null(drove__http_req_query(req, "nope"));
	drove_strlist_free(states);
	drove__http_reply_success(req, d);
}

static void h_operations(drove__http_req *req, void *ud)
{
	json_object *o = NULL, *name, *d;

	if (drove__http_req_json_or_reply(req, &o) < 0)
		return;
	d = json_object_new_object();
	if (json_object_object_get_ex(o, "name", &name))
		json_object_object_add(d, "appId", json_object_get(name));
	json_object_put(o);
	drove__http_reply_success(req, d);
}

static void h_maint(drove__http_req *req, void *ud)
{
	drove__http_reply_success(req, NULL);
}

static void h_miss(drove__http_req *req, void *ud)
{
	drove__http_reply_not_found(req, "App TEST_APP-9 not found");
}

static void h_validate(drove__http_req *req, void *ud)
{
	drove_strlist *l = NULL;
	drove_strlist_new(&l);
	drove_strlist_add(l, "name must not be empty");
	drove_strlist_add(l, "Cluster is in maintenance mode");
	drove__http_reply_validation(req, l);
	drove_strlist_free(l);
}

static void h_boom(drove__http_req *req, void *ud)
{
	drove__http_reply_server_error(req, "kaput");
}

static void h_raw(drove__http_req *req, void *ud)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "files", json_object_new_array());
	drove__http_reply_json(req, 200, o);
}

static void later_reply(void *ud)
{
	drove__http_reply_success(ud, json_object_new_string("later/ok"));
}

static void h_async(drove__http_req *req, void *ud)
{
	ck_assert_int_eq(drove_loop_after(loop, 50, later_reply, req), 0);
}

/* streaming */
struct streamer {
	drove__http_req *req;
	int sent, max;
	int gone;
	int ended;
};
static struct streamer st;

static void stream_tick(void *ud)
{
	char chunk[32];
	int n;

	if (!st.req)
		return;
	if (st.sent >= st.max) {
		drove__http_stream_end(st.req);
		st.req = NULL;
		st.ended = 1;
		return;
	}
	n = snprintf(chunk, sizeof(chunk), "chunk-%d\n", st.sent++);
	if (drove__http_stream_write(st.req, chunk, (size_t)n, NULL, NULL) < 0) {
		ck_assert_int_eq(drove_error_last()->code, DROVE_EIO);
		drove__http_stream_end(st.req);
		st.req = NULL;
		return;
	}
	drove_loop_after(loop, 10, stream_tick, NULL);
}

static void stream_gone(drove__http_req *req, void *ud)
{
	ck_assert_ptr_eq(req, st.req);
	ck_assert(drove__http_req_is_gone(req));
	st.gone = 1;
	drove__http_stream_end(req);
	st.req = NULL;
}

static void h_stream(drove__http_req *req, void *ud)
{
	st.req = req;
	drove__http_req_on_gone(req, stream_gone, NULL);
	ck_assert_int_eq(drove__http_req_add_header(req, "Content-Disposition",
	                                            "attachment; filename=output.log"),
	                 0);
	ck_assert_int_eq(drove__http_stream_start(req, 200, "text/plain"), 0);
	drove_assert_error(drove__http_stream_start(req, 200, NULL), DROVE_EINVAL,
	                   "already answered");
	stream_tick(NULL);
}

/* audit */
struct audit_rec {
	char method[8], path[128], user[32];
	int status;
	int calls;
};
static struct audit_rec audit;

static void on_audit(const char *method, const char *path, const char *user, int status, void *ud)
{
	snprintf(audit.method, sizeof(audit.method), "%s", method);
	snprintf(audit.path, sizeof(audit.path), "%s", path);
	snprintf(audit.user, sizeof(audit.user), "%s", user ? user : "(none)");
	audit.status = status;
	audit.calls++;
}

static int leader_fn(void *ud)
{
	return is_leader;
}

static void setup(void)
{
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	ck_assert_int_eq(drove_auth_new(&auth, ctx), 0);
	ck_assert_int_eq(drove_auth_add_user(auth, "admin", "adminpw", DROVE_AUTH_PLAIN,
	                                     DROVE_ROLE_EXTERNAL_ROOT),
	                 0);
	ck_assert_int_eq(drove_auth_add_user(auth, "rw", "rwpw", DROVE_AUTH_PLAIN,
	                                     DROVE_ROLE_EXTERNAL_READ_WRITE),
	                 0);
	ck_assert_int_eq(drove_auth_add_user(auth, "maint", "mpw", DROVE_AUTH_PLAIN,
	                                     DROVE_ROLE_EXTERNAL_MAINTENANCE),
	                 0);
	ck_assert_int_eq(drove_auth_add_cluster_secret(auth, "EXECUTOR", "exe-secret"), 0);
	ck_assert_int_eq(drove__http_server_new(&srv, loop, auth), 0);
	is_leader = 1;
	memset(&audit, 0, sizeof(audit));
	memset(&st, 0, sizeof(st));
	drove__http_server_set_leader_fn(srv, leader_fn, NULL);
	drove__http_server_set_audit(srv, DROVE_HTTP_POST | DROVE_HTTP_PUT, on_audit, NULL);
#define R(m, p, a, l, f) ck_assert_int_eq(drove__http_server_route(srv, m, p, a, l, f, NULL), 0)
	R(DROVE_HTTP_GET, "/apis/v1/ping", DROVE_ROLES_ANY, 1, h_ping);
	R(DROVE_HTTP_GET, "/apis/v1/nodelay", DROVE_HTTP_PUBLIC, 0, h_nodelay);
	R(DROVE_HTTP_GET, "/apis/v1/applications/{appId}/instances/{instanceId}", DROVE_ROLES_ANY,
	  1, h_instance);
	R(DROVE_HTTP_POST, "/apis/v1/applications/operations", DROVE_ROLES_OPERATIONS, 1,
	  h_operations);
	R(DROVE_HTTP_GET, "/apis/v1/applications/{appId}", DROVE_ROLES_ANY, 1, h_miss);
	R(DROVE_HTTP_POST, "/apis/v1/cluster/maintenance/set", DROVE_ROLES_MAINTENANCE, 1, h_maint);
	R(DROVE_HTTP_POST | DROVE_HTTP_PUT, "/apis/v1/validate", DROVE_ROLES_ANY, 0, h_validate);
	R(DROVE_HTTP_GET, "/apis/v1/boom", DROVE_ROLES_ANY, 0, h_boom);
	R(DROVE_HTTP_GET, "/apis/v1/raw", DROVE_ROLES_CLUSTER, 0, h_raw);
	R(DROVE_HTTP_GET, "/apis/v1/async", DROVE_HTTP_PUBLIC, 0, h_async);
	R(DROVE_HTTP_GET, "/apis/v1/stream", DROVE_ROLES_LOGS, 0, h_stream);
#undef R
	ck_assert_int_eq(drove__http_server_bind(srv, "127.0.0.1", 0), 0);
	port = drove__http_server_port(srv);
	ck_assert_int_gt(port, 0);
}

static void teardown(void)
{
	drove__http_server_free(srv);
	drove_auth_free(auth);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
}

/* ---- tests ---- */

START_TEST(test_routing_params_and_query)
{
	struct call c = {.path = "/apis/v1/applications/TEST%5FAPP-1/instances/AI%20x%2Fy"
	                         "?state=HEALTHY&state=READY&size=a+b%21",
	                 .user = "admin",
	                 .pass = "adminpw"};
	one(&c);
	ck_assert_int_eq(c.code, 200);
	ck_assert_str_eq(c.body_out.data,
	                 "{\"status\":\"SUCCESS\",\"data\":{\"appId\":\"TEST_APP-1\","
	                 "\"instanceId\":\"AI x/y\",\"states\":\"HEALTHY,READY\",\"size\":\"a b!\","
	                 "\"user\":\"admin\"},\"message\":\"success\"}");
	ck_assert(has_header(&c, "Content-Type: application/json"));
	call_free(&c);
}
END_TEST

START_TEST(test_connections_have_nodelay)
{
	struct call c = {.path = "/apis/v1/nodelay"};
	one(&c);
	ck_assert_int_eq(c.code, 200);
	ck_assert_str_eq(c.body_out.data,
	                 "{\"status\":\"SUCCESS\",\"data\":1,\"message\":\"success\"}");
	call_free(&c);
}
END_TEST

START_TEST(test_not_found_and_method_not_allowed)
{
	struct call c[] = {
	        {.path = "/apis/v1/nope", .user = "admin", .pass = "adminpw"},
	        {.path = "/apis/v1/ping/extra"},
	        {.method = "DELETE", .path = "/apis/v1/ping", .user = "admin", .pass = "adminpw"},
	        {.path = "/apis/v1/applications/%zz/instances/x",
	         .user = "admin",
	         .pass = "adminpw"},
	        {.path = "/apis/v1/ping/", .user = "admin", .pass = "adminpw"},
	        /* the literal route is preferred over {appId} */
	        {.method = "POST",
	         .path = "/apis/v1/applications/operations",
	         .user = "admin",
	         .pass = "adminpw",
	         .body = "{\"name\":\"A-1\"}"},
	};
	run_calls(c, DROVE_ARRAY_LEN(c));
	ck_assert_int_eq(c[0].code, 404);
	ck_assert_str_eq(c[0].body_out.data, "{\"code\":404,\"message\":\"HTTP 404 Not Found\"}");
	ck_assert_int_eq(c[1].code, 404); /* unknown routes are 404 even without credentials */
	ck_assert_int_eq(c[2].code, 405);
	ck_assert(has_header(&c[2], "Allow: GET"));
	ck_assert_int_eq(c[3].code, 400);
	ck_assert_ptr_nonnull(strstr(c[3].body_out.data, "bad escape"));
	ck_assert_int_eq(c[4].code, 200); /* a trailing slash is ignored */
	ck_assert_int_eq(c[5].code, 200);
	ck_assert_str_eq(
	        c[5].body_out.data,
	        "{\"status\":\"SUCCESS\",\"data\":{\"appId\":\"A-1\"},\"message\":\"success\"}");
	for (size_t i = 0; i < DROVE_ARRAY_LEN(c); i++)
		call_free(&c[i]);
}
END_TEST

static void assert_no_data_key(const char *body)
{
	json_object *o = json_tokener_parse(body), *x;
	ck_assert_ptr_nonnull(o);
	ck_assert(!json_object_object_get_ex(o, "data", &x));
	ck_assert(json_object_object_get_ex(o, "status", &x));
	ck_assert_str_eq(json_object_get_string(x), "FAILED");
	json_object_put(o);
}

START_TEST(test_envelope_shapes)
{
	struct call c[] = {
	        {.path = "/apis/v1/ping", .user = "admin", .pass = "adminpw"},
	        {.path = "/apis/v1/applications/TEST_APP-9", .user = "admin", .pass = "adminpw"},
	        {.method = "POST", .path = "/apis/v1/validate", .user = "admin", .pass = "adminpw"},
	        {.path = "/apis/v1/boom", .user = "admin", .pass = "adminpw"},
	        {.path = "/apis/v1/raw", .extra_header = "Cluster-Authorization: exe-secret"},
	        {.method = "POST",
	         .path = "/apis/v1/cluster/maintenance/set",
	         .user = "maint",
	         .pass = "mpw"},
	};
	run_calls(c, DROVE_ARRAY_LEN(c));
	ck_assert_int_eq(c[0].code, 200);
	ck_assert_str_eq(c[0].body_out.data,
	                 "{\"status\":\"SUCCESS\",\"data\":\"pong\",\"message\":\"success\"}");
	ck_assert_int_eq(c[1].code, 200); /* lookup miss: HTTP 200 + FAILED */
	ck_assert_str_eq(c[1].body_out.data,
	                 "{\"status\":\"FAILED\",\"message\":\"App TEST_APP-9 not found\"}");
	assert_no_data_key(c[1].body_out.data);
	ck_assert_int_eq(c[2].code, 400);
	ck_assert_str_eq(
	        c[2].body_out.data,
	        "{\"status\":\"FAILED\",\"data\":{\"validationErrors\":[\"name must not be "
	        "empty\",\"Cluster is in maintenance mode\"]},\"message\":\"Command "
	        "validation failure\"}");
	ck_assert_int_eq(c[3].code, 500);
	ck_assert_str_eq(c[3].body_out.data,
	                 "{\"status\":\"FAILED\",\"data\":{\"failure\":\"kaput\"},\"message\":"
	                 "\"Unexpected Server error\"}");
	ck_assert_int_eq(c[4].code, 200);
	ck_assert_str_eq(c[4].body_out.data, "{\"files\":[]}");
	ck_assert_int_eq(c[5].code, 200); /* success without data omits it */
	ck_assert_str_eq(c[5].body_out.data, "{\"status\":\"SUCCESS\",\"message\":\"success\"}");
	for (size_t i = 0; i < DROVE_ARRAY_LEN(c); i++)
		call_free(&c[i]);
}
END_TEST

START_TEST(test_unauthorized_and_forbidden)
{
	struct call c[] = {
	        {.path = "/apis/v1/ping"},
	        {.path = "/apis/v1/ping", .user = "admin", .pass = "wrong"},
	        {.method = "POST",
	         .path = "/apis/v1/cluster/maintenance/set",
	         .user = "rw",
	         .pass = "rwpw"},
	        {.path = "/apis/v1/raw", .user = "admin", .pass = "adminpw"},
	        {.path = "/apis/v1/raw", .extra_header = "Cluster-Authorization: nope"},
	};
	run_calls(c, DROVE_ARRAY_LEN(c));
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(c[i].code, 401);
		ck_assert_str_eq(c[i].body_out.data,
		                 "Credentials are required to access this resource.");
		ck_assert(has_header(&c[i], "WWW-Authenticate: Basic realm=\"realm\"\r\n"));
		ck_assert(has_header(&c[i], "Content-Type: text/plain"));
	}
	/* READ_WRITE may not set maintenance: 403, empty body */
	ck_assert_int_eq(c[2].code, 403);
	ck_assert_str_eq(c[2].body_out.data, "");
	ck_assert(has_header(&c[2], "Content-Length: 0"));
	ck_assert_int_eq(c[3].code, 403); /* root is not a cluster node */
	ck_assert_int_eq(c[4].code, 401);
	for (size_t i = 0; i < DROVE_ARRAY_LEN(c); i++)
		call_free(&c[i]);
}
END_TEST

START_TEST(test_filter_order)
{
	struct call c[] = {
	        /* not leader, no credentials: 401 comes first */
	        {.path = "/apis/v1/ping"},
	        /* not leader, authenticated: 400 */
	        {.path = "/apis/v1/ping", .user = "admin", .pass = "adminpw"},
	        /* not leader, wrong role: the leader check comes before the role check */
	        {.method = "POST",
	         .path = "/apis/v1/cluster/maintenance/set",
	         .user = "rw",
	         .pass = "rwpw"},
	        /* not leader, route not leader-only */
	        {.path = "/apis/v1/boom", .user = "admin", .pass = "adminpw"},
	};
	is_leader = 0;
	run_calls(c, DROVE_ARRAY_LEN(c));
	ck_assert_int_eq(c[0].code, 401);
	ck_assert_int_eq(c[1].code, 400);
	ck_assert_str_eq(c[1].body_out.data,
	                 "{\"status\":\"FAILED\",\"message\":\"This node is not the leader "
	                 "controller\"}");
	ck_assert_int_eq(c[2].code, 400);
	ck_assert_int_eq(c[3].code, 500);
	for (size_t i = 0; i < DROVE_ARRAY_LEN(c); i++)
		call_free(&c[i]);
	/* leader again: wrong role gets 403 */
	{
		struct call d = {.method = "POST",
		                 .path = "/apis/v1/cluster/maintenance/set",
		                 .user = "rw",
		                 .pass = "rwpw"};
		is_leader = 1;
		one(&d);
		ck_assert_int_eq(d.code, 403);
		call_free(&d);
	}
}
END_TEST

START_TEST(test_bad_json_and_body_limit)
{
	static char big[2000];
	struct call c[] = {
	        {.method = "POST",
	         .path = "/apis/v1/applications/operations",
	         .user = "rw",
	         .pass = "rwpw",
	         .body = "{\"name\": "},
	        {.method = "POST",
	         .path = "/apis/v1/applications/operations",
	         .user = "rw",
	         .pass = "rwpw",
	         .body = "{} trailing"},
	        {.method = "POST",
	         .path = "/apis/v1/applications/operations",
	         .user = "rw",
	         .pass = "rwpw",
	         .body = big,
	         .body_len = sizeof(big)},
	};
	json_object *o, *d, *e;

	memset(big, ' ', sizeof(big));
	big[0] = '{';
	big[sizeof(big) - 1] = '}';
	ck_assert_int_eq(drove__http_server_set_max_body(srv, 1024), 0);
	run_calls(c, DROVE_ARRAY_LEN(c));
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(c[i].code, 400);
		o = json_tokener_parse(c[i].body_out.data);
		ck_assert_ptr_nonnull(o);
		ck_assert(json_object_object_get_ex(o, "message", &e));
		ck_assert_str_eq(json_object_get_string(e), "JSON validation failure");
		ck_assert(json_object_object_get_ex(o, "data", &d));
		ck_assert(json_object_object_get_ex(d, "validationErrors", &e));
		ck_assert_int_eq((int)json_object_array_length(e), 1);
		ck_assert_ptr_nonnull(strstr(
		        json_object_get_string(json_object_array_get_idx(e, 0)), "malformed JSON"));
		json_object_put(o);
	}
	ck_assert_int_eq(c[2].code, 413);
	ck_assert_str_eq(
	        c[2].body_out.data,
	        "{\"status\":\"FAILED\",\"message\":\"Request entity too large: 2000 bytes, "
	        "the limit is 1024\"}");
	for (size_t i = 0; i < DROVE_ARRAY_LEN(c); i++)
		call_free(&c[i]);
}
END_TEST

START_TEST(test_async_reply)
{
	struct call c[] = {{.path = "/apis/v1/async"}, {.path = "/apis/v1/async"}};
	run_calls(c, 2);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(c[i].code, 200);
		ck_assert_str_eq(
		        c[i].body_out.data,
		        "{\"status\":\"SUCCESS\",\"data\":\"later/ok\",\"message\":\"success\"}");
		call_free(&c[i]);
	}
	ck_assert_uint_eq(drove__http_server_pending(srv), 0);
}
END_TEST

START_TEST(test_streaming)
{
	struct call c = {.path = "/apis/v1/stream", .user = "admin", .pass = "adminpw"};
	st.max = 5;
	one(&c);
	ck_assert_int_eq(c.code, 200);
	ck_assert_str_eq(c.body_out.data, "chunk-0\nchunk-1\nchunk-2\nchunk-3\nchunk-4\n");
	ck_assert(has_header(&c, "Transfer-Encoding: chunked"));
	ck_assert(has_header(&c, "Content-Disposition: attachment; filename=output.log"));
	ck_assert(has_header(&c, "Content-Type: text/plain"));
	ck_assert(st.ended);
	ck_assert(!st.gone);
	call_free(&c);
}
END_TEST

static void wait_gone(void *ud)
{
	if (st.gone || ++*(int *)ud > 300)
		drove_loop_stop(loop);
	else
		drove_loop_after(loop, 10, wait_gone, ud);
}

START_TEST(test_stream_client_disconnect)
{
	struct call c = {.path = "/apis/v1/stream",
	                 .user = "admin",
	                 .pass = "adminpw",
	                 .abort_after_bytes = 8};
	struct batch b = {&c, 1, 0};
	pthread_t t;
	int ticks = 0;

	st.max = 1000000; /* endless, until the client goes away */
	ck_assert_int_eq(pthread_create(&t, NULL, client_thread, &b), 0);
	drove_loop_after(loop, 10, wait_gone, &ticks);
	drove_loop_run(loop);
	pthread_join(t, NULL);
	ck_assert_int_eq(c.curl_rc, CURLE_WRITE_ERROR);
	ck_assert_ptr_nonnull(strstr(c.body_out.data, "chunk-0"));
	ck_assert_msg(st.gone, "the handler was not told that the client went away");
	ck_assert_ptr_null(st.req);
	ck_assert_uint_eq(drove__http_server_pending(srv), 0);
	call_free(&c);
}
END_TEST

START_TEST(test_audit_hook)
{
	struct call c[] = {
	        {.method = "POST",
	         .path = "/apis/v1/applications/operations",
	         .user = "rw",
	         .pass = "rwpw",
	         .body = "{\"name\":\"X-1\"}"},
	};
	struct call d[] = {{.path = "/apis/v1/ping", .user = "admin", .pass = "adminpw"}};
	struct call e[] = {{.method = "PUT", .path = "/apis/v1/validate"}};

	run_calls(c, 1);
	ck_assert_int_eq(audit.calls, 1);
	ck_assert_str_eq(audit.method, "POST");
	ck_assert_str_eq(audit.path, "/apis/v1/applications/operations");
	ck_assert_str_eq(audit.user, "rw");
	ck_assert_int_eq(audit.status, 200);
	run_calls(d, 1); /* GET is not audited */
	ck_assert_int_eq(audit.calls, 1);
	run_calls(e, 1); /* unauthenticated PUT: audited with no user */
	ck_assert_int_eq(audit.calls, 2);
	ck_assert_str_eq(audit.method, "PUT");
	ck_assert_str_eq(audit.user, "(none)");
	ck_assert_int_eq(audit.status, 401);
	call_free(&c[0]);
	call_free(&d[0]);
	call_free(&e[0]);
}
END_TEST

START_TEST(test_no_auth_server_and_stop)
{
	drove__http_server *s2 = NULL;
	struct call c = {.path = "/apis/v1/ping"};
	int p2;

	ck_assert_int_eq(drove__http_server_new(&s2, loop, NULL), 0);
	ck_assert_int_eq(drove__http_server_route(s2, DROVE_HTTP_GET, "/apis/v1/ping",
	                                          DROVE_ROLES_OPERATIONS, 1, h_instance, NULL),
	                 0);
	drove_assert_error(drove__http_server_route(s2, DROVE_HTTP_GET, "/apis/v1/ping",
	                                            DROVE_ROLES_ANY, 0, h_ping, NULL),
	                   DROVE_EEXISTS, "already registered");
	drove_assert_error(drove__http_server_route(s2, DROVE_HTTP_GET, "apis", DROVE_ROLES_ANY, 0,
	                                            h_ping, NULL),
	                   DROVE_EINVAL, "must start with '/'");
	drove_assert_error(drove__http_server_bind(s2, "not an address", 0), DROVE_EINVAL,
	                   "http bind: address 'not an address'");
	ck_assert_int_eq(drove__http_server_bind(s2, "127.0.0.1", 0), 0);
	p2 = drove__http_server_port(s2);
	ck_assert_int_ne(p2, port);
	/* no-auth: default-user is root and passes the operations check */
	drove__http_server_free(s2);
	s2 = NULL;
	ck_assert_int_eq(drove__http_server_new(&s2, loop, NULL), 0);
	ck_assert_int_eq(drove__http_server_route(s2, DROVE_HTTP_GET, "/apis/v1/ping",
	                                          DROVE_ROLES_OPERATIONS, 1, h_ping, NULL),
	                 0);
	ck_assert_int_eq(drove__http_server_bind(s2, "127.0.0.1", 0), 0);
	port = drove__http_server_port(s2);
	one(&c);
	ck_assert_int_eq(c.code, 200);
	call_free(&c);
	/* after stop no connection is accepted */
	drove__http_server_stop(s2);
	memset(&c, 0, sizeof(c));
	c.path = "/apis/v1/ping";
	run_calls(&c, 1);
	ck_assert_int_eq(c.curl_rc, CURLE_COULDNT_CONNECT);
	call_free(&c);
	drove__http_server_free(s2);
}
END_TEST

static void never_answered(drove__http_req *req, void *ud)
{
	drove__http_req_on_gone(req, stream_gone, NULL);
	st.req = req;
	drove_loop_after(loop, 100, stop_cb, NULL);
}

START_TEST(test_free_with_pending_request)
{
	struct call c = {.path = "/apis/v1/hang"};
	struct batch b = {&c, 1, 0};
	pthread_t t;

	ck_assert_int_eq(drove__http_server_route(srv, DROVE_HTTP_GET, "/apis/v1/hang",
	                                          DROVE_HTTP_PUBLIC, 0, never_answered, NULL),
	                 0);
	ck_assert_int_eq(pthread_create(&t, NULL, client_thread, &b), 0);
	drove_loop_run(loop);
	ck_assert_uint_eq(drove__http_server_pending(srv), 1);
	drove__http_server_free(srv); /* tells the handler, frees the request */
	srv = NULL;
	ck_assert(st.gone);
	pthread_join(t, NULL);
	ck_assert_int_ne(c.curl_rc, 0); /* the client saw the connection close */
	call_free(&c);
}
END_TEST

START_TEST(test_envelope_functions)
{
	char *s = drove__http_envelope(0, "App X not found", NULL);
	ck_assert_str_eq(s, "{\"status\":\"FAILED\",\"message\":\"App X not found\"}");
	free(s);
	s = drove__http_envelope(1, "ignored", json_object_new_string("a/b"));
	ck_assert_str_eq(s, "{\"status\":\"SUCCESS\",\"data\":\"a/b\",\"message\":\"success\"}");
	free(s);
	s = drove__http_envelope_validation("Command validation failure", NULL);
	ck_assert_str_eq(s, "{\"status\":\"FAILED\",\"data\":{\"validationErrors\":[]},\"message\":"
	                    "\"Command validation failure\"}");
	free(s);
}
END_TEST

Suite *http_server_suite(void)
{
	Suite *s = suite_create("http_server");
	TCase *tc = tcase_create("server");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_routing_params_and_query);
	tcase_add_test(tc, test_connections_have_nodelay);
	tcase_add_test(tc, test_not_found_and_method_not_allowed);
	tcase_add_test(tc, test_envelope_shapes);
	tcase_add_test(tc, test_unauthorized_and_forbidden);
	tcase_add_test(tc, test_filter_order);
	tcase_add_test(tc, test_bad_json_and_body_limit);
	tcase_add_test(tc, test_async_reply);
	tcase_add_test(tc, test_streaming);
	tcase_add_test(tc, test_stream_client_disconnect);
	tcase_add_test(tc, test_audit_hook);
	tcase_add_test(tc, test_no_auth_server_and_stop);
	tcase_add_test(tc, test_free_with_pending_request);
	tcase_add_test(tc, test_envelope_functions);
	suite_add_tcase(s, tc);
	return s;
}
