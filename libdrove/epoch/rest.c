/*
 * Epoch's REST API (DROVE_API.md §12) on the library's HTTP server: Drove's envelope, Basic
 * auth (READ_WRITE users may write, READ_ONLY users read). Reads are answered from the store
 * on any node (and, on the leader, the runs it fenced but has not recorded yet from memory,
 * runs.h); writes on a follower are forwarded to the leader (whose address the election
 * holds) and its answer relayed; bad input is a 400 naming the field, with nothing stored.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/clock.h>
#include <drove/ids.h>
#include "core/internal.h"
#include "epoch/engine.h"
#include "epoch/rest.h"
#include "epoch/runs.h"
#include "epoch/simple.h"
#include "http/client.h"
#include "http/server.h"
#include "model/codec.h"

#define V1    "/apis/v1"
#define GET   DROVE_HTTP_GET
#define POST  DROVE_HTTP_POST
#define PUT   DROVE_HTTP_PUT
#define DEL   DROVE_HTTP_DELETE
#define READ  DROVE_ROLES_LOGS
#define WRITE DROVE_ROLES_OPERATIONS

/* ---- helpers ---- */

static void reply_error(drove__http_req *req, int rc)
{
	const char *msg = drove_error_last()->message;
	if (rc == DROVE_ENOTFOUND) {
		drove__http_reply_not_found(req, msg);
	} else if (rc == DROVE_EINVAL || rc == DROVE_EEXISTS) {
		drove_strlist *l = NULL;
		if (drove_strlist_new(&l) == 0 && drove_strlist_add(l, msg) == 0)
			drove__http_reply_validation(req, l);
		else
			drove__http_reply_server_error(req, "out of memory");
		drove_strlist_free(l);
	} else if (rc == DROVE_EUNAVAIL) {
		drove__http_reply_failed(req, 503, msg, NULL);
	} else {
		drove__http_reply_server_error(req, msg);
	}
	drove_error_clear();
}

/* The path's topology id, or a 400 (answered) and NULL. */
static const char *param_id(drove__http_req *req, const char *name)
{
	const char *id = drove__http_req_param(req, name);
	if (!id || !drove_id_is_valid_name(id)) {
		drove_strlist *l = NULL;
		char msg[128];
		snprintf(msg, sizeof(msg), "%s: must match [0-9a-zA-Z_-]{1,255}", name);
		if (drove_strlist_new(&l) == 0 && drove_strlist_add(l, msg) == 0)
			drove__http_reply_validation(req, l);
		else
			drove__http_reply_server_error(req, "out of memory");
		drove_strlist_free(l);
		return NULL;
	}
	return id;
}

/* A stored JSON document as the reply's data. */
static void reply_doc(drove__http_req *req, const char *doc)
{
	struct json_object *j = NULL;
	if (drove__mcodec_parse(doc, strlen(doc), &j) < 0) {
		drove__http_reply_server_error(req, drove_error_last()->message);
		drove_error_clear();
		return;
	}
	drove__http_reply_success(req, j);
}

/* No store while a new ZooKeeper session is being opened (engine.c): reads answer 503 then
 * (writes are refused by forward(): no leader). 1 when answered. */
static int store_down(drove__http_req *req, const drove_epoch *e)
{
	if (e->store)
		return 0;
	drove__http_reply_failed(req, 503, "the store is reconnecting: try again", NULL);
	return 1;
}

static void reply_topology(drove__http_req *req, drove_epoch *e, const char *id)
{
	char *doc = NULL;
	int rc = drove_epoch_topology_load(e->store, id, &doc);
	if (rc < 0) {
		if (rc == DROVE_ENOTFOUND)
			drove__error(DROVE_ENOTFOUND, "No such topology: %s", id);
		reply_error(req, rc);
		return;
	}
	reply_doc(req, doc);
	drove_free(doc);
}

/* ---- forwarding writes to the leader ---- */

struct fwd {
	drove_epoch *e;
	drove__http_req *req;
};

static void fwd_done(const drove__http_response *resp, void *ud)
{
	struct fwd *f = ud;
	if (resp->error || resp->status == 0)
		drove__http_reply_failed(f->req, 503, "the leader did not answer", NULL);
	else
		drove__http_reply_raw(f->req, resp->status, "application/json", resp->body,
		                      resp->body_len);
	free(f);
}

