/* Log files proxied to the executor that holds them (DROVE_API.md §2.9, docs/logs.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include <drove/clock.h>

#include "ctrl/engine.h"
#include "ctrl/logs.h"
#include "http/client.h"
#include "http/server.h"

#define MOD "ctrl.logs"

/* ---- pure parts ---- */

int drove__ctrl_log_name_check(const char *what, const char *name)
{
	size_t n;

	if (!name || !*name)
		return drove__error(DROVE_EINVAL, "%s: empty", what);
	n = strlen(name);
	if (n > 255)
		return drove__error(DROVE_EINVAL, "%s: %zu bytes is above 255", what, n);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return drove__error(DROVE_EINVAL, "%s: '%s' is not a plain file name", what, name);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ch == '/' || ch == '\\')
			return drove__error(DROVE_EINVAL, "%s: '%s' is not a plain file name", what,
			                    name);
		if (ch < 0x20 || ch == 0x7f)
			return drove__error(DROVE_EINVAL, "%s: control character 0x%02x at %zu",
			                    what, ch, i);
	}
	return 0;
}

static int parse_param(const char *what, const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s) {
		*out = -1;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || end == s || s[0] == ' ')
		return drove__error(DROVE_EINVAL, "%s: '%.32s' is not an integer", what, s);
	if (v < -1)
		return drove__error(DROVE_EINVAL, "%s: %lld is below -1", what, v);
	*out = v;
	return 0;
}

int drove__ctrl_log_range(const char *offset, const char *length, int64_t *off_out,
                          int64_t *len_out)
{
	int64_t off, len;
	int rc;

	if ((rc = parse_param("offset", offset, &off)) < 0 ||
	    (rc = parse_param("length", length, &len)) < 0)
		return rc;
	if (off == -1 && len != -1)
		return drove__error(DROVE_EINVAL,
		                    "offset: -1 (the file size) needs length -1, not %lld",
		                    (long long)len);
	if (len > DROVE__CTRL_LOG_READ_MAX)
		len = DROVE__CTRL_LOG_READ_MAX;
	*off_out = off;
	*len_out = len;
	return 0;
}

char *drove__ctrl_log_download_name(const char *id1, const char *id2, const char *file, bool rename,
                                    int64_t now_ms)
{
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;
	char stamp[32];

	if (!rename)
		return drove__strdup(file);
	if (!localtime_r(&t, &tm) || !strftime(stamp, sizeof(stamp), "%Y-%m-%d_%H-%M-%S", &tm))
		snprintf(stamp, sizeof(stamp), "%lld", (long long)t);
	return drove__asprintf("%s_%s_%s-%s", id1, id2, file, stamp);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

const char *drove__ctrl_log_content_type(const char *file)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	        {".json", "application/json"}, {".gz", "application/gzip"},
	        {".zip", "application/zip"},   {".html", "text/html"},
	        {".htm", "text/html"},         {".xml", "application/xml"},
	        {".csv", "text/csv"},
	};
	for (size_t i = 0; file && i < sizeof(types) / sizeof(types[0]); i++)
		if (ends_with(file, types[i].ext))
			return types[i].type;
	return "text/plain";
}

static const char *const kinds[] = {"applications", "tasks", "localservices"};

int drove__ctrl_log_kind(const char *kind)
{
	for (int i = 0; kind && i < 3; i++)
		if (!strcmp(kind, kinds[i]))
			return i;
	return -1;
}

/* ---- the proxy ---- */

enum { OP_LIST, OP_READ, OP_DOWNLOAD };

/* One proxied request. */
struct lreq {
	drove_controller *c;
	drove__http_req *req;      /* the client's request (server side) */
	drove__http_req *inflight; /* our request to the executor (client side) */
	char *base;                /* http://host:port/apis/v1/logs/filestream/{id1}/{id2} */
	char *file_esc;            /* the escaped file name */
	char *hdr_auth, *hdr_node;
	char *disposition;
	const char *ctype;
	int op;
	bool streaming;
	int64_t off, size; /* download progress */
};

static void lreq_free(struct lreq *l)
{
	if (!l)
		return;
	drove__http_cancel(l->inflight);
	free(l->base);
	free(l->file_esc);
	free(l->hdr_auth);
	free(l->hdr_node);
	free(l->disposition);
	free(l);
}