static void fwd_gone(drove__http_req *req, void *ud)
{
	struct fwd *f = ud;
	(void)req;
	if (f->e->stopping) /* the server is being freed; the forward was cancelled before */
		free(f);
}

static void fwd_send(struct fwd *f, const char *leader, size_t len)
{
	drove__http_req *req = f->req;
	drove_epoch *e = f->e;
	char *url = NULL, *auth = NULL;
	size_t blen = 0;
	const char *a = drove__http_req_header(req, "Authorization");
	const char *body = drove__http_req_body(req, &blen);
	const char *hdrs[3] = {"Content-Type: application/json", NULL, NULL};

	if (a && !strpbrk(a, "\r\n"))
		hdrs[1] = auth = drove__asprintf("Authorization: %s", a);
	url = drove__asprintf("%s://%.*s%s", drove__http_server_is_tls(e->http) ? "https" : "http",
	                      (int)len, leader, drove__http_req_path(req));
	if (!url || (a && !auth)) {
		drove__http_reply_server_error(req, "out of memory");
		goto out;
	}
	drove__http_request hr = {
	        .method = drove__http_method_name(drove__http_req_method(req)),
	        .url = url,
	        .headers = hdrs,
	        .body = body,
	        .body_len = blen,
	        .connect_timeout_ms = 2000,
	        .timeout_ms = 30000,
	        .on_done = fwd_done,
	        .userdata = f,
	};
	if (drove__http_send(e->hc, &hr, NULL) < 0) {
		drove__http_reply_failed(req, 503, drove_error_last()->message, NULL);
		drove_error_clear();
		goto out;
	}
	drove__http_req_on_gone(req, fwd_gone, f);
	f = NULL;
out:
	free(f);
	free(url);
	free(auth);
}

/* Who leads, as the election names it (asked without blocking the loop): forward there. The
 * store answers before it closes (with an error then), while the server still holds `req`. */
static void fwd_leader(int rc, const char *leader, size_t len, int64_t term, void *ud)
{
	struct fwd *f = ud;
	drove_epoch *e = f->e;
	(void)term;
	if (e->stopping || !e->hc) {
		drove__http_reply_failed(f->req, 503, "Epoch is stopping", NULL);
		free(f);
	} else if (rc < 0 || !leader || drove__epoch_leads(e) ||
	           (len == strlen(e->leader_hp) && !memcmp(leader, e->leader_hp, len))) {
		/* no leader, or us: this node lost (or just took) the lead meanwhile */
		drove__http_reply_failed(
		        f->req, 400, "This node is not the leader and no leader is known", NULL);
		free(f);
	} else {
		fwd_send(f, leader, len);
	}
	drove_error_clear();
}

/* 1 when answered here (a follower forwards or refuses; the answer may come later), 0 when
 * this node leads. */
static int forward(drove__http_req *req, drove_epoch *e)
{
	struct fwd *f;

	if (drove__epoch_leads(e))
		return 0;
	if (!(f = calloc(1, sizeof(*f)))) {
		drove__http_reply_server_error(req, "out of memory");
		return 1;
	}
	f->e = e;
	f->req = req;
	if (!e->store || drove_store_leader_async(e->store, fwd_leader, f) < 0) {
		drove_error_clear();
		drove__http_reply_failed(
		        req, 400, "This node is not the leader and no leader is known", NULL);
		free(f);
	}
	return 1;
}

/* ---- topologies ---- */

static void h_list(drove__http_req *req, void *ud)
{
	drove_epoch *e = ud;
	drove_strlist *ids = NULL;
	struct json_object *arr;
	int rc;
	if (store_down(req, e))
		return;
	arr = json_object_new_array();
	rc = arr ? drove_epoch_topology_ids(e->store, &ids) : DROVE_ENOMEM;
	for (size_t i = 0; rc == 0 && i < drove_strlist_count(ids); i++) {
		char *doc = NULL;
		struct json_object *j = NULL;
		if (drove_epoch_topology_load(e->store, drove_strlist_get(ids, i), &doc) == 0 &&
		    drove__mcodec_parse(doc, strlen(doc), &j) == 0)
			json_object_array_add(arr, j);
		drove_error_clear();
		drove_free(doc);
	}
	drove_strlist_free(ids);
	if (rc < 0) {
		json_object_put(arr);
		reply_error(req, rc);
		return;
	}
	drove__http_reply_success(req, arr);
}

static void h_get(drove__http_req *req, void *ud)
{
	const char *id = param_id(req, "id");
	if (id && !store_down(req, ud))
		reply_topology(req, ud, id);
}