static void reply_error(drove__http_req *req, int status, const char *msg)
{
	struct json_object *o = json_object_new_object();
	if (o)
		json_object_object_add(o, "error", json_object_new_string(msg));
	drove__http_reply_json(req, status, o);
}

/* Finish the client's request (an error before streaming, or the end of a stream). */
static void lreq_finish(struct lreq *l, int status, const char *msg)
{
	drove__http_req *req = l->req;
	drove__http_req_on_gone(req, NULL, NULL);
	if (l->streaming) {
		if (msg)
			drove__warn(l->c->ctx, MOD, "download %s cut short: %s",
			            drove__http_req_path(req), msg);
		drove__http_stream_end(req);
	} else {
		reply_error(req, status, msg ? msg : "internal error");
	}
	lreq_free(l);
}

static void on_gone(drove__http_req *req, void *ud)
{
	struct lreq *l = ud;
	(void)req;
	lreq_finish(l, 500, "client gone");
}

/* Percent-escape one path segment (everything but RFC 3986 unreserved characters). */
static char *escape_segment(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	drove__buf b = DROVE_BUF_INIT;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int rc;
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~')
			rc = drove__buf_putc(&b, (char)*p);
		else
			rc = drove__buf_printf(&b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
		if (rc < 0) {
			drove__buf_free(&b);
			return NULL;
		}
	}
	if (drove__buf_puts(&b, "") < 0) {
		drove__buf_free(&b);
		return NULL;
	}
	return drove__buf_steal(&b);
}

static void on_executor_done(const drove__http_response *resp, void *ud);

/* Send GET {base}/{what}[/{file}]?{query} to the executor. */
static int lreq_send(struct lreq *l, const char *what, const char *query)
{
	const char *headers[] = {l->hdr_auth, l->hdr_node, "Accept: application/json", NULL};
	drove__http_request r = {0};
	char *url = l->file_esc ? drove__asprintf("%s/%s/%s%s%s", l->base, what, l->file_esc,
	                                          query ? "?" : "", query ? query : "")
	                        : drove__asprintf("%s/%s", l->base, what);
	int rc;

	if (!url)
		return DROVE_ENOMEM;
	r.method = "GET";
	r.url = url;
	r.headers = headers;
	r.connect_timeout_ms = 2000;
	r.timeout_ms = 30000;
	r.max_body = DROVE__CTRL_LOG_BODY_MAX;
	r.on_done = on_executor_done;
	r.userdata = l;
	rc = drove__http_send(l->c->client, &r, &l->inflight);
	free(url);
	return rc;
}

static void download_next(drove__http_req *req, void *ud);

/* The executor's {"data","offset"}: data bytes (borrowed from *root) and offset. */
static int parse_read(const char *body, size_t len, struct json_object **root, const char **data,
                      size_t *n, int64_t *offset)
{
	struct json_tokener *tok = json_tokener_new_ex(8);
	struct json_object *o = NULL, *d, *off;

	if (!tok)
		return drove__enomem();
	o = json_tokener_parse_ex(tok, body, (int)len);
	json_tokener_free(tok);
	if (!o || !json_object_object_get_ex(o, "data", &d) ||
	    !json_object_is_type(d, json_type_string) ||
	    !json_object_object_get_ex(o, "offset", &off)) {
		json_object_put(o);
		return drove__error(DROVE_EIO, "executor read: no data/offset in the answer");
	}
	*root = o;
	*data = json_object_get_string(d);
	*n = (size_t)json_object_get_string_len(d);
	*offset = json_object_get_int64(off);
	return 0;
}