/* Validate and store a topology document; answers the request. */
static void put_doc(drove__http_req *req, drove_epoch *e, const char *doc, size_t len, int create)
{
	drove_epoch_topology *t = NULL;
	drove_strlist *errs = NULL;
	int rc = drove_epoch_topology_from_json(&t, e->ctx, doc, len, drove_time_wall_ms(), &errs);
	if (rc == DROVE_EINVAL && errs) {
		drove__http_reply_validation(req, errs);
		drove_strlist_free(errs);
		drove_error_clear();
		return;
	}
	drove_strlist_free(errs);
	if (rc < 0) {
		reply_error(req, rc);
		return;
	}
	char *id = strdup(drove_epoch_topology_name(t));
	if (!id) {
		drove_epoch_topology_free(t);
		drove__http_reply_server_error(req, "out of memory");
		return;
	}
	if ((rc = drove__epoch_put(e, t, create)) < 0) {
		if (rc == DROVE_EEXISTS)
			drove__error(DROVE_EEXISTS, "name: topology %s exists already", id);
		reply_error(req, rc);
	} else {
		reply_topology(req, e, id);
	}
	free(id);
}

static void h_create(drove__http_req *req, void *ud)
{
	size_t len = 0;
	const char *body;
	if (forward(req, ud))
		return;
	body = drove__http_req_body(req, &len);
	put_doc(req, ud, body, len, drove__http_req_method(req) == DROVE_HTTP_POST);
}

static void h_simple(drove__http_req *req, void *ud)
{
	drove_epoch *e = ud;
	drove_strlist *errs = NULL;
	const char *id = NULL;
	char *doc;
	if (forward(req, e))
		return;
	if (drove__http_req_method(req) == DROVE_HTTP_PUT && !(id = param_id(req, "id")))
		return;
	if (drove_strlist_new(&errs) < 0) {
		drove__http_reply_server_error(req, "out of memory");
		return;
	}
	size_t len = 0;
	const char *body = drove__http_req_body(req, &len);
	if (drove__epoch_simple_topology(body, len, id, errs, &doc) == DROVE_ENOMEM) {
		drove_strlist_free(errs);
		drove__http_reply_server_error(req, "out of memory");
		return;
	}
	if (drove_strlist_count(errs))
		drove__http_reply_validation(req, errs);
	else if (!doc)
		drove__http_reply_server_error(req, "out of memory");
	else
		put_doc(req, e, doc, strlen(doc), id == NULL);
	free(doc);
	drove_strlist_free(errs);
}

static void h_delete(drove__http_req *req, void *ud)
{
	const char *id;
	int rc;
	if (forward(req, ud) || !(id = param_id(req, "id")))
		return;
	if ((rc = drove__epoch_delete(ud, id)) < 0)
		reply_error(req, rc);
	else
		drove__http_reply_success(req, json_object_new_boolean(1));
}

static void h_state(drove__http_req *req, void *ud)
{
	const char *id;
	int rc;
	if (forward(req, ud) || !(id = param_id(req, "id")))
		return;
	const char *path = drove__http_req_path(req);
	int pause = strlen(path) >= 6 && !strcmp(path + strlen(path) - 6, "/pause");
	if ((rc = drove__epoch_pause(ud, id, pause)) < 0)
		reply_error(req, rc);
	else
		reply_topology(req, ud, id);
}

static void h_run(drove__http_req *req, void *ud)
{
	const char *id;
	char *rid = NULL;
	int rc;
	if (forward(req, ud) || !(id = param_id(req, "id")))
		return;
	if ((rc = drove__epoch_run_now(ud, id, &rid)) < 0) {
		reply_error(req, rc);
		return;
	}
	struct json_object *d = json_object_new_object();
	if (d)
		json_object_object_add(d, "runId", json_object_new_string(rid));
	drove_free(rid);
	drove__http_reply_success(req, d);
}

/* ---- runs ---- */

/* 1 when run `j` is in one of `states` (none: every run). */
static int state_wanted(struct json_object *j, const drove_strlist *states)
{
	struct json_object *s;
	int keep = drove_strlist_count(states) == 0;
	const char *st = json_object_object_get_ex(j, "state", &s) ? json_object_get_string(s) : "";
	for (size_t k = 0; !keep && k < drove_strlist_count(states); k++) {
		/* state=A&state=B or state=A,B */
		const char *q = drove_strlist_get(states, k);
		size_t n = strlen(st);
		for (const char *p = q; p && *p;) {
			if (!strncmp(p, st, n) && (p[n] == ',' || !p[n]))
				keep = 1;
			p = strchr(p, ',');
			p = p ? p + 1 : NULL;
		}
	}
	return keep;
}