static void download_step(struct lreq *l, const drove__http_response *resp)
{
	struct json_object *root = NULL;
	const char *data = NULL;
	size_t n = 0;
	int64_t off = 0;
	int rc;

	if (parse_read(resp->body, resp->body_len, &root, &data, &n, &off) < 0)
		return lreq_finish(l, 500, drove_error_last()->message);
	if (l->size < 0) { /* the answer to offset=-1&length=-1: the size to send */
		json_object_put(root);
		l->size = off;
		l->off = 0;
		if (drove__http_req_add_header(l->req, "Content-Disposition", l->disposition) < 0)
			return lreq_finish(l, 500, drove_error_last()->message);
		l->streaming = true;
		if (drove__http_stream_start(l->req, 200, l->ctype) < 0)
			return lreq_finish(l, 500, drove_error_last()->message);
		return download_next(l->req, l);
	}
	if (n == 0) {
		json_object_put(root);
		return lreq_finish(l, 200, NULL);
	}
	if ((int64_t)n > l->size - l->off)
		n = (size_t)(l->size - l->off);
	l->off += (int64_t)n;
	rc = drove__http_stream_write(l->req, data, n, download_next, l);
	json_object_put(root);
	if (rc < 0)
		return lreq_finish(l, 500, drove_error_last()->message);
}

/* Drained (or just started): read the next piece, or end. */
static void download_next(drove__http_req *req, void *ud)
{
	struct lreq *l = ud;
	char q[96];
	int64_t want = l->size - l->off;

	(void)req;
	if (want <= 0)
		return lreq_finish(l, 200, NULL);
	if (want > DROVE__CTRL_LOG_READ_MAX)
		want = DROVE__CTRL_LOG_READ_MAX;
	snprintf(q, sizeof(q), "offset=%lld&length=%lld", (long long)l->off, (long long)want);
	if (lreq_send(l, "read", q) < 0)
		lreq_finish(l, 500, drove_error_last()->message);
}

static void on_executor_done(const drove__http_response *resp, void *ud)
{
	struct lreq *l = ud;
	char *msg;

	l->inflight = NULL;
	if (resp->error) {
		msg = drove__asprintf("Executor call failed: %s", resp->errtext);
		lreq_finish(l, 500, msg ? msg : "Executor call failed");
		free(msg);
		return;
	}
	if (resp->status != 200) {
		msg = drove__asprintf("Executor call returned: %d body: %.*s", resp->status,
		                      (int)(resp->body_len > 4096 ? 4096 : resp->body_len),
		                      resp->body);
		lreq_finish(l, 500, msg ? msg : "Executor call failed");
		free(msg);
		return;
	}
	if (l->op == OP_DOWNLOAD)
		return download_step(l, resp);
	drove__http_req_on_gone(l->req, NULL, NULL);
	drove__http_reply_raw(l->req, 200, "application/json", resp->body, resp->body_len);
	lreq_free(l);
}

/* The executor of {kind}/{id1}/{id2}, or NULL when the leader knows none. */
static const drove__ctrl_exec *lookup(drove_controller *c, int kind, const char *id1,
                                      const char *id2)
{
	const char *exec_id = NULL;
	const drove__ctrl_exec *e;

	if (kind == 0) {
		drove__ctrl_app *app = drove__ctrl_app_find(c, id1);
		drove__ctrl_inst *in = app ? drove__ctrl_inst_find(app, id2) : NULL;
		exec_id = in && in->info ? in->info->executor_id : NULL;
	} else if (kind == 1) {
		exec_id = drove__ctrl_task_executor(c, id1, id2);
	} else if (kind == 2) {
		exec_id = drove__ctrl_lsvc_instance_executor(c, id1, id2);
	}
	if (!exec_id || !*exec_id || !(e = drove__ctrl_exec_find(c, exec_id)) || !e->nd ||
	    e->removed)
		return NULL;
	return e;
}

/* {kind} is the fourth path segment: /apis/v1/logfiles/{kind}/... */
static int path_kind(const char *path)
{
	static const char prefix[] = "/apis/v1/logfiles/";
	char kind[16];
	const char *p, *slash;

	if (strncmp(path, prefix, sizeof(prefix) - 1))
		return -1;
	p = path + sizeof(prefix) - 1;
	if (!(slash = strchr(p, '/')) || (size_t)(slash - p) >= sizeof(kind))
		return -1;
	memcpy(kind, p, (size_t)(slash - p));
	kind[slash - p] = '\0';
	return drove__ctrl_log_kind(kind);
}

static void handle(drove__http_req *req, drove_controller *c, int op)
{
	const char *id1 = drove__http_req_param(req, "id1"),
	           *id2 = drove__http_req_param(req, "id2");
	const char *file = drove__http_req_param(req, "fileName");
	const drove__ctrl_exec *e;
	struct lreq *l;
	int64_t off = -1, len = -1;
	char q[96];
	int rc, kind = path_kind(drove__http_req_path(req));

	if (drove__ctrl_log_name_check("id", id1) < 0 ||
	    drove__ctrl_log_name_check("instance id", id2) < 0 ||
	    (op != OP_LIST && drove__ctrl_log_name_check("fileName", file) < 0))
		return reply_error(req, 400, drove_error_last()->message);
	if (op == OP_READ &&
	    drove__ctrl_log_range(drove__http_req_query(req, "offset"),
	                          drove__http_req_query(req, "length"), &off, &len) < 0)
		return reply_error(req, 400, drove_error_last()->message);
	if (!c->client || !(e = lookup(c, kind, id1, id2)))
		return drove__http_reply_raw(req, 204, NULL, NULL, 0);
	if (!(l = calloc(1, sizeof(*l))))
		return drove__http_reply_server_error(req, "out of memory");
	l->c = c;
	l->req = req;
	l->op = op;
	l->size = -1;
	{
		char *e1 = escape_segment(id1), *e2 = escape_segment(id2);
		if (e1 && e2)
			l->base = drove__asprintf(
			        "%s://%s:%d/apis/v1/logs/filestream/%s/%s",
			        e->nd->transport_type == DROVE_TRANSPORT_HTTPS ? "https" : "http",
			        e->nd->hostname ? e->nd->hostname : "localhost", e->nd->port, e1,
			        e2);
		free(e1);
		free(e2);
	}
	l->hdr_auth = drove__asprintf("Cluster-Authorization: %s", c->secret ? c->secret : "");
	l->hdr_node = drove__asprintf("NodeId: %s", c->hostname ? c->hostname : "");
	if (!l->base || !l->hdr_auth || !l->hdr_node ||
	    (file && !(l->file_esc = escape_segment(file)))) {
		lreq_free(l);
		return drove__http_reply_server_error(req, "out of memory");
	}
	if (op == OP_DOWNLOAD) {
		const char *rn = drove__http_req_query(req, "rename");
		char *name = drove__ctrl_log_download_name(
		        id1, id2, file, rn && !strcmp(rn, "true"), drove_time_wall_ms());
		l->disposition = name ? drove__asprintf("attachment; filename=%s", name) : NULL;
		free(name);
		l->ctype = drove__ctrl_log_content_type(file);
		if (!l->disposition) {
			lreq_free(l);
			return drove__http_reply_server_error(req, "out of memory");
		}
	}
	if (op == OP_LIST)
		rc = lreq_send(l, "list", NULL);
	else if (op == OP_READ) {
		snprintf(q, sizeof(q), "offset=%lld&length=%lld", (long long)off, (long long)len);
		rc = lreq_send(l, "read", q);
	} else {
		rc = lreq_send(l, "read", "offset=-1&length=-1"); /* the size first */
	}
	if (rc < 0) {
		lreq_free(l);
		return reply_error(req, 500, drove_error_last()->message);
	}
	drove__http_req_on_gone(req, on_gone, l);
}

static void h_list(drove__http_req *req, void *ud)
{
	handle(req, ud, OP_LIST);
}

static void h_read(drove__http_req *req, void *ud)
{
	handle(req, ud, OP_READ);
}

static void h_download(drove__http_req *req, void *ud)
{
	handle(req, ud, OP_DOWNLOAD);
}

int drove__ctrl_log_routes(drove_controller *c)
{
	static const struct {
		const char *sub;
		drove__http_handler fn;
	} ops[] = {
	        {"list", h_list},
	        {"read/{fileName}", h_read},
	        {"download/{fileName}", h_download},
	};
	int rc;

	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < 3; i++) {
			char pattern[128];
			snprintf(pattern, sizeof(pattern), "/apis/v1/logfiles/%s/{id1}/{id2}/%s",
			         kinds[k], ops[i].sub);
			if ((rc = drove__http_server_route(c->http, DROVE_HTTP_GET, pattern,
			                                   DROVE_ROLES_LOGS, 1, ops[i].fn, c)) < 0)
				return rc;
		}
	return 0;
}