/* The list being answered: the runs from the store, then the leader's not stored yet. */
struct runs_list {
	struct json_object *arr;
	const drove_strlist *ids, *states;
};

static void add_unstored(struct json_object *j, void *ud)
{
	struct runs_list *l = ud;
	struct json_object *v;
	const char *rid =
	        json_object_object_get_ex(j, "runId", &v) ? json_object_get_string(v) : "";
	if (!drove_strlist_contains(l->ids, rid) && state_wanted(j, l->states))
		json_object_array_add(l->arr, j); /* else written meanwhile: listed already */
	else
		json_object_put(j);
}

static void h_runs(drove__http_req *req, void *ud)
{
	drove_epoch *e = ud;
	drove_strlist *ids = NULL, *states = NULL;
	const char *id = param_id(req, "id");
	struct json_object *arr;
	int rc;
	if (!id || store_down(req, e))
		return;
	if (!(arr = json_object_new_array()) || drove_strlist_new(&states) < 0 ||
	    drove__http_req_query_all(req, "state", states) < 0) {
		json_object_put(arr);
		drove_strlist_free(states);
		drove__http_reply_server_error(req, "out of memory");
		return;
	}
	char *tdoc = NULL;
	rc = drove_epoch_topology_load(e->store, id, &tdoc);
	drove_free(tdoc);
	if (rc < 0 || (rc = drove_epoch_runs_list(e->store, id, &ids)) < 0) {
		if (rc == DROVE_ENOTFOUND)
			drove__error(DROVE_ENOTFOUND, "No such topology: %s", id);
		json_object_put(arr);
		drove_strlist_free(states);
		reply_error(req, rc);
		return;
	}
	for (size_t i = 0; i < drove_strlist_count(ids); i++) {
		char *doc = NULL;
		struct json_object *j = NULL;
		if (drove_epoch_run_get(e->store, id, drove_strlist_get(ids, i), &doc) == 0 &&
		    drove__mcodec_parse(doc, strlen(doc), &j) == 0) {
			if (state_wanted(j, states))
				json_object_array_add(arr, j);
			else
				json_object_put(j);
		}
		drove_error_clear();
		drove_free(doc);
	}
	struct runs_list l = {arr, ids, states};
	rc = drove__eruns_unstored(e, id, add_unstored, &l);
	drove_strlist_free(ids);
	drove_strlist_free(states);
	if (rc < 0) {
		json_object_put(arr);
		reply_error(req, rc);
		return;
	}
	drove__http_reply_success(req, arr);
}

static void h_run_get(drove__http_req *req, void *ud)
{
	drove_epoch *e = ud;
	const char *id = param_id(req, "id"), *rid;
	char *doc = NULL;
	int rc;
	struct json_object *mem;
	if (!id || !(rid = param_id(req, "runId")) || store_down(req, e))
		return;
	if ((mem = drove__erun_unstored(e, id, rid))) { /* fenced, its record not written yet */
		drove__http_reply_success(req, mem);
		return;
	}
	if ((rc = drove_epoch_run_get(e->store, id, rid, &doc)) < 0) {
		if (rc == DROVE_ENOTFOUND)
			drove__error(DROVE_ENOTFOUND, "Not run exists for %s/%s", id, rid);
		reply_error(req, rc);
		return;
	}
	reply_doc(req, doc);
	drove_free(doc);
}

struct kill_ctx {
	drove__http_req *req;
	char what[800];
};

static struct json_object *cancel_response(int ok, const char *message)
{
	struct json_object *d = json_object_new_object();
	if (d) {
		json_object_object_add(d, "success", json_object_new_boolean(ok));
		json_object_object_add(d, "message", json_object_new_string(message));
	}
	return d;
}

static void on_killed(int ok, const char *message, void *ud)
{
	struct kill_ctx *k = ud;
	if (ok) {
		drove__http_reply_success(k->req, cancel_response(1, message));
	} else {
		char msg[1024];
		snprintf(msg, sizeof(msg), "Could not cancel task %s. Error: %s", k->what, message);
		drove__http_reply_failed(k->req, 200, msg, cancel_response(0, message));
	}
	free(k);
}

static void h_kill(drove__http_req *req, void *ud)
{
	const char *id, *rid, *task;
	struct kill_ctx *k;
	int rc;
	if (forward(req, ud) || !(id = param_id(req, "id")) || !(rid = param_id(req, "runId")) ||
	    !(task = param_id(req, "taskName")))
		return;
	if (!(k = calloc(1, sizeof(*k)))) {
		drove__http_reply_server_error(req, "out of memory");
		return;
	}
	k->req = req;
	snprintf(k->what, sizeof(k->what), "%s/%s/%s", id, rid, task);
	if ((rc = drove__epoch_kill(ud, id, rid, task, on_killed, k)) < 0) {
		if (rc == DROVE_ENOTFOUND)
			drove__http_reply_failed(
			        req, 200, drove_error_last()->message,
			        cancel_response(0, "No task found for the provided id"));
		else
			reply_error(req, rc);
		drove_error_clear();
		free(k);
	}
}

static void h_log(drove__http_req *req, void *ud)
{
	drove_epoch *e = ud;
	const char *id, *rid, *task;
	char *doc = NULL, *url = NULL;
	struct json_object *r = NULL, *tasks, *t, *v;
	if (!(id = param_id(req, "id")) || !(rid = param_id(req, "runId")) ||
	    !(task = param_id(req, "taskName")) || store_down(req, e))
		return;
	const drove_strlist *eps = drove_epoch_config_drove_endpoints(e->cfg);
	const char *ep = drove_strlist_count(eps) ? drove_strlist_get(eps, 0) : "";
	if (((r = drove__erun_unstored(e, id, rid)) ||
	     (drove_epoch_run_get(e->store, id, rid, &doc) == 0 &&
	      drove__mcodec_parse(doc, strlen(doc), &r) == 0)) &&
	    json_object_object_get_ex(r, "tasks", &tasks) &&
	    json_object_object_get_ex(tasks, task, &t) &&
	    json_object_object_get_ex(t, "upstreamId", &v))
		url = drove__asprintf("%s/tasks/%s/%s", ep, e->app_name, json_object_get_string(v));
	drove_error_clear();
	json_object_put(r);
	drove_free(doc);
	if (url) {
		drove__http_reply_success(req, json_object_new_string(url));
	} else {
		char msg[800];
		snprintf(msg, sizeof(msg), "No log exists for %s/%s/%s", id, rid, task);
		drove__http_reply_not_found(req, msg);
	}
	free(url);
}

/* The leader check of Drove clients (GET /ping): every node answers, since followers serve
 * reads and forward writes. */
static void h_ping(drove__http_req *req, void *ud)
{
	(void)ud;
	drove__http_reply_success(req, json_object_new_string("pong"));
}

static const struct {
	unsigned methods;
	const char *path;
	unsigned access;
	drove__http_handler fn;
} routes[] = {
        {GET, V1 "/ping", READ, h_ping},
        {GET, V1 "/topologies", READ, h_list},
        {POST | PUT, V1 "/topologies", WRITE, h_create},
        {POST, V1 "/topologies/simple", WRITE, h_simple},
        {GET, V1 "/topologies/{id}", READ, h_get},
        {PUT, V1 "/topologies/{id}", WRITE, h_simple},
        {DEL, V1 "/topologies/{id}", WRITE, h_delete},
        {PUT, V1 "/topologies/{id}/run", WRITE, h_run},
        {PUT, V1 "/topologies/{id}/pause", WRITE, h_state},
        {PUT, V1 "/topologies/{id}/unpause", WRITE, h_state},
        {GET, V1 "/topologies/{id}/runs", READ, h_runs},
        {GET, V1 "/topologies/{id}/runs/{runId}", READ, h_run_get},
        {POST, V1 "/topologies/{id}/runs/{runId}/tasks/{taskName}/kill", WRITE, h_kill},
        {GET, V1 "/topologies/{id}/runs/{runId}/tasks/{taskName}/log", READ, h_log},
};

int drove__epoch_rest_routes(drove_epoch *e)
{
	for (size_t i = 0; i < DROVE_ARRAY_LEN(routes); i++) {
		int rc = drove__http_server_route(e->http, routes[i].methods, routes[i].path,
		                                  routes[i].access, 0, routes[i].fn, e);
		if (rc < 0)
			return rc;
	}
	return 0;
}
